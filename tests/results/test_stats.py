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

from suite.results import stats


def test_t_interval_matches_scipy():
  values = np.array([0.1, 0.3, -0.05, 0.2, 0.15])
  mean, lo, hi = stats.t_interval(values)
  expected = scipy_stats.t.interval(0.95, 4, loc=values.mean(), scale=scipy_stats.sem(values))
  assert (lo, hi) == pytest.approx(expected) and mean == pytest.approx(values.mean())
  p = stats.t_p_greater(values)
  assert p == pytest.approx(scipy_stats.ttest_1samp(values, 0, alternative="greater").pvalue)
  # Identical runs: no spread, the interval is the point; a zero difference is not held.
  _, lo, hi = stats.t_interval(np.zeros(4))
  assert (lo, hi) == (0, 0) and stats.side_verdict(lo, hi) == stats.INCONCLUSIVE


def test_verdicts_from_intervals():
  assert stats.side_verdict(0.1, 0.3) == stats.HELD
  assert stats.side_verdict(-0.3, -0.1) == stats.CONTRADICTED
  assert stats.side_verdict(-0.1, 0.3) == stats.INCONCLUSIVE
  assert stats.side_verdict(-0.3, -0.1, side="less") == stats.HELD
  assert stats.equivalence_verdict(-0.01, 0.02, 0.05) == stats.HELD
  assert stats.equivalence_verdict(-0.01, 0.06, 0.05) == stats.INCONCLUSIVE
  assert stats.equivalence_verdict(0.06, 0.09, 0.05) == stats.CONTRADICTED


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
  assert result["p_greater"] > stats.ALPHA_SIDE  # The least favourable order decides.
  exact = stats.bracket_trend(np.array([[1.0, 2.0, 3.0]] * 3), np.array([[1.5, 2.5, 3.5]] * 3))
  assert exact["value_lower"] == 1.0 and exact["p_greater"] == pytest.approx(6.0 ** -3)
  assert exact["interval"][1] < 1.0  # Above the null's range exactly when p <= 2.5%.
  # A censored value (hi = inf) can still be certainly above the others.
  censored = stats.bracket_trend(np.array([[1.0, 2.0, 9.0]] * 3),
                                 np.array([[1.5, 2.5, np.inf]] * 3))
  assert censored["value_lower"] == 1.0


def test_bivariate_normal_cdf_matches_scipy():
  for h, k, rho in [(0.3, -0.5, 0.4), (-1.2, -0.7, -0.6), (1.5, 2.0, 0.9), (0.0, 0.4, 0.2)]:
    expected = scipy_stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([h, k])
    assert stats.bivariate_normal_cdf(h, k, rho) == pytest.approx(expected, abs=1e-7)


def test_latent_correlation_recovers_the_latent_and_ignores_the_rate():
  generator = np.random.default_rng(3)
  runs, n = 6, 4000
  latent = generator.normal(size=(1, n))
  z = np.sqrt(0.4) * latent + np.sqrt(0.6) * generator.normal(size=(runs, n))
  labels = generator.integers(0, 4, n)
  shift = np.array([0.3, 1.0, -0.2, 1.4])[labels]  # Strata differ in accuracy.
  for rate in (0.35, 0.88):
    errors = z + shift > scipy_stats.norm.ppf(1 - rate)
    estimate, leave_run, leave_group = stats.latent_correlation(errors, labels)
    assert estimate == pytest.approx(0.4, abs=0.04)
    assert leave_run.shape == (runs,) and leave_group.shape == (stats.EXAMPLE_GROUPS,)
  independent = generator.random((runs, n)) < 0.7
  assert stats.latent_correlation(independent, labels)[0] == pytest.approx(0.0, abs=0.04)
  assert np.isnan(stats.latent_correlation(np.ones((runs, n), bool), labels)[0])


def test_page_trend_exact_minimum_and_direction():
  decreasing = np.array([[40, 30, 20, 10]] * 3, float)
  result = stats.page_trend(decreasing, permutations=2000)
  assert result["value"] == pytest.approx(-1.0)
  assert result["min_p"] == pytest.approx(1 / 24 ** 3)
  # Exact p of a perfect decrease is min_p; the Monte Carlo p is at most a few draws off.
  assert result["p_less"] <= 3 / 2001 and result["p_greater"] == pytest.approx(1.0)
  assert result["value"] < result["interval"][0]
  assert stats.page_trend(np.array([[1.0, 2.0]] * 3))["min_p"] == pytest.approx(1 / 8)


def test_dispersion_null_mean_is_the_permutation_average():
  generator = np.random.default_rng(0)
  errors = generator.random((4, 30)) < 0.4
  labels = generator.integers(0, 3, 30)
  _, null_mean, _ = stats.dispersion(errors, labels)
  draws = stats.permute_within_runs(errors, labels, 4000, generator)
  observed_draws, _, _ = stats.dispersion(draws, labels)
  assert observed_draws.mean() == pytest.approx(float(null_mean), rel=0.03)
  # Each permuted run keeps its error count within every label stratum.
  for value in range(3):
    rows = labels == value
    assert (draws[:, :, rows].sum(-1) == errors[:, rows].sum(-1)).all()


def test_excess_dispersion_ends():
  labels = np.zeros(6, int)
  same = np.array([[1, 1, 1, 0, 0, 0]] * 4, bool)  # The same examples always wrong.
  assert stats.excess_dispersion(same, labels) == pytest.approx(1.0)
  # Each run wrong on a different half, balanced: less consistent than chance.
  rotating = np.array([np.roll([1, 1, 1, 0, 0, 0], r) for r in range(4)], bool)
  assert stats.excess_dispersion(rotating, labels) < 0


def test_fleiss_kappa_by_hand():
  # 3 raters, 4 items: counts of "wrong" 3, 0, 2, 1.
  errors = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [1, 0, 0, 0]], bool)
  wrong = np.array([3, 0, 2, 1])
  right = 3 - wrong
  agreement = ((wrong * (wrong - 1) + right * (right - 1)) / 6).mean()
  p = wrong.sum() / 12
  expected = p ** 2 + (1 - p) ** 2
  assert stats.fleiss_kappa(errors) == pytest.approx((agreement - expected) / (1 - expected))


def test_difficulty_test_separates_consistent_from_random():
  generator = np.random.default_rng(1)
  hard = generator.random(200) < 0.4
  real = np.stack([hard ^ (generator.random(200) < 0.05) for _ in range(6)])
  noise = generator.random((6, 150)) < 0.8
  result = stats.difficulty_test(real, generator.integers(0, 10, 200), noise,
                                 generator.integers(0, 10, 150), permutations=100)
  assert result["excess_real"] > 0.5 and abs(result["excess_noise"]) < 0.1
  assert result["latent_real"] > 0.8 and abs(result["latent_noise"]) < 0.1
  assert result["interval"][0] > 0 and result["p_real"] <= 1 / 101 + 1e-9
  assert result["kappa_real"] > result["kappa_real_null"] + 0.5
  swapped = stats.difficulty_test(noise, np.zeros(150, int), real, np.zeros(200, int),
                                  permutations=50)
  assert swapped["interval"][1] < 0


@pytest.mark.parametrize("runs,points", list(itertools.product([3, 5], [3, 4])))
def test_page_trend_reachable(runs, points):
  assert stats.page_trend(np.zeros((runs, points)))["min_p"] < stats.ALPHA_SIDE
