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

"""Regularizers and capacity (Arpit et al. 2017, sections 4 and 5).

Regularizers slow the memorization of noise more than the learning of real data (at
matched progress), and higher capacity fits noise in fewer epochs.
"""

import math

import numpy as np

from suite import constants
from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import readings
from suite.analysis.claims import verdicts


def _log_time_ratio(reg: dict, base: dict) -> tuple[float, float]:
  """Bounds on log(T_noise / T_clean) under the regularizer minus the same without it,
  from the grid brackets (lo, hi] of each time (fit_bracket)."""
  log = lambda x: math.log(x) if x > 0 else -math.inf
  lower = (log(reg["corrupted"][0]) - log(reg["clean"][1]) - log(base["corrupted"][1])
           + log(base["clean"][0]))
  upper = (log(reg["corrupted"][1]) - log(reg["clean"][0]) - log(base["corrupted"][0])
           + log(base["clean"][1]))
  return lower, upper


def regularizers_slow_noise_more(regularized: dict, baseline: list, num_classes: int,
                                 margin: float = declared.VALIDATION_MARGIN, *,
                                 level: float = constants.FIT_THRESHOLD) -> list[dict]:
  """One line per regularizer ({name: records per seed}), Holm-corrected as a family.

  At matched progress, not at a fixed epoch: per run, the epochs each kind of training
  example (clean, corrupted) takes to reach `level` of fit, and per seed the log of their
  ratio (noise over clean) under the regularizer minus without it. A regularizer that
  slows all learning by the same factor leaves the ratio unchanged, whether or not a fit
  has saturated by the end of the budget (comparing fits at the end mistakes that for
  slowing noise more: the clean fit is saturated, only the noisy one shows it). Epochs
  are read off the evaluation grid, so each is known within a bracket (fit_bracket; a
  noise never fitted under the regularizer: above the last evaluation); `held` takes
  the least favourable end of every bracket (t interval over seeds above 0,
  Holm-adjusted across the regularizers) and needs validation accuracy not worse than
  the baseline's by more than `margin` (one-sided non-inferiority); `contradicted`
  takes the most favourable end (t interval below 0). Not testable where the grid
  cannot bound the ratio: clean examples fitted by the first evaluation, or never under
  the regularizer (it stopped learning real data: no matched progress).

  Args:
    regularized: {regularizer name: records per seed}.
    baseline: result records, one per seed: no regularizer.
    num_classes: C (the final fits' log-odds above chance are reported in the evidence).
    margin: the validation non-inferiority margin.
    level: the fit level both kinds are timed to (declared; constants.FIT_THRESHOLD by default).

  Returns:
    One claim line per regularizer, Holm-adjusted as a family.
  """
  lines: list[dict] = []
  pvalues: list[float | None] = []
  kinds = {"clean": "memorization/fit_clean", "corrupted": "memorization/fit_corrupted"}
  for name, recs in regularized.items():
    claim = (f"{name} slows memorization of noise more than learning of real data (epochs "
             "to fit noise over epochs to fit clean examples grow; validation not worse)")
    why = verdicts.paired(recs, baseline)
    validation = [readings.metric(r, "validation/accuracy") for r in recs]
    validation_base = [readings.metric(r, "validation/accuracy") for r in baseline]
    found = [[{k: readings.fit_bracket(r, key, level) for k, key in kinds.items()} for r in group]
             for group in (recs, baseline)]
    brackets = [[{k: b for k, b in run.items() if b is not None} for run in group]
                for group in found]
    if not why and (None in validation + validation_base or any(
        len(run) < len(kinds) for group in brackets for run in group)):
      why = ("needs the fits of clean and corrupted examples over training (history) and a "
             "validation split")
    # Slowing memorization means something only where the baseline memorized the noise.
    why = why or verdicts.unfitted({"baseline": baseline})
    evidence: dict = {}
    if not why:
      evidence = {"seeds": [readings.seed(r) for r in recs], "level": level,
                  "budget": readings.budget(recs[0])}
      for label, group in (("", brackets[0]), ("_baseline", brackets[1])):
        for kind in kinds:
          evidence[f"epochs_{kind}{label}"] = [readings.bracket_json(run[kind]) for run in group]
      evidence.update({
          "fit_corrupted": [readings.metric(r, kinds["corrupted"]) for r in recs],
          "fit_corrupted_baseline": [readings.metric(r, kinds["corrupted"]) for r in baseline],
          "fit_clean": [readings.metric(r, kinds["clean"]) for r in recs],
          "validation": validation, "validation_baseline": validation_base})
      finals = [[readings.metric(r, kinds["corrupted"]) for r in g] for g in (baseline, recs)]
      if None not in finals[0] + finals[1]:
        evidence["final_logodds_noisy_drop"] = (
            stats.log_odds_above_chance(finals[0], num_classes)
            - stats.log_odds_above_chance(finals[1], num_classes)).tolist()
      if any(run["clean"][0] <= 0 for group in brackets for run in group):
        why = (f"clean examples reached {level} by the first evaluation in some run: "
               f"the evaluation grid cannot tell how much {name} slowed them (evaluate "
               "more often)")
      elif any(not math.isfinite(run["clean"][1]) for run in brackets[0]):
        why = (f"clean examples never reached {level} under {name} in some seed: it "
               "stopped learning real data, so there is no matched progress to compare at")
      elif any(not math.isfinite(run["corrupted"][1]) for run in brackets[1]):
        why = (f"the baseline's corrupted examples never reached {level} over its "
               "evaluations")
    if why:
      lines.append(verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why))
      pvalues.append(None)
      continue
    bounds = np.array([_log_time_ratio(r, b) for r, b in zip(*brackets)])
    lower, upper = bounds[:, 0], bounds[:, 1]
    evidence["log_time_ratio_lower"] = lower.tolist()
    evidence["log_time_ratio_upper"] = [u if math.isfinite(u) else "inf" for u in upper]
    statistic = ("log(epochs to fit noise / epochs to fit clean) with the regularizer minus "
                 "without, least favourable within the evaluation-grid brackets")
    method = "paired by seed; each epoch known within its evaluation-grid bracket"
    if np.isfinite(lower).all():
      test, verdict = verdicts.t_test(statistic, lower, method)
      # A lower bound never contradicts.
      verdict = declared.HELD if verdict == declared.HELD else declared.INCONCLUSIVE
    else:  # A noise fitted by the first evaluation under the regularizer: no lower bound.
      test = stats.test_record(statistic, None, 0.0, (None, None), len(lower),
                               f"{verdicts.LEVEL_TEXT} t interval over seeds, {method}", p=1.0)
      verdict = declared.INCONCLUSIVE
    if np.isfinite(upper).all():
      _, _, hi = stats.t_interval(upper)
      test["upper_bound_interval_hi"] = float(hi)
      if hi < 0:
        verdict = declared.CONTRADICTED
    validation_difference = np.subtract(validation, validation_base)
    val_test, not_worse = verdicts.t_test(f"validation accuracy minus baseline (margin {margin})",
                                          validation_difference, "paired by seed, non-inferiority",
                                          null=-margin)
    test["also"] = val_test
    lines.append(verdicts.line(claim, verdict, evidence, test))
    lines[-1]["_parts"] = (verdict, not_worse)
    pvalues.append(test["p"])
  tested = [i for i, p in enumerate(pvalues) if p is not None]
  adjusted = stats.holm([p for p in pvalues if p is not None]) if tested else np.zeros(0)
  for i, p_holm in zip(tested, adjusted):
    line = lines[i]
    verdict, not_worse = line.pop("_parts")
    line["test"]["p_holm"] = float(p_holm)
    line["test"]["method"] += f"; Holm over {len(tested)} regularizers"
    if verdict == declared.HELD and p_holm > declared.ALPHA_SIDE:
      verdict = declared.INCONCLUSIVE
    line["verdict"] = (verdicts.combine([verdict, not_worse])
                       if verdict != declared.CONTRADICTED else verdict)
  return lines


def capacity_speeds_up_noise_fitting(sweep: dict, setting: str, source: str = declared.ARPIT,
                                     permutations: int = declared.PERMUTATIONS) -> dict:
  """Across a capacity sweep ({value: records per seed}), epochs to fit the noise fall.

  Per seed, the Spearman correlation of capacity with epochs to fit the corrupted
  examples (never fitted: censored, ranked after every fitted value, ties shared);
  tested across seeds by permuting each seed's outcomes across the sweep points
  (Page's test). Not testable when the sweep cannot reach the level at all.

  Args:
    sweep: {capacity value: records per seed}.
    setting: the swept setting's name.
    source: whose claim it is.
    permutations: permutations of the trend's null.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  label = f" ({source})" if source != declared.ARPIT else ""
  claim = (f"higher capacity ({setting}) fits noise in fewer epochs (epochs to reach the fit "
           f"threshold on corrupted examples shrink){label}")
  values = sorted(sweep)
  why = verdicts.paired(*[sweep[v] for v in values]) if values else "an empty sweep"
  epochs = [[readings.epochs_to_fit(r, "memorization/fit_corrupted") for r in sweep[v]]
            for v in values]
  evidence = {setting: values, "epochs_corrupted": epochs, "threshold": constants.FIT_THRESHOLD,
              "budget": readings.budget(sweep[values[0]][0]) if values else None}
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why, source=source)
  if len(values) < 3:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{len(values)} sweep points; a trend "
                         "needs at least 3", source=source)
  if all(e is None for row in epochs for e in row):
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason="no capacity fitted the noise within "
                         "the budget", source=source)
  outcomes = np.array([[math.inf if e is None else e for e in row] for row in epochs]).T
  result = stats.page_trend(outcomes, permutations)
  evidence["spearman_per_seed"] = result["per_seed"]
  if result["min_p"] > declared.ALPHA_SIDE:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=f"{len(values)} points x "
                         f"{outcomes.shape[0]} seeds: an exact permutation test cannot reach "
                         f"{declared.ALPHA_SIDE}", source=source)
  test = stats.test_record(
      "mean within-seed Spearman(capacity, epochs to fit noise)", result["value"],
      result["null"], result["interval"], outcomes.shape[0],
      f"{verdicts.LEVEL_TEXT} range of the permutation null (each seed's outcomes permuted across "
      f"sweep points, {permutations} draws; Page's test); never fitted = censored",
      p_less=result["p_less"], p_greater=result["p_greater"])
  lo, hi = result["interval"]
  verdict = (declared.HELD if result["value"] < lo else
             declared.CONTRADICTED if result["value"] > hi else declared.INCONCLUSIVE)
  return verdicts.line(claim, verdict, evidence, test, source=source)
