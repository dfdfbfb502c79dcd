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

"""Pillow's arithmetic on uint8 images, exact, in TensorFlow.

The resize of a crop, the ImageEnhance blends, grayscale and hue as Pillow computes them
(and torchvision's ColorJitter on top), and Pillow's NEAREST affine resampling as a map of
source pixels (RandAugment's geometric operations), so that a view made here equals the
reference's PIL view pixel for pixel. Images are float32 tensors [B, H, W, C] holding the integers
0..255 (C = 1 for an 'L' image, 3 for 'RGB'); per-example factors have shape [B].
"""

import math

import numpy as np
import tensorflow as tf

from suite import errors

# Brightness, contrast, saturation, hue: torchvision's ColorJitter indices.
JITTER_OPS = ("brightness", "contrast", "saturation", "hue")

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
compiled_resized_crop = tf.function(resized_crop, jit_compile=True, autograph=False)


def _per_example(factor):
  return tf.cast(factor, tf.float32)[:, None, None, None]


def blend(degenerate, images, factor):
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
  return blend(tf.zeros_like(images), images, factor)


def adjust_contrast(images: tf.Tensor, factor: tf.Tensor) -> tf.Tensor:
  """PIL ImageEnhance.Contrast: a blend with the rounded mean of the grayscale image."""
  mean = tf.reduce_mean(tf.cast(rgb_to_grayscale(images), tf.float64), axis=[1, 2, 3],
                        keepdims=True)
  return blend(tf.cast(tf.floor(mean + 0.5), tf.float32), images, factor)


def adjust_saturation(images: tf.Tensor, factor: tf.Tensor) -> tf.Tensor:
  """PIL ImageEnhance.Color: a blend with the grayscale image (a no-op on 'L' images)."""
  if images.shape[-1] == 1:
    return images
  return blend(rgb_to_grayscale(images), images, factor)


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


_FIXED_POINT_LIMIT = 32768.0  # Pillow's check_fixed: 16.16 coordinates must stay below this.


# ---------------------------------------------------------------------------------------------
# Geometric operations: Pillow's NEAREST affine resampling as a map of source pixels
# (RandAugment's shears, translations and rotation; tabulated per (operation, sign) there).

def _coord(value: float) -> int:
  return -1 if value < 0.0 else int(value)  # Pillow's COORD macro.


def _fix(value: float) -> int:
  return math.floor(value * 65536.0 + 0.5)  # Pillow's FIX: 16.16 fixed point.


def affine_source_map(matrix: list[float], height: int, width: int) -> np.ndarray:
  """Where PIL `transform(AFFINE, matrix, NEAREST)` takes each output pixel from.

  Args:
    matrix: the six coefficients (output pixel -> input point) Pillow receives.
    height: image height.
    width: image width.

  Returns:
    int32 [height * width]: the flat input index of each output pixel, or height * width
    where the output keeps the fill colour.
  """
  a = [float(v) for v in matrix]
  fill = height * width
  source = np.full((height, width), fill, np.int64)
  if a[1] == 0 and a[3] == 0:  # ImagingScaleAffine: float64 steps, a table of columns.
    columns = np.zeros(width, np.int64)
    xmin, xmax = width, 0
    position = a[2] + a[0] * 0.5
    for x in range(width):
      column = _coord(position)
      if 0 <= column < width:
        xmax = x + 1
        xmin = min(xmin, x)
        columns[x] = column
      position += a[0]
    position = a[5] + a[4] * 0.5
    for y in range(height):
      row = _coord(position)
      if 0 <= row < height and xmax > xmin:
        source[y, xmin:xmax] = row * width + columns[xmin:xmax]
      position += a[4]
    return source.reshape(-1).astype(np.int32)
  corners = [(0, 0), (width, height), (0, height), (width, 0)]
  if not all(abs(x * a[0] + y * a[1] + a[2]) < _FIXED_POINT_LIMIT and
             abs(x * a[3] + y * a[4] + a[5]) < _FIXED_POINT_LIMIT for x, y in corners):
    raise errors.SuiteError(f"an affine map of a {height}x{width} image leaves Pillow's "
                            "fixed-point range")
  # affine_fixed: integer steps from the centre of the first pixel; >> 16 floors.
  a0, a1, a3, a4 = _fix(a[0]), _fix(a[1]), _fix(a[3]), _fix(a[4])
  a2 = _fix(a[2] + a[0] * 0.5 + a[1] * 0.5)
  a5 = _fix(a[5] + a[3] * 0.5 + a[4] * 0.5)
  ys, xs = np.meshgrid(np.arange(height, dtype=np.int64), np.arange(width, dtype=np.int64),
                       indexing="ij")
  columns = (a2 + ys * a1 + xs * a0) >> 16
  rows = (a5 + ys * a4 + xs * a3) >> 16
  inside = (columns >= 0) & (columns < width) & (rows >= 0) & (rows < height)
  source[inside] = rows[inside] * width + columns[inside]
  return source.reshape(-1).astype(np.int32)


def torchvision_affine_matrix(center: tuple[float, float], translate: tuple[int, int],
                              shear: tuple[float, float]) -> list[float]:
  """torchvision `_get_inverse_affine_matrix(center, 0, translate, 1, shear)` (degrees)."""
  rot = math.radians(0.0)
  sx, sy = math.radians(shear[0]), math.radians(shear[1])
  cx, cy = center
  tx, ty = translate
  a = math.cos(rot - sy) / math.cos(sy)
  b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
  c = math.sin(rot - sy) / math.cos(sy)
  d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
  matrix = [d, -b, 0.0, -c, a, 0.0]
  matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
  matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
  matrix[2] += cx
  matrix[5] += cy
  return matrix


def pillow_rotation_matrix(angle: float, height: int, width: int) -> list[float] | None:
  """PIL `Image.rotate(angle)`'s affine matrix about the centre; None where it copies."""
  angle = angle % 360.0
  if angle == 0:
    return None
  if angle == 180 or (angle in (90, 270) and height == width):
    raise errors.SuiteError("rotations by multiples of 90 degrees are not RandAugment's")
  center = (width / 2, height / 2)
  angle = -math.radians(angle)
  matrix = [round(math.cos(angle), 15), round(math.sin(angle), 15), 0.0,
            round(-math.sin(angle), 15), round(math.cos(angle), 15), 0.0]
  a, b, c, d, e, f = matrix
  matrix[2], matrix[5] = a * -center[0] + b * -center[1] + c, d * -center[0] + e * -center[1] + f
  matrix[2] += center[0]
  matrix[5] += center[1]
  return matrix


def geometric_source_map(op: str, magnitude: float, height: int, width: int) -> np.ndarray:
  """The source map (`affine_source_map`) of a geometric RandAugment operation.

  Args:
    op: one of randaugment.GEOMETRIC_OPS.
    magnitude: the signed magnitude RandAugment passes to `_apply_op`.
    height: image height.
    width: image width.
  """
  if op == "shear_x":
    matrix = torchvision_affine_matrix((0, 0), (0, 0), (math.degrees(math.atan(magnitude)), 0.0))
  elif op == "shear_y":
    matrix = torchvision_affine_matrix((0, 0), (0, 0), (0.0, math.degrees(math.atan(magnitude))))
  elif op == "translate_x":
    matrix = torchvision_affine_matrix((width * 0.5, height * 0.5), (int(magnitude), 0),
                                       (0.0, 0.0))
  elif op == "translate_y":
    matrix = torchvision_affine_matrix((width * 0.5, height * 0.5), (0, int(magnitude)),
                                       (0.0, 0.0))
  elif op == "rotate":
    rotation = pillow_rotation_matrix(magnitude, height, width)
    if rotation is None:
      return np.arange(height * width, dtype=np.int32)
    matrix = rotation
  else:
    raise errors.SuiteError(f"{op!r} is not a geometric operation")
  return affine_source_map(matrix, height, width)
