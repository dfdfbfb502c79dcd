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

"""Method entries: `methods.build`'s checks, and what a Method changes in training.

One step of the suite's compiled training step with a method is compared with the
same step computed here independently (tf.GradientTape on a copy of the model, the
cross-entropy written out); the transform's key is read at every step of whole runs.
The method functions of these tests are defined below and entered by reference."""

import keras
from keras import layers
import numpy as np
import pytest
import tensorflow as tf

from suite import errors
from suite import hooks as hooks_lib
from suite import methods
from suite import rng
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.training import loop
from suite.training import trainer as trainer_lib

HERE = __name__  # tests.test_methods
BATCH, CLASSES, LR = 8, 10, 0.1
CONSTANT = 0.75
KEYS: list = []
SEEN: list = []


def ref(name):
  return f"{HERE}:{name}"


# --- method entries ------------------------------------------------------------------------

def constant_loss(num_classes, seed):
  del num_classes, seed
  return methods.Method(extra_loss=lambda model, images, targets, logits: tf.fill(
      [tf.shape(logits)[0]], tf.constant(CONSTANT, tf.float32)))


def half_cross_entropy(num_classes, seed):
  del num_classes, seed
  return methods.Method(extra_loss=lambda model, images, targets, logits: (
      0.5 * tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=logits)))


def _to_class_zero_dimmed(images, targets, key):
  del key
  return images * 0.5, tf.one_hot(tf.zeros(tf.shape(targets)[0], tf.int32), tf.shape(targets)[1])


def relabel(num_classes, seed):
  del num_classes, seed
  return methods.Method(transform_batch=_to_class_zero_dimmed)


def relabel_and_half_cross_entropy(num_classes, seed):
  """The extra loss sees what the step trained on: the transformed batch."""
  del num_classes, seed
  return methods.Method(transform_batch=_to_class_zero_dimmed,
                        extra_loss=half_cross_entropy(0, 0).extra_loss)


def key_recorder(num_classes, seed):
  del num_classes, seed

  def transform(images, targets, key):
    noted = tf.py_function(lambda k: KEYS.append(tuple(k.numpy().tolist())) or 0, [key],
                           Tout=tf.int32)
    noted = tf.reshape(noted, [])  # py_function's output has no static shape.
    return images + 0.0 * tf.cast(noted, images.dtype), targets
  return methods.Method(transform_batch=transform)


class _Noting(hooks_lib.Hook):

  def on_train_begin(self, state):
    SEEN.append(("train_begin", state.epoch))


def hooks_only(num_classes, seed):
  SEEN.append(("built", num_classes, seed))
  return methods.Method(hooks=[_Noting()])


def not_a_method(num_classes, seed):
  return {"extra_loss": None, "num_classes": num_classes, "seed": seed}


def changes_nothing(num_classes, seed):
  del num_classes, seed
  return methods.Method()


def transform_not_callable(num_classes, seed):
  del num_classes, seed
  return methods.Method(transform_batch="flip")


def loss_not_callable(num_classes, seed):
  del num_classes, seed
  return methods.Method(extra_loss=0.5)


def raises(num_classes, seed):
  raise KeyError(f"no method for {num_classes}")


def no_arguments():
  return methods.Method(extra_loss=lambda *a: 0.0)


# --- build ---------------------------------------------------------------------------------

def test_methods_here_are_importable_by_reference():
  assert HERE == "tests.test_methods"


def test_build_passes_the_protocol_s_arguments_and_returns_the_method():
  SEEN.clear()
  method = methods.build(ref("hooks_only"), np.int64(10), np.int32(4))
  assert SEEN == [("built", 10, 4)]
  assert all(type(v) is int for v in SEEN[0][1:])  # pylint: disable=unidiomatic-typecheck
  assert isinstance(method, methods.Method) and len(method.hooks) == 1
  assert method.transform_batch is None and method.extra_loss is None


@pytest.mark.parametrize("name,message", [
    ("not_a_method", r" returned a dict, not a suite\.methods\.Method$"),
    ("changes_nothing", r" returned a Method that changes nothing \(no transform_batch, "
                        r"extra_loss or hooks\)$"),
    ("transform_not_callable", r": transform_batch is a str, not a function$"),
    ("loss_not_callable", r": extra_loss is a float, not a function$"),
    ("raises", r" raised KeyError: 'no method for 10'$"),
    ("no_arguments", r" raised TypeError: .*no_arguments\(\) takes 0 positional arguments"),
    ("nosuch", rf": module {HERE} has no 'nosuch'$"),
])
def test_a_broken_method_is_one_config_error_naming_it(name, message):
  with pytest.raises(errors.ConfigError, match=rf"^method {ref(name)}{message}"):
    methods.build(ref(name), CLASSES, 0)


def test_a_malformed_method_reference_is_refused_by_the_train_config():
  with pytest.raises(errors.ConfigError, match="package.module:function"):
    trainer_lib.TrainConfig(method="confidence_penalty")
  with pytest.raises(errors.ConfigError, match=r"method 'a\.b' is not a reference"):
    methods.build("a.b", CLASSES, 0)


def test_the_example_method_is_the_confidence_penalty():
  method = methods.build("examples.my_entry.method:confidence_penalty", CLASSES, 0)
  logits = tf.constant([[2.0, 0.0, -1.0] + [0.0] * 7, [0.0] * 10])
  p = tf.nn.softmax(logits).numpy()
  expected = 0.1 * np.sum(p * np.log(p), axis=-1)  # -beta * entropy
  got = method.extra_loss(None, None, None, logits).numpy()
  np.testing.assert_allclose(got, expected, rtol=1e-5)
  assert got[1] == pytest.approx(-0.1 * np.log(10), rel=1e-5)  # Uniform: maximal entropy.


# --- one training step, against an independent computation ----------------------------------

def _model(seed=0):
  keras.utils.set_random_seed(seed)
  inputs = keras.Input(shape=(8, 8, 1))
  x = layers.Dense(12, activation="tanh")(layers.Flatten()(inputs))
  return keras.Model(inputs, layers.Dense(CLASSES)(x))


def _batch(seed=0):
  generator = np.random.default_rng(seed)
  labels = generator.integers(0, CLASSES, BATCH)
  return {"image": tf.constant(generator.random((BATCH, 8, 8, 1)), tf.float32),
          "target": tf.one_hot(labels, CLASSES), "label": tf.constant(labels, tf.int64)}


def _suite_step(method_name, batch, seed=0):
  """The suite's step (plain SGD, lr LR) once: the weights after it and the loss sum."""
  model = _model()
  config = trainer_lib.TrainConfig(batch_size=BATCH, optimizer="sgd", momentum=0.0,
                                   learning_rate=LR, seed=seed)
  optimizer = keras.optimizers.SGD(LR)
  optimizer.build(model.trainable_variables)
  method = methods.build(ref(method_name), CLASSES, seed) if method_name else None
  step = loop.make_train_step(model, optimizer, config, tf.distribute.get_strategy(), method)
  loss_sum, _, steps, first_bad = step(batch, loop.initial_sums(tf.distribute.get_strategy()))
  assert int(steps) == 1 and int(first_bad) == -1
  return [w.numpy() for w in model.trainable_weights], float(loss_sum)


def _independent_step(images, targets, scale):
  """SGD on scale * mean cross-entropy, by hand: w - LR * d(loss)/dw."""
  model = _model()
  with tf.GradientTape() as tape:
    logits = model(images, training=True)
    cross_entropy = -tf.reduce_sum(targets * tf.nn.log_softmax(logits), axis=-1)
    loss = scale * tf.reduce_mean(cross_entropy)
  gradients = tape.gradient(loss, model.trainable_weights)
  return ([w.numpy() - LR * g.numpy() for w, g in zip(model.trainable_weights, gradients)],
          float(tf.reduce_sum(cross_entropy)))


def _close(a, b, **tolerance):
  return all(np.allclose(x, y, **tolerance) for x, y in zip(a, b))


def test_without_a_method_the_step_is_plain_sgd_on_cross_entropy():
  batch = _batch()
  weights, loss_sum = _suite_step(None, batch)
  expected, cross_entropy_sum = _independent_step(batch["image"], batch["target"], 1.0)
  assert _close(weights, expected, rtol=1e-5, atol=1e-6)
  assert loss_sum == pytest.approx(cross_entropy_sum, rel=1e-5)


def test_a_constant_extra_loss_shifts_the_loss_and_leaves_the_gradients():
  batch = _batch()
  plain, plain_loss = _suite_step(None, batch)
  shifted, shifted_loss = _suite_step("constant_loss", batch)
  assert _close(shifted, plain, rtol=0, atol=1e-7)
  assert shifted_loss == pytest.approx(plain_loss + BATCH * CONSTANT, rel=1e-6)


def test_half_the_cross_entropy_as_extra_loss_is_the_loss_scaled_by_one_and_a_half():
  batch = _batch()
  weights, loss_sum = _suite_step("half_cross_entropy", batch)
  expected, cross_entropy_sum = _independent_step(batch["image"], batch["target"], 1.5)
  unscaled, _ = _independent_step(batch["image"], batch["target"], 1.0)
  assert _close(weights, expected, rtol=1e-5, atol=1e-6)
  assert not _close(weights, unscaled, rtol=1e-5, atol=1e-6)
  assert loss_sum == pytest.approx(1.5 * cross_entropy_sum, rel=1e-5)


def test_transform_batch_runs_before_the_forward_pass():
  batch = _batch()
  weights, loss_sum = _suite_step("relabel", batch)
  zero = tf.one_hot(tf.zeros(BATCH, tf.int32), CLASSES)
  expected, cross_entropy_sum = _independent_step(batch["image"] * 0.5, zero, 1.0)
  assert _close(weights, expected, rtol=1e-5, atol=1e-6)
  assert loss_sum == pytest.approx(cross_entropy_sum, rel=1e-5)
  untransformed, _ = _independent_step(batch["image"], batch["target"], 1.0)
  assert not _close(weights, untransformed, rtol=1e-5, atol=1e-6)


def test_the_extra_loss_sees_the_transformed_batch():
  batch = _batch()
  weights, _ = _suite_step("relabel_and_half_cross_entropy", batch)
  zero = tf.one_hot(tf.zeros(BATCH, tf.int32), CLASSES)
  expected, _ = _independent_step(batch["image"] * 0.5, zero, 1.5)
  assert _close(weights, expected, rtol=1e-5, atol=1e-6)


# --- whole runs: the transform's key, the method's hooks, the extra loss ------------------------

@pytest.fixture(scope="module")
def tiny_data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=96, validation_size=0, test_size=50, label_noise=0.5,
      seed=1))


def _trainer(data, run_dir=None, **train):
  config = trainer_lib.TrainConfig(**dict(dict(epochs=2, batch_size=32, eval_every=1,
                                               checkpoint_every=1, seed=1), **train))
  return trainer_lib.Trainer(None if run_dir is None else str(run_dir), data,
                             zoo.ModelConfig(name="mlp", width=16, depth=1),
                             augmentation.AugmentConfig(), config)


def _keys_of(data, run_dir=None, **train):
  KEYS.clear()
  _trainer(data, run_dir, method=ref("key_recorder"), **train).fit()
  return list(KEYS)


def test_the_transform_s_key_differs_per_step_and_repeats_on_a_rerun(tiny_data):
  keys = _keys_of(tiny_data, epochs=3)
  assert len(keys) == 9  # 96 / 32 steps a epoch.
  assert len(set(keys)) == 9
  assert keys == _keys_of(tiny_data, epochs=3)
  assert not set(keys) & set(_keys_of(tiny_data, epochs=3, seed=2))
  # The key of step i is the run seed's "method" key folded with i and the replica (0).
  base = rng.tf_key(1, "method")
  assert keys == [tuple(rng.fold(base, i, 0).numpy().tolist()) for i in range(9)]


def test_a_resumed_run_draws_the_keys_of_the_uninterrupted_one(tiny_data, tmp_path):
  straight = _keys_of(tiny_data, tmp_path / "straight", epochs=3)
  first = _keys_of(tiny_data, tmp_path / "resumed", epochs=2)
  rest = _keys_of(tiny_data, tmp_path / "resumed", epochs=3)  # Restores epoch 2, trains 3.
  assert first + rest == straight


def test_a_method_s_hooks_run_after_the_run_s_own(tiny_data):
  SEEN.clear()
  trainer = _trainer(tiny_data, epochs=1, method=ref("hooks_only"))
  assert isinstance(trainer.hooks[-1], _Noting)
  trainer.fit()
  assert SEEN == [("built", 10, 1), ("train_begin", 0)]


def test_a_constant_extra_loss_shifts_the_training_loss_of_a_run(tiny_data):
  plain = _trainer(tiny_data, epochs=2)
  plain_history = plain.fit()
  shifted = _trainer(tiny_data, epochs=2, method=ref("constant_loss"))
  shifted_history = shifted.fit()
  for a, b in zip(plain_history[1:], shifted_history[1:]):
    assert b["train/loss"] == pytest.approx(a["train/loss"] + CONSTANT, rel=1e-5)
    # Same gradients, same weights: evaluation is the plain run's.
    assert b["memorization/train_fit"] == a["memorization/train_fit"]
  assert _close([w.numpy() for w in shifted.model.weights],
                [w.numpy() for w in plain.model.weights], rtol=1e-5, atol=1e-6)


def test_the_method_changes_a_run(tiny_data):
  plain = _trainer(tiny_data, epochs=1)
  plain.fit()
  scaled = _trainer(tiny_data, epochs=1, method=ref("half_cross_entropy"))
  scaled.fit()
  assert not _close([w.numpy() for w in scaled.model.weights],
                    [w.numpy() for w in plain.model.weights], rtol=1e-5, atol=1e-6)
