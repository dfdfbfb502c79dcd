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

"""Fitting order (Arpit et al. 2017, section 3): real data is fitted before noise.

Epochs to reach the fit threshold, per seed: real labels against random ones (separate
runs), and clean against corrupted examples within runs with partial noise.
"""

from suite import constants
from suite.analysis import declared
from suite.analysis.claims import readings
from suite.analysis.claims import verdicts


def _fitted_first(claim, early: list, late: list, early_key, late_key, names):
  """Per seed: epochs to fit `late` minus epochs to fit `early`; a `late` never fitted
  is censored at the budget (a lower bound, so the difference only shrinks)."""
  early_epochs = [readings.epochs_to_fit(r, early_key) for r in early]
  late_epochs = [readings.epochs_to_fit(r, late_key) for r in late]
  evidence = {"threshold": constants.FIT_THRESHOLD, f"epochs_{names[0]}": early_epochs,
              f"epochs_{names[1]}": late_epochs, "budget": readings.budget(late[0]),
              "seeds": [readings.seed(r) for r in early]}
  fitted = [e for e in early_epochs if e is not None]
  if len(fitted) < len(early_epochs):
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{names[0]} never reached {constants.FIT_THRESHOLD} in some seed")
  differences = [(readings.budget(r) if e is None else e) - first
                 for r, e, first in zip(late, late_epochs, fitted)]
  test, verdict = verdicts.t_test(f"epochs to fit {names[1]} minus {names[0]}", differences,
                                  f"paired by seed; {names[1]} never fitted censored at the budget")
  return verdicts.line(claim, verdict, evidence, test)


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
  why = verdicts.paired(real, noise)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why)
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
  why = verdicts.paired(records)
  if why:
    return verdicts.line(claim, declared.NOT_TESTABLE, {}, reason=why)
  return _fitted_first(claim, records, records, "memorization/fit_clean",
                       "memorization/fit_corrupted", ("clean", "corrupted"))
