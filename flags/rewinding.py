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

"""Flags of layer rewinding and retraining (benchmarks.rewind_probe) and their config."""

from absl import flags

from suite.measures import rewinding

REWIND_EPOCH = flags.DEFINE_integer(
    "rewind_epoch", rewinding.AUTO, "The kept epoch whose weights a block is rewound to "
    f"({rewinding.AUTO}: the latest kept epoch before the last whose recorded corrupted fit is "
    "at most --rewind_noisy_fit).", lower_bound=rewinding.AUTO)
REWIND_NOISY_FIT = flags.DEFINE_float(
    "rewind_noisy_fit", rewinding.RewindConfig.rewind_noisy_fit, "The rule's ceiling on the "
    "fit of the corrupted examples at the rewind epoch.", lower_bound=0.0, upper_bound=1.0)
REWIND_BLOCKS = flags.DEFINE_list(
    "rewind_blocks", [], "Blocks (endpoints with weights) rewound one at a time (empty: all).")
RETRAIN_EPOCHS = flags.DEFINE_integer(
    "retrain_epochs", rewinding.RewindConfig.retrain_epochs, "Epochs of retraining the "
    "rewound block alone on the clean examples (0: rewinding only).", lower_bound=0)
RETRAIN_LEARNING_RATE = flags.DEFINE_float(
    "retrain_learning_rate", rewinding.RewindConfig.retrain_learning_rate,
    "Adam's learning rate for retraining.", lower_bound=1e-9)
RETRAIN_BATCH_SIZE = flags.DEFINE_integer(
    "retrain_batch_size", rewinding.RewindConfig.retrain_batch_size,
    "Batch size of retraining.", lower_bound=1)


def rewind_config() -> rewinding.RewindConfig:
  """The rewinding settings the flags describe."""
  return rewinding.RewindConfig(
      rewind_epoch=REWIND_EPOCH.value, rewind_noisy_fit=REWIND_NOISY_FIT.value,
      blocks=tuple(REWIND_BLOCKS.value), retrain_epochs=RETRAIN_EPOCHS.value,
      retrain_learning_rate=RETRAIN_LEARNING_RATE.value,
      retrain_batch_size=RETRAIN_BATCH_SIZE.value)
