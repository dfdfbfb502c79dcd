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

"""The localization claims: calibration under nulls, power, and the claim lines.

Calibration: DRAWS synthetic experiments per case, vectorized and from fixed seeds, at 3
and 5 seeds; `held` must be at most the one-sided 2.5% level (with the Monte Carlo slack
of SLACK) where the claim is false. Run with -s to see the measured rates:
  python -m pytest -q -s -p no:xdist tests/analysis/claims/test_localization.py
"""

import numpy as np
import pytest

from suite.analysis import declared
from suite.analysis.claims import localization
from suite.analysis.claims import report

DRAWS = 2000
LEVEL = 0.025
SLACK = 3 * np.sqrt(LEVEL * (1 - LEVEL) / DRAWS)  # Three Monte Carlo standard errors.
BLOCKS = 5
SD = 0.05


def _draws(means, seeds, seed, sd=SD):
  """[DRAWS, blocks, seeds] of normal drops around per-block means."""
  generator = np.random.default_rng(seed)
  means = np.asarray(means, np.float64)[None, :, None]
  return means + sd * generator.standard_normal((DRAWS, len(means[0]), seeds))


def _rate(name, verdicts, verdict=declared.HELD):
  rate = float(np.mean(verdicts == verdict))
  print(f"\n{name}: {verdict} in {rate:.2%} of {len(verdicts)} draws")
  return rate


@pytest.mark.parametrize("seeds", [3, 5])
def test_confined_is_calibrated_where_one_block_sits_on_the_margin(seeds):
  # Least favourable null: one earlier block's drop exactly at the margin, the rest 0.
  noisy = _draws([0.0, 0.0, declared.NOISY_MARGIN, 0.0, 0.0], seeds, seeds)
  assert _rate(f"confined, null, {seeds} seeds",
               localization.confined_verdicts(noisy)) <= LEVEL + SLACK


@pytest.mark.parametrize("seeds", [3, 5])
def test_distributed_is_calibrated_under_both_boundaries(seeds):
  at_margin = _draws([declared.NOISY_MARGIN] * BLOCKS, seeds, 10 + seeds)
  clean_zero = _draws([0.0] * BLOCKS, seeds, 20 + seeds)
  assert _rate(f"distributed, noisy drops at the margin, {seeds} seeds",
               localization.distributed_verdicts(at_margin, clean_zero)) <= LEVEL + SLACK
  big = _draws([0.5] * BLOCKS, seeds, 30 + seeds)
  clean_at_margin = _draws([declared.CLEAN_MARGIN] * BLOCKS, seeds, 40 + seeds)
  assert _rate(f"distributed, clean drops at their margin, {seeds} seeds",
               localization.distributed_verdicts(big, clean_at_margin)) <= LEVEL + SLACK


@pytest.mark.parametrize("seeds,power", [(3, 0.3), (5, 0.8)])
def test_power_where_the_claims_are_true(seeds, power):
  # Confined: every earlier drop 0 (sd 0.02). Distributed: one block drops 0.4, clean 0.
  small = _draws([0.0] * BLOCKS, seeds, 50 + seeds, sd=0.02)
  assert _rate(f"confined, true, {seeds} seeds", localization.confined_verdicts(small)) >= power
  noisy = _draws([0.0, 0.4, 0.0, 0.0, 0.0], seeds, 60 + seeds)
  clean = _draws([0.0] * BLOCKS, seeds, 70 + seeds, sd=0.01)
  assert _rate(f"distributed, true, {seeds} seeds",
               localization.distributed_verdicts(noisy, clean)) >= power


def test_the_two_readings_never_both_hold():
  noisy = _draws([0.0, 0.2, 0.05, 0.0, 0.0], 5, 80)
  clean = _draws([0.0] * BLOCKS, 5, 81, sd=0.01)
  confined = localization.confined_verdicts(noisy)
  distributed = localization.distributed_verdicts(noisy, clean)
  assert not np.any((confined == declared.HELD) & (distributed == declared.HELD))


def _result(seed, noisy_drops, clean_drops, final_noisy=1.0):
  blocks = ["conv_1", "conv_2", "fc_1", "logits"]
  final = {"fit_noisy": final_noisy, "fit_clean": 1.0, "test_accuracy": 0.8}
  rewound = {b: {"fit_noisy": final_noisy - n, "fit_clean": 1.0 - c, "test_accuracy": 0.5}
             for b, n, c in zip(blocks, noisy_drops, clean_drops)}
  return {"seed": seed, "blocks": blocks, "final_epoch": 40, "rewind_epoch": 2,
          "final": final, "rewound": rewound, "retrained": rewound}


def test_lines_read_which_paper_each_verdict_supports():
  distributed = [_result(s, [0.02, 0.5 + 0.01 * s, 0.01, 0.9], [0.0, 0.01, 0.0, 0.0])
                 for s in range(5)]
  confined_line, distributed_line = localization.lines(distributed)
  assert distributed_line["verdict"] == declared.HELD
  assert declared.MAINI in distributed_line["supports"]
  assert confined_line["verdict"] == declared.CONTRADICTED
  assert declared.MAINI in confined_line["supports"]
  assert "conv_2" in distributed_line["test"]["statistic"]
  local = [_result(s, [0.01 * s, 0.0, 0.01, 0.9], [0.3, 0.3, 0.3, 0.0]) for s in range(5)]
  confined_line, distributed_line = localization.lines(local)
  assert confined_line["verdict"] == declared.HELD and declared.BENIGN in confined_line["supports"]
  assert distributed_line["verdict"] == declared.CONTRADICTED
  assert "logits" not in confined_line["test"]["statistic"]  # The head is not tested.
  text = report.format_localization_lines([confined_line, distributed_line])
  assert text.count("\n") == 1 and "[held]" in text


def test_not_testable_with_few_seeds_or_unmemorized_noise():
  two = [_result(s, [0.0] * 4, [0.0] * 4) for s in range(2)]
  assert all(line["verdict"] == declared.NOT_TESTABLE for line in localization.lines(two))
  unfitted = [_result(s, [0.0] * 4, [0.0] * 4, final_noisy=0.5) for s in range(5)]
  line = localization.memorization_confined_to_last_layers(unfitted)
  assert line["verdict"] == declared.NOT_TESTABLE and "not memorized" in line["reason"]
