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

r"""Training throughput per zoo model, with and without augmentation, against the machine.

  python -m benchmarks.train_throughput --dataset=fashion_mnist --train_size=10000
  python -m benchmarks.train_throughput --synthetic_shape=32,32,3  # 32x32x3, offline
  # Seconds per CIFAR-10 epoch and 10,000 epochs with a probe every 50 (docs/gpu.md):
  python -m benchmarks.train_throughput --synthetic_shape=32,32,3 --models=resnet18 \
      --bottleneck_dim=65536 --augmentations=strong --batch_size=256 --train_size=2560 \
      --epoch_size=50000 --project_epochs=10000 --probe_every=50 --eval_every=50 --time_probe

Prints, per model and augmentation: examples per second of training steps in the steady
state (the steps of an epoch after its first batch, the input pipeline running beside
them), the time a new epoch's input takes to give its first batch, the process CPU seconds
per 1,000 examples of those steps (all threads), analytic training FLOPs
per example, the achieved FLOP rate, that rate as a fraction of this machine's float32
matrix-multiply rate measured in the same run, and each rate over the rate without
augmentation. The augmentations of one model are timed in alternation, `--rounds` times
each, and the median rate is reported, so that the ratios compare like with like on a
shared machine.

With --epoch_size=N it prints the seconds of an epoch of N examples (N // batch steps at
the steady-state rate, plus the epoch start); --time_probe times one k-NN probe of each
model as suite.probing.probe runs it (feature extraction, then the clean and, with label
noise, the noisy-label search) on the measured data and projects it to a bank of N and
--probe_queries queries (features linear in examples, the exact search linear in
bank x query pairs); --project_epochs=E adds the wall time of E epochs with a probe every
--probe_every epochs (plus two for the controls) and the evaluation every --eval_every.
The projections are estimates from a short measurement, not a run.
"""

from absl import flags

from benchmarks import cli
from flags import benchmarking as benchmarking_flags
from flags import data as data_flags
from flags import probing as probing_flags
from flags import synthetic
from flags import training as training_flags
from suite import errors
from suite.data import augmentation
from suite.experiments import throughput
from suite.models import zoo

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (benchmarking_flags, data_flags, training_flags, probing_flags):
  flags.adopt_module_key_flags(_module)

MODELS = flags.DEFINE_list("models", list(zoo.MODELS), "Zoo models to measure.")
AUGMENTATIONS = flags.DEFINE_list("augmentations", ["none", "strong"], "Augmentations to compare.")
MATMUL_SIZE = flags.DEFINE_integer("matmul_size", 2048, "Square matmul size for the peak rate.",
                                   lower_bound=64)
ROUNDS = flags.DEFINE_integer("rounds", 1, "Timed epochs per (model, augmentation), in "
                              "alternation; the median rate is reported.", lower_bound=1)


@flags.validator("models", message=f"--models must name zoo models: {', '.join(zoo.MODELS)}.")
def _check_models(values):
  return bool(values) and all(v in zoo.MODELS for v in values)


@flags.validator("augmentations", message="--augmentations must name augmentations: "
                 f"{', '.join(augmentation.AUGMENTATIONS)}.")
def _check_augmentations(values):
  return bool(values) and all(v in augmentation.AUGMENTATIONS for v in values)


def main(argv):
  del argv
  train_config = training_flags.train_config(data_flags.SEED.value)
  data = synthetic.load()
  if train_config.batch_size > len(data.train):
    raise errors.ConfigError(f"--batch_size={train_config.batch_size} exceeds the "
                             f"{len(data.train)} training examples")
  per_epoch = len(data.train) // train_config.batch_size
  steps = min(benchmarking_flags.TIMED_STEPS.value, per_epoch - 1)
  if steps < 1:
    raise errors.ConfigError(
        f"--batch_size={train_config.batch_size} leaves {per_epoch} batch per epoch of the "
        f"{len(data.train)} training examples; timing needs two (an untimed first step, then "
        "timed ones): lower --batch_size or raise --train_size")
  if steps < benchmarking_flags.TIMED_STEPS.value:
    print(f"timing {steps} steps per round, not --timed_steps="
          f"{benchmarking_flags.TIMED_STEPS.value}: an epoch has {per_epoch} batches")
  peak = throughput.matmul_rate(MATMUL_SIZE.value)
  print(data.info.summary())
  print(f"float32 matmul {MATMUL_SIZE.value}x{MATMUL_SIZE.value}: {peak / 1e9:,.1f} GFLOP/s")
  table, ratios, measured = throughput.measure(
      data, training_flags.model_config(), train_config, tuple(MODELS.value),
      tuple(AUGMENTATIONS.value), ROUNDS.value, steps, peak)
  print(table)
  for line in ratios + throughput.projections(data, train_config, measured,
                                              benchmarking_flags.projection(),
                                              probing_flags.probe_config()):
    print(line)


if __name__ == "__main__":
  cli.run(main)
