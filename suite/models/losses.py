"""Per-example losses on model outputs: the one definition training and measures share."""

import tensorflow as tf

from suite import errors

LOSSES = ("cross_entropy", "mse")


def per_example_loss(loss: str, targets: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
  """Per-example loss against (possibly soft) one-hot targets.

  Args:
    loss: one of LOSSES. `mse` is the benign-memorization code's loss: the mean over
      classes of the squared difference between raw outputs and targets.
    targets: [batch, classes] one-hot or soft targets.
    logits: [batch, classes] raw model outputs (float32).

  Returns:
    A [batch] float tensor.
  """
  if loss == "cross_entropy":
    return tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=logits)
  if loss == "mse":
    return tf.reduce_mean(tf.square(logits - targets), axis=-1)
  raise errors.ConfigError(f"unknown loss {loss!r}; expected one of {LOSSES}")
