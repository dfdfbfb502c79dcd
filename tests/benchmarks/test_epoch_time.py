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

"""benchmarks.train_throughput's seconds per epoch and projected wall time (docs/gpu.md)."""

import re

from absl import flags
from absl.testing import flagsaver
import pytest

from benchmarks import train_throughput
from suite import errors
from suite.experiments import throughput

_SETTINGS = dict(synthetic_shape=["8", "8", "3"], train_size=200, batch_size=20, models=["mlp"],
                 augmentations=["none"], timed_steps=2, width=16, matmul_size=64,
                 label_noise=1.0, knn_k=["20"], knn_bank="full")
_NUMBER = r"([\d,]+(?:\.\d+)?)"


def _number(text):
  return float(text.replace(",", ""))


def test_epoch_seconds_counts_the_full_batches_and_the_epoch_start():
  # 50,000 // 256 = 195 full batches; the loop drops the remaining 80 examples.
  assert throughput.epoch_seconds(50_000, 256, 1000.0, 2.0) == pytest.approx(
      195 * 256 / 1000.0 + 2.0)
  assert throughput.epoch_seconds(512, 256, 256.0, 0.0) == pytest.approx(2.0)


@pytest.mark.parametrize("epochs,every", [(10_000, 50), (120, 50), (7, 0), (50, 50), (3, 5)])
def test_probes_in_counts_the_epochs_the_probe_hook_probes(epochs, every):
  # The hook (suite.probing.hook.ProbeHook.on_evaluate) probes the last epoch and every
  # `every`-th epoch after 0.
  due = [e for e in range(1, epochs + 1) if e == epochs or (every and e % every == 0)]
  assert throughput.probes_in(epochs, every) == len(due)


def test_a_probe_is_projected_linearly_in_images_and_in_searched_pairs():
  timing = throughput.ProbeTiming(examples=300, feature_seconds=3.0, pairs=1_000,
                                        knn_seconds=2.0)
  # Full bank with random labels: features of the bank, the queries and the training split
  # again (the noisy bank); pairs: bank x queries + bank x corrupted.
  expected = (1000 + 100 + 1000) * 3.0 / 300 + (1000 * 100 + 1000 * 500) * 2.0 / 1_000
  assert timing.projected(1000, 100, 0.5, full_bank=True) == pytest.approx(expected)
  # Clean labels: no noisy search and no second extraction.
  assert timing.projected(1000, 100, 0.0, full_bank=True) == pytest.approx(
      1100 * 3.0 / 300 + 1000 * 100 * 2.0 / 1_000)


def test_prints_seconds_per_epoch_and_the_projected_wall_time(capsys):
  with flagsaver.flagsaver(epoch_size=1_000, project_epochs=100, probe_every=10, eval_every=5,
                           time_probe=True, **_SETTINGS):
    train_throughput.main([])
  out = capsys.readouterr().out
  epoch = re.search(rf"^epoch of 1,000 examples mlp / none \(float32, no XLA\): {_NUMBER} s "
                    rf"\((\d+) steps of 20 at {_NUMBER} examples/s \+ {_NUMBER} s epoch start\)$",
                    out, re.M)
  assert epoch, out
  seconds, steps, rate, start = (_number(v) for v in epoch.groups())
  assert steps == 50
  # The printed rate and start are rounded: compare within that rounding.
  assert seconds == pytest.approx(50 * 20 / rate + start, abs=0.02 + 1000 / rate**2)
  # The table's rate is the same measurement.
  assert re.search(rf"^mlp\s+none\s+[\d,]+\s+[\d.]+\s+{epoch.group(3)}\s", out, re.M)
  probe = re.search(rf"^probe mlp: 300 images' features in {_NUMBER} s, k-NN of 60,000 pairs in "
                    rf"{_NUMBER} s; projected to a full bank of 1,000, 10,000 queries, label "
                    rf"noise 1: {_NUMBER} s per probe", out, re.M)
  assert probe, out  # 200 bank + 100 queries; pairs 200 x (100 queries + 200 corrupted).
  per_probe = _number(probe.group(3))
  features, knn = _number(probe.group(1)), _number(probe.group(2))
  expected = (1000 + 10_000 + 1000) * features / 300 + (1000 * 10_000 + 1000 * 1000) * knn / 60_000
  # The printed values are rounded (3 decimals, and 1 for the projection): that bounds
  # the difference.
  bound = 0.0005 * 12_000 / 300 + 0.0005 * 11_000_000 / 60_000 + 0.05
  assert per_probe == pytest.approx(expected, abs=bound)
  total = re.search(r"^projected 100 epochs mlp / none: training .*?, (\d+) probes \(every 10 "
                    r"epochs, 2 for the controls\) .*?, (\d+) evaluations .*; total (\S+) "
                    r"\(([\d.]+) days\)$", out, re.M)
  assert total, out
  assert int(total.group(1)) == 10 + 2 and int(total.group(2)) == 100 // 5 + 1
  assert _number(total.group(4)) * 86400 >= 100 * seconds + 12 * per_probe - 0.01 * 86400


def test_without_epoch_size_nothing_is_projected(capsys):
  with flagsaver.flagsaver(**_SETTINGS):
    train_throughput.main([])
  out = capsys.readouterr().out
  assert "epoch of" not in out and "projected" not in out


def test_projecting_needs_an_epoch_size_and_known_endpoints():
  with pytest.raises(flags.IllegalFlagValueError, match="--project_epochs needs --epoch_size"):
    with flagsaver.flagsaver(project_epochs=10):
      pass
  with flagsaver.flagsaver(epoch_size=100, time_probe=True, probe_endpoints=["encoder"],
                           **_SETTINGS):
    with pytest.raises(errors.ConfigError, match=r"\['encoder'\] are not endpoints of mlp"):
      train_throughput.main([])
