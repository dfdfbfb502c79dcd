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

"""The training loop in-process: resume equality, NaN stop, records, per-example log."""

import json
import os

import numpy as np
import pytest

from suite import hooks
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.results import record
from suite.training import run_spec
from suite.training import runner
from suite.training import tracking
from suite.training import trainer as trainer_lib


@pytest.fixture(scope="module")
def small_data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=200, validation_size=50, test_size=100, label_noise=0.5,
      seed=3))


def _spec(output_dir, epochs=4, **train):
  train = dict(dict(epochs=epochs, batch_size=32, learning_rate=3e-3, track_every=1,
                    deterministic=True, seed=3), **train)
  return run_spec.RunSpec(
      output_dir=str(output_dir), benchmark="train",
      data=datasets.DataConfig(dataset="digits", train_size=200, validation_size=50,
                               test_size=100, label_noise=0.5, seed=3),
      model=zoo.ModelConfig(name="mlp", width=64, depth=2, dropout=0.1),
      augment=augmentation.AugmentConfig(name="standard"),
      train=trainer_lib.TrainConfig(**train), flags={"note": "test"})


class _Crash(Exception):
  pass


def _crash_at(epoch):
  def hook(trainer, current):
    del trainer
    if current == epoch:  # After the per-example shard, before this epoch's checkpoint.
      raise _Crash()
    return {}
  return hook


def test_a_crashed_run_resumes_to_the_uninterrupted_result(small_data, tmp_path, capsys):
  straight = runner.run(_spec(tmp_path / "straight"), data=small_data)
  with pytest.raises(_Crash):
    runner.run(_spec(tmp_path / "resumed"), data=small_data, hooks=[_crash_at(3)])
  crashed = record.read(str(tmp_path / "resumed"))
  # Epoch 3 was trained, but the crash came before its checkpoint: the resume starts at 2.
  assert crashed["status"] == "failed" and crashed["metrics"]["epochs_completed"] == 3
  assert crashed["error"].startswith("_Crash")
  assert tracking.recorded_epochs(str(tmp_path / "resumed")) == [0, 1, 2, 3]
  resumed = runner.run(_spec(tmp_path / "resumed"), data=small_data)
  assert "resuming from the checkpoint of epoch 2" in capsys.readouterr().out
  assert resumed["status"] == "complete" and resumed["timing"]["resumed_from_epoch"] == 2
  for key, value in straight["metrics"].items():
    assert resumed["metrics"][key] == pytest.approx(value, abs=1e-6), key
  assert [h["epoch"] for h in resumed["history"]] == [0, 1, 2, 3, 4]
  # Exactly one per-example row per example per recorded epoch.
  log = tracking.load(str(tmp_path / "resumed"))
  np.testing.assert_array_equal(log["epochs"], [0, 1, 2, 3, 4])
  assert log["loss"].shape == (5, 200)
  np.testing.assert_array_equal(np.sort(log["ids"]), np.sort(small_data.train.ids))
  straight_log = tracking.load(str(tmp_path / "straight"))
  np.testing.assert_allclose(log["loss"], straight_log["loss"], atol=1e-6)


def test_result_record_keys_and_measurements(small_data, tmp_path):
  final = runner.run(_spec(tmp_path / "run", epochs=2), data=small_data)
  on_disk = record.read(str(tmp_path / "run"))
  assert on_disk == json.loads(json.dumps(final))
  for key in record.REQUIRED_KEYS + ("history", "dataset", "model"):
    assert key in on_disk
  assert on_disk["status"] == "complete"
  assert on_disk["config"] == {"note": "test"}
  assert {"versions", "devices", "cpu_count"} <= set(on_disk["environment"])
  assert on_disk["environment"]["versions"]["tensorflow"].startswith("2.20")
  metrics = on_disk["metrics"]
  for key in ("memorization/train_fit", "memorization/fit_corrupted", "memorization/fit_clean",
              "validation/accuracy", "test/accuracy"):
    assert 0.0 <= metrics[key] <= 1.0
  # The fit split by corruption averages back to the overall fit.
  corrupted = small_data.train.corrupted.mean()
  assert metrics["memorization/train_fit"] == pytest.approx(
      corrupted * metrics["memorization/fit_corrupted"] +
      (1 - corrupted) * metrics["memorization/fit_clean"])
  entry = on_disk["history"][-1]
  assert entry["perf/examples_per_second"] > 0 and entry["train/learning_rate"] == pytest.approx(3e-3)
  assert os.listdir(tmp_path / "run" / "tensorboard")


def test_a_different_configuration_in_the_same_directory_is_refused(small_data, tmp_path):
  runner.run(_spec(tmp_path / "run", epochs=1), data=small_data)
  with pytest.raises(trainer_lib.errors.ConfigError, match="other settings"):
    runner.run(_spec(tmp_path / "run", epochs=1, learning_rate=1e-2), data=small_data)


def test_a_non_finite_loss_stops_the_run_as_failed(small_data, tmp_path):
  # Plain SGD at an absurd step size on MSE overflows within a few steps.
  spec = _spec(tmp_path / "nan", epochs=3, optimizer="sgd", momentum=0.0, loss="mse",
               learning_rate=1e12)
  with pytest.raises(trainer_lib.TrainingDivergedError, match=r"became (nan|inf) at epoch 1"):
    runner.run(spec, data=small_data)
  failed = record.read(str(tmp_path / "nan"))
  assert failed["status"] == "failed" and "lower --learning_rate" in failed["error"]


def test_tracking_helpers_on_a_known_history():
  epochs = np.array([0, 1, 2, 3])
  correct = np.array([[0, 0, 1, 0],
                      [1, 0, 0, 1],
                      [1, 1, 1, 0],
                      [1, 1, 0, 0]], bool)
  np.testing.assert_array_equal(tracking.first_learned_epoch(epochs, correct), [1, 2, -1, -1])
  np.testing.assert_array_equal(tracking.forgetting_events(correct), [0, 0, 2, 1])
  assert tracking.agreement_across_seeds([[1, 1, 0, 0], [1, 0, 0, 0]]) == pytest.approx(0.5)
  assert tracking.agreement_across_seeds([[1, 0], [1, 0], [1, 0]]) == 1.0


class _Marker(hooks.Hook):
  """Adds a record section, as a probe does."""

  def record_sections(self, state):
    return {"probe": {"marker": 1}}


def test_re_running_a_complete_run_changes_nothing(small_data, tmp_path, capsys):
  first = runner.run(_spec(tmp_path / "run", epochs=1), data=small_data, hooks=[_Marker()])
  again = runner.run(_spec(tmp_path / "run", epochs=1), data=small_data)
  assert "is complete; nothing to do" in capsys.readouterr().out
  assert again == record.read(str(tmp_path / "run")) == json.loads(json.dumps(first))
  assert again["probe"] == {"marker": 1}


def test_per_example_rows_follow_track_every_not_eval_every(small_data, tmp_path):
  runner.run(_spec(tmp_path / "run", epochs=4, eval_every=2, track_every=1), data=small_data)
  np.testing.assert_array_equal(tracking.recorded_epochs(str(tmp_path / "run")), [0, 1, 2, 3, 4])


def test_adversarial_training_runs_and_slows_fitting(small_data, tmp_path):
  plain = runner.run(_spec(tmp_path / "plain", epochs=3), data=small_data)
  adversarial = runner.run(_spec(tmp_path / "adv", epochs=3, adversarial_epsilon=0.1),
                           data=small_data)
  assert adversarial["settings"]["train"]["adversarial_epsilon"] == 0.1
  assert adversarial["metrics"]["train/loss"] > plain["metrics"]["train/loss"]
  with pytest.raises(Exception, match="adversarial_epsilon must be >= 0"):
    trainer_lib.TrainConfig(adversarial_epsilon=-1.0)
