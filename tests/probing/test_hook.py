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

"""The probe hook through the hook protocol: checked once, its dashboard and record sections."""

import pytest

from suite import errors
from suite import hooks
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.probing import hook as probe_hook
from suite.probing import knn
from suite.probing import probe
from suite.training import trainer as trainer_lib


@pytest.fixture(scope="module")
def tiny_data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=40, validation_size=0, test_size=20, label_noise=0.5,
      seed=1))


def _trainer(data, *hooks_given, report=hooks.silent):
  return trainer_lib.Trainer(None, data, zoo.ModelConfig(name="mlp", width=8, depth=2),
                             augmentation.AugmentConfig(),
                             trainer_lib.TrainConfig(epochs=1, batch_size=20, seed=1),
                             hooks=hooks_given, report=report)


def test_an_unknown_endpoint_is_refused_when_the_trainer_takes_the_hook(tiny_data):
  hook = probe_hook.ProbeHook(probe.ProbeConfig(endpoints=("nosuch",)), every=0, last_epoch=1)
  with pytest.raises(errors.ConfigError, match="unknown endpoints"):
    _trainer(tiny_data, hook)


def test_ks_the_bank_cannot_give_are_capped_once_and_charted(tiny_data):
  hook = probe_hook.ProbeHook(probe.ProbeConfig(knn=knn.KnnConfig(ks=(1, 20, 100))), every=0,
                              last_epoch=1)
  trainer = _trainer(tiny_data, hook)
  assert trainer.hooks == (hook,)
  assert hook.config.knn.ks == (1, 20, 39) and hook.asked_ks == (1, 20, 100)
  dashboard = trainer.dashboard()
  assert dashboard.knn_ks == (1, 20, 39)
  # mlp: the encoder is hidden_2, before the logits; the headline k is 20.
  assert dashboard.metrics[0] == ("knn/hidden_2/k20", "20-NN hidden_2")
  assert [tag for tag, _ in dashboard.metrics[1:]] == [
      "controls/random_init/hidden_2/k20", "controls/raw_pixels/k20", "knn_noisy/hidden_2/k20"]


def test_the_record_sections_hold_the_last_probe_and_its_controls(tiny_data):
  lines = []
  hook = probe_hook.ProbeHook(probe.ProbeConfig(knn=knn.KnnConfig(ks=(1, 5))), every=0,
                              last_epoch=1)
  trainer = _trainer(tiny_data, hook, report=lines.append)
  assert trainer.record_sections() == {}  # Nothing probed yet, and not at the last epoch.
  trainer.fit()
  assert trainer.epoch == 1
  sections = trainer.record_sections()
  assert set(sections) == {"probe", "controls"}
  assert sections["probe"]["epoch"] == 1 and sections["probe"]["ks"] == [1, 5]
  assert set(sections["controls"]) == {"raw_pixels", "random_init"}
  # The long steps were reported through the state, each once.
  assert [line.split(" ")[0] for line in lines] == ["probing", "probe", "controls:", "controls"]
