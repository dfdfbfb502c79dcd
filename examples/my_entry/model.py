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

"""A small ConvMixer (Trockman and Kolter, "Patches Are All You Need?", 2022), as an entry.

The zoo has an MLP, a small AlexNet and a ResNet; a ConvMixer mixes space with
depthwise convolutions and channels with pointwise ones, with no downsampling after its
patch embedding, so its layers see the image at one resolution throughout. Entered as

  memorization-bench --track=smoke-v1 --model=examples.my_entry.model:convmixer

The function follows the suite's model-entry protocol: it takes the image shape, the
number of classes and the run's seed, and returns a `suite.models.ZooModel` whose
endpoints name the layers to probe, in order from input to output.
"""

from collections.abc import Sequence

import keras
from keras import layers

from suite.models import ZooModel


def convmixer(input_shape: Sequence[int], num_classes: int, seed: int, width: int = 32,
              depth: int = 3, kernel_size: int = 3, patch_size: int = 2) -> ZooModel:
  """ConvMixer-`width`/`depth`: patch embedding, `depth` mixer blocks, pooling, linear."""
  del seed  # Keras' global generators are seeded by the suite before the call.
  # BatchNorm's moving statistics with PyTorch's momentum (0.1 there, 0.9 here): Keras'
  # 0.99 needs more steps than a small track gives before evaluation can use them.
  inputs = keras.Input(shape=tuple(input_shape), name="image")
  x = layers.Conv2D(width, patch_size, strides=patch_size, name="patch_conv")(inputs)
  x = layers.Activation("gelu", name="patch_gelu")(x)
  x = layers.BatchNormalization(momentum=0.9, name="patches")(x)
  endpoints = ["patches"]
  for i in range(1, depth + 1):
    y = layers.DepthwiseConv2D(kernel_size, padding="same", name=f"mixer_{i}_depthwise")(x)
    y = layers.Activation("gelu", name=f"mixer_{i}_gelu1")(y)
    y = layers.BatchNormalization(momentum=0.9, name=f"mixer_{i}_bn1")(y)
    x = layers.Add(name=f"mixer_{i}_residual")([x, y])
    x = layers.Conv2D(width, 1, name=f"mixer_{i}_pointwise")(x)
    x = layers.Activation("gelu", name=f"mixer_{i}_gelu2")(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"mixer_{i}")(x)
    endpoints.append(f"mixer_{i}")
  x = layers.GlobalAveragePooling2D(name="encoder")(x)
  endpoints.append("encoder")
  logits = layers.Dense(num_classes, name="logits")(x)
  endpoints.append("logits")
  return ZooModel(model=keras.Model(inputs, logits, name="convmixer"),
                  endpoints=tuple(endpoints), encoder_endpoint="encoder")
