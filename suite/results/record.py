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

"""The run directory and its record, `result.json`: the one module that writes either.

A run directory holds one run: its record, checkpoints, TensorBoard events, figures.
`RunDir` owns it:

- one writer at a time: `RunDir.hold()` takes an exclusive lock for the run's life. On a
  local disk it is an fcntl lock on `RUN_DIR/.lock`, which the OS releases when the
  process dies however it dies; on other tf.io.gfile paths (buckets), where no lock
  exists, it is a lease file `RUN_DIR/.lease` with pid, host and a heartbeat, taken over
  only when the heartbeat is older than `LEASE_STALE_SECONDS`. A second process gets a
  `RunDirBusyError` naming the directory and the holder.
- the record is written atomically (`atomic.write`: a temporary file renamed over the
  old one): a reader sees the previous version or the new one, never half a file, and a
  write that fails (a full disk) leaves the previous version and no temporary file.

The record (`RunRecord`) says what the run was (settings, flags, config hash), where it
stands and what it measured. `status` is `running`, then `complete`, `failed` or
`interrupted`; `stage` says how far a run got, in order `training` (epochs under way),
`trained` (last checkpoint written), `probed` (the final sections, probe and controls,
are in the record) and `complete`, so that a resume redoes exactly the stages not
finished. `environment` is the provenance: exact package versions, git commit and
dirty flag of the suite's source, hardware.
"""

import dataclasses
import datetime
import functools
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import socket
import subprocess
import threading
import time
from typing import IO
import uuid

import tensorflow as tf

from suite import constants
from suite import errors
from suite.results import atomic

SCHEMA_VERSION = 1
STATUSES = ("running", "complete", "failed", "interrupted")
STAGES = ("training", "trained", "probed", "complete")
REQUIRED_KEYS = ("schema_version", "benchmark", "status", "config", "config_hash", "metrics",
                 "timing", "environment")
FILENAME = constants.RESULT_FILENAME
LOCK_FILENAME = ".lock"
LEASE_FILENAME = ".lease"
LEASE_STALE_SECONDS = 120.0
# Distribution names whose exact installed versions are the record's provenance.
PACKAGES = {"tensorflow": "tensorflow", "keras": "keras",
            "tensorflow_datasets": "tensorflow-datasets", "numpy": "numpy", "scann": "scann",
            "absl": "absl-py", "scikit_learn": "scikit-learn", "tensorboard": "tensorboard",
            "suite": "memorization-suite"}
# Test-only: kill this process (SIGKILL) when the run reaches the named point
# (see `kill_point`), so that kill -9 lands deterministically between two writes.
KILL_AT_ENV = "MEMSUITE_KILL_AT"


def config_hash(config: dict) -> str:
  """A short stable hash of the settings that define a run (seed excluded by the caller).

  Args:
    config: JSON-serialisable settings (non-JSON values are hashed by str).

  Returns:
    The first 16 hex digits of the SHA-256 of the canonical (sorted-key) JSON.
  """
  canonical = json.dumps(config, sort_keys=True, default=str)
  return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# Settings that may differ between a run and its resume: where data lives, how often
# checkpoints are kept, the evaluation batch. `epochs` is compared on its own.
RESUME_FREE_SETTINGS = {"train": ("epochs", "eval_batch_size", "checkpoint_every"),
                        "data": ("data_dir", "manual_dir", "download")}


def identity(settings: dict) -> dict:
  """`settings` without the ones a resume may change: what a run's config hash covers."""
  return {section: {k: v for k, v in values.items()
                    if k not in RESUME_FREE_SETTINGS.get(section, ())}
          for section, values in settings.items()}


def with_defaults(settings: dict, defaults: dict) -> dict:
  """`settings` with each setting it lacks ({section: {name: default}} in `defaults`)
  filled in: a run recorded before a setting existed ran with that setting's default
  (a new setting's default keeps the behaviour from before it)."""
  return {section: ({**defaults.get(section, {}), **values} if isinstance(values, dict)
                    else values)
          for section, values in settings.items()}


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


def kill_point(name: str) -> None:
  """Test hook: SIGKILLs this process if MEMSUITE_KILL_AT names this point.

  Args:
    name: the point's name (tests set MEMSUITE_KILL_AT to it).
  """
  if os.environ.get(KILL_AT_ENV) == name:
    import signal  # pylint: disable=g-import-not-at-top
    os.kill(os.getpid(), signal.SIGKILL)


# ------------------------------------------------------------------ the record
def validate(rec: object, complete: bool = False) -> str | None:
  """None if `rec` is a well-formed run record, else what is wrong with it.

  Args:
    rec: the parsed record.
    complete: also require a finished run (status complete, settings of every section).

  Returns:
    None when well formed, else one sentence naming the first problem.
  """
  if not isinstance(rec, dict):
    return "not a JSON object"
  missing = [k for k in REQUIRED_KEYS if k not in rec]
  if missing:
    return f"missing keys {missing}"
  if rec["schema_version"] != SCHEMA_VERSION:
    return f"schema_version {rec['schema_version']!r}, expected {SCHEMA_VERSION}"
  if rec["status"] not in STATUSES:
    return f"unknown status {rec['status']!r}"
  if "stage" in rec and rec["stage"] not in STAGES:
    return f"unknown stage {rec['stage']!r}"
  for key in ("config", "metrics", "timing", "environment"):
    if not isinstance(rec[key], dict):
      return f"{key} is not an object"
  if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
             for v in rec["metrics"].values()):
    return "metrics must map names to numbers"
  if not isinstance(rec.get("history", []), list) or not all(
      isinstance(h, dict) and isinstance(h.get("epoch"), int) for h in rec.get("history", [])):
    return "history must be a list of entries with an integer epoch"
  if complete:
    if rec["status"] != "complete":
      return f"status {rec['status']}"
    if "settings" not in rec:
      return "missing keys ['settings']"
    settings = rec["settings"]
    if not isinstance(settings, dict):
      return "settings is not an object"
    for section in ("data", "model", "augment", "train"):
      if not isinstance(settings.get(section), dict):
        return f"settings.{section} missing"
  return None


@dataclasses.dataclass
class RunRecord:
  """A typed result.json. `sections` holds the optional parts (probe, controls, error...)."""
  benchmark: str
  status: str
  config: dict
  config_hash: str
  metrics: dict
  timing: dict
  environment: dict
  stage: str | None = None
  settings: dict | None = None
  dataset: dict | None = None
  model: dict | None = None
  history: list = dataclasses.field(default_factory=list)
  sections: dict = dataclasses.field(default_factory=dict)
  schema_version: int = SCHEMA_VERSION

  _ORDER = ("schema_version", "benchmark", "status", "stage", "config", "config_hash",
            "settings", "dataset", "model", "metrics", "history", "timing", "environment")

  def to_dict(self) -> dict:
    """The record as JSON-ready dict, keys in the documented order, sections last.

    Returns:
      A dict that `write` writes and `from_dict` reads back.
    """
    out = {}
    for key in self._ORDER:
      value = getattr(self, key)
      if value is not None or key in REQUIRED_KEYS:
        out[key] = value
    out.update(self.sections)
    return out

  @classmethod
  def from_dict(cls, rec: dict, path: str = FILENAME) -> "RunRecord":
    """The typed record of a dict read from result.json.

    Args:
      rec: the parsed JSON.
      path: where it was read from (named in the error).

    Returns:
      The RunRecord; keys beyond the required ones go to `sections`.

    Raises:
      RunDirError: `rec` is not a well-formed record (`validate` says why).
    """
    reason = validate(rec)
    if reason:
      raise errors.RunDirError(f"{path}: not a valid run record ({reason})")
    known = {f.name for f in dataclasses.fields(cls)} - {"sections"}
    return cls(**{k: v for k, v in rec.items() if k in known},
               sections={k: v for k, v in rec.items() if k not in known})


def write(run_dir: str, rec: "RunRecord | dict") -> str:
  """Writes `rec` (a RunRecord or dict) to run_dir/result.json atomically; returns the path.

  Args:
    run_dir: the run directory (local or bucket path).
    rec: the record; NaN and infinities are written as null.

  Returns:
    The path of the written result.json.
  """
  if isinstance(rec, RunRecord):
    rec = rec.to_dict()
  missing = [k for k in REQUIRED_KEYS if k not in rec]
  if missing:
    raise ValueError(f"result record lacks {missing}")
  if rec["status"] not in STATUSES:
    raise ValueError(f"bad status {rec['status']!r}")
  path = os.path.join(run_dir, FILENAME)
  text = json.dumps(_finite(rec), indent=2, default=_jsonable, allow_nan=False) + "\n"
  return atomic.write(path, text, "the record")  # WriteError (a RunDirError) if it cannot.


def read(run_dir_or_path: str) -> dict:
  """The record at a run directory or a result.json path; RunDirError says what is wrong.

  Args:
    run_dir_or_path: a run directory or the path of its result.json.

  Returns:
    The record as a dict.
  """
  path = run_dir_or_path
  if not path.endswith(".json"):
    path = os.path.join(path, FILENAME)
  try:
    if not tf.io.gfile.exists(path):
      raise errors.RunDirError(f"{path}: no such file (not a run directory?)")
    with tf.io.gfile.GFile(path, "rb") as f:
      data = f.read()
  except (tf.errors.OpError, OSError) as e:
    raise errors.RunDirError(f"{path}: unreadable ({_reason(e)})") from e
  try:
    rec = json.loads(data.decode("utf-8"))
  except (json.JSONDecodeError, UnicodeDecodeError) as e:
    raise errors.RunDirError(f"{path}: truncated or not JSON ({e}); delete it or the run "
                             "directory to start over") from e
  if not isinstance(rec, dict):
    raise errors.RunDirError(f"{path}: not a JSON object")
  return rec


def _reason(e: Exception) -> str:
  text = getattr(e, "message", None) or str(e) or type(e).__name__
  return " ".join(text.split())[:300]


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
  # NumPy arrays and scalars: tolist gives Python lists and numbers (`item`, used before,
  # fails on an array of more than one element), NaN among them written as null too (a
  # float32 NaN is no Python float, so `_finite` did not see it).
  if hasattr(value, "tolist"):
    return _finite(value.tolist())
  return str(value)


# ------------------------------------------------------------- the directory
def is_local(path: str) -> bool:
  """Whether `path` is on the local file system (file locks) rather than a bucket (leases).

  Args:
    path: a local path or a URL such as gs://bucket/dir.

  Returns:
    True for plain and file:// paths.
  """
  return "://" not in path or path.startswith("file://")


class RunDir:
  """A run directory: its record and its single writer."""

  def __init__(self, path: str):
    self.path = path
    self.record_path = os.path.join(path, FILENAME)
    self._lock_file: IO[str] | None = None
    self._lease: _Lease | None = None
    self._enabled = True
    self.created = False

  def exists(self) -> bool:
    """Whether the directory holds a result.json."""
    return tf.io.gfile.exists(self.record_path)

  def read(self) -> RunRecord | None:
    """The record, None if there is none; RunDirError if it is unreadable or malformed.

    Returns:
      The RunRecord, or None when the directory has no result.json.
    """
    if not self.exists():
      return None
    return RunRecord.from_dict(read(self.record_path), self.record_path)

  def write(self, rec: RunRecord) -> str:
    """Writes `rec` atomically to this directory's result.json.

    Args:
      rec: the record.

    Returns:
      The path written.
    """
    return write(self.path, rec)

  # ------------------------------------------------------------- locking
  def _make(self):
    try:
      if tf.io.gfile.exists(self.path) and not tf.io.gfile.isdir(self.path):
        raise errors.RunDirError(f"{self.path}: exists and is not a directory")
      if not tf.io.gfile.exists(self.path):
        tf.io.gfile.makedirs(self.path)
        self.created = True
    except (tf.errors.OpError, OSError) as e:
      raise errors.RunDirError(f"{self.path}: cannot create the run directory "
                               f"({_reason(e)})") from e

  def acquire(self) -> None:
    """Takes the run directory for this process, or raises RunDirBusyError."""
    self._make()
    if is_local(self.path):
      self._acquire_lock()
    else:
      lease = _Lease(os.path.join(self.path, LEASE_FILENAME), self.path)
      self._lease = lease
      lease.acquire()

  def _acquire_lock(self):
    import fcntl  # pylint: disable=g-import-not-at-top  (POSIX only)
    path = os.path.join(self.path.removeprefix("file://"), LOCK_FILENAME)
    try:
      handle = open(path, "a+", encoding="utf-8")  # pylint: disable=consider-using-with
    except OSError as e:
      raise errors.RunDirError(f"{self.path}: cannot create its lock file ({_reason(e)})") from e
    try:
      fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
      handle.seek(0)
      holder = _holder_text(handle.read())
      handle.close()
      raise errors.RunDirBusyError(
          f"{self.path} is in use by another process ({holder}); wait for it to finish or "
          "choose another --output_dir") from e
    try:  # Who holds it, for the message of a second process.
      handle.seek(0)
      handle.truncate()
      handle.write(json.dumps(_holder()) + "\n")
      handle.flush()
    except OSError as e:  # A full disk: fail now, before any work.
      try:
        handle.close()  # Releases the lock.
      except OSError:
        pass
      raise errors.WriteError(f"{self.path}: cannot write its lock file "
                              f"({atomic.reason(e)})") from e
    self._lock_file = handle

  def release(self) -> None:
    if self._lock_file is not None:
      import fcntl  # pylint: disable=g-import-not-at-top
      fcntl.flock(self._lock_file, fcntl.LOCK_UN)
      self._lock_file.close()
      self._lock_file = None
    if self._lease is not None:
      self._lease.release()
      self._lease = None

  def hold(self, enabled: bool = True) -> "RunDir":
    """Context manager: holds the directory (when `enabled`: the chief) while inside.

    Args:
      enabled: hold the directory (the chief); False: do nothing.

    Returns:
      This RunDir, as the context manager.
    """
    self._enabled = enabled
    return self

  def __enter__(self):
    if self._enabled:
      try:
        self.acquire()
      except errors.RunDirBusyError:
        raise
      except errors.SuiteError:  # A full disk, say: leave no empty directory behind.
        self.remove_if_unused()
        raise
    return self

  def __exit__(self, *exc):
    self.release()
    return False

  def remove_if_unused(self) -> None:
    """Deletes a directory this process created and left without a record."""
    if not self.created or self.exists():
      return
    try:
      leftovers = set(tf.io.gfile.listdir(self.path)) - {LOCK_FILENAME, LEASE_FILENAME}
      if not leftovers:
        tf.io.gfile.rmtree(self.path)
    except (tf.errors.OpError, OSError):
      pass  # Best effort: an empty directory is harmless.


def _holder() -> dict:
  return {"pid": os.getpid(), "host": socket.gethostname(), "since": now()}


def _holder_text(text: str) -> str:
  try:
    info = json.loads(text)
    return f"pid {info['pid']} on {info['host']} since {info['since']}"
  except (ValueError, KeyError, TypeError):
    return "holder unknown"


class _Lease:
  """A lease file for paths without locks: pid, host and a heartbeat refreshed by a thread."""

  def __init__(self, path: str, run_dir: str, stale_seconds: float = LEASE_STALE_SECONDS):
    self.path = path
    self.run_dir = run_dir
    self.stale_seconds = stale_seconds
    self.token = uuid.uuid4().hex
    self._stop = threading.Event()
    self._thread: threading.Thread | None = None

  def _read(self):
    try:
      with tf.io.gfile.GFile(self.path) as f:
        return json.loads(f.read())
    except (tf.errors.OpError, OSError, ValueError):
      return None

  def _write(self):
    with tf.io.gfile.GFile(self.path, "w") as f:
      f.write(json.dumps(dict(_holder(), token=self.token, heartbeat=time.time())))

  def acquire(self):
    current = self._read()
    if current and current.get("token") != self.token and \
        time.time() - float(current.get("heartbeat", 0)) < self.stale_seconds:
      raise errors.RunDirBusyError(
          f"{self.run_dir} is in use by another process (pid {current.get('pid')} on "
          f"{current.get('host')}, heartbeat {time.time() - current['heartbeat']:.0f} s ago); "
          "wait for it to finish or choose another --output_dir")
    self._write()
    time.sleep(0.5)  # Two takers at once: the later write wins, the other sees it and backs off.
    if (self._read() or {}).get("token") != self.token:
      raise errors.RunDirBusyError(f"{self.run_dir} was just taken by another process")
    thread = threading.Thread(target=self._beat, daemon=True)
    self._thread = thread
    thread.start()

  def _beat(self):
    while not self._stop.wait(self.stale_seconds / 4):
      try:
        self._write()
      except (tf.errors.OpError, OSError):
        pass  # A missed heartbeat is retried; only a long silence makes the lease stale.

  def release(self):
    self._stop.set()
    if (self._read() or {}).get("token") == self.token:
      try:
        tf.io.gfile.remove(self.path)
      except (tf.errors.OpError, OSError):
        pass
