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

"""The benign-memorization comparison (Anagnostidis et al., 2023) as one experiment.

Trains, on the same data, architecture, seed and budget:
  clean              clean labels, with the augmentation      (the clean-label control)
  clean_plain        clean labels, no augmentation            (real data vs noise)
  random_plain       random labels, no augmentation
  random_augmented   random labels, with the augmentation
  random_pool        random labels, a fixed pool of n views, one label per example
  per_view           random labels, the same pool, one label per (example, view)
(the last two when num_views > 0), probes every layer of each with shared controls
(raw pixels, random initialisation, the clean run; and the random-init network probed
with each noisy run's labels), and tests the claims across seeds
(suite.results.claims: at least 3 seeds, conditions paired by seed).

A `Sweep` varies the label-noise fraction, the pool size n, the projector width and
the seed in one command. A run is trained once however many sweep points need it
(the clean runs do not depend on the noise or the pool), and the controls are
computed once per seed and architecture and shared by every run that matches them.
Every run is an ordinary run directory under output_dir, named by the condition and
the swept settings it depends on; the experiment's own result.json lists them with
the claims of every sweep point.
"""

from collections.abc import Sequence
import dataclasses
import itertools
import os
import time
from typing import TextIO

import tensorflow as tf

from suite import constants
from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.probing import hook as probe_hook
from suite.probing import probe as probe_lib
from suite.results import claims as claims_lib
from suite.results import record
from suite.results import tables
from suite.training import runner

CONDITIONS = ("clean", "clean_plain", "random_plain", "random_augmented", "random_pool",
              "per_view")
_NOISY = ("random_plain", "random_augmented", "random_pool", "per_view")
POOLED = ("random_pool", "per_view")  # Conditions that need a pool of views.
@dataclasses.dataclass(frozen=True)
class Condition:
  name: str
  label_noise: float
  augment: augmentation.AugmentConfig


@dataclasses.dataclass(frozen=True)
class Sweep:
  """Values to sweep; an empty tuple keeps the base run's single value."""
  label_noise: tuple[float, ...] = ()
  num_views: tuple[int, ...] = ()
  bottleneck_dim: tuple[int, ...] = ()
  seeds: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True)
class Point:
  """One combination of swept values."""
  seed: int
  bottleneck_dim: int
  label_noise: float
  num_views: int


def conditions(label_noise: float, augment: augmentation.AugmentConfig,
               names: Sequence[str] = CONDITIONS) -> list[Condition]:
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
  return [c for c in out if c.name in names]


def points(base: runner.RunSpec, sweep: Sweep) -> list[Point]:
  """The cross product of the swept values (the base values where nothing is swept)."""
  swept: dict[str, tuple] = {"seed": sweep.seeds or (base.data.seed,),
           "bottleneck_dim": sweep.bottleneck_dim or (base.model.bottleneck_dim,),
           "label_noise": sweep.label_noise or (base.data.label_noise,),
           "num_views": sweep.num_views or (base.augment.num_views,)}
  return [Point(*values) for values in itertools.product(*swept.values())]


def run_name(condition: Condition, point: Point, sweep: Sweep) -> str:
  """The run's directory under output_dir: only what the run depends on is in the name.

  Clean runs do not depend on the noise or the pool, and only pooled runs on the pool
  size, so those runs are shared by every sweep point that needs them.
  """
  prefix = []
  if sweep.seeds:
    prefix.append(f"seed_{point.seed}")
  if sweep.bottleneck_dim:
    prefix.append(f"projector_{point.bottleneck_dim}")
  name = condition.name
  if sweep.label_noise and condition.name in _NOISY:
    name += f"_noise_{point.label_noise:g}"
  if sweep.num_views and condition.name in POOLED:
    name += f"_views_{point.num_views}"
  return "/".join(prefix + [name])


def job_name(point: Point, sweep: Sweep) -> str:
  """The job a run belongs to: the directory of its seed and projector width under
  output_dir (`seed_0`, `seed_0/projector_8`), or `all` when neither is swept.

  A job holds every run of its seed and architecture because those runs share controls
  (the clean run's probe is a control of the others), so jobs never wait on each other.
  """
  prefix = []
  if sweep.seeds:
    prefix.append(f"seed_{point.seed}")
  if sweep.bottleneck_dim:
    prefix.append(f"projector_{point.bottleneck_dim}")
  return "/".join(prefix) or "all"


def jobs(base: runner.RunSpec, sweep: Sweep = Sweep()) -> list[str]:
  """The job names of run(..., only=...), in the order run() trains them."""
  return list(dict.fromkeys(job_name(p, sweep) for p in points(base, sweep)))


def validate(base: runner.RunSpec, sweep: Sweep, names: Sequence[str]) -> None:
  unknown = sorted(set(names) - set(CONDITIONS))
  if unknown:
    raise errors.ConfigError(f"unknown conditions {unknown}; choose from {list(CONDITIONS)}")
  if base.augment.name == "none":
    raise errors.ConfigError("the comparison needs an --augmentation other than 'none'")
  if any(p <= 0 or p > 1 for p in sweep.label_noise or (base.data.label_noise,)):
    raise errors.ConfigError("the comparison needs label noise in (0, 1] (1 in the paper)")
  if any(n < 0 for n in sweep.num_views):
    raise errors.ConfigError("pool sizes must be >= 0")
  if any(d < 0 for d in sweep.bottleneck_dim):
    raise errors.ConfigError("projector widths must be >= 0")
  if set(names) & set(POOLED) and not any(sweep.num_views or (base.augment.num_views,)):
    raise errors.ConfigError(f"conditions {sorted(set(names) & set(POOLED))} need a pool: "
                             "--num_views >= 1")


def run(base: runner.RunSpec, probe_config: probe_lib.ProbeConfig, probe_every: int = 0,
        strategy: tf.distribute.Strategy | None = None, sweep: Sweep = Sweep(),
        names: Sequence[str] = CONDITIONS, out: TextIO | None = None,
        only: set[str] | None = None) -> dict:
  """Runs every condition at every sweep point (resuming any that exist); writes the record.

  only: job names (see jobs()) to train, alone: their runs are trained and recorded, and
  nothing else (no claims, no experiment record; the returned dict lists the runs). Run
  again without it once every job is finished to compute the claims and figures.
  """
  started = time.time()
  validate(base, sweep, names)
  if only is not None:
    unknown = sorted(set(only) - set(jobs(base, sweep)))
    if unknown or not only:
      raise errors.ConfigError(f"unknown jobs {unknown}; choose from {jobs(base, sweep)}")
  records: dict[str, dict] = {}
  run_dirs: dict[str, str] = {}
  controls: dict[tuple, dict] = {}
  noisy_controls: dict[str, dict] = {}
  at_points: list = []
  data_cache: dict = {}
  for point in points(base, sweep):
    if only is not None and job_name(point, sweep) not in only:
      continue
    # Points come seed by seed: a finished seed's datasets are not needed again.
    data_cache = {c: d for c, d in data_cache.items() if c.seed == point.seed}
    # Controls depend on the data (seed) and the architecture, not on noise or views.
    group = (point.seed, point.bottleneck_dim)
    augment = dataclasses.replace(base.augment, num_views=point.num_views)
    at_point = {}
    for condition in conditions(point.label_noise, augment, names):
      name = run_name(condition, point, sweep)
      if name not in records:
        data_config = dataclasses.replace(base.data, label_noise=condition.label_noise,
                                          seed=point.seed)
        if data_config not in data_cache:
          data_cache[data_config] = datasets.load(data_config)
        spec = dataclasses.replace(
            base, output_dir=os.path.join(base.output_dir, name),
            benchmark=f"benign_memorization/{condition.name}", data=data_config,
            model=dataclasses.replace(base.model, bottleneck_dim=point.bottleneck_dim),
            augment=condition.augment, train=dataclasses.replace(base.train, seed=point.seed))
        hook = probe_hook.ProbeHook(probe_config, probe_every, base.train.epochs)
        if group in controls:
          hook.controls = dict(controls[group])
        print(f"== {name}: label noise {condition.label_noise}, augmentation "
              f"{condition.augment.name}, views {condition.augment.num_views}, per-view labels "
              f"{condition.augment.per_view_labels}, projector {point.bottleneck_dim}, "
              f"seed {point.seed}", file=out, flush=True)
        records[name] = runner.run(spec, strategy=strategy, hooks=[hook],
                                   data=data_cache[data_config], extra_record=hook.add_to_record,
                                   out=out)
        run_dirs[name] = spec.output_dir
        if group not in controls:
          # From the record: a run that was already complete computed no controls here.
          controls[group] = dict(records[name]["controls"])
        if condition.name == "clean":
          controls[group]["clean_labels"] = probe_hook.load_clean_run_probe(spec.output_dir)
        if condition.name in _NOISY and "probe" in records[name] and only is None:
          # The random-init network probed with this run's noisy labels: the control of
          # the noisy-bank k-NN (per noise level; the shared control has clean labels).
          noisy_controls[name] = probe_lib.probe(
              probe_lib.random_init_model(spec.model, data_cache[data_config], point.seed),
              data_cache[data_config], probe_config)
      at_point[condition.name] = name
    at_points.append((point, at_point))
  if only is not None:
    return {"benchmark": "benign_memorization", "jobs": sorted(only), "conditions": run_dirs}
  claim_lines = check_claims(records, at_points, noisy_controls)
  experiment = {
      "schema_version": record.SCHEMA_VERSION, "benchmark": "benign_memorization",
      "status": "complete", "config": base.flags,
      "config_hash": record.config_hash(base.identity()),
      "sweep": dataclasses.asdict(sweep),
      "conditions": run_dirs, "metrics": summary_metrics(records),
      "layers": layer_tables(records, noisy_controls), "claims": claim_lines,
      "timing": {"wall_seconds": time.time() - started},
      "environment": record.environment()}
  record.write(base.output_dir, experiment)
  return experiment


def layer_tables(records: dict, noisy_controls: dict | None = None,
                 k: str = constants.HEADLINE_KEY) -> dict:
  """Per run: k-NN (default: the headline k) by layer with the clean-label and the noisy-label bank, and controls
  (random init with clean labels, and for noisy runs with the run's noisy labels)."""
  out = {}
  for name, rec in records.items():
    probe, controls = rec.get("probe", {}), rec.get("controls", {})
    pick = lambda bank: {e: v.get(k) for e, v in bank.items()}
    out[name] = {"endpoints": probe.get("endpoints", []),
                 "clean": pick(probe.get("clean", {})), "noisy": pick(probe.get("noisy", {})),
                 "random_init": pick(controls.get("random_init", {}).get("clean", {})),
                 "raw_pixels": controls.get("raw_pixels", {}).get("clean", {}).get(k)}
    if name in (noisy_controls or {}):
      out[name]["random_init_noisy"] = pick((noisy_controls or {})[name].get("noisy", {}))
  return out


def summary_metrics(records: dict) -> dict:
  metrics = {}
  for name, rec in records.items():
    for key in ("memorization/fit_corrupted", "memorization/fit_clean", "memorization/view_fit",
                "test/accuracy"):
      if key in rec["metrics"]:
        metrics[f"{name}/{key}"] = rec["metrics"][key]
    clean_bank = rec.get("probe", {}).get("clean", {})
    key = constants.HEADLINE_KEY
    if clean_bank and all(key in v for v in clean_bank.values()):
      layer, best = max(clean_bank.items(), key=lambda item: item[1][key])
      metrics[f"{name}/best_{key}"] = best[key]
      metrics[f"{name}/best_{key}_layer"] = layer
  return metrics


def check_claims(records: dict, at_points: list, noisy_controls: dict) -> list[dict]:
  """The claims, each tested across the seeds of the sweep points that share every other
  swept value (conditions paired by seed).

  at_points: (Point, {condition: run name}) per sweep point. Each line names under `runs`
  the runs (keys of `records`) it rests on; a line shared by points is kept once.
  """
  groups: dict[tuple, list] = {}
  for point, runs in at_points:
    key = (point.bottleneck_dim, point.label_noise, point.num_views)
    groups.setdefault(key, []).append(runs)
  lines, seen = [], []
  for per_seed in groups.values():
    have = lambda *names: all(n in runs for runs in per_seed for n in names)
    recs = lambda c: [records[runs[c]] for runs in per_seed]
    checks = []
    if have("random_augmented", "clean"):
      checks.append((lambda: claims_lib.memorization_in_last_layers(
          recs("random_augmented"), recs("clean"),
          [noisy_controls.get(runs["random_augmented"]) for runs in per_seed]),
                     ("random_augmented", "clean")))
    if have("random_augmented", "random_plain"):
      checks.append((lambda: claims_lib.features_survive_with_augmentation(
          recs("random_augmented"), recs("random_plain"),
          [r.get("controls", {}).get("random_init") for r in recs("random_augmented")]),
                     ("random_augmented", "random_plain")))
    if have("clean_plain", "random_plain"):
      checks.append((lambda: claims_lib.real_data_fitted_before_noise(
          recs("clean_plain"), recs("random_plain")), ("clean_plain", "random_plain")))
    if have("per_view", "random_pool"):
      checks.append((lambda: claims_lib.per_view_labels_not_fitted(
          recs("per_view"), recs("random_pool")), ("per_view", "random_pool")))
    for check, conditions_used in checks:
      names = [runs[c] for c in conditions_used for runs in per_seed]
      if names not in seen:  # Shared by points (clean runs do not depend on the noise).
        seen.append(names)
        lines.append(dict(check(), runs=names))
  return lines


def table(experiment: dict) -> str:
  """Runs side by side (fits, test accuracy, best k-NN layer), then k-NN by layer.

  One by-layer table per seed and projector: a row per run with the clean-label bank,
  one per noisy run with the noisy-label bank, and the controls of that architecture and
  seed (random init by layer; raw pixels, which have no layers, in the first column).
  All tables come from suite.results.tables.format_table; k is constants.HEADLINE_K.

  Args:
    experiment: the experiment's record (`conditions`, `metrics`, `layers`).

  Returns:
    The tables as text.
  """
  metrics = experiment["metrics"]
  key = constants.HEADLINE_KEY
  columns = ["memorization/fit_corrupted", "memorization/fit_clean", "memorization/view_fit",
             "test/accuracy", f"best_{key}", f"best_{key}_layer"]
  rows = [[name] + [metrics.get(f"{name}/{column}") for column in columns]
          for name in experiment["conditions"]]
  lines = [tables.format_table(["run", "fit corrupted", "fit clean", "view fit", "test acc",
                                f"best {key}", "layer"], rows)]
  groups: dict[str, list] = {}
  for name, layers in experiment.get("layers", {}).items():
    groups.setdefault(os.path.dirname(name), []).append((os.path.basename(name), layers))
  for group, runs in groups.items():
    endpoints = runs[0][1]["endpoints"]
    banks = [(run, layers["clean"]) for run, layers in runs]
    banks += [(f"{run} (noisy bank)", layers["noisy"]) for run, layers in runs if layers["noisy"]]
    banks.append(("random init", runs[0][1]["random_init"]))
    banks += [(f"random init ({run} noisy bank)", layers["random_init_noisy"])
              for run, layers in runs if layers.get("random_init_noisy")]
    banks.append(("raw pixels", {endpoints[0]: runs[0][1]["raw_pixels"]} if endpoints else {}))
    where = f" ({group})" if group else ""
    lines += ["", f"{constants.HEADLINE_K}-NN by layer, clean-label bank unless marked{where}:",
              tables.format_table([""] + endpoints,
                                  [[row] + [values.get(e) if e in values else "" for e in endpoints]
                                   for row, values in banks])]
  return "\n".join(lines)
