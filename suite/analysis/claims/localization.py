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

"""Where memorization lives: verdicts from layer rewinding (Anagnostidis et al. 2023 against
Maini et al. 2023).

Two readings of one measurement (suite.measures.rewinding): per seed and per block, the
drop in the fit of the corrupted (mislabeled) examples and of the clean ones when that
block alone is rewound to an early checkpoint of the same run.
  confined     Anagnostidis et al. 2023: memorization lives in the last layers (the
               head: the blocks after the encoder output). Rewinding any earlier block
               leaves the corrupted fit within declared.NOISY_MARGIN: for every earlier
               block the upper bound of the 95% t interval over seeds of its drop lies
               below the margin (intersection-union: each part a one-sided 2.5% test, no
               multiplicity correction needed for `held`); contradicted when some block's
               drop lies above it by a one-sided t test Bonferroni-corrected across the
               blocks (a union: uncorrected, five blocks at the margin said contradicted
               in 11-13% of null draws).
  distributed  Maini et al. 2023: memorization is spread over layers. Some earlier block's
               rewinding lowers the corrupted fit by more than declared.NOISY_MARGIN while
               the clean fit stays (its drop below declared.CLEAN_MARGIN). Per block, the
               p-value of both parts is the larger of two one-sided t tests
               (intersection-union); across blocks the smallest is Holm-adjusted (for
               `any`, Holm's first step, i.e. Bonferroni); held below the one-sided 2.5%
               level; contradicted when for every earlier block the corrupted drop lies
               below the margin or the clean drop above its margin, each of the two
               one-sided t tests at half the level (the "or" is a union).
Each line says which reading its verdict supports (`supports`). The unit is the run (a
seed); at least declared.MIN_SEEDS seeds, and the noise must be memorized (the final
corrupted fit at constants.FIT_THRESHOLD in every seed) or the claim is not testable.
Retraining's drops are reported beside rewinding's as evidence; the primary statistic is
rewinding's, declared here in advance. The verdict cores are vectorized over draws for
calibration. report.format_localization_lines prints the lines.
"""

import numpy as np

from suite import constants
from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import verdicts


def _p_greater(values, null):
  """One-sided t p-values of H0: mean <= null over the last axis (any batch shape)."""
  return stats.t_p_greater(values, null)


def confined_verdicts(noisy: np.ndarray, margin: float = declared.NOISY_MARGIN) -> np.ndarray:
  """Verdicts of `confined` for draws of corrupted-fit drops [..., blocks, seeds]."""
  _, _, hi = stats.t_interval(noisy)
  held = (hi < margin).all(axis=-1)
  # "Some block drops beyond the margin" is a union over the blocks: Bonferroni (Holm's
  # first step) keeps it at the one-sided level however many blocks sit at the margin.
  blocks = noisy.shape[-2]
  contradicted = (_p_greater(noisy, margin) * blocks < declared.ALPHA_SIDE).any(axis=-1)
  return np.where(held, declared.HELD,
                  np.where(contradicted, declared.CONTRADICTED, declared.INCONCLUSIVE))


def distributed_pvalues(noisy: np.ndarray, clean: np.ndarray,
                        margin: float = declared.NOISY_MARGIN,
                        clean_margin: float = declared.CLEAN_MARGIN) -> np.ndarray:
  """Per block, max(p of noisy drop > margin, p of clean drop < clean_margin): [..., blocks]."""
  return np.maximum(_p_greater(noisy, margin), _p_greater(-clean, -clean_margin))


def distributed_verdicts(noisy: np.ndarray, clean: np.ndarray,
                         margin: float = declared.NOISY_MARGIN,
                         clean_margin: float = declared.CLEAN_MARGIN) -> np.ndarray:
  """Verdicts of `distributed` for draws of drops [..., blocks, seeds] (corrupted, clean)."""
  p = distributed_pvalues(noisy, clean, margin, clean_margin)
  adjusted = np.minimum(1.0, p.shape[-1] * p.min(axis=-1))
  # Contradicted: at every block (intersection-union, no correction across blocks) the
  # corrupted drop is below the margin or the clean drop above its own; the two parts of
  # that "or" are a union, each tested at half the one-sided level (Bonferroni).
  either = np.minimum(stats.t_p_less(noisy, margin), stats.t_p_greater(clean, clean_margin))
  contradicted = (2 * either < declared.ALPHA_SIDE).all(axis=-1)
  return np.where(adjusted < declared.ALPHA_SIDE, declared.HELD,
                  np.where(contradicted, declared.CONTRADICTED, declared.INCONCLUSIVE))


def earlier_blocks(blocks: list[str]) -> list[str]:
  """The blocks before the head (declared.HEAD_ENDPOINTS): those a `confined` reading says
  do not memorize."""
  return [b for b in blocks if b not in declared.HEAD_ENDPOINTS]


def _drops(results: list[dict], blocks: list[str], stage: str, group: str) -> np.ndarray:
  """[blocks, seeds] of final fit minus fit after `stage` (rewound / retrained)."""
  key = f"fit_{group}"
  return np.array([[r["final"][key] - r[stage][b][key] for r in results] for b in blocks],
                  np.float64)


def _why_not(results: list[dict]) -> str | None:
  seeds = [r.get("seed") for r in results]
  if len(set(seeds)) != len(seeds):
    return "two results of one seed: the unit is the run"
  if len(results) < declared.MIN_SEEDS:
    return (f"{len(results)} seed(s); a claim needs at least {declared.MIN_SEEDS} (the unit is "
            "the run)")
  if len({tuple(r["blocks"]) for r in results}) > 1:
    return "the runs rewound different blocks"
  if len({(r["final_epoch"], r["rewind_epoch"]) for r in results}) > 1:
    return "the runs differ in final or rewind epoch"
  fits = [r["final"]["fit_noisy"] for r in results]
  if any(f != f for f in fits):
    return "the runs have no corrupted examples"
  if min(fits) < constants.FIT_THRESHOLD:
    return (f"the noise was not memorized: final corrupted fit {min(fits):.3f} < "
            f"{constants.FIT_THRESHOLD} in some seed")
  if not earlier_blocks(results[0]["blocks"]):
    return "no block before the head was rewound"
  return None


def _evidence(results: list[dict], blocks: list[str]) -> dict:
  out: dict = {"seeds": [r.get("seed") for r in results], "blocks": blocks,
               "final_epoch": results[0]["final_epoch"],
               "rewind_epoch": results[0]["rewind_epoch"],
               "noisy_margin": declared.NOISY_MARGIN, "clean_margin": declared.CLEAN_MARGIN}
  for stage in ("rewound", "retrained"):
    if not all(set(blocks) <= set(r.get(stage, {})) for r in results):
      continue
    for group in ("noisy", "clean"):
      values = _drops(results, blocks, stage, group)
      mean, lo, hi = stats.t_interval(values)
      out[f"{stage}_{group}_drop"] = {b: [float(m), float(low), float(high)]
                                      for b, m, low, high in zip(blocks, mean, lo, hi)}
  return out


def memorization_confined_to_last_layers(results: list[dict],
                                         margin: float = declared.NOISY_MARGIN) -> dict:
  """`confined` (module docstring) on the rewinding results of one condition, one per seed.

  Args:
    results: suite.measures.rewinding.localize outputs with their run's `seed`.
    margin: the declared margin on the corrupted fit's drop.

  Returns:
    The claim line: {claim, source, verdict, supports, evidence, test[, reason]}.
  """
  claim = (f"memorization is confined to the last layers: rewinding any block before the "
           f"head leaves the corrupted examples' fit within {margin}")
  why = _why_not(results)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why, supports="neither",
                         source=declared.BENIGN)
  blocks = earlier_blocks(results[0]["blocks"])
  noisy = _drops(results, blocks, "rewound", "noisy")
  verdict = str(confined_verdicts(noisy[None], margin)[0])
  mean, lo, hi = stats.t_interval(noisy)
  worst = int(np.argmax(hi))  # The block nearest to breaking the claim.
  test = stats.test_record(
      f"drop of the corrupted fit when {blocks[worst]} (the largest upper bound) is rewound",
      mean[worst], margin, (lo[worst], hi[worst]), noisy.shape[1],
      f"{verdicts.LEVEL_TEXT} t interval over seeds per block, held when every block's lies "
      f"below the margin (intersection-union)", p=float(_p_greater(-noisy[worst], -margin)))
  supports = {
      declared.HELD: f"{declared.BENIGN} (memorization in the last layers)",
      declared.CONTRADICTED: f"{declared.MAINI} (memorization outside the last layers)",
  }.get(verdict, "neither")
  return verdicts.line(claim, verdict, _evidence(results, results[0]["blocks"]), test,
                       source=declared.BENIGN, supports=supports)


def memorization_distributed(results: list[dict], margin: float = declared.NOISY_MARGIN,
                             clean_margin: float = declared.CLEAN_MARGIN) -> dict:
  """`distributed` (module docstring) on the rewinding results of one condition.

  Args:
    results: suite.measures.rewinding.localize outputs with their run's `seed`.
    margin: the declared margin on the corrupted fit's drop.
    clean_margin: the declared ceiling on the clean fit's drop.

  Returns:
    The claim line: {claim, source, verdict, supports, evidence, test[, reason]}.
  """
  claim = (f"memorization is distributed: rewinding some block before the head lowers the "
           f"corrupted fit by more than {margin} while the clean fit drops by less than "
           f"{clean_margin}")
  why = _why_not(results)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why, supports="neither",
                         source=declared.MAINI)
  blocks = earlier_blocks(results[0]["blocks"])
  noisy = _drops(results, blocks, "rewound", "noisy")
  clean = _drops(results, blocks, "rewound", "clean")
  verdict = str(distributed_verdicts(noisy[None], clean[None], margin, clean_margin)[0])
  p = distributed_pvalues(noisy, clean, margin, clean_margin)
  best = int(np.argmin(p))
  mean, lo, hi = stats.t_interval(noisy[best])
  clean_mean, clean_lo, clean_hi = stats.t_interval(clean[best])
  evidence = _evidence(results, results[0]["blocks"])
  evidence["holm_p"] = dict(zip(blocks, stats.holm(p).tolist()))
  test = stats.test_record(
      f"drop of the corrupted fit when {blocks[best]} (the smallest p) is rewound", mean,
      margin, (lo, hi), noisy.shape[1],
      f"{verdicts.LEVEL_TEXT} t intervals over seeds; per block the larger of two one-sided t "
      f"tests, Holm across {len(blocks)} blocks", p=float(min(1.0, len(blocks) * p[best])))
  test["also"] = stats.test_record(f"drop of the clean fit at {blocks[best]}", clean_mean,
                                   clean_margin, (clean_lo, clean_hi), clean.shape[1],
                                   "t interval over seeds, claimed below the null")
  supports = {
      declared.HELD: f"{declared.MAINI} (memorization outside the last layers)",
      declared.CONTRADICTED: f"{declared.BENIGN} (no earlier block holds it alone)",
  }.get(verdict, "neither")
  return verdicts.line(claim, verdict, evidence, test, source=declared.MAINI,
                       supports=supports)


def lines(results: list[dict]) -> list[dict]:
  """Both claims on the rewinding results of one condition (one per seed)."""
  return [memorization_confined_to_last_layers(results), memorization_distributed(results)]
