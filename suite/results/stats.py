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

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
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
  row is constant.

  Args:
    x: [points].
    y: [..., points].

  Returns:
    The correlations, of y's batch shape.
  """
  rx = ranks(np.broadcast_to(np.asarray(x, np.float64), np.shape(y)))
  ry = ranks(y)
  rx = rx - rx.mean(axis=-1, keepdims=True)
  ry = ry - ry.mean(axis=-1, keepdims=True)
  denominator = np.sqrt((rx ** 2).sum(-1) * (ry ** 2).sum(-1))
  with np.errstate(divide="ignore", invalid="ignore"):
    return np.where(denominator > 0, (rx * ry).sum(-1) / np.where(denominator > 0,
                                                                   denominator, 1), 0.0)


def page_trend(outcomes: ArrayLike, permutations: int = 2000, seed: int = 0) -> dict:
  """Trend of outcomes [seeds, points] along the points axis, blocked by seed.

  Statistic: the mean over seeds of the within-seed Spearman correlation between the
  point's position and the outcome (Page's L, up to a linear map). Null: the outcomes
  of each seed permuted across the points (runs at different points are exchangeable
  under no trend; each seed's data and initialisation stay together). Exact enumeration
  is replaced by Monte Carlo; `min_p` is the smallest p-value the exact test could give,
  (1 / k!)^seeds: when it exceeds the level the trend cannot be shown at all.

  Args:
    outcomes: [seeds, points], points in their swept order.
    permutations: Monte Carlo permutations of the null.
    seed: seed of the permutations.

  Returns:
    {value, per_seed, null, interval, p_greater, p_less, min_p}.
  """
  outcomes = np.asarray(outcomes, np.float64)
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


def difficulty_test(real_errors: ArrayLike, real_labels: ArrayLike, noise_errors: ArrayLike,
                    noise_labels: ArrayLike,
                    permutations: int = 200, seed: int = 0) -> dict:
  """Is which examples are hard more consistent across runs on real data than on noise?

  real_errors / noise_errors: [runs, examples] booleans (misclassified after the first
  epoch), the same runs in the same order. Statistic: excess dispersion of per-example
  error rates, real minus noise; its interval is a jackknife over runs (the unit), so a
  difference that varies from run to run is not mistaken for one. Null of each set
  alone: every run's outcomes permuted across examples within assigned-label strata,
  independently per run; `p_real` / `p_noise` count permutations at least as extreme
  (excess dispersion above chance). Fleiss' kappa of each set against the same
  permutations is a secondary view.

  Args:
    real_errors: [runs, examples] booleans on real labels.
    real_labels: [examples] labels of the real set.
    noise_errors: [runs, examples] booleans on random labels.
    noise_labels: [examples] labels of the noise set.
    permutations: permutations of each null.
    seed: seed of the permutations.

  Returns:
    {value, interval, null_permutation_mean, p_permutation, excess_real, excess_noise, p_real,
    p_noise, kappa_real, kappa_noise, ...}.
  """
  generator = np.random.default_rng(seed)
  real_errors = np.asarray(real_errors, bool)
  noise_errors = np.asarray(noise_errors, bool)
  observed_real = float(excess_dispersion(real_errors, real_labels))
  observed_noise = float(excess_dispersion(noise_errors, noise_labels))
  value = observed_real - observed_noise
  null_real_draws = permute_within_runs(real_errors, real_labels, permutations, generator)
  null_noise_draws = permute_within_runs(noise_errors, noise_labels, permutations, generator)
  null_real = excess_dispersion(null_real_draws, real_labels)
  null_noise = excess_dispersion(null_noise_draws, noise_labels)
  null = null_real - null_noise
  count = lambda draws, v: (1 + np.sum(draws >= v - 1e-12)) / (permutations + 1)
  # The difference: a jackknife over runs (the unit), t interval on the pseudo-values.
  runs = real_errors.shape[0]
  keep = ~np.eye(runs, dtype=bool)
  leave_one_out = (excess_dispersion(np.stack([real_errors[k] for k in keep]), real_labels)
                   - excess_dispersion(np.stack([noise_errors[k] for k in keep]), noise_labels))
  pseudo = runs * value - (runs - 1) * leave_one_out
  _, lo, hi = t_interval(pseudo)
  kappa_real, kappa_noise = fleiss_kappa(real_errors), fleiss_kappa(noise_errors)
  return {"value": value, "interval": [float(lo), float(hi)],
          "null_permutation_mean": float(null.mean()),
          "p_permutation": float(count(null, value)),
          "excess_real": observed_real, "excess_noise": observed_noise,
          "p_real": float(count(null_real, observed_real)),
          "p_noise": float(count(null_noise, observed_noise)),
          "kappa_real": float(kappa_real), "kappa_noise": float(kappa_noise),
          "kappa_real_null": float(fleiss_kappa(null_real_draws).mean()),
          "kappa_noise_null": float(fleiss_kappa(null_noise_draws).mean()),
          "p_kappa_real": float(count(fleiss_kappa(null_real_draws), kappa_real)),
          "p_kappa_noise": float(count(fleiss_kappa(null_noise_draws), kappa_noise))}
