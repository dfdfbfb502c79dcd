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

r"""Calibration of every claim: how often it says `held` when it is false, and when true.

Each scenario draws synthetic experiments (records of 3 or 5 seeds, as the experiments
write them) with NumPy from a fixed seed and runs the claim function on every draw.
Nulls (the claim false, often adversarially: heteroscedastic seeds, one outlier seed,
evaluation grids of 1, 2, 3 and 5 epochs, saturated fits, censoring at the budget,
unequal error rates) draw NULL_DRAWS experiments at 3 and at 5 seeds and assert that
`held` is consistent with a one-sided test at ALPHA (2.5%): the count of `held` must not
exceed the 99th percentile of Binomial(draws, ALPHA) (37 of 1,000: 3.7%). A test whose
true rate is exactly 2.5% fails that bound in 0.8% of seeds of the simulation, one at 4%
in 65%, one at 5% in 97%: the bound tells a valid test from the miscalibrations the
audit found (5.2% to 96%) without failing valid tests that are exact at their level (as
a t test on Gaussian seeds is; asserting the rate's own upper confidence bound below
2.5% would fail every one of them about half the time). Power scenarios (the claim
true, at the effect the papers report where they report one) draw POWER_DRAWS and
assert a floor below the measured power. The tables of docs/claims.md are printed by
  python -m tests.analysis.claims.test_claims_calibration
(a few minutes on two cores; an argument keeps the rows whose claim or scenario name
contains it); run one scenario's test with
  python -m pytest -q -p no:randomly tests/analysis/claims/test_claims_calibration.py -k csr
"""

import dataclasses
import math
import sys
import time
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite import constants
from suite.analysis import declared
from suite.analysis import example_difficulty
from suite.analysis import stats
from suite.analysis.claims import benign
from suite.analysis.claims import difficulty
from suite.analysis.claims import dynamics
from suite.analysis.claims import fitting_order
from suite.analysis.claims import regularizers
from suite.analysis.claims import sensitivity

ALPHA = declared.ALPHA_SIDE
NULL_DRAWS = 1000
POWER_DRAWS = 400
SEED_COUNTS = (3, 5)
ENDPOINTS = ["block_1", "block_2", "block_3", "encoder", "logits"]


def held_bound(draws: int) -> int:
  """The most `held` verdicts of `draws` null draws consistent with a test at ALPHA: the
  99th percentile of Binomial(draws, ALPHA)."""
  return int(scipy_stats.binom.ppf(0.99, draws, ALPHA))


@dataclasses.dataclass(frozen=True)
class Scenario:
  claim: str  # The claim function's name.
  name: str
  kind: str  # "null" or "power".
  draw: Callable  # (generator, draws, seeds) -> list of claim lines.
  floor: float = 0.0  # Power scenarios: the power asserted at 5 seeds.
  effect: str = ""  # Power scenarios: where the effect size comes from.


SCENARIOS: list[Scenario] = []


def scenario(claim, name, kind="null", floor=0.0, effect=""):
  def register(draw):
    SCENARIOS.append(Scenario(claim, name, kind, draw, floor, effect))
    return draw
  return register


def _rec(seed, epochs=60, metrics=None, history=None, probe=None):
  rec = {"settings": {"train": {"seed": int(seed), "epochs": int(epochs)}},
         "metrics": metrics or {}, "history": history or []}
  if probe is not None:
    rec["probe"] = probe
  return rec


def _seed_scale(generator, draws, seeds, style="normal"):
  """[draws, seeds] spread of each seed: 1 (`normal`); e^U(-1.5, 1.5) (`hetero`: every seed
  its own); 1 but one seed of each draw at 10 (`outlier`)."""
  if style == "hetero":
    return np.exp(generator.uniform(-1.5, 1.5, (draws, seeds)))
  scale = np.ones((draws, seeds))
  if style == "outlier":
    scale[np.arange(draws), generator.integers(0, seeds, draws)] = 10.0
  return scale


def _seed_noise(generator, shape, sd, style="normal"):
  """Centred normal noise [draws, seeds, ...], each seed at its _seed_scale spread."""
  scale = _seed_scale(generator, shape[0], shape[1], style)
  return generator.normal(0, sd, shape) * scale.reshape(shape[:2] + (1,) * (len(shape) - 2))


def _grid(grid, budget):
  epochs = list(range(0, budget + 1, grid))
  return epochs if epochs[-1] == budget else epochs + [budget]


def _first_seen(times, grid, budget):
  """The first evaluation epoch at or after each continuous time (inf: never)."""
  epochs = np.array(_grid(grid, budget), np.float64)
  index = np.searchsorted(epochs, times, side="left")
  return np.where(index < len(epochs), epochs[np.minimum(index, len(epochs) - 1)], np.inf)


def _step_history(grid, budget, **first):
  """History on the grid: each memorization/<key> 0.99 from its epoch (inf: never) on."""
  return [{"epoch": e, **{f"memorization/{k}": 0.99 if e >= at else 0.5
                          for k, at in first.items()}} for e in _grid(grid, budget)]


# Memorization in the last layers: noisy-bank k20, augmented run minus random init.


def _last_layers_draws(generator, draws, seeds, early, last, sd=0.02, style="normal",
                       correlation=0.5):
  """early: [layers] true differences of the early layers; last: of the logits."""
  layers = len(early) + 1
  shared = _seed_noise(generator, (draws, seeds), sd, style)[..., None]
  own = _seed_noise(generator, (draws, seeds, layers), sd, style)
  diff = np.array(list(early) + [last]) + math.sqrt(correlation) * shared + \
      math.sqrt(1 - correlation) * own
  init = 0.1 + generator.normal(0, 0.01, (draws, seeds, layers))
  endpoints = [f"block_{i + 1}" for i in range(len(early))] + ["logits"]
  table = lambda noisy: {"endpoints": endpoints, "noisy": {e: {"k20": float(v)} for e, v in
                                                           zip(endpoints, noisy)},
                         "clean": {e: {"k20": 0.5} for e in endpoints}}
  lines = []
  for i in range(draws):
    augmented = [_rec(s, metrics={"memorization/fit_corrupted": 0.99},
                      probe=table(init[i, s] + diff[i, s])) for s in range(seeds)]
    clean = [_rec(s, probe=table(np.full(layers, 0.1))) for s in range(seeds)]
    lines.append(benign.memorization_in_last_layers(
        augmented, clean, [table(init[i, s]) for s in range(seeds)]))
  return lines


for _style in ("normal", "hetero", "outlier"):
  scenario("memorization_in_last_layers", f"equal memorization in every layer ({_style} "
           "seeds)")(lambda g, d, s, _style=_style: _last_layers_draws(
               g, d, s, [0.3] * 4, 0.3, style=_style))
scenario("memorization_in_last_layers", "a middle layer memorizes 0.15")(
    lambda g, d, s: _last_layers_draws(g, d, s, [0.0, 0.15, 0.0, 0.0], 0.8))
scenario("memorization_in_last_layers", "an early layer at the margin (+0.05), seeds "
         "heteroscedastic")(lambda g, d, s: _last_layers_draws(
             g, d, s, [0.0, declared.LAYER_MARGIN, 0.0, 0.0], 0.8, sd=0.01, style="hetero"))
scenario("memorization_in_last_layers", "no memorization at the last layer")(
    lambda g, d, s: _last_layers_draws(g, d, s, [0.0] * 4, 0.0))
scenario("memorization_in_last_layers", "early 0 (sd 0.02, 4 layers correlated 0.5), "
         "logits +0.8", "power", 0.7, "Anagnostidis et al.: early layers at random init, "
         "last layers memorize; sd 0.02 = the binomial sd of a 250-image probe")(
             lambda g, d, s: _last_layers_draws(g, d, s, [0.0] * 4, 0.8))
scenario("memorization_in_last_layers", "early 0 (sd 0.01), logits +0.8", "power", 0.9,
         "as above, a 1,000-image probe")(
             lambda g, d, s: _last_layers_draws(g, d, s, [0.0] * 4, 0.8, sd=0.01))


# Features survive: encoder clean-bank k20 with augmentation vs without and random init.


def _features_draws(generator, draws, seeds, gain_plain, gain_init, sd=0.025,
                    style="normal", identical=False):
  plain = 0.7 + generator.normal(0, 0.03, (draws, seeds))
  augmented = plain.copy() if identical else \
      plain + gain_plain + _seed_noise(generator, (draws, seeds), sd, style)
  init = augmented - gain_init - _seed_noise(generator, (draws, seeds), sd, style)
  fit = {"memorization/fit_corrupted": 0.99}
  table = lambda v: {"endpoints": ["encoder", "logits"], "clean": {
      "encoder": {"k20": float(v)}, "logits": {"k20": 0.2}}}
  return [benign.features_survive_with_augmentation(
      [_rec(s, metrics=fit, probe=table(augmented[i, s])) for s in range(seeds)],
      [_rec(s, metrics=fit, probe=table(plain[i, s])) for s in range(seeds)],
      [table(init[i, s]) for s in range(seeds)]) for i in range(draws)]


scenario("features_survive_with_augmentation", "identical augmented and plain runs")(
    lambda g, d, s: _features_draws(g, d, s, 0.0, 0.1, identical=True))
for _style in ("normal", "hetero", "outlier"):
  scenario("features_survive_with_augmentation", f"no gain over plain ({_style} seeds)")(
      lambda g, d, s, _style=_style: _features_draws(g, d, s, 0.0, 0.1, style=_style))
scenario("features_survive_with_augmentation", "above plain, at random init (hetero)")(
    lambda g, d, s: _features_draws(g, d, s, 0.3, 0.0, style="hetero"))
scenario("features_survive_with_augmentation", "+0.389 over plain, +0.037 over random "
         "init (sd 0.025)", "power", 0.55, "the exploratory CPU frontier (pre-registration "
         "benign-cpu-1)")(lambda g, d, s: _features_draws(g, d, s, 0.389, 0.037))


# Per-view labels against the fit threshold.


def _per_view_draws(generator, draws, seeds, view_fit, style="normal"):
  fits = np.clip(view_fit + _seed_noise(generator, (draws, seeds), 0.02, style), 0, 1)
  pooled = [_rec(s, metrics={"memorization/view_fit": 0.99}) for s in range(seeds)]
  return [benign.per_view_labels_not_fitted(
      [_rec(s, metrics={"memorization/view_fit": float(fits[i, s])}) for s in range(seeds)],
      pooled) for i in range(draws)]


for _style in ("normal", "hetero", "outlier"):
  scenario("per_view_labels_not_fitted", f"per-view fit at the threshold ({_style} seeds)")(
      lambda g, d, s, _style=_style: _per_view_draws(g, d, s, constants.FIT_THRESHOLD,
                                                     _style))
scenario("per_view_labels_not_fitted", "per-view fit 0.3", "power", 0.95,
         "Anagnostidis et al.: per-view labels stay far from fitted")(
             lambda g, d, s: _per_view_draws(g, d, s, 0.3))


# Fitting order: clean examples before corrupted ones, read off an evaluation grid.


def _fitting_order_draws(generator, draws, seeds, clean_mean, delay, grid, budget=60,
                         sd=3.0, style="normal"):
  clean = clean_mean + _seed_noise(generator, (draws, seeds), sd, style)
  noisy = clean_mean + delay + _seed_noise(generator, (draws, seeds), sd, style)
  clean_at, noisy_at = (_first_seen(t, grid, budget) for t in (clean, noisy))
  return [fitting_order.clean_fitted_before_corrupted([_rec(s, budget, history=_step_history(
      grid, budget, fit_clean=clean_at[i, s], fit_corrupted=noisy_at[i, s]))
                                                for s in range(seeds)])
          for i in range(draws)]


for _grid_step in (1, 2, 3, 5):
  scenario("clean_fitted_before_corrupted", f"same time, grid of {_grid_step}")(
      lambda g, d, s, _grid_step=_grid_step: _fitting_order_draws(
          g, d, s, 20, 0, _grid_step, sd=1.0))
scenario("clean_fitted_before_corrupted", "same time, heteroscedastic, grid of 3")(
    lambda g, d, s: _fitting_order_draws(g, d, s, 20, 0, 3, style="hetero"))
scenario("clean_fitted_before_corrupted", "same time near the budget (censored), grid 2")(
    lambda g, d, s: _fitting_order_draws(g, d, s, 57, 0, 2))
scenario("clean_fitted_before_corrupted", "noise +20 epochs (sd 3), grid of 3", "power",
         0.95, "Arpit et al.: real data fitted in a few epochs, noise in tens")(
             lambda g, d, s: _fitting_order_draws(g, d, s, 12, 20, 3))


# Per-example difficulty: a latent difficulty behind each example's errors.


def _difficulty_sets(generator, draws, runs, latent_share, rate, examples=200, classes=5,
                     shift_sd=0.4, link="logit", outlier=False):
  labels = np.broadcast_to(np.arange(examples) % classes, (draws, examples))
  shift = generator.normal(0, shift_sd, (draws, runs, 1))
  if outlier:  # One run far off the others' accuracy.
    shift[:, :1] += 2.0
  latent = generator.normal(0, 1, (draws, 1, examples))
  z = math.sqrt(latent_share) * latent + math.sqrt(1 - latent_share) * generator.normal(
      0, 1, (draws, runs, examples))
  if link == "logit":
    logit = math.log(rate / (1 - rate)) + shift + 1.7 * z
    return generator.random(z.shape) < 1 / (1 + np.exp(-logit)), labels
  return scipy_stats.norm.ppf(rate) + shift + z > 0, labels


def _difficulty_draws(generator, draws, runs, real_share, noise_share, rates=(0.35, 0.88),
                      checked=25, **options):
  """The interval is computed for all draws at once (example_difficulty.latent_difference, as the
  claim computes it); the claim function runs on the first `checked` draws and must
  agree; `held` of the others also needs real data above its permutation null."""
  (real, real_labels), (noise, noise_labels) = (
      _difficulty_sets(generator, draws, runs, share, rate, **options)
      for share, rate in ((real_share, rates[0]), (noise_share, rates[1])))
  lines = []
  for start in range(0, draws, 100):
    part = slice(start, start + 100)
    result = example_difficulty.latent_difference(real[part], real_labels[part], noise[part],
                                     noise_labels[part])
    for j, (lo, hi) in enumerate(zip(result["lo"], result["hi"])):
      i = start + j
      if i < checked:
        line = difficulty.easy_examples_consistent_on_real_data(
            real[i], real_labels[i], noise[i], noise_labels[i], permutations=40, seed=i)
        if np.isfinite([lo, hi]).all():
          assert line["test"]["interval"] == pytest.approx([lo, hi])
        else:  # A run wrong on every example (or none) of every stratum: no estimate.
          assert line["verdict"] == declared.NOT_TESTABLE
        lines.append(line)
        continue
      verdict = stats.side_verdict(lo, hi) if np.isfinite([lo, hi]).all() else \
          declared.NOT_TESTABLE
      if verdict == declared.HELD:
        p_real = example_difficulty.difficulty_test(real[i], real_labels[i], noise[i],
                                                    noise_labels[i], permutations=40,
                                                    seed=i)["p_real"]
        verdict = declared.HELD if p_real <= ALPHA else declared.INCONCLUSIVE
      lines.append({"verdict": verdict})
  return lines


scenario("easy_examples_consistent_on_real_data", "no latent difficulty, error rates 0.35 "
         "vs 0.88")(lambda g, d, s: _difficulty_draws(g, d, s, 0.0, 0.0))
scenario("easy_examples_consistent_on_real_data", "same latent difficulty (0.4), error rates "
         "0.35 vs 0.88")(lambda g, d, s: _difficulty_draws(g, d, s, 0.4, 0.4))
scenario("easy_examples_consistent_on_real_data", "same latent difficulty (0.4), rates 0.1 "
         "vs 0.9, probit")(lambda g, d, s: _difficulty_draws(g, d, s, 0.4, 0.4, (0.1, 0.9),
                                                            link="probit"))
scenario("easy_examples_consistent_on_real_data", "same latent difficulty (0.4), one "
         "outlier run, runs spread 1.0")(lambda g, d, s: _difficulty_draws(
             g, d, s, 0.4, 0.4, outlier=True, shift_sd=1.0))
scenario("easy_examples_consistent_on_real_data", "latent difficulty 0.5 vs 0, rates 0.3 vs "
         "0.88, 1,000 examples (the CPU recipe's)", "power", 0.9, "Arpit et al. Fig. 1: real "
         "data has a consistent easy set, noise none")(lambda g, d, s: _difficulty_draws(
             g, d, s, 0.5, 0.0, (0.3, 0.88), examples=1000))
scenario("easy_examples_consistent_on_real_data", "as above, 200 examples", "power", 0.1,
         "as above")(lambda g, d, s: _difficulty_draws(g, d, s, 0.5, 0.0, (0.3, 0.88)))


# Loss sensitivity: Gini on clean minus corrupted, mean over the window.


def _gini_draws(generator, draws, seeds, difference, style="normal"):
  epochs = np.arange(0, 21)
  seed_effect = _seed_noise(generator, (draws, seeds), 0.02, style)[..., None]
  clean = 0.5 + seed_effect + generator.normal(0, 0.03, (draws, seeds, len(epochs)))
  noisy = 0.5 - difference + generator.normal(0, 0.03, (draws, seeds, len(epochs)))
  return [sensitivity.sensitivity_more_concentrated_on_real_data([_rec(s, 20, history=[
      {"epoch": int(e), "sensitivity/gini_clean": float(clean[i, s, j]),
       "sensitivity/gini_corrupted": float(noisy[i, s, j])} for j, e in enumerate(epochs)])
                                                             for s in range(seeds)])
          for i in range(draws)]


for _style in ("normal", "hetero", "outlier"):
  scenario("sensitivity_more_concentrated_on_real_data", f"equal Gini ({_style} seeds)")(
      lambda g, d, s, _style=_style: _gini_draws(g, d, s, 0.0, _style))
scenario("sensitivity_more_concentrated_on_real_data", "Gini +0.05 on real data", "power",
         0.75, "assumed (Arpit et al. report the sign, not a size)")(
             lambda g, d, s: _gini_draws(g, d, s, 0.05))


# Critical sample ratio over training.


def _csr_draws(generator, draws, seeds, drift, points=10, style="normal", ar=None,
               clean_drift=0.0):
  epochs = np.arange(points) * 2
  steps = _seed_noise(generator, (draws, seeds, points), 0.01, style)
  if ar is None:
    wander = np.cumsum(steps, axis=-1)  # A random walk.
  else:
    wander = np.zeros_like(steps)
    for t in range(points):
      wander[..., t] = (ar * wander[..., t - 1] if t else 0) + steps[..., t]
  clean = 0.05 + clean_drift * epochs / epochs[-1] + generator.normal(
      0, 0.005, (draws, seeds, points))
  noisy = 0.05 + wander + drift * epochs / epochs[-1]
  return [sensitivity.csr_grows_more_on_noise([_rec(s, int(epochs[-1]), history=[
      {"epoch": int(e), "csr/clean": float(clean[i, s, j]),
       "csr/corrupted": float(noisy[i, s, j])} for j, e in enumerate(epochs)])
                                          for s in range(seeds)]) for i in range(draws)]


for _style in ("normal", "hetero", "outlier"):
  scenario("csr_grows_more_on_noise", f"the gap a random walk ({_style} seeds)")(
      lambda g, d, s, _style=_style: _csr_draws(g, d, s, 0.0, style=_style))
scenario("csr_grows_more_on_noise", "the gap autocorrelated (AR 0.9), 20 evaluations")(
    lambda g, d, s: _csr_draws(g, d, s, 0.0, points=20, ar=0.9))
scenario("csr_grows_more_on_noise", "the gap grows but CSR on noise does not (clean falls)")(
    lambda g, d, s: _csr_draws(g, d, s, 0.0, clean_drift=-0.04))
scenario("csr_grows_more_on_noise", "the gap rises 0.05 over training (walk sd 0.01 per "
         "evaluation)", "power", 0.65, "assumed from Arpit et al. Fig. 8 (CSR on noise rises "
         "several-fold, on real data little)")(lambda g, d, s: _csr_draws(g, d, s, 0.05))


# Regularizers at matched progress: smooth fit curves on an evaluation grid.


def _fit_curve(epochs, scale):
  """Fit of a kind over training: chance (0.1) at 0, 0.95 at 1.7 x scale, saturating."""
  return 1 - 0.9 * np.exp(-(epochs / scale) ** 2)


def _regularizer_draws(generator, draws, seeds, clean_factor, noise_factor, grid,
                       budget=60, validation_shift=0.0, clean_scale=6.0, noise_scale=20.0):
  """Times to fit scale by `clean_factor` / `noise_factor` under the regularizer (x
  1/0.6 = slowed to 0.6 of the speed), with seed-level spread."""
  epochs = np.array(_grid(grid, budget), np.float64)
  spread = lambda: np.exp(generator.normal(0, 0.1, (draws, seeds, 1)))
  base = {"clean": clean_scale * spread(), "corrupted": noise_scale * spread()}
  reg = {"clean": base["clean"] * clean_factor * spread(),
         "corrupted": base["corrupted"] * noise_factor * spread()}
  validation = 0.8 + generator.normal(0, 0.01, (draws, seeds))
  reg_validation = validation + validation_shift + generator.normal(0, 0.01, (draws, seeds))
  curves = {name: {k: _fit_curve(epochs, v) for k, v in scales.items()}
            for name, scales in (("base", base), ("reg", reg))}

  def run(name, i, s, val):
    fits = curves[name]
    return _rec(s, budget, metrics={
        "memorization/fit_clean": float(fits["clean"][i, s, -1]),
        "memorization/fit_corrupted": float(fits["corrupted"][i, s, -1]),
        "validation/accuracy": float(val[i, s])}, history=[
            {"epoch": int(e), "memorization/fit_clean": float(fits["clean"][i, s, j]),
             "memorization/fit_corrupted": float(fits["corrupted"][i, s, j])}
            for j, e in enumerate(epochs)])

  return [regularizers.regularizers_slow_noise_more(
      {"x": [run("reg", i, s, reg_validation) for s in range(seeds)]},
      [run("base", i, s, validation) for s in range(seeds)], 10)[0] for i in range(draws)]


for _grid_step in (1, 2, 3, 5):
  scenario("regularizers_slow_noise_more", f"everything slowed to 0.6 of the speed, grid of "
           f"{_grid_step} (clean saturated, noise censored at the budget)")(
               lambda g, d, s, _grid_step=_grid_step: _regularizer_draws(
                   g, d, s, 1 / 0.6, 1 / 0.6, _grid_step))
scenario("regularizers_slow_noise_more", "no effect, grid of 2")(
    lambda g, d, s: _regularizer_draws(g, d, s, 1.0, 1.0, 2))
scenario("regularizers_slow_noise_more", "noise slowed x2, validation worse by the margin")(
    lambda g, d, s: _regularizer_draws(g, d, s, 1.0, 2.0, 2,
                                       validation_shift=-declared.VALIDATION_MARGIN))
scenario("regularizers_slow_noise_more", "noise slowed x2, clean x1.1, grid of 2", "power",
         0.5, "Arpit et al. Fig. 10 (dropout, input noise: noise fit far lower within the "
         "budget, real data about unchanged)")(
             lambda g, d, s: _regularizer_draws(g, d, s, 1.1, 2.0, 2))


# Trends across sweeps.


def _sizes_draws(generator, draws, seeds, growth, grid, ratio=4.0, clean=4.0, budget=50,
                 sizes=(500, 1000, 2000)):
  """Epochs to fit clean grow with the size (x sqrt 2 per doubling); the true ratio
  noise / clean is `ratio` x growth^(doublings), seed-level spread 0.15 on each."""
  doublings = np.log2(np.array(sizes) / sizes[0])
  clean_t = clean * 2 ** (doublings / 2) * np.exp(generator.normal(0, 0.15,
                                                                   (draws, seeds, len(sizes))))
  noisy_t = clean_t * ratio * growth ** doublings * np.exp(
      generator.normal(0, 0.15, (draws, seeds, len(sizes))))
  clean_at, noisy_at = (_first_seen(t, grid, budget) for t in (clean_t, noisy_t))
  return [dynamics.data_size_slows_noise_relative_to_real({size: [_rec(s, budget, history=(
      _step_history(grid, budget, fit_clean=clean_at[i, s, j], fit_corrupted=noisy_at[i, s, j])))
                                                               for s in range(seeds)]
                                                        for j, size in enumerate(sizes)})
          for i in range(draws)]


for _grid_step in (1, 2, 3, 5):
  scenario("data_size_slows_noise_relative_to_real", f"the same ratio at every size, grid "
           f"of {_grid_step}")(lambda g, d, s, _grid_step=_grid_step: _sizes_draws(
               g, d, s, 1.0, _grid_step))
scenario("data_size_slows_noise_relative_to_real", "the same ratio, 4 sizes, noise censored "
         "at the budget, grid of 3")(lambda g, d, s: _sizes_draws(
             g, d, s, 1.0, 3, ratio=7.0, sizes=(250, 500, 1000, 2000)))
scenario("data_size_slows_noise_relative_to_real", "ratio 4, x1.5 per doubling, grid of 1",
         "power", 0.75, "assumed (Arpit et al. Fig. 4: noise's epochs grow faster with the "
         "size than real data's)")(lambda g, d, s: _sizes_draws(g, d, s, 1.5, 1, budget=100))
scenario("data_size_slows_noise_relative_to_real", "ratio 4, x1.5 per doubling, grid of 3 "
         "(the CPU recipe)", "power", 0.0, "as above")(
             lambda g, d, s: _sizes_draws(g, d, s, 1.5, 3, budget=100))
scenario("data_size_slows_noise_relative_to_real", "ratio 2, x2 per doubling, grid of 1",
         "power", 0.9, "as above")(lambda g, d, s: _sizes_draws(g, d, s, 2.0, 1, ratio=2.0,
                                                                budget=100))


def _sweep_draws(generator, draws, seeds, means, grid=2, budget=60, sd=4.0, check=None):
  """Epochs to fit (the noise, or the training set) per sweep point, read off a grid."""
  times = np.array(means)[None, None] + generator.normal(0, sd, (draws, seeds, len(means)))
  first = _first_seen(times, grid, budget)
  values = [32, 128, 512, 2048, 4096][:len(means)]
  lines = []
  for i in range(draws):
    sweep = {v: [_rec(s, budget, history=_step_history(
        grid, budget, fit_corrupted=first[i, s, j], train_fit=first[i, s, j]))
                 for s in range(seeds)] for j, v in enumerate(values)}
    lines.append(check(sweep))
  return lines


_capacity = lambda sweep: regularizers.capacity_speeds_up_noise_fitting(sweep, "width",
                                                                  permutations=400)
_noise_level = lambda sweep: dynamics.noise_level_slows_fitting(sweep, permutations=400)
scenario("capacity_speeds_up_noise_fitting", "flat sweep, grid of 3")(
    lambda g, d, s: _sweep_draws(g, d, s, [40] * 4, 3, check=_capacity))
scenario("capacity_speeds_up_noise_fitting", "non-monotone (valley)")(
    lambda g, d, s: _sweep_draws(g, d, s, [48, 36, 36, 48], check=_capacity))
scenario("capacity_speeds_up_noise_fitting", "flat, partly censored at the budget")(
    lambda g, d, s: _sweep_draws(g, d, s, [58] * 4, check=_capacity))
scenario("capacity_speeds_up_noise_fitting", "never / 44 / 36 / 28 epochs", "power", 0.95,
         "Arpit et al. Fig. 4 (more hidden units, fewer epochs on noise)")(
             lambda g, d, s: _sweep_draws(g, d, s, [70, 44, 36, 28], check=_capacity))
scenario("noise_level_slows_fitting", "flat sweep of 3 levels, grid of 5")(
    lambda g, d, s: _sweep_draws(g, d, s, [30] * 3, 5, check=_noise_level))
scenario("noise_level_slows_fitting", "+5 epochs per level (sd 4), 3 levels", "power", 0.75,
         "Arpit et al. Fig. 4 (more noise, more epochs)")(
             lambda g, d, s: _sweep_draws(g, d, s, [20, 25, 30], check=_noise_level))


def _gini_trend_draws(generator, draws, seeds, slope, style="normal"):
  levels = (0.2, 0.5, 0.8)
  values = 0.5 + slope * np.array(levels) + _seed_noise(generator, (draws, seeds, 3), 0.03,
                                                         style)
  return [dynamics.gini_falls_with_noise({level: [_rec(s, 20, history=[
      {"epoch": e, "sensitivity/gini_all": float(values[i, s, j])} for e in range(6)])
                                                for s in range(seeds)]
                                        for j, level in enumerate(levels)},
                                       permutations=400) for i in range(draws)]


scenario("gini_falls_with_noise", "no trend (heteroscedastic seeds)")(
    lambda g, d, s: _gini_trend_draws(g, d, s, 0.0, "hetero"))
scenario("gini_falls_with_noise", "Gini -0.1 per 0.3 of noise (sd 0.03)", "power", 0.95,
         "assumed (Arpit et al. report the sign)")(
             lambda g, d, s: _gini_trend_draws(g, d, s, -1 / 3))


def _early_stopping_draws(generator, draws, seeds, gap, style="normal"):
  gaps = gap + _seed_noise(generator, (draws, seeds), 0.05, style)
  history = lambda g: [{"epoch": e, "validation/accuracy": 0.8 if e == 3 else 0.5,
                        "memorization/fit_clean": 0.9 if e == 3 else 1.0,
                        "memorization/fit_corrupted": 0.9 - g if e == 3 else 1.0}
                       for e in range(8)]
  return [dynamics.noise_fitted_less_at_best_validation([_rec(
      s, 8, metrics={"memorization/fit_corrupted": 1.0}, history=history(float(gaps[i, s])))
                                                       for s in range(seeds)])
          for i in range(draws)]


for _style in ("hetero", "outlier"):
  scenario("noise_fitted_less_at_best_validation", f"gap at the margin ({_style} seeds)")(
      lambda g, d, s, _style=_style: _early_stopping_draws(g, d, s, declared.EARLY_STOP_MARGIN,
                                                           _style))
scenario("noise_fitted_less_at_best_validation", "gap 0.5 (sd 0.05)", "power", 0.95,
         "Arpit et al. Fig. 9 (at best validation, noise far less fitted)")(
             lambda g, d, s: _early_stopping_draws(g, d, s, 0.5))


def _depth_draws(generator, draws, seeds, worse, style="normal"):
  base = 0.8 + generator.normal(0, 0.02, (draws, seeds))
  other = base + worse + _seed_noise(generator, (draws, seeds), 0.01, style)
  same = base + _seed_noise(generator, (draws, seeds), 0.01, style)
  rec = lambda s, v: _rec(s, metrics={"validation/accuracy": float(v)})
  return [dynamics.depth_does_not_hurt_generalization(
      {1: [rec(s, same[i, s]) for s in range(seeds)],
       2: [rec(s, base[i, s]) for s in range(seeds)],
       4: [rec(s, other[i, s]) for s in range(seeds)]}, 2, "mlp") for i in range(draws)]


scenario("depth_does_not_hurt_generalization", "one depth worse by the margin (hetero)")(
    lambda g, d, s: _depth_draws(g, d, s, -declared.DEPTH_MARGIN, "hetero"))
scenario("depth_does_not_hurt_generalization", "no difference (sd 0.01)", "power", 0.7,
         "the brief's hypothesis")(lambda g, d, s: _depth_draws(g, d, s, 0.0))


# Running scenarios.


def rates(item: Scenario, seeds: int, draws: int) -> dict:
  """Runs a scenario at `seeds` seeds: {held, contradicted, not testable (rates), draws}."""
  generator = np.random.default_rng(zlib.crc32(f"{item.claim}/{item.name}/{seeds}".encode()))
  lines = item.draw(generator, draws, seeds)
  assert len(lines) == draws
  verdicts = [line["verdict"] for line in lines]
  for line in lines:  # A verdict comes with its test (batched draws carry the verdict only).
    assert line["verdict"] == declared.NOT_TESTABLE or "test" in line or set(line) == {
        "verdict"}, line
  count = lambda v: sum(x == v for x in verdicts)
  return {"held": count(declared.HELD), "contradicted": count(declared.CONTRADICTED),
          "not testable": count(declared.NOT_TESTABLE), "draws": draws}


NULLS = [s for s in SCENARIOS if s.kind == "null"]
POWERS = [s for s in SCENARIOS if s.kind == "power"]


@pytest.mark.parametrize("item", NULLS, ids=lambda s: f"{s.claim}: {s.name}")
def test_null_holds_its_level(item):
  for seeds in SEED_COUNTS:
    result = rates(item, seeds, NULL_DRAWS)
    print(f"\n{item.claim}, {item.name}, {seeds} seeds: held {result['held']} of "
          f"{NULL_DRAWS} (bound {held_bound(NULL_DRAWS)})")
    assert result["held"] <= held_bound(NULL_DRAWS), (seeds, result)


@pytest.mark.parametrize("item", POWERS, ids=lambda s: f"{s.claim}: {s.name}")
def test_power_at_the_reported_effect(item):
  result = rates(item, 5, POWER_DRAWS)
  print(f"\n{item.claim}, {item.name}, 5 seeds: held {result['held']} of {POWER_DRAWS}")
  assert result["held"] / POWER_DRAWS >= item.floor, result


def test_every_claim_has_a_null_and_a_power_scenario():
  checked = {s.claim for s in NULLS} & {s.claim for s in POWERS}
  every = {"memorization_in_last_layers", "features_survive_with_augmentation",
           "per_view_labels_not_fitted", "clean_fitted_before_corrupted",
           "easy_examples_consistent_on_real_data",
           "sensitivity_more_concentrated_on_real_data", "csr_grows_more_on_noise",
           "regularizers_slow_noise_more", "data_size_slows_noise_relative_to_real",
           "capacity_speeds_up_noise_fitting", "noise_level_slows_fitting",
           "gini_falls_with_noise", "noise_fitted_less_at_best_validation",
           "depth_does_not_hurt_generalization"}
  assert checked == every


def tables(out=sys.stdout, only: str = "") -> None:
  """Prints the calibration and power tables of docs/claims.md (Markdown); `only`: the
  rows whose claim or scenario name contains it."""
  bound = held_bound(NULL_DRAWS)
  nulls = [s for s in NULLS if only in f"{s.claim} {s.name}"]
  powers = [s for s in POWERS if only in f"{s.claim} {s.name}"]
  print(f"Calibration: `held` of {NULL_DRAWS} draws where the claim is false (the test "
        f"asserts at most {bound}, {bound / NULL_DRAWS:.1%})\n", file=out)
  print("| claim | null | 3 seeds | 5 seeds |\n| --- | --- | --- | --- |", file=out)
  for item in nulls:
    cells = [f"{rates(item, seeds, NULL_DRAWS)['held'] / NULL_DRAWS:.1%}"
             for seeds in SEED_COUNTS]
    print(f"| `{item.claim}` | {item.name} | {' | '.join(cells)} |", file=out, flush=True)
  print(f"\nPower: `held` of {POWER_DRAWS} draws where the claim is true\n", file=out)
  print("| claim | effect | where the effect comes from | 3 seeds | 5 seeds | 10 seeds |\n"
        "| --- | --- | --- | --- | --- | --- |", file=out)
  for item in powers:
    cells = [f"{rates(item, seeds, POWER_DRAWS)['held'] / POWER_DRAWS:.0%}"
             for seeds in SEED_COUNTS + (10,)]
    print(f"| `{item.claim}` | {item.name} | {item.effect} | {' | '.join(cells)} |",
          file=out, flush=True)


if __name__ == "__main__":
  started = time.time()
  tables(only=" ".join(sys.argv[1:]))
  print(f"\n({time.time() - started:.0f} s)", file=sys.stderr)
