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

"""The training loop: a compiled step, epochs rebuilt from (seed, epoch), hooks around them.

The input of every epoch is rebuilt from (seed, epoch), so a run restarted from its
checkpoint sees exactly the data the uninterrupted run saw. Per-step loss and
correct-count sums stay on the device (float64) and are read once per epoch; a
non-finite loss is detected then, with the first offending step counted on device.

Per epoch e (1-based; 0 is the initial model, evaluated when a run starts fresh):
  on_epoch_begin -> steps -> state.metrics = train/*, perf/* -> [on_evaluate]
  -> history entry -> on_epoch_end      (see suite.hooks for the protocol)
The loop's own scalars: train/loss, train/accuracy (running, on augmented views and
training labels), train/learning_rate, perf/epoch_seconds, perf/examples_per_second.
"""

import signal
import time
from typing import Callable

import keras
import tensorflow as tf

from suite import errors
from suite import hooks as hooks_lib
from suite import methods
from suite import rng
from suite.models import losses
from suite.training import optimizers
from suite.training import train_config


class TrainingDivergedError(errors.SuiteError):
  """The loss became NaN or infinite."""


class Interrupted(errors.SuiteError):
  """SIGTERM or SIGINT arrived; the last completed checkpoint stands."""


def fgsm(model: keras.Model, images: tf.Tensor, targets: tf.Tensor, loss: str, epsilon: float) -> tf.Tensor:
  """The fast-gradient-sign adversarial images of a batch (Goodfellow et al.).

  Args:
    model: maps images in [0, 1] to logits.
    images: [batch, ...] inputs in [0, 1].
    targets: [batch, classes] one-hot (or soft) targets.
    loss: a name of suite.models.losses.LOSSES.
    epsilon: the L-inf step.

  Returns:
    images + epsilon * sign(d loss / d images), clipped to [0, 1], without gradient.
  """
  images = tf.convert_to_tensor(images, tf.float32)
  with tf.GradientTape() as tape:
    tape.watch(images)
    logits = tf.cast(model(images, training=True), tf.float32)
    per_example = losses.per_example_loss(loss, targets, logits)
  step = epsilon * tf.sign(tape.gradient(per_example, images))
  return tf.stop_gradient(tf.clip_by_value(images + step, 0.0, 1.0))


def _sum_dtype(strategy):
  # TPUs have no float64; elsewhere float64 sums equal a host-side sum of the steps.
  return tf.float32 if isinstance(strategy, tf.distribute.TPUStrategy) else tf.float64


def initial_sums(strategy: tf.distribute.Strategy) -> tuple:
  """The epoch accumulators before the first step (see `make_train_step`).

  Args:
    strategy: the run's strategy (float32 sums on TPUs, float64 elsewhere).

  Returns:
    (loss sum, correct sum, step count, first non-finite step (-1: none)), zeroed.
  """
  dtype = _sum_dtype(strategy)
  return (tf.constant(0.0, dtype), tf.constant(0.0, dtype), tf.constant(0, tf.int64),
          tf.constant(-1, tf.int64))


def make_train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer,
                    config: train_config.TrainConfig,
                    strategy: tf.distribute.Strategy,
                    method: methods.Method | None = None) -> Callable:
  """The compiled distributed step: `step(batch, sums) -> sums`.

  Args:
    model: the model, created under `strategy`'s scope.
    optimizer: its optimizer (a LossScaleOptimizer with mixed precision).
    config: the TrainConfig (loss, batch size, input noise, adversarial epsilon, XLA).
    strategy: the tf.distribute strategy.
    method: a method entry's batch transform and extra loss (suite.methods); None: none.

  Returns:
    A tf.function of (batch, sums): `sums` (from `initial_sums`) is (loss sum, correct
    count, steps, first non-finite step or -1), kept on the device so that the host
    reads it once per epoch.
  """
  global_batch = config.batch_size
  dtype = _sum_dtype(strategy)

  def replica_step(batch):
    images = batch["image"]
    if config.input_noise_std:
      key = rng.fold(rng.tf_key(config.seed, "input_noise"), optimizer.iterations,
                     tf.distribute.get_replica_context().replica_id_in_sync_group)
      images = images + config.input_noise_std * tf.random.stateless_normal(
          tf.shape(images), seed=key)
    targets = batch["target"]
    if method and method.transform_batch:
      key = rng.fold(rng.tf_key(config.seed, "method"), optimizer.iterations,
                     tf.distribute.get_replica_context().replica_id_in_sync_group)
      images, targets = method.transform_batch(images, targets, key)
    if config.adversarial_epsilon:
      images = fgsm(model, images, targets, config.loss, config.adversarial_epsilon)
    with tf.GradientTape() as tape:
      logits = tf.cast(model(images, training=True), tf.float32)
      per_example = losses.per_example_loss(config.loss, targets, logits)
      if method and method.extra_loss:
        per_example += tf.cast(method.extra_loss(model, images, targets, logits), tf.float32)
      loss = tf.reduce_sum(per_example) / global_batch
      if model.losses:
        loss += tf.add_n(model.losses) / strategy.num_replicas_in_sync
      loss += optimizers.loss_penalty(config, model) / strategy.num_replicas_in_sync
      scaled = optimizer.scale_loss(loss) if config.mixed_precision else loss
    gradients = tape.gradient(scaled, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, -1), batch["label"]), tf.float32))
    return tf.reduce_sum(per_example), correct

  @tf.function(jit_compile=config.jit_compile or None)
  def step(batch, sums):
    loss, correct = strategy.run(replica_step, args=(batch,))
    loss, correct = (strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None)
                     for v in (loss, correct))
    loss_sum, correct_sum, steps, first_bad = sums
    steps += 1
    first_bad = tf.where((first_bad < 0) & ~tf.math.is_finite(loss), steps, first_bad)
    return (loss_sum + tf.cast(loss, dtype), correct_sum + tf.cast(correct, dtype), steps,
            first_bad)

  return step


def learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
  """The optimizer's current learning rate (a schedule's value at its current step).

  Args:
    optimizer: a built Keras optimizer.

  Returns:
    The rate as a Python float.
  """
  lr = optimizer.learning_rate
  return float(lr.numpy() if hasattr(lr, "numpy") else lr)


class Loop:
  """Runs epochs of a compiled step over per-epoch inputs, calling hooks around them."""

  def __init__(self, state: hooks_lib.State, step: Callable, epoch: tf.Variable, steps_per_epoch: int):
    """`step` from make_train_step; `epoch` the checkpointed epoch counter, assigned after
    each epoch's steps."""
    self.state = state
    self.step = step
    self.epoch = epoch
    self.steps_per_epoch = steps_per_epoch
    self.stop_signal = None

  def epoch_input(self, epoch: int) -> tf.distribute.DistributedDataset:
    """The distributed input of 0-based `epoch`: steps_per_epoch global batches.

    Args:
      epoch: the 0-based epoch (it keys the augmentation randomness).

    Returns:
      The distributed dataset of the epoch's batches.
    """
    steps, pipeline = self.steps_per_epoch, self.state.pipeline
    batch_size, strategy = self.state.config.batch_size, self.state.strategy

    def dataset_fn(context):
      batch = context.get_per_replica_batch_size(batch_size)
      # Each step draws one batch per replica from this pipeline; the exact count makes
      # every worker run the same number of steps, however the shards fall.
      batches = steps * context.num_replicas_in_sync // context.num_input_pipelines
      return pipeline.epoch(epoch, batch, context.num_input_pipelines,
                            context.input_pipeline_id).take(batches)

    return strategy.distribute_datasets_from_function(dataset_fn)

  def train_epoch(self, epoch: int, max_steps: int | None = None,
                  on_step: Callable[[], None] | None = None) -> dict:
    """Runs the optimisation steps of `epoch` (1-based); returns sums and timing.

    Args:
      epoch: the 1-based epoch being trained.
      max_steps: stop after this many steps (benchmarks); None: the whole epoch.
      on_step: called after every step (in-epoch progress); it reads nothing from the
        device, so the steps stay asynchronous.

    Returns:
      {'loss_sum', 'correct_sum', 'examples', 'seconds'}: the device sums, read once.

    Raises:
      TrainingDivergedError: the loss of some step was NaN or infinite.
      Interrupted: a signal arrived during the epoch (the epoch is abandoned).
    """
    started = time.perf_counter()
    sums = initial_sums(self.state.strategy)
    for index, batch in enumerate(self.epoch_input(epoch - 1)):
      if max_steps is not None and index >= max_steps:
        break
      sums = self.step(batch, sums)
      if on_step:
        on_step()
      if self.stop_signal is not None:  # Abandon the epoch: the last checkpoint stands.
        raise Interrupted(f"interrupted by signal {self.stop_signal} during epoch {epoch}; "
                          "run the same command again to resume")
    loss_sum, correct_sum, steps, first_bad = (v.numpy() for v in sums)  # One host read.
    if first_bad >= 0 or not tf.math.is_finite(loss_sum):
      raise TrainingDivergedError(
          f"the training loss became {float(loss_sum)} at epoch {epoch}, step {int(first_bad)}; "
          "lower --learning_rate or change --loss")
    return {"loss_sum": float(loss_sum), "correct_sum": float(correct_sum),
            "examples": int(steps) * self.state.config.batch_size,
            "seconds": time.perf_counter() - started}

  def _epoch(self, hooks: list[hooks_lib.Hook], epoch: int, optimizer,
             on_step: Callable[[], None] | None) -> None:
    state, config = self.state, self.state.config
    state.epoch, state.metrics = epoch, {}
    state.evaluated = epoch == 0 or epoch % config.eval_every == 0 or epoch == config.epochs
    hooks_lib.call(hooks, "on_epoch_begin", state)
    if epoch:
      sums = self.train_epoch(epoch, on_step=on_step)
      self.epoch.assign(epoch)
      seconds, examples = sums["seconds"], sums["examples"]
      state.metrics.update({
          "train/loss": sums["loss_sum"] / examples,
          "train/accuracy": sums["correct_sum"] / examples,
          "train/learning_rate": learning_rate(optimizer),
          "perf/epoch_seconds": seconds, "perf/examples_per_second": examples / seconds})
    if state.evaluated:
      hooks_lib.evaluate(hooks, state)
      state.history.append({"epoch": epoch, **state.metrics})
    hooks_lib.call(hooks, "on_epoch_end", state)

  def run(self, hooks: list[hooks_lib.Hook], start: int, optimizer: keras.optimizers.Optimizer,
          on_step: Callable[[], None] | None = None) -> list[dict]:
    """Trains from epoch `start` (the resume point) to config.epochs; returns the history.

    Epoch 0 (the initial model) is evaluated when `start` is 0 and the history is empty.
    `optimizer` gives the current rate for `train/learning_rate`.

    Args:
      hooks: called in order at each point of the protocol.
      start: the last completed epoch (0 for a fresh run).
      optimizer: the run's optimizer.
      on_step: called after every training step (see train_epoch).

    Returns:
      The history: one metrics entry per evaluated epoch.
    """
    previous = self._install_signal_handlers()
    try:
      hooks_lib.call(hooks, "on_train_begin", self.state)
      if start == 0 and not self.state.history:
        self._epoch(hooks, 0, optimizer, on_step)
      for epoch in range(start + 1, self.state.config.epochs + 1):
        self._epoch(hooks, epoch, optimizer, on_step)
        if self.stop_signal is not None:
          raise Interrupted(f"interrupted by signal {self.stop_signal} after epoch {epoch}; "
                            "run the same command again to resume")
      hooks_lib.call(hooks, "on_train_end", self.state)
    finally:
      for signum, handler in previous.items():
        signal.signal(signum, handler)
    return self.state.history

  def _install_signal_handlers(self) -> dict:
    def handler(signum, frame):
      del frame
      self.stop_signal = signum
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
      try:
        previous[signum] = signal.signal(signum, handler)
      except ValueError:  # Not the main thread: the caller handles signals.
        pass
    return previous
