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

"""TensorBoard: the run's summary writer, and the hook that logs every epoch's scalars."""

import math
import os
from typing import Any, Sequence

import tensorflow as tf

from suite import constants
from suite import hooks


class Summaries:
  """The lazily created tf.summary writer of a run directory (none without outputs)."""

  def __init__(self, run_dir: str | None, enabled: bool):
    self.directory = os.path.join(run_dir, constants.TENSORBOARD_DIR) if run_dir else None
    self.enabled = enabled and run_dir is not None
    self._writer = None

  def writer(self) -> tf.summary.SummaryWriter:
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


# The metrics of the HParams dashboard, headline first (it lists only those declared).
HEADLINE_METRICS = ("test/accuracy", "memorization/fit_clean", "memorization/fit_corrupted")
OTHER_METRICS = ("validation/accuracy", "memorization/train_fit", "memorization/view_fit",
                 "memorization/clean_acc_corrupted", "train/accuracy", "train/loss", "test/loss")
KNN_BANKS = (("knn", "clean bank"), ("knn_noisy", "noisy bank (training labels)"))


def control_scalars(controls: dict) -> dict:
  """The probe's controls as scalars: controls/raw_pixels/k<k> (and raw_pixels_noisy), and
  controls/random_init/<endpoint>/k<k> (and random_init_noisy/...)."""
  out = {}
  pixels = controls.get("raw_pixels") or {}
  for bank, tag in (("clean", "raw_pixels"), ("noisy", "raw_pixels_noisy")):
    for key, value in (pixels.get(bank) or {}).items():
      if key.startswith("k") and "_" not in key and isinstance(value, (int, float)):
        out[f"controls/{tag}/{key}"] = value
  table = controls.get("random_init") or {}
  for bank, tag in (("clean", "random_init"), ("noisy", "random_init_noisy")):
    for endpoint, accs in (table.get(bank) or {}).items():
      for key, value in (accs or {}).items():
        if key.startswith("k") and "_" not in key and isinstance(value, (int, float)):
          out[f"controls/{tag}/{endpoint}/{key}"] = value
  return out


def layout(ks: Sequence[int] = ()) -> Any:
  """Custom Scalars layout: one chart per (bank, k) with every probed layer, the controls
  per k, and the fit and accuracy curves side by side."""
  from tensorboard.plugins.custom_scalar import layout_pb2  # pylint: disable=g-import-not-at-top

  def chart(title, *regexes):
    return layout_pb2.Chart(title=title, multiline=layout_pb2.MultilineChartContent(
        tag=list(regexes)))

  categories = [layout_pb2.Category(title="memorization", chart=[
      chart("fit of the training labels", r"^memorization/(train_fit|fit_clean|fit_corrupted"
            r"|view_fit)$"),
      chart("accuracy", r"^(train|validation|test)/accuracy$"),
      chart("loss", r"^(train|test)/loss$")])]
  for prefix, bank in KNN_BANKS:
    categories.append(layout_pb2.Category(
        title=f"k-NN by layer, {bank}",
        chart=[chart(f"{k}-NN accuracy of every layer, {bank}", rf"^{prefix}/[^/]+/k{k}$")
                for k in ks]))
  categories.append(layout_pb2.Category(
      title="k-NN controls", closed=True,
      chart=[chart(f"{k}-NN controls (raw pixels, random init)", rf"^controls/.*/k{k}$")
              for k in ks]))
  return layout_pb2.Layout(category=[c for c in categories if c.chart])


def hparams_metrics(extra: Sequence[tuple[str, str]] = ()) -> list:
  """(tag, display name) of the dashboard's metrics: test accuracy and the fit of clean
  and corrupted labels, then `extra` (what the hooks declare: a probe's k-NN and its
  controls), then the rest."""
  return ([(tag, tag) for tag in HEADLINE_METRICS] + list(extra) +
          [(tag, tag) for tag in OTHER_METRICS])


def write_run_config(summaries: Summaries, hparams: dict, trial_name: str, metrics: list,
                     ks: Sequence[int] = ()) -> None:
  """Writes the HParams config (`metrics` in order), this run's hparams as the trial
  `trial_name`, and the Custom Scalars layout, at step 0 of the run's writer."""
  if not summaries.enabled:
    return
  # pylint: disable-next=g-import-not-at-top
  from tensorboard.plugins.custom_scalar import summary as custom_scalar
  from tensorboard.plugins.hparams import api as hparams_api  # pylint: disable=g-import-not-at-top
  writer = summaries.writer()
  with writer.as_default(step=0):
    hparams_api.hparams_config(
        hparams=[hparams_api.HParam(name) for name in hparams],
        metrics=[hparams_api.Metric(tag, display_name=name) for tag, name in metrics])
    hparams_api.hparams(hparams, trial_id=trial_name)
    tf.summary.experimental.write_raw_pb(
        custom_scalar.pb(layout(ks)).SerializeToString(), step=0)
  writer.flush()
