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

"""Provenance of a run: exact package versions, the source's commit, the hardware, the time.

What the record's `environment` and timestamps hold, so that two results can be told
apart by what produced them.
"""

import datetime
import functools
import importlib.metadata
import os
import platform
import socket
import subprocess

import tensorflow as tf


# Distribution names whose exact installed versions are the record's provenance.
PACKAGES = {"tensorflow": "tensorflow", "keras": "keras",
            "tensorflow_datasets": "tensorflow-datasets", "numpy": "numpy", "scann": "scann",
            "absl": "absl-py", "scikit_learn": "scikit-learn", "tensorboard": "tensorboard",
            "suite": "memorization-suite"}

def _version(distribution: str) -> str | None:
  try:
    return importlib.metadata.version(distribution)
  except importlib.metadata.PackageNotFoundError:
    return None


@functools.lru_cache(maxsize=1)
def git_state() -> dict:
  """Commit and dirty flag of the suite's source tree, or nulls outside a git checkout.

  Returns:
    {'commit': str | None, 'dirty': bool | None}.
  """
  source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  try:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True,
                            text=True, timeout=10, check=True).stdout.strip()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                            cwd=source, capture_output=True, text=True, timeout=10,
                            check=True).stdout
  except (OSError, subprocess.SubprocessError):
    return {"commit": None, "dirty": None}
  return {"commit": commit or None, "dirty": bool(status.strip())}


def environment() -> dict:
  """Exact library versions, source commit and hardware, for comparing results.

  Returns:
    {'versions', 'git', 'devices', 'gpus', 'cpu_count', 'platform', 'processor',
    'hostname'}: the record's `environment`.
  """
  versions: dict[str, str | None] = {"python": platform.python_version()}
  versions.update({key: _version(dist) for key, dist in PACKAGES.items()})
  if versions["suite"] is None:  # Run from a checkout that was never installed.
    from suite import __version__  # pylint: disable=g-import-not-at-top
    versions["suite"] = __version__
  devices = [d.name for d in tf.config.list_logical_devices()]
  gpus = []
  for gpu in tf.config.list_physical_devices("GPU"):
    details = tf.config.experimental.get_device_details(gpu)
    gpus.append(details.get("device_name", gpu.name))
  return {"versions": versions, "git": git_state(), "devices": devices, "gpus": gpus,
          "cpu_count": os.cpu_count(), "platform": platform.platform(),
          "processor": platform.processor() or platform.machine(),
          "hostname": socket.gethostname()}


def now() -> str:
  """The current UTC time, ISO 8601 to the second (the record's timestamps)."""
  return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
