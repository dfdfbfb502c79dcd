"""Memorization benchmark suite: library. Never reads absl flags."""

__version__ = "0.1.0"
