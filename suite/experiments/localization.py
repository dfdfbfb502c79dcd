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

"""Where memorization lives (Maini et al. 2023 against Anagnostidis et al. 2023).

A finished run that kept checkpoints (--keep_epochs) is probed by layer rewinding and
retraining (suite.measures.rewinding); its result is written beside the run, in
RUN_DIR/localization/ (JSON and PNG together, through suite.results.atomic),
never over its checkpoints or record. Several runs of one condition (seeds) are
summarized together: per block, the drop in the fit of corrupted and clean examples after
rewinding and after retraining with 95% t intervals over seeds, beside the k-NN probe's
noisy-bank curve of the same runs, gradient accounting over epochs (when the runs
measured it), and the claims of suite.analysis.claims.localization.
"""

import json
import os
from typing import Any

import numpy as np
import tensorflow as tf

from suite import constants
from suite import errors
from suite.analysis import stats
from suite.analysis.claims import localization as localization_claims
from suite.data import datasets
from suite.measures import gradient_accounting
from suite.measures import rewinding
from suite.models import zoo
from suite.results import atomic
from suite.results import plots
from suite.results import record
from suite.results import tables

SUMMARY_JSON = "localization_summary.json"


def _settings(run_dir: str) -> dict:
  if not tf.io.gfile.exists(os.path.join(run_dir, record.FILENAME)):
    raise errors.RunDirError(f"{run_dir} holds no {record.FILENAME}: not a run directory")
  rec = record.read(run_dir)  # RunDirError: truncated, not JSON.
  settings = rec.get("settings")
  if not isinstance(settings, dict) or not all(
      isinstance(settings.get(s), dict) for s in ("data", "model", "train")):
    raise errors.RunDirError(f"{os.path.join(run_dir, record.FILENAME)}: the record has no "
                             "usable settings (data, model, train); it was not written by "
                             "benchmarks.train or an experiment")
  return rec


def trained_epochs(rec: dict) -> int | None:
  """The run's --epochs from its settings (None where unreadable): its last kept epoch."""
  try:
    return int(rec["settings"]["train"]["epochs"])
  except (KeyError, TypeError, ValueError):
    return None


def _knn_noisy(rec: dict) -> dict[str, float]:
  probe = rec.get("probe") or {}
  key = constants.HEADLINE_KEY
  return {e: float(v[key]) for e, v in (probe.get("noisy") or {}).items() if key in v}


def probe_run(run_dir: str, config: rewinding.RewindConfig, data_dir: str | None = None,
              report=None) -> dict:
  """Rewinds and retrains every block of a finished run; writes and returns the result.

  Args:
    run_dir: the run directory (record and kept checkpoints are only read).
    config: the rewinding settings (the rewind epoch or its rule).
    data_dir: where the dataset is, if not where the run had it.
    report: called with a progress line per block (or None).

  Returns:
    suite.measures.rewinding.localize's result with the run's `run_dir`, `seed`, the
    `rule` that chose the rewind epoch, `knn_noisy` (the run's final noisy-bank k-NN per
    endpoint, if it was probed) and `path` (the JSON written).
  """
  rec = _settings(run_dir)
  settings = rec["settings"]
  kept = rewinding.kept_epochs(run_dir)
  final, rewind, rule = rewinding.choose_epochs(kept, rec.get("history") or [], config, run_dir,
                                                trained_epochs(rec))
  try:
    data_config = datasets.DataConfig(**dict(settings["data"],
                                             **({"data_dir": data_dir} if data_dir else {})))
    model_config = zoo.ModelConfig(**settings["model"])
    seed, loss = int(settings["train"]["seed"]), str(settings["train"].get("loss",
                                                                          "cross_entropy"))
  except (TypeError, KeyError, ValueError) as e:
    raise errors.RunDirError(f"{os.path.join(run_dir, record.FILENAME)}: settings this suite "
                             f"cannot read ({type(e).__name__}: {e})") from e
  if config.blocks:  # An unknown block fails before the data is loaded.
    blocks = zoo.build(model_config, (32, 32, 3), 10).blocks()  # Names only: any shape.
    unknown = [b for b in config.blocks if b not in blocks]
    if unknown:
      raise errors.ConfigError(f"unknown blocks {unknown} for model {model_config.name}; "
                               f"blocks with weights: {', '.join(blocks)}")
  data = datasets.load(data_config)
  result = rewinding.localize(model_config, data, run_dir, final, rewind, config, loss, seed,
                              report)
  result.update(run_dir=run_dir, seed=seed, rule=rule, kept_epochs=kept,
                knn_noisy=_knn_noisy(rec),
                settings={"rewind_noisy_fit": config.rewind_noisy_fit,
                          "retrain_epochs": config.retrain_epochs,
                          "retrain_learning_rate": config.retrain_learning_rate,
                          "retrain_batch_size": config.retrain_batch_size})
  path = rewinding.results_path(run_dir, rewind)
  result["path"] = path
  atomic.write_together({path[:-len(".json")] + ".png": figure([result], [rec], run_dir),
                         path: json.dumps(result, indent=2)}, "the rewinding result")
  return result


def _interval(values) -> tuple[float, float, float, int]:
  values = np.asarray([v for v in values if v == v], np.float64)
  if not len(values):
    return float("nan"), float("nan"), float("nan"), 0
  mean, lo, hi = stats.t_interval(values)
  if len(values) < 2:
    lo, hi = mean, mean
  return float(mean), float(lo), float(hi), len(values)


def by_block(results: list[dict]) -> dict[str, dict[str, tuple]]:
  """{'<stage> <group>': {block: (mean, lo, hi, n)}}: drops over seeds (95% t interval)."""
  out: dict[str, dict[str, tuple]] = {}
  blocks = results[0]["blocks"]
  for stage in ("rewound", "retrained"):
    for group in ("noisy", "clean"):
      values = {b: [r["final"][f"fit_{group}"] - r[stage][b][f"fit_{group}"]
                    for r in results if b in r.get(stage, {})] for b in blocks}
      if any(values.values()):
        out[f"{stage} {group}"] = {b: _interval(v) for b, v in values.items() if v}
  return out


def figure(results: list[dict], records: list[dict], title: str = "") -> bytes:
  """Drops by block after rewinding and retraining, beside the noisy-bank k-NN curve."""
  names = {"noisy": "corrupted examples", "clean": "clean examples"}
  panels: dict[str, Any] = {}
  for stage in ("rewound", "retrained"):
    lines = {names[key.split()[1]]: values for key, values in by_block(results).items()
             if key.startswith(stage)}
    if lines:
      panels[f"drop in fit after {'rewinding' if stage == 'rewound' else 'retraining'} "
             f"(epoch {results[0]['rewind_epoch']})"] = lines
  knn = [r.get("knn_noisy") or _knn_noisy(rec) for r, rec in zip(results, records)]
  if any(knn):
    endpoints = list(dict.fromkeys(e for k in knn for e in k))
    panels[f"noisy-bank {constants.HEADLINE_K}-NN (same runs)"] = {
        "k-NN, training labels of the corrupted examples": {
            e: _interval([k[e] for k in knn if e in k]) for e in endpoints}}
  return plots.by_layer_intervals(
      panels, "mean and 95% t interval over seeds",
      title or f"layer rewinding and retraining, {len(results)} run(s)")


def gradient_figures(records: list[dict], points: int = 16) -> dict[str, bytes]:
  """Gradient accounting over epochs, one line per block, mean and std over seeds: the
  norms of the corrupted and the clean examples' summed gradients, and their cosine (at
  most `points` epochs drawn, evenly spaced; the records hold them all)."""
  keys = {k for rec in records for h in rec.get("history", []) for k in h
          if k.startswith(gradient_accounting.PREFIX + "/")}
  blocks = list(dict.fromkeys(k.split("/")[1] for k in sorted(keys)))
  if not blocks:
    return {}
  titles = {"noisy_norm": "norm of the corrupted examples' summed gradient",
            "clean_norm": "norm of the clean examples' summed gradient",
            "cosine": "cosine of the two sums"}
  panels: dict[str, dict] = {}
  for what, title in titles.items():
    lines = {}
    for block in blocks:
      per_epoch: dict[int, list[float]] = {}
      for rec in records:
        for epoch, value in zip(*gradient_accounting.series(rec.get("history", []), block,
                                                            what)):
          per_epoch.setdefault(epoch, []).append(value)
      epochs = sorted(per_epoch)
      shown = epochs[::max(1, -(-len(epochs) // points))]
      lines[block] = {e: stats.mean_std(per_epoch[e]) for e in shown
                      if stats.mean_std(per_epoch[e])}
    panels[title] = lines
  norms = {k: v for k, v in panels.items() if "norm" in k}
  cosine = {k: v for k, v in panels.items() if "cosine" in k}
  return {"gradient_norms": plots.sweep_lines(norms, xlabel="epoch", log_x=False,
                                              unit_interval=False,
                                              title="gradient accounting by block"),
          "gradient_cosine": plots.sweep_lines(cosine, xlabel="epoch", log_x=False,
                                               unit_interval=False,
                                               title="gradient accounting by block")}


def _condition(rec: dict) -> dict:
  return {section: {k: v for k, v in values.items() if k not in ("seed", "data_dir")}
          for section, values in record.identity(rec["settings"]).items()}


def summarize(results: list[dict], records: list[dict]) -> dict:
  """The claims and the per-block table of several runs of one condition (seeds).

  Raises:
    ConfigError: the runs are not one condition (settings other than the seed differ).
  """
  if len({json.dumps(_condition(r), sort_keys=True) for r in records}) > 1:
    raise errors.ConfigError("the runs are not one condition: their settings differ in more "
                             "than the seed; summarize each condition on its own")
  return {"runs": [r["run_dir"] for r in results], "seeds": [r["seed"] for r in results],
          "final_epoch": results[0]["final_epoch"], "rewind_epoch": results[0]["rewind_epoch"],
          "by_block": {k: {b: list(v) for b, v in values.items()}
                       for k, values in by_block(results).items()},
          "claims": localization_claims.lines(results),
          "gradacc_cost": [gradient_accounting.cost(rec.get("history") or [])
                           for rec in records],
          "rewinding_seconds": [r["seconds"] for r in results]}


def format_table(results: list[dict]) -> str:
  """Per block: mean drops after rewinding and retraining (corrupted, clean)."""
  table = by_block(results)
  columns = list(table)
  rows = [[b] + [table[c].get(b, (None,))[0] for c in columns] for b in results[0]["blocks"]]
  return tables.format_table(["block"] + [f"drop {c}" for c in columns], rows)


def write_report(report_dir: str, results: list[dict], records: list[dict]) -> dict:
  """Writes the summary JSON and figures of several runs to report_dir; returns it."""
  summary = summarize(results, records)
  files: dict[str, str | bytes] = {
      os.path.join(report_dir, "localization_by_block.png"): figure(results, records)}
  for name, png in gradient_figures(records).items():
    files[os.path.join(report_dir, f"{name}.png")] = png
  files[os.path.join(report_dir, SUMMARY_JSON)] = json.dumps(summary, indent=2)
  atomic.write_together(files, "the localization summary")
  return summary


def check_writable(directory: str, what: str) -> None:
  """Fails before any work where `directory` cannot take `what`: WriteError, one line.

  Makes the directory if missing, writes and removes one empty temporary file there, and
  removes again a local directory it made (nothing is left, whatever the outcome).
  """
  made = not tf.io.gfile.isdir(directory)
  check = atomic.temporary_path(os.path.join(directory, ".write_check"))
  try:
    tf.io.gfile.makedirs(directory)
    with tf.io.gfile.GFile(check, "wb") as f:
      f.write(b"")
    tf.io.gfile.remove(check)
  except (tf.errors.OpError, OSError) as e:
    raise errors.WriteError(f"{directory}: cannot write {what} there "
                            f"({atomic.reason(e)})") from e
  finally:
    if made:
      try:
        os.rmdir(directory)  # Only if empty; a bucket has no directories to remove.
      except OSError:
        pass


def read_record(run_dir: str) -> dict:
  """The run's record (for summaries), RunDirError if unusable."""
  return _settings(run_dir)
