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

Prints, per model and augmentation: examples per second of training steps in the steady
state (the steps of an epoch after its first batch, the input pipeline running beside
them), the time a new epoch's input takes to give its first batch, the process CPU seconds
per 1,000 examples of those steps (all threads), analytic training FLOPs
per example, the achieved FLOP rate, that rate as a fraction of this machine's float32
matrix-multiply rate measured in the same run, and each rate over the rate without
augmentation. The augmentations of one model are timed in alternation, `--rounds` times
each, and the median rate is reported, so that the ratios compare like with like on a
shared machine.
"""

import statistics
import time

from absl import flags
import tensorflow as tf

from benchmarks import cli
from flags import benchmarking as benchmarking_flags
from flags import data as data_flags
from flags import synthetic
from flags import training as training_flags
from suite import errors
from suite.data import augmentation
from suite.models import flops
from suite.models import zoo
from suite.results import tables
from suite.training import loop as loop_lib
from suite.training import trainer as trainer_lib

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (benchmarking_flags, data_flags, training_flags):
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


def matmul_rate(size: int, seconds: float = 3.0) -> float:
  """Measured float32 matmul FLOP/s of the default device."""
  a = tf.random.stateless_normal([size, size], seed=[1, 2])
  b = tf.random.stateless_normal([size, size], seed=[3, 4])
  product = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
  product(a, b).numpy()
  count, start = 0, time.perf_counter()
  while time.perf_counter() - start < seconds:
    product(a, b).numpy()
    count += 1
  return 2 * size**3 * count / (time.perf_counter() - start)


def time_steps(trainer: trainer_lib.Trainer, epoch: int,
               steps: int) -> tuple[float, float, float]:
  """Seconds to the first batch of `epoch`'s input, then examples/s and process CPU seconds
  per 1,000 examples (all threads: the steps and the input pipeline beside them) of the
  `steps` steps after it.

  The first step of the epoch runs untimed; the input pipeline prefetches beside the steps,
  as in training. The host reads the step's sums once, at the end.
  """
  loop = trainer.loop
  start = time.perf_counter()
  batches = iter(loop.epoch_input(epoch - 1))
  batch = next(batches)
  first = time.perf_counter() - start
  sums = loop.step(batch, loop_lib.initial_sums(trainer.strategy))
  sums[0].numpy()
  start, cpu_start = time.perf_counter(), time.process_time()
  for _ in range(steps):
    sums = loop.step(next(batches), sums)
  sums[0].numpy()
  examples = steps * trainer.config.batch_size
  return (first, examples / (time.perf_counter() - start),
          1000 * (time.process_time() - cpu_start) / examples)


def main(argv):
  del argv
  base_model = training_flags.model_config()
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
  peak = matmul_rate(MATMUL_SIZE.value)
  print(data.info.summary())
  print(f"float32 matmul {MATMUL_SIZE.value}x{MATMUL_SIZE.value}: {peak / 1e9:,.1f} GFLOP/s")
  headers = ["model", "augmentation", "params", "train MFLOP/ex", "examples/s", "GFLOP/s",
             "of matmul", "epoch start s", "CPU s/1k ex", "vs none"]
  rows = []
  ratios = []
  for name in MODELS.value:
    model_config = zoo.ModelConfig(**dict(base_model.__dict__, name=name))
    trainers = {}
    for aug in AUGMENTATIONS.value:
      trainers[aug] = trainer_lib.Trainer(None, data, model_config,
                                          augmentation.AugmentConfig(name=aug), train_config)
      trainers[aug].train_epoch(1, max_steps=2)  # Traces the step and the input functions.
    rates = {aug: [] for aug in trainers}
    starts = {aug: [] for aug in trainers}
    cpu = {aug: [] for aug in trainers}
    for round_index in range(ROUNDS.value):
      for aug, trainer in trainers.items():
        first, rate, cpu_seconds = time_steps(trainer, 2 + round_index, steps)
        starts[aug].append(first)
        cpu[aug].append(cpu_seconds)
        rates[aug].append(rate)
    for aug, trainer in trainers.items():
      rate = statistics.median(rates[aug])
      per_example = flops.training_flops(trainer.model)
      achieved = rate * per_example
      versus = "-"
      if "none" in rates:
        ratio = rate / statistics.median(rates["none"])
        versus = f"{ratio:.2f}"
        if aug != "none":
          ratios.append((name, aug, ratio))
      print(f"measured {name} / {aug}: {rate:,.0f} examples/s", flush=True)  # Progress.
      rows.append([name, aug, f"{trainer.model.count_params():,}", f"{per_example / 1e6:,.2f}",
                   f"{rate:,.0f}", f"{achieved / 1e9:,.2f}", f"{achieved / peak:.1%}",
                   f"{statistics.median(starts[aug]):.2f}", f"{statistics.median(cpu[aug]):.3f}",
                   versus])
  print(tables.format_table(headers, rows))
  for name, aug, ratio in ratios:
    print(f"ratio {name} {aug}/none: {ratio:.3f} ({1 - ratio:.1%} of examples/s lost)")


if __name__ == "__main__":
  cli.run(main)
