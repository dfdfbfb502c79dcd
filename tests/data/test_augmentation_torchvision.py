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

"""`strong` against torchvision itself, not a re-implementation of it.

tests/data/reference/torchvision_reference.npz holds what torchvision 0.26 and Pillow 12.3
produced (tools/make_torchvision_reference.py, run once on a machine that has PyTorch):
RandomResizedCrop.get_params draws, the colour operations of ColorJitter on fixed uint8
images, resized crops, and summary statistics of 8,000 views of the reference's `full`
pipeline. The suite's TensorFlow port must agree: exactly for the deterministic operations,
in distribution (two-sample Kolmogorov-Smirnov) for the random choices and whole views.
"""

import os

import numpy as np
import pytest
from scipy import stats
import tensorflow as tf

from suite import rng
from suite.data import augmentation
from suite.data import pillow_ops

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "torchvision_reference.npz")
KS_LEVEL = 0.01  # A fixed-seed test: this is its false-alarm rate, not a flake rate.


@pytest.fixture(scope="module")
def reference():
  with np.load(REFERENCE) as data:
    return {name: data[name] for name in data.files}


def _keys(count: int, salt: str) -> tf.Tensor:
  """`count` fixed stateless keys (any int64 pairs: the pipeline's are fold_in outputs)."""
  generator = np.random.default_rng(rng.purpose_tag(salt))
  return tf.constant(generator.integers(-2**63, 2**63 - 1, size=(count, 2), dtype=np.int64))


@pytest.mark.parametrize("size", [32, 28])
def test_crop_boxes_are_distributed_as_torchvision_draws_them(reference, size):
  top, left, height, width = (t.numpy() for t in augmentation.random_resized_crop_box(
      _keys(20000, f"crop{size}"), size, size))
  ref = reference[f"crop_{size}"].astype(np.float64)  # (top, left, h, w) per draw.
  ours = {"area": height * width / size**2, "aspect": width / height,
          "top": top, "left": left}
  theirs = {"area": ref[:, 2] * ref[:, 3] / size**2, "aspect": ref[:, 3] / ref[:, 2],
            "top": ref[:, 0], "left": ref[:, 1]}
  for name, values in ours.items():
    result = stats.ks_2samp(values, theirs[name])
    assert result.pvalue > KS_LEVEL, (name, result)
  assert abs(np.mean(ours["area"]) - np.mean(theirs["area"])) < 0.01


def _uint8_images(array):
  return tf.constant(array, tf.float32)


@pytest.mark.parametrize("name,function", [
    ("brightness", pillow_ops.adjust_brightness),
    ("contrast", pillow_ops.adjust_contrast),
    ("saturation", pillow_ops.adjust_saturation)])
def test_colour_factors_equal_torchvision_on_rgb_images(reference, name, function):
  images = _uint8_images(reference["colour_inputs"])
  for factor, expected in zip(reference["factors"], reference[name]):
    got = function(images, tf.fill([images.shape[0]], float(factor))).numpy()
    np.testing.assert_array_equal(got, expected, err_msg=f"{name} {factor}")


@pytest.mark.parametrize("name,function", [("brightness_L", pillow_ops.adjust_brightness),
                                           ("contrast_L", pillow_ops.adjust_contrast)])
def test_colour_factors_equal_torchvision_on_grayscale_images(reference, name, function):
  images = _uint8_images(reference["colour_inputs"][..., :1])
  for factor, expected in zip(reference["factors"], reference[name]):
    got = function(images, tf.fill([images.shape[0]], float(factor))).numpy()[..., 0]
    np.testing.assert_array_equal(got, expected, err_msg=f"{name} {factor}")


def test_hue_is_within_one_level_of_torchvision(reference):
  images = _uint8_images(reference["colour_inputs"])
  for hue, expected in zip(reference["hues"], reference["hue"]):
    got = pillow_ops.adjust_hue(images, tf.fill([images.shape[0]], float(hue))).numpy()
    difference = np.abs(got - expected.astype(np.float32))
    assert difference.max() <= 1, hue
    assert np.mean(difference == 0) >= 0.999, hue


def test_grayscale_equals_torchvision(reference):
  images = _uint8_images(reference["colour_inputs"])
  got = pillow_ops.rgb_to_grayscale(images).numpy()[..., 0]
  np.testing.assert_array_equal(got, reference["grayscale"][..., 0])


def test_resized_crops_equal_torchvision(reference):
  images = _uint8_images(reference["colour_inputs"])
  count = images.shape[0]
  for box, expected in zip(reference["resize_boxes"], reference["resized"]):
    top, left, height, width = (tf.fill([count], int(v)) for v in box)
    got = pillow_ops.resized_crop(images, top, left, height, width).numpy()
    np.testing.assert_array_equal(got, expected, err_msg=str(box))


def test_whole_views_are_distributed_as_torchvision_full_pipeline(reference):
  """8,000 views of one image: per-view channel means and stds, and the grayscale rate."""
  base = tf.constant(reference["full_base"], tf.float32)[None] / 255.0
  count = 8000
  keys = _keys(count, "full_pipeline")
  params = augmentation.sample_strong_params(keys, 32, 32)
  views = np.concatenate([
      augmentation.apply_strong(tf.repeat(base, 1000, axis=0),
                                {k: v[i:i + 1000] for k, v in params.items()}).numpy()
      for i in range(0, count, 1000)])
  means, stds = views.mean(axis=(1, 2)), views.std(axis=(1, 2))
  for channel in range(3):
    for name, ours, theirs in (("mean", means, reference["full_view_mean"]),
                               ("std", stds, reference["full_view_std"])):
      result = stats.ks_2samp(ours[:, channel], theirs[:, channel])
      assert result.pvalue > KS_LEVEL, (name, channel, result)
  gray = np.all(np.abs(views[..., 0] - views[..., 1]) < 1e-6, axis=(1, 2))
  theirs = reference["full_view_gray"]
  # Two binomial proportions (grayscale p = 0.2, plus jitter that happens to leave gray).
  pooled = (gray.sum() + theirs.sum()) / (len(gray) + len(theirs))
  z = (gray.mean() - theirs.mean()) / np.sqrt(pooled * (1 - pooled) * (1 / len(gray) +
                                                                        1 / len(theirs)))
  assert abs(z) < 3.5, (gray.mean(), theirs.mean())


def test_the_comparison_can_fail(reference):
  """The KS test used above rejects a crop sampler that differs slightly from torchvision's."""
  ref = reference["crop_32"].astype(np.float64)
  top, left, height, width = (t.numpy() for t in augmentation.random_resized_crop_box(
      _keys(20000, "crop32"), 32, 32))
  shrunk_area = (height * width / 32**2) * 0.93  # The area range 0.074-0.93 instead.
  assert stats.ks_2samp(shrunk_area, ref[:, 2] * ref[:, 3] / 32**2).pvalue < KS_LEVEL
