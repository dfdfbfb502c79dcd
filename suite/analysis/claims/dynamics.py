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

"""Memorization dynamics (Arpit et al. 2017, sections 4 and 5): noise level, data size,
early stopping and depth (depth: the project brief's hypothesis).

Trends along a sweep are Page's permutation test (suite.analysis.stats.page_trend, each
seed's outcomes permuted across the sweep points); quantities read off the evaluation grid
are tested on the least favourable order the grid allows (stats.bracket_trend).
"""

import math

import numpy as np

from suite import constants
from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import readings
from suite.analysis.claims import verdicts


def _trend(claim: str, sweep: dict, setting: str, outcome, side: str, statistic: str,
           source: str = declared.ARPIT, permutations: int = declared.PERMUTATIONS,
           evidence: dict | None = None) -> dict:
  """A within-seed trend of outcome(record) along the sorted sweep points ({value: records
  per seed}), tested as capacity_speeds_up_noise_fitting does (stats.page_trend, each
  seed's outcomes permuted across the points). outcome returns a float (inf: censored,
  ranked after every finite value) or None (missing: not testable). side: the claimed
  sign of the trend ('greater': the outcome grows with the setting)."""
  values = sorted(sweep)
  evidence = dict(evidence or {}, **{setting: values})
  why = verdicts.paired(*[sweep[v] for v in values]) if values else "an empty sweep"
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why, source=source)
  if len(values) < 3:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{len(values)} sweep points; a trend "
                         "needs at least 3", source=source)
  outcomes = [[outcome(r) for r in sweep[v]] for v in values]
  evidence["outcomes"] = [[None if o is None else "NaN" if o != o else o if math.isfinite(o)
                           else "censored" for o in row] for row in outcomes]
  if any(o is None for row in outcomes for o in row):
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{statistic}: missing in some run",
                         source=source)
  table = np.array(outcomes, np.float64).T  # [seeds, points]
  kept, dropped = verdicts.drop_nan([readings.seed(r) for r in sweep[values[0]]], list(table),
                                    statistic)
  evidence["dropped_seeds"] = dropped
  if len(kept) < declared.MIN_SEEDS:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{len(kept)} seed(s) with a number at every sweep point; a "
                         f"claim needs at least {declared.MIN_SEEDS}", source=source)
  table = table[kept]
  if not np.isfinite(table).any():
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason="censored at every sweep point",
                         source=source)
  result = stats.page_trend(table, permutations)
  evidence["spearman_per_seed"] = result["per_seed"]
  if result["min_p"] > declared.ALPHA_SIDE:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=f"{len(values)} points x "
                         f"{table.shape[0]} seeds: an exact permutation test cannot reach "
                         f"{declared.ALPHA_SIDE}", source=source)
  test = stats.test_record(
      f"mean within-seed Spearman({setting}, {statistic})", result["value"], result["null"],
      result["interval"], table.shape[0],
      f"{verdicts.LEVEL_TEXT} range of the permutation null (each seed's outcomes permuted "
      f"across sweep points, {permutations} draws; Page's test)" + (
          f"; {len(dropped)} seed(s) left out (NaN)" if dropped else ""),
      p_less=result["p_less"], p_greater=result["p_greater"])
  lo, hi = result["interval"]
  value = result["value"]
  above, below = value > hi, value < lo
  if side == "greater":
    verdict = declared.HELD if above else declared.CONTRADICTED if below else declared.INCONCLUSIVE
  else:
    verdict = declared.HELD if below else declared.CONTRADICTED if above else declared.INCONCLUSIVE
  return verdicts.line(claim, verdict, evidence, test, source=source)


def _censored(epochs):
  return math.inf if epochs is None else float(epochs)


def noise_level_slows_fitting(sweep: dict, permutations: int = declared.PERMUTATIONS) -> dict:
  """More label noise, more epochs to fit the training set (Arpit et al. 2017, Fig. 4).

  Per seed, the Spearman correlation of the noise level with the epochs to reach
  constants.FIT_THRESHOLD on every training example (memorization/train_fit; never reached:
  censored); the trend across seeds by Page's permutation test (_trend).

  Args:
    sweep: {label noise: records per seed}, the baseline's level included.
    permutations: permutations of the trend's null.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("more label noise needs more epochs to fit the training set (epochs to reach the "
           "fit threshold on all training examples grow with the noise level)")
  return _trend(claim, sweep, "label_noise",
                lambda r: _censored(readings.epochs_to_fit(r, "memorization/train_fit")), "greater",
                "epochs to fit the training set (never: censored)", permutations=permutations,
                evidence={"threshold": constants.FIT_THRESHOLD})


def data_size_slows_noise_relative_to_real(sweep: dict) -> dict:
  """With more data, noise takes longer to fit relative to real data (Arpit et al. 2017).

  Per seed and size: epochs to fit the corrupted examples over epochs to fit the clean
  ones, known within the brackets of the evaluation grid (fit_bracket: the ratio lies in
  (lo_corrupted / hi_clean, hi_corrupted / lo_clean); corrupted never fitted: above the
  last evaluation over hi_clean; clean never fitted: not testable, there is no
  reference). Rounding each epoch up to the grid inflates the small clean counts of
  small sets relatively more, which alone makes the ratio rise with the size; so the
  trend is tested on the least favourable order of the ratios the brackets allow
  (stats.bracket_trend: the exact null of Page's test, each seed's true ratios in a
  random order across sizes). Held when even that order's mean within-seed Spearman
  correlation lies above the null's range; contradicted when even the most favourable
  lies below it.

  Args:
    sweep: {training-set size: records per seed}, the baseline's size included.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("with more data, noise takes longer to fit relative to real data (epochs to fit "
           "corrupted over epochs to fit clean examples grow with the training-set size)")
  values = sorted(sweep)
  evidence: dict = {"threshold": constants.FIT_THRESHOLD, "train_size": values}
  why = verdicts.paired(*[sweep[v] for v in values]) if values else "an empty sweep"
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why)
  if len(values) < 3:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{len(values)} sweep points; a trend "
                         "needs at least 3")
  if len(values) > stats.MAX_BRACKET_POINTS:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{len(values)} sweep points; the "
                         f"bracketed trend enumerates orders of at most {stats.MAX_BRACKET_POINTS}")
  found = [[(readings.fit_bracket(r, "memorization/fit_corrupted"),
             readings.fit_bracket(r, "memorization/fit_clean")) for r in sweep[v]] for v in values]
  evidence["epochs_corrupted"] = [[readings.bracket_json(c) for c, _ in row] for row in found]
  evidence["epochs_clean"] = [[readings.bracket_json(c) for _, c in row] for row in found]
  brackets = [[(n, c) for n, c in row if n is not None and c is not None] for row in found]
  if any(len(row) < len(found_row) for row, found_row in zip(brackets, found)):
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason="epochs to fit corrupted / clean "
                         "examples: missing in some run (no fit history)")
  if any(not math.isfinite(c[1]) for row in brackets for _, c in row):
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"clean examples never reached "
                         f"{constants.FIT_THRESHOLD} in some run: the ratio's reference is missing")
  lo = np.array([[n[0] / c[1] for n, c in row] for row in brackets]).T  # [seeds, points]
  hi = np.array([[n[1] / c[0] if c[0] > 0 else math.inf for n, c in row]
                 for row in brackets]).T
  evidence["ratio_brackets"] = [[[float(a), float(b) if math.isfinite(b) else "inf"]
                                 for a, b in zip(x, y)] for x, y in zip(lo.T, hi.T)]
  result = stats.bracket_trend(lo, hi)
  evidence["spearman_per_seed_least_favourable"] = result["lower"]
  evidence["spearman_per_seed_most_favourable"] = result["upper"]
  if result["min_p"] > declared.ALPHA_SIDE:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=f"{len(values)} points x "
                         f"{lo.shape[0]} seeds: an exact permutation test cannot reach "
                         f"{declared.ALPHA_SIDE}")
  test = stats.test_record(
      "mean within-seed Spearman(train_size, epochs to fit corrupted / epochs to fit clean), "
      "least favourable order within the evaluation-grid brackets", result["value_lower"],
      result["null"], result["interval"], lo.shape[0],
      "range of the exact null of Page's test (each seed's ratios in a random order across "
      "sizes); held when the least favourable order lies above it (p_greater <= "
      f"{declared.ALPHA_SIDE}), contradicted when the most favourable lies below it",
      value_most_favourable=result["value_upper"], p_greater=result["p_greater"],
      p_less=result["p_less"])
  alpha = declared.ALPHA_SIDE + 1e-12
  verdict = declared.HELD if result["p_greater"] <= alpha else declared.CONTRADICTED \
      if result["p_less"] <= alpha else declared.INCONCLUSIVE
  return verdicts.line(claim, verdict, evidence, test)



def gini_falls_with_noise(sweep: dict, window: tuple = declared.GINI_WINDOW,
                          permutations: int = declared.PERMUTATIONS) -> dict:
  """Loss sensitivity is less concentrated with more noise (Arpit et al. 2017, section 4).

  Per seed and noise level: the mean over the declared window (as
  sensitivity_more_concentrated_on_real_data) of the Gini coefficient of loss
  sensitivity on a fixed-size sample of the whole training set (sensitivity/gini_all:
  the noise share is the run's); its trend with the noise level by Page's test.

  Args:
    sweep: {label noise: records per seed}, the baseline's level included.
    window: fractions of the budget averaged over.
    permutations: permutations of the trend's null.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("loss sensitivity is less concentrated (lower Gini over the training set) with "
           "more label noise")
  return _trend(claim, sweep, "label_noise",
                lambda r: readings.window_mean(r, "sensitivity/gini_all", window), "less",
                "Gini of loss sensitivity, mean over the window", permutations=permutations,
                evidence={"window": list(window)})



def noise_fitted_less_at_best_validation(records: list,
                                         margin: float = declared.EARLY_STOP_MARGIN) -> dict:
  """Early stopping (Arpit et al. 2017, section 5): at the epoch of best validation
  accuracy the noise is fitted much less than real data.

  Per seed, at that epoch: fit of clean minus fit of corrupted training examples. Null:
  the gap is at most `margin` (declared); held when the t interval over seeds lies above
  it, contradicted when below. Corrupted examples whose random label is the true class
  count as fitted when right: the gap is, if anything, understated. Not testable unless
  the noise is memorized (constants.FIT_THRESHOLD) by the end of the budget in every seed: without
  memorization there is nothing for early stopping to prevent.

  Args:
    records: result records, one per seed, with validation and fit histories.
    margin: the declared margin ("much less").

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = (f"at the best-validation epoch the noise is fitted much less than real data "
           f"(fit of clean minus corrupted examples above {margin})")
  why = verdicts.paired(records)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why)
  gaps: list[float] = []
  evidence: dict = {"margin": margin, "seeds": [readings.seed(r) for r in records],
                    "best_validation_epoch": [], "fit_clean_at_best": [],
                    "fit_corrupted_at_best": [], "fit_corrupted_final": [],
                    "test_accuracy_at_best": [], "test_accuracy_final": []}
  for rec in records:
    best = readings.best_validation_entry(rec)
    if best is None or best.get("memorization/fit_clean") is None or \
        best.get("memorization/fit_corrupted") is None:
      return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                           reason="needs validation accuracy and the "
                           "fits of clean and corrupted examples at the same evaluations")
    gaps.append(best["memorization/fit_clean"] - best["memorization/fit_corrupted"])
    evidence["best_validation_epoch"].append(best["epoch"])
    evidence["fit_clean_at_best"].append(best["memorization/fit_clean"])
    evidence["fit_corrupted_at_best"].append(best["memorization/fit_corrupted"])
    evidence["fit_corrupted_final"].append(readings.metric(rec, "memorization/fit_corrupted"))
    evidence["test_accuracy_at_best"].append(best.get("test/accuracy"))
    evidence["test_accuracy_final"].append(readings.metric(rec, "test/accuracy"))
  # Early stopping prevents memorization only where there is memorization to prevent.
  why = verdicts.unfitted({"partial-noise": records})
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why)
  test, verdict = verdicts.t_test("fit of clean minus fit of corrupted examples at the "
                                  "best-validation epoch", gaps, f"paired within seed; null: gap "
                                  f"<= {margin}", null=margin)
  return verdicts.line(claim, verdict, evidence, test)


def depth_does_not_hurt_generalization(sweep: dict, baseline_depth: int, model: str,
                                       margin: float = declared.DEPTH_MARGIN) -> dict:
  """The project brief's hypothesis: depth does not hurt generalization.

  Per depth other than the baseline's, paired by seed: final validation accuracy minus
  the baseline depth's. Non-inferiority against the declared margin: held when, for
  every depth, the t interval over seeds lies above -margin (intersection-union, so no
  multiplicity correction); contradicted when, for some depth, it lies below -margin.
  The two-sided equivalence (TOST, +-margin) per depth is reported as evidence.

  Args:
    sweep: {depth: records per seed}, the baseline depth included.
    baseline_depth: the depth every other is compared with.
    model: the model's name (reported).
    margin: the declared margin (absolute validation accuracy).

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = (f"depth does not hurt generalization ({model}: final validation accuracy at every "
           f"depth not below depth {baseline_depth}'s by more than {margin})")
  depths = sorted(sweep)
  evidence: dict = {"model": model, "baseline_depth": baseline_depth, "margin": margin,
                    "depths": depths}
  if baseline_depth not in sweep or len(depths) < 2:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason="needs the baseline depth and another",
                         source=declared.BRIEF)
  why = verdicts.paired(*[sweep[d] for d in depths])
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why, source=declared.BRIEF)
  accuracy = {d: [readings.metric(r, "validation/accuracy") for r in sweep[d]] for d in depths}
  evidence["validation_accuracy"] = {str(d): accuracy[d] for d in depths}
  if any(a is None for values in accuracy.values() for a in values):
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason="needs a validation split",
                         source=declared.BRIEF)
  parts, tests, equivalence = [], {}, {}
  for depth in depths:
    if depth == baseline_depth:
      continue
    differences = np.subtract(accuracy[depth], accuracy[baseline_depth])
    test, verdict = verdicts.t_test(f"validation accuracy at depth {depth} minus depth "
                                    f"{baseline_depth}", differences,
                                    f"paired by seed, non-inferiority (margin {margin})",
                                    null=-margin)
    _, lo, hi = stats.t_interval(differences)
    equivalence[str(depth)] = stats.equivalence_verdict(lo, hi, margin)
    parts.append(verdict)
    tests[depth] = test
  evidence["equivalence_tost"] = equivalence
  evidence["tests"] = {str(d): t for d, t in tests.items()}
  worst = min(tests, key=lambda d: tests[d]["interval"][0])  # Nearest to failing.
  return verdicts.line(claim, verdicts.combine(parts), evidence, tests[worst],
                       source=declared.BRIEF)
