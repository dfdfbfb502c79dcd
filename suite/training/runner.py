"""One training run end to end: result.json lifecycle, resume, progress, final table.

Re-running with the same output directory resumes from the last checkpoint and
ends with the same result as an uninterrupted run. A run directory that holds a
*different* configuration is refused rather than silently mixed.
"""

import dataclasses
import sys
import time

import tensorflow as tf

from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.results import record
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

  def identity(self) -> dict:
    """What must match for a resume: everything but where it runs and how long."""
    parts = {name: dataclasses.asdict(getattr(self, name))
             for name in ("data", "model", "augment", "train")}
    parts["train"] = {k: v for k, v in parts["train"].items()
                      if k not in ("epochs", "eval_batch_size", "checkpoint_every")}
    parts["data"] = {k: v for k, v in parts["data"].items()
                     if k not in ("data_dir", "manual_dir", "download")}
    return parts


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
  rows = [(k, v) for k, v in metrics.items() if isinstance(v, (int, float))]
  width = max(len(k) for k, _ in rows) if rows else 10
  lines = [f"{'metric':<{width}}  value", f"{'-' * width}  ------"]
  lines += [f"{k:<{width}}  {v:.4f}" if isinstance(v, float) else f"{k:<{width}}  {v}"
            for k, v in rows]
  return "\n".join(lines)


def _hparams(spec: RunSpec) -> dict:
  flat = {}
  for name in ("data", "model", "augment", "train"):
    for key, value in dataclasses.asdict(getattr(spec, name)).items():
      if isinstance(value, (bool, int, float, str)):
        flat[f"{name}.{key}"] = value
  return flat


def run(spec: RunSpec, strategy=None, hooks=(), data: datasets.Data | None = None,
        extra_record=None, out=None) -> dict:
  """Trains as `spec` says, writing result.json; returns the final record.

  `hooks` are called at every evaluation (see Trainer.hooks); `extra_record(trainer,
  record)` may add sections (probes, claims) to the final record before it is written.
  """
  out = out or sys.stdout
  started, started_at = time.time(), record.now()
  previous = None
  if tf.io.gfile.exists(f"{spec.output_dir}/{record.FILENAME}"):
    previous = record.read(spec.output_dir)
    if previous.get("config_hash") != record.config_hash(spec.identity()):
      raise errors.ConfigError(
          f"{spec.output_dir} holds a run with other settings (config hash "
          f"{previous.get('config_hash')}); choose another --output_dir or delete it")
  data = data or datasets.load(spec.data)
  trainer = trainer_lib.Trainer(spec.output_dir, data, spec.model, spec.augment, spec.train,
                                strategy=strategy)
  for hook in hooks:  # Fail on bad hook settings (unknown endpoints) before training.
    if hasattr(hook, "validate"):
      hook.validate(trainer)
  trainer.hooks.extend(hooks)
  if previous:
    trainer.history = list(previous.get("history", []))
  base = {
      "schema_version": record.SCHEMA_VERSION, "benchmark": spec.benchmark, "status": "running",
      "config": spec.flags, "config_hash": record.config_hash(spec.identity()),
      "settings": {name: dataclasses.asdict(getattr(spec, name))
                   for name in ("data", "model", "augment", "train")},
      "dataset": dataclasses.asdict(data.info), "model": {
          "name": spec.model.name, "parameters": int(trainer.model.count_params()),
          "endpoints": list(trainer.zoo_model.endpoints)},
      "metrics": {}, "history": [], "timing": {}, "environment": record.environment()}
  if trainer.write_outputs:
    writer = trainer.summary_writer()
    from tensorboard.plugins.hparams import api as hparams_api  # pylint: disable=g-import-not-at-top
    with writer.as_default():
      hparams_api.hparams(_hparams(spec), trial_id=base["config_hash"])
  resumed_from = None
  print(data.info.summary(), file=out)
  print(f"model {spec.model.name}: {base['model']['parameters']:,} parameters; "
        f"{trainer.strategy.num_replicas_in_sync} replica(s) under "
        f"{type(trainer.strategy).__name__}", file=out)

  def write(status, error=None):
    if not trainer.write_outputs:
      return
    final = trainer.history[-1] if trainer.history else {}
    rec = dict(base, status=status, history=trainer.history,
               metrics={k: final[k] for k in FINAL_METRICS if k in final})
    rec["metrics"]["epochs_completed"] = int(trainer.epoch.numpy())
    prior = (previous or {}).get("timing", {})
    rec["timing"] = {"started": prior.get("started") or started_at,
                     "wall_seconds": prior.get("wall_seconds", 0.0) + time.time() - started,
                     "this_session_seconds": time.time() - started,
                     "resumed_from_epoch": resumed_from,
                     "seconds_per_epoch": [h.get("perf/epoch_seconds") for h in trainer.history
                                           if "perf/epoch_seconds" in h]}
    if error:
      rec["error"] = error
    if extra_record and status == "complete":
      extra_record(trainer, rec)
    record.write(spec.output_dir, rec)
    return rec

  def on_epoch(entry):
    print(progress_line(entry, spec.train.epochs), file=out, flush=True)
    if entry["epoch"] % spec.train.checkpoint_every == 0:
      write("running")

  try:
    resumed_from = trainer.restore() or None
    if previous and previous["status"] == "complete" and resumed_from == spec.train.epochs:
      print(f"{spec.output_dir} is complete; nothing to do", file=out)
      return previous
    if resumed_from:
      print(f"resuming from the checkpoint of epoch {resumed_from}", file=out)
    trainer.fit(on_epoch=on_epoch, restore=False)
  except trainer_lib.TrainingDivergedError as e:
    write("failed", error=str(e))
    raise
  except trainer_lib.Interrupted as e:
    write("interrupted", error=str(e))
    raise
  final = write("complete")
  if final:
    print(summary_table(final["metrics"]), file=out)
  return final
