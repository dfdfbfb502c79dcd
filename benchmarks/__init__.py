"""Flag-driven benchmark binaries: `python -m benchmarks.<name> --flagfile=...`."""

import os

# Before any binary imports TensorFlow: its C++ start-up chatter is not for users
# (errors still raise in Python).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
