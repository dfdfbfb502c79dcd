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

"""Optimizers, learning-rate schedules and the coupled L2 penalty of a TrainConfig.

Weight decay comes in two modes (`TrainConfig.weight_decay_mode`):
  decoupled  The Keras optimizer shrinks every trainable variable by
             learning_rate * weight_decay per step, outside the gradient (AdamW-style;
             for SGD this equals coupled L2 up to the learning-rate scaling).
  l2         Arpit et al.'s regularizer: a penalty weight_decay / 2 * sum(w^2) over the
             kernels (Dense and Conv2D weights; not biases, not BatchNorm gamma / beta)
             is added to the loss, so its gradient weight_decay * w passes through the
             optimizer's moments like the data gradient; the optimizer itself has no decay.
             The convention is PyTorch's coupled `weight_decay` (gradient = weight_decay * w),
             half Keras' `regularizers.L2(l)` (gradient 2 l w).

Adam and AdamW take `TrainConfig.adam_epsilon` (Keras' default 1e-7; the reference's
PyTorch Adam uses 1e-8).
"""

from collections.abc import Sequence

import keras
import tensorflow as tf

from suite.training import train_config

WEIGHT_DECAY_MODES = train_config.WEIGHT_DECAY_MODES


def learning_rate_schedule(config: train_config.TrainConfig, steps_per_epoch: int
                           ) -> float | keras.optimizers.schedules.LearningRateSchedule:
  """The learning rate (a float or a Keras schedule) of `config` (a TrainConfig)."""
  total = config.epochs * steps_per_epoch
  warmup = config.warmup_epochs * steps_per_epoch
  if config.lr_schedule == "cosine":
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else config.learning_rate,
        decay_steps=max(1, total - warmup), warmup_target=config.learning_rate if warmup else None,
        warmup_steps=warmup)
  if config.lr_schedule == "step":  # x0.1 at 50% and 75% of training.
    return keras.optimizers.schedules.PiecewiseConstantDecay(
        [total // 2, (3 * total) // 4],
        [config.learning_rate, config.learning_rate * 0.1, config.learning_rate * 0.01])
  return config.learning_rate


def make_optimizer(config: train_config.TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
  """The Keras optimizer of `config` (a TrainConfig), loss-scaled under mixed precision."""
  lr = learning_rate_schedule(config, steps_per_epoch)
  # In l2 mode the decay is a term of the loss (see `l2_penalty`), not the optimizer's.
  decoupled = config.weight_decay_mode == "decoupled"
  decay = (config.weight_decay or None) if decoupled else None
  if config.optimizer == "sgd":
    optimizer = keras.optimizers.SGD(lr, momentum=config.momentum, nesterov=config.nesterov,
                                     weight_decay=decay)
  elif config.optimizer == "adam":
    optimizer = keras.optimizers.Adam(lr, epsilon=config.adam_epsilon, weight_decay=decay)
  else:  # adamw: decoupled by definition (TrainConfig rejects it with l2).
    optimizer = keras.optimizers.AdamW(lr, weight_decay=config.weight_decay,
                                       epsilon=config.adam_epsilon)
  if config.mixed_precision:
    optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
  return optimizer


def _kernels(model_or_variables):
  if isinstance(model_or_variables, keras.layers.Layer):  # Models are layers too.
    # Dense and Conv2D weights are Keras variables named "kernel"; biases are "bias",
    # BatchNorm's "gamma" / "beta" / moving statistics.
    return [v for v in model_or_variables.trainable_variables if v.name == "kernel"]
  return list(model_or_variables)


def l2_penalty(model_or_variables: keras.Model | Sequence[tf.Variable], weight_decay: float) -> tf.Tensor:
  """weight_decay / 2 * sum of squared kernel weights: its gradient is weight_decay * w.

  Args:
    model_or_variables: a Keras model or layer (its trainable kernels are penalised:
      Dense and Conv2D weights, not biases or BatchNorm parameters), or an iterable of
      variables, all of which are penalised.
    weight_decay: the coefficient (PyTorch's coupled `weight_decay` convention).

  Returns:
    A float32 scalar.
  """
  variables = _kernels(model_or_variables)
  if not variables or not weight_decay:
    return tf.constant(0.0, tf.float32)
  squares = tf.add_n([tf.reduce_sum(tf.square(tf.cast(v, tf.float32))) for v in variables])
  return 0.5 * weight_decay * squares


def loss_penalty(config: train_config.TrainConfig, model: keras.Model) -> tf.Tensor | float:
  """The regularization term the train step adds to its loss: l2_penalty in l2 mode, else 0."""
  if config.weight_decay_mode == "l2" and config.weight_decay:
    return l2_penalty(model, config.weight_decay)
  return 0.0
