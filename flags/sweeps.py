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

"""Sweep flags that more than one binary reads (absl allows one definition per name).

Each binary validates and interprets the values itself: benchmarks.benign_memorization
replaces the single-value flag (--label_noise, --width, --width_multiplier) with each
value, crossed with its other sweeps; benchmarks.memorization_dynamics runs each value as
a variant beside the base run, for every seed.
"""

from absl import flags

SWEEP_LABEL_NOISE = flags.DEFINE_list(
    "sweep_label_noise", [], "Label-noise fractions to sweep (benign_memorization: replaces "
    "--label_noise; memorization_dynamics: variants beside the base level).")
SWEEP_WIDTH = flags.DEFINE_list(
    "sweep_width", [], "mlp widths (hidden units) to sweep (benign_memorization: replaces "
    "--width; memorization_dynamics: variants to compare).")
SWEEP_WIDTH_MULTIPLIER = flags.DEFINE_list(
    "sweep_width_multiplier", [], "Convolutional width multipliers (cnn_small, resnet18) to "
    "sweep (benign_memorization: replaces --width_multiplier; memorization_dynamics: "
    "variants to compare).")
