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

"""Verdicts on the papers' claims, each a statistical test with a stated null.

Every check takes the records of the runs a claim rests on - one per seed, conditions
paired by seed (same data, noise and initial weights) - and returns one line:
  claim     what is claimed, and whose claim it is (`source`)
  verdict   held / contradicted / inconclusive / not testable (then `reason`)
  evidence  the per-seed numbers and their controls
  test      {statistic, value, null, interval, n, method}: the primary statistic,
            declared here in advance, its value, its value under the null (or the
            control's), its interval over runs, the number of runs, and how.
The unit is the run: intervals are over seeds (suite.results.stats), never over the
examples of one run; fewer than MIN_SEEDS seeds, or records without distinct named seeds,
make a claim not testable, and a seed whose measurements hold a NaN is left out and named.
`held` needs the interval to exclude the null on the claimed side; equivalence needs two
one-sided tests against a margin declared in advance. Claims that need the noise
memorized are not testable when it was not fitted to FIT_THRESHOLD (or the gate a
benign claim is given). Epochs read off the evaluation grid are known within brackets
(fit_bracket), and the claims whose statistic the rounding could move take the least
favourable end. Each check's level under adversarial nulls and its power are measured
in tests/results/test_claims_calibration.py (docs/claims.md).
"""

from collections.abc import Sequence
import math

import numpy as np

from suite import constants
from suite.results import stats

HELD, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE = (stats.HELD, stats.CONTRADICTED,
                                                 stats.INCONCLUSIVE, stats.NOT_TESTABLE)
VERDICTS = (HELD, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE)
# A set of labels counts as fitted (memorized) at this training accuracy: the one value
# of suite.constants (kept as a name here for the checks below and their callers).
FIT_THRESHOLD = constants.FIT_THRESHOLD
MIN_SEEDS = stats.MIN_SEEDS
# Declared in advance: the k of the k-NN probe every claim reads.
PRIMARY_K = constants.HEADLINE_KEY
# Equivalence margins (absolute accuracy), declared in advance.
LAYER_MARGIN = 0.05  # Clean-bank k-NN of an early layer "within the clean-label run's".
VALIDATION_MARGIN = 0.02  # A regularizer "not worse than the baseline" on validation.
# Loss sensitivity: the evaluations in this fraction of the budget (epoch 0 excluded).
GINI_WINDOW = (0.0, 0.25)
# A trend over training needs at least this many evaluations per seed.
MIN_TREND_POINTS = 5
# The epoch after which per-example difficulty is read (Arpit et al., Fig. 1).
DIFFICULTY_EPOCH = 1

ARPIT = "Arpit et al. 2017"
BENIGN = "Anagnostidis et al. 2023"
BRIEF = "the project brief's hypothesis (not a claim of Arpit et al. 2017)"
_LEVEL = f"{stats.LEVEL:.0%}"


def _line(claim, verdict, evidence, test=None, reason=None, source=ARPIT):
  if verdict == HELD and not test:
    raise ValueError("a held verdict needs its test")
  line = {"claim": claim, "source": source, "verdict": verdict, "evidence": evidence}
  if test:
    line["test"] = test
  if reason:
    line["reason"] = reason
  return line


def not_testable(claim: str, reason: str, source: str = ARPIT) -> dict:
  """A line for a claim whose precondition failed before any check could run.

  Args:
    claim: the claim, in words.
    reason: why it cannot be tested.
    source: whose claim it is (a paper).

  Returns:
    The NOT_TESTABLE claim line.
  """
  return _line(claim, NOT_TESTABLE, {}, reason=reason, source=source)


def _seed(rec):
  return rec.get("settings", {}).get("train", {}).get("seed")


def _paired(*groups) -> str | None:
  """Why the groups (lists of records, one per seed) cannot be compared, or None.

  Every record must name its seed, and the seeds of a group must be distinct: the same
  run passed twice is one run, not two (it would shrink the interval to nothing)."""
  n = len(groups[0])
  if any(len(g) != n for g in groups):
    return "the conditions ran for different seeds"
  for group in groups:
    seeds = [_seed(r) for r in group]
    if any(s is None for s in seeds):
      return "a record names no seed (settings.train.seed): runs cannot be told apart"
    repeated = sorted({str(s) for s in seeds if seeds.count(s) > 1})
    if repeated:
      return (f"seed {', '.join(repeated)} appears more than once: the same run counted "
              "twice is one run")
  for recs in zip(*groups):
    if len({_seed(r) for r in recs}) > 1:
      return "the conditions are not paired by seed"
  if n < MIN_SEEDS:
    return f"{n} seed(s); a claim needs at least {MIN_SEEDS} (the unit is the run)"
  epochs = {r.get("settings", {}).get("train", {}).get("epochs") for g in groups for r in g}
  if len(epochs) > 1:
    return "the runs trained for different budgets"
  return None


def _metric(rec, key):
  value = rec.get("metrics", {}).get(key)
  return None if value is None or value != value else float(value)


def _budget(rec):
  return rec.get("settings", {}).get("train", {}).get("epochs")


def _k(table, endpoint, bank="clean"):
  value = (table or {}).get(bank, {}).get(endpoint, {}).get(PRIMARY_K)
  return None if value is None else float(value)


def _unfitted(groups: dict, key="memorization/fit_corrupted",
              threshold: float = FIT_THRESHOLD) -> str | None:
  """The reason a claim needing memorization is not testable, or None."""
  for name, recs in groups.items():
    fits = [_metric(r, key) for r in recs]
    if any(f is None for f in fits):
      return f"the {name} runs have no {key}"
    if min(fits) < threshold:
      return (f"the noise was not memorized: {name} {key} {min(fits):.3f} < "
              f"{threshold} (the gate) in some seed")
  return None


def _drop_nan(seeds: list, values: list, what: str) -> tuple[list[int], list[dict]]:
  """The positions of the seeds whose values are all numbers, and the others named: a NaN
  is a failed measurement, never a value that counts (nor a correlation of 0)."""
  kept, dropped = [], []
  for i, (seed, value) in enumerate(zip(seeds, values)):
    if np.isnan(np.asarray(value, np.float64)).any():
      dropped.append({"seed": seed, "reason": f"NaN in {what}"})
    else:
      kept.append(i)
  return kept, dropped


def _t_test(statistic, values, method, null=0.0, side="greater", **extra):
  values = np.asarray(values, np.float64)
  mean, lo, hi = stats.t_interval(values)
  p = stats.t_p_greater(values, null) if side == "greater" else stats.t_p_greater(-values,
                                                                                  -null)
  test = stats.test_record(statistic, mean, null, (lo, hi), len(values),
                           f"{_LEVEL} t interval over seeds, {method}", p=float(p), **extra)
  return test, stats.side_verdict(lo, hi, null, side)


def _combine(verdicts):
  """Intersection-union: held only when every part is held; contradicted when any is."""
  if all(v == HELD for v in verdicts):
    return HELD
  if any(v == CONTRADICTED for v in verdicts):
    return CONTRADICTED
  return INCONCLUSIVE


# The head's endpoints (projector and logits): the last layers unless declared otherwise.
HEAD_ENDPOINTS = ("projector_hidden", "logits")


def encoder_endpoint(endpoints: Sequence[str]) -> str:
  """The encoder output: the last endpoint before the head (projector and logits).

  Args:
    endpoints: the model's endpoints, input to output.

  Returns:
    The name of the encoder output.
  """
  body = [e for e in endpoints if e not in HEAD_ENDPOINTS]
  return body[-1] if body else endpoints[-1]


# Benign memorization (Anagnostidis et al. 2023).


def _common_endpoints(tables: list, bank: str) -> list[str]:
  """The endpoints every table probed in `bank`, in the first table's order."""
  first = tables[0] or {}
  order = list(first.get("endpoints") or first.get(bank, {}))
  return [e for e in order if all(e in (t or {}).get(bank, {}) for t in tables)]


def _by_layer(tables_a: list, tables_b: list, endpoints: list, seeds: list,
              bank_a: str = "clean", bank_b: str = "clean"
              ) -> tuple[np.ndarray | None, str | None]:
  """[seeds, endpoints] of tables_a's PRIMARY_K minus tables_b's, or (None, the first
  missing value named)."""
  rows = []
  for seed, a, b in zip(seeds, tables_a, tables_b):
    row = []
    for endpoint in endpoints:
      x, y = _k(a, endpoint, bank_a), _k(b, endpoint, bank_b)
      if x is None or y is None or x != x or y != y:
        return None, f"seed {seed} has no {bank_a}-bank {PRIMARY_K} at {endpoint}"
      row.append(x - y)
    rows.append(row)
  return np.array(rows, np.float64).reshape(len(rows), len(endpoints)), None


def memorization_in_last_layers(augmented: list, clean: list | None, random_init_noisy: list,
                                margin: float = LAYER_MARGIN, *,
                                last_layers: Sequence[str] | None = None,
                                fit_threshold: float = FIT_THRESHOLD) -> dict:
  """On the augmented random-label run, memorization is in the last layers only.

  Per seed and endpoint: noisy-bank PRIMARY_K k-NN of the augmented random-label run
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
  untestable = lambda reason, evidence=None: _line(claim, NOT_TESTABLE, evidence or {},
                                                   reason=reason, source=BENIGN)
  clean = clean or []
  why = _paired(augmented, clean) if clean else _paired(augmented)
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
    last = [e for e in HEAD_ENDPOINTS if e in endpoints] or endpoints[-1:]
  else:
    last = list(last_layers)
    absent = [e for e in last if e not in endpoints]
    if absent or not last:
      return untestable(f"the declared last layers {absent or last} are not probed (noisy "
                        "bank) in every seed, augmented and random init")
  first_last = min(endpoints.index(e) for e in last)
  early = endpoints[:first_last]
  final = max(last, key=endpoints.index)
  seeds = [_seed(r) for r in augmented]
  evidence: dict = {"endpoints": endpoints, "early_layers": early, "last_layers": last,
                    "final_layer": final, "margin": margin, "fit_threshold": fit_threshold,
                    "seeds": seeds}
  if not early:
    return untestable(f"no endpoint before the declared last layers {last}", evidence)
  noisy_diff, missing = _by_layer(probes, random_init_noisy, endpoints, seeds, "noisy",
                                  "noisy")
  if noisy_diff is None:
    return untestable(f"{missing} (augmented or random init)", evidence)
  evidence[f"noisy_{PRIMARY_K}_minus_random_init"] = noisy_diff.mean(0).tolist()
  evidence["holm_p_noisy_above_random_init"] = stats.holm(
      stats.t_p_greater(noisy_diff.T)).tolist()
  clean_diff = None
  if clean:
    clean_layers = [e for e in _common_endpoints(probes, "clean")
                    if e in _common_endpoints([c["probe"] for c in clean], "clean")]
    clean_diff, _ = _by_layer(probes, [c["probe"] for c in clean], clean_layers, seeds)
  if clean_diff is not None:  # Secondary view: clean-bank k-NN against the clean-label run.
    evidence["clean_layers"] = clean_layers
    evidence[f"clean_{PRIMARY_K}_minus_clean_run"] = clean_diff.mean(0).tolist()
  why = _unfitted({"random_augmented": augmented}, threshold=fit_threshold)
  if why:
    return untestable(why, evidence)
  early_diff = noisy_diff[:, :len(early)]
  p_equivalent = stats.tost_p(early_diff.T, margin)
  p_memorizes = stats.t_p_greater(early_diff.T, margin)
  holm_equivalent, holm_memorizes = stats.holm(p_equivalent), stats.holm(p_memorizes)
  alpha = stats.ALPHA_SIDE
  per_layer = {}
  for i, layer in enumerate(early):
    mean, lo, hi = stats.t_interval(early_diff[:, i])
    per_layer[layer] = {
        "difference": float(mean), "interval": [float(lo), float(hi)],
        "n": int(early_diff.shape[0]), "p_tost": float(p_equivalent[i]),
        "p_tost_holm": float(holm_equivalent[i]), "p_memorizes": float(p_memorizes[i]),
        "p_memorizes_holm": float(holm_memorizes[i]),
        "verdict": HELD if holm_equivalent[i] <= alpha else CONTRADICTED
                   if holm_memorizes[i] <= alpha else INCONCLUSIVE}
  evidence["early_layer_equivalence"] = per_layer
  worst = int(np.argmax(holm_equivalent))
  mean, lo, hi = stats.t_interval(early_diff[:, worst])
  test = stats.test_record(
      f"noisy-bank {PRIMARY_K} at {early[worst]} (of the {len(early)} early layers, the "
      f"nearest to failing), augmented run minus random init with the same noisy labels, "
      f"within +-{margin}", mean, margin, (lo, hi), early_diff.shape[0],
      f"{_LEVEL} t interval over seeds, paired by seed; two one-sided t tests (TOST) at "
      f"every early layer, Holm across the {len(early)} early layers (all must be "
      f"equivalent); contradicted when some early layer exceeds +{margin} (Holm)",
      p=float(p_equivalent[worst]), p_holm=float(holm_equivalent[worst]))
  last_test, above = _t_test(f"noisy-bank {PRIMARY_K} at {final}, augmented run minus random "
                             "init with the same noisy labels",
                             noisy_diff[:, endpoints.index(final)], "paired by seed")
  test["also"] = last_test
  equivalent = all(p <= alpha for p in holm_equivalent)
  if equivalent and above == HELD:
    verdict = HELD
  elif any(p <= alpha for p in holm_memorizes) or above == CONTRADICTED:
    verdict = CONTRADICTED
  else:
    verdict = INCONCLUSIVE
  return _line(claim, verdict, evidence, test, source=BENIGN)


def features_survive_with_augmentation(augmented: list, plain: list, random_init: list, *,
                                       fit_threshold: float = FIT_THRESHOLD) -> dict:
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
  why = _paired(augmented, plain)
  if why:
    return _line(claim, NOT_TESTABLE, {}, reason=why, source=BENIGN)
  if not all(r.get("probe") for r in augmented + plain) or \
      len(random_init) != len(augmented) or not all(random_init):
    return _line(claim, NOT_TESTABLE, {}, reason="needs probes of both runs and the "
                 "random-init control per seed", source=BENIGN)
  probes = [r["probe"] for r in augmented]
  endpoints = [e for e in _common_endpoints(probes, "clean")
               if e in _common_endpoints([r["probe"] for r in plain], "clean")]
  if not endpoints:
    return _line(claim, NOT_TESTABLE, {}, reason="no endpoint has a clean-bank probe in "
                 "every seed of both runs", source=BENIGN)
  layer = encoder_endpoint(endpoints)
  seeds = [_seed(r) for r in augmented]
  vs_plain, missing = _by_layer(probes, [r["probe"] for r in plain], endpoints, seeds)
  vs_init, missing_init = _by_layer(probes, random_init, [layer], seeds)
  if vs_plain is None or vs_init is None:
    return _line(claim, NOT_TESTABLE, {"layer": layer}, reason=f"{missing or missing_init} "
                 "(augmented, plain or random init)", source=BENIGN)
  vs_init = vs_init[:, 0]
  evidence = {"layer": layer, "seeds": seeds,
              f"{PRIMARY_K}_with_augmentation": [_k(a["probe"], layer) for a in augmented],
              f"{PRIMARY_K}_without": [_k(p["probe"], layer) for p in plain],
              f"{PRIMARY_K}_random_init": [_k(r, layer) for r in random_init],
              "endpoints": endpoints, "fit_threshold": fit_threshold,
              "holm_p_by_layer_vs_plain": stats.holm(stats.t_p_greater(vs_plain.T)).tolist()}
  why = _unfitted({"random_augmented": augmented, "random_plain": plain},
                  threshold=fit_threshold)
  if why:
    return _line(claim, NOT_TESTABLE, evidence, reason=why, source=BENIGN)
  test, above_plain = _t_test(f"clean-bank {PRIMARY_K} at {layer}, augmented minus plain",
                              vs_plain[:, endpoints.index(layer)], "paired by seed")
  init_test, above_init = _t_test("augmented minus random init", vs_init, "paired by seed")
  test["also"] = init_test
  return _line(claim, _combine([above_plain, above_init]), evidence, test, source=BENIGN)


def per_view_labels_not_fitted(per_view: list, per_example: list) -> dict:
  """Per-view labels stay below the fit threshold within the budget that fits
  per-example labels (of the same pool): per-view fit's interval below FIT_THRESHOLD.

  Args:
    per_view: result records, one per seed: per-view random labels.
    per_example: result records, one per seed: per-example random labels, same pool.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "per-view labels cannot be fitted within the budget that fits per-example labels"
  why = _paired(per_view, per_example)
  if why:
    return _line(claim, NOT_TESTABLE, {}, reason=why, source=BENIGN)
  key = "memorization/view_fit"
  view_fit = [_metric(r, key) for r in per_view]
  example_key = key if all(_metric(r, key) is not None for r in per_example) \
      else "memorization/fit_corrupted"
  example_fit = [_metric(r, example_key) for r in per_example]
  if None in view_fit or None in example_fit:
    return _line(claim, NOT_TESTABLE, {}, reason="needs the view fit of both runs",
                 source=BENIGN)
  evidence = {"per_view_fit": view_fit, "per_example_fit": example_fit,
              "threshold": FIT_THRESHOLD, "epochs": _budget(per_view[0])}
  why = _unfitted({"per-example": per_example}, example_key)
  if why:
    return _line(claim, NOT_TESTABLE, evidence, reason=why, source=BENIGN)
  test, verdict = _t_test("per-view label fit", view_fit, "one sample against the threshold",
                          null=FIT_THRESHOLD, side="less")
  return _line(claim, verdict, evidence, test, source=BENIGN)


# Fitting order (Arpit et al. 2017, section 3).


def epochs_to_fit(rec: dict, key: str = "memorization/train_fit",
                  threshold: float = FIT_THRESHOLD) -> int | None:
  """The first recorded epoch whose `key` reaches `threshold`, or None.

  Args:
    rec: a result record with a `history`.
    key: the fit metric.
    threshold: the fit threshold.

  Returns:
    The epoch, or None if never reached.
  """
  for entry in rec.get("history", []):
    value = entry.get(key)
    if value is not None and value >= threshold:
      return entry["epoch"]
  return None


def fit_bracket(rec: dict, key: str = "memorization/train_fit",
                threshold: float = FIT_THRESHOLD) -> tuple[float, float] | None:
  """When `key` first reached `threshold`, as the evaluation grid knows it: (lo, hi], the
  epoch of the evaluation before the first one at or above it (0 if none) and that
  evaluation's epoch; (last evaluation, inf) when it never did; None without any
  evaluation of `key`. Reading the epoch off the grid (epochs_to_fit) rounds it up by
  up to one grid step, which is relatively more for a quantity fitted early.

  Args:
    rec: a result record with a `history`.
    key: the fit metric.
    threshold: the fit threshold.

  Returns:
    (lo, hi) in epochs, or None.
  """
  previous, seen = 0.0, False
  for entry in rec.get("history", []):
    value = entry.get(key)
    if value is None or value != value:
      continue
    seen = True
    if value >= threshold:
      return previous, float(entry["epoch"])
    previous = float(entry["epoch"])
  return (previous, math.inf) if seen else None


def _bracket_json(bracket):
  return None if bracket is None else [bracket[0], bracket[1] if math.isfinite(bracket[1])
                                       else "never"]


def _fitted_first(claim, early: list, late: list, early_key, late_key, names):
  """Per seed: epochs to fit `late` minus epochs to fit `early`; a `late` never fitted
  is censored at the budget (a lower bound, so the difference only shrinks)."""
  early_epochs = [epochs_to_fit(r, early_key) for r in early]
  late_epochs = [epochs_to_fit(r, late_key) for r in late]
  evidence = {"threshold": FIT_THRESHOLD, f"epochs_{names[0]}": early_epochs,
              f"epochs_{names[1]}": late_epochs, "budget": _budget(late[0]),
              "seeds": [_seed(r) for r in early]}
  fitted = [e for e in early_epochs if e is not None]
  if len(fitted) < len(early_epochs):
    return _line(claim, NOT_TESTABLE, evidence,
                 reason=f"{names[0]} never reached {FIT_THRESHOLD} in some seed")
  differences = [(_budget(r) if e is None else e) - first
                 for r, e, first in zip(late, late_epochs, fitted)]
  test, verdict = _t_test(f"epochs to fit {names[1]} minus {names[0]}", differences,
                          f"paired by seed; {names[1]} never fitted censored at the budget")
  return _line(claim, verdict, evidence, test)


def real_data_fitted_before_noise(real: list, noise: list) -> dict:
  """Real labels reach the fit threshold in fewer epochs than random labels (separate
  runs, paired by seed).

  Args:
    real: result records, one per seed: real labels.
    noise: result records, one per seed: random labels.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "real data is fitted before noise (fewer epochs to reach the fit threshold)"
  why = _paired(real, noise)
  if why:
    return _line(claim, NOT_TESTABLE, {}, reason=why)
  return _fitted_first(claim, real, noise, "memorization/train_fit",
                       "memorization/train_fit", ("real", "noise"))


def clean_fitted_before_corrupted(records: list) -> dict:
  """Within runs with partial noise: clean examples reach the threshold first.

  Args:
    records: result records, one per seed: partially corrupted labels.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "real data is fitted before noise (clean examples reach the fit threshold first)"
  why = _paired(records)
  if why:
    return _line(claim, NOT_TESTABLE, {}, reason=why)
  return _fitted_first(claim, records, records, "memorization/fit_clean",
                       "memorization/fit_corrupted", ("clean", "corrupted"))


# Per-example difficulty (Arpit et al. 2017, Fig. 1).


def easy_examples_consistent_on_real_data(real_errors: np.ndarray, real_labels: np.ndarray,
                                          noise_errors: np.ndarray,
                                          noise_labels: np.ndarray, epoch: int = DIFFICULTY_EPOCH,
                                          view: str = "within-run clean vs corrupted",
                                          permutations: int = 200, seed: int = 0) -> dict:
  """Which examples are misclassified after `epoch` is more consistent across runs on
  real data than on noise (real more consistent, and above its own permutation null).

  real_errors / noise_errors: [runs, examples] booleans, one row per training seed (data
  fixed); labels: the assigned (training) labels, the strata of the permutation null.
  Noise examples whose random label equals the true class must be left out by the caller.
  Primary statistic: the latent correlation of errors between runs (the share of a
  latent difficulty that is the example's; stats.latent_correlation), real minus noise:
  unlike the dispersion of error rates it does not move with the error rate, and real
  data and noise are misclassified at very different rates after one epoch. Its interval
  is a jackknife over runs plus one over groups of examples (stats.latent_difference).
  Held when it lies above 0 and real data is above its within-run permutation null
  (p_real <= 2.5%, intersection-union); contradicted when it lies below 0.

  Args:
    real_errors: [runs, examples] booleans: misclassified real examples.
    real_labels: [examples] their labels.
    noise_errors: [runs, examples] booleans: misclassified noise examples.
    noise_labels: [examples] their labels.
    epoch: the epoch the errors were read at.
    view: which comparison the errors come from (reported).
    permutations: permutations of the null.
    seed: seed of the permutations.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("real data has a consistent set of easy examples and noise does not (per-example "
           f"error after epoch {epoch} more dispersed across runs on real data)")
  real_errors = np.asarray(real_errors, bool)
  noise_errors = np.asarray(noise_errors, bool)
  runs = real_errors.shape[0] if real_errors.ndim == 2 else 0
  evidence = {"epoch": epoch, "view": view, "runs": runs,
              "real_examples": int(real_errors.shape[-1]) if runs else 0,
              "noise_examples": int(noise_errors.shape[-1]) if noise_errors.ndim == 2 else 0}
  if runs < MIN_SEEDS or noise_errors.ndim != 2 or noise_errors.shape[0] != runs:
    return _line(claim, NOT_TESTABLE, evidence,
                 reason=f"{runs} run(s); needs at least {MIN_SEEDS} of each, paired")
  if real_errors.shape[1] < 2 or noise_errors.shape[1] < 2:
    return _line(claim, NOT_TESTABLE, evidence, reason="needs real and noise examples")
  result = stats.difficulty_test(real_errors, real_labels, noise_errors, noise_labels,
                                 permutations, seed)
  evidence.update({k: v for k, v in result.items() if k not in ("value", "interval")})
  if not all(math.isfinite(v) for v in [result["value"], *result["interval"]]):
    return _line(claim, NOT_TESTABLE, evidence, reason="no label stratum where two runs "
                 "both get some examples right and some wrong: no latent correlation")
  lo, hi = result["interval"]
  difference = stats.side_verdict(lo, hi, 0.0, "greater")
  real_alone = HELD if result["p_real"] <= stats.ALPHA_SIDE else INCONCLUSIVE
  test = stats.test_record(
      "latent correlation of errors between runs (0 = which examples are wrong is chance, "
      "1 = the same examples always wrong; the same at any error rate), real minus noise",
      result["value"], 0.0, result["interval"], runs,
      f"{_LEVEL} t interval ({runs - 1} df) from a jackknife over runs plus a jackknife over "
      f"{stats.EXAMPLE_GROUPS} groups of examples; held also needs real data above its "
      f"within-run permutation null stratified by label ({permutations} permutations, "
      f"p_real <= {stats.ALPHA_SIDE})", p_real=result["p_real"])
  verdict = _combine([difference, real_alone]) if difference != CONTRADICTED else CONTRADICTED
  return _line(claim, verdict, evidence, test)


# Loss sensitivity and critical samples (Arpit et al. 2017, sections 3.3 and 4).


def _window(rec, window):
  budget = _budget(rec) or 0
  lo, hi = window[0] * budget, max(1.0, window[1] * budget)
  return [h for h in rec.get("history", []) if h.get("epoch", 0) >= 1 and
          lo <= h["epoch"] <= hi]


def sensitivity_more_concentrated_on_real_data(records: list,
                                               window: tuple = GINI_WINDOW) -> dict:
  """Loss sensitivity has a higher Gini coefficient on real data than on noise.

  Per seed: the mean over the evaluations in the declared window (fractions of the
  budget, epoch 0 excluded) of Gini(clean) - Gini(corrupted), on equal-sized samples;
  a t interval over seeds.

  Args:
    records: result records, one per seed, with loss-sensitivity Gini histories.
    window: fractions of the budget averaged over.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "loss sensitivity is more concentrated (higher Gini) on real data than on noise"
  why = _paired(records)
  if why:
    return _line(claim, NOT_TESTABLE, {}, reason=why)
  per_seed = []
  for rec in records:
    entries = [h for h in _window(rec, window) if h.get("sensitivity/gini_clean") is not None
               and h.get("sensitivity/gini_corrupted") is not None]
    if not entries:
      return _line(claim, NOT_TESTABLE, {"window": list(window)}, reason="no loss-sensitivity "
                   "evaluation of clean and corrupted examples in the window")
    per_seed.append(float(np.mean([h["sensitivity/gini_clean"] - h["sensitivity/gini_corrupted"]
                                   for h in entries])))
  seeds = [_seed(r) for r in records]
  kept, dropped = _drop_nan(seeds, per_seed, "the Gini coefficients in the window")
  evidence = {"window": list(window), "per_seed_difference": per_seed, "seeds": seeds,
              "dropped_seeds": dropped}
  if len(kept) < MIN_SEEDS:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(kept)} seed(s) with numbers; "
                 f"a claim needs at least {MIN_SEEDS}")
  test, verdict = _t_test("Gini(clean) - Gini(corrupted), mean over the window",
                          [per_seed[i] for i in kept], "one value per seed" +
                          (f"; {len(dropped)} seed(s) left out (NaN)" if dropped else ""))
  return _line(claim, verdict, evidence, test)


def _series(rec, key):
  return [(h["epoch"], h[key]) for h in rec.get("history", []) if h.get(key) is not None]


def csr_grows_more_on_noise(records: list) -> dict:
  """The critical sample ratio rises over training, more on noise than on real data.

  Per seed: the least-squares line of CSR(corrupted) - CSR(clean) against the epoch, its
  rise from the first to the last evaluation (stats.fitted_rise), and the same of
  CSR(corrupted); a t interval over seeds of each; both must be above 0. The rise is a
  linear function of the series, so when the gap wanders with no trend (a random walk,
  autocorrelated noise) it is centred and Gaussian, and the t test over independent
  seeds keeps its level even when the seeds' spreads differ; a per-seed rank
  correlation is bounded and piles up near +-1 for a random walk, where a t interval
  over 3-5 of them is not a valid test. Epochs are never permuted (they are
  autocorrelated); seeds are the independent units. A seed with a NaN in its series is
  left out and named in the evidence.

  Args:
    records: result records, one per seed, with critical-sample-ratio histories.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "the critical sample ratio grows more on noise than on real data during training"
  why = _paired(records)
  if why:
    return _line(claim, NOT_TESTABLE, {}, reason=why)
  series = []
  for rec in records:
    clean = dict(_series(rec, "csr/clean"))
    noisy = dict(_series(rec, "csr/corrupted"))
    epochs = sorted(set(clean) & set(noisy))
    if len(epochs) < MIN_TREND_POINTS:
      return _line(claim, NOT_TESTABLE, {"evaluations": len(epochs)},
                   reason=f"{len(epochs)} CSR evaluations in a seed; a trend needs "
                   f"{MIN_TREND_POINTS}")
    series.append((epochs, [noisy[e] for e in epochs], [clean[e] for e in epochs]))
  seeds = [_seed(r) for r in records]
  kept, dropped = _drop_nan(seeds, [n + c for _, n, c in series], "the CSR series")
  gaps = [float(stats.fitted_rise(e, np.subtract(n, c))) for e, n, c in series]
  growth = [float(stats.fitted_rise(e, n)) for e, n, _ in series]
  evidence = {"rise_gap_per_seed": gaps, "rise_corrupted_per_seed": growth, "seeds": seeds,
              "dropped_seeds": dropped}
  if len(kept) < MIN_SEEDS:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(kept)} seed(s) with a CSR "
                 f"series free of NaN; a claim needs at least {MIN_SEEDS}")
  method = "one least-squares rise per seed" + (
      f"; {len(dropped)} seed(s) left out (NaN)" if dropped else "")
  test, gap_verdict = _t_test("rise over training of CSR corrupted - CSR clean (least-squares "
                              "line, first to last evaluation)", [gaps[i] for i in kept],
                              method)
  grows_test, grows = _t_test("rise over training of CSR corrupted",
                              [growth[i] for i in kept], method)
  test["also"] = grows_test
  return _line(claim, _combine([gap_verdict, grows]), evidence, test)


# Regularizers and capacity (Arpit et al. 2017, sections 4 and 5).


def _log_time_ratio(reg: dict, base: dict) -> tuple[float, float]:
  """Bounds on log(T_noise / T_clean) under the regularizer minus the same without it,
  from the grid brackets (lo, hi] of each time (fit_bracket)."""
  log = lambda x: math.log(x) if x > 0 else -math.inf
  lower = (log(reg["corrupted"][0]) - log(reg["clean"][1]) - log(base["corrupted"][1])
           + log(base["clean"][0]))
  upper = (log(reg["corrupted"][1]) - log(reg["clean"][0]) - log(base["corrupted"][0])
           + log(base["clean"][1]))
  return lower, upper


def regularizers_slow_noise_more(regularized: dict, baseline: list, num_classes: int,
                                 margin: float = VALIDATION_MARGIN, *,
                                 level: float = FIT_THRESHOLD) -> list[dict]:
  """One line per regularizer ({name: records per seed}), Holm-corrected as a family.

  At matched progress, not at a fixed epoch: per run, the epochs each kind of training
  example (clean, corrupted) takes to reach `level` of fit, and per seed the log of their
  ratio (noise over clean) under the regularizer minus without it. A regularizer that
  slows all learning by the same factor leaves the ratio unchanged, whether or not a fit
  has saturated by the end of the budget (comparing fits at the end mistakes that for
  slowing noise more: the clean fit is saturated, only the noisy one shows it). Epochs
  are read off the evaluation grid, so each is known within a bracket (fit_bracket; a
  noise never fitted under the regularizer: above the last evaluation); `held` takes
  the least favourable end of every bracket (t interval over seeds above 0,
  Holm-adjusted across the regularizers) and needs validation accuracy not worse than
  the baseline's by more than `margin` (one-sided non-inferiority); `contradicted`
  takes the most favourable end (t interval below 0). Not testable where the grid
  cannot bound the ratio: clean examples fitted by the first evaluation, or never under
  the regularizer (it stopped learning real data: no matched progress).

  Args:
    regularized: {regularizer name: records per seed}.
    baseline: result records, one per seed: no regularizer.
    num_classes: C (the final fits' log-odds above chance are reported in the evidence).
    margin: the validation non-inferiority margin.
    level: the fit level both kinds are timed to (declared; FIT_THRESHOLD by default).

  Returns:
    One claim line per regularizer, Holm-adjusted as a family.
  """
  lines: list[dict] = []
  pvalues: list[float | None] = []
  kinds = {"clean": "memorization/fit_clean", "corrupted": "memorization/fit_corrupted"}
  for name, recs in regularized.items():
    claim = (f"{name} slows memorization of noise more than learning of real data (epochs "
             "to fit noise over epochs to fit clean examples grow; validation not worse)")
    why = _paired(recs, baseline)
    validation = [_metric(r, "validation/accuracy") for r in recs]
    validation_base = [_metric(r, "validation/accuracy") for r in baseline]
    found = [[{k: fit_bracket(r, key, level) for k, key in kinds.items()} for r in group]
             for group in (recs, baseline)]
    brackets = [[{k: b for k, b in run.items() if b is not None} for run in group]
                for group in found]
    if not why and (None in validation + validation_base or any(
        len(run) < len(kinds) for group in brackets for run in group)):
      why = ("needs the fits of clean and corrupted examples over training (history) and a "
             "validation split")
    # Slowing memorization means something only where the baseline memorized the noise.
    why = why or _unfitted({"baseline": baseline})
    evidence: dict = {}
    if not why:
      evidence = {"seeds": [_seed(r) for r in recs], "level": level,
                  "budget": _budget(recs[0])}
      for label, group in (("", brackets[0]), ("_baseline", brackets[1])):
        for kind in kinds:
          evidence[f"epochs_{kind}{label}"] = [_bracket_json(run[kind]) for run in group]
      evidence.update({
          "fit_corrupted": [_metric(r, kinds["corrupted"]) for r in recs],
          "fit_corrupted_baseline": [_metric(r, kinds["corrupted"]) for r in baseline],
          "fit_clean": [_metric(r, kinds["clean"]) for r in recs],
          "validation": validation, "validation_baseline": validation_base})
      finals = [[_metric(r, kinds["corrupted"]) for r in g] for g in (baseline, recs)]
      if None not in finals[0] + finals[1]:
        evidence["final_logodds_noisy_drop"] = (
            stats.log_odds_above_chance(finals[0], num_classes)
            - stats.log_odds_above_chance(finals[1], num_classes)).tolist()
      if any(run["clean"][0] <= 0 for group in brackets for run in group):
        why = (f"clean examples reached {level} by the first evaluation in some run: "
               f"the evaluation grid cannot tell how much {name} slowed them (evaluate "
               "more often)")
      elif any(not math.isfinite(run["clean"][1]) for run in brackets[0]):
        why = (f"clean examples never reached {level} under {name} in some seed: it "
               "stopped learning real data, so there is no matched progress to compare at")
      elif any(not math.isfinite(run["corrupted"][1]) for run in brackets[1]):
        why = (f"the baseline's corrupted examples never reached {level} over its "
               "evaluations")
    if why:
      lines.append(_line(claim, NOT_TESTABLE, evidence, reason=why))
      pvalues.append(None)
      continue
    bounds = np.array([_log_time_ratio(r, b) for r, b in zip(*brackets)])
    lower, upper = bounds[:, 0], bounds[:, 1]
    evidence["log_time_ratio_lower"] = lower.tolist()
    evidence["log_time_ratio_upper"] = [u if math.isfinite(u) else "inf" for u in upper]
    statistic = ("log(epochs to fit noise / epochs to fit clean) with the regularizer minus "
                 "without, least favourable within the evaluation-grid brackets")
    method = "paired by seed; each epoch known within its evaluation-grid bracket"
    if np.isfinite(lower).all():
      test, verdict = _t_test(statistic, lower, method)
      verdict = HELD if verdict == HELD else INCONCLUSIVE  # A lower bound never contradicts.
    else:  # A noise fitted by the first evaluation under the regularizer: no lower bound.
      test = stats.test_record(statistic, None, 0.0, (None, None), len(lower),
                               f"{_LEVEL} t interval over seeds, {method}", p=1.0)
      verdict = INCONCLUSIVE
    if np.isfinite(upper).all():
      _, _, hi = stats.t_interval(upper)
      test["upper_bound_interval_hi"] = float(hi)
      if hi < 0:
        verdict = CONTRADICTED
    validation_difference = np.subtract(validation, validation_base)
    val_test, not_worse = _t_test(f"validation accuracy minus baseline (margin {margin})",
                                  validation_difference, "paired by seed, non-inferiority",
                                  null=-margin)
    test["also"] = val_test
    lines.append(_line(claim, verdict, evidence, test))
    lines[-1]["_parts"] = (verdict, not_worse)
    pvalues.append(test["p"])
  tested = [i for i, p in enumerate(pvalues) if p is not None]
  adjusted = stats.holm([p for p in pvalues if p is not None]) if tested else np.zeros(0)
  for i, p_holm in zip(tested, adjusted):
    line = lines[i]
    verdict, not_worse = line.pop("_parts")
    line["test"]["p_holm"] = float(p_holm)
    line["test"]["method"] += f"; Holm over {len(tested)} regularizers"
    if verdict == HELD and p_holm > stats.ALPHA_SIDE:
      verdict = INCONCLUSIVE
    line["verdict"] = _combine([verdict, not_worse]) if verdict != CONTRADICTED else verdict
  return lines


def capacity_speeds_up_noise_fitting(sweep: dict, setting: str, source: str = ARPIT,
                                     permutations: int = 2000) -> dict:
  """Across a capacity sweep ({value: records per seed}), epochs to fit the noise fall.

  Per seed, the Spearman correlation of capacity with epochs to fit the corrupted
  examples (never fitted: censored, ranked after every fitted value, ties shared);
  tested across seeds by permuting each seed's outcomes across the sweep points
  (Page's test). Not testable when the sweep cannot reach the level at all.

  Args:
    sweep: {capacity value: records per seed}.
    setting: the swept setting's name.
    source: whose claim it is.
    permutations: permutations of the trend's null.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  label = f" ({source})" if source != ARPIT else ""
  claim = (f"higher capacity ({setting}) fits noise in fewer epochs (epochs to reach the fit "
           f"threshold on corrupted examples shrink){label}")
  values = sorted(sweep)
  why = _paired(*[sweep[v] for v in values]) if values else "an empty sweep"
  epochs = [[epochs_to_fit(r, "memorization/fit_corrupted") for r in sweep[v]] for v in values]
  evidence = {setting: values, "epochs_corrupted": epochs, "threshold": FIT_THRESHOLD,
              "budget": _budget(sweep[values[0]][0]) if values else None}
  if why:
    return _line(claim, NOT_TESTABLE, evidence, reason=why, source=source)
  if len(values) < 3:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} sweep points; a trend "
                 "needs at least 3", source=source)
  if all(e is None for row in epochs for e in row):
    return _line(claim, NOT_TESTABLE, evidence, reason="no capacity fitted the noise within "
                 "the budget", source=source)
  outcomes = np.array([[math.inf if e is None else e for e in row] for row in epochs]).T
  result = stats.page_trend(outcomes, permutations)
  evidence["spearman_per_seed"] = result["per_seed"]
  if result["min_p"] > stats.ALPHA_SIDE:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} points x "
                 f"{outcomes.shape[0]} seeds: an exact permutation test cannot reach "
                 f"{stats.ALPHA_SIDE}", source=source)
  test = stats.test_record(
      "mean within-seed Spearman(capacity, epochs to fit noise)", result["value"],
      result["null"], result["interval"], outcomes.shape[0],
      f"{_LEVEL} range of the permutation null (each seed's outcomes permuted across "
      f"sweep points, {permutations} draws; Page's test); never fitted = censored",
      p_less=result["p_less"], p_greater=result["p_greater"])
  lo, hi = result["interval"]
  verdict = HELD if result["value"] < lo else CONTRADICTED if result["value"] > hi \
      else INCONCLUSIVE
  return _line(claim, verdict, evidence, test, source=source)


# Reports.


def format_lines(lines: list[dict]) -> str:
  """The claim lines as text, one verdict per line with its statistic and interval.

  Args:
    lines: claim lines.

  Returns:
    The report, one line per claim.
  """
  out = []
  for line in lines:
    test = line.get("test")
    numbers = ""
    if test:
      lo, hi = test["interval"]
      numbers = (f": {test['statistic']} = {_short(test['value'])} [{_short(lo)}, "
                 f"{_short(hi)}] vs null {_short(test['null'])}, n = {test['n']}")
      also = test.get("also")
      if isinstance(also, dict):
        numbers += (f"; and {also['statistic']} = {_short(also['value'])} "
                    f"[{_short(also['interval'][0])}, {_short(also['interval'][1])}]")
    reason = f" ({line['reason']})" if "reason" in line else ""
    where = f" [{' vs '.join(line['runs'])}]" if line.get("runs") else ""
    source = f" <{line['source']}>" if line.get("source") and line["source"] != ARPIT \
        and line["source"] != BENIGN else ""
    out.append(f"[{line['verdict']}]{where} {line['claim']}{source}{reason}{numbers}")
  return "\n".join(out)


def _short(value):
  if isinstance(value, list):
    return "[" + " ".join(_short(v) for v in value) + "]"
  return f"{value:.4f}" if isinstance(value, float) else str(value)


# Memorization dynamics: noise level, data size, early stopping and depth (Arpit et al.
# 2017, sections 4 and 5; depth is the project brief's hypothesis).

# Declared in advance: "much less" at the best-validation epoch is a gap of at least this
# much fit (absolute) between clean and corrupted examples.
EARLY_STOP_MARGIN = 0.2
# Declared in advance: "depth does not hurt" is validation accuracy not below the baseline
# depth's by more than this (absolute).
DEPTH_MARGIN = 0.02


def _trend(claim: str, sweep: dict, setting: str, outcome, side: str, statistic: str,
           source: str = ARPIT, permutations: int = 2000, evidence: dict | None = None) -> dict:
  """A within-seed trend of outcome(record) along the sorted sweep points ({value: records
  per seed}), tested as capacity_speeds_up_noise_fitting does (stats.page_trend, each
  seed's outcomes permuted across the points). outcome returns a float (inf: censored,
  ranked after every finite value) or None (missing: not testable). side: the claimed
  sign of the trend ('greater': the outcome grows with the setting)."""
  values = sorted(sweep)
  evidence = dict(evidence or {}, **{setting: values})
  why = _paired(*[sweep[v] for v in values]) if values else "an empty sweep"
  if why:
    return _line(claim, NOT_TESTABLE, evidence, reason=why, source=source)
  if len(values) < 3:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} sweep points; a trend "
                 "needs at least 3", source=source)
  outcomes = [[outcome(r) for r in sweep[v]] for v in values]
  evidence["outcomes"] = [[None if o is None else "NaN" if o != o else o if math.isfinite(o)
                           else "censored" for o in row] for row in outcomes]
  if any(o is None for row in outcomes for o in row):
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{statistic}: missing in some run",
                 source=source)
  table = np.array(outcomes, np.float64).T  # [seeds, points]
  kept, dropped = _drop_nan([_seed(r) for r in sweep[values[0]]], list(table), statistic)
  evidence["dropped_seeds"] = dropped
  if len(kept) < MIN_SEEDS:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(kept)} seed(s) with a number "
                 f"at every sweep point; a claim needs at least {MIN_SEEDS}", source=source)
  table = table[kept]
  if not np.isfinite(table).any():
    return _line(claim, NOT_TESTABLE, evidence, reason="censored at every sweep point",
                 source=source)
  result = stats.page_trend(table, permutations)
  evidence["spearman_per_seed"] = result["per_seed"]
  if result["min_p"] > stats.ALPHA_SIDE:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} points x "
                 f"{table.shape[0]} seeds: an exact permutation test cannot reach "
                 f"{stats.ALPHA_SIDE}", source=source)
  test = stats.test_record(
      f"mean within-seed Spearman({setting}, {statistic})", result["value"], result["null"],
      result["interval"], table.shape[0],
      f"{_LEVEL} range of the permutation null (each seed's outcomes permuted across sweep "
      f"points, {permutations} draws; Page's test)" + (
          f"; {len(dropped)} seed(s) left out (NaN)" if dropped else ""),
      p_less=result["p_less"], p_greater=result["p_greater"])
  lo, hi = result["interval"]
  value = result["value"]
  above, below = value > hi, value < lo
  if side == "greater":
    verdict = HELD if above else CONTRADICTED if below else INCONCLUSIVE
  else:
    verdict = HELD if below else CONTRADICTED if above else INCONCLUSIVE
  return _line(claim, verdict, evidence, test, source=source)


def _censored(epochs):
  return math.inf if epochs is None else float(epochs)


def noise_level_slows_fitting(sweep: dict, permutations: int = 2000) -> dict:
  """More label noise, more epochs to fit the training set (Arpit et al. 2017, Fig. 4).

  Per seed, the Spearman correlation of the noise level with the epochs to reach
  FIT_THRESHOLD on every training example (memorization/train_fit; never reached:
  censored); the trend across seeds by Page's permutation test (_trend).

  Args:
    sweep: {label noise: records per seed}, the baseline's level included.
    permutations: permutations of the trend's null.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("more label noise needs more epochs to fit the training set (epochs to reach the "
           "fit threshold on all training examples grow with the noise level)")
  return _trend(claim, sweep, "label_noise",
                lambda r: _censored(epochs_to_fit(r, "memorization/train_fit")), "greater",
                "epochs to fit the training set (never: censored)", permutations=permutations,
                evidence={"threshold": FIT_THRESHOLD})


def data_size_slows_noise_relative_to_real(sweep: dict) -> dict:
  """With more data, noise takes longer to fit relative to real data (Arpit et al. 2017).

  Per seed and size: epochs to fit the corrupted examples over epochs to fit the clean
  ones, known within the brackets of the evaluation grid (fit_bracket: the ratio lies in
  (lo_corrupted / hi_clean, hi_corrupted / lo_clean); corrupted never fitted: above the
  last evaluation over hi_clean; clean never fitted: not testable, there is no
  reference). Rounding each epoch up to the grid inflates the small clean counts of
  small sets relatively more, which alone makes the ratio rise with the size; so the
  trend is tested on the least favourable order of the ratios the brackets allow
  (stats.bracket_trend: the exact null of Page's test, each seed's true ratios in a
  random order across sizes). Held when even that order's mean within-seed Spearman
  correlation lies above the null's range; contradicted when even the most favourable
  lies below it.

  Args:
    sweep: {training-set size: records per seed}, the baseline's size included.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("with more data, noise takes longer to fit relative to real data (epochs to fit "
           "corrupted over epochs to fit clean examples grow with the training-set size)")
  values = sorted(sweep)
  evidence: dict = {"threshold": FIT_THRESHOLD, "train_size": values}
  why = _paired(*[sweep[v] for v in values]) if values else "an empty sweep"
  if why:
    return _line(claim, NOT_TESTABLE, evidence, reason=why)
  if len(values) < 3:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} sweep points; a trend "
                 "needs at least 3")
  if len(values) > stats.MAX_BRACKET_POINTS:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} sweep points; the "
                 f"bracketed trend enumerates orders of at most {stats.MAX_BRACKET_POINTS}")
  found = [[(fit_bracket(r, "memorization/fit_corrupted"),
             fit_bracket(r, "memorization/fit_clean")) for r in sweep[v]] for v in values]
  evidence["epochs_corrupted"] = [[_bracket_json(c) for c, _ in row] for row in found]
  evidence["epochs_clean"] = [[_bracket_json(c) for _, c in row] for row in found]
  brackets = [[(n, c) for n, c in row if n is not None and c is not None] for row in found]
  if any(len(row) < len(found_row) for row, found_row in zip(brackets, found)):
    return _line(claim, NOT_TESTABLE, evidence, reason="epochs to fit corrupted / clean "
                 "examples: missing in some run (no fit history)")
  if any(not math.isfinite(c[1]) for row in brackets for _, c in row):
    return _line(claim, NOT_TESTABLE, evidence, reason=f"clean examples never reached "
                 f"{FIT_THRESHOLD} in some run: the ratio's reference is missing")
  lo = np.array([[n[0] / c[1] for n, c in row] for row in brackets]).T  # [seeds, points]
  hi = np.array([[n[1] / c[0] if c[0] > 0 else math.inf for n, c in row]
                 for row in brackets]).T
  evidence["ratio_brackets"] = [[[float(a), float(b) if math.isfinite(b) else "inf"]
                                 for a, b in zip(x, y)] for x, y in zip(lo.T, hi.T)]
  result = stats.bracket_trend(lo, hi)
  evidence["spearman_per_seed_least_favourable"] = result["lower"]
  evidence["spearman_per_seed_most_favourable"] = result["upper"]
  if result["min_p"] > stats.ALPHA_SIDE:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} points x "
                 f"{lo.shape[0]} seeds: an exact permutation test cannot reach "
                 f"{stats.ALPHA_SIDE}")
  test = stats.test_record(
      "mean within-seed Spearman(train_size, epochs to fit corrupted / epochs to fit clean), "
      "least favourable order within the evaluation-grid brackets", result["value_lower"],
      result["null"], result["interval"], lo.shape[0],
      "range of the exact null of Page's test (each seed's ratios in a random order across "
      "sizes); held when the least favourable order lies above it (p_greater <= "
      f"{stats.ALPHA_SIDE}), contradicted when the most favourable lies below it",
      value_most_favourable=result["value_upper"], p_greater=result["p_greater"],
      p_less=result["p_less"])
  alpha = stats.ALPHA_SIDE + 1e-12
  verdict = HELD if result["p_greater"] <= alpha else CONTRADICTED \
      if result["p_less"] <= alpha else INCONCLUSIVE
  return _line(claim, verdict, evidence, test)


def window_mean(rec: dict, key: str, window: tuple = GINI_WINDOW) -> float | None:
  """The mean of `key` over the history entries in `window` (fractions of the budget,
  epoch 0 excluded), or None when none has it."""
  entries = [h[key] for h in _window(rec, window) if h.get(key) is not None]
  return float(np.mean(entries)) if entries else None


def gini_falls_with_noise(sweep: dict, window: tuple = GINI_WINDOW,
                          permutations: int = 2000) -> dict:
  """Loss sensitivity is less concentrated with more noise (Arpit et al. 2017, section 4).

  Per seed and noise level: the mean over the declared window (as
  sensitivity_more_concentrated_on_real_data) of the Gini coefficient of loss
  sensitivity on a fixed-size sample of the whole training set (sensitivity/gini_all:
  the noise share is the run's); its trend with the noise level by Page's test.

  Args:
    sweep: {label noise: records per seed}, the baseline's level included.
    window: fractions of the budget averaged over.
    permutations: permutations of the trend's null.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = ("loss sensitivity is less concentrated (lower Gini over the training set) with "
           "more label noise")
  return _trend(claim, sweep, "label_noise",
                lambda r: window_mean(r, "sensitivity/gini_all", window), "less",
                "Gini of loss sensitivity, mean over the window", permutations=permutations,
                evidence={"window": list(window)})


def best_validation_entry(rec: dict) -> dict | None:
  """The history entry of the best validation accuracy (the earliest of ties), or None.

  Args:
    rec: a result record with a `history`.

  Returns:
    The entry, or None without validation accuracy (NaN counts as none).
  """
  # NaN left out: max() would keep a NaN that comes first, as nothing compares above it.
  entries = [h for h in rec.get("history", []) if h.get("validation/accuracy") is not None
             and h["validation/accuracy"] == h["validation/accuracy"]]
  return max(entries, key=lambda h: h["validation/accuracy"]) if entries else None


def noise_fitted_less_at_best_validation(records: list,
                                         margin: float = EARLY_STOP_MARGIN) -> dict:
  """Early stopping (Arpit et al. 2017, section 5): at the epoch of best validation
  accuracy the noise is fitted much less than real data.

  Per seed, at that epoch: fit of clean minus fit of corrupted training examples. Null:
  the gap is at most `margin` (declared); held when the t interval over seeds lies above
  it, contradicted when below. Corrupted examples whose random label is the true class
  count as fitted when right: the gap is, if anything, understated. Not testable unless
  the noise is memorized (FIT_THRESHOLD) by the end of the budget in every seed: without
  memorization there is nothing for early stopping to prevent.

  Args:
    records: result records, one per seed, with validation and fit histories.
    margin: the declared margin ("much less").

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = (f"at the best-validation epoch the noise is fitted much less than real data "
           f"(fit of clean minus corrupted examples above {margin})")
  why = _paired(records)
  if why:
    return _line(claim, NOT_TESTABLE, {}, reason=why)
  gaps: list[float] = []
  evidence: dict = {"margin": margin, "seeds": [_seed(r) for r in records],
                    "best_validation_epoch": [], "fit_clean_at_best": [],
                    "fit_corrupted_at_best": [], "fit_corrupted_final": [],
                    "test_accuracy_at_best": [], "test_accuracy_final": []}
  for rec in records:
    best = best_validation_entry(rec)
    if best is None or best.get("memorization/fit_clean") is None or \
        best.get("memorization/fit_corrupted") is None:
      return _line(claim, NOT_TESTABLE, evidence, reason="needs validation accuracy and the "
                   "fits of clean and corrupted examples at the same evaluations")
    gaps.append(best["memorization/fit_clean"] - best["memorization/fit_corrupted"])
    evidence["best_validation_epoch"].append(best["epoch"])
    evidence["fit_clean_at_best"].append(best["memorization/fit_clean"])
    evidence["fit_corrupted_at_best"].append(best["memorization/fit_corrupted"])
    evidence["fit_corrupted_final"].append(_metric(rec, "memorization/fit_corrupted"))
    evidence["test_accuracy_at_best"].append(best.get("test/accuracy"))
    evidence["test_accuracy_final"].append(_metric(rec, "test/accuracy"))
  # Early stopping prevents memorization only where there is memorization to prevent.
  why = _unfitted({"partial-noise": records})
  if why:
    return _line(claim, NOT_TESTABLE, evidence, reason=why)
  test, verdict = _t_test("fit of clean minus fit of corrupted examples at the "
                          "best-validation epoch", gaps, f"paired within seed; null: gap "
                          f"<= {margin}", null=margin)
  return _line(claim, verdict, evidence, test)


def depth_does_not_hurt_generalization(sweep: dict, baseline_depth: int, model: str,
                                       margin: float = DEPTH_MARGIN) -> dict:
  """The project brief's hypothesis: depth does not hurt generalization.

  Per depth other than the baseline's, paired by seed: final validation accuracy minus
  the baseline depth's. Non-inferiority against the declared margin: held when, for
  every depth, the t interval over seeds lies above -margin (intersection-union, so no
  multiplicity correction); contradicted when, for some depth, it lies below -margin.
  The two-sided equivalence (TOST, +-margin) per depth is reported as evidence.

  Args:
    sweep: {depth: records per seed}, the baseline depth included.
    baseline_depth: the depth every other is compared with.
    model: the model's name (reported).
    margin: the declared margin (absolute validation accuracy).

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = (f"depth does not hurt generalization ({model}: final validation accuracy at every "
           f"depth not below depth {baseline_depth}'s by more than {margin})")
  depths = sorted(sweep)
  evidence: dict = {"model": model, "baseline_depth": baseline_depth, "margin": margin,
                    "depths": depths}
  if baseline_depth not in sweep or len(depths) < 2:
    return _line(claim, NOT_TESTABLE, evidence, reason="needs the baseline depth and another",
                 source=BRIEF)
  why = _paired(*[sweep[d] for d in depths])
  if why:
    return _line(claim, NOT_TESTABLE, evidence, reason=why, source=BRIEF)
  accuracy = {d: [_metric(r, "validation/accuracy") for r in sweep[d]] for d in depths}
  evidence["validation_accuracy"] = {str(d): accuracy[d] for d in depths}
  if any(a is None for values in accuracy.values() for a in values):
    return _line(claim, NOT_TESTABLE, evidence, reason="needs a validation split",
                 source=BRIEF)
  verdicts, tests, equivalence = [], {}, {}
  for depth in depths:
    if depth == baseline_depth:
      continue
    differences = np.subtract(accuracy[depth], accuracy[baseline_depth])
    test, verdict = _t_test(f"validation accuracy at depth {depth} minus depth "
                            f"{baseline_depth}", differences,
                            f"paired by seed, non-inferiority (margin {margin})", null=-margin)
    _, lo, hi = stats.t_interval(differences)
    equivalence[str(depth)] = stats.equivalence_verdict(lo, hi, margin)
    verdicts.append(verdict)
    tests[depth] = test
  evidence["equivalence_tost"] = equivalence
  evidence["tests"] = {str(d): t for d, t in tests.items()}
  worst = min(tests, key=lambda d: tests[d]["interval"][0])  # Nearest to failing.
  return _line(claim, _combine(verdicts), evidence, tests[worst], source=BRIEF)


# Malign memorization against the pool size (Anagnostidis et al. 2023, section 5).


def per_view_fit_falls_with_views(sweep: dict, permutations: int = 2000) -> dict:
  """Across a sweep of pool sizes ({n: per_view records per seed}), the fit of per-view
  random labels falls as n grows (the enlarged sample outgrows the network's capacity).

  Per seed, the Spearman correlation of n with the per-view fit (memorization/view_fit,
  every (example, view) against its own label); tested across seeds by permuting each
  seed's outcomes across the sweep points (Page's test, suite.results.stats.page_trend).
  Held when the mean correlation lies below the null's range, contradicted above it.

  Args:
    sweep: {pool size n: per_view records, one per seed}.
    permutations: permutations of the trend's null.

  Returns:
    The claim line: {claim, verdict, evidence, test, source[, reason]}.
  """
  claim = "per-view label fit falls as the pool size n grows"
  values = sorted(sweep)
  why = _paired(*[sweep[v] for v in values]) if values else "an empty sweep"
  fits = [[_metric(r, "memorization/view_fit") for r in sweep[v]] for v in values]
  evidence = {"num_views": values, "per_view_fit": fits,
              "epochs": _budget(sweep[values[0]][0]) if values else None}
  if why:
    return _line(claim, NOT_TESTABLE, evidence, reason=why, source=BENIGN)
  if len(values) < 3:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} pool sizes; a trend "
                 "needs at least 3", source=BENIGN)
  if any(f is None for row in fits for f in row):
    return _line(claim, NOT_TESTABLE, evidence, reason="needs the view fit of every run",
                 source=BENIGN)
  outcomes = np.array(fits, np.float64).T  # [seeds, points]
  result = stats.page_trend(outcomes, permutations)
  evidence["spearman_per_seed"] = result["per_seed"]
  if result["min_p"] > stats.ALPHA_SIDE:
    return _line(claim, NOT_TESTABLE, evidence, reason=f"{len(values)} points x "
                 f"{outcomes.shape[0]} seeds: an exact permutation test cannot reach "
                 f"{stats.ALPHA_SIDE}", source=BENIGN)
  test = stats.test_record(
      "mean within-seed Spearman(n, per-view fit)", result["value"], result["null"],
      result["interval"], outcomes.shape[0],
      f"{_LEVEL} range of the permutation null (each seed's outcomes permuted across "
      f"pool sizes, {permutations} draws; Page's test)",
      p_less=result["p_less"], p_greater=result["p_greater"])
  lo, hi = result["interval"]
  verdict = HELD if result["value"] < lo else CONTRADICTED if result["value"] > hi \
      else INCONCLUSIVE
  return _line(claim, verdict, evidence, test, source=BENIGN)
