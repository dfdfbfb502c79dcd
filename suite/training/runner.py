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
import sys
import time

import tensorflow as tf

from suite import constants
from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.results import record
from suite.results import tables
from suite.training import strategies
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

  def settings(self) -> dict:
    return {name: dataclasses.asdict(getattr(self, name))
            for name in ("data", "model", "augment", "train")}

  def identity(self) -> dict:
    """What must match for a resume: everything but where it runs and how long."""
    return identity(self.settings())


# Settings that may differ between a run and its resume: where data lives, how often
# checkpoints are kept, the evaluation batch. `epochs` is compared on its own.
_FREE_SETTINGS = {"train": ("epochs", "eval_batch_size", "checkpoint_every"),
                  "data": ("data_dir", "manual_dir", "download")}


def identity(settings: dict) -> dict:
  """`settings` without the ones a resume may change."""
  return {section: {k: v for k, v in values.items() if k not in _FREE_SETTINGS.get(section, ())}
          for section, values in settings.items()}


def settings_diff(recorded: dict, asked: dict) -> list[str]:
  """`section.name: X in the run, Y asked`, one line per differing setting."""
  lines = []
  for section in sorted(set(recorded) | set(asked)):
    old, new = recorded.get(section) or {}, asked.get(section) or {}
    for name in sorted(set(old) | set(new)):
      if old.get(name, "<absent>") != new.get(name, "<absent>"):
        lines.append(f"{section}.{name}: {old.get(name, '<absent>')!r} in the run, "
                     f"{new.get(name, '<absent>')!r} asked".replace("'", ""))
  return lines


def progress_line(entry: dict, epochs: int) -> str:
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
  return "  ".join(parts)


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


def check_resumable(spec: RunSpec, previous: record.RunRecord | None, extend: bool = False):
  """Raises ConfigError unless `spec` may continue (or re-read) the run `previous`."""
  if previous is None:
    return
  where = os.path.join(spec.output_dir, record.FILENAME)
  if not isinstance(previous.settings, dict):
    raise errors.RunDirError(f"{where}: the record has no settings; it was not written by "
                             "this suite's runner. Choose another --output_dir")
  differences = settings_diff(identity(previous.settings), spec.identity())
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


def run(spec: RunSpec, strategy=None, hooks=(), data: datasets.Data | None = None,
        extra_record=None, out=None, extend: bool = False) -> dict:
  """Trains as `spec` says, writing result.json stage by stage; returns the final record.

  `hooks` are called at every evaluation (see Trainer.hooks); `extra_record(trainer,
  record)` adds the final sections (probes, claims) to the record, once training is
  done. `extend` lets a run (finished or not) be trained on to more epochs.
  Raises RunDirBusyError if another process holds the run directory, ConfigError if it
  holds other settings.
  """
  strategy = strategy or tf.distribute.get_strategy()
  run_dir = record.RunDir(spec.output_dir)
  with run_dir.hold(enabled=strategies.is_chief(strategy)):
    try:
      return _run(spec, run_dir, strategy, hooks, data, extra_record, out or sys.stdout, extend)
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


def _run(spec, run_dir, strategy, hooks, data, extra_record, out, extend):
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
             "endpoints": list(trainer.zoo_model.endpoints)},
      metrics={}, timing={}, environment=record.environment())
  if trainer.write_outputs:
    writer = trainer.summary_writer()
    from tensorboard.plugins.hparams import api as hparams_api  # pylint: disable=g-import-not-at-top
    with writer.as_default():
      hparams_api.hparams(_hparams(spec), trial_id=base.config_hash)
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

  def on_epoch(entry):
    print(progress_line(entry, spec.train.epochs), file=out, flush=True)
    # Every evaluated epoch is recorded before its checkpoint is written, so the record
    # always holds the history up to the latest checkpoint (the resume truncates the rest).
    write("running", "training")
    record.kill_point(f"epoch_{entry['epoch']}_recorded")

  stage = "training"
  try:
    resumed_from = _restore(trainer) or None
    if resumed_from:
      print(f"resuming from the checkpoint of epoch {resumed_from}", file=out)
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
    write("running", stage := "probed", sections=sections)
    record.kill_point("probed")
  except trainer_lib.TrainingDivergedError as e:
    write("failed", stage, error=str(e))
    raise
  except trainer_lib.Interrupted as e:
    write("interrupted", stage, error=str(e))
    raise
  final = write("complete", "complete", sections=sections).to_dict()
  print(summary_table(final["metrics"]), file=out)
  return final
