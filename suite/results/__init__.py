"""Run records (result.json), leaderboards and figures."""
