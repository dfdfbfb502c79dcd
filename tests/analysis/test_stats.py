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

"""The statistics behind the claims, against independent computations."""

import itertools
import json
import warnings

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite.analysis import declared
from suite.analysis import stats


def test_t_interval_matches_scipy():
  values = np.array([0.1, 0.3, -0.05, 0.2, 0.15])
  mean, lo, hi = stats.t_interval(values)
  expected = scipy_stats.t.interval(0.95, 4, loc=values.mean(), scale=scipy_stats.sem(values))
  assert (lo, hi) == pytest.approx(expected) and mean == pytest.approx(values.mean())
  p = stats.t_p_greater(values)
  assert p == pytest.approx(scipy_stats.ttest_1samp(values, 0, alternative="greater").pvalue)
  # Identical runs: no spread, the interval is the point; a zero difference is not held.
  _, lo, hi = stats.t_interval(np.zeros(4))
  assert (lo, hi) == (0, 0) and stats.side_verdict(lo, hi) == declared.INCONCLUSIVE


def test_verdicts_from_intervals():
  assert stats.side_verdict(0.1, 0.3) == declared.HELD
  assert stats.side_verdict(-0.3, -0.1) == declared.CONTRADICTED
  assert stats.side_verdict(-0.1, 0.3) == declared.INCONCLUSIVE
  assert stats.side_verdict(-0.3, -0.1, side="less") == declared.HELD
  assert stats.equivalence_verdict(-0.01, 0.02, 0.05) == declared.HELD
  assert stats.equivalence_verdict(-0.01, 0.06, 0.05) == declared.INCONCLUSIVE
  assert stats.equivalence_verdict(0.06, 0.09, 0.05) == declared.CONTRADICTED


def test_holm_by_hand():
  p = [0.01, 0.04, 0.03, 0.005]
  # Sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 -> 0.02, 0.03, 0.06, 0.06 (monotone).
  assert stats.holm(p).tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_log_odds_above_chance():
  assert stats.log_odds_above_chance(0.1, 10) == pytest.approx(0.0)
  assert stats.log_odds_above_chance(0.5, 2) == pytest.approx(0.0)
  assert stats.log_odds_above_chance(0.9, 10) == pytest.approx(np.log(9) - np.log(1 / 9))


def test_spearman_rows_matches_scipy_with_ties():
  y = np.array([[3.0, 1.0, 2.0, 2.0, np.inf], [1.0, 1.0, 1.0, 1.0, 1.0]])
  x = np.arange(5)
  rho = stats.spearman_rows(x, y)
  assert rho[0] == pytest.approx(scipy_stats.spearmanr(x, y[0]).statistic)
  assert rho[1] == 0.0
  # A NaN is a failed measurement: the row's correlation is NaN, never 0.
  with_nan = stats.spearman_rows(x, np.array([[3.0, np.nan, 2.0, 2.0, 1.0], y[0]]))
  assert np.isnan(with_nan[0]) and with_nan[1] == pytest.approx(rho[0])
  with pytest.raises(ValueError, match="NaN"):
    stats.page_trend(np.array([[1.0, np.nan, 3.0]] * 3))


def test_tost_and_one_sided_p_values():
  values = np.array([0.01, -0.02, 0.004, 0.03])
  greater = scipy_stats.ttest_1samp(values, -0.05, alternative="greater").pvalue
  less = scipy_stats.ttest_1samp(values, 0.05, alternative="less").pvalue
  assert stats.tost_p(values, 0.05) == pytest.approx(max(greater, less))
  assert stats.t_p_less(values, 0.05) == pytest.approx(less)
  # TOST at 2.5% agrees with the 95% interval inside the margins.
  _, lo, hi = stats.t_interval(values)
  assert (stats.tost_p(values, 0.05) <= 0.025) == (lo > -0.05 and hi < 0.05)


def test_fitted_rise_is_the_least_squares_change():
  x = np.array([0.0, 2.0, 4.0, 10.0])
  y = np.array([[1.0, 2.0, 2.5, 7.0], [3.0, 3.0, 3.0, 3.0]])
  assert stats.fitted_rise(x, y)[0] == pytest.approx(np.polyfit(x, y[0], 1)[0] * 10)
  assert stats.fitted_rise(x, y)[1] == pytest.approx(0.0)


def test_spearman_null_is_exact():
  values, probabilities = stats.spearman_null(4, 2)
  # Enumerate: every pair of orders of 4 points.
  rho = [stats.spearman_rows(np.arange(4), np.array(p)) for p in itertools.permutations(range(4))]
  means = np.add.outer(rho, rho).ravel() / 2
  for value, probability in zip(values, probabilities):
    assert probability == pytest.approx(np.mean(np.isclose(means, value)))
  assert probabilities.sum() == pytest.approx(1.0)


def test_bracket_trend_least_and_most_favourable_orders():
  # Three points per seed; brackets of the first two overlap, the third is above both.
  lo = np.array([[1.0, 1.5, 4.0]] * 3)
  hi = np.array([[2.0, 2.5, 5.0]] * 3)
  result = stats.bracket_trend(lo, hi)
  # Orders allowed: (1, 2, 3) rho 1 and (2, 1, 3) rho 0.5.
  assert result["lower"] == [0.5] * 3 and result["upper"] == [1.0] * 3
  values, probabilities = stats.spearman_null(3, 3)
  assert result["p_greater"] == pytest.approx(probabilities[values >= 0.5 - 1e-9].sum())
  assert result["p_greater"] > declared.ALPHA_SIDE  # The least favourable order decides.
  exact = stats.bracket_trend(np.array([[1.0, 2.0, 3.0]] * 3), np.array([[1.5, 2.5, 3.5]] * 3))
  assert exact["value_lower"] == 1.0 and exact["p_greater"] == pytest.approx(6.0 ** -3)
  assert exact["interval"][1] < 1.0  # Above the null's range exactly when p <= 2.5%.
  # A censored value (hi = inf) can still be certainly above the others.
  censored = stats.bracket_trend(np.array([[1.0, 2.0, 9.0]] * 3),
                                 np.array([[1.5, 2.5, np.inf]] * 3))
  assert censored["value_lower"] == 1.0


def test_page_trend_exact_minimum_and_direction():
  decreasing = np.array([[40, 30, 20, 10]] * 3, float)
  result = stats.page_trend(decreasing, permutations=declared.PERMUTATIONS)
  assert result["value"] == pytest.approx(-1.0)
  assert result["min_p"] == pytest.approx(1 / 24 ** 3)
  # Exact p of a perfect decrease is min_p; the Monte Carlo p is at most a few draws off.
  assert result["p_less"] <= 3 / 2001 and result["p_greater"] == pytest.approx(1.0)
  assert result["value"] < result["interval"][0]
  assert stats.page_trend(np.array([[1.0, 2.0]] * 3))["min_p"] == pytest.approx(1 / 8)


@pytest.mark.parametrize("runs,points", list(itertools.product([3, 5], [3, 4])))
def test_page_trend_reachable(runs, points):
  assert stats.page_trend(np.zeros((runs, points)))["min_p"] < declared.ALPHA_SIDE


def test_test_record_converts_to_plain_floats():
  record = stats.test_record("rise", np.float32(0.5), None, (np.float64(-1.0), None), np.int64(4),
                             "t", p=np.float64(0.25), label="x", count=3)
  assert record == {"statistic": "rise", "value": 0.5, "null": None, "interval": [-1.0, None],
                    "n": 4, "method": "t", "p": 0.25, "label": "x", "count": 3}
  assert type(record["value"]) is float and type(record["interval"][0]) is float
  assert type(record["p"]) is float and type(record["n"]) is int
  record = stats.test_record("s", None, np.array(2.0), (np.array(1.0), np.array(3.0)), 2, "m")
  assert record["value"] is None and record["null"] == 2.0 and type(record["null"]) is float
  assert record["interval"] == [1.0, 3.0] and type(record["interval"][1]) is float
  assert set(record) == {"statistic", "value", "null", "interval", "n", "method"}
  json.dumps(record)


def test_mean_std_over_present_values():
  values = [1.0, None, 2.0, float("nan"), 6.0, np.nan]
  mean, std, n = stats.mean_std(values)
  assert (mean, std, n) == pytest.approx((3.0, np.std([1.0, 2.0, 6.0], ddof=1), 3))
  assert n == 3 and type(mean) is float and type(std) is float
  assert stats.mean_std([1.0, 3.0]) == pytest.approx((2.0, np.sqrt(2.0), 2))
  assert stats.mean_std([np.float32(5.0)]) == (5.0, 0.0, 1)
  assert stats.mean_std([2, 4]) == pytest.approx((3.0, np.sqrt(2.0), 2))
  assert stats.mean_std([]) is None
  assert stats.mean_std([None, float("nan")]) is None


def test_t_interval_batched_one_run_and_levels():
  rng = np.random.default_rng(3)
  values = rng.normal(size=(3, 2, 5)) * np.array([1.0, 3.0])[:, None] + np.arange(3)[:, None, None]
  mean, lo, hi = stats.t_interval(values, level=0.9)
  assert mean.shape == lo.shape == hi.shape == (3, 2)
  for index in np.ndindex(3, 2):
    row = values[index]
    expected = scipy_stats.t.interval(0.9, 4, loc=row.mean(), scale=scipy_stats.sem(row))
    assert (lo[index], hi[index]) == pytest.approx(expected)
    assert mean[index] == pytest.approx(row.mean())
  # Two runs: finite interval, t with one degree of freedom.
  mean, lo, hi = stats.t_interval([[1.0, 3.0], [0.0, 4.0]])
  half = scipy_stats.t.ppf(0.975, 1) * np.array([np.sqrt(2.0), np.sqrt(8.0)]) / np.sqrt(2)
  assert lo == pytest.approx(mean - half) and hi == pytest.approx(mean + half)
  # Integer input behaves as floats.
  mean, lo, hi = stats.t_interval([1, 2])
  assert mean == pytest.approx(1.5) and hi - lo == pytest.approx(
      2 * scipy_stats.t.ppf(0.975, 1) * np.std([1, 2], ddof=1) / np.sqrt(2))
  # One run: the mean, unbounded either side, of the batch shape.
  mean, lo, hi = stats.t_interval(np.array([[2.0], [5.0], [-1.0]]))
  assert mean.tolist() == [2.0, 5.0, -1.0]
  assert lo.shape == (3,) and hi.shape == (3,)
  assert np.all(lo == -np.inf) and np.all(hi == np.inf)


def test_t_p_greater_batched_and_degenerate():
  rng = np.random.default_rng(5)
  values = rng.normal(0.2, 1.0, size=(4, 6)) * np.arange(1, 5)[:, None]
  p = stats.t_p_greater(values, 0.1)
  assert p.shape == (4,)
  for row, got in zip(values, p):
    assert got == pytest.approx(scipy_stats.ttest_1samp(row, 0.1, alternative="greater").pvalue)
  less = stats.t_p_less(values, 0.1)
  for row, got in zip(values, less):
    assert got == pytest.approx(scipy_stats.ttest_1samp(row, 0.1, alternative="less").pvalue)
  assert stats.t_p_greater([1, 2, 4]) == pytest.approx(
      scipy_stats.ttest_1samp([1.0, 2.0, 4.0], 0, alternative="greater").pvalue)
  # Zero spread: certain above, certain below, or exactly at the null.
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    degenerate = stats.t_p_greater(np.array([[2.0] * 3, [-2.0] * 3, [0.5] * 3]), 0.5)
  assert degenerate.tolist() == [0.0, 1.0, 0.5]
  assert stats.t_p_greater(np.full(3, 1.0), 0.0) == 0.0
  assert stats.t_p_greater(np.full(3, -1.0), 0.0) == 1.0
  assert stats.t_p_greater(np.zeros(3), 0.0) == 0.5


def test_fitted_rise_batched_against_polyfit():
  rng = np.random.default_rng(7)
  x = np.array([[3.0, 4.0, 6.0, 9.0], [10.0, 11.0, 15.0, 20.0]])
  y = rng.normal(size=(2, 4)) + np.array([[5.0], [-40.0]])
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    rise = stats.fitted_rise(x, y)
  assert rise.shape == (2,)
  for xi, yi, got in zip(x, y, rise):
    assert got == pytest.approx(np.polyfit(xi, yi, 1)[0] * (xi.max() - xi.min()))
  # A shared x broadcast over a batch of rows with different levels, ints in.
  y = np.array([[1, 4, 9, 16], [100, 90, 85, 70], [7, 7, 7, 7]])
  xs = np.array([2, 3, 5, 8])
  rise = stats.fitted_rise(xs, y)
  for yi, got in zip(y, rise):
    assert got == pytest.approx(np.polyfit(xs, yi, 1)[0] * 6)
  # NaN in y: NaN rise; constant x: no slope (NaN), no warning raised.
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    odd = stats.fitted_rise(np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]]),
                            np.array([[1.0, np.nan, 2.0], [1.0, 2.0, 3.0]]))
  assert np.isnan(odd).all()


def test_verdict_boundaries_and_arrays():
  # The claimed side must exclude the null strictly.
  assert stats.side_verdict(0.0, 0.3) == declared.INCONCLUSIVE
  assert stats.side_verdict(-0.3, 0.0) == declared.INCONCLUSIVE
  assert stats.side_verdict(-0.3, 0.0, side="less") == declared.INCONCLUSIVE
  assert stats.side_verdict(0.0, 0.3, side="less") == declared.INCONCLUSIVE
  assert stats.side_verdict(0.1, 0.3, side="less") == declared.CONTRADICTED
  assert stats.side_verdict(1.1, 1.3, null=1.0) == declared.HELD
  assert isinstance(stats.side_verdict(0.1, 0.3), str)
  out = stats.side_verdict(np.array([0.1, -0.3, -0.1]), np.array([0.3, -0.1, 0.1]))
  assert isinstance(out, np.ndarray) and out.tolist() == [
      declared.HELD, declared.CONTRADICTED, declared.INCONCLUSIVE]
  one = stats.side_verdict(np.array([0.1]), np.array([0.3]))
  assert isinstance(one, np.ndarray) and one.tolist() == [declared.HELD]
  with pytest.raises(ValueError, match="both"):
    stats.side_verdict(0.1, 0.3, side="both")
  margin = 0.05
  assert stats.equivalence_verdict(-0.05, 0.01, margin) == declared.INCONCLUSIVE
  assert stats.equivalence_verdict(-0.01, 0.05, margin) == declared.INCONCLUSIVE
  assert stats.equivalence_verdict(0.05, 0.09, margin) == declared.CONTRADICTED
  assert stats.equivalence_verdict(-0.09, -0.05, margin) == declared.CONTRADICTED
  assert stats.equivalence_verdict(-0.09, -0.06, margin) == declared.CONTRADICTED
  assert stats.equivalence_verdict(-0.04, 0.06, margin) == declared.INCONCLUSIVE
  assert isinstance(stats.equivalence_verdict(-0.01, 0.02, margin), str)
  out = stats.equivalence_verdict(np.array([-0.01]), np.array([0.02]), margin)
  assert isinstance(out, np.ndarray) and out.tolist() == [declared.HELD]


def test_holm_caps_at_one_and_log_odds_clips():
  assert stats.holm([0.6, 0.9, 0.01]).tolist() == pytest.approx([1.0, 1.0, 0.03])
  assert stats.holm([0, 1]).tolist() == [0.0, 1.0]
  eps = 1e-3
  top = np.log((1 - eps) / eps) - np.log(0.1 / 0.9)
  bottom = np.log(eps / (1 - eps)) - np.log(0.1 / 0.9)
  got = stats.log_odds_above_chance(np.array([1.0, 0.0, 1.5, -0.5]), 10)
  assert got.tolist() == pytest.approx([top, bottom, top, bottom])
  assert stats.log_odds_above_chance([1, 0], 10).tolist() == pytest.approx([top, bottom])
  assert stats.log_odds_above_chance(1.0, 10, eps=0.01) == pytest.approx(
      np.log(99) - np.log(1 / 9))


def test_ranks_average_ties_along_axis():
  values = np.array([[3, 1, 1, 2], [0, 5, 5, 5]])
  assert stats.ranks(values).tolist() == [[4.0, 1.5, 1.5, 3.0], [1.0, 3.0, 3.0, 3.0]]
  assert stats.ranks(values, axis=0).tolist() == [[2.0, 1.0, 1.0, 1.0], [1.0, 2.0, 2.0, 2.0]]
  assert stats.ranks([0.5, 0.25]).dtype == np.float64
  assert stats.ranks([True, False]).tolist() == [2.0, 1.0]


def test_spearman_rows_batched_nan_and_constant():
  rng = np.random.default_rng(11)
  x = np.array([0.3, -1.0, 2.0, 0.0, 5.0])
  y = rng.normal(size=(2, 3, 5)) + np.array([0.0, 100.0])[:, None, None]
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    rho = stats.spearman_rows(x, y)
  assert rho.shape == (2, 3)
  for index in np.ndindex(2, 3):
    assert rho[index] == pytest.approx(scipy_stats.spearmanr(x, y[index]).statistic)
  # Ints, a constant row (no warning), a NaN in x making every row NaN.
  yi = np.array([[1, 5, 2, 8, 3], [4, 4, 4, 4, 4], [-3, -2, 7, 0, 1]])
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    rho = stats.spearman_rows(np.arange(5), yi)
  assert rho[0] == pytest.approx(scipy_stats.spearmanr(np.arange(5), yi[0]).statistic)
  assert rho[1] == 0.0
  assert rho[2] == pytest.approx(scipy_stats.spearmanr(np.arange(5), yi[2]).statistic)
  assert np.isnan(stats.spearman_rows([0.0, np.nan, 2.0], [[1.0, 2.0, 3.0], [3.0, 1.0, 2.0]])).all()
  # A NaN in one row only: the others are unaffected (ranks of rows independent).
  y = np.array([[np.nan, 1.0, 0.5, 2.0], [-1.0, 0.2, 0.1, 3.0]])
  got = stats.spearman_rows(np.arange(4), y)
  assert np.isnan(got[0]) and got[1] == pytest.approx(
      scipy_stats.spearmanr(np.arange(4), y[1]).statistic)
  # Small-spread rows: the correlation does not depend on scale.
  tiny = np.array([[0.0, 2e-9, 1e-9]])
  assert stats.spearman_rows([0.0, 1.0, 2.0], tiny)[0] == pytest.approx(0.5)
  two = np.array([[0.0, 1.0]])
  assert stats.spearman_rows([0.0, 1.0], two)[0] == pytest.approx(1.0)


def _page_exact(outcomes):
  """Exact one-sided p-values of the mean within-seed Spearman correlation, by enumeration."""
  seeds, k = outcomes.shape
  rho = lambda row: scipy_stats.spearmanr(np.arange(k), row).statistic
  per_seed = [[rho(row[list(order)]) for order in itertools.permutations(range(k))]
              for row in outcomes]
  means = np.array([np.mean(c) for c in itertools.product(*per_seed)])
  observed = np.mean([rho(row) for row in outcomes])
  return (observed, np.mean(means >= observed - 1e-9), np.mean(means <= observed + 1e-9),
          means)


def test_page_trend_against_exact_enumeration():
  outcomes = np.array([[1.0, 3.0, 2.0, 5.0], [2.0, 1.0, 4.0, 3.0], [0.5, 0.7, 0.2, 0.9]])
  observed, p_greater, p_less, means = _page_exact(outcomes)
  result = stats.page_trend(outcomes, permutations=4000, seed=3)
  assert result["value"] == pytest.approx(observed)
  assert result["per_seed"] == pytest.approx(
      [scipy_stats.spearmanr(np.arange(4), row).statistic for row in outcomes])
  assert result["p_greater"] == pytest.approx(p_greater, abs=0.03)
  assert result["p_less"] == pytest.approx(p_less, abs=0.03)
  assert result["null"] == pytest.approx(0.0, abs=0.03)
  lo, hi = np.quantile(means, [declared.ALPHA_SIDE, 1 - declared.ALPHA_SIDE])
  assert result["interval"] == pytest.approx([lo, hi], abs=0.1)
  assert result["interval"][0] < 0 < result["interval"][1]
  assert result["min_p"] == pytest.approx(24.0 ** -3)
  assert set(result) == {"value", "per_seed", "null", "interval", "p_greater", "p_less", "min_p"}
  # Ties at the observed value count toward both p-values; the +1 keeps them above 0.
  increasing = stats.page_trend(np.array([[1, 2, 3]] * 2), permutations=99)
  exact = 1 / 36
  assert increasing["p_greater"] >= 1 / 100 and increasing["p_greater"] == pytest.approx(
      exact, abs=0.04)
  assert increasing["p_less"] == 1.0
  assert increasing["value"] == 1.0
  # The seed fixes the permutations; another seed gives other draws.
  again = stats.page_trend(outcomes, permutations=4000, seed=3)
  assert again == result
  assert stats.page_trend(outcomes, permutations=200) == stats.page_trend(outcomes,
                                                                          permutations=200, seed=0)
  assert stats.page_trend(outcomes, permutations=200, seed=1)["null"] != stats.page_trend(
      outcomes, permutations=200, seed=0)["null"]


def test_page_trend_constant_and_many_points():
  flat = stats.page_trend(np.zeros((3, 4)), permutations=50)
  # Constant rows: every correlation is 0, so every permutation ties the observed 0.
  assert flat["value"] == 0.0 and flat["p_greater"] == 1.0 and flat["p_less"] == 1.0
  assert flat["interval"] == [0.0, 0.0]
  # min_p below 20 points is 1 / (k!)^seeds; from 20 on it underflows to 0.
  many = stats.page_trend(np.arange(40, dtype=float).reshape(2, 20), permutations=10)
  assert many["min_p"] == 0.0
  nineteen = stats.page_trend(np.arange(19, dtype=float)[None], permutations=10)
  assert nineteen["min_p"] == pytest.approx(1 / float(np.prod(np.arange(1, 20, dtype=float))))
  with pytest.raises(ValueError, match="leave its seed out"):
    stats.page_trend([[1.0, np.nan]])


def test_bracket_trend_per_seed_and_keys():
  # Seed 0: all certain, increasing. Seed 1: all overlapping (any order). Seed 2: decreasing.
  lo = np.array([[1, 2, 3], [0, 0, 0], [3, 2, 1]])
  hi = np.array([[2, 3, 4], [9, 9, 9], [4, 3, 2]])
  result = stats.bracket_trend(lo, hi)
  assert result["lower"] == [1.0, -1.0, -1.0] and result["upper"] == [1.0, 1.0, -1.0]
  assert result["value_lower"] == pytest.approx(-1 / 3)
  assert result["value_upper"] == pytest.approx(1 / 3)
  assert result["null"] == 0.0
  values, probabilities = stats.spearman_null(3, 3)
  assert result["p_greater"] == pytest.approx(probabilities[values >= -1 / 3 - 1e-9].sum())
  assert result["p_less"] == pytest.approx(probabilities[values <= 1 / 3 + 1e-9].sum())
  assert result["min_p"] == pytest.approx(6.0 ** -3)
  assert set(result) == {"lower", "upper", "value_lower", "value_upper", "null", "interval",
                         "p_greater", "p_less", "min_p"}
  # The interval is the null's central range by the exact distribution.
  cdf = np.cumsum(probabilities)
  sf = np.cumsum(probabilities[::-1])[::-1]
  assert result["interval"] == pytest.approx([values[cdf > declared.ALPHA_SIDE].min(),
                                              values[sf > declared.ALPHA_SIDE].max()])
  assert result["interval"][0] == pytest.approx(-result["interval"][1])
  assert result["interval"][0] < 0 < result["interval"][1]
  # Touching brackets (hi_i == lo_j): i is certainly below j.
  touching = stats.bracket_trend(np.array([[1.0, 2.0, 3.0]]), np.array([[2.0, 3.0, 4.0]]))
  assert touching["lower"] == [1.0] and touching["upper"] == [1.0]
  # Certain decreasing for all seeds: p_less is the exact minimum, p_greater is 1.
  down = stats.bracket_trend(np.array([[3.0, 2.0, 1.0]] * 2), np.array([[3.5, 2.5, 1.5]] * 2))
  assert down["p_less"] == pytest.approx(1 / 36) and down["p_greater"] == pytest.approx(1.0)
  assert down["p_greater"] <= 1.0 and down["p_less"] <= 1.0


def test_bracket_trend_exact_p_on_the_boundary():
  # The null's atoms are met exactly: p counts the observed value itself.
  lo = np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 3.0]])
  result = stats.bracket_trend(lo, lo + 0.5)
  observed = (1.0 + 0.5) / 2
  values, probabilities = stats.spearman_null(3, 2)
  _, _, _, means = _page_exact(lo)
  assert result["value_lower"] == pytest.approx(observed)
  assert result["p_greater"] == pytest.approx(np.mean(means >= observed - 1e-9))
  assert result["p_less"] == pytest.approx(np.mean(means <= observed + 1e-9))
  assert result["p_less"] < 1.0


def test_bracket_trend_limits():
  rng = np.random.default_rng(2)
  lo = np.sort(rng.normal(size=(1, 8)))
  result = stats.bracket_trend(lo, lo + 1e-6)
  assert result["lower"] == [1.0] and result["min_p"] == pytest.approx(1 / 40320)
  with pytest.raises(ValueError, match="9 points: at most 8"):
    stats.bracket_trend(np.zeros((1, 9)), np.ones((1, 9)))


def test_low_precision_inputs_are_computed_in_float64():
  # float16 values, taken exactly as float64, must give the float64 statistics.
  v16 = np.array([0.1, 0.3, -0.05, 0.2, 0.15], np.float16)
  v = v16.astype(np.float64)
  mean, lo, hi = stats.t_interval(v16)
  expected = scipy_stats.t.interval(0.95, 4, loc=v.mean(), scale=scipy_stats.sem(v))
  assert mean == pytest.approx(v.mean(), rel=1e-12)
  assert (lo, hi) == pytest.approx(expected, rel=1e-12)
  for null in (0.0, 0.12):
    assert stats.t_p_greater(v16, null) == pytest.approx(
        scipy_stats.ttest_1samp(v, null, alternative="greater").pvalue, rel=1e-12)
    assert stats.t_p_less(v16, null) == pytest.approx(
        scipy_stats.ttest_1samp(v, null, alternative="less").pvalue, rel=1e-12)
  # Holm by hand on the exact values: sorted, times m, m - 1, ..., running maximum.
  p16 = np.array([0.011, 0.04, 0.033, 0.005], np.float16)
  p = p16.astype(np.float64)
  by_hand = np.empty(4)
  running = 0.0
  for rank, i in enumerate(np.argsort(p)):
    running = max(running, min(1.0, (4 - rank) * p[i]))
    by_hand[i] = running
  assert stats.holm(p16) == pytest.approx(by_hand, rel=1e-12)
  f16 = np.array([0.3, 0.71], np.float16)
  f = f16.astype(np.float64)
  assert stats.log_odds_above_chance(f16, 4) == pytest.approx(
      np.log(f / (1 - f)) - np.log(1 / 3), rel=1e-12)
  x16 = np.array([0.1, 0.37, 0.5, 1.3], np.float16)
  y16 = np.array([1.1, 0.2, 2.7, 3.3], np.float16)
  x, y = x16.astype(np.float64), y16.astype(np.float64)
  expected = np.polyfit(x, y, 1)[0] * (x.max() - x.min())
  assert stats.fitted_rise(x16, y) == pytest.approx(expected, rel=1e-12)
  assert stats.fitted_rise(x, y16) == pytest.approx(expected, rel=1e-12)


def test_fitted_rise_three_axes_and_large_offsets():
  # y [2, 3, 5] with rows at very different levels: each row's rise is its own least-squares
  # rise (the fit is shift-invariant, so polyfit of the exactly shifted row is the reference).
  rng = np.random.default_rng(13)
  x = np.array([0.0, 0.1, 0.7, 1.3, 2.9])
  offsets = np.array([[1e12, 0.0, -3e11], [0.0, 5.0, 1e12]])
  noise = rng.normal(size=(2, 3, 5))
  y = offsets[..., None] + noise
  rise = stats.fitted_rise(x, y)
  assert rise.shape == (2, 3)
  for index in np.ndindex(2, 3):
    expected = np.polyfit(x, y[index] - offsets[index], 1)[0] * 2.9
    assert rise[index] == pytest.approx(expected, rel=1e-6, abs=1e-9)
  # x per row [2, 3, 5] too, with different spans.
  xs = np.sort(rng.uniform(size=(2, 3, 5)) * np.arange(1, 4)[:, None], axis=-1) + 7.0
  rise = stats.fitted_rise(xs, noise)
  for index in np.ndindex(2, 3):
    xi = xs[index]
    assert rise[index] == pytest.approx(np.polyfit(xi, noise[index], 1)[0] * np.ptp(xi))


def test_page_trend_permutes_within_each_seed():
  # A constant seed contributes 0 under the null whatever the permutation, so the null of
  # the mean is that of the increasing seed halved: P(mean >= 1/2) = 1/24 exactly.
  outcomes = np.array([[5.0, 5.0, 5.0, 5.0], [1.0, 2.0, 3.0, 4.0]])
  result = stats.page_trend(outcomes, permutations=20000, seed=4)
  assert result["value"] == 0.5 and result["per_seed"] == [0.0, 1.0]
  assert result["p_greater"] == pytest.approx(1 / 24, abs=0.006)
  assert result["p_less"] == 1.0
  # The null's extremes, -1/2 and 1/2, each have probability 1/24 > 2.5%: they are the
  # central range's ends, and nothing lies beyond them.
  assert result["interval"] == [-0.5, 0.5]
  with pytest.raises(ValueError, match="^a NaN outcome has no rank: leave its seed out first$"):
    stats.page_trend([[1.0, np.nan, 2.0]])


def test_bracket_trend_p_values_capped_at_one():
  # Every bracket overlaps: every order is allowed, each p-value sums the whole null.
  result = stats.bracket_trend(np.zeros((3, 5)), np.ones((3, 5)))
  assert result["lower"] == [-1.0] * 3 and result["upper"] == [1.0] * 3
  assert 0.999999 < result["p_greater"] <= 1.0 and 0.999999 < result["p_less"] <= 1.0
  result = stats.bracket_trend(np.zeros((2, 6)), np.ones((2, 6)))
  assert 0.999999 < result["p_greater"] <= 1.0 and 0.999999 < result["p_less"] <= 1.0
  with pytest.raises(ValueError, match="^9 points: at most 8 are enumerated$"):
    stats.bracket_trend(np.zeros((1, 9)), np.ones((1, 9)))


def test_t_p_less_default_null_and_spearman_per_row_x():
  values = np.array([-0.3, 0.1, -0.2, -0.05])
  assert stats.t_p_less(values) == pytest.approx(
      scipy_stats.ttest_1samp(values, 0.0, alternative="less").pvalue)
  # x broadcast to y's shape: a NaN in one row of x leaves the other rows' correlations.
  x = np.array([[0.0, np.nan, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0]])
  y = np.array([[1.0, 2.0, 0.5, 4.0], [1.0, 3.0, 2.0, 4.0]])
  rho = stats.spearman_rows(x, y)
  assert np.isnan(rho[0]) and rho[1] == pytest.approx(scipy_stats.spearmanr(x[1], y[1]).statistic)


def test_t_p_less_of_unsigned_values():
  # Unsigned counts are negated as numbers, not modulo 256.
  values = np.array([1, 2, 4, 3], np.uint8)
  assert stats.t_p_less(values, 3.0) == pytest.approx(
      scipy_stats.ttest_1samp(values.astype(float), 3.0, alternative="less").pvalue)
