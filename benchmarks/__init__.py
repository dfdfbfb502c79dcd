"""Flag-driven benchmark binaries: `python -m benchmarks.<name> --flagfile=...`."""
