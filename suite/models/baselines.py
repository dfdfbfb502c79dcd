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

"""The zoo's models as benchmark entries: the shipped baselines of the tracks.

Each function follows the model-entry protocol (docs/tracks.md; `zoo.build_entry`):
`function(input_shape, num_classes, seed) -> ZooModel`. They are entered exactly as a
user's model is, `--model=suite.models.baselines:mlp`, so a baseline and a user's entry
differ only in the function.
"""

from collections.abc import Sequence

from suite.models import zoo


def mlp(input_shape: Sequence[int], num_classes: int, seed: int) -> zoo.ZooModel:
  """Two hidden layers of 512 ReLU units (Arpit et al.'s MLP), Keras' initialisation."""
  del seed  # The caller seeds Keras' generators (models.build_for).
  return zoo.build(zoo.ModelConfig(name="mlp", width=512, depth=2), input_shape, num_classes)


def cnn_small(input_shape: Sequence[int], num_classes: int, seed: int) -> zoo.ZooModel:
  """The small AlexNet of Zhang et al. (two conv modules, fully connected 384 and 192)."""
  del seed
  return zoo.build(zoo.ModelConfig(name="cnn_small"), input_shape, num_classes)


def resnet18_eighth(input_shape: Sequence[int], num_classes: int, seed: int) -> zoo.ZooModel:
  """ResNet-18 with the CIFAR stem at 1/8 width, initialised as the benign-memorization
  reference initialises it (torchvision's rule)."""
  del seed
  return zoo.build(zoo.ModelConfig(name="resnet18", width_multiplier=0.125, init="torch"),
                   input_shape, num_classes)


def resnet18_eighth_projector(input_shape: Sequence[int], num_classes: int,
                              seed: int) -> zoo.ZooModel:
  """`resnet18_eighth` with the benign-memorization projector (4,096 units, no biases)
  between the encoder and the logits, as the confirmatory experiment trained it."""
  del seed
  return zoo.build(zoo.ModelConfig(name="resnet18", width_multiplier=0.125, init="torch",
                                   bottleneck_dim=4096), input_shape, num_classes)
