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

"""Benign memorization (Anagnostidis et al. 2023): where random labels are memorized.

With augmentation, a network fitted to random labels keeps features a k-NN probe reads:
memorization sits in the last layers, the encoder output's clean-bank k-NN beats the run
without augmentation and the random initialisation, and per-view labels cannot be fitted
in the budget that fits per-example ones.
"""

from collections.abc import Sequence

import numpy as np

from suite import constants
from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import readings
from suite.analysis.claims import verdicts


def _common_endpoints(tables: list, bank: str) -> list[str]:
  """The endpoints every table probed in `bank`, in the first table's order."""
  first = tables[0] or {}
  order = list(first.get("endpoints") or first.get(bank, {}))
  return [e for e in order if all(e in (t or {}).get(bank, {}) for t in tables)]


def _by_layer(tables_a: list, tables_b: list, endpoints: list, seeds: list,
              bank_a: str = "clean", bank_b: str = "clean"
              ) -> tuple[np.ndarray | None, str | None]:
  """[seeds, endpoints] of tables_a's declared.PRIMARY_K minus tables_b's, or (None, the first
  missing value named)."""
  rows = []
  for seed, a, b in zip(seeds, tables_a, tables_b):
    row = []
    for endpoint in endpoints:
      x, y = readings.probe_k(a, endpoint, bank_a), readings.probe_k(b, endpoint, bank_b)
      if x is None or y is None or x != x or y != y:
        return None, f"seed {seed} has no {bank_a}-bank {declared.PRIMARY_K} at {endpoint}"
      row.append(x - y)
    rows.append(row)
  return np.array(rows, np.float64).reshape(len(rows), len(endpoints)), None


def memorization_in_last_layers(augmented: list, clean: list | None, random_init_noisy: list,
                                margin: float = declared.LAYER_MARGIN, *,
                                last_layers: Sequence[str] | None = None,
                                fit_threshold: float = constants.FIT_THRESHOLD) -> dict:
  """On the augmented random-label run, memorization is in the last layers only.

  Per seed and endpoint: noisy-bank declared.PRIMARY_K k-NN of the augmented random-label run
  minus that of the random-init network probed with the same noisy labels (how far the
  layer groups images by their random labels beyond what the architecture does
  untrained). Declared: the last layers (`last_layers`; by default the head endpoints
  present, `projector_hidden` and `logits`, or the final endpoint of a model without
  them); every endpoint before the first of them is early.
    - Early layers do not memorize: at every early layer the difference is within
      +-margin, by two one-sided t tests over seeds (TOST, each at 2.5%), Holm-corrected
      across the early layers (all must be rejected; Holm is conservative here, as an
      intersection-union test would need no correction, but the family is declared
      corrected).
    - The last layers memorize: at the final declared last layer the difference is
      above 0 (one-sided t test at 2.5%).
  `held` when both hold; `contradicted` when some early layer memorizes beyond the
  margin (difference above +margin, one-sided t tests Holm-corrected across the early
  layers: a union) or the final layer's difference is below 0; else `inconclusive`.
  Only endpoints every seed's tables probed are used, and every seed counts at every
  one (a missing value makes the claim not testable). The clean-bank k-NN against the
  clean-label run, by layer, and every layer's noisy-bank difference (Holm) are
  secondary views in the evidence.

  Args:
    augmented: result records, one per seed: the augmented random-label run.
    clean: result records, one per seed: the clean-label run (same seeds), or None
      without one (it feeds only the secondary clean-bank view).
    random_init_noisy: per seed, the random-init probe table with a `noisy` bank.
    margin: the equivalence margin (absolute accuracy).
    last_layers: the declared last layers (endpoint names).
    fit_threshold: the memorization gate: the augmented run's fit of its random labels
      in every seed.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("memorization happens in the last layers: with augmentation, noisy-label k-NN of "
           "every layer before the last ones stays within the margin of the random-init "
           "network's, and rises above it at the last layer")
  untestable = lambda reason, evidence=None: verdicts.line(
      claim, declared.NOT_TESTABLE, evidence or {}, reason=reason, source=declared.BENIGN)
  clean = clean or []
  why = verdicts.paired(augmented, clean) if clean else verdicts.paired(augmented)
  if why:
    return untestable(why)
  if len(random_init_noisy) != len(augmented) or not all(
      t and "noisy" in t for t in random_init_noisy):
    return untestable("needs the random-init control probed with the noisy labels, per seed")
  if not all(r.get("probe") and "noisy" in r["probe"] for r in augmented) or \
      not all(r.get("probe") for r in clean):
    return untestable("needs probes of the augmented random-label run (and of the clean-label "
                      "run when given)")
  probes = [a["probe"] for a in augmented]
  endpoints = [e for e in _common_endpoints(probes, "noisy")
               if e in _common_endpoints(random_init_noisy, "noisy")]
  if not endpoints:
    return untestable("no endpoint has a noisy-bank probe in every seed, augmented and "
                      "random init")
  if last_layers is None:
    last = [e for e in declared.HEAD_ENDPOINTS if e in endpoints] or endpoints[-1:]
  else:
    last = list(last_layers)
    absent = [e for e in last if e not in endpoints]
    if absent or not last:
      return untestable(f"the declared last layers {absent or last} are not probed (noisy "
                        "bank) in every seed, augmented and random init")
  first_last = min(endpoints.index(e) for e in last)
  early = endpoints[:first_last]
  final = max(last, key=endpoints.index)
  seeds = [readings.seed(r) for r in augmented]
  evidence: dict = {"endpoints": endpoints, "early_layers": early, "last_layers": last,
                    "final_layer": final, "margin": margin, "fit_threshold": fit_threshold,
                    "seeds": seeds}
  if not early:
    return untestable(f"no endpoint before the declared last layers {last}", evidence)
  noisy_diff, missing = _by_layer(probes, random_init_noisy, endpoints, seeds, "noisy",
                                  "noisy")
  if noisy_diff is None:
    return untestable(f"{missing} (augmented or random init)", evidence)
  evidence[f"noisy_{declared.PRIMARY_K}_minus_random_init"] = noisy_diff.mean(0).tolist()
  evidence["holm_p_noisy_above_random_init"] = stats.holm(
      stats.t_p_greater(noisy_diff.T)).tolist()
  clean_diff = None
  if clean:
    clean_layers = [e for e in _common_endpoints(probes, "clean")
                    if e in _common_endpoints([c["probe"] for c in clean], "clean")]
    clean_diff, _ = _by_layer(probes, [c["probe"] for c in clean], clean_layers, seeds)
  if clean_diff is not None:  # Secondary view: clean-bank k-NN against the clean-label run.
    evidence["clean_layers"] = clean_layers
    evidence[f"clean_{declared.PRIMARY_K}_minus_clean_run"] = clean_diff.mean(0).tolist()
  why = verdicts.unfitted({"random_augmented": augmented}, threshold=fit_threshold)
  if why:
    return untestable(why, evidence)
  early_diff = noisy_diff[:, :len(early)]
  p_equivalent = stats.tost_p(early_diff.T, margin)
  p_memorizes = stats.t_p_greater(early_diff.T, margin)
  holm_equivalent, holm_memorizes = stats.holm(p_equivalent), stats.holm(p_memorizes)
  alpha = declared.ALPHA_SIDE
  per_layer = {}
  for i, layer in enumerate(early):
    mean, lo, hi = stats.t_interval(early_diff[:, i])
    per_layer[layer] = {
        "difference": float(mean), "interval": [float(lo), float(hi)],
        "n": int(early_diff.shape[0]), "p_tost": float(p_equivalent[i]),
        "p_tost_holm": float(holm_equivalent[i]), "p_memorizes": float(p_memorizes[i]),
        "p_memorizes_holm": float(holm_memorizes[i]),
        "verdict": declared.HELD if holm_equivalent[i] <= alpha else declared.CONTRADICTED
                   if holm_memorizes[i] <= alpha else declared.INCONCLUSIVE}
  evidence["early_layer_equivalence"] = per_layer
  # Named: the layer farthest from equivalence. Holm values tie at 1 for every layer far
  # outside the margin, so the raw TOST p and then the distance from zero break the tie.
  worst = int(np.lexsort((np.abs(early_diff.mean(0)), p_equivalent))[-1])
  mean, lo, hi = stats.t_interval(early_diff[:, worst])
  test = stats.test_record(
      f"noisy-bank {declared.PRIMARY_K} at {early[worst]} (of the {len(early)} early layers, "
      f"the nearest to failing), augmented run minus random init with the same noisy labels, "
      f"within +-{margin}", mean, margin, (lo, hi), early_diff.shape[0],
      f"{verdicts.LEVEL_TEXT} t interval over seeds, paired by seed; two one-sided t tests "
      f"(TOST) at every early layer, Holm across the {len(early)} early layers (all must be "
      f"equivalent); contradicted when some early layer exceeds +{margin} (Holm)",
      p=float(p_equivalent[worst]), p_holm=float(holm_equivalent[worst]))
  last_test, above = verdicts.t_test(
      f"noisy-bank {declared.PRIMARY_K} at {final}, augmented run minus random init with the "
      "same noisy labels", noisy_diff[:, endpoints.index(final)], "paired by seed")
  test["also"] = last_test
  equivalent = all(p <= alpha for p in holm_equivalent)
  if equivalent and above == declared.HELD:
    verdict = declared.HELD
  elif any(p <= alpha for p in holm_memorizes) or above == declared.CONTRADICTED:
    verdict = declared.CONTRADICTED
  else:
    verdict = declared.INCONCLUSIVE
  return verdicts.line(claim, verdict, evidence, test, source=declared.BENIGN)


def features_survive_with_augmentation(augmented: list, plain: list, random_init: list, *,
                                       fit_threshold: float = constants.FIT_THRESHOLD) -> dict:
  """Random labels: the encoder output's clean-bank k-NN with augmentation beats the
  plain run's and the random-init network's (paired by seed; both must hold).

  `random_init`: per seed, the random-init control's probe table (clean bank).
  All layers against the plain run, Holm-corrected, are a secondary view.

  Args:
    augmented: result records, one per seed: random labels with augmentation.
    plain: result records, one per seed: random labels without augmentation.
    random_init: per seed, the random-init network's probe table.
    fit_threshold: the memorization gate: both runs' fit of their random labels in every
      seed.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("features survive random labels with augmentation: encoder-output k-NN above "
           "the run without augmentation and above random initialisation")
  why = verdicts.paired(augmented, plain)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why, source=declared.BENIGN)
  if not all(r.get("probe") for r in augmented + plain) or \
      len(random_init) != len(augmented) or not all(random_init):
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason="needs probes of both runs "
                         "and the random-init control per seed", source=declared.BENIGN)
  probes = [r["probe"] for r in augmented]
  endpoints = [e for e in _common_endpoints(probes, "clean")
               if e in _common_endpoints([r["probe"] for r in plain], "clean")]
  if not endpoints:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason="no endpoint has a clean-bank "
                         "probe in every seed of both runs", source=declared.BENIGN)
  layer = readings.encoder_endpoint(endpoints)
  seeds = [readings.seed(r) for r in augmented]
  vs_plain, missing = _by_layer(probes, [r["probe"] for r in plain], endpoints, seeds)
  vs_init, missing_init = _by_layer(probes, random_init, [layer], seeds)
  if vs_plain is None or vs_init is None:
    return verdicts.line(claim, declared.NOT_TESTABLE, {"layer": layer},
                         reason=f"{missing or missing_init} (augmented, plain or random init)",
                         source=declared.BENIGN)
  vs_init = vs_init[:, 0]
  evidence = {"layer": layer, "seeds": seeds,
              f"{declared.PRIMARY_K}_with_augmentation": [readings.probe_k(a["probe"], layer)
                                                          for a in augmented],
              f"{declared.PRIMARY_K}_without": [readings.probe_k(p["probe"], layer)
                                                for p in plain],
              f"{declared.PRIMARY_K}_random_init": [readings.probe_k(r, layer)
                                                    for r in random_init],
              "endpoints": endpoints, "fit_threshold": fit_threshold,
              "holm_p_by_layer_vs_plain": stats.holm(stats.t_p_greater(vs_plain.T)).tolist()}
  why = verdicts.unfitted({"random_augmented": augmented, "random_plain": plain},
                          threshold=fit_threshold)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why,
                         source=declared.BENIGN)
  test, above_plain = verdicts.t_test(
      f"clean-bank {declared.PRIMARY_K} at {layer}, augmented minus plain",
      vs_plain[:, endpoints.index(layer)], "paired by seed")
  init_test, above_init = verdicts.t_test("augmented minus random init", vs_init, "paired by seed")
  test["also"] = init_test
  return verdicts.line(claim, verdicts.combine([above_plain, above_init]), evidence, test,
                       source=declared.BENIGN)


def per_view_labels_not_fitted(per_view: list, per_example: list) -> dict:
  """Per-view labels stay below the fit threshold within the budget that fits
  per-example labels (of the same pool): per-view fit's interval below constants.FIT_THRESHOLD.

  Args:
    per_view: result records, one per seed: per-view random labels.
    per_example: result records, one per seed: per-example random labels, same pool.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "per-view labels cannot be fitted within the budget that fits per-example labels"
  why = verdicts.paired(per_view, per_example)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why, source=declared.BENIGN)
  key = "memorization/view_fit"
  view_fit = [readings.metric(r, key) for r in per_view]
  example_key = key if all(readings.metric(r, key) is not None for r in per_example) \
      else "memorization/fit_corrupted"
  example_fit = [readings.metric(r, example_key) for r in per_example]
  if None in view_fit or None in example_fit:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason="needs the view fit of both runs",
                         source=declared.BENIGN)
  evidence = {"per_view_fit": view_fit, "per_example_fit": example_fit,
              "threshold": constants.FIT_THRESHOLD, "epochs": readings.budget(per_view[0])}
  why = verdicts.unfitted({"per-example": per_example}, example_key)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence, reason=why,
                         source=declared.BENIGN)
  test, verdict = verdicts.t_test("per-view label fit", view_fit,
                                  "one sample against the threshold",
                                  null=constants.FIT_THRESHOLD, side="less")
  return verdicts.line(claim, verdict, evidence, test, source=declared.BENIGN)
