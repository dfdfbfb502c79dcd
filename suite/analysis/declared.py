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

"""What the analyses declare in advance: levels, margins, windows, permutations, verdicts.

Every claim's statistic is fixed before its runs are read (docs/claims.md); the values it
is tested at are stated here, once, so that a reader finds every one of them in one place
and a change to one is a one-line change. Facts of the whole suite (the fit threshold,
the headline k) stay in suite.constants; this module only names them for the claims.
"""

from suite import constants

# The verdicts a claim can reach.
HELD, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE = ("held", "contradicted", "inconclusive",
                                                 "not testable")
VERDICTS = (HELD, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE)

# Intervals over runs are two-sided at LEVEL; each one-sided test is at ALPHA_SIDE.
LEVEL = 0.95
ALPHA_SIDE = (1 - LEVEL) / 2
# The unit is the run: a claim needs at least this many seeds.
MIN_SEEDS = 3
# Monte Carlo permutations of a trend's null (Page's test along a sweep).
PERMUTATIONS = 2000
# Permutations of the within-run null of per-example difficulty (Arpit et al., Fig. 1).
DIFFICULTY_PERMUTATIONS = 200
# Groups of examples left out in turn by the jackknife over examples of per-example
# difficulty (example i is in group i mod EXAMPLE_GROUPS).
EXAMPLE_GROUPS = 10

# The k of the k-NN probe every claim reads: the suite's headline k.
PRIMARY_K = constants.HEADLINE_KEY
# The head's endpoints (projector and logits): the last layers unless declared otherwise.
HEAD_ENDPOINTS = ("projector_hidden", "logits")

# Equivalence margins (absolute accuracy).
LAYER_MARGIN = 0.05  # Clean-bank k-NN of an early layer "within the clean-label run's".
VALIDATION_MARGIN = 0.02  # A regularizer "not worse than the baseline" on validation.
# "Much less" at the best-validation epoch: a gap of at least this much fit (absolute)
# between clean and corrupted examples.
EARLY_STOP_MARGIN = 0.2
# "Depth does not hurt": validation accuracy not below the baseline depth's by more than
# this (absolute).
DEPTH_MARGIN = 0.02
# Layer rewinding (absolute fit): a block holds memorization when rewinding it alone
# lowers the corrupted fit by more than NOISY_MARGIN; the clean fit "stays" when it drops
# by less than CLEAN_MARGIN.
NOISY_MARGIN = 0.10
CLEAN_MARGIN = 0.05

# Loss sensitivity: the evaluations in this fraction of the budget (epoch 0 excluded).
GINI_WINDOW = (0.0, 0.25)
# A trend over training needs at least this many evaluations per seed.
MIN_TREND_POINTS = 5
# The epoch after which per-example difficulty is read (Arpit et al., Fig. 1).
DIFFICULTY_EPOCH = 1

# Whose claim a line tests.
ARPIT = "Arpit et al. 2017"
BENIGN = "Anagnostidis et al. 2023"
MAINI = "Maini et al. 2023"
BRIEF = "the project brief's hypothesis (not a claim of Arpit et al. 2017)"
