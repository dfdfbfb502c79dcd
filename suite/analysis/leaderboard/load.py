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

"""Finding and loading run records for the leaderboard.

Records are found under any number of directories (local or bucket paths via
tf.io.gfile) and validated against the schema; a record that fails validation, or that
the table could not read, is reported with its path and left out: it never stops the
table.
"""

import dataclasses
import json
import os

import tensorflow as tf

from suite.analysis.leaderboard import columns
from suite.results import record


@dataclasses.dataclass
class Loaded:
  records: list[tuple[str, dict]]  # (path, record) of valid, complete runs
  problems: list[tuple[str, str]]  # (path, reason) of skipped files


def validate(rec: object) -> str | None:
  """None if `rec` is a usable complete record, else the reason it is not."""
  return record.validate(rec, complete=True)


def find(roots: list[str]) -> list[str]:
  """Every result.json under `roots` (a root ending in .json is itself one), sorted."""
  paths = []
  for root in roots:
    if root.endswith(".json"):
      paths.append(root)
      continue
    for directory, _, files in tf.io.gfile.walk(root):
      paths += [os.path.join(directory, f) for f in files if f == record.FILENAME]
  return sorted(paths)


def load(roots: list[str], setting_defaults: dict | None = None) -> Loaded:
  """The complete records under `roots`, and why each other result.json was skipped.

  setting_defaults: {section: {name: default}}; a record that lacks a setting (written
  before it existed) gets its default (record.with_defaults), so that it groups with the
  newer runs of the same settings instead of forming a row of its own.
  """
  loaded = Loaded(records=[], problems=[])
  try:
    paths = find(roots)
  except (tf.errors.OpError, OSError) as e:
    loaded.problems.append((", ".join(roots), f"unreadable: {type(e).__name__}: {e}"[:300]))
    paths = []
  for path in paths:
    try:
      with tf.io.gfile.GFile(path) as f:
        rec = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError, tf.errors.OpError, OSError) as e:
      loaded.problems.append((path, f"unreadable: {type(e).__name__}: {e}"[:300]))
      continue
    if isinstance(rec, dict) and "conditions" in rec:
      continue  # An experiment's summary: its conditions are runs of their own.
    reason = validate(rec)
    if reason is None and setting_defaults:
      rec["settings"] = record.with_defaults(rec["settings"], setting_defaults)
    if reason is None:
      try:  # Everything the table reads, so that a record that passes cannot crash it.
        columns.check_readable(rec)
      except (KeyError, TypeError, ValueError, AttributeError) as e:
        reason = f"malformed ({type(e).__name__}: {e})"[:300]
    if reason:
      loaded.problems.append((path, reason))
    else:
      loaded.records.append((path, rec))
  return loaded


def _continues(longer: dict, shorter: dict) -> bool:
  """`longer` was trained on from `shorter` (a copy extended with --extend): its history
  holds the shorter run's last entry unchanged."""
  last = (shorter.get("history") or [None])[-1]
  return bool(last) and any(entry == last for entry in longer.get("history") or [])


def run_seconds(records: list[tuple[str, dict]]) -> tuple[float, int]:
  """(seconds, runs without a wall time): the recorded wall time of the distinct runs.

  A run trained on from a shorter one of the same settings and seed records the shorter
  one's time in its own (wall_seconds accumulates over an extension), so it adds only
  what its extension took.
  """
  # Every copy is a candidate for what a run continued; the first copy of each run counts.
  every_copy: dict[str, list[dict]] = {}
  counted: dict[tuple, dict] = {}
  for _, rec in records:
    key = columns.run_key(rec)
    every_copy.setdefault(key[0], []).append(rec)
    counted.setdefault(key, rec)
  epochs = lambda rec: float(rec["settings"]["train"].get("epochs") or 0)
  total, missing = 0.0, 0
  for (identity, _), rec in counted.items():
    wall = rec["timing"].get("wall_seconds")
    if wall is None:
      missing += 1
      continue
    before = [r["timing"]["wall_seconds"] for r in every_copy[identity]
              if epochs(r) < epochs(rec) and r["timing"].get("wall_seconds") is not None
              and _continues(rec, r)]
    total += wall - max(before, default=0.0)
  return total, missing
