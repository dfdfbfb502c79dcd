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

from suite import errors
from suite.data import datasets


def _config(**kwargs):
  return datasets.DataConfig(dataset="digits", **kwargs)


def test_subsets_are_balanced_disjoint_and_seeded(digits_raw):
  data = datasets.build(digits_raw, _config(train_size=200, validation_size=100, test_size=50,
                                            seed=4))
  assert (len(data.train), len(data.validation), len(data.test)) == (200, 100, 50)
  np.testing.assert_array_equal(np.bincount(data.train.clean_labels), [20] * 10)
  np.testing.assert_array_equal(np.bincount(data.validation.labels), [10] * 10)
  np.testing.assert_array_equal(np.bincount(data.test.labels), [5] * 10)
  assert not set(data.train.ids) & set(data.validation.ids)
  # Ids index the TFDS split: the images are those of the raw arrays.
  np.testing.assert_array_equal(data.train.images * 255,
                                digits_raw.train_images[data.train.ids].astype(np.float32))
  np.testing.assert_array_equal(data.test.clean_labels, digits_raw.test_labels[data.test.ids])
  again = datasets.build(digits_raw, _config(train_size=200, validation_size=100, test_size=50,
                                             seed=4))
  np.testing.assert_array_equal(again.train.ids, data.train.ids)
  other = datasets.build(digits_raw, _config(train_size=200, validation_size=100, seed=5))
  assert not np.array_equal(other.train.ids, data.train.ids)


def test_uneven_subset_sizes_stay_within_one_per_class(digits_raw):
  data = datasets.build(digits_raw, _config(train_size=203, seed=0))
  counts = np.bincount(data.train.clean_labels)
  assert counts.sum() == 203 and counts.max() - counts.min() == 1


def test_label_noise_only_touches_training_labels(digits_raw):
  data = datasets.build(digits_raw, _config(train_size=500, validation_size=100, label_noise=0.3,
                                            seed=2))
  assert data.train.corrupted.sum() == 150 == data.info.num_label_corrupted
  changed = data.train.labels != data.train.clean_labels
  assert np.all(data.train.corrupted[changed])
  assert data.info.num_random_labels_on_true_class == np.sum(
      data.train.corrupted & ~changed)
  for split in (data.validation, data.test):
    np.testing.assert_array_equal(split.labels, split.clean_labels)
    assert not split.corrupted.any()


def test_input_corruption_marks_examples_and_keeps_labels(digits_raw):
  data = datasets.build(digits_raw, _config(train_size=100, input_corruption="random_pixels",
                                            input_corruption_fraction=0.25))
  assert data.train.corrupted.sum() == 25 == data.info.num_input_corrupted
  np.testing.assert_array_equal(data.train.labels, data.train.clean_labels)
  original = digits_raw.train_images[data.train.ids].astype(np.float32) / 255
  assert not np.allclose(data.train.images[data.train.corrupted], original[data.train.corrupted])
  np.testing.assert_array_equal(data.train.images[~data.train.corrupted],
                                original[~data.train.corrupted])


@pytest.mark.parametrize("kwargs, message", [
    (dict(label_noise=1.5), "label_noise"),
    (dict(input_corruption="blur"), "unknown input corruption"),
    (dict(train_size=-1), "train_size"),
])
def test_bad_configs_are_rejected(kwargs, message):
  with pytest.raises(errors.ConfigError, match=message):
    _config(**kwargs)


def test_too_large_a_subset_is_explained(digits_raw):
  with pytest.raises(errors.ConfigError, match="only 1438 are available"):
    datasets.build(digits_raw, _config(train_size=5000))


def _marked_raw(train=600, test=200, num_classes=10):
  """Images that say where they come from: pixel 0 the split (0 train, 1 test), pixels 1-2
  the index in it, so any image can be traced back without relying on its content."""
  from suite.data import sources  # pylint: disable=g-import-not-at-top

  def images(count, split):
    out = np.zeros((count, 4, 4, 1), np.uint8)
    out[:, 0, 0, 0] = split
    out[:, 0, 1, 0], out[:, 0, 2, 0] = np.divmod(np.arange(count), 256)
    return out

  return sources.RawDataset(
      name="marked", train_images=images(train, 0), train_labels=np.arange(train) % num_classes,
      test_images=images(test, 1), test_labels=np.arange(test) % num_classes,
      num_classes=num_classes, class_names=tuple(map(str, range(num_classes))))


def _origin(images):
  images = np.asarray(images)
  return images[:, 0, 0, 0], images[:, 0, 1, 0].astype(np.int64) * 256 + images[:, 0, 2, 0]


def test_the_full_train_split_is_kept_clean_and_without_validation_or_test():
  raw = _marked_raw()
  data = datasets.build(raw, _config(train_size=100, validation_size=50, test_size=40,
                                     label_noise=1.0, input_corruption="gaussian", seed=3))
  full = data.full_train
  assert len(data.train) == 100 and len(full) == 600 - 50
  split, index = _origin(full.images)
  assert not split.any()  # Only train-split images: no test image.
  np.testing.assert_array_equal(index, full.ids)  # Each id's own, original image.
  assert not set(full.ids) & set(data.validation.ids)  # Validation stays held out.
  assert set(data.train.ids) <= set(full.ids)
  np.testing.assert_array_equal(full.clean_labels, raw.train_labels[full.ids])  # Clean.
  assert full.images.dtype == np.uint8
  # Without validation, the bank is the raw array itself: no copy of the split.
  whole = datasets.build(raw, _config(train_size=100, seed=3)).full_train
  assert whole.images is raw.train_images and len(whole) == 600
  np.testing.assert_array_equal(whole.ids, np.arange(600))


def test_to_float_matches_the_splits_conversion(digits_raw):
  data = datasets.build(digits_raw, _config(test_size=50))
  np.testing.assert_array_equal(datasets.to_float(digits_raw.test_images[data.test.ids]),
                                data.test.images)
  assert datasets.to_float(data.test.images) is data.test.images
