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

"""kill -9 at every stage boundary and mid-stage, then the same command: the same record.

Every kill is a real SIGKILL of a separate process (see tests/forked.py): either the
process kills itself at a named point between two writes (MEMSUITE_KILL_AT, which
makes the boundary cases deterministic), or the driver kills it the moment a file
appears (mid-epoch, mid-probe). The resumed run's final record must equal an
uninterrupted run's in everything but timings, probe and controls included.
"""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

from suite.results import record
from tests import forked

ROOT = pathlib.Path(__file__).resolve().parents[2]
EPOCHS = 3
# Cross-entropy on random labels with dropout: the RNG state must survive the restart.
COMMON = ("--dataset=digits", "--train_size=100", "--test_size=50", "--label_noise=0.5",
          "--model=mlp", "--width=16", "--dropout=0.2", "--batch_size=25", "--knn_k=1,5",
          "--track_every=1", "--deterministic")
# (case, kill point or None, file whose appearance triggers the kill, stage left on disk)
KILLS = (
    ("mid_epoch_2", None, "checkpoints/ckpt-1.index", "training"),
    ("epoch_1_recorded_before_its_checkpoint", "epoch_1_recorded", None, "training"),
    ("last_epoch_recorded_before_its_checkpoint", f"epoch_{EPOCHS}_recorded", None, "training"),
    ("mid_final_probe", None, "figures/knn_by_layer.png", "training"),
    ("after_last_checkpoint_before_trained_record", "fitted", None, "training"),
    ("after_trained_record_before_probe", "trained", None, "trained"),
    ("after_probed_record_before_complete", "probed", None, "probed"),
)
TIMING_KEYS = ("perf/epoch_seconds", "perf/examples_per_second")


def comparable(rec: dict) -> dict:
  """The record without what may differ between equal runs: timings and the run's path."""
  rec = json.loads(json.dumps(rec))
  rec.pop("timing")
  rec["environment"].pop("git", None)  # Provenance: the checkout may change between runs.
  rec["config"].pop("output_dir", None)
  rec["config"].pop("extend", None)
  for entry in rec.get("history", []):
    for key in TIMING_KEYS:
      entry.pop(key, None)
  return rec


def assert_equal_records(got, want, path="record"):
  if isinstance(want, dict):
    assert isinstance(got, dict) and set(got) == set(want), (path, set(got) ^ set(want))
    for key in want:
      assert_equal_records(got[key], want[key], f"{path}.{key}")
  elif isinstance(want, list):
    assert isinstance(got, list) and len(got) == len(want), path
    for i, (g, w) in enumerate(zip(got, want)):
      assert_equal_records(g, w, f"{path}[{i}]")
  elif isinstance(want, float):
    assert got == pytest.approx(want, rel=1e-6, abs=1e-7), path
  else:
    assert got == want, path


@pytest.fixture(scope="module")
def runs(tmp_path_factory, data_dir):
  tmp = tmp_path_factory.mktemp("kills")
  args = lambda name, epochs=EPOCHS, *extra: [*COMMON, f"--data_dir={data_dir}",
                                              f"--output_dir={tmp / name}", f"--epochs={epochs}",
                                              *extra]
  cases = [dict(name="straight", binary="train", args=args("straight")),
           dict(name="straight_4", binary="train", args=args("straight_4", 4))]
  for name, point, trigger, _ in KILLS:
    cases.append(dict(name=f"{name}/killed", binary="train", args=args(name),
                      env={record.KILL_AT_ENV: point} if point else {},
                      kill_when=str(tmp / name / trigger) if trigger else None,
                      snapshot=str(tmp / name / "result.json")))
    cases.append(dict(name=f"{name}/resumed", binary="train", args=args(name),
                      may_change=[str(tmp / name)]))
  # --extend: a finished 3-epoch run trained on to 4 equals a 4-epoch run (constant rate).
  cases.append(dict(name="extend/first", binary="train", args=args("extended")))
  cases.append(dict(name="extend/refused", binary="train", args=args("extended", 4)))
  cases.append(dict(name="extend/extended", binary="train",
                    args=args("extended", 4, "--extend"), may_change=[str(tmp / "extended")]))
  return tmp, {r["name"]: r for r in forked.run_cases(cases, tmp)}


@pytest.mark.slow
@pytest.mark.parametrize("name,stage", [(k[0], k[3]) for k in KILLS])
def test_a_run_killed_then_resumed_ends_with_the_uninterrupted_record(runs, name, stage):
  tmp, outcomes = runs
  assert outcomes["straight"]["exit"] == 0, outcomes["straight"]["stderr"][-2000:]
  killed, resumed = outcomes[f"{name}/killed"], outcomes[f"{name}/resumed"]
  assert killed["exit"] == -signal.SIGKILL, (killed["exit"], killed["stderr"][-2000:])
  # What the kill left: an unfinished run at the expected stage, never `complete`.
  left = json.loads(killed["snapshot"])
  assert left["status"] == "running" and left["stage"] == stage, (left["status"], left["stage"])
  if stage == "probed":
    assert "probe" in left and "controls" in left
  assert resumed["exit"] == 0, resumed["stderr"][-2000:]
  assert "Traceback" not in resumed["stderr"]
  final = record.read(str(tmp / name))
  assert final["status"] == "complete" and final["stage"] == "complete"
  assert final["probe"]["epoch"] == EPOCHS and set(final["controls"]) >= {"raw_pixels",
                                                                          "random_init"}
  assert_equal_records(comparable(final), comparable(record.read(str(tmp / "straight"))))


@pytest.mark.slow
def test_extend_continues_a_finished_run_and_keeps_its_history(runs):
  tmp, outcomes = runs
  assert outcomes["extend/first"]["exit"] == 0
  refused = outcomes["extend/refused"]
  assert refused["exit"] == 2 and "train.epochs: 3 in the run, 4 asked" in refused["stderr"]
  assert "--extend" in refused["stderr"] and not refused["changed"]
  extended = outcomes["extend/extended"]
  assert extended["exit"] == 0, extended["stderr"][-2000:]
  assert "resuming from the checkpoint of epoch 3" in extended["stdout"]
  final = record.read(str(tmp / "extended"))
  assert [h["epoch"] for h in final["history"]] == [0, 1, 2, 3, 4]
  assert final["config"]["extend"] is True and final["settings"]["train"]["epochs"] == 4
  # The kept history still holds the probe of the old last epoch; beyond it, the run is the
  # 4-epoch run.
  extended_history = comparable(final)
  assert any(k.startswith("knn/") for k in extended_history["history"][3])
  extended_history["history"][3] = {k: v for k, v in extended_history["history"][3].items()
                                    if not k.startswith("knn")}
  assert_equal_records(extended_history, comparable(record.read(str(tmp / "straight_4"))))


def _wait_for(path, process, timeout=240):
  deadline = time.time() + timeout
  while not os.path.exists(path):
    assert process.poll() is None, process.communicate()[1][-3000:]
    assert time.time() < deadline, f"{path} never appeared"
    time.sleep(0.05)


@pytest.mark.slow
def test_a_second_process_into_a_busy_run_directory_is_refused(data_dir, tmp_path):
  run_dir = tmp_path / "run"
  args = [*COMMON, f"--data_dir={data_dir}", f"--output_dir={run_dir}", "--noprobe"]
  first = subprocess.Popen([sys.executable, "-m", "benchmarks.train", *args, "--epochs=40"],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  try:
    _wait_for(run_dir / "result.json", first)
    second = subprocess.run([sys.executable, "-m", "benchmarks.train", *args, "--epochs=40",
                             "--seed=5"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    _, first_err = first.communicate(timeout=600)
  finally:
    if first.poll() is None:
      first.kill()
  errors = [line for line in second.stderr.splitlines() if line.startswith("error:")]
  assert second.returncode == 1 and len(errors) == 1, second.stderr[-2000:]
  assert f"{run_dir} is in use by another process (pid {first.pid} on" in errors[0]
  assert first.returncode == 0, first_err[-2000:]
  final = record.read(str(run_dir))
  assert final["status"] == "complete" and final["settings"]["train"]["seed"] == 0
  assert [h["epoch"] for h in final["history"]] == list(range(41))
  assert not list(run_dir.glob("scratch")) and sorted(os.listdir(run_dir / "checkpoints"))[0]
  shutil.rmtree(run_dir)
