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

"""A training run's config, model and optimizer, assembled with the loop (training.loop).

Hooks, in call order: fit measurement (training.evaluation), per-example log
(training.tracking), the caller's hooks (probes, measures), TensorBoard
(training.summaries), the caller's `on_epoch`, checkpoints (training.checkpointing).
"""

from collections.abc import Callable
import dataclasses

import keras
import tensorflow as tf

from suite import errors
from suite import models
from suite.data import augmentation
from suite.data import datasets
from suite.models import losses
from suite.models import zoo
from suite.training import checkpointing
from suite.training import evaluation
from suite.training import hooks as hooks_lib
from suite.training import loop
from suite.training import optimizers
from suite.training import precision
from suite.training import strategies
from suite.training import summaries
from suite.training import tracking

LOSSES = losses.LOSSES
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine", "step")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
  epochs: int = 10
  batch_size: int = 128  # Global: split across replicas.
  loss: str = "cross_entropy"
  optimizer: str = "adam"
  learning_rate: float = 1e-3
  momentum: float = 0.9  # sgd
  nesterov: bool = False  # sgd
  weight_decay: float = 0.0  # See weight_decay_mode.
  weight_decay_mode: str = "decoupled"  # optimizers.WEIGHT_DECAY_MODES: by the optimizer / L2 loss.
  adam_epsilon: float = 1e-7  # adam, adamw (Keras' default; PyTorch's is 1e-8).
  lr_schedule: str = "constant"
  warmup_epochs: int = 0
  input_noise_std: float = 0.0  # Gaussian noise added to training inputs (a regularizer).
  # Adversarial training (FGSM, Goodfellow et al.): train on x + eps * sign(dL/dx) in [0, 1].
  adversarial_epsilon: float = 0.0
  eval_every: int = 1
  track_every: int = 0  # Per-example log every N epochs (0: off).
  checkpoint_every: int = 1
  eval_batch_size: int = 512
  mixed_precision: bool = False
  jit_compile: bool = False
  deterministic: bool = False
  seed: int = 0

  def __post_init__(self):
    if self.loss not in LOSSES:
      raise errors.ConfigError(f"unknown loss {self.loss!r}; expected one of {LOSSES}")
    if self.optimizer not in OPTIMIZERS:
      raise errors.ConfigError(f"unknown optimizer {self.optimizer!r}; expected one of {OPTIMIZERS}")
    if self.lr_schedule not in SCHEDULES:
      raise errors.ConfigError(f"unknown schedule {self.lr_schedule!r}; expected one of {SCHEDULES}")
    for name in ("epochs", "batch_size", "eval_every", "checkpoint_every", "eval_batch_size"):
      if getattr(self, name) < 1:
        raise errors.ConfigError(f"{name} must be >= 1")
    if self.learning_rate <= 0:
      raise errors.ConfigError("learning_rate must be > 0")
    if self.weight_decay_mode not in optimizers.WEIGHT_DECAY_MODES:
      raise errors.ConfigError(f"unknown weight_decay_mode {self.weight_decay_mode!r}; expected "
                               f"one of {optimizers.WEIGHT_DECAY_MODES}")
    if self.weight_decay_mode == "l2" and self.optimizer == "adamw":
      raise errors.ConfigError("adamw's weight decay is decoupled by definition; use "
                               "--optimizer=adam with --weight_decay_mode=l2")
    if self.adam_epsilon <= 0:
      raise errors.ConfigError("adam_epsilon must be > 0")
    if self.input_noise_std < 0 or self.adversarial_epsilon < 0:
      raise errors.ConfigError("input_noise_std and adversarial_epsilon must be >= 0")
    if self.deterministic and self.jit_compile:
      raise errors.ConfigError("--deterministic and --jit_compile cannot be combined: XLA has "
                               "no deterministic kernels for some ops (max-pool gradients)")


TrainingDivergedError = loop.TrainingDivergedError  # Defined beside the code that raises them.
Interrupted = loop.Interrupted


make_optimizer = optimizers.make_optimizer


class Trainer:
  """Trains one zoo model on one dataset; resumable from its run directory.

  `run_dir=None` writes nothing (throughput benchmarks). `hooks`: a public list of
  hooks.Hook objects or `fn(state, epoch) -> dict` callables (see the module docstring).
  """

  def __init__(self, run_dir: str | None, data: datasets.Data, model_config: zoo.ModelConfig,
               augment_config: augmentation.AugmentConfig, config: TrainConfig,
               strategy: tf.distribute.Strategy | None = None,
               write_outputs: bool | None = None):
    self.config = config
    self.strategy = strategy or tf.distribute.get_strategy()
    self.hooks: list = []
    self.steps_per_epoch = len(data.train) // config.batch_size
    if self.steps_per_epoch < 1:
      raise errors.ConfigError(f"batch_size {config.batch_size} exceeds the "
                               f"{len(data.train)} training examples")
    if config.batch_size % self.strategy.num_replicas_in_sync:
      raise errors.ConfigError(f"batch_size {config.batch_size} is not divisible by the "
                               f"{self.strategy.num_replicas_in_sync} replicas")
    if (config.jit_compile and self.strategy.num_replicas_in_sync > 1 and
        not isinstance(self.strategy, tf.distribute.TPUStrategy)):
      # The step XLA-compiles strategy.run as one cluster on one device (loop.make_train_step).
      raise errors.ConfigError(
          f"--jit_compile cannot be combined with {self.strategy.num_replicas_in_sync} replicas "
          f"under {type(self.strategy).__name__}: XLA compiles the whole step on one device; "
          "use one accelerator or leave --jit_compile off")
    if config.deterministic:
      tf.config.experimental.enable_op_determinism()
    pipeline = augmentation.TrainPipeline(data.train, data.info.num_classes, augment_config,
                                          config.seed)
    with self.strategy.scope(), precision.scope(config.mixed_precision):
      zoo_model = models.build_for(model_config, data.info, config.seed)
      self.optimizer = make_optimizer(config, self.steps_per_epoch)
      self.optimizer.build(zoo_model.model.trainable_variables)
      self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
    write = bool(run_dir) and (strategies.is_chief(self.strategy) if write_outputs is None
                               else write_outputs)
    self.state = hooks_lib.State(
        run_dir=run_dir, write_outputs=write, data=data, model_config=model_config,
        zoo_model=zoo_model, augment_config=augment_config, config=config,
        strategy=self.strategy, pipeline=pipeline, summaries=summaries.Summaries(run_dir, write),
        evaluator=evaluation.Evaluator(zoo_model.model, data.info.num_classes, config.loss,
                                       config.eval_batch_size))
    self.checkpoints = checkpointing.CheckpointHook(
        zoo_model.model, self.optimizer, self.epoch, run_dir, config.checkpoint_every,
        config.epochs, write, self.strategy)
    self.loop = loop.Loop(self.state, loop.make_train_step(zoo_model.model, self.optimizer,
                                                           config, self.strategy),
                          self.epoch, self.steps_per_epoch)
    self._measurements = [evaluation.FitHook(), tracking.PerExampleHook(config.track_every,
                                                                        config.epochs)]

  def __getattr__(self, name):
    """The run's fields from its state: data, model, zoo_model, run_dir, write_outputs,
    summary_writer(), evaluator..."""
    if name == "state":  # Not yet set: construction failed part-way.
      raise AttributeError(name)
    return getattr(self.state, name)

  @property
  def history(self) -> list[dict]:
    """One entry per evaluated epoch; a resumed run sets it from its record."""
    return self.state.history

  @history.setter
  def history(self, entries: list[dict]) -> None:
    self.state.history = list(entries)

  def _all_hooks(self, on_epoch=None) -> list[hooks_lib.Hook]:
    return (self._measurements + [hooks_lib.as_hook(h) for h in self.hooks] +
            [summaries.TensorBoardHook()] +
            ([hooks_lib.EntryCallback(on_epoch)] if on_epoch else []) + [self.checkpoints])

  def restore(self) -> int:
    """Restores the latest checkpoint, if any; returns the epoch to continue from.

    Returns:
      The epoch to continue from (0 without a checkpoint).
    """
    epoch = self.checkpoints.restore()
    self.state.epoch = epoch
    self.history = [h for h in self.history if h["epoch"] <= epoch]
    hooks_lib.call(self._all_hooks(), "on_resume", self.state)
    return epoch

  def train_epoch(self, epoch: int, max_steps: int | None = None) -> dict:
    """Runs the optimisation steps of `epoch` (1-based); returns sums and timing.

    Args:
      epoch: the 1-based epoch.
      max_steps: stop after this many steps; None: the whole epoch.

    Returns:
      {'loss_sum', 'correct_sum', 'examples', 'seconds'} of the epoch.
    """
    return self.loop.train_epoch(epoch, max_steps)

  def fit(self, on_epoch: Callable[[dict], None] | None = None,
          restore: bool = True) -> list[dict]:
    """Trains from the restored epoch to config.epochs; returns the metric history.

    `on_epoch(entry)` is called after each evaluated epoch (progress lines, result
    records). Raises TrainingDivergedError on a non-finite loss, Interrupted on
    SIGTERM / SIGINT after saving nothing newer than the last completed epoch. The
    mixed-precision policy (if any) holds during the run and is restored after.

    Args:
      on_epoch: called with each evaluated epoch's history entry.
      restore: restore the latest checkpoint first.

    Returns:
      The metric history, one entry per evaluated epoch.
    """
    start = self.restore() if restore else int(self.epoch.numpy())
    with precision.scope(self.config.mixed_precision):
      return self.loop.run(self._all_hooks(on_epoch), start, self.optimizer)
