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

"""The claims' building blocks case by case, against hand-computed answers: what the
claims read off a record (readings), and the parts of each section's claims."""

import math

import numpy as np
import pytest

from suite.analysis import declared
from suite.analysis.claims import readings


def test_readings_of_a_record_without_the_values_are_none():
  assert readings.seed({}) is None and readings.budget({}) is None
  assert readings.metric({"metrics": {"a": math.nan}}, "a") is None
  for rec in ({}, {"settings": {}}, {"settings": {"train": {}}}):
    assert readings.seed(rec) is None and readings.budget(rec) is None
  assert readings.seed({"settings": {"train": {"seed": 3, "epochs": 7}}}) == 3
  assert readings.budget({"settings": {"train": {"seed": 3, "epochs": 7}}}) == 7
  assert readings.metric({}, "a") is None and readings.metric({"metrics": {"a": 1}}, "a") == 1.0
  assert readings.epochs_to_fit({}) is None and readings.fit_bracket({}) is None
  assert readings.best_validation_entry({}) is None and readings.window_entries({}, (0, 1)) == []


def test_probe_k_reads_the_clean_bank_by_default_and_none_where_missing():
  k = declared.PRIMARY_K
  table = {"clean": {"e": {k: 0.5}}, "noisy": {"e": {k: 0.25}}}
  assert readings.probe_k(table, "e") == 0.5 and readings.probe_k(table, "e", "noisy") == 0.25
  assert readings.probe_k(table, "f") is None  # No such endpoint.
  assert readings.probe_k({"noisy": {"e": {k: 0.25}}}, "e") is None  # No clean bank.
  assert readings.probe_k(None, "e") is None


def test_the_encoder_is_the_last_endpoint_before_the_head():
  assert readings.encoder_endpoint(["block_1", "block_2", "pool", "projector_hidden",
                                    "logits"]) == "pool"
  assert readings.encoder_endpoint(["projector_hidden", "logits"]) == "logits"  # No body.
  assert readings.encoder_endpoint(["logits"]) == "logits"


def test_fit_is_reached_at_the_threshold_and_nan_evaluations_are_skipped():
  history = [{"epoch": 1, "memorization/train_fit": 0.5},
             {"epoch": 2, "memorization/train_fit": math.nan},  # A failed evaluation.
             {"epoch": 3},
             {"epoch": 4, "memorization/train_fit": 0.95},  # The threshold exactly.
             {"epoch": 5, "memorization/train_fit": 1.0}]
  rec = {"history": history}
  assert readings.epochs_to_fit(rec) == 4
  assert readings.fit_bracket(rec) == (1.0, 4.0)  # The key by default.
  assert readings.fit_bracket({"history": history[:3]}) == (1.0, math.inf)
  assert readings.fit_bracket({"history": history[1:3]}) is None  # Never evaluated.
  assert readings.fit_bracket(rec, key="other") is None
  assert readings.bracket_json((1.0, 4.0)) == [1.0, 4.0]
  assert readings.bracket_json((1.0, math.inf)) == [1.0, "never"]
  assert readings.bracket_json(None) is None


def test_window_entries_by_hand():
  history = [{"epoch": e, "x": float(e)} for e in (0, 1, 2, 3, 5, 6, 10)] + [{"x": 9.0}]
  rec = {"settings": {"train": {"epochs": 10}}, "history": history}
  # [0.5, 1.0] of 10 epochs: 5 to 10, both ends included; entries without an epoch never.
  assert [h["epoch"] for h in readings.window_entries(rec, (0.5, 1.0))] == [5, 6, 10]
  # A window shorter than an epoch still reads epoch 1 (never epoch 0).
  assert [h["epoch"] for h in readings.window_entries(rec, (0.0, 0.05))] == [1]
  assert readings.window_mean(rec, "x", (0.5, 1.0)) == pytest.approx(7.0)
  assert readings.window_mean(rec, "y", (0.5, 1.0)) is None


# --- suite.analysis.claims.benign, every number of its lines recomputed with scipy.

from scipy import stats as scipy_stats  # pylint: disable=g-import-not-at-top,wrong-import-position

from suite.analysis.claims import benign  # pylint: disable=g-import-not-at-top,wrong-import-position

K = declared.PRIMARY_K


def _holm(p):
  """Holm's step-down adjustment, written out."""
  p = np.asarray(p, float)
  order = np.argsort(p)
  out, running = np.empty(len(p)), 0.0
  for rank, i in enumerate(order):
    running = max(running, min(1.0, (len(p) - rank) * p[i]))
    out[i] = running
  return out


def _p(values, null, side):
  return scipy_stats.ttest_1samp(values, null, alternative=side).pvalue


def _interval(values):
  ci = scipy_stats.ttest_1samp(values, 0.0).confidence_interval(declared.LEVEL)
  return [ci.low, ci.high]


def _bank(endpoints, values):
  return {e: {K: v} for e, v in zip(endpoints, values)}


def _record(seed, probe=None, **metrics):
  rec = {"settings": {"train": {"seed": seed, "epochs": 10}}, "metrics": metrics,
         "history": []}
  if probe is not None:
    rec["probe"] = probe
  return rec


ENDPOINTS = ["hidden_1", "hidden_2", "projector_hidden", "logits"]
SEEDS = [0, 1, 2, 3]
# Noisy-bank k-NN per seed (rows) and endpoint: the augmented run and the random init.
AUGMENTED_NOISY = np.array([[0.12, 0.13, 0.30, 0.52], [0.11, 0.19, 0.33, 0.61],
                            [0.13, 0.12, 0.28, 0.55], [0.12, 0.18, 0.35, 0.58]])
INIT_NOISY = np.array([[0.10, 0.10, 0.10, 0.11], [0.11, 0.12, 0.10, 0.10],
                       [0.10, 0.11, 0.12, 0.10], [0.12, 0.12, 0.10, 0.12]])
AUGMENTED_CLEAN = np.array([[0.9, 0.8, 0.7, 0.6], [0.91, 0.82, 0.7, 0.58],
                            [0.89, 0.81, 0.69, 0.61], [0.9, 0.83, 0.72, 0.6]])
CLEAN_CLEAN = np.array([[0.92, 0.85, 0.8], [0.9, 0.86, 0.79], [0.93, 0.84, 0.81],
                        [0.91, 0.85, 0.8]])  # The clean-label run probed 3 endpoints.


def _last_layers_inputs(fit=0.99):
  augmented = [_record(s, {"endpoints": ENDPOINTS, "noisy": _bank(ENDPOINTS, AUGMENTED_NOISY[i]),
                           "clean": _bank(ENDPOINTS, AUGMENTED_CLEAN[i])},
                       **{"memorization/fit_corrupted": fit}) for i, s in enumerate(SEEDS)]
  clean = [_record(s, {"clean": _bank(ENDPOINTS[:3], CLEAN_CLEAN[i])})
           for i, s in enumerate(SEEDS)]
  init = [{"noisy": _bank(ENDPOINTS, INIT_NOISY[i])} for i in range(len(SEEDS))]
  return augmented, clean, init


def test_memorization_in_last_layers_every_number_by_scipy():
  augmented, clean, init = _last_layers_inputs()
  margin = 0.05
  line = benign.memorization_in_last_layers(augmented, clean, init, margin)
  diff = AUGMENTED_NOISY - INIT_NOISY
  early = diff[:, :2]
  p_tost = [max(_p(early[:, i], -margin, "greater"), _p(early[:, i], margin, "less"))
            for i in range(2)]
  p_mem = [_p(early[:, i], margin, "greater") for i in range(2)]
  tost_holm, mem_holm = _holm(p_tost), _holm(p_mem)
  alpha = (1 - declared.LEVEL) / 2
  per_layer = {}
  for i, layer in enumerate(ENDPOINTS[:2]):
    per_layer[layer] = {
        "difference": pytest.approx(early[:, i].mean()),
        "interval": pytest.approx(_interval(early[:, i])), "n": 4,
        "p_tost": pytest.approx(p_tost[i]), "p_tost_holm": pytest.approx(tost_holm[i]),
        "p_memorizes": pytest.approx(p_mem[i]), "p_memorizes_holm": pytest.approx(mem_holm[i]),
        "verdict": declared.HELD if tost_holm[i] <= alpha else declared.INCONCLUSIVE}
  assert [v["verdict"] for v in per_layer.values()] == [declared.HELD, declared.INCONCLUSIVE]
  worst = int(np.argmax(p_tost))
  assert worst == 1
  evidence = {
      "endpoints": ENDPOINTS, "early_layers": ENDPOINTS[:2], "last_layers": ENDPOINTS[2:],
      "final_layer": "logits", "margin": margin, "fit_threshold": 0.95, "seeds": SEEDS,
      f"noisy_{K}_minus_random_init": pytest.approx(diff.mean(0)),
      "holm_p_noisy_above_random_init": pytest.approx(
          _holm([_p(diff[:, e], 0.0, "greater") for e in range(4)])),
      "clean_layers": ENDPOINTS[:3],
      f"clean_{K}_minus_clean_run": pytest.approx((AUGMENTED_CLEAN[:, :3] - CLEAN_CLEAN).mean(0)),
      "early_layer_equivalence": per_layer}
  test = {
      "statistic": (f"noisy-bank {K} at hidden_2 (of the 2 early layers, the nearest to "
                    "failing), augmented run minus random init with the same noisy labels, "
                    "within +-0.05"),
      "value": pytest.approx(early[:, 1].mean()), "null": 0.05,
      "interval": pytest.approx(_interval(early[:, 1])), "n": 4,
      "method": ("95% t interval over seeds, paired by seed; two one-sided t tests (TOST) at "
                 "every early layer, Holm across the 2 early layers (all must be equivalent); "
                 "contradicted when some early layer exceeds +0.05 (Holm)"),
      "p": pytest.approx(p_tost[1]), "p_holm": pytest.approx(tost_holm[1]),
      "also": {"statistic": (f"noisy-bank {K} at logits, augmented run minus random init "
                             "with the same noisy labels"),
               "value": pytest.approx(diff[:, 3].mean()), "null": 0.0,
               "interval": pytest.approx(_interval(diff[:, 3])), "n": 4,
               "method": "95% t interval over seeds, paired by seed",
               "p": pytest.approx(_p(diff[:, 3], 0.0, "greater"))}}
  assert line == {"claim": line["claim"], "source": declared.BENIGN,
                  "verdict": declared.INCONCLUSIVE, "evidence": evidence, "test": test}
  assert line["claim"] == (
      "memorization happens in the last layers: with augmentation, noisy-label k-NN of every "
      "layer before the last ones stays within the margin of the random-init network's, and "
      "rises above it at the last layer")


def test_memorization_in_last_layers_declared_layers_and_refusals():
  augmented, clean, init = _last_layers_inputs()
  # Declared last layers: only `logits`; every endpoint before it is early.
  line = benign.memorization_in_last_layers(augmented, None, init, last_layers=["logits"])
  assert line["evidence"]["early_layers"] == ENDPOINTS[:3]
  assert line["evidence"]["final_layer"] == "logits" and "clean_layers" not in line["evidence"]
  assert line["verdict"] == declared.CONTRADICTED  # projector_hidden memorizes (Holm).
  assert line["evidence"]["early_layer_equivalence"]["projector_hidden"]["verdict"] == (
      declared.CONTRADICTED)
  reasons = {
      "absent": benign.memorization_in_last_layers(augmented, clean, init,
                                                   last_layers=["pool"]),
      "none_early": benign.memorization_in_last_layers(augmented, clean, init,
                                                       last_layers=["hidden_1"]),
      "no_init": benign.memorization_in_last_layers(augmented, clean, init[:3]),
      "unfitted": benign.memorization_in_last_layers(*_last_layers_inputs(fit=0.5)),
  }
  assert reasons["absent"]["reason"] == (
      "the declared last layers ['pool'] are not probed (noisy bank) in every seed, augmented "
      "and random init")
  assert reasons["none_early"]["reason"] == (
      "no endpoint before the declared last layers ['hidden_1']")
  assert reasons["no_init"]["reason"] == (
      "needs the random-init control probed with the noisy labels, per seed")
  assert reasons["unfitted"]["reason"].startswith("the noise was not memorized: random_augmented")
  claim = benign.memorization_in_last_layers(augmented, clean, init)["claim"]
  for line in reasons.values():
    assert line["verdict"] == declared.NOT_TESTABLE and line["source"] == declared.BENIGN
    assert line["claim"] == claim
  assert reasons["unfitted"]["evidence"]["margin"] == declared.LAYER_MARGIN
  assert reasons["none_early"]["evidence"]["last_layers"] == ["hidden_1"]
  assert reasons["absent"]["evidence"] == {}
  no_probe = [dict(r, probe={"clean": {}}) for r in augmented]
  assert benign.memorization_in_last_layers(no_probe, clean, init) == {
      "claim": claim, "source": declared.BENIGN, "verdict": declared.NOT_TESTABLE,
      "evidence": {}, "reason": ("needs probes of the augmented random-label run (and of the "
                                 "clean-label run when given)")}
  bare_init = [{"noisy": {}} for _ in init]
  assert benign.memorization_in_last_layers(augmented, clean, bare_init)["reason"] == (
      "no endpoint has a noisy-bank probe in every seed, augmented and random init")
  assert benign.memorization_in_last_layers(augmented, clean[:3], init)["reason"] == (
      "the conditions ran for different seeds")  # The clean runs are paired too.
  holes = [dict(t) for t in init]
  holes[2] = {"noisy": dict(init[2]["noisy"], hidden_2={K: None})}
  missing = benign.memorization_in_last_layers(augmented, clean, holes)
  assert missing["reason"] == f"seed 2 has no noisy-bank {K} at hidden_2 (augmented or random init)"
  assert missing["evidence"]["early_layers"] == ["hidden_1", "hidden_2"]


# --- suite.analysis.claims.fitting_order and malign: whole lines recomputed.

from suite import constants  # pylint: disable=g-import-not-at-top,wrong-import-position
from suite.analysis import stats  # pylint: disable=g-import-not-at-top,wrong-import-position
from suite.analysis.claims import fitting_order  # pylint: disable=g-import-not-at-top,wrong-import-position
from suite.analysis.claims import malign  # pylint: disable=g-import-not-at-top,wrong-import-position


def _fitting_run(seed, fitted_at: dict, budget=12):
  """A record whose metrics (keys of `fitted_at`) reach 1.0 at the given epoch (never:
  None), 0.5 before."""
  history = [{"epoch": e, **{key: (1.0 if at is not None and e >= at else 0.5)
                             for key, at in fitted_at.items()}} for e in range(budget + 1)]
  return {"settings": {"train": {"seed": seed, "epochs": budget}}, "metrics": {},
          "history": history}


def _t_line(values, statistic, method):
  return {"statistic": statistic, "value": pytest.approx(np.mean(values)), "null": 0.0,
          "interval": pytest.approx(_interval(values)), "n": len(values),
          "method": f"95% t interval over seeds, {method}",
          "p": pytest.approx(_p(values, 0.0, "greater"))}


def test_real_data_fitted_before_noise_censors_a_noise_run_never_fitted_at_the_budget():
  key = "memorization/train_fit"
  real = [_fitting_run(s, {key: at}) for s, at in zip(range(4), (2, 3, 2, 4))]
  noise = [_fitting_run(s, {key: at}) for s, at in zip(range(4), (7, None, 6, 9))]
  line = fitting_order.real_data_fitted_before_noise(real, noise)
  differences = [7 - 2, 12 - 3, 6 - 2, 9 - 4]  # Seed 1's noise censored at 12 epochs.
  assert line == {
      "claim": "real data is fitted before noise (fewer epochs to reach the fit threshold)",
      "source": declared.ARPIT, "verdict": declared.HELD,
      "evidence": {"threshold": constants.FIT_THRESHOLD, "epochs_real": [2, 3, 2, 4],
                   "epochs_noise": [7, None, 6, 9], "budget": 12, "seeds": [0, 1, 2, 3]},
      "test": _t_line(differences, "epochs to fit noise minus real",
                      "paired by seed; noise never fitted censored at the budget")}
  never = [_fitting_run(s, {key: None if s == 2 else 3}) for s in range(4)]
  unfit = fitting_order.real_data_fitted_before_noise(never, noise)
  assert unfit["verdict"] == declared.NOT_TESTABLE and unfit["claim"] == line["claim"]
  assert unfit["reason"] == "real never reached 0.95 in some seed"
  assert unfit["evidence"]["epochs_real"] == [3, 3, None, 3]
  assert fitting_order.real_data_fitted_before_noise(real, noise[:3]) == {
      "claim": line["claim"], "source": declared.ARPIT, "verdict": declared.NOT_TESTABLE,
      "evidence": {}, "reason": "the conditions ran for different seeds"}


def test_clean_fitted_before_corrupted_within_runs():
  records = [_fitting_run(s, {"memorization/fit_clean": c, "memorization/fit_corrupted": n})
             for s, c, n in zip(range(3), (2, 2, 3), (5, 4, 4))]
  line = fitting_order.clean_fitted_before_corrupted(records)
  assert line["claim"] == (
      "real data is fitted before noise (clean examples reach the fit threshold first)")
  assert line["evidence"] == {"threshold": constants.FIT_THRESHOLD, "epochs_clean": [2, 2, 3],
                              "epochs_corrupted": [5, 4, 4], "budget": 12, "seeds": [0, 1, 2]}
  assert line["test"] == _t_line([3, 2, 1], "epochs to fit corrupted minus clean",
                                 "paired by seed; corrupted never fitted censored at the budget")
  assert fitting_order.clean_fitted_before_corrupted(records[:2]) == {
      "claim": line["claim"], "source": declared.ARPIT, "verdict": declared.NOT_TESTABLE,
      "evidence": {}, "reason": "2 seed(s); a claim needs at least 3 (the unit is the run)"}


def _view_fit_run(seed, fit, epochs=10):
  return {"settings": {"train": {"seed": seed, "epochs": epochs}},
          "metrics": {} if fit is None else {"memorization/view_fit": fit}, "history": []}


def test_per_view_fit_falls_with_views_against_scipy_spearman():
  fits = {2: [0.9, 0.95, 0.92, 0.91], 4: [0.7, 0.8, 0.75, 0.72], 8: [0.5, 0.45, 0.6, 0.52],
          16: [0.3, 0.35, 0.28, 0.4]}
  sweep = {n: [_view_fit_run(s, f) for s, f in enumerate(row)] for n, row in fits.items()}
  line = malign.per_view_fit_falls_with_views(sweep, permutations=200)
  outcomes = np.array([fits[n] for n in sorted(fits)]).T
  per_seed = [scipy_stats.spearmanr([2, 4, 8, 16], row).statistic for row in outcomes]
  reference = stats.page_trend(outcomes, 200)  # Its null: suite.analysis.stats' tests.
  assert per_seed == pytest.approx([-1.0] * 4)
  assert line["verdict"] == declared.HELD and line["source"] == declared.BENIGN
  assert line["claim"] == "per-view label fit falls as the pool size n grows"
  assert line["evidence"] == {"num_views": [2, 4, 8, 16], "per_view_fit": [fits[n] for n in
                                                                        sorted(fits)],
                              "epochs": 10, "spearman_per_seed": pytest.approx(per_seed)}
  assert line["test"] == {
      "statistic": "mean within-seed Spearman(n, per-view fit)", "value": pytest.approx(-1.0),
      "null": pytest.approx(reference["null"]), "interval": pytest.approx(reference["interval"]),
      "n": 4, "method": ("95% range of the permutation null (each seed's outcomes permuted "
                         "across pool sizes, 200 draws; Page's test)"),
      "p_less": pytest.approx(1 / 201), "p_greater": pytest.approx(1.0)}
  rising = {n: [_view_fit_run(s, 1 - f) for s, f in enumerate(row)] for n, row in fits.items()}
  assert malign.per_view_fit_falls_with_views(rising, 200)["verdict"] == declared.CONTRADICTED


def test_per_view_fit_not_testable_reasons():
  run = lambda n, fit=0.5: [_view_fit_run(s, fit) for s in range(4)]
  assert malign.per_view_fit_falls_with_views({})["reason"] == "an empty sweep"
  assert malign.per_view_fit_falls_with_views({})["evidence"] == {
      "num_views": [], "per_view_fit": [], "epochs": None}
  two = malign.per_view_fit_falls_with_views({2: run(2), 4: run(4)})
  assert two["reason"] == "2 pool sizes; a trend needs at least 3"
  missing = malign.per_view_fit_falls_with_views({2: run(2), 4: run(4), 8: run(8, None)})
  assert missing["reason"] == "needs the view fit of every run"
  # 3 points x 2 seeds: at best p = (1/3!)**2 = 1/36 > 0.025.
  few = {n: [_view_fit_run(s, 1 / n) for s in range(3)][:3] for n in (2, 4, 8)}
  few_line = malign.per_view_fit_falls_with_views(few, 200)
  assert few_line["verdict"] != declared.NOT_TESTABLE  # 3 seeds: (1/6)**3 < 0.025.
  for line in (two, missing):
    assert line["verdict"] == declared.NOT_TESTABLE and line["source"] == declared.BENIGN


# --- suite.analysis.claims.difficulty: the line around example_difficulty.difficulty_test.

from suite.analysis import example_difficulty  # pylint: disable=g-import-not-at-top,wrong-import-position
from suite.analysis.claims import difficulty  # pylint: disable=g-import-not-at-top,wrong-import-position


def test_difficulty_line_reports_the_test_and_its_words():
  generator = np.random.default_rng(1)
  hard = generator.random(120) < 0.4
  real = np.stack([hard ^ (generator.random(120) < 0.05) for _ in range(4)])
  noise = generator.random((4, 90)) < 0.8
  real_labels, noise_labels = generator.integers(0, 5, 120), generator.integers(0, 5, 90)
  line = difficulty.easy_examples_consistent_on_real_data(
      real, real_labels, noise, noise_labels, epoch=2, view="separate runs",
      permutations=60, seed=3)
  result = example_difficulty.difficulty_test(real, real_labels, noise, noise_labels, 60, 3)
  assert line["verdict"] == declared.HELD and line["source"] == declared.ARPIT
  assert line["claim"] == (
      "real data has a consistent set of easy examples and noise does not (per-example error "
      "after epoch 2 more dispersed across runs on real data)")
  expected_evidence = {"epoch": 2, "view": "separate runs", "runs": 4, "real_examples": 120,
                       "noise_examples": 90}
  expected_evidence.update({k: v for k, v in result.items() if k not in ("value", "interval")})
  assert line["evidence"] == pytest.approx(expected_evidence)
  assert line["test"] == {
      "statistic": ("latent correlation of errors between runs (0 = which examples are wrong "
                    "is chance, 1 = the same examples always wrong; the same at any error "
                    "rate), real minus noise"),
      "value": pytest.approx(result["value"]), "null": 0.0,
      "interval": pytest.approx(result["interval"]), "n": 4,
      "method": ("95% t interval (3 df) from a jackknife over runs plus a jackknife over "
                 f"{declared.EXAMPLE_GROUPS} groups of examples; held also needs real data "
                 "above its within-run permutation null stratified by label (60 permutations, "
                 f"p_real <= {(1 - declared.LEVEL) / 2})"),
      "p_real": pytest.approx(result["p_real"])}
  # Swapped, noise is the consistent set: the difference lies below 0.
  swapped = difficulty.easy_examples_consistent_on_real_data(noise, noise_labels, real,
                                                             real_labels, permutations=60)
  assert swapped["verdict"] == declared.CONTRADICTED
  assert swapped["claim"].endswith("after epoch 1 more dispersed across runs on real data)")
  assert swapped["evidence"]["view"] == "within-run clean vs corrupted"
  by_seed_0 = example_difficulty.difficulty_test(noise, noise_labels, real, real_labels, 60, 0)
  assert swapped["evidence"]["null_permutation_mean"] == pytest.approx(  # Seed 0 by default.
      by_seed_0["null_permutation_mean"])



def test_difficulty_not_testable_reasons():
  ok = np.zeros((3, 5), bool)
  ok[:, 0] = True
  reasons = {
      "few": difficulty.easy_examples_consistent_on_real_data(ok[:2], np.zeros(5), ok[:2],
                                                              np.zeros(5)),
      "unpaired": difficulty.easy_examples_consistent_on_real_data(ok, np.zeros(5), ok[:2],
                                                                   np.zeros(5)),
      "flat": difficulty.easy_examples_consistent_on_real_data(ok, np.zeros(5), ok[:, :5],
                                                               np.zeros(5)),
      "one_example": difficulty.easy_examples_consistent_on_real_data(
          ok[:, :1], np.zeros(1), ok, np.zeros(5)),
      "vector": difficulty.easy_examples_consistent_on_real_data(ok[0], np.zeros(5), ok,
                                                                 np.zeros(5)),
  }
  assert reasons["few"]["reason"] == "2 run(s); needs at least 3 of each, paired"
  assert reasons["unpaired"]["reason"] == "3 run(s); needs at least 3 of each, paired"
  assert reasons["vector"]["reason"] == "0 run(s); needs at least 3 of each, paired"
  assert reasons["one_example"]["reason"] == "needs real and noise examples"
  assert reasons["flat"]["reason"] == ("no label stratum where two runs both get some examples "
                                       "right and some wrong: no latent correlation")
  assert reasons["unpaired"]["evidence"] == {"epoch": 1, "view": "within-run clean vs corrupted",
                                             "runs": 3, "real_examples": 5, "noise_examples": 5}
  assert reasons["vector"]["evidence"]["real_examples"] == 0
  assert reasons["one_example"]["evidence"]["real_examples"] == 1
  claim = reasons["few"]["claim"]
  assert claim.startswith("real data has a consistent set of easy examples")
  for line in reasons.values():
    assert line["verdict"] == declared.NOT_TESTABLE and line["claim"] == claim
  assert reasons["flat"]["evidence"]["runs"] == 3
  vector_noise = difficulty.easy_examples_consistent_on_real_data(ok, np.zeros(5), ok[0],
                                                                  np.zeros(5))
  assert vector_noise["evidence"]["noise_examples"] == 0
  # Two examples are enough to go on (here to no latent correlation).
  two = difficulty.easy_examples_consistent_on_real_data(ok[:, :2], np.zeros(2), ok[:, :2],
                                                         np.zeros(2))
  assert two["reason"].startswith("no label stratum")


def _survive_inputs(fit=0.99):
  plain_clean = AUGMENTED_CLEAN - np.array([[0.1, 0.12, 0.2, 0.1], [0.08, 0.1, 0.18, 0.12],
                                            [0.11, 0.1, 0.22, 0.09], [0.1, 0.13, 0.17, 0.1]])
  init = [{"clean": _bank(ENDPOINTS, [0.3, 0.5 + 0.01 * i, 0.35, 0.2])} for i in range(4)]
  augmented = [_record(s, {"endpoints": ENDPOINTS, "clean": _bank(ENDPOINTS, AUGMENTED_CLEAN[i])},
                       **{"memorization/fit_corrupted": fit}) for i, s in enumerate(SEEDS)]
  plain = [_record(s, {"clean": _bank(ENDPOINTS, plain_clean[i])},
                   **{"memorization/fit_corrupted": 0.99}) for i, s in enumerate(SEEDS)]
  return augmented, plain, init, plain_clean


def test_features_survive_with_augmentation_every_number_by_scipy():
  augmented, plain, init, plain_clean = _survive_inputs()
  line = benign.features_survive_with_augmentation(augmented, plain, init)
  vs_plain = AUGMENTED_CLEAN - plain_clean
  vs_init = AUGMENTED_CLEAN[:, 1] - np.array([0.5, 0.51, 0.52, 0.53])  # The encoder output.
  assert line == {
      "claim": ("features survive random labels with augmentation: encoder-output k-NN above "
                "the run without augmentation and above random initialisation"),
      "source": declared.BENIGN, "verdict": declared.HELD,
      "evidence": {
          # The encoder output: the last endpoint before the head.
          "layer": "hidden_2",
          "seeds": SEEDS, f"{K}_with_augmentation": pytest.approx(AUGMENTED_CLEAN[:, 1]),
          f"{K}_without": pytest.approx(plain_clean[:, 1]),
          f"{K}_random_init": pytest.approx([0.5, 0.51, 0.52, 0.53]),
          "endpoints": ENDPOINTS, "fit_threshold": 0.95,
          "holm_p_by_layer_vs_plain": pytest.approx(
              _holm([_p(vs_plain[:, e], 0.0, "greater") for e in range(4)]))},
      "test": dict(_t_line(vs_plain[:, 1], f"clean-bank {K} at hidden_2, augmented minus plain",
                           "paired by seed"),
                   also=_t_line(vs_init, "augmented minus random init", "paired by seed"))}


def test_features_survive_refusals_and_the_intersection():
  augmented, plain, init, _ = _survive_inputs()
  unfitted = benign.features_survive_with_augmentation(*_survive_inputs(fit=0.5)[:3])
  assert unfitted["reason"] == ("the noise was not memorized: random_augmented "
                                "memorization/fit_corrupted 0.500 < 0.95 (the gate) in some seed")
  assert unfitted["evidence"]["layer"] == "hidden_2" and unfitted["source"] == declared.BENIGN
  no_init = benign.features_survive_with_augmentation(augmented, plain, init[:3])
  assert no_init["reason"] == "needs probes of both runs and the random-init control per seed"
  assert no_init["evidence"] == {}
  unpaired = benign.features_survive_with_augmentation(augmented, plain[:3], init)
  assert unpaired["reason"] == "the conditions ran for different seeds"
  no_bank = [dict(r, probe={"noisy": {}}) for r in plain]
  assert benign.features_survive_with_augmentation(augmented, no_bank, init)["reason"] == (
      "no endpoint has a clean-bank probe in every seed of both runs")
  holes = [dict(t) for t in init]
  holes[1] = {"clean": {}}
  missing = benign.features_survive_with_augmentation(augmented, plain, holes)
  assert missing["reason"] == f"seed 1 has no clean-bank {K} at hidden_2 (augmented, plain or random init)"
  assert missing["evidence"] == {"layer": "hidden_2"}
  claim = benign.features_survive_with_augmentation(augmented, plain, init)["claim"]
  for line in (unfitted, no_init, unpaired, missing):
    assert line["verdict"] == declared.NOT_TESTABLE and line["source"] == declared.BENIGN
    assert line["claim"] == claim
  assert benign.features_survive_with_augmentation(augmented, no_bank, init) == {
      "claim": claim, "source": declared.BENIGN, "verdict": declared.NOT_TESTABLE,
      "evidence": {}, "reason": "no endpoint has a clean-bank probe in every seed of both runs"}
  assert unpaired["evidence"] == {}
  plain_unfitted = [dict(r, metrics={"memorization/fit_corrupted": 0.2}) for r in plain]
  assert benign.features_survive_with_augmentation(augmented, plain_unfitted, init)[
      "reason"].startswith("the noise was not memorized: random_plain ")
  # Above the plain run but not above random init: not held.
  high_init = [{"clean": _bank(ENDPOINTS, [0.3, 0.95, 0.35, 0.2])} for _ in range(4)]
  assert benign.features_survive_with_augmentation(augmented, plain, high_init)["verdict"] == (
      declared.CONTRADICTED)


def test_per_view_labels_not_fitted_against_the_threshold():
  views = [_record(s, **{"memorization/view_fit": f}) for s, f in zip(SEEDS, (0.3, 0.4, 0.35, 0.5))]
  examples = [_record(s, **{"memorization/view_fit": 0.99, "memorization/fit_corrupted": 0.5})
              for s in SEEDS]
  line = benign.per_view_labels_not_fitted(views, examples)
  fits = [0.3, 0.4, 0.35, 0.5]
  assert line == {
      "claim": "per-view labels cannot be fitted within the budget that fits per-example labels",
      "source": declared.BENIGN, "verdict": declared.HELD,
      "evidence": {"per_view_fit": fits, "per_example_fit": [0.99] * 4, "threshold": 0.95,
                   "epochs": 10},
      "test": {"statistic": "per-view label fit", "value": pytest.approx(np.mean(fits)),
               "null": 0.95, "interval": pytest.approx(_interval(fits)), "n": 4,
               "method": "95% t interval over seeds, one sample against the threshold",
               "p": pytest.approx(_p(fits, 0.95, "less"))}}
  # Without its view fit, the per-example run's fit of its corrupted labels is read.
  fallback = [_record(s, **{"memorization/fit_corrupted": 0.97}) for s in SEEDS]
  assert benign.per_view_labels_not_fitted(views, fallback)["evidence"]["per_example_fit"] == (
      [0.97] * 4)
  unfitted = benign.per_view_labels_not_fitted(
      views, [_record(s, **{"memorization/view_fit": 0.9}) for s in SEEDS])
  assert unfitted["reason"] == ("the noise was not memorized: per-example memorization/view_fit "
                                "0.900 < 0.95 (the gate) in some seed")
  assert unfitted["evidence"]["per_view_fit"] == fits
  missing = benign.per_view_labels_not_fitted(views[:3] + [_record(3)], examples)
  assert missing["reason"] == "needs the view fit of both runs" and missing["evidence"] == {}
  assert benign.per_view_labels_not_fitted(views, examples[:3])["reason"] == (
      "the conditions ran for different seeds")
  unpaired = benign.per_view_labels_not_fitted(views, examples[:3])
  for bad in (unfitted, missing, unpaired):
    assert bad["verdict"] == declared.NOT_TESTABLE and bad["source"] == declared.BENIGN
    assert bad["claim"] == line["claim"]
  assert unpaired["evidence"] == {}


# --- suite.analysis.claims.sensitivity: whole lines recomputed with NumPy and scipy.

from suite.analysis.claims import sensitivity  # pylint: disable=g-import-not-at-top,wrong-import-position


def _gini_run(seed, gaps, epochs=8):
  """Gini(clean) = 0.5 + gap, Gini(corrupted) = 0.5 at epochs 1, 2, ... (gap None: none)."""
  history = [{"epoch": 0, "sensitivity/gini_clean": 9.0, "sensitivity/gini_corrupted": 0.0}]
  history += [{"epoch": e + 1, "sensitivity/gini_clean": 0.5 + g,
               "sensitivity/gini_corrupted": 0.5} for e, g in enumerate(gaps) if g is not None]
  return {"settings": {"train": {"seed": seed, "epochs": epochs}}, "metrics": {},
          "history": history}


def test_sensitivity_more_concentrated_by_hand():
  gaps = [[0.1, 0.2, 0.9], [0.15, 0.05, 0.9], [0.3, 0.1, 0.9], [0.2, np.nan, 0.9]]
  records = [_gini_run(s, g) for s, g in enumerate(gaps)]
  line = sensitivity.sensitivity_more_concentrated_on_real_data(records, window=(0.0, 0.25))
  # A quarter of 8 epochs: epochs 1 and 2 (epoch 0 and 3 outside).
  per_seed = [0.15, 0.1, 0.2, np.nan]
  assert line["claim"] == ("loss sensitivity is more concentrated (higher Gini) on real data "
                           "than on noise")
  assert line["source"] == declared.ARPIT and line["verdict"] == declared.HELD
  evidence = line["evidence"]
  assert evidence["window"] == [0.0, 0.25] and evidence["seeds"] == [0, 1, 2, 3]
  np.testing.assert_allclose(evidence["per_seed_difference"], per_seed)
  assert evidence["dropped_seeds"] == [
      {"seed": 3, "reason": "NaN in the Gini coefficients in the window"}]
  assert line["test"] == _t_line(per_seed[:3], "Gini(clean) - Gini(corrupted), mean over the "
                                 "window", "one value per seed; 1 seed(s) left out (NaN)")
  full = sensitivity.sensitivity_more_concentrated_on_real_data(records[:3])
  assert full["test"]["method"] == "95% t interval over seeds, one value per seed"
  assert full["evidence"]["window"] == list(declared.GINI_WINDOW)
  few = sensitivity.sensitivity_more_concentrated_on_real_data(
      [_gini_run(s, [np.nan, 0.1]) for s in range(2)] + [_gini_run(s, [0.1]) for s in (2, 3)])
  assert few["reason"] == "2 seed(s) with numbers; a claim needs at least 3"
  assert few["verdict"] == declared.NOT_TESTABLE
  empty = sensitivity.sensitivity_more_concentrated_on_real_data(
      [_gini_run(s, [None, None, 0.1]) for s in range(3)])
  assert empty["reason"] == ("no loss-sensitivity evaluation of clean and corrupted examples "
                             "in the window")
  assert empty["evidence"] == {"window": list(declared.GINI_WINDOW)}
  assert sensitivity.sensitivity_more_concentrated_on_real_data(records[:2])["reason"] == (
      "2 seed(s); a claim needs at least 3 (the unit is the run)")


def _csr_run(seed, noisy, clean, epochs=(1, 2, 3, 4, 5)):
  history = [{"epoch": e, "csr/corrupted": n, "csr/clean": c}
             for e, n, c in zip(epochs, noisy, clean)]
  return {"settings": {"train": {"seed": seed, "epochs": 10}}, "metrics": {},
          "history": history + [{"epoch": 6, "csr/clean": 0.5}]}  # Unpaired: left out.


def test_csr_grows_more_on_noise_against_polyfit():
  noisy = [[0.1, 0.2, 0.25, 0.4, 0.5], [0.1, 0.15, 0.3, 0.35, 0.45], [0.05, 0.2, 0.3, 0.3, 0.5],
           [0.1, np.nan, 0.3, 0.3, 0.4]]
  clean = [[0.1, 0.12, 0.1, 0.15, 0.14], [0.1, 0.1, 0.12, 0.11, 0.1], [0.08, 0.1, 0.1, 0.12, 0.1],
           [0.1, 0.1, 0.1, 0.1, 0.1]]
  line = sensitivity.csr_grows_more_on_noise([_csr_run(s, n, c) for s, (n, c) in
                                              enumerate(zip(noisy, clean))])
  rise = lambda y: np.polyfit([1, 2, 3, 4, 5], y, 1)[0] * 4
  gaps = [rise(np.subtract(n, c)) for n, c in zip(noisy[:3], clean[:3])]
  growth = [rise(n) for n in noisy[:3]]
  assert line["claim"] == ("the critical sample ratio grows more on noise than on real data "
                           "during training")
  assert line["verdict"] == declared.HELD and line["source"] == declared.ARPIT
  np.testing.assert_allclose(line["evidence"]["rise_gap_per_seed"][:3], gaps)
  np.testing.assert_allclose(line["evidence"]["rise_corrupted_per_seed"][:3], growth)
  assert line["evidence"]["seeds"] == [0, 1, 2, 3]
  assert line["evidence"]["dropped_seeds"] == [{"seed": 3, "reason": "NaN in the CSR series"}]
  method = "one least-squares rise per seed; 1 seed(s) left out (NaN)"
  assert line["test"] == dict(
      _t_line(gaps, "rise over training of CSR corrupted - CSR clean (least-squares line, "
              "first to last evaluation)", method),
      also=_t_line(growth, "rise over training of CSR corrupted", method))
  short = sensitivity.csr_grows_more_on_noise([_csr_run(s, [0.1] * 2, [0.1] * 2, (1, 2))
                                               for s in range(3)])
  assert short["reason"] == (f"2 CSR evaluations in a seed; a trend needs "
                             f"{declared.MIN_TREND_POINTS}")
  assert short["evidence"] == {"evaluations": 2} and short["verdict"] == declared.NOT_TESTABLE
  nan = [_csr_run(s, [np.nan] + [0.1] * 4, [0.1] * 5) for s in range(2)]
  few = sensitivity.csr_grows_more_on_noise(nan + [_csr_run(2, [0.1] * 5, [0.1] * 5)])
  assert few["reason"] == ("1 seed(s) with a CSR series free of NaN; a claim needs at least 3")
  assert sensitivity.csr_grows_more_on_noise(nan)["reason"] == (
      "2 seed(s); a claim needs at least 3 (the unit is the run)")


def test_sensitivity_refusals_are_whole_lines():
  gini_claim = ("loss sensitivity is more concentrated (higher Gini) on real data than on "
                "noise")
  csr_claim = "the critical sample ratio grows more on noise than on real data during training"
  refuse = lambda claim, evidence, reason: {"claim": claim, "source": declared.ARPIT,
                                            "verdict": declared.NOT_TESTABLE,
                                            "evidence": evidence, "reason": reason}
  two = [_gini_run(s, [0.1]) for s in range(2)]
  assert sensitivity.sensitivity_more_concentrated_on_real_data(two) == refuse(
      gini_claim, {}, "2 seed(s); a claim needs at least 3 (the unit is the run)")
  # Evaluations of only one of the two Gini coefficients do not count.
  half = [_gini_run(s, [0.1]) for s in range(3)]
  for rec in half:
    del rec["history"][1]["sensitivity/gini_corrupted"]
  assert sensitivity.sensitivity_more_concentrated_on_real_data(half) == refuse(
      gini_claim, {"window": list(declared.GINI_WINDOW)},
      "no loss-sensitivity evaluation of clean and corrupted examples in the window")
  nan = [_gini_run(s, [np.nan]) for s in range(2)] + [_gini_run(2, [0.1])]
  line = sensitivity.sensitivity_more_concentrated_on_real_data(nan)
  assert line["claim"] == gini_claim and line["evidence"]["seeds"] == [0, 1, 2]
  assert sensitivity.csr_grows_more_on_noise(two) == refuse(
      csr_claim, {}, "2 seed(s); a claim needs at least 3 (the unit is the run)")
  no_history = [{"settings": {"train": {"seed": s, "epochs": 10}}} for s in range(3)]
  assert sensitivity.csr_grows_more_on_noise(no_history) == refuse(
      csr_claim, {"evaluations": 0}, "0 CSR evaluations in a seed; a trend needs 5")
  nan_csr = [_csr_run(s, [np.nan] + [0.1] * 4, [0.1] * 5) for s in range(2)]
  few = sensitivity.csr_grows_more_on_noise(nan_csr + [_csr_run(2, [0.1] * 5, [0.1] * 5)])
  assert few["claim"] == csr_claim and few["evidence"]["seeds"] == [0, 1, 2]
  rising = [_csr_run(s, [0.1, 0.2, 0.3, 0.4, 0.5 + 0.01 * s], [0.1] * 5) for s in range(3)]
  assert sensitivity.csr_grows_more_on_noise(rising)["test"]["method"] == (
      "95% t interval over seeds, one least-squares rise per seed")


def test_per_view_fit_refusals_are_whole_lines():
  run = lambda fit=0.5: [_view_fit_run(s, fit) for s in range(4)]
  claim = "per-view label fit falls as the pool size n grows"
  refuse = lambda evidence, reason: {"claim": claim, "source": declared.BENIGN,
                                     "verdict": declared.NOT_TESTABLE, "evidence": evidence,
                                     "reason": reason}
  unpaired = {2: run(), 4: run()[:3]}
  assert malign.per_view_fit_falls_with_views(unpaired) == refuse(
      {"num_views": [2, 4], "per_view_fit": [[0.5] * 4, [0.5] * 3], "epochs": 10},
      "the conditions ran for different seeds")
  assert malign.per_view_fit_falls_with_views({2: run(), 4: run()}) == refuse(
      {"num_views": [2, 4], "per_view_fit": [[0.5] * 4] * 2, "epochs": 10},
      "2 pool sizes; a trend needs at least 3")
  assert malign.per_view_fit_falls_with_views({2: run(), 4: run(), 8: run(None)}) == refuse(
      {"num_views": [2, 4, 8], "per_view_fit": [[0.5] * 4] * 2 + [[None] * 4], "epochs": 10},
      "needs the view fit of every run")
