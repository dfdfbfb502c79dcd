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

"""Flags of ScaNN's approximate index (tree + asymmetric hashing + reordering).

Defined apart from the probing flags because two binaries choose the approximate
method differently (--knn_method in training, --methods in benchmarks.knn_speed).
Setting them for another method is refused by the library's KnnConfig; asking for
the approximate method where ScaNN is not installed is refused by `apply`, before a
run starts.
"""

import dataclasses

from absl import flags

from suite.probing import knn

NUM_LEAVES = flags.DEFINE_integer(
    "knn_num_leaves", 0, "Approximate index: leaves of the partitioning tree (0: about "
    "sqrt(bank size)).", lower_bound=0)
LEAVES_TO_SEARCH = flags.DEFINE_integer(
    "knn_leaves_to_search", 0, "Approximate index: leaves searched per query (0: a tenth, or "
    "enough for several times k candidates).", lower_bound=0)
REORDER = flags.DEFINE_integer(
    "knn_reorder", 250, "Approximate index: candidates re-scored exactly.", lower_bound=1)
TRAINING_SAMPLE_SIZE = flags.DEFINE_integer(
    "knn_training_sample_size", knn.DEFAULT_TRAINING_SAMPLE, "Approximate index: bank points "
    "(a random sample; at most the bank) that train the tree and the hashing codebooks (0: "
    "the whole bank, several times slower to build at 1M points).", lower_bound=0)
NAMES = ("knn_num_leaves", "knn_leaves_to_search", "knn_reorder", "knn_training_sample_size")


def any_set() -> bool:
  """Whether any index flag differs from its default."""
  return any(flags.FLAGS[name].value != flags.FLAGS[name].default for name in NAMES)


def values() -> dict:
  """The index settings from the flags, by KnnConfig field."""
  return dict(num_leaves=NUM_LEAVES.value, leaves_to_search=LEAVES_TO_SEARCH.value,
              reorder=REORDER.value, training_sample_size=TRAINING_SAMPLE_SIZE.value)


def apply(config: knn.KnnConfig) -> knn.KnnConfig:
  """`config` with the index settings from the flags.

  Raises:
    errors.ConfigError: bad sizes, or a method that needs ScaNN where it is missing (one
      line, before anything runs).
  """
  config = dataclasses.replace(config, **values())
  knn.searcher_name(config)
  return config
