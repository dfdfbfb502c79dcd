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

"""Un-augmented evaluation and the memorization fit, measured as a hook.

Scalars of `FitHook` at every evaluated epoch (TensorBoard tag, also in the history):
  memorization/train_fit                    un-augmented training images, training labels
  memorization/fit_corrupted, fit_clean     the same on corrupted and on clean examples
  memorization/clean_acc_corrupted          corrupted examples against their clean labels
  memorization/view_fit                     every pooled view against its training label
                                            (with a pool of views; per-view labels if set)
  validation/accuracy, test/accuracy (and loss)   clean labels
"""

import keras
import numpy as np
import tensorflow as tf

from suite import hooks
from suite.data import datasets
from suite.data import train_pipeline
from suite.models import losses

EvalResult = hooks.EvalResult  # Defined with the protocol, which hands it to hooks.


class Evaluator:
  """Eval-mode forward passes of one model, in split order, without augmentation."""

  def __init__(self, model: keras.Model, num_classes: int, loss: str, batch_size: int):
    self.num_classes = num_classes
    self.loss = loss
    self.batch_size = batch_size
    self.forward = tf.function(lambda images: tf.cast(model(images, training=False), tf.float32),
                               reduce_retracing=True)
    self._train_cache: tuple[tuple[int, int], EvalResult] | None = None

  def evaluate(self, split: datasets.Split, labels: np.ndarray | None = None) -> EvalResult:
    """Logits, per-example loss and correctness of `split` (its training labels by default)."""
    labels = split.labels if labels is None else labels
    logits = np.concatenate([self.forward(batch["image"]).numpy()
                             for batch in train_pipeline.eval_dataset(split, self.batch_size)])
    targets = tf.one_hot(labels, self.num_classes)
    loss = losses.per_example_loss(self.loss, targets, logits).numpy()
    predictions = logits.argmax(-1)
    return EvalResult(logits=logits, loss=loss, correct=predictions == labels,
                      correct_clean=predictions == split.clean_labels)

  def train_split(self, data: datasets.Data, epoch: int) -> EvalResult:
    """`evaluate(data.train)` at `epoch`, computed once per epoch however many hooks ask."""
    if self._train_cache is None or self._train_cache[0] != (id(data), epoch):
      self._train_cache = ((id(data), epoch), self.evaluate(data.train))
    return self._train_cache[1]


def view_fit(state: hooks.State) -> float:
  """Accuracy over every (example, pooled view) against the view's own label."""
  num_views, train = state.augment_config.num_views, state.data.train
  if state.augment_config.per_view_labels:
    table = train_pipeline.per_view_label_table(train, num_views, state.data.info.num_classes,
                                                state.config.seed)
  else:  # One label per example, shown with each of its views.
    table = np.repeat(train.labels[:, None], num_views, axis=1)
  positions = np.repeat(np.arange(len(train)), num_views)
  indices = np.tile(np.arange(num_views), len(train))
  ds = tf.data.Dataset.from_tensor_slices((positions, indices)).map(
      state.pipeline.pooled_view, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
  ds = ds.batch(state.config.eval_batch_size).prefetch(tf.data.AUTOTUNE)
  predictions = np.concatenate([state.evaluator.forward(b).numpy().argmax(-1) for b in ds])
  return float(np.mean(predictions == table[positions, indices]))


def _mean(values) -> float:
  return float(np.mean(values)) if len(values) else float("nan")


class FitHook(hooks.Hook):
  """The memorization measurements of the module docstring, at every evaluated epoch."""

  def on_evaluate(self, state: hooks.State) -> dict:
    train = state.evaluator.train_split(state.data, state.epoch)
    corrupted = state.data.train.corrupted
    metrics = {
        "memorization/train_fit": _mean(train.correct),
        "memorization/fit_corrupted": _mean(train.correct[corrupted]),
        "memorization/fit_clean": _mean(train.correct[~corrupted]),
        "memorization/clean_acc_corrupted": _mean(train.correct_clean[corrupted]),
    }
    if state.augment_config.num_views:
      metrics["memorization/view_fit"] = view_fit(state)
    for name, split in (("validation", state.data.validation), ("test", state.data.test)):
      if len(split):
        result = state.evaluator.evaluate(split)
        metrics[f"{name}/accuracy"] = _mean(result.correct)
        metrics[f"{name}/loss"] = _mean(result.loss)
    return metrics
