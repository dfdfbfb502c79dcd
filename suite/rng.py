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

Keys are TensorFlow stateless seeds (int64 [2]): `tf_key` makes one for a purpose,
`fold` and `view_key` fold identifiers in. For a batch of keys at once, `fold_keys`,
`keyed_below` and `keyed_uniforms` give, key by key, the draws TensorFlow's stateless
ops give for each key alone, by evaluating Philox-4x32-10 elementwise.
"""

import zlib

import numpy as np
import tensorflow as tf

from suite import errors


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


def view_key(seed: int, example_id: tf.Tensor | int, epoch_or_view: tf.Tensor | int,
             pooled: bool) -> tf.Tensor:
  """Key of one view: by (id, epoch) for fresh views, by (id, view index) for a pool."""
  return fold(tf_key(seed, "pool_view" if pooled else "fresh_view"), example_id, epoch_or_view)


# ---------------------------------------------------------------------------------------------
# Keyed uniforms for a batch of keys. TensorFlow's stateless ops take one seed per call and do
# not vectorise over seeds, so Philox-4x32-10 is evaluated here with elementwise uint64 ops:
# key k = (k0, k1) gives Philox key k0 and counter (j, k1) for its j-th block of 4 words, the
# words TensorFlow's own Philox kernel returns for that key and counter.

_MASK32 = 0xFFFFFFFF
_PHILOX_MULTIPLIERS = (0xD2511F53, 0xCD9E8D57)
_PHILOX_WEYL = (0x9E3779B9, 0xBB67AE85)


def philox_words(key: tf.Tensor, counter: tf.Tensor) -> tf.Tensor:
  """Philox-4x32-10 output words.

  Args:
    key: uint64 tensor (the 64-bit Philox key).
    counter: uint64 tensor of shape key.shape + [2] (the 128-bit counter, low word first).

  Returns:
    uint64 tensor of shape key.shape + [4] holding four 32-bit words.
  """
  u64 = lambda value: tf.constant(value, tf.uint64)
  mask, shift = u64(_MASK32), u64(32)
  low = lambda x: tf.bitwise.bitwise_and(x, mask)
  high = lambda x: tf.bitwise.right_shift(x, shift)
  k0, k1 = low(key), high(key)
  c0, c1 = low(counter[..., 0]), high(counter[..., 0])
  c2, c3 = low(counter[..., 1]), high(counter[..., 1])
  m0, m1 = u64(_PHILOX_MULTIPLIERS[0]), u64(_PHILOX_MULTIPLIERS[1])
  w0, w1 = u64(_PHILOX_WEYL[0]), u64(_PHILOX_WEYL[1])
  xor = tf.bitwise.bitwise_xor
  for _ in range(10):
    p0, p1 = m0 * c0, m1 * c2  # 32 x 32 -> 64 bits: exact in uint64.
    c0, c1, c2, c3 = xor(xor(high(p1), c1), k0), low(p1), xor(xor(high(p0), c3), k1), low(p0)
    k0, k1 = low(k0 + w0), low(k1 + w1)
  return tf.stack([c0, c1, c2, c3], axis=-1)


# TensorFlow's StatelessRandomGetKeyCounter scrambles a seed with one Philox block under this key.
_SEED_SCRAMBLE_KEY = 0x02461E29 << 32 | 0x3EC8F720


def _join_words(low_word, high_word):
  high_word = tf.bitwise.left_shift(high_word, tf.constant(32, tf.uint64))
  return tf.bitwise.bitwise_or(low_word, high_word)


def _first_draw(keys: tf.Tensor) -> tf.Tensor:
  """The first 64 random bits (uint64 [...]) that TensorFlow's stateless ops draw from each seed.

  TensorFlow scrambles a seed into a Philox key and counter with one Philox block, then
  draws from the next block; a 64-bit draw joins its first two words, low word first.
  """
  seed = tf.bitcast(tf.cast(keys, tf.int64), tf.uint64)
  scramble = tf.broadcast_to(tf.constant(_SEED_SCRAMBLE_KEY, tf.uint64), tf.shape(seed)[:-1])
  mix = philox_words(scramble, seed)
  key = _join_words(mix[..., 0], mix[..., 1])
  counter = tf.stack([tf.zeros_like(key), _join_words(mix[..., 2], mix[..., 3])], axis=-1)
  words = philox_words(key, counter)
  return _join_words(words[..., 0], words[..., 1])


def fold_keys(keys: tf.Tensor, values: tf.Tensor | int) -> tf.Tensor:
  """`rng.fold(key, value)` for a batch: keys int [..., 2], values int [...] -> int64 [..., 2].

  `tf.random.fold_in` pairs one int64 drawn from the seed with the value; here the draws of
  a batch of keys are evaluated elementwise (a few dozen vector ops instead of a few ops
  per key).
  """
  drawn = tf.bitcast(_first_draw(keys), tf.int64)
  values = tf.broadcast_to(tf.cast(values, tf.int64), tf.shape(drawn))
  return tf.stack([drawn, values], axis=-1)


def keyed_below(keys: tf.Tensor, maxval: int) -> tf.Tensor:
  """`tf.random.stateless_uniform([], seed=key, maxval=maxval, dtype=tf.int64)` per key."""
  bits = _first_draw(keys)
  return tf.bitcast(bits % tf.constant(maxval, tf.uint64), tf.int64)


def keyed_uniforms(keys: tf.Tensor, count: int) -> tf.Tensor:
  """`count` uniforms in [0, 1) (53-bit float64) for each stateless key of shape [..., 2]."""
  keys = tf.convert_to_tensor(keys)
  if keys.shape.rank is None or keys.shape.rank < 1 or keys.shape[-1] != 2:
    raise errors.SuiteError(f"keys must have shape [..., 2], got {keys.shape}")
  bits = tf.bitcast(tf.cast(keys, tf.int64), tf.uint64)
  blocks = (count + 1) // 2
  if keys.shape.rank == 1:  # One key: TensorFlow's own Philox kernel gives the same words.
    words = tf.raw_ops.StatelessRandomUniformFullIntV2(
        shape=[4 * blocks], key=bits[:1], counter=tf.stack([tf.constant(0, tf.uint64), bits[1]]),
        alg=1, dtype=tf.uint32)
    words = tf.reshape(tf.cast(words, tf.float64), [blocks, 4])
  else:
    index = tf.cast(tf.range(blocks, dtype=tf.int64), tf.uint64)
    key = tf.broadcast_to(bits[..., None, 0], tf.concat([tf.shape(bits)[:-1], [blocks]], 0))
    counter = tf.stack([tf.broadcast_to(index, tf.shape(key)),
                        tf.broadcast_to(bits[..., None, 1], tf.shape(key))], axis=-1)
    words = tf.cast(philox_words(key, counter), tf.float64)
  # Two 32-bit words give one 53-bit uniform (27 + 26 bits), as NumPy's random_sample does.
  high = tf.floor(words[..., 0::2] / 32.0)
  low = tf.floor(words[..., 1::2] / 64.0)
  uniforms = (high * 67108864.0 + low) / 9007199254740992.0
  shape = tf.concat([tf.shape(bits)[:-1], [2 * blocks]], 0)
  return tf.reshape(uniforms, shape)[..., :count]
