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

"""Without ScaNN (it has Linux wheels only) exact probing runs on TensorFlow; ScaNN-only
methods are refused with one line.

The module is hidden in-process with sys.modules['scann'] = None (an import then raises
ImportError), and in a subprocess by a meta-path finder that refuses it, so that ScaNN is
never loaded there at all.
"""

import os
import subprocess
import sys

from absl.testing import flagsaver
import numpy as np
import pytest

from benchmarks import knn_speed
from benchmarks import train
from suite import errors
from suite.probing import knn
from suite.results import record

# The comparisons with ScaNN need it installed (it has Linux wheels only).
needs_scann = pytest.mark.skipif(knn.scann_module() is None, reason="ScaNN is not installed")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Runs a module as `python -m` would, with every import of scann refused.
BLOCKED_RUN = """
import importlib.abc, runpy, sys
class NoScann(importlib.abc.MetaPathFinder):
  def find_spec(self, name, path=None, target=None):
    if name == "scann" or name.startswith("scann."):
      raise ImportError("scann is hidden by the test")
sys.meta_path.insert(0, NoScann())
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


@pytest.fixture
def no_scann(monkeypatch):
  monkeypatch.setitem(sys.modules, "scann", None)


@pytest.fixture(scope="module")
def clustered():
  rng = np.random.default_rng(3)
  centres = rng.normal(size=(10, 24))
  labels = rng.integers(0, 10, 2000)
  return knn.l2_normalize(centres[labels] + 0.8 * rng.normal(size=(2000, 24))), labels


@needs_scann
def test_exact_probing_falls_back_to_tensorflow_with_the_same_accuracy(clustered, monkeypatch):
  points, labels = clustered
  bank, queries = points[:1600], points[1600:]
  config = knn.KnnConfig(ks=(1, 20))
  assert knn.searcher_name(config) == "scann_brute_force"
  with_scann = knn.knn_accuracy(bank, labels[:1600], queries, labels[1600:], 10, config)
  scann_indices, _ = knn.search(bank, queries, 20, config)
  monkeypatch.setitem(sys.modules, "scann", None)
  assert knn.scann_module() is None
  assert knn.searcher_name(config) == "tensorflow_exact"
  without = knn.knn_accuracy(bank, labels[:1600], queries, labels[1600:], 10, config)
  assert without == with_scann
  indices, sims = knn.search(bank, queries, 20, config)
  # The same neighbours up to ties, checked against an independent NumPy search.
  reference = np.sort(queries @ bank.T, axis=1)[:, ::-1][:, :20]
  np.testing.assert_allclose(sims, reference, atol=1e-5)
  assert np.mean(indices == scann_indices) > 0.99


def test_scann_only_searchers_are_refused_in_one_line(clustered, no_scann):
  points, _ = clustered
  for kind in ("approximate", "tree", "brute_force_int8"):
    with pytest.raises(errors.ConfigError) as raised:
      knn.search(points[:100], points[100:110], 5, knn.KnnConfig(method="approximate"), kind)
    message = str(raised.value)
    assert "\n" not in message
    assert f"k-NN method {kind!r} needs ScaNN" in message
    assert "pip install 'scann~=1.4.0'" in message
  # exact_tf never needed ScaNN.
  assert knn.searcher_name(knn.KnnConfig(method="exact_tf")) == "tensorflow_exact"


def _train(data_dir, output_dir, **extra):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=150, test_size=60,
                           label_noise=0.5, model="mlp", width=16, depth=1, epochs=1,
                           batch_size=50, knn_k=["20"], output_dir=str(output_dir), **extra):
    train.main([])
  return record.read(str(output_dir))


@needs_scann
def test_a_run_records_which_searcher_ran(data_dir, tmp_path, monkeypatch, capsys):
  with_scann = _train(data_dir, tmp_path / "scann")
  monkeypatch.setitem(sys.modules, "scann", None)
  without = _train(data_dir, tmp_path / "tensorflow")
  capsys.readouterr()
  assert with_scann["probe"]["searcher"] == "scann_brute_force"
  assert without["probe"]["searcher"] == "tensorflow_exact"
  assert without["controls"]["raw_pixels"]["searcher"] == "tensorflow_exact"
  # Same seed, same training: the same probe, searched either way.
  for endpoint, accs in with_scann["probe"]["clean"].items():
    assert without["probe"]["clean"][endpoint]["k20"] == accs["k20"], endpoint
  with pytest.raises(errors.ConfigError, match="^k-NN method 'approximate' needs ScaNN"):
    _train(data_dir, tmp_path / "approximate", knn_method="approximate")
  assert not (tmp_path / "approximate").exists()  # Refused before the run started.


def test_the_speed_benchmark_refuses_scann_methods_without_scann(no_scann):
  with flagsaver.flagsaver(methods=["tensorflow", "scann_approximate"]):
    with pytest.raises(errors.ConfigError, match="^--methods=scann_approximate needs ScaNN"):
      knn_speed.main([])


def test_a_binary_without_scann_says_so_in_one_line(tmp_path):
  result = subprocess.run(
      [sys.executable, "-c", BLOCKED_RUN, "benchmarks.train", "--dataset=digits",
       f"--output_dir={tmp_path / 'run'}", "--knn_method=approximate"],
      capture_output=True, text=True, timeout=600, cwd=ROOT)
  assert result.returncode == 2, result.stderr
  errors_printed = [line for line in result.stderr.splitlines() if line.startswith("error:")]
  assert errors_printed == [
      "error: k-NN method 'approximate' needs ScaNN, which is not installed here (import scann "
      "failed); install it with pip install 'scann~=1.4.0' (wheels for Linux only), or use "
      "exact search (k-NN method brute_force or exact_tf, which run on TensorFlow without "
      "ScaNN)"]
  assert "Traceback" not in result.stderr
  assert not (tmp_path / "run").exists()


def test_predict_searches_with_the_searcher_it_is_given(clustered, no_scann):
  """`kind` (the speed benchmark's searchers) overrides the config's method."""
  points, labels = clustered
  exact = knn.KnnConfig(ks=(5,), method="exact_tf")
  predicted, _ = knn.predict(points[:100], labels[:100], points[100:110], 10, 5, exact)
  assert predicted.shape == (10,)
  with pytest.raises(errors.ConfigError, match="k-NN method 'tree' needs ScaNN"):
    knn.predict(points[:100], labels[:100], points[100:110], 10, 5, exact, kind="tree")


def test_a_scann_searcher_without_scann_names_the_searcher(clustered, no_scann):
  points, _ = clustered
  with pytest.raises(errors.ConfigError, match="^k-NN method 'brute_force' needs ScaNN"):
    knn.scann_searcher(points[:50], 5, kind="brute_force")
