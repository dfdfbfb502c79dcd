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
import numpy as np
import pytest

from benchmarks import train_throughput
from flags import synthetic
from suite import errors
from suite.data import datasets
from suite.models import flops
from suite.models import zoo

_ROW = re.compile(r"^(mlp|cnn_small)\s+(none|standard|strong)\s+[\d,]+\s+[\d.,]+\s+([\d,]+)"
                  r"\s+[\d.,]+\s+[\d.]+%\s+([\d.]+)\s+[\d.]+\s+([\d.]+|-)$", re.M)


def test_prints_a_row_per_model_and_augmentation(data_dir, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, batch_size=20,
                           models=["mlp", "cnn_small"], augmentations=["none", "standard"],
                           timed_steps=2, width=16, width_multiplier=0.125, matmul_size=128):
    train_throughput.main([])
  out = capsys.readouterr().out
  assert re.search(r"float32 matmul 128x128: [\d.,]+ GFLOP/s", out)
  rows = _ROW.findall(out)
  assert [(m, a) for m, a, *_ in rows] == [("mlp", "none"), ("mlp", "standard"),
                                           ("cnn_small", "none"), ("cnn_small", "standard")]
  assert all(int(rate.replace(",", "")) > 0 for _, _, rate, _, _ in rows)
  # The ratio column is each rate over the same model's rate without augmentation.
  rates = {(m, a): int(rate.replace(",", "")) for m, a, rate, _, _ in rows}
  for model, aug, _, _, versus in rows:
    assert float(versus) == pytest.approx(rates[model, aug] / rates[model, "none"], abs=0.01)
  lines = re.findall(r"^ratio (mlp|cnn_small) standard/none: ([\d.]+) \(([\d.-]+)% of", out, re.M)
  assert [m for m, _, _ in lines] == ["mlp", "cnn_small"]
  for model, ratio, lost in lines:
    assert float(ratio) == pytest.approx(rates[model, "standard"] / rates[model, "none"], abs=0.01)
    assert float(lost) == pytest.approx(100 * (1 - float(ratio)), abs=0.1)


def test_synthetic_shape_times_strong_views_at_32x32x3_offline(capsys):
  with flagsaver.flagsaver(synthetic_shape=["32", "32", "3"], train_size=60, batch_size=20,
                           models=["mlp"], augmentations=["none", "strong"], timed_steps=1,
                           rounds=2, width=16, matmul_size=64):
    train_throughput.main([])
  out = capsys.readouterr().out
  assert "synthetic_32x32x3" in out
  rows = _ROW.findall(out)
  assert [(m, a) for m, a, *_ in rows] == [("mlp", "none"), ("mlp", "strong")]
  assert rows[0][4] == "1.00"
  # The mlp's first layer sees 32 * 32 * 3 inputs.
  assert flops.training_flops(zoo.build(zoo.ModelConfig(name="mlp", width=16), (32, 32, 3),
                                        10).model) == 3 * 2 * (3072 * 16 + 16 * 16 + 16 * 10)
  assert re.search(r"^ratio mlp strong/none: [\d.]+ ", out, re.M)


def test_synthetic_data_is_keyed_by_the_seed():
  config = datasets.DataConfig(train_size=30, seed=3)
  first = synthetic.synthetic_data((8, 9, 3), config)
  again = synthetic.synthetic_data((8, 9, 3), config)
  other = synthetic.synthetic_data((8, 9, 3), datasets.DataConfig(train_size=30, seed=4))
  assert first.train.images.shape == (30, 8, 9, 3) and first.info.num_classes == 10
  np.testing.assert_array_equal(first.train.images, again.train.images)
  assert not np.array_equal(first.train.images, other.train.images)
  # Images are uint8 values over 255, as a prepared dataset's.
  np.testing.assert_array_equal(np.round(first.train.images * 255) / 255, first.train.images)


def test_timed_steps_are_capped_by_the_epoch_and_a_one_batch_epoch_is_refused(capsys):
  settings = dict(synthetic_shape=["8", "8", "1"], train_size=60, batch_size=20, models=["mlp"],
                  augmentations=["none"], timed_steps=5, width=8, matmul_size=64)
  with flagsaver.flagsaver(**settings):
    train_throughput.main([])
  out = capsys.readouterr().out
  assert "timing 2 steps per round, not --timed_steps=5: an epoch has 3 batches" in out
  assert len(_ROW.findall(out)) == 1
  with flagsaver.flagsaver(**dict(settings, batch_size=40)):
    with pytest.raises(errors.ConfigError, match="leaves 1 batch per epoch"):
      train_throughput.main([])
  with flagsaver.flagsaver(**dict(settings, batch_size=80)):
    with pytest.raises(errors.ConfigError, match="exceeds the 60 training examples"):
      train_throughput.main([])


def test_a_bad_synthetic_shape_is_rejected():
  for shape in (["32", "32"], ["32", "x", "3"], ["8", "8", "2"]):
    with pytest.raises(Exception, match="synthetic_shape"):
      with flagsaver.flagsaver(synthetic_shape=shape):
        pass


def test_flop_counts_match_hand_counts():
  mlp = zoo.build(zoo.ModelConfig(name="mlp", width=100, depth=2), (10, 10, 1), 10).model
  assert flops.forward_flops(mlp) == 2 * (100 * 100 + 100 * 100 + 100 * 10)
  cnn = zoo.build(zoo.ModelConfig(name="cnn_small", width_multiplier=0.25), (8, 8, 1), 10).model
  # conv 5x5x1x16 on 8x8, conv 5x5x16x16 on 4x4, fc 64->96, fc 96->48, logits 48->10.
  expected = 2 * (25 * 16 * 64 + 25 * 16 * 16 * 16 + 64 * 96 + 96 * 48 + 48 * 10)
  assert flops.forward_flops(cnn) == expected
  assert flops.training_flops(cnn) == 3 * expected
