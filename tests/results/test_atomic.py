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

"""Files written whole or not at all: temporaries renamed into place, removed on failure."""

import pytest
import tensorflow as tf

from suite import errors
from suite.results import atomic


class _FullDisk:
  """tf.io.gfile.GFile whose writes to a file named `name...` stop half-way: the disk is full."""

  def __init__(self, real, name):
    self._real, self._name = real, name

  def __call__(self, path, mode="r"):
    handle = self._real(path, mode)
    if "w" not in mode or not path.rsplit("/", 1)[-1].startswith(self._name):
      return handle

    class _Half:
      def __enter__(self):
        return self

      def __exit__(self, *exc):
        handle.close()
        return False

      def write(self, data):
        handle.write(data[:len(data) // 2])
        handle.flush()
        raise tf.errors.ResourceExhaustedError(None, None,
                                               f"{path}; No space left on device")

    return _Half()


def _files(directory) -> dict:
  return {p.name: p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_write_creates_the_directory_and_leaves_no_temporary(tmp_path):
  path = str(tmp_path / "a" / "b" / "table.json")
  assert atomic.write(path, "{}\n") == path
  atomic.write(str(tmp_path / "a" / "figure.png"), b"\x89PNG")
  assert _files(tmp_path) == {"table.json": b"{}\n", "figure.png": b"\x89PNG"}
  atomic.write(path, "[1]\n")  # A new version replaces the old whole.
  assert (tmp_path / "a" / "b" / "table.json").read_text() == "[1]\n"


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path, monkeypatch):
  path = tmp_path / "figure.png"
  path.write_bytes(b"old")
  monkeypatch.setattr(tf.io.gfile, "GFile", _FullDisk(tf.io.gfile.GFile, "figure.png"))
  with pytest.raises(errors.WriteError) as raised:
    atomic.write(str(path), b"new" * 1000, "the figure")
  assert str(raised.value) == f"{path}: cannot write the figure (No space left on device)"
  assert isinstance(raised.value, errors.RunDirError)  # Exit status 1, one line.
  assert _files(tmp_path) == {"figure.png": b"old"}


def test_files_written_together_are_written_all_or_none(tmp_path, monkeypatch):
  """The second file fails: the first is not renamed into place either."""
  (tmp_path / "probe.json").write_text("old table")
  monkeypatch.setattr(tf.io.gfile, "GFile", _FullDisk(tf.io.gfile.GFile, "probe.json"))
  with pytest.raises(errors.WriteError, match="probe.json: cannot write the probe"):
    atomic.write_together({str(tmp_path / "probe.png"): b"new figure",
                           str(tmp_path / "probe.json"): "new table"}, "the probe")
  assert _files(tmp_path) == {"probe.json": b"old table"}
  monkeypatch.undo()
  atomic.write_together({str(tmp_path / "probe.png"): b"new figure",
                         str(tmp_path / "probe.json"): "new table"})
  assert _files(tmp_path) == {"probe.png": b"new figure", "probe.json": b"new table"}


def test_a_failed_rename_removes_what_the_call_renamed(tmp_path, monkeypatch):
  real = tf.io.gfile.rename

  def rename(source, target, overwrite=False):
    if target.endswith(".json"):
      raise tf.errors.PermissionDeniedError(None, None, f"{target}; Permission denied")
    real(source, target, overwrite)

  monkeypatch.setattr(tf.io.gfile, "rename", rename)
  with pytest.raises(errors.WriteError, match=r"probe.json: cannot write it \(Permission"):
    atomic.write_together({str(tmp_path / "probe.png"): b"figure",
                           str(tmp_path / "probe.json"): "table"})
  assert not _files(tmp_path)


def test_an_unwritable_directory_is_a_write_error(tmp_path):
  (tmp_path / "a_file").write_text("not a directory")
  with pytest.raises(errors.WriteError, match="cannot write it"):
    atomic.write(str(tmp_path / "a_file" / "table.json"), "{}")


def test_bucket_paths():
  path = "ram://atomic_test/run/figures/figure.png"
  atomic.write_together({path: b"png", "ram://atomic_test/run/table.md": "| a |"})
  with tf.io.gfile.GFile(path, "rb") as f:
    assert f.read() == b"png"
  assert not [p for p in tf.io.gfile.glob("ram://atomic_test/run/*") if ".tmp" in p]


@pytest.mark.parametrize("error,expected", [
    (tf.errors.ResourceExhaustedError(
        None, None, "{{function_node __wrapped__SaveV2_dtypes_3_device_/job:localhost/"
        "replica:0/task:0/device:CPU:0}} /r/ckpt-3_temp/part-00000-of-00001.index.tempstate1; "
        "No space left on device [Op:SaveV2]"), "No space left on device"),
    (OSError(28, "No space left on device"), "No space left on device"),
    (tf.errors.PermissionDeniedError(None, None, "out/run/result.json.tmp.7; Permission "
                                     "denied"), "Permission denied"),
    (ValueError("bad value; try again"), "bad value; try again"),
])
def test_reason_is_the_cause_alone(error, expected):
  assert atomic.reason(error) == expected


def test_an_interrupted_write_leaves_no_temporary_and_stays_an_interrupt(tmp_path, monkeypatch):
  real = tf.io.gfile.GFile

  def interrupted(path, mode="r"):
    if "w" in mode:
      with real(path, mode) as f:
        f.write(b"half")
      raise KeyboardInterrupt
    return real(path, mode)

  monkeypatch.setattr(tf.io.gfile, "GFile", interrupted)
  with pytest.raises(KeyboardInterrupt):
    atomic.write(str(tmp_path / "table.json"), "{}")
  assert not _files(tmp_path)
