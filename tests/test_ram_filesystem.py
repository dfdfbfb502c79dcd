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

"""All I/O goes through tf.io.gfile: a run, its re-probe and the leaderboard work with every
output under TensorFlow's in-memory `ram://` filesystem (standing in for a bucket)."""

from absl.testing import flagsaver
import tensorflow as tf

from benchmarks import knn_probe
from benchmarks import leaderboard
from benchmarks import train
from suite.results import record


def test_a_run_its_probe_and_the_leaderboard_under_ram(data_dir, capsys):
  run_dir, board = "ram://suite_test/runs/mlp", "ram://suite_test/board"
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, model="mlp", width=16,
                           epochs=2, batch_size=64, track_every=1, knn_k=["1", "20"],
                           output_dir=run_dir):
    train.main([])
  rec = record.read(run_dir)
  assert rec["status"] == "complete" and "probe" in rec and "controls" in rec
  for name in ("checkpoints", "tensorboard", "figures", "per_example"):
    assert tf.io.gfile.isdir(f"{run_dir}/{name}"), name
  assert tf.io.gfile.glob(f"{run_dir}/tensorboard/events.out.tfevents.*")
  with flagsaver.flagsaver(run_dir=run_dir, data_dir=data_dir, knn_k=["20"]):
    knn_probe.main([])
  assert tf.io.gfile.glob(f"{run_dir}/probes/*")
  with flagsaver.flagsaver(runs=["ram://suite_test/runs"], board_dir=board):
    leaderboard.main([])
  written = tf.io.gfile.listdir(board)
  assert any(n.endswith(".md") for n in written) and any(n.endswith(".csv") for n in written)
  assert any(n.endswith(".png") for n in written)
  capsys.readouterr()
