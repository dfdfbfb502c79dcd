"""The run record, `result.json`: what a run was, how it ended and what it measured.

Written through tf.io.gfile (local or bucket paths), atomically: a reader sees the
previous complete version or the new one, never half a file. Status is `running`
while the run goes on, then `complete`, `failed` or `interrupted`.
"""

import datetime
import hashlib
import json
import math
import os
import platform
import socket

import tensorflow as tf

SCHEMA_VERSION = 1
STATUSES = ("running", "complete", "failed", "interrupted")
REQUIRED_KEYS = ("schema_version", "benchmark", "status", "config", "config_hash", "metrics",
                 "timing", "environment")
FILENAME = "result.json"


def config_hash(config: dict) -> str:
  """A short stable hash of the settings that define a run (seed excluded by the caller)."""
  canonical = json.dumps(config, sort_keys=True, default=str)
  return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def environment() -> dict:
  """Library versions and hardware, for comparing results across machines."""
  import keras  # pylint: disable=g-import-not-at-top
  import numpy  # pylint: disable=g-import-not-at-top
  import tensorflow_datasets  # pylint: disable=g-import-not-at-top
  versions = {"python": platform.python_version(), "tensorflow": tf.__version__,
              "keras": keras.__version__, "tensorflow_datasets": tensorflow_datasets.__version__,
              "numpy": numpy.__version__}
  try:
    import scann  # pylint: disable=g-import-not-at-top
    versions["scann"] = getattr(scann, "__version__", "1.4")
  except ImportError:
    versions["scann"] = None
  from suite import __version__  # pylint: disable=g-import-not-at-top
  versions["suite"] = __version__
  devices = [d.name for d in tf.config.list_logical_devices()]
  gpus = []
  for gpu in tf.config.list_physical_devices("GPU"):
    details = tf.config.experimental.get_device_details(gpu)
    gpus.append(details.get("device_name", gpu.name))
  return {"versions": versions, "devices": devices, "gpus": gpus,
          "cpu_count": os.cpu_count(), "platform": platform.platform(),
          "processor": platform.processor() or platform.machine(),
          "hostname": socket.gethostname()}


def now() -> str:
  return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def write(run_dir: str, record: dict) -> str:
  """Writes `record` to run_dir/result.json atomically; returns the path."""
  missing = [k for k in REQUIRED_KEYS if k not in record]
  if missing:
    raise ValueError(f"result record lacks {missing}")
  if record["status"] not in STATUSES:
    raise ValueError(f"bad status {record['status']!r}")
  tf.io.gfile.makedirs(run_dir)
  path = os.path.join(run_dir, FILENAME)
  temporary = path + ".tmp"
  with tf.io.gfile.GFile(temporary, "w") as f:
    f.write(json.dumps(_finite(record), indent=2, default=_jsonable, allow_nan=False) + "\n")
  tf.io.gfile.rename(temporary, path, overwrite=True)
  return path


def read(run_dir_or_path: str) -> dict:
  path = run_dir_or_path
  if not path.endswith(".json"):
    path = os.path.join(path, FILENAME)
  with tf.io.gfile.GFile(path) as f:
    return json.load(f)


def _finite(value):
  """NaN and infinities become null: result.json stays strict JSON."""
  if isinstance(value, dict):
    return {k: _finite(v) for k, v in value.items()}
  if isinstance(value, (list, tuple)):
    return [_finite(v) for v in value]
  if isinstance(value, float) and not math.isfinite(value):
    return None
  return value


def _jsonable(value):
  if hasattr(value, "item"):  # NumPy scalars.
    return value.item()
  if hasattr(value, "tolist"):
    return value.tolist()
  return str(value)
