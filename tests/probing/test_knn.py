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

import re

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


@pytest.mark.parametrize("method", ["brute_force", "exact_tf"])
def test_leave_one_out_drops_the_query_not_a_tied_duplicate(method):
  """With duplicate features the query need not be its own first neighbour.

  Every point is stored twice, the two copies with different labels; each query is one copy.
  Left out, the query's only exact match is the other copy, whose label is wrong, however the
  search orders the tied pair. Dropping the first neighbour instead would keep the query's
  own copy (and label) whenever the duplicate came first.
  """
  base = knn.l2_normalize(np.random.default_rng(3).normal(size=(6, 8)))
  bank = np.concatenate([base, base])
  labels = np.concatenate([np.arange(6), np.arange(6) + 6])
  config = knn.KnnConfig(ks=(1,), method=method)
  for queries in (np.arange(6), np.arange(6) + 6):  # The first copies, then the second.
    result = knn.knn_accuracy(bank, labels, bank[queries], labels[queries], 12, config,
                              self_indices=queries)
    assert result["k1"] == 0.0
    assert result["k1_weighted"] == 0.0
  # Independent check of what is kept: the query's duplicate, never the query itself.
  indices, _ = knn.search(bank, bank, 2, config)
  np.testing.assert_array_equal(np.sort(indices, axis=1),
                                np.sort(np.stack([np.arange(12), (np.arange(12) + 6) % 12], 1),
                                        axis=1))


def test_leave_one_out_of_a_query_outside_its_neighbours_drops_the_farthest():
  """A query missing from its own k + 1 neighbours (ties) leaves its k nearest voting."""
  bank = knn.l2_normalize(np.array([[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 2))
  labels = np.array([1, 1, 0, 1, 0, 1])
  config = knn.KnnConfig(ks=(2,), method="exact_tf", tie_break="lowest_label")
  # Points 0-3 are equal: exact_tf orders ties by index (tf.math.top_k), so query 3's three
  # nearest are 0, 1, 2 and it is not among them; query 4's are 4 (itself), 5, then 0.
  indices, _ = knn.search(bank, bank[[3, 4]], 3, config)
  np.testing.assert_array_equal(indices, [[0, 1, 2], [4, 5, 0]])
  # Query 3 left out: the farthest (2) goes, and 0 and 1 vote for its class 1. (Dropping the
  # first or the second neighbour instead would leave a tie 1 to 0, which label 0 wins.)
  # Query 4 left out: 5 and 0 vote 1 and 1 against its class 0.
  result = knn.knn_accuracy(bank, labels, bank[[3, 4]], labels[[3, 4]], 2, config,
                            self_indices=np.array([3, 4]))
  assert result["k2"] == 0.5
  one = knn.knn_accuracy(bank, labels, bank[[3]], labels[[3]], 2, config,
                         self_indices=np.array([3]))
  assert one["k2"] == 1.0
  # Without leave-one-out the same three nearest vote, two of three for class 1.
  with_self = knn.knn_accuracy(bank, labels, bank[[3]], labels[[3]], 2,
                               knn.KnnConfig(ks=(3,), method="exact_tf"))
  assert with_self["k3"] == 1.0


def test_bad_configs_are_rejected():
  with pytest.raises(errors.ConfigError, match="^k values must be >= 1$"):
    knn.KnnConfig(ks=(0,))
  with pytest.raises(errors.ConfigError, match="^unknown search method 'faiss'; expected one of"):
    knn.KnnConfig(method="faiss")
  with pytest.raises(errors.ConfigError, match="^temperature must be > 0$"):
    knn.KnnConfig(temperature=0.0)
  with pytest.raises(errors.ConfigError, match="^unknown ScaNN searcher 'lsh'"):
    knn.searcher_name(kind="lsh")
  with pytest.raises(errors.ConfigError, match="^unknown tie break 'random'; expected one of"):
    knn.class_scores(np.zeros((1, 2), int), np.zeros((1, 2)), 2, "majority", tie_break="random")
  with pytest.raises(errors.ConfigError, match="^unknown vote 'borda'; expected one of"):
    knn.class_scores(np.zeros((1, 2), int), np.zeros((1, 2)), 2, "borda")
  for index in (dict(num_leaves=-2), dict(leaves_to_search=-1), dict(training_sample_size=-1)):
    with pytest.raises(errors.ConfigError, match=r"^index sizes \(leaves, leaves to search, "
                       r"training sample\) must be >= 0 \(0: automatic\)$"):
      knn.KnnConfig(method="approximate", **index)
  with pytest.raises(errors.ConfigError, match="^reorder must be >= 1$"):
    knn.KnnConfig(method="approximate", reorder=0)
  with pytest.raises(errors.ConfigError, match="cannot search 2 of 1 leaves"):
    knn.KnnConfig(method="approximate", num_leaves=1, leaves_to_search=2)
  # The boundaries: one candidate re-scored, leaves searched with their number automatic.
  assert knn.KnnConfig(method="approximate", reorder=1).reorder == 1
  assert knn.KnnConfig(method="approximate", leaves_to_search=5).leaves_to_search == 5
  assert knn.KnnConfig(temperature=1e-3).temperature == 1e-3
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


def test_l2_normalize_gives_float32_unit_rows_whatever_their_norm():
  features = np.array([[0.3, 0.4], [30.0, 40.0], [3e-4, -4e-4], [0.0, 0.0]], np.float64)
  normalized = knn.l2_normalize(features.reshape(4, 1, 2))  # Flattened per example.
  assert normalized.dtype == np.float32 and normalized.shape == (4, 2)
  np.testing.assert_allclose(normalized[:3], [[0.6, 0.8], [0.6, 0.8], [0.6, -0.8]], rtol=1e-6)
  np.testing.assert_array_equal(normalized[3], [0.0, 0.0])  # No division by zero.


def test_automatic_index_sizes_on_small_banks():
  automatic = knn.KnnConfig(method="approximate")
  # sqrt(5) rounds down to 2 leaves (at least 2); 4 * 1 * 2 / 5 rounds up to 2 searched.
  assert knn.index_size(automatic, 5, 1) == (2, 2, 5)
  # 20 leaves of 20 points: 4 * k * leaves / bank = 4 searched beats a tenth of the leaves.
  assert knn.index_size(automatic, 400, 20) == (20, 4, 400)
  # 30 leaves of 30 points: a tenth (3) beats 4 * 5 * 30 / 900 = 0.67 (rounded up, 1).
  assert knn.index_size(automatic, 900, 5) == (30, 3, 900)


def test_exact_tensorflow_search_holds_at_most_2_26_scores_at_a_time(monkeypatch):
  """Queries go in chunks of 1024, fewer where the bank is large (a 256 MB bound)."""
  shapes = []
  matmul = knn.tf.matmul
  monkeypatch.setattr(knn.tf, "matmul", lambda *a, **k: shapes.append(
      tuple(matmul(*a, **k).shape)) or matmul(*a, **k))
  generator = np.random.default_rng(0)
  small = knn.l2_normalize(generator.normal(size=(2500, 3)))
  indices, _ = knn.search(small, small, 3, knn.KnnConfig(method="exact_tf"))
  assert shapes == [(1024, 2500), (1024, 2500), (452, 2500)]
  np.testing.assert_array_equal(indices[:, 0], np.arange(2500))  # Each point finds itself.
  shapes.clear()
  large = knn.l2_normalize(generator.normal(size=(70_000, 3)))  # 2**26 // 70,000 = 958.
  indices, sims = knn.search(large, large[:1500], 2, knn.KnnConfig(method="exact_tf"))
  assert shapes == [(958, 70_000), (542, 70_000)]
  assert all(rows * columns <= 2**26 for rows, columns in shapes)
  expected = np.sort(large[:1500] @ large.T, axis=1)[:, ::-1][:, :2]
  np.testing.assert_allclose(sims, expected, atol=1e-5)


def _weighted_by_hand(labels, sims, num_classes, temperature):
  scores = np.zeros((len(labels), num_classes))
  for row, (row_labels, row_sims) in enumerate(zip(labels, sims)):
    for label, sim in zip(row_labels, row_sims):
      scores[row, label] += np.exp(sim / temperature)
  return scores.argmax(1)


def test_evaluate_defaults_and_temperature_of_the_weighted_vote():
  # Query 0: one neighbour of class 0 at 0.9 against two of class 1 at 0.8: the weighted
  # vote says 0 at T = 0.07 (e^12.9 > 2 e^11.4) but 1 at T = 1 (e^0.9 < 2 e^0.8).
  # Query 1: counts tie 1 to 1, class 2's neighbour is the more similar: the similarity
  # tie break says 2, the lowest label 0.
  labels = np.array([[0, 1, 1], [0, 2, 2]])
  sims = np.array([[0.9, 0.8, 0.8], [0.5, 0.7, 0.1]])
  truth = np.array([0, 2])
  two = dict(ks=(2,))
  assert _weighted_by_hand(labels, sims, 3, 0.07).tolist() == [0, 2]
  assert _weighted_by_hand(labels, sims, 3, 1.0).tolist() == [1, 2]
  default = knn.evaluate(labels, sims, truth, 3, ks=(3,))
  assert default == {"k3": 0.5, "k3_weighted": 1.0}  # Majority: 1 and 2; weighted at 0.07.
  assert knn.evaluate(labels, sims, truth, 3, ks=(3,), temperature=1.0)["k3_weighted"] == 0.5
  # k = 2: both votes tie 1 to 1. The default similarity rule picks the closer neighbour's
  # class (0 and 2, both right); the lowest label picks 0 twice (query 1 wrong).
  assert knn.evaluate(labels, sims, truth, 3, **two)["k2"] == 1.0
  assert knn.evaluate(labels, sims, truth, 3, tie_break="lowest_label", **two)["k2"] == 0.5


def test_predictions_are_int64_class_ids():
  bank = knn.l2_normalize(np.array([[1.0, 0.1], [1.0, -0.1], [0.1, 1.0], [-0.1, 1.0]]))
  predicted, indices = knn.predict(bank, np.array([3, 3, 7, 7]), bank[[0, 2]], 8, 2,
                                   knn.KnnConfig(ks=(2,), method="exact_tf"))
  assert predicted.dtype == np.int64 and predicted.tolist() == [3, 7]
  np.testing.assert_array_equal(np.sort(indices, axis=1), [[0, 1], [2, 3]])


def test_accuracy_breaks_ties_toward_the_lower_class_id():
  # Five classes tie at the top: the first three by class id are 0, 2 and 4.
  scores = np.tile([1.0, 0.0], 5)[None]
  assert knn.accuracy(scores, np.array([4]), top=3) == 1.0
  assert knn.accuracy(scores, np.array([6]), top=3) == 0.0
  assert knn.accuracy(scores, np.array([0]), top=1) == 1.0


def test_the_weighted_vote_defaults_to_temperature_0_07():
  labels, sims = np.array([[0, 1, 1]]), np.array([[0.9, 0.8, 0.8]])
  expected = [np.exp(0.9 / 0.07), 2 * np.exp(0.8 / 0.07)]
  np.testing.assert_allclose(knn.class_scores(labels, sims, 2, "weighted")[0], expected)


def test_two_votes_beat_one_however_dissimilar_the_two():
  """Cosine similarities can be negative: the similarity tie break must stay below a vote."""
  for k in (3, 5, 20):
    labels = np.array([[1] + [0] * (k // 2 + 1) + [2] * (k - k // 2 - 2)])
    sims = np.array([[0.999] + [-0.999] * (k // 2 + 1) + [-0.999] * (k - k // 2 - 2)])
    counts = np.bincount(labels[0], minlength=3)
    assert counts.argmax() == 0 and counts[0] > counts[1], counts
    scores = knn.class_scores(labels, sims, 3, "majority")
    assert scores.argmax() == 0, (k, scores)


def test_top5_accuracy_from_five_classes_on():
  # The true class (3) gets the fifth most votes among 7 classes: in the top 5, not the top 4.
  labels = np.array([[0] * 7 + [1] * 6 + [2] * 5 + [4] * 4 + [3] * 3 + [5] * 2 + [6] * 1])
  sims = np.zeros(labels.shape)
  result = knn.evaluate(labels, sims, np.array([3]), 7, ks=(28,))
  assert result == {"k28": 0.0, "k28_weighted": 0.0, "k28_top5": 1.0}
  sixth = knn.evaluate(labels, sims, np.array([5]), 7, ks=(28,))
  assert sixth["k28_top5"] == 0.0
  five = knn.evaluate(labels[:, :25] % 5, sims[:, :25], np.array([0]), 5, ks=(25,))
  assert five["k25_top5"] == 1.0  # Five classes have a top-5 accuracy, four do not.
  assert "k25_top5" not in knn.evaluate(labels[:, :25] % 4, sims[:, :25], np.array([0]), 4,
                                        ks=(25,))


@pytest.mark.parametrize("method", ["brute_force", "exact_tf"])
def test_search_takes_float64_and_returns_int64_and_float32(method):
  generator = np.random.default_rng(5)
  bank = generator.normal(size=(300, 8))
  bank /= np.linalg.norm(bank, axis=1, keepdims=True)  # float64, unit rows.
  queries = bank[:40] + 0.01
  indices, sims = knn.search(bank, queries, 4, knn.KnnConfig(method=method))
  assert indices.dtype == np.int64 and sims.dtype == np.float32
  ref_indices, ref_sims = _numpy_knn(bank, queries, 4)
  np.testing.assert_allclose(sims, ref_sims, atol=1e-5)
  assert np.mean(indices == ref_indices) > 0.99


@needs_scann
def test_the_approximate_method_reports_the_recall_of_its_own_index(clustered):
  """A starved index (1 of 40 leaves, 20 candidates re-scored) misses true neighbours."""
  points, labels = clustered
  starved = knn.KnnConfig(ks=(20,), method="approximate", num_leaves=40, leaves_to_search=1,
                          reorder=20)
  result = knn.knn_accuracy(points[:2500], labels[:2500], points[2500:], labels[2500:], 10,
                            starved)
  assert result["recall"] < 0.95


def _scann_settings(text):
  """What a ScaNN config text says about partitioning, scoring and reordering."""
  blocks = re.findall(r"num_dims_per_block: (\d+)", text)
  return {"tree": "partitioning {" in text, "hashing": "asymmetric_hash" in text,
          "brute_force": "brute_force {" in text,
          "int8": bool(re.search(r"brute_force \{\s*fixed_point \{\s*enabled: True", text)),
          "bfloat16": "bfloat16" in text, "reordered": "exact_reordering" in text,
          "dims_per_block": [int(b) for b in blocks]}


@needs_scann
@pytest.mark.parametrize("dims", [26, 27])  # Even and odd, neither or both divisible by 3.
def test_each_scann_kind_builds_the_searcher_it_names(monkeypatch, dims):
  from scann.scann_ops.py import scann_builder  # pylint: disable=g-import-not-at-top
  configs = []
  create_config = scann_builder.ScannBuilder.create_config
  monkeypatch.setattr(scann_builder.ScannBuilder, "create_config",
                      lambda self: configs.append(create_config(self)) or configs[-1])
  bank = knn.l2_normalize(np.random.default_rng(dims).normal(size=(400, dims)))
  # The config's method is approximate: `kind` alone decides what is built.
  index = knn.KnnConfig(ks=(5,), method="approximate", num_leaves=8, leaves_to_search=8)
  built = {}
  for kind in knn.SCANN_KINDS:
    configs.clear()
    knn.search(bank, bank[:10], 5, index, kind=kind)
    (text,) = configs
    built[kind] = _scann_settings(text)
  plain = dict(tree=False, hashing=False, brute_force=True, int8=False, bfloat16=False,
               reordered=False, dims_per_block=[])
  assert built["brute_force"] == plain
  assert built["brute_force_int8"] == dict(plain, int8=True)
  assert built["brute_force_bfloat16"] == dict(plain, bfloat16=True)
  assert built["tree"] == dict(plain, tree=True)
  # Hashing codes two dimensions per block where the dimension is even, else one.
  assert built["approximate"] == dict(plain, tree=True, hashing=True, brute_force=False,
                                      reordered=True,
                                      dims_per_block=[2 if dims % 2 == 0 else 1])


def test_the_probe_searches_as_many_neighbours_as_the_largest_k(monkeypatch):
  """max(ks) neighbours; one more with leave-one-out, for the query's own entry."""
  asked = []
  search = knn.search
  monkeypatch.setattr(knn, "search", lambda bank, queries, k, *rest: asked.append(k) or
                      search(bank, queries, k, *rest))
  points = knn.l2_normalize(np.random.default_rng(2).normal(size=(50, 4)))
  labels = np.arange(50) % 3
  config = knn.KnnConfig(ks=(1, 7, 3), method="exact_tf")
  knn.knn_accuracy(points, labels, points[:5], labels[:5], 3, config)
  knn.knn_accuracy(points, labels, points[:5], labels[:5], 3, config, self_indices=np.arange(5))
  assert asked == [7, 8]
