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

"""Optimizers: Adam epsilon, decoupled vs coupled (L2) weight decay, checked by hand."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.training import optimizers
from suite.training import trainer as trainer_lib


def _config(**kwargs):
  return trainer_lib.TrainConfig(**kwargs)


def test_l2_penalty_value_and_gradient_by_hand():
  keras.utils.set_random_seed(0)
  model = zoo.build(zoo.ModelConfig(name="resnet18", width_multiplier=0.0625, bottleneck_dim=8,
                                    init="torch"), (8, 8, 3), 10).model
  weight_decay = 0.3
  with tf.GradientTape() as tape:
    penalty = optimizers.l2_penalty(model, weight_decay)
  gradients = tape.gradient(penalty, model.trainable_variables)
  kernels = [v for v in model.trainable_variables if v.path.endswith("/kernel")]
  # 20 convolutions and the projector's two Dense layers; 20 BatchNorms' gamma and beta not.
  assert len(kernels) == 22 and len(model.trainable_variables) == 22 + 40
  expected = weight_decay / 2 * sum(np.sum(np.square(v.numpy().astype(np.float64)))
                                    for v in kernels)
  assert float(penalty) == pytest.approx(expected, rel=1e-5)
  for variable, gradient in zip(model.trainable_variables, gradients):
    if variable.path.endswith("/kernel"):
      np.testing.assert_allclose(gradient.numpy(), weight_decay * variable.numpy(), rtol=1e-6,
                                 err_msg=variable.path)
    else:  # gamma, beta: no decay.
      assert gradient is None, variable.path


def test_l2_penalty_of_a_variable_list_penalises_all_of_them():
  a, b = tf.Variable([1.0, -2.0]), tf.Variable([[3.0]])
  with tf.GradientTape() as tape:
    penalty = optimizers.l2_penalty([a, b], 0.5)
  assert float(penalty) == pytest.approx(0.25 * (1 + 4 + 9))
  grad_a, grad_b = tape.gradient(penalty, [a, b])
  np.testing.assert_allclose(grad_a.numpy(), [0.5, -1.0])
  np.testing.assert_allclose(grad_b.numpy(), [[1.5]])
  assert float(optimizers.l2_penalty([a, b], 0.0)) == 0.0


def test_loss_penalty_is_zero_unless_l2_mode():
  model = zoo.build(zoo.ModelConfig(name="mlp", width=4, depth=1), (2, 2, 1), 3).model
  assert optimizers.loss_penalty(_config(weight_decay=0.1), model) == 0.0
  assert optimizers.loss_penalty(_config(weight_decay_mode="l2"), model) == 0.0
  value = optimizers.loss_penalty(_config(weight_decay=0.1, weight_decay_mode="l2"), model)
  assert float(value) == pytest.approx(float(optimizers.l2_penalty(model, 0.1)))


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_adam_epsilon_reaches_the_optimizer_and_its_update(name):
  optimizer = optimizers.make_optimizer(_config(optimizer=name, adam_epsilon=1e-8,
                                                learning_rate=0.1), 10)
  assert optimizer.epsilon == 1e-8
  wrapped = optimizers.make_optimizer(_config(optimizer=name, adam_epsilon=1e-8,
                                              mixed_precision=True), 10)
  assert wrapped.inner_optimizer.epsilon == 1e-8
  assert optimizers.make_optimizer(_config(optimizer=name), 10).epsilon == 1e-7  # Keras'.
  # One step with a gradient small enough that epsilon matters, against Adam's formula:
  # m = (1 - b1) g, v = (1 - b2) g^2, w -= lr sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps).
  variable = tf.Variable([0.0])
  g = 1e-6  # sqrt(v) = 3.2e-8: 1e-8 and 1e-7 give clearly different steps.
  optimizer.apply_gradients([(tf.constant([g]), variable)])
  m, v = 0.1 * g, 0.001 * g * g
  step = 0.1 * np.sqrt(0.001) / 0.1 * m / (np.sqrt(v) + 1e-8)
  assert float(variable[0]) == pytest.approx(-step, rel=1e-4)
  assert step == pytest.approx(0.1 * 0.76, rel=0.01)  # 0.1 * 0.24 with Keras' 1e-7.


def test_decoupled_mode_builds_the_optimizers_as_before():
  # What make_optimizer built before weight_decay_mode existed.
  before = {
      "sgd": keras.optimizers.SGD(0.01, momentum=0.9, nesterov=False, weight_decay=0.05),
      "adam": keras.optimizers.Adam(0.01, weight_decay=0.05),
      "adamw": keras.optimizers.AdamW(0.01, weight_decay=0.05),
  }
  for name, optimizer in before.items():
    now = optimizers.make_optimizer(_config(optimizer=name, learning_rate=0.01,
                                            weight_decay=0.05), 10)
    unnamed = lambda o: {k: v for k, v in o.get_config().items() if k != "name"}
    assert unnamed(now) == unnamed(optimizer), name
  for name in ("sgd", "adam"):
    coupled = optimizers.make_optimizer(_config(optimizer=name, weight_decay=0.05,
                                                weight_decay_mode="l2"), 10)
    assert coupled.weight_decay is None, name


def test_bad_modes_are_rejected():
  with pytest.raises(errors.ConfigError, match="weight_decay_mode"):
    _config(weight_decay_mode="l1")
  with pytest.raises(errors.ConfigError, match="decoupled by definition"):
    _config(optimizer="adamw", weight_decay_mode="l2")
  with pytest.raises(errors.ConfigError, match="adam_epsilon"):
    _config(adam_epsilon=0.0)


@pytest.fixture(scope="module")
def tiny_data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(dataset="digits", train_size=64,
                                                        test_size=20, seed=1))


def _one_sgd_step(tmp_path, data, weight_decay, mode):
  """Initial and one-step weights of a torch-initialised mlp (non-zero biases), plain SGD."""
  trainer = trainer_lib.Trainer(
      str(tmp_path / f"{mode}_{weight_decay}"), data,
      zoo.ModelConfig(name="mlp", width=32, depth=1, init="torch"),
      augmentation.AugmentConfig(name="none"),
      _config(optimizer="sgd", momentum=0.0, learning_rate=0.5, batch_size=32,
              weight_decay=weight_decay, weight_decay_mode=mode, deterministic=True, seed=4))
  initial = {v.path: v.numpy() for v in trainer.model.trainable_variables}
  trainer.train_epoch(1, max_steps=1)
  return initial, {v.path: v.numpy() for v in trainer.model.trainable_variables}


def test_train_step_l2_adds_weight_decay_times_kernel_to_the_gradient(tiny_data, tmp_path):
  lr, wd = 0.5, 0.1
  initial, plain = _one_sgd_step(tmp_path, tiny_data, 0.0, "l2")
  _, coupled = _one_sgd_step(tmp_path, tiny_data, wd, "l2")
  _, decoupled = _one_sgd_step(tmp_path, tiny_data, wd, "decoupled")
  assert sorted(initial) == sorted(plain) and len(initial) == 4
  for path, w0 in initial.items():
    # Same data gradient g in every run: plain w0 - lr g; l2 adds -lr wd w0 on kernels only;
    # decoupled (Keras) shrinks every variable by lr wd w0 before the step.
    kernel = path.endswith("/kernel")
    np.testing.assert_allclose(coupled[path] - plain[path], -lr * wd * w0 if kernel else 0.0,
                               atol=1e-6, err_msg=path)
    np.testing.assert_allclose(decoupled[path] - plain[path], -lr * wd * w0, atol=1e-6,
                               err_msg=path)
    assert np.abs(w0).max() > 0.01  # Non-zero biases: the bias check can fail.
