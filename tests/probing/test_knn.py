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

import numpy as np
import pytest
from sklearn import neighbors

from suite import errors
from suite.probing import knn

# ScaNN has Linux wheels only; without it its searchers are refused (test_no_scann.py).
needs_scann = pytest.mark.skipif(knn.scann_module() is None, reason="ScaNN is not installed")


def _numpy_knn(bank, queries, k):
  """Independent exact k-NN: full similarity matrix and argsort."""
  sims = queries @ bank.T
  order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
  return order, np.take_along_axis(sims, order, axis=1)


@pytest.fixture(scope="module")
def clustered():
  rng = np.random.default_rng(0)
  centres = rng.normal(size=(10, 32))
  labels = rng.integers(0, 10, 3000)
  points = centres[labels] + 0.6 * rng.normal(size=(3000, 32))
  return knn.l2_normalize(points), labels


@pytest.mark.parametrize("method", ["brute_force", "exact_tf"])
def test_exact_search_agrees_with_numpy(clustered, method):
  points, _ = clustered
  bank, queries = points[:2500], points[2500:]
  indices, sims = knn.search(bank, queries, 20, knn.KnnConfig(method=method))
  ref_indices, ref_sims = _numpy_knn(bank, queries, 20)
  np.testing.assert_allclose(sims, ref_sims, atol=1e-5)
  # Neighbours equal up to ties: where they differ, the similarities are equal.
  differ = indices != ref_indices
  assert differ.mean() < 0.01
  np.testing.assert_allclose(
      np.sum(queries[:, None] * bank[indices], -1)[differ], ref_sims[differ], atol=1e-5)


def test_a_hand_made_case_with_a_known_answer():
  # Class 0 points lie near the x axis, class 1 near the y axis.
  bank = knn.l2_normalize(np.array([[1, 0.1], [1, -0.1], [1, 0.2], [0.1, 1], [-0.1, 1]]))
  labels = np.array([0, 0, 0, 1, 1])
  queries = knn.l2_normalize(np.array([[1, 0.05], [0.2, 1], [1, 1.2]]))
  indices, _ = knn.search(bank, queries, 1)
  np.testing.assert_array_equal(indices[:, 0], [0, 3, 3])
  result = knn.knn_accuracy(bank, labels, queries, np.array([0, 1, 1]), 2,
                            knn.KnnConfig(ks=(1, 3, 5)))
  assert result["k1"] == 1.0
  # Angles: bank 5.7, -5.7, 11.3, 84.3, 95.7 degrees; queries 2.9, 78.7, 50.2.
  # k=3: the third query's neighbours are 84.3 (class 1), 11.3 and 5.7 (class 0): wrong.
  assert result["k3"] == pytest.approx(2 / 3)
  # k=5: the whole bank votes 3 to 2 for class 0 for every query: only the first is right.
  assert result["k5"] == pytest.approx(1 / 3)


def test_majority_and_weighted_votes():
  labels = np.array([[0, 1, 1]])
  sims = np.array([[0.99, 0.2, 0.1]])
  majority = knn.class_scores(labels, sims, 3, "majority")
  assert majority.argmax() == 1  # Two votes beat one, however close the one.
  weighted = knn.class_scores(labels, sims, 3, "weighted", temperature=0.07)
  np.testing.assert_allclose(weighted[0], [np.exp(0.99 / 0.07),
                                           np.exp(0.2 / 0.07) + np.exp(0.1 / 0.07), 0])
  assert weighted.argmax() == 0  # exp(14.1) outweighs exp(2.9) + exp(1.4).
  # A tie in counts goes to the class with the larger summed similarity.
  tie = knn.class_scores(np.array([[0, 1]]), np.array([[0.3, 0.8]]), 2, "majority")
  assert tie.argmax() == 1


def test_top5_accuracy():
  scores = np.array([[6, 5, 4, 3, 2, 1, 0.0]])
  assert knn.accuracy(scores, np.array([4]), top=5) == 1.0
  assert knn.accuracy(scores, np.array([5]), top=5) == 0.0
  assert knn.accuracy(scores, np.array([4]), top=1) == 0.0


@needs_scann
def test_approximate_search_reports_its_recall(clustered):
  points, labels = clustered
  bank, queries = points[:2500], points[2500:]
  config = knn.KnnConfig(ks=(20,), method="approximate")
  approx, _ = knn.search(bank, queries, 20, config)
  exact, _ = _numpy_knn(bank, queries, 20)
  expected = np.mean([len(set(a) & set(e)) / 20 for a, e in zip(approx, exact)])
  assert knn.recall(approx, exact) == pytest.approx(expected)
  assert 0.8 < expected <= 1.0
  result = knn.knn_accuracy(bank, labels[:2500], queries, labels[2500:], 10, config)
  # Each build trains its own partition (ScaNN seeds it internally): recall varies a little.
  assert 0.8 < result["recall"] <= 1.0
  exact_result = knn.knn_accuracy(bank, labels[:2500], queries, labels[2500:], 10,
                                  knn.KnnConfig(ks=(20,)))
  assert abs(result["k20"] - exact_result["k20"]) < 0.02


def test_index_sizes_follow_the_bank_unless_given():
  automatic = knn.KnnConfig(method="approximate")
  # sqrt(10000) leaves; a tenth searched (4 * k * leaves / bank = 1 leaf would be enough).
  assert knn.index_size(automatic, 10000, 20) == (100, 10, 10000)
  # A small bank: 3 leaves of about 3 points cannot hold 4 * 20 candidates: all are searched.
  assert knn.index_size(automatic, 10, 20) == (3, 3, 10)
  given = knn.KnnConfig(method="approximate", num_leaves=50, leaves_to_search=7,
                        training_sample_size=2000)
  assert knn.index_size(given, 10000, 20) == (50, 7, 2000)
  assert knn.index_size(given, 40, 20) == (40, 7, 40)  # Never more than the bank holds.


@needs_scann
def test_index_settings_reach_scann(clustered, monkeypatch):
  from scann.scann_ops.py import scann_builder  # pylint: disable=g-import-not-at-top
  configs = []
  create_config = scann_builder.ScannBuilder.create_config
  monkeypatch.setattr(scann_builder.ScannBuilder, "create_config",
                      lambda self: configs.append(create_config(self)) or configs[-1])
  points, _ = clustered
  config = knn.KnnConfig(ks=(20,), method="approximate", num_leaves=30, leaves_to_search=5,
                         reorder=60, training_sample_size=500)
  indices, _ = knn.search(points[:2500], points[2500:], 20, config)
  assert indices.shape == (500, 20)
  (text,) = configs
  assert "num_children: 30" in text and "max_spill_centers: 5" in text
  assert "approx_num_neighbors: 60" in text
  assert text.count("expected_sample_size: 500") == 2  # The tree and the hashing codebooks.
  # Spherical k-means for the tree: unit points scored by inner product.
  assert "partitioning_type: SPHERICAL" in text and "GENERIC" not in text


def test_the_index_trains_on_a_sample_by_default():
  automatic = knn.KnnConfig(method="approximate")
  assert automatic.training_sample_size == knn.DEFAULT_TRAINING_SAMPLE == 100_000
  assert knn.index_size(automatic, 1_000_000, 20) == (1000, 100, 100_000)
  assert knn.index_size(automatic, 60_000, 20)[2] == 60_000  # Never more than the bank.
  whole = knn.KnnConfig(method="approximate", training_sample_size=0)
  assert knn.index_size(whole, 1_000_000, 20)[2] == 1_000_000  # 0: the whole bank.


def test_leave_one_out_never_counts_the_query_itself():
  bank = knn.l2_normalize(np.eye(4) + 0.01)
  labels = np.array([0, 1, 2, 3])
  # Each point's only exact match is itself: with itself left out it cannot be right.
  result = knn.knn_accuracy(bank, labels, bank, labels, 4, knn.KnnConfig(ks=(1,)),
                            self_indices=np.arange(4))
  assert result["k1"] == 0.0
  with_self = knn.knn_accuracy(bank, labels, bank, labels, 4, knn.KnnConfig(ks=(1,)))
  assert with_self["k1"] == 1.0


def test_bad_configs_are_rejected():
  with pytest.raises(errors.ConfigError):
    knn.KnnConfig(ks=(0,))
  with pytest.raises(errors.ConfigError):
    knn.KnnConfig(method="faiss")
  with pytest.raises(errors.ConfigError, match="unknown tie break"):
    knn.KnnConfig(tie_break="random")
  with pytest.raises(errors.ConfigError, match="unknown ScaNN searcher"):
    knn.scann_searcher(np.eye(4, dtype=np.float32), 2, kind="lsh")
  with pytest.raises(errors.ConfigError, match="approximate method only"):
    knn.KnnConfig(num_leaves=10)  # Brute force has no index to size.
  with pytest.raises(errors.ConfigError, match="approximate method only"):
    knn.KnnConfig(method="exact_tf", reorder=50)
  with pytest.raises(errors.ConfigError, match="cannot search 11 of 10 leaves"):
    knn.KnnConfig(method="approximate", num_leaves=10, leaves_to_search=11)
  for bad in (dict(reorder=0), dict(training_sample_size=-1), dict(num_leaves=-2)):
    with pytest.raises(errors.ConfigError):
      knn.KnnConfig(method="approximate", **bad)


def _sklearn_predictions(bank, labels, queries, k=20):
  """The reference protocol's classifier: scikit-learn's default KNeighborsClassifier."""
  return neighbors.KNeighborsClassifier(n_neighbors=k).fit(bank, labels).predict(queries)


@pytest.fixture(scope="module")
def overlapping():
  """Classes that overlap enough that many 20-neighbour votes tie."""
  rng = np.random.default_rng(1)
  centres = rng.normal(size=(10, 16))
  labels = rng.integers(0, 10, 3000)
  return knn.l2_normalize(centres[labels] + 2.0 * rng.normal(size=(3000, 16))), labels


@pytest.mark.parametrize("method", ["brute_force", "exact_tf"])
def test_lowest_label_votes_equal_scikit_learn(overlapping, method):
  """Reference settings (k = 20, uniform vote, lowest-label ties) on L2-normalised features."""
  points, labels = overlapping
  bank, queries = points[:2500], points[2500:]
  config = knn.KnnConfig(ks=(20,), method=method, tie_break="lowest_label")
  predicted, indices = knn.predict(bank, labels[:2500], queries, 10, 20, config)
  expected = _sklearn_predictions(bank, labels[:2500], queries)
  np.testing.assert_array_equal(predicted, expected)
  # The data holds ties in the vote, so the rule is exercised, not only the majority.
  counts = np.array([np.bincount(labels[:2500][row], minlength=10) for row in indices])
  tied = np.sum(counts == counts.max(1, keepdims=True), axis=1) > 1
  assert tied.sum() >= 20
  # ... and the suite's default rule decides some of them otherwise.
  by_similarity, _ = knn.predict(bank, labels[:2500], queries, 10, 20,
                                 knn.KnnConfig(ks=(20,), method=method))
  differ = by_similarity != expected
  assert differ.sum() >= 10 and np.all(tied[differ])
  # The probe's accuracy is the accuracy of those predictions.
  result = knn.knn_accuracy(bank, labels[:2500], queries, labels[2500:], 10, config)
  assert result["k20"] == np.mean(expected == labels[2500:])


def _circle(degrees):
  radians = np.deg2rad(np.asarray(degrees, np.float64))
  return np.stack([np.cos(radians), np.sin(radians)], axis=1).astype(np.float32)


def test_exact_vote_ties_follow_each_rule():
  """20 neighbours voting 10 to 10: summed similarity and lowest label disagree by design.

  Query 0 (at 0 degrees) has neighbours at 1..20 degrees labelled 1, 0, 1, 0, ...: class 1
  holds every closer neighbour of a pair, so it has the larger summed similarity; class 0 is
  the lower label. Query 1 (at 180 degrees) has neighbours at 181..200 labelled 2, 1, 2, 1,
  ...: similarity says 2, lowest label says 1. Query 2 (at 90 degrees) has 12 of class 3
  against 8 of class 0, the 8 closer: no tie, both rules say 3. Distances are all distinct.
  """
  offsets = np.arange(1, 21)
  bank = np.concatenate([_circle(offsets), _circle(180 + offsets), _circle(90 + offsets)])
  labels = np.concatenate([np.tile([1, 0], 10), np.tile([2, 1], 10),
                           np.where(offsets <= 8, 0, 3)])
  queries = _circle([0, 180, 90])
  similarity = knn.KnnConfig(ks=(20,))
  lowest = knn.KnnConfig(ks=(20,), tie_break="lowest_label")
  by_similarity, indices = knn.predict(bank, labels, queries, 4, 20, similarity)
  by_lowest, _ = knn.predict(bank, labels, queries, 4, 20, lowest)
  # The neighbours are the constructed ones, and the votes of the first two queries tie.
  np.testing.assert_array_equal(np.sort(indices, axis=1), np.arange(60).reshape(3, 20))
  counts = [np.bincount(labels[row], minlength=4) for row in indices]
  np.testing.assert_array_equal(counts, [[10, 10, 0, 0], [0, 10, 10, 0], [8, 0, 0, 12]])
  np.testing.assert_array_equal(by_similarity, [1, 2, 3])
  np.testing.assert_array_equal(by_lowest, [0, 1, 3])
  np.testing.assert_array_equal(by_lowest, _sklearn_predictions(bank, labels, queries))
  # The accuracies follow the predictions under either rule.
  truth = np.array([0, 2, 3])
  assert knn.knn_accuracy(bank, labels, queries, truth, 4, lowest)["k20"] == pytest.approx(2 / 3)
  assert knn.knn_accuracy(bank, labels, queries, truth, 4, similarity)["k20"] == pytest.approx(
      2 / 3)
  assert knn.knn_accuracy(bank, labels, queries, np.array([0, 1, 3]), 4,
                          lowest)["k20"] == 1.0
  assert knn.knn_accuracy(bank, labels, queries, np.array([1, 2, 3]), 4,
                          similarity)["k20"] == 1.0


@needs_scann
def test_every_scann_kind_is_built_by_the_one_builder(clustered):
  points, _ = clustered
  bank, queries = points[:2500], points[2500:]
  exact, _ = _numpy_knn(bank, queries, 20)
  index = knn.KnnConfig(ks=(20,), method="approximate", num_leaves=10, leaves_to_search=10)
  for kind in knn.SCANN_KINDS:
    indices, sims = knn.search(bank, queries, 20, index, kind=kind)
    assert indices.shape == sims.shape == (500, 20)
    # Quantized scores are re-scored exactly; the tree searches every leaf here.
    assert knn.recall(indices, exact) > (0.99 if kind in ("brute_force", "tree") else 0.8)
