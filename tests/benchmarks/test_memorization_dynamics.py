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

import os

from absl.testing import flagsaver
import pytest

from benchmarks import memorization_dynamics
from suite.analysis import declared
from suite.results import record
from suite.training import tracking


# Claims that need the noise memorized or a trend over training: never held after one epoch.
_NEED_MEMORIZATION_OR_TREND = ("real data is fitted before noise",
                               "the critical sample ratio grows", "higher capacity",
                               "dropout_0.5 slows", "adversarial_0.05 slows")


def test_seeds_share_data_and_report_dynamics_and_claims(data_dir, tmp_path, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, test_size=50,
                           validation_size=50, model="mlp", width=16,
                           epochs=1, batch_size=25, seeds=["0", "1", "2"], csr_samples=20,
                           csr_iterations=3, regularizers=["dropout:0.5", "adversarial:0.05"],
                           sweep_width=["8", "32"], output_dir=str(tmp_path)):
    memorization_dynamics.main([])
  out = capsys.readouterr().out
  experiment = record.read(str(tmp_path))
  metrics = experiment["metrics"]
  assert experiment["benchmark"] == "memorization_dynamics"
  # Every variant for every seed.
  assert sorted(experiment["conditions"]) == sorted(
      [f"seed_{s}" for s in range(3)] + [f"{v}/seed_{s}" for s in range(3) for v in (
          "adversarial_0.05", "dropout_0.5", "width_32", "width_8")])
  lines = experiment["claims"]
  # Four dynamics claims, one per regularizer, one for the width sweep, early stopping.
  assert len(lines) == 8 and "claims:" in out
  assert lines[4]["runs"] == [f"dropout_0.5/seed_{s}" for s in range(3)] + [
      f"seed_{s}" for s in range(3)]
  assert lines[6]["evidence"]["width"] == [8, 16, 32]  # 16: the base runs.
  for line in lines:
    assert line["verdict"] in declared.VERDICTS
    if line["verdict"] == declared.NOT_TESTABLE:
      assert line["reason"]
    else:
      assert line["test"]["n"] == 3 and len(line["test"]["interval"]) == 2, line
    if line["claim"].startswith(_NEED_MEMORIZATION_OR_TREND):
      assert line["verdict"] != declared.HELD, line
  # The per-example difficulty claim is tested (epoch 1 is logged), its noise set without
  # the random labels that hit the true class.
  difficulty = lines[3]
  # Tested (epoch 1 is logged); after 4 steps a run may be wrong on every example of each
  # label, which leaves no latent correlation to estimate.
  assert difficulty["verdict"] != declared.NOT_TESTABLE or \
      "no latent correlation" in difficulty["reason"]
  assert difficulty["evidence"]["epoch"] == 1
  noisy = record.read(str(tmp_path / "seed_0"))
  assert difficulty["evidence"]["noise_left_out_label_is_true_class"] == \
      noisy["dataset"]["num_random_labels_on_true_class"]
  assert difficulty["evidence"]["noise_examples"] == \
      noisy["dataset"]["num_label_corrupted"] - noisy["dataset"]["num_random_labels_on_true_class"]
  # The experiment's default (half the labels random) applies where the flag was not given.
  assert noisy["settings"]["data"]["label_noise"] == 0.5
  assert "epochs_to_fit_corrupted" in out and "dropout_0.5" in out
  dropout = record.read(str(tmp_path / "dropout_0.5" / "seed_2"))
  assert dropout["settings"]["model"]["dropout"] == 0.5
  assert dropout["settings"]["train"]["seed"] == 2
  assert record.read(str(tmp_path / "adversarial_0.05" / "seed_0"))["settings"]["train"][
      "adversarial_epsilon"] == 0.05
  assert metrics["width_8/fit_corrupted"] == pytest.approx(sum(
      record.read(str(tmp_path / "width_8" / f"seed_{s}"))["metrics"][
          "memorization/fit_corrupted"] for s in range(3)) / 3)
  for key in ("seed_0/best_validation_epoch", "seed_1/never_learned_corrupted"):
    assert key in metrics, key
  logs = [tracking.load(str(tmp_path / f"seed_{s}")) for s in (0, 1)]
  # Same examples and the same noise under every training seed.
  assert (logs[0]["ids"] == logs[1]["ids"]).all()
  assert (logs[0]["corrupted"] == logs[1]["corrupted"]).all()
  history = noisy["history"]
  assert {"csr/clean", "csr/corrupted", "sensitivity/gini_clean"} <= set(history[-1])
  assert 0.0 <= history[-1]["csr/corrupted"] <= 1.0
  assert os.path.isdir(tmp_path / "seed_1" / "per_example")
  assert os.path.getsize(tmp_path / "figures" / "dynamics.png") > 1000
  # Three seeds: the within-run difficulty figure (clean vs corrupted after epoch 1); the
  # separate-run difficulty experiment only with --difficulty_runs.
  assert os.path.getsize(tmp_path / "figures" / "difficulty_within_run_epoch1.png") > 1000
  assert not os.path.exists(tmp_path / "difficulty")
  for name in experiment["conditions"]:
    assert any(f.startswith("events.out") for f in os.listdir(tmp_path / name / "tensorboard"))


def test_no_noise_is_refused(data_dir, tmp_path):
  import pytest  # pylint: disable=g-import-not-at-top
  from suite import errors  # pylint: disable=g-import-not-at-top
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, label_noise=0.0,
                           output_dir=str(tmp_path)), \
       pytest.raises(errors.ConfigError, match="no noise to compare"):
    memorization_dynamics.main([])


def test_a_capacity_setting_of_another_model_is_refused(data_dir, tmp_path):
  import pytest  # pylint: disable=g-import-not-at-top
  from suite import errors  # pylint: disable=g-import-not-at-top
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, model="mlp",
                           sweep_width_multiplier=["0.5"], output_dir=str(tmp_path)), \
       pytest.raises(errors.ConfigError, match="width_multiplier sweep applies to models"):
    memorization_dynamics.main([])
  assert not os.path.exists(tmp_path / "result.json")


def test_runs_on_mock_data_of_a_paper_dataset(tmp_path):
  from unittest import mock  # pylint: disable=g-import-not-at-top
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  from suite.data import sources  # pylint: disable=g-import-not-at-top
  # CIFAR-10's own feature spec, random content: the pipeline end to end, not science.
  with mock.patch.object(sources, "DEBIAN_FASHION_MNIST_DIR", str(tmp_path / "none")), \
       tfds.testing.mock_data(num_examples=60), \
       flagsaver.flagsaver(dataset="cifar10", data_dir=str(tmp_path / "tfds"), train_size=0,
                           validation_size=0, test_size=0, label_noise=0.5,
                           input_corruption="gaussian", input_corruption_fraction=0.25,
                           model="cnn_small", width_multiplier=0.25, epochs=1, batch_size=20,
                           seeds=["0", "1"], csr_samples=10, csr_iterations=2,
                           output_dir=str(tmp_path / "runs")):
    memorization_dynamics.main([])
  experiment = record.read(str(tmp_path / "runs"))
  run = record.read(str(tmp_path / "runs" / "seed_0"))
  assert run["dataset"]["image_shape"] == [32, 32, 3] and run["status"] == "complete"
  assert run["settings"]["data"]["input_corruption"] == "gaussian"
  assert len(experiment["claims"]) == 5
