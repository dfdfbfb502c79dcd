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

"""Checkpoints of a run: the model, optimizer, epoch and dropout seeds; a resume point."""

import os

import keras
import tensorflow as tf

from suite import constants
from suite.training import hooks


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
      self.manager.save(checkpoint_number=int(self.epoch.numpy()))
    else:
      assert self.run_dir is not None  # A manager exists only with a run directory.
      scratch = os.path.join(self.run_dir, constants.SCRATCH_DIR, f"worker_{self.worker_id}")
      tf.train.CheckpointManager(self.checkpoint, scratch, max_to_keep=1).save()

  def on_epoch_end(self, state: hooks.State) -> None:
    if state.epoch > 0 and (state.epoch % self.every == 0 or state.epoch == self.last_epoch):
      self.save()
