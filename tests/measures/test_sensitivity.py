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

import keras
import numpy as np
import pytest

from suite.measures import sensitivity


def _linear_model(weights, bias):
  inputs = keras.Input((2,))
  layer = keras.layers.Dense(2)
  model = keras.Model(inputs, layer(inputs))
  layer.set_weights([np.asarray(weights, np.float32), np.asarray(bias, np.float32)])
  return model


def test_gini_against_the_pairwise_definition():
  rng = np.random.default_rng(0)
  for values in (rng.exponential(size=50), rng.uniform(size=7), np.array([0, 0, 0, 5.0])):
    pairwise = np.abs(values[:, None] - values[None, :]).sum() / (2 * len(values) ** 2 *
                                                                  values.mean())
    assert sensitivity.gini(values) == pytest.approx(pairwise)
  assert sensitivity.gini(np.ones(10)) == pytest.approx(0.0)


def test_csr_flags_exactly_the_points_near_the_decision_boundary():
  # Class 1 iff x0 > 0.5: points within the radius of the boundary are critical.
  model = _linear_model([[-1.0, 1.0], [0.0, 0.0]], [0.5, -0.5])
  radius = 0.05
  x0 = np.array([0.2, 0.47, 0.49, 0.51, 0.53, 0.8, 0.56])
  images = np.stack([x0, np.full_like(x0, 0.5)], axis=1).astype(np.float32)
  config = sensitivity.CsrConfig(radius=radius, step=0.02, noise=0.0, iterations=10)
  critical = sensitivity.critical_samples(model, images, config)
  np.testing.assert_array_equal(critical, np.abs(x0 - 0.5) < radius)


def test_loss_sensitivity_matches_the_analytic_gradient():
  weights = np.array([[1.0, -2.0], [0.5, 3.0]])
  model = _linear_model(weights, [0.0, 0.0])
  images = np.array([[0.2, 0.4], [0.9, 0.1]], np.float32)
  labels = np.array([0, 1])
  got = sensitivity.loss_sensitivity(model, images, labels, 2)
  logits = images @ weights
  probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
  grad = (probs - np.eye(2)[labels]) @ weights.T  # d CE / d x for a linear model.
  np.testing.assert_allclose(got, np.abs(grad).mean(1), rtol=1e-5)


def test_the_sensitivity_hook_measures_the_model_of_each_evaluated_epoch(digits_raw):
  from suite.data import augmentation  # pylint: disable=g-import-not-at-top
  from suite.data import datasets  # pylint: disable=g-import-not-at-top
  from suite.models import zoo  # pylint: disable=g-import-not-at-top
  from suite.training import trainer as trainer_lib  # pylint: disable=g-import-not-at-top
  data = datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=64, test_size=20, label_noise=0.5, seed=2))
  trainer = trainer_lib.Trainer(None, data, zoo.ModelConfig(name="mlp", width=16, depth=1),
                                augmentation.AugmentConfig(),
                                trainer_lib.TrainConfig(epochs=2, batch_size=32, seed=2))
  csr = sensitivity.CsrConfig(iterations=3)
  hook = sensitivity.SensitivityHook(data, 20, csr, seed=2, loss="cross_entropy")
  assert {len(rows) for rows in hook.groups.values()} == {10}
  assert data.train.corrupted[hook.groups["corrupted"]].all()
  assert not data.train.corrupted[hook.groups["clean"]].any()
  trainer.add_hooks(hook)
  history = trainer.fit()
  assert [h["epoch"] for h in history] == [0, 1, 2]
  # The last entry is the final model's: recompute it directly.
  rows = hook.groups["corrupted"]
  values = sensitivity.loss_sensitivity(trainer.model, data.train.images[rows],
                                        data.train.labels[rows], 10)
  assert history[-1]["sensitivity/corrupted"] == pytest.approx(float(np.mean(values)), rel=1e-6)
  assert history[-1]["sensitivity/gini_corrupted"] == pytest.approx(sensitivity.gini(values))
  critical = sensitivity.critical_samples(trainer.model, data.train.images[rows], csr, 2)
  assert history[-1]["csr/corrupted"] == pytest.approx(float(np.mean(critical)))
  assert history[0]["sensitivity/clean"] != history[-1]["sensitivity/clean"]


def test_equal_sizes_samples_both_groups_at_the_smaller_ones_size(digits_raw):
  from suite.data import datasets  # pylint: disable=g-import-not-at-top
  data = datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=200, label_noise=0.05, seed=3))
  corrupted = int(data.train.corrupted.sum())
  csr = sensitivity.CsrConfig(iterations=1)
  plain = sensitivity.SensitivityHook(data, 100, csr, seed=1, loss="cross_entropy")
  equal = sensitivity.SensitivityHook(data, 100, csr, seed=1, loss="cross_entropy",
                                      equal_sizes=True)
  assert corrupted < 50
  assert {k: len(v) for k, v in plain.groups.items()} == {"clean": 50, "corrupted": corrupted}
  assert {k: len(v) for k, v in equal.groups.items()} == {"clean": corrupted,
                                                          "corrupted": corrupted}
