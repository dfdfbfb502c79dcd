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

"""Views of an image: the named augmentations, keyed per example, and per-batch mixing.

Every random draw is keyed by (seed, example id, epoch) or, for a fixed pool of
views, by (seed, example id, view index) (`suite.rng.view_key`): the same flags give
the same views bit for bit, after a restart too, and under any number of workers.
(Keras 3 preprocessing layers draw from a stateful SeedGenerator that cannot be keyed
per example; the draws here come from Philox-4x32-10, the generator behind
TensorFlow's stateless ops, evaluated elementwise on a batch of keys by `suite.rng`.)

Augmentations (`AUGMENTATIONS`): `none`; `standard` (the CIFAR convention: zero-padded
random crop, 4 pixels at 32x32, and horizontal flip); `strong`, the reference's SimCLR
augmentation (sanagno/benign_memorization: torchvision RandomResizedCrop,
RandomHorizontalFlip, ColorJitter(0.8, 0.8, 0.8, 0.2) with p=0.8 and RandomGrayscale
with p=0.2 on uint8 PIL images, ToTensor last) reproduced on the uint8 path: the crop
box follows torchvision's rule, the resize and every colour operation follow Pillow's
integer arithmetic (`suite.data.pillow_ops`), and each result is quantised to uint8 as
PIL does. Its draws and operations work on a batch of keys and images at once
(`sample_strong_params`, `apply_strong`), bit-identical to `make_view` one at a time.
`randaugment`: the reference's numeric strength, torchvision RandAugment
(`suite.data.randaugment`), batched the same way. `mix_batch`: mixup / cutmix of a
batch. The training input built from these views is `suite.data.train_pipeline`.
"""

import dataclasses
import math

import tensorflow as tf

from suite import errors
from suite import rng
from suite.data import pillow_ops
from suite.data import randaugment

AUGMENTATIONS = ("none", "standard", "strong", "randaugment")

# The reference: torchvision ColorJitter(0.8, 0.8, 0.8, 0.2) applied with p=0.8,
# RandomGrayscale(p=0.2), RandomHorizontalFlip(p=0.5), RandomResizedCrop defaults.
_JITTER_STRENGTH = (0.8, 0.8, 0.8, 0.2)
_JITTER_PROBABILITY = 0.8
_GRAYSCALE_PROBABILITY = 0.2
_FLIP_PROBABILITY = 0.5
_CROP_AREA = (0.08, 1.0)
_CROP_RATIO = (3.0 / 4.0, 4.0 / 3.0)
_CROP_TRIES = 10

# Where each draw of a `strong` view sits in the key's stream of uniforms.
_AREA, _LOG_RATIO = slice(0, _CROP_TRIES), slice(_CROP_TRIES, 2 * _CROP_TRIES)
_TOP, _LEFT = 2 * _CROP_TRIES, 2 * _CROP_TRIES + 1
_FLIP, _JITTER, _FACTORS, _ORDER, _GRAY = 22, 23, slice(24, 28), slice(28, 32), 32
_NUM_DRAWS = 33


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
  """The views training sees: an augmentation, an optional fixed pool, optional mixing."""
  name: str = "none"
  num_views: int = 0  # 0: a fresh view every step; n > 0: a fixed pool of n views per example.
  per_view_labels: bool = False  # Each (corrupted example, view) gets its own random label.
  mixup_alpha: float = 0.0
  cutmix_alpha: float = 0.0
  strength: float = 1.0  # `randaugment` only: the reference's numeric strength in [0, 1].

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
    if not 0.0 <= self.strength <= 1.0:  # Also refuses NaN.
      raise errors.ConfigError(f"augmentation strength must be in [0, 1], got {self.strength}")


def _uniform(key, minval=0.0, maxval=1.0, shape=()):
  return tf.random.stateless_uniform(shape, seed=key, minval=minval, maxval=maxval)


# ---------------------------------------------------------------------------------------------
# torchvision RandomResizedCrop.get_params, vectorised: all tries are drawn at once and the
# first accepted one is kept.

def _crop_boxes(uniforms, height, width):
  area = float(height * width)
  log_low, log_high = math.log(_CROP_RATIO[0]), math.log(_CROP_RATIO[1])
  target = area * (_CROP_AREA[0] + (_CROP_AREA[1] - _CROP_AREA[0]) * uniforms[..., _AREA])
  aspect = tf.exp(log_low + (log_high - log_low) * uniforms[..., _LOG_RATIO])
  # tf.round rounds half to even, as Python's round() in torchvision does.
  crop_w = tf.round(tf.sqrt(target * aspect))
  crop_h = tf.round(tf.sqrt(target / aspect))
  fits = (crop_w > 0) & (crop_w <= width) & (crop_h > 0) & (crop_h <= height)
  accepted = tf.reduce_any(fits, axis=-1)
  tries = tf.range(_CROP_TRIES)
  first = tf.reduce_min(tf.where(fits, tries, _CROP_TRIES), axis=-1, keepdims=True)
  is_first = tf.equal(tries, first)
  chosen = lambda value: tf.reduce_sum(tf.where(is_first, value, tf.zeros_like(value)), axis=-1)
  crop_w, crop_h = chosen(crop_w), chosen(crop_h)
  top = tf.minimum(tf.floor(uniforms[..., _TOP] * (height - crop_h + 1)), height - crop_h)
  left = tf.minimum(tf.floor(uniforms[..., _LEFT] * (width - crop_w + 1)), width - crop_w)
  # Fallback after 10 rejected tries: the centre crop with the ratio clamped to the range.
  in_ratio = width / height
  if in_ratio < _CROP_RATIO[0]:
    fallback_w, fallback_h = width, int(round(width / _CROP_RATIO[0]))
  elif in_ratio > _CROP_RATIO[1]:
    fallback_w, fallback_h = int(round(height * _CROP_RATIO[1])), height
  else:
    fallback_w, fallback_h = width, height
  pick = lambda sampled, fallback: tf.cast(
      tf.where(accepted, sampled, tf.cast(fallback, tf.float64)), tf.int32)
  return (pick(top, (height - fallback_h) // 2), pick(left, (width - fallback_w) // 2),
          pick(crop_h, fallback_h), pick(crop_w, fallback_w))


def random_resized_crop_box(keys: tf.Tensor, height: int, width: int
                            ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
  """torchvision's RandomResizedCrop box (scale 0.08-1, ratio 3/4-4/3) for each key.

  Args:
    keys: integer tensor of shape [..., 2], stateless keys (e.g. from `rng.view_key`).
    height: image height.
    width: image width.

  Returns:
    (top, left, crop_height, crop_width), int32 tensors of shape [...]; a key of shape [2]
    gives scalars. Key by key the same as calling this function on each key alone.
  """
  if height < 1 or width < 1:
    raise errors.SuiteError(f"image size must be positive, got {height}x{width}")
  return _crop_boxes(rng.keyed_uniforms(keys, 2 * _CROP_TRIES + 2), height, width)


def sample_strong_params(keys: tf.Tensor, height: int, width: int) -> dict:
  """The random choices of a `strong` view for each key of shape [..., 2].

  Returns a dict of tensors of shape [...] (factors and order: [..., 4]): `top`, `left`,
  `crop_height`, `crop_width` (the crop box), `flip`, `jitter`, `factors` (brightness,
  contrast, saturation, hue), `order` (a permutation of the four jitter ops), `grayscale`.
  """
  uniforms = rng.keyed_uniforms(keys, _NUM_DRAWS)
  top, left, crop_height, crop_width = _crop_boxes(uniforms, height, width)
  # ColorJitter: U(max(0, 1 - x), 1 + x) for the factors, U(-h, h) for hue.
  *strengths, hue = _JITTER_STRENGTH
  low = tf.constant([max(0.0, 1.0 - x) for x in strengths] + [-hue], tf.float64)
  high = tf.constant([1.0 + x for x in strengths] + [hue], tf.float64)
  factors = tf.cast(low + (high - low) * uniforms[..., _FACTORS], tf.float32)
  return {
      "top": top, "left": left, "crop_height": crop_height, "crop_width": crop_width,
      "flip": uniforms[..., _FLIP] < _FLIP_PROBABILITY,
      "jitter": uniforms[..., _JITTER] < _JITTER_PROBABILITY,
      "factors": factors,
      # The ranks of four uniforms: a uniformly random permutation, as torch.randperm(4).
      "order": tf.argsort(uniforms[..., _ORDER], axis=-1, stable=True),
      "grayscale": uniforms[..., _GRAY] < _GRAYSCALE_PROBABILITY,
  }


def apply_strong(images: tf.Tensor, params: dict) -> tf.Tensor:
  """The reference's `strong` pipeline on float images [B, H, W, C] in [0, 1]."""
  mask = lambda flags: flags[:, None, None, None]
  pixels = tf.round(tf.clip_by_value(images, 0.0, 1.0) * 255.0)  # The uint8 PIL image.
  crop = (pillow_ops.compiled_resized_crop if images.shape[0] is not None
          else pillow_ops.resized_crop)
  pixels = crop(pixels, params["top"], params["left"], params["crop_height"], params["crop_width"])
  pixels = tf.where(mask(params["flip"]), tf.reverse(pixels, axis=[2]), pixels)
  jittered = pillow_ops.color_jitter(pixels, params["factors"], params["order"], params["jitter"])
  pixels = tf.where(mask(params["jitter"]), jittered, pixels)
  if pixels.shape[-1] == 3:
    gray = tf.tile(pillow_ops.rgb_to_grayscale(pixels), [1, 1, 1, 3])
    pixels = tf.where(mask(params["grayscale"]), gray, pixels)
  return pixels / 255.0  # ToTensor.


def standard_view(image: tf.Tensor, key: tf.Tensor) -> tf.Tensor:
  """RandomCrop(size, padding=4) and flip (zero padding; 4 pixels at 28-32, size/8 else)."""
  height, width, channels = image.shape
  pad = max(1, int(round(height / 8)))
  padded = tf.pad(image, [[pad, pad], [pad, pad], [0, 0]])
  cropped = tf.image.stateless_random_crop(padded, [height, width, channels],
                                           seed=rng.fold(key, 0))
  return tf.image.stateless_random_flip_left_right(cropped, seed=rng.fold(key, 1))


def strong_view(image: tf.Tensor, key: tf.Tensor) -> tf.Tensor:
  """The SimCLR augmentation of the benign-memorization reference, for one image."""
  height, width, channels = image.shape
  # One key draws through TensorFlow's Philox kernel: the same draws as in a batch, fewer ops.
  params = {name: value[None] for name, value in sample_strong_params(key, height, width).items()}
  view = apply_strong(tf.cast(image, tf.float32)[None], params)[0]
  return tf.ensure_shape(view, [height, width, channels])


_VIEW_FUNCTIONS = {"none": lambda image, key: image, "standard": standard_view,
                   "strong": strong_view}


def make_view(name: str, image: tf.Tensor, key: tf.Tensor, strength: float = 1.0) -> tf.Tensor:
  """The view `name` of one image under `key` (`strength`: `randaugment` only)."""
  if name == "randaugment":
    return randaugment.randaugment_view(image, key, strength)
  return _VIEW_FUNCTIONS[name](image, key)


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


def mix_batch(batch: dict[str, tf.Tensor], key: tf.Tensor, mixup_alpha: float,
              cutmix_alpha: float) -> dict[str, tf.Tensor]:
  """Mixup (`mixup_alpha` > 0) or cutmix (`cutmix_alpha` > 0) of a batch under `key`.

  Args:
    batch: "image" [B, H, W, C] and one-hot "target" [B, classes], among other features.
    key: the batch's stateless key.
    mixup_alpha: Beta(alpha, alpha) of the mixup weights; 0 for no mixup.
    cutmix_alpha: Beta(alpha, alpha) of the kept area; 0 for no cutmix.

  Returns:
    The batch with mixed "image" and "target"; with both alphas, one of the two per
    batch, with equal probability.
  """
  if mixup_alpha and cutmix_alpha:
    return tf.cond(_uniform(rng.fold(key, 9)) < 0.5, lambda: _mixup(batch, key, mixup_alpha),
                   lambda: _cutmix(batch, key, cutmix_alpha))
  return _mixup(batch, key, mixup_alpha) if mixup_alpha else _cutmix(batch, key, cutmix_alpha)
