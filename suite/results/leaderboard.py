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

"""Leaderboard: many result.json files -> tables aggregated over seeds.

Records are found under any number of directories (local or bucket paths via
tf.io.gfile), validated against the schema, grouped by benchmark and by every
setting except the seed, and aggregated (mean, standard deviation, n). A record
that fails validation is reported with its path and left out; it never stops the
table.

A row shows only the settings that apply to it (an mlp's width and depth, a conv
model's width multiplier, a projector where there is one), the probe's controls
(random initialisation and raw pixels) beside the trained k-NN, and `figure` draws
the k-NN by layer of every row with error bars over seeds.

`compare_datasets` is the dataset comparison: the same conditions run on several datasets
(benchmarks/recipes/*/benign_datasets_*.cfg) as one table, a row per condition and a
column group per dataset (test accuracy, fit, encoder k-NN and its controls), with
`dataset_markdown`, `dataset_csv` and `dataset_figure` (k-NN by layer, a panel per dataset).
"""

import csv
import dataclasses
import io
import json
import math
import os

import numpy as np
import tensorflow as tf

from suite import constants
from suite.results import claims
from suite.results import record
from suite.results import references

# Columns of the standard table: (header, metric key in `metrics`).
METRIC_COLUMNS = (
    ("fit corrupted", "memorization/fit_corrupted"),
    ("fit clean", "memorization/fit_clean"),
    ("view fit", "memorization/view_fit"),
    ("val acc", "validation/accuracy"),
    ("test acc", "test/accuracy"),
)
FIT_THRESHOLD = constants.FIT_THRESHOLD  # One value for every table and claim.
_BEST_K = f"best {constants.HEADLINE_KEY}"  # The column of the best layer's headline k-NN.
SETTING_COLUMNS = (
    ("dataset", ("data", "dataset")), ("train", ("data", "train_size")),
    ("noise", ("data", "label_noise")), ("inputs", ("data", "input_corruption")),
    ("inputs fraction", ("data", "input_corruption_fraction")),
    ("model", ("model", "name")), ("width", ("model", "width")), ("depth", ("model", "depth")),
    ("width x", ("model", "width_multiplier")), ("projector", ("model", "bottleneck_dim")),
    ("dropout", ("model", "dropout")), ("weight decay", ("train", "weight_decay")),
    ("input noise", ("train", "input_noise_std")),
    ("adversarial", ("train", "adversarial_epsilon")),
    ("augment", ("augment", "name")), ("strength", ("augment", "strength")),
    ("views", ("augment", "num_views")),
    ("per-view", ("augment", "per_view_labels")), ("loss", ("train", "loss")),
    ("epochs", ("train", "epochs")),
    # How finely "epochs to fit" is resolved, and whether a per-example log was kept.
    ("eval every", ("train", "eval_every")), ("log every", ("train", "track_every")),
)
# Settings that only mean something for some rows: (header, applies(settings)).
_APPLIES = {
    "width": lambda s: s["model"].get("name") == "mlp",
    "depth": lambda s: s["model"].get("name") == "mlp",
    "width x": lambda s: s["model"].get("name") not in (None, "mlp"),
    "projector": lambda s: (s["model"].get("bottleneck_dim") or 0) > 0,
    "inputs fraction": lambda s: s["data"].get("input_corruption") not in (None, "none"),
    "strength": lambda s: s["augment"].get("name") == "randaugment",
    "views": lambda s: (s["augment"].get("num_views") or 0) > 0,
    "per-view": lambda s: (s["augment"].get("num_views") or 0) > 0,
}
# Settings and columns that count things: printed as integers.
_INTEGER_COLUMNS = {"train", "width", "depth", "projector", "views", "epochs", "eval every",
                    "log every", "seeds"}
# Columns of the headline k (suite.constants: the one k every table and claim reads).
RANDOM_INIT_COLUMN = f"random init {constants.HEADLINE_KEY}"
RAW_PIXELS_COLUMN = f"raw pixels {constants.HEADLINE_KEY}"
ENCODER_COLUMN = f"encoder {constants.HEADLINE_KEY}"
BY_LAYER = f"{constants.HEADLINE_KEY} by layer"
CONTROL_COLUMNS = (RANDOM_INIT_COLUMN, RAW_PIXELS_COLUMN)
_SEED_KEYS = {("data", "seed"), ("train", "seed")}
_PLACEMENT_KEYS = {("data", "data_dir"), ("data", "manual_dir"), ("data", "download")}


@dataclasses.dataclass
class Loaded:
  records: list[tuple[str, dict]]  # (path, record) of valid, complete runs
  problems: list[tuple[str, str]]  # (path, reason) of skipped files


def validate(rec: object) -> str | None:
  """None if `rec` is a usable complete record, else the reason it is not."""
  return record.validate(rec, complete=True)


def find(roots: list[str]) -> list[str]:
  paths = []
  for root in roots:
    if root.endswith(".json"):
      paths.append(root)
      continue
    for directory, _, files in tf.io.gfile.walk(root):
      paths += [os.path.join(directory, f) for f in files if f == record.FILENAME]
  return sorted(paths)


def load(roots: list[str], setting_defaults: dict | None = None) -> Loaded:
  """The complete records under `roots`, and why each other result.json was skipped.

  setting_defaults: {section: {name: default}}; a record that lacks a setting (written
  before it existed) gets its default (record.with_defaults), so that it groups with the
  newer runs of the same settings instead of forming a row of its own.
  """
  loaded = Loaded(records=[], problems=[])
  try:
    paths = find(roots)
  except (tf.errors.OpError, OSError) as e:
    loaded.problems.append((", ".join(roots), f"unreadable: {type(e).__name__}: {e}"[:300]))
    paths = []
  for path in paths:
    try:
      with tf.io.gfile.GFile(path) as f:
        rec = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError, tf.errors.OpError, OSError) as e:
      loaded.problems.append((path, f"unreadable: {type(e).__name__}: {e}"[:300]))
      continue
    if isinstance(rec, dict) and "conditions" in rec:
      continue  # An experiment's summary: its conditions are runs of their own.
    reason = validate(rec)
    if reason is None and setting_defaults:
      rec["settings"] = record.with_defaults(rec["settings"], setting_defaults)
    if reason is None:
      try:  # Everything the table reads, so that a record that passes cannot crash it.
        _row_inputs(rec)
      except (KeyError, TypeError, ValueError, AttributeError) as e:
        reason = f"malformed ({type(e).__name__}: {e})"[:300]
    if reason:
      loaded.problems.append((path, reason))
    else:
      loaded.records.append((path, rec))
  return loaded


def _row_inputs(rec: dict) -> None:
  """Reads every field aggregate() reads; raises on a malformed one."""
  group_key(rec)
  json.dumps(rec["settings"], default=str)
  for _, (section, name) in SETTING_COLUMNS:
    value = rec["settings"][section].get(name)
    if value is not None and not isinstance(value, (bool, int, float, str)):
      raise TypeError(f"settings.{section}.{name} is {value!r}, not a plain value")
  _epochs_to_fit(rec)
  _best_probe(rec)
  _random_init_probe(rec)
  _raw_pixels_probe(rec)
  _layers(rec)
  dataset_values(rec)
  _hardware(rec)
  wall = rec["timing"].get("wall_seconds")
  if wall is not None and (isinstance(wall, bool) or not isinstance(wall, (int, float))
                           or not 0 <= wall < math.inf):
    raise ValueError(f"timing.wall_seconds is {wall!r}, not a finite duration")


def run_key(rec: dict) -> tuple:
  """One run (settings with seeds, and length) however often it is found: recomputed from
  the settings, as a record from before a setting existed stores another config hash."""
  return (record.config_hash(record.identity(rec["settings"])),
          rec["settings"]["train"].get("epochs"))


def _continues(longer: dict, shorter: dict) -> bool:
  """`longer` was trained on from `shorter` (a copy extended with --extend): its history
  holds the shorter run's last entry unchanged."""
  last = (shorter.get("history") or [None])[-1]
  return bool(last) and any(entry == last for entry in longer.get("history") or [])


def run_seconds(records: list[tuple[str, dict]]) -> tuple[float, int]:
  """(seconds, runs without a wall time): the recorded wall time of the distinct runs.

  A run trained on from a shorter one of the same settings and seed records the shorter
  one's time in its own (wall_seconds accumulates over an extension), so it adds only
  what its extension took.
  """
  # Every copy is a candidate for what a run continued; the first copy of each run counts.
  every_copy: dict[str, list[dict]] = {}
  counted: dict[tuple, dict] = {}
  for _, rec in records:
    key = run_key(rec)
    every_copy.setdefault(key[0], []).append(rec)
    counted.setdefault(key, rec)
  epochs = lambda rec: float(rec["settings"]["train"].get("epochs") or 0)
  total, missing = 0.0, 0
  for (identity, _), rec in counted.items():
    wall = rec["timing"].get("wall_seconds")
    if wall is None:
      missing += 1
      continue
    before = [r["timing"]["wall_seconds"] for r in every_copy[identity]
              if epochs(r) < epochs(rec) and r["timing"].get("wall_seconds") is not None
              and _continues(rec, r)]
    total += wall - max(before, default=0.0)
  return total, missing


def group_key(rec: dict) -> str:
  """The benchmark and every setting except seeds and where data lives."""
  settings = {section: {k: v for k, v in values.items()
                        if (section, k) not in _SEED_KEYS | _PLACEMENT_KEYS}
              for section, values in rec["settings"].items()}
  return record.config_hash({"benchmark": rec["benchmark"], "settings": settings})


def _best_probe(rec: dict, k: int = constants.HEADLINE_K):
  """(endpoint, accuracy) of the best clean-bank k-NN layer, or None."""
  clean = (rec.get("probe") or {}).get("clean") or {}
  scored = [(acc[f"k{k}"], name) for name, acc in clean.items()
            if isinstance(acc, dict) and isinstance(acc.get(f"k{k}"), (int, float))]
  if not scored:
    return None
  value, name = max(scored)
  return name, value


def _random_init_probe(rec: dict, k: int = constants.HEADLINE_K):
  """Best clean-bank k-NN of any layer of the run's random initialisation, or None."""
  table = (rec.get("controls") or {}).get("random_init")
  best = _best_probe({"probe": table}, k) if isinstance(table, dict) else None
  return best[1] if best else None


def _raw_pixels_probe(rec: dict, k: int = constants.HEADLINE_K):
  """Clean-bank k-NN of the raw pixels, or None."""
  value = (((rec.get("controls") or {}).get("raw_pixels") or {}).get("clean") or {}).get(f"k{k}")
  return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _layers(rec: dict, k: int = constants.HEADLINE_K) -> dict:
  """{endpoint: clean-bank k-NN} of the run's final probe, in the probe's order."""
  clean = (rec.get("probe") or {}).get("clean") or {}
  return {name: acc[f"k{k}"] for name, acc in clean.items()
          if isinstance(acc, dict) and isinstance(acc.get(f"k{k}"), (int, float))}


def _setting(rec: dict, header: str, section: str, name: str):
  """The cell of a setting: None where it does not apply, `train` as the split's size."""
  settings = rec["settings"]
  if header in _APPLIES and not _APPLIES[header](settings):
    return None
  value = settings[section].get(name)
  if header == "train" and not value:  # 0: the whole split less validation.
    size = (rec.get("dataset") or {}).get("train_size")
    return int(size) if isinstance(size, (int, float)) and size > 0 else "full"
  if header in _INTEGER_COLUMNS and isinstance(value, float) and value.is_integer():
    return int(value)
  return value


def _stats(values):
  values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
  if not values:
    return None
  array = np.asarray(values, float)
  return {"mean": float(array.mean()), "std": float(array.std(ddof=1)) if len(array) > 1 else 0.0,
          "n": len(array)}


def aggregate(records: list[tuple[str, dict]]) -> list[dict]:
  """One row per (benchmark, settings without seed): settings, metric stats, cost."""
  groups: dict[str, list] = {}
  # The same run found twice (copied, or trained again elsewhere with the same settings
  # and seed) is one sample, not two: n counts seeds.
  for path, rec in _unique_runs(records):
    groups.setdefault(group_key(rec), []).append((path, rec))
  rows = []
  for key, members in groups.items():
    first = members[0][1]
    row = {"group": key, "benchmark": first["benchmark"], "seeds": len(members),
           "paths": [p for p, _ in members]}
    for header, (section, name) in SETTING_COLUMNS:
      row[header] = _setting(first, header, section, name)
    for header, metric in METRIC_COLUMNS:
      row[header] = _stats([rec["metrics"].get(metric) for _, rec in members])
    row[f"epochs to {FIT_THRESHOLD:.0%} fit"] = _stats(
        [_epochs_to_fit(rec) for _, rec in members])
    best = [_best_probe(rec) for _, rec in members]
    row[_BEST_K] = _stats([b[1] for b in best if b])
    layers = sorted({b[0] for b in best if b})
    row["best layer"] = "/".join(layers) if layers else None
    row[RANDOM_INIT_COLUMN] = _stats([_random_init_probe(rec) for _, rec in members])
    row[RAW_PIXELS_COLUMN] = _stats([_raw_pixels_probe(rec) for _, rec in members])
    by_layer: dict = {}  # Not a column: the figure's.
    for _, rec in members:
      for endpoint, value in _layers(rec).items():
        by_layer.setdefault(endpoint, []).append(value)
    row[BY_LAYER] = {e: _stats(v) for e, v in by_layer.items()}
    row["wall s"] = _stats([rec["timing"].get("wall_seconds") for _, rec in members])
    hardware = {_hardware(rec) for _, rec in members}
    row["hardware"] = " | ".join(sorted(hardware))
    row["paper"] = references.beside(row)
    rows.append(row)
  rows.sort(key=lambda r: (str(r["benchmark"]), str(r["dataset"]), str(r["model"]),
                           r["noise"] if isinstance(r["noise"], (int, float)) else 0,
                           str(r["augment"])))
  return rows


def _epochs_to_fit(rec: dict):
  """First recorded epoch where the training labels are fitted (corrupted ones if any)."""
  for entry in rec.get("history", []):
    value = entry.get("memorization/fit_corrupted")
    if value is None:
      value = entry.get("memorization/train_fit")
    if isinstance(value, (int, float)) and value >= FIT_THRESHOLD:
      return entry["epoch"]
  return None


def _hardware(rec: dict) -> str:
  env = rec.get("environment") or {}
  if env.get("gpus"):
    return f"{len(env['gpus'])}x {env['gpus'][0]}"
  return f"{env.get('cpu_count', '?')} CPU cores"


# Formats of the aggregated columns that are not accuracies.
_STAT_FORMATS = {f"epochs to {FIT_THRESHOLD:.0%} fit": "{:.1f}", "wall s": "{:.0f}"}


def _cell(value, column: str = ""):
  if isinstance(value, dict):
    fmt = _STAT_FORMATS.get(column, "{:.3f}")
    if column in _STAT_FORMATS and float(value["mean"]).is_integer() and not value["std"]:
      fmt = "{:.0f}"  # The same whole number of epochs in every seed.
    if value["n"] > 1:
      return f"{fmt.format(value['mean'])} ± {fmt.format(value['std'])}"
    return fmt.format(value["mean"])
  if value is None:
    return "-"
  if column in _INTEGER_COLUMNS and isinstance(value, float) and value.is_integer():
    return str(int(value))
  return str(value)


_TABLE_COLUMNS = ["benchmark"] + [h for h, _ in SETTING_COLUMNS] + ["seeds"] + \
    [h for h, _ in METRIC_COLUMNS] + [f"epochs to {FIT_THRESHOLD:.0%} fit", _BEST_K,
                                      "best layer", *CONTROL_COLUMNS, "wall s", "hardware",
                                      "paper"]
_SETTINGS = {h for h, _ in SETTING_COLUMNS}


def markdown(rows: list[dict]) -> str:
  """The table; settings shared by every row are stated once above it."""
  columns = [c for c in _TABLE_COLUMNS if any(r.get(c) not in (None, "") for r in rows)]
  shared = [c for c in columns if c in _SETTINGS and len(rows) > 1 and
            len({json.dumps(r.get(c)) for r in rows}) == 1]
  columns = [c for c in columns if c not in shared]
  lines = []
  if shared:
    lines.append("All rows: " + ", ".join(f"{c} {_cell(rows[0].get(c), c)}" for c in shared)
                 + "\n")
  lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
  for row in rows:
    lines.append("| " + " | ".join(_cell(row.get(c), c) for c in columns) + " |")
  return "\n".join(lines) + "\n"


def csv_text(rows: list[dict]) -> str:
  buffer = io.StringIO()
  fields = []
  for column in _TABLE_COLUMNS:
    if any(isinstance(r.get(column), dict) for r in rows):
      fields += [f"{column} mean", f"{column} std", f"{column} n"]
    else:
      fields.append(column)
  writer = csv.DictWriter(buffer, fieldnames=fields)
  writer.writeheader()
  for row in rows:
    out = {}
    for column in _TABLE_COLUMNS:
      value = row.get(column)
      if f"{column} mean" in fields:
        value = value or {}
        out.update({f"{column} mean": value.get("mean"), f"{column} std": value.get("std"),
                    f"{column} n": value.get("n")})
      else:
        out[column] = value
    writer.writerow(out)
  return buffer.getvalue()


def _label(row: dict, varying: list[str]) -> str:
  """A row's name in the figure: the settings that tell it from the other rows."""
  parts = [f"{c} {_cell(row.get(c), c)}" for c in varying
           if c != "model" and row.get(c) not in (None, "")]
  return ", ".join(parts) or str(row["benchmark"])


def figure(rows: list[dict], title: str = "") -> bytes | None:
  """k-NN (k=20, clean bank) by layer of every row with a probe, mean and standard
  deviation over seeds, one panel per model; None if no row has a probe."""
  from suite.results import plots  # pylint: disable=g-import-not-at-top  (matplotlib)
  probed = [r for r in rows if r.get(BY_LAYER)]
  if not probed:
    return None
  by_model: dict = {}
  for row in probed:
    by_model.setdefault(str(row["model"]), []).append(row)
  # A line is named by what tells it from the other lines of its panel (a model's rows).
  varying = {model: [c for c in ["benchmark"] + [h for h, _ in SETTING_COLUMNS]
                     if len({json.dumps(r.get(c), default=str) for r in alike}) > 1]
             for model, alike in by_model.items()}
  panels: dict = {}
  for row in probed:
    lines = panels.setdefault(str(row["model"]), {})
    label = _label(row, varying[str(row["model"])])
    while label in lines:  # Rows alike in every varying setting but one hidden one.
      label += " "
    lines[label] = {e: (v["mean"], v["std"], v["n"]) for e, v in row[BY_LAYER].items()
                    if v}
  return plots.knn_by_layer_over_seeds(
      panels, k=constants.HEADLINE_K,
      title=title or f"{constants.HEADLINE_K}-NN accuracy by layer")


# The dataset comparison: a row per condition, a column group per dataset.

# Columns of each dataset's group: (header, value of one record).
DATASET_COLUMNS = ("test acc", "fit", ENCODER_COLUMN, RANDOM_INIT_COLUMN, RAW_PIXELS_COLUMN)


def _encoder_layer(table: dict) -> str | None:
  """The encoder output among a probe table's endpoints (claims.encoder_endpoint)."""
  endpoints = table.get("endpoints")
  if not isinstance(endpoints, list):
    clean = table.get("clean")
    endpoints = list(clean) if isinstance(clean, dict) else []
  endpoints = [e for e in endpoints if isinstance(e, str)]
  return claims.encoder_endpoint(endpoints) if endpoints else None


def _encoder_probe(table, k: int = constants.HEADLINE_K):
  """Clean-bank k-NN at the encoder output of a probe table, or None."""
  if not isinstance(table, dict):
    return None
  layer = _encoder_layer(table)
  clean = table.get("clean")
  accuracies = clean.get(layer) if layer and isinstance(clean, dict) else None
  value = accuracies.get(f"k{k}") if isinstance(accuracies, dict) else None
  return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def dataset_values(rec: dict) -> dict:
  """One record's cells of the dataset comparison.

  Args:
    rec: a complete run record.

  Returns:
    {column of DATASET_COLUMNS: value or None}: test accuracy; fit of the training labels
    (the random ones where there are any, else all); clean-bank 20-NN at the encoder output
    of the run, and of its random initialisation; raw-pixel 20-NN.
  """
  metrics = rec.get("metrics") or {}
  fit = metrics.get("memorization/fit_corrupted")
  if fit is None:
    fit = metrics.get("memorization/train_fit")
  return {"test acc": metrics.get("test/accuracy"), "fit": fit,
          ENCODER_COLUMN: _encoder_probe(rec.get("probe")),
          RANDOM_INIT_COLUMN: _encoder_probe((rec.get("controls") or {}).get("random_init")),
          RAW_PIXELS_COLUMN: _raw_pixels_probe(rec)}


def _unique_runs(records: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
  """Records less a run found twice (same settings, seed and length): its first copy."""
  seen, out = set(), []
  for path, rec in records:
    key = run_key(rec)
    if key not in seen:
      seen.add(key)
      out.append((path, rec))
  return out


def _condition_settings(rec: dict) -> dict:
  """The benchmark and every setting column but the dataset, as the standard table's."""
  values = {"benchmark": rec["benchmark"]}
  for header, (section, name) in SETTING_COLUMNS:
    if header != "dataset":
      values[header] = _setting(rec, header, section, name)
  return values


def compare_datasets(records: list[tuple[str, dict]]) -> dict:
  """The same conditions on several datasets: one row per condition, a group per dataset.

  A condition is told apart by the benchmark (benign_memorization/<condition>) and the
  settings that vary between runs of one dataset (noise, augmentation, ...); settings that
  are constant within each dataset but differ between datasets (model, training subset,
  epochs where recipes differ) are the datasets' own and are listed per dataset.

  Args:
    records: (path, record) of complete runs (load().records).

  Returns:
    {'datasets': names in order, 'condition_columns': the settings naming a condition,
     'dataset_settings': {dataset: {setting: value}} of the per-dataset settings,
     'shared': {setting: value} alike everywhere,
     'rows': [{'condition': label, 'settings': {...}, dataset: {column: stats or None,
               'seeds': n, BY_LAYER (k20 by layer): {endpoint: stats}}}],
     'controls by layer': {dataset: {endpoint: stats}} of the random initialisation, one
       sample per seed and architecture}.
  """
  runs = [(path, rec, _condition_settings(rec), str(rec["settings"]["data"].get("dataset")))
          for path, rec in _unique_runs(records)]
  datasets = sorted({d for _, _, _, d in runs})
  columns = list(runs[0][2]) if runs else []
  varying = [c for c in columns
             if any(len({json.dumps(s[c], default=str) for _, _, s, d in runs if d == dataset})
                    > 1 for dataset in datasets)]
  condition_columns = ["benchmark"] + [c for c in varying if c != "benchmark"]
  per_dataset = [c for c in columns if c not in condition_columns]
  shared = {c: runs[0][2][c] for c in per_dataset
            if len({json.dumps(s[c], default=str) for _, _, s, _ in runs}) == 1}
  dataset_settings = {d: {c: next(s[c] for _, _, s, dd in runs if dd == d)
                          for c in per_dataset if c not in shared} for d in datasets}
  groups: dict[str, dict] = {}
  for _, rec, settings, dataset in runs:
    key = json.dumps([settings[c] for c in condition_columns], default=str)
    row = groups.setdefault(key, {"settings": {c: settings[c] for c in condition_columns},
                                  "members": {}})
    row["members"].setdefault(dataset, []).append(rec)
  rows = []
  for key in sorted(groups):
    group = groups[key]
    row = {"condition": _condition_label(group["settings"], condition_columns),
           "settings": group["settings"]}
    for dataset in datasets:
      members = group["members"].get(dataset, [])
      if not members:
        row[dataset] = None
        continue
      values = [dataset_values(rec) for rec in members]
      cells = {c: _stats([v[c] for v in values]) for c in DATASET_COLUMNS}
      cells["seeds"] = len(members)
      by_layer: dict = {}
      for rec in members:
        for endpoint, value in _layers(rec).items():
          by_layer.setdefault(endpoint, []).append(value)
      cells[BY_LAYER] = {e: _stats(v) for e, v in by_layer.items()}
      row[dataset] = cells
    rows.append(row)
  return {"datasets": datasets, "condition_columns": condition_columns,
          "dataset_settings": dataset_settings, "shared": shared, "rows": rows,
          "controls by layer": _control_layers(runs)}


def _condition_label(settings: dict, columns: list[str]) -> str:
  """`random_augmented` for benign_memorization/random_augmented, then the other settings."""
  label = [str(settings["benchmark"]).split("/")[-1]]
  label += [f"{c} {_cell(settings[c], c)}" for c in columns
            if c != "benchmark" and settings[c] not in (None, "")]
  return ", ".join(label)


def _control_layers(runs: list) -> dict:
  """{dataset: {endpoint: stats}} of the random initialisation's probe by layer, one sample
  per (seed, architecture): conditions of one seed share the control."""
  samples: dict[str, dict] = {}
  for _, rec, _, dataset in runs:
    table = (rec.get("controls") or {}).get("random_init")
    if not isinstance(table, dict):
      continue
    seed = rec["settings"]["train"].get("seed", rec["settings"]["data"].get("seed"))
    key = json.dumps([seed, rec["settings"]["model"]], sort_keys=True, default=str)
    samples.setdefault(dataset, {}).setdefault(key, _layers({"probe": table}))
  out = {}
  for dataset, by_key in samples.items():
    architectures = {json.dumps(json.loads(k)[1], sort_keys=True) for k in by_key}
    if len(architectures) != 1:  # Controls of several architectures do not make one line.
      continue
    by_layer: dict = {}
    for layers in by_key.values():
      for endpoint, value in layers.items():
        by_layer.setdefault(endpoint, []).append(value)
    out[dataset] = {e: _stats(v) for e, v in by_layer.items()}
  return out


def dataset_markdown(comparison: dict) -> str:
  """The comparison as one Markdown table: mean ± std over seeds, `-` where a condition
  did not run on a dataset; the per-dataset and shared settings above it."""
  datasets = comparison["datasets"]
  lines = []
  if comparison["shared"]:
    lines.append("All rows: " + ", ".join(f"{c} {_cell(v, c)}"
                                          for c, v in comparison["shared"].items()
                                          if v not in (None, "")) + "\n")
  for dataset in datasets:
    own = comparison["dataset_settings"].get(dataset) or {}
    text = ", ".join(f"{c} {_cell(v, c)}" for c, v in own.items() if v not in (None, ""))
    if text:
      lines.append(f"{dataset}: {text}\n")
  headers = ["condition"] + [f"{d}: {c}" for d in datasets for c in ("seeds",) + DATASET_COLUMNS]
  lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
  for row in comparison["rows"]:
    cells = [row["condition"]]
    for dataset in datasets:
      group = row[dataset] or {}
      cells.append(str(group["seeds"]) if group else "-")
      cells += [_cell(group.get(c)) for c in DATASET_COLUMNS]
    lines.append("| " + " | ".join(cells) + " |")
  return "\n".join(lines) + "\n"


def dataset_csv(comparison: dict) -> str:
  """The comparison as CSV: the condition, its settings, then per dataset and column the
  mean, std and n over seeds (empty where the condition did not run there)."""
  buffer = io.StringIO()
  condition_columns = comparison["condition_columns"]
  fields = ["condition"] + condition_columns
  for dataset in comparison["datasets"]:
    fields.append(f"{dataset} seeds")
    fields += [f"{dataset} {c} {s}" for c in DATASET_COLUMNS for s in ("mean", "std", "n")]
  writer = csv.DictWriter(buffer, fieldnames=fields)
  writer.writeheader()
  for row in comparison["rows"]:
    out = {"condition": row["condition"], **row["settings"]}
    for dataset in comparison["datasets"]:
      group = row[dataset] or {}
      out[f"{dataset} seeds"] = group.get("seeds")
      for column in DATASET_COLUMNS:
        stats = group.get(column) or {}
        for s in ("mean", "std", "n"):
          out[f"{dataset} {column} {s}"] = stats.get(s)
    writer.writerow(out)
  return buffer.getvalue()


def dataset_figure(comparison: dict, title: str = "") -> bytes | None:
  """k-NN (k=20, clean bank) by layer, one panel per dataset, a line per condition and
  one for the random initialisation, mean ± std over seeds (plots.knn_by_layer_over_seeds);
  None if nothing was probed."""
  from suite.results import plots  # pylint: disable=g-import-not-at-top  (matplotlib)
  panels: dict = {}
  for dataset in comparison["datasets"]:
    lines = {}
    for row in comparison["rows"]:
      layers = (row[dataset] or {}).get(BY_LAYER) or {}
      if layers:
        lines[row["condition"]] = {e: (v["mean"], v["std"], v["n"]) for e, v in layers.items()
                                   if v}
    control = comparison["controls by layer"].get(dataset)
    if lines and control:
      lines["random init (control)"] = {e: (v["mean"], v["std"], v["n"])
                                        for e, v in control.items() if v}
    if lines:
      panels[dataset] = lines
  if not panels:
    return None
  return plots.knn_by_layer_over_seeds(panels, k=constants.HEADLINE_K,
                                       title=title or f"{constants.HEADLINE_K}-NN accuracy by layer per dataset")
