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

"""The verdict machinery of every claim (suite.analysis.claims.verdicts), case by case."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite import constants
from suite.analysis import declared
from suite.analysis.claims import verdicts


def _run(seed, epochs=10, **metrics):
  return {"settings": {"train": {"seed": seed, "epochs": epochs}}, "metrics": metrics}


def test_a_line_holds_only_with_its_test_and_keeps_its_key_order():
  with pytest.raises(ValueError, match="^a held verdict needs its test$"):
    verdicts.line("c", declared.HELD, {"x": 1})
  test = {"statistic": "s"}
  out = verdicts.line("c", declared.HELD, {"x": 1}, test, supports="theirs", source="paper")
  assert list(out.items()) == [("claim", "c"), ("source", "paper"), ("verdict", declared.HELD),
                               ("supports", "theirs"), ("evidence", {"x": 1}), ("test", test)]


def test_not_testable_is_a_line_with_its_reason_and_no_evidence():
  assert verdicts.not_testable("c", "too few seeds") == {
      "claim": "c", "source": declared.ARPIT, "verdict": declared.NOT_TESTABLE,
      "evidence": {}, "reason": "too few seeds"}
  assert verdicts.not_testable("c", "why", source="paper")["source"] == "paper"


def test_pairing_names_each_reason_it_refuses():
  three = [_run(s) for s in (0, 1, 2)]
  assert verdicts.paired(three, [_run(s) for s in (0, 1, 2)]) is None
  assert verdicts.paired(three, three[:2]) == "the conditions ran for different seeds"
  assert verdicts.paired(three + [{"settings": {}}]) == (
      "a record names no seed (settings.train.seed): runs cannot be told apart")
  twice = [_run(s) for s in (5, 5, 1, 7, 7, 2)]  # Each repeated seed named once, in order.
  assert verdicts.paired(twice) == (
      "seed 5, 7 appears more than once: the same run counted twice is one run")
  assert verdicts.paired(three, [_run(s) for s in (0, 1, 3)]) == (
      "the conditions are not paired by seed")
  assert verdicts.paired([_run(s) for s in (0, 1)]) == (
      "2 seed(s); a claim needs at least 3 (the unit is the run)")
  assert verdicts.paired(three, [_run(s, epochs=20) for s in (0, 1, 2)]) == (
      "the runs trained for different budgets")


def test_the_memorization_gate_holds_at_its_threshold():
  at = {"noise": [_run(s, **{"memorization/fit_corrupted": constants.FIT_THRESHOLD})
                  for s in range(3)]}
  assert verdicts.unfitted(at) is None
  below = {"noise": [_run(0, **{"memorization/fit_corrupted": 0.9})]}
  assert verdicts.unfitted(below) == (
      "the noise was not memorized: noise memorization/fit_corrupted 0.900 < 0.95 (the gate) "
      "in some seed")
  assert verdicts.unfitted({"noise": [_run(0)]}) == (
      "the noise runs have no memorization/fit_corrupted")


def test_a_value_read_back_as_null_is_a_nan_that_drops_its_seed():
  # result.json writes NaN as null: a value read back may hold None.
  kept, dropped = verdicts.drop_nan([10, 11, 12], [[0.1, None], 0.3, [np.nan]], "the curve")
  assert kept == [1]
  assert dropped == [{"seed": 10, "reason": "NaN in the curve"},
                     {"seed": 12, "reason": "NaN in the curve"}]


@pytest.mark.parametrize("side", ["greater", "less"])
def test_t_test_against_scipy_on_either_side(side):
  values = [0.12, 0.31, 0.2, 0.05]  # A list, as claims pass it.
  test, verdict = verdicts.t_test("gap", values, "paired by seed", null=0.1, side=side,
                                  control=0.4)
  expected = scipy_stats.ttest_1samp(values, 0.1, alternative=side)
  assert test["p"] == pytest.approx(expected.pvalue, rel=1e-9)
  interval = scipy_stats.ttest_1samp(values, 0.1).confidence_interval(declared.LEVEL)
  assert test["interval"] == pytest.approx([interval.low, interval.high], rel=1e-9)
  assert test["value"] == pytest.approx(np.mean(values)) and test["null"] == 0.1
  assert test["n"] == 4 and test["control"] == 0.4
  assert test["method"] == "95% t interval over seeds, paired by seed"
  assert verdict == declared.INCONCLUSIVE  # The interval covers 0.1.
  _, above = verdicts.t_test("gap", values, "m", null=0.5, side=side)
  assert above == (declared.HELD if side == "less" else declared.CONTRADICTED)
