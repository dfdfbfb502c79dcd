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

"""The runner's refusals: a run directory with other settings, a finished run, --extend."""

import dataclasses

import pytest

from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.results import record
from suite.training import resume
from suite.training import run_spec
from suite.training import trainer as trainer_lib


def _spec(**train) -> run_spec.RunSpec:
  return run_spec.RunSpec(
      output_dir="/runs/a", benchmark="train",
      data=datasets.DataConfig(dataset="digits", train_size=100, seed=1),
      model=zoo.ModelConfig(name="mlp", width=8), augment=augmentation.AugmentConfig(),
      train=trainer_lib.TrainConfig(**dict(dict(epochs=3, seed=1), **train)), flags={})


def _previous(spec: run_spec.RunSpec, status="complete", epochs_completed=None):
  return record.RunRecord(
      benchmark="train", status=status, stage="complete" if status == "complete" else "training",
      config={}, config_hash=record.config_hash(spec.identity()), settings=spec.settings(),
      metrics={"epochs_completed": spec.train.epochs if epochs_completed is None
               else epochs_completed}, timing={}, environment={})


def test_settings_diff_names_each_differing_setting_once():
  old, new = _spec().settings(), _spec(learning_rate=0.01, epochs=2).settings()
  new["data"]["label_noise"] = 0.5
  assert resume.settings_diff(old, new) == [
      "data.label_noise: 0.0 in the run, 0.5 asked",
      "train.epochs: 3 in the run, 2 asked",
      "train.learning_rate: 0.001 in the run, 0.01 asked"]
  assert resume.settings_diff(old, old) == []


def test_a_setting_added_after_a_run_was_recorded_differs_only_off_its_default():
  recorded = {"augment": {"name": "strong"}}
  defaults = {"augment": {"strength": 1.0}}
  at_default = {"augment": {"name": "strong", "strength": 1.0}}
  assert resume.settings_diff(recorded, at_default, defaults) == []
  assert resume.settings_diff(recorded, at_default) == [
      "augment.strength: <absent> in the run, 1.0 asked"]
  other = {"augment": {"name": "strong", "strength": 0.5}}
  assert resume.settings_diff(recorded, other, defaults) == [
      "augment.strength: <absent> in the run, 0.5 asked"]


def test_other_settings_are_refused_one_line_each():
  previous = _previous(_spec())
  with pytest.raises(errors.ConfigError) as raised:
    resume.check_resumable(_spec(learning_rate=0.01, seed=4), previous)
  lines = str(raised.value).splitlines()
  assert lines[1:] == ["train.learning_rate: 0.001 in the run, 0.01 asked",
                       "train.seed: 1 in the run, 4 asked"]


def test_where_the_data_lives_and_the_checkpoint_interval_may_change():
  spec = _spec()
  moved = dataclasses.replace(spec, data=dataclasses.replace(spec.data, data_dir="/elsewhere"),
                              train=dataclasses.replace(spec.train, checkpoint_every=2))
  resume.check_resumable(moved, _previous(spec))


def test_a_finished_run_is_not_shortened_nor_lengthened_without_extend():
  previous = _previous(_spec(epochs=3))
  with pytest.raises(errors.ConfigError, match="train.epochs: 3 in the run, 2 asked") as fewer:
    resume.check_resumable(_spec(epochs=2), previous)
  assert "--extend" not in str(fewer.value)
  with pytest.raises(errors.ConfigError, match="--extend trains it on"):
    resume.check_resumable(_spec(epochs=5), previous)
  with pytest.raises(errors.ConfigError, match="cannot be shortened"):
    resume.check_resumable(_spec(epochs=2), previous, extend=True)
  resume.check_resumable(_spec(epochs=5), previous, extend=True)
  resume.check_resumable(_spec(epochs=3), previous)  # The same command: fine.


def test_an_unfinished_run_needs_extend_to_change_its_length():
  previous = _previous(_spec(epochs=3), status="interrupted", epochs_completed=1)
  resume.check_resumable(_spec(epochs=3), previous)
  with pytest.raises(errors.ConfigError, match="pass --extend"):
    resume.check_resumable(_spec(epochs=4), previous)
  resume.check_resumable(_spec(epochs=4), previous, extend=True)


def test_a_record_without_settings_is_a_runtime_error():
  previous = _previous(_spec())
  previous.settings = None
  with pytest.raises(errors.RunDirError, match="no settings"):
    resume.check_resumable(_spec(), previous)
