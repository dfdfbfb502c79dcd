"""The mixed-precision policy of one run, scoped: the previous policy always comes back."""

from collections.abc import Iterator
import contextlib

import keras
import tensorflow as tf


def mixed_policy_name() -> str:
  """mixed_float16 on GPUs, mixed_bfloat16 elsewhere (CPUs, TPUs)."""
  return "mixed_float16" if tf.config.list_logical_devices("GPU") else "mixed_bfloat16"


@contextlib.contextmanager
def scope(mixed: bool) -> Iterator[str]:
  """Within the block Keras' global policy is mixed (if `mixed`); restored after, even on error.

  Args:
    mixed: whether to use the mixed policy; False leaves the policy as it is.

  Yields:
    The policy name in force inside the block.
  """
  previous = keras.mixed_precision.global_policy()
  if mixed:
    keras.mixed_precision.set_global_policy(mixed_policy_name())
  try:
    yield keras.mixed_precision.global_policy().name
  finally:
    keras.mixed_precision.set_global_policy(previous)
