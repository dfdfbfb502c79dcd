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

"""Strategies and preemption, run as a user runs them: the train binary in subprocesses.

Subprocesses because TensorFlow fixes its devices (and TF_CONFIG) at start-up.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from suite.results import record
from tests.conftest import run_binary

pytestmark = pytest.mark.slow
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _flags(data_dir, output_dir, *extra):
  return [f"--data_dir={data_dir}", f"--output_dir={output_dir}", "--dataset=digits",
          "--train_size=256", "--test_size=100", "--label_noise=0.5", "--augmentation=standard",
          "--model=cnn_small", "--width_multiplier=0.25", "--batch_size=64", "--deterministic",
          *extra]


def _metrics(run_dir):
  result = record.read(str(run_dir))
  assert result["status"] == "complete", result
  return result


def test_mirrored_on_two_cpu_devices_matches_one_device(data_dir, tmp_path):
  one = run_binary("benchmarks.train", *_flags(data_dir, tmp_path / "one", "--epochs=2",
                                                "--strategy=one_device"))
  assert one.returncode == 0, one.stderr
  two = run_binary("benchmarks.train", *_flags(data_dir, tmp_path / "two", "--epochs=2",
                                                "--strategy=mirrored", "--cpu_devices=2"))
  assert two.returncode == 0, two.stderr
  assert "2 replica(s) under MirroredStrategy" in two.stdout
  one, two = _metrics(tmp_path / "one"), _metrics(tmp_path / "two")
  assert len(two["environment"]["devices"]) >= 2
  for key, value in one["metrics"].items():
    assert two["metrics"][key] == pytest.approx(value, abs=1e-4), key
  for a, b in zip(one["history"], two["history"]):
    assert b["train/loss"] == pytest.approx(a.get("train/loss"), rel=1e-4) if "train/loss" in a \
        else True


def _free_ports(count):
  sockets = [socket.socket() for _ in range(count)]
  for s in sockets:
    s.bind(("127.0.0.1", 0))
  ports = [s.getsockname()[1] for s in sockets]
  for s in sockets:
    s.close()
  return ports


def test_multi_worker_trains_with_two_workers_on_loopback(data_dir, tmp_path):
  workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
  processes = []
  for index in range(2):
    env = dict(os.environ, TF_CONFIG=json.dumps(
        {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}))
    processes.append(subprocess.Popen(
        [sys.executable, "-m", "benchmarks.train",
         *_flags(data_dir, tmp_path / "run", "--epochs=3", "--strategy=multi_worker")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
  outputs = [p.communicate(timeout=300) for p in processes]
  for process, (out, err) in zip(processes, outputs):
    assert process.returncode == 0, err[-3000:]
  assert "2 replica(s) under" in outputs[0][0]
  result = _metrics(tmp_path / "run")  # Written by worker 0 alone.
  assert result["metrics"]["epochs_completed"] == 3
  history = result["history"]
  # 256 examples, global batch 64: each worker ran 4 steps of 32 per epoch.
  assert history[-1]["train/loss"] < history[1]["train/loss"]


def test_multi_worker_without_tf_config_is_explained(data_dir, tmp_path):
  env_backup = os.environ.pop("TF_CONFIG", None)
  try:
    result = run_binary("benchmarks.train", *_flags(data_dir, tmp_path, "--strategy=multi_worker"))
  finally:
    if env_backup is not None:
      os.environ["TF_CONFIG"] = env_backup
  assert result.returncode == 2 and "needs TF_CONFIG" in result.stderr
  assert "Traceback" not in result.stderr


def _wait_for(path, process, timeout=240):
  deadline = time.time() + timeout
  while not os.path.exists(path):
    assert process.poll() is None, process.communicate()[1][-3000:]
    assert time.time() < deadline, f"{path} never appeared"
    time.sleep(0.2)


def test_a_killed_run_restarted_ends_equal_to_an_uninterrupted_one(data_dir, tmp_path):
  common = ("--epochs=6", "--track_every=1", "--model=mlp", "--width=64", "--dropout=0.2")
  args = _flags(data_dir, tmp_path / "killed", *common)
  process = subprocess.Popen([sys.executable, "-m", "benchmarks.train", *args], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  _wait_for(tmp_path / "killed" / "checkpoints" / "ckpt-2.index", process)
  process.send_signal(signal.SIGKILL)
  process.communicate()
  assert record.read(str(tmp_path / "killed"))["status"] == "running"
  restarted = run_binary("benchmarks.train", *args)
  assert restarted.returncode == 0, restarted.stderr
  assert "resuming from the checkpoint of epoch" in restarted.stdout
  straight = run_binary("benchmarks.train", *_flags(data_dir, tmp_path / "straight", *common))
  assert straight.returncode == 0, straight.stderr
  killed, uninterrupted = _metrics(tmp_path / "killed"), _metrics(tmp_path / "straight")
  for key, value in uninterrupted["metrics"].items():
    assert killed["metrics"][key] == pytest.approx(value, abs=1e-6), key
  from suite.training import tracking  # pylint: disable=g-import-not-at-top
  log = tracking.load(str(tmp_path / "killed"))
  assert list(log["epochs"]) == list(range(7)) and log["loss"].shape == (7, 256)


def test_sigterm_marks_the_run_interrupted(data_dir, tmp_path):
  args = _flags(data_dir, tmp_path / "run", "--epochs=200", "--model=mlp", "--width=32")
  process = subprocess.Popen([sys.executable, "-m", "benchmarks.train", *args], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  _wait_for(tmp_path / "run" / "checkpoints" / "ckpt-1.index", process)
  process.send_signal(signal.SIGTERM)
  _, err = process.communicate(timeout=120)
  assert process.returncode == 1
  assert "interrupted by signal 15" in err and "Traceback" not in err
  result = record.read(str(tmp_path / "run"))
  assert result["status"] == "interrupted" and result["metrics"]["epochs_completed"] >= 1


@pytest.mark.parametrize("option", ["--mixed_precision", "--jit_compile"])
def test_mixed_precision_and_xla_train(data_dir, tmp_path, option):
  args = [a for a in _flags(data_dir, tmp_path, "--epochs=1", "--noprobe", option)
          if a != "--deterministic" or option != "--jit_compile"]
  result = run_binary("benchmarks.train", *args)
  assert result.returncode == 0, result.stderr[-3000:]
  record_ = _metrics(tmp_path)
  assert 0.0 <= record_["metrics"]["test/accuracy"] <= 1.0


def test_deterministic_xla_is_refused_with_a_reason(data_dir, tmp_path):
  result = run_binary("benchmarks.train", *_flags(data_dir, tmp_path, "--jit_compile"))
  assert result.returncode == 2 and "cannot be combined" in result.stderr
  assert "Traceback" not in result.stderr
