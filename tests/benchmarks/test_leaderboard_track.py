# Copyright 2026 The Memorization Suite Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""benchmarks.leaderboard --track: a track's entry records as one table."""

import json
import sys
import types

from absl.testing import flagsaver
import pytest

from benchmarks import leaderboard
from suite import errors
from suite.analysis.leaderboard import entries
from tests.analysis.leaderboard.test_entries import make
from tests.analysis.leaderboard.test_entries import OTHER_SHA
from tests.analysis.leaderboard.test_entries import SHA
from tests.analysis.leaderboard.test_entries import TRACK
from tests.conftest import run_binary


def _entries(tmp_path):
  """A shipped baseline (mlp), an entry, and one of another version of the track."""
  shipped = tmp_path / "baselines" / TRACK
  shipped.mkdir(parents=True)
  (shipped / "00_mlp.json").write_text(json.dumps(make("mlp")))
  mine = make("wide", {"fit": {0: 0.95, 1: 0.97, 2: 0.96}, "loss": {0: 0.2, 1: 0.18, 2: 0.19}},
              model_sha="99" * 32)
  old = make("old", sha=OTHER_SHA, model_sha="33" * 32)
  for name, rec in (("wide", mine), ("old", old)):
    (tmp_path / "entries" / name).mkdir(parents=True)
    (tmp_path / "entries" / name / "entry.json").write_text(json.dumps(rec))
  return str(tmp_path / "baselines")


def test_track_mode_tables_the_shipped_baselines_and_the_entries(tmp_path, monkeypatch, capsys):
  monkeypatch.setattr(entries, "SHIPPED_ROOT", _entries(tmp_path))
  board = tmp_path / "board"
  with flagsaver.flagsaver(track=TRACK, entries=[str(tmp_path / "entries")], track_sha256=SHA,
                           board_dir=str(board)):
    leaderboard.main([])
  captured = capsys.readouterr()
  rows = [line for line in captured.out.splitlines() if line.startswith("| ")]
  assert rows[0].startswith("| # | entry | model | method | seeds | fit | loss |")
  assert rows[1].startswith("| 1 | wide | pkg.models:wide |") and "✓" in rows[1]
  assert rows[2].startswith("| 2 | mlp (baseline) |") and len(rows) == 3
  assert "skipped" in captured.err and OTHER_SHA in captured.err and "old" in captured.err
  assert sorted(p.name for p in board.iterdir()) == ["leaderboard.csv", "leaderboard.md",
                                                     "leaderboard.png"]
  assert (board / "leaderboard.md").read_text().splitlines()[2] == rows[0]


def test_the_track_hash_comes_from_the_track_file_unless_given(tmp_path, monkeypatch, capsys):
  monkeypatch.setattr(entries, "SHIPPED_ROOT", _entries(tmp_path))
  asked = []
  fake = types.ModuleType("suite.tracks")
  fake.track_hash = lambda track_id: asked.append(track_id) or OTHER_SHA
  fake.available = lambda: []  # Not a shipped track: no seeds or scorecard to check.
  monkeypatch.setitem(sys.modules, "suite.tracks", fake)
  monkeypatch.setattr(sys.modules["suite"], "tracks", fake, raising=False)
  with flagsaver.flagsaver(track=TRACK, entries=[str(tmp_path / "entries")]):
    leaderboard.main([])
  rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
  assert asked == [TRACK]  # At OTHER_SHA only the old entry is current.
  assert len(rows) == 2 and rows[1].startswith("| 1 | old |")


@pytest.mark.parametrize("settings,message", [
    ({}, "exactly one of --runs and --track"),
    ({"track": TRACK, "runs": ["/tmp"]}, "exactly one of --runs and --track"),
    ({"runs": ["/tmp"], "baseline": "mlp"}, "--baseline: only with --track"),
    ({"track": TRACK, "compare": "dataset", "track_sha256": SHA}, "--compare is for --runs"),
    ({"track": TRACK, "track_sha256": SHA, "entries": ["/no/such/entry"]},
     "--entries: no such file or directory: /no/such/entry"),
    ({"track": TRACK, "track_sha256": SHA}, "no complete entry.json of track"),
    ({"track": TRACK, "track_sha256": SHA, "baseline": "nosuch"}, "'nosuch' is not an entry"),
])
def test_bad_track_mode_flags_are_usage_errors(tmp_path, monkeypatch, settings, message):
  shipped = _entries(tmp_path) if settings.get("baseline") == "nosuch" else str(tmp_path / "none")
  monkeypatch.setattr(entries, "SHIPPED_ROOT", shipped)
  with flagsaver.flagsaver(**settings):
    with pytest.raises(errors.ConfigError, match=message) as raised:
      leaderboard.main([])
  assert raised.value.exit_code == errors.EXIT_USAGE


def test_the_binary_gives_one_error_line_and_exit_2(tmp_path):
  result = run_binary("benchmarks.leaderboard", f"--track={TRACK}", f"--track_sha256={SHA}",
                      f"--entries={tmp_path}")
  assert result.returncode == 2, result.stderr[-2000:]
  errors_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
  assert errors_lines == [f"error: no complete entry.json of track {TRACK} to table"]
  assert "Traceback" not in result.stderr
