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

from absl.testing import flagsaver
import pytest

from benchmarks import knn_speed
from suite.probing import knn
from tests.conftest import run_binary

# ScaNN has Linux wheels only; without it its searchers are refused (test_no_scann.py).
needs_scann = pytest.mark.skipif(knn.scann_module() is None, reason="ScaNN is not installed")


@needs_scann
def test_methods_agree_and_every_number_is_printed(data_dir, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, bank_size=300, query_size=100,
                           model="cnn_small", width_multiplier=0.25, batch_size=50,
                           timed_steps=2):
    knn_speed.main([])
  out = capsys.readouterr().out
  rows = re.findall(r"^(conv_1|conv_2|fc_1|fc_2|logits)\s+(\d+)\s+(.*)$", out, re.M)
  assert [r[0] for r in rows] == ["conv_1", "conv_2", "fc_1", "fc_2", "logits"]
  products = {"float32": [], "bfloat16": []}
  for _, _, cells in rows:
    values = [float(v) for v in cells.split()]
    # Seconds, MB, accuracy per method; similarity figures; the similarity products' seconds.
    assert len(values) == 3 * 3 + 2 + 2
    seconds, accuracies = values[0:9:3], values[2:9:3]
    mean_similarity, gap, float32_product, bfloat16_product = values[9:]
    assert float32_product > 0 and bfloat16_product > 0
    products["float32"].append(float32_product)
    products["bfloat16"].append(bfloat16_product)
    # Exact neighbours come most similar first; ReLU features are never opposed.
    assert 0.0 <= mean_similarity <= 1.0 and gap >= 0.0
    assert all(s > 0 for s in seconds)
    # Exact searches with the same vote: the same predictions up to ties in similarity.
    assert max(accuracies) - min(accuracies) <= 0.02
  assert re.search(r"scikit-learn / scann time: [\d.]+x", out)
  # The products' work: 2 x queries x bank x width, summed over the endpoints.
  flops = sum(2 * 100 * 300 * int(dim) for _, dim, _ in rows)
  for precision, times in products.items():
    total, gflop = map(float, re.search(
        rf"{precision} similarity products alone, .*: ([\d.e+-]+) s for ([\d.e+-]+) GFLOP",
        out).groups())
    assert abs(gflop - flops / 1e9) <= 0.005 * flops / 1e9  # Printed to 3 digits.
    assert abs(total - sum(times)) <= 0.01 * total + 0.0005 * len(times)
    # A whole classifier (fit, search, vote) takes longer than the product it contains.
    ratio = float(re.search(
        rf"scikit-learn / {precision} similarity products: ([\d.e+-]+)x", out).group(1))
    assert ratio > 1
  assert re.search(r"one training epoch over the 300-image bank .*: [\d.]+ s", out)


@needs_scann
def test_the_approximate_index_is_a_method_of_its_own(data_dir, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, bank_size=400, query_size=100,
                           model="mlp", width=32, batch_size=50, timed_steps=1,
                           methods=["scann", "scann_approximate"]):
    knn_speed.main([])
  out = capsys.readouterr().out
  rows = re.findall(r"^(hidden_1|hidden_2|logits)\s+\d+\s+(.*)$", out, re.M)
  assert len(rows) == 3
  for _, cells in rows:
    values = [float(v) for v in cells.split()]
    assert len(values) == 11  # Seconds, MB, accuracy per method, recall, similarities, products.
    accuracy_exact, accuracy_approximate, recall = values[2], values[5], values[6]
    assert 0.3 <= recall <= 1.0
    # Only queries with a missed neighbour can change their vote: at most k * (1 - recall).
    assert abs(accuracy_exact - accuracy_approximate) <= 20 * (1.0 - recall) + 1e-9
  assert re.search(r"scikit-learn / scann_approximate", out) is None
  assert "recall" in out


@needs_scann
def test_other_scann_searchers_report_their_recall(data_dir, capsys):
  # Every leaf searched with exact scores: the tree must find exactly the exact neighbours.
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, bank_size=400, query_size=100,
                           model="mlp", width=32, batch_size=50, timed_steps=1,
                           methods=["scann", "scann_tree", "scann_int8", "scann_bfloat16"],
                           knn_num_leaves=8, knn_leaves_to_search=8):
    knn_speed.main([])
  out = capsys.readouterr().out
  header = next(line for line in out.splitlines() if line.startswith("endpoint"))
  assert header.split()[-15:] == ["scann_tree", "recall", "scann_int8", "recall",
                                  "scann_bfloat16", "recall", "mean", "sim", "sim", "1-k",
                                  "product", "s", "bf16", "prod", "s"]
  rows = re.findall(r"^(hidden_1|hidden_2|logits)\s+\d+\s+(.*)$", out, re.M)
  assert len(rows) == 3
  for _, cells in rows:
    values = [float(v) for v in cells.split()]
    assert len(values) == 4 * 3 + 3 + 2 + 2
    tree_recall, int8_recall, bfloat16_recall = values[-7:-4]
    assert tree_recall == 1.0
    assert values[2] == values[5]  # Same neighbours, same accuracy.
    assert 0.0 < int8_recall <= 1.0 and 0.0 < bfloat16_recall <= 1.0
  for method in ("scann_tree", "scann_int8", "scann_bfloat16"):
    assert re.search(rf"total k-NN seconds: .*{method} [\d.]+", out)


def test_index_flags_without_an_index_are_refused(tmp_path):
  result = run_binary("benchmarks.knn_speed", "--methods=scann,sklearn", "--knn_reorder=50")
  assert result.returncode == 2, result.stderr
  assert "they need scann_approximate or scann_tree in --methods" in result.stderr
  assert "Traceback" not in result.stderr
  result = run_binary("benchmarks.train", f"--output_dir={tmp_path / 'run'}", "--knn_num_leaves=5")
  assert result.returncode == 2, result.stderr
  assert "apply to the approximate method only" in result.stderr
  assert "Traceback" not in result.stderr
  assert not (tmp_path / "run").exists()  # Refused before anything was written.


@needs_scann
def test_the_synthetic_mode_measures_the_search_alone(capsys):
  # Every leaf searched: the index must find the exact neighbours (ScaNN's partition is
  # trained from its own random start, so fewer leaves would make the recall vary).
  with flagsaver.flagsaver(synthetic_sizes=["300", "700"], synthetic_dim=8,
                           synthetic_queries=40, k=5, knn_training_sample_size=200,
                           knn_num_leaves=4, knn_leaves_to_search=4):
    knn_speed.main([])
  out = capsys.readouterr().out
  assert "feature extraction" not in out  # No model, no data set.
  assert "trained on 200 points" in out and "40 queries for every method" in out
  rows = re.findall(r"^(300|700) +8 +(\d+) +(\d+) +(.*)$", out, re.M)
  assert [r[0] for r in rows] == ["300", "700"]
  for _, leaves, searched, cells in rows:
    values = [float(v) for v in cells.split()]
    assert len(values) == 9
    assert (leaves, searched) == ("4", "4")
    recall, agrees = values[5], values[8]
    assert recall > 0.99 and agrees > 0.99
  for size in ("300", "700"):
    assert re.search(rf"bank {size} x 8, 40 queries: ScaNN search / scikit-learn search time: "
                     r"exact [\d.]+ \([\d.]+x faster\), approximate", out)


def test_bad_synthetic_sizes_are_refused():
  result = run_binary("benchmarks.knn_speed", "--synthetic_sizes=60000,1M")
  assert result.returncode == 1 or result.returncode == 2, result.stderr
  assert "--synthetic_sizes must be positive integers" in result.stderr
  assert "Traceback" not in result.stderr
