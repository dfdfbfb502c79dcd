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

"""The claims of suite.analysis.claims.regularizers and .dynamics line by line, against
hand-computed answers: whole claim lines (claim, evidence, test, reason) compared with
lines written out here, every t test and interval recomputed with scipy, Holm by hand,
and each refusal's message asserted whole."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite import constants
from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import dynamics
from suite.analysis.claims import regularizers

BUDGET = 20


def _p_greater(values, null=0.0):
  return float(scipy_stats.ttest_1samp(values, null, alternative="greater").pvalue)


def _interval(values):
  ci = scipy_stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
  return [float(ci.low), float(ci.high)]


def _t_record(statistic, values, method, null=0.0, **extra):
  values = np.asarray(values, float)
  out = {"statistic": statistic, "value": pytest.approx(float(values.mean())),
         "null": null, "interval": pytest.approx(_interval(values)), "n": len(values),
         "method": f"95% t interval over seeds, {method}",
         "p": pytest.approx(_p_greater(values, null))}
  out.update(extra)
  return out


def _rec(seed, history=(), epochs=BUDGET, **metrics):
  return {"settings": {"train": {"seed": seed, "epochs": epochs}}, "history": list(history),
          "metrics": metrics}


# --- regularizers_slow_noise_more.

GRID = list(range(2, BUDGET + 1, 2))  # Evaluations every second epoch, none at epoch 0.


def _reg_run(seed, clean_at, corrupted_at, validation=0.8, corrupted_final=0.99,
             clean_final=1.0):
  """Fits logged on GRID: each 1.0 from its epoch on (None: never), 0.3 before."""
  history = [{"epoch": e,
              "memorization/fit_clean": 1.0 if clean_at is not None and e >= clean_at else 0.3,
              "memorization/fit_corrupted":
                  1.0 if corrupted_at is not None and e >= corrupted_at else 0.3}
             for e in GRID]
  return _rec(seed, history, **{"validation/accuracy": validation,
                                "memorization/fit_corrupted": corrupted_final,
                                "memorization/fit_clean": clean_final})


REG_CLAIM = ("{} slows memorization of noise more than learning of real data (epochs to fit "
             "noise over epochs to fit clean examples grow; validation not worse)")
REG_STATISTIC = ("log(epochs to fit noise / epochs to fit clean) with the regularizer minus "
                 "without, least favourable within the evaluation-grid brackets")
REG_METHOD = "paired by seed; each epoch known within its evaluation-grid bracket"


def _bracket(at):
  """The (lo, hi] bracket of a fit first reached at `at` on GRID."""
  if at is None:
    return (float(GRID[-1]), math.inf)
  i = GRID.index(at)
  return (float(GRID[i - 1]) if i else 0.0, float(at))


def _bracket_json(at):
  lo, hi = _bracket(at)
  return [lo, hi if math.isfinite(hi) else "never"]


def _logodds(fit, classes=10):
  fit = min(max(fit, 1e-3), 1 - 1e-3)
  return math.log(fit / (1 - fit)) - math.log((1 / classes) / (1 - 1 / classes))


def _reg_case(name, reg_clean, reg_noise, base_clean, base_noise, reg_val, base_val,
              reg_final, base_final):
  """The expected line (before Holm) and its bounds, everything by hand."""
  def log(x):
    return math.log(x) if x > 0 else -math.inf
  lower, upper = [], []
  for rc, rn, bc, bn in zip(reg_clean, reg_noise, base_clean, base_noise):
    rcl, rnl, bcl, bnl = _bracket(rc), _bracket(rn), _bracket(bc), _bracket(bn)
    lower.append(log(rnl[0]) - log(rcl[1]) - log(bnl[1]) + log(bcl[0]))
    upper.append(log(rnl[1]) - log(rcl[0]) - log(bnl[0]) + log(bcl[1]))
  evidence = {
      "seeds": list(range(len(reg_clean))), "level": constants.FIT_THRESHOLD, "budget": BUDGET,
      "epochs_clean": [_bracket_json(a) for a in reg_clean],
      "epochs_corrupted": [_bracket_json(a) for a in reg_noise],
      "epochs_clean_baseline": [_bracket_json(a) for a in base_clean],
      "epochs_corrupted_baseline": [_bracket_json(a) for a in base_noise],
      "fit_corrupted": list(reg_final), "fit_corrupted_baseline": list(base_final),
      "fit_clean": [1.0] * len(reg_clean), "validation": list(reg_val),
      "validation_baseline": list(base_val),
      "final_logodds_noisy_drop": pytest.approx(
          [_logodds(b) - _logodds(r) for b, r in zip(base_final, reg_final)]),
      "log_time_ratio_lower": pytest.approx(lower),
      "log_time_ratio_upper": [pytest.approx(u) if math.isfinite(u) else "inf" for u in upper]}
  return evidence, np.array(lower), np.array(upper)


def _reg_inputs(reg_clean, reg_noise, base_clean, base_noise, reg_val, base_val,
                reg_final=None, base_final=None):
  n = len(reg_clean)
  reg_final = reg_final or [0.99] * n
  base_final = base_final or [0.98] * n
  recs = [_reg_run(s, reg_clean[s], reg_noise[s], reg_val[s], reg_final[s]) for s in range(n)]
  base = [_reg_run(s, base_clean[s], base_noise[s], base_val[s], base_final[s])
          for s in range(n)]
  return recs, base, reg_final, base_final


def test_regularizers_two_lines_every_number_by_hand():
  base_clean, base_noise = [4, 4, 4, 4], [6, 6, 6, 6]
  base_val = [0.80, 0.81, 0.79, 0.80]
  # dropout: noise much later under it, validation a little better.
  d_clean, d_noise, d_val = [4, 4, 4, 4], [16, 18, 20, 18], [0.81, 0.815, 0.80, 0.812]
  # weight_decay: barely slower, validation much worse.
  w_clean, w_noise, w_val = [4, 4, 4, 4], [8, 12, 10, 14], [0.70, 0.72, 0.69, 0.71]
  d_recs, base, d_final, base_final = _reg_inputs(d_clean, d_noise, base_clean, base_noise,
                                                  d_val, base_val, [0.99, 0.97, 0.995, 0.96])
  w_recs, _, w_final, _ = _reg_inputs(w_clean, w_noise, base_clean, base_noise, w_val, base_val,
                                      [0.999, 0.9995, 1.0, 0.98])
  lines = regularizers.regularizers_slow_noise_more(
      {"dropout": d_recs, "weight_decay": w_recs}, base, 10)
  cases = [("dropout", d_clean, d_noise, d_val, d_final), ("weight_decay", w_clean, w_noise,
                                                           w_val, w_final)]
  p_values = []
  expected = []
  for name, clean, noise, val, final in cases:
    evidence, lower, upper = _reg_case(name, clean, noise, base_clean, base_noise, val,
                                       base_val, final, base_final)
    diff = np.subtract(val, base_val)
    also = _t_record("validation accuracy minus baseline (margin 0.02)", diff,
                     "paired by seed, non-inferiority", null=-0.02)
    test = _t_record(REG_STATISTIC, lower,
                     REG_METHOD + "; Holm over 2 regularizers",
                     upper_bound_interval_hi=pytest.approx(_interval(upper)[1]), also=also)
    p_values.append(_p_greater(lower))
    expected.append((name, evidence, test, lower, diff))
  # Holm over the two, by hand.
  small, large = sorted(p_values)
  adjusted = {small: min(1.0, 2 * small)}
  adjusted[large] = max(adjusted[small], min(1.0, large))
  for line, (name, evidence, test, lower, diff) in zip(lines, expected):
    test["p_holm"] = pytest.approx(adjusted[_p_greater(lower)])
    assert line["claim"] == REG_CLAIM.format(name)
    assert line["evidence"] == evidence
    assert line["test"] == test
    assert line["source"] == declared.ARPIT and "reason" not in line
    assert set(line) == {"claim", "source", "verdict", "evidence", "test"}
  # dropout: the lower bounds' interval lies above 0 after Holm, validation not worse.
  assert _interval(expected[0][3])[0] > 0 and adjusted[p_values[0]] <= 0.025
  assert _interval(expected[0][4] + 0.02)[0] > 0
  assert lines[0]["verdict"] == declared.HELD
  # weight_decay: validation worse than the margin: contradicted by the intersection.
  assert _interval(expected[1][4] + 0.02)[1] < 0
  assert lines[1]["verdict"] == declared.CONTRADICTED


def test_regularizers_holm_turns_a_held_line_inconclusive_and_single_line_method():
  base_clean, base_noise, base_val = [4, 4, 4], [6, 6, 6], [0.80, 0.81, 0.79]
  # Lower bounds log(14/4 / 3), log(16/4 / 3), log(14/4 / 3): one-sided p about 0.02.
  noise = [16, 18, 16]
  recs, base, _, _ = _reg_inputs([4, 4, 4], noise, base_clean, base_noise,
                                 [0.81, 0.82, 0.80], base_val)
  _, lower, _ = _reg_case("a", [4, 4, 4], noise, base_clean, base_noise, [0] * 3, base_val,
                          [0.99] * 3, [0.98] * 3)
  p = _p_greater(lower)
  assert _interval(lower)[0] > 0 and 0.0125 < p <= 0.025
  (single,) = regularizers.regularizers_slow_noise_more({"a": recs}, base, 10)
  assert single["verdict"] == declared.HELD
  assert single["test"]["method"] == (f"95% t interval over seeds, {REG_METHOD}; Holm over 1 "
                                      "regularizers")
  assert single["test"]["p_holm"] == pytest.approx(p)
  # The same regularizer twice: Holm doubles the smaller p above ALPHA_SIDE.
  lines = regularizers.regularizers_slow_noise_more({"a": recs, "b": recs}, base, 10)
  assert [l["verdict"] for l in lines] == [declared.INCONCLUSIVE] * 2
  assert [l["test"]["p_holm"] for l in lines] == [pytest.approx(2 * p)] * 2
  assert lines[1]["claim"] == REG_CLAIM.format("b")
  assert all("_parts" not in l for l in lines)


def test_regularizers_unbounded_ends():
  base_clean, base_noise, base_val = [4, 4, 4], [6, 6, 6], [0.80, 0.81, 0.79]
  val = [0.80, 0.815, 0.792]
  # Noise fitted by the first evaluation under the regularizer in one seed: no lower bound.
  noise = [2, 18, 16]
  recs, base, _, _ = _reg_inputs([4, 4, 4], noise, base_clean, base_noise, val, base_val)
  (line,) = regularizers.regularizers_slow_noise_more({"l2": recs}, base, 10)
  _, lower, upper = _reg_case("l2", [4, 4, 4], noise, base_clean, base_noise, val, base_val,
                              [0.99] * 3, [0.98] * 3)
  assert lower[0] == -math.inf and np.isfinite(upper).all()
  assert line["evidence"]["log_time_ratio_lower"] == [-math.inf] + [
      pytest.approx(x) for x in lower[1:]]
  diff = np.subtract(val, base_val)
  assert line["test"] == {
      "statistic": REG_STATISTIC, "value": None, "null": 0.0, "interval": [None, None],
      "n": 3, "method": f"95% t interval over seeds, {REG_METHOD}; Holm over 1 regularizers",
      "p": 1.0, "p_holm": 1.0, "upper_bound_interval_hi": pytest.approx(_interval(upper)[1]),
      "also": _t_record("validation accuracy minus baseline (margin 0.02)", diff,
                        "paired by seed, non-inferiority", null=-0.02)}
  assert line["verdict"] == declared.INCONCLUSIVE
  # Noise never fitted under the regularizer: no upper bound, the lower bound decides.
  noise = [None, None, None]
  recs, base, _, _ = _reg_inputs([4, 4, 4], noise, base_clean, base_noise, val, base_val)
  (line,) = regularizers.regularizers_slow_noise_more({"l2": recs}, base, 10)
  _, lower, upper = _reg_case("l2", [4, 4, 4], noise, base_clean, base_noise, val, base_val,
                              [0.99] * 3, [0.98] * 3)
  assert line["evidence"]["log_time_ratio_upper"] == ["inf"] * 3
  assert "upper_bound_interval_hi" not in line["test"]
  assert line["test"]["value"] == pytest.approx(lower.mean())


def test_regularizers_contradicted_when_even_the_upper_bound_is_below_zero():
  # The regularizer makes noise fit much sooner relative to clean data.
  base_clean, base_noise, base_val = [4, 4, 4, 4], [18, 20, 16, 18], [0.80, 0.81, 0.79, 0.8]
  noise = [6, 6, 6, 6]
  val = [0.9, 0.91, 0.89, 0.9]
  recs, base, _, _ = _reg_inputs([4, 4, 4, 4], noise, base_clean, base_noise, val, base_val)
  (line,) = regularizers.regularizers_slow_noise_more({"mixup": recs}, base, 10)
  _, lower, upper = _reg_case("mixup", [4] * 4, noise, base_clean, base_noise, val, base_val,
                              [0.99] * 4, [0.98] * 4)
  assert _interval(upper)[1] < 0
  assert line["test"]["upper_bound_interval_hi"] == pytest.approx(_interval(upper)[1])
  assert line["test"]["value"] == pytest.approx(lower.mean())
  assert line["verdict"] == declared.CONTRADICTED  # Even with validation better.


def test_regularizers_upper_bound_interval_just_touching_zero_is_not_contradicted():
  # upper = log(2) - log(2) - log(4) + log(4) = 0 in every seed: the interval is [0, 0].
  recs, base, _, _ = _reg_inputs([4] * 3, [2] * 3, [4] * 3, [6] * 3, [0.8] * 3, [0.8] * 3)
  (line,) = regularizers.regularizers_slow_noise_more({"x": recs}, base, 10)
  assert line["test"]["upper_bound_interval_hi"] == 0.0
  assert line["verdict"] == declared.INCONCLUSIVE


def _refusal(name, reason, evidence=None):
  return {"claim": REG_CLAIM.format(name), "source": declared.ARPIT,
          "verdict": declared.NOT_TESTABLE, "evidence": evidence or {}, "reason": reason}


def test_regularizers_refusals_are_whole_lines():
  base_clean, base_noise, base_val = [4, 4, 4], [6, 6, 6], [0.80, 0.81, 0.79]
  val = [0.8, 0.8, 0.8]
  recs, base, _, _ = _reg_inputs([4, 4, 4], [16, 16, 16], base_clean, base_noise, val,
                                 base_val)
  needs = ("needs the fits of clean and corrupted examples over training (history) and a "
           "validation split")
  # No validation split in one baseline seed.
  no_val = [dict(r, metrics={k: v for k, v in r["metrics"].items()
                             if k != "validation/accuracy"}) if i == 1 else r
            for i, r in enumerate(base)]
  assert regularizers.regularizers_slow_noise_more({"a": recs}, no_val, 10) == [
      _refusal("a", needs)]
  no_val_reg = [dict(r, metrics={}) if i == 2 else r for i, r in enumerate(recs)]
  assert regularizers.regularizers_slow_noise_more({"a": no_val_reg}, base, 10) == [
      _refusal("a", needs)]
  # No corrupted fit history in one regularized seed.
  no_hist = [dict(r, history=[{k: v for k, v in h.items() if k != "memorization/fit_corrupted"}
                              for h in r["history"]]) if i == 0 else r
             for i, r in enumerate(recs)]
  assert regularizers.regularizers_slow_noise_more({"a": no_hist}, base, 10) == [
      _refusal("a", needs)]
  no_hist = [dict(r, history=[]) if i == 2 else r for i, r in enumerate(base)]
  assert regularizers.regularizers_slow_noise_more({"a": recs}, no_hist, 10) == [
      _refusal("a", needs)]
  # Unpaired: the pairing's reason comes first.
  assert regularizers.regularizers_slow_noise_more({"a": recs[:2]}, base, 10) == [
      _refusal("a", "the conditions ran for different seeds")]
  assert regularizers.regularizers_slow_noise_more({"a": recs[:2]}, no_val[:2], 10) == [
      _refusal("a", "2 seed(s); a claim needs at least 3 (the unit is the run)")]
  # The baseline never memorized the noise.
  low = [dict(r, metrics=dict(r["metrics"], **{"memorization/fit_corrupted": 0.5}))
         if i == 1 else r for i, r in enumerate(base)]
  assert regularizers.regularizers_slow_noise_more({"a": recs}, low, 10) == [_refusal(
      "a", "the noise was not memorized: baseline memorization/fit_corrupted 0.500 < 0.95 "
      "(the gate) in some seed")]


def _refused(reg_clean, reg_noise, base_clean, base_noise, name="dropout"):
  recs, base, _, _ = _reg_inputs(reg_clean, reg_noise, base_clean, base_noise, [0.8] * 3,
                                 [0.8] * 3)
  (line,) = regularizers.regularizers_slow_noise_more({name: recs}, base, 10)
  evidence, _, _ = _reg_case(name, reg_clean, reg_noise, base_clean, base_noise, [0.8] * 3,
                             [0.8] * 3, [0.99] * 3, [0.98] * 3)
  del evidence["log_time_ratio_lower"], evidence["log_time_ratio_upper"]
  assert line["evidence"] == evidence
  assert set(line) == {"claim", "source", "verdict", "evidence", "reason"}
  assert line["verdict"] == declared.NOT_TESTABLE and line["claim"] == REG_CLAIM.format(name)
  return line["reason"]


def test_regularizers_grid_refusals_keep_their_evidence():
  first = ("clean examples reached 0.95 by the first evaluation in some run: the evaluation "
           "grid cannot tell how much dropout slowed them (evaluate more often)")
  assert _refused([2, 4, 4], [16] * 3, [4] * 3, [6] * 3) == first
  assert _refused([4, 4, 4], [16] * 3, [4, 4, 2], [6] * 3) == first
  never = ("clean examples never reached 0.95 under dropout in some seed: it stopped "
           "learning real data, so there is no matched progress to compare at")
  assert _refused([4, None, 4], [16] * 3, [4] * 3, [6] * 3) == never
  assert _refused([4, 4, None], [None] * 3, [4] * 3, [6] * 3) == never
  base_never = "the baseline's corrupted examples never reached 0.95 over its evaluations"
  assert _refused([4] * 3, [16] * 3, [4] * 3, [6, None, 6]) == base_never
  assert _refused([4] * 3, [16] * 3, [4] * 3, [None, 6, 6]) == base_never
  # The baseline's clean fit never reached: its bracket is unbounded above, which the
  # least favourable bound can still use (not refused).
  recs, base, _, _ = _reg_inputs([4] * 3, [16] * 3, [4, None, 4], [6] * 3, [0.8] * 3,
                                 [0.8] * 3)
  assert "reason" not in regularizers.regularizers_slow_noise_more({"a": recs}, base, 10)[0]


def test_regularizers_level_is_the_declared_fit_level():
  recs, base, _, _ = _reg_inputs([4] * 3, [16, 18, 16], [4] * 3, [6] * 3, [0.8] * 3, [0.8] * 3)
  # Fits of 0.3 before the epoch, 1.0 after: a level of 0.2 is reached at the first evaluation.
  (line,) = regularizers.regularizers_slow_noise_more({"a": recs}, base, 10, level=0.2)
  assert line["reason"] == ("clean examples reached 0.2 by the first evaluation in some run: "
                            "the evaluation grid cannot tell how much a slowed them (evaluate "
                            "more often)")
  assert line["evidence"]["level"] == 0.2
  (line,) = regularizers.regularizers_slow_noise_more({"a": recs}, base, 10, margin=0.5)
  assert line["test"]["also"]["null"] == -0.5
  assert line["test"]["also"]["statistic"] == "validation accuracy minus baseline (margin 0.5)"


def test_regularizers_final_logodds_left_out_without_final_fits():
  recs, base, _, _ = _reg_inputs([4] * 3, [16, 18, 16], [4] * 3, [6] * 3, [0.8] * 3, [0.8] * 3)
  recs[1]["metrics"].pop("memorization/fit_corrupted")
  (line,) = regularizers.regularizers_slow_noise_more({"a": recs}, base, 10)
  assert "final_logodds_noisy_drop" not in line["evidence"]
  assert line["evidence"]["fit_corrupted"] == [0.99, None, 0.99]
  (line,) = regularizers.regularizers_slow_noise_more({"a": recs}, base, 100)
  assert "final_logodds_noisy_drop" not in line["evidence"]
  recs, base, _, _ = _reg_inputs([4] * 3, [16, 18, 16], [4] * 3, [6] * 3, [0.8] * 3, [0.8] * 3)
  (line,) = regularizers.regularizers_slow_noise_more({"a": recs}, base, 100)
  assert line["evidence"]["final_logodds_noisy_drop"] == pytest.approx(
      [_logodds(0.98, 100) - _logodds(0.99, 100)] * 3)


# --- dynamics: the trends along a sweep (Page's test), whole lines.


def _fits(seed, epochs=BUDGET, **first):
  """A run whose fits (key: epoch it reaches 1.0; None: never) are logged every epoch."""
  history = [{"epoch": epoch, **{f"memorization/{key}": 1.0 if at is not None and epoch >= at
                                 else 0.3 for key, at in first.items()}}
             for epoch in range(epochs + 1)]
  return _rec(seed, history, epochs=epochs)


NOISE_CLAIM = ("more label noise needs more epochs to fit the training set (epochs to reach the "
               "fit threshold on all training examples grow with the noise level)")
NOISE_STATISTIC = "epochs to fit the training set (never: censored)"


def _page_test(setting, statistic, table, permutations=declared.PERMUTATIONS, dropped=0):
  result = stats.page_trend(np.asarray(table, float), permutations)
  method = (f"95% range of the permutation null (each seed's outcomes permuted across sweep "
            f"points, {permutations} draws; Page's test)")
  if dropped:
    method += f"; {dropped} seed(s) left out (NaN)"
  return result, {"statistic": f"mean within-seed Spearman({setting}, {statistic})",
                  "value": result["value"], "null": result["null"],
                  "interval": result["interval"], "n": len(table), "method": method,
                  "p_less": result["p_less"], "p_greater": result["p_greater"]}


def _spearman_rows(table):
  out = []
  for row in np.asarray(table, float):
    rho = scipy_stats.spearmanr(np.arange(len(row)), row).statistic
    out.append(0.0 if rho != rho else float(rho))
  return out


def test_noise_level_slows_fitting_whole_lines():
  levels = [0.2, 0.5, 0.8]
  epochs = {0.2: [3, 4, 3, 5], 0.5: [6, 5, 8, 7], 0.8: [9, None, 12, 11]}
  sweep = {v: [_fits(s, train_fit=epochs[v][s]) for s in range(4)] for v in (0.8, 0.2, 0.5)}
  line = dynamics.noise_level_slows_fitting(sweep, permutations=500)
  table = [[math.inf if epochs[v][s] is None else epochs[v][s] for v in levels]
           for s in range(4)]
  result, test = _page_test("label_noise", NOISE_STATISTIC, table, 500)
  assert result["per_seed"] == pytest.approx(_spearman_rows(table))
  assert result["value"] > result["interval"][1]
  assert line == {
      "claim": NOISE_CLAIM, "source": declared.ARPIT, "verdict": declared.HELD,
      "evidence": {"threshold": 0.95, "label_noise": levels,
                   "outcomes": [[3.0, 4.0, 3.0, 5.0], [6.0, 5.0, 8.0, 7.0],
                                [9.0, "censored", 12.0, 11.0]],
                   "dropped_seeds": [], "spearman_per_seed": result["per_seed"]},
      "test": test}
  # Falling: contradicted; flat: inconclusive.
  falling = {v: [_fits(s, train_fit=10 - 3 * i + s % 2) for s in range(4)]
             for i, v in enumerate(levels)}
  line = dynamics.noise_level_slows_fitting(falling, permutations=500)
  table = [[10 - 3 * i + s % 2 for i in range(3)] for s in range(4)]
  result, test = _page_test("label_noise", NOISE_STATISTIC, table, 500)
  assert result["value"] < result["interval"][0]
  assert line["verdict"] == declared.CONTRADICTED and line["test"] == test
  flat = {v: [_fits(s, train_fit=[5, 6, 4][(i + s) % 3]) for s in range(3)]
          for i, v in enumerate(levels)}
  line = dynamics.noise_level_slows_fitting(flat, permutations=500)
  table = [[[5, 6, 4][(i + s) % 3] for i in range(3)] for s in range(3)]
  result, test = _page_test("label_noise", NOISE_STATISTIC, table, 500)
  assert result["interval"][0] <= result["value"] <= result["interval"][1]
  assert line["verdict"] == declared.INCONCLUSIVE and line["test"] == test
  # The default number of permutations.
  line = dynamics.noise_level_slows_fitting(flat)
  assert line["test"] == _page_test("label_noise", NOISE_STATISTIC, table)[1]


def _noise_refusal(reason, evidence):
  return {"claim": NOISE_CLAIM, "source": declared.ARPIT, "verdict": declared.NOT_TESTABLE,
          "evidence": evidence, "reason": reason}


def test_trend_refusals_are_whole_lines(monkeypatch):
  ev = {"threshold": 0.95}
  assert dynamics.noise_level_slows_fitting({}) == _noise_refusal(
      "an empty sweep", dict(ev, label_noise=[]))
  two = {v: [_fits(s, train_fit=3) for s in range(3)] for v in (0.1, 0.2)}
  assert dynamics.noise_level_slows_fitting(two) == _noise_refusal(
      "2 sweep points; a trend needs at least 3", dict(ev, label_noise=[0.1, 0.2]))
  unpaired = {v: [_fits(s, train_fit=3) for s in range(3 + (v == 0.3))] for v in (0.1, 0.2, 0.3)}
  assert dynamics.noise_level_slows_fitting(unpaired) == _noise_refusal(
      "the conditions ran for different seeds", dict(ev, label_noise=[0.1, 0.2, 0.3]))
  # A run without the Gini history: missing (None), not a number.
  missing = {v: [_gini_run(s, [0.5, 0.5]) for s in range(3)] for v in (0.1, 0.2, 0.3)}
  missing[0.2][1] = _rec(1, epochs=8)
  assert dynamics.gini_falls_with_noise(missing) == {
      "claim": GINI_CLAIM, "source": declared.ARPIT, "verdict": declared.NOT_TESTABLE,
      "evidence": {"window": [0.0, 0.25], "label_noise": [0.1, 0.2, 0.3],
                   "outcomes": [[0.5] * 3, [0.5, None, 0.5], [0.5] * 3]},
      "reason": "Gini of loss sensitivity, mean over the window: missing in some run"}
  # Never fitted anywhere: censored at every point.
  never = {v: [_fits(s, train_fit=None) for s in range(3)] for v in (0.1, 0.2, 0.3)}
  assert dynamics.noise_level_slows_fitting(never) == _noise_refusal(
      "censored at every sweep point",
      dict(ev, label_noise=[0.1, 0.2, 0.3], outcomes=[["censored"] * 3] * 3,
           dropped_seeds=[]))
  # Fewer seeds allowed: 3 points x 2 seeds cannot reach the level ((1/3!)^2 > 0.025).
  monkeypatch.setattr(declared, "MIN_SEEDS", 2)
  small = {v: [_fits(s, train_fit=3 + i + s) for s in range(2)]
           for i, v in enumerate((0.1, 0.2, 0.3))}
  result = stats.page_trend(np.array([[3, 4, 5], [4, 5, 6]], float), 100)
  assert dynamics.noise_level_slows_fitting(small, permutations=100) == _noise_refusal(
      f"3 points x 2 seeds: an exact permutation test cannot reach {(1 - 0.95) / 2}",
      dict(ev, label_noise=[0.1, 0.2, 0.3], outcomes=[[3.0, 4.0], [4.0, 5.0], [5.0, 6.0]],
           dropped_seeds=[], spearman_per_seed=result["per_seed"]))


GINI_CLAIM = ("loss sensitivity is less concentrated (lower Gini over the training set) with "
              "more label noise")
GINI_STATISTIC = "Gini of loss sensitivity, mean over the window"


def _gini_run(seed, values, epochs=8):
  """Gini logged at epochs 1..len(values) (the window (0, 0.25) of 8 epochs: 1 and 2)."""
  history = [{"epoch": e + 1, "sensitivity/gini_all": v} for e, v in enumerate(values)]
  return _rec(seed, history, epochs=epochs)


def test_gini_falls_with_noise_whole_lines():
  levels = [0.0, 0.4, 0.8]
  # Per seed and level: Gini at epochs 1, 2 (in the window) and 3 (outside it).
  gini = {0.0: [[0.8, 0.7, 0.0], [0.85, 0.75, 0.0], [0.9, 0.8, 0.0], [0.82, 0.8, 0.0]],
          0.4: [[0.6, 0.5, 1.0], [0.6, 0.7, 1.0], [math.nan, 0.5, 1.0], [0.7, 0.6, 1.0]],
          0.8: [[0.3, 0.2, 1.0], [0.4, 0.3, 1.0], [0.2, 0.2, 1.0], [0.3, 0.5, 1.0]]}
  sweep = {v: [_gini_run(s, gini[v][s]) for s in range(4)] for v in levels}
  line = dynamics.gini_falls_with_noise(sweep, permutations=300)
  means = [[np.mean(gini[v][s][:2]) for v in levels] for s in range(4)]
  kept = [means[s] for s in (0, 1, 3)]
  result, test = _page_test("label_noise", GINI_STATISTIC, kept, 300, dropped=1)
  assert result["value"] < result["interval"][0]
  assert line == {
      "claim": GINI_CLAIM, "source": declared.ARPIT, "verdict": declared.HELD,
      "evidence": {"window": [0.0, 0.25], "label_noise": levels,
                   "outcomes": [[pytest.approx(means[s][i]) if s != 2 or i != 1 else "NaN"
                                 for s in range(4)] for i in range(3)],
                   "dropped_seeds": [{"seed": 2, "reason": f"NaN in {GINI_STATISTIC}"}],
                   "spearman_per_seed": pytest.approx(_spearman_rows(kept))},
      "test": test}
  # Rising Gini: contradicted; over a window of the whole budget, epoch 3 counts too.
  rising = {v: [_gini_run(s, [0.1 + i * 0.2 + s * 0.01] * 3) for s in range(4)]
            for i, v in enumerate(levels)}
  assert dynamics.gini_falls_with_noise(rising, permutations=300)["verdict"] == \
      declared.CONTRADICTED
  line = dynamics.gini_falls_with_noise(sweep, window=(0.0, 1.0), permutations=300)
  assert line["evidence"]["window"] == [0.0, 1.0]
  assert line["evidence"]["outcomes"][0][0] == pytest.approx(0.5)
  # Two of three seeds NaN: too few left.
  nan = {v: [_gini_run(s, [math.nan if s and v == 0.4 else 0.5] * 2) for s in range(3)]
         for v in levels}
  line = dynamics.gini_falls_with_noise(nan, permutations=300)
  assert line["reason"] == ("1 seed(s) with a number at every sweep point; a claim needs at "
                            "least 3")
  assert line["evidence"]["dropped_seeds"] == [
      {"seed": s, "reason": f"NaN in {GINI_STATISTIC}"} for s in (1, 2)]
  assert line["source"] == declared.ARPIT and line["claim"] == GINI_CLAIM


# --- data_size_slows_noise_relative_to_real: the bracketed trend.

SIZE_CLAIM = ("with more data, noise takes longer to fit relative to real data (epochs to fit "
              "corrupted over epochs to fit clean examples grow with the training-set size)")
SIZE_STATISTIC = ("mean within-seed Spearman(train_size, epochs to fit corrupted / epochs to fit "
                  "clean), least favourable order within the evaluation-grid brackets")
SIZE_METHOD = ("range of the exact null of Page's test (each seed's ratios in a random order "
               "across sizes); held when the least favourable order lies above it (p_greater <= "
               f"{(1 - 0.95) / 2}), contradicted when the most favourable lies below it")


def _size_sweep(corrupted, clean):
  """{size: runs}: corrupted[size][seed], clean[size][seed] the epochs each fit 1.0."""
  return {v: [_fits(s, fit_corrupted=corrupted[v][s], fit_clean=clean[v][s])
              for s in range(len(corrupted[v]))] for v in corrupted}


def _size_expected(corrupted, clean, verdict):
  sizes = sorted(corrupted)
  seeds = len(corrupted[sizes[0]])
  def bracket(at):
    return (float(BUDGET), math.inf) if at is None else (float(at - 1), float(at))
  lo = np.array([[bracket(corrupted[v][s])[0] / bracket(clean[v][s])[1] for v in sizes]
                 for s in range(seeds)])
  hi = np.array([[bracket(corrupted[v][s])[1] / bracket(clean[v][s])[0]
                  if bracket(clean[v][s])[0] > 0 else math.inf for v in sizes]
                 for s in range(seeds)])
  result = stats.bracket_trend(lo, hi)
  as_json = lambda b: [b[0], b[1] if math.isfinite(b[1]) else "never"]
  evidence = {
      "threshold": 0.95, "train_size": sizes,
      "epochs_corrupted": [[as_json(bracket(a)) for a in corrupted[v]] for v in sizes],
      "epochs_clean": [[as_json(bracket(a)) for a in clean[v]] for v in sizes],
      "ratio_brackets": [[[pytest.approx(lo[s, i]), pytest.approx(hi[s, i])
                           if math.isfinite(hi[s, i]) else "inf"] for s in range(seeds)]
                         for i in range(len(sizes))],
      "spearman_per_seed_least_favourable": result["lower"],
      "spearman_per_seed_most_favourable": result["upper"]}
  test = {"statistic": SIZE_STATISTIC, "value": result["value_lower"], "null": 0.0,
          "interval": result["interval"], "n": seeds, "method": SIZE_METHOD,
          "value_most_favourable": result["value_upper"], "p_greater": result["p_greater"],
          "p_less": result["p_less"]}
  return {"claim": SIZE_CLAIM, "source": declared.ARPIT, "verdict": verdict,
          "evidence": evidence, "test": test}, result


def test_data_size_whole_lines():
  clean = {v: [4, 4, 5, 4] for v in (100, 200, 400)}
  rising = {100: [5, 6, 5, 6], 200: [10, 11, 12, 10], 400: [18, None, 19, 17]}
  line = dynamics.data_size_slows_noise_relative_to_real(_size_sweep(rising, clean))
  expected, result = _size_expected(rising, clean, declared.HELD)
  assert result["p_greater"] <= 0.025
  assert line == expected
  falling = {100: [18, 17, 19, 16], 200: [10, 11, 12, 10], 400: [5, 6, 5, 6]}
  line = dynamics.data_size_slows_noise_relative_to_real(_size_sweep(falling, clean))
  expected, result = _size_expected(falling, clean, declared.CONTRADICTED)
  assert result["p_less"] <= 0.025 and result["p_greater"] > 0.025
  assert line == expected
  # Clean fitted by epoch 1 (bracket (0, 1]): the ratio is unbounded above; brackets this
  # wide allow any order.
  early = {v: [1, 1, 1, 1] for v in (100, 200, 400)}
  line = dynamics.data_size_slows_noise_relative_to_real(_size_sweep(rising, early))
  expected, result = _size_expected(rising, early, declared.INCONCLUSIVE)
  assert result["p_greater"] > 0.025 and result["p_less"] > 0.025
  assert line == expected
  assert line["evidence"]["ratio_brackets"][0][0] == [4.0, "inf"]


def _size_refusal(reason, evidence):
  return {"claim": SIZE_CLAIM, "source": declared.ARPIT, "verdict": declared.NOT_TESTABLE,
          "evidence": dict({"threshold": 0.95}, **evidence), "reason": reason}


def test_data_size_refusals_are_whole_lines(monkeypatch):
  data = dynamics.data_size_slows_noise_relative_to_real
  assert data({}) == _size_refusal("an empty sweep", {"train_size": []})
  clean = {v: [4, 4, 4] for v in range(1, 10)}
  noise = {v: [5, 6, 7] for v in range(1, 10)}
  assert data(_size_sweep({1: noise[1], 2: noise[2]}, clean)) == _size_refusal(
      "2 sweep points; a trend needs at least 3", {"train_size": [1, 2]})
  assert data({1: _size_sweep(noise, clean)[1], 2: _size_sweep(noise, clean)[2][:2],
               3: _size_sweep(noise, clean)[3]}) == _size_refusal(
                   "the conditions ran for different seeds", {"train_size": [1, 2, 3]})
  assert data(_size_sweep(noise, clean)) == _size_refusal(
      "9 sweep points; the bracketed trend enumerates orders of at most 8",
      {"train_size": list(range(1, 10))})
  eight = {v: noise[v] for v in range(1, 9)}
  assert "reason" not in data(_size_sweep(eight, clean))
  # One run without the clean fit's history.
  sweep = _size_sweep({v: noise[v] for v in (1, 2, 3)}, clean)
  sweep[2][1] = _fits(1, fit_corrupted=6)
  assert data(sweep) == _size_refusal(
      "epochs to fit corrupted / clean examples: missing in some run (no fit history)",
      {"train_size": [1, 2, 3], "epochs_corrupted": [[[4.0, 5.0], [5.0, 6.0], [6.0, 7.0]]] * 3,
       "epochs_clean": [[[3.0, 4.0]] * 3, [[3.0, 4.0], None, [3.0, 4.0]], [[3.0, 4.0]] * 3]})
  sweep[2][1] = _fits(1, fit_clean=6)
  assert data(sweep)["reason"] == ("epochs to fit corrupted / clean examples: missing in some "
                                   "run (no fit history)")
  # Clean never fitted: no reference for the ratio.
  never = {1: [4, 4, 4], 2: [4, None, 4], 3: [4, 4, 4]}
  assert data(_size_sweep({v: noise[v] for v in (1, 2, 3)}, never)) == _size_refusal(
      "clean examples never reached 0.95 in some run: the ratio's reference is missing",
      {"train_size": [1, 2, 3], "epochs_corrupted": [[[4.0, 5.0], [5.0, 6.0], [6.0, 7.0]]] * 3,
       "epochs_clean": [[[3.0, 4.0]] * 3, [[3.0, 4.0], [20.0, "never"], [3.0, 4.0]],
                        [[3.0, 4.0]] * 3]})
  # 3 points x 2 seeds: the exact test cannot reach the level.
  monkeypatch.setattr(declared, "MIN_SEEDS", 2)
  two = {v: [5 + v, 6 + v] for v in (1, 2, 3)}
  line = data(_size_sweep(two, {v: [4, 4] for v in (1, 2, 3)}))
  expected, _ = _size_expected(two, {v: [4, 4] for v in (1, 2, 3)}, declared.NOT_TESTABLE)
  del expected["test"]
  expected["reason"] = ("3 points x 2 seeds: an exact permutation test cannot reach "
                        f"{(1 - 0.95) / 2}")
  assert line == expected


# --- noise_fitted_less_at_best_validation.

EARLY_CLAIM = ("at the best-validation epoch the noise is fitted much less than real data "
               "(fit of clean minus corrupted examples above {})")


def _early(seed, gap, best_epoch=3, fit_clean=0.9, final=1.0):
  history = []
  for epoch in range(8):
    at_best = epoch == best_epoch
    history.append({"epoch": epoch, "validation/accuracy": 0.8 if at_best else 0.5,
                    "test/accuracy": 0.79 + seed / 100 if at_best else 0.5,
                    "memorization/fit_clean": fit_clean if at_best else 1.0,
                    "memorization/fit_corrupted": fit_clean - gap if at_best else 1.0})
  return _rec(seed, history, **{"memorization/fit_corrupted": final, "test/accuracy": 0.5})


def test_noise_fitted_less_at_best_validation_whole_line():
  gaps = [0.6, 0.55, 0.62, 0.58]
  recs = [_early(s, g, best_epoch=2 + s) for s, g in enumerate(gaps)]
  line = dynamics.noise_fitted_less_at_best_validation(recs)
  values = [0.9 - (0.9 - g) for g in gaps]
  assert line == {
      "claim": EARLY_CLAIM.format(0.2), "source": declared.ARPIT, "verdict": declared.HELD,
      "evidence": {"margin": 0.2, "seeds": [0, 1, 2, 3], "best_validation_epoch": [2, 3, 4, 5],
                   "fit_clean_at_best": [0.9] * 4,
                   "fit_corrupted_at_best": [pytest.approx(0.9 - g) for g in gaps],
                   "fit_corrupted_final": [1.0] * 4,
                   "test_accuracy_at_best": [pytest.approx(0.79 + s / 100) for s in range(4)],
                   "test_accuracy_final": [0.5] * 4},
      "test": _t_record("fit of clean minus fit of corrupted examples at the best-validation "
                        "epoch", values, "paired within seed; null: gap <= 0.2", null=0.2)}
  line = dynamics.noise_fitted_less_at_best_validation(recs, margin=0.7)
  assert line["verdict"] == declared.CONTRADICTED
  assert line["claim"] == EARLY_CLAIM.format(0.7) and line["test"]["null"] == 0.7
  assert line["test"]["method"] == "95% t interval over seeds, paired within seed; null: gap <= 0.7"


def test_noise_fitted_less_at_best_validation_refusals():
  early = dynamics.noise_fitted_less_at_best_validation
  assert early([_early(0, 0.5), _early(0, 0.5), _early(1, 0.5)]) == {
      "claim": EARLY_CLAIM.format(0.2), "source": declared.ARPIT,
      "verdict": declared.NOT_TESTABLE, "evidence": {},
      "reason": "seed 0 appears more than once: the same run counted twice is one run"}
  needs = ("needs validation accuracy and the fits of clean and corrupted examples at the same "
           "evaluations")
  for key in ("validation/accuracy", "memorization/fit_clean", "memorization/fit_corrupted"):
    recs = [_early(s, 0.5) for s in range(3)]
    for h in recs[1]["history"]:
      h.pop(key)
    line = early(recs)
    assert line == {
        "claim": EARLY_CLAIM.format(0.2), "source": declared.ARPIT,
        "verdict": declared.NOT_TESTABLE,
        "evidence": {"margin": 0.2, "seeds": [0, 1, 2], "best_validation_epoch": [3],
                     "fit_clean_at_best": [0.9], "fit_corrupted_at_best": [pytest.approx(0.4)],
                     "fit_corrupted_final": [1.0], "test_accuracy_at_best": [0.79],
                     "test_accuracy_final": [0.5]},
        "reason": needs}, key
  recs = [_early(s, 0.5, final=0.9 if s == 1 else 1.0) for s in range(3)]
  line = early(recs)
  assert line["reason"] == ("the noise was not memorized: partial-noise "
                            "memorization/fit_corrupted 0.900 < 0.95 (the gate) in some seed")
  assert line["evidence"]["fit_corrupted_final"] == [1.0, 0.9, 1.0]
  assert "test" not in line and line["verdict"] == declared.NOT_TESTABLE


# --- depth_does_not_hurt_generalization.

def _depth_sweep(differences, baseline=2, base=(0.80, 0.82, 0.79, 0.81)):
  sweep = {baseline: [_rec(s, **{"validation/accuracy": b}) for s, b in enumerate(base)]}
  for depth, diff in differences.items():
    sweep[depth] = [_rec(s, **{"validation/accuracy": b + d})
                    for s, (b, d) in enumerate(zip(base, diff))]
  return sweep


DEPTH_CLAIM = ("depth does not hurt generalization ({}: final validation accuracy at every "
               "depth not below depth {}'s by more than {})")


def _equivalence(diff, margin):
  lo, hi = _interval(diff)
  return (declared.HELD if lo > -margin and hi < margin else declared.CONTRADICTED
          if lo >= margin or hi <= -margin else declared.INCONCLUSIVE)


def test_depth_whole_line():
  base = (0.80, 0.82, 0.79, 0.81)
  diffs = {4: [0.001, -0.002, 0.0, 0.001], 1: [0.01, 0.012, 0.008, 0.011],
           8: [-0.01, 0.02, -0.03, 0.01]}
  sweep = _depth_sweep(diffs, base=base)
  line = dynamics.depth_does_not_hurt_generalization(sweep, 2, "mlp")
  accuracy = {d: [b + x for b, x in zip(base, diffs[d])] for d in diffs}
  accuracy[2] = list(base)
  tests = {}
  for d in (1, 4, 8):
    diff = np.subtract(accuracy[d], base)
    tests[str(d)] = _t_record(f"validation accuracy at depth {d} minus depth 2", diff,
                              "paired by seed, non-inferiority (margin 0.02)", null=-0.02)
  worst = min((1, 4, 8), key=lambda d: _interval(np.subtract(accuracy[d], base))[0])
  assert worst == 8
  assert line == {
      "claim": DEPTH_CLAIM.format("mlp", 2, 0.02), "source": declared.BRIEF,
      "verdict": declared.INCONCLUSIVE,
      "evidence": {"model": "mlp", "baseline_depth": 2, "margin": 0.02, "depths": [1, 2, 4, 8],
                   "validation_accuracy": {str(d): pytest.approx(accuracy[d])
                                           for d in (1, 2, 4, 8)},
                   "equivalence_tost": {str(d): _equivalence(np.subtract(accuracy[d], base),
                                                             0.02) for d in (1, 4, 8)},
                   "tests": tests},
      "test": tests["8"]}
  assert line["evidence"]["equivalence_tost"] == {"1": declared.HELD, "4": declared.HELD,
                                                  "8": declared.INCONCLUSIVE}
  # Without depth 8, both held: the claim holds; with a wider margin too.
  del sweep[8]
  line = dynamics.depth_does_not_hurt_generalization(sweep, 2, "mlp")
  assert line["verdict"] == declared.HELD and line["test"] == tests["4"]
  line = dynamics.depth_does_not_hurt_generalization(sweep, 4, "cnn", margin=0.5)
  assert line["claim"] == DEPTH_CLAIM.format("cnn", 4, 0.5)
  assert line["test"]["statistic"] == "validation accuracy at depth 2 minus depth 4"
  assert line["test"]["null"] == -0.5
  # A depth worse by more than the margin: contradicted, and it is the test reported.
  worse = _depth_sweep({1: [0.0, 0.001, -0.001, 0.0], 4: [-0.1, -0.12, -0.09, -0.11]})
  line = dynamics.depth_does_not_hurt_generalization(worse, 2, "mlp")
  assert line["verdict"] == declared.CONTRADICTED
  assert line["test"]["statistic"] == "validation accuracy at depth 4 minus depth 2"
  assert line["evidence"]["equivalence_tost"]["4"] == declared.CONTRADICTED


def test_depth_refusals_are_whole_lines():
  depth = dynamics.depth_does_not_hurt_generalization
  def refusal(reason, depths, baseline=2, **extra):
    return {"claim": DEPTH_CLAIM.format("mlp", baseline, 0.02), "source": declared.BRIEF,
            "verdict": declared.NOT_TESTABLE,
            "evidence": {"model": "mlp", "baseline_depth": baseline, "margin": 0.02,
                         "depths": depths, **extra}, "reason": reason}
  sweep = _depth_sweep({4: [0.0] * 4})
  assert depth(sweep, 3, "mlp") == refusal("needs the baseline depth and another", [2, 4], 3)
  assert depth({2: sweep[2]}, 2, "mlp") == refusal("needs the baseline depth and another", [2])
  assert depth({2: sweep[2], 4: sweep[4][:3]}, 2, "mlp") == refusal(
      "the conditions ran for different seeds", [2, 4])
  no_val = {2: sweep[2], 4: [_rec(s) if s == 1 else r for s, r in enumerate(sweep[4])]}
  assert depth(no_val, 2, "mlp") == refusal(
      "needs a validation split", [2, 4],
      validation_accuracy={"2": [0.80, 0.82, 0.79, 0.81],
                           "4": [0.80, None, 0.79, 0.81]})


# --- capacity_speeds_up_noise_fitting.

CAPACITY_CLAIM = ("higher capacity ({}) fits noise in fewer epochs (epochs to reach the fit "
                  "threshold on corrupted examples shrink){}")


def _capacity_sweep(epochs):
  return {v: [_fits(s, fit_corrupted=e) for s, e in enumerate(row)] for v, row in epochs.items()}


def test_capacity_whole_lines():
  epochs = {64: [15, None, 14, 16], 128: [9, 11, 8, 10], 256: [4, 6, 5, 3]}
  line = regularizers.capacity_speeds_up_noise_fitting(
      _capacity_sweep({256: epochs[256], 64: epochs[64], 128: epochs[128]}), "width",
      permutations=400)
  table = [[math.inf if epochs[v][s] is None else epochs[v][s] for v in (64, 128, 256)]
           for s in range(4)]
  result = stats.page_trend(np.array(table, float), 400)
  assert result["per_seed"] == pytest.approx(_spearman_rows(table))
  assert result["value"] < result["interval"][0]
  test = {"statistic": "mean within-seed Spearman(capacity, epochs to fit noise)",
          "value": result["value"], "null": result["null"], "interval": result["interval"],
          "n": 4, "method": ("95% range of the permutation null (each seed's outcomes permuted "
                             "across sweep points, 400 draws; Page's test); never fitted = "
                             "censored"),
          "p_less": result["p_less"], "p_greater": result["p_greater"]}
  evidence = {"width": [64, 128, 256], "epochs_corrupted": [epochs[v] for v in (64, 128, 256)],
              "threshold": 0.95, "budget": BUDGET, "spearman_per_seed": result["per_seed"]}
  assert line == {"claim": CAPACITY_CLAIM.format("width", ""), "source": declared.ARPIT,
                  "verdict": declared.HELD, "evidence": evidence, "test": test}
  # Another source names itself in the claim.
  line = regularizers.capacity_speeds_up_noise_fitting(_capacity_sweep(epochs), "width",
                                                       source="Zhang", permutations=400)
  assert line["claim"] == CAPACITY_CLAIM.format("width", " (Zhang)")
  assert line["source"] == "Zhang"
  # Rising: contradicted; mixed: inconclusive.
  rising = {64: epochs[256], 128: epochs[128], 256: [15, 17, 14, 16]}
  assert regularizers.capacity_speeds_up_noise_fitting(
      _capacity_sweep(rising), "width", permutations=400)["verdict"] == declared.CONTRADICTED
  mixed = {64: [5, 6, 4], 128: [6, 4, 5], 256: [4, 5, 6]}
  line = regularizers.capacity_speeds_up_noise_fitting(_capacity_sweep(mixed), "depth",
                                                       permutations=400)
  assert line["verdict"] == declared.INCONCLUSIVE and line["test"]["n"] == 3
  # The default permutations.
  line = regularizers.capacity_speeds_up_noise_fitting(_capacity_sweep(mixed), "depth")
  assert "2000 draws" in line["test"]["method"]
  assert line["test"]["value"] == stats.page_trend(
      np.array([[5, 6, 4], [6, 4, 5], [4, 5, 6]], float).T, 2000)["value"]


def test_capacity_refusals_are_whole_lines(monkeypatch):
  capacity = regularizers.capacity_speeds_up_noise_fitting
  def refusal(reason, values, epochs, budget=BUDGET, source=declared.ARPIT, label=""):
    return {"claim": CAPACITY_CLAIM.format("width", label), "source": source,
            "verdict": declared.NOT_TESTABLE,
            "evidence": {"width": values, "epochs_corrupted": epochs, "threshold": 0.95,
                         "budget": budget}, "reason": reason}
  assert capacity({}, "width") == refusal("an empty sweep", [], [], None)
  assert capacity({}, "width", source="Zhang") == refusal("an empty sweep", [], [], None,
                                                          "Zhang", " (Zhang)")
  two = {1: [3, 4, 5], 2: [3, 4, 5]}
  assert capacity(_capacity_sweep(two), "width") == refusal(
      "2 sweep points; a trend needs at least 3", [1, 2], [[3, 4, 5]] * 2)
  assert capacity(_capacity_sweep(two), "width", source="Zhang") == refusal(
      "2 sweep points; a trend needs at least 3", [1, 2], [[3, 4, 5]] * 2, BUDGET, "Zhang",
      " (Zhang)")
  unpaired = {1: [3, 4, 5], 2: [3, 4], 3: [3, 4, 5]}
  assert capacity(_capacity_sweep(unpaired), "width") == refusal(
      "the conditions ran for different seeds", [1, 2, 3], [[3, 4, 5], [3, 4], [3, 4, 5]])
  never = {1: [None] * 3, 2: [None] * 3, 3: [None] * 3}
  assert capacity(_capacity_sweep(never), "width") == refusal(
      "no capacity fitted the noise within the budget", [1, 2, 3], [[None] * 3] * 3)
  assert capacity(_capacity_sweep(never), "width", source="Zhang")["source"] == "Zhang"
  # Only one run fitted: testable.
  one = {1: [None, 4, None], 2: [None] * 3, 3: [None] * 3}
  assert "reason" not in capacity(_capacity_sweep(one), "width", permutations=50)
  monkeypatch.setattr(declared, "MIN_SEEDS", 2)
  small = {1: [9, 8], 2: [5, 6], 3: [3, 2]}
  result = stats.page_trend(np.array([[9, 5, 3], [8, 6, 2]], float), 50)
  expected = refusal(f"3 points x 2 seeds: an exact permutation test cannot reach "
                     f"{(1 - 0.95) / 2}", [1, 2, 3], [[9, 8], [5, 6], [3, 2]], BUDGET, "Zhang",
                     " (Zhang)")
  expected["evidence"]["spearman_per_seed"] = result["per_seed"]
  assert capacity(_capacity_sweep(small), "width", "Zhang", permutations=50) == expected


def test_log_time_ratio_takes_the_log_of_one_as_zero():
  reg = {"corrupted": (1.0, 4.0), "clean": (0.5, 2.0)}
  base = {"corrupted": (3.0, 6.0), "clean": (1.0, 5.0)}
  lower, upper = regularizers._log_time_ratio(reg, base)  # pylint: disable=protected-access
  assert lower == pytest.approx(0.0 - math.log(2.0) - math.log(6.0) + 0.0)
  assert upper == pytest.approx(math.log(4.0) - math.log(0.5) - math.log(3.0) + math.log(5.0))
  lower, _ = regularizers._log_time_ratio(  # pylint: disable=protected-access
      {"corrupted": (0.0, 4.0), "clean": (0.5, 2.0)}, base)
  assert lower == -math.inf


def test_regularizers_clean_bracket_from_epoch_one_is_bounded():
  # Evaluations at epochs 1, 3, 5...: clean fitted at 3 is known within (1, 3], testable.
  def run(seed, clean_at, corrupted_at, val):
    history = [{"epoch": e, "memorization/fit_clean": 1.0 if e >= clean_at else 0.3,
                "memorization/fit_corrupted": 1.0 if e >= corrupted_at else 0.3}
               for e in range(1, BUDGET + 1, 2)]
    return _rec(seed, history, **{"validation/accuracy": val, "memorization/fit_clean": 1.0,
                                  "memorization/fit_corrupted": 0.99})
  recs = [run(s, 3, 15 + 2 * s, 0.8) for s in range(3)]
  base = [run(s, 3, 5, 0.8) for s in range(3)]
  (line,) = regularizers.regularizers_slow_noise_more({"a": recs}, base, 10)
  assert "reason" not in line
  assert line["evidence"]["epochs_clean"] == [[1.0, 3.0]] * 3
  lower = [math.log(13 + 2 * s) - math.log(3) - math.log(5) + math.log(1) for s in range(3)]
  assert line["evidence"]["log_time_ratio_lower"] == pytest.approx(lower)


def test_regularizers_a_refused_regularizer_does_not_stop_the_others():
  base_clean, base_noise, base_val = [4, 4, 4], [6, 6, 6], [0.80, 0.81, 0.79]
  bad, base, _, _ = _reg_inputs([2, 4, 4], [16] * 3, base_clean, base_noise, [0.8] * 3,
                                base_val)
  good, _, _, _ = _reg_inputs([4] * 3, [16, 18, 16], base_clean, base_noise,
                              [0.81, 0.82, 0.80], base_val)
  lines = regularizers.regularizers_slow_noise_more({"bad": bad, "good": good, "bad2": bad},
                                                    base, 10)
  assert [l["verdict"] for l in lines] == [declared.NOT_TESTABLE, declared.HELD,
                                           declared.NOT_TESTABLE]
  assert lines[1]["claim"] == REG_CLAIM.format("good")
  assert lines[1]["test"]["method"].endswith("; Holm over 1 regularizers")
  assert "p_holm" not in lines[0].get("test", {}) and "_parts" not in lines[1]


def test_capacity_budget_is_the_first_runs_and_different_budgets_are_refused():
  sweep = {v: [_fits(s, epochs=20 if (v, s) == (1, 0) else 30, fit_corrupted=5)
               for s in range(3)] for v in (3, 1, 2)}
  line = regularizers.capacity_speeds_up_noise_fitting(sweep, "width")
  assert line["reason"] == "the runs trained for different budgets"
  assert line["evidence"]["budget"] == 20
  one = {4: [_fits(s, epochs=12, fit_corrupted=5) for s in range(3)]}
  assert regularizers.capacity_speeds_up_noise_fitting(one, "width") == {
      "claim": CAPACITY_CLAIM.format("width", ""), "source": declared.ARPIT,
      "verdict": declared.NOT_TESTABLE,
      "evidence": {"width": [4], "epochs_corrupted": [[5, 5, 5]], "threshold": 0.95,
                   "budget": 12}, "reason": "1 sweep points; a trend needs at least 3"}


def test_trend_on_the_null_range_bounds_is_inconclusive():
  levels = (0.2, 0.5, 0.8)
  def sweep(rows):
    return {v: [_fits(s, train_fit=row[i]) for s, row in enumerate(rows)]
            for i, v in enumerate(levels)}
  # The mean Spearman correlation lands exactly on the null range's upper end (100 draws).
  rows = [[1, 2, 3], [1, 3, 2], [1, 3, 2]]
  line = dynamics.noise_level_slows_fitting(sweep(rows), permutations=100)
  assert line["test"]["value"] == line["test"]["interval"][1]
  assert line["verdict"] == declared.INCONCLUSIVE
  # ... and exactly on its lower end.
  rows = [[2, 3, 1], [3, 1, 2], [3, 2, 1]]
  line = dynamics.noise_level_slows_fitting(sweep(rows), permutations=100)
  assert line["test"]["value"] == line["test"]["interval"][0]
  assert line["verdict"] == declared.INCONCLUSIVE


def test_trend_names_the_source_in_every_line(monkeypatch):
  def trend(sweep, outcome=lambda r: r["metrics"]["x"]):
    return dynamics._trend(  # pylint: disable=protected-access
        "c", sweep, "s", outcome, "greater", "x", source="Zhang", permutations=50)
  def sweep(values, seeds=3):
    return {v: [_rec(s, x=values[i][s]) for s in range(seeds)] for i, v in enumerate((1, 2, 3))}
  rising = [[1.0, 2.0, 1.5], [3.0, 4.0, 3.5], [5.0, 6.0, 5.5]]
  assert trend({})["source"] == "Zhang"
  assert trend({1: sweep(rising)[1], 2: sweep(rising)[2]})["source"] == "Zhang"
  assert trend(sweep(rising), lambda r: None)["source"] == "Zhang"
  nan = [[1.0, math.nan, math.nan]] + rising[1:]
  assert trend(sweep(nan))["source"] == "Zhang"
  assert trend(sweep([[math.inf] * 3] * 3))["source"] == "Zhang"
  line = trend(sweep(rising))
  assert line["source"] == "Zhang" and line["verdict"] == declared.HELD
  monkeypatch.setattr(declared, "MIN_SEEDS", 2)
  line = trend(sweep([r[:2] for r in rising], seeds=2))
  assert line["source"] == "Zhang" and line["verdict"] == declared.NOT_TESTABLE


def test_data_size_clean_bracket_from_epoch_one_bounds_the_ratio():
  clean = {v: [2, 2, 2] for v in (100, 200, 400)}  # Known within (1, 2].
  noise = {100: [5, 6, 5], 200: [10, 11, 12], 400: [18, 19, 17]}
  line = dynamics.data_size_slows_noise_relative_to_real(_size_sweep(noise, clean))
  assert line["evidence"]["ratio_brackets"][0] == [[2.0, 5.0], [2.5, 6.0], [2.0, 5.0]]


def test_early_stopping_unfitted_refusal_names_the_claim():
  recs = [_early(s, 0.5, final=0.9 if s == 1 else 1.0) for s in range(3)]
  line = dynamics.noise_fitted_less_at_best_validation(recs)
  assert line["claim"] == EARLY_CLAIM.format(0.2) and line["source"] == declared.ARPIT
