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

"""The statistics of per-example difficulty, against independent computations."""

import itertools
import warnings

import numpy as np
import pytest
from scipy import optimize
from scipy import stats as scipy_stats

from suite.analysis import declared
from suite.analysis import example_difficulty


def test_bivariate_normal_cdf_matches_scipy():
  for h, k, rho in [(0.3, -0.5, 0.4), (-1.2, -0.7, -0.6), (1.5, 2.0, 0.9), (0.0, 0.4, 0.2)]:
    expected = scipy_stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([h, k])
    assert example_difficulty.bivariate_normal_cdf(h, k, rho) == pytest.approx(expected, abs=1e-7)


def test_latent_correlation_recovers_the_latent_and_ignores_the_rate():
  generator = np.random.default_rng(3)
  runs, n = 6, 4000
  latent = generator.normal(size=(1, n))
  z = np.sqrt(0.4) * latent + np.sqrt(0.6) * generator.normal(size=(runs, n))
  labels = generator.integers(0, 4, n)
  shift = np.array([0.3, 1.0, -0.2, 1.4])[labels]  # Strata differ in accuracy.
  for rate in (0.35, 0.88):
    errors = z + shift > scipy_stats.norm.ppf(1 - rate)
    estimate, leave_run, leave_group = example_difficulty.latent_correlation(errors, labels)
    assert estimate == pytest.approx(0.4, abs=0.04)
    assert leave_run.shape == (runs,) and leave_group.shape == (declared.EXAMPLE_GROUPS,)
  independent = generator.random((runs, n)) < 0.7
  assert example_difficulty.latent_correlation(independent, labels)[0] == pytest.approx(
      0.0, abs=0.04)
  assert np.isnan(example_difficulty.latent_correlation(np.ones((runs, n), bool), labels)[0])


def test_dispersion_null_mean_is_the_permutation_average():
  generator = np.random.default_rng(0)
  errors = generator.random((4, 30)) < 0.4
  labels = generator.integers(0, 3, 30)
  _, null_mean, _ = example_difficulty.dispersion(errors, labels)
  draws = example_difficulty.permute_within_runs(errors, labels, 4000, generator)
  observed_draws, _, _ = example_difficulty.dispersion(draws, labels)
  assert observed_draws.mean() == pytest.approx(float(null_mean), rel=0.03)
  # Each permuted run keeps its error count within every label stratum.
  for value in range(3):
    rows = labels == value
    assert (draws[:, :, rows].sum(-1) == errors[:, rows].sum(-1)).all()


def test_excess_dispersion_ends():
  labels = np.zeros(6, int)
  same = np.array([[1, 1, 1, 0, 0, 0]] * 4, bool)  # The same examples always wrong.
  assert example_difficulty.excess_dispersion(same, labels) == pytest.approx(1.0)
  # Each run wrong on a different half, balanced: less consistent than chance.
  rotating = np.array([np.roll([1, 1, 1, 0, 0, 0], r) for r in range(4)], bool)
  assert example_difficulty.excess_dispersion(rotating, labels) < 0


def test_fleiss_kappa_by_hand():
  # 3 raters, 4 items: counts of "wrong" 3, 0, 2, 1.
  errors = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [1, 0, 0, 0]], bool)
  wrong = np.array([3, 0, 2, 1])
  right = 3 - wrong
  agreement = ((wrong * (wrong - 1) + right * (right - 1)) / 6).mean()
  p = wrong.sum() / 12
  expected = p ** 2 + (1 - p) ** 2
  assert example_difficulty.fleiss_kappa(errors) == pytest.approx(
      (agreement - expected) / (1 - expected))


def test_difficulty_test_separates_consistent_from_random():
  generator = np.random.default_rng(1)
  hard = generator.random(200) < 0.4
  real = np.stack([hard ^ (generator.random(200) < 0.05) for _ in range(6)])
  noise = generator.random((6, 150)) < 0.8
  result = example_difficulty.difficulty_test(real, generator.integers(0, 10, 200), noise,
                                 generator.integers(0, 10, 150), permutations=100)
  assert result["excess_real"] > 0.5 and abs(result["excess_noise"]) < 0.1
  assert result["latent_real"] > 0.8 and abs(result["latent_noise"]) < 0.1
  assert result["interval"][0] > 0 and result["p_real"] <= 1 / 101 + 1e-9
  assert result["kappa_real"] > result["kappa_real_null"] + 0.5
  swapped = example_difficulty.difficulty_test(noise, np.zeros(150, int), real, np.zeros(200, int),
                                  permutations=50)
  assert swapped["interval"][1] < 0


# The tests below compare each statistic with an independent computation: loops over
# examples and runs, exact enumeration of the permutation null, scipy's bivariate normal
# and a root of the pooled moment equation found by Brent's method.


def test_bivariate_normal_cdf_at_zero_thresholds_and_in_float64_whatever_the_input():
  # Sheppard: P(X <= 0, Y <= 0) = 1/4 + arcsin(rho) / (2 pi).
  for rho in (-0.6, 0.0, 0.5):
    assert example_difficulty.bivariate_normal_cdf(0.0, 0.0, rho) == pytest.approx(
        0.25 + np.arcsin(rho) / (2 * np.pi), abs=1e-8)
  for h, k, rho in [(0.4, 0.0, 0.3), (-0.8, 0.0, -0.5)]:  # k = 0: Owen's formula divides by k.
    expected = scipy_stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([h, k])
    assert example_difficulty.bivariate_normal_cdf(h, k, rho) == pytest.approx(expected, abs=1e-6)
  # float32 thresholds are computed in float64: equal to the float64 call on their values.
  h, k, rho = (np.array([0.3, -1.1], np.float32), np.array([0.7, 0.2], np.float32),
               np.array([0.45, -0.3], np.float32))
  np.testing.assert_allclose(
      example_difficulty.bivariate_normal_cdf(h, k, rho),
      example_difficulty.bivariate_normal_cdf(h.astype(np.float64), k.astype(np.float64),
                                              rho.astype(np.float64)), rtol=1e-13, atol=0)


def test_bivariate_normal_density_is_scipys_and_the_cdfs_derivative_in_rho():
  density = example_difficulty._bivariate_normal_density  # pylint: disable=protected-access
  for h, k, rho in [(0.3, -0.5, 0.4), (-1.2, -0.7, -0.6), (1.5, 2.0, 0.9), (0.8, 0.8, 0.0)]:
    expected = scipy_stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).pdf([h, k])
    assert density(h, k, rho) == pytest.approx(expected, rel=1e-12)
    step = 1e-5  # Plackett: d/d rho of the cdf is the density.
    derivative = (example_difficulty.bivariate_normal_cdf(h, k, rho + step)
                  - example_difficulty.bivariate_normal_cdf(h, k, rho - step)) / (2 * step)
    assert density(h, k, rho) == pytest.approx(derivative, rel=1e-5)


def _dispersion_by_hand(errors, labels):
  """Loops over examples; the null mean by enumerating every within-stratum permutation."""
  errors = np.asarray(errors, float)
  runs, n = errors.shape
  rate = errors.mean(0)
  strata = sorted(set(labels))
  members = {s: [i for i in range(n) if labels[i] == s] for s in strata}
  observed = sum((rate[i] - np.mean(rate[members[s]])) ** 2
                 for s in strata for i in members[s]) / n
  ceiling = sum(len(members[s]) * np.mean(rate[members[s]]) * (1 - np.mean(rate[members[s]]))
                for s in strata) / n
  # Every run permuted independently within each stratum: all combinations.
  per_run = []
  for r in range(runs):
    outcomes = []
    for order in itertools.product(*(itertools.permutations(members[s]) for s in strata)):
      row = np.empty(n)
      for s, permuted in zip(strata, order):
        row[members[s]] = errors[r, list(permuted)]
      outcomes.append(row)
    per_run.append(outcomes)
  values = []
  for rows in itertools.product(*per_run):
    permuted_rate = np.mean(rows, axis=0)
    values.append(sum((permuted_rate[i] - np.mean(permuted_rate[members[s]])) ** 2
                      for s in strata for i in members[s]) / n)
  return observed, np.mean(values), ceiling


def test_dispersion_its_exact_null_and_ceiling_by_hand_batched():
  labels = np.array([0, 1, 0, 0, 1])
  first = np.array([[1, 0, 1, 0, 1], [1, 1, 0, 0, 0]], bool)  # 2 runs, 5 examples.
  second = np.array([[0, 0, 1, 1, 1], [1, 0, 1, 0, 0]], bool)
  observed, null, ceiling = example_difficulty.dispersion(np.stack([first, second]), labels)
  assert observed.shape == null.shape == ceiling.shape == (2,)
  for b, errors in enumerate((first, second)):
    expected = _dispersion_by_hand(errors, labels)
    np.testing.assert_allclose([observed[b], null[b], ceiling[b]], expected, rtol=1e-12)
    excess = (expected[0] - expected[1]) / (expected[2] - expected[1])
    assert example_difficulty.excess_dispersion(errors, labels) == pytest.approx(excess)


def test_excess_dispersion_and_kappa_are_0_where_every_run_agrees_by_necessity():
  labels = np.array([0, 0, 1, 1])
  for errors in (np.zeros((3, 4), bool), np.ones((3, 4), bool)):  # No chance to disagree.
    with warnings.catch_warnings():
      warnings.simplefilter("error")  # No 0 / 0 is reported either.
      excess = example_difficulty.excess_dispersion(errors, labels)
      kappa = example_difficulty.fleiss_kappa(errors)
    assert excess.dtype == np.float64 and excess == 0.0
    assert kappa.dtype == np.float64 and kappa == 0.0


def test_fleiss_kappa_batched_by_hand():
  generator = np.random.default_rng(4)
  errors = generator.random((3, 4, 9)) < [[[0.2]], [[0.5]], [[0.9]]]  # 3 sets, 4 raters.
  kappa = example_difficulty.fleiss_kappa(errors)
  assert kappa.shape == (3,)
  for b in range(3):
    wrong = errors[b].sum(0)
    right = 4 - wrong
    agreement = np.mean((wrong * (wrong - 1) + right * (right - 1)) / 12)
    p = wrong.sum() / errors[b].size
    expected = p ** 2 + (1 - p) ** 2
    assert kappa[b] == pytest.approx((agreement - expected) / (1 - expected), rel=1e-12)


def test_jackknife_variance_by_hand_in_float64():
  values = np.array([[0.1, 0.4, 0.35, 0.9, 0.2], [1.0, 1.0, 1.0, 1.0, 3.0]], np.float32)
  by_hand = [4 / 5 * sum((v - np.mean(row.astype(float))) ** 2 for v in row.astype(float))
             for row in values]
  np.testing.assert_allclose(example_difficulty.jackknife_variance(values), by_hand, rtol=1e-13)


def _moment_root(errors, labels, runs_kept, examples_kept):
  """The pooled tetrachoric rho of the kept runs and examples, by Brent's method (None if no
  stratum of any pair is informative)."""
  errors = np.asarray(errors, float)[:, examples_kept][runs_kept]
  labels = np.asarray(labels)[examples_kept]
  hs, ks, weights, target = [], [], [], 0.0
  for a, b in itertools.combinations(range(len(errors)), 2):
    for s in np.unique(labels):
      rows = labels == s
      rate_a, rate_b = errors[a, rows].mean(), errors[b, rows].mean()
      if 0 < rate_a < 1 and 0 < rate_b < 1:
        hs.append(scipy_stats.norm.ppf(rate_a))
        ks.append(scipy_stats.norm.ppf(rate_b))
        weights.append(rows.sum())
        target += np.sum(errors[a, rows] * errors[b, rows])
  if not weights:
    return None
  excess = lambda rho: np.sum(np.array(weights) * example_difficulty.bivariate_normal_cdf(
      np.array(hs), np.array(ks), rho)) - target
  if excess(-0.999) >= 0:
    return -0.999
  if excess(0.999) <= 0:
    return 0.999
  return optimize.brentq(excess, -0.999, 0.999, xtol=1e-15, rtol=1e-15)


def _correlated_errors(generator, rho, runs, n, rates):
  latent = generator.normal(size=(1, n))
  z = np.sqrt(rho) * latent + np.sqrt(1 - rho) * generator.normal(size=(runs, n))
  return z > scipy_stats.norm.ppf(1 - np.asarray(rates)[:, None])


def test_latent_correlation_solves_the_pooled_moment_equation_for_every_replicate():
  generator = np.random.default_rng(5)
  runs, n, groups = 4, 60, 3
  labels = np.arange(n) % 3
  errors = _correlated_errors(generator, 0.5, runs, n, [0.3, 0.5, 0.6, 0.4])
  # Run 0 gets all of stratum 2 wrong, run 1 none of stratum 1: uninformative cells.
  errors[0, labels == 2] = True
  errors[1, labels == 1] = False
  estimate, leave_run, leave_group = example_difficulty.latent_correlation(errors, labels, groups)
  everything = np.ones(n, bool)
  assert estimate == pytest.approx(_moment_root(errors, labels, np.arange(runs), everything),
                                   abs=1e-12)
  for r in range(runs):
    kept = np.delete(np.arange(runs), r)
    assert leave_run[r] == pytest.approx(_moment_root(errors, labels, kept, everything),
                                         abs=1e-12)
  for g in range(groups):
    kept = np.arange(n) % groups != g
    assert leave_group[g] == pytest.approx(_moment_root(errors, labels, np.arange(runs), kept),
                                           abs=1e-12)


def test_latent_correlation_batched_at_its_bounds_and_where_nothing_informs_it():
  generator = np.random.default_rng(6)
  runs, n, groups = 3, 40, 2
  labels = np.stack([np.arange(n) % 2, np.arange(n) % 4])  # Labels per batch item.
  same = np.tile(generator.random(n) < 0.4, (runs, 1))  # The same examples always wrong.
  alternating = np.stack([np.arange(n) // 4 % 2 == r % 2 for r in range(runs)])
  mixed = _correlated_errors(generator, 0.3, runs, n, [0.3, 0.5, 0.7])
  nothing = np.zeros((runs, n), bool)
  errors = np.stack([np.stack([same, mixed]), np.stack([nothing, alternating])])
  batch_labels = np.stack([labels, labels])  # [2, 2, n]
  estimate, leave_run, leave_group = example_difficulty.latent_correlation(
      errors, batch_labels, groups)
  assert estimate.shape == (2, 2) and leave_run.shape == (2, 2, runs)
  assert leave_group.shape == (2, 2, groups)
  for i in range(2):
    for j in range(2):
      single = example_difficulty.latent_correlation(errors[i, j], batch_labels[i, j], groups)
      expected = _moment_root(errors[i, j], batch_labels[i, j], np.arange(runs), np.ones(n, bool))
      if expected is None:
        assert np.isnan(estimate[i, j]) and np.isnan(single[0])
        continue
      # Newton converges to machine precision; at a bound, bisection stops within 1e-10.
      assert estimate[i, j] == pytest.approx(expected, abs=1e-12 if abs(expected) < 0.999 else 1e-9)
      np.testing.assert_allclose(leave_run[i, j], single[1], atol=1e-12)
      np.testing.assert_allclose(leave_group[i, j], single[2], atol=1e-12)
  assert estimate[0, 0] == pytest.approx(0.999, abs=1e-9)  # The same errors: the bound.
  assert abs(estimate[0, 1]) < 0.999 and np.isnan(estimate[1, 0]) and np.isfinite(estimate[1, 1])


def test_latent_correlation_warns_of_nothing_when_a_stratum_is_left_out():
  generator = np.random.default_rng(7)
  labels = np.array([0] * 29 + [1])  # Stratum 1 empty when its group is left out.
  errors = generator.random((3, 30)) < 0.5
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    estimate, _, _ = example_difficulty.latent_correlation(errors, labels, 2)
  assert np.isfinite(estimate)


def test_latent_difference_interval_by_hand():
  generator = np.random.default_rng(8)
  runs, groups = 5, 4
  real = _correlated_errors(generator, 0.6, runs, 80, [0.3, 0.4, 0.35, 0.5, 0.3])
  noise = _correlated_errors(generator, 0.1, runs, 70, [0.8, 0.85, 0.9, 0.8, 0.75])
  real_labels, noise_labels = np.arange(80) % 4, np.arange(70) % 5
  out = example_difficulty.latent_difference(real, real_labels, noise, noise_labels, groups)
  r = example_difficulty.latent_correlation(real, real_labels, groups)
  z = example_difficulty.latent_correlation(noise, noise_labels, groups)
  jackknife = lambda v: (len(v) - 1) / len(v) * np.sum((v - np.mean(v)) ** 2)
  var_runs, var_examples = jackknife(r[1] - z[1]), jackknife(r[2] - z[2])
  assert var_runs > 0 and var_examples > 0
  half = scipy_stats.t.ppf(0.975, runs - 1) * np.sqrt(var_runs + var_examples)
  value = r[0] - z[0]
  expected = {"value": value, "lo": value - half, "hi": value + half, "real": r[0],
              "noise": z[0], "se_runs": np.sqrt(var_runs), "se_examples": np.sqrt(var_examples)}
  assert set(out) == set(expected)
  for key, want in expected.items():
    assert out[key] == pytest.approx(want, rel=1e-12, abs=1e-14), key


def test_permuted_outcomes_keep_their_dtype():
  errors = np.random.default_rng(9).random((3, 8)) < 0.5
  draws = example_difficulty.permute_within_runs(errors, np.arange(8) % 2, 5,
                                                 np.random.default_rng(0))
  assert draws.dtype == np.bool_ and draws.shape == (5, 3, 8)


def test_difficulty_test_reports_its_parts_and_exact_permutation_counts():
  generator = np.random.default_rng(10)
  # Few examples: permuted dispersions often equal the observed one (ties count).
  real = generator.random((3, 6)) < 0.5
  noise = generator.random((3, 5)) < 0.6
  real_labels, noise_labels = np.array([0, 0, 0, 1, 1, 1]), np.zeros(5, int)
  permutations = 40
  out = example_difficulty.difficulty_test(real, real_labels, noise, noise_labels,
                                           permutations=permutations)  # seed 0 by default
  again = np.random.default_rng(0)
  real_draws = example_difficulty.permute_within_runs(real, real_labels, permutations, again)
  noise_draws = example_difficulty.permute_within_runs(noise, noise_labels, permutations, again)
  excess = example_difficulty.excess_dispersion
  kappa = example_difficulty.fleiss_kappa
  observed_real, observed_noise = float(excess(real, real_labels)), float(excess(noise, noise_labels))
  null_real, null_noise = excess(real_draws, real_labels), excess(noise_draws, noise_labels)
  null = null_real - null_noise
  assert np.any(np.isclose(null_real, observed_real))  # Ties, which `>=` counts.
  at_least = lambda draws, v: (1 + sum(d >= v - 1e-12 for d in draws)) / (permutations + 1)
  latent = example_difficulty.latent_difference(real, real_labels, noise, noise_labels)
  expected = {
      "value": latent["value"], "interval": [latent["lo"], latent["hi"]],
      "latent_real": latent["real"], "latent_noise": latent["noise"],
      "se_runs": latent["se_runs"], "se_examples": latent["se_examples"],
      "excess_real": observed_real, "excess_noise": observed_noise,
      "excess_difference": observed_real - observed_noise,
      "null_permutation_mean": np.mean(null),
      "p_permutation": at_least(null, observed_real - observed_noise),
      "p_real": at_least(null_real, observed_real),
      "p_noise": at_least(null_noise, observed_noise),
      "kappa_real": kappa(real), "kappa_noise": kappa(noise),
      "kappa_real_null": np.mean(kappa(real_draws)),
      "kappa_noise_null": np.mean(kappa(noise_draws)),
      "p_kappa_real": at_least(kappa(real_draws), kappa(real)),
      "p_kappa_noise": at_least(kappa(noise_draws), kappa(noise))}
  assert set(out) == set(expected)
  for key, want in expected.items():
    np.testing.assert_allclose(out[key], want, rtol=1e-12, atol=1e-15, err_msg=key)


def test_latent_correlation_of_complementary_runs_is_the_lower_bound():
  # Two runs wrong on complementary halves of every stratum: the moment equation's root
  # is rho = -1, so the estimate is the bracket's end, -0.999.
  labels = np.arange(40) % 2
  first = np.arange(40) // 2 % 2 == 0
  errors = np.stack([first, ~first])
  estimate, _, _ = example_difficulty.latent_correlation(errors, labels, 3)
  assert estimate == pytest.approx(-0.999, abs=1e-9)


def test_latent_correlation_by_brent_with_few_examples_any_group_count_and_full_cells():
  generator = np.random.default_rng(11)
  # Roots inside (-0.99, 0.99): where a pair's only informative cell has a root at rho = 1
  # the equation is flat near it (within 1e-12 from about 0.99 on), and both stop there.
  for runs, n, groups in [(3, 30, 5), (4, 30, 10), (5, 24, 2)]:
    labels = np.arange(n) % 2
    errors = _correlated_errors(generator, 0.4, runs, n, np.linspace(0.3, 0.6, runs))
    errors[runs - 1, labels == 0] = True  # The last run, second of its pairs: a full cell.
    estimate, leave_run, leave_group = example_difficulty.latent_correlation(errors, labels,
                                                                             groups)
    everything = np.ones(n, bool)
    expected = [_moment_root(errors, labels, np.arange(runs), everything)]
    expected += [_moment_root(errors, labels, np.delete(np.arange(runs), r), everything)
                 for r in range(runs)]
    expected += [_moment_root(errors, labels, np.arange(runs), np.arange(n) % groups != g)
                 for g in range(groups)]
    assert np.all(np.abs(expected) < 0.99), expected
    np.testing.assert_allclose(np.concatenate([[estimate], leave_run, leave_group]), expected,
                               rtol=0, atol=1e-12)


def test_latent_correlation_with_five_examples_a_stratum_by_brent():
  """Few examples: slopes below 1, where only a true Newton step reaches 1e-12."""
  generator = np.random.default_rng(16)
  runs, n, groups = 3, 10, 2
  labels = np.arange(n) % 2
  errors = _correlated_errors(generator, 0.4, runs, n, np.linspace(0.4, 0.6, runs))
  estimate, leave_run, leave_group = example_difficulty.latent_correlation(errors, labels, groups)
  everything = np.ones(n, bool)
  expected = [_moment_root(errors, labels, np.arange(runs), everything)]
  expected += [_moment_root(errors, labels, np.delete(np.arange(runs), r), everything)
               for r in range(runs)]
  expected += [_moment_root(errors, labels, np.arange(runs), np.arange(n) % groups != g)
               for g in range(groups)]
  assert np.all(np.abs(expected) < 0.99), expected
  np.testing.assert_allclose(np.concatenate([[estimate], leave_run, leave_group]), expected,
                             rtol=0, atol=1e-12)
