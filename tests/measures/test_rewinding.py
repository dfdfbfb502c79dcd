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

"""Layer rewinding and retraining: kept weights, the declared rewind epoch, the passes."""

import numpy as np
import pytest

from suite import errors
from suite.data import datasets
from suite.measures import rewinding
from suite.models import zoo


def _history(fits):
  return [{"epoch": e, "memorization/fit_corrupted": f} for e, f in fits.items()]


def test_the_rewind_epoch_is_the_asked_or_the_latest_before_memorization():
  config = rewinding.RewindConfig()
  history = _history({0: 0.1, 2: 0.15, 4: 0.3, 6: 0.9})
  assert rewinding.choose_epochs([0, 2, 4, 6], history, config)[:2] == (6, 2)
  # Epoch 3 was kept but never evaluated: not eligible.
  assert rewinding.choose_epochs([0, 3, 6], history, config)[:2] == (6, 0)
  asked = rewinding.RewindConfig(rewind_epoch=4)
  assert rewinding.choose_epochs([0, 2, 4, 6], history, asked)[:3] == (
      6, 4, "asked (--rewind_epoch)")


def test_bad_rewind_epochs_and_runs_without_kept_weights_are_one_clear_error():
  history = _history({0: 0.1, 2: 0.5})
  with pytest.raises(errors.ConfigError, match="was not kept.*kept epochs: 0, 2"):
    rewinding.choose_epochs([0, 2], history, rewinding.RewindConfig(rewind_epoch=1))
  with pytest.raises(errors.ConfigError, match="not before the final"):
    rewinding.choose_epochs([0, 2], history, rewinding.RewindConfig(rewind_epoch=2))
  with pytest.raises(errors.RunDirError, match="kept no checkpoints"):
    rewinding.choose_epochs([], history, rewinding.RewindConfig())
  # A run stopped (or still training) before its last epoch: its last kept one is not final.
  with pytest.raises(errors.RunDirError, match="not finished training.*epoch is 2 of 6"):
    rewinding.choose_epochs([0, 2], history, rewinding.RewindConfig(), last_epoch=6)
  assert rewinding.choose_epochs([0, 2], history, rewinding.RewindConfig(),
                                 last_epoch=2)[:2] == (2, 0)
  with pytest.raises(errors.RunDirError, match="pass --rewind_epoch"):
    rewinding.choose_epochs([0, 2], _history({0: 0.5, 2: 0.9}), rewinding.RewindConfig())
  with pytest.raises(errors.ConfigError):
    rewinding.RewindConfig(retrain_learning_rate=0.0)


@pytest.fixture(scope="module")
def kept_run(tmp_path_factory, data_dir):
  """A run directory with two kept epochs of an mlp: random init (0) and perturbed (5)."""
  run_dir = str(tmp_path_factory.mktemp("kept"))
  data = datasets.load(datasets.DataConfig(dataset="digits", data_dir=data_dir, train_size=120,
                                           test_size=30, label_noise=0.5))
  config = zoo.ModelConfig(name="mlp", width=16, depth=2)
  built = zoo.build(config, data.info.image_shape, data.info.num_classes)
  rewinding.save_weights(built.model, run_dir, 0)
  for weight in built.model.trainable_weights:
    weight.assign(weight + 0.5 * np.sign(np.random.default_rng(0).standard_normal(weight.shape)))
  rewinding.save_weights(built.model, run_dir, 5)
  rewinding.save_weights(built.model, run_dir, 5)  # Rewriting an epoch replaces it.
  return run_dir, data, config, built


def test_kept_weights_round_trip_and_are_listed(kept_run):
  run_dir, data, config, built = kept_run
  assert rewinding.kept_epochs(run_dir) == [0, 5]
  copy = zoo.build(config, data.info.image_shape, data.info.num_classes)
  rewinding.load_weights(copy.model, run_dir, 5)
  for a, b in zip(built.model.weights, copy.model.weights):
    np.testing.assert_array_equal(a.numpy(), b.numpy())
  with pytest.raises(errors.RunDirError, match="cannot be restored"):
    rewinding.load_weights(copy.model, run_dir, 3)


def test_a_kept_checkpoint_cut_short_is_a_run_dir_error(kept_run, tmp_path):
  _, data, config, built = kept_run
  rewinding.save_weights(built.model, str(tmp_path), 5)
  (data_file,) = (tmp_path / rewinding.KEPT_DIR).glob("epoch_000005.data-*")
  data_file.write_bytes(data_file.read_bytes()[:100])  # A copy or a disk that gave up.
  copy = zoo.build(config, data.info.image_shape, data.info.num_classes)
  with pytest.raises(errors.RunDirError, match="epoch_000005: the kept checkpoint cannot be"):
    rewinding.load_weights(copy.model, str(tmp_path), 5)


def test_rewinding_each_block_alone_and_retraining_it(kept_run):
  run_dir, data, config, _ = kept_run
  settings = rewinding.RewindConfig(retrain_epochs=1)
  result = rewinding.localize(config, data, run_dir, 5, 0, settings, "cross_entropy", seed=0)
  assert result["blocks"] == ["hidden_1", "hidden_2", "logits"]
  assert set(result["rewound"]) == set(result["retrained"]) == set(result["blocks"])
  for fit in [result["final"], result["rewind"], *result["rewound"].values()]:
    assert set(fit) == {"fit_noisy", "fit_clean", "test_accuracy"}
    assert 0.0 <= fit["fit_noisy"] <= 1.0
  # Rewinding to the final epoch itself changes nothing.
  same = rewinding.localize(config, data, run_dir, 5, 5, rewinding.RewindConfig(
      retrain_epochs=0), "cross_entropy", seed=0)
  drops = rewinding.drops(same)
  assert all(d == {"noisy": 0.0, "clean": 0.0} for d in drops.values())
  assert same["retrained"] == {}
  again = rewinding.localize(config, data, run_dir, 5, 0, settings, "cross_entropy", seed=0)
  assert again["retrained"] == result["retrained"]  # Keyed retraining: deterministic.
  with pytest.raises(errors.ConfigError, match="unknown blocks"):
    rewinding.localize(config, data, run_dir, 5, 0, rewinding.RewindConfig(blocks=("nope",)),
                       "cross_entropy", seed=0)
