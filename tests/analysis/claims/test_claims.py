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

"""Claim verdicts on constructed multi-seed records whose answer is known."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite.analysis import declared
from suite.analysis.claims import benign
from suite.analysis.claims import difficulty
from suite.analysis.claims import fitting_order
from suite.analysis.claims import readings
from suite.analysis.claims import regularizers
from suite.analysis.claims import report
from suite.analysis.claims import sensitivity
from suite.analysis.claims import verdicts

ENDPOINTS = ["hidden_1", "hidden_2", "logits"]
SEEDS = (0, 1, 2, 3)
FITTED = {"memorization/fit_corrupted": 0.99}


def _table(clean=None, noisy=None):
  table = {"endpoints": ENDPOINTS}
  if clean is not None:
    table["clean"] = {e: {"k20": v} for e, v in zip(ENDPOINTS, clean)}
  if noisy is not None:
    table["noisy"] = {e: {"k20": v} for e, v in zip(ENDPOINTS, noisy)}
  return table


def _run(seed, probe=None, metrics=None, history=None, epochs=10):
  rec = {"settings": {"train": {"seed": seed, "epochs": epochs}}, "metrics": metrics or {},
         "history": history or []}
  if probe:
    rec["probe"] = probe
  return rec


def _jitter(seed, scale=0.005):
  return scale * (seed - 1.5)


def _assert_line(line, verdict):
  assert line["verdict"] == verdict, line
  assert set(line) >= {"claim", "verdict", "evidence", "source"}
  if verdict == declared.NOT_TESTABLE:
    assert line["reason"]
  else:
    assert set(line["test"]) >= {"statistic", "value", "null", "interval", "n", "method"}
    assert line["test"]["n"] == len(SEEDS)


def _last_layers(early_shift=0.0, memorized=0.8, fit=0.99, middle=0.0):
  """Noisy-bank k20 of the augmented run: the random-init network's (0.1) plus jitter at
  the early layers (`middle` more at hidden_2), plus `memorized` at the logits."""
  augmented = [_run(s, _table([0.9 + early_shift + _jitter(s), 0.8, 0.5],
                              [0.1 + _jitter(s), 0.1 + middle - _jitter(s, 0.004),
                               0.1 + memorized + _jitter(s)]),
                    {"memorization/fit_corrupted": fit}) for s in SEEDS]
  clean = [_run(s, _table([0.9, 0.85, 0.8])) for s in SEEDS]
  init = [_table(noisy=[0.1, 0.1, 0.1 + _jitter(s, 0.002)]) for s in SEEDS]
  return augmented, clean, init


def test_memorization_in_last_layers_names_the_layer_farthest_from_equivalence():
  # Both early layers far above random init: their Holm-corrected TOST p values tie at 1,
  # and the named layer must be the one that memorizes most (hidden_2), not the first.
  augmented = [_run(s, _table([0.9, 0.8, 0.5], [0.1 + 0.2 + _jitter(s),
                                                0.1 + 0.4 - _jitter(s, 0.004), 0.9]),
                    {"memorization/fit_corrupted": 0.99}) for s in SEEDS]
  init = [_table(noisy=[0.1, 0.1, 0.1 + _jitter(s, 0.002)]) for s in SEEDS]
  line = benign.memorization_in_last_layers(augmented, None, init)
  assert line["verdict"] == declared.CONTRADICTED
  layers = line["evidence"]["early_layer_equivalence"]
  assert layers["hidden_1"]["p_tost_holm"] == layers["hidden_2"]["p_tost_holm"] == 1.0
  assert "at hidden_2 (of the 2 early layers" in line["test"]["statistic"]
  assert line["test"]["value"] == pytest.approx(0.4, abs=0.01)


def test_memorization_in_last_layers():
  line = benign.memorization_in_last_layers(*_last_layers())
  _assert_line(line, declared.HELD)
  evidence = line["evidence"]
  assert evidence["early_layers"] == ["hidden_1", "hidden_2"]
  assert evidence["last_layers"] == ["logits"] and evidence["fit_threshold"] == 0.95
  assert {v["verdict"] for v in evidence["early_layer_equivalence"].values()} == {declared.HELD}
  assert line["test"]["also"]["value"] == pytest.approx(0.8, abs=0.01)
  # A middle layer memorizing (0.15 above random init): where memorization happens is
  # wrong, whatever the first and last layers say.
  damaged = benign.memorization_in_last_layers(*_last_layers(middle=0.15))
  assert damaged["verdict"] == declared.CONTRADICTED
  assert damaged["evidence"]["early_layer_equivalence"]["hidden_2"]["verdict"] == \
      declared.CONTRADICTED
  # The clean-bank k-NN is a secondary view now: early layers damaged there do not decide.
  assert benign.memorization_in_last_layers(*_last_layers(early_shift=-0.2))["verdict"] == \
      declared.HELD
  # No memorization above the random-init network with the same noisy labels.
  assert benign.memorization_in_last_layers(*_last_layers(memorized=0.0))["verdict"] == \
      declared.INCONCLUSIVE
  unfitted = benign.memorization_in_last_layers(*_last_layers(fit=0.92))
  _assert_line(unfitted, declared.NOT_TESTABLE)
  assert "0.95 (the gate)" in unfitted["reason"]
  # A declared gate of 0.90 (a pre-registered experiment's) lets the same runs through.
  gated = benign.memorization_in_last_layers(*_last_layers(fit=0.92), fit_threshold=0.9)
  assert gated["verdict"] == declared.HELD and gated["evidence"]["fit_threshold"] == 0.9
  augmented, clean, init = _last_layers()
  # Without a clean-label run (a random-labels-only experiment): the same primary test,
  # only the secondary clean-bank view is missing.
  alone = benign.memorization_in_last_layers(augmented, None, init)
  full = benign.memorization_in_last_layers(augmented, clean, init)
  assert alone["verdict"] == full["verdict"] == declared.HELD
  assert alone["test"] == full["test"]
  assert "clean_layers" in full["evidence"] and "clean_layers" not in alone["evidence"]
  assert benign.memorization_in_last_layers(augmented, None, init[:3])["verdict"] == \
      declared.NOT_TESTABLE
  few = benign.memorization_in_last_layers(augmented[:2], clean[:2], init[:2])
  assert few["verdict"] == declared.NOT_TESTABLE and "at least 3" in few["reason"]
  # The control is needed per seed, probed with the noisy labels.
  assert benign.memorization_in_last_layers(augmented, clean, [_table([0.5] * 3)] * 4)[
      "verdict"] == declared.NOT_TESTABLE


def test_last_layers_declared_and_missing_values():
  augmented, clean, init = _last_layers(middle=0.3)
  # hidden_2 declared a last layer: only hidden_1 is early, and hidden_2 may memorize.
  line = benign.memorization_in_last_layers(augmented, clean, init,
                                            last_layers=["hidden_2", "logits"])
  assert line["verdict"] == declared.HELD
  assert line["evidence"]["early_layers"] == ["hidden_1"]
  assert line["evidence"]["final_layer"] == "logits"
  assert "not probed" in benign.memorization_in_last_layers(
      augmented, clean, init, last_layers=["projector_hidden"])["reason"]
  # A model with a head: every endpoint before projector_hidden is early by default.
  head = ["block_1", "encoder", "projector_hidden", "logits"]
  table = lambda noisy: {"endpoints": head, "noisy": {e: {"k20": v} for e, v in
                                                      zip(head, noisy)}}
  runs = [_run(s, dict(table([0.1 + _jitter(s), 0.1, 0.9, 0.95 + _jitter(s)]),
                       clean={e: {"k20": 0.5} for e in head}), FITTED) for s in SEEDS]
  line = benign.memorization_in_last_layers(
      runs, [_run(s, {"endpoints": head, "clean": {e: {"k20": 0.5} for e in head}})
             for s in SEEDS], [table([0.1, 0.1, 0.1, 0.1 + _jitter(s, 0.01)]) for s in SEEDS])
  assert line["verdict"] == declared.HELD
  assert line["evidence"]["early_layers"] == ["block_1", "encoder"]
  assert line["evidence"]["last_layers"] == ["projector_hidden", "logits"]
  # One seed's random-init table lacks the k at an early layer: not testable, no TypeError.
  broken = [dict(t, noisy=dict(t["noisy"])) for t in init]
  broken[2]["noisy"]["hidden_1"] = {"k50": 0.1}
  line = benign.memorization_in_last_layers(augmented, clean, broken)
  assert line["verdict"] == declared.NOT_TESTABLE and "hidden_1" in line["reason"]
  # An endpoint only some seeds probed is left out (the intersection), not a crash.
  partial = [dict(t, noisy=dict(t["noisy"])) for t in init]
  del partial[1]["noisy"]["hidden_2"]
  line = benign.memorization_in_last_layers(augmented, clean, partial)
  assert line["evidence"]["endpoints"] == ["hidden_1", "logits"]
  assert line["verdict"] == declared.HELD


def test_last_layers_every_seed_counts_in_the_early_layer_tests():
  # Distinct per-seed differences, so that leaving any seed out changes the interval.
  offsets = [0.01, -0.02, 0.004, 0.03]
  augmented, clean, init = _last_layers()
  for rec, offset in zip(augmented, offsets):
    rec["probe"]["noisy"]["hidden_1"]["k20"] = 0.1 + offset
  line = benign.memorization_in_last_layers(augmented, clean, init)
  early = line["evidence"]["early_layer_equivalence"]["hidden_1"]
  expected = scipy_stats.t.interval(0.95, len(offsets) - 1, loc=np.mean(offsets),
                                    scale=scipy_stats.sem(offsets))
  assert early["n"] == len(SEEDS) and early["interval"] == pytest.approx(expected)
  assert early["difference"] == pytest.approx(np.mean(offsets))
  margin = declared.LAYER_MARGIN
  p_tost = max(scipy_stats.ttest_1samp(offsets, -margin, alternative="greater").pvalue,
               scipy_stats.ttest_1samp(offsets, margin, alternative="less").pvalue)
  assert early["p_tost"] == pytest.approx(p_tost)
  # Holm across the two early layers, computed here by hand.
  other = line["evidence"]["early_layer_equivalence"]["hidden_2"]["p_tost"]
  low, high = sorted([p_tost, other])
  holm = {low: min(1, 2 * low), high: max(min(1, 2 * low), high)}
  assert early["p_tost_holm"] == pytest.approx(holm[p_tost])
  assert line["test"]["n"] == len(SEEDS)


def test_seeds_must_be_named_and_distinct():
  augmented, clean, init = _last_layers()
  thrice = benign.memorization_in_last_layers([augmented[0]] * 3, [clean[0]] * 3, init[:3])
  assert thrice["verdict"] == declared.NOT_TESTABLE and "more than once" in thrice["reason"]
  unnamed = [dict(r, settings={"train": {"epochs": 10}}) for r in augmented]
  assert "names no seed" in benign.memorization_in_last_layers(unnamed, clean, init)["reason"]
  per_view = [_run(0, metrics={"memorization/view_fit": 0.3 + _jitter(s)}) for s in SEEDS]
  pooled = [_run(0, metrics={"memorization/view_fit": 0.99}) for _ in SEEDS]
  assert "more than once" in benign.per_view_labels_not_fitted(per_view, pooled)["reason"]


def _features(gain, init_level=0.6):
  augmented = [_run(s, _table([0.8, 0.7 + gain + _jitter(s), 0.3]), FITTED) for s in SEEDS]
  plain = [_run(s, _table([0.8, 0.7, 0.3]), FITTED) for s in SEEDS]
  init = [_table([0.8, init_level, 0.4]) for _ in SEEDS]
  return augmented, plain, init


def test_features_survive_with_augmentation():
  line = benign.features_survive_with_augmentation(*_features(0.05))
  _assert_line(line, declared.HELD)
  assert line["evidence"]["layer"] == "hidden_2"  # The encoder output, not the best layer.
  # Above the plain run but not above random initialisation: not held.
  assert benign.features_survive_with_augmentation(*_features(0.05, init_level=0.9))[
      "verdict"] == declared.CONTRADICTED
  assert benign.features_survive_with_augmentation(*_features(-0.05))["verdict"] == \
      declared.CONTRADICTED
  augmented, plain, init = _features(0.0)
  identical = benign.features_survive_with_augmentation(plain, plain, init)
  assert identical["verdict"] == declared.INCONCLUSIVE
  other_budget = [dict(r, settings={"train": {"seed": r["settings"]["train"]["seed"],
                                              "epochs": 20}}) for r in plain]
  assert "different budgets" in benign.features_survive_with_augmentation(
      augmented, other_budget, init)["reason"]


def test_per_view_labels_not_fitted():
  per_example = [_run(s, metrics={"memorization/view_fit": 0.99}) for s in SEEDS]
  low = [_run(s, metrics={"memorization/view_fit": 0.3 + _jitter(s)}) for s in SEEDS]
  _assert_line(benign.per_view_labels_not_fitted(low, per_example), declared.HELD)
  high = [_run(s, metrics={"memorization/view_fit": 0.99 + _jitter(s, 0.001)}) for s in SEEDS]
  assert benign.per_view_labels_not_fitted(high, per_example)["verdict"] == declared.CONTRADICTED
  unfitted = [_run(s, metrics={"memorization/view_fit": 0.5}) for s in SEEDS]
  _assert_line(benign.per_view_labels_not_fitted(low, unfitted), declared.NOT_TESTABLE)


def _fits(seed, real_at, noise_at, budget=10):
  return _run(seed, epochs=budget, history=[
      {"epoch": e, "memorization/fit_clean": 0.99 if e >= real_at else 0.5,
       "memorization/fit_corrupted": 0.99 if noise_at is not None and e >= noise_at else 0.5,
       "memorization/train_fit": 0.99 if e >= real_at else 0.5}
      for e in range(budget + 1)])


def test_fitting_order():
  runs = [_fits(s, 3 + s % 2, 8) for s in SEEDS]
  line = fitting_order.clean_fitted_before_corrupted(runs)
  _assert_line(line, declared.HELD)
  assert line["evidence"]["epochs_corrupted"] == [8] * 4
  # Noise never fitted: censored at the budget (10), still later than the clean examples.
  censored = fitting_order.clean_fitted_before_corrupted([_fits(s, 3 + s % 2, None) for s in SEEDS])
  assert censored["verdict"] == declared.HELD and censored["test"]["value"] == pytest.approx(6.5)
  reverse = [_fits(s, 8, 3 + s % 2) for s in SEEDS]
  assert fitting_order.clean_fitted_before_corrupted(reverse)["verdict"] == declared.CONTRADICTED
  never = [_fits(s, 99, None) for s in SEEDS]
  _assert_line(fitting_order.clean_fitted_before_corrupted(never), declared.NOT_TESTABLE)
  real = [_fits(s, 2 + s % 2, None) for s in SEEDS]
  noise = [_fits(s, 6 + s % 2, None) for s in SEEDS]
  _assert_line(fitting_order.real_data_fitted_before_noise(real, noise), declared.HELD)
  assert readings.epochs_to_fit(noise[0]) == 6


def test_sensitivity_window_and_seeds():
  def run(seed, clean, corrupted, budget=20):
    return _run(seed, epochs=budget, history=[
        {"epoch": e, "sensitivity/gini_clean": clean + _jitter(seed, 0.01),
         "sensitivity/gini_corrupted": corrupted if e <= 5 else 0.9} for e in range(budget + 1)])
  # Higher on real data in the window (epochs 1-5 of 20); reversed later, outside it.
  line = sensitivity.sensitivity_more_concentrated_on_real_data([run(s, 0.6, 0.4) for s in SEEDS])
  _assert_line(line, declared.HELD)
  assert line["evidence"]["window"] == list(declared.GINI_WINDOW)
  assert sensitivity.sensitivity_more_concentrated_on_real_data(
      [run(s, 0.4, 0.6) for s in SEEDS])["verdict"] == declared.CONTRADICTED


def test_csr_trend():
  def run(seed, noisy_slope, points=8):
    return _run(seed, epochs=2 * points, history=[
        {"epoch": 2 * i, "csr/clean": 0.02 + 0.001 * ((i * (seed + 3)) % 4),
         "csr/corrupted": 0.02 + noisy_slope * i + 0.002 * ((i + seed) % 3)}
        for i in range(points)])
  _assert_line(sensitivity.csr_grows_more_on_noise([run(s, 0.02) for s in SEEDS]), declared.HELD)
  assert sensitivity.csr_grows_more_on_noise([run(s, -0.02) for s in SEEDS])["verdict"] == \
      declared.CONTRADICTED
  short = sensitivity.csr_grows_more_on_noise([run(s, 0.02, points=2) for s in SEEDS])
  assert short["verdict"] == declared.NOT_TESTABLE and "trend needs" in short["reason"]
  # The statistic is the least-squares rise from the first to the last evaluation.
  line = sensitivity.csr_grows_more_on_noise([run(s, 0.02) for s in SEEDS])
  epochs = [2 * i for i in range(8)]
  gap = [run(0, 0.02)["history"][i]["csr/corrupted"] - run(0, 0.02)["history"][i]["csr/clean"]
         for i in range(8)]
  assert line["evidence"]["rise_gap_per_seed"][0] == pytest.approx(
      np.polyfit(epochs, gap, 1)[0] * 14)


def test_csr_seed_with_nan_is_left_out_and_named():
  def run(seed, nan_at=None):
    return _run(seed, epochs=14, history=[
        {"epoch": 2 * i, "csr/clean": 0.02 + 0.001 * ((i * (seed + 3)) % 4),
         "csr/corrupted": math.nan if i == nan_at else 0.02 + 0.02 * i + 0.002 * ((i + seed) % 3)}
        for i in range(8)])
  line = sensitivity.csr_grows_more_on_noise([run(s, 3 if s == 1 else None) for s in SEEDS])
  assert line["verdict"] == declared.HELD and line["test"]["n"] == 3
  assert line["evidence"]["dropped_seeds"] == [{"seed": 1, "reason": "NaN in the CSR series"}]
  assert "1 seed(s) left out (NaN)" in line["test"]["method"]
  two_left = sensitivity.csr_grows_more_on_noise([run(s, 3 if s < 2 else None) for s in SEEDS])
  assert two_left["verdict"] == declared.NOT_TESTABLE and "2 seed(s)" in two_left["reason"]


def _variant(seed, clean_at, noisy_at, validation, budget=60):
  """A run evaluated every epoch: each kind's fit jumps to 0.99 at its epoch (None: never)."""
  fit = lambda at, e: 0.99 if at is not None and e >= at else 0.5
  return _run(seed, epochs=budget, metrics={
      "memorization/fit_corrupted": fit(noisy_at, budget),
      "memorization/fit_clean": fit(clean_at, budget), "validation/accuracy": validation},
      history=[{"epoch": e, "memorization/fit_clean": fit(clean_at, e),
                "memorization/fit_corrupted": fit(noisy_at, e)} for e in range(budget + 1)])


def _regularizer_family():
  baseline = [_variant(s, 10, 30, 0.80 + _jitter(s, 0.002)) for s in SEEDS]
  family = {  # Noise fitted later by different amounts; clean examples at epoch 10 or 11.
      "dropout": [_variant(s, 10, at, 0.81) for s, at in zip(SEEDS, (45, 50, 40, 48))],
      "noise": [_variant(s, 11, at, 0.80) for s, at in zip(SEEDS, (42, 45, 39, 44))],
      "decay": [_variant(s, 10, at, 0.80) for s, at in zip(SEEDS, (32, 29, 35, 33))]}
  return family, baseline


def test_regularizers_holm_family():
  family, baseline = _regularizer_family()
  lines = regularizers.regularizers_slow_noise_more(family, baseline, 10)
  verdicts = {line["claim"].split()[0]: line for line in lines}
  _assert_line(verdicts["dropout"], declared.HELD)
  assert "Holm over 3" in verdicts["dropout"]["test"]["method"]
  # Independently: per seed the least favourable log ratio, grid of one epoch (a time
  # first seen at epoch e lies in (e - 1, e]); one-sided t tests; Holm by hand.
  raw = {}
  for name, recs in family.items():
    lower = []
    for rec, base in zip(recs, baseline):
      at = lambda r, kind: readings.epochs_to_fit(r, f"memorization/fit_{kind}")
      lower.append(math.log(at(rec, "corrupted") - 1) - math.log(at(rec, "clean"))
                   - math.log(at(base, "corrupted")) + math.log(at(base, "clean") - 1))
    assert verdicts[name]["evidence"]["log_time_ratio_lower"] == pytest.approx(lower)
    raw[name] = scipy_stats.ttest_1samp(lower, 0, alternative="greater").pvalue
  order = sorted(raw, key=raw.get)
  holm, running = {}, 0.0
  for rank, name in enumerate(order):
    running = max(running, min(1.0, (len(order) - rank) * raw[name]))
    holm[name] = running
  for name, line in verdicts.items():
    assert line["test"]["p"] == pytest.approx(raw[name])
    assert line["test"]["p_holm"] == pytest.approx(holm[name])
  # The family is built so that Holm decides: `noise` alone would be held at 2.5%.
  assert raw["noise"] <= 0.025 < holm["noise"]
  assert verdicts["noise"]["verdict"] == declared.INCONCLUSIVE
  assert regularizers.regularizers_slow_noise_more({"noise": family["noise"]}, baseline, 10)[0][
      "verdict"] == declared.HELD


def test_regularizers_matched_progress_and_grid():
  _, baseline = _regularizer_family()
  # Everything slowed by the same factor (x 1.5): noise over clean unchanged, not held,
  # though at the end of the budget the clean fit is saturated and the noisy one is not.
  slower = [_variant(s, 15, 45 + s % 2, 0.80) for s in SEEDS]
  line = regularizers.regularizers_slow_noise_more({"slow": slower}, baseline, 10)[0]
  assert line["verdict"] == declared.INCONCLUSIVE
  # Noise never fitted under the regularizer: censored at the last evaluation, still held.
  never = [_variant(s, 10 + s % 2, None, 0.80) for s in SEEDS]
  line = regularizers.regularizers_slow_noise_more({"x": never}, baseline, 10)[0]
  assert line["verdict"] == declared.HELD and line["evidence"]["epochs_corrupted"][0] == \
      [60.0, "never"]
  # Noise fitted first under the regularizer: contradicted, by the most favourable bounds.
  reverse = [_variant(s, 25 + s % 2, 30, 0.80) for s in SEEDS]
  assert regularizers.regularizers_slow_noise_more({"x": reverse}, baseline, 10)[0]["verdict"] == \
      declared.CONTRADICTED
  # Stops all learning: clean examples never fitted, no matched progress.
  destroys = [_variant(s, None, None, 0.1) for s in SEEDS]
  line = regularizers.regularizers_slow_noise_more({"x": destroys}, baseline, 10)[0]
  assert line["verdict"] == declared.NOT_TESTABLE and "no matched progress" in line["reason"]
  # Worse validation: not held.
  worse = [_variant(s, 10, None, 0.70) for s in SEEDS]
  assert regularizers.regularizers_slow_noise_more({"x": worse}, baseline, 10)[0]["verdict"] != \
      declared.HELD
  # Clean fitted by the first evaluation: the grid cannot bound the slowdown.
  coarse = [_variant(s, 0, None, 0.8) for s in SEEDS]
  assert "first evaluation" in regularizers.regularizers_slow_noise_more(
      {"x": coarse}, baseline, 10)[0]["reason"]
  unfitted = [_variant(s, 10, None, 0.8) for s in SEEDS]
  assert regularizers.regularizers_slow_noise_more({"x": never}, unfitted, 10)[0]["verdict"] == \
      declared.NOT_TESTABLE


def _capacity(epochs_by_value, budget=60):
  return {value: [_run(s, epochs=budget, history=[
      {"epoch": e, "memorization/fit_corrupted": 0.99 if at is not None and e >= at else 0.5}
      for e in range(0, budget + 1, 2)]) for s, at in zip(SEEDS, column)]
          for value, column in epochs_by_value.items()}


def test_capacity_trend():
  held = regularizers.capacity_speeds_up_noise_fitting(
      _capacity({64: [None] * 4, 256: [40, 42, 38, 44], 1024: [20, 22, 24, 20]}), "width")
  _assert_line(held, declared.HELD)
  assert held["evidence"]["epochs_corrupted"][0] == [None] * 4
  # Non-monotone (never / 52 / 36 / 44 in the issue): here a valley, no trend.
  valley = regularizers.capacity_speeds_up_noise_fitting(
      _capacity({32: [48, 50, 46, 48], 64: [36, 34, 38, 36], 128: [36, 38, 34, 36],
                 256: [48, 46, 50, 48]}), "width")
  assert valley["verdict"] == declared.INCONCLUSIVE
  flat = regularizers.capacity_speeds_up_noise_fitting(
      _capacity({1: [30] * 4, 2: [30] * 4, 4: [30] * 4}), "depth", declared.BRIEF)
  assert flat["verdict"] == declared.INCONCLUSIVE and "project brief" in flat["claim"]
  two = regularizers.capacity_speeds_up_noise_fitting(_capacity({1: [30] * 4, 2: [20] * 4}),
                                                      "width")
  assert two["verdict"] == declared.NOT_TESTABLE and "at least 3" in two["reason"]
  never = regularizers.capacity_speeds_up_noise_fitting(
      _capacity({1: [None] * 4, 2: [None] * 4, 4: [None] * 4}), "width")
  assert never["verdict"] == declared.NOT_TESTABLE


def test_difficulty_claim_and_not_testable():
  generator = np.random.default_rng(0)
  hard = generator.random(120) < 0.4
  real = np.stack([hard ^ (generator.random(120) < 0.05) for _ in range(4)])
  noise = generator.random((4, 100)) < 0.8
  line = difficulty.easy_examples_consistent_on_real_data(
      real, generator.integers(0, 10, 120), noise, generator.integers(0, 10, 100))
  _assert_line(line, declared.HELD)
  assert line["evidence"]["kappa_real"] > line["evidence"]["kappa_noise"]
  two = difficulty.easy_examples_consistent_on_real_data(real[:2], np.zeros(120), noise[:2],
                                                     np.zeros(100))
  assert two["verdict"] == declared.NOT_TESTABLE


def test_held_needs_a_test_and_format():
  with pytest.raises(ValueError):
    verdicts.line("c", declared.HELD, {})  # pylint: disable=protected-access
  line = benign.per_view_labels_not_fitted(
      [_run(s, metrics={"memorization/view_fit": 0.3}) for s in SEEDS],
      [_run(s, metrics={"memorization/view_fit": 0.99}) for s in SEEDS])
  text = report.format_lines([line])
  assert text.startswith("[held] per-view labels cannot be fitted")
  assert "per-view label fit = 0.3000 [0.3000, 0.3000] vs null 0.95" in text
