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

from suite import rng
from suite.data import corruptions

_MASK = (1 << 64) - 1


def _splitmix64(x: int) -> int:
  """Vigna's splitmix64 step (state += golden gamma, then the finaliser), in Python ints."""
  x = (x + 0x9E3779B97F4A7C15) & _MASK
  x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
  x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
  return x ^ (x >> 31)


def test_the_hash_is_splitmix64():
  # The reference generator seeded with 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
  # 0x06c45d188009454f (prng.di.unimi.it/splitmix64.c): states 0, gamma, 2 * gamma.
  states = np.array([0, 0x9E3779B97F4A7C15, (2 * 0x9E3779B97F4A7C15) & _MASK], np.uint64)
  np.testing.assert_array_equal(corruptions._splitmix64(states),  # pylint: disable=protected-access
                                np.array([0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4,
                                          0x06C45D188009454F], np.uint64))
  values = np.random.default_rng(0).integers(0, 2**64, 1000, dtype=np.uint64)
  np.testing.assert_array_equal(
      corruptions._splitmix64(values),  # pylint: disable=protected-access
      np.array([_splitmix64(int(v)) for v in values], np.uint64))


def test_keyed_integers_chain_the_hash_over_seed_purpose_and_keys():
  """An independent Python computation of the documented chain, key by key."""
  ids, views = np.arange(-3, 40) * 7919, np.arange(3)[:, None]
  got = corruptions.keyed_randint(11, "some_purpose", 10, ids, views)
  assert got.shape == (3, len(ids)) and got.dtype == np.int64
  for view in range(3):
    for column, example_id in enumerate(ids):
      state = _splitmix64(11 ^ rng.purpose_tag("some_purpose"))
      for key in (int(example_id), view):
        state = _splitmix64(state ^ (key & _MASK))
      assert got[view, column] == state % 10


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


def test_label_noise_is_keyed_by_example_id_not_position():
  """A data-size sweep compares the same noise: an example keeps its random label in any subset.

  The subsets hold scattered ids (not a prefix), so a label keyed by position would differ.
  """
  ids = np.random.default_rng(0).permutation(10_000)[:1000] * 3 + 17
  clean = ids % 10
  full = corruptions.apply_label_noise(clean, ids, 10, 1.0, seed=4)
  # Every example drew a label, and it is the one keyed by its id (an independent draw).
  np.testing.assert_array_equal(full.labels, corruptions.random_labels(4, ids, 10))
  half = np.sort(np.random.default_rng(1).choice(1000, 400, replace=False))
  subset = corruptions.apply_label_noise(clean[half], ids[half], 10, 1.0, seed=4)
  np.testing.assert_array_equal(subset.labels, full.labels[half])
  # Partial noise: the examples selected, whichever they are, carry their id's label.
  partial = corruptions.apply_label_noise(clean[half], ids[half], 10, 0.3, seed=4)
  drawn = corruptions.random_labels(4, ids[half], 10)
  np.testing.assert_array_equal(partial.labels[partial.corrupted], drawn[partial.corrupted])
  assert partial.num_on_true_class == np.sum(drawn[partial.corrupted] ==
                                             clean[half][partial.corrupted])


def test_label_noise_selects_the_keyed_permutations_first_examples():
  """Which examples are corrupted: the first round(p * N) of a permutation keyed by
  (seed, purpose, N), as suite.rng draws it."""
  for size, fraction in ((10, 0.3), (57, 0.5)):
    mask = corruptions.select_exact_fraction(size, fraction, 5, "a_purpose")
    order = rng.numpy_generator(5, "a_purpose", size).permutation(size)
    np.testing.assert_array_equal(np.flatnonzero(mask), np.sort(order[:round(fraction * size)]))
    assert mask.dtype == bool


@pytest.mark.parametrize("fraction", [-0.1, 1.5, 2.0, float("nan")])
def test_a_fraction_outside_zero_one_is_refused(fraction):
  with pytest.raises(ValueError, match=r"fraction must be in \[0, 1\], got"):
    corruptions.select_exact_fraction(10, fraction, 0, "x")


def test_noisy_labels_are_int64_whatever_the_clean_dtype():
  clean = np.arange(50, dtype=np.uint8) % 10
  noise = corruptions.apply_label_noise(clean, np.arange(50), 10, 0.5, seed=1)
  assert noise.labels.dtype == np.int64
  np.testing.assert_array_equal(noise.labels[~noise.corrupted], clean[~noise.corrupted])
  assert clean.dtype == np.uint8  # The input is left alone.


@pytest.mark.parametrize("kind,fraction", [("none", 0.0), ("none", 0.5), ("gaussian", 0.0)])
def test_no_corruption_returns_the_images_and_an_empty_mask(kind, fraction):
  images = _distinct_pixel_images(6)
  out, mask = corruptions.corrupt_inputs(images, np.arange(6), kind, fraction, seed=0)
  np.testing.assert_array_equal(out, images)
  assert mask.dtype == bool and mask.shape == (6,) and not mask.any()


def test_corrupted_inputs_are_float32_copies():
  images = _distinct_pixel_images(6).astype(np.float64)
  for kind in ("shuffled_pixels", "random_pixels", "gaussian"):
    out, mask = corruptions.corrupt_inputs(images, np.arange(6), kind, 0.5, seed=0)
    assert out.dtype == np.float32 and mask.dtype == bool and mask.sum() == 3
    np.testing.assert_array_equal(out[~mask], images[~mask].astype(np.float32))
  np.testing.assert_array_equal(images, _distinct_pixel_images(6).astype(np.float64))


def test_a_gaussian_image_is_the_mean_plus_std_times_its_keyed_normal_draw():
  generator = np.random.default_rng(3)
  images = np.clip(generator.normal(0.5, 0.2, (30, 4, 4, 2)), 0, 1).astype(np.float32)
  ids = np.arange(30) + 900
  out, mask = corruptions.corrupt_inputs(images, ids, "gaussian", 0.4, seed=8)
  mean = images.reshape(-1, 2).mean(0)
  std = images.reshape(-1, 2).std(0)
  for index in np.flatnonzero(mask):
    noise = rng.numpy_generator(8, "gaussian", ids[index]).standard_normal((4, 4, 2))
    np.testing.assert_allclose(out[index], np.clip(mean + std * noise, 0, 1), atol=1e-6)


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
