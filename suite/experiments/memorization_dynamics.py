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

Variants - regularizers (dropout, input noise, weight decay, adversarial training) and
capacities (mlp width and depth, convolutional width multiplier) - run for every seed,
each paired with the same seed's base run, in the same command.
"""

import dataclasses
import os
import time

import numpy as np

from suite import errors
from suite.data import datasets
from suite.measures import sensitivity
from suite.results import claims as claims_lib
from suite.results import plots
from suite.results import record
from suite.training import runner
from suite.training import tracking


# Regularizer name -> (settings section, field) it sets.
REGULARIZERS = {"dropout": ("model", "dropout"), "input_noise": ("train", "input_noise_std"),
                "weight_decay": ("train", "weight_decay"),
                "adversarial": ("train", "adversarial_epsilon")}
# Capacity settings that can be swept, with the models they apply to.
CAPACITIES = {"width": ("mlp",), "depth": ("mlp",),
              "width_multiplier": ("cnn_small", "resnet18")}
FIT_THRESHOLD = claims_lib.FIT_THRESHOLD


@dataclasses.dataclass(frozen=True)
class Variant:
  """A change to the first seed's run: one regularizer or one capacity setting."""
  kind: str  # A key of REGULARIZERS or CAPACITIES.
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
    else:
      raise errors.ConfigError(f"unknown variant {self.kind!r}; choose from "
                               f"{sorted(REGULARIZERS) + sorted(CAPACITIES)}")
    value = int(self.value) if field in ("width", "depth") else float(self.value)
    try:
      changed = dataclasses.replace(getattr(base, section), **{field: value})
    except errors.ConfigError as e:
      raise errors.ConfigError(f"{self.name}: {e}") from None
    return dataclasses.replace(base, **{section: changed})


class DynamicsHook:
  """Trainer hook: CSR and loss sensitivity on fixed clean / corrupted samples."""

  def __init__(self, data: datasets.Data, samples: int, csr: sensitivity.CsrConfig, seed: int,
               loss: str):
    self.csr = csr
    self.loss = loss
    self.seed = seed
    generator = np.random.default_rng(seed)
    corrupted = np.flatnonzero(data.train.corrupted)
    clean = np.flatnonzero(~data.train.corrupted)
    # Equal sample sizes: a Gini coefficient depends on how many values it summarizes.
    half = min(samples // 2, len(clean), len(corrupted))
    self.groups = {"clean": np.sort(generator.permutation(clean)[:half]),
                   "corrupted": np.sort(generator.permutation(corrupted)[:half])}

  def __call__(self, trainer, epoch) -> dict:
    del epoch
    out = {}
    train = trainer.data.train
    for name, rows in self.groups.items():
      if not len(rows):
        continue
      images = train.images[rows]
      out[f"csr/{name}"] = float(np.mean(sensitivity.critical_samples(
          trainer.model, images, self.csr, self.seed)))
      values = sensitivity.loss_sensitivity(trainer.model, images, train.labels[rows],
                                            trainer.data.info.num_classes, self.loss)
      out[f"sensitivity/{name}"] = float(np.mean(values))
      out[f"sensitivity/gini_{name}"] = sensitivity.gini(values)
    return out


def run(base: runner.RunSpec, seeds: list[int], csr_samples: int = 300,
        csr: sensitivity.CsrConfig = sensitivity.CsrConfig(), strategy=None,
        variants: tuple[Variant, ...] = (), out=None) -> dict:
  """Trains one run per seed under base.output_dir/seed_<s>, then every variant for every
  seed under base.output_dir/<variant name>/seed_<s>; writes the experiment record."""
  if base.data.label_noise == 0 and base.data.input_corruption == "none":
    raise errors.ConfigError("memorization dynamics needs --label_noise > 0 or an "
                             "--input_corruption: there is no noise to compare with")
  variant_specs = {v.name: v.apply(base) for v in variants}  # Bad variants fail first.
  if len(variant_specs) != len(variants):
    raise errors.ConfigError("variants must be distinct")
  if len(set(seeds)) != len(seeds):
    raise errors.ConfigError("seeds must be distinct")
  started = time.time()
  data = datasets.load(base.data)
  train = dataclasses.replace(base.train, track_every=base.train.track_every or 1)
  records, run_dirs = {}, {}
  for seed in seeds:
    spec = dataclasses.replace(base, output_dir=os.path.join(base.output_dir, f"seed_{seed}"),
                               benchmark="memorization_dynamics",
                               train=dataclasses.replace(train, seed=seed))
    hook = DynamicsHook(data, csr_samples, csr, seed, train.loss)
    print(f"== training seed {seed}", file=out, flush=True)
    records[seed] = runner.run(spec, strategy=strategy, hooks=[hook], data=data, out=out)
    run_dirs[seed] = spec.output_dir
  per_example = {seed: tracking.load(d) for seed, d in run_dirs.items()}
  summary = summarize(records, per_example)
  lines = check_claims(records, per_example, data, base.data)
  conditions = {f"seed_{s}": d for s, d in run_dirs.items()}
  if variants:
    # Every variant for every seed: the claims pair each variant with its seed's baseline.
    variant_records = {}
    for variant in variants:
      for seed in seeds:
        name = f"{variant.name}/seed_{seed}"
        spec = dataclasses.replace(
            variant_specs[variant.name], output_dir=os.path.join(base.output_dir, name),
            benchmark="memorization_dynamics", train=dataclasses.replace(
                variant_specs[variant.name].train, seed=seed, track_every=train.track_every))
        print(f"== {variant.name} (training seed {seed})", file=out, flush=True)
        variant_records.setdefault(variant, {})[seed] = runner.run(
            spec, strategy=strategy, data=data, out=out)
        conditions[name] = spec.output_dir
    summary.update(variant_metrics(variant_records, records))
    lines += variant_claims(variant_records, records, base, data.info.num_classes)
  png = plots.dynamics({f"seed {s}": records[s]["history"] for s in seeds},
                       "fit and critical sample ratio: clean (solid) and corrupted (dashed)")
  plots.write_figure(base.output_dir, "dynamics.png", png)
  experiment = {
      "schema_version": record.SCHEMA_VERSION, "benchmark": "memorization_dynamics",
      "status": "complete", "config": base.flags,
      "config_hash": record.config_hash(base.identity()),
      "conditions": conditions,
      "metrics": summary, "claims": lines, "timing": {"wall_seconds": time.time() - started},
      "environment": record.environment()}
  record.write(base.output_dir, experiment)
  return experiment


def _variant_row(rec: dict) -> dict:
  metrics = rec["metrics"]
  row = {key: metrics.get(f"memorization/{key}") for key in ("fit_clean", "fit_corrupted")}
  row["validation"] = metrics.get("validation/accuracy")
  validation = [h["validation/accuracy"] for h in rec["history"]
                if h.get("validation/accuracy") is not None]
  row["best_validation"] = max(validation) if validation else None
  for name in ("clean", "corrupted"):
    row[f"epochs_to_fit_{name}"] = claims_lib.epochs_to_fit(
        rec, f"memorization/fit_{name}", FIT_THRESHOLD)
  return row


def variant_metrics(variant_records: dict, baseline: dict) -> dict:
  """Per variant (and the baseline), mean over seeds: final fits, validation, and the
  seeds' epochs to the fit threshold (a list; None: never fitted)."""
  out = {}
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


def variant_claims(variant_records: dict, baseline: dict, base: runner.RunSpec,
                   num_classes: int) -> list[dict]:
  """Regularizers as one Holm family; a trend claim per capacity setting swept. Records
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
  for kind in CAPACITIES:
    sweep = {v.value: in_order(recs) for v, recs in variant_records.items() if v.kind == kind}
    if sweep:
      sweep.setdefault(getattr(base.model, kind), in_order(baseline))  # One more capacity.
      source = claims_lib.BRIEF if kind == "depth" else claims_lib.ARPIT
      lines.append(claims_lib.capacity_speeds_up_noise_fitting(sweep, kind, source))
  return lines


def variants_table(experiment: dict) -> str:
  """Regularizers and capacities beside the baseline: means over seeds; epochs to fit
  per seed (- never)."""
  metrics = experiment["metrics"]
  names = ["baseline"] + sorted({n.split("/")[0] for n in experiment["conditions"]
                                 if not n.startswith("seed_")})
  columns = ("fit_clean", "fit_corrupted", "validation", "best_validation",
             "epochs_to_fit_clean", "epochs_to_fit_corrupted")
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
  summary = {}
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
  return summary


def difficulty_sets(per_example: dict, data: datasets.Data, data_config: datasets.DataConfig,
                    epoch: int = claims_lib.DIFFICULTY_EPOCH):
  """Errors after `epoch` per seed on real (clean) and noise (corrupted) examples, with
  their assigned labels, or None when a seed has no log of that epoch.

  Corrupted examples whose random label is the true class are not noise: left out when
  the noise is label noise only (with input corruption the input is the noise).
  """
  train = data.train
  rows = np.argsort(train.ids)
  labels, clean_labels = train.labels[rows], train.clean_labels[rows]
  errors, noisy = [], None
  for seed in sorted(per_example):
    log = per_example[seed]
    where = np.flatnonzero(log["epochs"] == epoch)
    if not len(where) or not np.array_equal(log["ids"], train.ids[rows]):
      return None
    errors.append(~log["correct"][where[0]].astype(bool))
    noisy = log["corrupted"][where[0]].astype(bool)
  errors = np.stack(errors)
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
    line = claims_lib.easy_examples_consistent_on_real_data(
        *sets["real"], *sets["noise"], view="within-run clean vs corrupted")
    line["evidence"]["noise_left_out_label_is_true_class"] = sets["left_out"]
    lines.append(line)
  return [dict(line, runs=[f"seed_{s}" for s in seeds]) for line in lines]
