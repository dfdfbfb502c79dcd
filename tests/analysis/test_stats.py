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
