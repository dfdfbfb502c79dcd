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

"""The run directory: its record and its single writer.

A run directory holds one run: its record, checkpoints, TensorBoard events, figures.
`RunDir` owns it: one writer at a time. `RunDir.hold()` takes an exclusive lock for the
run's life. On a local disk it is an fcntl lock on `RUN_DIR/.lock`, which the OS releases
when the process dies however it dies; on other tf.io.gfile paths (buckets), where no
lock exists, it is a lease file `RUN_DIR/.lease` with pid, host and a heartbeat, taken
over only when the heartbeat is older than `LEASE_STALE_SECONDS`. A second process gets a
`RunDirBusyError` naming the directory and the holder.
"""

import json
import os
import socket
import threading
import time
from typing import IO
import uuid

import tensorflow as tf

from suite import errors
from suite.results import atomic
from suite.results import provenance
from suite.results import record


LOCK_FILENAME = ".lock"
LEASE_FILENAME = ".lease"
LEASE_STALE_SECONDS = 120.0


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
    self.record_path = os.path.join(path, record.FILENAME)
    self._lock_file: IO[str] | None = None
    self._lease: _Lease | None = None
    self._enabled = True
    self.created = False

  def exists(self) -> bool:
    """Whether the directory holds a result.json."""
    return tf.io.gfile.exists(self.record_path)

  def read(self) -> record.RunRecord | None:
    """The record, None if there is none; RunDirError if it is unreadable or malformed.

    Returns:
      The RunRecord, or None when the directory has no result.json.
    """
    if not self.exists():
      return None
    return record.RunRecord.from_dict(record.read(self.record_path), self.record_path)

  def write(self, rec: record.RunRecord) -> str:
    """Writes `rec` atomically to this directory's result.json.

    Args:
      rec: the record.

    Returns:
      The path written.
    """
    return record.write(self.path, rec)

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
                               f"({record.reason(e)})") from e

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
      raise errors.RunDirError(
          f"{self.path}: cannot create its lock file ({record.reason(e)})") from e
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
  return {"pid": os.getpid(), "host": socket.gethostname(), "since": provenance.now()}


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
    # Whole or not at all: a heartbeat written in place is empty for a moment, and a
    # reader would take the lease for free.
    atomic.write(self.path, json.dumps(dict(_holder(), token=self.token,
                                            heartbeat=time.time())), what="the lease")

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
      except (tf.errors.OpError, OSError, errors.WriteError):
        pass  # A missed heartbeat is retried; only a long silence makes the lease stale.

  def release(self):
    self._stop.set()
    if (self._read() or {}).get("token") == self.token:
      try:
        tf.io.gfile.remove(self.path)
      except (tf.errors.OpError, OSError):
        pass
