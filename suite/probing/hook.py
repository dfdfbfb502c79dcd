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

"""Probing during training: a training-loop hook and the result-record sections it fills."""

from collections.abc import Iterable
import dataclasses
import time

import tensorflow as tf

from suite import constants
from suite import errors
from suite import hooks
from suite.probing import probe as probe_lib
from suite.results import knn_figures
from suite.results import plots
from suite.results import record


class ProbeHook(hooks.Hook):
  """Probes every `every` epochs and at the last; controls are computed once, lazily.

  At a due evaluated epoch it returns the probe scalars (knn/<endpoint>/k<k>, clean and
  noisy banks) and, where the run writes outputs, draws the by-layer figure (file and
  TensorBoard image). Its record sections are the last table (`probe`) and the controls.
  Each probe and the controls say when they start and end through `state.report` (they
  take a while on a large bank).
  """

  def __init__(self, config: probe_lib.ProbeConfig, every: int, last_epoch: int,
               clean_run_dir: str | None = None, k_for_figures: int = constants.HEADLINE_K):
    self.config = config
    self.every = every
    self.last_epoch = last_epoch
    self.clean_run_dir = clean_run_dir
    self.k = k_for_figures if k_for_figures in config.knn.ks else max(config.knn.ks)
    self.latest: dict | None = None
    self.latest_epoch: int | None = None
    self.controls: dict | None = None
    self.asked_ks: tuple[int, ...] | None = None
    self.clean_run_probe: dict | None = None  # Read once, by validate.

  def validate(self, state: hooks.State) -> None:
    """Refuses endpoints the model lacks and a clean-run directory without a probe."""
    unknown = set(self.config.endpoints) - set(state.zoo_model.endpoints)
    if unknown:
      raise errors.ConfigError(f"unknown endpoints {sorted(unknown)} for model "
                               f"{state.model_config.name}; it has {state.zoo_model.endpoints}")
    # A k the bank cannot give is probed (and recorded) as the k actually used.
    usable = usable_ks(self.config.knn.ks, len(state.data.train))
    if usable != tuple(self.config.knn.ks):
      self.asked_ks = tuple(self.config.knn.ks)
      self.config = dataclasses.replace(
          self.config, knn=dataclasses.replace(self.config.knn, ks=usable))
      self.k = self.k if self.k in usable else max(usable)
    if self.clean_run_dir:
      self.clean_run_probe = load_clean_run_probe(self.clean_run_dir)

  def dashboard(self, state: hooks.State) -> hooks.Dashboard:
    """The k-NN of the encoder (or the last probed endpoint) at the headline k, its
    controls and noisy bank in HParams; a chart per probed k."""
    endpoints = tuple(self.config.endpoints) or state.zoo_model.endpoints
    encoder = state.zoo_model.encoder_endpoint
    endpoint = encoder if encoder in endpoints else endpoints[-1]
    k, name = self.k, f"{self.k}-NN {endpoint}"
    return hooks.Dashboard(
        metrics=((f"knn/{endpoint}/k{k}", name),
                 (f"controls/random_init/{endpoint}/k{k}", f"{name}, random init"),
                 (f"controls/raw_pixels/k{k}", f"{k}-NN raw pixels"),
                 (f"knn_noisy/{endpoint}/k{k}", f"{name}, noisy bank")),
        knn_ks=tuple(self.config.knn.ks))

  def _what(self, run: hooks.State) -> str:
    bank = probe_lib.bank_examples(run.data, self.config)[1]
    return (f"{self.config.bank} bank of {len(bank):,}, {len(run.data.test):,} queries, "
            f"k {', '.join(str(k) for k in self.config.knn.ks)}")

  def _controls(self, run: hooks.State) -> dict:
    if self.controls is None:
      started = time.time()
      run.report(f"controls: probing raw pixels and a random initialisation of "
                 f"{run.model_config.name} ({self._what(run)}) ...")
      controls = probe_lib.controls(run.model_config, run.data, run.config.seed, self.config)
      run.report(f"controls done in {time.time() - started:.1f} s")
      if self.clean_run_probe:
        controls["clean_labels"] = self.clean_run_probe
      self.controls = controls
    return self.controls

  def on_evaluate(self, state: hooks.State) -> dict:
    epoch = state.epoch
    due = epoch == self.last_epoch or (self.every and epoch % self.every == 0 and epoch > 0)
    if not due:
      return {}
    return self._probe(state, epoch)

  def _probe(self, run: hooks.State, epoch: int) -> dict:
    started = time.time()
    endpoints = self.config.endpoints or run.zoo_model.endpoints
    run.report(f"probing {len(endpoints)} endpoints at epoch {epoch} ({self._what(run)}) ...")
    table = probe_lib.probe(run.zoo_model, run.data, self.config)
    run.report(f"probe done in {time.time() - started:.1f} s")
    self.latest, self.latest_epoch = table, epoch
    controls = self._controls(run)
    if run.write_outputs and run.run_dir:  # Writing outputs implies a run directory.
      png = knn_figures.knn_by_layer(table, controls, self.k, f"{self.k}-NN by layer, epoch {epoch}")
      plots.write_figure(run.run_dir, "knn_by_layer.png", png)
      with run.summary_writer().as_default(step=epoch):
        tf.summary.image("knn_by_layer", tf.io.decode_png(png)[None])
    return probe_lib.scalars(table)

  def record_sections(self, state: hooks.State) -> dict:
    """`probe` (the last table) and `controls`, for the final result record."""
    epoch = state.epoch
    if self.latest_epoch != epoch and epoch == self.last_epoch:
      self._probe(state, epoch)  # Resumed after the last checkpoint: probe the restored model.
    if self.latest is None:
      return {}
    table = dict(self.latest, epoch=self.latest_epoch, pooling=self.config.pooling,
                 ks=list(self.config.knn.ks), method=self.config.knn.method)
    if self.asked_ks:
      table["ks_asked"] = list(self.asked_ks)
    return {"probe": table, "controls": self._controls(state)}


def usable_ks(ks: Iterable[int], bank_size: int) -> tuple[int, ...]:
  """`ks` capped at bank_size - 1 (the leave-one-out bank's size), duplicates merged."""
  return tuple(dict.fromkeys(min(int(k), max(1, bank_size - 1)) for k in ks))


def load_clean_run_probe(run_dir: str) -> dict:
  """The final probe of a finished clean-label run, as a control."""
  previous = record.read(run_dir)
  if not isinstance(previous.get("probe"), dict) or "clean" not in previous["probe"]:
    raise errors.ConfigError(f"{run_dir} has no probe table; train it with probing first")
  return {"run_dir": run_dir, "clean": previous["probe"]["clean"]}
