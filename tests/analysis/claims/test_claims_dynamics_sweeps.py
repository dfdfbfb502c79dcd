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

"""The noise-level, data-size, Gini, early-stopping and depth claims on constructed
records: each can say held, contradicted, inconclusive and not testable, and rarely says
held when its claim is false (small null simulations)."""

import numpy as np
import pytest

from suite.analysis import declared
from suite.analysis.claims import dynamics

BUDGET = 20


def _rec(seed, history=(), **metrics):
  return {"settings": {"train": {"seed": seed, "epochs": BUDGET}}, "history": list(history),
          "metrics": metrics}


def _fits(seed, **first):
  """A run whose fits (key: epoch it reaches 1.0; None: never) are logged every epoch."""
  history = []
  for epoch in range(BUDGET + 1):
    row = {"epoch": epoch}
    for key, at in first.items():
      row[f"memorization/{key}"] = 1.0 if at is not None and epoch >= at else 0.3
    history.append(row)
  return _rec(seed, history)


def _noise_sweep(epochs_by_level, seeds=4):
  """{noise: per-seed epochs to fit the training set}, each run as _fits."""
  return {level: [_fits(s, train_fit=epochs[s]) for s in range(seeds)]
          for level, epochs in epochs_by_level.items()}


def test_noise_level_slows_fitting_verdicts():
  rising = {0.2: [2, 3, 2, 3], 0.5: [5, 4, 6, 5], 0.8: [9, 10, None, 12]}  # None: censored.
  line = dynamics.noise_level_slows_fitting(_noise_sweep(rising))
  assert line["verdict"] == declared.HELD and line["evidence"]["label_noise"] == [0.2, 0.5, 0.8]
  assert line["evidence"]["outcomes"][2][2] == "censored"
  falling = {0.2: [9, 10, 11, 12], 0.5: [5, 4, 6, 5], 0.8: [2, 3, 2, 3]}
  assert dynamics.noise_level_slows_fitting(_noise_sweep(falling))["verdict"] == \
      declared.CONTRADICTED
  # Two seeds rise, two fall: no trend either way.
  mixed = {0.2: [2, 9, 2, 9], 0.5: [5, 5, 5, 5], 0.8: [9, 2, 9, 2]}
  assert dynamics.noise_level_slows_fitting(_noise_sweep(mixed))["verdict"] == \
      declared.INCONCLUSIVE
  two_seeds = {k: v[:2] for k, v in rising.items()}
  line = dynamics.noise_level_slows_fitting(_noise_sweep(two_seeds, seeds=2))
  assert line["verdict"] == declared.NOT_TESTABLE and "at least 3" in line["reason"]
  line = dynamics.noise_level_slows_fitting(_noise_sweep({0.2: [2] * 4, 0.8: [9] * 4}))
  assert line["verdict"] == declared.NOT_TESTABLE and "3" in line["reason"]
  never = {0.2: [None] * 4, 0.5: [None] * 4, 0.8: [None] * 4}
  assert dynamics.noise_level_slows_fitting(_noise_sweep(never))["verdict"] == \
      declared.NOT_TESTABLE


def test_data_size_slows_noise_relative_to_real_verdicts():
  def sweep(corrupted_by_size, clean=4):
    return {size: [_fits(s, fit_clean=clean, fit_corrupted=c[s]) for s in range(4)]
            for size, c in corrupted_by_size.items()}
  # Evaluated every epoch: clean fitted at 4 is in (3, 4], corrupted at 5 in (4, 5], so
  # the ratio at 500 lies in (1, 1.67); at 1,000 in (2, 3.33); at 2,000 above 4.25.
  rising = {500: [5, 5, 5, 5], 1000: [9, 9, 10, 9], 2000: [18, 19, None, 18]}
  line = dynamics.data_size_slows_noise_relative_to_real(sweep(rising))
  assert line["verdict"] == declared.HELD and line["evidence"]["train_size"] == [500, 1000, 2000]
  assert line["evidence"]["epochs_corrupted"][2][2] == [20.0, "never"]
  assert line["test"]["value"] == 1.0 and line["test"]["p_greater"] == pytest.approx(6.0 ** -4)
  assert dynamics.data_size_slows_noise_relative_to_real(sweep(
      {500: [18, 19, 18, 18], 1000: [9, 9, 10, 9], 2000: [5, 5, 5, 5]}))["verdict"] == \
      declared.CONTRADICTED
  assert dynamics.data_size_slows_noise_relative_to_real(sweep(
      {500: [5, 18, 5, 18], 1000: [9, 9, 9, 9], 2000: [18, 5, 18, 5]}))["verdict"] == \
      declared.INCONCLUSIVE
  # Rising ratios the grid cannot tell apart (clean fitted at epoch 2: in (1, 2], a factor
  # of two): no trend can be shown, whatever the midpoints say.
  blurred = {500: [3, 3, 3, 3], 1000: [4, 4, 4, 4], 2000: [5, 5, 5, 5]}
  line = dynamics.data_size_slows_noise_relative_to_real(sweep(blurred, clean=2))
  assert line["verdict"] == declared.INCONCLUSIVE
  assert line["evidence"]["spearman_per_seed_least_favourable"] == [-1.0] * 4
  # Clean examples never fitted: no reference to be slower than.
  line = dynamics.data_size_slows_noise_relative_to_real(sweep(rising, clean=None))
  assert line["verdict"] == declared.NOT_TESTABLE and "reference" in line["reason"]


def _gini_sweep(gini_by_level):
  sweep = {}
  for level, per_seed in gini_by_level.items():
    sweep[level] = [_rec(s, [{"epoch": e, "sensitivity/gini_all": per_seed[s] + 0.001 * e}
                             for e in range(BUDGET + 1)]) for s in range(len(per_seed))]
  return sweep


def test_gini_falls_with_noise_verdicts():
  falling = {0.2: [0.5, 0.52, 0.55, 0.5], 0.5: [0.4, 0.41, 0.44, 0.42], 0.8: [0.3, 0.3, 0.31,
                                                                              0.35]}
  line = dynamics.gini_falls_with_noise(_gini_sweep(falling))
  assert line["verdict"] == declared.HELD
  assert line["evidence"]["outcomes"][0][0] == pytest.approx(0.5 + 0.001 * 3)  # Epochs 1-5.
  rising = {0.2: falling[0.8], 0.5: falling[0.5], 0.8: falling[0.2]}
  assert dynamics.gini_falls_with_noise(_gini_sweep(rising))["verdict"] == declared.CONTRADICTED
  assert dynamics.gini_falls_with_noise(_gini_sweep(
      {0.2: [0.3, 0.5, 0.3, 0.5], 0.5: [0.4] * 4, 0.8: [0.5, 0.3, 0.5, 0.3]}))["verdict"] == \
      declared.INCONCLUSIVE
  missing = _gini_sweep(falling)
  missing[0.5][1] = _rec(1, [{"epoch": e} for e in range(BUDGET + 1)])
  assert dynamics.gini_falls_with_noise(missing)["verdict"] == declared.NOT_TESTABLE
  # A NaN Gini: that seed is left out and named, never a correlation of 0 that counts.
  failed = _gini_sweep(falling)
  failed[0.8][3]["history"][2]["sensitivity/gini_all"] = float("nan")
  line = dynamics.gini_falls_with_noise(failed)
  assert line["evidence"]["dropped_seeds"] == [
      {"seed": 3, "reason": "NaN in Gini of loss sensitivity, mean over the window"}]
  assert line["test"]["n"] == 3 and line["evidence"]["outcomes"][2][3] == "NaN"
  failed[0.2][0]["history"][1]["sensitivity/gini_all"] = float("nan")
  failed[0.2][1]["history"][1]["sensitivity/gini_all"] = float("nan")
  assert dynamics.gini_falls_with_noise(failed)["verdict"] == declared.NOT_TESTABLE


def test_trend_claims_rarely_hold_without_a_trend():
  # Null: each seed's outcomes exchangeable across the sweep points (continuous, no ties).
  generator = np.random.default_rng(0)
  trials, held = 200, 0
  for _ in range(trials):
    epochs = generator.integers(1, BUDGET, size=(3, 4))
    sweep = _noise_sweep({level: list(epochs[i]) for i, level in enumerate((0.2, 0.5, 0.8))})
    held += dynamics.noise_level_slows_fitting(sweep, permutations=400)["verdict"] == declared.HELD
  # The permutation null's upper 2.5% point: about 5 of 200; ties only make it rarer.
  assert held / trials <= 0.06


def _early(seed, gap, best_epoch=3, fit_clean=0.9):
  history = []
  for epoch in range(8):
    at_best = epoch == best_epoch
    history.append({"epoch": epoch, "validation/accuracy": 0.8 if at_best else 0.5,
                    "test/accuracy": 0.79 if at_best else 0.5,
                    "memorization/fit_clean": fit_clean if at_best else 1.0,
                    "memorization/fit_corrupted": fit_clean - gap if at_best else 1.0})
  return _rec(seed, history, **{"memorization/fit_corrupted": 1.0, "test/accuracy": 0.5})


def test_noise_fitted_less_at_best_validation_verdicts():
  line = dynamics.noise_fitted_less_at_best_validation(
      [_early(s, gap) for s, gap in enumerate((0.6, 0.55, 0.62, 0.58))])
  assert line["verdict"] == declared.HELD and line["test"]["null"] == declared.EARLY_STOP_MARGIN
  assert line["evidence"]["best_validation_epoch"] == [3] * 4
  assert line["evidence"]["test_accuracy_at_best"] == [0.79] * 4
  assert line["evidence"]["test_accuracy_final"] == [0.5] * 4
  assert dynamics.noise_fitted_less_at_best_validation(
      [_early(s, gap) for s, gap in enumerate((0.05, 0.02, 0.04, 0.03))])["verdict"] == \
      declared.CONTRADICTED
  assert dynamics.noise_fitted_less_at_best_validation(
      [_early(s, gap) for s, gap in enumerate((0.05, 0.5, 0.1, 0.4))])["verdict"] == \
      declared.INCONCLUSIVE
  no_validation = [_fits(s, fit_clean=2, fit_corrupted=5) for s in range(3)]
  assert dynamics.noise_fitted_less_at_best_validation(no_validation)["verdict"] == \
      declared.NOT_TESTABLE
  assert dynamics.noise_fitted_less_at_best_validation(
      [_early(s, 0.6) for s in range(2)])["verdict"] == declared.NOT_TESTABLE
  # The noise never memorized by the end: nothing for early stopping to prevent.
  unfitted = [_early(s, 0.6) for s in range(4)]
  unfitted[2]["metrics"]["memorization/fit_corrupted"] = 0.5
  line = dynamics.noise_fitted_less_at_best_validation(unfitted)
  assert line["verdict"] == declared.NOT_TESTABLE and "not memorized" in line["reason"]


def test_early_stopping_claim_rarely_holds_at_its_margin():
  generator = np.random.default_rng(1)
  trials = 400
  held = sum(dynamics.noise_fitted_less_at_best_validation(
      [_early(s, gap) for s, gap in enumerate(
          declared.EARLY_STOP_MARGIN + generator.normal(0, 0.05, 4))])["verdict"] == declared.HELD
      for _ in range(trials))
  assert held / trials <= 0.05  # One-sided at 2.5%.


def _depth_sweep(differences_by_depth, baseline=2, seeds=4, seed=0):
  generator = np.random.default_rng(seed)
  base = 0.8 + generator.normal(0, 0.02, seeds)
  sweep = {baseline: [_rec(s, **{"validation/accuracy": base[s]}) for s in range(seeds)]}
  for depth, differences in differences_by_depth.items():
    sweep[depth] = [_rec(s, **{"validation/accuracy": base[s] + differences[s]})
                    for s in range(seeds)]
  return sweep


def test_depth_does_not_hurt_generalization_verdicts():
  line = dynamics.depth_does_not_hurt_generalization(
      _depth_sweep({1: [0.001, -0.002, 0.0, 0.001], 4: [0.003, 0.0, 0.002, -0.001]}), 2, "mlp")
  assert line["verdict"] == declared.HELD and line["source"] == declared.BRIEF
  assert line["evidence"]["equivalence_tost"] == {"1": declared.HELD, "4": declared.HELD}
  assert line["test"]["null"] == -declared.DEPTH_MARGIN
  # Depth 4 clearly worse by more than the margin: the hypothesis is contradicted.
  line = dynamics.depth_does_not_hurt_generalization(
      _depth_sweep({1: [0.0, 0.001, -0.001, 0.0], 4: [-0.1, -0.12, -0.09, -0.11]}), 2, "cnn_small")
  assert line["verdict"] == declared.CONTRADICTED and "cnn_small" in line["claim"]
  assert "depth 4" in line["test"]["statistic"]  # The reported test is the worst depth's.
  line = dynamics.depth_does_not_hurt_generalization(
      _depth_sweep({4: [0.05, -0.08, 0.02, -0.06]}), 2, "mlp")
  assert line["verdict"] == declared.INCONCLUSIVE
  assert dynamics.depth_does_not_hurt_generalization(
      _depth_sweep({4: [0.0, 0.0]}, seeds=2), 2, "mlp")["verdict"] == declared.NOT_TESTABLE
  assert dynamics.depth_does_not_hurt_generalization(
      _depth_sweep({4: [0.0] * 4}), 3, "mlp")["verdict"] == declared.NOT_TESTABLE
  no_validation = {d: [_rec(s) for s in range(3)] for d in (1, 2)}
  assert dynamics.depth_does_not_hurt_generalization(no_validation, 2, "mlp")["verdict"] == \
      declared.NOT_TESTABLE


def test_depth_claim_rarely_holds_when_a_depth_is_worse_by_the_margin():
  generator = np.random.default_rng(2)
  trials = 300
  held = 0
  for trial in range(trials):
    worse = -declared.DEPTH_MARGIN + generator.normal(0, 0.01, 4)
    same = generator.normal(0, 0.01, 4)
    held += dynamics.depth_does_not_hurt_generalization(
        _depth_sweep({1: same, 4: worse}, seed=trial), 2, "mlp")["verdict"] == declared.HELD
  assert held / trials <= 0.05
