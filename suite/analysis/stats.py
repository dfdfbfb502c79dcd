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

Conventions used by every claim (suite.analysis.claims; levels in suite.analysis.declared):
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
The statistics of per-example difficulty are in suite.analysis.example_difficulty.
"""

import functools
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as scipy_stats

from suite.analysis import declared



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


def t_interval(values: ArrayLike, level: float = declared.LEVEL
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
  out = np.where(held, declared.HELD,
                 np.where(contradicted, declared.CONTRADICTED, declared.INCONCLUSIVE))
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
  out = np.where(held, declared.HELD,
                 np.where(contradicted, declared.CONTRADICTED, declared.INCONCLUSIVE))
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


def page_trend(outcomes: ArrayLike, permutations: int = declared.PERMUTATIONS,
               seed: int = 0) -> dict:
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
  lo, hi = np.quantile(null, [declared.ALPHA_SIDE, 1 - declared.ALPHA_SIDE])
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
  interval = (values[at_most > declared.ALPHA_SIDE].min(),
              values[at_least > declared.ALPHA_SIDE].max())
  return {"lower": lower.tolist(), "upper": upper.tolist(), "value_lower": value_lower,
          "value_upper": value_upper, "null": 0.0,
          "interval": [float(interval[0]), float(interval[1])],
          "p_greater": float(min(1.0, p_greater)), "p_less": float(min(1.0, p_less)),
          "min_p": float(math.factorial(k) ** -seeds)}
