import numpy as np
import pytest
from sklearn import neighbors

from suite import errors
from suite.probing import knn
from suite.probing import speed


@pytest.fixture(scope="module")
def overlapping():
  rng = np.random.default_rng(2)
  centres = rng.normal(size=(5, 12))
  labels = rng.integers(0, 5, 1200)
  return knn.l2_normalize(centres[labels] + 1.5 * rng.normal(size=(1200, 12))), labels


def test_exact_methods_predict_as_scikit_learn(overlapping):
  points, labels = overlapping
  bank, queries = points[:1000], points[1000:]
  # Every leaf searched with exact scores: the tree is exact too.
  index = knn.KnnConfig(ks=(20,), method="approximate", num_leaves=6, leaves_to_search=6)
  expected, none = speed.classify("sklearn", bank, labels[:1000], queries, 20, 5, index)
  assert none is None
  np.testing.assert_array_equal(
      expected, neighbors.KNeighborsClassifier(20).fit(bank, labels[:1000]).predict(queries))
  for method in ("scann", "tensorflow", "scann_tree"):
    predicted, indices = speed.classify(method, bank, labels[:1000], queries, 20, 5, index)
    assert indices.shape == (200, 20)
    np.testing.assert_array_equal(predicted, expected, err_msg=method)
  for method in ("scann_approximate", "scann_int8", "scann_bfloat16"):
    predicted, _ = speed.classify(method, bank, labels[:1000], queries, 20, 5, index)
    assert np.mean(predicted == expected) > 0.9, method


def test_the_epoch_comparison_is_arithmetic():
  result = speed.Result(extract_seconds=1.0, seconds={"scann": 2.0, "sklearn": 9.0})
  line = speed.epoch_comparison(result, timed_seconds=10.0, timed_examples=100, bank_size=1000)
  assert "1000-image bank (from 100 timed examples): 100.0 s" in line
  assert "3.0 s = 0.03 epochs" in line  # Extraction plus the fastest ScaNN search.


def test_bad_speed_configs_are_refused():
  for methods in ((), ("scann", "scann"), ("faiss",)):
    with pytest.raises(errors.ConfigError):
      speed.SpeedConfig(methods=methods)
  with pytest.raises(errors.ConfigError, match="method 'approximate'"):
    speed.SpeedConfig(index=knn.KnnConfig())
  with pytest.raises(errors.ConfigError, match="unknown precision"):
    speed.product_seconds(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), "int4")
