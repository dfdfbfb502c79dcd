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

"""Label and input corruptions of the randomization tests (Zhang et al.; Arpit et al.).

All functions are pure: the same seed, ids and arrays give the same result. Only
training data is ever passed here; test data stays clean.
"""

import dataclasses

import numpy as np

from suite import rng

LABEL_NOISE_SELECTION = "label_noise_selection"
RANDOM_LABEL = "random_label"
INPUT_CORRUPTION_SELECTION = "input_corruption_selection"

INPUT_CORRUPTIONS = ("none", "shuffled_pixels", "random_pixels", "gaussian")

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: np.ndarray) -> np.ndarray:
  """The splitmix64 finaliser: a well-mixed bijection on uint64."""
  with np.errstate(over="ignore"):
    x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
    x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
    x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
    return x ^ (x >> np.uint64(31))


def keyed_randint(seed: int, purpose: str, high: int, *keys: np.ndarray) -> np.ndarray:
  """Uniform integers in [0, high), one per element of the broadcast keys.

  Each value depends only on (seed, purpose, key values), not on array order or
  size, so an example keeps its random label whatever subset it appears in.
  """
  state = _splitmix64(np.asarray([seed], dtype=np.uint64) ^ np.uint64(rng.purpose_tag(purpose)))
  for key in np.broadcast_arrays(*[np.asarray(k, dtype=np.int64) for k in keys]):
    state = _splitmix64(state ^ key.astype(np.uint64))
  # The modulo bias of 2**64 % high is below 1e-17 for any class count.
  return (state % np.uint64(high)).astype(np.int64)


def select_exact_fraction(num_examples: int, fraction: float, seed: int, purpose: str) -> np.ndarray:
  """A boolean mask with exactly round(fraction * num_examples) entries set."""
  if not 0.0 <= fraction <= 1.0:
    raise ValueError(f"fraction must be in [0, 1], got {fraction}")
  count = int(round(fraction * num_examples))
  mask = np.zeros(num_examples, dtype=bool)
  chosen = rng.numpy_generator(seed, purpose, num_examples).permutation(num_examples)[:count]
  mask[chosen] = True
  return mask


@dataclasses.dataclass(frozen=True)
class LabelNoise:
  labels: np.ndarray  # int64 [N]: the training labels (noisy where corrupted)
  corrupted: np.ndarray  # bool [N]: drawn a random label
  num_on_true_class: int  # corrupted examples whose random label equals the clean one


def random_labels(seed: int, example_ids: np.ndarray, num_classes: int,
                  views: np.ndarray | None = None) -> np.ndarray:
  """Uniform random labels keyed by example id (and view, for per-view labels)."""
  if views is None:
    return keyed_randint(seed, RANDOM_LABEL, num_classes, example_ids)
  return keyed_randint(seed, RANDOM_LABEL, num_classes, example_ids, views)


def apply_label_noise(clean_labels: np.ndarray, example_ids: np.ndarray, num_classes: int,
                      fraction: float, seed: int) -> LabelNoise:
  """Gives exactly round(fraction * N) examples a uniform random label, fixed for the run."""
  corrupted = select_exact_fraction(len(clean_labels), fraction, seed, LABEL_NOISE_SELECTION)
  labels = np.asarray(clean_labels, dtype=np.int64).copy()
  drawn = random_labels(seed, example_ids, num_classes)
  labels[corrupted] = drawn[corrupted]
  on_true = int(np.sum(labels[corrupted] == clean_labels[corrupted]))
  return LabelNoise(labels=labels, corrupted=corrupted, num_on_true_class=on_true)


def corrupt_inputs(images: np.ndarray, example_ids: np.ndarray, kind: str, fraction: float,
                   seed: int) -> tuple[np.ndarray, np.ndarray]:
  """Replaces a fraction of float images in [0, 1] by a corruption of `kind`.

  shuffled_pixels: one fixed permutation of pixel positions for every image.
  random_pixels: a fixed permutation per image (keyed by example id).
  gaussian: Gaussian noise images with the per-channel mean and standard deviation
    of the given images, clipped to [0, 1] (keyed by example id).
  Returns (images, corrupted mask); the input array is not modified.
  """
  if kind not in INPUT_CORRUPTIONS:
    raise ValueError(f"unknown input corruption {kind!r}; expected one of {INPUT_CORRUPTIONS}")
  mask = np.zeros(len(images), dtype=bool)
  if kind == "none" or fraction == 0.0:
    return images, mask
  mask = select_exact_fraction(len(images), fraction, seed, INPUT_CORRUPTION_SELECTION)
  out = np.array(images, dtype=np.float32, copy=True)
  num, height, width, channels = out.shape
  flat = out.reshape(num, height * width, channels)
  if kind == "shuffled_pixels":
    permutation = rng.numpy_generator(seed, kind).permutation(height * width)
    flat[mask] = flat[mask][:, permutation]
  elif kind == "random_pixels":
    for index in np.flatnonzero(mask):
      permutation = rng.numpy_generator(seed, kind, example_ids[index]).permutation(height * width)
      flat[index] = flat[index][permutation]
  else:  # gaussian
    mean = images.reshape(-1, channels).mean(axis=0)
    std = images.reshape(-1, channels).std(axis=0)
    for index in np.flatnonzero(mask):
      noise = rng.numpy_generator(seed, kind, example_ids[index]).standard_normal(
          (height, width, channels))
      out[index] = np.clip(mean + std * noise, 0.0, 1.0)
  return out, mask
