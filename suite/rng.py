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

"""Stateless randomness keyed by (seed, purpose, ...).

Every random choice in the suite is a pure function of the run seed, a purpose
tag and the identifiers it concerns (example id, epoch, view), so that the same
flags give the same labels, views and orders on any machine and after a restart.
"""

import zlib

import numpy as np
import tensorflow as tf


def purpose_tag(purpose: str) -> int:
  """A stable 31-bit integer for a purpose name (crc32 is stable across runs)."""
  return zlib.crc32(purpose.encode("utf-8")) & 0x7FFFFFFF


def numpy_generator(seed: int, purpose: str, *keys: int) -> np.random.Generator:
  """A NumPy generator determined by (seed, purpose, keys) alone."""
  return np.random.default_rng([int(seed), purpose_tag(purpose), *map(int, keys)])


def tf_key(seed: int, purpose: str) -> tf.Tensor:
  """A stateless-op seed (shape [2], int64) for a purpose; fold ids in with `fold`."""
  return tf.constant([int(seed), purpose_tag(purpose)], dtype=tf.int64)


def fold(key: tf.Tensor, *values: tf.Tensor | int) -> tf.Tensor:
  """Derives a new stateless key from `key` and integer tensors (ids, epochs, views)."""
  key = tf.cast(key, tf.int64)
  for value in values:
    key = tf.random.experimental.stateless_fold_in(key, tf.cast(value, tf.int64))
  return key
