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


import numpy as np
import pytest

from suite.analysis import stats
from suite.results import knn_figures
from suite.results import plots


def test_t95_error_bars_are_the_claims_t_interval():
  values = np.array([0.71, 0.78, 0.74, 0.80, 0.69])
  mean, std, n = stats.mean_std(values)
  _, lo, hi = stats.t_interval(values)
  half = plots.half_width(std, n, "t95")
  assert half == pytest.approx(hi - mean) and half == pytest.approx(mean - lo)
  assert plots.half_width(std, n, "std") == pytest.approx(values.std(ddof=1))
  assert plots.half_width(0.0, 1, "t95") == 0.0  # One seed: no interval to draw.


def test_a_figure_with_interval_bars_is_a_png_and_a_bad_kind_is_refused():
  panels = {"mlp": {"random_augmented": {"hidden_1": (0.7, 0.02, 3), "logits": (0.5, 0.1, 3)},
                    "random init": {"hidden_1": (0.65, 0.01, 3), "logits": (0.4, 0.05, 3)}}}
  png = knn_figures.knn_by_layer_over_seeds(panels, k=20, error="t95")
  assert png.startswith(b"\x89PNG")
  with pytest.raises(ValueError, match="error bars"):
    knn_figures.knn_by_layer_over_seeds(panels, error="sem")
