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

r"""Memorization dynamics (Arpit et al.): noise fitted after real data, per example.

  python -m benchmarks.memorization_dynamics --dataset=fashion_mnist --train_size=1000 \
      --label_noise=0.5 --model=mlp --epochs=60 --batch_size=32 --seeds=0,1,2 \
      --validation_size=1000 --output_dir=/tmp/runs/dynamics

Noise kinds: --label_noise (random labels) and --input_corruption={random_pixels,
shuffled_pixels,gaussian} with --input_corruption_fraction. Data and noise are fixed
by --seed; --seeds are the training seeds compared.

Regularizers and capacity, in the same command, as variants of the first seed's run:
  --regularizers=dropout:0.5,input_noise:0.1,weight_decay:0.001,adversarial:0.03
  --sweep_width=64,256,1024                              (mlp)
  --sweep_depth=1,2,4          (mlp: hidden layers; cnn_small: conv modules)
  --sweep_width_multiplier=0.25,0.5,1                    (cnn_small, resnet18)
Noise level and data size (Arpit et al. Figs. on epochs to fit), data fixed by --seed:
  --sweep_label_noise=0.2,0.4,0.8 --sweep_train_size=500,2000
A table of noisy-label fit, validation accuracy and epochs to 95% fit per variant
follows, with a claim per regularizer and per sweep (capacity: epochs to fit the noise;
depth: validation not worse, the brief's hypothesis; noise level: epochs to fit the
training set and Gini of loss sensitivity; data size: noise fitted later relative to real
data), each run's early-stopping numbers (fit of the noise at the best-validation epoch,
test accuracy there and at the end) and figures under <output_dir>/figures:
dynamics, epochs_to_fit, gini_by_noise, sensitivity_per_class, loss_trajectories.

Per-example difficulty as Arpit et al. (Fig. 1), in the same command:
  --difficulty_runs=100 --difficulty_data=real,random_labels,random_inputs
trains, per data kind, that many runs of exactly one epoch (training seeds 0..N-1, data
and noise fixed by --seed) under <output_dir>/difficulty/<kind>/seed_<s>, and tests
whether the examples misclassified after epoch 1 are more consistent across runs on real
data than on random labels (primary) and random inputs (secondary); figure:
<output_dir>/figures/difficulty_epoch1.png. --difficulty_examples=1000 reads a fixed
sample of the training examples (0: all).

Scaling out: --list_jobs prints one command per job (these flags plus --only=<job>, a
job being one run directory: `seed_0`, `dropout_0.5/seed_1`, `difficulty/real/seed_3`);
run them anywhere that sees --output_dir (a bucket path works), then the same command
without --only: it trains nothing and computes the claims and figures.
"""

import math

from absl import flags

from benchmarks import cli
from flags import data as data_flags
from flags import jobs as job_flags
from flags import knn_index
from flags import probing as probing_flags
from flags import runs
from flags import sweeps as sweep_flags
from flags import training as training_flags
from suite import errors
from suite.experiments import memorization_dynamics
from suite.measures import sensitivity
from suite.results import claims

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (data_flags, probing_flags, knn_index, training_flags, job_flags, sweep_flags):
  flags.adopt_module_key_flags(_module)

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

# This experiment's defaults for shared flags (half the labels random (--label_noise=0.5)): applied in main() to
# the flags not given, so they are recorded as used; importing the module changes nothing.
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


def variants() -> tuple:
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


def apply_defaults() -> None:
  """Sets each flag of EXPERIMENT_DEFAULTS that was not given (command line, flagfile or
  a test's flagsaver) to the experiment's default, through the validators."""
  for name, value in EXPERIMENT_DEFAULTS.items():
    if flags.FLAGS[name].using_default_value:
      setattr(flags.FLAGS, name, value)


def main(argv):
  del argv
  apply_defaults()
  csr = sensitivity.CsrConfig(radius=CSR_RADIUS.value, step=CSR_STEP.value,
                              noise=CSR_NOISE.value, iterations=CSR_ITERATIONS.value)
  chosen = variants()
  seeds = [int(s) for s in SEEDS.value]
  spec = runs.run_spec("memorization_dynamics")
  if job_flags.LIST_JOBS.value:
    job_flags.print_commands("benchmarks.memorization_dynamics", memorization_dynamics.jobs(
        seeds, chosen, DIFFICULTY_RUNS.value, DIFFICULTY_DATA.value))
    return
  experiment = memorization_dynamics.run(
      spec, seeds, CSR_SAMPLES.value,
      csr, strategy=training_flags.make_strategy(), variants=chosen,
      difficulty_runs=DIFFICULTY_RUNS.value, difficulty_kinds=DIFFICULTY_DATA.value,
      difficulty_examples=DIFFICULTY_EXAMPLES.value, only=job_flags.only())
  if job_flags.ONLY.value is not None:
    print(f"trained {', '.join(experiment['conditions'])}; rerun without --only once every "
          "job is done to compute the claims")
    return
  variant_names = {"baseline"} | {v.name for v in chosen}
  for key, value in experiment["metrics"].items():
    if key.split("/")[0] in variant_names:
      continue  # In the variants table below.
    print(f"{key:<55} {value:.4f}" if isinstance(value, float) else f"{key:<55} {value}")
  if chosen:
    print(memorization_dynamics.variants_table(experiment))
  print("claims:")
  print(claims.format_lines(experiment["claims"]))


if __name__ == "__main__":
  cli.run(main)
