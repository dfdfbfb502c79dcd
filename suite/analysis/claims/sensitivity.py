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

"""Loss sensitivity and critical samples (Arpit et al. 2017, sections 3.3 and 4).

Loss sensitivity is more concentrated on real data than on noise, and the critical sample
ratio grows more on noise during training.
"""

import numpy as np

from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import readings
from suite.analysis.claims import verdicts


def sensitivity_more_concentrated_on_real_data(records: list,
                                               window: tuple = declared.GINI_WINDOW) -> dict:
  """Loss sensitivity has a higher Gini coefficient on real data than on noise.

  Per seed: the mean over the evaluations in the declared window (fractions of the
  budget, epoch 0 excluded) of Gini(clean) - Gini(corrupted), on equal-sized samples;
  a t interval over seeds.

  Args:
    records: result records, one per seed, with loss-sensitivity Gini histories.
    window: fractions of the budget averaged over.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "loss sensitivity is more concentrated (higher Gini) on real data than on noise"
  why = verdicts.paired(records)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why)
  per_seed = []
  for rec in records:
    entries = [h for h in readings.window_entries(rec, window)
               if h.get("sensitivity/gini_clean") is not None
               and h.get("sensitivity/gini_corrupted") is not None]
    if not entries:
      return verdicts.line(claim, declared.NOT_TESTABLE, {"window": list(window)},
                           reason="no loss-sensitivity "
                           "evaluation of clean and corrupted examples in the window")
    per_seed.append(float(np.mean([h["sensitivity/gini_clean"] - h["sensitivity/gini_corrupted"]
                                   for h in entries])))
  seeds = [readings.seed(r) for r in records]
  kept, dropped = verdicts.drop_nan(seeds, per_seed, "the Gini coefficients in the window")
  evidence = {"window": list(window), "per_seed_difference": per_seed, "seeds": seeds,
              "dropped_seeds": dropped}
  if len(kept) < declared.MIN_SEEDS:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{len(kept)} seed(s) with numbers; "
                         f"a claim needs at least {declared.MIN_SEEDS}")
  test, verdict = verdicts.t_test("Gini(clean) - Gini(corrupted), mean over the window",
                                  [per_seed[i] for i in kept], "one value per seed" +
                                  (f"; {len(dropped)} seed(s) left out (NaN)" if dropped else ""))
  return verdicts.line(claim, verdict, evidence, test)


def _series(rec, key):
  return [(h["epoch"], h[key]) for h in rec.get("history", []) if h.get(key) is not None]


def csr_grows_more_on_noise(records: list) -> dict:
  """The critical sample ratio rises over training, more on noise than on real data.

  Per seed: the least-squares line of CSR(corrupted) - CSR(clean) against the epoch, its
  rise from the first to the last evaluation (stats.fitted_rise), and the same of
  CSR(corrupted); a t interval over seeds of each; both must be above 0. The rise is a
  linear function of the series, so when the gap wanders with no trend (a random walk,
  autocorrelated noise) it is centred and Gaussian, and the t test over independent
  seeds keeps its level even when the seeds' spreads differ; a per-seed rank
  correlation is bounded and piles up near +-1 for a random walk, where a t interval
  over 3-5 of them is not a valid test. Epochs are never permuted (they are
  autocorrelated); seeds are the independent units. A seed with a NaN in its series is
  left out and named in the evidence.

  Args:
    records: result records, one per seed, with critical-sample-ratio histories.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "the critical sample ratio grows more on noise than on real data during training"
  why = verdicts.paired(records)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why)
  series = []
  for rec in records:
    clean = dict(_series(rec, "csr/clean"))
    noisy = dict(_series(rec, "csr/corrupted"))
    epochs = sorted(set(clean) & set(noisy))
    if len(epochs) < declared.MIN_TREND_POINTS:
      return verdicts.line(claim, declared.NOT_TESTABLE, {"evaluations": len(epochs)},
                           reason=f"{len(epochs)} CSR evaluations in a seed; a trend needs "
                           f"{declared.MIN_TREND_POINTS}")
    series.append((epochs, [noisy[e] for e in epochs], [clean[e] for e in epochs]))
  seeds = [readings.seed(r) for r in records]
  kept, dropped = verdicts.drop_nan(seeds, [n + c for _, n, c in series], "the CSR series")
  gaps = [float(stats.fitted_rise(e, np.subtract(n, c))) for e, n, c in series]
  growth = [float(stats.fitted_rise(e, n)) for e, n, _ in series]
  evidence = {"rise_gap_per_seed": gaps, "rise_corrupted_per_seed": growth, "seeds": seeds,
              "dropped_seeds": dropped}
  if len(kept) < declared.MIN_SEEDS:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{len(kept)} seed(s) with a CSR "
                         f"series free of NaN; a claim needs at least {declared.MIN_SEEDS}")
  method = "one least-squares rise per seed" + (
      f"; {len(dropped)} seed(s) left out (NaN)" if dropped else "")
  test, gap_verdict = verdicts.t_test("rise over training of CSR corrupted - CSR clean "
                                      "(least-squares line, first to last evaluation)",
                                      [gaps[i] for i in kept], method)
  grows_test, grows = verdicts.t_test("rise over training of CSR corrupted",
                                      [growth[i] for i in kept], method)
  test["also"] = grows_test
  return verdicts.line(claim, verdicts.combine([gap_verdict, grows]), evidence, test)
