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

"""A method entry: the confidence penalty (Pereyra et al., "Regularizing Neural Networks
by Penalizing Confident Output Distributions", 2017).

It adds -beta * H(softmax(logits)) to each example's loss, discouraging the peaked
predictions that fitting a wrong label needs. Entered as

  memorization-bench --track=smoke-v1 --model=suite.models.baselines:mlp \
      --method=examples.my_entry.method:confidence_penalty

The function follows the suite's method-entry protocol: it takes the number of classes
and the run's seed and returns a `suite.methods.Method`.
"""

import tensorflow as tf

from suite.methods import Method

BETA = 0.1  # Pereyra et al.'s range for image classification is 0.1-1.


def confidence_penalty(num_classes: int, seed: int) -> Method:
  """The penalty as an extra per-example loss term."""
  del num_classes, seed

  def negative_entropy(model, images, targets, logits):
    del model, images, targets
    log_p = tf.nn.log_softmax(logits, axis=-1)
    return BETA * tf.reduce_sum(tf.exp(log_p) * log_p, axis=-1)

  return Method(extra_loss=negative_entropy)
