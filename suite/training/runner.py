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

"""One training run end to end: run directory, record stages, resume, final table.

The run goes through the stages of `record.STAGES`, each written to result.json
before the next begins: `training` (a record per evaluated epoch, then its
checkpoint), `trained` (the last checkpoint is written), `probed` (the hooks' record
sections, probe and controls, are in the record) and `complete`. Re-running the same
command after a kill at any instant redoes exactly the stages not finished and ends
with the record of an uninterrupted run (timings aside). One process at a time holds a
run directory (`run_directory.RunDir`). Whether a directory may be continued: training.resume;
what the run prints: training.progress.
"""

import dataclasses
import sys
import time
from typing import Any, Sequence, TextIO

import tensorflow as tf

from suite import errors
from suite.data import datasets
from suite.results import provenance
from suite.results import record
from suite.results import run_directory
from suite.results import tables
from suite.training import progress as progress_lib
from suite.training import resume
from suite.training import run_spec
from suite.training import strategies
from suite.training import summaries as summaries_lib
from suite.training import trainer as trainer_lib


FINAL_METRICS = ("train/loss", "train/accuracy", "memorization/train_fit",
                 "memorization/fit_corrupted", "memorization/fit_clean",
                 "memorization/clean_acc_corrupted", "memorization/view_fit",
                 "validation/accuracy", "test/accuracy", "test/loss")


def summary_table(metrics: dict) -> str:
  """The numeric metrics of a record as a two-column text table (tables.format_table)."""
  rows = [(k, v) for k, v in metrics.items() if isinstance(v, (int, float))]
  return tables.format_table(["metric", "value"], rows)


def run(spec: run_spec.RunSpec, strategy: tf.distribute.Strategy | None = None,
        hooks: Sequence[Any] = (), data: datasets.Data | None = None,
        out: TextIO | None = None, extend: bool = False, progress: bool | None = None) -> dict:
  """Trains as `spec` says, writing result.json stage by stage; returns the final record.

  `hooks` (hooks.Hook objects or on_evaluate callables) measure during training and add
  their sections (probes, controls) to the record once training is done. `extend` lets a
  run (finished or not) be trained on to more epochs. `progress` shows the steps within
  an epoch longer than a few seconds (None: only when `out` is a terminal, so that logs
  and tests get the epoch lines alone).
  Raises RunDirBusyError if another process holds the run directory, ConfigError if it
  holds other settings.
  """
  strategy = strategy or tf.distribute.get_strategy()
  run_dir = run_directory.RunDir(spec.output_dir)
  with run_dir.hold(enabled=strategies.is_chief(strategy)):
    try:
      out = out or sys.stdout
      show_steps = progress_lib.is_tty(out) if progress is None else progress
      started, started_at = time.time(), provenance.now()
      previous = run_dir.read()
      resume.check_resumable(spec, previous, extend)
      extending = resume.extending(spec, previous)
      if previous and previous.status == "complete" and not extending:
        print(f"{spec.output_dir} is complete; nothing to do", file=out)
        return previous.to_dict()
      printer = progress_lib.Progress(out, spec.train.epochs, show_steps)
      trainer = trainer_lib.Trainer(spec.output_dir, data or datasets.load(spec.data),
                                    spec.model, spec.augment, spec.train, strategy=strategy,
                                    hooks=hooks, report=printer.say)
      return _Run(spec, run_dir, previous, extending, trainer, printer, started,
                  started_at).execute()
    finally:  # Still holding it: refused before any work, leave no empty directory behind.
      run_dir.remove_if_unused()


class _Run:
  """One command's work on a run directory: the trainer, and the records it writes."""

  def __init__(self, spec: run_spec.RunSpec, run_dir: run_directory.RunDir,
               previous: record.RunRecord | None, extending: bool,
               trainer: trainer_lib.Trainer, printer: progress_lib.Progress, started: float,
               started_at: str):
    self.spec, self.run_dir, self.previous, self.extending = spec, run_dir, previous, extending
    self.trainer, self.printer, self.out = trainer, printer, printer.out
    self.started, self.started_at = started, started_at
    self.resumed_from: int | None = None
    if previous:
      trainer.history = list(previous.history)
    data = trainer.data
    self.parameters = int(trainer.model.count_params())
    self.base = record.RunRecord(
        benchmark=spec.benchmark, status="running", stage="training", config=spec.flags,
        config_hash=record.config_hash(spec.identity()), settings=spec.settings(),
        dataset=dataclasses.asdict(data.info),
        model={"name": spec.model.name, "parameters": self.parameters,
               "endpoints": list(trainer.zoo_model.endpoints),
               "encoder_endpoint": trainer.zoo_model.encoder_endpoint,
               # What --mixed_precision meant here: mixed_float16 (GPU), mixed_bfloat16, float32.
               "precision": trainer.model.dtype_policy.name},
        metrics={}, timing={}, environment=provenance.environment())

  def execute(self) -> dict:
    """Trains (or resumes), records each stage, prints the summary; the final record."""
    trainer, spec, out = self.trainer, self.spec, self.out
    if trainer.write_outputs and not self.previous:  # A resumed run wrote them when it began.
      dashboard = trainer.dashboard()
      summaries_lib.write_run_config(trainer.summaries, spec.hparams(), run_spec.trial_name(spec),
                                     summaries_lib.hparams_metrics(dashboard.metrics),
                                     dashboard.knn_ks)
    print(trainer.data.info.summary(), file=out)
    print(f"model {spec.model.name}: {self.parameters:,} parameters; "
          f"{trainer.strategy.num_replicas_in_sync} replica(s) under "
          f"{type(trainer.strategy).__name__}", file=out)
    stage, sections = "training", {}
    trained_here = False  # Whether this command changed the run (then a failure is recorded).
    try:
      self.resumed_from = resume.restore(trainer) or None
      trained_here = True
      if self.resumed_from:
        print(f"resuming from the checkpoint of epoch {self.resumed_from}", file=out)
      on_step = self.printer.start(trainer.steps_per_epoch, self.resumed_from or 0)
      trainer.fit(on_epoch=self._on_epoch, on_step=on_step, restore=False)
      record.kill_point("fitted")
      self._write("running", stage := "trained")
      record.kill_point("trained")
      sections = self._final_sections()
      if isinstance(sections.get("controls"), dict):  # Beside the k-NN curves, at the last epoch.
        trainer.summaries.scalars(trainer.epoch,
                                  summaries_lib.control_scalars(sections["controls"]))
      self._write("running", stage := "probed", sections=sections)
      record.kill_point("probed")
    except trainer_lib.TrainingDivergedError as e:
      self._write_failure("failed", stage, str(e))
      raise
    except trainer_lib.Interrupted as e:
      self._write_failure("interrupted", stage, str(e))
      raise
    except Exception as e:  # Any other error: the record says so (re-running resumes).
      if trained_here:  # A checkpoint that cannot be restored leaves the record untouched.
        self._write_failure("failed", stage, f"{type(e).__name__}: {e}")
      raise
    final = self._write("complete", "complete", sections=sections).to_dict()
    print(summary_table(final["metrics"]), file=out)
    return final

  def _final_sections(self) -> dict:
    # The final sections of a run killed after its `probed` record are taken as written.
    if self.previous and self.previous.stage == "probed" and not self.extending:
      finished = {k: v for k, v in self.previous.sections.items() if k != "error"}
      if finished:
        return finished
    return self.trainer.record_sections()

  def _on_epoch(self, entry: dict) -> None:
    self.printer.epoch(entry)
    # Every evaluated epoch is recorded before its checkpoint is written, so the record
    # always holds the history up to the latest checkpoint (the resume truncates the rest).
    self._write("running", "training")
    record.kill_point(f"epoch_{entry['epoch']}_recorded")

  def _build(self, status: str, stage: str, error: str | None = None,
             sections: dict | None = None) -> record.RunRecord:
    history = self.trainer.history
    final = history[-1] if history else {}
    rec = dataclasses.replace(
        self.base, status=status, stage=stage, history=list(history),
        metrics={k: final[k] for k in FINAL_METRICS if k in final},
        sections=dict(sections or {}))
    rec.metrics["epochs_completed"] = self.trainer.epoch
    prior = self.previous.timing if self.previous else {}
    now = time.time()
    rec.timing = {"started": prior.get("started") or self.started_at,
                  "finished": provenance.now() if status != "running" else None,
                  "wall_seconds": prior.get("wall_seconds", 0.0) + now - self.started,
                  "this_session_seconds": now - self.started,
                  "resumed_from_epoch": self.resumed_from,
                  "seconds_per_epoch": [h.get("perf/epoch_seconds") for h in history
                                        if "perf/epoch_seconds" in h]}
    if error:
      rec.sections["error"] = error
    return rec

  def _write(self, status: str, stage: str, error: str | None = None,
             sections: dict | None = None) -> record.RunRecord:
    rec = self._build(status, stage, error, sections)
    if self.trainer.write_outputs:
      self.run_dir.write(rec)
    return rec

  def _write_failure(self, status: str, stage: str, error: str) -> None:
    try:
      self._write(status, stage, error=error)
    except errors.WriteError:
      pass  # A full disk: the error that stopped the run is the one to tell, not this one.
