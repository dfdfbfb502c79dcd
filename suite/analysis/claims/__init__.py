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

"""Verdicts on the papers' claims, each a statistical test with a stated null.

Every check takes the records of the runs a claim rests on - one per seed, conditions
paired by seed (same data, noise and initial weights) - and returns one line:
  claim     what is claimed, and whose claim it is (`source`)
  verdict   held / contradicted / inconclusive / not testable (then `reason`)
  evidence  the per-seed numbers and their controls
  test      {statistic, value, null, interval, n, method}: the primary statistic,
            declared here in advance, its value, its value under the null (or the
            control's), its interval over runs, the number of runs, and how.
The unit is the run: intervals are over seeds (suite.analysis.stats), never over the
examples of one run; fewer than declared.MIN_SEEDS seeds, or records without distinct
named seeds, make a claim not testable, and a seed whose measurements hold a NaN is left
out and named. `held` needs the interval to exclude the null on the claimed side;
equivalence needs two one-sided tests against a margin declared in advance. Claims that
need the noise memorized are not testable when it was not fitted to
constants.FIT_THRESHOLD (or the gate a benign claim is given). Epochs read off the
evaluation grid are known within brackets (readings.fit_bracket), and the claims whose
statistic the rounding could move take the least favourable end. Each check's level
under adversarial nulls and its power are measured in
tests/analysis/claims/test_claims_calibration.py (docs/claims.md).

One module per section of the papers:
  benign         Anagnostidis et al. 2023: memorization in the last layers, features
                 surviving random labels with augmentation, per-view labels not fitted.
  malign         Anagnostidis et al. 2023, section 5: per-view fit against the pool size.
  localization   Anagnostidis et al. 2023 against Maini et al. 2023: layer rewinding.
  fitting_order  Arpit et al. 2017, section 3: real data fitted before noise.
  difficulty     Arpit et al. 2017, Fig. 1: consistently easy examples on real data.
  sensitivity    Arpit et al. 2017, sections 3.3 and 4: loss sensitivity and critical
                 samples.
  regularizers   Arpit et al. 2017, sections 4 and 5: regularizers and capacity.
  dynamics       Arpit et al. 2017, sections 4 and 5: noise level, data size, early
                 stopping, depth.
and the modules they share: suite.analysis.declared (the values declared in advance),
verdicts (a claim's line, pairing by seed, the gates), readings (what a claim reads off a
record) and report (the lines as text).
"""
