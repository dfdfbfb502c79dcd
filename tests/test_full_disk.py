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

"""A full disk: the command fails with one `error:` line, and leaves nothing half-written.

Each case runs a binary (`train`, `train --extend`, `knn_probe`) on its own small
tmpfs, filled up to leave a few KiB free, so that the command runs out of space at
some write: the per-example shard, the record, a figure, a checkpoint, the probe's
table or its figure. Whatever the write, the case must end with exit status 1 (or 0
where the space sufficed), exactly one `error:` line naming the full disk, no
traceback, no temporary file (`*.tmp*`, a checkpoint's `_temp` directory), no partial
artifact (every record, table, figure, shard and checkpoint left is whole; a probe's
table and figure come together), and nothing lost (the run's record and its latest
checkpoint are still usable). TensorBoard's event files are append-only streams whose
reader skips a torn last record; they are not checked.

Mounting needs root: the tests skip without it, or where the mount fails.
"""

import json
import os
import pathlib
import shutil
import subprocess

from absl.testing import flagsaver
import numpy as np
import pytest
import tensorflow as tf

from benchmarks import train
from suite import errors
from suite.results import atomic
from suite.training import checkpointing
from tests import forked

TINY = ("--dataset=digits", "--train_size=100", "--test_size=50", "--model=mlp", "--width=8",
        "--batch_size=25", "--knn_k=1,5", "--track_every=1")
# The same run, trained in-process (`FINISHED`) and extended by the binary (`TINY`).
FINISHED = dict(dataset="digits", train_size=100, test_size=50, model="mlp", width=8,
                batch_size=25, knn_k=["1", "5"], track_every=1, epochs=2)
MOUNT_SIZE = "1m"
# From nothing (a new run's lock file) to enough for some writes to pass: on this tiny
# run, the extension fails at its record, its figure and its checkpoint, and the probe
# at its figure and at its table (with its figure written).
FREE_KIB = {"train": (0,), "extend": (8, 16, 48), "probe": (0, 28)}
PNG_END = b"IEND\xaeB`\x82"


def _mount(path: pathlib.Path) -> bool:
  path.mkdir(parents=True)
  done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={MOUNT_SIZE}", "tmpfs",
                         str(path)], capture_output=True, check=False)
  return done.returncode == 0


def _unmount(path: pathlib.Path) -> None:
  subprocess.run(["umount", str(path)], capture_output=True, check=False)


def _fill(mount: pathlib.Path, free_kib: int) -> None:
  """Fills `mount` up to `free_kib` KiB left free."""
  stat = os.statvfs(mount)
  left = stat.f_bavail * stat.f_frsize - free_kib * 1024
  with open(mount / "filler", "wb") as f:
    f.write(b"\0" * max(0, left))


def _cases(tmp: pathlib.Path, data_dir: str) -> list[dict]:
  """One case per command and free space, each on its own tmpfs `tmp/<name>`."""
  cases = []
  data = f"--data_dir={data_dir}"
  for command, free in ((c, f) for c, sizes in FREE_KIB.items() for f in sizes):
    name = f"{command}_free_{free}k"
    mount = tmp / name
    run = mount / "run"
    if command == "train":
      binary, args = "train", (*TINY, data, f"--output_dir={run}", "--epochs=2")
    elif command == "extend":
      binary, args = "train", (*TINY, data, f"--output_dir={run}", "--epochs=3", "--extend")
    else:
      binary, args = "knn_probe", (f"--run_dir={run}", data, "--knn_k=1,5")
    cases.append(dict(name=name, command=command, free=free, mount=str(mount), run=str(run),
                      binary=binary, args=list(args)))
  return cases


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, data_dir):
  if os.geteuid() != 0:
    pytest.skip("mounting a small tmpfs needs root")
  tmp = tmp_path_factory.mktemp("full_disk")
  if not _mount(tmp / "can_mount"):
    pytest.skip("cannot mount a tmpfs here")
  mounted = [tmp / "can_mount"]
  try:
    finished = tmp / "finished"
    with flagsaver.flagsaver(**FINISHED, data_dir=data_dir, output_dir=str(finished)):
      train.main([])  # In this process: one TensorFlow import less.
    cases = _cases(tmp, data_dir)
    for case in cases:
      mount = pathlib.Path(case["mount"])
      assert _mount(mount), f"cannot mount {mount}"
      mounted.append(mount)
      if case["command"] != "train":
        shutil.copytree(finished, case["run"], ignore=shutil.ignore_patterns(".lock"))
      _fill(mount, case["free"])
    results = forked.run_cases(cases, tmp)
    for result in results:
      result["after"] = _inspect(pathlib.Path(result["run"]))
    yield {r["name"]: r for r in results}
  finally:
    for mount in mounted:
      _unmount(mount)


def _inspect(run: pathlib.Path) -> dict:
  """What a case left in its run directory: temporaries, partial artifacts, and whether
  the record and the latest checkpoint are usable."""
  temporaries, partial = [], []
  if not run.exists():
    return dict(temporaries=[], partial=[], record=None, checkpoint=None, exists=False)
  for path in sorted(run.rglob("*")):
    relative = str(path.relative_to(run))
    if ".tmp" in path.name or path.name.endswith("_temp"):
      temporaries.append(relative)
      continue
    if not path.is_file():
      continue
    try:
      if path.suffix == ".json":
        json.loads(path.read_text())
      elif path.suffix == ".png":
        assert path.read_bytes().startswith(b"\x89PNG") and \
            path.read_bytes().endswith(PNG_END)
      elif path.suffix == ".npz":
        with np.load(path) as shard:
          _ = [shard[k] for k in shard.files]
    except Exception:  # pylint: disable=broad-except  (any failure: the file is not whole)
      partial.append(relative)
  probes = run / "probes"
  if probes.exists():
    stems = {p.stem for p in probes.iterdir()}
    for stem in stems:
      if not ((probes / f"{stem}.json").exists() and (probes / f"{stem}.png").exists()):
        partial.append(f"probes/{stem}: its table or its figure alone")
  record = None
  if (run / "result.json").exists():
    try:
      record = json.loads((run / "result.json").read_text())
    except ValueError:
      record = "unreadable"
  checkpoint = None
  state = tf.train.get_checkpoint_state(str(run / "checkpoints"))
  if state and state.model_checkpoint_path:
    try:
      reader = tf.train.load_checkpoint(state.model_checkpoint_path)
      for name in reader.get_variable_to_shape_map():
        reader.get_tensor(name)
      checkpoint = os.path.basename(state.model_checkpoint_path)
    except Exception as e:  # pylint: disable=broad-except
      checkpoint = f"unusable ({type(e).__name__})"
    for path in (run / "checkpoints").glob("ckpt-*.index"):
      if not list(path.parent.glob(f"{path.stem}.data-*")):
        partial.append(f"checkpoints/{path.name} without its data")
  return dict(temporaries=temporaries, partial=partial, record=record, checkpoint=checkpoint,
              exists=True)


CASE_NAMES = [f"{c}_free_{f}k" for c, sizes in FREE_KIB.items() for f in sizes]


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_NAMES)
def test_full_disk(outcomes, name):
  outcome = outcomes[name]
  stderr, after = outcome["stderr"], outcome["after"]
  error_lines = [line for line in stderr.splitlines() if line.startswith("error:")]
  assert "Traceback" not in stderr, stderr[-3000:]
  assert outcome["exit"] in (0, 1), (outcome["exit"], stderr[-3000:])
  if outcome["exit"]:
    assert len(error_lines) == 1, stderr[-3000:]
    assert "No space left on device" in error_lines[0], error_lines
  assert not after["temporaries"], after["temporaries"]
  assert not after["partial"], after["partial"]
  if outcome["command"] == "probe":  # The probe adds probes/ and changes nothing else.
    assert not outcome["changed"], outcome["changed"]
  if outcome["command"] in ("extend", "probe"):  # Nothing lost: record and checkpoint usable.
    assert isinstance(after["record"], dict), after["record"]
    assert after["record"]["metrics"]["epochs_completed"] >= 2
    assert after["checkpoint"] in ("ckpt-2", "ckpt-3"), after["checkpoint"]
  elif after["exists"] and after["record"] is not None:
    assert isinstance(after["record"], dict), after["record"]


def test_every_command_runs_out_of_space(outcomes):
  """The free space is small enough that each command fails at least once."""
  failed = {o["command"] for o in outcomes.values() if o["exit"] == 1}
  assert failed == set(FREE_KIB), failed




@pytest.fixture
def small_disk(tmp_path):
  """A 1 MiB tmpfs, unmounted after the test."""
  if os.geteuid() != 0:
    pytest.skip("mounting a small tmpfs needs root")
  mount = tmp_path / "disk"
  if not _mount(mount):
    pytest.skip("cannot mount a tmpfs here")
  try:
    yield mount
  finally:
    _unmount(mount)


def test_a_checkpoint_that_does_not_fit_leaves_the_previous_one(small_disk):
  variable = tf.Variable(tf.zeros([64, 256]))  # 64 KiB.
  directory = small_disk / "checkpoints"
  manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=variable), str(directory),
                                       max_to_keep=2)
  assert checkpointing.save(manager).endswith("ckpt-1")  # Numbered by its save counter.
  _fill(small_disk, 32)
  variable.assign(tf.ones([64, 256]))
  with pytest.raises(errors.WriteError,
                     match=r"ckpt-2: cannot write the checkpoint \(No space left on device\)$"):
    checkpointing.save(manager, 2)
  with pytest.raises(errors.WriteError, match=r"ckpt-3: cannot write"):  # Save counter: 3.
    checkpointing.save(manager)
  assert sorted(os.listdir(directory)) == ["checkpoint", "ckpt-1.data-00000-of-00001",
                                           "ckpt-1.index"]
  restored = tf.Variable(tf.ones([64, 256]))
  tf.train.Checkpoint(v=restored).restore(tf.train.latest_checkpoint(str(directory)))
  assert not restored.numpy().any()
  (small_disk / "filler").unlink()
  assert checkpointing.save(manager, 2).endswith("ckpt-2")


def test_files_that_do_not_fit_together_leave_neither(small_disk):
  table, figure = small_disk / "probe.json", small_disk / "probe.png"
  table.write_text("old table")
  _fill(small_disk, 16)
  with pytest.raises(errors.WriteError, match=r"cannot write the probe \(No space left"):
    atomic.write_together({str(figure): b"f" * 12 * 1024, str(table): "t" * 8 * 1024},
                          "the probe")
  assert sorted(os.listdir(small_disk)) == ["filler", "probe.json"]
  assert table.read_text() == "old table"
