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

"""Reproducible augmentation pipelines in tf.data.

Every random draw is keyed by (seed, example id, epoch) or, for a fixed pool of
views, by (seed, example id, view index): the same flags give the same views bit
for bit, after a restart too, and under any number of workers. (Keras 3
preprocessing layers draw from a stateful SeedGenerator that cannot be keyed per
example; the draws here come from Philox-4x32-10, the generator behind
TensorFlow's stateless ops, evaluated elementwise on a batch of keys.)

Pipelines: `none`; `standard` (the CIFAR convention: zero-padded random crop,
4 pixels at 32x32, and horizontal flip); `strong`, the reference's SimCLR
augmentation (sanagno/benign_memorization: torchvision RandomResizedCrop,
RandomHorizontalFlip, ColorJitter(0.8, 0.8, 0.8, 0.2) with p=0.8 and
RandomGrayscale with p=0.2 on uint8 PIL images, ToTensor last) reproduced on
the uint8 path: the crop box follows torchvision's rule, the resize and every
colour operation follow Pillow's integer arithmetic, and each result is
quantised to uint8 as PIL does. Its draws and operations work on a batch of keys
and images at once (`sample_strong_params`, `apply_strong`); `TrainPipeline.epoch`
makes `strong` views per batch, bit-identical to `make_view` one at a time. `randaugment`:
the reference's numeric strength, torchvision RandAugment (`suite.data.randaugment`), batched
the same way. On top:
a fixed pool of `num_views` views per example, with optional per-view random labels,
and optional mixup / cutmix per batch.
"""

import dataclasses
import math

import numpy as np
import tensorflow as tf

from suite import errors
from suite import rng
from suite.data import corruptions
from suite.data import datasets
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

# Brightness, contrast, saturation, hue: torchvision's ColorJitter indices.
JITTER_OPS = ("brightness", "contrast", "saturation", "hue")


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
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
# Keyed uniforms for a batch of keys. TensorFlow's stateless ops take one seed per call and do
# not vectorise over seeds, so Philox-4x32-10 is evaluated here with elementwise uint64 ops:
# key k = (k0, k1) gives Philox key k0 and counter (j, k1) for its j-th block of 4 words, the
# words TensorFlow's own Philox kernel returns for that key and counter.

_MASK32 = 0xFFFFFFFF
_PHILOX_MULTIPLIERS = (0xD2511F53, 0xCD9E8D57)
_PHILOX_WEYL = (0x9E3779B9, 0xBB67AE85)


def philox_words(key: tf.Tensor, counter: tf.Tensor) -> tf.Tensor:
  """Philox-4x32-10 output words.

  Args:
    key: uint64 tensor (the 64-bit Philox key).
    counter: uint64 tensor of shape key.shape + [2] (the 128-bit counter, low word first).

  Returns:
    uint64 tensor of shape key.shape + [4] holding four 32-bit words.
  """
  u64 = lambda value: tf.constant(value, tf.uint64)
  mask, shift = u64(_MASK32), u64(32)
  low = lambda x: tf.bitwise.bitwise_and(x, mask)
  high = lambda x: tf.bitwise.right_shift(x, shift)
  k0, k1 = low(key), high(key)
  c0, c1 = low(counter[..., 0]), high(counter[..., 0])
  c2, c3 = low(counter[..., 1]), high(counter[..., 1])
  m0, m1 = u64(_PHILOX_MULTIPLIERS[0]), u64(_PHILOX_MULTIPLIERS[1])
  w0, w1 = u64(_PHILOX_WEYL[0]), u64(_PHILOX_WEYL[1])
  xor = tf.bitwise.bitwise_xor
  for _ in range(10):
    p0, p1 = m0 * c0, m1 * c2  # 32 x 32 -> 64 bits: exact in uint64.
    c0, c1, c2, c3 = xor(xor(high(p1), c1), k0), low(p1), xor(xor(high(p0), c3), k1), low(p0)
    k0, k1 = low(k0 + w0), low(k1 + w1)
  return tf.stack([c0, c1, c2, c3], axis=-1)


# TensorFlow's StatelessRandomGetKeyCounter scrambles a seed with one Philox block under this key.
_SEED_SCRAMBLE_KEY = 0x02461E29 << 32 | 0x3EC8F720


def _join_words(low_word, high_word):
  high_word = tf.bitwise.left_shift(high_word, tf.constant(32, tf.uint64))
  return tf.bitwise.bitwise_or(low_word, high_word)


def _first_draw(keys: tf.Tensor) -> tf.Tensor:
  """The first 64 random bits (uint64 [...]) that TensorFlow's stateless ops draw from each seed.

  TensorFlow scrambles a seed into a Philox key and counter with one Philox block, then
  draws from the next block; a 64-bit draw joins its first two words, low word first.
  """
  seed = tf.bitcast(tf.cast(keys, tf.int64), tf.uint64)
  scramble = tf.broadcast_to(tf.constant(_SEED_SCRAMBLE_KEY, tf.uint64), tf.shape(seed)[:-1])
  mix = philox_words(scramble, seed)
  key = _join_words(mix[..., 0], mix[..., 1])
  counter = tf.stack([tf.zeros_like(key), _join_words(mix[..., 2], mix[..., 3])], axis=-1)
  words = philox_words(key, counter)
  return _join_words(words[..., 0], words[..., 1])


def fold_keys(keys: tf.Tensor, values: tf.Tensor | int) -> tf.Tensor:
  """`rng.fold(key, value)` for a batch: keys int [..., 2], values int [...] -> int64 [..., 2].

  `tf.random.fold_in` pairs one int64 drawn from the seed with the value; here the draws of
  a batch of keys are evaluated elementwise (a few dozen vector ops instead of a few ops
  per key).
  """
  drawn = tf.bitcast(_first_draw(keys), tf.int64)
  values = tf.broadcast_to(tf.cast(values, tf.int64), tf.shape(drawn))
  return tf.stack([drawn, values], axis=-1)


def keyed_below(keys: tf.Tensor, maxval: int) -> tf.Tensor:
  """`tf.random.stateless_uniform([], seed=key, maxval=maxval, dtype=tf.int64)` per key."""
  bits = _first_draw(keys)
  return tf.bitcast(bits % tf.constant(maxval, tf.uint64), tf.int64)


def keyed_uniforms(keys: tf.Tensor, count: int) -> tf.Tensor:
  """`count` uniforms in [0, 1) (53-bit float64) for each stateless key of shape [..., 2]."""
  keys = tf.convert_to_tensor(keys)
  if keys.shape.rank is None or keys.shape.rank < 1 or keys.shape[-1] != 2:
    raise errors.SuiteError(f"keys must have shape [..., 2], got {keys.shape}")
  bits = tf.bitcast(tf.cast(keys, tf.int64), tf.uint64)
  blocks = (count + 1) // 2
  if keys.shape.rank == 1:  # One key: TensorFlow's own Philox kernel gives the same words.
    words = tf.raw_ops.StatelessRandomUniformFullIntV2(
        shape=[4 * blocks], key=bits[:1], counter=tf.stack([tf.constant(0, tf.uint64), bits[1]]),
        alg=1, dtype=tf.uint32)
    words = tf.reshape(tf.cast(words, tf.float64), [blocks, 4])
  else:
    index = tf.cast(tf.range(blocks, dtype=tf.int64), tf.uint64)
    key = tf.broadcast_to(bits[..., None, 0], tf.concat([tf.shape(bits)[:-1], [blocks]], 0))
    counter = tf.stack([tf.broadcast_to(index, tf.shape(key)),
                        tf.broadcast_to(bits[..., None, 1], tf.shape(key))], axis=-1)
    words = tf.cast(philox_words(key, counter), tf.float64)
  # Two 32-bit words give one 53-bit uniform (27 + 26 bits), as NumPy's random_sample does.
  high = tf.floor(words[..., 0::2] / 32.0)
  low = tf.floor(words[..., 1::2] / 64.0)
  uniforms = (high * 67108864.0 + low) / 9007199254740992.0
  shape = tf.concat([tf.shape(bits)[:-1], [2 * blocks]], 0)
  return tf.reshape(uniforms, shape)[..., :count]


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
    keys: integer tensor of shape [..., 2], stateless keys (e.g. from `view_key`).
    height: image height.
    width: image width.

  Returns:
    (top, left, crop_height, crop_width), int32 tensors of shape [...]; a key of shape [2]
    gives scalars. Key by key the same as calling this function on each key alone.
  """
  if height < 1 or width < 1:
    raise errors.SuiteError(f"image size must be positive, got {height}x{width}")
  return _crop_boxes(keyed_uniforms(keys, 2 * _CROP_TRIES + 2), height, width)


# ---------------------------------------------------------------------------------------------
# Pillow's arithmetic on uint8 images. Images here are float32 tensors [B, H, W, C] holding the
# integers 0..255 (C = 1 for an 'L' image, 3 for 'RGB'); per-example factors have shape [B].

_PRECISION_BITS = 22  # Pillow's fixed-point precision for 8-bit resampling (32 - 8 - 2).


def _resize_weights(start, length, out_size, in_size):
  """Pillow's bilinear coefficients of a crop [start, start + length) resized to out_size.

  Returns float64 [B, out_size, in_size] holding Pillow's fixed-point integer weights; a
  crop is never larger than the image here, so the filter support stays 1 (no antialiasing).
  """
  length = tf.cast(length, tf.float64)[:, None, None]
  start = tf.cast(start, tf.float64)[:, None, None]
  centre = (tf.range(out_size, dtype=tf.float64)[None, :, None] + 0.5) * length / out_size
  local = tf.range(in_size, dtype=tf.float64)[None, None, :] - start
  inside = tf.cast((local >= 0) & (local < length), tf.float64)
  weights = tf.nn.relu(1.0 - tf.abs(local + 0.5 - centre)) * inside
  weights = weights / tf.reduce_sum(weights, axis=-1, keepdims=True)
  return tf.floor(0.5 + weights * 2.0**_PRECISION_BITS)


def _fixed_point_to_uint8(values):
  return tf.clip_by_value(tf.floor((values + 2.0**(_PRECISION_BITS - 1)) /
                                   2.0**_PRECISION_BITS), 0.0, 255.0)


_WEIGHT_SPLIT = 2.0**11


def _weighted_sum(values, weights, on_the_right: bool):
  """Pillow's integer weights [B, M, K] (at most 2**22) times uint8 values, exact.

  `on_the_right`: values [B, C, N, K] @ weights^T gives [B, C, N, M]; else weights @ values
  [B, C, K, N] gives [B, C, M, N]. Each weight is split into 11-bit halves and each half
  multiplies in float32: a bilinear tap of a crop no larger than the image reaches at most
  two input pixels, so every product and partial sum is an integer below 2**24, exact in
  float32 in any summation order (float32 products run faster than float64 ones). The
  halves are joined in float64.
  """
  high = tf.floor(weights / _WEIGHT_SPLIT)
  low = weights - high * _WEIGHT_SPLIT
  values = tf.cast(values, tf.float32)

  def product(part):
    part = tf.cast(part, tf.float32)[:, None]  # One matrix per example, for every channel.
    if on_the_right:
      return tf.cast(tf.matmul(values, part, transpose_b=True), tf.float64)
    return tf.cast(tf.matmul(part, values), tf.float64)

  return product(high) * _WEIGHT_SPLIT + product(low)


def resized_crop(images: tf.Tensor, top: tf.Tensor, left: tf.Tensor, crop_height: tf.Tensor,
                 crop_width: tf.Tensor) -> tf.Tensor:
  """PIL `image.crop(box).resize((W, H), BILINEAR)` per example, on uint8 values.

  Pillow resamples horizontally, rounds to uint8, then vertically, in 22-bit fixed point;
  both passes are matrix products with its coefficients, computed exactly, on channels-first
  planes [B, C, H, W] (no transposes between the passes).
  """
  _, height, width, channels = images.shape
  across = _resize_weights(left, crop_width, width, width)
  down = _resize_weights(top, crop_height, height, height)
  planes = tf.transpose(images, [0, 3, 1, 2]) if channels > 1 else images[..., 0][:, None]
  rows = _fixed_point_to_uint8(_weighted_sum(planes, across, on_the_right=True))
  out = tf.cast(_fixed_point_to_uint8(_weighted_sum(rows, down, on_the_right=False)), tf.float32)
  return tf.transpose(out, [0, 2, 3, 1]) if channels > 1 else out[:, 0, ..., None]


# The crop compiled by XLA (static shapes, one fused program): the same bits as the plain
# ops, a third to a half of their time; tests compare both against Pillow.
_compiled_resized_crop = tf.function(resized_crop, jit_compile=True, autograph=False)


def _per_example(factor):
  return tf.cast(factor, tf.float32)[:, None, None, None]


def _blend(degenerate, images, factor):
  """PIL Image.blend(degenerate, image, factor): float32 arithmetic, truncated, clipped."""
  return tf.clip_by_value(tf.floor(degenerate + _per_example(factor) * (images - degenerate)),
                          0.0, 255.0)


def rgb_to_grayscale(images: tf.Tensor) -> tf.Tensor:
  """PIL convert('L'): (R*19595 + G*38470 + B*7471 + 2**15) >> 16, one channel (exact)."""
  if images.shape[-1] == 1:
    return images
  red, green, blue = tf.unstack(images, axis=-1)
  luma = tf.floor((red * 19595.0 + green * 38470.0 + blue * 7471.0 + 32768.0) / 65536.0)
  return luma[..., None]


def adjust_brightness(images: tf.Tensor, factor: tf.Tensor) -> tf.Tensor:
  """PIL ImageEnhance.Brightness: a blend with black."""
  return _blend(tf.zeros_like(images), images, factor)


def adjust_contrast(images: tf.Tensor, factor: tf.Tensor) -> tf.Tensor:
  """PIL ImageEnhance.Contrast: a blend with the rounded mean of the grayscale image."""
  mean = tf.reduce_mean(tf.cast(rgb_to_grayscale(images), tf.float64), axis=[1, 2, 3],
                        keepdims=True)
  return _blend(tf.cast(tf.floor(mean + 0.5), tf.float32), images, factor)


def adjust_saturation(images: tf.Tensor, factor: tf.Tensor) -> tf.Tensor:
  """PIL ImageEnhance.Color: a blend with the grayscale image (a no-op on 'L' images)."""
  if images.shape[-1] == 1:
    return images
  return _blend(rgb_to_grayscale(images), images, factor)


def _rgb_to_hsv(images):
  """Pillow's rgb2hsv: float32 and double steps as in its C code, truncated to uint8."""
  red, green, blue = tf.unstack(images, axis=-1)
  maxc = tf.maximum(red, tf.maximum(green, blue))
  minc = tf.minimum(red, tf.minimum(green, blue))
  grey = tf.equal(maxc, minc)
  spread = tf.where(grey, 1.0, maxc - minc)
  saturation = spread / tf.where(grey, 1.0, maxc)
  rc, gc, bc = [(maxc - channel) / spread for channel in (red, green, blue)]
  double = lambda x: tf.cast(x, tf.float64)
  hue = tf.where(tf.equal(red, maxc), double(bc - gc),
                 tf.where(tf.equal(green, maxc), 2.0 + double(rc) - double(bc),
                          4.0 + double(gc) - double(rc)))
  hue = tf.cast(hue, tf.float32)  # Stored in a C float.
  hue = double(hue) / 6.0 + 1.0
  hue = tf.cast(hue - tf.floor(hue), tf.float32)  # fmod(h / 6 + 1, 1), stored in a float.
  to_byte = lambda x: tf.clip_by_value(tf.floor(double(x) * 255.0), 0.0, 255.0)
  hue, saturation = to_byte(hue), to_byte(saturation)
  hue = tf.where(grey, tf.zeros_like(hue), hue)
  saturation = tf.where(grey, tf.zeros_like(saturation), saturation)
  return hue, saturation, double(maxc)


def _hsv_to_rgb(hue, saturation, value):
  """Pillow's hsv2rgb on float64 tensors of uint8 values (C round: half away from zero)."""
  sector = tf.floor(hue * 6.0 / 255.0)
  frac = tf.cast(hue * 6.0 / 255.0 - sector, tf.float32)
  fs = tf.cast(saturation / 255.0, tf.float32)
  c_round = lambda x: tf.clip_by_value(tf.floor(x + 0.5), 0.0, 255.0)
  p = c_round(value * (1.0 - tf.cast(fs, tf.float64)))
  q = c_round(value * (1.0 - tf.cast(fs * frac, tf.float64)))
  t = c_round(value * (1.0 - tf.cast(fs, tf.float64) * (1.0 - tf.cast(frac, tf.float64))))
  sector = tf.cast(sector, tf.int32) % 6
  # Per sector, which of (v, q, p, t) goes to red, green and blue.
  table = tf.constant([[0, 3, 2], [1, 0, 2], [2, 0, 3], [2, 1, 0], [3, 2, 0], [0, 2, 1]])
  candidates = tf.stack([value, q, p, t], axis=-1)
  rgb = tf.gather(candidates, tf.gather(table, sector), batch_dims=len(candidates.shape) - 1)
  rgb = tf.where(tf.equal(saturation, 0.0)[..., None], value[..., None], rgb)
  return tf.cast(rgb, tf.float32)


def adjust_hue(images: tf.Tensor, factor: tf.Tensor) -> tf.Tensor:
  """torchvision F.adjust_hue on PIL: H += uint8(factor * 255) with wrap-around, in PIL HSV.

  A no-op on 'L' images, as in torchvision.
  """
  if images.shape[-1] == 1:
    return images
  hue, saturation, value = _rgb_to_hsv(images)
  # NumPy's float -> uint8 cast: truncation toward zero, then modulo 256.
  shift = tf.math.floormod(tf.cast(tf.cast(factor, tf.float64) * 255.0, tf.int64), 256)
  hue = tf.math.floormod(hue + tf.cast(shift, tf.float64)[:, None, None], 256.0)
  return _hsv_to_rgb(hue, saturation, value)


_JITTER_FUNCTIONS = (adjust_brightness, adjust_contrast, adjust_saturation, adjust_hue)


def color_jitter(images: tf.Tensor, factors: tf.Tensor, order: tf.Tensor,
                 active: tf.Tensor | None = None) -> tf.Tensor:
  """torchvision ColorJitter on uint8 values: factors [B, 4], order [B, 4] (op indices).

  `active` (bool [B], optional): examples where it is False come back unchanged, and in a
  batch no operation runs on them (the reference applies ColorJitter with p=0.8).
  """
  ops = _JITTER_FUNCTIONS if images.shape[-1] == 3 else _JITTER_FUNCTIONS[:2]
  if images.shape[0] == 1:  # One example (a tf.data map): run only the op each step needs.
    original = images
    for step in range(4):
      branches = [lambda op=op, i=i, x=images: op(x, factors[:, i]) for i, op in enumerate(ops)]
      images = tf.switch_case(order[0, step], branches, default=lambda x=images: x)
    return images if active is None else tf.where(active[:, None, None, None], images, original)
  # A batch: at each step, each op runs once on the examples whose order puts it there;
  # partition 4 holds the inactive examples, which no op touches. The four steps are one
  # loop, so that a graph holds each op once (a quarter of the ops to build and optimise).
  positions = tf.range(tf.shape(images)[0])
  order = tf.cast(order, tf.int32)

  def one_step(step, images):
    which = order[:, step]
    if active is not None:
      which = tf.where(active, which, 4)
    parts = tf.dynamic_partition(images, which, 5)
    part_factors = tf.dynamic_partition(factors, which, 5)
    outs = [ops[i](parts[i], part_factors[i][:, i]) if i < len(ops) else parts[i]
            for i in range(5)]
    stitched = tf.dynamic_stitch(tf.dynamic_partition(positions, which, 5), outs)
    return step + 1, tf.ensure_shape(stitched, images.shape)

  return tf.while_loop(lambda step, _: step < 4, one_step, (tf.constant(0), images))[1]


def sample_strong_params(keys: tf.Tensor, height: int, width: int) -> dict:
  """The random choices of a `strong` view for each key of shape [..., 2].

  Returns a dict of tensors of shape [...] (factors and order: [..., 4]): `top`, `left`,
  `crop_height`, `crop_width` (the crop box), `flip`, `jitter`, `factors` (brightness,
  contrast, saturation, hue), `order` (a permutation of the four jitter ops), `grayscale`.
  """
  uniforms = keyed_uniforms(keys, _NUM_DRAWS)
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
  crop = _compiled_resized_crop if images.shape[0] is not None else resized_crop
  pixels = crop(pixels, params["top"], params["left"], params["crop_height"], params["crop_width"])
  pixels = tf.where(mask(params["flip"]), tf.reverse(pixels, axis=[2]), pixels)
  jittered = color_jitter(pixels, params["factors"], params["order"], params["jitter"])
  pixels = tf.where(mask(params["jitter"]), jittered, pixels)
  if pixels.shape[-1] == 3:
    gray = tf.tile(rgb_to_grayscale(pixels), [1, 1, 1, 3])
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


def view_key(seed: int, example_id: tf.Tensor | int, epoch_or_view: tf.Tensor | int,
             pooled: bool) -> tf.Tensor:
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
    key = view_key(self.seed, self._ids[position], view, pooled=True)
    return make_view(self.config.name, self._images[position], key, self.config.strength)

  def _unviewed_example(self, position, epoch):
    """An example with its stored image, and the key of the view it gets in `epoch`."""
    example_id = self._ids[position]
    label = self._labels[position]
    num_views = self.config.num_views
    if num_views:
      choice_key = rng.fold(rng.tf_key(self.seed, "view_choice"), example_id, epoch)
      view = tf.random.stateless_uniform([], seed=choice_key, maxval=num_views, dtype=tf.int64)
      key = view_key(self.seed, example_id, view, pooled=True)
      if self._view_labels is not None:
        label = self._view_labels[position, view]
    else:
      view = tf.constant(-1, tf.int64)
      key = view_key(self.seed, example_id, epoch, pooled=False)
    return {"image": self._images[position], "label": label,
            "clean_label": self._clean_labels[position], "corrupted": self._corrupted[position],
            "id": example_id, "view": view, "target": tf.one_hot(label, self.num_classes)}, key

  def _epoch_draws(self, epoch):
    """Every random choice of `epoch` for every position of the split, in batched ops.

    Returns a dict of tensors with first dimension N (the split's size): `view` and
    `label` (as `_unviewed_example` gives them) and, for `strong` and `randaugment`, the
    view's parameters (`sample_strong_params`, `randaugment.sample_randaugment_params` of its
    key). Drawn once per epoch outside the input pipeline, so that the pipeline's per-batch
    function is small: a function is instantiated (and optimised) anew for each epoch's
    dataset, at a cost that grows with its ops.
    """
    positions = tf.range(self.size, dtype=tf.int64)
    ids = self._ids
    per_id = lambda purpose: tf.broadcast_to(rng.tf_key(self.seed, purpose), [self.size, 2])
    labels = self._labels
    num_views = self.config.num_views
    if num_views:
      choice_keys = fold_keys(fold_keys(per_id("view_choice"), ids), epoch)
      view = keyed_below(choice_keys, num_views)
      keys = fold_keys(fold_keys(per_id("pool_view"), ids), view)
      if self._view_labels is not None:
        labels = tf.gather_nd(self._view_labels, tf.stack([positions, view], axis=-1))
    else:
      view = tf.fill([self.size], tf.constant(-1, tf.int64))
      keys = fold_keys(fold_keys(per_id("fresh_view"), ids), epoch)
    draws = {"view": view, "label": labels}
    if self._augmentation == "strong":
      height, width = self._images.shape[1:3]
      draws.update(sample_strong_params(keys, height, width))
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
      batch["image"] = apply_strong(batch["image"], mine)
    elif self._augmentation == "randaugment":
      batch["image"] = randaugment.apply_randaugment(batch["image"], mine, self.config.strength)
    return batch

  def example(self, position: tf.Tensor | int, epoch: tf.Tensor | int) -> dict[str, tf.Tensor]:
    """One training example at `position` of the split, as seen in `epoch`."""
    example, key = self._unviewed_example(position, epoch)
    if self._views is not None:
      return dict(example, image=self._views[position, example["view"]])
    return dict(example, image=make_view(self.config.name, example["image"], key,
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
