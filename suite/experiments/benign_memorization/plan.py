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


"""The plan of the benign-memorization experiment: its conditions, sweep points and runs.

Every run is a `job_plan.Job` named by its directory under output_dir, trained once
however many sweep points need it; its job (--only) is the directory of its seed and
architecture (`job_name`), whose runs share controls.
"""

from collections.abc import Sequence
import dataclasses
import functools
import itertools
import os

from suite import constants
from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.experiments import job_plan
from suite.probing import hook as probe_hook
from suite.probing import probe as probe_lib
from suite.training import run_spec

BENCHMARK = "benign_memorization"
CONDITIONS = ("clean", "clean_plain", "random_plain", "random_augmented", "random_pool",
              "per_view", "augm_iid")
# Run when no condition is named: augm_iid needs a training subset smaller than the split.
DEFAULT_CONDITIONS = CONDITIONS[:-1]
NOISY = ("random_plain", "random_augmented", "random_pool", "per_view", "augm_iid")
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


def points(base: run_spec.RunSpec, sweep: Sweep) -> list[Point]:
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
  if sweep.label_noise and condition.name in NOISY:
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


def validate(base: run_spec.RunSpec, sweep: Sweep, names: Sequence[str]) -> None:
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




@dataclasses.dataclass(frozen=True)
class Settings:
  """The experiment: the base run, its probe, the sweep and the conditions trained.

  extend: train finished runs on to base.train.epochs from their last checkpoints (the
  training-length axis of a study without retraining from scratch). fit_threshold: the
  memorization gate of the benign claims (the fit of the random labels every seed must
  reach).
  """
  base: run_spec.RunSpec
  probe_config: probe_lib.ProbeConfig = probe_lib.ProbeConfig()
  probe_every: int = 0
  sweep: Sweep = Sweep()
  names: tuple[str, ...] = DEFAULT_CONDITIONS
  extend: bool = False
  fit_threshold: float = constants.FIT_THRESHOLD


def probe_hooks(data: datasets.Data, config: probe_lib.ProbeConfig, every: int,
                last_epoch: int) -> list[probe_hook.ProbeHook]:
  """Every run's k-NN probe (its controls come from the first run of its job)."""
  del data  # The hook reads the run's data from the training state.
  return [probe_hook.ProbeHook(config, every, last_epoch)]


def condition_of(job: job_plan.Job) -> str:
  """The condition a run of the plan trains (its benchmark is benign_memorization/<c>)."""
  return job.spec.benchmark.rsplit("/", 1)[1]


def layout(settings: Settings) -> list[tuple[Point, dict[str, job_plan.Job]]]:
  """Per sweep point, in order: {condition: its run}; runs shared by points appear at
  every point that needs them (the same Job)."""
  base, sweep = settings.base, settings.sweep
  hooks = functools.partial(probe_hooks, config=settings.probe_config,
                            every=settings.probe_every, last_epoch=base.train.epochs)
  out = []
  runs: dict[str, job_plan.Job] = {}
  for point in points(base, sweep):
    augment = dataclasses.replace(base.augment, num_views=point.num_views,
                                  strength=point.augmentation_strength)
    model = dataclasses.replace(base.model, bottleneck_dim=point.bottleneck_dim,
                                width_multiplier=point.width_multiplier, width=point.width)
    at_point = {}
    for condition in conditions(point.label_noise, augment, settings.names):
      name = run_name(condition, point, sweep)
      if name not in runs:  # The first point that needs a shared run defines it.
        data_config = dataclasses.replace(base.data, label_noise=condition.label_noise,
                                          seed=point.seed, iid_views=condition.iid_views)
        spec = dataclasses.replace(
            base, output_dir=os.path.join(base.output_dir, name),
            benchmark=f"{BENCHMARK}/{condition.name}", data=data_config, model=model,
            augment=condition.augment, train=dataclasses.replace(base.train, seed=point.seed))
        views = (f"views {condition.iid_views} real images of the same class from outside "
                 "the subset (not augmented)" if condition.iid_views else
                 f"augmentation {condition.augment.name} (strength "
                 f"{condition.augment.strength:g}), views {condition.augment.num_views}, "
                 f"per-view labels {condition.augment.per_view_labels}")
        banner = (f"== {name}: label noise {condition.label_noise}, {views}, projector "
                  f"{point.bottleneck_dim}, width {point.width}, width multiplier "
                  f"{point.width_multiplier:g}, seed {point.seed}")
        runs[name] = job_plan.Job(name, spec, banner, group=job_name(point, sweep),
                                  hooks=hooks)
      at_point[condition.name] = runs[name]
    out.append((point, at_point))
  return out


def plan(settings: Settings) -> list[job_plan.Job]:
  """Every run of the experiment, once, in training order (point by point)."""
  return list({job.name: job for _, at_point in layout(settings)
               for job in at_point.values()}.values())


def jobs(settings: Settings) -> list[str]:
  """The job names of run(..., only=...) (--list_jobs), in the order run() trains them."""
  return job_plan.job_names(plan(settings))


# Labels of the swept values, for claims and figures.
SWEPT_POINT_FIELDS = ("label_noise", "num_views", "augmentation_strength", "bottleneck_dim",
                      "width_multiplier", "width")
SHORT = {"label_noise": "noise", "num_views": "n", "augmentation_strength": "strength",
         "bottleneck_dim": "projector", "width_multiplier": "width x", "width": "width"}


def others(point: Point, sweep: Sweep, *without: str) -> tuple[tuple[str, object], ...]:
  """The swept values of a point other than the seed and `without`, as (name, value)."""
  return tuple((name, getattr(point, name)) for name in SWEPT_POINT_FIELDS
               if getattr(sweep, name) and name not in without)


def label(values: tuple) -> str:
  return ", ".join(f"{SHORT[name]} {value:g}" for name, value in values)
