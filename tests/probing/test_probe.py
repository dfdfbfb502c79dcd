import numpy as np
import pytest
import tensorflow as tf

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
