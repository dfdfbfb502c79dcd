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
from flags import benign as benign_flags
from flags import data as data_flags
from flags import jobs as job_flags
from flags import knn_index
from flags import probing as probing_flags
from flags import runs
from flags import sweeps as sweep_flags
from flags import training as training_flags
from suite.analysis.claims import report
from suite.experiments import benign_memorization

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (benign_flags, data_flags, probing_flags, knn_index, training_flags, job_flags,
                sweep_flags):
  flags.adopt_module_key_flags(_module)


def main(argv):
  del argv
  runs.apply_experiment_defaults(benign_flags.EXPERIMENT_DEFAULTS)
  strategy = training_flags.make_strategy()
  spec = runs.run_spec("benign_memorization")
  if job_flags.LIST_JOBS.value:
    job_flags.print_commands("benchmarks.benign_memorization", benign_memorization.jobs(
        benign_memorization.Settings(spec, sweep=benign_flags.sweep())))
    return
  experiment = benign_memorization.run(benign_flags.settings(spec), strategy=strategy,
                                       only=job_flags.only())
  if job_flags.ONLY.value is not None:
    print(f"trained {', '.join(experiment['conditions'])}; rerun without --only once every "
          "job is done to compute the claims")
    return
  print(benign_memorization.table(experiment))
  print("claims:")
  print(report.format_lines(experiment["claims"]))


if __name__ == "__main__":
  cli.run(main)
