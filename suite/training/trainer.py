"""Training under a tf.distribute strategy, with memorization measurements.

A custom loop rather than `model.fit`: the input of every epoch is rebuilt from
(seed, epoch) so a restarted run sees exactly the data the uninterrupted one saw,
and the measurements need un-augmented passes over the training set with their
corrupted / clean split.

Measured every `eval_every` epochs (TensorBoard tag, also in the history):
  train/loss, train/accuracy                running, on augmented views, training labels
  memorization/train_fit                    un-augmented training images, training labels
  memorization/fit_corrupted, fit_clean     the same on corrupted and on clean examples
  memorization/clean_acc_corrupted          corrupted examples against their clean labels
  memorization/view_fit                     every pooled view against its training label
                                            (with a pool of views; per-view labels if set)
  validation/accuracy, test/accuracy (and loss)   clean labels
  train/learning_rate, perf/epoch_seconds, perf/examples_per_second
"""

import dataclasses
import math
import os
import signal
import time

import keras
import numpy as np
import tensorflow as tf

from suite import errors
from suite import rng
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.training import optimizers
from suite.training import strategies
from suite.training import tracking

LOSSES = ("cross_entropy", "mse")
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


class TrainingDivergedError(errors.SuiteError):
  """The loss became NaN or infinite."""


class Interrupted(errors.SuiteError):
  """SIGTERM or SIGINT arrived; the last completed checkpoint stands."""


def per_example_loss(loss: str, targets: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
  """Per-example loss against (possibly soft) one-hot targets."""
  if loss == "cross_entropy":
    return tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=logits)
  # MSE on raw outputs, as the benign-memorization code (mean over classes).
  return tf.reduce_mean(tf.square(logits - targets), axis=-1)


def fgsm(model, images, targets, loss: str, epsilon: float) -> tf.Tensor:
  """The fast-gradient-sign adversarial images of a batch, clipped to [0, 1]."""
  images = tf.convert_to_tensor(images, tf.float32)
  with tf.GradientTape() as tape:
    tape.watch(images)
    logits = tf.cast(model(images, training=True), tf.float32)
    losses = per_example_loss(loss, targets, logits)
  step = epsilon * tf.sign(tape.gradient(losses, images))
  return tf.stop_gradient(tf.clip_by_value(images + step, 0.0, 1.0))


make_optimizer = optimizers.make_optimizer


@dataclasses.dataclass
class EvalResult:
  logits: np.ndarray
  loss: np.ndarray  # per example, against the split's training labels
  correct: np.ndarray  # against training labels
  correct_clean: np.ndarray  # against clean labels


class Trainer:
  """Trains one zoo model on one dataset; resumable from its run directory."""

  def __init__(self, run_dir: str, data: datasets.Data, model_config: zoo.ModelConfig,
               augment_config: augmentation.AugmentConfig, config: TrainConfig, strategy=None,
               write_outputs: bool | None = None):
    self.run_dir = run_dir
    self.data = data
    self.model_config = model_config
    self.augment_config = augment_config
    self.config = config
    self.strategy = strategy or tf.distribute.get_strategy()
    self.write_outputs = strategies.is_chief(self.strategy) if write_outputs is None else write_outputs
    self.history: list[dict] = []
    self.hooks = []  # Callables hook(trainer, epoch) -> dict of extra scalars, at evaluation.
    self.steps_per_epoch = len(data.train) // config.batch_size
    if self.steps_per_epoch < 1:
      raise errors.ConfigError(f"batch_size {config.batch_size} exceeds the "
                               f"{len(data.train)} training examples")
    if config.batch_size % self.strategy.num_replicas_in_sync:
      raise errors.ConfigError(f"batch_size {config.batch_size} is not divisible by the "
                               f"{self.strategy.num_replicas_in_sync} replicas")
    if config.deterministic:
      tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(config.seed)
    if config.mixed_precision:
      gpu = bool(tf.config.list_logical_devices("GPU"))
      keras.mixed_precision.set_global_policy("mixed_float16" if gpu else "mixed_bfloat16")
    self.pipeline = augmentation.TrainPipeline(data.train, data.info.num_classes, augment_config,
                                               config.seed)
    with self.strategy.scope():
      self.zoo_model = zoo.build(model_config, data.info.image_shape, data.info.num_classes)
      self.model = self.zoo_model.model
      self.optimizer = make_optimizer(config, self.steps_per_epoch)
      self.optimizer.build(self.model.trainable_variables)
      self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
    # Dropout's seed-generator states are not tracked by the model object itself.
    seed_states = {f"state_{i}": v for i, v in enumerate(self.model.non_trainable_variables)
                   if "seed_generator" in v.path}
    self.checkpoint = tf.train.Checkpoint(model=self.model, optimizer=self.optimizer,
                                          epoch=self.epoch, seed_states=seed_states)
    self._checkpoint_dir = os.path.join(run_dir, "checkpoints")
    self.manager = tf.train.CheckpointManager(self.checkpoint, self._checkpoint_dir, max_to_keep=2)
    self._train_step = self._make_train_step()
    self._forward = tf.function(lambda images: tf.cast(self.model(images, training=False),
                                                       tf.float32), reduce_retracing=True)
    self._writer = None
    self._stop_signal = None

  # ----------------------------------------------------------------- steps
  def _make_train_step(self):
    config, model, optimizer = self.config, self.model, self.optimizer
    global_batch = config.batch_size

    def replica_step(batch):
      images = batch["image"]
      if config.input_noise_std:
        key = rng.fold(rng.tf_key(config.seed, "input_noise"), self.optimizer.iterations,
                       tf.distribute.get_replica_context().replica_id_in_sync_group)
        images = images + config.input_noise_std * tf.random.stateless_normal(
            tf.shape(images), seed=key)
      if config.adversarial_epsilon:
        images = fgsm(model, images, batch["target"], config.loss, config.adversarial_epsilon)
      with tf.GradientTape() as tape:
        logits = tf.cast(model(images, training=True), tf.float32)
        losses = per_example_loss(config.loss, batch["target"], logits)
        loss = tf.reduce_sum(losses) / global_batch
        if model.losses:
          loss += tf.add_n(model.losses) / self.strategy.num_replicas_in_sync
        loss += optimizers.loss_penalty(config, model) / self.strategy.num_replicas_in_sync
        scaled = optimizer.scale_loss(loss) if config.mixed_precision else loss
      gradients = tape.gradient(scaled, model.trainable_variables)
      optimizer.apply_gradients(zip(gradients, model.trainable_variables))
      correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, -1), batch["label"]),
                                      tf.float32))
      return tf.reduce_sum(losses), correct

    @tf.function(jit_compile=config.jit_compile or None)
    def distributed_step(batch):
      loss, correct = self.strategy.run(replica_step, args=(batch,))
      reduce = lambda v: self.strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None)
      return reduce(loss), reduce(correct)

    return distributed_step

  def _epoch_input(self, epoch: int):
    steps = self.steps_per_epoch

    def dataset_fn(context):
      batch = context.get_per_replica_batch_size(self.config.batch_size)
      # Each step draws one batch per replica from this pipeline; the exact count makes
      # every worker run the same number of steps, however the shards fall.
      batches = steps * context.num_replicas_in_sync // context.num_input_pipelines
      return self.pipeline.epoch(epoch, batch, context.num_input_pipelines,
                                 context.input_pipeline_id).take(batches)

    return self.strategy.distribute_datasets_from_function(dataset_fn)

  # ------------------------------------------------------------ evaluation
  def evaluate(self, split: datasets.Split, labels=None) -> EvalResult:
    """Un-augmented forward pass over `split` (eval mode), in split order."""
    labels = split.labels if labels is None else labels
    logits = np.concatenate([self._forward(batch["image"]).numpy()
                             for batch in augmentation.eval_dataset(split, self.config.eval_batch_size)])
    targets = tf.one_hot(labels, self.data.info.num_classes)
    loss = per_example_loss(self.config.loss, targets, logits).numpy()
    predictions = logits.argmax(-1)
    return EvalResult(logits=logits, loss=loss, correct=predictions == labels,
                      correct_clean=predictions == split.clean_labels)

  def _view_fit(self) -> float:
    """Accuracy over every (example, pooled view) against the view's own label."""
    num_views = self.augment_config.num_views
    if self.augment_config.per_view_labels:
      table = augmentation.per_view_label_table(self.data.train, num_views,
                                                self.data.info.num_classes, self.config.seed)
    else:  # One label per example, shown with each of its views.
      table = np.repeat(self.data.train.labels[:, None], num_views, axis=1)
    positions = np.repeat(np.arange(len(self.data.train)), num_views)
    indices = np.tile(np.arange(num_views), len(self.data.train))
    ds = tf.data.Dataset.from_tensor_slices((positions, indices)).map(
        self.pipeline.pooled_view, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.batch(self.config.eval_batch_size).prefetch(tf.data.AUTOTUNE)
    predictions = np.concatenate([self._forward(b).numpy().argmax(-1) for b in ds])
    return float(np.mean(predictions == table[positions, indices]))

  def measure(self, epoch: int) -> tuple[dict, EvalResult]:
    """The memorization measurements of this epoch (see the module docstring)."""
    train = self.evaluate(self.data.train)
    corrupted = self.data.train.corrupted
    mean = lambda x: float(np.mean(x)) if len(x) else float("nan")
    metrics = {
        "memorization/train_fit": mean(train.correct),
        "memorization/fit_corrupted": mean(train.correct[corrupted]),
        "memorization/fit_clean": mean(train.correct[~corrupted]),
        "memorization/clean_acc_corrupted": mean(train.correct_clean[corrupted]),
    }
    if self.augment_config.num_views:
      metrics["memorization/view_fit"] = self._view_fit()
    for name, split in (("validation", self.data.validation), ("test", self.data.test)):
      if len(split):
        result = self.evaluate(split)
        metrics[f"{name}/accuracy"] = mean(result.correct)
        metrics[f"{name}/loss"] = mean(result.loss)
    if self.config.track_every and (epoch % self.config.track_every == 0 or
                                    epoch == self.config.epochs):
      self._track(epoch, train)
    return metrics, train

  def _track(self, epoch: int, train: EvalResult):
    if self.write_outputs:
      tracking.write_epoch(self.run_dir, epoch, ids=self.data.train.ids, loss=train.loss,
                           correct=train.correct, correct_clean=train.correct_clean,
                           corrupted=self.data.train.corrupted)

  # ------------------------------------------------------------------ loop
  def restore(self) -> int:
    """Restores the latest checkpoint, if any; returns the epoch to continue from."""
    latest = self.manager.latest_checkpoint
    if latest:
      self.checkpoint.restore(latest).assert_existing_objects_matched()
    epoch = int(self.epoch.numpy())
    self.history = [h for h in self.history if h["epoch"] <= epoch]
    if self.write_outputs:
      tracking.truncate_after(self.run_dir, epoch)
    return epoch

  def learning_rate(self) -> float:
    lr = self.optimizer.learning_rate
    return float(lr.numpy() if hasattr(lr, "numpy") else lr)

  def _log(self, epoch, scalars):
    if not self.write_outputs:
      return
    if self._writer is None:
      self._writer = tf.summary.create_file_writer(os.path.join(self.run_dir, "tensorboard"))
    with self._writer.as_default(step=epoch):
      for name, value in scalars.items():
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
          tf.summary.scalar(name, value)
    self._writer.flush()

  def summary_writer(self):
    self._log(0, {})
    return self._writer

  def _install_signal_handlers(self):
    def handler(signum, frame):
      del frame
      self._stop_signal = signum
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
      try:
        previous[signum] = signal.signal(signum, handler)
      except ValueError:  # Not the main thread: the caller handles signals.
        pass
    return previous

  def fit(self, on_epoch=None, restore: bool = True) -> list[dict]:
    """Trains from the restored epoch to config.epochs; returns the metric history.

    `on_epoch(entry)` is called after each evaluated epoch (progress lines, result
    records). Raises TrainingDivergedError on a non-finite loss, Interrupted on
    SIGTERM / SIGINT after saving nothing newer than the last completed epoch.
    """
    start = self.restore() if restore else int(self.epoch.numpy())
    if start == 0 and self.config.eval_every and not self.history:
      entry = self._evaluate_entry(0, {})
      self.history.append(entry)
      if on_epoch:
        on_epoch(entry)
    previous = self._install_signal_handlers()
    try:
      for epoch in range(start + 1, self.config.epochs + 1):
        self._run_epoch(epoch, on_epoch)
        if self._stop_signal is not None:
          raise Interrupted(f"interrupted by signal {self._stop_signal} after epoch {epoch}; "
                            "run the same command again to resume")
    finally:
      for signum, handler in previous.items():
        signal.signal(signum, handler)
    return self.history

  def train_epoch(self, epoch: int, max_steps: int | None = None) -> dict:
    """Runs the optimisation steps of `epoch` (1-based); returns sums and timing."""
    started = time.perf_counter()
    loss_sum = correct_sum = 0.0
    steps = 0
    for step, batch in enumerate(self._epoch_input(epoch - 1)):
      if max_steps is not None and step >= max_steps:
        break
      loss, correct = self._train_step(batch)
      loss_sum += float(loss)
      correct_sum += float(correct)
      steps += 1
      if not math.isfinite(float(loss)):
        raise TrainingDivergedError(
            f"the training loss became {float(loss)} at epoch {epoch}, step {step + 1}; "
            "lower --learning_rate or change --loss")
      if self._stop_signal is not None:  # Abandon the epoch: the last checkpoint stands.
        raise Interrupted(f"interrupted by signal {self._stop_signal} during epoch {epoch}; "
                          "run the same command again to resume")
    return {"loss_sum": loss_sum, "correct_sum": correct_sum,
            "examples": steps * self.config.batch_size,
            "seconds": time.perf_counter() - started}

  def _run_epoch(self, epoch, on_epoch):
    sums = self.train_epoch(epoch)
    seconds, examples = sums["seconds"], sums["examples"]
    loss_sum, correct_sum = sums["loss_sum"], sums["correct_sum"]
    self.epoch.assign(epoch)
    train_scalars = {"train/loss": loss_sum / examples, "train/accuracy": correct_sum / examples,
                     "train/learning_rate": self.learning_rate(),
                     "perf/epoch_seconds": seconds, "perf/examples_per_second": examples / seconds}
    if epoch % self.config.eval_every == 0 or epoch == self.config.epochs:
      entry = self._evaluate_entry(epoch, train_scalars)
      self.history.append(entry)
      if on_epoch:
        on_epoch(entry)
    else:
      self._log(epoch, train_scalars)
      if self.config.track_every and epoch % self.config.track_every == 0:
        self._track(epoch, self.evaluate(self.data.train))
    if epoch % self.config.checkpoint_every == 0 or epoch == self.config.epochs:
      self.save()

  def _evaluate_entry(self, epoch, train_scalars):
    metrics, _ = self.measure(epoch)
    entry = {"epoch": epoch, **train_scalars, **metrics}
    for hook in self.hooks:
      entry.update(hook(self, epoch))
    self._log(epoch, {k: v for k, v in entry.items() if k != "epoch" and not isinstance(v, dict)})
    return entry

  def save(self):
    # Every worker saves (MultiWorkerMirroredStrategy needs all in the collective);
    # non-chief workers write to a scratch directory.
    if self.write_outputs:
      self.manager.save(checkpoint_number=int(self.epoch.numpy()))
    else:
      scratch = os.path.join(self.run_dir, "scratch",
                             f"worker_{self.strategy.cluster_resolver.task_id}")
      tf.train.CheckpointManager(self.checkpoint, scratch, max_to_keep=1).save()
