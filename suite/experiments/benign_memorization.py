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
  augm_iid           random labels, each example's n "views" are other real images of its
                     class from outside the training subset (asked for by name)
(the last three when num_views > 0), probes every layer of each with shared controls
(raw pixels, random initialisation, the clean run; and the random-init network probed
with each noisy run's labels), and tests the claims across seeds
(suite.results.claims: at least 3 seeds, conditions paired by seed).

A `Sweep` varies the label-noise fraction, the pool size n, the augmentation strength,
the projector width, the model's width (mlp) or width multiplier (cnn_small, resnet18)
and the seed in one command. A run is trained once however many sweep points need it
(the clean runs do not depend on the noise or the pool), and the controls are
computed once per seed and architecture and shared by every run that matches them.
Every run is an ordinary run directory under output_dir, named by the condition and
the swept settings it depends on; the experiment's own result.json lists them with
the claims of every sweep point, and draws the figures (k-NN by layer over seeds with
the controls; fit and encoder k-NN against n and against strength; per-view fit against
capacity x n) as PNG under output_dir/figures and as TensorBoard images under
output_dir/tensorboard.

augm_iid against the reference (sanagno/benign_memorization, main.py RandomDataset with
augm_iid=True): the same construction (views = disjoint blocks of num_views images of the
example's true class from the train split outside the subset, fixed for the run, one drawn
uniformly at every step, shown without any transform, the example's random label), with
these differences:
  - the reference's views are the raw uint8 pixels as floats in [0, 255] (`rest_data` is
    never divided by 255) while its other inputs and the k-NN probe are in [0, 1]; the
    suite scales the views to [0, 1] like every other input, so the network trains and is
    probed on one scale;
  - the reference's subset is the first n examples in dataset order and its draws come
    from NumPy's global generator; the suite's subset is class-balanced and every draw
    (subset, view blocks, the view shown at each step) is keyed by (seed, example id,
    epoch), so runs are reproducible and independent of the order of anything;
  - the views never come from the validation examples (held out of everything) nor the
    test split, which is another split in both;
  - too few same-class images outside the subset is a ConfigError before any training
    (the reference's check catches an IndexError that list slicing never raises: its last
    examples of a class silently get fewer views, or none and a crash when drawn).
"""

from collections.abc import Callable, Sequence
import dataclasses
import functools
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
from suite.results import plots
from suite.results import record
from suite.results import stats
from suite.results import tables
from suite.training import runner

CONDITIONS = ("clean", "clean_plain", "random_plain", "random_augmented", "random_pool",
              "per_view", "augm_iid")
# Run when no condition is named: augm_iid needs a training subset smaller than the split.
DEFAULT_CONDITIONS = CONDITIONS[:-1]
_NOISY = ("random_plain", "random_augmented", "random_pool", "per_view", "augm_iid")
POOLED = ("random_pool", "per_view", "augm_iid")  # Conditions that need a pool of views.
# Conditions whose inputs go through the augmentation (so depend on its strength).
AUGMENTED = ("clean", "random_augmented", "random_pool", "per_view")
# Augmentations that read AugmentConfig.strength (a strength sweep needs one of them).
STRENGTH_AUGMENTATIONS = ("randaugment",)

DESCRIPTIONS = {
    "clean": "clean labels, with the augmentation (the clean-label control)",
    "clean_plain": "clean labels, no augmentation",
    "random_plain": "random labels, no augmentation",
    "random_augmented": "random labels, a fresh augmented view every step",
    "random_pool": "random labels, a fixed pool of n augmented views, one label per example",
    "per_view": "random labels, the same pool, one label per (example, view)",
    "augm_iid": "random labels, the n views of each example are other real images of its "
                "class from the train split outside the subset, not augmented (the "
                "reference's augm_iid)",
}


@dataclasses.dataclass(frozen=True)
class Condition:
  name: str
  label_noise: float
  augment: augmentation.AugmentConfig
  iid_views: int = 0  # DataConfig.iid_views: views that are other real images.


@dataclasses.dataclass(frozen=True)
class Sweep:
  """Values to sweep; an empty tuple keeps the base run's single value."""
  label_noise: tuple[float, ...] = ()
  num_views: tuple[int, ...] = ()
  bottleneck_dim: tuple[int, ...] = ()
  seeds: tuple[int, ...] = ()
  augmentation_strength: tuple[float, ...] = ()  # AugmentConfig.strength (randaugment).
  width_multiplier: tuple[float, ...] = ()  # cnn_small, resnet18.
  width: tuple[int, ...] = ()  # mlp.


@dataclasses.dataclass(frozen=True)
class Point:
  """One combination of swept values."""
  seed: int
  bottleneck_dim: int
  label_noise: float
  num_views: int
  augmentation_strength: float = 1.0
  width_multiplier: float = 1.0
  width: int = 512

  def architecture(self) -> tuple:
    """What the controls depend on beside the seed."""
    return (self.bottleneck_dim, self.width_multiplier, self.width)


def conditions(label_noise: float, augment: augmentation.AugmentConfig,
               names: Sequence[str] = CONDITIONS) -> list[Condition]:
  fresh = dataclasses.replace(augment, num_views=0, per_view_labels=False)
  plain = augmentation.AugmentConfig("none")
  iid = dataclasses.replace(fresh, num_views=augment.num_views, strength=1.0)
  out = [Condition("clean", 0.0, fresh),
         Condition("clean_plain", 0.0, plain),
         Condition("random_plain", label_noise, plain),
         Condition("random_augmented", label_noise, fresh)]
  if augment.num_views:
    out += [Condition("random_pool", label_noise,
                      dataclasses.replace(augment, per_view_labels=False)),
            Condition("per_view", label_noise, dataclasses.replace(augment, per_view_labels=True)),
            # The views are stored images, shown as they are: the augmentation's name only
            # satisfies AugmentConfig (a pool needs one); its strength is irrelevant.
            Condition("augm_iid", label_noise, iid, iid_views=augment.num_views)]
  return [c for c in out if c.name in names]


def points(base: runner.RunSpec, sweep: Sweep) -> list[Point]:
  """The cross product of the swept values (the base values where nothing is swept)."""
  swept: dict[str, tuple] = {"seed": sweep.seeds or (base.data.seed,),
           "bottleneck_dim": sweep.bottleneck_dim or (base.model.bottleneck_dim,),
           "label_noise": sweep.label_noise or (base.data.label_noise,),
           "num_views": sweep.num_views or (base.augment.num_views,),
           "augmentation_strength": sweep.augmentation_strength or (base.augment.strength,),
           "width_multiplier": sweep.width_multiplier or (base.model.width_multiplier,),
           "width": sweep.width or (base.model.width,)}
  return [Point(**dict(zip(swept, values))) for values in itertools.product(*swept.values())]


def _prefix(point: Point, sweep: Sweep) -> list[str]:
  """The directories of a point's seed and architecture (what its controls depend on)."""
  prefix = []
  if sweep.seeds:
    prefix.append(f"seed_{point.seed}")
  if sweep.bottleneck_dim:
    prefix.append(f"projector_{point.bottleneck_dim}")
  if sweep.width_multiplier:
    prefix.append(f"width_multiplier_{point.width_multiplier:g}")
  if sweep.width:
    prefix.append(f"width_{point.width}")
  return prefix


def run_name(condition: Condition, point: Point, sweep: Sweep) -> str:
  """The run's directory under output_dir: only what the run depends on is in the name.

  Clean runs do not depend on the noise or the pool, only pooled runs on the pool size,
  and only augmented runs on the augmentation's strength, so those runs are shared by
  every sweep point that needs them.
  """
  prefix = _prefix(point, sweep)
  name = condition.name
  if sweep.label_noise and condition.name in _NOISY:
    name += f"_noise_{point.label_noise:g}"
  if sweep.num_views and condition.name in POOLED:
    name += f"_views_{point.num_views}"
  if sweep.augmentation_strength and condition.name in AUGMENTED:
    name += f"_strength_{point.augmentation_strength:g}"
  return "/".join(prefix + [name])


def job_name(point: Point, sweep: Sweep) -> str:
  """The job a run belongs to: the directory of its seed and architecture (projector
  width, width or width multiplier) under output_dir (`seed_0`, `seed_0/projector_8`,
  `seed_1/width_multiplier_0.5`), or `all` when none of them is swept.

  A job holds every run of its seed and architecture because those runs share controls
  (the clean run's probe is a control of the others), so jobs never wait on each other.
  """
  return "/".join(_prefix(point, sweep)) or "all"


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
  if sweep.augmentation_strength:
    if any(s < 0 for s in sweep.augmentation_strength):
      raise errors.ConfigError("augmentation strengths must be >= 0")
    if base.augment.name not in STRENGTH_AUGMENTATIONS:
      raise errors.ConfigError(
          f"a strength sweep needs an augmentation that reads the strength "
          f"({', '.join(STRENGTH_AUGMENTATIONS)}); --augmentation={base.augment.name} has none")
  if sweep.width_multiplier:
    if base.model.name not in ("cnn_small", "resnet18"):
      raise errors.ConfigError(f"a width-multiplier sweep needs --model=cnn_small or resnet18 "
                               f"(--model={base.model.name}; mlp sweeps --sweep_width)")
    if any(m <= 0 for m in sweep.width_multiplier):
      raise errors.ConfigError("width multipliers must be > 0")
  if sweep.width:
    if base.model.name != "mlp":
      raise errors.ConfigError(f"a width sweep needs --model=mlp (--model={base.model.name}; "
                               "convolutional models sweep --sweep_width_multiplier)")
    if any(w < 1 for w in sweep.width):
      raise errors.ConfigError("widths must be >= 1")
  if "augm_iid" in names:
    if not base.data.train_size:
      raise errors.ConfigError("augm_iid draws its views from the train split outside the "
                               "training subset: it needs a --train_size smaller than the split")
  if set(names) & set(POOLED) and not any(sweep.num_views or (base.augment.num_views,)):
    raise errors.ConfigError(f"conditions {sorted(set(names) & set(POOLED))} need a pool: "
                             "--num_views >= 1")


def run(base: runner.RunSpec, probe_config: probe_lib.ProbeConfig, probe_every: int = 0,
        strategy: tf.distribute.Strategy | None = None, sweep: Sweep = Sweep(),
        names: Sequence[str] = DEFAULT_CONDITIONS, out: TextIO | None = None,
        only: set[str] | None = None, extend: bool = False,
        fit_threshold: float = constants.FIT_THRESHOLD) -> dict:
  """Runs every condition at every sweep point (resuming any that exist); writes the record.

  extend: train finished runs on to base.train.epochs from their last checkpoints (the
  training-length axis of a study without retraining from scratch).

  only: job names (see jobs()) to train, alone: their runs are trained and recorded, and
  nothing else (no claims, no experiment record; the returned dict lists the runs). Run
  again without it once every job is finished to compute the claims and figures.

  fit_threshold: the memorization gate of the benign claims (the fit of the random labels
  every seed must reach).
  """
  started = time.time()
  validate(base, sweep, names)
  if only is not None:
    unknown = sorted(set(only) - set(jobs(base, sweep)))
    if unknown or not only:
      raise errors.ConfigError(f"unknown jobs {unknown}; choose from {jobs(base, sweep)}")
  if "augm_iid" in names:
    # Not enough same-class images outside the subset is an error of the largest pool,
    # found here rather than after hours of other runs.
    largest = max(sweep.num_views or (base.augment.num_views,))
    for seed in sorted({p.seed for p in points(base, sweep)
                        if only is None or job_name(p, sweep) in only}):
      datasets.load(dataclasses.replace(base.data, seed=seed, iid_views=largest))
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
    group = (point.seed,) + point.architecture()
    augment = dataclasses.replace(base.augment, num_views=point.num_views,
                                  strength=point.augmentation_strength)
    model = dataclasses.replace(base.model, bottleneck_dim=point.bottleneck_dim,
                                width_multiplier=point.width_multiplier, width=point.width)
    at_point = {}
    for condition in conditions(point.label_noise, augment, names):
      name = run_name(condition, point, sweep)
      if name not in records:
        data_config = dataclasses.replace(base.data, label_noise=condition.label_noise,
                                          seed=point.seed, iid_views=condition.iid_views)
        if data_config not in data_cache:
          data_cache[data_config] = datasets.load(data_config)
        spec = dataclasses.replace(
            base, output_dir=os.path.join(base.output_dir, name),
            benchmark=f"benign_memorization/{condition.name}", data=data_config,
            model=model, augment=condition.augment,
            train=dataclasses.replace(base.train, seed=point.seed))
        hook = probe_hook.ProbeHook(probe_config, probe_every, base.train.epochs)
        if group in controls:
          hook.controls = dict(controls[group])
        views = (f"views {condition.iid_views} real images of the same class from outside "
                 "the subset (not augmented)" if condition.iid_views else
                 f"augmentation {condition.augment.name} (strength "
                 f"{condition.augment.strength:g}), views {condition.augment.num_views}, "
                 f"per-view labels {condition.augment.per_view_labels}")
        print(f"== {name}: label noise {condition.label_noise}, {views}, projector "
              f"{point.bottleneck_dim}, width {point.width}, width multiplier "
              f"{point.width_multiplier:g}, seed {point.seed}", file=out, flush=True)
        records[name] = runner.run(spec, strategy=strategy, hooks=[hook],
                                   data=data_cache[data_config], extra_record=hook.add_to_record,
                                   out=out, extend=extend)
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
  claim_lines = check_claims(records, at_points, noisy_controls, fit_threshold)
  claim_lines += trend_claims(records, at_points, sweep)
  figures = write_figures(base.output_dir, records, at_points, sweep, noisy_controls)
  experiment = {
      "schema_version": record.SCHEMA_VERSION, "benchmark": "benign_memorization",
      "status": "complete", "config": base.flags,
      "config_hash": record.config_hash(base.identity()),
      "sweep": dataclasses.asdict(sweep),
      "conditions": run_dirs,
      "descriptions": {c: DESCRIPTIONS[c] for c in CONDITIONS if c in names},
      "figure_files": figures, "metrics": summary_metrics(records),
      "layers": layer_tables(records, noisy_controls), "claims": claim_lines,
      "timing": {"wall_seconds": time.time() - started},
      "environment": record.environment()}
  record.write(base.output_dir, experiment)
  return experiment


def _others(point: Point, sweep: Sweep, *without: str) -> tuple[tuple[str, object], ...]:
  """The swept values of a point other than the seed and `without`, as (name, value)."""
  return tuple((name, getattr(point, name)) for name in _SWEPT_POINT_FIELDS
               if getattr(sweep, name) and name not in without)


_SWEPT_POINT_FIELDS = ("label_noise", "num_views", "augmentation_strength", "bottleneck_dim",
                       "width_multiplier", "width")
_SHORT = {"label_noise": "noise", "num_views": "n", "augmentation_strength": "strength",
          "bottleneck_dim": "projector", "width_multiplier": "width x", "width": "width"}


def _label(values: tuple) -> str:
  return ", ".join(f"{_SHORT[name]} {value:g}" for name, value in values)


def _fit(rec: dict, condition: str) -> float | None:
  """The fit of the labels the run trained on: every (example, view) of a pool against
  its label, else the un-augmented corrupted examples (all examples for clean labels)."""
  key = ("memorization/view_fit" if condition in POOLED else "memorization/train_fit"
         if condition.startswith("clean") else "memorization/fit_corrupted")
  return rec.get("metrics", {}).get(key)


def _encoder_knn(rec: dict) -> float | None:
  probe = rec.get("probe", {})
  if not probe.get("endpoints"):
    return None
  endpoint = claims_lib.encoder_endpoint(probe["endpoints"])
  return probe.get("clean", {}).get(endpoint, {}).get(constants.HEADLINE_KEY)


def trend_claims(records: dict, at_points: list, sweep: Sweep) -> list[dict]:
  """The paper's trend over the pool size: per-view fit falls as n grows, tested across
  seeds at each value of the other swept settings (when per_view ran at 3 or more pool
  sizes: fewer make no trend, and the claim is not reported)."""
  if len(sweep.num_views) < 3:
    return []
  groups: dict[tuple, dict] = {}
  for point, runs in at_points:
    if "per_view" in runs and point.num_views:
      groups.setdefault(_others(point, sweep, "num_views"), {}).setdefault(
          point.num_views, []).append(runs["per_view"])
  lines = []
  for others, by_n in groups.items():
    line = claims_lib.per_view_fit_falls_with_views(
        {n: [records[name] for name in names] for n, names in by_n.items()})
    if others:
      line["claim"] += f" ({_label(others)})"
    lines.append(dict(line, runs=[name for n in sorted(by_n) for name in by_n[n]]))
  return lines


KNN_FIGURE = "knn_by_layer.png"
_MAX_PANELS = 4  # k-NN by layer: beyond this many panels, one figure per panel.
VIEWS_FIGURE = "fit_knn_vs_views.png"
STRENGTH_FIGURE = "fit_knn_vs_strength.png"
CAPACITY_FIGURE = "per_view_fit_capacity_views.png"


def figures(records: dict, at_points: list, sweep: Sweep,
            noisy_controls: dict | None = None) -> dict[str, bytes]:
  """The experiment's figures as PNG bytes, by file name.

  knn_by_layer.png: k-NN (clean-label bank, headline k) by layer per condition with the
  controls (random initialisation, raw pixels), mean and 95% t interval over seeds, a panel per
  combination of the other swept values (noise level...). When n is swept: fit of the
  training labels and encoder k-NN against n per pooled condition; when the strength is
  swept: the same against strength per augmented condition; when n and a capacity
  (width, width multiplier or projector) are swept: per-view (and per-example) fit on a
  capacity x n grid.
  """
  del noisy_controls  # The figures read the clean-label bank; the tables keep the rest.
  key = constants.HEADLINE_KEY
  out = {}
  # k-NN by layer, over seeds.
  panels: dict[str, dict] = {}
  per_panel: dict[tuple, dict[str, dict[str, dict]]] = {}
  for point, runs in at_points:
    lines = per_panel.setdefault(_others(point, sweep), {})
    for condition, name in runs.items():
      rec = records[name]
      probe, controls = rec.get("probe", {}), rec.get("controls", {})
      for label, bank in ((condition, probe.get("clean", {})),
                          ("random init", controls.get("random_init", {}).get("clean", {}))):
        for endpoint in probe.get("endpoints", []):
          value = bank.get(endpoint, {}).get(key)
          # One value per (line, endpoint, seed): runs shared by points count once.
          lines.setdefault(label, {}).setdefault(endpoint, {})[point.seed] = value
      raw = controls.get("raw_pixels", {}).get("clean", {}).get(key)
      for endpoint in probe.get("endpoints", []):
        lines.setdefault("raw pixels (no layers)", {}).setdefault(endpoint, {})[point.seed] = raw
  for others, lines in per_panel.items():
    panel = {}
    for label in [c for c in CONDITIONS if c in lines] + ["random init",
                                                          "raw pixels (no layers)"]:
      by_endpoint = {e: stats.mean_std(list(seeds.values()))
                     for e, seeds in lines.get(label, {}).items()}
      if any(by_endpoint.values()):
        panel[label] = {e: v for e, v in by_endpoint.items() if v is not None}
    if panel:
      panels[_label(others) or "all runs"] = panel
  title = (f"{constants.HEADLINE_K}-NN accuracy by layer (clean-label bank), mean and 95% t "
           "interval over seeds")
  if len(panels) <= _MAX_PANELS:
    if panels:
      out[KNN_FIGURE] = plots.knn_by_layer_over_seeds(panels, k=constants.HEADLINE_K,
                                                      title=title, error="t95")
  else:  # One figure per combination of the other swept values: one row would not fit.
    for panel_name, panel_lines in panels.items():
      slug = "".join(c if c.isalnum() or c in ".-" else "_"
                     for c in panel_name.replace(", ", "_"))
      out[KNN_FIGURE.replace(".png", f"_{slug}.png")] = plots.knn_by_layer_over_seeds(
          {panel_name: panel_lines}, k=constants.HEADLINE_K, title=title, error="t95")

  def against(field: str, conditions_used: Sequence[str]) -> dict:
    fit: dict[str, dict] = {}
    knn: dict[str, dict] = {}
    for point, runs in at_points:
      others = _label(_others(point, sweep, field))
      for condition in conditions_used:
        if condition not in runs:
          continue
        label = f"{condition}, {others}" if others else condition
        rec, x = records[runs[condition]], getattr(point, field)
        fit.setdefault(label, {}).setdefault(x, {})[point.seed] = _fit(rec, condition)
        knn.setdefault(label, {}).setdefault(x, {})[point.seed] = _encoder_knn(rec)
    summarise = lambda lines: {
        label: {x: v for x, seeds in by_x.items()
                if (v := stats.mean_std(list(seeds.values()))) is not None}
        for label, by_x in lines.items()}
    return {"fit of the training labels": summarise(fit),
            f"encoder {constants.HEADLINE_K}-NN (clean-label bank)": summarise(knn)}

  if len(sweep.num_views) > 1:
    out[VIEWS_FIGURE] = plots.sweep_lines(
        against("num_views", POOLED + ("random_augmented", "random_plain")),
        "views per example n", log_x=True,
        title="fit (pooled: every view against its label) and encoder k-NN against n\n"
        "random_augmented (fresh views) and random_plain (none) do not depend on n: flat")
  if len(sweep.augmentation_strength) > 1:
    out[STRENGTH_FIGURE] = plots.sweep_lines(
        against("augmentation_strength",
                [c for c in AUGMENTED if c in _NOISY] + ["clean", "random_plain"]),
        "augmentation strength",
        title="fit of the training labels and encoder k-NN against augmentation strength")
  capacity = next((f for f in ("width", "width_multiplier", "bottleneck_dim")
                   if len(getattr(sweep, f)) > 1), None)
  if capacity and len(sweep.num_views) > 1:
    cells: dict[str, dict] = {}
    for point, runs in at_points:
      for condition in ("per_view", "random_pool"):
        if condition in runs:
          rest = _label(_others(point, sweep, "num_views", capacity))
          cell = (getattr(point, capacity), point.num_views)
          cells.setdefault(f"{condition}, {rest}" if rest else condition, {}).setdefault(
              cell, {})[point.seed] = _fit(records[runs[condition]], condition)
    grid = {}
    for cell_panel, by_cell in cells.items():
      values = {c: v for c, seeds in by_cell.items()
                if (v := stats.mean_std(list(seeds.values()))) is not None}
      grid[cell_panel] = (sorted({r for r, _ in by_cell}), sorted({c for _, c in by_cell}),
                          values)
    if grid:
      out[CAPACITY_FIGURE] = plots.heatmaps(
          grid, _SHORT[capacity].replace(" x", " multiplier"), "views per example n",
          title="malign memorization: fit of the view labels against capacity x n "
          "(mean over seeds)", value_label="fit (every view against its label)")
  return out


def write_figures(output_dir: str, records: dict, at_points: list, sweep: Sweep,
                  noisy_controls: dict | None = None) -> list[str]:
  """Writes figures() as PNG under output_dir/figures and as TensorBoard images under
  output_dir/tensorboard; returns the PNG paths."""
  images = figures(records, at_points, sweep, noisy_controls)
  paths = [plots.write_figure(output_dir, name, png) for name, png in images.items()]
  if images:
    plots.write_summary_images(
        output_dir, {f"benign/{os.path.splitext(n)[0]}": png for n, png in images.items()})
  return paths


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


def check_claims(records: dict, at_points: list, noisy_controls: dict,
                 fit_threshold: float = constants.FIT_THRESHOLD) -> list[dict]:
  """The claims, each tested across the seeds of the sweep points that share every other
  swept value (conditions paired by seed).

  at_points: (Point, {condition: run name}) per sweep point. Each line names under `runs`
  the runs (keys of `records`) it rests on; a line shared by points is kept once.
  """
  groups: dict[tuple, list] = {}
  for point, runs in at_points:
    key = dataclasses.replace(point, seed=0)  # Every swept value but the seed.
    groups.setdefault(key, []).append(runs)
  lines, seen = [], []
  for per_seed in groups.values():
    have = lambda *names: all(n in runs for runs in per_seed for n in names)
    recs = lambda c: [records[runs[c]] for runs in per_seed]
    checks: list[tuple[Callable[[], dict], tuple[str, ...]]] = []
    if have("random_augmented"):
      # The clean-label run, where it ran, adds the secondary clean-bank view.
      clean = recs("clean") if have("clean") else None
      checks.append((functools.partial(
          claims_lib.memorization_in_last_layers, recs("random_augmented"), clean,
          [noisy_controls.get(runs["random_augmented"]) for runs in per_seed],
          fit_threshold=fit_threshold),
                     ("random_augmented", "clean") if clean else ("random_augmented",)))
    if have("random_augmented", "random_plain"):
      checks.append((lambda: claims_lib.features_survive_with_augmentation(
          recs("random_augmented"), recs("random_plain"),
          [r.get("controls", {}).get("random_init") for r in recs("random_augmented")],
          fit_threshold=fit_threshold),
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
