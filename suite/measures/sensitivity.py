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

"""Critical sample ratio and loss sensitivity (Arpit et al., 2017, sections 3.3 and 4).

Critical sample ratio (CSR): the fraction of points x for which Langevin adversarial
sample search finds, within the L-inf ball of radius r around x (and inside [0, 1]),
a point whose predicted class differs from x's:
    x' <- clip(x' + a * sign(grad_x' loss(f(x'), f(x))) + b * noise)
for up to `iterations` steps. Paper values for inputs in [0, 1]: r = 0.3/255,
a = 0.25/255, b = 0.2/255, 100 iterations, a few hundred points.
Loss sensitivity: the mean absolute input gradient of the loss, per example; per class,
the mean |dL/dx| map over the examples of each training label (`class_sensitivity_maps`).
`SensitivityHook` measures both during training, on fixed clean and corrupted samples, and
(with `mixed`) the Gini coefficient over a fixed sample of the whole training set, whose
share of noise is the run's (so Gini can be compared across noise levels).
"""

import dataclasses
import io
import os

import keras
import numpy as np
import tensorflow as tf

from suite import hooks
from suite import rng
from suite.data import datasets
from suite.models import losses
from suite.results import atomic


@dataclasses.dataclass(frozen=True)
class CsrConfig:
  radius: float = 0.3 / 255
  step: float = 0.25 / 255
  noise: float = 0.2 / 255
  iterations: int = 100
  batch_size: int = 256


def critical_samples(model: keras.Model, images: np.ndarray, config: CsrConfig = CsrConfig(),
                     seed: int = 0) -> np.ndarray:
  """Boolean per example: an adversarial point within the ball changes the prediction."""

  @tf.function(reduce_retracing=True)
  def search(x, key):
    predicted = tf.argmax(model(x, training=False), axis=-1)
    lower = tf.maximum(x - config.radius, 0.0)
    upper = tf.minimum(x + config.radius, 1.0)
    candidate = x
    found = tf.zeros(tf.shape(x)[:1], tf.bool)
    for step in tf.range(config.iterations):
      with tf.GradientTape() as tape:
        tape.watch(candidate)
        logits = model(candidate, training=False)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=predicted, logits=logits)
      found = found | (tf.argmax(logits, axis=-1) != predicted)
      gradient = tape.gradient(loss, candidate)
      noise = tf.random.stateless_normal(tf.shape(x), seed=rng.fold(key, step))
      candidate = tf.clip_by_value(candidate + config.step * tf.sign(gradient) +
                                   config.noise * noise, lower, upper)
    final = tf.argmax(model(candidate, training=False), axis=-1) != predicted
    return found | final

  key = rng.tf_key(seed, "csr")
  flags = []
  for start in range(0, len(images), config.batch_size):
    batch = tf.constant(images[start:start + config.batch_size], tf.float32)
    flags.append(search(batch, rng.fold(key, start)).numpy())
  return np.concatenate(flags) if flags else np.zeros(0, bool)


def loss_sensitivity(model: keras.Model, images: np.ndarray, labels: np.ndarray, num_classes: int,
                     loss: str = "cross_entropy", batch_size: int = 256) -> np.ndarray:
  """Mean |d loss / d x| per example, against the given (training) labels."""
  maps = loss_gradient_maps(model, images, labels, num_classes, loss, batch_size)
  return maps.reshape(len(maps), -1).mean(axis=1)


def loss_gradient_maps(model: keras.Model, images: np.ndarray, labels: np.ndarray,
                       num_classes: int, loss: str = "cross_entropy",
                       batch_size: int = 256) -> np.ndarray:
  """|d loss / d x| per example and pixel, averaged over channels: float32 [N, H, W]."""
  @tf.function(reduce_retracing=True)
  def gradient_map(x, y):
    with tf.GradientTape() as tape:
      tape.watch(x)
      logits = tf.cast(model(x, training=False), tf.float32)
      per_example = losses.per_example_loss(loss, tf.one_hot(y, num_classes), logits)
    return tf.reduce_mean(tf.abs(tape.gradient(per_example, x)), axis=-1)

  out = [gradient_map(tf.constant(images[start:start + batch_size], tf.float32),
                      tf.constant(labels[start:start + batch_size], tf.int64)).numpy()
         for start in range(0, len(images), batch_size)]
  return np.concatenate(out) if out else np.zeros((0,) + tuple(images.shape[1:3]), np.float32)


def class_sensitivity_maps(model: keras.Model, images: np.ndarray, labels: np.ndarray,
                           corrupted: np.ndarray, num_classes: int,
                           loss: str = "cross_entropy") -> dict[str, np.ndarray]:
  """Per-class loss sensitivity (Arpit et al. 2017): the mean |dL/dx| map over the
  examples of each training label (the label the loss is taken against), separately for
  clean and corrupted examples.

  Returns:
    {'clean': [C, H, W], 'corrupted': [C, H, W], 'clean_count': [C], 'corrupted_count':
    [C]}; a class without examples in a group has a map of NaN.
  """
  maps = loss_gradient_maps(model, images, labels, num_classes, loss)
  corrupted = np.asarray(corrupted, bool)
  out: dict[str, np.ndarray] = {}
  for name, group in (("clean", ~corrupted), ("corrupted", corrupted)):
    per_class = np.full((num_classes,) + maps.shape[1:], np.nan, np.float32)
    counts = np.zeros(num_classes, np.int64)
    for c in range(num_classes):
      rows = group & (labels == c)
      counts[c] = rows.sum()
      if counts[c]:
        per_class[c] = maps[rows].mean(0)
    out[name], out[f"{name}_count"] = per_class, counts
  return out


MAPS_FILENAME = "sensitivity_maps.npz"


def write_maps(run_dir: str, maps: dict[str, np.ndarray]) -> str:
  """Writes class_sensitivity_maps' arrays to run_dir/MAPS_FILENAME, atomically."""
  path = os.path.join(run_dir, MAPS_FILENAME)
  buffer = io.BytesIO()
  np.savez_compressed(buffer, **maps)  # type: ignore[arg-type]
  return atomic.write(path, buffer.getvalue(), "the sensitivity maps")


def read_maps(run_dir: str) -> dict[str, np.ndarray] | None:
  """The maps a run wrote (write_maps), or None when it wrote none (older runs)."""
  path = os.path.join(run_dir, MAPS_FILENAME)
  if not tf.io.gfile.exists(path):
    return None
  with tf.io.gfile.GFile(path, "rb") as f:
    return dict(np.load(io.BytesIO(f.read())))


def gini(values: np.ndarray) -> float:
  """Gini coefficient of non-negative values (0: all equal; towards 1: concentrated)."""
  values = np.sort(np.asarray(values, np.float64))
  n = len(values)
  if n == 0 or values.sum() == 0:
    return 0.0
  ranks = np.arange(1, n + 1)
  return float((2 * np.sum(ranks * values) / (n * values.sum())) - (n + 1) / n)


class SensitivityHook(hooks.Hook):
  """CSR and loss sensitivity at every evaluated epoch, on fixed clean / corrupted samples.

  Scalars: csr/<group>, sensitivity/<group> (mean |dL/dx|), sensitivity/gini_<group>, for
  group in (clean, corrupted); a group without examples is skipped. The samples are
  `samples // 2` of each group, drawn once from `seed`; with `equal_sizes`, both groups
  have the size of the smaller (a Gini coefficient depends on how many values it
  summarizes, so comparing the groups' Gini needs equal sizes).
  With `mixed`, also sensitivity/all and sensitivity/gini_all (no CSR) on `samples`
  training examples drawn without regard to corruption (from its own stream), so the noise
  share is the run's: the Gini compared across noise levels. With `maps`, at the end of
  training the per-class maps of every training example (class_sensitivity_maps) are
  written to the run directory (MAPS_FILENAME).
  """

  def __init__(self, data: datasets.Data, samples: int, csr: CsrConfig, seed: int, loss: str,
               equal_sizes: bool = False, mixed: bool = False, maps: bool = False):
    self.csr = csr
    self.loss = loss
    self.seed = seed
    self.maps = maps
    generator = np.random.default_rng(seed)
    corrupted = np.flatnonzero(data.train.corrupted)
    clean = np.flatnonzero(~data.train.corrupted)
    half = samples // 2
    if equal_sizes:
      half = min(half, len(clean), len(corrupted))
    self.groups = {"clean": np.sort(generator.permutation(clean)[:half]),
                   "corrupted": np.sort(generator.permutation(corrupted)[:half])}
    # Its own stream: adding it leaves the clean and corrupted samples as they were.
    self.mixed = np.sort(np.random.default_rng([seed, 1]).permutation(
        len(data.train))[:samples]) if mixed else None

  def on_evaluate(self, state: hooks.State) -> dict:
    out = {}
    train = state.data.train
    for name, rows in self.groups.items():
      if not len(rows):
        continue
      images = train.images[rows]
      out[f"csr/{name}"] = float(np.mean(critical_samples(state.model, images, self.csr,
                                                          self.seed)))
      values = loss_sensitivity(state.model, images, train.labels[rows],
                                state.data.info.num_classes, self.loss)
      out[f"sensitivity/{name}"] = float(np.mean(values))
      out[f"sensitivity/gini_{name}"] = gini(values)
    if self.mixed is not None and len(self.mixed):
      values = loss_sensitivity(state.model, train.images[self.mixed], train.labels[self.mixed],
                                state.data.info.num_classes, self.loss)
      out["sensitivity/all"] = float(np.mean(values))
      out["sensitivity/gini_all"] = gini(values)
    return out

  def on_train_end(self, state: hooks.State) -> None:
    if self.maps and state.write_outputs and state.run_dir:
      train = state.data.train
      write_maps(state.run_dir, class_sensitivity_maps(
          state.model, train.images, train.labels, train.corrupted,
          state.data.info.num_classes, self.loss))
