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

"""Model entries: `function(input_shape, num_classes, seed) -> ZooModel`, checked by
zoo.build_entry; every broken return is one ConfigError naming the function and what is
wrong. The entry functions of these tests are defined below and entered by reference."""

import re
import types

import keras
from keras import layers
import numpy as np
import pytest

from suite import errors
from suite import models
from suite.models import zoo

HERE = __name__  # tests.models.test_model_entries: the entries below are referenced by it.
SHAPE, CLASSES = (8, 8, 1), 10
CALLS = []


def _small(input_shape, num_classes, *, inputs=None, name="small"):
  inputs = inputs or keras.Input(shape=tuple(input_shape), name="image")
  x = layers.Flatten(name="flatten")(inputs)
  x = layers.Dense(16, name="hidden_dense")(x)
  x = layers.ReLU(name="hidden")(x)
  logits = layers.Dense(num_classes, name="logits")(x)
  return keras.Model(inputs, logits, name=name)


def good(input_shape, num_classes, seed):
  CALLS.append((input_shape, num_classes, seed))
  return zoo.ZooModel(model=_small(input_shape, num_classes), endpoints=["hidden", "logits"],
                      encoder_endpoint="hidden")


def seeded(input_shape, num_classes, seed):
  """Draws its weights from the seed it is given (not Keras' global generators)."""
  inputs = keras.Input(shape=tuple(input_shape), name="image")
  x = layers.Flatten(name="flatten")(inputs)
  x = layers.Dense(16, kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
                   name="hidden")(x)
  logits = layers.Dense(num_classes, kernel_initializer=keras.initializers.GlorotUniform(
      seed=seed + 1), name="logits")(x)
  return zoo.ZooModel(keras.Model(inputs, logits), ("hidden", "logits"), "hidden")


def not_a_zoo_model(input_shape, num_classes, seed):
  del seed
  return _small(input_shape, num_classes)


def returns_none(input_shape, num_classes, seed):
  del input_shape, num_classes, seed


def model_not_keras(input_shape, num_classes, seed):
  del input_shape, num_classes, seed
  return zoo.ZooModel(model="a string", endpoints=("hidden",), encoder_endpoint="hidden")


def no_endpoints(input_shape, num_classes, seed):
  del seed
  return zoo.ZooModel(_small(input_shape, num_classes), (), "hidden")


def endpoint_not_a_name(input_shape, num_classes, seed):
  del seed
  return zoo.ZooModel(_small(input_shape, num_classes), ("hidden", 3), "hidden")


def endpoint_not_a_layer(input_shape, num_classes, seed):
  del seed
  return zoo.ZooModel(_small(input_shape, num_classes), ("hidden", "block_9", "logits"),
                      "hidden")


def endpoints_repeat(input_shape, num_classes, seed):
  del seed
  return zoo.ZooModel(_small(input_shape, num_classes), ("hidden", "logits", "hidden"),
                      "hidden")


def encoder_not_an_endpoint(input_shape, num_classes, seed):
  del seed
  return zoo.ZooModel(_small(input_shape, num_classes), ("hidden", "logits"), "flatten")


def wrong_input_shape(input_shape, num_classes, seed):
  del input_shape, seed
  return zoo.ZooModel(_small((28, 28, 1), num_classes), ("hidden", "logits"), "hidden")


def two_inputs(input_shape, num_classes, seed):
  del seed
  a = keras.Input(shape=tuple(input_shape), name="image")
  b = keras.Input(shape=tuple(input_shape), name="other")
  x = layers.Add(name="hidden")([layers.Flatten()(a), layers.Flatten()(b)])
  logits = layers.Dense(num_classes, name="logits")(x)
  return zoo.ZooModel(keras.Model([a, b], logits), ("hidden", "logits"), "hidden")


def wrong_output_shape(input_shape, num_classes, seed):
  del num_classes, seed
  return zoo.ZooModel(_small(input_shape, 5), ("hidden", "logits"), "hidden")


def spatial_output(input_shape, num_classes, seed):
  del seed
  inputs = keras.Input(shape=tuple(input_shape), name="image")
  logits = layers.Conv2D(num_classes, 1, name="logits")(inputs)
  return zoo.ZooModel(keras.Model(inputs, logits), ("logits",), "logits")


def two_outputs(input_shape, num_classes, seed):
  del seed
  inputs = keras.Input(shape=tuple(input_shape), name="image")
  x = layers.Flatten(name="hidden")(inputs)
  return zoo.ZooModel(keras.Model(inputs, [layers.Dense(num_classes, name="logits")(x),
                                           layers.Dense(num_classes, name="aux")(x)]),
                      ("hidden", "logits"), "hidden")


class _Subclassed(keras.Model):

  def __init__(self, num_classes):
    super().__init__(name="subclassed")
    self.flatten = layers.Flatten(name="hidden")
    self.head = layers.Dense(num_classes, name="logits")

  def call(self, x):
    return self.head(self.flatten(x))


def subclassed(input_shape, num_classes, seed):
  """A Keras model that is not functional: it has no symbolic input to check."""
  del input_shape, seed
  return zoo.ZooModel(_Subclassed(num_classes), ("hidden", "logits"), "hidden")


def raises(input_shape, num_classes, seed):
  raise RuntimeError(f"cannot build for {input_shape}")


def two_arguments(input_shape, num_classes):
  return good(input_shape, num_classes, 0)


def ref(name: str) -> str:
  return f"{HERE}:{name}"


def test_entries_here_are_importable_by_reference():
  assert HERE == "tests.models.test_model_entries"


def test_a_good_entry_builds_with_the_protocol_s_arguments():
  CALLS.clear()
  built = zoo.build_entry(ref("good"), [np.int64(8), 8, 1], np.int32(10), np.int64(3))
  assert CALLS == [((8, 8, 1), 10, 3)]
  shape, classes, seed = CALLS[0]
  assert {type(v) for v in (*shape, classes, seed)} == {int}  # Plain ints, not NumPy's.
  assert isinstance(built, zoo.ZooModel)
  assert built.endpoints == ("hidden", "logits")  # A list becomes a tuple.
  assert built.encoder_endpoint == "hidden"
  outputs = built.endpoint_model()(np.zeros((2, *SHAPE), np.float32))
  assert {k: tuple(v.shape) for k, v in outputs.items()} == {"hidden": (2, 16),
                                                             "logits": (2, CLASSES)}
  assert built.blocks() == {"hidden": ("hidden_dense",), "logits": ("logits",)}


def test_zoo_build_routes_a_reference_to_the_entry_with_the_seed():
  CALLS.clear()
  built = zoo.build(zoo.ModelConfig(name=ref("good")), SHAPE, CLASSES, seed=7)
  assert CALLS == [(SHAPE, CLASSES, 7)]
  assert built.model.output.shape[1:] == (CLASSES,)


_BAD = {
    "not_a_zoo_model": r"returned a Functional, not a suite\.models\.ZooModel\(model, endpoints, "
                       r"encoder_endpoint\)",
    "returns_none": r"returned a NoneType, not a suite\.models\.ZooModel",
    "model_not_keras": r": ZooModel\.model is a str, not a keras\.Model",
    "no_endpoints": r": no endpoints \(a non-empty tuple of layer names\)",
    "endpoint_not_a_name": r": no endpoints \(a non-empty tuple of layer names\)",
    "endpoint_not_a_layer": r": endpoints \['block_9'\] are not layers of the model",
    "endpoints_repeat": r": endpoints \['hidden', 'logits', 'hidden'\] repeat a name",
    "encoder_not_an_endpoint": r": encoder endpoint 'flatten' is not one of its endpoints "
                               r"\['hidden', 'logits'\]",
    "wrong_input_shape": r": input shape \[\(None, 28, 28, 1\)\], expected one input "
                         r"\(None, 8, 8, 1\)",
    "two_inputs": r": input shape \[\(None, 8, 8, 1\), \(None, 8, 8, 1\)\], expected one input",
    "wrong_output_shape": r": output shape \[\(None, 5\)\], expected one output of logits "
                          r"\(None, 10\)",
    "spatial_output": r": output shape \[\(None, 8, 8, 10\)\], expected one output of logits",
    "two_outputs": r": output shape \[\(None, 10\), \(None, 10\)\], expected one output",
    "raises": r" raised RuntimeError: cannot build for \(8, 8, 1\)",
    "two_arguments": r" raised TypeError: .*two_arguments\(\) takes 2 positional arguments",
}


@pytest.mark.parametrize("name", sorted(_BAD))
def test_a_broken_entry_is_one_config_error_naming_the_function(name):
  with pytest.raises(errors.ConfigError) as raised:
    zoo.build_entry(ref(name), SHAPE, CLASSES, 0)
  message = str(raised.value)
  assert message.startswith(f"model {ref(name)}"), message
  assert re.search(_BAD[name], message), message


def test_a_subclassed_model_is_a_config_error_not_a_crash():
  """A non-functional keras.Model has no `inputs` to check: the protocol check must say
  so (one error line), not raise AttributeError from inside the suite."""
  try:
    zoo.build_entry(ref("subclassed"), SHAPE, CLASSES, 0)
  except errors.ConfigError as e:
    assert str(e).startswith(f"model {ref('subclassed')}"), str(e)
  except Exception as e:  # pylint: disable=broad-except
    pytest.fail(f"build_entry raised {type(e).__name__}: {e} for a subclassed keras.Model; "
                "expected a ConfigError naming the function")
  else:
    pytest.fail("a subclassed model without a symbolic input was accepted")


def test_the_function_s_module_errors_name_the_reference():
  with pytest.raises(errors.ConfigError, match=rf"^model {HERE}:nosuch: module {HERE} has no "):
    zoo.build_entry(ref("nosuch"), SHAPE, CLASSES, 0)
  with pytest.raises(errors.ConfigError, match=r"^model no_such_package\.model:f: cannot import"):
    zoo.build(zoo.ModelConfig(name="no_such_package.model:f"), SHAPE, CLASSES)


@pytest.mark.parametrize("setting,value", [("width", 8), ("depth", 3), ("width_multiplier", 0.5),
                                           ("dropout", 0.1), ("bottleneck_dim", 64),
                                           ("init", "torch")])
def test_zoo_settings_are_refused_with_an_entry(setting, value):
  with pytest.raises(errors.ConfigError) as raised:
    zoo.ModelConfig(name=ref("good"), **{setting: value})
  message = str(raised.value)
  assert ref("good") in message and f"['{setting}']" in message, message
  # Every changed setting is named; the defaults are accepted.
  with pytest.raises(errors.ConfigError, match=r"\['width', 'dropout'\]"):
    zoo.ModelConfig(name=ref("good"), width=8, dropout=0.1)
  assert zoo.ModelConfig(name=ref("good"), width=512, init="keras").name == ref("good")


def test_a_name_that_is_neither_a_zoo_model_nor_a_reference():
  with pytest.raises(errors.ConfigError, match=r"unknown model 'convmixer'.*package\.module:"
                                               "function"):
    zoo.ModelConfig(name="convmixer")


def _weights(built):
  return [w.numpy() for w in built.model.weights]


def _info():
  return types.SimpleNamespace(image_shape=SHAPE, num_classes=CLASSES)


def _same(a, b):
  return len(a) == len(b) and all(x.shape == y.shape and np.array_equal(x, y)
                                  for x, y in zip(a, b))


@pytest.mark.parametrize("name", ["good", "seeded"])
def test_build_for_an_entry_gives_the_same_weights_for_the_same_seed(name):
  config = zoo.ModelConfig(name=ref(name))
  first = _weights(models.build_for(config, _info(), 3))
  keras.utils.set_random_seed(99)  # Whatever was drawn before: build_for reseeds.
  np.random.rand(5)
  again = _weights(models.build_for(config, _info(), 3))
  other = _weights(models.build_for(config, _info(), 4))
  assert _same(first, again)
  assert not any(np.array_equal(x, y) for x, y in zip(first, other) if x.ndim == 2)


def test_the_example_entry_builds():
  built = models.build_for(zoo.ModelConfig(name="examples.my_entry.model:convmixer"), _info(), 0)
  assert built.endpoints == ("patches", "mixer_1", "mixer_2", "mixer_3", "encoder", "logits")
  assert built.encoder_endpoint == "encoder"
  out = built.endpoint_model()(np.zeros((2, *SHAPE), np.float32))
  assert tuple(out["patches"].shape) == (2, 4, 4, 32) and tuple(out["logits"].shape) == (2, 10)


@pytest.mark.parametrize("baseline,zoo_config", [
    ("mlp", zoo.ModelConfig(name="mlp", width=512, depth=2)),
    ("cnn_small", zoo.ModelConfig(name="cnn_small")),
    ("resnet18_eighth", zoo.ModelConfig(name="resnet18", width_multiplier=0.125, init="torch")),
])
def test_the_shipped_baselines_are_the_zoo_s_models(baseline, zoo_config):
  """Entered by reference, a baseline starts from the weights the zoo's model with the
  same settings and seed starts from."""
  info = types.SimpleNamespace(image_shape=(16, 16, 3), num_classes=CLASSES)
  entry = models.build_for(zoo.ModelConfig(name=f"suite.models.baselines:{baseline}"), info, 5)
  direct = models.build_for(zoo_config, info, 5)
  assert entry.endpoints == direct.endpoints
  assert entry.encoder_endpoint == direct.encoder_endpoint
  assert _same(_weights(entry), _weights(direct))


def test_the_projector_baseline_has_the_projector():
  info = types.SimpleNamespace(image_shape=(16, 16, 3), num_classes=CLASSES)
  built = models.build_for(
      zoo.ModelConfig(name="suite.models.baselines:resnet18_eighth_projector"), info, 0)
  assert built.endpoints[-3:] == ("encoder", "projector_hidden", "logits")
  assert built.encoder_endpoint == "encoder"
  assert tuple(built.model.get_layer("projector_dense").kernel.shape) == (64, 4096)
