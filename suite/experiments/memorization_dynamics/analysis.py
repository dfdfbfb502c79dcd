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


"""The analysis of the memorization-dynamics experiment, from its finished runs: the
metrics (per seed, per variant, early stopping, difficulty), the claims as tests over
seeds (suite.analysis.claims) and the figures."""

import os
from typing import Any, Callable

import numpy as np

from suite import constants
from suite.analysis import declared
from suite.analysis.claims import difficulty as difficulty_claims
from suite.analysis.claims import dynamics as dynamics_claims
from suite.analysis.claims import fitting_order
from suite.analysis.claims import readings
from suite.analysis.claims import regularizers as regularizer_claims
from suite.analysis.claims import sensitivity
from suite.analysis.claims import verdicts
from suite.data import datasets
from suite.experiments.memorization_dynamics import difficulty
from suite.experiments.memorization_dynamics import figures
from suite.experiments.memorization_dynamics import plan as plan_lib
from suite.results import plots
from suite.training import run_spec
from suite.training import tracking

REGULARIZERS = plan_lib.REGULARIZERS
CAPACITIES = plan_lib.CAPACITIES


def analyse(settings: plan_lib.Settings, records: dict[str, dict],
            load: Callable[[datasets.DataConfig], datasets.Data]) -> tuple[dict, list[dict]]:
  """The experiment's metrics and claims from the records of every run, and its figures.

  Args:
    settings: the experiment.
    records: {job name: final record} of every run of plan.plan(settings).
    load: the data of a data config (the data the runs trained on).

  Returns:
    (metrics, claims): the experiment record's sections.
  """
  base, seeds = settings.base, list(settings.seeds)
  data = load(base.data)
  baseline = {s: records[plan_lib.seed_name(s)] for s in seeds}
  run_dirs = {s: run_dir(base, plan_lib.seed_name(s)) for s in seeds}
  per_example = {seed: tracking.load(d) for seed, d in run_dirs.items()}
  summary = summarize(baseline, per_example)
  lines = check_claims(baseline, per_example, data, base.data)
  variant_records = {v: {s: records[plan_lib.variant_name(v, s)] for s in seeds}
                     for v in settings.variants}
  if variant_records:
    summary.update(variant_metrics(variant_records, baseline))
    lines += variant_claims(variant_records, baseline, base, data.info.num_classes,
                            len(data.train))
  # Early stopping, after the older claims so that their order stays as it was.
  lines.append(dict(dynamics_claims.noise_fitted_less_at_best_validation(
      [baseline[s] for s in seeds]), runs=[plan_lib.seed_name(s) for s in seeds]))
  images = {"dynamics": figures.dynamics_figure(base.output_dir, baseline)}
  images.update(figures.dynamics_figures(base, baseline, per_example, run_dirs, variant_records,
                                         len(data.train), data.info.class_names))
  if settings.difficulty_runs:
    separate = difficulty.analyse_separate_runs(settings, load)
    summary.update(separate["metrics"])
    lines += separate["claims"]
    images["difficulty"] = separate["png"]
  within = difficulty.within_run_difficulty_figure(per_example, data, base.data)
  if within is not None:
    plots.write_figure(base.output_dir, difficulty.WITHIN_RUN_FIGURE, within)
    images["difficulty_within_run"] = within
  plots.write_summary_images(base.output_dir, images)
  return summary, lines


def run_dir(base: run_spec.RunSpec, name: str) -> str:
  """The directory of the run `name` (plan.plan's spec.output_dir)."""
  return os.path.join(base.output_dir, name)


def _variant_row(rec: dict) -> dict:
  metrics = rec["metrics"]
  row = {key: metrics.get(f"memorization/{key}") for key in ("fit_clean", "fit_corrupted")}
  row["validation"] = metrics.get("validation/accuracy")
  validation = [h["validation/accuracy"] for h in rec["history"]
                if h.get("validation/accuracy") is not None]
  row["best_validation"] = max(validation) if validation else None
  row["gini_all"] = readings.window_mean(rec, "sensitivity/gini_all",
                                           declared.GINI_WINDOW)
  for name in ("train", "clean", "corrupted"):
    key = "memorization/train_fit" if name == "train" else f"memorization/fit_{name}"
    row[f"epochs_to_fit_{name}"] = readings.epochs_to_fit(rec, key, constants.FIT_THRESHOLD)
  return row


def variant_metrics(variant_records: dict, baseline: dict) -> dict:
  """Per variant (and the baseline), mean over seeds: final fits, validation, and the
  seeds' epochs to the fit threshold (a list; None: never fitted)."""
  out: dict[str, Any] = {}
  groups = [("baseline", baseline)] + [(v.name, recs) for v, recs in variant_records.items()]
  for name, recs in groups:
    rows = [_variant_row(recs[s]) for s in sorted(recs)]
    for key in rows[0]:
      values = [row[key] for row in rows]
      if key.startswith("epochs_to_fit"):
        out[f"{name}/{key}"] = values
      else:
        present = [v for v in values if v is not None]
        out[f"{name}/{key}"] = float(np.mean(present)) if present else None
  return out



def variant_claims(variant_records: dict, baseline: dict, base: run_spec.RunSpec,
                   num_classes: int, train_size: int = 0) -> list[dict]:
  """Regularizers as one Holm family; a trend claim per capacity setting swept; the depth
  non-inferiority (the brief's hypothesis); the noise-level and data-size trends. Records
  are paired by seed with the baseline (the base settings) of the same seed."""
  seeds = sorted(baseline)
  in_order = lambda recs: [recs[s] for s in seeds]
  regularizers = {v.name: in_order(recs) for v, recs in variant_records.items()
                  if v.kind in REGULARIZERS}
  lines = []
  if regularizers:
    for line in regularizer_claims.regularizers_slow_noise_more(regularizers, in_order(baseline),
                                                        num_classes):
      name = line["claim"].split(" ")[0]
      lines.append(dict(line, runs=[f"{name}/seed_{s}" for s in seeds]
                        + [f"seed_{s}" for s in seeds]))
  swept = plan_lib.sweeps(variant_records, baseline, base, train_size)
  runs_of = lambda kind: [f"seed_{s}" if value == plan_lib.base_value(base, kind, train_size)
                          and not _is_variant(variant_records, kind, value)
                          else f"{kind}_{value:g}/seed_{s}"
                          for value in sorted(swept[kind]) for s in seeds]
  for kind in CAPACITIES:
    if kind in swept:
      source = declared.BRIEF if kind == "depth" else declared.ARPIT
      lines.append(dict(regularizer_claims.capacity_speeds_up_noise_fitting(swept[kind], kind, source),
                        runs=runs_of(kind)))
  if "depth" in swept:
    lines.append(dict(dynamics_claims.depth_does_not_hurt_generalization(
        {int(d): recs for d, recs in swept["depth"].items()}, base.model.depth,
        base.model.name), runs=runs_of("depth")))
  if "label_noise" in swept:
    for check in (dynamics_claims.noise_level_slows_fitting, dynamics_claims.gini_falls_with_noise):
      lines.append(dict(check(swept["label_noise"]), runs=runs_of("label_noise")))
  if "train_size" in swept:
    lines.append(dict(dynamics_claims.data_size_slows_noise_relative_to_real(swept["train_size"]),
                      runs=runs_of("train_size")))
  return lines


def _is_variant(variant_records: dict, kind: str, value) -> bool:
  return any(v.kind == kind and v.value == value for v in variant_records)


def variants_table(experiment: dict) -> str:
  """Regularizers and capacities beside the baseline: means over seeds; epochs to fit
  per seed (- never)."""
  metrics = experiment["metrics"]
  names = ["baseline"] + sorted({n.split("/")[0] for n in experiment["conditions"]
                                 if not n.startswith("seed_")})
  columns = ("fit_clean", "fit_corrupted", "validation", "best_validation",
             "epochs_to_fit_clean", "epochs_to_fit_corrupted", "epochs_to_fit_train",
             "gini_all")
  width = max(len(n) for n in names)
  lines = [f"{'run':<{width}}  " + "  ".join(columns)]
  for name in names:
    cells = []
    for column in columns:
      value = metrics.get(f"{name}/{column}")
      if isinstance(value, list):
        text = ",".join("-" if v is None else str(v) for v in value)
      else:
        text = "-" if value is None else f"{value:.4f}" if isinstance(value, float) \
            else str(value)
      cells.append(f"{text:>{len(column)}}")
    lines.append(f"{name:<{width}}  " + "  ".join(cells))
  return "\n".join(lines)


def summarize(records: dict, per_example: dict) -> dict:
  """Per seed: never-learned fractions, median first-learned epochs, best validation."""
  summary: dict[str, float | None] = {}
  for seed, log in per_example.items():
    learned = tracking.first_learned_epoch(log["epochs"], log["correct"])
    noisy = log["corrupted"][0].astype(bool)
    for name, mask in (("clean", ~noisy), ("corrupted", noisy)):
      never = np.mean(learned[mask] < 0) if mask.any() else float("nan")
      summary[f"seed_{seed}/never_learned_{name}"] = float(never)
      done = learned[mask][learned[mask] >= 0]
      summary[f"seed_{seed}/median_first_learned_{name}"] = float(np.median(done)) \
          if len(done) else None
    history = records[seed]["history"]
    with_validation = [h for h in history if "validation/accuracy" in h]
    if with_validation:
      best = max(with_validation, key=lambda h: h["validation/accuracy"])
      summary[f"seed_{seed}/best_validation_epoch"] = best["epoch"]
      summary[f"seed_{seed}/best_validation_accuracy"] = best["validation/accuracy"]
      summary[f"seed_{seed}/final_validation_accuracy"] = with_validation[-1]["validation/accuracy"]
  summary.update(early_stopping(records))
  return summary


# Early stopping (Arpit et al. 2017, section 5): (summary key, history key, at which epoch).
_EARLY_STOPPING = (("fit_corrupted_at_best_validation", "memorization/fit_corrupted", "best"),
                   ("fit_corrupted_final", "memorization/fit_corrupted", "final"),
                   ("fit_clean_at_best_validation", "memorization/fit_clean", "best"),
                   ("fit_clean_final", "memorization/fit_clean", "final"),
                   ("test_accuracy_at_best_validation", "test/accuracy", "best"),
                   ("test_accuracy_final", "test/accuracy", "final"))


def early_stopping(records: dict) -> dict:
  """Per seed (seed_<s>/early_stopping/...) and as means over seeds (early_stopping/...):
  the best-validation epoch, the fits of corrupted and clean training examples and the
  test accuracy at that epoch and at the end. Empty without validation accuracy."""
  out: dict[str, Any] = {}
  columns: dict[str, list] = {}
  for seed in sorted(records):
    history = records[seed]["history"]
    best = readings.best_validation_entry(records[seed])
    if best is None or not history:
      return {}
    row = {"best_validation_epoch": best["epoch"]}
    for name, key, when in _EARLY_STOPPING:
      row[name] = (best if when == "best" else history[-1]).get(key)
    for name, value in row.items():
      out[f"seed_{seed}/early_stopping/{name}"] = value
      columns.setdefault(name, []).append(value)
  for name, values in columns.items():
    present = [v for v in values if v is not None]
    out[f"early_stopping/{name}"] = float(np.mean(present)) if present else None
  return out


def check_claims(records: dict, per_example: dict, data: datasets.Data,
                 data_config: datasets.DataConfig) -> list[dict]:
  seeds = sorted(records)
  runs = [records[s] for s in seeds]
  lines = [fitting_order.clean_fitted_before_corrupted(runs),
           sensitivity.csr_grows_more_on_noise(runs),
           sensitivity.sensitivity_more_concentrated_on_real_data(runs)]
  sets = difficulty.difficulty_sets(per_example, data, data_config)
  if sets is None:
    lines.append(verdicts.not_testable(
        "real data has a consistent set of easy examples and noise does not",
        f"needs every seed's per-example log at epoch "
        f"{declared.DIFFICULTY_EPOCH} (--track_every=1)"))
  else:
    (real_errors, real_labels), (noise_errors, noise_labels) = sets["real"], sets["noise"]
    line = difficulty_claims.easy_examples_consistent_on_real_data(
        real_errors, real_labels, noise_errors, noise_labels,
        view="within-run clean vs corrupted")
    line["evidence"]["noise_left_out_label_is_true_class"] = sets["left_out"]
    lines.append(line)
  return [dict(line, runs=[f"seed_{s}" for s in seeds]) for line in lines]
