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

"""Flags of the localization measures during training: kept checkpoints and gradient
accounting (suite.measures.rewinding, suite.measures.gradient_accounting)."""

from absl import flags

from suite import hooks
from suite.measures import gradient_accounting
from suite.measures import rewinding

KEEP_EPOCHS = flags.DEFINE_list(
    "keep_epochs", [], "Epochs whose weights are kept for layer rewinding (benchmarks."
    "rewind_probe), beside the last, which is kept whenever this is set; 0 is the "
    "initialisation. Empty: none kept.")
GRADACC_SAMPLES = flags.DEFINE_integer(
    "gradacc_samples", 0, "Gradient accounting: training examples sampled once, half "
    "corrupted and half clean (0: off).", lower_bound=0)
GRADACC_EVERY = flags.DEFINE_integer(
    "gradacc_every", 1, "Gradient accounting every N epochs (on evaluated epochs, and at the "
    "last).", lower_bound=1)


@flags.validator("keep_epochs", message="--keep_epochs must be a list of epochs >= 0.")
def _check_keep(values):
  return all(v.strip().isdigit() for v in values)


def hooks_from_flags(epochs: int) -> list[hooks.Hook]:
  """The kept-checkpoint and gradient-accounting hooks the flags ask for (maybe none).

  Args:
    epochs: the run's --epochs (the last epoch is always kept and accounted).

  Returns:
    The hooks, in the order they run.
  """
  out: list[hooks.Hook] = []
  if GRADACC_SAMPLES.value:
    out.append(gradient_accounting.GradientAccountingHook(GRADACC_SAMPLES.value,
                                                          GRADACC_EVERY.value, epochs))
  if KEEP_EPOCHS.value:
    out.append(rewinding.KeepCheckpointsHook(tuple(int(e) for e in KEEP_EPOCHS.value), epochs))
  return out
