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

"""Per-endpoint features of un-augmented images, streamed in batches.

Convolutional maps are reduced per batch (global average pooling, or average
pooling to a small fixed grid), so no full-resolution map of the dataset is ever
held in memory: only [N, reduced width] per endpoint. uint8 images (the full
train split, kept as stored) are converted to [0, 1] batch by batch, exactly as the
splits were, so the full bank never exists as float32 images.
"""

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from suite import errors
from suite.data import datasets
from suite.models import zoo

POOLINGS = ("gap", "grid2", "grid4")


def reduce_map(tensor: tf.Tensor, pooling: str = "gap") -> tf.Tensor:
  """[B, H, W, C] -> [B, C] (gap) or [B, g*g*C] (grid g); vectors pass through."""
  if tensor.shape.rank == 2:
    return tensor
  if tensor.shape.rank != 4:
    return tf.reshape(tensor, [tf.shape(tensor)[0], -1])
  if pooling == "gap":
    return tf.reduce_mean(tensor, axis=[1, 2])
  if pooling not in POOLINGS:
    raise errors.ConfigError(f"unknown pooling {pooling!r}; expected one of {POOLINGS}")
  grid = int(pooling[-1])
  height, width = tensor.shape[1], tensor.shape[2]
  if height < grid or width < grid:
    return tf.reduce_mean(tensor, axis=[1, 2])
  pooled = tf.image.resize(tensor, [grid, grid], method="area")  # Exact average over cells.
  return tf.reshape(pooled, [tf.shape(tensor)[0], -1])


def extract(zoo_model: zoo.ZooModel, images: np.ndarray,
            endpoints: Sequence[str] | None = None, pooling: str = "gap",
            batch_size: int = 256) -> dict[str, np.ndarray]:
  """{endpoint: float32 [N, D]} in eval mode (batch norm statistics, no dropout).

  Args:
    zoo_model: the model.
    images: [N, H, W, C] float32 in [0, 1], or uint8 (converted per batch).
    endpoints: endpoint names (None: all).
    pooling: reduction of convolutional maps (POOLINGS).
    batch_size: images per forward pass.

  Returns:
    {endpoint: float32 [N, D]}.
  """
  endpoints = tuple(endpoints or zoo_model.endpoints)
  submodel = zoo_model.endpoint_model(endpoints)

  @tf.function(reduce_retracing=True)
  def features(batch):
    outputs = submodel(batch, training=False)
    return {name: tf.cast(reduce_map(outputs[name], pooling), tf.float32) for name in endpoints}

  chunks: dict[str, list] = {name: [] for name in endpoints}
  for start in range(0, len(images), batch_size):
    batch = features(tf.constant(datasets.to_float(images[start:start + batch_size])))
    for name in endpoints:
      chunks[name].append(batch[name].numpy())
  return {name: np.concatenate(parts) for name, parts in chunks.items()}


def raw_pixels(images: np.ndarray) -> np.ndarray:
  """The raw-pixel control: flattened images, float32 in [0, 1] (uint8 converted)."""
  return datasets.to_float(images).reshape(len(images), -1)
