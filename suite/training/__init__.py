"""Training engine: strategies, the distributed loop, per-example tracking, run records."""
