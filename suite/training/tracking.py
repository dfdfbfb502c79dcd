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

"""Per-example training dynamics: loss and correctness of every training example.

Every recorded epoch is one shard `per_example/epoch_XXXXXX.npz` (one row per
example), written atomically, so the log is append-safe and works on bucket
paths. After a restart, shards newer than the restored checkpoint are removed
and recomputed. Helpers read the shards back and compute the statistics of
Arpit et al.: first-learned epoch, forgetting events, agreement across seeds.
`PerExampleHook` writes the log during training.
"""

import io
import os
import re
from typing import Any

import numpy as np
import tensorflow as tf

from suite import constants
from suite import hooks
from suite.results import atomic

DIRECTORY = constants.PER_EXAMPLE_DIR
_SHARD = re.compile(r"epoch_(\d{6})\.npz$")
FIELDS = ("ids", "loss", "correct", "correct_clean", "corrupted")


def _directory(run_dir):
  return os.path.join(run_dir, DIRECTORY)


def recorded_epochs(run_dir: str) -> list[int]:
  directory = _directory(run_dir)
  if not tf.io.gfile.isdir(directory):
    return []
  return sorted(int(m.group(1)) for m in map(_SHARD.search, tf.io.gfile.listdir(directory)) if m)


def write_epoch(run_dir: str, epoch: int, **arrays: np.ndarray) -> str:
  """Writes one shard; `arrays` must hold every name in FIELDS, aligned."""
  missing = set(FIELDS) - set(arrays)
  if missing:
    raise ValueError(f"per-example shard lacks {sorted(missing)}")
  path = os.path.join(_directory(run_dir), f"epoch_{epoch:06d}.npz")
  buffer = io.BytesIO()
  fields: dict[str, Any] = {k: np.asarray(v) for k, v in arrays.items()}
  np.savez_compressed(buffer, epoch=np.int64(epoch), **fields)
  return atomic.write(path, buffer.getvalue(), "the per-example shard")


def truncate_after(run_dir: str, epoch: int) -> None:
  """Removes shards of epochs after `epoch` (work lost with an interrupted run)."""
  for recorded in recorded_epochs(run_dir):
    if recorded > epoch:
      tf.io.gfile.remove(os.path.join(_directory(run_dir), f"epoch_{recorded:06d}.npz"))


def load(run_dir: str) -> dict:
  """{'epochs': [E], 'ids': [N], and per field an [E, N] array}, rows in id order."""
  epochs = recorded_epochs(run_dir)
  if not epochs:
    raise FileNotFoundError(f"no per-example log under {_directory(run_dir)}")
  rows = []
  for epoch in epochs:
    with tf.io.gfile.GFile(os.path.join(_directory(run_dir), f"epoch_{epoch:06d}.npz"), "rb") as f:
      shard = dict(np.load(io.BytesIO(f.read())))
    order = np.argsort(shard["ids"])
    rows.append({k: shard[k][order] for k in FIELDS})
  ids = rows[0]["ids"]
  if any(not np.array_equal(r["ids"], ids) for r in rows):
    raise ValueError(f"per-example shards under {run_dir} cover different examples")
  out = {"epochs": np.array(epochs), "ids": ids}
  for field in FIELDS[1:]:
    out[field] = np.stack([r[field] for r in rows])
  return out


class PerExampleHook(hooks.Hook):
  """Writes a shard every `every` epochs (0: never), at the last and at epoch 0.

  At an evaluated epoch the shard is written in on_evaluate, from the same training-split
  pass the fit measurement used, before later hooks run; at other due epochs, at the end.
  """

  def __init__(self, every: int, last_epoch: int):
    self.every = every
    self.last_epoch = last_epoch

  def _due(self, epoch: int) -> bool:
    return bool(self.every) and (epoch % self.every == 0 or epoch == self.last_epoch)

  def _write(self, state: hooks.State) -> None:
    if state.write_outputs and state.run_dir:  # write_outputs implies a run directory.
      train = state.evaluator.train_split(state.data, state.epoch)
      write_epoch(state.run_dir, state.epoch, ids=state.data.train.ids, loss=train.loss,
                  correct=train.correct, correct_clean=train.correct_clean,
                  corrupted=state.data.train.corrupted)

  def on_resume(self, state: hooks.State) -> None:
    if state.write_outputs and state.run_dir:
      truncate_after(state.run_dir, state.epoch)

  def on_evaluate(self, state: hooks.State) -> None:
    if self._due(state.epoch):
      self._write(state)

  def on_epoch_end(self, state: hooks.State) -> None:
    if not state.evaluated and self._due(state.epoch):
      self._write(state)


def first_learned_epoch(epochs: np.ndarray, correct: np.ndarray) -> np.ndarray:
  """Per example, the first recorded epoch from which it stays correct; -1 if never."""
  correct = np.asarray(correct, bool)
  # Stays correct from row r on: every later row correct too.
  stays = np.flip(np.logical_and.accumulate(np.flip(correct, 0), axis=0), 0)
  learned = stays.any(axis=0)
  first_row = np.argmax(stays, axis=0)
  return np.where(learned, np.asarray(epochs)[first_row], -1)


def forgetting_events(correct: np.ndarray) -> np.ndarray:
  """Per example, how often it went from correct to incorrect between recorded epochs."""
  correct = np.asarray(correct, bool)
  return np.sum(correct[:-1] & ~correct[1:], axis=0)


def agreement_across_seeds(misclassified: list[np.ndarray]) -> float:
  """Mean pairwise Jaccard overlap of per-seed sets of misclassified examples (Arpit et al.).

  High on real data (a consistent set of hard examples), near the chance overlap on noise.
  """
  sets = [np.asarray(m, bool) for m in misclassified]
  if len(sets) < 2:
    raise ValueError("agreement needs at least two seeds")
  scores = []
  for i in range(len(sets)):
    for j in range(i + 1, len(sets)):
      union = np.sum(sets[i] | sets[j])
      scores.append(np.sum(sets[i] & sets[j]) / union if union else 1.0)
  return float(np.mean(scores))
