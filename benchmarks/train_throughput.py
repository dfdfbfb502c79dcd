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

  python -m benchmarks.train_throughput --dataset=fashion_mnist

Prints, per model and augmentation: examples per second of training steps (after a
warm-up), analytic training FLOPs per example, the achieved FLOP rate, and that
rate as a fraction of this machine's float32 matrix-multiply rate measured in the
same run.
"""

import time

from absl import flags
import tensorflow as tf

from benchmarks import cli
from flags import benchmarking as benchmarking_flags
from flags import data as data_flags
from flags import training as training_flags
from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.models import flops
from suite.models import zoo
from suite.results import tables
from suite.training import trainer as trainer_lib

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (benchmarking_flags, data_flags, training_flags):
  flags.adopt_module_key_flags(_module)

MODELS = flags.DEFINE_list("models", list(zoo.MODELS), "Zoo models to measure.")
AUGMENTATIONS = flags.DEFINE_list("augmentations", ["none", "strong"], "Augmentations to compare.")
MATMUL_SIZE = flags.DEFINE_integer("matmul_size", 2048, "Square matmul size for the peak rate.",
                                   lower_bound=64)


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


def main(argv):
  del argv
  base_model = training_flags.model_config()
  train_config = training_flags.train_config(data_flags.SEED.value)
  data = datasets.load(data_flags.data_config())
  if train_config.batch_size > len(data.train):
    raise errors.ConfigError(f"--batch_size={train_config.batch_size} exceeds the "
                             f"{len(data.train)} training examples")
  peak = matmul_rate(MATMUL_SIZE.value)
  print(data.info.summary())
  print(f"float32 matmul {MATMUL_SIZE.value}x{MATMUL_SIZE.value}: {peak / 1e9:,.1f} GFLOP/s")
  headers = ["model", "augmentation", "params", "train MFLOP/ex", "examples/s", "GFLOP/s",
             "of matmul"]
  rows = []
  for name in MODELS.value:
    model_config = zoo.ModelConfig(**dict(base_model.__dict__, name=name))
    for aug in AUGMENTATIONS.value:
      # No run directory: the trainer writes nothing, it only supplies the model and step.
      trainer = trainer_lib.Trainer(None, data, model_config,
                                    augmentation.AugmentConfig(name=aug), train_config)
      trainer.train_epoch(1, max_steps=2)  # Traces the step and fills the input pipeline.
      timed = trainer.train_epoch(2, max_steps=benchmarking_flags.TIMED_STEPS.value)
      rate = timed["examples"] / timed["seconds"]
      per_example = flops.training_flops(trainer.model)
      achieved = rate * per_example
      print(f"measured {name} / {aug}: {rate:,.0f} examples/s", flush=True)  # Progress.
      rows.append([name, aug, f"{trainer.model.count_params():,}", f"{per_example / 1e6:,.2f}",
                   f"{rate:,.0f}", f"{achieved / 1e9:,.2f}", f"{achieved / peak:.1%}"])
  print(tables.format_table(headers, rows))


if __name__ == "__main__":
  cli.run(main)
