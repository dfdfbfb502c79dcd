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

"""Flags of the memorization-dynamics experiment (benchmarks.memorization_dynamics):
training seeds, CSR search, regularizer and capacity variants, noise-level and data-size
sweeps, per-example difficulty runs; turned into the library's arguments here."""

import math

from absl import flags

from flags import sweeps as sweep_flags
from suite import errors
from suite.experiments import memorization_dynamics
from suite.measures import sensitivity
from suite.training import run_spec

SEEDS = flags.DEFINE_list("seeds", ["0", "1"], "Training seeds (data and noise stay fixed).")
CSR_SAMPLES = flags.DEFINE_integer("csr_samples", 300, "Examples (half clean, half corrupted) "
                                   "for CSR and loss sensitivity.", lower_bound=2)
CSR_RADIUS = flags.DEFINE_float("csr_radius", 0.3 / 255, "L-inf radius of the search.", lower_bound=0)
CSR_STEP = flags.DEFINE_float("csr_step", 0.25 / 255, "Signed-gradient step.", lower_bound=0)
CSR_NOISE = flags.DEFINE_float("csr_noise", 0.2 / 255, "Langevin noise scale.", lower_bound=0)
CSR_ITERATIONS = flags.DEFINE_integer("csr_iterations", 100, "Search steps.", lower_bound=1)

REGULARIZERS = flags.DEFINE_list(
    "regularizers", [], "Regularizer variants as name:value, name in "
    + ",".join(memorization_dynamics.REGULARIZERS) + " (adversarial: FGSM radius).")
SWEEP_WIDTH = sweep_flags.SWEEP_WIDTH  # Shared with benign_memorization.
SWEEP_DEPTH = flags.DEFINE_list("sweep_depth", [], "Depths to compare (mlp: hidden layers; "
                                "cnn_small: conv modules).")
SWEEP_WIDTH_MULTIPLIER = sweep_flags.SWEEP_WIDTH_MULTIPLIER
# --sweep_label_noise (flags.sweeps, shared with benign_memorization): label-noise levels in
# [0, 1] to compare, each a run per seed, the base level one more point.
SWEEP_LABEL_NOISE = sweep_flags.SWEEP_LABEL_NOISE
SWEEP_TRAIN_SIZE = flags.DEFINE_list(
    "sweep_train_size", [], "Training-set sizes to compare (each a run per seed, the base "
    "size one more point).")
DIFFICULTY_RUNS = flags.DEFINE_integer(
    "difficulty_runs", 0, "One-epoch runs per data kind for per-example difficulty "
    "(Arpit et al. Fig. 1); 0: off. At least 3 for a test, 10 or more for power.",
    lower_bound=0)
DIFFICULTY_DATA = flags.DEFINE_list(
    "difficulty_data", list(memorization_dynamics.DIFFICULTY_KINDS),
    "Data kinds of the difficulty runs: real and at least one of random_labels, "
    "random_inputs.")
DIFFICULTY_EXAMPLES = flags.DEFINE_integer(
    "difficulty_examples", 0, "Training examples (a fixed sample, keyed by --seed) the "
    "difficulty statistic and figure read; 0: all.", lower_bound=0)

# This experiment's defaults for shared flags (half the labels random): applied by the
# binary to the flags not given, so they are recorded as used; importing changes nothing.
EXPERIMENT_DEFAULTS = {"label_noise": 0.5}


def _regularizer(text):
  name, _, value = text.partition(":")
  if name not in memorization_dynamics.REGULARIZERS:
    raise ValueError(name)
  value = float(value)
  if value < 0:
    raise ValueError(value)
  return memorization_dynamics.Variant(name, value)


def _positive(kind, integer, most=None):
  def parse(text):
    value = int(text) if integer else float(text)
    # A noise level may be 0 (clean data: one more point of the curve); sizes may not.
    # Written so that NaN fails every comparison and is refused.
    low = value >= 0 if most is not None else value > 0
    if not (low and math.isfinite(value) and (most is None or value <= most)):
      raise ValueError(text)
    return memorization_dynamics.Variant(kind, value)
  return parse


_PARSERS = {"regularizers": _regularizer, "sweep_width": _positive("width", True),
            "sweep_depth": _positive("depth", True),
            "sweep_width_multiplier": _positive("width_multiplier", False),
            "sweep_label_noise": _positive("label_noise", False, most=1.0),
            "sweep_train_size": _positive("train_size", True)}
_MESSAGES = {"regularizers": "--regularizers must be name:value pairs, name in "
                             + ",".join(memorization_dynamics.REGULARIZERS) + ", value >= 0.",
             "sweep_width": "--sweep_width must be positive integers.",
             "sweep_depth": "--sweep_depth must be positive integers.",
             "sweep_width_multiplier": "--sweep_width_multiplier must be positive numbers.",
             "sweep_label_noise": "--sweep_label_noise must be numbers in [0, 1].",
             "sweep_train_size": "--sweep_train_size must be positive integers."}


def _parses(name, values):
  try:
    for value in values:
      _PARSERS[name](value)
  except ValueError:
    return False
  return True


# --sweep_label_noise is shared with benign_memorization (whose tests import both binaries
# in one process): checked in variants() instead, so this range never applies to it.
for _name in sorted(set(_PARSERS) - {"sweep_label_noise"}):
  flags.register_validator(_name, lambda values, name=_name: _parses(name, values),
                           message=_MESSAGES[_name])


def variants() -> tuple[memorization_dynamics.Variant, ...]:
  """The variants the flags ask for; ConfigError on a bad --sweep_label_noise."""
  if not _parses("sweep_label_noise", SWEEP_LABEL_NOISE.value):
    raise errors.ConfigError(_MESSAGES["sweep_label_noise"])
  return tuple(_PARSERS[name](v) for name, flag in (
      ("regularizers", REGULARIZERS), ("sweep_width", SWEEP_WIDTH),
      ("sweep_depth", SWEEP_DEPTH), ("sweep_width_multiplier", SWEEP_WIDTH_MULTIPLIER),
      ("sweep_label_noise", SWEEP_LABEL_NOISE), ("sweep_train_size", SWEEP_TRAIN_SIZE))
      for v in flag.value)


@flags.validator("difficulty_data", message="--difficulty_data must name real and at least "
                 "one of random_labels, random_inputs.")
def _check_difficulty_data(values):
  try:
    memorization_dynamics.check_difficulty_kinds(values)
  except errors.ConfigError:
    return False
  return True


@flags.validator("seeds", message="--seeds must be non-negative integers.")
def _check_seeds(values):
  return bool(values) and all(v.isdigit() for v in values)


def seeds() -> list[int]:
  """The training seeds (--seeds)."""
  return [int(s) for s in SEEDS.value]


def settings(spec: run_spec.RunSpec) -> memorization_dynamics.Settings:
  """The experiment the flags ask for, around the base run `spec`."""
  return memorization_dynamics.Settings(
      spec, tuple(seeds()), variants(), CSR_SAMPLES.value, csr_config(),
      difficulty_runs=DIFFICULTY_RUNS.value, difficulty_kinds=tuple(DIFFICULTY_DATA.value),
      difficulty_examples=DIFFICULTY_EXAMPLES.value)


def csr_config() -> sensitivity.CsrConfig:
  """The critical-sample-ratio search (--csr_radius, --csr_step, --csr_noise,
  --csr_iterations)."""
  return sensitivity.CsrConfig(radius=CSR_RADIUS.value, step=CSR_STEP.value,
                               noise=CSR_NOISE.value, iterations=CSR_ITERATIONS.value)
