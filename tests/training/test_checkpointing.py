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

"""Checkpoints: what is saved, when, where, and what a restore gives back."""

import os
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from suite import constants
from suite import errors
from suite.training import checkpointing


def _model(seed):
  keras.utils.set_random_seed(seed)
  return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                           keras.layers.Dropout(0.5), keras.layers.Dense(3)])


def _hook(run_dir, seed=0, every=2, last_epoch=5, write_outputs=True, strategy=None):
  model = _model(seed)
  optimizer = keras.optimizers.Adam(1e-2)
  optimizer.build(model.trainable_variables)
  epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
  hook = checkpointing.CheckpointHook(model, optimizer, epoch, run_dir, every, last_epoch,
                                      write_outputs, strategy)
  return hook, model, optimizer, epoch


def _step(model, optimizer):
  """One optimisation step with dropout on: moves weights, optimizer and dropout seeds."""
  images = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
  with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(images, training=True)))
  optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                model.trainable_variables))


def _seed_state(model):
  (state,) = [v for v in model.non_trainable_variables if "seed_generator" in v.path]
  return state.numpy().copy()


def _checkpoints(run_dir, directory=constants.CHECKPOINTS_DIR):
  state = tf.train.get_checkpoint_state(os.path.join(run_dir, directory))
  return [] if state is None else [os.path.basename(p) for p in state.all_model_checkpoint_paths]


def test_saves_every_n_epochs_and_at_the_last_keeping_two(tmp_path):
  hook, _, _, epoch = _hook(str(tmp_path), every=2, last_epoch=5)
  kept = []
  for current in range(6):  # Epoch 0 is the initial model: never saved.
    epoch.assign(current)
    hook.on_epoch_end(types.SimpleNamespace(epoch=current))
    kept.append(_checkpoints(str(tmp_path)))
  assert kept == [[], [], ["ckpt-2"], ["ckpt-2"], ["ckpt-2", "ckpt-4"], ["ckpt-4", "ckpt-5"]]


def test_a_restore_gives_back_weights_optimizer_epoch_and_dropout_seeds(tmp_path):
  hook, model, optimizer, epoch = _hook(str(tmp_path), seed=1)
  _step(model, optimizer)
  epoch.assign(3)
  hook.save()
  saved = ([w.numpy().copy() for w in model.weights], int(optimizer.iterations.numpy()),
           _seed_state(model))
  _step(model, optimizer)  # Changes everything after the checkpoint.
  assert not np.array_equal(_seed_state(model), saved[2])
  # A fresh process: other initial weights, a new optimizer and epoch counter.
  other, other_model, other_optimizer, other_epoch = _hook(str(tmp_path), seed=2)
  assert not np.array_equal(other_model.weights[0].numpy(), saved[0][0])
  assert other.restore() == 3
  assert int(other_epoch.numpy()) == 3
  for got, want in zip(other_model.weights, saved[0]):
    np.testing.assert_array_equal(got.numpy(), want)
  assert int(other_optimizer.iterations.numpy()) == saved[1] == 1
  np.testing.assert_array_equal(_seed_state(other_model), saved[2])
  # The restored dropout seeds give the same masks as the saved run's next step.
  _step(other_model, other_optimizer)
  for got, want in zip(other_model.weights, model.weights):
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)


def test_the_latest_checkpoint_is_restored(tmp_path):
  hook, _, _, epoch = _hook(str(tmp_path))
  for current in (2, 4):
    epoch.assign(current)
    hook.save()
  assert _hook(str(tmp_path))[0].restore() == 4


def test_without_a_checkpoint_the_run_starts_where_its_counter_is(tmp_path):
  hook, _, _, epoch = _hook(str(tmp_path))
  assert hook.restore() == 0
  none, _, _, none_epoch = _hook(None)
  none_epoch.assign(2)
  assert none.manager is None and none.restore() == 2
  none.save()  # No run directory: nothing to save, no error.
  none.on_epoch_end(types.SimpleNamespace(epoch=2))
  assert not os.listdir(tmp_path)
  del epoch


def test_a_checkpoint_lacking_some_of_the_runs_state_is_refused(tmp_path):
  """Saved without dropout, restored with it: the dropout seeds would stay unrestored."""
  keras.utils.set_random_seed(0)
  model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                            keras.layers.Dense(3)])
  optimizer = keras.optimizers.Adam(1e-2)
  optimizer.build(model.trainable_variables)
  epoch = tf.Variable(1, dtype=tf.int64)
  checkpointing.CheckpointHook(model, optimizer, epoch, str(tmp_path), 1, 2, True).save()
  with pytest.raises(AssertionError, match="seed_generator|Unresolved object"):
    _hook(str(tmp_path))[0].restore()


@pytest.mark.parametrize("task_id,worker", [(3, "worker_3"), (None, "worker_0")])
def test_non_chief_workers_save_to_their_scratch_directory(tmp_path, task_id, worker):
  strategy = types.SimpleNamespace(cluster_resolver=types.SimpleNamespace(task_id=task_id))
  hook, _, _, epoch = _hook(str(tmp_path), write_outputs=False, strategy=strategy)
  for current in (1, 2):
    epoch.assign(current)
    hook.save()
  assert _checkpoints(str(tmp_path)) == []
  scratch = os.path.join(constants.SCRATCH_DIR, worker)
  assert len(_checkpoints(str(tmp_path), scratch)) == 1  # Only the latest is kept.
  assert os.listdir(tmp_path / constants.SCRATCH_DIR) == [worker]


def test_a_strategy_without_a_cluster_is_worker_zero(tmp_path):
  hook, _, _, epoch = _hook(str(tmp_path), write_outputs=False,
                            strategy=tf.distribute.get_strategy())
  assert hook.worker_id == 0
  epoch.assign(1)
  hook.save()
  assert os.listdir(tmp_path / constants.SCRATCH_DIR) == ["worker_0"]


def _variable_manager(directory):
  variable = tf.Variable([1.0, 2.0])
  manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=variable), str(directory),
                                       max_to_keep=3)
  return variable, manager


def _restored(directory):
  restored = tf.Variable([0.0, 0.0])
  tf.train.Checkpoint(v=restored).restore(tf.train.latest_checkpoint(str(directory)))
  return restored.numpy().tolist()


def _full_disk_at_state_write(monkeypatch, fail_at_call):
  """The `checkpoint` state file's atomic write fails (after leaving its temporary) at the
  given call: 1, the save's first state write (before the old checkpoints are swept)."""
  from tensorflow.python.checkpoint import checkpoint_management  # pylint: disable=g-import-not-at-top
  file_io = checkpoint_management.file_io
  write = file_io.atomic_write_string_to_file
  calls = []

  def failing(filename, contents, overwrite=True):
    calls.append(filename)
    if len(calls) == fail_at_call:
      with open(f"{filename}.tmp5f3a", "w", encoding="utf-8") as f:
        f.write(contents[:len(contents) // 2])
      raise OSError(28, "No space left on device")
    return write(filename, contents, overwrite)

  monkeypatch.setattr(file_io, "atomic_write_string_to_file", failing)


def test_a_checkpoint_whose_state_cannot_be_written_leaves_the_previous_one(tmp_path,
                                                                             monkeypatch):
  variable, manager = _variable_manager(tmp_path)
  assert checkpointing.save(manager, 1) == str(tmp_path / "ckpt-1")
  before = sorted(os.listdir(tmp_path))
  variable.assign([3.0, 4.0])
  _full_disk_at_state_write(monkeypatch, fail_at_call=1)
  with pytest.raises(errors.WriteError, match=f"^{tmp_path / 'ckpt-2'}: cannot write the "
                     r"checkpoint \(No space left on device\)$"):
    checkpointing.save(manager, 2)
  monkeypatch.undo()
  # ckpt-2's files were complete, but the state never named them: they go, with the
  # state file's temporary; ckpt-1 stays the latest, whole.
  assert sorted(os.listdir(tmp_path)) == before
  assert _restored(tmp_path) == [1.0, 2.0]


def test_a_checkpoint_named_by_the_state_is_kept_when_a_later_write_fails(tmp_path,
                                                                          monkeypatch):
  variable, manager = _variable_manager(tmp_path)
  checkpointing.save(manager, 1)
  variable.assign([3.0, 4.0])
  _full_disk_at_state_write(monkeypatch, fail_at_call=2)  # After the sweep.
  with pytest.raises(errors.WriteError, match=r"ckpt-2: cannot write the checkpoint"):
    checkpointing.save(manager, 2)
  monkeypatch.undo()
  # The first state write named ckpt-2: it is whole and stays; only temporaries go.
  assert not [name for name in os.listdir(tmp_path) if ".tmp" in name]
  assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt-2")
  assert _restored(tmp_path) == [3.0, 4.0]
  assert {"ckpt-1.index", "ckpt-2.index"} <= set(os.listdir(tmp_path))


def test_a_save_that_fails_while_writing_data_removes_its_partial_files(tmp_path, monkeypatch):
  """What TensorFlow leaves when its data write fails: `ckpt-N_temp/` and half an index."""
  variable, manager = _variable_manager(tmp_path)
  assert checkpointing.save(manager).endswith("ckpt-1")  # Numbered by the save counter.
  before = sorted(os.listdir(tmp_path))
  variable.assign([5.0, 6.0])

  def failing_write(self, prefix, options=None):
    del self, options
    os.makedirs(f"{prefix}_temp")
    with open(os.path.join(f"{prefix}_temp", "part-00000-of-00001.data-00000-of-00001"),
              "wb") as f:
      f.write(b"\0" * 10)
    with open(f"{prefix}.index", "wb") as f:
      f.write(b"\0" * 3)
    raise tf.errors.ResourceExhaustedError(None, None, "No space left on device")

  monkeypatch.setattr(tf.train.Checkpoint, "_write", failing_write)
  with pytest.raises(errors.WriteError, match=f"^{tmp_path / 'ckpt-2'}: cannot write the "
                     r"checkpoint \(No space left on device\)$"):
    checkpointing.save(manager)  # The manager's next number, 2.
  monkeypatch.undo()
  assert sorted(os.listdir(tmp_path)) == before
  assert _restored(tmp_path) == [1.0, 2.0]


def test_the_hook_saves_through_the_failure_safe_save(tmp_path, monkeypatch):
  hook, _, _, epoch = _hook(str(tmp_path))
  epoch.assign(1)
  hook.save()
  _full_disk_at_state_write(monkeypatch, fail_at_call=1)
  epoch.assign(2)
  with pytest.raises(errors.WriteError, match="ckpt-2: cannot write the checkpoint"):
    hook.save()
  monkeypatch.undo()
  assert _checkpoints(str(tmp_path)) == ["ckpt-1"]
  assert sorted(os.listdir(tmp_path / constants.CHECKPOINTS_DIR))[0] == "checkpoint"
  scratch_hook, _, _, scratch_epoch = _hook(str(tmp_path / "worker"), write_outputs=False)
  scratch_epoch.assign(1)
  _full_disk_at_state_write(monkeypatch, fail_at_call=1)
  with pytest.raises(errors.WriteError, match="ckpt-1: cannot write the checkpoint"):
    scratch_hook.save()


def test_every_epoch_saving_starts_at_epoch_one(tmp_path):
  """With every=1 the first checkpoint is epoch 1's (epoch 0, the initial model, never)."""
  hook, _, _, epoch = _hook(str(tmp_path), every=1, last_epoch=3)
  kept = []
  for current in range(3):
    epoch.assign(current)
    hook.on_epoch_end(types.SimpleNamespace(epoch=current))
    kept.append(_checkpoints(str(tmp_path)))
  assert kept == [[], ["ckpt-1"], ["ckpt-1", "ckpt-2"]]


def test_a_restore_gives_back_the_models_non_trainable_state(tmp_path):
  """Batch-norm moving statistics are model variables no optimizer holds: saved with the
  model, they come back on a restore."""
  def build(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8),
                              keras.layers.BatchNormalization(), keras.layers.Dense(3)])
    optimizer = keras.optimizers.SGD(0.1)
    optimizer.build(model.trainable_variables)
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
    hook = checkpointing.CheckpointHook(model, optimizer, epoch, str(tmp_path), 1, 2, True)
    return hook, model, optimizer, epoch

  hook, model, optimizer, epoch = build(0)
  _step(model, optimizer)  # training=True moves the moving mean and variance.
  moving = [v.numpy().copy() for v in model.non_trainable_variables]
  assert len(moving) == 2 and not np.allclose(moving[0], 0.0)
  epoch.assign(1)
  hook.save()
  other, other_model, _, _ = build(1)
  assert other.restore() == 1
  for got, want in zip(other_model.non_trainable_variables, moving):
    np.testing.assert_array_equal(got.numpy(), want)
