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


"""Per-example difficulty (Arpit et al. 2017, Fig. 1): which examples are misclassified
after epoch DIFFICULTY_EPOCH, over runs.

Two views. Separate runs: real data, random labels and random inputs, each trained for
exactly one epoch many times with the data fixed (--seed) and only the training seed
varying (plan.difficulty_spec); real against random labels is the primary test, random
inputs a secondary view. Within runs: the clean against the corrupted examples of the
partial-noise runs of every seed.
"""

import io
import os
from typing import Any, Callable

import numpy as np

from suite import errors
from suite import rng
from suite.analysis import declared
from suite.analysis import example_difficulty
from suite.analysis.claims import difficulty
from suite.data import datasets
from suite.experiments.memorization_dynamics import plan as plan_lib
from suite.results import atomic
from suite.results import plots
from suite.results import training_figures
from suite.training import tracking

DIFFICULTY_DIR = plan_lib.DIFFICULTY_DIR
# Declared in advance: the primary comparison is real data against random labels (Arpit
# et al.'s main contrast); random inputs is a secondary view.
PRIMARY_NOISE = "random_labels"
DIFFICULTY_FIGURE = f"difficulty_epoch{declared.DIFFICULTY_EPOCH}.png"
WITHIN_RUN_FIGURE = f"difficulty_within_run_epoch{declared.DIFFICULTY_EPOCH}.png"
# Permutations of the figure's null band (each run's outcomes shuffled within labels).
BAND_PERMUTATIONS = 100


def difficulty_examples(ids: np.ndarray, count: int, seed: int) -> np.ndarray:
  """A fixed sample of `count` of `ids` (0: all), sorted; keyed by the data seed alone, so
  every kind and run reads the same examples."""
  ids = np.sort(np.asarray(ids))
  if not count or count >= len(ids):
    return ids
  generator = rng.numpy_generator(seed, "difficulty_examples")
  return np.sort(generator.choice(ids, count, replace=False))


def difficulty_matrix(run_dirs: list[str], data: datasets.Data, kind: str,
                      examples: np.ndarray | None = None,
                      epoch: int = declared.DIFFICULTY_EPOCH) -> dict:
  """Errors after `epoch` of the runs of one kind: {'errors': bool [runs, examples],
  'ids', 'labels' (assigned), 'clean_labels', 'counted' (bool: counted as this kind's
  data; for random labels, not the examples whose random label is the true class)}, examples in
  id order (`examples`: a subset of ids, default all). SuiteError when a run lacks the log
  of `epoch` or the runs cover different examples."""
  train = data.train
  rows = np.argsort(train.ids)
  ids = train.ids[rows]
  keep = np.isin(ids, examples) if examples is not None else np.ones(len(ids), bool)
  out = []
  for run_dir in run_dirs:
    log = tracking.load(run_dir)
    where = np.flatnonzero(log["epochs"] == epoch)
    if not len(where):
      raise errors.SuiteError(f"{run_dir} has no per-example log of epoch {epoch}")
    if not np.array_equal(log["ids"], ids):
      raise errors.SuiteError(f"{run_dir} logged other examples than its data; delete it "
                              "to train it again")
    out.append(~log["correct"][where[0]].astype(bool)[keep])
  labels, clean_labels = train.labels[rows][keep], train.clean_labels[rows][keep]
  counted = labels != clean_labels if kind == "random_labels" else np.ones(len(labels), bool)
  return {"errors": np.stack(out), "ids": ids[keep], "labels": labels,
          "clean_labels": clean_labels, "counted": counted}


def write_difficulty_matrix(directory: str, matrix: dict, seeds: list[int]) -> str:
  """Writes the matrix as directory/errors_epoch_<E>.npz (errors as uint8); returns the path."""
  path = os.path.join(directory, f"errors_epoch_{declared.DIFFICULTY_EPOCH}.npz")
  buffer = io.BytesIO()
  np.savez_compressed(buffer, seeds=np.asarray(seeds), **{
      k: v.astype(np.uint8) if v.dtype == bool else v for k, v in matrix.items()})
  return atomic.write(path, buffer.getvalue(), "the difficulty matrix")


def _counted(matrix: dict) -> tuple[np.ndarray, np.ndarray]:
  """The errors and labels of the examples that count as the kind's data."""
  return matrix["errors"][:, matrix["counted"]], matrix["labels"][matrix["counted"]]


def difficulty_claims(matrices: dict, seeds: list[int]) -> list[dict]:
  """Real against each noise kind run separately, paired by training seed: the primary
  (PRIMARY_NOISE, declared in advance) first, then the others as secondary views."""
  if "real" not in matrices:
    return []
  noise_kinds = sorted((k for k in matrices if k != "real"), key=lambda k: k != PRIMARY_NOISE)
  lines = []
  for kind in noise_kinds:
    matrix = matrices[kind]
    line = difficulty.easy_examples_consistent_on_real_data(
        *_counted(matrices["real"]), *_counted(matrix),
        view=f"separate runs: real data vs {kind.replace('_', ' ')}")
    role = "primary" if kind == PRIMARY_NOISE else "secondary view"
    line["claim"] += f" [separate runs, real data vs {kind.replace('_', ' ')}: {role}]"
    line["evidence"]["role"] = role
    line["evidence"]["noise_kind"] = kind
    if kind == "random_labels":
      line["evidence"]["noise_left_out_label_is_true_class"] = int(np.sum(~matrix["counted"]))
    runs = [f"{DIFFICULTY_DIR}/{k}/seed_{s}" for k in ("real", kind) for s in seeds]
    lines.append(dict(line, runs=runs))
  return lines


def difficulty_curves(matrices: dict, permutations: int = BAND_PERMUTATIONS,
                      seed: int = 0) -> dict:
  """Per kind, for the figure: per-example error rates over runs sorted in decreasing
  order, and the central 95% band (per rank) and mean of the same sorted rates when each
  run's outcomes are permuted across examples of the same assigned label."""
  curves = {}
  generator = rng.numpy_generator(seed, "difficulty_band")
  for kind, matrix in matrices.items():
    wrong, labels = _counted(matrix)
    observed = -np.sort(-wrong.mean(0))
    # One permutation at a time: [permutations, runs, examples] would not fit at scale.
    null = np.stack([
        -np.sort(-example_difficulty.permute_within_runs(wrong, labels, 1, generator)[0]
                 .mean(0)) for _ in range(permutations)])
    curves[kind] = {"rates": observed, "null_low": np.quantile(null, 0.025, axis=0),
                    "null_high": np.quantile(null, 0.975, axis=0), "null_mean": null.mean(0),
                    "runs": int(wrong.shape[0])}
  return curves


def analyse_separate_runs(settings: plan_lib.Settings,
                          load: Callable[[datasets.DataConfig], datasets.Data]) -> dict:
  """The separate runs' view, from their finished runs: writes each kind's error matrix
  beside its runs and the figure; returns {'matrices', 'claims', 'metrics', 'figure',
  'png'}.

  Args:
    settings: the experiment (difficulty_runs > 0).
    load: the data of a data config (the runs' data, the same as they trained on).
  """
  base = settings.base
  kinds = plan_lib.check_difficulty_kinds(settings.difficulty_kinds)
  seeds = list(range(settings.difficulty_runs))
  matrices, metrics = {}, {}
  chosen = None
  for kind in kinds:
    specs = [plan_lib.difficulty_spec(base, kind, s) for s in seeds]
    data = load(specs[0].data)
    if chosen is None:
      chosen = difficulty_examples(data.train.ids, settings.difficulty_examples,
                                   base.data.seed)
    matrix = difficulty_matrix([s.output_dir for s in specs], data, kind, chosen)
    write_difficulty_matrix(os.path.join(base.output_dir, DIFFICULTY_DIR, kind), matrix, seeds)
    matrices[kind] = matrix
    errors_counted, labels = _counted(matrix)
    metrics[f"{DIFFICULTY_DIR}/{kind}/error_rate"] = float(errors_counted.mean())
    metrics[f"{DIFFICULTY_DIR}/{kind}/excess_dispersion"] = float(
        example_difficulty.excess_dispersion(errors_counted, labels))
    metrics[f"{DIFFICULTY_DIR}/{kind}/examples"] = int(errors_counted.shape[1])
  curves = difficulty_curves(matrices, seed=base.data.seed)
  png = training_figures.difficulty(curves, f"per-example error after epoch {declared.DIFFICULTY_EPOCH}"
                         f" over {len(seeds)} runs (data fixed, training seed varies)")
  figure = plots.write_figure(base.output_dir, DIFFICULTY_FIGURE, png)
  return {"matrices": matrices, "metrics": metrics,
          "claims": difficulty_claims(matrices, seeds), "figure": figure, "png": png}


def difficulty_sets(per_example: dict, data: datasets.Data, data_config: datasets.DataConfig,
                    epoch: int = declared.DIFFICULTY_EPOCH) -> dict[str, Any] | None:
  """Errors after `epoch` per seed on real (clean) and noise (corrupted) examples, with
  their assigned labels, or None when a seed has no log of that epoch.

  Corrupted examples whose random label is the true class are not noise: left out when
  the noise is label noise only (with input corruption the input is the noise).
  """
  train = data.train
  rows = np.argsort(train.ids)
  labels, clean_labels = train.labels[rows], train.clean_labels[rows]
  rows_of_runs, noisy = [], np.zeros(len(rows), bool)
  for seed in sorted(per_example):
    log = per_example[seed]
    where = np.flatnonzero(log["epochs"] == epoch)
    if not len(where) or not np.array_equal(log["ids"], train.ids[rows]):
      return None
    rows_of_runs.append(~log["correct"][where[0]].astype(bool))
    noisy = log["corrupted"][where[0]].astype(bool)
  errors = np.stack(rows_of_runs)
  real = ~noisy
  noise = noisy & (labels != clean_labels) if data_config.input_corruption == "none" else noisy
  return {"real": (errors[:, real], labels[real]), "noise": (errors[:, noise], labels[noise]),
          "left_out": int(np.sum(noisy & ~noise))}




def within_run_difficulty_figure(per_example: dict, data: datasets.Data,
                                 data_config: datasets.DataConfig) -> bytes | None:
  """The second view's figure: per-example error after DIFFICULTY_EPOCH over the seeds of
  the partial-noise runs, clean against corrupted examples; None without 3 seeds logged."""
  sets = difficulty_sets(per_example, data, data_config)
  if sets is None or len(per_example) < declared.MIN_SEEDS:
    return None
  matrices = {name: {"errors": wrong, "labels": labels, "counted": np.ones(len(labels), bool)}
              for name, (wrong, labels) in (("real (clean examples)", sets["real"]),
                                            ("noise (corrupted examples)", sets["noise"]))}
  return training_figures.difficulty(
      difficulty_curves(matrices, seed=data_config.seed),
      f"within-run view: per-example error after epoch {declared.DIFFICULTY_EPOCH} over "
      f"{len(per_example)} runs with partial noise")


