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

"""README's "Using the library from Python" example runs as printed, and prints the truth.

The code block is taken from README.md and run as a user would run it: a fresh process
in an empty directory, with digits stored in a fresh TFDS directory and, where the
example reads a run's record, that run directory holding the golden digits record
(tests/golden: the result.json of the very command the example names).
"""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
from sklearn import neighbors

ROOT = pathlib.Path(__file__).resolve().parents[1]
SECTION = "## Using the library from Python"
GOLDEN = ROOT / "tests" / "golden" / "digits_mlp_result.json"


def readme_example() -> str:
  """The first ```python block of the README's section on the Python API."""
  readme = (ROOT / "README.md").read_text(encoding="utf-8")
  assert readme.count(SECTION) == 1, f"README.md has no single {SECTION!r} section"
  section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
  blocks = re.findall(r"^```python\n(.*?)^```", section, flags=re.S | re.M)
  assert blocks, f"no ```python block in {SECTION!r}"
  return blocks[0]


def test_the_example_block_is_found():
  code = readme_example()
  compile(code, "README.md", "exec")  # A syntax error is named here, before any run.
  for api in ("build_for", "knn.knn_accuracy", "knn.search", "record.read"):
    assert api in code, api


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
  """Runs the README's example; returns (its stdout, the working directory)."""
  workdir = tmp_path_factory.mktemp("readme")
  run_dir = re.search(r'record\.read\("([^"]+)"\)', readme_example()).group(1)
  (workdir / run_dir).mkdir(parents=True)
  shutil.copy(GOLDEN, workdir / run_dir / "result.json")
  (workdir / "example.py").write_text(readme_example(), encoding="utf-8")
  env = dict(os.environ, TFDS_DATA_DIR=str(workdir / "tfds"), TF_CPP_MIN_LOG_LEVEL="3",
             CUDA_VISIBLE_DEVICES="", PYTHONPATH=os.pathsep.join(
                 [str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
  result = subprocess.run([sys.executable, "example.py"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=600)
  assert result.returncode == 0, result.stderr[-3000:]
  return result.stdout, workdir


def _accuracies(stdout: str) -> dict[str, tuple[float, float]]:
  found = re.findall(r"^(\w+): k-NN accuracy ([\d.]+) \(k=20\), ([\d.]+) \(k=1\)$", stdout, re.M)
  return {name: (float(k20), float(k1)) for name, k20, k1 in found}


def test_the_example_probes_every_endpoint_and_the_pixels(example_run):
  stdout, _ = example_run
  assert "('hidden_1', 'hidden_2', 'logits')" in stdout
  accuracies = _accuracies(stdout)
  assert set(accuracies) == {"hidden_1", "hidden_2", "logits", "pixels"}, stdout
  for name, (k20, k1) in accuracies.items():
    assert 0.1 < k20 <= 1.0 and 0.1 < k1 <= 1.0, (name, stdout)  # Above chance (10 classes).


def test_the_examples_pixel_probe_agrees_with_scikit_learn(example_run):
  """Raw-pixel 1-NN by cosine distance, recomputed with scikit-learn on the same data."""
  stdout, workdir = example_run
  from suite.data import datasets  # pylint: disable=g-import-not-at-top
  data = datasets.load(datasets.DataConfig(dataset="digits", train_size=500, seed=0,
                                           data_dir=str(workdir / "tfds")))
  assert (data.train.images.shape[0], data.info.num_classes) == (500, 10)
  train = data.train.images.reshape(500, -1)
  test = data.test.images.reshape(len(data.test.images), -1)
  classifier = neighbors.KNeighborsClassifier(n_neighbors=1, metric="cosine", algorithm="brute")
  expected = classifier.fit(train, data.train.clean_labels).score(test, data.test.clean_labels)
  printed = _accuracies(stdout)["pixels"][1]
  # Printed with 3 decimals; a tie between equidistant neighbours may go either way.
  assert abs(printed - expected) <= 5e-4 + 2 / len(test), (printed, expected)


def test_the_example_reads_the_record(example_run):
  stdout, _ = example_run
  record = json.loads(GOLDEN.read_text())
  metrics = record["metrics"]
  assert (f"complete {metrics['test/accuracy']} {metrics['memorization/fit_corrupted']}"
          in stdout.splitlines())
  for layer in record["probe"]["endpoints"]:
    assert f"{layer} {record['probe']['clean'][layer]['k20']}" in stdout.splitlines()
