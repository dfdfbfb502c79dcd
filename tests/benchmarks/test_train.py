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

import os

from absl.testing import flagsaver

from benchmarks import train
from suite.results import record


def test_train_binary_writes_record_events_checkpoints_and_per_example_log(data_dir, tmp_path,
                                                                           capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, test_size=50,
                           label_noise=1.0, model="mlp", width=32, epochs=2, batch_size=25,
                           track_every=1, output_dir=str(tmp_path)):
    train.main([])
  out = capsys.readouterr().out
  assert "epoch    2/2" in out and "memorization/train_fit" in out
  result = record.read(str(tmp_path))
  assert result["status"] == "complete" and result["benchmark"] == "train"
  assert result["config"]["label_noise"] == 1.0 and result["config"]["model"] == "mlp"
  assert result["dataset"]["num_label_corrupted"] == 100
  assert set(os.listdir(tmp_path)) >= {"result.json", "tensorboard", "checkpoints", "per_example"}
  assert any(f.startswith("events.out.tfevents") for f in os.listdir(tmp_path / "tensorboard"))
