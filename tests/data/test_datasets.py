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
