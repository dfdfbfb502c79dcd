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

"""Un-augmented evaluation and the fit hook, against direct eval-mode forward passes."""

import dataclasses
import math
import warnings

import numpy as np
import pytest

from suite.data import augmentation
from suite.data import datasets
from suite.data import train_pipeline
from suite.models import zoo
from suite.training import evaluation
from suite.training import trainer as trainer_lib

# Heavy dropout: a forward pass in training mode gives other logits than eval mode.
MODEL = zoo.ModelConfig(name="mlp", width=64, depth=2, dropout=0.5)


@pytest.fixture(scope="module")
def data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=100, validation_size=40, test_size=60, label_noise=0.5,
      seed=2))


def _trainer(data, augment=augmentation.AugmentConfig(), **train):
  config = trainer_lib.TrainConfig(**dict(dict(epochs=1, batch_size=20, eval_batch_size=32,
                                               seed=4), **train))
  return trainer_lib.Trainer(None, data, MODEL, augment, config)


def _logits(model, images):
  """The model's eval-mode outputs, in one direct call."""
  return model(images, training=False).numpy().astype(np.float64)


def _cross_entropy(logits, labels):
  shifted = logits - logits.max(1, keepdims=True)
  log_softmax = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
  return -log_softmax[np.arange(len(labels)), labels]


def test_evaluate_is_an_eval_mode_pass_in_split_order(data):
  trainer = _trainer(data)
  # Batches of 32 over 100 examples: the last one is partial, the order is the split's.
  result = trainer.evaluator.evaluate(data.train)
  expected = _logits(trainer.model, data.train.images)
  np.testing.assert_allclose(result.logits, expected, rtol=1e-5, atol=1e-5)
  # Dropout is off: a second pass gives the same logits.
  np.testing.assert_array_equal(trainer.evaluator.evaluate(data.train).logits, result.logits)
  np.testing.assert_allclose(result.loss, _cross_entropy(expected, data.train.labels),
                             rtol=1e-5, atol=1e-5)
  predicted = expected.argmax(1)
  np.testing.assert_array_equal(result.correct, predicted == data.train.labels)
  np.testing.assert_array_equal(result.correct_clean, predicted == data.train.clean_labels)
  # Training and clean labels differ on the corrupted examples, and so does correctness there.
  assert (data.train.labels != data.train.clean_labels).any()


def test_evaluate_against_given_labels_and_the_mse_loss(data):
  trainer = _trainer(data, loss="mse")
  labels = (data.test.labels + 1) % 10
  result = trainer.evaluator.evaluate(data.test, labels)
  expected = _logits(trainer.model, data.test.images)
  targets = np.eye(10)[labels]
  np.testing.assert_allclose(result.loss, np.mean((expected - targets) ** 2, axis=1),
                             rtol=1e-5, atol=1e-6)
  np.testing.assert_array_equal(result.correct, expected.argmax(1) == labels)
  np.testing.assert_array_equal(result.correct_clean, expected.argmax(1) == data.test.labels)


def test_the_training_split_is_evaluated_once_per_epoch(data):
  trainer = _trainer(data)
  evaluator = trainer.evaluator
  first = evaluator.train_split(data, 0)
  assert evaluator.train_split(data, 0) is first  # Asked again in the same epoch: cached.
  trainer.train_epoch(1)  # The weights change.
  second = evaluator.train_split(data, 1)
  assert second is not first
  np.testing.assert_allclose(second.logits, _logits(trainer.model, data.train.images),
                             rtol=1e-5, atol=1e-5)
  assert not np.allclose(second.logits, first.logits)
  # Other data (another object) in the same epoch is evaluated anew too.
  other = dataclasses.replace(data)
  assert evaluator.train_split(other, 1) is not second


def test_the_fit_hook_measures_fit_and_accuracy_directly(data):
  trainer = _trainer(data)
  hook = evaluation.FitHook()
  first = hook.on_evaluate(trainer.state)  # Epoch 0, the initial model.
  trainer.train_epoch(1)
  trainer.state.epoch = 1
  metrics = hook.on_evaluate(trainer.state)  # Epoch 1: the trained model, not epoch 0's.
  assert metrics["test/loss"] != first["test/loss"]
  predicted = _logits(trainer.model, data.train.images).argmax(1)
  corrupted = data.train.corrupted
  assert 0 < corrupted.sum() < len(corrupted)
  hits = predicted == data.train.labels
  expected = {
      "memorization/train_fit": hits.mean(),
      "memorization/fit_corrupted": hits[corrupted].mean(),
      "memorization/fit_clean": hits[~corrupted].mean(),
      "memorization/clean_acc_corrupted": np.mean(
          predicted[corrupted] == data.train.clean_labels[corrupted]),
  }
  for name, split in (("validation", data.validation), ("test", data.test)):
    logits = _logits(trainer.model, split.images)
    expected[f"{name}/accuracy"] = np.mean(logits.argmax(1) == split.labels)
    expected[f"{name}/loss"] = np.mean(_cross_entropy(logits, split.labels))
  assert set(metrics) == set(expected)
  for name, value in expected.items():
    assert metrics[name] == pytest.approx(value, abs=1e-6), name


def test_the_fit_hook_leaves_out_empty_splits_and_gives_nan_for_empty_groups(digits_raw):
  clean = datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=60, test_size=30, label_noise=0.0, seed=2))
  trainer = _trainer(clean)
  with warnings.catch_warnings():
    warnings.simplefilter("error")  # No "mean of empty slice": the empty groups are NaN.
    metrics = evaluation.FitHook().on_evaluate(trainer.state)
  assert "validation/accuracy" not in metrics and "test/accuracy" in metrics
  assert math.isnan(metrics["memorization/fit_corrupted"])
  assert math.isnan(metrics["memorization/clean_acc_corrupted"])
  assert metrics["memorization/fit_clean"] == metrics["memorization/train_fit"]
  assert "memorization/view_fit" not in metrics


@pytest.mark.parametrize("per_view_labels", [False, True])
def test_view_fit_scores_every_pooled_view_against_its_label(data, per_view_labels):
  augment = augmentation.AugmentConfig(name="standard", num_views=3,
                                       per_view_labels=per_view_labels)
  trainer = _trainer(data, augment=augment, eval_batch_size=64)
  state = trainer.state
  table = train_pipeline.per_view_label_table(data.train, 3, 10, seed=4)
  hits = []
  for view in range(3):
    images = np.stack([state.pipeline.pooled_view(position, view).numpy()
                       for position in range(len(data.train))])
    labels = table[:, view] if per_view_labels else data.train.labels
    hits.append(_logits(trainer.model, images).argmax(1) == labels)
  assert evaluation.view_fit(state) == pytest.approx(np.mean(hits), abs=1e-12)
  metrics = evaluation.FitHook().on_evaluate(state)
  assert metrics["memorization/view_fit"] == pytest.approx(np.mean(hits), abs=1e-12)
  if per_view_labels:  # The per-view labels are not the example's labels: another score.
    plain = [_logits(trainer.model, np.stack([state.pipeline.pooled_view(p, v).numpy()
                                              for p in range(len(data.train))])).argmax(1)
             == data.train.labels for v in range(3)]
    assert np.mean(plain) != pytest.approx(np.mean(hits), abs=1e-12)
