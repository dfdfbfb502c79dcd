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

"""Facts the suite states once: thresholds, probe defaults and the run-directory layout.

Every module that needs one of these imports it from here, so changing a fact is a
one-line change. This module imports nothing from the suite: any layer may use it.
"""

# A run has fitted its training labels once `memorization/train_fit` reaches this
# (used for "epochs to fit" in claims and the leaderboard).
FIT_THRESHOLD = 0.95

# k-NN probe: the neighbour counts probed by default, and the one reported in
# tables, figures and claims (the benign-memorization paper's k).
PROBE_KS = (1, 20, 200)
HEADLINE_K = 20
HEADLINE_KEY = f"k{HEADLINE_K}"

# Run-directory layout: what a run writes under its --output_dir.
RESULT_FILENAME = "result.json"
CHECKPOINTS_DIR = "checkpoints"
TENSORBOARD_DIR = "tensorboard"
PER_EXAMPLE_DIR = "per_example"
FIGURES_DIR = "figures"
SCRATCH_DIR = "scratch"  # Non-chief workers' checkpoints (multi-worker training).
