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


"""The job plan shared by the experiments: names, --only, data loading, the typed record."""

import json

import pytest

from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.experiments import benign_memorization as benign
from suite.experiments import experiment_record
from suite.experiments import job_plan
from suite.experiments import memorization_dynamics as dynamics
from suite.models import zoo
from suite.training import run_spec
from suite.training import trainer


def _spec(label_noise=0.5, augment="standard"):
  return run_spec.RunSpec(output_dir="/out", benchmark="x",
                        data=datasets.DataConfig(dataset="digits", label_noise=label_noise),
                        model=zoo.ModelConfig(), augment=augmentation.AugmentConfig(augment),
                        train=trainer.TrainConfig(), flags={"seed": 0})


def _job(name, group="", label_noise=0.5, preload=False):
  return job_plan.Job(name, _spec(label_noise), f"== {name}", group=group, preload=preload)


def test_job_names_are_the_groups_in_order_and_only_selects_whole_groups():
  jobs = [_job("a/x", "a"), _job("b/x", "b"), _job("a/y", "a"), _job("c")]
  assert job_plan.job_names(jobs) == ["a", "b", "c"]
  assert [j.name for j in job_plan.select(jobs, {"a", "c"})] == ["a/x", "a/y", "c"]
  assert job_plan.select(jobs, None) == jobs
  for only in ({"d"}, set()):
    with pytest.raises(errors.ConfigError, match="unknown jobs"):
      job_plan.select(jobs, only)


def test_data_is_loaded_once_preloaded_first_and_released_after_its_last_job(monkeypatch):
  loads = []
  monkeypatch.setattr(datasets, "load", lambda config: loads.append(config) or config)
  jobs = [_job("a", label_noise=0.5), _job("b", label_noise=0.2, preload=True),
          _job("c", label_noise=0.5), _job("d", label_noise=0.1)]
  cache = job_plan.DataCache(jobs, keep=(jobs[0].data,))
  assert [c.label_noise for c in loads] == [0.2]  # Before any job.
  seen = [(job.name, data.label_noise) for job, data in cache.jobs_with_data()]
  assert seen == [("a", 0.5), ("b", 0.2), ("c", 0.5), ("d", 0.1)]
  assert [c.label_noise for c in loads] == [0.2, 0.5, 0.1]
  cache.get(jobs[0].data)  # Kept for the analysis.
  cache.get(jobs[3].data)  # Released: loaded again.
  assert [c.label_noise for c in loads] == [0.2, 0.5, 0.1, 0.1]


def test_the_experiment_records_write_the_keys_of_the_dict_they_replace():
  base = _spec()
  common = dict(conditions={"seed_0": "/out/seed_0"}, metrics={"m": 1.0}, claims=[])
  rec = experiment_record.ExperimentRecord.finished(base, "memorization_dynamics", 0.0,
                                                    **common).to_dict()
  assert list(rec) == ["schema_version", "benchmark", "status", "config", "config_hash",
                       "conditions", "metrics", "claims", "timing", "environment"]
  assert rec["status"] == "complete" and rec["config"] == {"seed": 0}
  assert list(rec["timing"]) == ["wall_seconds"]
  rec = benign.BenignRecord.finished(base, "benign_memorization", 0.0, sweep={}, layers={},
                                     descriptions={}, figure_files=[], **common).to_dict()
  assert list(rec) == ["schema_version", "benchmark", "status", "config", "config_hash",
                       "sweep", "conditions", "descriptions", "figure_files", "metrics",
                       "layers", "claims", "timing", "environment"]
  json.dumps(rec, default=str)
  assert experiment_record.TrainedJobs("b", ["j"], {"r": "/d"}).to_dict() == {
      "benchmark": "b", "jobs": ["j"], "conditions": {"r": "/d"}}


def test_one_plan_gives_the_job_names_and_the_runs():
  settings = dynamics.Settings(_spec(), (0, 1), (dynamics.Variant("dropout", 0.5),))
  jobs = dynamics.plan.plan(settings)
  assert dynamics.jobs(settings) == [j.name for j in jobs] == [
      "seed_0", "seed_1", "dropout_0.5/seed_0", "dropout_0.5/seed_1"]
  assert [j.spec.output_dir for j in jobs] == [f"/out/{j.name}" for j in jobs]
  assert jobs[2].spec.model.dropout == 0.5 and jobs[2].spec.train.seed == 0
  # Regularizer variants keep the base data and its measurements off; base runs measure.
  assert jobs[0].hooks is not None and jobs[2].hooks is None
  sweep = benign.Sweep(label_noise=(0.5, 1.0), seeds=(0, 1))
  settings = benign.Settings(_spec(1.0), sweep=sweep)
  runs = benign.plan.plan(settings)
  assert benign.jobs(settings) == ["seed_0", "seed_1"]
  # Clean runs do not depend on the noise: one run serves both noise levels.
  assert [j.name for j in runs if j.job_name == "seed_0"] == [
      "seed_0/clean", "seed_0/clean_plain", "seed_0/random_plain_noise_0.5",
      "seed_0/random_augmented_noise_0.5", "seed_0/random_plain_noise_1",
      "seed_0/random_augmented_noise_1"]
  layout = benign.plan.layout(settings)
  assert layout[0][1]["clean"] is layout[1][1]["clean"]
