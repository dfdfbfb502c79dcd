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

"""What the claims read off a run record: its seed, metrics, budget, probe and history.

Each reading returns None (or leaves the entry out) where the record lacks the value; a
NaN metric reads as missing, never as a number that would count.
"""

from collections.abc import Sequence
import math

import numpy as np

from suite import constants
from suite.analysis import declared


def seed(rec: dict):
  """The run's training seed (settings.train.seed), or None."""
  return rec.get("settings", {}).get("train", {}).get("seed")


def metric(rec: dict, key: str):
  """The final metric `key`, or None when missing or NaN."""
  value = rec.get("metrics", {}).get(key)
  return None if value is None or value != value else float(value)


def budget(rec: dict):
  """The run's training budget in epochs (settings.train.epochs), or None."""
  return rec.get("settings", {}).get("train", {}).get("epochs")


def probe_k(table: dict | None, endpoint: str, bank: str = "clean") -> float | None:
  """The probe table's declared.PRIMARY_K k-NN accuracy at `endpoint` in `bank`, or None."""
  value = (table or {}).get(bank, {}).get(endpoint, {}).get(declared.PRIMARY_K)
  return None if value is None else float(value)


def encoder_endpoint(endpoints: Sequence[str]) -> str:
  """The encoder output: the last endpoint before the head (projector and logits).

  Args:
    endpoints: the model's endpoints, input to output.

  Returns:
    The name of the encoder output.
  """
  body = [e for e in endpoints if e not in declared.HEAD_ENDPOINTS]
  return body[-1] if body else endpoints[-1]


def epochs_to_fit(rec: dict, key: str = "memorization/train_fit",
                  threshold: float = constants.FIT_THRESHOLD) -> int | None:
  """The first recorded epoch whose `key` reaches `threshold`, or None.

  Args:
    rec: a result record with a `history`.
    key: the fit metric.
    threshold: the fit threshold.

  Returns:
    The epoch, or None if never reached.
  """
  for entry in rec.get("history", []):
    value = entry.get(key)
    if value is not None and value >= threshold:
      return entry["epoch"]
  return None


def fit_bracket(rec: dict, key: str = "memorization/train_fit",
                threshold: float = constants.FIT_THRESHOLD) -> tuple[float, float] | None:
  """When `key` first reached `threshold`, as the evaluation grid knows it: (lo, hi], the
  epoch of the evaluation before the first one at or above it (0 if none) and that
  evaluation's epoch; (last evaluation, inf) when it never did; None without any
  evaluation of `key`. Reading the epoch off the grid (epochs_to_fit) rounds it up by
  up to one grid step, which is relatively more for a quantity fitted early.

  Args:
    rec: a result record with a `history`.
    key: the fit metric.
    threshold: the fit threshold.

  Returns:
    (lo, hi) in epochs, or None.
  """
  previous, seen = 0.0, False
  for entry in rec.get("history", []):
    value = entry.get(key)
    if value is None or value != value:
      continue
    seen = True
    if value >= threshold:
      return previous, float(entry["epoch"])
    previous = float(entry["epoch"])
  return (previous, math.inf) if seen else None


def bracket_json(bracket: tuple[float, float] | None):
  """A fit_bracket as JSON: [lo, hi], hi "never" when the fit was never reached."""
  return None if bracket is None else [bracket[0], bracket[1] if math.isfinite(bracket[1])
                                       else "never"]


def window_entries(rec: dict, window: tuple) -> list[dict]:
  """The history entries in `window` (fractions of the budget), epoch 0 excluded."""
  epochs = budget(rec) or 0
  lo, hi = window[0] * epochs, max(1.0, window[1] * epochs)
  return [h for h in rec.get("history", []) if h.get("epoch", 0) >= 1 and
          lo <= h["epoch"] <= hi]


def window_mean(rec: dict, key: str, window: tuple = declared.GINI_WINDOW) -> float | None:
  """The mean of `key` over the history entries in `window` (fractions of the budget,
  epoch 0 excluded), or None when none has it."""
  entries = [h[key] for h in window_entries(rec, window) if h.get(key) is not None]
  return float(np.mean(entries)) if entries else None


def best_validation_entry(rec: dict) -> dict | None:
  """The history entry of the best validation accuracy (the earliest of ties), or None.

  Args:
    rec: a result record with a `history`.

  Returns:
    The entry, or None without validation accuracy (NaN counts as none).
  """
  # NaN left out: max() would keep a NaN that comes first, as nothing compares above it.
  entries = [h for h in rec.get("history", []) if h.get("validation/accuracy") is not None
             and h["validation/accuracy"] == h["validation/accuracy"]]
  return max(entries, key=lambda h: h["validation/accuracy"]) if entries else None
