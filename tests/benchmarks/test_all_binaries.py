"""All binaries share one flag registry: importing them together must not clash."""

import importlib
import pathlib

BINARIES = sorted(p.stem for p in (pathlib.Path(__file__).parents[2] / "benchmarks").glob("*.py")
                  if p.stem not in ("__init__", "cli", "console"))


def test_every_binary_imports_alongside_the_others_and_has_a_main():
  assert len(BINARIES) >= 8
  for name in BINARIES:
    module = importlib.import_module(f"benchmarks.{name}")
    assert callable(module.main), name
