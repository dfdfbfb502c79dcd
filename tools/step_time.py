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

r"""Seconds per epoch of a zoo model's training step, under any Keras 3 backend.

For accelerators without TensorFlow's GPU build (a machine with JAX, say): the suite's
own zoo model (suite.models.zoo, same layers and initialisation), trained by Keras'
compiled step (XLA) on random images and random one-hot labels, timed over whole epochs.
With --input=memory (the default) the images are arrays in memory: the model's step alone,
and no TensorFlow is needed. With --input=pipeline each epoch's batches come from the
suite's own tf.data training pipeline (suite.data.train_pipeline.TrainPipeline, a new
dataset per epoch as the suite's trainer makes them), views made by --augmentation on the
host's CPUs (TensorFlow's CPU build suffices), so an epoch's seconds include making its
views and handing them to the backend. Both inputs time an epoch alike, inside Keras' fit
from the epoch's start to its last step; making each epoch's dataset (its order and view
parameters, before fit) is timed apart. No k-NN probe: benchmarks.train_throughput times
that, with TensorFlow.

  # The benign headline's model and step (docs/gpu.md), on a GPU with JAX:
  KERAS_BACKEND=jax python tools/step_time.py --model=resnet18 --bottleneck_dim=65536 \
      --init=torch --loss=mse --batch_size=256 --learning_rate=3e-4 --adam_epsilon=1e-8 \
      --epoch_size=50000 --precisions=float32,mixed_bfloat16,mixed_float16 \
      --project_epochs=10000
  # ... with the recipe's strong views made by the suite's input pipeline:
  KERAS_BACKEND=jax python tools/step_time.py ... --input=pipeline --augmentation=strong

Per precision policy it prints the first epoch's seconds (compilation included), then the
median seconds of --timed_epochs further epochs, images per second, the achieved training
FLOP rate (suite.models.flops), and --project_epochs times the median (training only).
"""

import json
import os
import statistics
import sys
import time

from absl import app
from absl import flags
import numpy as np

try:
  import keras  # pylint: disable=g-import-not-at-top
except (ImportError, ValueError) as e:  # KERAS_BACKEND names a backend that is not installed.
  sys.exit(f"error: Keras cannot load the backend {os.environ.get('KERAS_BACKEND', '')!r} "
           f"(KERAS_BACKEND): {' '.join(str(e).split())}")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable=g-import-not-at-top,wrong-import-position  (the repository root first)
from benchmarks import cli
from suite import errors
from suite.models import flops
from suite.models import zoo

POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")

MODEL = flags.DEFINE_enum("model", "resnet18", zoo.MODELS, "Zoo model.")
WIDTH = flags.DEFINE_integer("width", 512, "mlp: hidden units per layer.", lower_bound=1)
DEPTH = flags.DEFINE_integer("depth", 2, "mlp: hidden layers; cnn_small: conv modules.",
                             lower_bound=1)
WIDTH_MULTIPLIER = flags.DEFINE_float("width_multiplier", 1.0, "cnn_small, resnet18: channels x.",
                                      lower_bound=1e-3)
BOTTLENECK_DIM = flags.DEFINE_integer("bottleneck_dim", 0, "Projector width (0: none).",
                                      lower_bound=0)
INIT = flags.DEFINE_enum("init", "torch", zoo.INITS, "Weight initialisation (suite.models.zoo).")
IMAGE_SHAPE = flags.DEFINE_list("image_shape", ["32", "32", "3"], "Images' H,W,C.")
NUM_CLASSES = flags.DEFINE_integer("num_classes", 10, "Classes (the logits' width).",
                                   lower_bound=2)
LOSS = flags.DEFINE_enum("loss", "mse", ("mse", "cross_entropy"),
                         "mse: mean over classes of the squared error of the raw outputs "
                         "(the reference's); cross_entropy: softmax cross-entropy.")
BATCH_SIZE = flags.DEFINE_integer("batch_size", 256, "Batch size.", lower_bound=1)
LEARNING_RATE = flags.DEFINE_float("learning_rate", 3e-4, "Adam learning rate.", lower_bound=0)
ADAM_EPSILON = flags.DEFINE_float("adam_epsilon", 1e-8, "Adam epsilon.", lower_bound=0)
EPOCH_SIZE = flags.DEFINE_integer("epoch_size", 50000, "Images per epoch (its full batches).",
                                  lower_bound=1)
TIMED_EPOCHS = flags.DEFINE_integer("timed_epochs", 2, "Epochs timed after the first.",
                                    lower_bound=1)
PRECISIONS = flags.DEFINE_list("precisions", ["float32"],
                               f"Keras dtype policies to time, in order: {', '.join(POLICIES)}.")
PROJECT_EPOCHS = flags.DEFINE_integer("project_epochs", 0,
                                      "Also print the training hours of this many epochs.",
                                      lower_bound=0)
INPUT = flags.DEFINE_enum(
    "input", "memory", ("memory", "pipeline"),
    "memory: the random images as arrays in memory (the model's step alone); pipeline: "
    "through the suite's tf.data training pipeline with --augmentation (needs TensorFlow).")
# suite.data.augmentation.AUGMENTATIONS (a test keeps them equal): that module needs
# TensorFlow, which --input=memory must not.
AUGMENTATION = flags.DEFINE_enum("augmentation", "none",
                                 ("none", "standard", "strong", "randaugment"),
                                 "--input=pipeline: the views it makes.")
AUGMENTATION_STRENGTH = flags.DEFINE_float("augmentation_strength", 1.0,
                                           "--augmentation=randaugment: its strength in [0, 1].",
                                           lower_bound=0.0, upper_bound=1.0)
OUTPUT_JSON = flags.DEFINE_string("output_json", None, "Also write the results here (JSON).")


@flags.validator("precisions", message=f"--precisions must name Keras policies: "
                 f"{', '.join(POLICIES)}.")
def _check_precisions(values):
  return bool(values) and all(v in POLICIES for v in values)


@flags.validator("image_shape", message="--image_shape must be three positive integers H,W,C.")
def _check_shape(values):
  return len(values) == 3 and all(v.isdigit() and int(v) > 0 for v in values)


@flags.multi_flags_validator(["input", "augmentation"],
                             message="--augmentation needs --input=pipeline (the in-memory "
                             "images are not augmented).")
def _check_augmentation(values):
  return values["input"] == "pipeline" or values["augmentation"] == "none"


def devices() -> str:
  """The accelerator (or CPU) the backend computes on, in words."""
  backend = keras.backend.backend()
  if backend == "jax":
    import jax  # pylint: disable=g-import-not-at-top  (only under its backend)
    return ", ".join(f"{d.platform}:{d.device_kind}" for d in jax.devices())
  if backend == "tensorflow":
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    found = tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("CPU")
    return ", ".join(d.name for d in found)
  return backend


class _EpochTimer(keras.callbacks.Callback):
  """Wall seconds per epoch, the device's work included (the loss is read at the end)."""

  def __init__(self):
    super().__init__()
    self.seconds: list[float] = []
    self.losses: list[float] = []
    self._start = 0.0

  def on_epoch_begin(self, epoch, logs=None):
    self._start = time.perf_counter()

  def on_epoch_end(self, epoch, logs=None):
    self.losses.append(float(logs["loss"]))  # Waits for the epoch's last step.
    self.seconds.append(time.perf_counter() - self._start)


def pipeline_epochs(images: np.ndarray, labels: np.ndarray):
  """A function of the epoch giving that epoch's (image, target) batches, made by the
  suite's training pipeline from `images` (every label random, as in the recipe)."""
  # pylint: disable=g-import-not-at-top  (TensorFlow only for --input=pipeline)
  import tensorflow as tf
  from suite.data import augmentation
  from suite.data import datasets
  from suite.data import train_pipeline
  if keras.backend.backend() != "tensorflow":  # The host's CPUs make views; the GPU is the
    tf.config.set_visible_devices([], "GPU")   # backend's (TensorFlow would take its memory).
  ids = np.arange(len(images), dtype=np.int64)
  split = datasets.Split(ids=ids, images=images, labels=labels, clean_labels=labels,
                         corrupted=np.ones(len(images), bool))
  pipeline = train_pipeline.TrainPipeline(split, NUM_CLASSES.value,
                                          augmentation.AugmentConfig(
                                              name=AUGMENTATION.value,
                                              strength=AUGMENTATION_STRENGTH.value),
                                          seed=0)
  return lambda epoch: pipeline.epoch(epoch, BATCH_SIZE.value).map(
      lambda batch: (batch["image"], batch["target"]))


def time_policy(policy: str, images: np.ndarray, targets: np.ndarray,
                epoch_data=None) -> dict:
  """Builds and compiles the model under `policy`, trains 1 + --timed_epochs epochs, on
  the arrays or, where `epoch_data` (pipeline_epochs) is given, on its datasets."""
  keras.config.set_dtype_policy(policy)
  keras.utils.set_random_seed(0)
  config = zoo.ModelConfig(name=MODEL.value, width=WIDTH.value, depth=DEPTH.value,
                           width_multiplier=WIDTH_MULTIPLIER.value,
                           bottleneck_dim=BOTTLENECK_DIM.value, init=INIT.value)
  built = zoo.build(config, images.shape[1:], NUM_CLASSES.value)
  model = built.model
  loss = (keras.losses.MeanSquaredError() if LOSS.value == "mse"
          else keras.losses.CategoricalCrossentropy(from_logits=True))
  # Under mixed_float16 Keras wraps the optimizer in a LossScaleOptimizer, as the suite does.
  model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE.value, epsilon=ADAM_EPSILON.value),
                loss=loss, jit_compile=True)
  timer = _EpochTimer()
  dataset_seconds = []
  if epoch_data is None:
    model.fit(images, targets, batch_size=BATCH_SIZE.value, epochs=1 + TIMED_EPOCHS.value,
              shuffle=False, verbose=0, callbacks=[timer])
  else:  # One fit per epoch, on the epoch's own dataset, timed by the same callback.
    for epoch in range(1 + TIMED_EPOCHS.value):
      start = time.perf_counter()
      dataset = epoch_data(epoch)
      dataset_seconds.append(time.perf_counter() - start)
      model.fit(dataset, epochs=1, shuffle=False, verbose=0, callbacks=[timer])
  median = statistics.median(timer.seconds[1:])
  train_flops = flops.training_flops(model)
  result = {
      "policy": policy, "parameters": model.count_params(),
      "first_epoch_s": timer.seconds[0], "epoch_s": median, "timed_epochs_s": timer.seconds[1:],
      "images_per_s": len(images) / median,
      "training_tflop_per_s": train_flops * len(images) / median / 1e12,
      "losses": timer.losses,
  }
  if dataset_seconds:
    result["dataset_s"] = statistics.median(dataset_seconds[1:])
  if PROJECT_EPOCHS.value:
    result["projected_hours"] = median * PROJECT_EPOCHS.value / 3600
  return result


def main(argv):
  del argv  # cli.parse refuses positional arguments.
  if OUTPUT_JSON.value and not os.path.isdir(os.path.dirname(os.path.abspath(OUTPUT_JSON.value))):
    raise errors.ConfigError(f"--output_json: no directory {os.path.dirname(OUTPUT_JSON.value)}")
  shape = tuple(int(v) for v in IMAGE_SHAPE.value)
  # Full batches only, as the suite's training loop (it drops an epoch's remainder).
  steps = EPOCH_SIZE.value // BATCH_SIZE.value
  if not steps:
    raise errors.ConfigError(f"--epoch_size={EPOCH_SIZE.value} holds no full batch of "
                             f"--batch_size={BATCH_SIZE.value}")
  rng = np.random.default_rng(0)
  images = rng.random((steps * BATCH_SIZE.value, *shape), dtype=np.float32)
  labels = rng.integers(0, NUM_CLASSES.value, len(images))
  targets = np.eye(NUM_CLASSES.value, dtype=np.float32)[labels]
  epoch_data = pipeline_epochs(images, labels) if INPUT.value == "pipeline" else None
  print(f"Keras {keras.__version__}, backend {keras.backend.backend()} on {devices()}")
  print(f"{MODEL.value} x{WIDTH_MULTIPLIER.value:g}, projector {BOTTLENECK_DIM.value}, "
        f"{LOSS.value}, Adam; {len(images):,} images {'x'.join(map(str, shape))} per epoch "
        f"in {steps} steps of {BATCH_SIZE.value}, "
        + (f"views by the input pipeline: {AUGMENTATION.value}" if epoch_data
           else "held in memory"))
  results = []
  for policy in PRECISIONS.value:
    result = time_policy(policy, images, targets, epoch_data)
    results.append(result)
    line = (f"{policy:>15}: {result['parameters']:,} parameters; first epoch "
            f"{result['first_epoch_s']:.1f} s (compiling), then {result['epoch_s']:.2f} s per "
            f"epoch (median of {TIMED_EPOCHS.value}), {result['images_per_s']:,.0f} images/s, "
            f"{result['training_tflop_per_s']:.1f} training TFLOP/s")
    if "dataset_s" in result:
      line += f", making each epoch's dataset {result['dataset_s']:.2f} s more"
    if PROJECT_EPOCHS.value:
      line += f"; {PROJECT_EPOCHS.value:,} epochs: {result['projected_hours']:.1f} h"
    print(line, flush=True)
  if OUTPUT_JSON.value:
    partial = OUTPUT_JSON.value + ".partial"  # Renamed when complete: never half a file.
    with open(partial, "w", encoding="utf-8") as f:
      json.dump({"backend": keras.backend.backend(), "devices": devices(),
                 "keras": keras.__version__, "flags": sys.argv[1:],
                 "input": INPUT.value, "augmentation": AUGMENTATION.value,
                 "images_per_epoch": len(images), "steps_per_epoch": steps,
                 "results": results}, f, indent=1)
    os.replace(partial, OUTPUT_JSON.value)


if __name__ == "__main__":
  # The binaries' flag parsing and one-line errors (benchmarks.cli), without their TFDS set-up.
  app.run(lambda argv: cli.guard(main, argv), flags_parser=cli.parse)
