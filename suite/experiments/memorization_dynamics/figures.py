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


"""The figures of the memorization-dynamics experiment (the package docstring), under
<output_dir>/figures and as TensorBoard images under <output_dir>/tensorboard."""

from typing import Sequence

import numpy as np

from suite import constants
from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import readings
from suite.experiments.memorization_dynamics import plan as plan_lib
from suite.measures import sensitivity
from suite.results import plots
from suite.results import training_figures
from suite.training import run_spec
from suite.training import tracking

# Figure names under <output_dir>/figures.
FIGURES = {"dynamics": "dynamics.png", "epochs_to_fit": "epochs_to_fit.png",
           "accuracy": "accuracy.png", "gini_by_noise": "gini_by_noise.png",
           "sensitivity_per_class": "sensitivity_per_class.png",
           "loss_trajectories": "loss_trajectories.png"}


def dynamics_figure(output_dir: str, records: dict) -> bytes:
  """Writes the fit and CSR curves of the base runs ({seed: record}); returns the PNG."""
  png = training_figures.dynamics({f"seed {s}": rec["history"] for s, rec in records.items()},
                       "fit and critical sample ratio: clean (solid) and corrupted (dashed)")
  plots.write_figure(output_dir, FIGURES["dynamics"], png)
  return png


# Accuracy figure line -> how a run's record gives it: the final accuracies, and the test
# accuracy where early stopping on validation accuracy would have stopped.
ACCURACY_LINES = {
    "validation, final": lambda rec: rec["metrics"].get("validation/accuracy"),
    "test, final": lambda rec: rec["metrics"].get("test/accuracy"),
    "test, at the best-validation epoch": lambda rec: (
        readings.best_validation_entry(rec) or {}).get("test/accuracy")}


def accuracy_panels(swept: dict[str, dict]) -> dict[str, dict]:
  """{setting: {line: {value: (mean, std, n)}}} over the seeds that measured it: the
  accuracy figure's points (ACCURACY_LINES) for every sweep of `sweeps`."""
  panels: dict[str, dict] = {}
  for kind, sweep in swept.items():
    panels[kind] = {}
    for label, read in ACCURACY_LINES.items():
      points = {}
      for value, recs in sweep.items():
        point = stats.mean_std([read(r) for r in recs])  # None and NaN left out.
        if point is not None:
          points[float(value)] = point
      if points:
        panels[kind][label] = points
  return panels


def dynamics_figures(base: run_spec.RunSpec, records: dict, per_example: dict, run_dirs: dict,
                     variant_records: dict, train_size: int,
                     class_names: Sequence[str] | None = None) -> dict[str, bytes]:
  """Writes the figures of the sweeps, of per-class loss sensitivity and of per-example
  loss trajectories (module docstring) that the runs allow; returns {name: PNG bytes}."""
  images = {}
  seeds = sorted(records)
  swept = plan_lib.sweeps(variant_records, records, base, train_size) if variant_records else {}
  budget = base.train.epochs
  panels: dict[str, dict] = {}
  for kind, sweep in swept.items():
    panels[kind] = {}
    for label, key in (("training set", "memorization/train_fit"),
                       ("clean", "memorization/fit_clean"),
                       ("corrupted", "memorization/fit_corrupted")):
      panels[kind][label] = {float(value): stats.mean_std(
          [budget if e is None else e for e in (readings.epochs_to_fit(r, key)
                                                for r in recs)])
                             for value, recs in sweep.items()}
  if panels:
    images["epochs_to_fit"] = plots.sweep_lines(
        panels, ylabels={k: f"epochs to {constants.FIT_THRESHOLD:.0%} fit" for k in panels},
        title=f"epochs to fit, mean ± std over {len(seeds)} seeds (never fitted: drawn at "
        f"the budget, {budget})", unit_interval=False)
  if swept:
    images["accuracy"] = plots.sweep_lines(
        accuracy_panels(swept), ylabels={k: "accuracy" for k in swept},
        title=f"accuracy against the swept setting, mean ± std over {len(seeds)} seeds ("
        + ("the depth claim compares final validation accuracy; " if "depth" in swept else "")
        + "early stopping keeps the best-validation epoch)")
  if "label_noise" in swept:
    lines: dict[str, dict] = {}
    for label, key in (("training set (sample)", "sensitivity/gini_all"),
                       ("clean examples", "sensitivity/gini_clean"),
                       ("corrupted examples", "sensitivity/gini_corrupted")):
      points = {}
      for value, recs in swept["label_noise"].items():
        values = [v for v in (readings.window_mean(r, key) for r in recs) if v is not None]
        if values:
          points[float(value)] = stats.mean_std(values)
      if points:
        lines[label] = points
    if lines:
      window = declared.GINI_WINDOW
      images["gini_by_noise"] = plots.sweep_lines(
          {"label_noise": lines}, ylabels={"label_noise": "Gini of loss sensitivity"},
          title=f"Gini of |dL/dx| against label noise (mean over epochs in {window[0]:g}-"
          f"{window[1]:g} of the budget), mean ± std over seeds")
  maps = [m for m in (sensitivity.read_maps(run_dirs[s]) for s in seeds) if m is not None]
  if maps:
    rows = {}
    for group in ("clean", "corrupted"):
      stacked = np.stack([m[group] for m in maps])
      present = ~np.isnan(stacked).all(axis=(2, 3))  # [runs, classes]
      if present.any():
        total = np.where(np.isnan(stacked), 0.0, stacked).sum(0)
        counts = present.sum(0).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
          rows[f"{group} examples"] = total / counts[:, None, None]
    if rows:
      images["sensitivity_per_class"] = training_figures.class_sensitivity_grid(
          rows, class_names, f"mean |dL/dx| per training label at the end of training, "
          f"mean over {len(maps)} seed(s); rows on their own colour scales")
  log = per_example.get(seeds[0]) if seeds else None
  if log is not None and len(log["epochs"]) >= 2:
    learned = tracking.first_learned_epoch(log["epochs"], log["correct"])
    images["loss_trajectories"] = training_figures.loss_trajectories(
        log["epochs"], log["loss"], learned, log["corrupted"][-1].astype(bool),
        f"per-example training loss, seed {seeds[0]}: sorted by first-learned epoch (dots)")
  for name, png in images.items():
    plots.write_figure(base.output_dir, FIGURES[name], png)
  return images
