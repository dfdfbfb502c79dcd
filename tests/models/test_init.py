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

"""Initialisation: init="torch" is the reference's, init="keras" is the suite's historical one.

The statistical checks allow 4 standard errors of the sample standard deviation of a
normal sample, 4/sqrt(2n) relative for n weights; the sizes below keep that tolerance
under the gaps the tests must see (glorot vs kaiming is a factor ~0.71, fan_in vs
fan_out a factor sqrt(2) on the first convolution of stages 2-4 and the shortcuts).
"""

import random

import keras
from keras import layers
import numpy as np
import pytest

from suite import errors
from suite.models import zoo

RESNET = zoo.ModelConfig(name="resnet18", width_multiplier=0.25, bottleneck_dim=256,
                         init="torch")


def _kernels(model, kind):
  return [l for l in model.layers if isinstance(l, kind) and getattr(l, "kernel", None) is not None]


def _check_std(values, expected_std, label):
  n = values.size
  tolerance = 4.0 / np.sqrt(2.0 * n)
  assert abs(values.std() / expected_std - 1.0) < tolerance, (label, values.std(), expected_std, n)
  assert abs(values.mean()) < 4.0 * expected_std / np.sqrt(n), (label, values.mean())


def _check_torch_uniform(values, fan_in, label):
  bound = 1.0 / np.sqrt(fan_in)
  assert np.abs(values).max() <= bound, label
  _check_std(values, bound / np.sqrt(3.0), label)  # std of U(-b, b) is b / sqrt(3).


@pytest.fixture(scope="module")
def resnet():
  keras.utils.set_random_seed(0)
  return zoo.build(RESNET, (32, 32, 3), 10).model


def test_resnet18_convolutions_are_kaiming_normal_fan_out_untruncated(resnet):
  convs = _kernels(resnet, layers.Conv2D)
  assert len(convs) == 20  # Stem, 16 in the blocks, 3 shortcut projections.
  assert "stem_conv" in [c.name for c in convs]
  for conv in convs:
    kernel = conv.kernel.numpy()
    kh, kw, _, out_channels = kernel.shape
    std = np.sqrt(2.0 / (out_channels * kh * kw))
    _check_std(kernel, std, conv.name)
    assert not conv.use_bias
    if kernel.size >= 20_000:  # Untruncated: N(0, 1) has 4.55% of its mass beyond 2 sigma.
      beyond = np.mean(np.abs(kernel) > 2 * std)
      assert abs(beyond - 0.0455) < 4 * np.sqrt(0.0455 * 0.9545 / kernel.size), (conv.name, beyond)


def test_resnet18_batchnorm_starts_at_gamma_one_beta_zero(resnet):
  norms = [l for l in resnet.layers if isinstance(l, layers.BatchNormalization)]
  assert len(norms) == 20
  for norm in norms:
    np.testing.assert_array_equal(norm.gamma.numpy(), 1.0)
    np.testing.assert_array_equal(norm.beta.numpy(), 0.0)


def test_projector_is_bias_free_pytorch_linear_default(resnet):
  for name, fan_in in (("projector_dense", 128), ("logits", 256)):
    layer = resnet.get_layer(name)
    assert not layer.use_bias and layer.bias is None
    assert layer.kernel.shape[0] == fan_in
    _check_torch_uniform(layer.kernel.numpy(), fan_in, name)


def test_resnet18_classifier_without_projector_is_pytorch_linear_default():
  keras.utils.set_random_seed(1)
  config = zoo.ModelConfig(name="resnet18", width_multiplier=0.5, init="torch")
  model = zoo.build(config, (8, 8, 3), 100).model
  logits = model.get_layer("logits")
  _check_torch_uniform(logits.kernel.numpy(), 256, "logits kernel")
  bias = logits.bias.numpy()
  assert np.abs(bias).max() <= 1 / np.sqrt(256) and np.all(bias != 0)
  _check_std(bias, 1 / np.sqrt(3 * 256), "logits bias")


@pytest.mark.parametrize("name", ["mlp", "cnn_small"])
def test_mlp_and_cnn_small_get_pytorch_defaults(name):
  keras.utils.set_random_seed(2)
  config = zoo.ModelConfig(name=name, width=256, depth=2, width_multiplier=0.5, init="torch")
  model = zoo.build(config, (28, 28, 1), 10).model
  checked = _kernels(model, (layers.Dense, layers.Conv2D))
  assert len(checked) == (3 if name == "mlp" else 5)
  for layer in checked:
    kernel = layer.kernel.numpy()
    fan_in = int(np.prod(kernel.shape[:-1]))  # in_channels * kh * kw for a convolution.
    _check_torch_uniform(kernel, fan_in, layer.name)
    bias = layer.bias.numpy()
    assert np.abs(bias).max() <= 1 / np.sqrt(fan_in) and np.all(bias != 0), layer.name
    if bias.size >= 64:
      _check_std(bias, 1 / np.sqrt(3 * fan_in), f"{layer.name} bias")


def _main_mlp(width, depth, bottleneck, num_classes):
  """The mlp as the suite built it before init existed: Keras' default initializers."""
  inputs = keras.Input((8, 8, 1))
  x = layers.Flatten()(inputs)
  for _ in range(depth):
    x = layers.ReLU()(layers.Dense(width, kernel_initializer="glorot_uniform",
                                   bias_initializer="zeros")(x))
  x = layers.ReLU()(layers.Dense(bottleneck, use_bias=False,
                                 kernel_initializer="glorot_uniform")(x))
  return keras.Model(inputs, layers.Dense(num_classes, use_bias=False,
                                          kernel_initializer="glorot_uniform")(x))


def test_keras_init_is_bit_identical_to_explicit_glorot_uniform_and_zeros():
  keras.utils.set_random_seed(5)
  built = zoo.build(zoo.ModelConfig(name="mlp", width=32, depth=2, bottleneck_dim=16),
                    (8, 8, 1), 10).model
  keras.utils.set_random_seed(5)
  expected = _main_mlp(32, 2, 16, 10)
  assert len(built.weights) == len(expected.weights) == 6
  for got, want in zip(built.weights, expected.weights):
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", zoo.MODELS)
def test_keras_init_draws_exactly_the_historical_seeds(name):
  """Glorot-uniform kernels and zero biases from the same python-random seeds as before.

  Keras gives each unseeded initializer a seed from Python's `random` when the layer is
  made; a build that drew anything extra (or a different initializer) would shift them.
  """
  config = zoo.ModelConfig(name=name, width=16, width_multiplier=0.125)
  keras.utils.set_random_seed(7)
  model = zoo.build(config, (8, 8, 3), 10).model
  with_kernels = _kernels(model, (layers.Dense, layers.Conv2D))
  keras.utils.set_random_seed(7)
  expected_seeds = [random.randint(1, int(1e9)) for _ in with_kernels]
  assert sorted(l.kernel_initializer.seed for l in with_kernels) == sorted(expected_seeds)
  for layer in with_kernels:
    assert isinstance(layer.kernel_initializer, keras.initializers.GlorotUniform)
    want = keras.initializers.GlorotUniform(seed=layer.kernel_initializer.seed)(layer.kernel.shape)
    np.testing.assert_array_equal(layer.kernel.numpy(), np.asarray(want), err_msg=layer.name)
    if layer.use_bias:
      np.testing.assert_array_equal(layer.bias.numpy(), 0.0)


def test_torch_and_keras_inits_differ_and_bad_init_is_rejected():
  keras.utils.set_random_seed(3)
  torch = zoo.build(zoo.ModelConfig(name="mlp", width=32, depth=1, init="torch"), (8, 8, 1), 10)
  keras.utils.set_random_seed(3)
  default = zoo.build(zoo.ModelConfig(name="mlp", width=32, depth=1), (8, 8, 1), 10)
  assert zoo.ModelConfig().init == "keras"
  # Glorot's bound sqrt(6 / (64 + 32)) = 0.25 against PyTorch's 1/sqrt(64) = 0.125.
  assert np.abs(default.model.get_layer("dense_1").kernel.numpy()).max() > 0.2
  assert np.abs(torch.model.get_layer("dense_1").kernel.numpy()).max() <= 0.125
  with pytest.raises(errors.ConfigError, match="unknown init"):
    zoo.ModelConfig(init="he")
