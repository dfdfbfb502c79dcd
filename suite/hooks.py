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

"""The hook protocol of the training loop, and the state every hook receives.

It lives below suite.training (above data and models) so that what plugs into a run
(suite.probing, suite.measures) depends on the protocol, not on the trainer.

A hook is an object with any of the methods of `Hook` (subclass it for no-op
defaults). They are called in the order the hooks were given:

  validate(state)         once, when the hook joins a trainer, before anything is
                          trained or written: refuse settings the model or data cannot
                          honour (raise errors.ConfigError)
  dashboard(state)        once, when a fresh run writes its TensorBoard config: the
                          HParams metrics and k-NN charts this hook's scalars fill
  on_train_begin(state)   once, after the resume point is restored, before any epoch
  on_resume(state)        after a checkpoint restore (state.epoch = the restored epoch):
                          drop anything written for later epochs
  on_epoch_begin(state)   before an epoch's steps (also before epoch 0, the initial model)
  on_evaluate(state)      at evaluated epochs (every eval_every, the last, and epoch 0),
                          after training; returns a dict of scalars (or None) merged into
                          state.metrics, in hook order, so later hooks see earlier ones'
  on_epoch_end(state)     after every epoch (and epoch 0); state.metrics is final and, at
                          evaluated epochs, state.history[-1] is this epoch's entry
  on_train_end(state)     once, after the last epoch, if training completed
  record_sections(state)  once, after training: top-level sections of result.json (the
                          probe table and its controls)

A new measure is a hook: compute in `on_evaluate` from `state.model` and `state.data`,
return its scalars; they reach TensorBoard, the history and result.json unchanged.
Long steps say so through `state.report(line)`. A plain callable `fn(state, epoch) ->
dict` is accepted as an `on_evaluate` hook.
"""

from collections.abc import Callable, Sequence
import dataclasses
from typing import Any, Protocol

import keras
import numpy as np
import tensorflow as tf

from suite.data import augmentation
from suite.data import datasets
from suite.data import train_pipeline
from suite.models import zoo


class TrainSettings(Protocol):
  """What hooks read of the run's training settings (suite.training.trainer.TrainConfig)."""

  @property
  def epochs(self) -> int: ...
  @property
  def batch_size(self) -> int: ...
  @property
  def eval_every(self) -> int: ...
  @property
  def eval_batch_size(self) -> int: ...
  @property
  def loss(self) -> str: ...
  @property
  def seed(self) -> int: ...


@dataclasses.dataclass
class EvalResult:
  """Eval-mode outputs of one split, in split order."""
  logits: np.ndarray
  loss: np.ndarray  # per example, against the split's training labels
  correct: np.ndarray  # against training labels
  correct_clean: np.ndarray  # against clean labels


class Evaluator(Protocol):
  """Un-augmented forward passes (suite.training.evaluation.Evaluator)."""

  @property
  def forward(self) -> Callable[..., Any]:
    """Images in [0, 1] -> float32 logits, in inference mode."""

  def evaluate(self, split: datasets.Split, labels: np.ndarray | None = None) -> EvalResult:
    """Logits, loss and correctness of `split` (its training labels by default)."""

  def train_split(self, data: datasets.Data, epoch: int) -> EvalResult:
    """`evaluate(data.train)` at `epoch`, computed once however many hooks ask."""


class Summaries(Protocol):
  """The run's TensorBoard writer (suite.training.summaries.Summaries)."""

  def writer(self) -> tf.summary.SummaryWriter:
    """The tf.summary writer (a no-op writer where this worker writes nothing)."""

  def scalars(self, step: int, values: dict) -> None:
    """Writes the finite numeric `values` at `step`."""


def silent(line: str) -> None:
  """The default `State.report`: prints nothing."""
  del line


@dataclasses.dataclass
class State:
  """What hooks see of a run. The loop owns it; hooks read it and add to `metrics`.

  Attributes:
    run_dir: the run directory, or None when nothing may be written.
    write_outputs: whether this worker writes files (the chief, with a run_dir).
    data: the run's datasets (train split with corrupted and clean labels).
    model_config: the architecture.
    zoo_model: the model being trained, with its named endpoints.
    augment_config: the training augmentation.
    config: the training settings (a TrainConfig).
    strategy: the tf.distribute strategy the model lives under.
    pipeline: the training input pipeline (pooled views for view fit).
    evaluator: un-augmented forward passes (`evaluate(split)`, `train_split(data, epoch)`).
    summaries: the run's TensorBoard writer (`writer()`, `scalars(step, dict)`).
    report: prints a line of a hook's long step (a probe, the controls) in the run's
      output; silent by default.
    epoch: the epoch the loop is at; 0 is the initial model, before any step.
    evaluated: whether this epoch is evaluated (on_evaluate hooks run).
    metrics: this epoch's scalars so far: `train/*` and `perf/*` after training, then
      what each on_evaluate hook returned.
    history: one entry ({'epoch': e, **metrics}) per evaluated epoch, oldest first.
  """
  run_dir: str | None
  write_outputs: bool
  data: datasets.Data
  model_config: zoo.ModelConfig
  zoo_model: zoo.ZooModel
  augment_config: augmentation.AugmentConfig
  config: TrainSettings
  strategy: tf.distribute.Strategy
  pipeline: train_pipeline.TrainPipeline
  evaluator: Evaluator
  summaries: Summaries
  report: Callable[[str], None] = dataclasses.field(default=silent)
  epoch: int = 0
  evaluated: bool = False
  metrics: dict = dataclasses.field(default_factory=dict)
  history: list = dataclasses.field(default_factory=list)

  @property
  def model(self) -> keras.Model:
    """The Keras model being trained (images in [0, 1] -> logits)."""
    return self.zoo_model.model

  def summary_writer(self) -> tf.summary.SummaryWriter:
    """The run's tf.summary writer (created on first use)."""
    return self.summaries.writer()


@dataclasses.dataclass(frozen=True)
class Dashboard:
  """What a hook's scalars add to the run's TensorBoard dashboards.

  Attributes:
    metrics: (tag, display name) pairs the HParams dashboard lists after the headline
      metrics (it shows only declared metrics).
    knn_ks: the ks of `knn/<endpoint>/k<k>` scalars: a Custom Scalars chart each.
  """
  metrics: tuple[tuple[str, str], ...] = ()
  knn_ks: tuple[int, ...] = ()


class Hook:
  """Base class with no-op methods; override those you need (see the module docstring)."""

  def validate(self, state: State) -> None:
    """Refuses settings the run's model or data cannot honour, before any work.

    Args:
      state: the run's state, before training (`state.epoch` is 0).

    Raises:
      errors.ConfigError: a setting of the hook does not fit the run.
    """

  def dashboard(self, state: State) -> Dashboard | None:
    """The dashboard entries of this hook's scalars, or None.

    Args:
      state: the run's state (validated).
    """
    del state
    return None

  def on_train_begin(self, state: State) -> None:
    """Before the first epoch of this process (after any restore).

    Args:
      state: the run's state; `state.epoch` is the resume point.
    """

  def on_resume(self, state: State) -> None:
    """After a checkpoint was restored (`state.epoch` and `state.history` already set).

    Args:
      state: the run's state.
    """

  def on_epoch_begin(self, state: State) -> None:
    """Before the optimisation steps of `state.epoch`.

    Args:
      state: the run's state.
    """

  def on_evaluate(self, state: State) -> dict | None:
    """At an evaluated epoch, after the built-in metrics, in hook order.

    Args:
      state: the run's state; `state.metrics` holds what earlier hooks returned.

    Returns:
      Scalars to add to the epoch's metrics (TensorBoard, history, result.json), or None.
    """
    del state
    return None

  def on_epoch_end(self, state: State) -> None:
    """After the epoch's metrics are complete (`state.history[-1]` when evaluated).

    Args:
      state: the run's state.
    """

  def on_train_end(self, state: State) -> None:
    """After the last epoch (not on an error or interruption).

    Args:
      state: the run's state.
    """

  def record_sections(self, state: State) -> dict:
    """Top-level sections this hook adds to the final result record.

    Args:
      state: the run's state after training (`state.epoch` is the last epoch).

    Returns:
      {section name: JSON-serialisable value}; empty for most hooks.
    """
    del state
    return {}


class CallableHook(Hook):
  """Adapts `fn(state, epoch) -> dict` to an on_evaluate hook."""

  def __init__(self, fn: Callable[[State, int], dict | None]):
    self.fn = fn

  def on_evaluate(self, state: State) -> dict | None:
    return self.fn(state, state.epoch)


class EntryCallback(Hook):
  """Calls `fn(entry)` with each evaluated epoch's history entry (progress, records)."""

  def __init__(self, fn: Callable[[dict], None]):
    self.fn = fn

  def on_epoch_end(self, state: State) -> None:
    if state.evaluated:
      self.fn(state.history[-1])


_METHODS = ("validate", "dashboard", "on_train_begin", "on_resume", "on_epoch_begin",
            "on_evaluate", "on_epoch_end", "on_train_end", "record_sections")


def as_hook(obj: Any) -> Hook:
  """`obj` as a hook: a Hook, an object with hook methods, or an on_evaluate callable.

  Args:
    obj: a Hook, an object with some hook methods, or a callable fn(state, epoch).

  Returns:
    A Hook (the object itself when it is one).
  """
  if isinstance(obj, Hook):
    return obj
  if any(hasattr(obj, name) for name in _METHODS):
    return _Partial(obj)
  if callable(obj):
    return CallableHook(obj)
  raise TypeError(f"{obj!r} is neither a hook nor a callable")


class _Partial(Hook):
  """An object implementing some hook methods: the rest are no-ops."""

  def __init__(self, obj):
    self.obj = obj
    for name in _METHODS:
      if hasattr(obj, name):
        setattr(self, name, getattr(obj, name))


def call(hooks: Sequence[Hook], method: str, state: State) -> None:
  """Calls `method` on every hook in order (those that return values: see below).

  Args:
    hooks: the run's hooks, in order.
    method: the hook method's name.
    state: the run's state.
  """
  for hook in hooks:
    getattr(hook, method)(state)


def evaluate(hooks: Sequence[Hook], state: State) -> None:
  """Runs every on_evaluate in order, merging what each returns into state.metrics.

  Args:
    hooks: the run's hooks, in order.
    state: the run's state.
  """
  for hook in hooks:
    state.metrics.update(hook.on_evaluate(state) or {})


def record_sections(hooks: Sequence[Hook], state: State) -> dict:
  """Every hook's record sections, merged in hook order.

  Args:
    hooks: the run's hooks, in order.
    state: the run's state after training.

  Returns:
    {section name: value} for the final result record.
  """
  sections: dict = {}
  for hook in hooks:
    sections.update(hook.record_sections(state))
  return sections


def dashboard(hooks: Sequence[Hook], state: State) -> Dashboard:
  """Every hook's dashboard entries, in hook order (each k once).

  Args:
    hooks: the run's hooks, in order.
    state: the run's state.

  Returns:
    The merged `Dashboard`.
  """
  metrics: list[tuple[str, str]] = []
  ks: list[int] = []
  for hook in hooks:
    entries = hook.dashboard(state)
    if entries:
      metrics += entries.metrics
      ks += entries.knn_ks
  return Dashboard(metrics=tuple(metrics), knn_ks=tuple(dict.fromkeys(ks)))
