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

"""The run directory and its record: atomic writes, validation, provenance, one writer."""

import importlib.metadata
import json
import math
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from suite import errors
from suite.results import record

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _record(**changes) -> record.RunRecord:
  rec = record.RunRecord(benchmark="train", status="running", stage="training",
                         config={"epochs": 2}, config_hash="abc", metrics={"test/accuracy": 0.5},
                         timing={}, environment={}, settings={"train": {"epochs": 2}},
                         history=[{"epoch": 0, "test/accuracy": 0.1}])
  for key, value in changes.items():
    setattr(rec, key, value)
  return rec


def test_write_then_read_round_trips_and_leaves_no_temporary(tmp_path):
  rec = _record(sections={"probe": {"clean": {"x": {"k1": 0.5}}}})
  record.RunDir(str(tmp_path)).write(rec)
  assert os.listdir(tmp_path) == ["result.json"]
  back = record.RunDir(str(tmp_path)).read()
  assert back == rec
  on_disk = json.loads((tmp_path / "result.json").read_text())
  assert list(on_disk)[:4] == ["schema_version", "benchmark", "status", "stage"]
  assert on_disk["probe"] == {"clean": {"x": {"k1": 0.5}}}


def test_non_finite_numbers_are_written_as_null(tmp_path):
  record.write(str(tmp_path), _record(metrics={"a": math.nan, "b": math.inf, "c": 1.0}))
  assert record.read(str(tmp_path))["metrics"] == {"a": None, "b": None, "c": 1.0}


@pytest.mark.parametrize("content,reason", [
    (None, "no such file"),
    (b'{"schema_version": 1, "sta', "truncated or not JSON"),
    (bytes(range(256)), "truncated or not JSON"),
    (b"[1, 2]", "not a JSON object"),
])
def test_unreadable_records_are_one_error_naming_the_file(tmp_path, content, reason):
  if content is not None:
    (tmp_path / "result.json").write_bytes(content)
  with pytest.raises(errors.RunDirError, match=reason) as raised:
    record.read(str(tmp_path))
  assert str(tmp_path / "result.json") in str(raised.value)


@pytest.mark.parametrize("change,reason", [
    ({"status": "done"}, "unknown status"),
    ({"stage": "halfway"}, "unknown stage"),
    ({"metrics": {"a": "high"}}, "metrics must map names to numbers"),
    ({"history": [{"no_epoch": 1}]}, "history must be a list"),
    ({"timing": []}, "timing is not an object"),
])
def test_malformed_records_are_refused_with_the_reason(tmp_path, change, reason):
  rec = _record().to_dict()
  rec.update(change)
  assert reason in record.validate(rec)
  (tmp_path / "result.json").write_text(json.dumps(rec))
  with pytest.raises(errors.RunDirError, match=reason):
    record.RunDir(str(tmp_path)).read()


def test_only_complete_records_with_settings_pass_the_complete_check():
  rec = _record().to_dict()
  assert record.validate(rec) is None
  assert record.validate(rec, complete=True) == "status running"
  rec["status"] = "complete"
  assert record.validate(rec, complete=True) == "settings.data missing"
  del rec["settings"]
  assert record.validate(rec, complete=True) == "missing keys ['settings']"


def test_provenance_has_exact_versions_and_the_git_commit():
  env = record.environment()
  # Independent of the code under test: the installed distributions' own metadata.
  assert env["versions"]["scann"] == importlib.metadata.version("scann")
  assert env["versions"]["scann"].count(".") >= 2  # 1.4.2, not 1.4
  assert env["versions"]["tensorflow"] == importlib.metadata.version("tensorflow")
  head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
  if head.returncode == 0:
    assert env["git"]["commit"] == head.stdout.strip()
    assert isinstance(env["git"]["dirty"], bool)
  assert env["cpu_count"] == os.cpu_count()


def test_a_second_holder_is_refused_naming_the_directory_and_holder(tmp_path):
  first = record.RunDir(str(tmp_path / "run"))
  with first.hold():
    with pytest.raises(errors.RunDirBusyError) as raised:
      record.RunDir(str(tmp_path / "run")).acquire()
    message = str(raised.value)
    assert str(tmp_path / "run") in message and f"pid {os.getpid()} on " in message
  with record.RunDir(str(tmp_path / "run")).hold():  # Released on exit.
    pass


def test_the_lock_of_a_killed_holder_is_released_by_the_os(tmp_path):
  run_dir = tmp_path / "run"
  run_dir.mkdir()
  holder = subprocess.Popen(
      [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
       "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(120)",
       str(run_dir / record.LOCK_FILENAME)], stdout=subprocess.PIPE, text=True)
  try:
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(errors.RunDirBusyError):
      record.RunDir(str(run_dir)).acquire()
  finally:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
  with record.RunDir(str(run_dir)).hold():
    pass


def test_an_output_dir_that_is_a_file_is_one_error(tmp_path):
  (tmp_path / "file").write_text("x")
  with pytest.raises(errors.RunDirError, match="exists and is not a directory"):
    record.RunDir(str(tmp_path / "file")).acquire()
  assert (tmp_path / "file").read_text() == "x"


def test_a_lease_is_refused_while_fresh_and_taken_over_when_stale(tmp_path):
  path = str(tmp_path / record.LEASE_FILENAME)
  first = record._Lease(path, "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
  first.acquire()
  try:
    second = record._Lease(path, "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
    with pytest.raises(errors.RunDirBusyError, match=f"gs://bucket/run is in use .*pid {os.getpid()}"):
      second.acquire()
  finally:
    first._stop.set()  # pylint: disable=protected-access  (no more heartbeats: it goes stale)
  lease = json.loads(pathlib.Path(path).read_text())
  lease["heartbeat"] = time.time() - 61
  pathlib.Path(path).write_text(json.dumps(lease))
  third = record._Lease(path, "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
  third.acquire()
  assert json.loads(pathlib.Path(path).read_text())["token"] == third.token
  third.release()
  assert not os.path.exists(path)


def test_kill_point_does_nothing_unless_named(monkeypatch):
  monkeypatch.setenv(record.KILL_AT_ENV, "elsewhere")
  record.kill_point("here")  # Still alive.
