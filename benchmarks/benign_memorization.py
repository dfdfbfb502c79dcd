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

r"""Benign memorization: random labels with and without augmentation, probed per layer.

  python -m benchmarks.benign_memorization --dataset=digits --model=mlp --label_noise=1 \
      --augmentation=strong --num_views=4 --epochs=40 --output_dir=/tmp/runs/benign

Trains the conditions of suite.experiments.benign_memorization under --output_dir
(one run directory each, resumable), prints a table of fit, test accuracy and the
best k-NN layer per run, and the claims report; writes it all to
--output_dir/result.json.

Sweeps in one command, sharing runs and controls wherever they do not depend on the
swept value (values replace the single-value flag):
  --sweep_label_noise=0.2,0.5,1   --sweep_num_views=1,2,4,8
  --sweep_bottleneck_dim=0,4096   --sweep_seed=0,1,2
  --sweep_augmentation_strength=0,0.25,0.5,1   (with --augmentation=randaugment)
  --sweep_width_multiplier=0.25,0.5,1   (cnn_small, resnet18)   --sweep_width=64,256 (mlp)
Crossing a capacity sweep with --sweep_num_views and --conditions=per_view,random_pool
measures malign memorization against capacity x n. --conditions=augm_iid (with
--num_views=n and a --train_size below the split's size) trains on n other real images
of each example's class from outside the subset instead of augmentations (the
reference's augm_iid). Figures land in --output_dir/figures and as TensorBoard images.

Scaling out: --list_jobs prints one command per job (these flags plus --only=<job>, a
job being every run of one seed and projector width: `seed_0`, `seed_0/projector_8`, or
`all` without those sweeps); run them anywhere that sees --output_dir (a bucket path
works), then the same command without --only: it trains nothing and computes the claims.
"""

from absl import flags

from benchmarks import cli
from flags import data as data_flags
from flags import jobs as job_flags
from flags import knn_index
from flags import probing as probing_flags
from flags import runs
from flags import sweeps as sweep_flags
from flags import training as training_flags
from suite import constants
from suite.experiments import benign_memorization
from suite.results import claims

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (data_flags, probing_flags, knn_index, training_flags, job_flags, sweep_flags):
  flags.adopt_module_key_flags(_module)

CONDITIONS = flags.DEFINE_list(
    "conditions", list(benign_memorization.DEFAULT_CONDITIONS),
    "Conditions to train (the pooled ones only with a pool; augm_iid only when named, with "
    "a pool and a --train_size below the split's size); claims are checked where their "
    "conditions ran.")
SWEEP_LABEL_NOISE = sweep_flags.SWEEP_LABEL_NOISE  # Shared with memorization_dynamics.
SWEEP_NUM_VIEWS = flags.DEFINE_list("sweep_num_views", [],
                                    "Pool sizes n to sweep (replaces --num_views).")
SWEEP_BOTTLENECK_DIM = flags.DEFINE_list(
    "sweep_bottleneck_dim", [], "Projector widths to sweep (replaces --bottleneck_dim).")
SWEEP_SEED = flags.DEFINE_list(
    "sweep_seed", [], "Seeds to repeat everything with (replaces --seed: data subset, noise, "
    "views and initialisation).")
SWEEP_AUGMENTATION_STRENGTH = flags.DEFINE_list(
    "sweep_augmentation_strength", [],
    "Augmentation strengths to sweep (--augmentation=randaugment; replaces its strength); "
    "only the runs that augment depend on it.")
SWEEP_WIDTH_MULTIPLIER = sweep_flags.SWEEP_WIDTH_MULTIPLIER  # Shared with memorization_dynamics.
SWEEP_WIDTH = sweep_flags.SWEEP_WIDTH
MEMORIZATION_GATE = flags.DEFINE_float(
    "memorization_gate", constants.FIT_THRESHOLD,
    "The fit of the random labels every seed must reach for the benign claims to be tested "
    "(a pre-registered experiment declares its own).", lower_bound=0.0, upper_bound=1.0)

# This experiment's defaults for shared flags (random labels (--label_noise=1) and --augmentation=strong): applied in main() to
# the flags not given, so they are recorded as used; importing the module changes nothing.
EXPERIMENT_DEFAULTS = {"label_noise": 1.0, "augmentation": "strong"}


def _numbers(values, kind):
  try:
    return tuple(kind(v) for v in values)
  except ValueError:
    return None


for _name, _kind in (("sweep_label_noise", float), ("sweep_num_views", int),
                     ("sweep_bottleneck_dim", int), ("sweep_seed", int),
                     ("sweep_augmentation_strength", float), ("sweep_width_multiplier", float),
                     ("sweep_width", int)):
  flags.register_validator(
      _name, lambda values, kind=_kind: _numbers(values, kind) is not None and
      len(set(values)) == len(values),
      message=f"--{_name} must be a list of distinct {_kind.__name__} values.")


@flags.validator("conditions", message="--conditions must name conditions of the comparison: "
                 + ",".join(benign_memorization.CONDITIONS))
def _check_conditions(values):
  return bool(values) and set(values) <= set(benign_memorization.CONDITIONS)


def sweep() -> benign_memorization.Sweep:
  return benign_memorization.Sweep(
      label_noise=_numbers(SWEEP_LABEL_NOISE.value, float),
      num_views=_numbers(SWEEP_NUM_VIEWS.value, int),
      bottleneck_dim=_numbers(SWEEP_BOTTLENECK_DIM.value, int),
      seeds=_numbers(SWEEP_SEED.value, int),
      augmentation_strength=_numbers(SWEEP_AUGMENTATION_STRENGTH.value, float),
      width_multiplier=_numbers(SWEEP_WIDTH_MULTIPLIER.value, float),
      width=_numbers(SWEEP_WIDTH.value, int))


def apply_defaults() -> None:
  """Sets each flag of EXPERIMENT_DEFAULTS that was not given (command line, flagfile or
  a test's flagsaver) to the experiment's default, through the validators."""
  for name, value in EXPERIMENT_DEFAULTS.items():
    if flags.FLAGS[name].using_default_value:
      setattr(flags.FLAGS, name, value)


def conditions(pool: bool) -> tuple[str, ...]:
  """The asked conditions; by default without the pooled ones when there is no pool."""
  names = tuple(CONDITIONS.value)
  if flags.FLAGS["conditions"].using_default_value and not pool:
    names = tuple(n for n in names if n not in benign_memorization.POOLED)
    print(f"no pool of views (--num_views=0): running {', '.join(names)}; "
          "--num_views=n adds the pooled conditions")
  return names


def main(argv):
  del argv
  apply_defaults()
  strategy = training_flags.make_strategy()
  spec, plan = runs.run_spec("benign_memorization"), sweep()
  pool = bool(spec.augment.num_views or any(plan.num_views))
  if job_flags.LIST_JOBS.value:
    job_flags.print_commands("benchmarks.benign_memorization", benign_memorization.jobs(spec, plan))
    return
  experiment = benign_memorization.run(
      spec, probing_flags.probe_config(), probing_flags.PROBE_EVERY.value, strategy=strategy,
      sweep=plan, names=conditions(pool), only=job_flags.only(),
      extend=training_flags.EXTEND.value, fit_threshold=MEMORIZATION_GATE.value)
  if job_flags.ONLY.value is not None:
    print(f"trained {', '.join(experiment['conditions'])}; rerun without --only once every "
          "job is done to compute the claims")
    return
  print(benign_memorization.table(experiment))
  print("claims:")
  print(claims.format_lines(experiment["claims"]))


if __name__ == "__main__":
  cli.run(main)
