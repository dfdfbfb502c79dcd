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

"""One job plan per experiment: the runs an experiment trains, listed once.

An experiment's `plan(settings)` returns its runs as `Job`s in training order. That one
list gives the job names of --list_jobs (`job_names`), the runs --only trains (`select`),
the runs trained (`train`, or an experiment's own loop over `DataCache.jobs_with_data`)
and the run directories the experiment record lists.
"""

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
import dataclasses
from typing import Any, TextIO

import tensorflow as tf

from suite import errors
from suite.data import datasets
from suite.training import run_spec
from suite.training import runner

# Builds a run's hooks from the data it trains on.
HooksFactory = Callable[[datasets.Data], Sequence[Any]]


@dataclasses.dataclass(frozen=True)
class Job:
  """One run of an experiment.

  Attributes:
    name: the run's directory under the experiment's output_dir, and its key in the
      experiment record's `conditions`.
    spec: everything the run trains with; its data config is `spec.data`.
    banner: the line printed before the run trains (or is found finished).
    group: the --only unit the run belongs to, where runs train together (they share
      controls); empty: the run is a job of its own.
    hooks: builds the run's hooks from its data; None: no hooks.
    preload: load the run's data before any run trains, so that a bad data setting is
      an error before hours of training rather than after.
  """
  name: str
  spec: run_spec.RunSpec
  banner: str
  group: str = ""
  hooks: HooksFactory | None = None
  preload: bool = False

  @property
  def job_name(self) -> str:
    """The name --list_jobs prints and --only takes."""
    return self.group or self.name

  @property
  def data(self) -> datasets.DataConfig:
    return self.spec.data


def job_names(jobs: Iterable[Job]) -> list[str]:
  """The distinct job names, in training order."""
  return list(dict.fromkeys(job.job_name for job in jobs))


def select(jobs: Sequence[Job], only: Collection[str] | None) -> list[Job]:
  """The jobs to train: all of them, or those named in `only` (--only).

  Raises:
    ConfigError: `only` is empty or names a job the plan does not hold.
  """
  if only is None:
    return list(jobs)
  valid = job_names(jobs)
  unknown = sorted(set(only) - set(valid))
  if unknown or not only:
    raise errors.ConfigError(f"unknown jobs {unknown}; choose from {valid}")
  return [job for job in jobs if job.job_name in only]


class DataCache:
  """The data of a list of jobs: each data config loaded once, dropped after the last
  job that trains on it (unless kept for the analysis)."""

  def __init__(self, jobs: Sequence[Job], keep: Collection[datasets.DataConfig] = ()):
    self._jobs = list(jobs)
    self._keep = set(keep)
    self._loaded: dict[datasets.DataConfig, datasets.Data] = {}
    # Preloading first: a bad data setting fails before any training.
    for job in self._jobs:
      if job.preload:
        self.get(job.data)

  def get(self, config: datasets.DataConfig) -> datasets.Data:
    """The data of `config`, loaded now unless it is held."""
    if config not in self._loaded:
      self._loaded[config] = datasets.load(config)
    return self._loaded[config]

  def jobs_with_data(self) -> Iterator[tuple[Job, datasets.Data]]:
    """Each job with its data, in order; data no later job reads is released."""
    last_use = {job.data: i for i, job in enumerate(self._jobs)}
    for i, job in enumerate(self._jobs):
      yield job, self.get(job.data)
      if last_use[job.data] == i and job.data not in self._keep:
        del self._loaded[job.data]


def train(jobs: Sequence[Job], cache: DataCache | None = None,
          strategy: tf.distribute.Strategy | None = None, out: TextIO | None = None,
          extend: bool = False, progress: bool | None = None) -> dict[str, dict]:
  """Trains the jobs in order (finished runs are reused, unfinished ones resume).

  Args:
    jobs: the runs to train.
    cache: where their data comes from (default: a cache of these jobs).
    strategy: the distribution strategy of every run.
    out: where the banners and the runs' progress go.
    extend: train finished runs on to their spec's epochs.
    progress: show the steps of long epochs (None: only on a terminal; runner.run).

  Returns:
    {job name: the run's final record}.
  """
  cache = cache or DataCache(jobs)
  records = {}
  for job, data in cache.jobs_with_data():
    hooks = list(job.hooks(data)) if job.hooks else []
    print(job.banner, file=out, flush=True)
    records[job.name] = runner.run(job.spec, strategy=strategy, hooks=hooks, data=data,
                                   out=out, extend=extend, progress=progress)
  return records


def conditions(jobs: Iterable[Job]) -> dict[str, str]:
  """{job name: run directory}: the experiment record's `conditions`."""
  return {job.name: job.spec.output_dir for job in jobs}
