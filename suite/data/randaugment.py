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

"""The reference's numeric augmentation strength: torchvision RandAugment on uint8 images.

sanagno/benign_memorization maps an augmentation strength a in [0, 1] to
`RandAugment(num_ops=int(a * 10 // 3 + 1), magnitude=min(int(a * 100), 99),
num_magnitude_bins=100)` on PIL images, then `ToTensor`. RandAugment applies `num_ops`
operations in a row, each drawn uniformly (with replacement) from 14: Identity, ShearX,
ShearY, TranslateX, TranslateY, Rotate, Brightness, Color, Contrast, Sharpness, Posterize,
Solarize, AutoContrast, Equalize. The magnitude bin is fixed by the strength, not drawn;
the signed operations (shears, translations, rotation and the four enhancements) negate
their magnitude with probability 1/2. Geometric operations resample with NEAREST and fill
with 0.

Here every draw is keyed statelessly as `strong`'s are (`sample_randaugment_params` on a
batch of keys), and every operation reproduces Pillow's arithmetic on uint8 values, so that a
view equals what torchvision and Pillow make from the same choices, pixel for pixel:

- The magnitude tables are torch's float32 `linspace` (its scalar formula; PyTorch's
  vectorised kernel can land one float32 ulp away at some bins, which moves a blend factor
  by one ulp) and `8 - round(arange(bins) / ((bins - 1) / 4))` for Posterize.
- The geometric operations build torchvision's inverse affine matrix (`F.affine`: the
  centre (0, 0) for the shears, as RandAugment passes it, and the image centre for the
  translations) or Pillow's rotation matrix (`Image.rotate`: cos and sin rounded to 15
  decimals about (W/2, H/2)), then follow Pillow's NEAREST affine resampling: its scaling
  path (float64 steps) when the matrix has no off-diagonal terms, else its 16.16 fixed-point
  path. The magnitude is fixed per pipeline, so each (operation, sign) is a fixed map of
  source pixels, computed once in NumPy; a view gathers through its map.
- Brightness, Color, Contrast: the suite's Pillow-exact `pillow_ops.adjust_*`. Sharpness:
  Pillow's SMOOTH filter (3x3 kernel [1 1 1; 1 5 1; 1 1 1] / 13 in float32, summed in
  Pillow's order, +0.5, truncated; the border rows and columns copied) blended as
  ImageEnhance does. Posterize, Solarize, AutoContrast, Equalize: ImageOps' lookup tables
  (per image and channel for the last two), clipped to uint8 as `Image.point` does.
- 'L' (1-channel) images: Color is the identity, as ImageEnhance.Color on 'L' is.
"""

import functools

import numpy as np
import tensorflow as tf

from suite import errors
from suite import rng
from suite.data import pillow_ops

OPS = ("identity", "shear_x", "shear_y", "translate_x", "translate_y", "rotate", "brightness",
       "color", "contrast", "sharpness", "posterize", "solarize", "autocontrast", "equalize")
SIGNED_OPS = ("shear_x", "shear_y", "translate_x", "translate_y", "rotate", "brightness",
              "color", "contrast", "sharpness")
GEOMETRIC_OPS = ("shear_x", "shear_y", "translate_x", "translate_y", "rotate")
NUM_MAGNITUDE_BINS = 100  # The reference's num_magnitude_bins.



def strength_setting(strength: float) -> tuple[int, int]:
  """(num_ops, magnitude bin) of a strength, with the reference's Python float arithmetic."""
  if not 0.0 <= strength <= 1.0:
    raise errors.ConfigError(f"augmentation strength must be in [0, 1], got {strength}")
  num_ops = int(strength * 10 // 3 + 1)
  magnitude = min(int(strength * NUM_MAGNITUDE_BINS), NUM_MAGNITUDE_BINS - 1)
  return num_ops, magnitude


def _linspace32(start: float, end: float, steps: int, index: int) -> float:
  """torch.linspace(start, end, steps)[index] in float32 (CPU scalar formula), as a double."""
  f32 = np.float32
  step = f32((f32(end) - f32(start)) / f32(steps - 1))
  if index < steps // 2:
    return float(f32(f32(start) + step * f32(index)))
  return float(f32(f32(end) - step * f32(steps - index - 1)))


def magnitudes(magnitude_bin: int, height: int, width: int) -> dict[str, float]:
  """The magnitude of each operation at a bin (before the sign), as RandAugment reads it."""
  bins = NUM_MAGNITUDE_BINS
  if not 0 <= magnitude_bin < bins:
    raise errors.SuiteError(f"magnitude bin must be in [0, {bins}), got {magnitude_bin}")
  at = lambda start, end: _linspace32(start, end, bins, magnitude_bin)
  # torch: 8 - (arange(bins) / ((bins - 1) / 4)).round().int(), float32 division, half to even.
  posterize = 8 - int(np.round(np.float32(magnitude_bin) / np.float32((bins - 1) / 4)))
  return {
      "shear_x": at(0.0, 0.3), "shear_y": at(0.0, 0.3),
      "translate_x": at(0.0, 150.0 / 331.0 * width),
      "translate_y": at(0.0, 150.0 / 331.0 * height),
      "rotate": at(0.0, 30.0),
      "brightness": at(0.0, 0.9), "color": at(0.0, 0.9), "contrast": at(0.0, 0.9),
      "sharpness": at(0.0, 0.9),
      "posterize": float(posterize), "solarize": at(255.0, 0.0),
      "identity": 0.0, "autocontrast": 0.0, "equalize": 0.0,
  }


# ---------------------------------------------------------------------------------------------
# The random choices.

def sample_randaugment_params(keys: tf.Tensor, strength: float) -> dict:
  """The random choices of a `randaugment` view for each key of shape [..., 2].

  Returns a dict of tensors of shape [..., num_ops]: `ops` (int32 indices into `OPS`, uniform
  and independent per step, as torch.randint(14)) and `negative` (bool, p = 1/2: the signed
  operations negate their magnitude; drawn for every step, read only by signed ones).
  """
  num_ops, _ = strength_setting(strength)
  uniforms = rng.keyed_uniforms(keys, 2 * num_ops)
  ops = tf.minimum(tf.floor(uniforms[..., 0::2] * len(OPS)), len(OPS) - 1)
  return {"ops": tf.cast(ops, tf.int32), "negative": uniforms[..., 1::2] < 0.5}


@functools.lru_cache(maxsize=64)
def _source_maps(op: str, magnitude_bin: int, height: int, width: int) -> np.ndarray:
  """int32 [2, H * W]: the source maps of `op` with the positive and the negated magnitude."""
  magnitude = magnitudes(magnitude_bin, height, width)[op]
  return np.stack([pillow_ops.geometric_source_map(op, magnitude, height, width),
                   pillow_ops.geometric_source_map(op, -magnitude, height, width)])


def _gather_pixels(images, maps, negative):
  """Output pixel p of image i = input pixel maps[negative[i], p] (fill 0 at index H * W)."""
  _, height, width, channels = images.shape
  flat = tf.reshape(images, [-1, height * width, channels])
  flat = tf.concat([flat, tf.zeros_like(flat[:, :1])], axis=1)
  per_image = tf.gather(tf.constant(maps), tf.cast(negative, tf.int32))
  return tf.reshape(tf.gather(flat, per_image, batch_dims=1), [-1, height, width, channels])


# ---------------------------------------------------------------------------------------------
# Colour and histogram operations on uint8 values in float32 [B, H, W, C].

_SMOOTH = np.float32(1.0) / np.float32(13.0)  # Pillow divides the kernel by its scale in float.
_SMOOTH_CENTRE = np.float32(5.0) / np.float32(13.0)


def smooth(images: tf.Tensor) -> tf.Tensor:
  """PIL `image.filter(ImageFilter.SMOOTH)`, exactly: float32 sums in Pillow's order."""
  _, height, width, _ = images.shape
  if height < 3 or width < 3:
    return images  # Pillow returns a copy of an image smaller than the kernel.
  side, centre = tf.constant(_SMOOTH), tf.constant(_SMOOTH_CENTRE)

  def row_sum(rows, middle):
    left, mid, right = rows[:, :, :-2], rows[:, :, 1:-1], rows[:, :, 2:]
    return (left * side + mid * (centre if middle else side)) + right * side

  ss = tf.constant(np.float32(0.5)) + row_sum(images[:, 2:], False)  # Row y + 1 first.
  ss = ss + row_sum(images[:, 1:-1], True)
  ss = ss + row_sum(images[:, :-2], False)
  inner = tf.floor(tf.clip_by_value(ss, 0.0, 255.0))
  # Border columns and rows keep their input values.
  inner = tf.concat([images[:, 1:-1, :1], inner, images[:, 1:-1, -1:]], axis=2)
  return tf.concat([images[:, :1], inner, images[:, -1:]], axis=1)


def adjust_sharpness(images: tf.Tensor, factor: tf.Tensor) -> tf.Tensor:
  """PIL ImageEnhance.Sharpness: a blend with the SMOOTH-filtered image."""
  return pillow_ops.blend(smooth(images), images, factor)


def posterize(images: tf.Tensor, bits: int) -> tf.Tensor:
  """PIL ImageOps.posterize: keep the top `bits` bits of each value."""
  unit = float(2**(8 - bits))
  return tf.floor(images / unit) * unit


def solarize(images: tf.Tensor, threshold: float) -> tf.Tensor:
  """PIL ImageOps.solarize: values >= threshold become 255 - value."""
  return tf.where(images < threshold, images, 255.0 - images)


def _histograms(images):
  """Per image and channel: flat indices into [B * C, 256] tables, and histograms [B * C, 256].

  One flat bincount and one flat gather (row * 256 + value) run faster than their batched
  forms.
  """
  _, height, width, _ = images.shape
  values = tf.cast(tf.reshape(tf.transpose(images, [0, 3, 1, 2]), [-1, height * width]),
                   tf.int32)
  rows = tf.shape(values)[0]
  flat = tf.reshape(values + 256 * tf.range(rows)[:, None], [-1])
  counts = tf.reshape(tf.math.bincount(flat, minlength=256 * rows, maxlength=256 * rows),
                      [rows, 256])
  return flat, counts


def _apply_tables(images, flat, tables):
  """Each channel of each image through its lookup table [B * C, 256] (clipped as PIL's)."""
  _, height, width, channels = images.shape
  mapped = tf.gather(tf.reshape(tf.clip_by_value(tables, 0.0, 255.0), [-1]), flat)
  return tf.transpose(tf.reshape(mapped, [-1, channels, height, width]), [0, 2, 3, 1])


def autocontrast(images: tf.Tensor) -> tf.Tensor:
  """PIL ImageOps.autocontrast (cutoff 0): per channel, lo..hi stretched to 0..255 (float64)."""
  flat, counts = _histograms(images)
  levels = tf.range(256, dtype=tf.int32)
  present = counts > 0
  lo = tf.reduce_min(tf.where(present, levels, 256), axis=-1, keepdims=True)
  hi = tf.reduce_max(tf.where(present, levels, -1), axis=-1, keepdims=True)
  spread = tf.cast(tf.maximum(hi - lo, 1), tf.float64)
  scale = 255.0 / spread
  offset = -tf.cast(lo, tf.float64) * scale
  stretched = tf.cast(levels, tf.float64) * scale + offset
  stretched = tf.where(stretched < 0, tf.math.ceil(stretched), tf.floor(stretched))  # int().
  tables = tf.where(hi <= lo, tf.cast(levels, tf.float64), stretched)
  return _apply_tables(images, flat, tf.cast(tables, tf.float32))


def equalize(images: tf.Tensor) -> tf.Tensor:
  """PIL ImageOps.equalize: per channel, the table (step // 2 + values below) // step."""
  flat, counts = _histograms(images)
  counts = tf.cast(counts, tf.int64)
  levels = tf.range(256, dtype=tf.int64)
  present = counts > 0
  last = tf.reduce_max(tf.where(present, levels, -1), axis=-1, keepdims=True)
  last_count = tf.reduce_sum(tf.where(tf.equal(levels, last), counts, 0), axis=-1,
                             keepdims=True)
  total = tf.reduce_sum(counts, axis=-1, keepdims=True)
  step = (total - last_count) // 255
  below = tf.cumsum(counts, axis=-1, exclusive=True)
  safe_step = tf.maximum(step, 1)
  tables = (safe_step // 2 + below) // safe_step
  distinct = tf.reduce_sum(tf.cast(present, tf.int64), axis=-1, keepdims=True)
  keep = (distinct <= 1) | (step == 0)
  tables = tf.where(keep, levels, tables)
  return _apply_tables(images, flat, tf.cast(tables, tf.float32))


# ---------------------------------------------------------------------------------------------
# The pipeline.

def _factor(magnitude, negative):
  """Per image: float32(1 + magnitude), the magnitude negated where `negative`."""
  plus = np.float32(1.0 + magnitude)
  minus = np.float32(1.0 + -magnitude)
  return tf.where(negative, tf.constant(minus), tf.constant(plus))


def _operations(magnitude_bin: int, height: int, width: int):
  """Each of `OPS` as a function of (images [b, H, W, C], negative [b])."""
  table = magnitudes(magnitude_bin, height, width)
  geometric = lambda op: lambda x, negative: _gather_pixels(
      x, _source_maps(op, magnitude_bin, height, width), negative)
  enhance = lambda function, op: lambda x, negative: function(x, _factor(table[op], negative))
  return (
      lambda x, negative: x,
      geometric("shear_x"), geometric("shear_y"), geometric("translate_x"),
      geometric("translate_y"), geometric("rotate"),
      enhance(pillow_ops.adjust_brightness, "brightness"),
      enhance(pillow_ops.adjust_saturation, "color"),
      enhance(pillow_ops.adjust_contrast, "contrast"),
      enhance(adjust_sharpness, "sharpness"),
      lambda x, negative: posterize(x, int(table["posterize"])),
      lambda x, negative: solarize(x, table["solarize"]),
      lambda x, negative: autocontrast(x),
      lambda x, negative: equalize(x),
  )


def apply_operation(images: tf.Tensor, op: str, negative: tf.Tensor, strength: float
                    ) -> tf.Tensor:
  """One RandAugment operation at the strength's magnitude on uint8 values [B, H, W, C].

  Args:
    images: float32 [B, H, W, C] holding integers 0..255 (C = 1: an 'L' image, 3: 'RGB').
    op: one of `OPS`.
    negative: bool [B]: negate the magnitude (signed operations only).
    strength: the augmentation strength (fixes the magnitude bin).
  """
  _, magnitude_bin = strength_setting(strength)
  _, height, width, _ = images.shape
  return _operations(magnitude_bin, height, width)[OPS.index(op)](images, negative)


def apply_randaugment(images: tf.Tensor, params: dict, strength: float) -> tf.Tensor:
  """The reference's RandAugment(strength) then ToTensor, on float images [B, H, W, C] in [0, 1].

  `params` as `sample_randaugment_params` gives them for the images' keys. At each step each
  operation runs once, on the images whose draw picks it (a partition of the batch); the
  steps are one loop, so that a graph holds each operation once.
  """
  num_ops, magnitude_bin = strength_setting(strength)
  _, height, width, channels = images.shape
  if channels not in (1, 3):
    raise errors.SuiteError(f"RandAugment needs 1 or 3 channels ('L' or 'RGB'), got {channels}")
  operations = _operations(magnitude_bin, height, width)
  pixels = tf.round(tf.clip_by_value(tf.cast(images, tf.float32), 0.0, 1.0) * 255.0)
  positions = tf.range(tf.shape(pixels)[0])
  ops = tf.cast(params["ops"], tf.int32)
  negative = params["negative"]

  def one_step(step, pixels):
    which = ops[:, step]
    parts = tf.dynamic_partition(pixels, which, len(OPS))
    signs = tf.dynamic_partition(negative[:, step], which, len(OPS))
    outs = [operation(part, sign) for operation, part, sign in zip(operations, parts, signs)]
    stitched = tf.dynamic_stitch(tf.dynamic_partition(positions, which, len(OPS)), outs)
    return step + 1, tf.ensure_shape(stitched, pixels.shape)

  pixels = tf.while_loop(lambda step, _: step < num_ops, one_step, (tf.constant(0), pixels))[1]
  return pixels / 255.0


def randaugment_view(image: tf.Tensor, key: tf.Tensor, strength: float) -> tf.Tensor:
  """A `randaugment` view of one image [H, W, C] in [0, 1], keyed as a batch of one."""
  params = {name: value[None] for name, value in sample_randaugment_params(key, strength).items()}
  view = apply_randaugment(tf.cast(image, tf.float32)[None], params, strength)[0]
  return tf.ensure_shape(view, image.shape)
