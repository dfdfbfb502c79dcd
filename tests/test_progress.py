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

"""Progress: epoch lines with elapsed time and ETA, in-epoch steps where asked, and a line
for each long step (dataset preparation, probes, controls)."""

import io

import numpy as np
import pytest

from suite.data import augmentation
from suite.data import datasets
from suite.data import sources
from suite.models import zoo
from suite.probing import hook as probe_hook
from suite.probing import knn
from suite.probing import probe
from suite.results import tables
from suite.training import progress as progress_lib
from suite.training import run_spec
from suite.training import runner
from suite.training import trainer as trainer_lib


def test_durations_and_eta():
  assert [tables.duration(s) for s in (None, 4.4, 65, 3600 + 7 * 60 + 20)] == \
      ["-", "4s", "1m05s", "1h07m"]
  assert progress_lib.eta(30.0, 3, 7) == pytest.approx(70.0)
  assert progress_lib.eta(30.0, 0, 7) is None
  line = progress_lib.progress_line({"epoch": 3, "train/loss": 0.5}, 10, 30.0, 70.0)
  assert line.startswith("epoch    3/10") and line.endswith("elapsed 30s ETA 1m10s")
  assert "elapsed" not in progress_lib.progress_line({"epoch": 3}, 10)


class _Clock:
  def __init__(self):
    self.now = 0.0

  def __call__(self):
    return self.now


def test_step_progress_is_silent_for_short_epochs_and_throttled_for_long_ones():
  out, clock = io.StringIO(), _Clock()
  progress = progress_lib.StepProgress(out, steps_per_epoch=10, after=3.0, interval=1.0, clock=clock)
  for _ in range(10):  # A 1.8 s epoch: nothing.
    clock.now += 0.2
    progress.step()
  progress.end()
  assert out.getvalue() == ""
  for _ in range(10):  # A 10 s epoch: steps 4 (3 s after step 1) to 10, one per second.
    clock.now += 1.0
    progress.step()
  shown = [part.strip() for part in out.getvalue().split("\r") if part.strip()]
  assert shown[0].startswith("step  4/10  3s  ETA 6s"), shown  # 3 steps in 3 s, 6 left.
  assert len(shown) == 7 and shown[-1].startswith("step 10/10  9s  ETA 0s")
  progress.end()
  assert out.getvalue().endswith("\r")  # The line is cleared for the epoch's line.


def _run(tmp_path, data_dir, out, progress):
  spec = run_spec.RunSpec(
      output_dir=str(tmp_path / "run"), benchmark="train",
      data=datasets.DataConfig(dataset="digits", data_dir=data_dir, train_size=90,
                               test_size=40, label_noise=0.5, seed=2),
      model=zoo.ModelConfig(name="mlp", width=8, depth=2), augment=augmentation.AugmentConfig(),
      train=trainer_lib.TrainConfig(epochs=2, batch_size=30, seed=2), flags={})
  hook = probe_hook.ProbeHook(probe.ProbeConfig(knn=knn.KnnConfig(ks=(1, 5))), 0, 2)
  return runner.run(spec, hooks=[hook], out=out, progress=progress)


def test_a_run_prints_elapsed_eta_and_its_probes_but_no_steps_into_a_log(tmp_path, data_dir):
  out = io.StringIO()  # Not a terminal: no in-epoch progress.
  final = _run(tmp_path, data_dir, out, progress=None)
  text = out.getvalue()
  assert "\r" not in text
  epochs = [line for line in text.splitlines() if line.startswith("epoch ")]
  assert len(epochs) == 3 and all("elapsed" in line and "ETA" in line for line in epochs)
  assert epochs[0].endswith("ETA -") and epochs[-1].endswith("ETA 0s")
  endpoints = len(final["probe"]["endpoints"])
  assert f"probing {endpoints} endpoints at epoch 2 (train_subset bank of 90, 40 queries, " \
      "k 1, 5) ..." in text
  assert "probe done in" in text
  assert "controls: probing raw pixels and a random initialisation of mlp" in text
  assert "controls done in" in text


def test_asked_for_progress_a_run_shows_its_steps(tmp_path, data_dir, monkeypatch):
  class Eager(progress_lib.StepProgress):
    def __init__(self, out, steps_per_epoch):
      super().__init__(out, steps_per_epoch, after=0.0, interval=0.0)

  monkeypatch.setattr(progress_lib, "StepProgress", Eager)
  out = io.StringIO()
  _run(tmp_path, data_dir, out, progress=True)
  text = out.getvalue()
  assert text.count("step 3/3") == 2  # 90 examples / 30 per batch, two epochs.
  # What a terminal shows: the progress line is cleared before every other line.
  visible = [line.split("\r")[-1].strip() for line in text.split("\n")]
  assert not [line for line in visible if line.startswith("step")], visible
  assert len([line for line in visible if line.startswith("epoch ")]) == 3, visible


def _idx_bytes(array):
  header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
  return header + array.astype(np.uint8).tobytes()


def test_preparing_a_dataset_says_so_once(tmp_path):
  manual = tmp_path / "manual"
  manual.mkdir()
  for images_name, labels_name in sources._IDX_FILES.values():  # pylint: disable=protected-access
    (manual / images_name).write_bytes(_idx_bytes(np.zeros((20, 28, 28), np.uint8)))
    (manual / labels_name).write_bytes(_idx_bytes(np.arange(20) % 10))
  lines = []
  for _ in range(2):
    sources.load_raw("mnist", data_dir=str(tmp_path / "tfds"), manual_dir=str(manual),
                     download=False, report=lines.append)
  assert len(lines) == 2, lines  # The second load finds it prepared: silent.
  assert lines[0] == f"preparing mnist from {manual} into {tmp_path / 'tfds'} (one time) ..."
  assert lines[1].startswith("prepared mnist in ")
