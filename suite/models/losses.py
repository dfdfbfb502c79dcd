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

"""Per-example losses on model outputs: the one definition training and measures share."""

import tensorflow as tf

from suite import errors

LOSSES = ("cross_entropy", "mse")


def per_example_loss(loss: str, targets: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
  """Per-example loss against (possibly soft) one-hot targets.

  Args:
    loss: one of LOSSES. `mse` is the benign-memorization code's loss: the mean over
      classes of the squared difference between raw outputs and targets.
    targets: [batch, classes] one-hot or soft targets.
    logits: [batch, classes] raw model outputs (float32).

  Returns:
    A [batch] float tensor.
  """
  if loss == "cross_entropy":
    return tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=logits)
  if loss == "mse":
    return tf.reduce_mean(tf.square(logits - targets), axis=-1)
  raise errors.ConfigError(f"unknown loss {loss!r}; expected one of {LOSSES}")
