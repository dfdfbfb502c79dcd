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

"""Per-example difficulty (Arpit et al. 2017, Fig. 1): do runs get the same examples wrong?

The errors of several runs ([..., runs, examples] booleans, runs the unit) against nulls
that keep each run's error count: the dispersion of per-example error rates within
assigned-label strata and its within-run permutation null, Fleiss' kappa, and the latent
correlation of errors between runs (the share of a latent difficulty that is the
example's, the same at any error rate), with jackknife intervals over runs and over
groups of examples. difficulty_test combines them for the claim of
suite.analysis.claims.difficulty. Conventions as in suite.analysis.stats.
"""

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import special
from scipy import stats as scipy_stats

from suite.analysis import declared


def _one_hot(labels) -> np.ndarray:
  """[examples, strata] indicator of each example's assigned-label stratum."""
  _, index = np.unique(np.asarray(labels), return_inverse=True)
  return np.eye(index.max() + 1)[index]


def dispersion(errors: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Within-label dispersion of per-example error rates and its within-run permutation
  null mean, for errors [..., runs, examples] (batch axes first).

  Returns (observed, null_mean, ceiling): the observed mean squared deviation of each
  example's error rate (over runs) from its label stratum's mean; its exact expectation
  when each run's outcomes are permuted across the examples of a stratum (each run keeps
  its own error count: runs differ in accuracy); and the dispersion if every example
  were always right or always wrong at the stratum's rate.

  Args:
    errors: booleans [..., runs, examples]: True where the run got the example wrong.
    labels: [examples]: each example's assigned label (the strata).

  Returns:
    (observed, null_mean, ceiling), each of the batch shape.
  """
  errors = np.asarray(errors, np.float64)
  runs, n = errors.shape[-2], errors.shape[-1]
  strata = _one_hot(labels)
  counts = strata.sum(0)
  rate = errors.mean(axis=-2)  # Per example, over runs.
  stratum_mean = (rate @ strata) / counts
  observed = ((rate - stratum_mean @ strata.T) ** 2).sum(-1)
  per_run = (errors @ strata) / counts  # [..., runs, strata]: each run's stratum error rate.
  null = (counts * (per_run * (1 - per_run)).sum(-2)).sum(-1) / runs ** 2
  mean = per_run.mean(-2)
  ceiling = (counts * mean * (1 - mean)).sum(-1)
  return observed / n, null / n, ceiling / n


def excess_dispersion(errors: ArrayLike, labels: ArrayLike) -> np.ndarray:
  """(observed - null) / (ceiling - null): 0 when which examples are wrong is chance,
  1 when the same examples are wrong in every run (an intraclass correlation).

  Args:
    errors: booleans [..., runs, examples]: True where the run got the example wrong.
    labels: [examples]: each example's assigned label (the strata).

  Returns:
    The excess dispersion, of the batch shape (NaN when undefined).
  """
  observed, null, ceiling = dispersion(errors, labels)
  span = ceiling - null
  with np.errstate(divide="ignore", invalid="ignore"):
    return np.where(span > 0, (observed - null) / np.where(span > 0, span, 1), 0.0)


def permute_within_runs(errors: ArrayLike, labels: ArrayLike, permutations: int,
                        generator: np.random.Generator) -> np.ndarray:
  """[permutations, runs, examples]: each run's outcomes shuffled within label strata.

  Args:
    errors: [runs, examples] booleans.
    labels: [examples]: each example's assigned label (the strata).
    permutations: how many permuted copies.
    generator: the numpy generator drawing them.

  Returns:
    [permutations, runs, examples] permuted outcomes.
  """
  errors = np.asarray(errors)
  _, index = np.unique(np.asarray(labels), return_inverse=True)
  grouped = np.argsort(index, kind="stable")  # Positions, grouped by stratum.
  keys = index + generator.random((permutations,) + errors.shape)
  shuffled = np.argsort(keys, axis=-1)  # The same groups, each in a random order.
  out = np.empty((permutations,) + errors.shape, errors.dtype)
  source = np.take_along_axis(np.broadcast_to(errors, out.shape), shuffled, axis=-1)
  out[..., grouped] = source
  return out


def fleiss_kappa(errors: ArrayLike) -> np.ndarray:
  """Fleiss' kappa of binary outcomes [..., runs (raters), examples (items)].

  Args:
    errors: booleans [..., runs, examples]: True where the run got the example wrong.

  Returns:
    Kappa, of the batch shape (0 where every rating agrees by chance).
  """
  errors = np.asarray(errors, np.float64)
  runs = errors.shape[-2]
  wrong = errors.sum(-2)
  right = runs - wrong
  agreement = (wrong * (wrong - 1) + right * (right - 1)) / (runs * (runs - 1))
  p = wrong.mean(-1) / runs
  expected = p ** 2 + (1 - p) ** 2
  with np.errstate(divide="ignore", invalid="ignore"):
    return np.where(expected < 1, (agreement.mean(-1) - expected) / (1 - expected), 0.0)


def bivariate_normal_cdf(h: ArrayLike, k: ArrayLike, rho: ArrayLike) -> np.ndarray:
  """P(X <= h, Y <= k) for standard normal X, Y of correlation rho (Owen's T; broadcast).

  Args:
    h: finite thresholds of X.
    k: finite thresholds of Y.
    rho: correlations in (-1, 1).

  Returns:
    The probabilities, of the broadcast shape.
  """
  h, k, rho = np.broadcast_arrays(*(np.asarray(a, np.float64) for a in (h, k, rho)))
  h = np.where(np.abs(h) < 1e-9, 1e-9, h)  # Owen's formula divides by h and k.
  k = np.where(np.abs(k) < 1e-9, 1e-9, k)
  root = np.sqrt(1 - rho ** 2)
  beta = np.where(h * k > 0, 0.0, 0.5)
  return (0.5 * special.ndtr(h) + 0.5 * special.ndtr(k) - beta
          - special.owens_t(h, (k - rho * h) / (h * root))
          - special.owens_t(k, (h - rho * k) / (k * root)))


def _bivariate_normal_density(h, k, rho):
  """d/d rho of bivariate_normal_cdf (Plackett): the bivariate normal density at (h, k)."""
  s2 = 1 - rho ** 2
  return np.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * s2)) / (2 * math.pi * np.sqrt(s2))


def latent_correlation(errors: ArrayLike, labels: ArrayLike, groups: int = declared.EXAMPLE_GROUPS
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """The correlation between runs of a latent difficulty behind the errors, with its
  leave-one-run-out and leave-one-group-of-examples-out estimates.

  Model: run r gets example i wrong when a latent z_ri = sqrt(rho) u_i + sqrt(1 - rho)
  e_ri (standard normal; u_i the example's difficulty, shared by the runs) exceeds a
  threshold of the run and the example's label stratum. Each threshold is set by that
  run's error rate in that stratum, so runs and strata may differ in accuracy; rho, the
  share of the latent variance that is the example's (an intraclass correlation on the
  latent scale), does not depend on the error rates. Estimated by pooled moments: the
  rho at which the expected count of examples both runs get wrong, summed over every
  pair of runs and every stratum, equals the observed count (the tetrachoric
  correlation, pooled; Newton's method guarded by bisection). Strata where a run gets
  every example or none wrong carry no information and are left out.

  Args:
    errors: booleans [..., runs, examples]: True where the run got the example wrong.
    labels: [..., examples]: each example's assigned label (the strata).
    groups: the groups of examples the jackknife leaves out in turn (example i in group
      i mod groups).

  Returns:
    (estimate [...], leaving out each run [..., runs], leaving out each group
    [..., groups]); NaN where no stratum informs it.
  """
  errors = np.asarray(errors, np.float64)
  runs, n = errors.shape[-2:]
  _, index = np.unique(np.asarray(labels), return_inverse=True)
  index = index.reshape(np.shape(labels))
  strata = np.eye(index.max() + 1)[index]  # [..., examples, strata]
  replicates = 1 + runs + groups
  examples = np.ones((replicates, n))
  for g in range(groups):
    examples[1 + runs + g, np.arange(n) % groups == g] = 0
  kept_runs = np.ones((replicates, runs))
  kept_runs[1 + np.arange(runs), np.arange(runs)] = 0
  first, second = np.triu_indices(runs, 1)
  pairs = kept_runs[:, first] * kept_runs[:, second]  # [replicates, pairs]
  weights = examples[:, :, None] * strata[..., None, :, :]  # [..., replicates, examples, strata]
  counts = weights.sum(-2)  # [..., replicates, strata]
  wrong = errors[..., None, :, :] @ weights  # [..., replicates, runs, strata]
  both = (errors[..., first, :] * errors[..., second, :])[..., None, :, :] @ weights
  with np.errstate(divide="ignore", invalid="ignore"):
    rate = wrong / counts[..., None, :]
  rate_1, rate_2 = rate[..., first, :], rate[..., second, :]
  informative = ((rate_1 > 0) & (rate_1 < 1) & (rate_2 > 0) & (rate_2 < 1)
                 & (pairs[..., None] > 0))
  h = special.ndtri(np.where(informative, rate_1, 0.5))
  k = special.ndtri(np.where(informative, rate_2, 0.5))
  weight = np.where(informative, counts[..., None, :], 0.0)
  target = np.where(informative, both, 0.0).sum((-1, -2))
  rho = np.zeros(target.shape)
  low, high = np.full(target.shape, -0.999), np.full(target.shape, 0.999)
  for _ in range(60):
    excess = (weight * bivariate_normal_cdf(h, k, rho[..., None, None])).sum((-1, -2)) - target
    low, high = np.where(excess < 0, rho, low), np.where(excess >= 0, rho, high)
    slope = (weight * _bivariate_normal_density(h, k, rho[..., None, None])).sum((-1, -2))
    step = rho - excess / np.where(slope > 0, slope, 1)
    new = np.where((step >= low) & (step <= high), step, (low + high) / 2)
    done = np.all(np.abs(new - rho) < 1e-10)
    rho = new
    if done:
      break
  rho = np.where(weight.sum((-1, -2)) > 0, rho, np.nan)
  return rho[..., 0], rho[..., 1:1 + runs], rho[..., 1 + runs:]


def jackknife_variance(leave_one_out: ArrayLike) -> np.ndarray:
  """(m - 1) / m x the sum of squared deviations of m leave-one-out estimates [..., m]."""
  values = np.asarray(leave_one_out, np.float64)
  m = values.shape[-1]
  return (m - 1) / m * ((values - values.mean(-1, keepdims=True)) ** 2).sum(-1)


def latent_difference(real_errors: ArrayLike, real_labels: ArrayLike, noise_errors: ArrayLike,
                      noise_labels: ArrayLike, groups: int = declared.EXAMPLE_GROUPS) -> dict:
  """Latent correlation of real data minus noise, with its interval (batch axes first).

  The interval is the estimate +- t(LEVEL, runs - 1) x sqrt(jackknife variance over runs
  + grouped jackknife variance over examples): runs are the unit, and the examples are a
  sample of their kind too (a difference that comes from which examples were drawn is
  not a difference between real data and noise). Each jackknife over-estimates its
  share (Efron-Stein), so the sum is conservative.

  Args:
    real_errors: [..., runs, examples] booleans on real data.
    real_labels: [..., examples] their labels.
    noise_errors: [..., runs, examples] booleans on noise, the same runs.
    noise_labels: [..., examples] their labels.
    groups: groups of examples of the jackknife over examples.

  Returns:
    {value, lo, hi, real, noise, se_runs, se_examples}: arrays of the batch shape.
  """
  real = latent_correlation(real_errors, real_labels, groups)
  noise = latent_correlation(noise_errors, noise_labels, groups)
  value = real[0] - noise[0]
  runs = np.shape(real_errors)[-2]
  var_runs = jackknife_variance(real[1] - noise[1])
  var_examples = jackknife_variance(real[2] - noise[2])
  t = scipy_stats.t.ppf(0.5 + declared.LEVEL / 2, runs - 1)
  half = t * np.sqrt(var_runs + var_examples)
  return {"value": value, "lo": value - half, "hi": value + half, "real": real[0],
          "noise": noise[0], "se_runs": np.sqrt(var_runs), "se_examples": np.sqrt(var_examples)}


def difficulty_test(real_errors: ArrayLike, real_labels: ArrayLike, noise_errors: ArrayLike,
                    noise_labels: ArrayLike,
                    permutations: int = declared.DIFFICULTY_PERMUTATIONS,
                    seed: int = 0) -> dict:
  """Is which examples are hard more consistent across runs on real data than on noise?

  real_errors / noise_errors: [runs, examples] booleans (misclassified after the first
  epoch), the same runs in the same order. Statistic: the latent correlation of errors
  between runs (latent_correlation: the share of a latent difficulty that is the
  example's), real minus noise, with latent_difference's interval (jackknife over runs
  and over groups of examples). On the latent scale the same difficulty gives the same
  value at any error rate, which the excess dispersion (a correlation on the scale of
  the errors themselves) does not: noise misclassified at 0.88 and real data at 0.35
  with the same latent difficulty have different excess dispersions. Null of each set
  alone: every run's outcomes permuted across examples within assigned-label strata,
  independently per run; `p_real` / `p_noise` count permutations whose excess
  dispersion is at least the observed (an exact test of "above chance", whatever the
  rate). Excess dispersion and Fleiss' kappa of each set are secondary views.

  Args:
    real_errors: [runs, examples] booleans on real labels.
    real_labels: [examples] labels of the real set.
    noise_errors: [runs, examples] booleans on random labels.
    noise_labels: [examples] labels of the noise set.
    permutations: permutations of each null.
    seed: seed of the permutations.

  Returns:
    {value, interval, latent_real, latent_noise, se_runs, se_examples, excess_real,
    excess_noise, excess_difference, p_real, p_noise, p_permutation, kappa_real,
    kappa_noise, ...}.
  """
  generator = np.random.default_rng(seed)
  real_errors = np.asarray(real_errors, bool)
  noise_errors = np.asarray(noise_errors, bool)
  latent = latent_difference(real_errors, real_labels, noise_errors, noise_labels)
  observed_real = float(excess_dispersion(real_errors, real_labels))
  observed_noise = float(excess_dispersion(noise_errors, noise_labels))
  excess = observed_real - observed_noise
  null_real_draws = permute_within_runs(real_errors, real_labels, permutations, generator)
  null_noise_draws = permute_within_runs(noise_errors, noise_labels, permutations, generator)
  null_real = excess_dispersion(null_real_draws, real_labels)
  null_noise = excess_dispersion(null_noise_draws, noise_labels)
  null = null_real - null_noise
  count = lambda draws, v: (1 + np.sum(draws >= v - 1e-12)) / (permutations + 1)
  kappa_real, kappa_noise = fleiss_kappa(real_errors), fleiss_kappa(noise_errors)
  return {"value": float(latent["value"]),
          "interval": [float(latent["lo"]), float(latent["hi"])],
          "latent_real": float(latent["real"]), "latent_noise": float(latent["noise"]),
          "se_runs": float(latent["se_runs"]), "se_examples": float(latent["se_examples"]),
          "excess_real": observed_real, "excess_noise": observed_noise,
          "excess_difference": excess,
          "null_permutation_mean": float(null.mean()),
          "p_permutation": float(count(null, excess)),
          "p_real": float(count(null_real, observed_real)),
          "p_noise": float(count(null_noise, observed_noise)),
          "kappa_real": float(kappa_real), "kappa_noise": float(kappa_noise),
          "kappa_real_null": float(fleiss_kappa(null_real_draws).mean()),
          "kappa_noise_null": float(fleiss_kappa(null_noise_draws).mean()),
          "p_kappa_real": float(count(fleiss_kappa(null_real_draws), kappa_real)),
          "p_kappa_noise": float(count(fleiss_kappa(null_noise_draws), kappa_noise))}
