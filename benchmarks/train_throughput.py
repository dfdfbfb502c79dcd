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

import dataclasses
import statistics
import time

from absl import flags
import numpy as np
import tensorflow as tf

from benchmarks import cli
from flags import benchmarking as benchmarking_flags
from flags import data as data_flags
from flags import probing as probing_flags
from flags import synthetic
from flags import training as training_flags
from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.models import flops
from suite.models import zoo
from suite.probing import features as features_lib
from suite.probing import hook as probe_hook
from suite.probing import knn as knn_lib
from suite.probing import probe as probe_lib
from suite.results import tables
from suite.training import loop as loop_lib
from suite.training import precision
from suite.training import runner
from suite.training import trainer as trainer_lib

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


def epoch_seconds(epoch_size: int, batch_size: int, rate: float, start: float) -> float:
  """Seconds of an epoch of `epoch_size` examples: its full batches (the loop drops the
  remainder) at `rate` examples/s, plus `start`, the time to the epoch's first batch."""
  return epoch_size // batch_size * batch_size / rate + start


@dataclasses.dataclass(frozen=True)
class ProbeTiming:
  """One probe's cost at the measured size, split as it scales."""
  examples: int  # Images whose features were extracted.
  feature_seconds: float
  pairs: int  # Bank x query pairs searched (clean, plus noisy leave-one-out).
  knn_seconds: float

  def projected(self, bank: int, queries: int, noise: float, full_bank: bool) -> float:
    """Seconds of one probe with a bank of `bank` training images and `queries` test
    queries, as suite.probing.probe does it: features of the bank and the queries (and of
    the training split again when the bank is `full` and there are random labels), the
    clean search bank x queries and the noisy one bank x corrupted."""
    corrupted = int(round(noise * bank))
    examples = bank + queries + (bank if full_bank and corrupted else 0)
    pairs = bank * queries + bank * corrupted
    return (examples * self.feature_seconds / self.examples +
            pairs * self.knn_seconds / self.pairs)


def time_probe(zoo_model: zoo.ZooModel, data: datasets.Data,
               config: probe_lib.ProbeConfig) -> ProbeTiming:
  """Times what suite.probing.probe does on `data`: features of the training split (the
  bank) and the test split (the queries), then per endpoint the clean search and, where
  labels are random, the noisy leave-one-out search of the corrupted examples."""
  endpoints = config.endpoints or zoo_model.endpoints
  extract = lambda images: features_lib.extract(zoo_model, images, endpoints, config.pooling,
                                                config.batch_size)
  extract(data.train.images[:config.batch_size])  # Traces the feature function.
  start = time.perf_counter()
  bank, queries = extract(data.train.images), extract(data.test.images)
  feature_seconds = time.perf_counter() - start
  corrupted = np.flatnonzero(data.train.corrupted)
  num_classes = data.info.num_classes
  start = time.perf_counter()
  for name in endpoints:
    normalized = knn_lib.l2_normalize(bank[name])
    knn_lib.knn_accuracy(normalized, data.train.clean_labels, knn_lib.l2_normalize(queries[name]),
                         data.test.clean_labels, num_classes, config.knn)
    if len(corrupted):
      knn_lib.knn_accuracy(normalized, data.train.labels, normalized[corrupted],
                           data.train.labels[corrupted], num_classes, config.knn,
                           self_indices=corrupted)
  knn_seconds = time.perf_counter() - start
  return ProbeTiming(examples=len(data.train) + len(data.test), feature_seconds=feature_seconds,
                     pairs=len(data.train) * (len(data.test) + len(corrupted)),
                     knn_seconds=knn_seconds)


def probes_in(epochs: int, every: int) -> int:
  """Probes of a run of `epochs` (suite.probing.hook: every `every` epochs and the last)."""
  if not every:
    return 1
  return epochs // every + (1 if epochs % every else 0)


def _days(seconds: float) -> str:
  return f"{runner.duration(seconds)} ({seconds / 86400:.2f} days)"


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
  epochs = []  # (model, augmentation, rate, epoch start, zoo model) for the projections.
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
      epochs.append((name, aug, rate, statistics.median(starts[aug]), trainer.zoo_model))
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
  for line in projections(data, train_config, epochs):
    print(line)


def projections(data: datasets.Data, train_config: trainer_lib.TrainConfig,
                epochs: list[tuple[str, str, float, float, zoo.ZooModel]]) -> list[str]:
  """The --epoch_size, --time_probe and --project_epochs lines (none without --epoch_size).

  Args:
    data: the measured data.
    train_config: the measured settings (batch size, eval_every).
    epochs: (model, augmentation, median examples/s, median epoch start s, zoo model).

  Returns:
    The lines to print.
  """
  size = benchmarking_flags.EPOCH_SIZE.value
  if not size:
    return []
  policy = precision.mixed_policy_name() if train_config.mixed_precision else "float32"
  xla = "XLA" if train_config.jit_compile else "no XLA"
  lines: list[str] = []
  probes: dict[str, float] = {}  # Projected seconds of one probe, per model.
  image_seconds: dict[str, float] = {}  # Forward pass (eval mode) seconds per image.
  config = probing_flags.probe_config()
  # k capped by the measured bank, as the probe hook does (the cost of k is negligible).
  config = dataclasses.replace(config, knn=dataclasses.replace(
      config.knn, ks=probe_hook.usable_ks(config.knn.ks, len(data.train))))
  noise = float(np.mean(data.train.corrupted)) if len(data.train) else 0.0
  queries, total = benchmarking_flags.PROBE_QUERIES.value, benchmarking_flags.PROJECT_EPOCHS.value
  for name, aug, rate, start, zoo_model in epochs:
    seconds = epoch_seconds(size, train_config.batch_size, rate, start)
    lines.append(f"epoch of {size:,} examples {name} / {aug} ({policy}, {xla}): {seconds:.2f} s "
                 f"({size // train_config.batch_size} steps of {train_config.batch_size} at "
                 f"{rate:,.0f} examples/s + {start:.2f} s epoch start)")
    if benchmarking_flags.TIME_PROBE.value and name not in probes:
      unknown = set(config.endpoints) - set(zoo_model.endpoints)
      if unknown:
        raise errors.ConfigError(f"--probe_endpoints: {sorted(unknown)} are not endpoints of "
                                 f"{name}; it has {', '.join(zoo_model.endpoints)}")
      timing = time_probe(zoo_model, data, config)
      probes[name] = timing.projected(size, queries, noise, config.bank == "full")
      image_seconds[name] = timing.feature_seconds / timing.examples
      lines.append(
          f"probe {name}: {timing.examples:,} images' features in {timing.feature_seconds:.3f} s, "
          f"k-NN of {timing.pairs:,} pairs in {timing.knn_seconds:.3f} s; projected to a "
          f"{config.bank} bank of {size:,}, {queries:,} queries, label noise {noise:g}: "
          f"{probes[name]:.1f} s per probe (rough: scaled from the measured size)")
    if total:
      parts = [f"training {_days(total * seconds)}"]
      wall = total * seconds
      if name in probes:
        count = probes_in(total, probing_flags.PROBE_EVERY.value) + 2  # + the controls.
        evaluations = total // train_config.eval_every + 1
        # An evaluation (fit of the training labels, test accuracy) is a forward pass over
        # the training and test images, as the probe's feature extraction.
        evaluate = evaluations * (size + queries) * image_seconds[name]
        wall += count * probes[name] + evaluate
        parts.append(f"{count} probes (every {probing_flags.PROBE_EVERY.value} epochs, "
                     f"2 for the controls) {_days(count * probes[name])}")
        parts.append(f"{evaluations} evaluations {_days(evaluate)}")
      lines.append(f"projected {total:,} epochs {name} / {aug}: " + ", ".join(parts) +
                   f"; total {_days(wall)}")
  return lines


if __name__ == "__main__":
  cli.run(main)
