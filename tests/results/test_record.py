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
import re
import signal
import subprocess
import sys
import time
import types

import pytest

from suite import errors
from suite.results import provenance
from suite.results import record
from suite.results import run_directory

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
  run_directory.RunDir(str(tmp_path)).write(rec)
  assert os.listdir(tmp_path) == ["result.json"]
  back = run_directory.RunDir(str(tmp_path)).read()
  assert back == rec
  on_disk = json.loads((tmp_path / "result.json").read_text())
  assert list(on_disk)[:4] == ["schema_version", "benchmark", "status", "stage"]
  assert on_disk["probe"] == {"clean": {"x": {"k1": 0.5}}}


class _FailingGFile:
  """tf.io.gfile.GFile whose writes stop half-way with an error (a full disk, a kill)."""

  def __init__(self, real, run_dir, seen):
    self._real, self._run_dir, self._seen = real, run_dir, seen

  def __call__(self, path, mode="r"):
    handle = self._real(path, mode)
    if "w" not in mode:
      return handle
    outer = self

    class _Half:
      def __enter__(self):
        return self

      def __exit__(self, *exc):
        handle.close()
        return False

      def write(self, text):
        handle.write(text[:len(text) // 2])
        handle.flush()
        # A reader now, while the new record is half written, still sees the old one.
        outer._seen.append(record.read(outer._run_dir))
        raise OSError("No space left on device")

    return _Half()


def test_a_write_that_fails_half_way_leaves_the_previous_record(tmp_path, monkeypatch):
  """The record is written to a temporary file and renamed: never half a result.json."""
  old = _record(metrics={"test/accuracy": 0.25})
  record.write(str(tmp_path), old)
  seen = []
  monkeypatch.setattr(record.tf.io.gfile, "GFile",
                      _FailingGFile(record.tf.io.gfile.GFile, str(tmp_path), seen))
  new = _record(status="complete", metrics={f"m{i}": float(i) for i in range(200)})
  with pytest.raises(errors.RunDirError, match="cannot write the record .*No space left"):
    record.write(str(tmp_path), new)
  monkeypatch.undo()
  assert seen == [old.to_dict()]
  assert record.read(str(tmp_path)) == json.loads(json.dumps(old.to_dict()))
  assert run_directory.RunDir(str(tmp_path)).read() == old
  # A later good write replaces it whole.
  record.write(str(tmp_path), new)
  assert run_directory.RunDir(str(tmp_path)).read() == new


def test_a_reader_sees_the_old_or_the_new_record_never_a_mix(tmp_path):
  """Writes racing a reader: every read parses and is one of the written records."""
  import threading  # pylint: disable=g-import-not-at-top
  records = [_record(metrics={f"m{i}": float(version) for i in range(2000)}).to_dict()
             for version in range(2)]
  record.write(str(tmp_path), records[0])
  stop, bad, reads = threading.Event(), [], [0]

  def reader():
    while not stop.is_set():
      try:
        got = record.read(str(tmp_path))
      except errors.RunDirError as e:
        bad.append(str(e))
        return
      values = set(got["metrics"].values())
      if len(values) != 1:
        bad.append(f"mixed record {values}")
        return
      reads[0] += 1

  thread = threading.Thread(target=reader)
  thread.start()
  try:
    for i in range(60):
      record.write(str(tmp_path), records[i % 2])
  finally:
    stop.set()
    thread.join()
  assert not bad, bad[:1]
  assert reads[0] > 0


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
    run_directory.RunDir(str(tmp_path)).read()


def test_only_complete_records_with_settings_pass_the_complete_check():
  rec = _record().to_dict()
  assert record.validate(rec) is None
  assert record.validate(rec, complete=True) == "status running"
  rec["status"] = "complete"
  assert record.validate(rec, complete=True) == "settings.data missing"
  del rec["settings"]
  assert record.validate(rec, complete=True) == "missing keys ['settings']"


def test_provenance_has_exact_versions_and_the_git_commit():
  env = provenance.environment()
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
  first = run_directory.RunDir(str(tmp_path / "run"))
  with first.hold():
    with pytest.raises(errors.RunDirBusyError) as raised:
      run_directory.RunDir(str(tmp_path / "run")).acquire()
    message = str(raised.value)
    assert str(tmp_path / "run") in message and f"pid {os.getpid()} on " in message
  with run_directory.RunDir(str(tmp_path / "run")).hold():  # Released on exit.
    pass


def test_the_lock_of_a_killed_holder_is_released_by_the_os(tmp_path):
  run_dir = tmp_path / "run"
  run_dir.mkdir()
  holder = subprocess.Popen(
      [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
       "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(120)",
       str(run_dir / run_directory.LOCK_FILENAME)], stdout=subprocess.PIPE, text=True)
  try:
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(errors.RunDirBusyError):
      run_directory.RunDir(str(run_dir)).acquire()
  finally:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
  with run_directory.RunDir(str(run_dir)).hold():
    pass


def test_an_output_dir_that_is_a_file_is_one_error(tmp_path):
  (tmp_path / "file").write_text("x")
  with pytest.raises(errors.RunDirError, match="exists and is not a directory"):
    run_directory.RunDir(str(tmp_path / "file")).acquire()
  assert (tmp_path / "file").read_text() == "x"


def test_a_lease_is_refused_while_fresh_and_taken_over_when_stale(tmp_path):
  path = str(tmp_path / run_directory.LEASE_FILENAME)
  first = run_directory._Lease(path, "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
  first.acquire()
  try:
    second = run_directory._Lease(path, "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
    with pytest.raises(errors.RunDirBusyError, match=f"gs://bucket/run is in use .*pid {os.getpid()}"):
      second.acquire()
  finally:
    first._stop.set()  # pylint: disable=protected-access  (no more heartbeats: it goes stale)
  lease = json.loads(pathlib.Path(path).read_text())
  lease["heartbeat"] = time.time() - 61
  pathlib.Path(path).write_text(json.dumps(lease))
  third = run_directory._Lease(path, "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
  third.acquire()
  assert json.loads(pathlib.Path(path).read_text())["token"] == third.token
  third.release()
  assert not os.path.exists(path)


def test_kill_point_does_nothing_unless_named(monkeypatch):
  monkeypatch.setenv(record.KILL_AT_ENV, "elsewhere")
  record.kill_point("here")  # Still alive.


def test_the_config_hash_is_the_sha256_of_the_canonical_json():
  import hashlib  # pylint: disable=g-import-not-at-top
  config = {"b": [1, 2.5], "a": {"y": None, "x": "s"}, "c": pathlib.Path("/p")}
  canonical = '{"a": {"x": "s", "y": null}, "b": [1, 2.5], "c": "/p"}'
  assert record.config_hash(config) == hashlib.sha256(canonical.encode()).hexdigest()[:16]
  assert record.config_hash({"a": {"x": "s", "y": None}, "c": "/p", "b": [1, 2.5]}) == \
      record.config_hash(config)  # Key order does not matter; non-JSON values hash by str.
  assert record.config_hash({"b": [1, 2.5]}) != record.config_hash({"b": [1, 2.6]})


def test_identity_leaves_out_the_settings_a_resume_may_change():
  settings = {"train": {"epochs": 5, "eval_batch_size": 64, "checkpoint_every": 2, "seed": 1},
              "data": {"data_dir": "/d", "manual_dir": "/m", "download": True,
                       "dataset": "digits"},
              "model": {"epochs": 3}}
  assert record.identity(settings) == {"train": {"seed": 1}, "data": {"dataset": "digits"},
                                       "model": {"epochs": 3}}


def test_with_defaults_fills_in_only_missing_settings():
  settings = {"train": {"lr": 0.1}, "data": {"size": 5}, "flags": "kept as is"}
  defaults = {"train": {"lr": 1.0, "new": False}, "other": {"x": 1}}
  assert record.with_defaults(settings, defaults) == {
      "train": {"lr": 0.1, "new": False}, "data": {"size": 5}, "flags": "kept as is"}


def test_timestamps_are_utc_iso_8601_to_the_second():
  import datetime  # pylint: disable=g-import-not-at-top
  stamp = provenance.now()
  parsed = datetime.datetime.fromisoformat(stamp)
  assert parsed.utcoffset() == datetime.timedelta(0) and parsed.microsecond == 0
  assert stamp.endswith("+00:00") and len(stamp) == len("2026-01-01T00:00:00+00:00")
  assert abs((datetime.datetime.now(datetime.timezone.utc) - parsed).total_seconds()) < 5


def test_a_named_kill_point_kills_the_process_with_sigkill(monkeypatch):
  monkeypatch.delenv(record.KILL_AT_ENV, raising=False)
  record.kill_point("here")  # In this process, unnamed: nothing happens.
  code = ("import sys; sys.path.insert(0, sys.argv[1]); from suite.results import record; "
          "record.kill_point('here'); print('survived')")
  env = dict(os.environ, **{record.KILL_AT_ENV: "here"})
  killed = subprocess.run([sys.executable, "-c", code, str(ROOT)], env=env,
                          capture_output=True, text=True, timeout=300)
  assert killed.returncode == -signal.SIGKILL and "survived" not in killed.stdout
  env[record.KILL_AT_ENV] = "elsewhere"
  alive = subprocess.run([sys.executable, "-c", code, str(ROOT)], env=env,
                         capture_output=True, text=True, timeout=300)
  assert alive.returncode == 0 and alive.stdout.strip() == "survived"


@pytest.mark.parametrize("change,reason", [
    ("not a dict", "not a JSON object"),
    ({"drop": ("config_hash", "timing")}, "missing keys ['config_hash', 'timing']"),
    ({"schema_version": 2}, "schema_version 2, expected 1"),
    ({"config": []}, "config is not an object"),
    ({"metrics": []}, "metrics is not an object"),
    ({"environment": "x"}, "environment is not an object"),
    ({"metrics": {"a": True}}, "metrics must map names to numbers"),
    ({"history": {}}, "history must be a list of entries with an integer epoch"),
    ({"history": [{"epoch": 1.5}]}, "history must be a list of entries with an integer epoch"),
    ({"history": ["entry"]}, "history must be a list of entries with an integer epoch"),
])
def test_validate_names_the_first_problem(change, reason):
  if change == "not a dict":
    assert record.validate([1]) == reason
    return
  rec = _record().to_dict()
  for key in change.pop("drop", ()):
    del rec[key]
  rec.update(change)
  assert record.validate(rec) == reason


def test_validate_accepts_null_and_integer_metrics_and_records_without_history():
  rec = _record(metrics={"a": None, "b": 3, "c": 0.5}).to_dict()
  del rec["history"], rec["stage"]
  assert record.validate(rec) is None


def test_a_complete_record_needs_every_settings_section():
  rec = _record(status="complete").to_dict()
  rec["settings"] = "flags"
  assert record.validate(rec, complete=True) == "settings is not an object"
  rec["settings"] = {"data": {}, "model": {}, "augment": {}, "train": {}}
  assert record.validate(rec, complete=True) is None
  for section in ("data", "model", "augment", "train"):
    broken = dict(rec, settings={**rec["settings"], section: None})
    assert record.validate(broken, complete=True) == f"settings.{section} missing"


def test_records_keep_their_key_order_and_extra_sections():
  rec = _record(stage=None, settings=None, dataset={"name": "digits"},
                sections={"probe": {"k": 1}, "error": "boom"})
  out = rec.to_dict()
  assert list(out) == ["schema_version", "benchmark", "status", "config", "config_hash",
                       "dataset", "metrics", "history", "timing", "environment", "probe",
                       "error"]
  back = record.RunRecord.from_dict(json.loads(json.dumps(out)))
  assert back == rec and back.sections == {"probe": {"k": 1}, "error": "boom"}
  with pytest.raises(errors.RunDirError, match=r"^here\.json: not a valid run record "
                     r"\(missing keys \['metrics'\]\)$"):
    record.RunRecord.from_dict({k: v for k, v in out.items() if k != "metrics"}, "here.json")


def test_write_refuses_a_record_without_required_keys_or_with_a_bad_status(tmp_path):
  rec = _record().to_dict()
  del rec["timing"]
  with pytest.raises(ValueError, match=r"^result record lacks \['timing'\]$"):
    record.write(str(tmp_path), rec)
  with pytest.raises(ValueError, match="^bad status 'done'$"):
    record.write(str(tmp_path), dict(_record().to_dict(), status="done"))
  assert not os.listdir(tmp_path)


def test_numpy_values_are_written_as_plain_json(tmp_path):
  import numpy as np  # pylint: disable=g-import-not-at-top
  rec = _record(metrics={"a": np.float32(0.5), "b": np.int64(3)},
                sections={"table": np.arange(3), "nested": {"x": (np.float64(np.nan), 1)},
                          "path": pathlib.Path("/tmp/x")})
  path = record.write(str(tmp_path), rec)
  assert path == str(tmp_path / "result.json")
  on_disk = json.loads((tmp_path / "result.json").read_text())
  assert on_disk["metrics"] == {"a": 0.5, "b": 3}
  assert on_disk["table"] == [0, 1, 2] and on_disk["nested"] == {"x": [None, 1]}
  assert on_disk["path"] == "/tmp/x"
  assert record.read(path) == on_disk  # A .json path is read as is.
  # The file is the record as indented JSON, one trailing newline.
  assert (tmp_path / "result.json").read_text() == json.dumps(on_disk, indent=2) + "\n"


def test_numpy_nan_and_infinities_are_written_as_null(tmp_path):
  import numpy as np  # pylint: disable=g-import-not-at-top
  rec = _record(metrics={"a": np.float32("nan"), "b": np.float32(0.25)},
                sections={"curve": np.array([1.0, np.inf, np.nan])})
  record.write(str(tmp_path), rec)
  on_disk = record.read(str(tmp_path))
  assert on_disk["metrics"] == {"a": None, "b": 0.25} and on_disk["curve"] == [1.0, None, None]


def test_local_paths_and_buckets():
  assert run_directory.is_local("/tmp/run") and run_directory.is_local("runs/x")
  assert run_directory.is_local("file:///tmp/run")
  assert not run_directory.is_local("gs://bucket/run") and not run_directory.is_local("s3://b/r")


def test_a_directory_created_and_left_without_a_record_is_removed(tmp_path):
  run = run_directory.RunDir(str(tmp_path / "new"))
  with run.hold():
    assert run.created and not run.exists() and run.read() is None
  run.remove_if_unused()
  assert not (tmp_path / "new").exists()
  # One that holds a record, or something else, or that existed before, stays.
  kept = run_directory.RunDir(str(tmp_path / "kept"))
  with kept.hold():
    kept.write(_record())
  kept.remove_if_unused()
  assert (tmp_path / "kept" / "result.json").exists()
  other = run_directory.RunDir(str(tmp_path / "other"))
  with other.hold():
    (tmp_path / "other" / "notes.txt").write_text("x")
  other.remove_if_unused()
  assert (tmp_path / "other" / "notes.txt").exists()
  (tmp_path / "old").mkdir()
  old = run_directory.RunDir(str(tmp_path / "old"))
  with old.hold():
    assert not old.created
  old.remove_if_unused()
  assert (tmp_path / "old").exists()


def test_hold_disabled_takes_nothing(tmp_path):
  """A non-chief worker holds nothing: the chief can take the directory meanwhile."""
  with run_directory.RunDir(str(tmp_path / "run")).hold(enabled=False) as worker:
    assert not (tmp_path / "run").exists()  # Not even created.
    chief = run_directory.RunDir(str(tmp_path / "run"))
    chief.acquire()  # Would raise RunDirBusyError if the worker held it.
    chief.release()
  assert worker.path == str(tmp_path / "run")


def test_the_lock_file_names_its_holder(tmp_path):
  with run_directory.RunDir(str(tmp_path / "run")).hold():
    holder = json.loads((tmp_path / "run" / run_directory.LOCK_FILENAME).read_text())
    assert holder["pid"] == os.getpid() and holder["host"] and holder["since"]
  assert run_directory._holder_text("not json") == "holder unknown"  # pylint: disable=protected-access
  assert run_directory._holder_text('{"pid": 1}') == "holder unknown"  # pylint: disable=protected-access
  assert run_directory._holder_text(  # pylint: disable=protected-access
      '{"pid": 7, "host": "h", "since": "t"}') == "pid 7 on h since t"


def test_a_lease_is_kept_fresh_and_released_only_by_its_holder(tmp_path):
  path = str(tmp_path / run_directory.LEASE_FILENAME)
  lease = run_directory._Lease(path, "gs://bucket/run", stale_seconds=0.4)  # pylint: disable=protected-access
  lease.acquire()
  try:
    first = json.loads(pathlib.Path(path).read_text())["heartbeat"]
    time.sleep(0.5)  # Heartbeats every stale_seconds / 4.
    assert json.loads(pathlib.Path(path).read_text())["heartbeat"] > first
  finally:
    lease._stop.set()  # pylint: disable=protected-access
  # Taken over by another holder (it went stale): releasing must not delete theirs.
  other = dict(json.loads(pathlib.Path(path).read_text()), token="someone else")
  pathlib.Path(path).write_text(json.dumps(other))
  lease.release()
  assert json.loads(pathlib.Path(path).read_text())["token"] == "someone else"


def test_reasons_are_one_line_of_at_most_300_characters():
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  reason = record.reason
  assert reason(tf.errors.NotFoundError(None, None, "no\n  such   file")) == "no such file"
  assert reason(OSError(28, "No space left on device")) == "[Errno 28] No space left on device"
  assert reason(KeyError()) == "KeyError"  # Empty message: the type names it.
  assert reason(ValueError("x " * 400)) == ("x " * 150)[:300]


def test_an_unreadable_record_is_one_error_naming_it(tmp_path):
  (tmp_path / "result.json").mkdir()  # A directory where the file should be.
  with pytest.raises(errors.RunDirError) as raised:
    record.read(str(tmp_path))
  message = str(raised.value)
  assert message.startswith(f"{tmp_path / 'result.json'}: unreadable (") and "\n" not in message
  assert message.endswith(")") and len(message) < 400


def test_a_truncated_record_says_how_to_start_over(tmp_path):
  (tmp_path / "result.json").write_text('{"status": ')
  with pytest.raises(errors.RunDirError, match=r": truncated or not JSON \(.*\); delete it or "
                     r"the run directory to start over$"):
    record.read(str(tmp_path))


def test_the_environment_names_this_machine(monkeypatch):
  import platform  # pylint: disable=g-import-not-at-top
  import socket  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  import suite  # pylint: disable=g-import-not-at-top
  monkeypatch.setattr(platform, "processor", lambda: "")  # Some systems say nothing...
  env = provenance.environment()
  assert env["versions"]["python"] == platform.python_version()
  assert env["versions"]["suite"] == importlib.metadata.version("memorization-suite")
  assert set(env["versions"]) == {"python", *provenance.PACKAGES}
  assert env["devices"] == [d.name for d in tf.config.list_logical_devices()]
  assert env["platform"] == platform.platform() and env["hostname"] == socket.gethostname()
  assert env["processor"] == platform.machine()  # ... then the machine names it.
  assert set(env) == {"versions", "git", "devices", "gpus", "cpu_count", "platform",
                      "processor", "hostname"}
  monkeypatch.setattr(platform, "processor", lambda: "Some CPU")
  assert provenance.environment()["processor"] == "Some CPU"
  # A checkout that was never installed: the package's own version.
  version = provenance._version  # pylint: disable=protected-access
  monkeypatch.setattr(provenance, "_version",
                      lambda name: None if name == "memorization-suite" else version(name))
  assert provenance.environment()["versions"]["suite"] == suite.__version__


def test_the_environment_names_each_gpu(monkeypatch):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  gpus = [types.SimpleNamespace(name="/physical_device:GPU:0"),
          types.SimpleNamespace(name="/physical_device:GPU:1")]
  asked = []
  monkeypatch.setattr(tf.config, "list_physical_devices",
                      lambda kind=None: asked.append(kind) or (gpus if kind == "GPU" else []))
  monkeypatch.setattr(tf.config.experimental, "get_device_details",
                      lambda gpu: {"device_name": "NVIDIA H200"} if gpu is gpus[0] else {})
  assert provenance.environment()["gpus"] == ["NVIDIA H200", "/physical_device:GPU:1"]
  assert asked == ["GPU"]
  gpus.clear()
  assert provenance.environment()["gpus"] == []


def test_an_exception_inside_a_held_directory_propagates_and_releases_it(tmp_path):
  with pytest.raises(KeyError):
    with run_directory.RunDir(str(tmp_path / "run")):  # Held by default, without hold().
      with pytest.raises(errors.RunDirBusyError):
        run_directory.RunDir(str(tmp_path / "run")).acquire()
      raise KeyError("boom")
  with run_directory.RunDir(str(tmp_path / "run")).hold():
    pass
  fresh = run_directory.RunDir(str(tmp_path / "other"))
  assert fresh.created is False and fresh.path == str(tmp_path / "other")
  assert fresh.record_path == str(tmp_path / "other" / "result.json")


def test_a_busy_directory_says_what_to_do(tmp_path):
  with run_directory.RunDir(str(tmp_path / "run")).hold():
    with pytest.raises(errors.RunDirBusyError, match=r"is in use by another process \(pid .*\); "
                       r"wait for it to finish or choose another --output_dir$"):
      run_directory.RunDir(str(tmp_path / "run")).acquire()


def test_file_urls_are_local_and_locked(tmp_path):
  run = run_directory.RunDir(f"file://{tmp_path / 'run'}")
  with run.hold():
    assert (tmp_path / "run" / run_directory.LOCK_FILENAME).exists()
    with pytest.raises(errors.RunDirBusyError):
      run_directory.RunDir(str(tmp_path / "run")).acquire()


def test_a_lock_file_that_cannot_be_written_fails_before_any_work(tmp_path, monkeypatch):
  real_open = open

  class _FullDisk:
    def __init__(self, handle):
      self.handle = handle

    def __getattr__(self, name):
      return getattr(self.handle, name)

    def write(self, text):
      raise OSError(28, "No space left on device")

  monkeypatch.setattr(run_directory, "open", lambda *a, **k: _FullDisk(real_open(*a, **k)),
                      raising=False)
  with pytest.raises(errors.WriteError, match=f"^{tmp_path / 'run'}: cannot write its lock "
                     r"file \(No space left on device\)$"):
    with run_directory.RunDir(str(tmp_path / "run")).hold():
      pass
  monkeypatch.undo()
  assert not (tmp_path / "run").exists()  # Created for the run, removed with the failure.
  with run_directory.RunDir(str(tmp_path / "run")).hold():  # Not left locked.
    pass


def test_a_run_directory_that_cannot_be_created_is_one_error(tmp_path):
  (tmp_path / "file").write_text("x")
  with pytest.raises(errors.RunDirError, match=f"^{tmp_path / 'file' / 'run'}: cannot create "
                     r"the run directory \(.+\)$"):
    run_directory.RunDir(str(tmp_path / "file" / "run")).acquire()


def test_a_bucket_run_directory_is_held_by_a_lease():
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  path = "ram://record_test_bucket/run"
  run = run_directory.RunDir(path)
  with run.hold():
    lease = json.loads(tf.io.gfile.GFile(f"{path}/{run_directory.LEASE_FILENAME}").read())
    assert lease["pid"] == os.getpid() and lease["token"] == run._lease.token  # pylint: disable=protected-access
    with pytest.raises(errors.RunDirBusyError, match=f"^{path} is in use by another process"):
      run_directory.RunDir(path).acquire()
  assert not tf.io.gfile.exists(f"{path}/{run_directory.LEASE_FILENAME}")  # Released.


def test_a_fresh_lease_of_another_process_is_named_and_a_lease_without_heartbeat_is_stale(
    tmp_path):
  path = tmp_path / run_directory.LEASE_FILENAME
  path.write_text(json.dumps({"pid": 4242, "host": "other-host", "token": "theirs",
                              "heartbeat": time.time() - 10.2}))
  lease = run_directory._Lease(str(path), "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
  with pytest.raises(errors.RunDirBusyError) as busy:
    lease.acquire()
  assert str(busy.value) == (
      "gs://bucket/run is in use by another process (pid 4242 on other-host, heartbeat 10 s "
      "ago); wait for it to finish or choose another --output_dir")
  # A lease that never beat (no heartbeat) is as stale as one that stopped: taken over.
  path.write_text(json.dumps({"pid": 4242, "host": "other-host", "token": "theirs"}))
  lease.acquire()
  try:
    assert json.loads(path.read_text())["token"] == lease.token
  finally:
    lease.release()
  # Its own lease, fresh, is no other process's: the holder takes it again.
  again = run_directory._Lease(str(path), "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
  path.write_text(json.dumps({"pid": os.getpid(), "host": "here", "token": again.token,
                              "heartbeat": time.time()}))
  again.acquire()
  again.release()
  assert not path.exists()


def test_a_lock_file_or_directory_that_cannot_be_created_says_why(tmp_path):
  (tmp_path / "run" / run_directory.LOCK_FILENAME).mkdir(parents=True)  # In the way.
  with pytest.raises(errors.RunDirError,
                     match=r"run: cannot create its lock file \(.*Is a directory"):
    with run_directory.RunDir(str(tmp_path / "run")).hold():
      pass
  (tmp_path / "file").write_text("")
  with pytest.raises(errors.RunDirError,
                     match=r"file/run: cannot create the run directory \(.*[Nn]ot a directory"):
    with run_directory.RunDir(str(tmp_path / "file" / "run")).hold():
      pass


def test_a_record_that_cannot_be_read_names_the_file_and_the_reason(tmp_path):
  (tmp_path / "result.json").mkdir()  # Exists, but GFile cannot read it.
  path = re.escape(str(tmp_path / "result.json"))
  with pytest.raises(errors.RunDirError, match=f"^{path}: unreadable \\({path}; Is a directory\\)$"):
    record.read(str(tmp_path))


def test_a_malformed_record_read_by_its_run_directory_names_its_full_path(tmp_path):
  rec = dict(_record().to_dict(), status="done")
  (tmp_path / "result.json").write_text(json.dumps(rec))
  with pytest.raises(errors.RunDirError, match=f"^{re.escape(str(tmp_path / 'result.json'))}: "
                     "not a valid run record \\(unknown status"):
    run_directory.RunDir(str(tmp_path)).read()


def test_reasons_prefer_the_short_message_of_errors_that_carry_one():
  """TensorFlow's OpError carries `message`; its str() may add the op's stack trace."""

  class WithMessage(Exception):
    message = "the  short\nmessage"

    def __str__(self):
      return "the long form, with a stack trace"

  assert record.reason(WithMessage()) == "the short message"


def test_a_section_named_sections_round_trips_as_a_section():
  rec = _record(sections={"sections": {"a": 1}, "probe": {}})
  back = record.RunRecord.from_dict(json.loads(json.dumps(rec.to_dict())))
  assert back == rec and back.sections == {"sections": {"a": 1}, "probe": {}}


def test_releasing_twice_is_harmless_and_the_directory_can_be_held_again(tmp_path):
  for path in (str(tmp_path / "run"), "ram://record_test_bucket/release_twice"):
    run = run_directory.RunDir(path)
    run.acquire()
    run.release()
    run.release()  # Nothing is held any more: nothing to release.
    with run_directory.RunDir(path).hold():
      pass


def test_the_heartbeat_thread_beats_every_quarter_of_the_stale_time_and_dies_with_the_process(
    tmp_path):
  path = str(tmp_path / run_directory.LEASE_FILENAME)
  lease = run_directory._Lease(path, "gs://bucket/run", stale_seconds=0.4)  # pylint: disable=protected-access
  lease.acquire()
  thread = lease._thread  # pylint: disable=protected-access
  try:
    # A daemon: a process that ends without releasing its lease is not kept alive by it.
    assert thread.is_alive() and thread.daemon
  finally:
    lease.release()
  thread.join(5)
  assert not thread.is_alive()

  waits = []

  class Stop:  # Three beats, then stop.

    def wait(self, seconds):
      waits.append(seconds)
      return len(waits) > 3

  written = []
  lease._stop = Stop()  # pylint: disable=protected-access
  lease._write = lambda: written.append(1)  # pylint: disable=protected-access
  lease._beat()  # pylint: disable=protected-access
  assert waits == [0.1] * 4 and len(written) == 3


def test_a_heartbeat_exactly_stale_seconds_old_is_stale_and_a_lost_race_is_named(
    tmp_path, monkeypatch):
  path = tmp_path / run_directory.LEASE_FILENAME
  slept = []

  def another_taker_writes(seconds):  # Writes its lease while this one waits.
    slept.append(seconds)
    path.write_text(json.dumps({"pid": 4243, "host": "h", "token": "late", "heartbeat": 1000.0}))

  monkeypatch.setattr(run_directory, "time", types.SimpleNamespace(
      time=lambda: 1000.0, sleep=another_taker_writes))
  path.write_text(json.dumps({"pid": 4242, "host": "h", "token": "theirs", "heartbeat": 940.0}))
  lease = run_directory._Lease(str(path), "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
  with pytest.raises(errors.RunDirBusyError,
                     match="^gs://bucket/run was just taken by another process$"):
    lease.acquire()
  # Half a second for a concurrent taker's write to land, no more: every start waits it.
  assert slept == [0.5]
  # 60 s without a heartbeat, the stale time exactly: taken over.
  path.write_text(json.dumps({"pid": 4242, "host": "h", "token": "theirs", "heartbeat": 940.0}))
  monkeypatch.setattr(run_directory.time, "sleep", slept.append)
  lease.acquire()
  try:
    assert json.loads(path.read_text())["token"] == lease.token
  finally:
    lease.release()


def test_a_lease_heartbeat_never_leaves_the_lease_file_empty(tmp_path, monkeypatch):
  # A heartbeat written in place truncates the file first: a reader at that moment sees
  # no lease and may take it. The lease is replaced by a rename, so every read of the path
  # finds a whole lease; the final path is never opened for writing.
  path = str(tmp_path / ".lease")
  lease = run_directory._Lease(path, "gs://bucket/run", stale_seconds=60)  # pylint: disable=protected-access
  opened_for_writing = []
  real_gfile = run_directory.tf.io.gfile.GFile

  def spy(name, mode="r"):
    if "w" in mode or "a" in mode:
      opened_for_writing.append(str(name))
    return real_gfile(name, mode)

  monkeypatch.setattr(run_directory.tf.io.gfile, "GFile", spy)
  lease._write()  # pylint: disable=protected-access
  lease._write()  # pylint: disable=protected-access
  assert path not in opened_for_writing, opened_for_writing
  assert json.loads(pathlib.Path(path).read_text())["token"] == lease.token
  assert [p for p in os.listdir(tmp_path) if p != ".lease"] == []  # No temporary left.
