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
checkpoint), `trained` (the last checkpoint is written), `probed` (the final
sections from `extra_record`, probe and controls, are in the record) and
`complete`. Re-running the same command after a kill at any instant redoes exactly
the stages not finished and ends with the record of an uninterrupted run (timings
aside). One process at a time holds a run directory (`record.RunDir`).

A run directory that holds different settings is refused, one line per difference;
a finished run is never rewritten, except that `extend=True` trains it on to more
epochs from its last checkpoint, keeping its history.
"""

import dataclasses
import os
import re
import sys
import time
from typing import Any, Callable, Sequence, TextIO

import tensorflow as tf

from suite import constants
from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.results import record
from suite.results import tables
from suite.training import strategies
from suite.training import summaries as summaries_lib
from suite.training import trainer as trainer_lib

FINAL_METRICS = ("train/loss", "train/accuracy", "memorization/train_fit",
                 "memorization/fit_corrupted", "memorization/fit_clean",
                 "memorization/clean_acc_corrupted", "memorization/view_fit",
                 "validation/accuracy", "test/accuracy", "test/loss")


@dataclasses.dataclass(frozen=True)
class RunSpec:
  output_dir: str
  benchmark: str
  data: datasets.DataConfig
  model: zoo.ModelConfig
  augment: augmentation.AugmentConfig
  train: trainer_lib.TrainConfig
  flags: dict  # Every flag of the binary, recorded as given.
  # The run's name in TensorBoard's HParams dashboard (condition and seed); None: from
  # output_dir (see `trial_name`).
  trial_name: str | None = None

  def settings(self) -> dict:
    return {name: dataclasses.asdict(getattr(self, name))
            for name in ("data", "model", "augment", "train")}

  def identity(self) -> dict:
    """What must match for a resume: everything but where it runs and how long."""
    return record.identity(self.settings())


def setting_defaults() -> dict:
  """{section: {setting: its default}} of a RunSpec's sections: what a run recorded
  before a setting existed used (record.with_defaults)."""
  return {name: {f.name: f.default for f in dataclasses.fields(config)
                 if f.default is not dataclasses.MISSING}
          for name, config in (("data", datasets.DataConfig), ("model", zoo.ModelConfig),
                               ("augment", augmentation.AugmentConfig),
                               ("train", trainer_lib.TrainConfig))}


def settings_diff(recorded: dict, asked: dict, defaults: dict | None = None) -> list[str]:
  """`section.name: X in the run, Y asked`, one line per differing setting.

  A setting the run's record lacks (the run predates it) differs only when it is asked
  with another value than its default in `defaults` ({section: {name: default}}).
  """
  lines = []
  for section in sorted(set(recorded) | set(asked)):
    old, new = recorded.get(section) or {}, asked.get(section) or {}
    known = (defaults or {}).get(section, {})
    for name in sorted(set(old) | set(new)):
      if name not in old and name in known and new.get(name) == known[name]:
        continue
      if old.get(name, "<absent>") != new.get(name, "<absent>"):
        lines.append(f"{section}.{name}: {old.get(name, '<absent>')!r} in the run, "
                     f"{new.get(name, '<absent>')!r} asked".replace("'", ""))
  return lines


def duration(seconds: float | None) -> str:
  """`42s`, `3m05s`, `2h07m`; `-` for None."""
  if seconds is None or seconds != seconds:
    return "-"
  seconds = max(0, int(round(seconds)))
  if seconds < 60:
    return f"{seconds}s"
  if seconds < 3600:
    return f"{seconds // 60}m{seconds % 60:02d}s"
  return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def eta(elapsed: float, done: int, remaining: int) -> float | None:
  """Seconds left at the mean pace of the `done` units so far; None before the first."""
  return elapsed / done * remaining if done > 0 else None


def progress_line(entry: dict, epochs: int, elapsed: float | None = None,
                  eta_seconds: float | None = None) -> str:
  """One evaluated epoch: loss, fit, accuracies, speed, and (when `elapsed` is given) the
  time spent training in this session and the estimated time left."""
  def get(key, fmt="{:.3f}"):
    value = entry.get(key)
    return "-" if value is None or value != value else fmt.format(value)
  parts = [f"epoch {entry['epoch']:>4}/{epochs}"]
  if "train/loss" in entry:
    parts.append(f"loss {get('train/loss', '{:.4f}')} acc {get('train/accuracy')}")
  parts.append(f"fit {get('memorization/train_fit')} (corrupted {get('memorization/fit_corrupted')}"
               f", clean {get('memorization/fit_clean')})")
  if "memorization/view_fit" in entry:
    parts.append(f"view fit {get('memorization/view_fit')}")
  if "validation/accuracy" in entry:
    parts.append(f"val {get('validation/accuracy')}")
  parts.append(f"test {get('test/accuracy')}")
  if "perf/epoch_seconds" in entry:
    parts.append(f"{get('perf/epoch_seconds', '{:.1f}')} s {get('perf/examples_per_second', '{:,.0f}')} ex/s")
  if elapsed is not None:
    parts.append(f"elapsed {duration(elapsed)} ETA {duration(eta_seconds)}")
  return "  ".join(parts)


class StepProgress:
  """In-epoch progress on one line of `out`, rewritten in place: steps, time, ETA.

  Silent for the first `after` seconds of an epoch, so that short epochs print nothing
  but their epoch line; at most one update per `interval` seconds. Call `step()` after
  every training step and `end()` before the epoch's line.
  """

  def __init__(self, out, steps_per_epoch: int, after: float = 3.0, interval: float = 0.5,
               clock=time.monotonic):
    self.out, self.steps, self.after, self.interval = out, steps_per_epoch, after, interval
    self.clock = clock
    self.count, self.started, self.last, self.shown = 0, None, 0.0, False

  def step(self) -> None:
    now = self.clock()
    if self.started is None or self.count >= self.steps:  # A new epoch.
      self.count, self.started, self.last = 0, now, now
    self.count += 1
    elapsed = now - self.started
    if elapsed < self.after or (now - self.last < self.interval and self.count < self.steps):
      return
    self.last, self.shown = now, True
    left = eta(elapsed, self.count - 1, self.steps - self.count)  # Timed from step 1's end.
    width = len(str(self.steps))
    print(f"\r  step {self.count:>{width}}/{self.steps}  {duration(elapsed)}  "
          f"ETA {duration(left)}   ", end="", file=self.out, flush=True)

  def end(self) -> None:
    """Clears the line, if one was shown; the next step starts a new epoch."""
    if self.shown:
      print("\r" + " " * 60 + "\r", end="", file=self.out, flush=True)
    self.count, self.started, self.shown = 0, None, False


def _is_tty(out) -> bool:
  try:
    return bool(out.isatty())
  except (AttributeError, ValueError):
    return False


def _with_progress(step, progress: StepProgress):
  """The training step, reporting each call to `progress` (counts only: no device read)."""
  def stepped(batch, sums):
    result = step(batch, sums)
    progress.step()
    return result
  return stepped


def summary_table(metrics: dict) -> str:
  """The numeric metrics of a record as a two-column text table (tables.format_table)."""
  rows = [(k, v) for k, v in metrics.items() if isinstance(v, (int, float))]
  return tables.format_table(["metric", "value"], rows)


def _hparams(spec: RunSpec) -> dict:
  flat = {}
  for name in ("data", "model", "augment", "train"):
    for key, value in dataclasses.asdict(getattr(spec, name)).items():
      if isinstance(value, (bool, int, float, str)):
        flat[f"{name}.{key}"] = value
  return flat


def trial_name(spec: RunSpec) -> str:
  """spec.trial_name, else the condition and seed read from the output directory.

  The directory's name is the condition; one named `seed_<s>` is named with its parent
  (`weight_decay/seed_1`); parents that are sweep points (`seed_0/projector_128/random`)
  are kept; and `/seed_<s>` is added where no seed shows.
  """
  if spec.trial_name:
    return spec.trial_name
  parts = [p for p in spec.output_dir.replace("\\", "/").split("/") if p and p != "."]
  if not parts:
    return f"run/seed_{spec.train.seed}"
  name = [parts.pop()]
  if _SEED_DIR.fullmatch(name[0]) and parts:
    name.insert(0, parts.pop())
  while parts and _SWEEP_DIR.fullmatch(parts[-1]):
    name.insert(0, parts.pop())
  if not any(_SEED_DIR.fullmatch(p) for p in name):
    name.append(f"seed_{spec.train.seed}")
  return "/".join(name)


_SEED_DIR = re.compile(r"seed_?\d+")
_SWEEP_DIR = re.compile(r"[A-Za-z]+_[0-9.]+")  # seed_0, projector_128, ...


def _probe_settings(hooks, zoo_model) -> tuple[tuple[int, ...], str | None, int]:
  """(ks, endpoint, k) of the k-NN scalars the hooks write: every k probed, the encoder
  (or the last probed endpoint) and the headline k; ((), None, k) without probing."""
  for hook in hooks:
    config = getattr(hook, "config", None)
    ks = tuple(getattr(getattr(config, "knn", None), "ks", ()) or ())
    if ks:
      endpoints = tuple(getattr(config, "endpoints", ()) or ()) or zoo_model.endpoints
      endpoint = (zoo_model.encoder_endpoint if zoo_model.encoder_endpoint in endpoints
                  else endpoints[-1])
      return ks, endpoint, getattr(hook, "k", max(ks))
  return (), None, constants.HEADLINE_K


def check_resumable(spec: RunSpec, previous: record.RunRecord | None,
                    extend: bool = False) -> None:
  """Raises ConfigError unless `spec` may continue (or re-read) the run `previous`."""
  if previous is None:
    return
  where = os.path.join(spec.output_dir, record.FILENAME)
  if not isinstance(previous.settings, dict):
    raise errors.RunDirError(f"{where}: the record has no settings; it was not written by "
                             "this suite's runner. Choose another --output_dir")
  differences = settings_diff(record.identity(previous.settings), spec.identity(),
                              setting_defaults())
  if differences:
    raise errors.ConfigError(
        f"{spec.output_dir} holds a {previous.status} run with other settings; choose another "
        "--output_dir, or delete the directory to start over:\n" + "\n".join(differences))
  done = int(previous.metrics.get("epochs_completed") or 0)
  recorded = (previous.settings.get("train") or {}).get("epochs")
  asked = spec.train.epochs
  if asked == recorded:
    return
  line = f"train.epochs: {recorded} in the run, {asked} asked"
  if previous.status == "complete" and not extend:
    hint = (" (--extend trains it on from its last checkpoint, keeping its history)"
            if asked > done else "")
    raise errors.ConfigError(
        f"{spec.output_dir} holds a finished run with other settings; it is left as it is. "
        f"Choose another --output_dir{hint}:\n{line}")
  if asked < done:
    raise errors.ConfigError(f"{spec.output_dir} has trained {done} epochs already; a run cannot "
                             f"be shortened:\n{line}")
  if not extend:
    raise errors.ConfigError(
        f"{spec.output_dir} holds an unfinished run of {recorded} epochs; resume it with the "
        f"same --epochs, or pass --extend to train it to {asked}:\n{line}")


def run(spec: RunSpec, strategy: tf.distribute.Strategy | None = None,
        hooks: Sequence[Any] = (), data: datasets.Data | None = None,
        extra_record: Callable[[Any, dict], None] | None = None,
        out: TextIO | None = None, extend: bool = False, progress: bool | None = None) -> dict:
  """Trains as `spec` says, writing result.json stage by stage; returns the final record.

  `hooks` are called at every evaluation (see Trainer.hooks); `extra_record(trainer,
  record)` adds the final sections (probes, claims) to the record, once training is
  done. `extend` lets a run (finished or not) be trained on to more epochs. `progress`
  shows the steps within an epoch longer than a few seconds (None: only when `out` is a
  terminal, so that logs and tests get the epoch lines alone).
  Raises RunDirBusyError if another process holds the run directory, ConfigError if it
  holds other settings.
  """
  strategy = strategy or tf.distribute.get_strategy()
  run_dir = record.RunDir(spec.output_dir)
  with run_dir.hold(enabled=strategies.is_chief(strategy)):
    try:
      out = out or sys.stdout
      return _run(spec, run_dir, strategy, hooks, data, extra_record, out, extend,
                  _is_tty(out) if progress is None else progress)
    finally:  # Still holding it: refused before any work, leave no empty directory behind.
      run_dir.remove_if_unused()


def _restore(trainer) -> int:
  try:
    return trainer.restore()
  except (tf.errors.OpError, ValueError, AssertionError, IndexError, KeyError, TypeError) as e:
    manager = trainer.checkpoints.manager
    latest = (manager and manager.latest_checkpoint) or os.path.join(trainer.run_dir,
                                                                  constants.CHECKPOINTS_DIR)
    reason = " ".join((getattr(e, "message", None) or str(e) or type(e).__name__).split())[:300]
    raise errors.RunDirError(
        f"{latest}: the checkpoint cannot be restored ({reason}); delete "
        f"{os.path.join(trainer.run_dir, constants.CHECKPOINTS_DIR)} (and "
        f"{constants.RESULT_FILENAME}) to start over") from e


def _run(spec, run_dir, strategy, hooks, data, extra_record, out, extend, progress):
  started, started_at = time.time(), record.now()
  previous = run_dir.read()
  check_resumable(spec, previous, extend)
  if previous and previous.status == "complete" and \
      previous.settings["train"].get("epochs") == spec.train.epochs:
    print(f"{spec.output_dir} is complete; nothing to do", file=out)
    return previous.to_dict()
  extending = bool(previous) and previous.settings["train"].get("epochs") != spec.train.epochs
  data = data or datasets.load(spec.data)
  trainer = trainer_lib.Trainer(spec.output_dir, data, spec.model, spec.augment, spec.train,
                                strategy=strategy)
  for hook in hooks:  # Fail on bad hook settings (unknown endpoints) before training.
    if hasattr(hook, "validate"):
      hook.validate(trainer)
  trainer.hooks.extend(hooks)
  if previous:
    trainer.history = list(previous.history)
  # The final sections of a run killed after its `probed` record are taken as written.
  finished_sections = {}
  if previous and previous.stage == "probed" and not extending:
    finished_sections = {k: v for k, v in previous.sections.items() if k != "error"}
  parameters = int(trainer.model.count_params())
  base = record.RunRecord(
      benchmark=spec.benchmark, status="running", stage="training", config=spec.flags,
      config_hash=record.config_hash(spec.identity()), settings=spec.settings(),
      dataset=dataclasses.asdict(data.info),
      model={"name": spec.model.name, "parameters": parameters,
             "endpoints": list(trainer.zoo_model.endpoints),
             # What --mixed_precision meant here: mixed_float16 (GPU), mixed_bfloat16, float32.
             "precision": trainer.model.dtype_policy.name},
      metrics={}, timing={}, environment=record.environment())
  if trainer.write_outputs and not previous:  # A resumed run wrote them when it began.
    ks, endpoint, k = _probe_settings(trainer.hooks, trainer.zoo_model)
    summaries_lib.write_run_config(trainer.summaries, _hparams(spec), trial_name(spec),
                                   summaries_lib.hparams_metrics(endpoint, k), ks)
  resumed_from = None
  print(data.info.summary(), file=out)
  print(f"model {spec.model.name}: {parameters:,} parameters; "
        f"{trainer.strategy.num_replicas_in_sync} replica(s) under "
        f"{type(trainer.strategy).__name__}", file=out)

  def build(status, stage, error=None, sections=None):
    final = trainer.history[-1] if trainer.history else {}
    rec = dataclasses.replace(
        base, status=status, stage=stage, history=list(trainer.history),
        metrics={k: final[k] for k in FINAL_METRICS if k in final},
        sections=dict(sections or {}))
    rec.metrics["epochs_completed"] = int(trainer.epoch.numpy())
    prior = previous.timing if previous else {}
    rec.timing = {"started": prior.get("started") or started_at,
                  "finished": record.now() if status != "running" else None,
                  "wall_seconds": prior.get("wall_seconds", 0.0) + time.time() - started,
                  "this_session_seconds": time.time() - started,
                  "resumed_from_epoch": resumed_from,
                  "seconds_per_epoch": [h.get("perf/epoch_seconds") for h in trainer.history
                                        if "perf/epoch_seconds" in h]}
    if error:
      rec.sections["error"] = error
    return rec

  def write(status, stage, error=None, sections=None):
    rec = build(status, stage, error, sections)
    if trainer.write_outputs:
      run_dir.write(rec)
    return rec

  def write_failure(status, stage, error):
    try:
      write(status, stage, error=error)
    except errors.WriteError:
      pass  # A full disk: the error that stopped the run is the one to tell, not this one.

  steps = StepProgress(out, trainer.steps_per_epoch)
  if progress:
    trainer.loop.step = _with_progress(trainer.loop.step, steps)

  def report(line):  # Long steps of hooks (probes, controls), each on a line of its own.
    steps.end()
    print(line, file=out, flush=True)

  for hook in hooks:
    if getattr(hook, "report", False) is None:
      hook.report = report
  clock: dict[str, float] = {}

  def on_epoch(entry):
    steps.end()
    elapsed = time.time() - clock["start"]
    remaining = spec.train.epochs - entry["epoch"]
    left = eta(elapsed, entry["epoch"] - clock["first"], remaining) if remaining else 0.0
    print(progress_line(entry, spec.train.epochs, elapsed, left), file=out, flush=True)
    # Every evaluated epoch is recorded before its checkpoint is written, so the record
    # always holds the history up to the latest checkpoint (the resume truncates the rest).
    write("running", "training")
    record.kill_point(f"epoch_{entry['epoch']}_recorded")

  stage = "training"
  trained_here = False  # Whether this command changed the run (then a failure is recorded).
  try:
    resumed_from = _restore(trainer) or None
    trained_here = True
    if resumed_from:
      print(f"resuming from the checkpoint of epoch {resumed_from}", file=out)
    clock.update(start=time.time(), first=resumed_from or 0)
    trainer.fit(on_epoch=on_epoch, restore=False)
    record.kill_point("fitted")
    write("running", stage := "trained")
    record.kill_point("trained")
    sections = finished_sections
    if not sections:
      rec = build("running", "trained").to_dict()
      if extra_record:
        extra_record(trainer, rec)
      sections = {k: v for k, v in rec.items() if k not in base.to_dict() and k != "stage"}
    if isinstance(sections.get("controls"), dict):  # Beside the k-NN curves, at the last epoch.
      trainer.summaries.scalars(int(trainer.epoch.numpy()),
                                summaries_lib.control_scalars(sections["controls"]))
    write("running", stage := "probed", sections=sections)
    record.kill_point("probed")
  except trainer_lib.TrainingDivergedError as e:
    write_failure("failed", stage, str(e))
    raise
  except trainer_lib.Interrupted as e:
    write_failure("interrupted", stage, str(e))
    raise
  except Exception as e:  # Any other error: the record says so (re-running resumes).
    if trained_here:  # A checkpoint that cannot be restored leaves the record untouched.
      write_failure("failed", stage, f"{type(e).__name__}: {e}")
    raise
  final = write("complete", "complete", sections=sections).to_dict()
  print(summary_table(final["metrics"]), file=out)
  return final
