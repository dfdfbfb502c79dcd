"""Memorization dynamics (Arpit et al., 2017) on data with partial noise.

For each training seed (data subset and noise fixed by the data seed, so every seed
sees the same examples and the same random labels or inputs), trains with the
per-example log and, at every evaluation, measures on fixed samples of clean and
corrupted training examples:
  csr/clean, csr/corrupted                     critical sample ratio
  sensitivity/clean, sensitivity/corrupted     mean |dL/dx| (training labels)
  sensitivity/gini_clean, gini_corrupted       Gini coefficient of the per-example values
Then, across seeds: per-example first-learned epochs, and the agreement (Jaccard
overlap) of the examples classified right - the easy ones - and wrong at the first
recorded epoch (`agreement_epoch`), on clean and on corrupted examples.

Variants of the first seed's run compare regularizers (dropout, input noise, weight
decay, adversarial training: noisy-label fit against validation accuracy) and
capacities (mlp width and depth, convolutional width multiplier: epochs to reach
the fit threshold on clean and on corrupted examples), in the same command.
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
FIT_THRESHOLD = 0.95


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
    half = samples // 2
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
  """Trains one run per seed under base.output_dir/seed_<s>, then each variant of the
  first seed's run under base.output_dir/<variant name>; writes the experiment record."""
  if base.data.label_noise == 0 and base.data.input_corruption == "none":
    raise errors.ConfigError("memorization dynamics needs --label_noise > 0 or an "
                             "--input_corruption: there is no noise to compare with")
  variant_specs = {v.name: v.apply(base) for v in variants}  # Bad variants fail first.
  if len(variant_specs) != len(variants):
    raise errors.ConfigError("variants must be distinct")
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
  summary = summarize(records, per_example, data.train.corrupted)
  lines = check_claims(records, summary)
  conditions = {f"seed_{s}": d for s, d in run_dirs.items()}
  if variants:
    baseline = records[seeds[0]]
    variant_records = {}
    for variant in variants:
      spec = dataclasses.replace(
          variant_specs[variant.name],
          output_dir=os.path.join(base.output_dir, variant.name),
          benchmark="memorization_dynamics", train=dataclasses.replace(
              variant_specs[variant.name].train, seed=seeds[0],
              track_every=train.track_every))
      print(f"== {variant.name} (training seed {seeds[0]})", file=out, flush=True)
      variant_records[variant] = runner.run(spec, strategy=strategy, data=data, out=out)
      conditions[variant.name] = spec.output_dir
    summary.update(variant_metrics(variant_records, baseline))
    lines += variant_claims(variant_records, baseline, f"seed_{seeds[0]}", base)
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
  """Per variant (and the baseline): final fits, validation, epochs to the fit threshold."""
  out = {}
  for name, rec in [("baseline", baseline)] + [(v.name, r) for v, r in variant_records.items()]:
    out.update({f"{name}/{key}": value for key, value in _variant_row(rec).items()})
  return out


def variant_claims(variant_records: dict, baseline: dict, baseline_name: str,
                   base: runner.RunSpec) -> list[dict]:
  lines = []
  for variant, rec in variant_records.items():
    if variant.kind in REGULARIZERS:
      line = claims_lib.regularizer_slows_noise_more(rec, baseline, variant.name)
      lines.append(dict(line, runs=[variant.name, baseline_name]))
  for kind in CAPACITIES:
    sweep = {v.value: r for v, r in variant_records.items() if v.kind == kind}
    if sweep:
      base_value = getattr(base.model, kind)
      sweep.setdefault(base_value, baseline)  # The baseline is one more capacity.
      lines.append(claims_lib.capacity_speeds_up_noise_fitting(sweep, kind, FIT_THRESHOLD))
  return lines


def variants_table(experiment: dict) -> str:
  """Regularizers and capacities side by side with the baseline (first seed)."""
  metrics = experiment["metrics"]
  names = ["baseline"] + [n for n in experiment["conditions"] if not n.startswith("seed_")]
  columns = ("fit_clean", "fit_corrupted", "validation", "best_validation",
             "epochs_to_fit_clean", "epochs_to_fit_corrupted")
  width = max(len(n) for n in names)
  lines = [f"{'run':<{width}}  " + "  ".join(columns)]
  for name in names:
    cells = []
    for column in columns:
      value = metrics.get(f"{name}/{column}")
      text = "-" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)
      cells.append(f"{text:>{len(column)}}")
    lines.append(f"{name:<{width}}  " + "  ".join(cells))
  return "\n".join(lines)


def summarize(records: dict, per_example: dict, corrupted: np.ndarray) -> dict:
  summary = {}
  first_epoch_right = []  # Per seed: (classified right after epoch 1, corrupted).
  for seed, log in per_example.items():
    learned = tracking.first_learned_epoch(log["epochs"], log["correct"])
    # Rows are in id order; the corrupted flags of the log are the run's own.
    noisy = log["corrupted"][0].astype(bool)
    for name, mask in (("clean", ~noisy), ("corrupted", noisy)):
      never = np.mean(learned[mask] < 0) if mask.any() else float("nan")
      summary[f"seed_{seed}/never_learned_{name}"] = float(never)
      done = learned[mask][learned[mask] >= 0]
      summary[f"seed_{seed}/median_first_learned_{name}"] = float(np.median(done)) \
          if len(done) else None
    # The first recorded epoch after training started (epoch 1 with --track_every=1).
    row = min(int(np.searchsorted(log["epochs"], 1)), len(log["epochs"]) - 1)
    summary["agreement_epoch"] = int(log["epochs"][row])
    first_epoch_right.append((log["correct"][row], noisy))
    rec = records[seed]
    history = rec["history"]
    with_validation = [h for h in history if "validation/accuracy" in h]
    if with_validation:
      best = max(with_validation, key=lambda h: h["validation/accuracy"])
      summary[f"seed_{seed}/best_validation_epoch"] = best["epoch"]
      summary[f"seed_{seed}/best_validation_accuracy"] = best["validation/accuracy"]
      summary[f"seed_{seed}/final_validation_accuracy"] = with_validation[-1]["validation/accuracy"]
  if len(first_epoch_right) >= 2:
    noisy = first_epoch_right[0][1]
    for name, mask in (("clean", ~noisy), ("corrupted", noisy)):
      if mask.any():
        # Easy examples: right at the first recorded epoch. Their overlap across seeds.
        summary[f"agreement_easy/{name}"] = tracking.agreement_across_seeds(
            [right[mask] for right, _ in first_epoch_right])
        summary[f"agreement_hard/{name}"] = tracking.agreement_across_seeds(
            [~right[mask] for right, _ in first_epoch_right])
  del corrupted
  return summary


def check_claims(records: dict, summary: dict) -> list[dict]:
  first = records[min(records)]
  lines = [claims_lib.clean_fitted_before_corrupted(first),
           claims_lib.csr_grows_more_on_noise(first),
           claims_lib.sensitivity_more_concentrated_on_real_data(first)]
  lines.append(claims_lib.easy_examples_agree_on_real_data(summary))
  return lines
