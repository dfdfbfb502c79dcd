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

"""TensorBoard: the HParams config, the trial's name and the Custom Scalars layout, read
back from a real run's event files."""

import io
import os
import re

import pytest
import tensorflow as tf
from tensorboard.plugins.custom_scalar import layout_pb2
from tensorboard.plugins.custom_scalar import metadata as custom_scalar_metadata
from tensorboard.plugins.hparams import metadata as hparams_metadata

from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.probing import hook as probe_hook
from suite.probing import knn
from suite.probing import probe
from suite.training import run_spec
from suite.training import run_spec as run_spec_lib
from suite.training import runner
from suite.training import summaries
from suite.training import trainer as trainer_lib


def _events(run_dir: str) -> dict:
  """tag -> [(step, summary value)] of every event file of the run."""
  directory = os.path.join(run_dir, "tensorboard")
  out = {}
  for name in tf.io.gfile.listdir(directory):
    for event in tf.compat.v1.train.summary_iterator(os.path.join(directory, name)):
      for value in event.summary.value:
        out.setdefault(value.tag, []).append((event.step, value))
  return out


def _spec(output_dir, data_dir, **kwargs) -> run_spec_lib.RunSpec:
  return run_spec_lib.RunSpec(
      output_dir=output_dir, benchmark="train",
      data=datasets.DataConfig(dataset="digits", data_dir=data_dir, train_size=120,
                               test_size=60, label_noise=0.5, seed=3),
      model=zoo.ModelConfig(name="mlp", width=16, depth=2),
      augment=augmentation.AugmentConfig(),
      train=trainer_lib.TrainConfig(epochs=2, batch_size=40, seed=3), flags={}, **kwargs)


@pytest.fixture(scope="module")
def probed_run(tmp_path_factory, data_dir):
  run_dir = str(tmp_path_factory.mktemp("runs") / "random_labels")
  config = probe.ProbeConfig(knn=knn.KnnConfig(ks=(1, 20)))
  hook = probe_hook.ProbeHook(config, every=0, last_epoch=2)
  final = runner.run(_spec(run_dir, data_dir), hooks=[hook], out=io.StringIO())
  return run_dir, final, _events(run_dir)


def test_hparams_config_lists_the_headline_metrics_first(probed_run):
  _, final, events = probed_run
  (_, value), = events[hparams_metadata.EXPERIMENT_TAG]
  experiment = hparams_metadata.parse_experiment_plugin_data(value.metadata.plugin_data.content)
  tags = [m.name.tag for m in experiment.metric_infos]
  encoder = final["model"]["endpoints"][-2]  # mlp: hidden_2, before the logits.
  assert encoder == "hidden_2"
  assert tags[:5] == ["test/accuracy", "memorization/fit_clean", "memorization/fit_corrupted",
                      f"knn/{encoder}/k20", f"controls/random_init/{encoder}/k20"]
  assert "controls/raw_pixels/k20" in tags
  hparams = {h.name for h in experiment.hparam_infos}
  assert {"data.label_noise", "model.width", "train.learning_rate"} <= hparams
  # Every declared metric the run has is written as a scalar under that very tag (else
  # the dashboard's column stays empty).
  for tag in ("test/accuracy", "memorization/fit_corrupted", f"knn/{encoder}/k20",
              f"controls/random_init/{encoder}/k20", "controls/raw_pixels/k20"):
    assert tag in events, tag
  # The controls are written once, at the last epoch, with the record's values.
  (step, value), = events["controls/raw_pixels/k20"]
  assert step == 2
  written = float(tf.make_ndarray(value.tensor))
  assert written == pytest.approx(final["controls"]["raw_pixels"]["clean"]["k20"])


def test_trial_is_named_by_condition_and_seed_not_by_hash(probed_run):
  _, final, events = probed_run
  (_, value), = events[hparams_metadata.SESSION_START_INFO_TAG]
  start = hparams_metadata.parse_session_start_info_plugin_data(
      value.metadata.plugin_data.content)
  assert start.group_name == "random_labels/seed_3"
  assert final["config_hash"] not in start.group_name
  assert start.hparams["data.label_noise"].number_value == 0.5


def test_custom_scalars_layout_has_one_chart_per_bank_and_k_with_every_layer(probed_run):
  _, final, events = probed_run
  (_, value), = events[custom_scalar_metadata.CONFIG_SUMMARY_TAG]
  layout = layout_pb2.Layout.FromString(tf.make_ndarray(value.tensor).item())
  charts = {chart.title: list(chart.multiline.tag)
            for category in layout.category for chart in category.chart}
  knn_charts = [t for t in charts if "-NN accuracy of every layer" in t]
  assert len(knn_charts) == 4  # (clean, noisy bank) x (k1, k20)
  scalar_tags = [t for t in events if t.startswith(("knn/", "knn_noisy/"))]
  endpoints = final["probe"]["endpoints"]
  assert len(scalar_tags) == 2 * 2 * len(endpoints)
  for title in knn_charts:
    (regex,) = charts[title]
    matched = [t for t in scalar_tags if re.search(regex, t)]
    # One chart holds every layer of one (bank, k), and nothing else.
    assert len(matched) == len(endpoints), (title, matched)
    assert len({t.split("/")[0] for t in matched}) == 1
    assert len({t.split("/")[-1] for t in matched}) == 1


def test_trial_name_defaults():
  spec = _spec("/runs/exp/seed_2", None)
  assert run_spec.trial_name(spec) == "exp/seed_2"
  assert run_spec.trial_name(_spec("gs://b/exp/per_view/", None)) == "per_view/seed_3"
  # benign_memorization's sweeps: seed and projector directories above the condition.
  assert run_spec.trial_name(_spec("/out/seed_1/projector_128/random_noise_0.5", None)) == \
      "seed_1/projector_128/random_noise_0.5"
  assert run_spec.trial_name(_spec("/x", None, trial_name="clean seed 9")) == "clean seed 9"


def test_control_scalars_flatten_both_controls():
  controls = {"raw_pixels": {"clean": {"k20": 0.5, "k20_ties": 3}, "bank": "train_subset"},
              "random_init": {"clean": {"hidden_1": {"k1": 0.25}},
                              "noisy": {"hidden_1": {"k1": 0.1}}, "endpoints": ["hidden_1"]}}
  assert summaries.control_scalars(controls) == {
      "controls/raw_pixels/k20": 0.5, "controls/random_init/hidden_1/k1": 0.25,
      "controls/random_init_noisy/hidden_1/k1": 0.1}
