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

import io
import re

import numpy as np
import pytest
from sklearn import neighbors

from suite import errors
from suite.data import synthetic_features
from suite.probing import knn
from suite.probing import speed

# ScaNN has Linux wheels only; without it its searchers are refused (test_no_scann.py).
needs_scann = pytest.mark.skipif(knn.scann_module() is None, reason="ScaNN is not installed")


@pytest.fixture(scope="module")
def overlapping():
  rng = np.random.default_rng(2)
  centres = rng.normal(size=(5, 12))
  labels = rng.integers(0, 5, 1200)
  return knn.l2_normalize(centres[labels] + 1.5 * rng.normal(size=(1200, 12))), labels


@needs_scann
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


@needs_scann
def test_synthetic_measurement_prints_what_it_returns():
  out = io.StringIO()
  index = knn.KnnConfig(ks=(10,), method="approximate", num_leaves=20, leaves_to_search=20)
  config = speed.SyntheticConfig(sizes=(400, 1500), dim=16, queries=60, k=10, seed=1,
                                 index=index)
  rows = speed.measure_synthetic(config, out)
  text = out.getvalue()
  assert [r["bank"] for r in rows] == [400, 1500]
  queries = synthetic_features.clustered_points(60, 16, 1, stream=1)
  for row in rows:
    bank = synthetic_features.clustered_points(row["bank"], 16, 1, stream=0)
    assert (row["leaves"], row["searched"]) == (20, 20)
    # Every leaf searched and re-scored exactly: the index finds the exact neighbours, and
    # scikit-learn's are ScaNN's exact ones (checked against NumPy here).
    exact = np.argsort(-(queries @ bank.T), axis=1, kind="stable")[:, :10]
    fitted = neighbors.NearestNeighbors(n_neighbors=10).fit(bank)
    assert knn.recall(fitted.kneighbors(queries, return_distance=False), exact) > 0.99
    assert row["recall"] > 0.97 and row["sklearn_agrees"] > 0.99
    assert all(row[key] > 0 for key in ("scann_search", "approx_build", "approx_search",
                                        "sklearn_search"))
    printed = re.search(rf"bank {row['bank']} x 16, 60 queries: ScaNN search / scikit-learn "
                        r"search time: exact ([\d.]+) .*approximate ([\d.]+) .*build "
                        r"([\d.]+) s .*recall ([\d.]+)", text)
    exact_ratio, approx_ratio, build, recall = map(float, printed.groups())
    assert exact_ratio == pytest.approx(row["scann_search"] / row["sklearn_search"], abs=1e-4)
    assert approx_ratio == pytest.approx(row["approx_search"] / row["sklearn_search"], abs=1e-4)
    assert (build, recall) == (round(row["approx_build"], 2), round(row["recall"], 4))
  assert len(re.findall(r"^(400|1500) +16 +20 +20 ", text, re.M)) == 2


def test_bad_synthetic_configs_are_refused():
  with pytest.raises(errors.ConfigError, match=">= k"):
    speed.SyntheticConfig(sizes=(10,), k=20)
  with pytest.raises(errors.ConfigError):
    speed.SyntheticConfig(sizes=())
  with pytest.raises(errors.ConfigError):
    speed.SyntheticConfig(queries=0)
  with pytest.raises(errors.ConfigError, match="method 'approximate'"):
    speed.SyntheticConfig(index=knn.KnnConfig())
