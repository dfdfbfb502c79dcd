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


"""Training the benign-memorization plan: every run probed per layer, the runs of a job
sharing their controls."""

import dataclasses
from typing import TextIO

import tensorflow as tf

from suite.experiments import job_plan
from suite.experiments.benign_memorization import plan as plan_lib
from suite.probing import hook as probe_hook
from suite.probing import probe as probe_lib
from suite.training import runner


@dataclasses.dataclass(frozen=True)
class Trained:
  """The runs trained: {run name: final record}, and per noisy run the random-init
  network probed with that run's noisy labels (when asked)."""
  records: dict[str, dict]
  noisy_controls: dict[str, dict]


def train(settings: plan_lib.Settings, jobs: list[job_plan.Job],
          strategy: tf.distribute.Strategy | None = None, out: TextIO | None = None,
          noisy_controls: bool = True) -> Trained:
  """Trains the jobs in order (finished runs are reused; settings.extend trains them on).

  Controls depend on the data (seed) and the architecture, not on noise or views: the
  first run of a job computes them and the job's other runs reuse them; the clean run's
  probe becomes one more control.

  Args:
    settings: the experiment.
    jobs: runs of plan.plan(settings), in its order.
    strategy: the distribution strategy of every run.
    out: where the banners and the runs' progress go.
    noisy_controls: also probe the random-init network with each noisy run's labels.
  """
  records: dict[str, dict] = {}
  controls: dict[str, dict] = {}  # Per job (seed and architecture).
  noisy: dict[str, dict] = {}
  for job, data in job_plan.DataCache(jobs).jobs_with_data():
    hook = list(job.hooks(data))[0] if job.hooks else None  # plan.probe_hooks.
    assert hook is not None, f"{job.name}: the plan gives every run its probe"
    if job.job_name in controls:
      hook.controls = dict(controls[job.job_name])
    print(job.banner, file=out, flush=True)
    records[job.name] = runner.run(job.spec, strategy=strategy, hooks=[hook], data=data,
                                   out=out, extend=settings.extend)
    if job.job_name not in controls:
      # From the record: a run that was already complete computed no controls here.
      controls[job.job_name] = dict(records[job.name]["controls"])
    condition = plan_lib.condition_of(job)
    if condition == "clean":
      controls[job.job_name]["clean_labels"] = probe_hook.load_clean_run_probe(
          job.spec.output_dir)
    if condition in plan_lib.NOISY and "probe" in records[job.name] and noisy_controls:
      # The random-init network probed with this run's noisy labels: the control of the
      # noisy-bank k-NN (per noise level; the shared control has clean labels).
      noisy[job.name] = probe_lib.probe(
          probe_lib.random_init_model(job.spec.model, data, job.spec.train.seed), data,
          settings.probe_config)
  return Trained(records, noisy)
