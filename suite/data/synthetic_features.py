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

"""Synthetic points shaped like a network's features, for k-NN searches at any size.

Feature banks of the suite's datasets stop at tens of thousands of points; a search
benchmark at a million points (`suite.probing.speed.measure_synthetic`) needs points
with the structure of learned features (clusters of low intrinsic dimension), drawn
reproducibly and in blocks, so that memory stays bounded at any size.
"""

import numpy as np

POINTS_PER_GENERATOR = 16_384  # Points drawn by one generator (bounds the float64 temporaries).


def clustered_points(count: int, dim: int, seed: int, stream: int = 0) -> np.ndarray:
  """L2-normalised points shaped like learned features: clusters of low intrinsic dimension.

  Each point is one of 1,000 Gaussian centres plus a 16-dimensional offset (shared basis)
  of about half a centre's norm and isotropic noise of a quarter, normalised. Uniform points
  on a 128-d sphere have no structure (every neighbour nearly as far as any point) and would
  measure a worst case no network's features present.

  Args:
    count: points.
    dim: width.
    seed: the draw; the centres and basis depend on `seed` only, so banks and queries of
      the same seed share them.
    stream: which points of that draw (e.g. 0 bank, 1 queries).

  Returns:
    float32 [count, dim], unit rows. Point i depends on (seed, stream, i) only: a smaller
    draw is a prefix of a larger one (each block of POINTS_PER_GENERATOR points has its own
    generator, keyed by its index).
  """
  structure = np.random.default_rng([seed, 0])
  centres = structure.normal(size=(1000, dim))
  basis = structure.normal(size=(16, dim))
  out = np.empty((count, dim), np.float32)
  for block, start in enumerate(range(0, count, POINTS_PER_GENERATOR)):
    generator = np.random.default_rng([seed, 1 + stream, block])
    n = POINTS_PER_GENERATOR
    # Offsets about half a centre's norm, noise a quarter: clusters that overlap a little.
    points = (centres[generator.integers(0, len(centres), n)]
              + 0.5 * generator.normal(size=(n, 16)) @ basis / 4.0
              + 0.25 * generator.normal(size=(n, dim)))
    out[start:start + n] = points[:count - start]
  # Row norms as suite.probing.knn.l2_normalize takes them (data sits below probing).
  return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
