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

from suite import errors
from suite.models import losses


def test_mse_and_cross_entropy_losses():
  targets = np.eye(3, dtype=np.float32)[[0, 2]]
  logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]], np.float32)
  mse = losses.per_example_loss("mse", targets, logits).numpy()
  np.testing.assert_allclose(mse, [(1 + 0 + 1) / 3, (0.25 + 0.25 + 0.25) / 3], rtol=1e-6)
  ce = losses.per_example_loss("cross_entropy", targets, logits).numpy()
  expected = -np.log(np.exp(logits) / np.exp(logits).sum(1, keepdims=True))[[0, 1], [0, 2]]
  np.testing.assert_allclose(ce, expected, rtol=1e-6)


def test_an_unknown_loss_is_refused():
  with pytest.raises(errors.ConfigError, match="unknown loss 'hinge'"):
    losses.per_example_loss("hinge", np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32))
