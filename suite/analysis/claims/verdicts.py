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

"""The verdict machinery every claim shares: a claim's line, pairing by seed, the gates.

A claim line is {claim, source, verdict[, supports], evidence[, test][, reason]}: `held`
needs its test. Records are paired by seed (suite.analysis.claims.readings.seed), a claim
needs at least declared.MIN_SEEDS distinct seeds, and one-sided t tests over seeds give
the verdict of their side (suite.analysis.stats.side_verdict).
"""

import numpy as np

from suite import constants
from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import readings

LEVEL_TEXT = f"{declared.LEVEL:.0%}"  # How method strings name the level.


def line(claim: str, verdict: str, evidence: dict, test: dict | None = None,
         reason: str | None = None, source: str = declared.ARPIT,
         supports: str | None = None) -> dict:
  """One claim line: {claim, source, verdict[, supports], evidence[, test][, reason]}.

  Args:
    claim: the claim, in words.
    verdict: one of declared.VERDICTS; HELD needs `test`.
    evidence: the per-seed numbers and their controls.
    test: the primary statistic's test record (stats.test_record), if it ran.
    reason: why the claim is not testable, if it is not.
    source: whose claim it is (a paper).
    supports: which reading of a measurement the verdict supports (localization only).

  Returns:
    The claim line.
  """
  if verdict == declared.HELD and not test:
    raise ValueError("a held verdict needs its test")
  out: dict = {"claim": claim, "source": source, "verdict": verdict}
  if supports is not None:
    out["supports"] = supports
  out["evidence"] = evidence
  if test:
    out["test"] = test
  if reason:
    out["reason"] = reason
  return out


def not_testable(claim: str, reason: str, source: str = declared.ARPIT) -> dict:
  """A line for a claim whose precondition failed before any check could run.

  Args:
    claim: the claim, in words.
    reason: why it cannot be tested.
    source: whose claim it is (a paper).

  Returns:
    The NOT_TESTABLE claim line.
  """
  return line(claim, declared.NOT_TESTABLE, {}, reason=reason, source=source)


def paired(*groups) -> str | None:
  """Why the groups (lists of records, one per seed) cannot be compared, or None.

  Every record must name its seed, and the seeds of a group must be distinct: the same
  run passed twice is one run, not two (it would shrink the interval to nothing)."""
  n = len(groups[0])
  if any(len(g) != n for g in groups):
    return "the conditions ran for different seeds"
  for group in groups:
    seeds = [readings.seed(r) for r in group]
    if any(s is None for s in seeds):
      return "a record names no seed (settings.train.seed): runs cannot be told apart"
    repeated = sorted({str(s) for s in seeds if seeds.count(s) > 1})
    if repeated:
      return (f"seed {', '.join(repeated)} appears more than once: the same run counted "
              "twice is one run")
  for recs in zip(*groups):
    if len({readings.seed(r) for r in recs}) > 1:
      return "the conditions are not paired by seed"
  if n < declared.MIN_SEEDS:
    return f"{n} seed(s); a claim needs at least {declared.MIN_SEEDS} (the unit is the run)"
  epochs = {r.get("settings", {}).get("train", {}).get("epochs") for g in groups for r in g}
  if len(epochs) > 1:
    return "the runs trained for different budgets"
  return None


def unfitted(groups: dict, key="memorization/fit_corrupted",
             threshold: float = constants.FIT_THRESHOLD) -> str | None:
  """The reason a claim needing memorization is not testable, or None."""
  for name, recs in groups.items():
    fits = [readings.metric(r, key) for r in recs]
    if any(f is None for f in fits):
      return f"the {name} runs have no {key}"
    if min(fits) < threshold:
      return (f"the noise was not memorized: {name} {key} {min(fits):.3f} < "
              f"{threshold} (the gate) in some seed")
  return None


def drop_nan(seeds: list, values: list, what: str) -> tuple[list[int], list[dict]]:
  """The positions of the seeds whose values are all numbers, and the others named: a NaN
  is a failed measurement, never a value that counts (nor a correlation of 0)."""
  kept, dropped = [], []
  for i, (seed, value) in enumerate(zip(seeds, values)):
    if np.isnan(np.asarray(value, np.float64)).any():
      dropped.append({"seed": seed, "reason": f"NaN in {what}"})
    else:
      kept.append(i)
  return kept, dropped


def t_test(statistic, values, method, null=0.0, side="greater", **extra):
  """A t test over seeds of `values`: (its test record, the verdict of the claimed side)."""
  values = np.asarray(values, np.float64)
  mean, lo, hi = stats.t_interval(values)
  p = stats.t_p_greater(values, null) if side == "greater" else stats.t_p_greater(-values,
                                                                                  -null)
  test = stats.test_record(statistic, mean, null, (lo, hi), len(values),
                           f"{LEVEL_TEXT} t interval over seeds, {method}", p=float(p), **extra)
  return test, stats.side_verdict(lo, hi, null, side)


def combine(parts):
  """Intersection-union: held only when every part is held; contradicted when any is."""
  if all(v == declared.HELD for v in parts):
    return declared.HELD
  if any(v == declared.CONTRADICTED for v in parts):
    return declared.CONTRADICTED
  return declared.INCONCLUSIVE
