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
