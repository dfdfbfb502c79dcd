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

"""Per-example difficulty (Arpit et al. 2017, Fig. 1): real data has consistently easy
examples, noise does not.

The errors after declared.DIFFICULTY_EPOCH, compared across runs
(suite.analysis.example_difficulty.difficulty_test).
"""

import math

import numpy as np

from suite.analysis import declared
from suite.analysis import example_difficulty
from suite.analysis import stats
from suite.analysis.claims import verdicts


def easy_examples_consistent_on_real_data(
    real_errors: np.ndarray, real_labels: np.ndarray, noise_errors: np.ndarray,
    noise_labels: np.ndarray, epoch: int = declared.DIFFICULTY_EPOCH,
    view: str = "within-run clean vs corrupted",
    permutations: int = declared.DIFFICULTY_PERMUTATIONS, seed: int = 0) -> dict:
  """Which examples are misclassified after `epoch` is more consistent across runs on
  real data than on noise (real more consistent, and above its own permutation null).

  real_errors / noise_errors: [runs, examples] booleans, one row per training seed (data
  fixed); labels: the assigned (training) labels, the strata of the permutation null.
  Noise examples whose random label equals the true class must be left out by the caller.
  Primary statistic: the latent correlation of errors between runs (the share of a
  latent difficulty that is the example's; example_difficulty.latent_correlation), real minus noise:
  unlike the dispersion of error rates it does not move with the error rate, and real
  data and noise are misclassified at very different rates after one epoch. Its interval
  is a jackknife over runs plus one over groups of examples (example_difficulty.latent_difference).
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
  if runs < declared.MIN_SEEDS or noise_errors.ndim != 2 or noise_errors.shape[0] != runs:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason=f"{runs} run(s); needs at least {declared.MIN_SEEDS} of each, "
                         "paired")
  if real_errors.shape[1] < 2 or noise_errors.shape[1] < 2:
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason="needs real and noise examples")
  result = example_difficulty.difficulty_test(real_errors, real_labels, noise_errors, noise_labels,
                                 permutations, seed)
  evidence.update({k: v for k, v in result.items() if k not in ("value", "interval")})
  if not all(math.isfinite(v) for v in [result["value"], *result["interval"]]):
    return verdicts.line(claim, declared.NOT_TESTABLE, evidence,
                         reason="no label stratum where two runs both get some examples right "
                         "and some wrong: no latent correlation")
  lo, hi = result["interval"]
  difference = stats.side_verdict(lo, hi, 0.0, "greater")
  real_alone = declared.HELD if result["p_real"] <= declared.ALPHA_SIDE else declared.INCONCLUSIVE
  test = stats.test_record(
      "latent correlation of errors between runs (0 = which examples are wrong is chance, "
      "1 = the same examples always wrong; the same at any error rate), real minus noise",
      result["value"], 0.0, result["interval"], runs,
      f"{verdicts.LEVEL_TEXT} t interval ({runs - 1} df) from a jackknife over runs plus a "
      f"jackknife over {declared.EXAMPLE_GROUPS} groups of examples; held also needs real data "
      f"above its within-run permutation null stratified by label ({permutations} permutations, "
      f"p_real <= {declared.ALPHA_SIDE})", p_real=result["p_real"])
  verdict = (verdicts.combine([difference, real_alone]) if difference != declared.CONTRADICTED
             else declared.CONTRADICTED)
  return verdicts.line(claim, verdict, evidence, test)
