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

import dataclasses
import re

import numpy as np
import pytest
from sklearn import neighbors
import tensorflow as tf

from suite import errors
from suite.data import datasets
from suite.models import zoo
from suite.probing import features
from suite.probing import knn
from suite.probing import probe
from suite.training import trainer as trainer_lib


@pytest.fixture(scope="module")
def data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=300, test_size=100, label_noise=0.5, seed=1))


def test_pooling_matches_a_direct_computation():
  maps = np.random.default_rng(0).normal(size=(3, 8, 6, 5)).astype(np.float32)
  np.testing.assert_allclose(features.reduce_map(tf.constant(maps), "gap"),
                             maps.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
  grid = features.reduce_map(tf.constant(maps), "grid2").numpy().reshape(3, 2, 2, 5)
  np.testing.assert_allclose(grid[:, 0, 1], maps[:, :4, 3:].mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(grid[:, 1, 0], maps[:, 4:, :3].mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)


def test_streamed_features_equal_a_whole_batch_pass(data):
  built = zoo.build(zoo.ModelConfig(name="cnn_small", width_multiplier=0.25), (8, 8, 1), 10)
  streamed = features.extract(built, data.train.images[:70], batch_size=16)
  whole = built.endpoint_model()(data.train.images[:70], training=False)
  for name in built.endpoints:
    expected = features.reduce_map(whole[name]).numpy()
    np.testing.assert_allclose(streamed[name], expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", zoo.MODELS)
def test_every_zoo_model_probes_every_endpoint(data, name):
  config = zoo.ModelConfig(name=name, width=32, width_multiplier=0.125, bottleneck_dim=64)
  table = probe.probe(zoo.build(config, (8, 8, 1), 10), data,
                      probe.ProbeConfig(knn=knn.KnnConfig(ks=(1, 20)), pooling="grid2"))
  built_endpoints = zoo.build(config, (8, 8, 1), 10).endpoints
  assert table["endpoints"] == list(built_endpoints)
  for bank in ("clean", "noisy"):
    assert set(table[bank]) == set(built_endpoints)
    for accs in table[bank].values():
      assert set(accs) == {"k1", "k1_weighted", "k1_top5", "k20", "k20_weighted", "k20_top5"}
      assert all(0.0 <= v <= 1.0 for v in accs.values())


def test_probe_matches_brute_force_numpy_on_raw_pixels(data):
  """The clean-bank protocol: bank = train with clean labels, queries = test."""
  result = probe.controls(zoo.ModelConfig(name="mlp", width=16, depth=1), data, seed=0,
                          config=probe.ProbeConfig(knn=knn.KnnConfig(ks=(20,))))
  bank = knn.l2_normalize(data.train.images)
  queries = knn.l2_normalize(data.test.images)
  order = np.argsort(-(queries @ bank.T), axis=1)[:, :20]
  votes = np.array([np.bincount(data.train.clean_labels[row], minlength=10) for row in order])
  expected = np.mean(votes.argmax(1) == data.test.labels)
  assert result["raw_pixels"]["clean"]["k20"] == pytest.approx(expected, abs=0.02)
  assert set(result) == {"raw_pixels", "random_init"}


def test_random_init_control_is_the_runs_initialisation(data, tmp_path):
  model_config = zoo.ModelConfig(name="mlp", width=16, depth=1)
  trainer = trainer_lib.Trainer(str(tmp_path), data, model_config,
                                __import__("suite.data.augmentation", fromlist=["x"]).AugmentConfig(),
                                trainer_lib.TrainConfig(epochs=1, batch_size=50, seed=5))
  control = probe.random_init_model(model_config, data, seed=5)
  for a, b in zip(trainer.model.weights, control.model.weights):
    np.testing.assert_array_equal(a.numpy(), b.numpy())


REFERENCE = probe.ProbeConfig(knn=knn.KnnConfig(ks=(20,), tie_break="lowest_label"), bank="full")


def _sklearn_accuracy(bank, bank_labels, queries, labels):
  """The reference's probe: KNeighborsClassifier(20) on L2-normalised features."""
  classifier = neighbors.KNeighborsClassifier(n_neighbors=20)
  classifier.fit(knn.l2_normalize(bank), bank_labels)
  return np.mean(classifier.predict(knn.l2_normalize(queries)) == labels)


def test_reference_settings_equal_scikit_learn_on_the_full_bank(data, digits_raw):
  built = zoo.build(zoo.ModelConfig(name="mlp", width=32, depth=2), (8, 8, 1), 10)
  table = probe.probe(built, data, REFERENCE)
  # The bank is the whole train split (no validation here), not the 300 trained on.
  assert len(data.train) == 300
  assert table["bank"] == "full" and table["tie_break"] == "lowest_label"
  assert table["bank_size"] == len(digits_raw.train_labels) > 300
  bank = features.extract(built, digits_raw.train_images.astype(np.float32) / 255)
  queries = features.extract(built, data.test.images)
  for name in built.endpoints:
    expected = _sklearn_accuracy(bank[name], digits_raw.train_labels, queries[name],
                                 data.test.labels)
    assert table["clean"][name]["k20"] == pytest.approx(expected, abs=1e-12), name
  # The raw-pixel control uses the same bank and rule.
  result = probe.controls(zoo.ModelConfig(name="mlp", width=32, depth=2), data, 0, REFERENCE)
  pixels = result["raw_pixels"]
  assert (pixels["bank"], pixels["bank_size"]) == ("full", len(digits_raw.train_labels))
  assert result["random_init"]["bank_size"] == len(digits_raw.train_labels)
  expected = _sklearn_accuracy(digits_raw.train_images.reshape(len(digits_raw.train_labels), -1),
                               digits_raw.train_labels, data.test.images.reshape(100, -1),
                               data.test.labels)
  assert pixels["clean"]["k20"] == pytest.approx(expected, abs=1e-12)


def test_the_bank_setting_changes_the_clean_bank_only(data):
  built = zoo.build(zoo.ModelConfig(name="mlp", width=32, depth=1), (8, 8, 1), 10)
  subset = probe.probe(built, data, dataclasses.replace(REFERENCE, bank="train_subset"))
  full = probe.probe(built, data, REFERENCE)
  assert subset["bank_size"] == len(data.train) == 300
  assert full["bank_size"] == len(data.full_train)
  images, labels = probe.bank_examples(data, REFERENCE)
  assert images is data.full_train.images and labels is data.full_train.clean_labels
  images, labels = probe.bank_examples(data, dataclasses.replace(REFERENCE, bank="train_subset"))
  assert images is data.train.images and labels is data.train.clean_labels
  # The noisy-label bank is the training subset under either setting (only it has noisy labels).
  assert subset["noisy"] == full["noisy"]
  assert set(probe.scalars(full)) == set(probe.scalars(subset))


def test_a_full_bank_needs_the_full_split(data):
  with pytest.raises(errors.ConfigError, match=r"^--knn_bank=full needs the full train split: "
                     r"load the data with datasets\.load or datasets\.build$"):
    probe.bank_examples(dataclasses.replace(data, full_train=None), REFERENCE)
  with pytest.raises(errors.ConfigError, match="unknown k-NN bank"):
    probe.ProbeConfig(bank="test")


def _loo_accuracy(features, labels, queries_at, k):
  """Leave-one-out k-NN by hand: cosine similarities, the query's own entry removed,
  majority vote with ties to the lowest label."""
  unit = features / np.linalg.norm(features, axis=1, keepdims=True)
  hits = []
  for i in queries_at:
    sims = unit @ unit[i]
    sims[i] = -np.inf
    nearest = np.argsort(-sims, kind="stable")[:k]
    hits.append(np.bincount(labels[nearest], minlength=10).argmax() == labels[i])
  return np.mean(hits)


def test_the_noisy_probe_asks_whether_training_labels_cluster(data):
  """Noisy bank: training images with their training labels; queries: the corrupted ones,
  each left out of its own vote."""
  config = probe.ProbeConfig(knn=knn.KnnConfig(ks=(5,), method="exact_tf",
                                               tie_break="lowest_label"))
  built = zoo.build(zoo.ModelConfig(name="mlp", width=32, depth=1), (8, 8, 1), 10)
  table = probe.probe(built, data, config)
  corrupted = np.flatnonzero(data.train.corrupted)
  assert 0 < len(corrupted) < len(data.train)
  train_features = features.extract(built, data.train.images)
  for name in built.endpoints:
    expected = _loo_accuracy(train_features[name], data.train.labels, corrupted, 5)
    assert table["noisy"][name]["k5"] == pytest.approx(expected, abs=1e-12), name
  pixels = probe.controls(zoo.ModelConfig(name="mlp", width=32, depth=1), data, 0, config)
  expected = _loo_accuracy(data.train.images.reshape(len(data.train), -1), data.train.labels,
                           corrupted, 5)
  assert pixels["raw_pixels"]["noisy"]["k5"] == pytest.approx(expected, abs=1e-12)
  assert pixels["raw_pixels"]["searcher"] == "tensorflow_exact"
  assert (pixels["raw_pixels"]["bank"], pixels["raw_pixels"]["bank_size"]) == ("train_subset", 300)


def test_clean_data_has_no_noisy_probe_and_endpoints_can_be_chosen(digits_raw):
  clean = datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=100, test_size=50, label_noise=0.0, seed=1))
  built = zoo.build(zoo.ModelConfig(name="mlp", width=16, depth=2), (8, 8, 1), 10)
  chosen = built.endpoints[-1:]
  table = probe.probe(built, clean, probe.ProbeConfig(knn=knn.KnnConfig(ks=(3,)),
                                                      endpoints=tuple(chosen)))
  assert "noisy" not in table
  assert table["endpoints"] == list(chosen) and list(table["clean"]) == list(chosen)
  assert table["bank"] == "train_subset" and table["bank_size"] == 100
  assert table["tie_break"] == "similarity" and table["searcher"] == knn.searcher_name()
  pixels = probe.controls(zoo.ModelConfig(name="mlp", width=16, depth=2), clean, 0,
                          probe.ProbeConfig(knn=knn.KnnConfig(ks=(3,))))
  assert "noisy" not in pixels["raw_pixels"]


def test_probing_needs_a_test_set_and_a_known_pooling(data):
  built = zoo.build(zoo.ModelConfig(name="mlp", width=8, depth=1), (8, 8, 1), 10)
  test = data.test
  empty_test = dataclasses.replace(data, test=datasets.Split(
      ids=test.ids[:0], images=test.images[:0], labels=test.labels[:0],
      clean_labels=test.clean_labels[:0], corrupted=test.corrupted[:0]))
  with pytest.raises(errors.ConfigError, match="^probing needs a test set$"):
    probe.probe(built, empty_test)
  with pytest.raises(errors.ConfigError, match="^unknown pooling 'max'$"):
    probe.ProbeConfig(pooling="max")
  with pytest.raises(errors.ConfigError, match="^unknown k-NN bank 'test'; expected one of"):
    probe.ProbeConfig(bank="test")


def test_scalars_name_each_bank_endpoint_and_k():
  table = {"clean": {"dense_0": {"k1": 0.5, "k1_weighted": 0.6, "k1_top5": 0.9, "k20": 0.7}},
           "noisy": {"dense_0": {"k1": 0.1, "k20": 0.2, "recall": 0.99}}}
  assert probe.scalars(table) == {"knn/dense_0/k1": 0.5, "knn/dense_0/k20": 0.7,
                                  "knn_noisy/dense_0/k1": 0.1, "knn_noisy/dense_0/k20": 0.2}
  assert probe.scalars({"clean": table["clean"]}, prefix="init") == {
      "init/dense_0/k1": 0.5, "init/dense_0/k20": 0.7}


def _cells(text):
  return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]


def test_format_table_puts_banks_and_controls_side_by_side():
  table = {"endpoints": ["a", "b"], "clean": {"a": {"k20": 0.5}, "b": {"k20": 0.75}},
           "noisy": {"a": {"k20": 0.125}}}
  controls_table = {"random_init": {"clean": {"a": {"k20": 0.25}, "b": {"k20": 0.375}}},
                    "clean_labels": {"clean": {"b": {"k20": 0.875}}},
                    "raw_pixels": {"clean": {"k20": 0.625}}}
  rows = _cells(probe.format_table(table, controls_table))
  assert rows[0] == ["endpoint", "k-NN k20", "noisy k20", "random init", "clean-label run"]
  assert rows[2:] == [["a", "0.5000", "0.1250", "0.2500", "-"],
                      ["b", "0.7500", "-", "0.3750", "0.8750"],
                      ["raw pixels", "0.6250", "-", "-", "-"]]
  # Another k, no noisy bank and no controls: one column.
  alone = _cells(probe.format_table({"endpoints": ["a"], "clean": {"a": {"k5": 0.5}}}, k=5))
  assert alone[0] == ["endpoint", "k-NN k5"] and alone[2] == ["a", "0.5000"]
  assert _cells(probe.format_table(table))[0] == ["endpoint", "k-NN k20", "noisy k20"]


@pytest.mark.parametrize("bank,passes", [("train_subset", 2), ("full", 3)])
def test_each_image_set_is_passed_through_the_network_once(data, monkeypatch, bank, passes):
  """The probe extracts only the chosen endpoints, in batches of `batch_size`, and the
  training split a second time only when the clean bank is another set (the noisy probe
  needs it); the raw-pixel control likewise flattens each set once."""
  calls, flattened = [], []
  extract, raw_pixels = features.extract, features.raw_pixels

  def spy_extract(zoo_model, images, endpoints=None, pooling="gap", batch_size=256):
    calls.append((len(images), None if endpoints is None else list(endpoints), batch_size))
    return extract(zoo_model, images, endpoints, pooling, batch_size)

  def spy_raw_pixels(images):
    flattened.append(len(images))
    return raw_pixels(images)

  monkeypatch.setattr(features, "extract", spy_extract)
  monkeypatch.setattr(features, "raw_pixels", spy_raw_pixels)
  built = zoo.build(zoo.ModelConfig(name="mlp", width=8, depth=2), (8, 8, 1), 10)
  chosen = tuple(built.endpoints[:1])
  config = probe.ProbeConfig(knn=knn.KnnConfig(ks=(3,)), endpoints=chosen, batch_size=32,
                             bank=bank)
  table = probe.probe(built, data, config)
  assert data.train.corrupted.any() and "noisy" in table
  bank_size = len(probe.bank_examples(data, config)[1])
  expected = [(bank_size, list(chosen), 32), (len(data.test), list(chosen), 32)]
  if passes == 3:
    expected.append((len(data.train), list(chosen), 32))
  assert calls == expected
  probe.controls(zoo.ModelConfig(name="mlp", width=8, depth=2), data, 0, config)
  assert sorted(flattened) == sorted(size for size, _, _ in expected)

