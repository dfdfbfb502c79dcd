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

"""Datasets for memorization experiments: subsets, validation split, corruptions.

`load(config)` returns in-memory splits whose every example carries a stable
integer id (its index in the TFDS train or test split), the image as float32 in
[0, 1], the clean label, the training label and a corrupted flag. All choices
(subset, validation examples, noisy examples, random labels) are keyed by the
seed and the example ids. Beside the splits, `Data.full_train` keeps the whole
train split less the validation examples, clean and as stored (uint8): the
reference's k-NN bank, whatever subset the network trains on.

`iid_views` > 0 gives every training example a fixed set of "views" that are other
real images (the reference's `augm_iid` condition, sanagno/benign_memorization
RandomDataset): images of the example's true class from the part of the train split
outside the training subset (and outside the validation examples), disjoint between
examples, stored in `Split.views`. Never test or validation images.
"""

import dataclasses

import numpy as np

from suite import errors
from suite import rng
from suite.data import corruptions
from suite.data import sources


@dataclasses.dataclass(frozen=True)
class DataConfig:
  dataset: str = "digits"
  data_dir: str | None = None
  manual_dir: str | None = None
  download: bool = True
  train_size: int = 0  # 0: every training example not held out for validation.
  validation_size: int = 0  # Held out of the train split, always clean.
  test_size: int = 0  # 0: the whole test split.
  label_noise: float = 0.0  # Fraction of training examples given a uniform random label.
  input_corruption: str = "none"
  input_corruption_fraction: float = 1.0
  seed: int = 0
  # Views per training example that are other real images of its class from outside the
  # subset (the reference's augm_iid); 0: none. Needs train_size below the split's size.
  iid_views: int = 0

  def __post_init__(self):
    if self.dataset not in sources.DATASETS:
      raise errors.ConfigError(f"unknown dataset {self.dataset!r}; expected one of {sources.DATASETS}")
    if not 0.0 <= self.label_noise <= 1.0:
      raise errors.ConfigError(f"label_noise must be in [0, 1], got {self.label_noise}")
    if not 0.0 <= self.input_corruption_fraction <= 1.0:
      raise errors.ConfigError("input_corruption_fraction must be in [0, 1]")
    if self.input_corruption not in corruptions.INPUT_CORRUPTIONS:
      raise errors.ConfigError(f"unknown input corruption {self.input_corruption!r}; "
                       f"expected one of {corruptions.INPUT_CORRUPTIONS}")
    if self.iid_views < 0:
      raise errors.ConfigError("iid_views must be >= 0")
    if self.iid_views and not self.train_size:
      raise errors.ConfigError("iid_views needs a train_size smaller than the train split: "
                               "the views come from the images outside the training subset")
    if self.iid_views and self.input_corruption != "none":
      raise errors.ConfigError("iid_views replaces the inputs by other real images; it does "
                               "not combine with an input corruption")
    for field in ("train_size", "validation_size", "test_size"):
      if getattr(self, field) < 0:
        raise errors.ConfigError(f"{field} must be >= 0")


@dataclasses.dataclass(frozen=True)
class Split:
  """One split in memory. Arrays are aligned; `ids` index the TFDS split."""
  ids: np.ndarray  # int64 [N]
  images: np.ndarray  # float32 [N, H, W, C] in [0, 1]
  labels: np.ndarray  # int64 [N]: labels used for training (noisy where corrupted)
  clean_labels: np.ndarray  # int64 [N]
  corrupted: np.ndarray  # bool [N]: label or input corrupted
  # iid_views only: float32 [N, V, H, W, C] in [0, 1], the fixed views of each example
  # (other real images of its class from outside the subset), and int64 [N, V] their ids
  # in the TFDS train split. None otherwise.
  views: np.ndarray | None = None
  view_ids: np.ndarray | None = None

  def __len__(self):
    return len(self.ids)


@dataclasses.dataclass(frozen=True)
class FullTrain:
  """Every train-split example not held out for validation: original image, clean label.

  The k-NN bank of the reference protocol (its bank is the full training set with clean
  labels even when the network trains on a subset). It never holds validation examples
  (held out means held out of everything, the probe included) nor test examples (another
  split), and it ignores label noise and input corruption, which belong to the network's
  training subset. Images stay uint8 as stored, a quarter of float32's memory, and are the
  raw array itself (no copy) when nothing is held out; `to_float` converts any slice exactly
  as the splits were converted.
  """
  ids: np.ndarray  # int64 [N]: indices in the TFDS train split
  images: np.ndarray  # uint8 [N, H, W, C]
  clean_labels: np.ndarray  # int64 [N]

  def __len__(self):
    return len(self.ids)


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
  name: str
  num_classes: int
  image_shape: tuple[int, int, int]
  class_names: tuple[str, ...]
  train_size: int
  validation_size: int
  test_size: int
  num_label_corrupted: int
  num_random_labels_on_true_class: int
  num_input_corrupted: int
  iid_views: int = 0  # Views per example that are other real images (DataConfig.iid_views).

  def summary(self) -> str:
    views = (f"; views: {self.iid_views} other real images of the same class per example, "
             "from outside the subset" if self.iid_views else "")
    return (f"{self.name}: {self.num_classes} classes, images {'x'.join(map(str, self.image_shape))}; "
            f"train {self.train_size}, validation {self.validation_size}, test {self.test_size}; "
            f"random labels {self.num_label_corrupted} "
            f"({self.num_random_labels_on_true_class} on the true class by chance); "
            f"corrupted inputs {self.num_input_corrupted}{views}")


@dataclasses.dataclass(frozen=True)
class Data:
  train: Split
  validation: Split  # Empty when validation_size == 0.
  test: Split
  info: DatasetInfo
  full_train: FullTrain | None = None  # None only for Data assembled by hand.


def balanced_subset(labels: np.ndarray, size: int, num_classes: int, seed: int,
                    purpose: str) -> np.ndarray:
  """Sorted indices of a class-balanced subset (class counts differ by at most one)."""
  if size > len(labels):
    raise errors.ConfigError(f"asked for {size} examples but only {len(labels)} are available")
  counts = np.full(num_classes, size // num_classes)
  counts[rng.numpy_generator(seed, purpose + "/extra").permutation(num_classes)[:size % num_classes]] += 1
  chosen = []
  for label in range(num_classes):
    members = np.flatnonzero(labels == label)
    if len(members) < counts[label]:
      raise errors.ConfigError(f"class {label} has {len(members)} examples, fewer than the "
                       f"{counts[label]} a balanced subset of {size} needs")
    order = rng.numpy_generator(seed, purpose, label).permutation(len(members))
    chosen.append(members[order[:counts[label]]])
  return np.sort(np.concatenate(chosen))


def iid_view_ids(labels: np.ndarray, train_idx: np.ndarray, rest_idx: np.ndarray,
                 num_views: int, num_classes: int, seed: int) -> np.ndarray:
  """[len(train_idx), num_views] indices (into `labels`) of each training example's views.

  The reference's augm_iid: each example of the subset gets `num_views` images of its own
  (true) class from outside the subset, disjoint blocks per example, fixed for the run.
  The reference takes the blocks in dataset order after seeding NumPy's global generator;
  here each class's outside images are shuffled by a generator keyed by (seed, class), and
  the class's training examples take consecutive blocks in id order.

  Args:
    labels: the clean labels of the whole train split.
    train_idx: the training subset (sorted indices).
    rest_idx: the indices views may come from (outside the subset and the validation set).
    num_views: views per example.
    num_classes: the number of classes.
    seed: the data seed.

  Raises:
    ConfigError: a class has fewer images outside the subset than its examples need.
  """
  views = np.zeros((len(train_idx), num_views), np.int64)
  for label in range(num_classes):
    members = np.flatnonzero(labels[train_idx] == label)
    pool = rest_idx[labels[rest_idx] == label]
    if len(pool) < len(members) * num_views:
      raise errors.ConfigError(
          f"iid views: class {label} has {len(members)} training examples x {num_views} "
          f"views = {len(members) * num_views} images needed, but only {len(pool)} of its "
          "images lie outside the training subset and the validation set; lower "
          "--num_views or --train_size")
    pool = pool[rng.numpy_generator(seed, "iid_views", label).permutation(len(pool))]
    views[members] = pool[:len(members) * num_views].reshape(len(members), num_views)
  return views


def to_float(images: np.ndarray) -> np.ndarray:
  """uint8 images as float32 in [0, 1] (float images pass through unchanged)."""
  if images.dtype != np.uint8:
    return np.asarray(images, np.float32)
  return images.astype(np.float32) / np.float32(255.0)


def _clean_split(ids, images, labels) -> Split:
  return Split(ids=ids.astype(np.int64), images=to_float(images), labels=labels.copy(),
               clean_labels=labels.copy(), corrupted=np.zeros(len(ids), dtype=bool))


def load(config: DataConfig) -> Data:
  """Loads, subsets and corrupts a dataset as the config says."""
  raw = sources.load_raw(config.dataset, data_dir=config.data_dir,
                         manual_dir=config.manual_dir, download=config.download)
  return build(raw, config)


def build(raw: sources.RawDataset, config: DataConfig) -> Data:
  """Splits and corrupts raw arrays (separate from loading so tests can pass arrays)."""
  num_classes = raw.num_classes
  all_train = np.arange(len(raw.train_labels))
  validation_idx = np.zeros(0, dtype=np.int64)
  if config.validation_size:
    validation_idx = balanced_subset(raw.train_labels, config.validation_size, num_classes,
                                     config.seed, "validation")
  remaining = np.setdiff1d(all_train, validation_idx)
  train_idx = remaining
  if config.train_size:
    train_idx = remaining[balanced_subset(raw.train_labels[remaining], config.train_size,
                                          num_classes, config.seed, "train_subset")]
  test_idx = np.arange(len(raw.test_labels))
  if config.test_size:
    test_idx = balanced_subset(raw.test_labels, config.test_size, num_classes, config.seed, "test")

  clean = raw.train_labels[train_idx]
  noise = corruptions.apply_label_noise(clean, train_idx, num_classes, config.label_noise,
                                        config.seed)
  images, input_corrupted = corruptions.corrupt_inputs(
      to_float(raw.train_images[train_idx]), train_idx, config.input_corruption,
      config.input_corruption_fraction, config.seed)
  views = view_ids = None
  if config.iid_views:
    if len(train_idx) >= len(remaining):
      raise errors.ConfigError("iid_views needs a train_size smaller than the "
                               f"{len(remaining)} train examples outside the validation set")
    view_ids = iid_view_ids(raw.train_labels, train_idx, np.setdiff1d(remaining, train_idx),
                            config.iid_views, num_classes, config.seed)
    views = to_float(raw.train_images[view_ids])
  train = Split(ids=train_idx.astype(np.int64), images=images, labels=noise.labels,
                clean_labels=clean.copy(), corrupted=noise.corrupted | input_corrupted,
                views=views, view_ids=view_ids)
  info = DatasetInfo(
      name=raw.name, num_classes=num_classes, image_shape=tuple(raw.train_images.shape[1:]),
      class_names=raw.class_names, train_size=len(train_idx), validation_size=len(validation_idx),
      test_size=len(test_idx), num_label_corrupted=int(noise.corrupted.sum()),
      num_random_labels_on_true_class=noise.num_on_true_class,
      num_input_corrupted=int(input_corrupted.sum()), iid_views=config.iid_views)
  if len(validation_idx):
    full_train = FullTrain(ids=remaining.astype(np.int64), images=raw.train_images[remaining],
                           clean_labels=raw.train_labels[remaining].copy())
  else:  # The raw arrays themselves: no copy.
    full_train = FullTrain(ids=all_train.astype(np.int64), images=raw.train_images,
                           clean_labels=raw.train_labels)
  return Data(
      full_train=full_train,
      train=train,
      validation=_clean_split(validation_idx, raw.train_images[validation_idx],
                              raw.train_labels[validation_idx]),
      test=_clean_split(test_idx, raw.test_images[test_idx], raw.test_labels[test_idx]),
      info=info)
