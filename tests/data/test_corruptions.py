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

import numpy as np
import pytest

from suite.data import corruptions


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.37, 0.5, 1.0])
@pytest.mark.parametrize("size", [1, 7, 1000])
def test_label_noise_fraction_is_exact(fraction, size):
  clean = np.arange(size) % 10
  noise = corruptions.apply_label_noise(clean, np.arange(size) + 5, 10, fraction, seed=3)
  assert noise.corrupted.sum() == round(fraction * size)
  np.testing.assert_array_equal(noise.labels[~noise.corrupted], clean[~noise.corrupted])
  on_true = np.sum(noise.labels[noise.corrupted] == clean[noise.corrupted])
  assert noise.num_on_true_class == on_true


def test_random_labels_are_uniform_and_keyed_by_example_id():
  ids = np.arange(100_000)
  labels = corruptions.random_labels(seed=1, example_ids=ids, num_classes=10)
  counts = np.bincount(labels, minlength=10)
  # Chi-square with 9 degrees of freedom: 27.9 is the 0.999 quantile.
  expected = len(ids) / 10
  assert np.sum((counts - expected) ** 2 / expected) < 27.9
  # The same id keeps its label in any subset, order or array size.
  subset = ids[::-7]
  np.testing.assert_array_equal(corruptions.random_labels(1, subset, 10), labels[subset])
  assert not np.array_equal(corruptions.random_labels(2, ids, 10), labels)


def test_per_view_random_labels_differ_across_views():
  ids = np.arange(1000)
  view0 = corruptions.random_labels(0, ids, 10, views=np.zeros_like(ids))
  view1 = corruptions.random_labels(0, ids, 10, views=np.ones_like(ids))
  # Independent uniform labels agree on about 10% of examples.
  assert 0.05 < np.mean(view0 == view1) < 0.15


def test_label_noise_is_the_same_on_a_rerun():
  clean = np.arange(500) % 10
  first = corruptions.apply_label_noise(clean, np.arange(500), 10, 0.4, seed=9)
  second = corruptions.apply_label_noise(clean, np.arange(500), 10, 0.4, seed=9)
  np.testing.assert_array_equal(first.labels, second.labels)
  np.testing.assert_array_equal(first.corrupted, second.corrupted)
  other = corruptions.apply_label_noise(clean, np.arange(500), 10, 0.4, seed=10)
  assert not np.array_equal(first.corrupted, other.corrupted)


def _distinct_pixel_images(num, height=6, width=5, channels=2):
  values = np.arange(num * height * width * channels, dtype=np.float32)
  return (values / values.max()).reshape(num, height, width, channels)


def _pixel_permutation(original, corrupted):
  """The permutation p with corrupted[k] == original[p[k]], from distinct pixel values."""
  flat_original = original.reshape(-1, original.shape[-1])[:, 0]
  flat_corrupted = corrupted.reshape(-1, corrupted.shape[-1])[:, 0]
  lookup = {value: index for index, value in enumerate(flat_original)}
  return np.array([lookup[value] for value in flat_corrupted])


def test_shuffled_pixels_uses_one_permutation_for_all_images():
  images = _distinct_pixel_images(20)
  out, mask = corruptions.corrupt_inputs(images, np.arange(20), "shuffled_pixels", 0.5, seed=0)
  assert mask.sum() == 10
  np.testing.assert_array_equal(out[~mask], images[~mask])
  permutations = {tuple(_pixel_permutation(images[i], out[i])) for i in np.flatnonzero(mask)}
  assert len(permutations) == 1
  assert permutations.pop() != tuple(range(30))
  # Channels of a pixel move together.
  np.testing.assert_array_equal(np.sort(out[mask].reshape(10, -1), axis=1),
                                np.sort(images[mask].reshape(10, -1), axis=1))


def test_random_pixels_uses_a_fixed_permutation_per_image():
  images = _distinct_pixel_images(8)
  ids = np.arange(100, 108)
  out, mask = corruptions.corrupt_inputs(images, ids, "random_pixels", 1.0, seed=0)
  permutations = {tuple(_pixel_permutation(images[i], out[i])) for i in range(8)}
  assert len(permutations) == 8
  # Keyed by example id: image 3 alone gives the same result.
  alone, _ = corruptions.corrupt_inputs(images[3:4], ids[3:4], "random_pixels", 1.0, seed=0)
  np.testing.assert_array_equal(alone[0], out[3])


def test_gaussian_inputs_match_the_data_statistics():
  rng = np.random.default_rng(0)
  images = np.clip(rng.normal([0.3, 0.6, 0.5], [0.1, 0.05, 0.2], (400, 8, 8, 3)), 0, 1)
  images = images.astype(np.float32)
  out, mask = corruptions.corrupt_inputs(images, np.arange(400), "gaussian", 1.0, seed=0)
  assert mask.all()
  np.testing.assert_allclose(out.reshape(-1, 3).mean(0), images.reshape(-1, 3).mean(0), atol=0.01)
  # Clipping to [0, 1] shrinks the widest channel's spread a little.
  np.testing.assert_allclose(out.reshape(-1, 3).std(0), images.reshape(-1, 3).std(0), rtol=0.1)
  assert out.min() >= 0.0 and out.max() <= 1.0
  assert np.abs(np.corrcoef(out[:, 0, 0, 0], images[:, 0, 0, 0])[0, 1]) < 0.2


def test_unknown_corruption_is_rejected():
  with pytest.raises(ValueError, match="unknown input corruption"):
    corruptions.corrupt_inputs(np.zeros((2, 2, 2, 1)), np.arange(2), "blur", 1.0, 0)
