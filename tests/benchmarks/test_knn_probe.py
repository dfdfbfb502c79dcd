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

import json
import os

from absl.testing import flagsaver

from benchmarks import knn_probe
from benchmarks import train
from suite.results import record
from tests.conftest import run_binary


def test_probes_a_run_from_its_checkpoint_and_matches_the_runs_final_probe(data_dir, tmp_path,
                                                                            capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=200, test_size=100,
                           label_noise=0.5, model="cnn_small", width_multiplier=0.25, epochs=2,
                           batch_size=50, knn_k=["1", "20"], output_dir=str(tmp_path)):
    train.main([])
  result = record.read(str(tmp_path))
  assert {"probe", "controls"} <= set(result)
  assert set(result["controls"]) == {"raw_pixels", "random_init"}
  assert os.path.exists(tmp_path / "figures" / "knn_by_layer.png")
  assert "knn/fc_2/k20" in result["history"][-1]
  capsys.readouterr()
  with flagsaver.flagsaver(run_dir=str(tmp_path), knn_k=["1", "20"]):
    knn_probe.main([])
  out = capsys.readouterr().out
  assert "checkpoint of epoch 2" in out and "raw pixels" in out
  written = json.loads((tmp_path / "probes" / "epoch_000002_gap.json").read_text())
  # Same checkpoint, same protocol: the binary reproduces the run's own final probe.
  for endpoint, accs in result["probe"]["clean"].items():
    assert written["probe"]["clean"][endpoint]["k20"] == accs["k20"]


def test_a_directory_without_a_run_is_one_clear_error(tmp_path):
  result = run_binary("benchmarks.knn_probe", f"--run_dir={tmp_path}")
  assert result.returncode == 1 and "not a run directory" in result.stderr
  assert "Traceback" not in result.stderr


def test_the_reference_probe_settings_are_recorded_and_reproduced(data_dir, digits_raw, tmp_path,
                                                                 capsys):
  settings = dict(knn_k=["20"], knn_bank="full", knn_tie_break="lowest_label")
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, test_size=50,
                           validation_size=50, label_noise=1.0, model="mlp", width=16, depth=1,
                           epochs=1, batch_size=50, output_dir=str(tmp_path), **settings):
    train.main([])
  result = record.read(str(tmp_path))
  assert result["config"]["knn_bank"] == "full"
  assert result["config"]["knn_tie_break"] == "lowest_label"
  full_size = result["probe"]["bank_size"]
  assert (result["probe"]["bank"], result["probe"]["tie_break"]) == ("full", "lowest_label")
  # The whole train split less the 50 validation examples: more than the 100 trained on.
  assert full_size == len(digits_raw.train_labels) - 50 > 100
  for control in ("raw_pixels", "random_init"):
    assert result["controls"][control]["bank"] == "full"
    assert result["controls"][control]["bank_size"] == full_size
  assert "noisy" in result["probe"]  # On the training subset, whose labels are all random.
  capsys.readouterr()
  with flagsaver.flagsaver(run_dir=str(tmp_path), **settings):
    knn_probe.main([])
  written = json.loads((tmp_path / "probes" / "epoch_000001_gap.json").read_text())
  assert written["probe"]["bank_size"] == full_size
  for endpoint, accs in result["probe"]["clean"].items():
    assert written["probe"]["clean"][endpoint]["k20"] == accs["k20"]
