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

"""tf.distribute strategies by name.

`multi_worker` is MultiWorkerMirroredStrategy configured by the TF_CONFIG
environment variable, the way users scale past one machine; `tpu` resolves the
TPU from the environment (TPU VMs) or `tpu_address`.
"""

import json
import os

import tensorflow as tf

from suite import errors

STRATEGIES = ("default", "one_device", "mirrored", "multi_worker", "tpu")


def make(name: str, devices: list[str] | None = None,
         tpu_address: str = "") -> tf.distribute.Strategy:
  """Returns the strategy `name`; `devices` restricts one_device / mirrored."""
  if name == "default":
    return tf.distribute.get_strategy()
  if name == "one_device":
    device = devices[0] if devices else ("/gpu:0" if tf.config.list_logical_devices("GPU")
                                         else "/cpu:0")
    return tf.distribute.OneDeviceStrategy(device)
  if name == "mirrored":
    return tf.distribute.MirroredStrategy(devices=devices or None)
  if name == "multi_worker":
    if "TF_CONFIG" not in os.environ:
      raise errors.ConfigError(
          "--strategy=multi_worker needs TF_CONFIG, e.g. "
          "{\"cluster\": {\"worker\": [\"host1:port\", \"host2:port\"]}, "
          "\"task\": {\"type\": \"worker\", \"index\": 0}}")
    try:
      json.loads(os.environ["TF_CONFIG"])
    except json.JSONDecodeError as e:
      raise errors.ConfigError(f"TF_CONFIG is not valid JSON: {e}") from e
    return tf.distribute.MultiWorkerMirroredStrategy()
  if name == "tpu":
    try:
      resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu_address or "")
      tf.config.experimental_connect_to_cluster(resolver)
      tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as e:
      found = " ".join(str(e).split())[:200]
      raise errors.ConfigError(
          f"--strategy=tpu: no TPU reachable{' at ' + tpu_address if tpu_address else ''} "
          f"({found}); run on a TPU VM, pass --tpu=ADDRESS, or choose --strategy=default "
          "or mirrored") from None
    return tf.distribute.TPUStrategy(resolver)
  raise errors.ConfigError(f"unknown strategy {name!r}; expected one of {STRATEGIES}")


def split_cpu(num_devices: int) -> None:
  """Makes the CPU appear as `num_devices` logical devices (tests, CPU-only mirroring).

  Must run before TensorFlow initialises its devices.
  """
  cpu = tf.config.list_physical_devices("CPU")[0]
  tf.config.set_logical_device_configuration(
      cpu, [tf.config.LogicalDeviceConfiguration()] * num_devices)


def is_chief(strategy: tf.distribute.Strategy) -> bool:
  """Whether this worker writes results (worker 0, or the only one)."""
  resolver = getattr(strategy, "cluster_resolver", None)
  if resolver is None or not resolver.cluster_spec().as_dict():
    return True
  return resolver.task_type in (None, "chief") or (
      resolver.task_type == "worker" and resolver.task_id == 0 and
      "chief" not in resolver.cluster_spec().as_dict())
