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

from suite.data import synthetic_features


def test_points_are_unit_clustered_and_reproducible():
  points, block = synthetic_features.clustered_points, synthetic_features.POINTS_PER_GENERATOR
  bank = points(3000, 32, seed=5)
  assert bank.shape == (3000, 32) and bank.dtype == np.float32
  np.testing.assert_allclose(np.linalg.norm(bank, axis=1), 1.0, atol=1e-5)
  # Point i depends on its index, not on how many are drawn, across generator blocks too.
  larger = points(block + 100, 32, seed=5)
  np.testing.assert_array_equal(bank, larger[:3000])
  np.testing.assert_array_equal(larger[-100:], points(block * 2, 32, seed=5)[block:block + 100])
  # Another stream is other points of the same clusters.
  queries = points(200, 32, seed=5, stream=1)
  assert not np.allclose(queries, bank[:200])
  sims = queries @ bank.T
  nearest = np.sort(sims, axis=1)[:, -1]
  # Each query's cluster holds about 3 bank points: its nearest one is far closer than the
  # average point (clusters, not uniform points on the sphere).
  assert np.median(nearest) > 0.7 > 0.2 > abs(np.mean(sims))
  other_seed = points(200, 32, seed=6, stream=1)
  assert np.median(np.sort(other_seed @ bank.T, axis=1)[:, -1]) < np.median(nearest) - 0.2
