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

import numpy as np
import tensorflow as tf

from suite import entries
from suite import errors

TRIAL_BATCH = 4  # Examples of the batch `check` runs the method's parts on.
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
  if isinstance(method.hooks, (str, bytes)) or not isinstance(method.hooks, Sequence):
    raise errors.ConfigError(f"{where}: hooks is a {type(method.hooks).__name__}, not a "
                             "list of hooks")
  if method.transform_batch is None and method.extra_loss is None and not method.hooks:
    raise errors.ConfigError(f"{where} returned a Method that changes nothing (no "
                             "transform_batch, extra_loss or hooks)")
  return method


def check(method: Method, reference: str, model: Any, image_shape: Sequence[int],
          num_classes: int) -> None:
  """Runs the method's transform_batch and extra_loss once, compiled as the training step
  compiles them, on TRIAL_BATCH random images in [0, 1] with one-hot targets.

  Raises:
    ConfigError: a part raises, or returns what the training step cannot use: not an
      (images, targets) pair of the batch's shapes, an extra loss that is not one
      number per example (or one number), or a value that is NaN or infinite; the
      message names the function.
  """
  where = f"method {reference}"
  state = np.random.RandomState(0)
  images = tf.constant(state.uniform(size=(TRIAL_BATCH, *image_shape)), tf.float32)
  targets = tf.one_hot(state.randint(num_classes, size=TRIAL_BATCH), num_classes)
  if method.transform_batch is not None:
    transform = method.transform_batch
    out = _trial(where, "transform_batch", lambda i, t: transform(
        i, t, tf.constant([0, 0], tf.int64)), images, targets)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
      raise errors.ConfigError(f"{where}: transform_batch returned {_describe(out)}, not a "
                               "pair (images, targets)")
    images, targets = (_tensor(where, f"transform_batch's {name}", value, want.shape)
                       for name, value, want in zip(("images", "targets"), out,
                                                    (images, targets)))
  if method.extra_loss is not None:
    extra_loss = method.extra_loss
    def loss(i, t):
      return extra_loss(model, i, t, tf.cast(model(i, training=True), tf.float32))
    out = _trial(where, "extra_loss", loss, images, targets)
    value = _tensor(where, "extra_loss", out, None)
    if tuple(value.shape) not in ((TRIAL_BATCH,), ()):
      raise errors.ConfigError(f"{where}: extra_loss returned shape {tuple(value.shape)} for "
                               f"a batch of {TRIAL_BATCH}: one term per example ([batch]) "
                               "is added to the per-example loss")


def _trial(where: str, part: str, function: Callable[..., Any], images: tf.Tensor,
           targets: tf.Tensor) -> Any:
  """`function(images, targets)` traced in a tf.function, as in the training step."""
  try:
    return tf.function(function)(images, targets)
  except errors.SuiteError:
    raise
  except Exception as e:  # pylint: disable=broad-except  (any error of the entry's code)
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    raise errors.ConfigError(f"{where}: {part} raised {type(e).__name__}: "
                             f"{lines[-1] if lines else ''}"[:600]) from e


def _describe(value: Any) -> str:
  if isinstance(value, (tuple, list)):
    return f"a {type(value).__name__} of {len(value)}"
  return f"a {type(value).__name__}" if not tf.is_tensor(value) else (
      f"one tensor of shape {tuple(value.shape)}")


def _tensor(where: str, what: str, value: Any, shape: Any) -> tf.Tensor:
  """`value` as a float32 tensor of `shape` (None: any) with finite values."""
  try:
    tensor = tf.convert_to_tensor(value)
  except (TypeError, ValueError) as e:
    raise errors.ConfigError(f"{where}: {what} is {_describe(value)}, not a tensor") from e
  if not (tensor.dtype.is_floating or tensor.dtype.is_integer):
    raise errors.ConfigError(f"{where}: {what} has dtype {tensor.dtype.name}, not a number")
  if shape is not None and tuple(tensor.shape) != tuple(shape):
    raise errors.ConfigError(f"{where}: {what} has shape {tuple(tensor.shape)}, expected "
                             f"{tuple(shape)} (the batch's)")
  tensor = tf.cast(tensor, tf.float32)
  if not bool(tf.reduce_all(tf.math.is_finite(tensor))):
    raise errors.ConfigError(f"{where}: {what} is NaN or infinite on a batch of random "
                             "images")
  return tensor
