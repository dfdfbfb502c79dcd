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
  --sweep_width=64,256,1024 --sweep_depth=1,2,4          (mlp)
  --sweep_width_multiplier=0.25,0.5,1                    (cnn_small, resnet18)
A table of noisy-label fit, validation accuracy and epochs to 95% fit per variant
follows, with a claim per regularizer and per capacity sweep.

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

from absl import flags

from benchmarks import cli
from flags import data as data_flags
from flags import jobs as job_flags
from flags import knn_index
from flags import model_sweeps
from flags import probing as probing_flags
from flags import runs
from flags import training as training_flags
from suite import errors
from suite.experiments import memorization_dynamics
from suite.measures import sensitivity
from suite.results import claims

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (data_flags, probing_flags, knn_index, training_flags, job_flags):
  flags.adopt_module_key_flags(_module)
flags.adopt_module_key_flags(model_sweeps)

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
SWEEP_WIDTH = model_sweeps.SWEEP_WIDTH  # Shared with benign_memorization.
SWEEP_DEPTH = flags.DEFINE_list("sweep_depth", [], "mlp depths to compare.")
SWEEP_WIDTH_MULTIPLIER = model_sweeps.SWEEP_WIDTH_MULTIPLIER
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


def _positive(kind, integer):
  def parse(text):
    value = int(text) if integer else float(text)
    if value <= 0:
      raise ValueError(text)
    return memorization_dynamics.Variant(kind, value)
  return parse


_PARSERS = {"regularizers": _regularizer, "sweep_width": _positive("width", True),
            "sweep_depth": _positive("depth", True),
            "sweep_width_multiplier": _positive("width_multiplier", False)}
_MESSAGES = {"regularizers": "--regularizers must be name:value pairs, name in "
                             + ",".join(memorization_dynamics.REGULARIZERS) + ", value >= 0.",
             "sweep_width": "--sweep_width must be positive integers.",
             "sweep_depth": "--sweep_depth must be positive integers.",
             "sweep_width_multiplier": "--sweep_width_multiplier must be positive numbers."}


def _parses(name, values):
  try:
    for value in values:
      _PARSERS[name](value)
  except ValueError:
    return False
  return True


for _name in _PARSERS:
  flags.register_validator(_name, lambda values, name=_name: _parses(name, values),
                           message=_MESSAGES[_name])


def variants() -> tuple:
  return tuple(_PARSERS[name](v) for name, flag in (
      ("regularizers", REGULARIZERS), ("sweep_width", SWEEP_WIDTH),
      ("sweep_depth", SWEEP_DEPTH), ("sweep_width_multiplier", SWEEP_WIDTH_MULTIPLIER))
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
