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

"""Memorization dynamics (Arpit et al., 2017) on data with partial noise.

For each training seed (data subset and noise fixed by the data seed, so every seed
sees the same examples and the same random labels or inputs), trains with the
per-example log and, at every evaluation, measures on fixed samples of clean and
corrupted training examples:
  csr/clean, csr/corrupted                     critical sample ratio
  sensitivity/clean, sensitivity/corrupted     mean |dL/dx| (training labels)
  sensitivity/gini_clean, gini_corrupted       Gini coefficient of the per-example values
Then, across seeds: per-example first-learned epochs, and the claims as tests over
seeds (suite.results.claims), among them per-example difficulty: the errors after
epoch 1 of every seed, real (clean) against noise (corrupted, less those whose random
label is the true class), dispersion against a within-run permutation null.

Per-example difficulty as Arpit et al. ran it (Fig. 1), with difficulty_runs > 0: separate
one-epoch runs on real data, random labels and random inputs (run_difficulty), real against
random labels as the primary test, random inputs as a secondary view, the within-run split
above as the second view; each view's figure in <output_dir>/figures/difficulty_*.png.

Variants - regularizers (dropout, input noise, weight decay, adversarial training),
capacities (mlp width, mlp and cnn_small depth, convolutional width multiplier) and data
settings (label noise level, training-set size) - run for every seed, each paired with the
same seed's base run, in the same command. Data variants load their own data (same --seed)
and are measured like the base runs (SensitivityHook); the sweeps' claims are within-seed
trends (Page's test) with the base's value as one more point: epochs to fit grow with the
noise level, noise fits later relative to real data with more data, the Gini of loss
sensitivity over the training set falls with noise; depth does not hurt validation
accuracy (the brief's hypothesis, non-inferiority). Early stopping: at each seed's
best-validation epoch, how much of the noise and of the real data is fitted, and test
accuracy there against the final one.

Figures (<output_dir>/figures, and as TensorBoard images under <output_dir>/tensorboard):
dynamics.png (fit and CSR curves), epochs_to_fit.png and accuracy.png (final validation
and test accuracy, and test accuracy at the best-validation epoch) against every swept setting,
gini_by_noise.png (with a noise sweep), sensitivity_per_class.png (mean |dL/dx| per class,
clean and corrupted examples, at the end of training, mean over seeds),
loss_trajectories.png (per-example loss of the first seed, sorted by first-learned epoch),
and the difficulty figures.
"""

from typing import Any, Iterable, Sequence, TextIO
import dataclasses
import io
import os
import time

import numpy as np
import tensorflow as tf

from suite import constants
from suite import errors
from suite import rng
from suite.data import datasets
from suite.measures import sensitivity
from suite.results import atomic
from suite.results import claims as claims_lib
from suite.results import plots
from suite.results import record
from suite.results import stats
from suite.training import runner
from suite.training import trainer as trainer_lib
from suite.training import tracking


# Regularizer name -> (settings section, field) it sets.
REGULARIZERS = {"dropout": ("model", "dropout"), "input_noise": ("train", "input_noise_std"),
                "weight_decay": ("train", "weight_decay"),
                "adversarial": ("train", "adversarial_epsilon")}
# Capacity settings that can be swept, with the models they apply to.
CAPACITIES = {"width": ("mlp",), "depth": ("mlp", "cnn_small"),
              "width_multiplier": ("cnn_small", "resnet18")}
# Data settings that can be swept (DataConfig fields): each variant loads its own data.
DATA_SETTINGS = ("label_noise", "train_size")
# Figure names under <output_dir>/figures.
FIGURES = {"dynamics": "dynamics.png", "epochs_to_fit": "epochs_to_fit.png",
           "accuracy": "accuracy.png", "gini_by_noise": "gini_by_noise.png",
           "sensitivity_per_class": "sensitivity_per_class.png",
           "loss_trajectories": "loss_trajectories.png"}
DIFFICULTY_DIR = "difficulty"
# Data kind -> the noise settings of its runs (the rest of the data settings are the base's).
DIFFICULTY_KINDS: dict[str, dict[str, Any]] = {
    "real": {"label_noise": 0.0, "input_corruption": "none", "input_corruption_fraction": 1.0},
    "random_labels": {"label_noise": 1.0, "input_corruption": "none",
                      "input_corruption_fraction": 1.0},
    "random_inputs": {"label_noise": 0.0, "input_corruption": "gaussian",
                      "input_corruption_fraction": 1.0}}
# Declared in advance: the primary comparison is real data against random labels (Arpit
# et al.'s main contrast); random inputs is a secondary view.
PRIMARY_NOISE = "random_labels"
DIFFICULTY_FIGURE = f"difficulty_epoch{claims_lib.DIFFICULTY_EPOCH}.png"
WITHIN_RUN_FIGURE = f"difficulty_within_run_epoch{claims_lib.DIFFICULTY_EPOCH}.png"
# Permutations of the figure's null band (each run's outcomes shuffled within labels).
BAND_PERMUTATIONS = 100


@dataclasses.dataclass(frozen=True)
class Variant:
  """A change to the base run: one regularizer, capacity or data setting."""
  kind: str  # A key of REGULARIZERS or CAPACITIES, or one of DATA_SETTINGS.
  value: float

  @property
  def name(self) -> str:
    return f"{self.kind}_{self.value:g}"

  def apply(self, base: "runner.RunSpec") -> "runner.RunSpec":
    if self.kind in REGULARIZERS:
      section, field = REGULARIZERS[self.kind]
    elif self.kind in CAPACITIES:
      if base.model.name not in CAPACITIES[self.kind]:
        raise errors.ConfigError(f"a {self.kind} sweep applies to models "
                                 f"{list(CAPACITIES[self.kind])}, not {base.model.name}")
      section, field = "model", self.kind
    elif self.kind in DATA_SETTINGS:
      section, field = "data", self.kind
    else:
      raise errors.ConfigError(f"unknown variant {self.kind!r}; choose from "
                               f"{sorted(REGULARIZERS) + sorted(CAPACITIES) + list(DATA_SETTINGS)}")
    value = int(self.value) if field in ("width", "depth", "train_size") else float(self.value)
    try:
      changed = dataclasses.replace(getattr(base, section), **{field: value})
    except errors.ConfigError as e:
      raise errors.ConfigError(f"{self.name}: {e}") from None
    return dataclasses.replace(base, **{section: changed})

  @property
  def changes_data(self) -> bool:
    return self.kind in DATA_SETTINGS


def _hook(data: datasets.Data, csr_samples: int, csr: sensitivity.CsrConfig, seed: int,
          loss: str) -> sensitivity.SensitivityHook:
  """The measurements of the base runs and the data variants (module docstring)."""
  return sensitivity.SensitivityHook(data, csr_samples, csr, seed, loss, equal_sizes=True,
                                     mixed=True, maps=True)


def _variant_data(variants, variant_specs: dict, data: datasets.Data,
                  names: set[str] | None = None) -> dict:
  """{variant name: its data}: the base data unless the variant changes the data
  settings (then loaded, for the variants in `names` only when given)."""
  return {v.name: datasets.load(variant_specs[v.name].data)
          if v.changes_data and (names is None or v.name in names) else data for v in variants}


def run(base: runner.RunSpec, seeds: list[int], csr_samples: int = 300,
        csr: sensitivity.CsrConfig = sensitivity.CsrConfig(),
        strategy: tf.distribute.Strategy | None = None, variants: tuple[Variant, ...] = (),
        out: TextIO | None = None, difficulty_runs: int = 0,
        difficulty_kinds: Iterable[str] = tuple(DIFFICULTY_KINDS),
        difficulty_examples: int = 0, only: set[str] | None = None) -> dict:
  """Trains one run per seed under base.output_dir/seed_<s>, then every variant for every
  seed under base.output_dir/<variant name>/seed_<s>, then (difficulty_runs > 0) that many
  one-epoch runs per difficulty kind (see run_difficulty); writes the experiment record.

  only: job names (see jobs(): the run directories) to train, alone: those runs are
  trained and recorded, and nothing else (no claims, figures or experiment record; the
  returned dict lists the runs). Run again without it once every job is finished to
  compute the claims and figures (finished runs are reused, nothing trains).
  """
  if base.data.label_noise == 0 and base.data.input_corruption == "none":
    raise errors.ConfigError("memorization dynamics needs --label_noise > 0 or an "
                             "--input_corruption: there is no noise to compare with")
  if difficulty_runs < 0 or difficulty_examples < 0:
    raise errors.ConfigError("difficulty runs and examples must be >= 0")
  if difficulty_runs:
    check_difficulty_kinds(difficulty_kinds)  # Bad kinds fail before any training.
  variant_specs = {v.name: v.apply(base) for v in variants}  # Bad variants fail first.
  if len(variant_specs) != len(variants):
    raise errors.ConfigError("variants must be distinct")
  if len(set(seeds)) != len(seeds):
    raise errors.ConfigError("seeds must be distinct")
  if only is not None:
    valid = jobs(seeds, variants, difficulty_runs, difficulty_kinds)
    unknown = sorted(set(only) - set(valid))
    if unknown or not only:
      raise errors.ConfigError(f"unknown jobs {unknown}; choose from {valid}")
  started = time.time()
  data = datasets.load(base.data)
  train = dataclasses.replace(base.train, track_every=base.train.track_every or 1)
  if only is not None:
    return _run_jobs(base, seeds, variants, variant_specs, train, data, csr_samples, csr,
                     strategy, out, difficulty_runs, difficulty_kinds, only)
  variant_data = _variant_data(variants, variant_specs, data)  # Bad sizes fail first.
  records, run_dirs = {}, {}
  for seed in seeds:
    spec = _seed_spec(base, train, seed)
    hook = _hook(data, csr_samples, csr, seed, train.loss)
    print(f"== training seed {seed}", file=out, flush=True)
    records[seed] = runner.run(spec, strategy=strategy, hooks=[hook], data=data, out=out)
    run_dirs[seed] = spec.output_dir
  per_example = {seed: tracking.load(d) for seed, d in run_dirs.items()}
  summary = summarize(records, per_example)
  lines = check_claims(records, per_example, data, base.data)
  conditions = {f"seed_{s}": d for s, d in run_dirs.items()}
  variant_records: dict[Any, dict] = {}
  if variants:
    # Every variant for every seed: the claims pair each variant with its seed's baseline.
    for variant in variants:
      for seed in seeds:
        name = f"{variant.name}/seed_{seed}"
        spec = _variant_spec(base, variant_specs[variant.name], name, seed, train)
        print(f"== {variant.name} (training seed {seed})", file=out, flush=True)
        own = variant_data[variant.name]
        hooks = [_hook(own, csr_samples, csr, seed, train.loss)] if variant.changes_data else []
        variant_records.setdefault(variant, {})[seed] = runner.run(
            spec, strategy=strategy, hooks=hooks, data=own, out=out)
        conditions[name] = spec.output_dir
    summary.update(variant_metrics(variant_records, records))
    lines += variant_claims(variant_records, records, base, data.info.num_classes,
                            len(data.train))
  # Early stopping, after the older claims so that their order stays as it was.
  lines.append(dict(claims_lib.noise_fitted_less_at_best_validation([records[s] for s in seeds]),
                    runs=[f"seed_{s}" for s in seeds]))
  png = plots.dynamics({f"seed {s}": records[s]["history"] for s in seeds},
                       "fit and critical sample ratio: clean (solid) and corrupted (dashed)")
  plots.write_figure(base.output_dir, FIGURES["dynamics"], png)
  images = {"dynamics": png}
  images.update(dynamics_figures(base, records, per_example, run_dirs, variant_records,
                                 len(data.train), data.info.class_names))
  if difficulty_runs:
    difficulty = run_difficulty(base, difficulty_runs, difficulty_kinds, difficulty_examples,
                                strategy, out)
    conditions.update(difficulty["conditions"])
    summary.update(difficulty["metrics"])
    lines += difficulty["claims"]
    images["difficulty"] = difficulty["png"]
  within = within_run_difficulty_figure(per_example, data, base.data)
  if within is not None:
    plots.write_figure(base.output_dir, WITHIN_RUN_FIGURE, within)
    images["difficulty_within_run"] = within
  plots.write_summary_images(base.output_dir, images)
  experiment = {
      "schema_version": record.SCHEMA_VERSION, "benchmark": "memorization_dynamics",
      "status": "complete", "config": base.flags,
      "config_hash": record.config_hash(base.identity()),
      "conditions": conditions,
      "metrics": summary, "claims": lines, "timing": {"wall_seconds": time.time() - started},
      "environment": record.environment()}
  record.write(base.output_dir, experiment)
  return experiment


def jobs(seeds: list[int], variants: tuple[Variant, ...] = (), difficulty_runs: int = 0,
         difficulty_kinds: Iterable[str] = tuple(DIFFICULTY_KINDS)) -> list[str]:
  """The job names of run(..., only=...): every run directory under output_dir, in the
  order run() trains them (`seed_0`, `dropout_0.5/seed_0`, `label_noise_0.2/seed_1`,
  `train_size_500/seed_0`, `depth_3/seed_2`, `difficulty/real/seed_3`)."""
  names = [f"seed_{s}" for s in seeds]
  names += [f"{v.name}/seed_{s}" for v in variants for s in seeds]
  if difficulty_runs:
    names += [f"{DIFFICULTY_DIR}/{k}/seed_{s}" for k in check_difficulty_kinds(difficulty_kinds)
              for s in range(difficulty_runs)]
  return names


def _seed_spec(base: runner.RunSpec, train: trainer_lib.TrainConfig, seed: int) -> runner.RunSpec:
  return dataclasses.replace(base, output_dir=os.path.join(base.output_dir, f"seed_{seed}"),
                             benchmark="memorization_dynamics",
                             train=dataclasses.replace(train, seed=seed))


def _variant_spec(base: runner.RunSpec, variant_spec: runner.RunSpec, name: str, seed: int,
                  train: trainer_lib.TrainConfig) -> runner.RunSpec:
  return dataclasses.replace(
      variant_spec, output_dir=os.path.join(base.output_dir, name),
      benchmark="memorization_dynamics", train=dataclasses.replace(
          variant_spec.train, seed=seed, track_every=train.track_every))


def _run_jobs(base, seeds, variants, variant_specs, train, data, csr_samples, csr, strategy,
              out, difficulty_runs, difficulty_kinds, only) -> dict:
  """run(..., only=...): trains the runs named in `only` (the same specs run() trains)."""
  conditions = {}
  for seed in seeds:
    name = f"seed_{seed}"
    if name in only:
      spec = _seed_spec(base, train, seed)
      hook = _hook(data, csr_samples, csr, seed, train.loss)
      print(f"== training seed {seed}", file=out, flush=True)
      runner.run(spec, strategy=strategy, hooks=[hook], data=data, out=out)
      conditions[name] = spec.output_dir
  wanted = {name.split("/")[0] for name in only}
  variant_data = _variant_data(variants, variant_specs, data, wanted)
  for variant in variants:
    for seed in seeds:
      name = f"{variant.name}/seed_{seed}"
      if name in only:
        spec = _variant_spec(base, variant_specs[variant.name], name, seed, train)
        print(f"== {variant.name} (training seed {seed})", file=out, flush=True)
        own = variant_data[variant.name]
        hooks = [_hook(own, csr_samples, csr, seed, train.loss)] if variant.changes_data else []
        runner.run(spec, strategy=strategy, hooks=hooks, data=own, out=out)
        conditions[name] = spec.output_dir
  for kind in (check_difficulty_kinds(difficulty_kinds) if difficulty_runs else ()):
    specs = [difficulty_spec(base, kind, s) for s in range(difficulty_runs)
             if f"{DIFFICULTY_DIR}/{kind}/seed_{s}" in only]
    kind_data = datasets.load(specs[0].data) if specs else None
    for spec in specs:
      print(f"== difficulty: {kind}, training seed {spec.train.seed}", file=out, flush=True)
      runner.run(spec, strategy=strategy, data=kind_data, out=out)
      conditions[f"{DIFFICULTY_DIR}/{kind}/seed_{spec.train.seed}"] = spec.output_dir
  return {"benchmark": "memorization_dynamics", "jobs": sorted(only), "conditions": conditions}


def _variant_row(rec: dict) -> dict:
  metrics = rec["metrics"]
  row = {key: metrics.get(f"memorization/{key}") for key in ("fit_clean", "fit_corrupted")}
  row["validation"] = metrics.get("validation/accuracy")
  validation = [h["validation/accuracy"] for h in rec["history"]
                if h.get("validation/accuracy") is not None]
  row["best_validation"] = max(validation) if validation else None
  row["gini_all"] = claims_lib.window_mean(rec, "sensitivity/gini_all",
                                           claims_lib.GINI_WINDOW)
  for name in ("train", "clean", "corrupted"):
    key = "memorization/train_fit" if name == "train" else f"memorization/fit_{name}"
    row[f"epochs_to_fit_{name}"] = claims_lib.epochs_to_fit(rec, key, constants.FIT_THRESHOLD)
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


def sweeps(variant_records: dict, baseline: dict, base: runner.RunSpec,
           train_size: int) -> dict[str, dict]:
  """{setting: {value: records in seed order}} of every capacity and data setting swept,
  the baseline as the base's value (its training-set size: `train_size`, the examples
  the base trained on)."""
  seeds = sorted(baseline)
  out: dict[str, dict] = {}
  for kind in tuple(CAPACITIES) + DATA_SETTINGS:
    sweep = {v.value: [recs[s] for s in seeds] for v, recs in variant_records.items()
             if v.kind == kind}
    if sweep:
      sweep.setdefault(_base_value(base, kind, train_size),
                       [baseline[s] for s in seeds])  # One more point.
      out[kind] = sweep
  return out


def variant_claims(variant_records: dict, baseline: dict, base: runner.RunSpec,
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
    for line in claims_lib.regularizers_slow_noise_more(regularizers, in_order(baseline),
                                                        num_classes):
      name = line["claim"].split(" ")[0]
      lines.append(dict(line, runs=[f"{name}/seed_{s}" for s in seeds]
                        + [f"seed_{s}" for s in seeds]))
  swept = sweeps(variant_records, baseline, base, train_size)
  runs_of = lambda kind: [f"seed_{s}" if value == _base_value(base, kind, train_size)
                          and not _is_variant(variant_records, kind, value)
                          else f"{kind}_{value:g}/seed_{s}"
                          for value in sorted(swept[kind]) for s in seeds]
  for kind in CAPACITIES:
    if kind in swept:
      source = claims_lib.BRIEF if kind == "depth" else claims_lib.ARPIT
      lines.append(dict(claims_lib.capacity_speeds_up_noise_fitting(swept[kind], kind, source),
                        runs=runs_of(kind)))
  if "depth" in swept:
    lines.append(dict(claims_lib.depth_does_not_hurt_generalization(
        {int(d): recs for d, recs in swept["depth"].items()}, base.model.depth,
        base.model.name), runs=runs_of("depth")))
  if "label_noise" in swept:
    for check in (claims_lib.noise_level_slows_fitting, claims_lib.gini_falls_with_noise):
      lines.append(dict(check(swept["label_noise"]), runs=runs_of("label_noise")))
  if "train_size" in swept:
    lines.append(dict(claims_lib.data_size_slows_noise_relative_to_real(swept["train_size"]),
                      runs=runs_of("train_size")))
  return lines


def _base_value(base: runner.RunSpec, kind: str, train_size: int):
  if kind == "train_size":
    return train_size
  return getattr(base.data, kind) if kind in DATA_SETTINGS else getattr(base.model, kind)


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
    best = claims_lib.best_validation_entry(records[seed])
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


def difficulty_sets(per_example: dict, data: datasets.Data, data_config: datasets.DataConfig,
                    epoch: int = claims_lib.DIFFICULTY_EPOCH) -> dict[str, Any] | None:
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


def check_claims(records: dict, per_example: dict, data: datasets.Data,
                 data_config: datasets.DataConfig) -> list[dict]:
  seeds = sorted(records)
  runs = [records[s] for s in seeds]
  lines = [claims_lib.clean_fitted_before_corrupted(runs),
           claims_lib.csr_grows_more_on_noise(runs),
           claims_lib.sensitivity_more_concentrated_on_real_data(runs)]
  sets = difficulty_sets(per_example, data, data_config)
  if sets is None:
    lines.append(claims_lib.not_testable(
        "real data has a consistent set of easy examples and noise does not",
        f"needs every seed's per-example log at epoch "
        f"{claims_lib.DIFFICULTY_EPOCH} (--track_every=1)"))
  else:
    (real_errors, real_labels), (noise_errors, noise_labels) = sets["real"], sets["noise"]
    line = claims_lib.easy_examples_consistent_on_real_data(
        real_errors, real_labels, noise_errors, noise_labels,
        view="within-run clean vs corrupted")
    line["evidence"]["noise_left_out_label_is_true_class"] = sets["left_out"]
    lines.append(line)
  return [dict(line, runs=[f"seed_{s}" for s in seeds]) for line in lines]


# Per-example difficulty over separate runs (Arpit et al. 2017, Fig. 1): real data,
# random labels and random inputs, each trained for exactly one epoch many times with the
# data fixed (--seed) and only the training seed varying (constants at the top).


def check_difficulty_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
  """The kinds in a fixed order; ConfigError unless they name `real` and a noise kind."""
  kinds = tuple(kinds)
  unknown = sorted(set(kinds) - set(DIFFICULTY_KINDS))
  if unknown:
    raise errors.ConfigError(f"unknown difficulty data {unknown}; choose from "
                             f"{list(DIFFICULTY_KINDS)}")
  if "real" not in kinds or len(set(kinds)) < 2:
    raise errors.ConfigError("per-example difficulty compares real data with noise: "
                             "--difficulty_data must hold real and at least one of "
                             "random_labels, random_inputs")
  return tuple(k for k in DIFFICULTY_KINDS if k in kinds)


def difficulty_spec(base: runner.RunSpec, kind: str, seed: int) -> runner.RunSpec:
  """One run of `kind`: the base settings with that kind's noise, exactly
  DIFFICULTY_EPOCH epochs, the per-example log on, training seed `seed`."""
  data = dataclasses.replace(base.data, **DIFFICULTY_KINDS[kind])
  train = dataclasses.replace(base.train, seed=seed, epochs=claims_lib.DIFFICULTY_EPOCH,
                              track_every=1)
  return dataclasses.replace(
      base, data=data, train=train, benchmark="memorization_dynamics",
      output_dir=os.path.join(base.output_dir, DIFFICULTY_DIR, kind, f"seed_{seed}"))


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
                      epoch: int = claims_lib.DIFFICULTY_EPOCH) -> dict:
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
  path = os.path.join(directory, f"errors_epoch_{claims_lib.DIFFICULTY_EPOCH}.npz")
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
    line = claims_lib.easy_examples_consistent_on_real_data(
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
    null = np.stack([-np.sort(-stats.permute_within_runs(wrong, labels, 1, generator)[0]
                              .mean(0)) for _ in range(permutations)])
    curves[kind] = {"rates": observed, "null_low": np.quantile(null, 0.025, axis=0),
                    "null_high": np.quantile(null, 0.975, axis=0), "null_mean": null.mean(0),
                    "runs": int(wrong.shape[0])}
  return curves


def run_difficulty(base: runner.RunSpec, runs: int,
                   kinds: Iterable[str] = tuple(DIFFICULTY_KINDS), examples: int = 0,
                   strategy: tf.distribute.Strategy | None = None,
                   out: TextIO | None = None) -> dict:
  """Trains `runs` one-epoch runs (training seeds 0..runs-1) per data kind under
  base.output_dir/difficulty/<kind>/seed_<s> (finished runs are reused), writes each
  kind's error matrix beside its runs and the figure; returns {'matrices', 'conditions',
  'claims', 'metrics', 'figure'}."""
  kinds = check_difficulty_kinds(kinds)
  if runs < 1:
    raise errors.ConfigError(f"difficulty runs must be >= 1, got {runs}")
  seeds = list(range(runs))
  specs = {kind: [difficulty_spec(base, kind, s) for s in seeds] for kind in kinds}
  matrices, conditions, metrics = {}, {}, {}
  chosen = None
  for kind in kinds:
    data = datasets.load(specs[kind][0].data)
    if chosen is None:
      chosen = difficulty_examples(data.train.ids, examples, base.data.seed)
    for spec in specs[kind]:
      print(f"== difficulty: {kind}, training seed {spec.train.seed}", file=out, flush=True)
      runner.run(spec, strategy=strategy, data=data, out=out)
      conditions[f"{DIFFICULTY_DIR}/{kind}/seed_{spec.train.seed}"] = spec.output_dir
    matrix = difficulty_matrix([s.output_dir for s in specs[kind]], data, kind, chosen)
    write_difficulty_matrix(os.path.join(base.output_dir, DIFFICULTY_DIR, kind), matrix, seeds)
    matrices[kind] = matrix
    errors_counted, labels = _counted(matrix)
    metrics[f"{DIFFICULTY_DIR}/{kind}/error_rate"] = float(errors_counted.mean())
    metrics[f"{DIFFICULTY_DIR}/{kind}/excess_dispersion"] = float(
        stats.excess_dispersion(errors_counted, labels))
    metrics[f"{DIFFICULTY_DIR}/{kind}/examples"] = int(errors_counted.shape[1])
  curves = difficulty_curves(matrices, seed=base.data.seed)
  png = plots.difficulty(curves, f"per-example error after epoch {claims_lib.DIFFICULTY_EPOCH}"
                         f" over {runs} runs (data fixed, training seed varies)")
  figure = plots.write_figure(base.output_dir, DIFFICULTY_FIGURE, png)
  return {"matrices": matrices, "conditions": conditions, "metrics": metrics,
          "claims": difficulty_claims(matrices, seeds), "figure": figure, "png": png}


def within_run_difficulty_figure(per_example: dict, data: datasets.Data,
                                 data_config: datasets.DataConfig) -> bytes | None:
  """The second view's figure: per-example error after DIFFICULTY_EPOCH over the seeds of
  the partial-noise runs, clean against corrupted examples; None without 3 seeds logged."""
  sets = difficulty_sets(per_example, data, data_config)
  if sets is None or len(per_example) < claims_lib.MIN_SEEDS:
    return None
  matrices = {name: {"errors": wrong, "labels": labels, "counted": np.ones(len(labels), bool)}
              for name, (wrong, labels) in (("real (clean examples)", sets["real"]),
                                            ("noise (corrupted examples)", sets["noise"]))}
  return plots.difficulty(
      difficulty_curves(matrices, seed=data_config.seed),
      f"within-run view: per-example error after epoch {claims_lib.DIFFICULTY_EPOCH} over "
      f"{len(per_example)} runs with partial noise")


# Accuracy figure line -> how a run's record gives it: the final accuracies, and the test
# accuracy where early stopping on validation accuracy would have stopped.
ACCURACY_LINES = {
    "validation, final": lambda rec: rec["metrics"].get("validation/accuracy"),
    "test, final": lambda rec: rec["metrics"].get("test/accuracy"),
    "test, at the best-validation epoch": lambda rec: (
        claims_lib.best_validation_entry(rec) or {}).get("test/accuracy")}


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


def dynamics_figures(base: runner.RunSpec, records: dict, per_example: dict, run_dirs: dict,
                     variant_records: dict, train_size: int,
                     class_names: Sequence[str] | None = None) -> dict[str, bytes]:
  """Writes the figures of the sweeps, of per-class loss sensitivity and of per-example
  loss trajectories (module docstring) that the runs allow; returns {name: PNG bytes}."""
  images = {}
  seeds = sorted(records)
  swept = sweeps(variant_records, records, base, train_size) if variant_records else {}
  budget = base.train.epochs
  panels: dict[str, dict] = {}
  for kind, sweep in swept.items():
    panels[kind] = {}
    for label, key in (("training set", "memorization/train_fit"),
                       ("clean", "memorization/fit_clean"),
                       ("corrupted", "memorization/fit_corrupted")):
      panels[kind][label] = {float(value): stats.mean_std(
          [budget if e is None else e for e in (claims_lib.epochs_to_fit(r, key)
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
        values = [v for v in (claims_lib.window_mean(r, key) for r in recs) if v is not None]
        if values:
          points[float(value)] = stats.mean_std(values)
      if points:
        lines[label] = points
    if lines:
      window = claims_lib.GINI_WINDOW
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
      images["sensitivity_per_class"] = plots.class_sensitivity_grid(
          rows, class_names, f"mean |dL/dx| per training label at the end of training, "
          f"mean over {len(maps)} seed(s); rows on their own colour scales")
  log = per_example.get(seeds[0]) if seeds else None
  if log is not None and len(log["epochs"]) >= 2:
    learned = tracking.first_learned_epoch(log["epochs"], log["correct"])
    images["loss_trajectories"] = plots.loss_trajectories(
        log["epochs"], log["loss"], learned, log["corrupted"][-1].astype(bool),
        f"per-example training loss, seed {seeds[0]}: sorted by first-learned epoch (dots)")
  for name, png in images.items():
    plots.write_figure(base.output_dir, FIGURES[name], png)
  return images
