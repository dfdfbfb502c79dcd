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

import numpy as np
import pytest
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
