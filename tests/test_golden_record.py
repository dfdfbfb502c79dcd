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

"""The refactor changes no number: a digits run equals the golden record taken before it.

tests/golden/README.md gives the command and the commit the golden was taken from. Numbers
compare exactly, except epoch means of per-step values (their summation order may change)
and fields that describe when, where and how fast a run went.
"""

import json
import math
import os

from absl.testing import flagsaver
import pytest

from benchmarks import train
from suite.results import record

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "digits_mlp_result.json")
FLAGS = dict(dataset="digits", model="mlp", width=64, label_noise=0.5, epochs=3, batch_size=64,
             track_every=1)
# Whole sections that describe the machine or the wall clock, not the run's numbers.
IGNORED_SECTIONS = ("timing", "environment",
                    # A hash of `settings`, which gain keys as options are added; the settings
                    # themselves are compared key by key below.
                    "config_hash")
PATH_FLAGS = ("output_dir", "data_dir")  # Where the test runs, not what it computes.
EPOCH_MEANS = ("train/loss", "train/accuracy")  # Means of per-step values: relative 1e-6.


def _compare(golden, got, path=""):
  """Yields one message per difference between the golden `golden` and `got`."""
  if isinstance(golden, dict):
    if not isinstance(got, dict):
      yield f"{path}: expected a mapping, got {got!r}"
      return
    for name, value in golden.items():
      if name not in got:
        yield f"{path}/{name}: missing"
      else:
        yield from _compare(value, got[name], f"{path}/{name}")
    return
  if isinstance(golden, list):
    if not isinstance(got, list) or len(got) != len(golden):
      yield f"{path}: expected {golden!r}, got {got!r}"
      return
    for i, (a, b) in enumerate(zip(golden, got)):
      yield from _compare(a, b, f"{path}[{i}]")
    return
  if isinstance(golden, float) and any(path.endswith(m) for m in EPOCH_MEANS):
    if not (isinstance(got, float) and math.isclose(got, golden, rel_tol=1e-6)):
      yield f"{path}: {got!r} is not within 1e-6 of {golden!r}"
    return
  if got != golden:
    yield f"{path}: expected {golden!r}, got {got!r}"


def _strip(rec: dict) -> dict:
  """The record without timing, provenance and path fields."""
  rec = {k: v for k, v in rec.items() if k not in IGNORED_SECTIONS}
  rec["config"] = {k: v for k, v in rec["config"].items() if k not in PATH_FLAGS}
  rec["settings"] = dict(rec["settings"], data={
      k: v for k, v in rec["settings"]["data"].items() if k not in PATH_FLAGS})
  rec["history"] = [{k: v for k, v in entry.items() if not k.startswith("perf/")}
                    for entry in rec["history"]]
  return rec


def test_the_comparison_catches_a_moved_number():
  golden = {"metrics": {"train/loss": 1.0, "test/accuracy": 0.5}, "n": [1, 2]}
  assert not list(_compare(golden, {"metrics": {"train/loss": 1.0 + 1e-9, "test/accuracy": 0.5},
                                    "n": [1, 2], "new": 3}))
  assert list(_compare(golden, {"metrics": {"train/loss": 1.0, "test/accuracy": 0.5 + 1e-12},
                                "n": [1, 2]}))
  assert list(_compare(golden, {"metrics": {"train/loss": 1.0 + 1e-5, "test/accuracy": 0.5},
                                "n": [1, 2]}))
  assert list(_compare(golden, {"metrics": {"train/loss": 1.0}, "n": [1, 2]}))


def test_a_digits_run_reproduces_the_golden_record(data_dir, tmp_path):
  with open(GOLDEN, encoding="utf-8") as f:
    golden = json.load(f)
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path), **FLAGS):
    train.main([])
  got = record.read(str(tmp_path))
  assert got["config"]["output_dir"] == str(tmp_path)
  differences = list(_compare(_strip(golden), _strip(got)))
  assert not differences, "\n".join(differences[:40])
