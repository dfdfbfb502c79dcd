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

"""Method entries: a training-time intervention entered by one reference.

A method entry is a function `method(num_classes, seed) -> Method` named on the command
line as `--method=package.module:function` (docs/tracks.md). A `Method` holds any of:

  transform_batch(images, targets, seed) -> (images, targets)
      Runs inside the compiled training step on each replica's batch, before the
      forward pass: images [batch, H, W, C] float32 in [0, 1] (after augmentation),
      targets [batch, classes] float32 (one-hot, or soft after mixup), seed an integer
      [2] tensor, different at every step and replica and the same on a rerun (use
      tf.random.stateless_* with it, so that a resumed run draws what the uninterrupted
      one drew). Training only: evaluation and probes see the plain images.
  extra_loss(model, images, targets, logits) -> [batch] float32
      A per-example term added to the per-example training loss (the mean over the
      global batch is taken with it); the arguments are what the step trained on.
  hooks: hooks of the training loop (suite.hooks), added after the run's own.

Nothing else of the run changes: the data, the labels, the evaluation and the record
are the track's. The method's reference and source hash go to the record.
"""

from collections.abc import Callable, Sequence
import dataclasses
from typing import Any

import tensorflow as tf

from suite import entries
from suite import errors

TransformBatch = Callable[[tf.Tensor, tf.Tensor, tf.Tensor], tuple[tf.Tensor, tf.Tensor]]
ExtraLoss = Callable[[Any, tf.Tensor, tf.Tensor, tf.Tensor], tf.Tensor]


@dataclasses.dataclass(frozen=True)
class Method:
  """What a method entry changes in training (see the module docstring)."""
  transform_batch: TransformBatch | None = None
  extra_loss: ExtraLoss | None = None
  hooks: Sequence[Any] = ()


def build(reference: str, num_classes: int, seed: int) -> Method:
  """The `Method` of `reference`: `function(num_classes, seed)`, checked.

  Raises:
    ConfigError: the function cannot be imported, raises, or returns something other
      than a Method with at least one part; the message names the function.
  """
  method = entries.call(reference, "method", int(num_classes), int(seed))
  where = f"method {reference}"
  if not isinstance(method, Method):
    raise errors.ConfigError(f"{where} returned a {type(method).__name__}, not a "
                             "suite.methods.Method")
  for name in ("transform_batch", "extra_loss"):
    part = getattr(method, name)
    if part is not None and not callable(part):
      raise errors.ConfigError(f"{where}: {name} is a {type(part).__name__}, not a function")
  if method.transform_batch is None and method.extra_loss is None and not method.hooks:
    raise errors.ConfigError(f"{where} returned a Method that changes nothing (no "
                             "transform_batch, extra_loss or hooks)")
  return method
