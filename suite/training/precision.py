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
