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

"""--synthetic_shape: random images of a given shape, for timing benchmarks run offline.

`--synthetic_shape=32,32,3` times on random uint8 images (10 classes, keyed by the seed)
instead of `--dataset`: augmentation and training costs do not depend on the pixels.
"""

from absl import flags
import numpy as np

from flags import data as data_flags
from suite import rng
from suite.data import datasets
from suite.data import sources

SYNTHETIC_SHAPE = flags.DEFINE_list(
    "synthetic_shape", [], "HEIGHT,WIDTH,CHANNELS (e.g. 32,32,3): time on random uint8 images "
    "of this shape (10 classes; --train_size of them, 10,000 if 0) instead of --dataset, "
    "offline. Augmentation costs do not depend on the pixels.")

TRAIN_SIZE = 10_000
TEST_SIZE = 100


@flags.validator("synthetic_shape", message="--synthetic_shape must be three positive integers "
                 "HEIGHT,WIDTH,CHANNELS with 1 or 3 channels, e.g. 32,32,3.")
def _check_synthetic_shape(values):
  if not values:
    return True
  try:
    shape = [int(v) for v in values]
  except ValueError:
    return False
  return len(shape) == 3 and min(shape) > 0 and shape[2] in (1, 3)


def synthetic_data(shape: tuple[int, int, int], config: datasets.DataConfig) -> datasets.Data:
  """Random uint8 images of `shape` with 10 random classes, keyed by the seed (offline)."""
  generator = rng.numpy_generator(config.seed, "synthetic_throughput")
  size = config.train_size or TRAIN_SIZE
  raw = sources.RawDataset(
      name="synthetic_{}x{}x{}".format(*shape),
      train_images=generator.integers(0, 256, (size, *shape), dtype=np.uint8),
      train_labels=generator.integers(0, 10, size).astype(np.int64),
      test_images=generator.integers(0, 256, (TEST_SIZE, *shape), dtype=np.uint8),
      test_labels=generator.integers(0, 10, TEST_SIZE).astype(np.int64),
      num_classes=10, class_names=tuple(str(c) for c in range(10)))
  return datasets.build(raw, datasets.DataConfig(
      dataset=config.dataset, train_size=0, label_noise=config.label_noise, seed=config.seed))


def load() -> datasets.Data:
  """The data the flags ask for: synthetic images if --synthetic_shape is set, else --dataset."""
  config = data_flags.data_config()
  if SYNTHETIC_SHAPE.value:
    height, width, channels = (int(v) for v in SYNTHETIC_SHAPE.value)  # Validated: three.
    return synthetic_data((height, width, channels), config)
  return datasets.load(config)
