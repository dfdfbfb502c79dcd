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

"""The training input of any epoch, and the un-augmented evaluation input, in tf.data.

`TrainPipeline.epoch` builds an epoch's shuffled, sharded, batched examples from (seed,
epoch) alone, independent of the epochs before it: each example's view comes from
`suite.data.augmentation` under its key (`suite.rng.view_key`), from a fixed pool of
`num_views` views per example when asked, with optional per-view random labels and
optional mixup / cutmix per batch. `strong` and `randaugment` views are drawn and made per
batch, bit-identical to `augmentation.make_view` one example at a time.
"""

import numpy as np
import tensorflow as tf

from suite import errors
from suite import rng
from suite.data import augmentation
from suite.data import corruptions
from suite.data import datasets
from suite.data import randaugment


def per_view_label_table(split: datasets.Split, num_views: int, num_classes: int,
                         seed: int) -> np.ndarray:
  """[N, num_views] training labels: random per (id, view) where corrupted, else clean."""
  view_indices = np.arange(num_views)[None, :]
  random = corruptions.random_labels(seed, split.ids[:, None], num_classes, view_indices)
  return np.where(split.corrupted[:, None], random, split.clean_labels[:, None])


class TrainPipeline:
  """Builds the training input of any epoch, independent of the epochs before it."""

  def __init__(self, split: datasets.Split, num_classes: int, config: augmentation.AugmentConfig,
               seed: int):
    self.config = config
    self.seed = seed
    self.num_classes = num_classes
    self.size = len(split)
    self._images = tf.convert_to_tensor(split.images)
    self._ids = tf.convert_to_tensor(split.ids)
    self._labels = tf.convert_to_tensor(split.labels)
    self._clean_labels = tf.convert_to_tensor(split.clean_labels)
    self._corrupted = tf.convert_to_tensor(split.corrupted)
    # The split's own fixed views (other real images, DataConfig.iid_views) replace the
    # augmented pool: view v of an example is split.views[position, v], shown as stored
    # (the reference applies no transform to them).
    self._views = None
    self._augmentation = config.name
    if split.views is not None:
      if split.views.shape[1] != config.num_views:
        raise errors.ConfigError(f"the split holds {split.views.shape[1]} views per example "
                                 f"but the augmentation asks for num_views={config.num_views}")
      self._views = tf.convert_to_tensor(split.views)
      self._augmentation = "none"
    self._view_labels = None
    if config.per_view_labels:
      self._view_labels = tf.convert_to_tensor(
          per_view_label_table(split, config.num_views, num_classes, seed))
    # Traced once for all epochs (the epoch and its draws are arguments): tracing a
    # `strong` batch anew for each epoch's dataset costs more than a short epoch's views.
    self._batch_function = tf.function(self._batch, autograph=False)
    self._epoch_draws_function = tf.function(self._epoch_draws, autograph=False)

  def pooled_view(self, position: tf.Tensor | int, view: tf.Tensor | int) -> tf.Tensor:
    """View `view` of the fixed pool of the example at `position` (its image only)."""
    if self._views is not None:
      return self._views[position, view]
    key = rng.view_key(self.seed, self._ids[position], view, pooled=True)
    return augmentation.make_view(self.config.name, self._images[position], key, self.config.strength)

  def _unviewed_example(self, position, epoch):
    """An example with its stored image, and the key of the view it gets in `epoch`."""
    example_id = self._ids[position]
    label = self._labels[position]
    num_views = self.config.num_views
    if num_views:
      choice_key = rng.fold(rng.tf_key(self.seed, "view_choice"), example_id, epoch)
      view = tf.random.stateless_uniform([], seed=choice_key, maxval=num_views, dtype=tf.int64)
      key = rng.view_key(self.seed, example_id, view, pooled=True)
      if self._view_labels is not None:
        label = self._view_labels[position, view]
    else:
      view = tf.constant(-1, tf.int64)
      key = rng.view_key(self.seed, example_id, epoch, pooled=False)
    return {"image": self._images[position], "label": label,
            "clean_label": self._clean_labels[position], "corrupted": self._corrupted[position],
            "id": example_id, "view": view, "target": tf.one_hot(label, self.num_classes)}, key

  def _epoch_draws(self, epoch):
    """Every random choice of `epoch` for every position of the split, in batched ops.

    Returns a dict of tensors with first dimension N (the split's size): `view` and
    `label` (as `_unviewed_example` gives them) and, for `strong` and `randaugment`, the
    view's parameters (`augmentation.sample_strong_params` or
    `randaugment.sample_randaugment_params` of its key). Drawn once per epoch outside the input pipeline, so that the pipeline's per-batch
    function is small: a function is instantiated (and optimised) anew for each epoch's
    dataset, at a cost that grows with its ops.
    """
    positions = tf.range(self.size, dtype=tf.int64)
    ids = self._ids
    per_id = lambda purpose: tf.broadcast_to(rng.tf_key(self.seed, purpose), [self.size, 2])
    labels = self._labels
    num_views = self.config.num_views
    if num_views:
      choice_keys = rng.fold_keys(rng.fold_keys(per_id("view_choice"), ids), epoch)
      view = rng.keyed_below(choice_keys, num_views)
      keys = rng.fold_keys(rng.fold_keys(per_id("pool_view"), ids), view)
      if self._view_labels is not None:
        labels = tf.gather_nd(self._view_labels, tf.stack([positions, view], axis=-1))
    else:
      view = tf.fill([self.size], tf.constant(-1, tf.int64))
      keys = rng.fold_keys(rng.fold_keys(per_id("fresh_view"), ids), epoch)
    draws = {"view": view, "label": labels}
    if self._augmentation == "strong":
      height, width = self._images.shape[1:3]
      draws.update(augmentation.sample_strong_params(keys, height, width))
    elif self._augmentation == "randaugment":
      draws.update(randaugment.sample_randaugment_params(keys, self.config.strength))
    return draws

  def _batch(self, positions, draws):
    """The examples at a batch of positions [B], given their epoch's `_epoch_draws`."""
    positions = tf.cast(positions, tf.int64)
    mine = {name: tf.gather(value, positions) for name, value in draws.items()}
    batch = {"image": tf.gather(self._images, positions), "label": mine.pop("label"),
             "clean_label": tf.gather(self._clean_labels, positions),
             "corrupted": tf.gather(self._corrupted, positions),
             "id": tf.gather(self._ids, positions), "view": mine.pop("view")}
    batch["target"] = tf.one_hot(batch["label"], self.num_classes)
    if self._views is not None:
      batch["image"] = tf.gather_nd(self._views, tf.stack([positions, batch["view"]], axis=-1))
    if self._augmentation == "strong":
      batch["image"] = augmentation.apply_strong(batch["image"], mine)
    elif self._augmentation == "randaugment":
      batch["image"] = randaugment.apply_randaugment(batch["image"], mine, self.config.strength)
    return batch

  def example(self, position: tf.Tensor | int, epoch: tf.Tensor | int) -> dict[str, tf.Tensor]:
    """One training example at `position` of the split, as seen in `epoch`."""
    example, key = self._unviewed_example(position, epoch)
    if self._views is not None:
      return dict(example, image=self._views[position, example["view"]])
    return dict(example, image=augmentation.make_view(self.config.name, example["image"], key,
                                         self.config.strength))

  def epoch(self, epoch: int, batch_size: int, num_shards: int = 1,
            shard_index: int = 0) -> tf.data.Dataset:
    """Shuffled (keyed by seed and epoch), sharded, augmented and batched examples.

    Partial batches are dropped so every replica sees full batches; which examples
    are dropped changes from epoch to epoch with the order. `none`, `strong` and `randaugment`
    batches are made by one traced function per batch (the same examples and views, bit for
    bit, as `example` makes one at a time, in far fewer ops); `standard` maps TensorFlow's
    stateless image ops over single examples. The default tf.data graph rewrites are off:
    they serialise the dataset graph, a copy of the whole captured training set at the start
    of every epoch, and gain nothing on a pipeline already parallel and prefetched.
    """
    order = tf.random.experimental.stateless_shuffle(
        tf.range(self.size, dtype=tf.int64), seed=rng.fold(rng.tf_key(self.seed, "order"), epoch))
    ds = tf.data.Dataset.from_tensor_slices(order).shard(num_shards, shard_index)
    if self._augmentation == "standard":  # Per-example TensorFlow stateless ops.
      ds = ds.map(lambda position: self.example(position, epoch),
                  num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
      ds = ds.batch(batch_size, drop_remainder=True)
    else:  # One map call per batch: gathers, keys and `strong` views in batched ops.
      ds = ds.batch(batch_size, drop_remainder=True)
      draws = self._epoch_draws_function(tf.constant(epoch, tf.int64))
      ds = ds.map(lambda positions: self._batch_function(positions, draws),
                  num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if self.config.mixup_alpha or self.config.cutmix_alpha:
      ds = ds.enumerate().map(lambda step, batch: self._mix(batch, epoch, step, shard_index),
                              num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    options = tf.data.Options()
    options.experimental_optimization.apply_default_optimizations = False
    return ds.prefetch(tf.data.AUTOTUNE).with_options(options)

  def _mix(self, batch, epoch, step, shard_index):
    key = rng.fold(rng.tf_key(self.seed, "mix"), epoch, step, shard_index)
    return augmentation.mix_batch(batch, key, self.config.mixup_alpha, self.config.cutmix_alpha)


def eval_dataset(split: datasets.Split, batch_size: int) -> tf.data.Dataset:
  """Un-augmented examples in split order (for memorization fit, test accuracy, probing)."""
  ds = tf.data.Dataset.from_tensor_slices({
      "image": split.images, "label": split.labels, "clean_label": split.clean_labels,
      "corrupted": split.corrupted, "id": split.ids})
  return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
