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

"""The loop and its hook protocol: call order, state, measures as hooks, scoped precision."""

import keras
import numpy as np
import pytest

from suite import hooks
from suite.data import augmentation
from suite.data import datasets
from suite.models import losses
from suite.models import zoo
from suite.training import loop
from suite.training import trainer as trainer_lib


@pytest.fixture(scope="module")
def tiny_data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=96, validation_size=0, test_size=50, label_noise=0.5,
      seed=1))


def _trainer(data, run_dir=None, **train):
  config = trainer_lib.TrainConfig(**dict(dict(epochs=3, batch_size=32, eval_every=2, seed=1),
                                          **train))
  return trainer_lib.Trainer(run_dir, data, zoo.ModelConfig(name="mlp", width=16, depth=1),
                             augmentation.AugmentConfig(), config)


class _Recorder(hooks.Hook):
  """Records every call with what the state held at that moment."""

  def __init__(self):
    self.calls = []

  def on_train_begin(self, state):
    self.calls.append(("train_begin", state.epoch))

  def on_epoch_begin(self, state):
    self.calls.append(("epoch_begin", state.epoch))

  def on_evaluate(self, state):
    assert "memorization/train_fit" in state.metrics  # The fit hook ran first.
    self.calls.append(("evaluate", state.epoch))
    return {"recorder/weights_norm": float(sum(np.sum(w.numpy() ** 2)
                                               for w in state.model.trainable_weights))}

  def on_epoch_end(self, state):
    entry = state.history[-1] if state.evaluated else None
    self.calls.append(("epoch_end", state.epoch, entry is not None and entry["epoch"] == state.epoch))

  def on_train_end(self, state):
    self.calls.append(("train_end", len(state.history)))


def test_hooks_are_called_in_protocol_order_and_their_scalars_reach_the_history(tiny_data):
  trainer = _trainer(tiny_data)
  recorder = _Recorder()
  trainer.add_hooks(recorder, lambda state, epoch: {"legacy/epoch": float(epoch)})
  history = trainer.fit()
  assert recorder.calls == [
      ("train_begin", 0),
      ("epoch_begin", 0), ("evaluate", 0), ("epoch_end", 0, True),
      ("epoch_begin", 1), ("epoch_end", 1, False),  # eval_every=2: epoch 1 not evaluated.
      ("epoch_begin", 2), ("evaluate", 2), ("epoch_end", 2, True),
      ("epoch_begin", 3), ("evaluate", 3), ("epoch_end", 3, True),  # The last epoch always.
      ("train_end", 3)]
  assert [h["epoch"] for h in history] == [0, 2, 3]
  assert [h["legacy/epoch"] for h in history] == [0.0, 2.0, 3.0]
  # A measure added as a hook: its value is the model's at that epoch (it changes).
  norms = [h["recorder/weights_norm"] for h in history]
  assert len(set(norms)) == 3
  assert "train/loss" in history[1] and "train/loss" not in history[0]


def test_epoch_sums_on_device_equal_a_host_sum_of_every_step(tiny_data):
  """Sums kept on the device (float64) equal reading every step's value on the host."""
  on_device = _trainer(tiny_data).train_epoch(1)
  stepwise = _trainer(tiny_data)  # Same seed: same initial weights and data order.
  loss_sum = correct_sum = 0.0
  for batch in stepwise.loop.epoch_input(0):
    loss, correct, _, _ = stepwise.loop.step(batch, loop.initial_sums(stepwise.strategy))
    loss_sum += float(loss)  # One host read per step: what the loop avoids.
    correct_sum += float(correct)
  assert on_device["examples"] == 96
  assert on_device["correct_sum"] == correct_sum and on_device["loss_sum"] == loss_sum


def test_a_non_finite_step_is_named_by_epoch_and_step(tiny_data):
  trainer = _trainer(tiny_data, optimizer="sgd", momentum=0.0, loss="mse", learning_rate=1e12)
  with pytest.raises(loop.TrainingDivergedError, match=r"at epoch 1, step [123];"):
    trainer.train_epoch(1)


def test_without_a_run_directory_nothing_is_written(tiny_data, tmp_path, monkeypatch):
  monkeypatch.chdir(tmp_path)
  trainer = _trainer(tiny_data, track_every=1)
  assert trainer.run_dir is None and not trainer.write_outputs
  assert trainer.fit()[-1]["epoch"] == 3
  assert not list(tmp_path.iterdir())


def test_the_precision_policy_is_scoped_to_the_run(tiny_data):
  assert keras.mixed_precision.global_policy().name == "float32"
  mixed = _trainer(tiny_data, mixed_precision=True, epochs=1)
  assert mixed.model.layers[-1].dtype_policy.name.startswith("mixed_")
  assert keras.mixed_precision.global_policy().name == "float32"

  def fail(state, epoch):
    assert keras.mixed_precision.global_policy().name.startswith("mixed_")  # In force inside.
    raise RuntimeError(f"boom at {epoch}")

  mixed.add_hooks(fail)
  with pytest.raises(RuntimeError, match="boom"):
    mixed.fit()
  assert keras.mixed_precision.global_policy().name == "float32"  # Restored on error too.
  second = _trainer(tiny_data, epochs=1)
  assert second.model.layers[-1].dtype_policy.name == "float32"
  assert second.model.layers[-1].compute_dtype == "float32"


def test_fgsm_matches_the_closed_form_gradient_of_a_linear_model():
  import keras  # pylint: disable=g-import-not-at-top
  generator = np.random.default_rng(0)
  weights = generator.normal(size=(6, 3)).astype(np.float32)
  model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, use_bias=False)])
  model.layers[0].set_weights([weights])
  images = generator.uniform(0.2, 0.8, size=(4, 6)).astype(np.float32)
  targets = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
  adversarial = loop.fgsm(model, images, targets, "cross_entropy", 0.1).numpy()
  logits = images @ weights
  softmax = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
  gradient = (softmax - targets) @ weights.T  # d CE / d x for logits = x W.
  np.testing.assert_allclose(adversarial, np.clip(images + 0.1 * np.sign(gradient), 0, 1),
                             atol=1e-6)
  # The attack raises every example's loss, and stays in [0, 1].
  loss = lambda x: losses.per_example_loss("cross_entropy", targets, model(x)).numpy()
  assert (loss(adversarial) > loss(images)).all()
  edge = loop.fgsm(model, np.ones_like(images), targets, "cross_entropy", 0.5).numpy()
  assert edge.min() >= 0.5 and edge.max() <= 1.0


