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

"""Analytic floating-point operation counts of zoo models (multiply-add = 2 FLOPs).

Counts the convolution and dense layers, which dominate; normalisation,
activations and pooling are left out. Training costs about three forward passes
(the backward pass computes gradients for activations and for weights).
"""

import keras
import numpy as np


def forward_flops(model: keras.Model) -> int:
  """FLOPs of one forward pass for one example.

  Args:
    model: a built Keras model (Conv2D and Dense layers are counted).

  Returns:
    Multiply-adds times two of one forward pass for one example.
  """
  total = 0
  for layer in model.layers:
    if isinstance(layer, keras.layers.Conv2D):
      kernel_h, kernel_w = layer.kernel_size
      in_channels = layer.input.shape[-1]
      out_h, out_w, out_channels = layer.output.shape[1:]
      total += 2 * kernel_h * kernel_w * in_channels * out_channels * out_h * out_w
    elif isinstance(layer, keras.layers.Dense):
      total += 2 * int(np.prod(layer.input.shape[1:])) * layer.units
  return int(total)


def training_flops(model: keras.Model) -> int:
  """FLOPs of one training step for one example: forward plus backward.

  Args:
    model: a built Keras model.

  Returns:
    Three times `forward_flops` (forward, and backward for inputs and weights).
  """
  return 3 * forward_flops(model)
