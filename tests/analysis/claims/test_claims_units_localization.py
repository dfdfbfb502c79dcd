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

"""suite.analysis.claims.localization case by case, against hand-computed answers: the
vectorized verdict cores on hand-made drops (each case placed where the correction, the
side or the axis decides it), every number of both claim lines recomputed with scipy
(Holm written out), and each refusal's message whole."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite.analysis import declared
from suite.analysis.claims import localization

ALPHA = (1 - declared.LEVEL) / 2
HELD, CONTRADICTED, INCONCLUSIVE = declared.HELD, declared.CONTRADICTED, declared.INCONCLUSIVE
SPREAD = np.array([-0.01, 0.0, 0.01])  # Three seeds around a mean: sd 0.01.


def _p(values, null, side):
  return scipy_stats.ttest_1samp(values, null, alternative=side).pvalue


def _interval(values):
  ci = scipy_stats.ttest_1samp(values, 0.0).confidence_interval(declared.LEVEL)
  return [ci.low, ci.high]


def _holm(p):
  """Holm's step-down adjustment, written out."""
  p = np.asarray(p, float)
  order = np.argsort(p)
  out, running = np.empty(len(p)), 0.0
  for rank, i in enumerate(order):
    running = max(running, min(1.0, (len(p) - rank) * p[i]))
    out[i] = running
  return out


def _shift_for(p, seeds=3, sd=0.01):
  """The mean shift above a null that gives a one-sided t p-value of `p` (sd over seeds)."""
  return scipy_stats.t.isf(p, seeds - 1) * sd / np.sqrt(seeds)


# --- confined_verdicts.


def test_confined_verdicts_by_hand_on_a_batch_of_draws():
  m = declared.NOISY_MARGIN
  # p between ALPHA / 3 and ALPHA: contradicted uncorrected, not with Bonferroni over 3.
  mid = m + _shift_for(0.6 * ALPHA) + SPREAD
  low = m + _shift_for(0.2 * ALPHA) + SPREAD  # 3 * p below ALPHA: contradicted.
  zero = 0.0 + SPREAD  # Far below the margin: its upper bound too.
  assert 3 * _p(mid, m, "greater") > ALPHA > _p(mid, m, "greater")
  assert 3 * _p(low, m, "greater") < ALPHA
  assert _interval(zero)[1] < m
  draws = np.array([[zero, zero, zero],  # held
                    [zero, mid, zero],  # inconclusive (Bonferroni)
                    [zero, zero, low],  # contradicted
                    [mid, mid, mid],  # inconclusive
                    [np.full(3, m), zero, zero]])
  got = localization.confined_verdicts(draws)
  assert got.tolist() == [HELD, INCONCLUSIVE, CONTRADICTED, INCONCLUSIVE, INCONCLUSIVE]
  # Zero spread, upper bound exactly the margin (0.25 is exact in binary): not below it.
  exact = np.array([[np.full(3, 0.25), np.zeros(3)]])
  assert localization.confined_verdicts(exact, 0.25).tolist() == [INCONCLUSIVE]
  assert localization.confined_verdicts(exact, 0.2500001).tolist() == [HELD]
  # One draw, two blocks, three seeds; and one draw of [blocks, seeds] without a batch.
  assert localization.confined_verdicts(draws[2:3, 1:]).tolist() == [CONTRADICTED]
  assert localization.confined_verdicts(draws[1]).tolist() == INCONCLUSIVE
  # Two blocks: 2 * p of `mid` is 1.2 * ALPHA, still inconclusive; alone it contradicts.
  assert localization.confined_verdicts(draws[1:2, :2]).tolist() == [INCONCLUSIVE]
  assert localization.confined_verdicts(draws[1:2, 1:2]).tolist() == [CONTRADICTED]


def test_confined_verdicts_with_more_seeds_than_blocks_and_a_declared_margin():
  seeds = np.array([-0.02, -0.01, 0.0, 0.01, 0.02])  # sd 0.0158 over 5 seeds.
  sd = seeds.std(ddof=1)
  mid = 0.3 + _shift_for(0.6 * ALPHA, 5, sd) + seeds
  assert 2 * _p(mid, 0.3, "greater") > ALPHA > _p(mid, 0.3, "greater")
  # Two blocks and five seeds: the correction counts blocks (2), not seeds (5) nor draws.
  draws = np.array([[mid, 0.0 + seeds], [0.0 + seeds, 0.0 + seeds]])
  assert localization.confined_verdicts(draws, 0.3).tolist() == [INCONCLUSIVE, HELD]
  big = 0.3 + _shift_for(0.3 * ALPHA, 5, sd) + seeds  # 2 * p < ALPHA < 5 * p.
  assert 5 * _p(big, 0.3, "greater") > ALPHA > 2 * _p(big, 0.3, "greater")
  draws = np.array([[big, 0.0 + seeds]] * 5)  # Five draws of two blocks.
  assert localization.confined_verdicts(draws, 0.3).tolist() == [CONTRADICTED] * 5
  # Against the default margin (0.1), the same drops are all contradicted or held.
  assert localization.confined_verdicts(np.array([[0.2 + seeds, 0.0 + seeds],
                                                  [0.0 + seeds, 0.0 + seeds]])).tolist() == [
                                                      CONTRADICTED, HELD]


# --- distributed_verdicts.


def test_distributed_verdicts_by_hand():
  m, c = declared.NOISY_MARGIN, declared.CLEAN_MARGIN
  big = 0.5 + SPREAD  # Noisy far above its margin.
  low_clean = 0.0 + SPREAD  # Clean far below its margin.
  # p just under ALPHA: held for one block, not once Bonferroni counts three.
  near = m + _shift_for(0.5 * ALPHA) + SPREAD
  assert 3 * _p(near, m, "greater") > ALPHA > _p(near, m, "greater")
  far_below = -0.5 + SPREAD  # Noisy drop far below the margin: the block contradicts.
  draws_noisy = np.array([[big, far_below, far_below],  # held
                          [near, far_below, far_below],  # inconclusive (Bonferroni)
                          [far_below, far_below, far_below]])  # contradicted
  draws_clean = np.array([[low_clean] * 3] * 3)
  assert localization.distributed_verdicts(draws_noisy, draws_clean).tolist() == [
      HELD, INCONCLUSIVE, CONTRADICTED]
  assert localization.distributed_verdicts(draws_noisy[1:2, :1],
                                           draws_clean[1:2, :1]).tolist() == [HELD]
  # Clean far above its margin contradicts a block too (the other side of the "or").
  high_clean = 0.5 + SPREAD
  assert localization.distributed_verdicts(
      np.array([[big, big]]), np.array([[high_clean, high_clean]])).tolist() == [CONTRADICTED]
  # Each side at half the level: p in (ALPHA / 2, ALPHA) on the noisy side alone.
  half_noisy = m - _shift_for(0.7 * ALPHA) + SPREAD
  half_clean = c + _shift_for(0.7 * ALPHA) + SPREAD
  assert ALPHA / 2 < _p(half_noisy, m, "less") < ALPHA
  assert ALPHA / 2 < _p(half_clean, c, "greater") < ALPHA
  # 2 * p = 1.4 ALPHA: not contradicted; one block not contradicting is enough (all).
  assert localization.distributed_verdicts(
      np.array([[half_noisy], [far_below]]),
      np.array([[c + SPREAD], [c + SPREAD]])).tolist() == [INCONCLUSIVE, CONTRADICTED]
  assert localization.distributed_verdicts(
      np.array([[m + SPREAD], [m + SPREAD]]),
      np.array([[half_clean], [high_clean]])).tolist() == [INCONCLUSIVE, CONTRADICTED]
  assert localization.distributed_verdicts(
      np.array([[far_below, far_below], [far_below, half_noisy]]),
      np.array([[c + SPREAD] * 2] * 2)).tolist() == [CONTRADICTED, INCONCLUSIVE]
  # 2 * p between ALPHA * 2 / 3 and ALPHA: contradicted (a factor 3 would not be).
  third_noisy = m - _shift_for(0.4 * ALPHA) + SPREAD
  assert 3 * _p(third_noisy, m, "less") > ALPHA > 2 * _p(third_noisy, m, "less")
  assert localization.distributed_verdicts(np.array([[third_noisy]]),
                                           np.array([[c + SPREAD]])).tolist() == [CONTRADICTED]
  # One draw of [blocks, seeds] without a batch axis.
  assert localization.distributed_verdicts(draws_noisy[0], draws_clean[0]).tolist() == HELD
  assert localization.distributed_verdicts(draws_noisy[1], draws_clean[1]).tolist() == (
      INCONCLUSIVE)
  assert localization.distributed_verdicts(draws_noisy[2], draws_clean[2]).tolist() == (
      CONTRADICTED)
  # Exactly at the margins with zero spread: p = 0.5 both ways, inconclusive.
  assert localization.distributed_verdicts(np.full((1, 1, 3), m),
                                           np.full((1, 1, 3), c)).tolist() == [INCONCLUSIVE]


def test_distributed_verdicts_with_declared_margins_and_more_seeds_than_blocks():
  seeds = np.array([-0.02, -0.01, 0.0, 0.01, 0.02])
  # Margins 0.3 and 0.2: a noisy drop of 0.2 contradicts, clean 0.1 stays below 0.2.
  noisy = np.array([[0.2 + seeds, 0.2 + seeds]])
  clean = np.array([[0.1 + seeds, 0.1 + seeds]])
  assert localization.distributed_verdicts(noisy, clean, 0.3, 0.2).tolist() == [CONTRADICTED]
  # Defaults 0.1 and 0.05: the same drops: clean 0.1 above 0.05 contradicts too.
  assert localization.distributed_verdicts(noisy, clean).tolist() == [CONTRADICTED]
  # Noisy 0.5 above 0.3 and clean 0.1 below 0.2: held, where the default clean margin
  # (0.05) would contradict.
  noisy = np.array([[0.5 + seeds, 0.5 + seeds]])
  assert localization.distributed_verdicts(noisy, clean, 0.3, 0.2).tolist() == [HELD]
  # Noisy 0.05 with margin 0.3: far below (contradicts); against 0.0 it would hold.
  noisy = np.array([[0.05 + seeds, 0.05 + seeds]])
  clean = np.array([[0.0 + seeds, 0.0 + seeds]])
  assert localization.distributed_verdicts(noisy, clean, 0.3, 0.2).tolist() == [CONTRADICTED]
  # Clean 0.1 against clean margin 0.05: contradicts; against 0.0 too; noisy 0.2 against
  # margin 0.3 with a wide spread: not contradicted there.
  wide = np.array([-0.3, -0.1, 0.0, 0.1, 0.3])
  noisy = np.array([[0.2 + wide, 0.2 + wide]])
  clean = np.array([[0.03 + seeds, 0.03 + seeds]])
  assert _p(0.2 + wide, 0.3, "less") > ALPHA and _p(0.03 + seeds, 0.0, "greater") < ALPHA / 2
  assert localization.distributed_verdicts(noisy, clean, 0.3, 0.02).tolist() == [INCONCLUSIVE]
  # Held with two blocks and five seeds: Bonferroni over 2 blocks, not 5 seeds.
  sd = seeds.std(ddof=1)
  near = 0.1 + _shift_for(0.3 * ALPHA, 5, sd) + seeds
  assert 5 * _p(near, 0.1, "greater") > ALPHA > 2 * _p(near, 0.1, "greater")
  noisy = np.array([[near, -0.5 + seeds]] * 4)
  clean = np.array([[0.0 + seeds, 0.0 + seeds]] * 4)
  assert localization.distributed_verdicts(noisy, clean).tolist() == [HELD] * 4


# --- The claim lines.

BLOCKS = ["conv_1", "conv_2", "conv_3", "projector_hidden", "logits"]
EARLIER = BLOCKS[:3]
SEEDS = [3, 5, 8, 11]
# Per seed (rows) and block: drops of the corrupted and clean fits when rewound/retrained.
REWOUND_NOISY = np.array([[0.02, 0.30, 0.01, 0.6, 0.9], [0.04, 0.42, 0.00, 0.7, 0.95],
                          [0.01, 0.35, 0.03, 0.5, 0.9], [0.03, 0.38, 0.02, 0.65, 0.92]])
REWOUND_CLEAN = np.array([[0.00, 0.01, 0.02, 0.1, 0.3], [0.01, 0.02, 0.00, 0.2, 0.35],
                          [0.00, 0.00, 0.01, 0.15, 0.3], [0.02, 0.01, 0.01, 0.1, 0.32]])
RETRAINED_NOISY = REWOUND_NOISY / 2 + 0.01 * np.arange(5)
RETRAINED_CLEAN = REWOUND_CLEAN / 3


def _results(rewound_noisy=REWOUND_NOISY, rewound_clean=REWOUND_CLEAN, retrained=True,
             seeds=SEEDS, final_noisy=0.99):
  out = []
  for i, s in enumerate(seeds):
    final = {"fit_noisy": final_noisy, "fit_clean": 0.97, "test_accuracy": 0.8}
    result = {"seed": s, "blocks": list(BLOCKS), "final_epoch": 40, "rewind_epoch": 2,
              "final": final,
              "rewound": {b: {"fit_noisy": final_noisy - rewound_noisy[i][j],
                              "fit_clean": 0.97 - rewound_clean[i][j]}
                          for j, b in enumerate(BLOCKS)}}
    if retrained:
      result["retrained"] = {b: {"fit_noisy": final_noisy - RETRAINED_NOISY[i][j],
                                 "fit_clean": 0.97 - RETRAINED_CLEAN[i][j]}
                             for j, b in enumerate(BLOCKS)}
    out.append(result)
  return out


def _drop_table(values):
  return {b: pytest.approx([values[:, j].mean(), *_interval(values[:, j])])
          for j, b in enumerate(BLOCKS)}


def _evidence(rewound_noisy=REWOUND_NOISY, rewound_clean=REWOUND_CLEAN, retrained=True):
  out = {"seeds": SEEDS, "blocks": BLOCKS, "final_epoch": 40, "rewind_epoch": 2,
         "noisy_margin": 0.1, "clean_margin": 0.05,
         "rewound_noisy_drop": _drop_table(rewound_noisy),
         "rewound_clean_drop": _drop_table(rewound_clean)}
  if retrained:
    out["retrained_noisy_drop"] = _drop_table(RETRAINED_NOISY)
    out["retrained_clean_drop"] = _drop_table(RETRAINED_CLEAN)
  return out


def _confined_line(noisy, margin, verdict, supports, evidence):
  early = noisy[:, :3]
  highs = [_interval(early[:, j])[1] for j in range(3)]
  worst = int(np.argmax(highs))
  return {
      "claim": ("memorization is confined to the last layers: rewinding any block before the "
                f"head leaves the corrupted examples' fit within {margin}"),
      "source": declared.BENIGN, "verdict": verdict, "supports": supports,
      "evidence": evidence,
      "test": {"statistic": (f"drop of the corrupted fit when {EARLIER[worst]} (the largest "
                             "upper bound) is rewound"),
               "value": pytest.approx(early[:, worst].mean()), "null": margin,
               "interval": pytest.approx(_interval(early[:, worst])), "n": 4,
               "method": ("95% t interval over seeds per block, held when every block's lies "
                          "below the margin (intersection-union)"),
               "p": pytest.approx(_p(early[:, worst], margin, "less"))}}


def test_confined_line_contradicted_every_number_by_scipy():
  line = localization.memorization_confined_to_last_layers(_results())
  # conv_2 drops 0.36 on average, far beyond 0.1 (Bonferroni over the 3 earlier blocks).
  assert 3 * _p(REWOUND_NOISY[:, 1], 0.1, "greater") < ALPHA
  assert line == _confined_line(
      REWOUND_NOISY, 0.1, CONTRADICTED,
      f"{declared.MAINI} (memorization outside the last layers)", _evidence())
  # A declared margin of 0.5: conv_2's upper bound lies below it, as do the others'.
  line = localization.memorization_confined_to_last_layers(_results(), margin=0.5)
  assert line == _confined_line(
      REWOUND_NOISY, 0.5, HELD, f"{declared.BENIGN} (memorization in the last layers)",
      _evidence())


def test_confined_line_held_and_inconclusive_without_retraining():
  noisy = REWOUND_NOISY.copy()
  noisy[:, 1] = [0.01, 0.03, 0.0, 0.02]
  # The largest upper bound is conv_1's now (0.01 to 0.04 over the seeds).
  line = localization.memorization_confined_to_last_layers(_results(noisy, retrained=False))
  assert line == _confined_line(noisy, 0.1, HELD,
                                f"{declared.BENIGN} (memorization in the last layers)",
                                _evidence(noisy, retrained=False))
  noisy[:, 2] = [0.0, 0.2, 0.05, 0.15]  # conv_3: wide, neither below nor beyond 0.1.
  line = localization.memorization_confined_to_last_layers(_results(noisy))
  assert line == _confined_line(noisy, 0.1, INCONCLUSIVE, "neither", _evidence(noisy))
  # Rewinding of the head missing in one seed: its drops are not reported, retraining's are.
  results = _results(noisy)
  del results[1]["rewound"]["logits"]
  evidence = _evidence(noisy)
  del evidence["rewound_noisy_drop"], evidence["rewound_clean_drop"]
  assert localization.memorization_confined_to_last_layers(results)["evidence"] == evidence
  # Retraining measured in some seeds only: not reported.
  results = _results(noisy)
  del results[2]["retrained"]["conv_3"]
  assert localization.memorization_confined_to_last_layers(results)["evidence"] == (
      _evidence(noisy, retrained=False))


def _distributed_line(noisy, clean, margin, clean_margin, verdict, supports, evidence):
  early, early_clean = noisy[:, :3], clean[:, :3]
  p = [max(_p(early[:, j], margin, "greater"), _p(early_clean[:, j], clean_margin, "less"))
       for j in range(3)]
  best = int(np.argmin(p))
  evidence = dict(evidence, holm_p={b: pytest.approx(v) for b, v in zip(EARLIER, _holm(p))})
  return {
      "claim": ("memorization is distributed: rewinding some block before the head lowers the "
                f"corrupted fit by more than {margin} while the clean fit drops by less than "
                f"{clean_margin}"),
      "source": declared.MAINI, "verdict": verdict, "supports": supports,
      "evidence": evidence,
      "test": {"statistic": (f"drop of the corrupted fit when {EARLIER[best]} (the smallest p) "
                             "is rewound"),
               "value": pytest.approx(early[:, best].mean()), "null": margin,
               "interval": pytest.approx(_interval(early[:, best])), "n": 4,
               "method": ("95% t intervals over seeds; per block the larger of two one-sided t "
                          "tests, Holm across 3 blocks"),
               "p": pytest.approx(min(1.0, 3 * p[best])),
               "also": {"statistic": f"drop of the clean fit at {EARLIER[best]}",
                        "value": pytest.approx(early_clean[:, best].mean()),
                        "null": clean_margin,
                        "interval": pytest.approx(_interval(early_clean[:, best])), "n": 4,
                        "method": "t interval over seeds, claimed below the null"}}}


def test_distributed_line_every_number_by_scipy():
  line = localization.memorization_distributed(_results())
  assert line == _distributed_line(
      REWOUND_NOISY, REWOUND_CLEAN, 0.1, 0.05, HELD,
      f"{declared.MAINI} (memorization outside the last layers)", _evidence())
  # Declared margins: the corrupted drop must exceed 0.5 (no block's does, all lie below):
  # contradicted, with every block's clean drop below 0.2.
  noisy = REWOUND_NOISY.copy()
  noisy[:, 1] = [0.10, 0.12, 0.11, 0.13]
  line = localization.memorization_distributed(_results(noisy), margin=0.5, clean_margin=0.2)
  assert line == _distributed_line(
      noisy, REWOUND_CLEAN, 0.5, 0.2, CONTRADICTED,
      f"{declared.BENIGN} (no earlier block holds it alone)", _evidence(noisy))


def test_distributed_line_held_only_under_the_declared_clean_margin():
  clean = REWOUND_CLEAN.copy()
  clean[:, 1] = [0.09, 0.11, 0.10, 0.12]  # conv_2's clean drop: below 0.2, above 0.05.
  line = localization.memorization_distributed(_results(REWOUND_NOISY, clean),
                                               clean_margin=0.2)
  expected = _distributed_line(REWOUND_NOISY, clean, 0.1, 0.2, HELD,
                               f"{declared.MAINI} (memorization outside the last layers)",
                               _evidence(REWOUND_NOISY, clean))
  assert line == expected
  # Against the default clean margin (0.05) the same drops are not held.
  assert localization.memorization_distributed(_results(REWOUND_NOISY, clean))["verdict"] != (
      HELD)


def test_distributed_line_inconclusive_with_its_p_capped_at_one():
  noisy = REWOUND_NOISY.copy()
  noisy[:, 1] = [0.05, 0.2, 0.0, 0.15]  # Around 0.1: every block's p above 1/3.
  clean = REWOUND_CLEAN.copy()
  clean[:, 0] = [0.0, 0.1, 0.02, 0.08]  # Around the clean margin.
  line = localization.memorization_distributed(_results(noisy, clean, retrained=False),
                                               clean_margin=0.06)
  expected = _distributed_line(noisy, clean, 0.1, 0.06, INCONCLUSIVE, "neither",
                               _evidence(noisy, clean, retrained=False))
  assert expected["test"]["p"] == 1.0
  assert line == expected


def test_refusals_whole():
  def both(results):
    lines = localization.lines(results)
    assert [line["verdict"] for line in lines] == [declared.NOT_TESTABLE] * 2
    assert [line["source"] for line in lines] == [declared.BENIGN, declared.MAINI]
    assert [line["supports"] for line in lines] == ["neither", "neither"]
    assert [line["evidence"] for line in lines] == [{}, {}]
    assert lines[0]["claim"] == localization.memorization_confined_to_last_layers(
        _results())["claim"]
    assert lines[1]["claim"] == localization.memorization_distributed(_results())["claim"]
    assert lines[0]["reason"] == lines[1]["reason"]
    assert set(lines[0]) == {"claim", "source", "verdict", "supports", "evidence", "reason"}
    return lines[0]["reason"]

  results = _results()
  assert both(results[:2]) == "2 seed(s); a claim needs at least 3 (the unit is the run)"
  assert localization.lines(results[:3])[0]["verdict"] != declared.NOT_TESTABLE  # 3 suffice.
  twice = _results(seeds=[3, 3, 5, 8])
  assert both(twice) == "two results of one seed: the unit is the run"
  unseeded = _results()
  for r in unseeded[:2]:
    del r["seed"]
  assert both(unseeded) == "two results of one seed: the unit is the run"
  results = _results()
  results[1]["blocks"] = BLOCKS[1:]  # Two different block lists.
  assert both(results) == "the runs rewound different blocks"
  results[2]["blocks"] = BLOCKS[::-1]  # Three.
  assert both(results) == "the runs rewound different blocks"
  for key in ("final_epoch", "rewind_epoch"):
    results = _results()
    results[1][key] = 7
    results[2][key] = 9
    assert both(results) == "the runs differ in final or rewind epoch"
    results[2][key] = 7
    assert both(results) == "the runs differ in final or rewind epoch"
  results = _results(final_noisy=float("nan"))
  assert both(results) == "the runs have no corrupted examples"
  results = _results()
  results[2]["final"]["fit_noisy"] = 0.949
  assert both(results) == ("the noise was not memorized: final corrupted fit 0.949 < 0.95 in "
                           "some seed")
  at_threshold = _results(final_noisy=0.95)  # The threshold exactly is memorized.
  assert localization.lines(at_threshold)[0]["verdict"] != declared.NOT_TESTABLE
  head_only = _results()
  for r in head_only:
    r["blocks"] = ["projector_hidden", "logits"]
  assert both(head_only) == "no block before the head was rewound"


def test_earlier_blocks_and_drops():
  assert localization.earlier_blocks(BLOCKS) == EARLIER
  assert localization.earlier_blocks(["logits"]) == []
  results = [{"final": {"fit_noisy": 1}, "rewound": {"a": {"fit_noisy": 0}, "b": {"fit_noisy": 1}}},
             {"final": {"fit_noisy": 1}, "rewound": {"a": {"fit_noisy": 1}, "b": {"fit_noisy": 0}}}]
  # Integer fits still give float drops, [blocks, seeds].
  # pylint: disable-next=protected-access
  drops = localization._drops(results, ["a", "b"], "rewound", "noisy")
  assert drops.dtype == np.float64 and drops.tolist() == [[1.0, 0.0], [0.0, 1.0]]
