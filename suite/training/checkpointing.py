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

"""Checkpoints of a run: the model, optimizer, epoch and dropout seeds; a resume point.

A save that fails (a full disk) leaves no trace: TensorFlow's temporary files
(`ckpt-N_temp/`, `checkpoint.tmp*`) and the files of a checkpoint that the
`checkpoint` state file does not name are removed, so the run's latest checkpoint
stays the previous one, whole, and the error is an errors.WriteError.
"""

import os

import keras
import tensorflow as tf

from suite import constants
from suite import errors
from suite import hooks
from suite.results import atomic


class CheckpointHook(hooks.Hook):
  """Saves every `every` epochs and at the last; `restore()` returns the resume epoch."""

  def __init__(self, model: keras.Model, optimizer: keras.optimizers.Optimizer,
               epoch: tf.Variable, run_dir: str | None, every: int, last_epoch: int,
               write_outputs: bool, strategy: tf.distribute.Strategy | None = None):
    # Dropout's seed-generator states are not tracked by the model object itself.
    seed_states = {f"state_{i}": v for i, v in enumerate(model.non_trainable_variables)
                   if "seed_generator" in v.path}
    self.checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, epoch=epoch,
                                          seed_states=seed_states)
    self.epoch = epoch
    self.every, self.last_epoch = every, last_epoch
    self.write_outputs = write_outputs
    resolver = getattr(strategy, "cluster_resolver", None)
    self.run_dir, self.worker_id = run_dir, getattr(resolver, "task_id", 0) or 0
    self.manager = None
    if run_dir:
      self.manager = tf.train.CheckpointManager(
          self.checkpoint, os.path.join(run_dir, constants.CHECKPOINTS_DIR), max_to_keep=2)

  def restore(self) -> int:
    """Restores the latest checkpoint, if any; returns the epoch to continue from."""
    latest = self.manager.latest_checkpoint if self.manager else None
    if latest:
      self.checkpoint.restore(latest).assert_existing_objects_matched()
    return int(self.epoch.numpy())

  def save(self) -> None:
    """Saves now. Every worker saves (MultiWorkerMirroredStrategy needs all in the
    collective); non-chief workers write to a scratch directory."""
    if self.manager is None:
      return
    if self.write_outputs:
      save(self.manager, int(self.epoch.numpy()))
    else:
      assert self.run_dir is not None  # A manager exists only with a run directory.
      scratch = os.path.join(self.run_dir, constants.SCRATCH_DIR, f"worker_{self.worker_id}")
      save(tf.train.CheckpointManager(self.checkpoint, scratch, max_to_keep=1))

  def on_epoch_end(self, state: hooks.State) -> None:
    if state.epoch > 0 and (state.epoch % self.every == 0 or state.epoch == self.last_epoch):
      self.save()


def save(manager: tf.train.CheckpointManager, number: int | None = None) -> str:
  """manager.save(number), whole or not at all; returns the checkpoint's prefix.

  Args:
    manager: the checkpoint manager.
    number: the checkpoint's number (None: the manager's next).

  Returns:
    The saved checkpoint's prefix (`DIRECTORY/ckpt-N`).

  Raises:
    errors.WriteError: the checkpoint cannot be written; its partial files are removed
      and the latest checkpoint is the previous one.
  """
  try:
    return manager.save(checkpoint_number=number)
  except (tf.errors.OpError, OSError) as e:
    if number is None:  # The manager numbered it by the save counter, already counted.
      number = int(manager.checkpoint.save_counter.numpy())
    prefix = os.path.join(manager.directory, f"ckpt-{number}")
    _remove_partial(manager.directory, prefix)
    raise errors.WriteError(f"{prefix}: cannot write the checkpoint "
                            f"({atomic.reason(e)})") from e


def _remove_partial(directory: str, prefix: str) -> None:
  """Removes what a failed save of `prefix` left: temporaries, and its files unless the
  state file names it (then it is whole)."""
  state = tf.train.get_checkpoint_state(directory)
  named = state is not None and os.path.basename(state.model_checkpoint_path or "") == \
      os.path.basename(prefix)
  leftovers = tf.io.gfile.glob(f"{prefix}_temp") + \
      tf.io.gfile.glob(os.path.join(directory, "checkpoint.tmp*"))
  if not named:
    leftovers += tf.io.gfile.glob(f"{prefix}.index") + tf.io.gfile.glob(f"{prefix}.data-*")
  for path in leftovers:
    try:
      if tf.io.gfile.isdir(path):
        tf.io.gfile.rmtree(path)
      else:
        tf.io.gfile.remove(path)
    except (tf.errors.OpError, OSError):
      pass  # Best effort: the error being raised is the one to tell.
