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

"""The per-example log: its shards, the hook that writes them, and Arpit et al.'s statistics."""

import io
import itertools
import os

import numpy as np
import pytest
import tensorflow as tf

from suite import errors
from suite import hooks
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.training import tracking
from suite.training import trainer as trainer_lib


@pytest.fixture(scope="module")
def data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=80, validation_size=0, test_size=40, label_noise=0.5,
      seed=6))


def _shard(ids, seed):
  generator = np.random.default_rng(seed)
  return dict(ids=np.asarray(ids), loss=generator.uniform(size=len(ids)),
              correct=generator.uniform(size=len(ids)) < 0.5,
              correct_clean=generator.uniform(size=len(ids)) < 0.5,
              corrupted=generator.uniform(size=len(ids)) < 0.3)


def test_shards_round_trip_in_id_order(tmp_path):
  run_dir = str(tmp_path)
  assert tracking.recorded_epochs(run_dir) == []
  with pytest.raises(FileNotFoundError, match="no per-example log"):
    tracking.load(run_dir)
  ids = np.array([30, 10, 20, 40])
  shards = {epoch: _shard(ids[np.random.default_rng(epoch).permutation(4)], epoch)
            for epoch in (0, 3, 12)}
  for epoch, shard in shards.items():
    path = tracking.write_epoch(run_dir, epoch, **shard)
    assert path == os.path.join(run_dir, tracking.DIRECTORY, f"epoch_{epoch:06d}.npz")
  # Files that are not shards are ignored; nothing temporary is left.
  (tmp_path / tracking.DIRECTORY / "notes.txt").write_text("x")
  assert sorted(os.listdir(tmp_path / tracking.DIRECTORY)) == [
      "epoch_000000.npz", "epoch_000003.npz", "epoch_000012.npz", "notes.txt"]
  assert tracking.recorded_epochs(run_dir) == [0, 3, 12]
  log = tracking.load(run_dir)
  np.testing.assert_array_equal(log["epochs"], [0, 3, 12])
  np.testing.assert_array_equal(log["ids"], [10, 20, 30, 40])
  assert set(log) == {"epochs", "ids", "loss", "correct", "correct_clean", "corrupted"}
  for row, epoch in enumerate((0, 3, 12)):
    shard = shards[epoch]
    order = np.argsort(shard["ids"])
    for field in tracking.FIELDS[1:]:
      np.testing.assert_array_equal(log[field][row], shard[field][order], err_msg=field)
  # Each shard names its own epoch inside, too.
  with open(tmp_path / tracking.DIRECTORY / "epoch_000003.npz", "rb") as f:
    assert int(np.load(io.BytesIO(f.read()))["epoch"]) == 3


def test_a_shard_missing_a_field_is_refused(tmp_path):
  shard = _shard([1, 2], 0)
  del shard["correct_clean"]
  with pytest.raises(ValueError, match=r"lacks \['correct_clean'\]"):
    tracking.write_epoch(str(tmp_path), 0, **shard)
  assert tracking.recorded_epochs(str(tmp_path)) == []


def test_shards_over_different_examples_are_refused(tmp_path):
  tracking.write_epoch(str(tmp_path), 0, **_shard([1, 2, 3], 0))
  tracking.write_epoch(str(tmp_path), 1, **_shard([1, 2, 4], 1))
  with pytest.raises(ValueError, match="cover different examples"):
    tracking.load(str(tmp_path))


def test_a_rewritten_shard_replaces_the_old_one(tmp_path):
  tracking.write_epoch(str(tmp_path), 2, **_shard([1, 2], 0))
  new = _shard([1, 2], 1)
  tracking.write_epoch(str(tmp_path), 2, **new)
  np.testing.assert_array_equal(tracking.load(str(tmp_path))["loss"], [new["loss"]])
  assert os.listdir(tmp_path / tracking.DIRECTORY) == ["epoch_000002.npz"]


def test_truncate_after_removes_only_later_shards(tmp_path):
  for epoch in range(5):
    tracking.write_epoch(str(tmp_path), epoch, **_shard([1, 2], epoch))
  tracking.truncate_after(str(tmp_path), 2)
  assert tracking.recorded_epochs(str(tmp_path)) == [0, 1, 2]
  tracking.truncate_after(str(tmp_path), 7)
  assert tracking.recorded_epochs(str(tmp_path)) == [0, 1, 2]


def _trainer(data, run_dir, **train):
  config = trainer_lib.TrainConfig(**dict(dict(epochs=3, batch_size=20, learning_rate=3e-3,
                                               seed=2), **train))
  return trainer_lib.Trainer(run_dir, data, zoo.ModelConfig(name="mlp", width=32, depth=1,
                                                            dropout=0.3),
                             augmentation.AugmentConfig(), config)


class _Direct(hooks.Hook):
  """After every epoch, the training split's loss and correctness from the model directly."""

  def __init__(self):
    self.seen = {}

  def on_epoch_end(self, state):
    logits = state.model(state.data.train.images, training=False).numpy().astype(np.float64)
    shifted = logits - logits.max(1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    labels = state.data.train.labels
    self.seen[state.epoch] = {
        "loss": -log_softmax[np.arange(len(labels)), labels],
        "correct": logits.argmax(1) == labels,
        "correct_clean": logits.argmax(1) == state.data.train.clean_labels}


def test_each_shard_holds_the_model_of_its_own_epoch(data, tmp_path):
  """Evaluated epochs (0, 2, 3) write from the fit's pass, epoch 1 at its end: all alike."""
  trainer = _trainer(data, str(tmp_path), eval_every=2, track_every=1)
  direct = _Direct()
  trainer.add_hooks(direct)
  history = trainer.fit()
  assert [h["epoch"] for h in history] == [0, 2, 3]
  log = tracking.load(str(tmp_path))
  np.testing.assert_array_equal(log["epochs"], [0, 1, 2, 3])
  order = np.argsort(data.train.ids)
  np.testing.assert_array_equal(log["ids"], data.train.ids[order])
  for row, epoch in enumerate(log["epochs"]):
    seen = direct.seen[int(epoch)]
    np.testing.assert_allclose(log["loss"][row], seen["loss"][order], rtol=1e-5, atol=1e-5,
                               err_msg=f"epoch {epoch}")
    np.testing.assert_array_equal(log["correct"][row], seen["correct"][order])
    np.testing.assert_array_equal(log["correct_clean"][row], seen["correct_clean"][order])
    np.testing.assert_array_equal(log["corrupted"][row], data.train.corrupted[order])
    with open(tmp_path / tracking.DIRECTORY / f"epoch_{epoch:06d}.npz", "rb") as f:
      assert int(np.load(io.BytesIO(f.read()))["epoch"]) == epoch
  # The model changed between epochs, so each shard could only match its own epoch.
  assert not np.allclose(log["loss"][0], log["loss"][1])
  assert not np.allclose(log["loss"][1], log["loss"][2])
  # The fit in the history is the mean of the logged correctness of the same epoch.
  for entry in history:
    row = list(log["epochs"]).index(entry["epoch"])
    assert entry["memorization/train_fit"] == pytest.approx(log["correct"][row].mean())


@pytest.mark.parametrize("every,epochs,expected", [(2, 5, [0, 2, 4, 5]), (3, 3, [0, 3]),
                                                   (0, 2, [])])
def test_shards_are_due_every_n_epochs_at_the_last_and_at_zero(data, tmp_path, every, epochs,
                                                              expected):
  trainer = _trainer(data, str(tmp_path), epochs=epochs, track_every=every, eval_every=2)
  trainer.fit()
  assert tracking.recorded_epochs(str(tmp_path)) == expected


def test_nothing_is_written_without_outputs(data, tmp_path):
  trainer = trainer_lib.Trainer(str(tmp_path), data, zoo.ModelConfig(name="mlp", width=8,
                                                                     depth=1),
                                augmentation.AugmentConfig(),
                                trainer_lib.TrainConfig(epochs=1, batch_size=20, track_every=1),
                                write_outputs=False)
  trainer.fit()
  assert tracking.recorded_epochs(str(tmp_path)) == []


def test_a_resume_drops_shards_newer_than_its_checkpoint(data, tmp_path):
  for epoch in range(5):  # Shards of epochs 3 and 4 left by a run killed after its epoch 2.
    tracking.write_epoch(str(tmp_path), epoch, **_shard(data.train.ids, epoch))
  hook = tracking.PerExampleHook(every=1, last_epoch=6)
  state = _trainer(data, str(tmp_path)).state
  state.epoch = 2
  hook.on_resume(state)
  assert tracking.recorded_epochs(str(tmp_path)) == [0, 1, 2]
  # Without outputs (a non-chief worker) nothing is removed.
  state.write_outputs = False
  state.epoch = 0
  hook.on_resume(state)
  assert tracking.recorded_epochs(str(tmp_path)) == [0, 1, 2]


def _first_learned_by_loop(epochs, correct):
  out = []
  for column in np.asarray(correct, bool).T:
    first = -1
    for row in range(len(column)):
      if column[row:].all():
        first = int(epochs[row])
        break
    out.append(first)
  return out


def test_first_learned_and_forgetting_against_plain_loops():
  epochs = np.array([0, 2, 5, 9])
  # Every pattern of four recorded epochs.
  correct = np.array(list(itertools.product([False, True], repeat=4))).T
  np.testing.assert_array_equal(tracking.first_learned_epoch(epochs, correct),
                                _first_learned_by_loop(epochs, correct))
  forgotten = [sum(column[i] and not column[i + 1] for i in range(3)) for column in correct.T]
  np.testing.assert_array_equal(tracking.forgetting_events(correct), forgotten)


def test_agreement_is_the_mean_pairwise_jaccard_overlap():
  sets = [[1, 1, 0, 0, 1], [1, 0, 0, 1, 1], [0, 0, 0, 0, 1]]
  pairs = [(2 / 4), (1 / 3), (1 / 3)]  # |A & B| / |A | B| for (0, 1), (0, 2), (1, 2).
  assert tracking.agreement_across_seeds(sets) == pytest.approx(np.mean(pairs))
  assert tracking.agreement_across_seeds([[0, 0], [0, 0]]) == 1.0  # Both empty: identical.
  with pytest.raises(ValueError, match="^agreement needs at least two seeds$"):
    tracking.agreement_across_seeds([[1, 0]])


def test_the_helpers_read_any_zero_one_masks_as_booleans():
  """Masks given as 0/1 numbers (error rates rounded, say) count as the boolean masks."""
  floats = [np.array([1.0, 1.0, 0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0, 1.0])]
  assert tracking.agreement_across_seeds(floats) == pytest.approx(2 / 4)
  correct = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]])  # Integers, not booleans.
  np.testing.assert_array_equal(tracking.forgetting_events(correct), [1, 0, 1])
  np.testing.assert_array_equal(tracking.forgetting_events(correct.astype(float)), [1, 0, 1])
  np.testing.assert_array_equal(tracking.first_learned_epoch(np.array([0, 1, 2]), correct),
                                [2, 2, -1])


def test_a_shard_that_cannot_be_written_is_one_error_and_leaves_nothing(tmp_path, monkeypatch):
  tracking.write_epoch(str(tmp_path), 0, **_shard([1, 2], 0))

  class _Full:
    def __init__(self, path, mode="r"):
      del path, mode

    def __enter__(self):
      return self

    def __exit__(self, *exc):
      return False

    def write(self, data):
      raise OSError(28, "No space left on device")

  monkeypatch.setattr(tf.io.gfile, "GFile", _Full)
  with pytest.raises(errors.WriteError, match=r"epoch_000001\.npz: cannot write the "
                     r"per-example shard \(No space left on device\)$"):
    tracking.write_epoch(str(tmp_path), 1, **_shard([1, 2], 1))
  monkeypatch.undo()
  assert os.listdir(tmp_path / tracking.DIRECTORY) == ["epoch_000000.npz"]
