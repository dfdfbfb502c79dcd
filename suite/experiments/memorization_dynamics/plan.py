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


"""The plan of the memorization-dynamics experiment: its settings, variants and runs.

Every run is a `job_plan.Job` named by its directory under output_dir, in training order:
the base run of each seed (`seed_0`), every variant for every seed (`dropout_0.5/seed_0`,
`label_noise_0.2/seed_1`, `train_size_500/seed_0`, `depth_3/seed_2`), then the one-epoch
per-example difficulty runs of each data kind (`difficulty/real/seed_3`).
"""

import dataclasses
import functools
import os
from typing import Any, Iterable

from suite import errors
from suite.analysis import declared
from suite.data import datasets
from suite.experiments import job_plan
from suite.measures import sensitivity
from suite.training import run_spec

BENCHMARK = "memorization_dynamics"
# Regularizer name -> (settings section, field) it sets.
REGULARIZERS = {"dropout": ("model", "dropout"), "input_noise": ("train", "input_noise_std"),
                "weight_decay": ("train", "weight_decay"),
                "adversarial": ("train", "adversarial_epsilon")}
# Capacity settings that can be swept, with the models they apply to.
CAPACITIES = {"width": ("mlp",), "depth": ("mlp", "cnn_small"),
              "width_multiplier": ("cnn_small", "resnet18")}
# Data settings that can be swept (DataConfig fields): each variant loads its own data.
DATA_SETTINGS = ("label_noise", "train_size")
DIFFICULTY_DIR = "difficulty"
# Data kind -> the noise settings of its runs (the rest of the data settings are the base's).
DIFFICULTY_KINDS: dict[str, dict[str, Any]] = {
    "real": {"label_noise": 0.0, "input_corruption": "none", "input_corruption_fraction": 1.0},
    "random_labels": {"label_noise": 1.0, "input_corruption": "none",
                      "input_corruption_fraction": 1.0},
    "random_inputs": {"label_noise": 0.0, "input_corruption": "gaussian",
                      "input_corruption_fraction": 1.0}}


@dataclasses.dataclass(frozen=True)
class Variant:
  """A change to the base run: one regularizer, capacity or data setting."""
  kind: str  # A key of REGULARIZERS or CAPACITIES, or one of DATA_SETTINGS.
  value: float

  @property
  def name(self) -> str:
    return f"{self.kind}_{self.value:g}"

  def apply(self, base: run_spec.RunSpec) -> run_spec.RunSpec:
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


@dataclasses.dataclass(frozen=True)
class Settings:
  """The experiment: the base run, the training seeds compared, the variants of the base
  run, the measurements and the per-example difficulty runs (difficulty_runs > 0)."""
  base: run_spec.RunSpec
  seeds: tuple[int, ...]
  variants: tuple[Variant, ...] = ()
  csr_samples: int = 300  # Examples (half clean, half corrupted) for CSR and sensitivity.
  csr: sensitivity.CsrConfig = sensitivity.CsrConfig()
  difficulty_runs: int = 0  # One-epoch runs per data kind; 0: none.
  difficulty_kinds: tuple[str, ...] = tuple(DIFFICULTY_KINDS)
  difficulty_examples: int = 0  # A fixed sample of the training examples; 0: all.


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


def validate(settings: Settings) -> None:
  """ConfigError on settings that cannot make the experiment, before any training."""
  base = settings.base
  if base.data.label_noise == 0 and base.data.input_corruption == "none":
    raise errors.ConfigError("memorization dynamics needs --label_noise > 0 or an "
                             "--input_corruption: there is no noise to compare with")
  if settings.difficulty_runs < 0 or settings.difficulty_examples < 0:
    raise errors.ConfigError("difficulty runs and examples must be >= 0")
  if settings.difficulty_runs:
    check_difficulty_kinds(settings.difficulty_kinds)
  for variant in settings.variants:
    variant.apply(base)  # Bad variants fail first.
  if len({v.name for v in settings.variants}) != len(settings.variants):
    raise errors.ConfigError("variants must be distinct")
  if len(set(settings.seeds)) != len(settings.seeds):
    raise errors.ConfigError("seeds must be distinct")


# Run names: the directories under output_dir, and the job names.
def seed_name(seed: int) -> str:
  return f"seed_{seed}"


def variant_name(variant: Variant, seed: int) -> str:
  return f"{variant.name}/seed_{seed}"


def difficulty_name(kind: str, seed: int) -> str:
  return f"{DIFFICULTY_DIR}/{kind}/seed_{seed}"


def measurement_hooks(data: datasets.Data, csr_samples: int, csr: sensitivity.CsrConfig,
                      seed: int, loss: str) -> list[sensitivity.SensitivityHook]:
  """The measurements of the base runs and the data variants (the package docstring)."""
  return [sensitivity.SensitivityHook(data, csr_samples, csr, seed, loss, equal_sizes=True,
                                      mixed=True, maps=True)]


def difficulty_spec(base: run_spec.RunSpec, kind: str, seed: int) -> run_spec.RunSpec:
  """One run of `kind`: the base settings with that kind's noise, exactly
  DIFFICULTY_EPOCH epochs, the per-example log on, training seed `seed`."""
  data = dataclasses.replace(base.data, **DIFFICULTY_KINDS[kind])
  train = dataclasses.replace(base.train, seed=seed, epochs=declared.DIFFICULTY_EPOCH,
                              track_every=1)
  return dataclasses.replace(
      base, data=data, train=train, benchmark=BENCHMARK,
      output_dir=os.path.join(base.output_dir, difficulty_name(kind, seed)))


def plan(settings: Settings) -> list[job_plan.Job]:
  """Every run of the experiment, in training order (the module docstring).

  Variants run for every seed, each paired in the claims with its seed's base run; the
  base runs and the variants keep the per-example log at every evaluation at least.
  """
  base = settings.base
  train = dataclasses.replace(base.train, track_every=base.train.track_every or 1)
  measured = lambda seed: functools.partial(
      measurement_hooks, csr_samples=settings.csr_samples, csr=settings.csr, seed=seed,
      loss=train.loss)
  jobs = []
  for seed in settings.seeds:
    spec = dataclasses.replace(base, output_dir=os.path.join(base.output_dir, seed_name(seed)),
                               benchmark=BENCHMARK, train=dataclasses.replace(train, seed=seed))
    jobs.append(job_plan.Job(seed_name(seed), spec, f"== training seed {seed}",
                             hooks=measured(seed), preload=True))
  for variant in settings.variants:
    changed = variant.apply(base)
    for seed in settings.seeds:
      name = variant_name(variant, seed)
      spec = dataclasses.replace(
          changed, output_dir=os.path.join(base.output_dir, name), benchmark=BENCHMARK,
          train=dataclasses.replace(changed.train, seed=seed, track_every=train.track_every))
      # Data variants are measured like the base runs; the others keep their data.
      jobs.append(job_plan.Job(name, spec, f"== {variant.name} (training seed {seed})",
                               hooks=measured(seed) if variant.changes_data else None,
                               preload=True))
  if settings.difficulty_runs:
    for kind in check_difficulty_kinds(settings.difficulty_kinds):
      for seed in range(settings.difficulty_runs):
        jobs.append(job_plan.Job(difficulty_name(kind, seed), difficulty_spec(base, kind, seed),
                                 f"== difficulty: {kind}, training seed {seed}"))
  return jobs


def base_value(base: run_spec.RunSpec, kind: str, train_size: int):
  """The base run's value of a swept setting (its training-set size: `train_size`)."""
  if kind == "train_size":
    return train_size
  return getattr(base.data, kind) if kind in DATA_SETTINGS else getattr(base.model, kind)


def sweeps(variant_records: dict, baseline: dict, base: run_spec.RunSpec,
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
      sweep.setdefault(base_value(base, kind, train_size),
                       [baseline[s] for s in seeds])  # One more point.
      out[kind] = sweep
  return out
