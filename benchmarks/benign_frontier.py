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

r"""The benign-memorization frontier: finished experiments side by side.

  bash benchmarks/recipes/cpu/benign_frontier.sh
  python -m benchmarks.benign_frontier --configurations=runs/cpu/benign_frontier \
      --frontier_dir=runs/cpu/benign_frontier

--configurations are output directories of benchmarks.benign_memorization experiments with
the conditions random_plain and random_augmented (>= 3 seeds for their claims), or
directories whose subdirectories are (each such subdirectory is a configuration). Prints and
writes (--frontier_dir) frontier.md: per configuration the encoder's k-NN with and without
augmentation and at random initialisation (mean ± std over seeds), their paired
differences, the fits, and the configuration's claim "features survive random labels with
augmentation"; and figures/benign_frontier.png: the same k-NN against the epoch (also a
TensorBoard image in tensorboard/).
"""

import os

from absl import flags
import tensorflow as tf

from benchmarks import cli
from suite import constants
from suite import errors
from suite.experiments import benign_frontier
from suite.results import atomic
from suite.results import knn_figures
from suite.results import plots

CONFIGURATIONS = flags.DEFINE_list(
    "configurations", None, "Output directories of benign-memorization experiments (one per "
    "configuration), or directories holding them.")
FRONTIER_DIR = flags.DEFINE_string(
    "frontier_dir", None, "Where to write frontier.md and figures/benign_frontier.png.")


def main(argv):
  del argv
  # Checked here, not marked required: all binaries share one flag registry.
  if not CONFIGURATIONS.value:
    raise errors.ConfigError("--configurations must name at least one experiment directory")
  for path in CONFIGURATIONS.value:
    if not tf.io.gfile.isdir(path):
      raise errors.ConfigError(f"--configurations: {path} is not a directory")
  frontier_dir = FRONTIER_DIR.value
  if frontier_dir and tf.io.gfile.exists(frontier_dir) and not tf.io.gfile.isdir(frontier_dir):
    raise errors.ConfigError(f"--frontier_dir={frontier_dir} exists and is not a directory")
  configs = benign_frontier.ordered([benign_frontier.load(path)
                                     for path in benign_frontier.find(CONFIGURATIONS.value)])
  table = benign_frontier.markdown(benign_frontier.rows(configs))
  print(table)
  if FRONTIER_DIR.value:
    png = knn_figures.benign_frontier(benign_frontier.figure_inputs(configs))
    plots.write_summary_images(FRONTIER_DIR.value, {"benign_frontier": png})
    figure = os.path.join(FRONTIER_DIR.value, constants.FIGURES_DIR, "benign_frontier.png")
    path = os.path.join(FRONTIER_DIR.value, "frontier.md")
    atomic.write_together({figure: png, path: table + "\n"}, "the frontier")  # Both or neither.
    print(f"wrote {path} and {figure}")


if __name__ == "__main__":
  cli.run(main)
