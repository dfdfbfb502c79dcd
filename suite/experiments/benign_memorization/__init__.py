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

"""The benign-memorization comparison (Anagnostidis et al., 2023) as one experiment.

Trains, on the same data, architecture, seed and budget:
  clean              clean labels, with the augmentation      (the clean-label control)
  clean_plain        clean labels, no augmentation            (real data vs noise)
  random_plain       random labels, no augmentation
  random_augmented   random labels, with the augmentation
  random_pool        random labels, a fixed pool of n views, one label per example
  per_view           random labels, the same pool, one label per (example, view)
  augm_iid           random labels, each example's n "views" are other real images of its
                     class from outside the training subset (asked for by name)
(the last three when num_views > 0), probes every layer of each with shared controls
(raw pixels, random initialisation, the clean run; and the random-init network probed
with each noisy run's labels), and tests the claims across seeds
(suite.analysis.claims: at least 3 seeds, conditions paired by seed).

A `Sweep` varies the label-noise fraction, the pool size n, the augmentation strength,
the projector width, the model's width (mlp) or width multiplier (cnn_small, resnet18)
and the seed in one command. A run is trained once however many sweep points need it
(the clean runs do not depend on the noise or the pool), and the controls are
computed once per seed and architecture and shared by every run that matches them.
Every run is an ordinary run directory under output_dir, named by the condition and
the swept settings it depends on; the experiment's own result.json lists them with
the claims of every sweep point, and draws the figures (k-NN by layer over seeds with
the controls; fit and encoder k-NN against n and against strength; per-view fit against
capacity x n) as PNG under output_dir/figures and as TensorBoard images under
output_dir/tensorboard.

augm_iid against the reference (sanagno/benign_memorization, main.py RandomDataset with
augm_iid=True): the same construction (views = disjoint blocks of num_views images of the
example's true class from the train split outside the subset, fixed for the run, one drawn
uniformly at every step, shown without any transform, the example's random label), with
these differences:
  - the reference's views are the raw uint8 pixels as floats in [0, 255] (`rest_data` is
    never divided by 255) while its other inputs and the k-NN probe are in [0, 1]; the
    suite scales the views to [0, 1] like every other input, so the network trains and is
    probed on one scale;
  - the reference's subset is the first n examples in dataset order and its draws come
    from NumPy's global generator; the suite's subset is class-balanced and every draw
    (subset, view blocks, the view shown at each step) is keyed by (seed, example id,
    epoch), so runs are reproducible and independent of the order of anything;
  - the views never come from the validation examples (held out of everything) nor the
    test split, which is another split in both;
  - too few same-class images outside the subset is a ConfigError before any training
    (the reference's check catches an IndexError that list slicing never raises: its last
    examples of a class silently get fewer views, or none and a crash when drawn).

Layout: plan.py (conditions, sweep points, the runs as one job plan), training.py,
analysis.py (metrics, claims, tables), figures.py; `run` here trains the plan and
analyses it.
"""

import dataclasses
import time
from typing import Any, ClassVar, Collection, TextIO

import tensorflow as tf

from suite.data import datasets
from suite.experiments import experiment_record
from suite.experiments import job_plan
from suite.experiments.benign_memorization import analysis
from suite.experiments.benign_memorization import figures
from suite.experiments.benign_memorization import plan
from suite.experiments.benign_memorization import training
from suite.results import record

# The names binaries, flags and tests use, from the modules that define them.
BENCHMARK = plan.BENCHMARK
CONDITIONS = plan.CONDITIONS
DEFAULT_CONDITIONS = plan.DEFAULT_CONDITIONS
DESCRIPTIONS = plan.DESCRIPTIONS
POOLED = plan.POOLED
Point = plan.Point
Settings = plan.Settings
Sweep = plan.Sweep
conditions = plan.conditions
jobs = plan.jobs
points = plan.points
run_name = plan.run_name
validate = plan.validate
KNN_FIGURE = figures.KNN_FIGURE
VIEWS_FIGURE = figures.VIEWS_FIGURE
STRENGTH_FIGURE = figures.STRENGTH_FIGURE
CAPACITY_FIGURE = figures.CAPACITY_FIGURE
write_figures = figures.write_figures
check_claims = analysis.check_claims
table = analysis.table


@dataclasses.dataclass
class BenignRecord(experiment_record.ExperimentRecord):
  """The experiment's result.json: the common sections, the sweep, what each condition
  is, the figures and k-NN by layer per run."""
  sweep: dict[str, Any] = dataclasses.field(default_factory=dict)
  descriptions: dict[str, str] = dataclasses.field(default_factory=dict)
  figure_files: list[str] = dataclasses.field(default_factory=list)
  layers: dict[str, dict] = dataclasses.field(default_factory=dict)

  ORDER: ClassVar[tuple[str, ...]] = (
      "schema_version", "benchmark", "status", "config", "config_hash", "sweep",
      "conditions", "descriptions", "figure_files", "metrics", "layers", "claims", "timing",
      "environment")


def run(settings: plan.Settings, strategy: tf.distribute.Strategy | None = None,
        out: TextIO | None = None, only: Collection[str] | None = None) -> dict:
  """Runs every condition at every sweep point (resuming any that exist); writes the record.

  Args:
    settings: the experiment.
    strategy: the distribution strategy of every run.
    out: where progress goes.
    only: job names (see jobs()) to train, alone: their runs are trained and recorded,
      and nothing else (no claims, no experiment record; the returned dict lists the
      runs). Run again without it once every job is finished to compute the claims and
      figures.

  Returns:
    The experiment record as written, or with `only` what was trained.

  Raises:
    ConfigError: the settings or `only` name no experiment, before any training.
  """
  started = time.time()
  base, sweep, names = settings.base, settings.sweep, settings.names
  plan.validate(base, sweep, names)
  at_points = plan.layout(settings)
  chosen = job_plan.select(plan.plan(settings), only)
  if "augm_iid" in names:
    # Not enough same-class images outside the subset is an error of the largest pool,
    # found here rather than after hours of other runs.
    largest = max(sweep.num_views or (base.augment.num_views,))
    for seed in sorted({p.seed for p in plan.points(base, sweep)
                        if only is None or plan.job_name(p, sweep) in only}):
      datasets.load(dataclasses.replace(base.data, seed=seed, iid_views=largest))
  trained = training.train(settings, chosen, strategy, out, noisy_controls=only is None)
  conditions_trained = job_plan.conditions(chosen)
  if only is not None:
    return experiment_record.TrainedJobs(BENCHMARK, sorted(only),
                                         conditions_trained).to_dict()
  sections = analysis.analyse(
      settings, [(point, {c: job.name for c, job in runs.items()}) for point, runs in at_points],
      trained.records, trained.noisy_controls)
  experiment = BenignRecord.finished(
      base, BENCHMARK, started, sweep=dataclasses.asdict(sweep), conditions=conditions_trained,
      descriptions={c: DESCRIPTIONS[c] for c in CONDITIONS if c in names}, **sections)
  record.write(base.output_dir, experiment.to_dict())
  return experiment.to_dict()
