"""Reproducible augmentation pipelines in tf.data.

Every random draw is a stateless op keyed by (seed, example id, epoch) or, for a
fixed pool of views, by (seed, example id, view index): the same flags give the
same views bit for bit, after a restart too, and under any number of workers.
(Keras 3 preprocessing layers draw from a stateful SeedGenerator that cannot be
keyed per example, so the ops here are tf.image's stateless ones; mixup and
cutmix follow the Keras layers' definitions with stateless draws.)

Pipelines: `none`; `standard` (padded random crop and horizontal flip);
`strong` (SimCLR-like: random resized crop, flip, colour jitter with p=0.8,
grayscale with p=0.2; colour operations reduced to brightness and contrast for
grayscale images). On top: a fixed pool of `num_views` views per example, with
optional per-view random labels, and optional mixup / cutmix per batch.
"""

import dataclasses

import numpy as np
import tensorflow as tf

from suite import errors
from suite import rng
from suite.data import corruptions
from suite.data import datasets

AUGMENTATIONS = ("none", "standard", "strong")

# SimCLR / the benign-memorization code: ColorJitter(0.8, 0.8, 0.8, 0.2) with p=0.8.
_JITTER_STRENGTH = (0.8, 0.8, 0.8, 0.2)
_JITTER_PROBABILITY = 0.8
_GRAYSCALE_PROBABILITY = 0.2
_CROP_AREA = (0.08, 1.0)
_CROP_RATIO = (3.0 / 4.0, 4.0 / 3.0)


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
  name: str = "none"
  num_views: int = 0  # 0: a fresh view every step; n > 0: a fixed pool of n views per example.
  per_view_labels: bool = False  # Each (corrupted example, view) gets its own random label.
  mixup_alpha: float = 0.0
  cutmix_alpha: float = 0.0

  def __post_init__(self):
    if self.name not in AUGMENTATIONS:
      raise errors.ConfigError(f"unknown augmentation {self.name!r}; expected one of {AUGMENTATIONS}")
    if self.num_views < 0:
      raise errors.ConfigError("num_views must be >= 0")
    if self.per_view_labels and self.num_views < 1:
      raise errors.ConfigError("per_view_labels needs a fixed pool of views (num_views >= 1)")
    if self.num_views and self.name == "none":
      raise errors.ConfigError("a pool of views needs an augmentation other than 'none'")
    if self.mixup_alpha < 0 or self.cutmix_alpha < 0:
      raise errors.ConfigError("mixup_alpha and cutmix_alpha must be >= 0")


def _uniform(key, minval=0.0, maxval=1.0, shape=()):
  return tf.random.stateless_uniform(shape, seed=key, minval=minval, maxval=maxval)


def standard_view(image: tf.Tensor, key: tf.Tensor) -> tf.Tensor:
  """Zero-padded random crop (4 pixels at 32x32, scaled with the image) and flip."""
  height, width, channels = image.shape
  pad = max(1, int(round(height / 8)))
  padded = tf.pad(image, [[pad, pad], [pad, pad], [0, 0]])
  cropped = tf.image.stateless_random_crop(padded, [height, width, channels],
                                           seed=rng.fold(key, 0))
  return tf.image.stateless_random_flip_left_right(cropped, seed=rng.fold(key, 1))


def _random_resized_crop(image, key):
  height, width, channels = image.shape
  begin, size, _ = tf.image.stateless_sample_distorted_bounding_box(
      tf.shape(image), bounding_boxes=tf.constant([[[0.0, 0.0, 1.0, 1.0]]]), seed=key,
      min_object_covered=0.0, aspect_ratio_range=_CROP_RATIO, area_range=_CROP_AREA,
      max_attempts=100, use_image_if_no_bounding_boxes=True)
  crop = tf.slice(image, begin, size)
  resized = tf.image.resize(crop[None], [height, width], method="bilinear")[0]
  # The slice loses the static channel count, which decides the colour operations.
  return tf.ensure_shape(resized, [height, width, channels])


def _color_jitter(image, key):
  """torchvision ColorJitter(0.8, 0.8, 0.8, 0.2): multiplicative factors, random order."""
  brightness, contrast, saturation, hue = _JITTER_STRENGTH
  is_color = image.shape[-1] == 3
  factors = [_uniform(rng.fold(key, i), 1.0 - s, 1.0 + s) for i, s in
             enumerate((brightness, contrast, saturation))]
  hue_delta = _uniform(rng.fold(key, 3), -hue, hue)
  ops = [
      lambda x: x * factors[0],
      lambda x: tf.image.adjust_contrast(x, factors[1]),
  ]
  if is_color:
    ops += [lambda x: tf.image.adjust_saturation(x, factors[2]),
            lambda x: tf.image.adjust_hue(x, hue_delta)]
  order = tf.random.experimental.stateless_shuffle(tf.range(len(ops)), seed=rng.fold(key, 4))
  for step in range(len(ops)):
    image = tf.switch_case(order[step], [lambda f=f: tf.clip_by_value(f(image), 0.0, 1.0)
                                         for f in ops])
  return image


def strong_view(image: tf.Tensor, key: tf.Tensor) -> tf.Tensor:
  """The SimCLR-like augmentation of the benign-memorization protocol."""
  image = _random_resized_crop(image, rng.fold(key, 0))
  image = tf.image.stateless_random_flip_left_right(image, seed=rng.fold(key, 1))
  jitter = _uniform(rng.fold(key, 2)) < _JITTER_PROBABILITY
  image = tf.cond(jitter, lambda: _color_jitter(image, rng.fold(key, 3)), lambda: image)
  if image.shape[-1] == 3:
    gray = _uniform(rng.fold(key, 4)) < _GRAYSCALE_PROBABILITY
    image = tf.cond(gray, lambda: tf.tile(tf.image.rgb_to_grayscale(image), [1, 1, 3]),
                    lambda: image)
  return tf.clip_by_value(image, 0.0, 1.0)


_VIEW_FUNCTIONS = {"none": lambda image, key: image, "standard": standard_view,
                   "strong": strong_view}


def make_view(name: str, image: tf.Tensor, key: tf.Tensor) -> tf.Tensor:
  return _VIEW_FUNCTIONS[name](image, key)


def view_key(seed: int, example_id, epoch_or_view, pooled: bool) -> tf.Tensor:
  """Key of one view: by (id, epoch) for fresh views, by (id, view index) for a pool."""
  return rng.fold(rng.tf_key(seed, "pool_view" if pooled else "fresh_view"), example_id,
                  epoch_or_view)


def per_view_label_table(split: datasets.Split, num_views: int, num_classes: int,
                         seed: int) -> np.ndarray:
  """[N, num_views] training labels: random per (id, view) where corrupted, else clean."""
  views = np.arange(num_views)[None, :]
  random = corruptions.random_labels(seed, split.ids[:, None], num_classes, views)
  return np.where(split.corrupted[:, None], random, split.clean_labels[:, None])


def _beta(key, alpha, shape):
  first = tf.random.stateless_gamma(shape, seed=rng.fold(key, 0), alpha=alpha)
  second = tf.random.stateless_gamma(shape, seed=rng.fold(key, 1), alpha=alpha)
  return first / (first + second)


def _mixup(batch, key, alpha):
  """keras.layers.MixUp: per-example Beta(alpha, alpha) weight with a shuffled partner."""
  size = tf.shape(batch["image"])[0]
  partner = tf.random.experimental.stateless_shuffle(tf.range(size), seed=rng.fold(key, 0))
  weight = _beta(rng.fold(key, 1), alpha, [size])
  mix = lambda x, w: w * x + (1.0 - w) * tf.gather(x, partner)
  return dict(batch, image=mix(batch["image"], weight[:, None, None, None]),
              target=mix(batch["target"], weight[:, None]))


def _cutmix(batch, key, alpha):
  """keras.layers.CutMix: a box from a shuffled partner; targets weighted by area."""
  images = batch["image"]
  size = tf.shape(images)[0]
  height, width = images.shape[1], images.shape[2]
  partner = tf.random.experimental.stateless_shuffle(tf.range(size), seed=rng.fold(key, 0))
  keep = _beta(rng.fold(key, 1), alpha, [size])
  cut = tf.sqrt(1.0 - keep)
  centre_y = _uniform(rng.fold(key, 2), 0.0, float(height), [size])
  centre_x = _uniform(rng.fold(key, 3), 0.0, float(width), [size])
  half_h, half_w = cut * height / 2.0, cut * width / 2.0
  rows = tf.range(height, dtype=tf.float32)[None, :, None] + 0.5
  cols = tf.range(width, dtype=tf.float32)[None, None, :] + 0.5
  inside = ((tf.abs(rows - centre_y[:, None, None]) < half_h[:, None, None]) &
            (tf.abs(cols - centre_x[:, None, None]) < half_w[:, None, None]))
  inside = tf.cast(inside, tf.float32)[..., None]
  pasted = 1.0 - tf.reduce_mean(inside, axis=[1, 2, 3])
  return dict(batch, image=(1.0 - inside) * images + inside * tf.gather(images, partner),
              target=pasted[:, None] * batch["target"] +
              (1.0 - pasted[:, None]) * tf.gather(batch["target"], partner))


class TrainPipeline:
  """Builds the training input of any epoch, independent of the epochs before it."""

  def __init__(self, split: datasets.Split, num_classes: int, config: AugmentConfig, seed: int):
    self.config = config
    self.seed = seed
    self.num_classes = num_classes
    self.size = len(split)
    self._images = tf.convert_to_tensor(split.images)
    self._ids = tf.convert_to_tensor(split.ids)
    self._labels = tf.convert_to_tensor(split.labels)
    self._clean_labels = tf.convert_to_tensor(split.clean_labels)
    self._corrupted = tf.convert_to_tensor(split.corrupted)
    self._view_labels = None
    if config.per_view_labels:
      self._view_labels = tf.convert_to_tensor(
          per_view_label_table(split, config.num_views, num_classes, seed))

  def pooled_view(self, position, view):
    """View `view` of the fixed pool of the example at `position` (its image only)."""
    key = view_key(self.seed, self._ids[position], view, pooled=True)
    return make_view(self.config.name, self._images[position], key)

  def example(self, position, epoch):
    """One training example at `position` of the split, as seen in `epoch`."""
    example_id = self._ids[position]
    image = self._images[position]
    label = self._labels[position]
    name, num_views = self.config.name, self.config.num_views
    if num_views:
      choice_key = rng.fold(rng.tf_key(self.seed, "view_choice"), example_id, epoch)
      view = tf.random.stateless_uniform([], seed=choice_key, maxval=num_views, dtype=tf.int64)
      image = self.pooled_view(position, view)
      if self._view_labels is not None:
        label = self._view_labels[position, view]
    else:
      view = tf.constant(-1, tf.int64)
      image = make_view(name, image, view_key(self.seed, example_id, epoch, pooled=False))
    return {"image": image, "label": label, "clean_label": self._clean_labels[position],
            "corrupted": self._corrupted[position], "id": example_id, "view": view,
            "target": tf.one_hot(label, self.num_classes)}

  def epoch(self, epoch: int, batch_size: int, num_shards: int = 1,
            shard_index: int = 0) -> tf.data.Dataset:
    """Shuffled (keyed by seed and epoch), sharded, augmented and batched examples.

    Partial batches are dropped so every replica sees full batches; which examples
    are dropped changes from epoch to epoch with the order.
    """
    order = tf.random.experimental.stateless_shuffle(
        tf.range(self.size, dtype=tf.int64), seed=rng.fold(rng.tf_key(self.seed, "order"), epoch))
    ds = tf.data.Dataset.from_tensor_slices(order).shard(num_shards, shard_index)
    ds = ds.map(lambda position: self.example(position, epoch),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.batch(batch_size, drop_remainder=True)
    if self.config.mixup_alpha or self.config.cutmix_alpha:
      ds = ds.enumerate().map(lambda step, batch: self._mix(batch, epoch, step, shard_index),
                              num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)

  def _mix(self, batch, epoch, step, shard_index):
    key = rng.fold(rng.tf_key(self.seed, "mix"), epoch, step, shard_index)
    mixup, cutmix = self.config.mixup_alpha, self.config.cutmix_alpha
    if mixup and cutmix:  # One of the two per batch, with equal probability.
      return tf.cond(_uniform(rng.fold(key, 9)) < 0.5,
                     lambda: _mixup(batch, key, mixup), lambda: _cutmix(batch, key, cutmix))
    return _mixup(batch, key, mixup) if mixup else _cutmix(batch, key, cutmix)


def eval_dataset(split: datasets.Split, batch_size: int) -> tf.data.Dataset:
  """Un-augmented examples in split order (for memorization fit, test accuracy, probing)."""
  ds = tf.data.Dataset.from_tensor_slices({
      "image": split.images, "label": split.labels, "clean_label": split.clean_labels,
      "corrupted": split.corrupted, "id": split.ids})
  return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
