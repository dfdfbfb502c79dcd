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

"""Malign memorization against the pool size (Anagnostidis et al. 2023, section 5).

As the pool of views per example grows, the enlarged sample outgrows the network's
capacity: the fit of per-view random labels falls.
"""

import numpy as np

from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import readings
from suite.analysis.claims import verdicts


def per_view_fit_falls_with_views(sweep: dict, permutations: int = declared.PERMUTATIONS) -> dict:
  """Across a sweep of pool sizes ({n: per_view records per seed}), the fit of per-view
  random labels falls as n grows (the enlarged sample outgrows the network's capacity).

  Per seed, the Spearman correlation of n with the per-view fit (memorization/view_fit,
  every (example, view) against its own label); tested across seeds by permuting each
  seed's outcomes across the sweep points (Page's test, suite.analysis.stats.page_trend).
  Held when the mean correlation lies below the null's range, contradicted above it.

  Args:
    sweep: {pool size n: per_view records, one per seed}.
    permutations: permutations of the trend's null.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "per-view label fit falls as the pool size n grows"
  values = sorted(sweep)
  why = verdicts.paired(*[sweep[v] for v in values]) if values else "an empty sweep"
  fits = [[readings.metric(r, "memorization/view_fit") for r in sweep[v]] for v in values]
  evidence = {"num_views": values, "per_view_fit": fits,
              "epochs": readings.budget(sweep[values[0]][0]) if values else None}
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why, source=declared.BENIGN)
  if len(values) < 3:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{len(values)} pool sizes; a trend "
                         "needs at least 3", source=declared.BENIGN)
  if any(f is None for row in fits for f in row):
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason="needs the view fit of every run",
                         source=declared.BENIGN)
  outcomes = np.array(fits, np.float64).T  # [seeds, points]
  result = stats.page_trend(outcomes, permutations)
  evidence["spearman_per_seed"] = result["per_seed"]
  if result["min_p"] > declared.ALPHA_SIDE:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=f"{len(values)} points x "
                         f"{outcomes.shape[0]} seeds: an exact permutation test cannot reach "
                         f"{declared.ALPHA_SIDE}", source=declared.BENIGN)
  test = stats.test_record(
      "mean within-seed Spearman(n, per-view fit)", result["value"], result["null"],
      result["interval"], outcomes.shape[0],
      f"{verdicts.LEVEL_TEXT} range of the permutation null (each seed's outcomes permuted across "
      f"pool sizes, {permutations} draws; Page's test)",
      p_less=result["p_less"], p_greater=result["p_greater"])
  lo, hi = result["interval"]
  verdict = (declared.HELD if result["value"] < lo else
             declared.CONTRADICTED if result["value"] > hi else declared.INCONCLUSIVE)
  return verdicts.line(claim, verdict, evidence, test, source=declared.BENIGN)
