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

import re

from absl.testing import flagsaver

from benchmarks import train_throughput
from suite.models import flops
from suite.models import zoo


def test_prints_a_row_per_model_and_augmentation(data_dir, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, batch_size=20,
                           models=["mlp", "cnn_small"], augmentations=["none", "standard"],
                           timed_steps=2, width=16, width_multiplier=0.125, matmul_size=128):
    train_throughput.main([])
  out = capsys.readouterr().out
  assert re.search(r"float32 matmul 128x128: [\d.,]+ GFLOP/s", out)
  rows = re.findall(r"^(mlp|cnn_small)\s+(none|standard)\s+[\d,]+\s+[\d.,]+\s+([\d,]+)", out, re.M)
  assert [(m, a) for m, a, _ in rows] == [("mlp", "none"), ("mlp", "standard"),
                                          ("cnn_small", "none"), ("cnn_small", "standard")]
  assert all(int(rate.replace(",", "")) > 0 for _, _, rate in rows)


def test_flop_counts_match_hand_counts():
  mlp = zoo.build(zoo.ModelConfig(name="mlp", width=100, depth=2), (10, 10, 1), 10).model
  assert flops.forward_flops(mlp) == 2 * (100 * 100 + 100 * 100 + 100 * 10)
  cnn = zoo.build(zoo.ModelConfig(name="cnn_small", width_multiplier=0.25), (8, 8, 1), 10).model
  # conv 5x5x1x16 on 8x8, conv 5x5x16x16 on 4x4, fc 64->96, fc 96->48, logits 48->10.
  expected = 2 * (25 * 16 * 64 + 25 * 16 * 16 * 16 + 64 * 96 + 96 * 48 + 48 * 10)
  assert flops.forward_flops(cnn) == expected
  assert flops.training_flops(cnn) == 3 * expected
