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

r"""Memorization dynamics (Arpit et al.): noise fitted after real data, per example.

  python -m benchmarks.memorization_dynamics --dataset=fashion_mnist --train_size=1000 \
      --label_noise=0.5 --model=mlp --epochs=60 --batch_size=32 --seeds=0,1,2 \
      --validation_size=1000 --output_dir=/tmp/runs/dynamics

Noise kinds: --label_noise (random labels) and --input_corruption={random_pixels,
shuffled_pixels,gaussian} with --input_corruption_fraction. Data and noise are fixed
by --seed; --seeds are the training seeds compared.

Regularizers and capacity, in the same command, as variants of the first seed's run:
  --regularizers=dropout:0.5,input_noise:0.1,weight_decay:0.001,adversarial:0.03
  --sweep_width=64,256,1024                              (mlp)
  --sweep_depth=1,2,4          (mlp: hidden layers; cnn_small: conv modules)
  --sweep_width_multiplier=0.25,0.5,1                    (cnn_small, resnet18)
Noise level and data size (Arpit et al. Figs. on epochs to fit), data fixed by --seed:
  --sweep_label_noise=0.2,0.4,0.8 --sweep_train_size=500,2000
A table of noisy-label fit, validation accuracy and epochs to 95% fit per variant
follows, with a claim per regularizer and per sweep (capacity: epochs to fit the noise;
depth: validation not worse, the brief's hypothesis; noise level: epochs to fit the
training set and Gini of loss sensitivity; data size: noise fitted later relative to real
data), each run's early-stopping numbers (fit of the noise at the best-validation epoch,
test accuracy there and at the end) and figures under <output_dir>/figures:
dynamics, epochs_to_fit, gini_by_noise, sensitivity_per_class, loss_trajectories.

Per-example difficulty as Arpit et al. (Fig. 1), in the same command:
  --difficulty_runs=100 --difficulty_data=real,random_labels,random_inputs
trains, per data kind, that many runs of exactly one epoch (training seeds 0..N-1, data
and noise fixed by --seed) under <output_dir>/difficulty/<kind>/seed_<s>, and tests
whether the examples misclassified after epoch 1 are more consistent across runs on real
data than on random labels (primary) and random inputs (secondary); figure:
<output_dir>/figures/difficulty_epoch1.png. --difficulty_examples=1000 reads a fixed
sample of the training examples (0: all).

Scaling out: --list_jobs prints one command per job (these flags plus --only=<job>, a
job being one run directory: `seed_0`, `dropout_0.5/seed_1`, `difficulty/real/seed_3`);
run them anywhere that sees --output_dir (a bucket path works), then the same command
without --only: it trains nothing and computes the claims and figures.
"""

from absl import flags

from benchmarks import cli
from flags import data as data_flags
from flags import dynamics as dynamics_flags
from flags import jobs as job_flags
from flags import knn_index
from flags import probing as probing_flags
from flags import runs
from flags import sweeps as sweep_flags
from flags import training as training_flags
from suite.analysis.claims import report
from suite.experiments import memorization_dynamics

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (dynamics_flags, data_flags, probing_flags, knn_index, training_flags, job_flags,
                sweep_flags):
  flags.adopt_module_key_flags(_module)


def main(argv):
  del argv
  runs.apply_experiment_defaults(dynamics_flags.EXPERIMENT_DEFAULTS)
  settings = dynamics_flags.settings(runs.run_spec("memorization_dynamics"))
  if job_flags.LIST_JOBS.value:
    job_flags.print_commands("benchmarks.memorization_dynamics",
                             memorization_dynamics.jobs(settings))
    return
  experiment = memorization_dynamics.run(settings, strategy=training_flags.make_strategy(),
                                         only=job_flags.only())
  if job_flags.ONLY.value is not None:
    print(f"trained {', '.join(experiment['conditions'])}; rerun without --only once every "
          "job is done to compute the claims")
    return
  variant_names = {"baseline"} | {v.name for v in settings.variants}
  for key, value in experiment["metrics"].items():
    if key.split("/")[0] in variant_names:
      continue  # In the variants table below.
    print(f"{key:<55} {value:.4f}" if isinstance(value, float) else f"{key:<55} {value}")
  if settings.variants:
    print(memorization_dynamics.variants_table(experiment))
  print("claims:")
  print(report.format_lines(experiment["claims"]))


if __name__ == "__main__":
  cli.run(main)
