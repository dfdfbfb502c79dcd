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

from benchmarks import input_pipeline
from tests.conftest import run_binary


def test_prints_the_summary_and_a_measured_rate(data_dir, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=200, label_noise=0.5,
                           augmentation="strong", num_views=4, per_view_labels=True,
                           batch_size=32, timed_epochs=1):
    input_pipeline.main([])
  out = capsys.readouterr().out
  assert "digits: 10 classes, images 8x8x1; train 200" in out
  assert "random labels 100" in out
  match = re.search(r"(\d+) images in ([\d.]+) s = ([\d,]+) images/s", out)
  assert match and int(match.group(1)) == 192  # 6 full batches of 32.
  assert float(match.group(3).replace(",", "")) > 0


def test_a_missing_dataset_is_one_message_and_a_nonzero_exit(tmp_path):
  result = run_binary("benchmarks.input_pipeline", "--dataset=cifar100",
                      f"--data_dir={tmp_path}", "--nodownload")
  assert result.returncode == 1  # A runtime error (data), not a usage error.
  assert "Traceback" not in result.stderr
  assert result.stderr.strip().splitlines()[-1].startswith(
      "error: Dataset 'cifar100' is not prepared")
  assert "cifar-100-python.tar.gz" in result.stderr


def test_an_invalid_flag_combination_is_rejected_before_any_work():
  result = run_binary("benchmarks.input_pipeline", "--per_view_labels", "--num_views=0")
  assert result.returncode != 0
  assert "Traceback" not in result.stderr
  assert "--per_view_labels needs --num_views >= 1" in result.stderr


def test_synthetic_shape_runs_offline_and_reports_cpu_time(capsys):
  with flagsaver.flagsaver(synthetic_shape=["12", "10", "3"], train_size=64, augmentation="strong",
                           batch_size=16, timed_epochs=1):
    input_pipeline.main([])
  out = capsys.readouterr().out
  assert "synthetic_12x10x3: 10 classes, images 12x10x3; train 64" in out
  match = re.search(r"(\d+) images in [\d.]+ s = [\d,]+ images/s, ([\d.]+) CPU s per 1,000", out)
  assert match and int(match.group(1)) == 64 and float(match.group(2)) > 0
