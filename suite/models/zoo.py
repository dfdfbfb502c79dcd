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

"""Model zoo: Keras functional models whose every layer of interest is a named endpoint.

`build(config, input_shape, num_classes)` returns a `ZooModel`: the Keras model
(inputs: images in [0, 1]; output: logits) and the ordered endpoint names, each the
name of a layer whose output is that endpoint. Endpoint names are stable so that
probes, plots and leaderboards line up across runs:

  mlp:        hidden_1 .. hidden_D, [projector_hidden], logits
  cnn_small:  conv_1 .. conv_D, fc_1, fc_2, [projector_hidden], logits (D = depth, default 2)
  resnet18:   stem, block_1_1, block_1_2, .. block_4_2, encoder, [projector_hidden], logits

The encoder output is the last endpoint before the head (`hidden_D`, `fc_2`,
`encoder`). With `bottleneck_dim > 0` the head is the benign-memorization projector:
Dense(bottleneck, no bias) -> ReLU -> Dense(classes, no bias); otherwise a Dense layer.

Initialisation (`ModelConfig.init`):
  keras  Keras defaults: glorot-uniform kernels, zero biases (the suite's historical models).
  torch  The reference's (sanagno/benign_memorization, a torchvision ResNet-18):
         every resnet18 convolution, the CIFAR stem included, kaiming-normal with mode
         fan_out, ReLU gain, untruncated (std sqrt(2 / (out_channels * kh * kw)));
         every Linear layer (projector, classifier) PyTorch's nn.Linear default, weights
         and biases ~ U(+-1/sqrt(fan_in)). No reference fixes an initialisation for mlp
         and cnn_small: they get PyTorch's defaults for nn.Linear and nn.Conv2d (weights
         and biases ~ U(+-1/sqrt(fan_in)), fan_in = in_channels * kh * kw).
  BatchNorm starts at gamma 1, beta 0 in both.

BatchNorm (`ModelConfig.sync_batchnorm`): with more than one replica in the strategy
the model is built under, statistics are computed over the global batch (Keras'
synchronized BatchNormalization, as the reference's SyncBatchNorm), so the numbers do
not depend on the replica count. With one replica the layer is the plain one: the
synchronized path computes the variance as E[x^2] - E[x]^2, which would change
single-device numerics for nothing.

The zoo needs only Keras: TensorFlow is imported where a layer runs a TensorFlow op (LRN)
or asks the distribution strategy, so resnet18 and mlp also build under Keras' JAX backend
(tools/step_time.py times them on accelerators that have no TensorFlow).
"""

from collections.abc import Sequence
import dataclasses
import math
import weakref

import keras
from keras import layers
import numpy as np

from suite import entries
from suite import errors

MODELS = ("mlp", "cnn_small", "resnet18")
INITS = ("keras", "torch")


@dataclasses.dataclass(frozen=True)
class ModelConfig:
  name: str = "mlp"
  width: int = 512  # mlp: hidden units per layer.
  depth: int = 2  # mlp: hidden layers; cnn_small: conv modules (2: the small AlexNet).
  width_multiplier: float = 1.0  # cnn_small, resnet18: channels scale.
  dropout: float = 0.0  # After each hidden layer of mlp / fully connected layer of cnn_small.
  bottleneck_dim: int = 0  # Projector width; 0: no projector.
  init: str = "keras"  # One of INITS (see the module docstring).
  sync_batchnorm: bool = True  # BatchNorm over the global batch across replicas.

  def __post_init__(self):
    if entries.is_reference(self.name):
      # An entry builds its own architecture: a zoo setting would be silently ignored.
      changed = [f.name for f in dataclasses.fields(self)
                 if f.name in _ZOO_SETTINGS and getattr(self, f.name) != f.default]
      if changed:
        raise errors.ConfigError(f"model {self.name} is an entry: the zoo settings "
                                 f"{changed} do not apply to it")
      return
    if self.name not in MODELS:
      raise errors.ConfigError(f"unknown model {self.name!r}; expected one of {MODELS} "
                               "or an entry package.module:function")
    if self.init not in INITS:
      raise errors.ConfigError(f"unknown init {self.init!r}; expected one of {INITS}")
    if self.width < 1 or self.depth < 1 or self.width_multiplier <= 0:
      raise errors.ConfigError("width, depth and width_multiplier must be positive")
    if not 0.0 <= self.dropout < 1.0:
      raise errors.ConfigError("dropout must be in [0, 1)")
    if self.bottleneck_dim < 0:
      raise errors.ConfigError("bottleneck_dim must be >= 0")


# The settings only the zoo's own architectures read.
_ZOO_SETTINGS = ("width", "depth", "width_multiplier", "dropout", "bottleneck_dim", "init")


@dataclasses.dataclass(frozen=True)
class ZooModel:
  model: keras.Model
  endpoints: tuple[str, ...]  # Ordered from input to output; each is a layer name.
  encoder_endpoint: str

  def endpoint_model(self, names: Sequence[str] | None = None) -> keras.Model:
    """A submodel from the input to a dict of endpoint outputs (all by default).

    Args:
      names: endpoints to output; None or empty: all, in order.

    Returns:
      A Keras model from the image input to {endpoint: output}.
    """
    names = tuple(names or self.endpoints)
    unknown = set(names) - set(self.endpoints)
    if unknown:
      raise errors.ConfigError(f"unknown endpoints {sorted(unknown)}; have {self.endpoints}")
    return keras.Model(self.model.input, {n: self.model.get_layer(n).output for n in names},
                       name=f"{self.model.name}_endpoints")

  def blocks(self) -> dict[str, tuple[str, ...]]:
    """The layers with weights each endpoint adds: its block, for per-block measures.

    A layer belongs to the first endpoint at or after it in the model's (topological)
    layer order, so a block is every weighted layer from the previous endpoint up to
    its own (`conv_2` <- conv_2_conv; `block_2_1` <- its convolutions and batch norms;
    `logits` <- logits). Endpoints that add no weights (`encoder`, a pooling) are left out.

    Returns:
      {endpoint: names of its weighted layers}, in endpoint order.
    """
    out: dict[str, tuple[str, ...]] = {}
    pending: list[str] = []
    for layer in self.model.layers:
      if layer.weights:
        pending.append(layer.name)
      if layer.name in self.endpoints:
        if pending:
          out[layer.name] = tuple(pending)
        pending = []
    return out


def _torch_default(config, fan_in: int, use_bias: bool = True) -> dict:
  """Initializer arguments of PyTorch's nn.Linear / nn.Conv2d defaults (empty for keras).

  PyTorch draws weights by kaiming_uniform(a=sqrt(5)), whose bound is exactly
  1/sqrt(fan_in), and biases from U(+-1/sqrt(fan_in)) with the weights' fan_in.
  """
  if config.init == "keras":  # Nothing passed: the layers' own defaults, as before.
    return {}
  bound = 1.0 / math.sqrt(fan_in)
  kwargs = {"kernel_initializer": keras.initializers.RandomUniform(-bound, bound)}
  if use_bias:
    kwargs["bias_initializer"] = keras.initializers.RandomUniform(-bound, bound)
  return kwargs


def _resnet_conv(config) -> dict:
  """kaiming_normal_(mode="fan_out", nonlinearity="relu"): N(0, 2 / fan_out), untruncated."""
  if config.init == "keras":
    return {}
  return {"kernel_initializer": keras.initializers.VarianceScaling(2.0, "fan_out",
                                                                   "untruncated_normal")}


def _head(x, config, num_classes, endpoints):
  if config.bottleneck_dim:
    x = layers.Dense(config.bottleneck_dim, use_bias=False, name="projector_dense",
                     **_torch_default(config, x.shape[-1], use_bias=False))(x)
    x = layers.ReLU(name="projector_hidden")(x)
    endpoints.append("projector_hidden")
    logits = layers.Dense(num_classes, use_bias=False, name="logits",
                          **_torch_default(config, x.shape[-1], use_bias=False))(x)
  else:
    logits = layers.Dense(num_classes, name="logits", **_torch_default(config, x.shape[-1]))(x)
  endpoints.append("logits")
  return logits


def _mlp(inputs, config, endpoints):
  x = layers.Flatten(name="flatten")(inputs)
  for i in range(1, config.depth + 1):
    x = layers.Dense(config.width, name=f"dense_{i}", **_torch_default(config, x.shape[-1]))(x)
    x = layers.ReLU(name=f"hidden_{i}")(x)
    endpoints.append(f"hidden_{i}")
    if config.dropout:
      x = layers.Dropout(config.dropout, name=f"dropout_{i}")(x)
  return x


class LocalResponseNormalization(layers.Layer):
  """tf.nn.local_response_normalization as in the small AlexNet of Zhang et al."""

  def call(self, x):
    import tensorflow as tf  # pylint: disable=g-import-not-at-top  (see the module docstring)
    # float32 inside: there is no LRN kernel for bfloat16 (mixed precision on CPU and TPU).
    out = tf.nn.local_response_normalization(tf.cast(x, tf.float32), depth_radius=4, bias=1.0,
                                             alpha=0.001 / 9.0, beta=0.75)
    return tf.cast(out, x.dtype)


def _cnn_small(inputs, config, endpoints):
  """`depth` (conv 5x5, 64 filters -> max-pool 3x3/2 -> LRN) modules, then fully connected
  384 and 192. The default depth 2 is the small AlexNet of Zhang et al.; other depths add
  or remove identical modules, so a depth sweep changes nothing else."""
  x = inputs
  for i, filters in enumerate((64,) * config.depth, start=1):
    x = layers.Conv2D(max(1, round(filters * config.width_multiplier)), 5, padding="same",
                      name=f"conv_{i}_conv", **_torch_default(config, 25 * x.shape[-1]))(x)
    x = layers.ReLU(name=f"conv_{i}_relu")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"conv_{i}_pool")(x)
    x = LocalResponseNormalization(name=f"conv_{i}")(x)
    endpoints.append(f"conv_{i}")
  x = layers.Flatten(name="flatten")(x)
  for i, units in enumerate((384, 192), start=1):
    x = layers.Dense(max(1, round(units * config.width_multiplier)),
                     name=f"fc_{i}_dense", **_torch_default(config, x.shape[-1]))(x)
    x = layers.ReLU(name=f"fc_{i}")(x)
    endpoints.append(f"fc_{i}")
    if config.dropout:
      x = layers.Dropout(config.dropout, name=f"fc_{i}_dropout")(x)
  return x


def _replicas_in_sync() -> int:
  """Replicas of the TensorFlow distribution strategy the model is built under (1 under
  another Keras backend: only the suite's TensorFlow trainer distributes a model)."""
  if keras.backend.backend() != "tensorflow":
    return 1
  import tensorflow as tf  # pylint: disable=g-import-not-at-top  (see the module docstring)
  return tf.distribute.get_strategy().num_replicas_in_sync


def _batch_norm(config, name):
  # PyTorch's defaults (momentum 0.1 there is 0.9 here), as in the reference code.
  # gamma 1, beta 0 (Keras' defaults) as the reference. Synchronized only where there is
  # more than one replica to synchronize (see the module docstring); the model is built
  # inside the training strategy's scope.
  synchronized = config.sync_batchnorm and _replicas_in_sync() > 1
  return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=synchronized,
                                   name=name)


def _basic_block(x, filters, stride, name, config):
  shortcut = x
  y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                    name=f"{name}_conv1", **_resnet_conv(config))(x)
  y = _batch_norm(config, f"{name}_bn1")(y)
  y = layers.ReLU(name=f"{name}_relu1")(y)
  y = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                    name=f"{name}_conv2", **_resnet_conv(config))(y)
  y = _batch_norm(config, f"{name}_bn2")(y)
  if stride != 1 or x.shape[-1] != filters:
    shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False,
                             name=f"{name}_shortcut_conv", **_resnet_conv(config))(x)
    shortcut = _batch_norm(config, f"{name}_shortcut_bn")(shortcut)
  y = layers.Add(name=f"{name}_add")([y, shortcut])
  return layers.ReLU(name=name)(y)


def _resnet18(inputs, config, endpoints):
  """ResNet-18 with the CIFAR stem: 3x3 stride-1 convolution, no max-pool."""
  width = lambda c: max(1, round(c * config.width_multiplier))
  x = layers.Conv2D(width(64), 3, padding="same", use_bias=False,
                    name="stem_conv", **_resnet_conv(config))(inputs)
  x = _batch_norm(config, "stem_bn")(x)
  x = layers.ReLU(name="stem")(x)
  endpoints.append("stem")
  for stage, filters in enumerate((64, 128, 256, 512), start=1):
    for block in (1, 2):
      stride = 2 if stage > 1 and block == 1 else 1
      name = f"block_{stage}_{block}"
      x = _basic_block(x, width(filters), stride, name, config)
      endpoints.append(name)
  x = layers.GlobalAveragePooling2D(name="encoder")(x)
  endpoints.append("encoder")
  return x


_BUILDERS = {"mlp": _mlp, "cnn_small": _cnn_small, "resnet18": _resnet18}


def build(config: ModelConfig, input_shape: Sequence[int], num_classes: int,
          seed: int = 0) -> ZooModel:
  """Builds a zoo model, or an entry's, for images of `input_shape` and `num_classes`.

  Args:
    config: the architecture: a zoo name with its settings, or an entry reference
      `package.module:function` (see `build_entry`).
    input_shape: image shape (H, W, C).
    num_classes: the logits' width.
    seed: the run's seed, passed to an entry's function (zoo models draw from Keras'
      global generators, which the caller seeds).

  Returns:
    The `ZooModel`: the Keras model with its ordered endpoints and encoder endpoint.
  """
  if entries.is_reference(config.name):
    return build_entry(config.name, input_shape, num_classes, seed)
  inputs = keras.Input(shape=tuple(input_shape), name="image")
  endpoints: list = []
  encoded = _BUILDERS[config.name](inputs, config, endpoints)
  encoder_endpoint = endpoints[-1]
  logits = _head(encoded, config, num_classes, endpoints)
  model = keras.Model(inputs, logits, name=config.name)
  return ZooModel(model=model, endpoints=tuple(endpoints), encoder_endpoint=encoder_endpoint)


# The models entries' functions have returned (while they live).
_ENTRY_MODELS: "weakref.WeakSet[keras.Model]" = weakref.WeakSet()


def build_entry(reference: str, input_shape: Sequence[int], num_classes: int,
                seed: int) -> ZooModel:
  """The model of an entry: `function(input_shape, num_classes, seed)`, checked.

  The protocol (docs/tracks.md): the function takes the image shape (H, W, C) as a
  tuple of ints, the number of classes and the run's seed, and returns a `ZooModel`: a
  Keras model from images in [0, 1] of that shape to logits [batch, num_classes], its
  endpoints (names of layers, ordered from input to output, the probed layers) and its
  encoder endpoint (one of them: the representation before the head).

  Raises:
    ConfigError: the function cannot be imported, raises, or returns something that
      breaks the protocol; the message names the function and what is wrong.
  """
  built = entries.call(reference, "model", tuple(int(d) for d in input_shape),
                       int(num_classes), int(seed))
  where = f"model {reference}"
  if not isinstance(built, ZooModel):
    raise errors.ConfigError(f"{where} returned a {type(built).__name__}, not a "
                             "suite.models.ZooModel(model, endpoints, encoder_endpoint)")
  if not isinstance(built.model, keras.Model):
    raise errors.ConfigError(f"{where}: ZooModel.model is a {type(built.model).__name__}, "
                             "not a keras.Model")
  names = {layer.name for layer in built.model.layers}
  if not built.endpoints or not all(isinstance(e, str) for e in built.endpoints):
    raise errors.ConfigError(f"{where}: no endpoints (a non-empty tuple of layer names)")
  missing = [e for e in built.endpoints if e not in names]
  if missing:
    raise errors.ConfigError(f"{where}: endpoints {missing} are not layers of the model")
  if len(set(built.endpoints)) != len(built.endpoints):
    raise errors.ConfigError(f"{where}: endpoints {list(built.endpoints)} repeat a name")
  if built.encoder_endpoint not in built.endpoints:
    raise errors.ConfigError(f"{where}: encoder endpoint {built.encoder_endpoint!r} is not "
                             f"one of its endpoints {list(built.endpoints)}")
  try:
    inputs, outputs = built.model.inputs, built.model.outputs
  except (AttributeError, ValueError) as e:
    raise errors.ConfigError(f"{where}: the model has no defined inputs and outputs ({e}); "
                             "build it with the functional API from a keras.Input") from e
  if len(inputs) != 1 or tuple(inputs[0].shape[1:]) != tuple(input_shape):
    got = [tuple(i.shape) for i in inputs]
    raise errors.ConfigError(f"{where}: input shape {got}, expected one input "
                             f"(None, {', '.join(map(str, input_shape))})")
  if len(outputs) != 1 or tuple(outputs[0].shape[1:]) != (num_classes,):
    got = [tuple(o.shape) for o in outputs]
    raise errors.ConfigError(f"{where}: output shape {got}, expected one output of logits "
                             f"(None, {num_classes})")
  if built.model in _ENTRY_MODELS:  # Cached by the entry: it would start trained.
    raise errors.ConfigError(f"{where} returned a model it had returned before: build a new "
                             "model on every call (each run starts from its own weights)")
  if not all(np.isfinite(np.asarray(w)).all() for w in built.model.get_weights()):
    raise errors.ConfigError(f"{where}: its initial weights are NaN or infinite")
  _ENTRY_MODELS.add(built.model)
  return ZooModel(model=built.model, endpoints=tuple(built.endpoints),
                  encoder_endpoint=built.encoder_endpoint)
