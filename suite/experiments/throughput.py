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

"""Training throughput: examples/s of the training step per model and augmentation, the
machine's matmul rate, and epoch and probe times projected to a larger run.

What `benchmarks.train_throughput` prints, as plain functions of data and configs. The
augmentations of one model are timed in alternation, `rounds` times each, and the median
rate is reported, so that ratios compare like with like on a shared machine. The
projections are estimates from a short measurement, not a run.
"""

import dataclasses
import statistics
import time
from typing import TextIO

import numpy as np
import tensorflow as tf

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
from suite.training import trainer as trainer_lib


@dataclasses.dataclass(frozen=True)
class Measured:
  """One (model, augmentation): its median steady-state rate and epoch start."""
  model: str
  augmentation: str
  rate: float  # Examples/s.
  start: float  # Seconds to the first batch of an epoch.
  zoo_model: zoo.ZooModel


@dataclasses.dataclass(frozen=True)
class Projection:
  """What to project a measurement to (epoch_size 0: nothing)."""
  epoch_size: int = 0
  probe_queries: int = 10_000
  epochs: int = 0  # Total epochs of the projected run (0: no run total).
  probe_every: int = 0
  time_probe: bool = False


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


def days(seconds: float) -> str:
  """A duration, and in days."""
  return f"{tables.duration(seconds)} ({seconds / 86400:.2f} days)"


def measure(data: datasets.Data, base_model: zoo.ModelConfig,
            train_config: trainer_lib.TrainConfig, models: tuple[str, ...],
            augmentations: tuple[str, ...], rounds: int, steps: int, peak: float,
            out: TextIO | None = None) -> tuple[str, list[str], list[Measured]]:
  """Times every model under every augmentation (in alternation, `rounds` times each).

  Args:
    data: the data to train on.
    base_model: model settings shared by the models (the name is replaced).
    train_config: training settings (batch size, precision...).
    models: zoo model names.
    augmentations: augmentation names; "none" among them gives the ratios.
    rounds: timed epochs per (model, augmentation).
    steps: timed steps per round.
    peak: the machine's float32 matmul FLOP/s, for the fraction column.
    out: where a progress line per (model, augmentation) goes.

  Returns:
    The table, the ratio lines, and what was measured (for the projections).
  """
  headers = ["model", "augmentation", "params", "train MFLOP/ex", "examples/s", "GFLOP/s",
             "of matmul", "epoch start s", "CPU s/1k ex", "vs none"]
  rows, ratios, measured = [], [], []
  for name in models:
    model_config = dataclasses.replace(base_model, name=name)
    trainers = {}
    for aug in augmentations:
      trainers[aug] = trainer_lib.Trainer(None, data, model_config,
                                          augmentation.AugmentConfig(name=aug), train_config)
      trainers[aug].train_epoch(1, max_steps=2)  # Traces the step and the input functions.
    rates: dict[str, list] = {aug: [] for aug in trainers}
    starts: dict[str, list] = {aug: [] for aug in trainers}
    cpu: dict[str, list] = {aug: [] for aug in trainers}
    for round_index in range(rounds):
      for aug, trainer in trainers.items():
        first, rate, cpu_seconds = time_steps(trainer, 2 + round_index, steps)
        starts[aug].append(first)
        cpu[aug].append(cpu_seconds)
        rates[aug].append(rate)
    for aug, trainer in trainers.items():
      rate = statistics.median(rates[aug])
      measured.append(Measured(name, aug, rate, statistics.median(starts[aug]),
                               trainer.zoo_model))
      per_example = flops.training_flops(trainer.model)
      achieved = rate * per_example
      versus = "-"
      if "none" in rates:
        ratio = rate / statistics.median(rates["none"])
        versus = f"{ratio:.2f}"
        if aug != "none":
          ratios.append(f"ratio {name} {aug}/none: {ratio:.3f} ({1 - ratio:.1%} of examples/s "
                        "lost)")
      print(f"measured {name} / {aug}: {rate:,.0f} examples/s", file=out, flush=True)
      rows.append([name, aug, f"{trainer.model.count_params():,}", f"{per_example / 1e6:,.2f}",
                   f"{rate:,.0f}", f"{achieved / 1e9:,.2f}", f"{achieved / peak:.1%}",
                   f"{statistics.median(starts[aug]):.2f}", f"{statistics.median(cpu[aug]):.3f}",
                   versus])
  return tables.format_table(headers, rows), ratios, measured


def projections(data: datasets.Data, train_config: trainer_lib.TrainConfig,
                measured: list[Measured], projection: Projection,
                probe_config: probe_lib.ProbeConfig) -> list[str]:
  """Seconds per epoch of `projection.epoch_size` examples, with `time_probe` one probe's
  time at that bank, with `epochs` the whole run's wall time (none without an epoch size).

  Args:
    data: the measured data.
    train_config: the measured settings (batch size, eval_every, precision).
    measured: what measure() measured.
    projection: what to project to.
    probe_config: the probe to time.

  Returns:
    The lines to print.

  Raises:
    errors.ConfigError: the probe names endpoints a model lacks.
  """
  size = projection.epoch_size
  if not size:
    return []
  policy = precision.mixed_policy_name() if train_config.mixed_precision else "float32"
  xla = "XLA" if train_config.jit_compile else "no XLA"
  lines: list[str] = []
  probes: dict[str, float] = {}  # Projected seconds of one probe, per model.
  image_seconds: dict[str, float] = {}  # Forward pass (eval mode) seconds per image.
  # k capped by the measured bank, as the probe hook does (the cost of k is negligible).
  config = dataclasses.replace(probe_config, knn=dataclasses.replace(
      probe_config.knn, ks=probe_hook.usable_ks(probe_config.knn.ks, len(data.train))))
  noise = float(np.mean(data.train.corrupted)) if len(data.train) else 0.0
  queries, total = projection.probe_queries, projection.epochs
  for one in measured:
    name, aug = one.model, one.augmentation
    seconds = epoch_seconds(size, train_config.batch_size, one.rate, one.start)
    lines.append(f"epoch of {size:,} examples {name} / {aug} ({policy}, {xla}): {seconds:.2f} s "
                 f"({size // train_config.batch_size} steps of {train_config.batch_size} at "
                 f"{one.rate:,.0f} examples/s + {one.start:.2f} s epoch start)")
    if projection.time_probe and name not in probes:
      unknown = set(config.endpoints) - set(one.zoo_model.endpoints)
      if unknown:
        raise errors.ConfigError(f"--probe_endpoints: {sorted(unknown)} are not endpoints of "
                                 f"{name}; it has {', '.join(one.zoo_model.endpoints)}")
      timing = time_probe(one.zoo_model, data, config)
      probes[name] = timing.projected(size, queries, noise, config.bank == "full")
      image_seconds[name] = timing.feature_seconds / timing.examples
      lines.append(
          f"probe {name}: {timing.examples:,} images' features in {timing.feature_seconds:.3f} s, "
          f"k-NN of {timing.pairs:,} pairs in {timing.knn_seconds:.3f} s; projected to a "
          f"{config.bank} bank of {size:,}, {queries:,} queries, label noise {noise:g}: "
          f"{probes[name]:.1f} s per probe (rough: scaled from the measured size)")
    if total:
      parts = [f"training {days(total * seconds)}"]
      wall = total * seconds
      if name in probes:
        count = probes_in(total, projection.probe_every) + 2  # + the controls.
        evaluations = total // train_config.eval_every + 1
        # An evaluation (fit of the training labels, test accuracy) is a forward pass over
        # the training and test images, as the probe's feature extraction.
        evaluate = evaluations * (size + queries) * image_seconds[name]
        wall += count * probes[name] + evaluate
        parts.append(f"{count} probes (every {projection.probe_every} epochs, "
                     f"2 for the controls) {days(count * probes[name])}")
        parts.append(f"{evaluations} evaluations {days(evaluate)}")
      lines.append(f"projected {total:,} epochs {name} / {aug}: " + ", ".join(parts) +
                   f"; total {days(wall)}")
  return lines
