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

"""Calibration of every claim: how often it says `held` when it is false, and when true.

Each test draws SIMULATIONS fixed-seed synthetic experiments (records of several seeds,
as the experiments write them) where the claim is false and asserts `held` in at most
5% of them (each side of a claim is a 2.5% test, so the measured rate is usually far
below), then draws experiments where it is true and asserts the power stated beside
it. The draws are vectorised in NumPy; the claim functions run once per simulation.
Run with -s to see the measured rates:
  python -m pytest -q -s -p no:xdist tests/results/test_claims_calibration.py
"""

import math

import numpy as np

from suite.results import claims

SIMULATIONS = 1000
SEEDS = 5
LEVEL = 0.05
ENDPOINTS = ["hidden_1", "hidden_2", "logits"]


def _held_rate(name, lines) -> float:
  verdicts = [line["verdict"] for line in lines]
  for line in lines:
    if line["verdict"] != claims.NOT_TESTABLE:
      assert "test" in line and len(line["test"]["interval"]) == 2, line
  rate = float(np.mean([v == claims.HELD for v in verdicts]))
  print(f"\n{name}: held in {rate:.1%} of {len(verdicts)} simulations")
  return rate


def _rec(seed, epochs=50, metrics=None, history=None, probe=None, controls=None):
  rec = {"settings": {"train": {"seed": seed, "epochs": epochs}}, "metrics": metrics or {},
         "history": history or []}
  if probe is not None:
    rec["probe"] = probe
  if controls is not None:
    rec["controls"] = controls
  return rec


def _table(clean=None, noisy=None):
  table = {"endpoints": ENDPOINTS}
  if clean is not None:
    table["clean"] = {e: {"k20": float(v)} for e, v in zip(ENDPOINTS, clean)}
  if noisy is not None:
    table["noisy"] = {e: {"k20": float(v)} for e, v in zip(ENDPOINTS, noisy)}
  return table


# Per-example difficulty: random easy sets at matched rates, and equal consistency.


def _difficulty(generator, sims, icc_real, icc_noise, runs=SEEDS, n=200, classes=10):
  """[sims, runs, n] errors per set: per-run accuracy differs, real learned faster; an
  example's latent difficulty shared across runs with weight icc (0: pure chance)."""
  out = []
  for icc, rate in ((icc_real, 0.35), (icc_noise, 0.85)):
    labels = generator.integers(0, classes, (sims, n))
    run_shift = generator.normal(0, 0.4, (sims, runs, 1))
    latent = generator.normal(0, 1, (sims, 1, n))
    z = math.sqrt(icc) * latent + math.sqrt(1 - icc) * generator.normal(0, 1, (sims, runs, n))
    logit = math.log(rate / (1 - rate)) + run_shift + 1.7 * z
    out.append((generator.random((sims, runs, n)) < 1 / (1 + np.exp(-logit)), labels))
  return out


def _difficulty_rate(name, sims, icc_real, icc_noise, seed, runs=SEEDS):
  generator = np.random.default_rng(seed)
  (real, real_labels), (noise, noise_labels) = _difficulty(generator, sims, icc_real,
                                                           icc_noise, runs)
  lines = [claims.easy_examples_consistent_on_real_data(
      real[i], real_labels[i], noise[i], noise_labels[i], permutations=40, seed=i)
           for i in range(sims)]
  return _held_rate(name, lines)


def test_difficulty_random_easy_sets_at_matched_rates_are_not_held():
  assert _difficulty_rate("difficulty, random easy sets at matched rates", SIMULATIONS,
                          0.0, 0.0, seed=1) <= LEVEL


def test_difficulty_equally_consistent_noise_is_not_held():
  assert _difficulty_rate("difficulty, noise as consistent as real data", SIMULATIONS,
                          0.4, 0.4, seed=2) <= LEVEL


def test_difficulty_power():
  # Strong consistency on real data, none on noise, 10 runs: held in most.
  assert _difficulty_rate("difficulty power (ICC 0.5 vs 0, 10 runs)", 300, 0.5, 0.0, seed=3,
                          runs=10) >= 0.8


# Memorization in the last layers.


def _last_layers(generator, sims, early_shift, memorized):
  lines = []
  clean_run = 0.9 + generator.normal(0, 0.01, (sims, SEEDS, 3))
  augmented = clean_run + early_shift + generator.normal(0, 0.02, (sims, SEEDS, 3))
  init_noisy = 0.1 + generator.normal(0, 0.01, (sims, SEEDS, 3))
  noisy = init_noisy + np.array([0.0, 0.1, 0.8]) * memorized + \
      generator.normal(0, 0.02, (sims, SEEDS, 3))
  fit = {"memorization/fit_corrupted": 0.99}
  for i in range(sims):
    aug = [_rec(s, metrics=fit, probe=_table(augmented[i, s], noisy[i, s]))
           for s in range(SEEDS)]
    clean = [_rec(s, probe=_table(clean_run[i, s])) for s in range(SEEDS)]
    init = [_table(noisy=init_noisy[i, s]) for s in range(SEEDS)]
    lines.append(claims.memorization_in_last_layers(aug, clean, init))
  return lines


def test_last_layers_calibration_and_power():
  generator = np.random.default_rng(4)
  no_memorization = _last_layers(generator, SIMULATIONS, 0.0, 0.0)
  assert _held_rate("last layers, no memorization above random init",
                    no_memorization) <= LEVEL
  damaged = _last_layers(generator, SIMULATIONS, -claims.LAYER_MARGIN, 1.0)
  assert _held_rate("last layers, early layers damaged by the margin", damaged) <= LEVEL
  assert _held_rate("last layers power", _last_layers(generator, 300, 0.0, 1.0)) >= 0.8


# Features survive: identical augmented and plain runs.


def _features(generator, sims, gain, noise=0.02, identical=False):
  plain = 0.7 + generator.normal(0, 0.03, (sims, SEEDS, 3))
  augmented = plain.copy() if identical else plain + gain + generator.normal(
      0, noise, (sims, SEEDS, 3))
  init = 0.6 + generator.normal(0, 0.01, (sims, SEEDS, 3))
  fit = {"memorization/fit_corrupted": 0.99}
  lines = []
  for i in range(sims):
    aug = [_rec(s, metrics=fit, probe=_table(augmented[i, s])) for s in range(SEEDS)]
    pl = [_rec(s, metrics=fit, probe=_table(plain[i, s])) for s in range(SEEDS)]
    lines.append(claims.features_survive_with_augmentation(
        aug, pl, [_table(init[i, s]) for s in range(SEEDS)]))
  return lines


def test_features_survive_calibration_and_power():
  generator = np.random.default_rng(5)
  assert _held_rate("features survive, identical runs",
                    _features(generator, SIMULATIONS, 0.0, identical=True)) == 0.0
  assert _held_rate("features survive, no gain (noisy)",
                    _features(generator, SIMULATIONS, 0.0)) <= LEVEL
  assert _held_rate("features survive power (+0.05)", _features(generator, 300, 0.05)) >= 0.8


# Regularizers: a destructive regularizer, one that does nothing, one that works.


def _logistic(x):
  return 1 / (1 + np.exp(-x))


def _regularizers(generator, sims, kind):
  # The baseline memorizes the noise (>= 0.95), a precondition of the claim.
  base_noisy = _logistic(generator.normal(4.0, 0.3, (sims, SEEDS)))
  base_clean = _logistic(generator.normal(5.0, 0.3, (sims, SEEDS)))
  base_val = 0.8 + generator.normal(0, 0.01, (sims, SEEDS))
  jitter = lambda: generator.normal(0, 0.3, (sims, SEEDS))
  if kind == "destructive":  # Stops learning: every fit and validation at chance.
    noisy, clean = _logistic(np.log(1 / 9) + jitter()), _logistic(np.log(1 / 9) + jitter())
    val = 0.1 + generator.normal(0, 0.01, (sims, SEEDS))
  elif kind == "nothing":
    noisy = _logistic(np.log(base_noisy / (1 - base_noisy)) + jitter())
    clean = _logistic(np.log(base_clean / (1 - base_clean)) + jitter())
    val = base_val + generator.normal(0, 0.01, (sims, SEEDS))
  else:  # Works: noisy fit falls by 2 on the log-odds scale, clean and validation kept.
    noisy = _logistic(np.log(base_noisy / (1 - base_noisy)) - 2 + jitter())
    clean = _logistic(np.log(base_clean / (1 - base_clean)) + jitter())
    val = base_val + 0.01 + generator.normal(0, 0.01, (sims, SEEDS))
  lines = []
  for i in range(sims):
    metrics = lambda n, c, v, s: {"memorization/fit_corrupted": float(n[i, s]),
                                  "memorization/fit_clean": float(c[i, s]),
                                  "validation/accuracy": float(v[i, s])}
    base = [_rec(s, metrics=metrics(base_noisy, base_clean, base_val, s)) for s in range(SEEDS)]
    reg = [_rec(s, metrics=metrics(noisy, clean, val, s)) for s in range(SEEDS)]
    lines += claims.regularizers_slow_noise_more({"x": reg}, base, num_classes=10)
  return lines


def test_regularizer_calibration_and_power():
  generator = np.random.default_rng(6)
  assert _held_rate("regularizer, destructive",
                    _regularizers(generator, SIMULATIONS, "destructive")) <= LEVEL
  assert _held_rate("regularizer, no effect",
                    _regularizers(generator, SIMULATIONS, "nothing")) <= LEVEL
  assert _held_rate("regularizer power", _regularizers(generator, 300, "works")) >= 0.8


# Loss sensitivity (Gini) over a window, over seeds.


def _gini(generator, sims, difference):
  epochs = np.arange(0, 21)
  clean = 0.5 + generator.normal(0, 0.03, (sims, SEEDS, len(epochs)))
  noisy = 0.5 - difference + generator.normal(0, 0.03, (sims, SEEDS, len(epochs)))
  seed_effect = generator.normal(0, 0.02, (sims, SEEDS, 1))  # Runs differ as a whole.
  clean = clean + seed_effect
  lines = []
  for i in range(sims):
    recs = [_rec(s, epochs=20, history=[
        {"epoch": int(e), "sensitivity/gini_clean": float(clean[i, s, j]),
         "sensitivity/gini_corrupted": float(noisy[i, s, j])} for j, e in enumerate(epochs)])
            for s in range(SEEDS)]
    lines.append(claims.sensitivity_more_concentrated_on_real_data(recs))
  return lines


def test_gini_calibration_and_power():
  generator = np.random.default_rng(7)
  assert _held_rate("Gini, equal on real data and noise",
                    _gini(generator, SIMULATIONS, 0.0)) <= LEVEL
  assert _held_rate("Gini power (+0.05)", _gini(generator, 300, 0.05)) >= 0.8


# CSR over training: no trend (autocorrelated), and a growing gap.


def _csr(generator, sims, slope, points=10):
  epochs = np.arange(points) * 2
  walk = np.cumsum(generator.normal(0, 0.01, (sims, SEEDS, points)), axis=-1)  # AR noise.
  clean = 0.05 + generator.normal(0, 0.005, (sims, SEEDS, points))
  noisy = 0.05 + walk + slope * epochs / epochs[-1]
  lines = []
  for i in range(sims):
    recs = [_rec(s, epochs=int(epochs[-1]), history=[
        {"epoch": int(e), "csr/clean": float(clean[i, s, j]),
         "csr/corrupted": float(noisy[i, s, j])} for j, e in enumerate(epochs)])
            for s in range(SEEDS)]
    lines.append(claims.csr_grows_more_on_noise(recs))
  return lines


def test_csr_trend_calibration_and_power():
  generator = np.random.default_rng(8)
  assert _held_rate("CSR, no trend (random walk)", _csr(generator, SIMULATIONS, 0.0)) <= LEVEL
  assert _held_rate("CSR power (+0.1 over training)", _csr(generator, 300, 0.1)) >= 0.8
  too_short = _csr(generator, 1, 0.1, points=3)[0]
  assert too_short["verdict"] == claims.NOT_TESTABLE and "trend needs" in too_short["reason"]


# Capacity: flat and non-monotone sweeps, censored points, and a real decrease.


def _capacity(generator, sims, means, budget=60, sd=4.0):
  widths = [32, 128, 512, 2048][:len(means)]
  epochs = np.array(means)[None, None] + generator.normal(0, sd, (sims, SEEDS, len(means)))
  lines = []
  for i in range(sims):
    sweep = {}
    for j, width in enumerate(widths):
      recs = []
      for s in range(SEEDS):
        fitted_at = int(round(epochs[i, s, j]))
        recs.append(_rec(s, epochs=budget, history=[
            {"epoch": e, "memorization/fit_corrupted": 0.99 if e >= fitted_at else 0.5}
            for e in range(0, budget + 1, 2)]))
      sweep[width] = recs
    lines.append(claims.capacity_speeds_up_noise_fitting(sweep, "width", permutations=400))
  return lines


def test_capacity_calibration_and_power():
  generator = np.random.default_rng(9)
  assert _held_rate("capacity, flat sweep", _capacity(generator, SIMULATIONS,
                                                      [40, 40, 40, 40])) <= LEVEL
  assert _held_rate("capacity, non-monotone (valley)", _capacity(
      generator, SIMULATIONS, [48, 36, 36, 48])) <= LEVEL
  assert _held_rate("capacity, flat sweep partly censored (never fitted)", _capacity(
      generator, SIMULATIONS, [58, 58, 58, 58])) <= LEVEL
  assert _held_rate("capacity power (never / 44 / 36 / 28)", _capacity(
      generator, 300, [70, 44, 36, 28])) >= 0.8
  three = _capacity(generator, 1, [50, 40, 30])[0]
  assert three["verdict"] in (claims.HELD, claims.INCONCLUSIVE)  # 3 points x 5 seeds: can.


# Fitting order and per-view labels.


def _fitting_order(generator, sims, delay):
  lines = []
  clean_at = np.round(20 + generator.normal(0, 3, (sims, SEEDS)))
  noisy_at = np.round(clean_at + delay + generator.normal(0, 3, (sims, SEEDS)))
  for i in range(sims):
    recs = [_rec(s, epochs=60, history=[
        {"epoch": e, "memorization/fit_clean": 0.99 if e >= clean_at[i, s] else 0.5,
         "memorization/fit_corrupted": 0.99 if e >= noisy_at[i, s] else 0.5}
        for e in range(61)]) for s in range(SEEDS)]
    lines.append(claims.clean_fitted_before_corrupted(recs))
  return lines


def test_fitting_order_calibration_and_power():
  generator = np.random.default_rng(10)
  assert _held_rate("clean before corrupted, same time",
                    _fitting_order(generator, SIMULATIONS, 0)) <= LEVEL
  assert _held_rate("clean before corrupted power (+10 epochs)",
                    _fitting_order(generator, 300, 10)) >= 0.8


def _per_view(generator, sims, view_fit):
  fits = np.clip(view_fit + generator.normal(0, 0.02, (sims, SEEDS)), 0, 1)
  lines = []
  for i in range(sims):
    per_view = [_rec(s, metrics={"memorization/view_fit": float(fits[i, s])})
                for s in range(SEEDS)]
    pooled = [_rec(s, metrics={"memorization/view_fit": 0.99}) for s in range(SEEDS)]
    lines.append(claims.per_view_labels_not_fitted(per_view, pooled))
  return lines


def test_per_view_calibration_and_power():
  generator = np.random.default_rng(11)
  assert _held_rate("per-view labels, fitted at the threshold",
                    _per_view(generator, SIMULATIONS, claims.FIT_THRESHOLD)) <= LEVEL
  assert _held_rate("per-view power (fit 0.9)", _per_view(generator, 300, 0.9)) >= 0.8
