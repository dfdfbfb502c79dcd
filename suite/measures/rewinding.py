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

"""Layer rewinding and layer retraining (Maini et al., ICML 2023, arXiv 2307.09542, 4.2-4.3).

Kept checkpoints: `KeepCheckpointsHook` writes the model's weights (nothing else) at the
epochs declared before training (`--keep_epochs`, epoch 0 is the initialisation) and at
the last epoch, as RUN_DIR/kept_checkpoints/epoch_NNNNNN.{index,data-*} (TensorFlow
writes the index last: an epoch with an index is whole). They sit beside the run's own
resume checkpoints, which keep only the latest two; a resumed run rewrites the kept epochs
it redoes.

The rewind epoch, declared in advance (`RewindConfig`): `rewind_epoch` when given (it must
be kept); otherwise the latest kept epoch before the last whose recorded fit of the
corrupted examples (`memorization/fit_corrupted` in the history) is at most
`rewind_noisy_fit`, i.e. the last kept model that had not yet memorized the noise
(epoch 0 always qualifies at chance level).

Rewinding: every block (`ZooModel.blocks`: an endpoint's weighted layers) on its own gets
the rewind epoch's weights, the others keep the final ones; the fit of the corrupted
examples (prediction = their noisy training label) and of the clean ones (prediction =
their label) on the un-augmented training images, in eval mode, and the test accuracy.
Retraining: the rewound block alone is then trained on the clean examples only (Adam,
`retrain_epochs` epochs, the run's loss, eval-mode forward passes so BatchNorm's
statistics and dropout stay off, batches shuffled by a key of the run's seed and the
block), and measured again. Memorization that lives in the block is gone after rewinding
and does not come back by retraining on clean examples; memorization spread over other
blocks survives one block's rewinding.
"""

import dataclasses
import os
import time

import keras
import numpy as np
import tensorflow as tf

from suite import errors
from suite import hooks
from suite import rng
from suite.data import datasets
from suite.models import losses
from suite.models import zoo
from suite.results import atomic

KEPT_DIR = "kept_checkpoints"
RESULTS_DIR = "localization"
AUTO = -1  # RewindConfig.rewind_epoch: chosen by the declared rule.


def kept_name(epoch: int) -> str:
  return f"epoch_{epoch:06d}"


class KeepCheckpointsHook(hooks.Hook):
  """Keeps the weights at the declared epochs and at the last (see the module docstring)."""

  def __init__(self, epochs: tuple[int, ...], last_epoch: int):
    self.epochs = frozenset(int(e) for e in epochs) | {int(last_epoch)}

  def on_epoch_end(self, state: hooks.State) -> None:
    if state.epoch in self.epochs and state.write_outputs and state.run_dir:
      save_weights(state.model, state.run_dir, state.epoch)


def save_weights(model: keras.Model, run_dir: str, epoch: int) -> str:
  """Writes the model's weights as RUN_DIR/kept_checkpoints/epoch_NNNNNN.{index,data-*}.

  TensorFlow writes the data to temporary files and the index last, so an epoch whose
  index exists is whole (`kept_epochs` lists only those), on a bucket too; a write that
  fails leaves no index and raises errors.WriteError.
  """
  prefix = os.path.join(run_dir, KEPT_DIR, kept_name(epoch))
  try:
    tf.io.gfile.makedirs(os.path.dirname(prefix))
    tf.train.Checkpoint(model=model).write(prefix)
  except (tf.errors.OpError, OSError) as e:  # A full disk: no index, so no kept epoch.
    for path in tf.io.gfile.glob(prefix + ".index"):
      tf.io.gfile.remove(path)
    raise errors.WriteError(f"{prefix}: cannot keep the weights ({atomic.reason(e)})") from e
  return prefix


def kept_epochs(run_dir: str) -> list[int]:
  """The epochs whose weights the run kept whole, ascending (empty when none)."""
  pattern = os.path.join(run_dir, KEPT_DIR, "epoch_*.index")
  epochs = []
  for path in tf.io.gfile.glob(pattern):
    digits = os.path.basename(path)[len("epoch_"):-len(".index")]
    if digits.isdigit():
      epochs.append(int(digits))
  return sorted(epochs)


def load_weights(model: keras.Model, run_dir: str, epoch: int) -> None:
  """Restores the kept weights of `epoch` into `model`; RunDirError naming the files."""
  path = os.path.join(run_dir, KEPT_DIR, kept_name(epoch))
  try:
    tf.train.Checkpoint(model=model).read(path).assert_existing_objects_matched()
  except (tf.errors.OpError, OSError, ValueError, AssertionError, KeyError, TypeError,
          IndexError) as e:  # IndexError: a data file cut short ("Read less bytes ...").
    reason = " ".join((getattr(e, "message", None) or str(e) or type(e).__name__).split())[:300]
    raise errors.RunDirError(f"{path}: the kept checkpoint cannot be restored ({reason})") from e


@dataclasses.dataclass(frozen=True)
class RewindConfig:
  rewind_epoch: int = AUTO  # AUTO: the declared rule (module docstring).
  rewind_noisy_fit: float = 0.2  # The rule's ceiling on the corrupted examples' fit.
  blocks: tuple[str, ...] = ()  # Empty: every block.
  retrain_epochs: int = 5  # 0: no retraining.
  retrain_learning_rate: float = 1e-3
  retrain_batch_size: int = 32
  batch_size: int = 512  # Forward passes.

  def __post_init__(self):
    if self.rewind_epoch < AUTO:
      raise errors.ConfigError("rewind_epoch must be >= 0 (or AUTO)")
    if not 0.0 <= self.rewind_noisy_fit <= 1.0:
      raise errors.ConfigError("rewind_noisy_fit must be in [0, 1]")
    if self.retrain_epochs < 0 or self.retrain_batch_size < 1 or self.batch_size < 1:
      raise errors.ConfigError("retrain_epochs must be >= 0 and batch sizes >= 1")
    if self.retrain_learning_rate <= 0:
      raise errors.ConfigError("retrain_learning_rate must be > 0")


def choose_epochs(kept: list[int], history: list[dict], config: RewindConfig,
                  where: str = "the run", last_epoch: int | None = None) -> tuple[int, int, str]:
  """(final epoch, rewind epoch, the rule that chose it) from the kept epochs.

  Args:
    kept: the kept epochs, ascending (`kept_epochs`).
    history: the run's history (the rule reads its recorded corrupted fit).
    config: the rewind epoch or its rule.
    where: names the run in errors.
    last_epoch: the run's --epochs, when known: the final kept epoch must be it (the last
      epoch is always kept), or the run has not finished training (it was stopped, or is
      still running).

  Raises:
    RunDirError: nothing kept, the run unfinished, or no epoch fits the rule.
    ConfigError: the rewind epoch asked for was not kept, or is not before the final.
  """
  if not kept:
    raise errors.RunDirError(f"{where} kept no checkpoints for rewinding; train it with "
                             "--keep_epochs")
  final = kept[-1]
  if last_epoch is not None and final != last_epoch:
    raise errors.RunDirError(f"{where} has not finished training: its last kept epoch is "
                             f"{final} of {last_epoch}; finish it first (run the same "
                             "benchmarks.train command again)")
  if config.rewind_epoch != AUTO:
    if config.rewind_epoch not in kept:
      raise errors.ConfigError(f"--rewind_epoch={config.rewind_epoch} was not kept by {where}; "
                               f"kept epochs: {', '.join(map(str, kept))}")
    if config.rewind_epoch >= final:
      raise errors.ConfigError(f"--rewind_epoch={config.rewind_epoch} is not before the final "
                               f"kept epoch {final}")
    return final, config.rewind_epoch, "asked (--rewind_epoch)"
  fits = {int(h["epoch"]): float(h["memorization/fit_corrupted"]) for h in history
          if h.get("memorization/fit_corrupted") is not None}
  eligible = [e for e in kept[:-1] if e in fits and fits[e] <= config.rewind_noisy_fit]
  if not eligible:
    raise errors.RunDirError(
        f"{where}: no kept epoch before {final} has a recorded corrupted fit <= "
        f"{config.rewind_noisy_fit} (kept: {', '.join(map(str, kept))}); pass --rewind_epoch")
  return final, eligible[-1], (f"latest kept epoch with memorization/fit_corrupted <= "
                               f"{config.rewind_noisy_fit}")


def predictor(model: keras.Model):
  """The model's eval-mode predicted classes, compiled once (weights read at each call)."""
  return tf.function(lambda x: tf.argmax(model(x, training=False), axis=-1),
                     reduce_retracing=True)


def _predict(forward, images: np.ndarray, batch_size: int) -> np.ndarray:
  out = [forward(tf.constant(images[s:s + batch_size], tf.float32)).numpy()
         for s in range(0, len(images), batch_size)]
  return np.concatenate(out) if out else np.zeros(0, np.int64)


def fit(model: keras.Model, data: datasets.Data, batch_size: int = 512,
        forward=None) -> dict[str, float]:
  """{'fit_noisy', 'fit_clean', 'test_accuracy'}: eval-mode fit of the training labels on
  the corrupted and the clean training examples, and clean test accuracy (NaN if empty).
  `forward`: the model's `predictor` when measured repeatedly (compiled once)."""
  forward = forward or predictor(model)
  train = data.train
  predicted = _predict(forward, train.images, batch_size)
  hits = predicted == train.labels
  corrupted = np.asarray(train.corrupted, bool)
  mean = lambda v: float(v.mean()) if len(v) else float("nan")
  out = {"fit_noisy": mean(hits[corrupted]), "fit_clean": mean(hits[~corrupted])}
  test = data.test
  out["test_accuracy"] = (mean(_predict(forward, test.images, batch_size) == test.clean_labels)
                          if len(test) else float("nan"))
  return out


def _retrain(model: keras.Model, variables: list, data: datasets.Data, loss: str,
             config: RewindConfig, seed: int, block_index: int) -> None:
  """Trains `variables` alone on the clean training examples (eval-mode forward passes)."""
  train = data.train
  clean = np.flatnonzero(~np.asarray(train.corrupted, bool))
  num_classes = data.info.num_classes
  optimizer = keras.optimizers.Adam(config.retrain_learning_rate)

  @tf.function(reduce_retracing=True)
  def step(images, labels):
    with tf.GradientTape() as tape:
      logits = tf.cast(model(images, training=False), tf.float32)
      value = tf.reduce_mean(losses.per_example_loss(loss, tf.one_hot(labels, num_classes),
                                                     logits))
    optimizer.apply_gradients(zip(tape.gradient(value, variables), variables))

  for epoch in range(config.retrain_epochs):
    order = clean[rng.numpy_generator(seed, "retrain", block_index, epoch).permutation(
        len(clean))]
    for start in range(0, len(order), config.retrain_batch_size):
      rows = order[start:start + config.retrain_batch_size]
      step(tf.constant(train.images[rows], tf.float32), tf.constant(train.labels[rows], tf.int64))


def localize(model_config: zoo.ModelConfig, data: datasets.Data, run_dir: str, final: int,
             rewind: int, config: RewindConfig, loss: str, seed: int,
             report=None) -> dict:
  """Rewinds (and retrains) every block of the run's final model on its own.

  Args:
    model_config: the run's architecture.
    data: the run's data (its training split with the corrupted mask).
    run_dir: the run directory with its kept checkpoints (only read).
    final: the final kept epoch.
    rewind: the rewind epoch (kept).
    config: the rewinding settings.
    loss: the run's loss (retraining).
    seed: the run's seed (retraining's batch order).
    report: called with a line as each block is done (or None).

  Returns:
    {'final_epoch', 'rewind_epoch', 'blocks', 'final': fit, 'rewind': fit of the whole
    rewind-epoch model, 'rewound': {block: fit}, 'retrained': {block: fit} (with
    retraining), 'seconds': {'rewinding', 'retraining'}}.
  """
  current = zoo.build(model_config, data.info.image_shape, data.info.num_classes)
  early = zoo.build(model_config, data.info.image_shape, data.info.num_classes)
  load_weights(current.model, run_dir, final)
  load_weights(early.model, run_dir, rewind)
  blocks = current.blocks()
  names = list(config.blocks or blocks)
  unknown = [b for b in names if b not in blocks]
  if unknown:
    raise errors.ConfigError(f"unknown blocks {unknown} for model {model_config.name}; "
                             f"blocks with weights: {', '.join(blocks)}")
  final_weights = {layer.name: layer.get_weights() for layer in current.model.layers}
  forward = predictor(current.model)
  out: dict = {"final_epoch": final, "rewind_epoch": rewind, "blocks": names,
               "final": fit(current.model, data, config.batch_size, forward),
               "rewind": fit(early.model, data, config.batch_size), "rewound": {},
               "retrained": {}, "seconds": {"rewinding": 0.0, "retraining": 0.0}}
  for index, block in enumerate(names):
    started = time.time()
    for name in blocks[block]:
      current.model.get_layer(name).set_weights(early.model.get_layer(name).get_weights())
    out["rewound"][block] = fit(current.model, data, config.batch_size, forward)
    out["seconds"]["rewinding"] += time.time() - started
    if config.retrain_epochs:
      started = time.time()
      variables = [v for name in blocks[block]
                   for v in current.model.get_layer(name).trainable_weights]
      _retrain(current.model, variables, data, loss, config, seed, index)
      out["retrained"][block] = fit(current.model, data, config.batch_size, forward)
      out["seconds"]["retraining"] += time.time() - started
    for name in blocks[block]:  # Back to the final model before the next block.
      current.model.get_layer(name).set_weights(final_weights[name])
    if report:
      line = (f"{block}: rewound fit corrupted {out['rewound'][block]['fit_noisy']:.3f} "
              f"clean {out['rewound'][block]['fit_clean']:.3f}")
      if block in out["retrained"]:
        line += (f"; retrained corrupted {out['retrained'][block]['fit_noisy']:.3f} "
                 f"clean {out['retrained'][block]['fit_clean']:.3f}")
      report(line)
  return out


def results_path(run_dir: str, rewind: int) -> str:
  return os.path.join(run_dir, RESULTS_DIR, f"rewind_{kept_name(rewind)}.json")


def drops(result: dict, stage: str = "rewound") -> dict[str, dict[str, float]]:
  """{block: {'noisy': final fit - fit after `stage`, 'clean': ...}} of one run's result."""
  final = result["final"]
  return {block: {"noisy": final["fit_noisy"] - fit_["fit_noisy"],
                  "clean": final["fit_clean"] - fit_["fit_clean"]}
          for block, fit_ in result.get(stage, {}).items()}

