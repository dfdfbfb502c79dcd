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

from absl.testing import flagsaver
import pytest

from flags import runs
from suite import constants
from suite import errors
from suite.probing import hook as probe_hook


def test_run_spec_carries_the_flags_into_the_configs(tmp_path):
  with flagsaver.flagsaver(output_dir=str(tmp_path), dataset="digits", model="mlp", width=32,
                           label_noise=0.5, epochs=3, batch_size=25, seed=7):
    spec = runs.run_spec("some_benchmark")
  assert spec.output_dir == str(tmp_path) and spec.benchmark == "some_benchmark"
  assert (spec.data.dataset, spec.data.label_noise, spec.data.seed) == ("digits", 0.5, 7)
  assert (spec.model.name, spec.model.width) == ("mlp", 32)
  assert (spec.train.epochs, spec.train.batch_size, spec.train.seed) == (3, 25, 7)
  assert spec.flags["label_noise"] == 0.5  # The flags as given: the record's `config`.


def test_run_spec_refuses_a_missing_output_dir():
  # "" rather than None: benchmarks.train, when imported, marks the flag required.
  with flagsaver.flagsaver(output_dir=""):
    with pytest.raises(errors.ConfigError, match="--output_dir"):
      runs.run_spec("train")


def test_probe_hook_follows_the_probing_flags(tmp_path):
  with flagsaver.flagsaver(probe=False):
    assert runs.probe_hook_from_flags() is None
  with flagsaver.flagsaver(probe=True, probe_every=2, epochs=6, knn_k=["1", "5"]):
    hook = runs.probe_hook_from_flags()
  assert isinstance(hook, probe_hook.ProbeHook)
  assert (hook.every, hook.last_epoch, hook.config.knn.ks) == (2, 6, (1, 5))
  with flagsaver.flagsaver(probe=True):
    hook = runs.probe_hook_from_flags()
  assert hook.config.knn.ks == constants.PROBE_KS and hook.k == constants.HEADLINE_K

