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

"""augm_iid views: real images of the example's class from outside the training subset.

Every check compares pixels against the raw split arrays (uint8 / 255 computed here), not
the implementation's own view ids.
"""

import numpy as np
import pytest

from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.data import train_pipeline

VIEWS = 4
CONFIG = datasets.DataConfig(dataset="digits", train_size=100, validation_size=50,
                             test_size=60, label_noise=1.0, seed=3, iid_views=VIEWS)


def _matches(image, bank):
  """Indices of the bank images whose pixels equal `image` exactly."""
  return np.flatnonzero(np.all(bank == image[None], axis=(1, 2, 3)))


@pytest.fixture(scope="module")
def data(digits_raw):
  return datasets.build(digits_raw, CONFIG)


def test_views_are_same_class_images_from_outside_the_subset(digits_raw, data):
  train_pixels = digits_raw.train_images.astype(np.float32) / 255.0
  test_pixels = digits_raw.test_images.astype(np.float32) / 255.0
  # The subset and the validation examples, found by pixels (ids only to name them).
  subset = set(data.train.ids.tolist())
  held_out = set(data.validation.ids.tolist())
  assert data.train.views.shape == (len(data.train), VIEWS) + data.train.images.shape[1:]
  assert data.train.views.dtype == np.float32
  used = []
  for position in range(len(data.train)):
    label = data.train.clean_labels[position]
    for view in data.train.views[position]:
      found = _matches(view, train_pixels)
      assert len(found), "a view that is no image of the train split"
      outside = [i for i in found if i not in subset and i not in held_out]
      assert outside, "a view found only in the training subset or the validation set"
      assert all(digits_raw.train_labels[i] == label for i in outside)
      # Not a test image (unless a train image outside the subset has the same pixels).
      assert not len(_matches(view, test_pixels)) or outside
      used.append(min(outside))
    # Never the example's own image.
    own = data.train.images[position]
    assert not any(np.array_equal(own, v) for v in data.train.views[position])
  # Disjoint blocks: no image serves two examples (digits has no duplicate images here).
  assert len(set(used)) == len(used)


def test_views_are_fixed_per_example_and_keyed_by_seed(digits_raw, data):
  again = datasets.build(digits_raw, CONFIG)
  np.testing.assert_array_equal(again.train.views, data.train.views)
  other = datasets.build(digits_raw, datasets.DataConfig(**{**CONFIG.__dict__, "seed": 4}))
  assert not np.array_equal(other.train.views, data.train.views)
  assert data.info.iid_views == VIEWS and "other real images" in data.info.summary()


def test_training_shows_one_of_the_views_with_the_example_label(data):
  config = augmentation.AugmentConfig("strong", num_views=VIEWS)
  pipeline = train_pipeline.TrainPipeline(data.train, data.info.num_classes, config, seed=3)
  shown = {}
  for epoch in range(3):
    for batch in pipeline.epoch(epoch, batch_size=20):
      for image, example_id, label, view in zip(batch["image"].numpy(), batch["id"].numpy(),
                                                batch["label"].numpy(), batch["view"].numpy()):
        position = int(np.flatnonzero(data.train.ids == example_id)[0])
        # Stored pixels exactly (no augmentation), the view the batch says, the label of
        # the example (random labels: one per example, whichever view).
        np.testing.assert_array_equal(image, data.train.views[position, view])
        assert label == data.train.labels[position]
        shown.setdefault(position, set()).add(int(view))
  # Uniform over the pool: over 3 epochs most examples see more than one view.
  assert np.mean([len(v) > 1 for v in shown.values()]) > 0.5
  np.testing.assert_array_equal(pipeline.pooled_view(5, 2).numpy(), data.train.views[5, 2])
  # One example at a time gives the same views as the batches.
  one = pipeline.example(7, 1)
  np.testing.assert_array_equal(one["image"].numpy(),
                                data.train.views[7, int(one["view"].numpy())])


def test_not_enough_images_is_a_config_error(digits_raw):
  # About 144 images per class: 100 per class in the subset leave 44, fewer than 100 x 1.
  with pytest.raises(errors.ConfigError, match="outside the training subset"):
    datasets.build(digits_raw, datasets.DataConfig(dataset="digits", train_size=1000,
                                                   iid_views=1))
  with pytest.raises(errors.ConfigError, match="train_size"):
    datasets.DataConfig(dataset="digits", iid_views=2)
  with pytest.raises(errors.ConfigError, match="num_views"):
    data = datasets.build(digits_raw, CONFIG)
    train_pipeline.TrainPipeline(data.train, 10,
                                 augmentation.AugmentConfig("strong", num_views=2), seed=0)
