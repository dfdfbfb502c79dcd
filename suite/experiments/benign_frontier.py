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

"""Where the benign effect shows: benign-memorization experiments side by side.

Each configuration is one finished benign-memorization experiment (an output directory
of suite.experiments.benign_memorization with random_plain and random_augmented runs
for >= 3 seeds), differing from the others in one setting (model, training subset,
augmentation, length). Per configuration and seed this reads, at the encoder output
(suite.analysis.claims.readings.encoder_endpoint) and the headline k, the clean-bank k-NN of the
run with augmentation, the run without, and the random-initialisation control, at
every probed epoch (the training-length axis), and the fit of the random labels; and it
keeps the configuration's own claim line "features survive random labels with
augmentation" (the claims layer's paired test over seeds). Nothing is re-tested here:
the frontier only lays the experiments' results side by side.
"""

import dataclasses
import os
from typing import Any

import tensorflow as tf

from suite import constants
from suite import errors
from suite.analysis import stats
from suite.analysis.claims import readings
from suite.results import record

AUGMENTED, PLAIN = "random_augmented", "random_plain"
SURVIVE_CLAIM = "features survive random labels with augmentation"
# The settings a configuration is described by (those that differ are named in the table).
# RandAugment's strength is part of its augmentation's name ("randaugment 0.5"): it means
# nothing for the other augmentations. `seeds` (how many) tells apart a configuration
# rerun with more seeds from the one it extends.
DESCRIBED_BY = ("model", "width_multiplier", "width", "bottleneck_dim", "train_size",
                "augmentation", "epochs", "dataset", "seeds")


@dataclasses.dataclass
class Configuration:
  """One experiment of the frontier, reduced to what the frontier shows."""
  path: str
  settings: dict[str, Any]
  layer: str
  seeds: list[int]
  # Per condition: {epoch: [encoder k-NN per seed]} (epochs at which every seed probed).
  by_epoch: dict[str, dict[int, list[float]]]
  random_init: list[float]  # Per seed, the encoder's k-NN of the random initialisation.
  fit: dict[str, list[float]]  # Per condition, per seed: the final fit of the random labels.
  claim: dict | None  # The configuration's "features survive" claim line.

  def final(self, condition: str) -> list[float]:
    """Per seed: the encoder k-NN at the last epoch every seed probed."""
    epochs = self.by_epoch.get(condition) or {}
    return epochs[max(epochs)] if epochs else []


def _key(k: int = constants.HEADLINE_K) -> str:
  return f"k{k}"


def _run_record(experiment_dir: str, name: str) -> dict:
  """A run of the experiment, by its name (its directory under the experiment's, which
  stays right when a results tree is moved or copied)."""
  return record.read(os.path.join(experiment_dir, name))


def find(paths: list[str]) -> list[str]:
  """The experiment directories among `paths`: each path that holds a result.json, else
  its immediate subdirectories that do (sorted by name).

  Raises:
    SuiteError: a path holds neither.
  """
  found = []
  for path in paths:
    if tf.io.gfile.exists(os.path.join(path, constants.RESULT_FILENAME)):
      found.append(path)
      continue
    inside = sorted(os.path.join(path, name.rstrip("/")) for name in tf.io.gfile.listdir(path)
                    if tf.io.gfile.exists(os.path.join(path, name.rstrip("/"),
                                                       constants.RESULT_FILENAME)))
    if not inside:
      raise errors.SuiteError(f"{path} holds no result.json, nor do its subdirectories")
    found += inside
  return found


def load(experiment_dir: str, k: int = constants.HEADLINE_K) -> Configuration:
  """Reads one finished benign-memorization experiment as a frontier configuration.

  Args:
    experiment_dir: its output directory (holding the experiment's result.json).
    k: the neighbours of the k-NN read (the probe must have measured it).

  Returns:
    The Configuration.

  Raises:
    SuiteError: not a finished benign-memorization experiment with both conditions.
  """
  experiment = record.read(experiment_dir)
  if experiment.get("benchmark") != "benign_memorization":
    raise errors.SuiteError(f"{experiment_dir} is a {experiment.get('benchmark')} record, "
                            "not a benign_memorization experiment")
  conditions = experiment.get("conditions", {})
  names = {c: sorted(n for n in conditions if os.path.basename(n) == c) for c in (AUGMENTED, PLAIN)}
  if not names[AUGMENTED] or not names[PLAIN]:
    raise errors.SuiteError(f"{experiment_dir} lacks runs of {AUGMENTED} and {PLAIN} "
                            "(--conditions must include both)")
  key = _key(k)
  by_seed: dict[str, dict[int, dict]] = {c: {} for c in names}
  for condition, condition_names in names.items():
    for name in condition_names:
      rec = _run_record(experiment_dir, name)
      by_seed[condition][int(rec["settings"]["train"]["seed"])] = rec
  # Paired by seed: a seed that lacks either condition is left out of every column.
  seeds = sorted(set(by_seed[AUGMENTED]) & set(by_seed[PLAIN]))
  if not seeds:
    raise errors.SuiteError(f"{experiment_dir}: no seed has runs of both {AUGMENTED} and "
                            f"{PLAIN}")
  runs = {c: [by_seed[c][s] for s in seeds] for c in names}
  endpoints = runs[AUGMENTED][0].get("probe", {}).get("endpoints")
  if not endpoints:
    raise errors.SuiteError(f"{experiment_dir}: the runs were not probed (--probe)")
  layer = readings.encoder_endpoint(endpoints)
  by_epoch: dict[str, dict[int, list[float]]] = {}
  for condition, recs in runs.items():
    per_seed = []
    for rec in recs:
      scalar = f"knn/{layer}/{key}"
      per_seed.append({h["epoch"]: h[scalar] for h in rec["history"]
                       if h.get(scalar) is not None})
    common = set.intersection(*(set(p) for p in per_seed)) if per_seed else set()
    by_epoch[condition] = {e: [p[e] for p in per_seed] for e in sorted(common)}
  random_init = []
  for rec in runs[AUGMENTED]:
    table = rec.get("controls", {}).get("random_init", {}).get("clean", {})
    value = table.get(layer, {}).get(key)
    if value is None:
      raise errors.SuiteError(f"{experiment_dir}: a run lacks the random-init control's "
                              f"{key} at {layer}")
    random_init.append(float(value))
  fit = {c: [float(r["metrics"].get("memorization/fit_corrupted", float("nan"))) for r in recs]
         for c, recs in runs.items()}
  claim = next((line for line in experiment.get("claims", [])
                if line.get("claim", "").startswith(SURVIVE_CLAIM)), None)
  settings = dict(describe(experiment.get("config", {})), seeds=len(seeds))
  return Configuration(experiment_dir, settings, layer, seeds, by_epoch, random_init, fit, claim)


def describe(flags: dict) -> dict:
  """The settings (DESCRIBED_BY) of an experiment's flags; RandAugment with its strength."""
  settings = {name: flags.get(name) for name in DESCRIBED_BY if name in flags}
  if settings.get("augmentation") == "randaugment":
    strength = flags.get("augmentation_strength")
    settings["augmentation"] = f"randaugment {1.0 if strength is None else float(strength):g}"
  return settings


def ordered(configs: list[Configuration]) -> list[Configuration]:
  """The configurations sorted by their settings in DESCRIBED_BY order, numbers by value
  (600 epochs before 1,200), so that each axis of the frontier reads in order."""
  def key(config):
    return [(0, float(value), "") if isinstance(value, (int, float)) else (1, 0.0, str(value))
            for value in (config.settings.get(name) for name in DESCRIBED_BY)]
  return sorted(configs, key=key)


def label(config: Configuration, varying: list[str]) -> str:
  """A configuration's name from the settings that differ between configurations."""
  parts = [f"{name}={config.settings.get(name)}" for name in varying]
  return ", ".join(parts) or os.path.basename(config.path.rstrip("/"))


def varying_settings(configs: list[Configuration]) -> list[str]:
  """The settings whose values differ between the configurations (in DESCRIBED_BY order)."""
  # Only settings every record has: a record older than a flag does not show it.
  return [name for name in DESCRIBED_BY if all(name in c.settings for c in configs)
          and len({repr(c.settings[name]) for c in configs}) > 1]


def rows(configs: list[Configuration]) -> list[dict]:
  """Per configuration: the encoder k-NN (mean, std, n over seeds) with augmentation,
  without and at random initialisation; the paired differences; the fits; the claim."""
  varying = varying_settings(configs)
  out = []
  for config in configs:
    augmented, plain = config.final(AUGMENTED), config.final(PLAIN)
    out.append({
        "configuration": label(config, varying), "layer": config.layer,
        "seeds": len(config.seeds),
        "epoch": max(config.by_epoch[AUGMENTED]) if config.by_epoch[AUGMENTED] else None,
        "augmented": stats.mean_std(augmented), "plain": stats.mean_std(plain),
        "random_init": stats.mean_std(config.random_init),
        "augmented_minus_plain": _difference([a - p for a, p in zip(augmented, plain)]),
        "augmented_minus_random_init": _difference(
            [a - r for a, r in zip(augmented, config.random_init)]),
        "fit_augmented": stats.mean_std(config.fit[AUGMENTED]),
        "fit_plain": stats.mean_std(config.fit[PLAIN]),
        "verdict": (config.claim or {}).get("verdict", "absent"),
        "reason": (config.claim or {}).get("reason") or "",
        "interval": ((config.claim or {}).get("test") or {}).get("interval")})
  return out


def _difference(values: list[float]) -> tuple | None:
  """(mean, std, n, (lo, hi)): a paired difference over seeds with its 95% t interval.
  Descriptive: the claim's verdict is the claims layer's, which tests only past its gates
  (the random labels memorized in every seed)."""
  present = [v for v in values if v is not None and v == v]  # As mean_std: NaN left out.
  cell = stats.mean_std(present)
  if cell is None:
    return None
  _, lo, hi = stats.t_interval(present)
  return (*cell, (float(lo), float(hi)))


def _pm(cell: tuple | None) -> str:
  if cell is None:
    return "-"
  text = f"{cell[0]:.4f} ± {cell[1]:.4f}"
  if len(cell) > 3 and cell[2] > 1:
    text += f" [{cell[3][0]:.4f}, {cell[3][1]:.4f}]"
  return text


def markdown(table_rows: list[dict], k: int = constants.HEADLINE_K) -> str:
  """The frontier table in Markdown: one row per configuration."""
  headers = ["configuration", "layer", "seeds", "epoch",
             f"{k}-NN augmented", f"{k}-NN plain", f"{k}-NN random init",
             "augmented - plain [95% interval]", "augmented - random init [95% interval]",
             "fit augmented", "fit plain",
             "claim: features survive"]
  lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
  for row in table_rows:
    verdict = row["verdict"] + (f" ({row['reason']})" if row["reason"] else "")
    cells = [row["configuration"], row["layer"], str(row["seeds"]), str(row["epoch"]),
             _pm(row["augmented"]), _pm(row["plain"]), _pm(row["random_init"]),
             _pm(row["augmented_minus_plain"]), _pm(row["augmented_minus_random_init"]),
             _pm(row["fit_augmented"]), _pm(row["fit_plain"]), verdict]
    lines.append("| " + " | ".join(cells) + " |")
  return "\n".join(lines)


def figure_inputs(configs: list[Configuration]) -> dict:
  """What knn_figures.benign_frontier draws: per configuration label, per condition
  ('with augmentation', 'without', 'random init'), {epoch: (mean, std, n)}."""
  varying = varying_settings(configs)
  out: dict[str, dict[str, dict[int, tuple[float, float, int]]]] = {}
  for config in configs:
    epochs = sorted(set(config.by_epoch[AUGMENTED]) | set(config.by_epoch[PLAIN]))
    init = stats.mean_std(config.random_init)
    lines = {name: {e: cell for e, v in config.by_epoch[condition].items()
                    if (cell := stats.mean_std(v)) is not None}
             for name, condition in (("random labels, with augmentation", AUGMENTED),
                                     ("random labels, without augmentation", PLAIN))}
    lines["random initialisation"] = {e: init for e in epochs} if init else {}
    name = f"{label(config, varying)} ({config.layer})"
    if name in out:  # Configurations alike in every described setting: named by directory.
      name = f"{label(config, varying)}, {os.path.basename(config.path.rstrip('/'))} " \
             f"({config.layer})"
    out[name] = lines
  return out
