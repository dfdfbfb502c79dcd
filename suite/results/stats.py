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

"""Statistical tests behind the claims: the unit is the run, every verdict has a null.

Conventions used by every claim (suite.results.claims):
  - Intervals are two-sided at LEVEL (95%) and taken over runs (seeds), never over the
    examples of one run: examples of a run share one model, so they are not independent.
  - A one-sided claim is `held` when the interval excludes the null on the claimed side,
    `contradicted` when it excludes it on the other side, `inconclusive` otherwise. Each
    side is therefore a test at (1 - LEVEL) / 2 = 2.5%.
  - An equivalence claim is `held` when the whole interval lies within +-margin (two
    one-sided tests, each at 2.5%, against a margin declared in advance).
  - Permutation tests report the null distribution's central LEVEL range as `interval`
    (and its mean as `null`); `held` when the observed value lies beyond it on the
    claimed side, i.e. the one-sided permutation p-value is at most 2.5%.
Every function here is plain NumPy/SciPy, vectorised where the calibration tests need it.
"""

import functools
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special
from scipy import stats as scipy_stats

LEVEL = 0.95
ALPHA_SIDE = (1 - LEVEL) / 2  # The level of each one-sided test.
MIN_SEEDS = 3

HELD, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE = ("held", "contradicted", "inconclusive",
                                                 "not testable")


def test_record(statistic: str, value: ArrayLike | None, null: ArrayLike | None,
                interval: Sequence[ArrayLike | None], n: int, method: str, **extra: Any) -> dict:
  """The `test` section of a claim line (plain floats, JSON-ready).

  Args:
    statistic: what is measured, in words.
    value: its value.
    null: its value under the null (or the control's).
    interval: (lo, hi) over runs.
    n: the number of runs.
    method: how the interval and p-value were computed.
    **extra: further fields (floats are converted).

  Returns:
    {statistic, value, null, interval, n, method, ...} with plain floats.
  """
  out = {"statistic": statistic, "value": _float(value), "null": _float(null),
         "interval": [_float(interval[0]), _float(interval[1])], "n": int(n), "method": method}
  out.update({k: _float(v) if isinstance(v, (float, np.floating)) else v
              for k, v in extra.items()})
  return out


def _float(value):
  return None if value is None else float(value)


def mean_std(values) -> tuple[float, float, int] | None:
  """(mean, standard deviation over seeds (ddof 1; 0 for one value), n) of the values that
  exist (None and NaN left out); None when none does. What figures and tables show."""
  present = [float(v) for v in values if v is not None and v == v]
  if not present:
    return None
  array = np.asarray(present)
  return float(array.mean()), float(array.std(ddof=1)) if len(array) > 1 else 0.0, len(array)


def t_interval(values: ArrayLike, level: float = LEVEL
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Mean and two-sided t interval over the last axis (runs). Arrays in, arrays out.

  With zero spread the interval is the point itself (identical runs).

  Args:
    values: [..., runs].
    level: two-sided confidence level.

  Returns:
    (mean, lo, hi), each of the batch shape; infinite bounds with one run.
  """
  values = np.asarray(values, np.float64)
  n = values.shape[-1]
  mean = values.mean(axis=-1)
  if n < 2:
    return mean, np.full_like(mean, -np.inf), np.full_like(mean, np.inf)
  se = values.std(axis=-1, ddof=1) / math.sqrt(n)
  half = scipy_stats.t.ppf(0.5 + level / 2, n - 1) * se
  return mean, mean - half, mean + half


def t_p_greater(values: ArrayLike, null: float = 0.0) -> np.ndarray:
  """One-sided p-value of H0: mean <= null (t test over the last axis).

  Args:
    values: [..., runs].
    null: the mean under H0.

  Returns:
    The p-values, of the batch shape.
  """
  values = np.asarray(values, np.float64)
  n = values.shape[-1]
  mean = values.mean(axis=-1)
  se = values.std(axis=-1, ddof=1) / math.sqrt(n)
  with np.errstate(divide="ignore", invalid="ignore"):
    t = (mean - null) / se
  t = np.where(se > 0, t, np.where(mean > null, np.inf, np.where(mean < null, -np.inf, 0.0)))
  return scipy_stats.t.sf(t, n - 1)


def t_p_less(values: ArrayLike, null: float = 0.0) -> np.ndarray:
  """One-sided p-value of H0: mean >= null (t test over the last axis).

  Args:
    values: [..., runs].
    null: the mean under H0.

  Returns:
    The p-values, of the batch shape.
  """
  return t_p_greater(-np.asarray(values, np.float64), -null)


def tost_p(values: ArrayLike, margin: float) -> np.ndarray:
  """p-value of the two one-sided t tests of equivalence within (-margin, margin): the
  larger of p(H0: mean <= -margin) and p(H0: mean >= margin). At most ALPHA_SIDE exactly
  when the LEVEL t interval lies inside the margins (equivalence_verdict's `held`).

  Args:
    values: [..., runs].
    margin: the equivalence margin declared in advance.

  Returns:
    The p-values, of the batch shape.
  """
  return np.maximum(t_p_greater(values, -margin), t_p_less(values, margin))


def fitted_rise(x: ArrayLike, y: ArrayLike) -> np.ndarray:
  """The least-squares line of y on x, its rise over the span of x: slope x (max x - min x).

  A linear function of y, so Gaussian whenever y is (a random walk, autocorrelated
  noise), with mean 0 when y has no trend: over independent seeds a t test of it is
  valid even when the seeds' spreads differ (Bakirov and Szekely 2006: Student's t test
  of a mean keeps its level for independent, centred Gaussian values of unequal
  variances at the usual levels), which a bounded rank statistic is not.

  Args:
    x: [points] (or broadcastable to y).
    y: [..., points].

  Returns:
    The rises, of y's batch shape (NaN where y has a NaN).
  """
  y = np.asarray(y, np.float64)
  x = np.broadcast_to(np.asarray(x, np.float64), y.shape)
  xc = x - x.mean(-1, keepdims=True)
  with np.errstate(divide="ignore", invalid="ignore"):
    slope = (xc * (y - y.mean(-1, keepdims=True))).sum(-1) / (xc ** 2).sum(-1)
  return slope * (x.max(-1) - x.min(-1))


def side_verdict(lo: ArrayLike, hi: ArrayLike, null: float = 0.0,
                 side: str = "greater") -> str | np.ndarray:
  """Verdict of a one-sided claim from its interval (scalar or array).

  Args:
    lo: lower bounds.
    hi: upper bounds.
    null: the value the claim is compared with.
    side: 'greater' or 'less': the claimed side.

  Returns:
    HELD / CONTRADICTED / INCONCLUSIVE: a str for scalars, else an array.
  """
  lo, hi = np.asarray(lo), np.asarray(hi)
  if side == "greater":
    held, contradicted = lo > null, hi < null
  elif side == "less":
    held, contradicted = hi < null, lo > null
  else:
    raise ValueError(side)
  out = np.where(held, HELD, np.where(contradicted, CONTRADICTED, INCONCLUSIVE))
  return str(out) if out.ndim == 0 else out


def equivalence_verdict(lo: ArrayLike, hi: ArrayLike, margin: float) -> str | np.ndarray:
  """TOST: held when [lo, hi] lies inside (-margin, margin); contradicted when it lies
  wholly outside; inconclusive otherwise.

  Args:
    lo: lower bounds of the difference.
    hi: upper bounds of the difference.
    margin: the equivalence margin declared in advance.

  Returns:
    HELD / CONTRADICTED / INCONCLUSIVE: a str for scalars, else an array.
  """
  lo, hi = np.asarray(lo), np.asarray(hi)
  held = (lo > -margin) & (hi < margin)
  contradicted = (lo >= margin) | (hi <= -margin)
  out = np.where(held, HELD, np.where(contradicted, CONTRADICTED, INCONCLUSIVE))
  return str(out) if out.ndim == 0 else out


def holm(pvalues: ArrayLike) -> np.ndarray:
  """Holm-adjusted p-values (step-down, monotone), same order as given.

  Args:
    pvalues: [m] unadjusted p-values.

  Returns:
    [m] adjusted p-values, in the input order.
  """
  p = np.asarray(pvalues, np.float64)
  m = len(p)
  order = np.argsort(p)
  adjusted = np.empty(m)
  running = 0.0
  for rank, i in enumerate(order):
    running = max(running, min(1.0, (m - rank) * p[i]))
    adjusted[i] = running
  return adjusted


def log_odds_above_chance(fit: ArrayLike, num_classes: int, eps: float = 1e-3) -> np.ndarray:
  """logit(fit) - logit(1 / C): 0 at chance, the scale on which fits are compared.

  Args:
    fit: accuracies in [0, 1].
    num_classes: C.
    eps: clipping away from 0 and 1.

  Returns:
    The log-odds above chance, of `fit`'s shape.
  """
  fit = np.clip(np.asarray(fit, np.float64), eps, 1 - eps)
  chance = 1.0 / num_classes
  return np.log(fit / (1 - fit)) - math.log(chance / (1 - chance))


def ranks(values: ArrayLike, axis: int = -1) -> np.ndarray:
  """Average ranks along `axis` (ties share their mean rank; inf ranks last).

  Args:
    values: the values to rank.
    axis: the axis ranked along.

  Returns:
    float64 ranks from 1, of `values`' shape.
  """
  return scipy_stats.rankdata(np.asarray(values, np.float64), axis=axis)


def spearman_rows(x: ArrayLike, y: ArrayLike) -> np.ndarray:
  """Spearman correlation of x with each row of y (last axis), ties averaged; 0 when a
  row is constant; NaN when a row (or x) holds a NaN, never a number that would count.

  Args:
    x: [points].
    y: [..., points].

  Returns:
    The correlations, of y's batch shape.
  """
  y = np.asarray(y, np.float64)
  x = np.broadcast_to(np.asarray(x, np.float64), y.shape)
  missing = np.isnan(x).any(-1) | np.isnan(y).any(-1)
  rx = ranks(np.where(np.isnan(x), 0.0, x))
  ry = ranks(np.where(np.isnan(y), 0.0, y))
  rx = rx - rx.mean(axis=-1, keepdims=True)
  ry = ry - ry.mean(axis=-1, keepdims=True)
  denominator = np.sqrt((rx ** 2).sum(-1) * (ry ** 2).sum(-1))
  with np.errstate(divide="ignore", invalid="ignore"):
    rho = np.where(denominator > 0, (rx * ry).sum(-1) / np.where(denominator > 0,
                                                                  denominator, 1), 0.0)
  return np.where(missing, np.nan, rho)


def page_trend(outcomes: ArrayLike, permutations: int = 2000, seed: int = 0) -> dict:
  """Trend of outcomes [seeds, points] along the points axis, blocked by seed.

  Statistic: the mean over seeds of the within-seed Spearman correlation between the
  point's position and the outcome (Page's L, up to a linear map). Null: the outcomes
  of each seed permuted across the points (runs at different points are exchangeable
  under no trend; each seed's data and initialisation stay together). Exact enumeration
  is replaced by Monte Carlo; `min_p` is the smallest p-value the exact test could give,
  (1 / k!)^seeds: when it exceeds the level the trend cannot be shown at all.

  Args:
    outcomes: [seeds, points], points in their swept order (no NaN: ValueError).
    permutations: Monte Carlo permutations of the null.
    seed: seed of the permutations.

  Returns:
    {value, per_seed, null, interval, p_greater, p_less, min_p}.
  """
  outcomes = np.asarray(outcomes, np.float64)
  if np.isnan(outcomes).any():
    raise ValueError("a NaN outcome has no rank: leave its seed out first")
  seeds, k = outcomes.shape
  position = np.arange(k, dtype=np.float64)
  observed = spearman_rows(position, outcomes)
  value = float(observed.mean())
  row_ranks = ranks(outcomes)
  generator = np.random.default_rng(seed)
  permuted = generator.permuted(np.broadcast_to(row_ranks, (permutations, seeds, k)), axis=-1)
  null = spearman_rows(position, permuted).mean(axis=-1)
  p_greater = (1 + np.sum(null >= value - 1e-12)) / (permutations + 1)
  p_less = (1 + np.sum(null <= value + 1e-12)) / (permutations + 1)
  lo, hi = np.quantile(null, [ALPHA_SIDE, 1 - ALPHA_SIDE])
  min_p = math.factorial(k) ** -seeds if k < 20 else 0.0
  return {"value": value, "per_seed": observed.tolist(), "null": float(null.mean()),
          "interval": [float(lo), float(hi)], "p_greater": float(p_greater),
          "p_less": float(p_less), "min_p": float(min_p)}


# The most points a bracketed trend enumerates the orders of (8! = 40,320 orders).
MAX_BRACKET_POINTS = 8


@functools.lru_cache(maxsize=None)
def _orders(k: int) -> tuple[np.ndarray, np.ndarray]:
  """Every order of k points as ranks [k!, k] (0-based), and each one's sum of squared
  rank differences from the identity (Spearman's D; rho = 1 - 6 D / (k (k^2 - 1)))."""
  orders = np.array(list(itertools.permutations(range(k))), np.int64).reshape(-1, k)
  return orders, ((orders - np.arange(k)) ** 2).sum(-1)


@functools.lru_cache(maxsize=None)
def spearman_null(points: int, seeds: int) -> tuple[np.ndarray, np.ndarray]:
  """Exact null of the mean over seeds of the within-seed Spearman correlation between the
  position and `points` distinct values in a uniformly random order, independently per
  seed (Page's test without ties): (values ascending, probabilities).

  Args:
    points: the points per seed (at most MAX_BRACKET_POINTS).
    seeds: the seeds.

  Returns:
    (the possible means, their probabilities).
  """
  _, d = _orders(points)
  one = np.bincount(d) / len(d)  # Distribution of D for one seed.
  total = np.ones(1)
  for _ in range(seeds):
    total = np.convolve(total, one)
  values = 1 - 6 * np.arange(len(total)) / (seeds * points * (points ** 2 - 1))
  keep = total > 0
  return values[keep][::-1], total[keep][::-1]


def bracket_trend(lo: ArrayLike, hi: ArrayLike) -> dict:
  """Trend along the points of values known only within open brackets (lo, hi), per seed.

  For quantities read off an evaluation grid (epochs to fit, and ratios of them), where
  rounding to the grid can itself make a trend: per seed, the least and the most
  favourable within-seed Spearman correlation between the point's position and the
  values over every order of the values the brackets allow (point i is certainly below
  j only when hi_i <= lo_j). The true values' order is one of them, so the least
  favourable mean over seeds is at most the true one; under no trend (the true values
  of a seed exchangeable across the points) the true mean follows the exact null of
  Page's test (spearman_null), so `held` on the least favourable mean is a test at
  ALPHA_SIDE whatever the grid (and `contradicted` on the most favourable).

  Args:
    lo: [seeds, points] lower ends of the brackets.
    hi: [seeds, points] upper ends (inf: censored).

  Returns:
    {lower, upper (per seed), value_lower, value_upper (means over seeds), null (0),
    interval (the null's range: value_lower above it is p_greater <= ALPHA_SIDE, value_upper
    below it p_less <= ALPHA_SIDE), p_greater (of value_lower), p_less (of value_upper),
    min_p (the smallest p-value the exact test can give)}.
  """
  lo, hi = np.asarray(lo, np.float64), np.asarray(hi, np.float64)
  seeds, k = lo.shape
  if k > MAX_BRACKET_POINTS:
    raise ValueError(f"{k} points: at most {MAX_BRACKET_POINTS} are enumerated")
  orders, d = _orders(k)
  rho = 1 - 6 * d / (k * (k ** 2 - 1))
  below = hi[:, :, None] <= lo[:, None, :]  # [seeds, i, j]: i certainly below j.
  against = orders[:, :, None] > orders[:, None, :]  # [orders, i, j]: i ranked above j.
  feasible = ~np.einsum("sij,oij->so", below.astype(np.int64),
                        against.astype(np.int64)).astype(bool)
  lower = np.where(feasible, rho, np.inf).min(-1)
  upper = np.where(feasible, rho, -np.inf).max(-1)
  values, probabilities = spearman_null(k, seeds)
  value_lower, value_upper = float(lower.mean()), float(upper.mean())
  p_greater = probabilities[values >= value_lower - 1e-12].sum()
  p_less = probabilities[values <= value_upper + 1e-12].sum()
  # The null's range: held exactly when value_lower lies above it (p_greater <= ALPHA_SIDE),
  # contradicted exactly when value_upper lies below it.
  at_most = np.cumsum(probabilities)
  at_least = np.cumsum(probabilities[::-1])[::-1]
  interval = (values[at_most > ALPHA_SIDE].min(), values[at_least > ALPHA_SIDE].max())
  return {"lower": lower.tolist(), "upper": upper.tolist(), "value_lower": value_lower,
          "value_upper": value_upper, "null": 0.0,
          "interval": [float(interval[0]), float(interval[1])],
          "p_greater": float(min(1.0, p_greater)), "p_less": float(min(1.0, p_less)),
          "min_p": float(math.factorial(k) ** -seeds)}


# Per-example difficulty (Arpit et al. 2017, Fig. 1).


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


# Groups of examples left out in turn by the jackknife over examples (example i is in
# group i mod EXAMPLE_GROUPS).
EXAMPLE_GROUPS = 10


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


def latent_correlation(errors: ArrayLike, labels: ArrayLike, groups: int = EXAMPLE_GROUPS
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
                      noise_labels: ArrayLike, groups: int = EXAMPLE_GROUPS) -> dict:
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
  half = scipy_stats.t.ppf(0.5 + LEVEL / 2, runs - 1) * np.sqrt(var_runs + var_examples)
  return {"value": value, "lo": value - half, "hi": value + half, "real": real[0],
          "noise": noise[0], "se_runs": np.sqrt(var_runs), "se_examples": np.sqrt(var_examples)}


def difficulty_test(real_errors: ArrayLike, real_labels: ArrayLike, noise_errors: ArrayLike,
                    noise_labels: ArrayLike,
                    permutations: int = 200, seed: int = 0) -> dict:
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
