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
"""The benign, malign and difficulty claims at their edges: endpoint order and missing
banks, NaN readings, declared layers, the fit gate, and verdicts exactly at the level
(suite.analysis.claims.benign, .malign and .difficulty)."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite.analysis import declared
from suite.analysis import example_difficulty
from suite.analysis import stats
from suite.analysis.claims import benign
from suite.analysis.claims import difficulty
from suite.analysis.claims import malign

K = declared.PRIMARY_K
ALPHA = declared.ALPHA_SIDE
ENDPOINTS = ["hidden_1", "hidden_2", "projector_hidden", "logits"]
SEEDS = [0, 1, 2, 3]
AUGMENTED_NOISY = np.array([[0.12, 0.13, 0.30, 0.52], [0.11, 0.19, 0.33, 0.61],
                            [0.13, 0.12, 0.28, 0.55], [0.12, 0.18, 0.35, 0.58]])
INIT_NOISY = np.array([[0.10, 0.10, 0.10, 0.11], [0.11, 0.12, 0.10, 0.10],
                       [0.10, 0.11, 0.12, 0.10], [0.12, 0.12, 0.10, 0.12]])
AUGMENTED_CLEAN = np.array([[0.9, 0.8, 0.7, 0.6], [0.91, 0.82, 0.7, 0.58],
                            [0.89, 0.81, 0.69, 0.61], [0.9, 0.83, 0.72, 0.6]])
CLEAN_CLEAN = np.array([[0.92, 0.85, 0.8], [0.9, 0.86, 0.79], [0.93, 0.84, 0.81],
                        [0.91, 0.85, 0.8]])
LAST_CLAIM = ("memorization happens in the last layers: with augmentation, noisy-label k-NN of "
              "every layer before the last ones stays within the margin of the random-init "
              "network's, and rises above it at the last layer")
SURVIVE_CLAIM = ("features survive random labels with augmentation: encoder-output k-NN above "
                 "the run without augmentation and above random initialisation")


def _bank(endpoints, values):
  return {e: {K: v} for e, v in zip(endpoints, values)}


def _record(seed, probe=None, **metrics):
  rec = {"settings": {"train": {"seed": seed, "epochs": 10}}, "metrics": metrics,
         "history": []}
  if probe is not None:
    rec["probe"] = probe
  return rec


def _p(values, null, side):
  return scipy_stats.ttest_1samp(values, null, alternative=side).pvalue


def _interval(values):
  ci = scipy_stats.ttest_1samp(values, 0.0).confidence_interval(declared.LEVEL)
  return [ci.low, ci.high]


def _refusal(claim, evidence, reason, source=declared.BENIGN):
  line = {"claim": claim, "verdict": declared.NOT_TESTABLE, "evidence": evidence,
          "reason": reason}
  if source is not None:
    line["source"] = source
  return line


def _inputs(endpoints=ENDPOINTS, noisy=AUGMENTED_NOISY, init_noisy=INIT_NOISY, fit=0.99):
  augmented = [_record(s, {"endpoints": list(endpoints),
                           "noisy": _bank(endpoints, noisy[i]),
                           "clean": _bank(endpoints, AUGMENTED_CLEAN[i])},
                       **{"memorization/fit_corrupted": fit}) for i, s in enumerate(SEEDS)]
  clean = [_record(s, {"clean": _bank(ENDPOINTS[:3], CLEAN_CLEAN[i])})
           for i, s in enumerate(SEEDS)]
  init = [{"noisy": _bank(endpoints, init_noisy[i])} for i in range(len(SEEDS))]
  return augmented, clean, init


def _evidence_head(endpoints, early, last, final, margin=declared.LAYER_MARGIN):
  return {"endpoints": endpoints, "early_layers": early, "last_layers": last,
          "final_layer": final, "margin": margin, "fit_threshold": 0.95, "seeds": SEEDS}


# --- benign._common_endpoints through the claims: order and missing banks.


def test_endpoint_order_is_the_first_tables_declared_order_not_its_banks():
  augmented, clean, init = _inputs()
  reference = benign.memorization_in_last_layers(augmented, clean, init)
  # The banks list the endpoints output first; the declared order is read from the first
  # table's "endpoints" (seed 1's table declares none: its banks' order is not used).
  backwards = []
  for i, rec in enumerate(augmented):
    probe = {bank: dict(reversed(list(rec["probe"][bank].items()))) for bank in ("noisy", "clean")}
    if i != 1:
      probe["endpoints"] = ENDPOINTS
    backwards.append(dict(rec, probe=probe))
  line = benign.memorization_in_last_layers(backwards, clean, init)
  assert line["evidence"]["endpoints"] == ENDPOINTS
  assert line["evidence"]["early_layers"] == ["hidden_1", "hidden_2"]
  assert line == reference


def test_a_seed_without_the_bank_leaves_no_common_endpoint():
  augmented, clean, init = _inputs()
  reference = benign.memorization_in_last_layers(augmented, clean, init)
  no_clean_bank = [dict(c) for c in clean]
  no_clean_bank[1] = dict(clean[1], probe={"noisy": {}})  # Seed 1: no clean bank at all.
  line = benign.memorization_in_last_layers(augmented, no_clean_bank, init)
  # The secondary clean-bank view is empty; the claim itself is unchanged.
  evidence = dict(reference["evidence"], clean_layers=[], **{f"clean_{K}_minus_clean_run": []})
  assert line == dict(reference, evidence=evidence)
  plain = [_record(s, {"clean": _bank(ENDPOINTS, AUGMENTED_CLEAN[i] - 0.1)},
                   **{"memorization/fit_corrupted": 0.99}) for i, s in enumerate(SEEDS)]
  plain[2] = dict(plain[2], probe={"noisy": _bank(ENDPOINTS, [0.1] * 4)})
  survive_init = [{"clean": _bank(ENDPOINTS, [0.3, 0.5, 0.35, 0.2])} for _ in SEEDS]
  assert benign.features_survive_with_augmentation(augmented, plain, survive_init) == _refusal(
      SURVIVE_CLAIM, {}, "no endpoint has a clean-bank probe in every seed of both runs")


# --- benign.memorization_in_last_layers: refusals and declared layers.


def test_a_nan_reading_of_one_side_alone_refuses():
  noisy = AUGMENTED_NOISY.copy()
  noisy[2, 1] = np.nan  # The augmented run's; the random init's is a number.
  augmented, clean, init = _inputs(noisy=noisy)
  assert benign.memorization_in_last_layers(augmented, clean, init) == _refusal(
      LAST_CLAIM, _evidence_head(ENDPOINTS, ENDPOINTS[:2], ENDPOINTS[2:], "logits"),
      f"seed 2 has no noisy-bank {K} at hidden_2 (augmented or random init)")
  init_nan = INIT_NOISY.copy()
  init_nan[0, 0] = np.nan  # The random init's alone.
  augmented, clean, init = _inputs(init_noisy=init_nan)
  assert benign.memorization_in_last_layers(augmented, clean, init)["reason"] == (
      f"seed 0 has no noisy-bank {K} at hidden_1 (augmented or random init)")


def test_a_random_init_table_without_the_noisy_bank_refuses():
  augmented, clean, init = _inputs()
  clean_only = [dict(t) for t in init]
  clean_only[3] = {"clean": _bank(ENDPOINTS, INIT_NOISY[3])}
  assert benign.memorization_in_last_layers(augmented, clean, clean_only) == _refusal(
      LAST_CLAIM, {}, "needs the random-init control probed with the noisy labels, per seed")
  everywhere = [{"clean": t["noisy"]} for t in init]
  assert benign.memorization_in_last_layers(augmented, clean, everywhere) == _refusal(
      LAST_CLAIM, {}, "needs the random-init control probed with the noisy labels, per seed")


def test_declared_last_layers_partly_absent_names_only_the_absent_ones():
  augmented, clean, init = _inputs()
  line = benign.memorization_in_last_layers(augmented, clean, init,
                                            last_layers=["logits", "pool", "head"])
  assert line == _refusal(LAST_CLAIM, {}, (
      "the declared last layers ['pool', 'head'] are not probed (noisy bank) in every seed, "
      "augmented and random init"))


def test_without_head_endpoints_the_final_endpoint_alone_is_last():
  body = ["block_1", "block_2", "block_3"]
  noisy, init_noisy = AUGMENTED_NOISY[:, [0, 1, 3]], INIT_NOISY[:, [0, 1, 3]]
  augmented, clean, init = _inputs(body, noisy, init_noisy)
  line = benign.memorization_in_last_layers(augmented, None, init, 0.05)
  diff = noisy - init_noisy
  assert {k: line["evidence"][k] for k in ("endpoints", "early_layers", "last_layers",
                                            "final_layer")} == {
      "endpoints": body, "early_layers": body[:2], "last_layers": ["block_3"],
      "final_layer": "block_3"}
  assert list(line["evidence"]["early_layer_equivalence"]) == body[:2]
  also = line["test"]["also"]
  assert also["statistic"] == (f"noisy-bank {K} at block_3, augmented run minus random init "
                               "with the same noisy labels")
  assert also["value"] == pytest.approx(diff[:, 2].mean())
  assert also["p"] == pytest.approx(_p(diff[:, 2], 0.0, "greater"))
  assert line["test"]["statistic"].startswith(f"noisy-bank {K} at block_2 (of the 2 early")


# --- Verdicts exactly at the level: Holm p-values equal to ALPHA_SIDE count as rejected.

TWO = ["hidden_1", "logits"]
TWO_NOISY = np.array([[0.11, 0.52], [0.10, 0.61], [0.12, 0.55], [0.11, 0.58]])
TWO_INIT = np.array([[0.10, 0.11], [0.11, 0.10], [0.11, 0.10], [0.10, 0.12]])


def _at_level(monkeypatch, p_tost, p_memorizes):
  """The claim on one early layer whose TOST and memorization p-values are given."""
  margin = 0.05
  t_p_greater = stats.t_p_greater
  monkeypatch.setattr(stats, "tost_p", lambda values, m: np.full(np.shape(values)[:-1], p_tost))
  monkeypatch.setattr(stats, "t_p_greater", lambda values, null=0.0: (
      np.full(np.shape(values)[:-1], p_memorizes) if null == margin
      else t_p_greater(values, null)))
  augmented, _, init = _inputs(TWO, TWO_NOISY, TWO_INIT)
  line = benign.memorization_in_last_layers(augmented, None, init, margin)
  early = (TWO_NOISY - TWO_INIT)[:, 0]
  layer = line["evidence"]["early_layer_equivalence"]["hidden_1"]
  assert {k: v for k, v in layer.items() if k != "verdict"} == {
      "difference": pytest.approx(early.mean()), "interval": pytest.approx(_interval(early)),
      "n": 4, "p_tost": p_tost, "p_tost_holm": p_tost, "p_memorizes": p_memorizes,
      "p_memorizes_holm": p_memorizes}
  assert line["test"]["p"] == p_tost and line["test"]["p_holm"] == p_tost
  assert line["test"]["also"]["interval"][0] > 0  # The last layer memorizes: held.
  return line, layer["verdict"]


def test_equivalence_at_exactly_the_level_is_held(monkeypatch):
  line, layer = _at_level(monkeypatch, ALPHA, 0.5)
  assert layer == declared.HELD and line["verdict"] == declared.HELD


def test_memorization_at_exactly_the_level_is_contradicted(monkeypatch):
  line, layer = _at_level(monkeypatch, 0.5, ALPHA)
  assert layer == declared.CONTRADICTED and line["verdict"] == declared.CONTRADICTED


# --- benign.features_survive_with_augmentation: the declared fit gate.


def test_features_survive_gates_on_the_given_fit_threshold():
  augmented, _, _ = _inputs()
  plain = [_record(s, {"clean": _bank(ENDPOINTS, AUGMENTED_CLEAN[i] - 0.1 - 0.01 * i)},
                   **{"memorization/fit_corrupted": 0.999}) for i, s in enumerate(SEEDS)]
  init = [{"clean": _bank(ENDPOINTS, [0.3, 0.5 + 0.01 * i, 0.35, 0.2])} for i in range(4)]
  line = benign.features_survive_with_augmentation(augmented, plain, init, fit_threshold=0.995)
  assert line["verdict"] == declared.NOT_TESTABLE and line["claim"] == SURVIVE_CLAIM
  assert line["reason"] == ("the noise was not memorized: random_augmented "
                            "memorization/fit_corrupted 0.990 < 0.995 (the gate) in some seed")
  assert line["evidence"]["fit_threshold"] == 0.995 and "test" not in line
  held = benign.features_survive_with_augmentation(augmented, plain, init, fit_threshold=0.9)
  assert held["verdict"] == declared.HELD


# --- malign.per_view_fit_falls_with_views: n is the seeds; the null's range is inclusive.


def _sweep(rows, sizes=(2, 4, 8)):
  """rows: per seed, the fits at each pool size."""
  return {n: [{"settings": {"train": {"seed": s, "epochs": 10}},
               "metrics": {"memorization/view_fit": row[j]}, "history": []}
              for s, row in enumerate(rows)] for j, n in enumerate(sizes)}


FALLING, FALLING_LESS = [0.9, 0.8, 0.7], [0.9, 0.7, 0.8]  # Spearman -1 and -0.5.
RISING, RISING_LESS = [0.7, 0.8, 0.9], [0.8, 0.7, 0.9]  # Spearman 1 and 0.5.


def _per_view_line(rows, sizes=(2, 4, 8)):
  line = malign.per_view_fit_falls_with_views(_sweep(rows, sizes))
  outcomes = np.array(rows, float)
  reference = stats.page_trend(outcomes, declared.PERMUTATIONS)
  per_seed = [scipy_stats.spearmanr(sizes, row).statistic for row in outcomes]
  assert line["evidence"]["spearman_per_seed"] == pytest.approx(per_seed)
  assert line["test"] == {
      "statistic": "mean within-seed Spearman(n, per-view fit)",
      "value": pytest.approx(np.mean(per_seed)), "null": pytest.approx(reference["null"]),
      "interval": pytest.approx(reference["interval"]), "n": len(rows),
      "method": (f"95% range of the permutation null (each seed's outcomes permuted across "
                 f"pool sizes, {declared.PERMUTATIONS} draws; Page's test)"),
      "p_less": pytest.approx(reference["p_less"]),
      "p_greater": pytest.approx(reference["p_greater"])}
  return line, reference


def test_per_view_fit_n_counts_seeds_not_pool_sizes():
  line, _ = _per_view_line([[0.9, 0.7, 0.5, 0.3], [0.95, 0.8, 0.45, 0.35],
                            [0.92, 0.75, 0.6, 0.28]], sizes=(2, 4, 8, 16))
  assert line["test"]["n"] == 3 and line["verdict"] == declared.HELD


def test_per_view_fit_at_the_edges_of_the_null_range_is_inconclusive():
  # The permutation null is discrete: these means fall exactly on its range's ends.
  low, reference = _per_view_line([FALLING, FALLING, FALLING_LESS, FALLING_LESS])
  assert low["test"]["value"] == reference["interval"][0] == -0.75
  assert low["verdict"] == declared.INCONCLUSIVE
  high, reference = _per_view_line([RISING_LESS, RISING_LESS, RISING, RISING])
  assert high["test"]["value"] == reference["interval"][1] == 0.75
  assert high["verdict"] == declared.INCONCLUSIVE


# --- difficulty.easy_examples_consistent_on_real_data: p_real against the level.

DIFFICULTY_CLAIM = ("real data has a consistent set of easy examples and noise does not "
                    "(per-example error after epoch 1 more dispersed across runs on real data)")


def _difficulty_line(monkeypatch, p_real, interval=(0.1, 0.5)):
  result = {"value": 0.3, "interval": list(interval), "p_real": p_real, "p_noise": 0.5}
  monkeypatch.setattr(example_difficulty, "difficulty_test", lambda *args: dict(result))
  errors = np.zeros((3, 4), bool)
  line = difficulty.easy_examples_consistent_on_real_data(errors, np.zeros(4), errors,
                                                          np.zeros(4), permutations=39)
  assert line["claim"] == DIFFICULTY_CLAIM and line["source"] == declared.ARPIT
  assert line["evidence"] == {"epoch": 1, "view": "within-run clean vs corrupted", "runs": 3,
                              "real_examples": 4, "noise_examples": 4, "p_real": p_real,
                              "p_noise": 0.5}
  assert line["test"]["value"] == 0.3 and line["test"]["interval"] == pytest.approx(interval)
  assert line["test"]["p_real"] == p_real
  return line["verdict"]


def test_difficulty_real_alone_at_exactly_the_level_is_held(monkeypatch):
  assert _difficulty_line(monkeypatch, ALPHA) == declared.HELD


def test_difficulty_real_not_above_its_null_is_inconclusive(monkeypatch):
  assert _difficulty_line(monkeypatch, 0.2) == declared.INCONCLUSIVE
  assert _difficulty_line(monkeypatch, 0.2, (-0.5, -0.1)) == declared.CONTRADICTED
