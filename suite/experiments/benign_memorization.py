"""The benign-memorization comparison (Anagnostidis et al., 2023) as one experiment.

Trains, on the same data, architecture, seed and budget:
  clean              clean labels, with the augmentation      (the clean-label control)
  clean_plain        clean labels, no augmentation            (real data vs noise)
  random_plain       random labels, no augmentation
  random_augmented   random labels, with the augmentation
  random_pool        random labels, a fixed pool of n views, one label per example
  per_view           random labels, the same pool, one label per (example, view)
(the last two when num_views > 0), probes every layer of each with shared controls
(raw pixels, random initialisation, the clean run), and checks the claims.
Every condition is an ordinary run directory under output_dir; the experiment's own
result.json lists them with the claims.
"""

import dataclasses
import os
import time

from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.probing import hook as probe_hook
from suite.probing import probe as probe_lib
from suite.results import claims as claims_lib
from suite.results import record
from suite.training import runner


@dataclasses.dataclass(frozen=True)
class Condition:
  name: str
  label_noise: float
  augment: augmentation.AugmentConfig


def conditions(label_noise: float, augment: augmentation.AugmentConfig) -> list[Condition]:
  fresh = dataclasses.replace(augment, num_views=0, per_view_labels=False)
  plain = augmentation.AugmentConfig("none")
  out = [Condition("clean", 0.0, fresh),
         Condition("clean_plain", 0.0, plain),
         Condition("random_plain", label_noise, plain),
         Condition("random_augmented", label_noise, fresh)]
  if augment.num_views:
    out += [Condition("random_pool", label_noise,
                      dataclasses.replace(augment, per_view_labels=False)),
            Condition("per_view", label_noise, dataclasses.replace(augment, per_view_labels=True))]
  return out


def run(base: runner.RunSpec, probe_config: probe_lib.ProbeConfig, probe_every: int = 0,
        strategy=None, out=None) -> dict:
  """Runs every condition (resuming any that exist) and writes the experiment record."""
  started = time.time()
  if base.augment.name == "none":
    raise errors.ConfigError("the comparison needs an --augmentation other than 'none'")
  if base.data.label_noise == 0:
    raise errors.ConfigError("the comparison needs --label_noise > 0 (1 in the paper)")
  shared_controls = None
  records = {}
  clean_dir = None
  for condition in conditions(base.data.label_noise, base.augment):
    data_config = dataclasses.replace(base.data, label_noise=condition.label_noise)
    data = datasets.load(data_config)
    spec = dataclasses.replace(
        base, output_dir=os.path.join(base.output_dir, condition.name),
        benchmark=f"benign_memorization/{condition.name}", data=data_config,
        augment=condition.augment)
    hook = probe_hook.ProbeHook(probe_config, probe_every, base.train.epochs,
                                clean_run_dir=clean_dir)
    if shared_controls is not None:  # Same data (clean labels), architecture and seed.
      hook.controls = dict(shared_controls)
      hook.controls["clean_labels"] = probe_hook.load_clean_run_probe(clean_dir)
    print(f"== {condition.name}: label noise {condition.label_noise}, augmentation "
          f"{condition.augment.name}, views {condition.augment.num_views}, per-view labels "
          f"{condition.augment.per_view_labels}", file=out, flush=True)
    records[condition.name] = runner.run(spec, strategy=strategy, hooks=[hook], data=data,
                                         extra_record=hook.add_to_record, out=out)
    if condition.name == "clean":
      clean_dir = spec.output_dir
      # From the record: a run that was already complete computed no controls here.
      shared_controls = {k: v for k, v in records["clean"]["controls"].items()
                         if k != "clean_labels"}
  lines = check_claims(records)
  experiment = {
      "schema_version": record.SCHEMA_VERSION, "benchmark": "benign_memorization",
      "status": "complete", "config": base.flags,
      "config_hash": record.config_hash(base.identity()),
      "conditions": {name: os.path.join(base.output_dir, name) for name in records},
      "metrics": summary_metrics(records), "claims": lines,
      "timing": {"wall_seconds": time.time() - started},
      "environment": record.environment()}
  record.write(base.output_dir, experiment)
  return experiment


def summary_metrics(records: dict) -> dict:
  metrics = {}
  for name, rec in records.items():
    for key in ("memorization/fit_corrupted", "memorization/view_fit", "test/accuracy"):
      if key in rec["metrics"]:
        metrics[f"{name}/{key}"] = rec["metrics"][key]
    best = max(rec["probe"]["clean"].items(), key=lambda item: item[1]["k20"]) \
        if "probe" in rec and all("k20" in v for v in rec["probe"]["clean"].values()) else None
    if best:
      metrics[f"{name}/best_k20"] = best[1]["k20"]
      metrics[f"{name}/best_k20_layer"] = best[0]
  return metrics


def check_claims(records: dict) -> list[dict]:
  lines = [claims_lib.memorization_in_last_layers(records["random_plain"]),
           claims_lib.features_survive_with_augmentation(records["random_augmented"],
                                                         records["random_plain"]),
           claims_lib.real_data_fitted_before_noise(records["clean_plain"],
                                                    records["random_plain"])]
  if "per_view" in records:
    lines.append(claims_lib.per_view_labels_not_fitted(records["per_view"],
                                                       records["random_pool"]))
  return lines


def table(experiment: dict) -> str:
  """Conditions side by side: fit, test accuracy and the best k-NN layer."""
  metrics = experiment["metrics"]
  header = (f"{'condition':<18} {'fit (corrupted)':>15} {'view fit':>9} {'test acc':>9} "
            f"{'best k20':>9}  layer")
  lines = [header, "-" * len(header)]
  for name in experiment["conditions"]:
    get = lambda key: metrics.get(f"{name}/{key}")
    fmt = lambda v: "-" if v is None or v != v else f"{v:.4f}"
    lines.append(f"{name:<18} {fmt(get('memorization/fit_corrupted')):>15} "
                 f"{fmt(get('memorization/view_fit')):>9} {fmt(get('test/accuracy')):>9} "
                 f"{fmt(get('best_k20')):>9}  {get('best_k20_layer') or '-'}")
  return "\n".join(lines)
