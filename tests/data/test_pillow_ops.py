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

"""Pillow's NEAREST affine source maps (suite.data.pillow_ops) against Pillow itself."""

import numpy as np
from PIL import Image
import pytest

from suite import errors
from suite.data import pillow_ops


def _pillow_source_map(matrix, height, width):
  """The source map by Pillow: an image of index + 1 (0 is the fill), transformed."""
  image = Image.fromarray((np.arange(height * width, dtype=np.int32) + 1).reshape(height, width))
  out = np.asarray(image.transform((width, height), Image.AFFINE, tuple(matrix),
                                   resample=Image.NEAREST)).reshape(-1).astype(np.int64)
  return np.where(out == 0, height * width, out - 1)


@pytest.mark.parametrize("matrix", [(0.5, 0, 0, 0, 0.5, 0), (0.7, 0, 0.6, 0, 1.3, -0.4),
                                    (1.5, 0, -1.2, 0, 0.8, 0.3), (1, 0, 2, 0, 1, -3)])
def test_scale_affine_maps_match_pillow(matrix):
  """No rotation or shear: Pillow's ImagingScaleAffine, which starts half a step in."""
  np.testing.assert_array_equal(pillow_ops.affine_source_map(list(matrix), 7, 9),
                                _pillow_source_map(matrix, 7, 9))


@pytest.mark.parametrize("op,magnitude,matrix", [
    ("translate_x", 3.0, (1, 0, -3, 0, 1, 0)), ("translate_y", 2.0, (1, 0, 0, 0, 1, -2)),
    ("translate_y", -4.0, (1, 0, 0, 0, 1, 4))])
def test_translations_move_the_image_by_whole_pixels(op, magnitude, matrix):
  # 64 x 80: large enough that a stray shear of a degree moves some pixel.
  for height, width in [(8, 10), (64, 80)]:
    np.testing.assert_array_equal(pillow_ops.geometric_source_map(op, magnitude, height, width),
                                  _pillow_source_map(matrix, height, width))


def test_a_map_outside_pillows_fixed_point_range_is_refused_naming_the_image():
  with pytest.raises(errors.SuiteError, match="^an affine map of a 4x5 image leaves Pillow's "
                     "fixed-point range$"):
    pillow_ops.affine_source_map([1, 0.5, 40000, 0, 1, 0], 4, 5)
