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

"""Data, corruption and augmentation flags, and their config objects."""

from absl import flags

from suite.data import augmentation
from suite.data import corruptions
from suite.data import datasets
from suite.data import sources

DATASET = flags.DEFINE_enum("dataset", "digits", sources.DATASETS, "Dataset name (TFDS).")
DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "TFDS data directory (default: $TFDS_DATA_DIR or ~/tensorflow_datasets).")
MANUAL_DIR = flags.DEFINE_string(
    "manual_dir", None, "Directory with the original dataset files, to prepare TFDS offline.")
DOWNLOAD = flags.DEFINE_bool("download", True, "Let TFDS download a dataset that is missing.")
TRAIN_SIZE = flags.DEFINE_integer(
    "train_size", 0, "Class-balanced training subset size (0: all).", lower_bound=0)
VALIDATION_SIZE = flags.DEFINE_integer(
    "validation_size", 0, "Clean validation examples held out of the train split.", lower_bound=0)
TEST_SIZE = flags.DEFINE_integer(
    "test_size", 0, "Class-balanced test subset size (0: all).", lower_bound=0)
LABEL_NOISE = flags.DEFINE_float(
    "label_noise", 0.0, "Fraction of training examples given a fixed uniform random label.",
    lower_bound=0.0, upper_bound=1.0)
INPUT_CORRUPTION = flags.DEFINE_enum(
    "input_corruption", "none", corruptions.INPUT_CORRUPTIONS, "Corruption of training inputs.")
INPUT_CORRUPTION_FRACTION = flags.DEFINE_float(
    "input_corruption_fraction", 1.0, "Fraction of training inputs corrupted.",
    lower_bound=0.0, upper_bound=1.0)
AUGMENTATION = flags.DEFINE_enum(
    "augmentation", "none", augmentation.AUGMENTATIONS, "Augmentation of training views.")
AUGMENTATION_STRENGTH = flags.DEFINE_float(
    "augmentation_strength", 1.0,
    "The reference's numeric augmentation strength a for --augmentation=randaugment: "
    "RandAugment(num_ops=int(a*10//3+1), magnitude=min(int(100a), 99), 100 bins).",
    lower_bound=0.0, upper_bound=1.0)
NUM_VIEWS = flags.DEFINE_integer(
    "num_views", 0, "Fixed pool of views per example (0: a fresh view every step).",
    lower_bound=0)
PER_VIEW_LABELS = flags.DEFINE_bool(
    "per_view_labels", False, "Every (corrupted example, view) pair gets its own random label.")
MIXUP_ALPHA = flags.DEFINE_float("mixup_alpha", 0.0, "Mixup Beta parameter (0: off).",
                                 lower_bound=0.0)
CUTMIX_ALPHA = flags.DEFINE_float("cutmix_alpha", 0.0, "CutMix Beta parameter (0: off).",
                                  lower_bound=0.0)
SEED = flags.DEFINE_integer("seed", 0, "Seed of every random choice of the run.", lower_bound=0)


@flags.multi_flags_validator(
    ["per_view_labels", "num_views", "label_noise"],
    message="--per_view_labels needs --num_views >= 1 and --label_noise > 0.")
def _check_per_view_labels(values):
  return not values["per_view_labels"] or (values["num_views"] >= 1 and
                                           values["label_noise"] > 0)


@flags.multi_flags_validator(
    ["num_views", "augmentation"],
    message="--num_views needs an --augmentation other than 'none'.")
def _check_pool(values):
  return not values["num_views"] or values["augmentation"] != "none"


@flags.multi_flags_validator(
    ["augmentation_strength", "augmentation"],
    message="--augmentation_strength applies only to --augmentation=randaugment.")
def _check_strength(values):
  return values["augmentation_strength"] == 1.0 or values["augmentation"] == "randaugment"


def data_config() -> datasets.DataConfig:
  return datasets.DataConfig(
      dataset=DATASET.value, data_dir=DATA_DIR.value, manual_dir=MANUAL_DIR.value,
      download=DOWNLOAD.value, train_size=TRAIN_SIZE.value,
      validation_size=VALIDATION_SIZE.value, test_size=TEST_SIZE.value,
      label_noise=LABEL_NOISE.value, input_corruption=INPUT_CORRUPTION.value,
      input_corruption_fraction=INPUT_CORRUPTION_FRACTION.value, seed=SEED.value)


def augment_config() -> augmentation.AugmentConfig:
  return augmentation.AugmentConfig(
      name=AUGMENTATION.value, num_views=NUM_VIEWS.value, per_view_labels=PER_VIEW_LABELS.value,
      mixup_alpha=MIXUP_ALPHA.value, cutmix_alpha=CUTMIX_ALPHA.value,
      strength=AUGMENTATION_STRENGTH.value)
