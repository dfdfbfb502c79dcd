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

r"""Trains any zoo model on any dataset, corruption and augmentation, with k-NN probing.

  python -m benchmarks.train --dataset=digits --model=mlp --label_noise=1 \
      --epochs=30 --output_dir=/tmp/runs/mlp_random

Writes to --output_dir: TensorBoard events, checkpoints, the per-example log
(--track_every), figures and result.json (with the per-layer probe and its
controls). Re-running the same command resumes, whatever instant the previous one was
killed at; --extend trains a run on to more --epochs from its last checkpoint.
"""

from absl import flags

from benchmarks import cli
from flags import data as data_flags
from flags import knn_index
from flags import localization as localization_flags
from flags import probing as probing_flags
from flags import runs
from flags import training as training_flags
from suite.probing import probe
from suite.training import runner

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (data_flags, probing_flags, knn_index, training_flags, localization_flags):
  flags.adopt_module_key_flags(_module)

EXTEND = training_flags.EXTEND
flags.mark_flag_as_required("output_dir")


def main(argv):
  del argv
  run_spec = runs.run_spec("train")  # Every setting is checked before any work.
  hook = runs.probe_hook_from_flags()
  measures = localization_flags.hooks_from_flags(run_spec.train.epochs)
  strategy = training_flags.make_strategy()
  # The hooks are checked against the model and data when the trainer takes them.
  final = runner.run(run_spec, strategy=strategy, hooks=([hook] if hook else []) + measures,
                     extend=EXTEND.value, progress=training_flags.PROGRESS.value)
  if final and "probe" in final:
    for k in final["probe"]["ks"]:  # The ks asked for (capped at the bank's size).
      print(f"\nk = {k}")
      print(probe.format_table(final["probe"], final.get("controls"), k))


if __name__ == "__main__":
  cli.run(main)
