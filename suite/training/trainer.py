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

"""A training run's model and optimizer, assembled with the loop (training.loop).

Hooks, in call order: fit measurement (training.evaluation), per-example log
(training.tracking), the caller's hooks (probes, measures), TensorBoard
(training.summaries), the caller's `on_epoch`, checkpoints (training.checkpointing).
"""

from collections.abc import Callable, Sequence
from typing import Any

import keras
import tensorflow as tf

from suite import errors
from suite import hooks as hooks_lib
from suite import methods
from suite import models
from suite.data import augmentation
from suite.data import datasets
from suite.data import train_pipeline
from suite.models import zoo
from suite.training import checkpointing
from suite.training import evaluation
from suite.training import loop
from suite.training import optimizers
from suite.training import precision
from suite.training import strategies
from suite.training import summaries
from suite.training import tracking
from suite.training import train_config

# The settings live in their own module (optimizers types against them); named here too.
TrainConfig = train_config.TrainConfig
LOSSES, OPTIMIZERS, SCHEDULES = train_config.LOSSES, train_config.OPTIMIZERS, train_config.SCHEDULES
TrainingDivergedError = loop.TrainingDivergedError  # Defined beside the code that raises them.
Interrupted = loop.Interrupted
make_optimizer = optimizers.make_optimizer


class Trainer:
  """Trains one zoo model on one dataset; resumable from its run directory.

  `run_dir=None` writes nothing (throughput benchmarks). `hooks`: hooks.Hook objects or
  `fn(state, epoch) -> dict` callables, each validated as it joins (`add_hooks`).
  `report(line)` prints the hooks' long steps (probes, controls); silent by default.
  """

  def __init__(self, run_dir: str | None, data: datasets.Data, model_config: zoo.ModelConfig,
               augment_config: augmentation.AugmentConfig, config: TrainConfig,
               strategy: tf.distribute.Strategy | None = None,
               write_outputs: bool | None = None, hooks: Sequence[Any] = (),
               report: Callable[[str], None] = hooks_lib.silent):
    self.config = config
    self.strategy = strategy or tf.distribute.get_strategy()
    self.steps_per_epoch = len(data.train) // config.batch_size
    replicas = self.strategy.num_replicas_in_sync
    if self.steps_per_epoch < 1:
      raise errors.ConfigError(f"batch_size {config.batch_size} exceeds the "
                               f"{len(data.train)} training examples")
    if config.batch_size % replicas:
      raise errors.ConfigError(f"batch_size {config.batch_size} is not divisible by the "
                               f"{replicas} replicas")
    if (config.jit_compile and replicas > 1 and
        not isinstance(self.strategy, tf.distribute.TPUStrategy)):
      # The step XLA-compiles strategy.run as one cluster on one device (loop.make_train_step).
      raise errors.ConfigError(
          f"--jit_compile cannot be combined with {replicas} replicas under "
          f"{type(self.strategy).__name__}: XLA compiles the whole step on one device; "
          "use one accelerator or leave --jit_compile off")
    if config.deterministic:
      tf.config.experimental.enable_op_determinism()
    pipeline = train_pipeline.TrainPipeline(data.train, data.info.num_classes, augment_config,
                                            config.seed)
    with self.strategy.scope(), precision.scope(config.mixed_precision):
      zoo_model = models.build_for(model_config, data.info, config.seed)
      self.optimizer = make_optimizer(config, self.steps_per_epoch)
      self.optimizer.build(zoo_model.model.trainable_variables)
      # The checkpointed count of completed epochs (`epoch` reads it).
      self._epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
    write = bool(run_dir) and (strategies.is_chief(self.strategy) if write_outputs is None
                               else write_outputs)
    self.state = hooks_lib.State(
        run_dir=run_dir, write_outputs=write, data=data, model_config=model_config,
        zoo_model=zoo_model, augment_config=augment_config, config=config,
        strategy=self.strategy, pipeline=pipeline, summaries=summaries.Summaries(run_dir, write),
        evaluator=evaluation.Evaluator(zoo_model.model, data.info.num_classes, config.loss,
                                       config.eval_batch_size), report=report)
    self.checkpoints = checkpointing.CheckpointHook(
        zoo_model.model, self.optimizer, self._epoch, run_dir, config.checkpoint_every,
        config.epochs, write, self.strategy)
    method = (methods.build(config.method, data.info.num_classes, config.seed)
              if config.method else None)
    self.loop = loop.Loop(self.state, loop.make_train_step(zoo_model.model, self.optimizer,
                                                           config, self.strategy, method),
                          self._epoch, self.steps_per_epoch)
    self._measurements = [evaluation.FitHook(), tracking.PerExampleHook(config.track_every,
                                                                        config.epochs)]
    self._hooks: list[hooks_lib.Hook] = []
    self.add_hooks(*hooks, *(method.hooks if method else ()))

  def add_hooks(self, *hooks: Any) -> None:
    """Adds hooks (or on_evaluate callables) after the earlier ones, validating each.

    Raises:
      errors.ConfigError: a hook's settings do not fit this model or data.
    """
    for hook in map(hooks_lib.as_hook, hooks):
      hook.validate(self.state)  # The one place hooks are checked: before any work.
      self._hooks.append(hook)

  hooks = property(lambda self: tuple(self._hooks), doc="The caller's hooks, in order.")
  run_dir = property(lambda self: self.state.run_dir, doc="The run directory (None: none).")
  write_outputs = property(lambda self: self.state.write_outputs,
                           doc="Whether this worker writes files.")
  data = property(lambda self: self.state.data, doc="The run's datasets.")
  zoo_model = property(lambda self: self.state.zoo_model, doc="The model and its endpoints.")
  evaluator = property(lambda self: self.state.evaluator, doc="Un-augmented forward passes.")
  summaries = property(lambda self: self.state.summaries, doc="The TensorBoard writer.")

  @property
  def model(self) -> keras.Model:
    """The Keras model being trained."""
    return self.state.model

  @property
  def epoch(self) -> int:
    """The last completed (and checkpointed, where the run writes) epoch; 0 before any."""
    return int(self._epoch.numpy())

  @property
  def history(self) -> list[dict]:
    """One entry per evaluated epoch; a resumed run sets it from its record."""
    return self.state.history

  @history.setter
  def history(self, entries: list[dict]) -> None:
    self.state.history = list(entries)

  def _all_hooks(self, on_epoch=None) -> list[hooks_lib.Hook]:
    return (self._measurements + self._hooks + [summaries.TensorBoardHook()] +
            ([hooks_lib.EntryCallback(on_epoch)] if on_epoch else []) + [self.checkpoints])

  def dashboard(self) -> hooks_lib.Dashboard:
    """What the hooks' scalars add to the TensorBoard dashboards."""
    return hooks_lib.dashboard(self._all_hooks(), self.state)

  def record_sections(self) -> dict:
    """The hooks' sections of the final result record (after training)."""
    return hooks_lib.record_sections(self._all_hooks(), self.state)

  def restore(self) -> int:
    """Restores the latest checkpoint, if any; returns the epoch to continue from (0: none)."""
    epoch = self.checkpoints.restore()
    self.state.epoch = epoch
    self.history = [h for h in self.history if h["epoch"] <= epoch]
    hooks_lib.call(self._all_hooks(), "on_resume", self.state)
    return epoch

  def train_epoch(self, epoch: int, max_steps: int | None = None) -> dict:
    """The optimisation steps of 1-based `epoch` (at most `max_steps`): loop.train_epoch."""
    return self.loop.train_epoch(epoch, max_steps)

  def fit(self, on_epoch: Callable[[dict], None] | None = None,
          on_step: Callable[[], None] | None = None, restore: bool = True) -> list[dict]:
    """Trains from the restored epoch to config.epochs; returns the metric history.

    Raises TrainingDivergedError on a non-finite loss, Interrupted on SIGTERM / SIGINT
    after saving nothing newer than the last completed epoch. The mixed-precision policy
    (if any) holds during the run and is restored after.

    Args:
      on_epoch: called with each evaluated epoch's history entry (progress, records).
      on_step: called after every training step (in-epoch progress).
      restore: restore the latest checkpoint first.

    Returns:
      The metric history, one entry per evaluated epoch.
    """
    start = self.restore() if restore else self.epoch
    with precision.scope(self.config.mixed_precision):
      return self.loop.run(self._all_hooks(on_epoch), start, self.optimizer, on_step)
