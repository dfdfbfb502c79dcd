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

"""scikit-learn's real 8x8 handwritten digits as a TFDS dataset named `digits`.

It ships with scikit-learn, so it is always available offline: the suite's
smallest real dataset (1,797 images). Pixel values 0..16 are rescaled to 0..255.
The test split is a fixed, class-stratified 20% (seeded, so identical everywhere).
"""

import numpy as np
import tensorflow_datasets as tfds

_TEST_FRACTION = 0.2
_SPLIT_SEED = 20230101


def _split_indices():
  from sklearn import datasets  # pylint: disable=g-import-not-at-top  (heavy, only for preparation)
  bunch = datasets.load_digits()
  images = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)[..., None]
  labels = bunch.target.astype(np.int64)
  rng = np.random.default_rng(_SPLIT_SEED)
  test = np.zeros(len(labels), dtype=bool)
  for label in range(10):
    members = np.flatnonzero(labels == label)
    test[rng.permutation(members)[:int(round(_TEST_FRACTION * len(members)))]] = True
  return images, labels, {"train": np.flatnonzero(~test), "test": np.flatnonzero(test)}


class Digits(tfds.core.GeneratorBasedBuilder):
  """scikit-learn's 8x8 digits (UCI optical recognition of handwritten digits, test set)."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Stratified 80/20 split of sklearn.datasets.load_digits."}

  def _info(self):
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Image(shape=(8, 8, 1)),
            "label": tfds.features.ClassLabel(num_classes=10),
        }),
        supervised_keys=("image", "label"),
        homepage="https://scikit-learn.org/stable/datasets/toy_dataset.html#digits-dataset",
        disable_shuffling=True,
    )

  def _split_generators(self, dl_manager):
    del dl_manager  # Nothing to download.
    images, labels, splits = _split_indices()
    return {split: self._generate_examples(images, labels, indices)
            for split, indices in splits.items()}

  def _generate_examples(self, images, labels, indices):
    for index in indices:
      yield int(index), {"image": images[index], "label": int(labels[index])}
