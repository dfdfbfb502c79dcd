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

"""Memorization dynamics (Arpit et al., 2017) on data with partial noise.

For each training seed (data subset and noise fixed by the data seed, so every seed
sees the same examples and the same random labels or inputs), trains with the
per-example log and, at every evaluation, measures on fixed samples of clean and
corrupted training examples:
  csr/clean, csr/corrupted                     critical sample ratio
  sensitivity/clean, sensitivity/corrupted     mean |dL/dx| (training labels)
  sensitivity/gini_clean, gini_corrupted       Gini coefficient of the per-example values
Then, across seeds: per-example first-learned epochs, and the claims as tests over
seeds (suite.analysis.claims), among them per-example difficulty: the errors after
epoch 1 of every seed, real (clean) against noise (corrupted, less those whose random
label is the true class), dispersion against a within-run permutation null.

Per-example difficulty as Arpit et al. ran it (Fig. 1), with difficulty_runs > 0: separate
one-epoch runs on real data, random labels and random inputs (difficulty.py), real against
random labels as the primary test, random inputs as a secondary view, the within-run split
above as the second view; each view's figure in <output_dir>/figures/difficulty_*.png.

Variants - regularizers (dropout, input noise, weight decay, adversarial training),
capacities (mlp width, mlp and cnn_small depth, convolutional width multiplier) and data
settings (label noise level, training-set size) - run for every seed, each paired with the
same seed's base run, in the same command. Data variants load their own data (same --seed)
and are measured like the base runs (SensitivityHook); the sweeps' claims are within-seed
trends (Page's test) with the base's value as one more point: epochs to fit grow with the
noise level, noise fits later relative to real data with more data, the Gini of loss
sensitivity over the training set falls with noise; depth does not hurt validation
accuracy (the brief's hypothesis, non-inferiority). Early stopping: at each seed's
best-validation epoch, how much of the noise and of the real data is fitted, and test
accuracy there against the final one.

Figures (<output_dir>/figures, and as TensorBoard images under <output_dir>/tensorboard):
dynamics.png (fit and CSR curves), epochs_to_fit.png and accuracy.png (final validation
and test accuracy, and test accuracy at the best-validation epoch) against every swept setting,
gini_by_noise.png (with a noise sweep), sensitivity_per_class.png (mean |dL/dx| per class,
clean and corrupted examples, at the end of training, mean over seeds),
loss_trajectories.png (per-example loss of the first seed, sorted by first-learned epoch),
and the difficulty figures.

Layout: plan.py (settings, variants, the runs as one job plan), difficulty.py (per-example
difficulty), analysis.py (metrics and claims), figures.py; `run` here trains the plan and
analyses it.
"""

import time
from typing import Collection, TextIO

import tensorflow as tf

from suite.experiments import experiment_record
from suite.experiments import job_plan
from suite.experiments.memorization_dynamics import analysis
from suite.experiments.memorization_dynamics import difficulty
from suite.experiments.memorization_dynamics import figures
from suite.experiments.memorization_dynamics import plan
from suite.results import record

# The names binaries, flags and tests use, from the modules that define them.
BENCHMARK = plan.BENCHMARK
CAPACITIES = plan.CAPACITIES
DATA_SETTINGS = plan.DATA_SETTINGS
DIFFICULTY_DIR = plan.DIFFICULTY_DIR
DIFFICULTY_KINDS = plan.DIFFICULTY_KINDS
REGULARIZERS = plan.REGULARIZERS
Settings = plan.Settings
Variant = plan.Variant
check_difficulty_kinds = plan.check_difficulty_kinds
difficulty_spec = plan.difficulty_spec
sweeps = plan.sweeps
FIGURES = figures.FIGURES
accuracy_panels = figures.accuracy_panels
DIFFICULTY_FIGURE = difficulty.DIFFICULTY_FIGURE
WITHIN_RUN_FIGURE = difficulty.WITHIN_RUN_FIGURE
difficulty_curves = difficulty.difficulty_curves
difficulty_sets = difficulty.difficulty_sets
variants_table = analysis.variants_table


def jobs(settings: plan.Settings) -> list[str]:
  """The job names of run(..., only=...) (--list_jobs): every run directory under
  output_dir, in the order run() trains them."""
  return job_plan.job_names(plan.plan(settings))


def train(jobs_to_train: list[job_plan.Job], cache: job_plan.DataCache,
          strategy: tf.distribute.Strategy | None = None,
          out: TextIO | None = None) -> dict[str, dict]:
  """Trains the jobs (finished runs are reused); returns {job name: record}."""
  return job_plan.train(jobs_to_train, cache, strategy=strategy, out=out)


def run(settings: plan.Settings, strategy: tf.distribute.Strategy | None = None,
        out: TextIO | None = None, only: Collection[str] | None = None) -> dict:
  """Trains every run of the plan under settings.base.output_dir, then analyses them and
  writes the experiment record.

  Args:
    settings: the experiment.
    strategy: the distribution strategy of every run.
    out: where progress goes.
    only: job names (see jobs(): the run directories) to train, alone: those runs are
      trained and recorded, and nothing else (no claims, figures or experiment record;
      the returned dict lists the runs). Run again without it once every job is
      finished to compute the claims and figures (finished runs are reused, nothing
      trains).

  Returns:
    The experiment record as written, or with `only` what was trained.

  Raises:
    ConfigError: the settings or `only` name no experiment, before any training.
  """
  started = time.time()
  plan.validate(settings)
  chosen = job_plan.select(plan.plan(settings), only)
  # The base data serves the analysis too: kept once its runs are done.
  cache = job_plan.DataCache(chosen, keep=(settings.base.data,) if only is None else ())
  records = train(chosen, cache, strategy, out)
  conditions = job_plan.conditions(chosen)
  if only is not None:
    return experiment_record.TrainedJobs(BENCHMARK, sorted(only), conditions).to_dict()
  metrics, claims = analysis.analyse(settings, records, cache.get)
  experiment = experiment_record.ExperimentRecord.finished(
      settings.base, BENCHMARK, started, conditions=conditions, metrics=metrics,
      claims=claims).to_dict()
  record.write(settings.base.output_dir, experiment)
  return experiment
