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

"""Flags of the benign-memorization experiment (benchmarks.benign_memorization): the
conditions, the sweeps and the memorization gate; turned into the library's arguments
here."""

from absl import flags

from flags import probing as probing_flags
from flags import sweeps as sweep_flags
from flags import training as training_flags
from suite import constants
from suite.experiments import benign_memorization
from suite.training import run_spec

CONDITIONS = flags.DEFINE_list(
    "conditions", list(benign_memorization.DEFAULT_CONDITIONS),
    "Conditions to train (the pooled ones only with a pool; augm_iid only when named, with "
    "a pool and a --train_size below the split's size); claims are checked where their "
    "conditions ran.")
SWEEP_LABEL_NOISE = sweep_flags.SWEEP_LABEL_NOISE  # Shared with memorization_dynamics.
SWEEP_NUM_VIEWS = flags.DEFINE_list("sweep_num_views", [],
                                    "Pool sizes n to sweep (replaces --num_views).")
SWEEP_BOTTLENECK_DIM = flags.DEFINE_list(
    "sweep_bottleneck_dim", [], "Projector widths to sweep (replaces --bottleneck_dim).")
SWEEP_SEED = flags.DEFINE_list(
    "sweep_seed", [], "Seeds to repeat everything with (replaces --seed: data subset, noise, "
    "views and initialisation).")
SWEEP_AUGMENTATION_STRENGTH = flags.DEFINE_list(
    "sweep_augmentation_strength", [],
    "Augmentation strengths to sweep (--augmentation=randaugment; replaces its strength); "
    "only the runs that augment depend on it.")
SWEEP_WIDTH_MULTIPLIER = sweep_flags.SWEEP_WIDTH_MULTIPLIER  # Shared with memorization_dynamics.
SWEEP_WIDTH = sweep_flags.SWEEP_WIDTH
MEMORIZATION_GATE = flags.DEFINE_float(
    "memorization_gate", constants.FIT_THRESHOLD,
    "The fit of the random labels every seed must reach for the benign claims to be tested "
    "(a pre-registered experiment declares its own).", lower_bound=0.0, upper_bound=1.0)

# This experiment's defaults for shared flags (random labels, strong augmentation): applied
# in main() to the flags not given, so they are recorded as used.
EXPERIMENT_DEFAULTS = {"label_noise": 1.0, "augmentation": "strong"}


def _numbers(values, kind):
  try:
    return tuple(kind(v) for v in values)
  except ValueError:
    return None


for _name, _kind in (("sweep_label_noise", float), ("sweep_num_views", int),
                     ("sweep_bottleneck_dim", int), ("sweep_seed", int),
                     ("sweep_augmentation_strength", float), ("sweep_width_multiplier", float),
                     ("sweep_width", int)):
  flags.register_validator(
      _name, lambda values, kind=_kind: _numbers(values, kind) is not None and
      len(set(values)) == len(values),
      message=f"--{_name} must be a list of distinct {_kind.__name__} values.")


@flags.validator("conditions", message="--conditions must name conditions of the comparison: "
                 + ",".join(benign_memorization.CONDITIONS))
def _check_conditions(values):
  return bool(values) and set(values) <= set(benign_memorization.CONDITIONS)


def settings(spec: run_spec.RunSpec) -> benign_memorization.Settings:
  """The experiment the flags ask for, around the base run `spec`."""
  plan = sweep()
  pool = bool(spec.augment.num_views or any(plan.num_views))
  return benign_memorization.Settings(
      spec, probing_flags.probe_config(), probing_flags.PROBE_EVERY.value, sweep=plan,
      names=conditions(pool), extend=training_flags.EXTEND.value,
      fit_threshold=MEMORIZATION_GATE.value)


def sweep() -> benign_memorization.Sweep:
  return benign_memorization.Sweep(
      label_noise=_numbers(SWEEP_LABEL_NOISE.value, float),
      num_views=_numbers(SWEEP_NUM_VIEWS.value, int),
      bottleneck_dim=_numbers(SWEEP_BOTTLENECK_DIM.value, int),
      seeds=_numbers(SWEEP_SEED.value, int),
      augmentation_strength=_numbers(SWEEP_AUGMENTATION_STRENGTH.value, float),
      width_multiplier=_numbers(SWEEP_WIDTH_MULTIPLIER.value, float),
      width=_numbers(SWEEP_WIDTH.value, int))


def conditions(pool: bool) -> tuple[str, ...]:
  """The asked conditions; by default without the pooled ones when there is no pool."""
  names = tuple(CONDITIONS.value)
  if flags.FLAGS["conditions"].using_default_value and not pool:
    names = tuple(n for n in names if n not in benign_memorization.POOLED)
    print(f"no pool of views (--num_views=0): running {', '.join(names)}; "
          "--num_views=n adds the pooled conditions")
  return names
