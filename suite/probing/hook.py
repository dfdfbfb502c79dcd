"""Probing during training: a Trainer hook and the result-record sections it fills."""

import dataclasses

import tensorflow as tf

from suite import errors
from suite.probing import probe as probe_lib
from suite.results import plots
from suite.results import record


class ProbeHook:
  """Probes every `every` epochs and at the last; controls are computed once, lazily."""

  def __init__(self, config: probe_lib.ProbeConfig, every: int, last_epoch: int,
               clean_run_dir: str | None = None, k_for_figures: int = 20):
    self.config = config
    self.every = every
    self.last_epoch = last_epoch
    self.clean_run_dir = clean_run_dir
    self.k = k_for_figures if k_for_figures in config.knn.ks else max(config.knn.ks)
    self.latest = None
    self.latest_epoch = None
    self.controls = None
    self.asked_ks = None

  def validate(self, trainer):
    unknown = set(self.config.endpoints) - set(trainer.zoo_model.endpoints)
    if unknown:
      raise errors.ConfigError(f"unknown endpoints {sorted(unknown)} for model "
                               f"{trainer.model_config.name}; it has {trainer.zoo_model.endpoints}")
    # A k the bank cannot give is probed (and recorded) as the k actually used.
    usable = usable_ks(self.config.knn.ks, len(trainer.data.train))
    if usable != tuple(self.config.knn.ks):
      self.asked_ks = tuple(self.config.knn.ks)
      self.config = dataclasses.replace(
          self.config, knn=dataclasses.replace(self.config.knn, ks=usable))
      self.k = self.k if self.k in usable else max(usable)
    if self.clean_run_dir:
      load_clean_run_probe(self.clean_run_dir)

  def _controls(self, trainer):
    if self.controls is None:
      self.controls = probe_lib.controls(trainer.model_config, trainer.data, trainer.config.seed,
                                         self.config)
      if self.clean_run_dir:
        self.controls["clean_labels"] = load_clean_run_probe(self.clean_run_dir)
    return self.controls

  def __call__(self, trainer, epoch) -> dict:
    due = epoch == self.last_epoch or (self.every and epoch % self.every == 0 and epoch > 0)
    if not due:
      return {}
    table = probe_lib.probe(trainer.zoo_model, trainer.data, self.config)
    self.latest, self.latest_epoch = table, epoch
    controls = self._controls(trainer)
    if trainer.write_outputs:
      png = plots.knn_by_layer(table, controls, self.k, f"{self.k}-NN by layer, epoch {epoch}")
      plots.write_figure(trainer.run_dir, "knn_by_layer.png", png)
      with trainer.summary_writer().as_default(step=epoch):
        tf.summary.image("knn_by_layer", tf.io.decode_png(png)[None])
    return probe_lib.scalars(table)

  def add_to_record(self, trainer, rec: dict) -> None:
    """Adds `probe` (the last table) and `controls` to the final result record."""
    epoch = int(trainer.epoch.numpy())
    if self.latest_epoch != epoch and epoch == self.last_epoch:
      self(trainer, epoch)  # Resumed after the last checkpoint: probe the restored model.
    if self.latest is None:
      return
    rec["probe"] = dict(self.latest, epoch=self.latest_epoch, pooling=self.config.pooling,
                        ks=list(self.config.knn.ks), method=self.config.knn.method)
    if self.asked_ks:
      rec["probe"]["ks_asked"] = list(self.asked_ks)
    rec["controls"] = self._controls(trainer)


def usable_ks(ks, bank_size: int) -> tuple[int, ...]:
  """`ks` capped at bank_size - 1 (the leave-one-out bank's size), duplicates merged."""
  return tuple(dict.fromkeys(min(int(k), max(1, bank_size - 1)) for k in ks))


def load_clean_run_probe(run_dir: str) -> dict:
  """The final probe of a finished clean-label run, as a control."""
  previous = record.read(run_dir)
  if not isinstance(previous.get("probe"), dict) or "clean" not in previous["probe"]:
    raise errors.ConfigError(f"{run_dir} has no probe table; train it with probing first")
  return {"run_dir": run_dir, "clean": previous["probe"]["clean"]}
