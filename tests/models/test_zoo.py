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

import numpy as np
import pytest

from suite import errors
from suite.models import zoo


def _trainable(model):
  return int(sum(np.prod(v.shape) for v in model.trainable_weights))


def test_mlp_endpoints_shapes_and_parameters():
  built = zoo.build(zoo.ModelConfig(name="mlp", width=64, depth=3), (28, 28, 1), 10)
  assert built.endpoints == ("hidden_1", "hidden_2", "hidden_3", "logits")
  assert built.encoder_endpoint == "hidden_3"
  # (784*64 + 64) + 2 * (64*64 + 64) + (64*10 + 10), counted by hand.
  assert built.model.count_params() == 50240 + 2 * 4160 + 650
  outputs = built.endpoint_model()(np.zeros((3, 28, 28, 1), np.float32))
  assert {k: tuple(v.shape) for k, v in outputs.items()} == {
      "hidden_1": (3, 64), "hidden_2": (3, 64), "hidden_3": (3, 64), "logits": (3, 10)}


def test_cnn_small_endpoints_and_parameters():
  built = zoo.build(zoo.ModelConfig(name="cnn_small"), (32, 32, 3), 10)
  assert built.endpoints == ("conv_1", "conv_2", "fc_1", "fc_2", "logits")
  # conv 5x5x3x64, conv 5x5x64x64, fc 4096x384, fc 384x192, logits 192x10 (with biases).
  expected = (75 * 64 + 64) + (1600 * 64 + 64) + (4096 * 384 + 384) + (384 * 192 + 192) + 1930
  assert built.model.count_params() == expected
  outputs = built.endpoint_model(["conv_1", "conv_2"])(np.zeros((2, 32, 32, 3), np.float32))
  assert tuple(outputs["conv_1"].shape) == (2, 16, 16, 64)
  assert tuple(outputs["conv_2"].shape) == (2, 8, 8, 64)


def test_resnet18_cifar_encoder_has_about_11_2m_parameters():
  built = zoo.build(zoo.ModelConfig(name="resnet18"), (32, 32, 3), 10)
  assert built.endpoints == ("stem", "block_1_1", "block_1_2", "block_2_1", "block_2_2",
                             "block_3_1", "block_3_2", "block_4_1", "block_4_2", "encoder",
                             "logits")
  encoder = built.endpoint_model(["encoder"])
  # The PyTorch CIFAR ResNet-18 has 11,173,962 trainable parameters with its 5,130-parameter
  # classifier: 11,168,832 in the encoder.
  assert _trainable(encoder) == 11_168_832
  outputs = built.endpoint_model()(np.zeros((2, 32, 32, 3), np.float32))
  shapes = {k: tuple(v.shape) for k, v in outputs.items()}
  assert shapes["stem"] == (2, 32, 32, 64)  # CIFAR stem: stride 1, no max-pool.
  assert shapes["block_2_1"] == (2, 16, 16, 128)
  assert shapes["block_4_2"] == (2, 4, 4, 512)
  assert shapes["encoder"] == (2, 512)


def test_projector_head_matches_the_benign_memorization_code():
  built = zoo.build(zoo.ModelConfig(name="mlp", width=32, depth=1, bottleneck_dim=65536),
                    (8, 8, 1), 10)
  assert built.endpoints == ("hidden_1", "projector_hidden", "logits")
  head = built.model.get_layer("projector_dense").count_params() + \
      built.model.get_layer("logits").count_params()
  assert head == 32 * 65536 + 65536 * 10  # Two bias-free Dense layers.
  assert not built.model.get_layer("logits").use_bias


@pytest.mark.parametrize("name", zoo.MODELS)
@pytest.mark.parametrize("shape, classes", [((28, 28, 1), 10), ((8, 8, 1), 10), ((32, 32, 3), 100)])
def test_every_model_builds_for_every_input_shape(name, shape, classes):
  config = zoo.ModelConfig(name=name, width=16, width_multiplier=0.125, bottleneck_dim=32)
  built = zoo.build(config, shape, classes)
  logits = built.model(np.random.default_rng(0).uniform(size=(2,) + shape).astype(np.float32))
  assert tuple(logits.shape) == (2, classes)
  assert built.endpoints[-2:] == ("projector_hidden", "logits")


def test_width_multiplier_scales_channels():
  built = zoo.build(zoo.ModelConfig(name="resnet18", width_multiplier=0.25), (32, 32, 3), 10)
  assert built.model.get_layer("encoder").output.shape[-1] == 128


def test_unknown_endpoint_and_model_are_rejected():
  built = zoo.build(zoo.ModelConfig(name="mlp", width=8, depth=1), (8, 8, 1), 10)
  with pytest.raises(errors.ConfigError, match="unknown endpoints"):
    built.endpoint_model(["conv_9"])
  with pytest.raises(errors.ConfigError, match="unknown model"):
    zoo.ModelConfig(name="vgg")


def test_resnet18_batchnorm_is_the_reference_s_and_plain_on_one_replica():
  built = zoo.build(zoo.ModelConfig(name="resnet18", width_multiplier=0.125), (8, 8, 3), 10)
  norms = [l for l in built.model.layers if l.__class__.__name__ == "BatchNormalization"]
  assert len(norms) == 20
  for norm in norms:  # PyTorch's momentum 0.1 and eps 1e-5.
    assert norm.momentum == 0.9 and norm.epsilon == 1e-5
    # sync_batchnorm defaults to True; with one replica the layer stays the plain one
    # (tests/training/test_sync_batchnorm.py checks two replicas).
    assert not norm.synchronized
  assert zoo.ModelConfig().sync_batchnorm and zoo.ModelConfig().init == "keras"


def test_blocks_are_the_weighted_layers_each_endpoint_adds():
  cnn = zoo.build(zoo.ModelConfig(name="cnn_small", depth=3), (28, 28, 1), 10)
  assert cnn.blocks() == {"conv_1": ("conv_1_conv",), "conv_2": ("conv_2_conv",),
                          "conv_3": ("conv_3_conv",), "fc_1": ("fc_1_dense",),
                          "fc_2": ("fc_2_dense",), "logits": ("logits",)}
  resnet = zoo.build(zoo.ModelConfig(name="resnet18", width_multiplier=0.125), (32, 32, 3), 10)
  blocks = resnet.blocks()
  assert "encoder" not in blocks and list(blocks)[0] == "stem"  # Pooling adds no weights.
  assert "block_2_1_shortcut_conv" in blocks["block_2_1"]
  owned = [name for names in blocks.values() for name in names]
  assert len(owned) == len(set(owned)) == sum(1 for l in resnet.model.layers if l.weights)
