"""TensorBoard: the run's summary writer, and the hook that logs every epoch's scalars."""

import math
import os

import tensorflow as tf

from suite import constants
from suite.training import hooks


class Summaries:
  """The lazily created tf.summary writer of a run directory (none without outputs)."""

  def __init__(self, run_dir: str | None, enabled: bool):
    self.directory = os.path.join(run_dir, constants.TENSORBOARD_DIR) if run_dir else None
    self.enabled = enabled and run_dir is not None
    self._writer = None

  def writer(self):
    """The writer; a no-op writer when this worker writes nothing."""
    if not self.enabled:
      return tf.summary.create_noop_writer()
    if self._writer is None:
      self._writer = tf.summary.create_file_writer(self.directory)
    return self._writer

  def scalars(self, step: int, values: dict) -> None:
    """Writes the finite numeric `values` at `step` and flushes."""
    if not self.enabled:
      return
    writer = self.writer()
    with writer.as_default(step=step):
      for name, value in values.items():
        if isinstance(value, dict) or value is None:
          continue
        if not (isinstance(value, float) and math.isnan(value)):
          tf.summary.scalar(name, value)
    writer.flush()


class TensorBoardHook(hooks.Hook):
  """Logs state.metrics of every epoch (tags `split/metric`) at step = epoch."""

  def on_epoch_end(self, state: hooks.State) -> None:
    state.summaries.scalars(state.epoch, state.metrics)
