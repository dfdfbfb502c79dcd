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

"""Records -> rows aggregated over seeds (mean, standard deviation, n).

`aggregate` groups runs by benchmark and by every setting except the seed (one row per
setting); `compare_datasets` lays the same conditions run on several datasets
(benchmarks/recipes/*/benign_datasets_*.cfg) side by side, a row per condition and a
column group per dataset. A run found twice counts once: n counts seeds.
"""

import json
import math

import numpy as np

from suite.analysis.leaderboard import columns
from suite.analysis.leaderboard import references


def _summary(values):
  """{mean, std (ddof 1; 0 for one value), n} of the values that exist, or None."""
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
    groups.setdefault(columns.group_key(rec), []).append((path, rec))
  rows = []
  for key, members in groups.items():
    first = members[0][1]
    row = {"group": key, "benchmark": first["benchmark"], "seeds": len(members),
           "paths": [p for p, _ in members]}
    for header, (section, name) in columns.SETTING_COLUMNS:
      row[header] = columns.setting(first, header, section, name)
    for header, metric in columns.METRIC_COLUMNS:
      row[header] = _summary([rec["metrics"].get(metric) for _, rec in members])
    row[columns.EPOCHS_TO_FIT_COLUMN] = _summary(
        [columns.epochs_to_fit(rec) for _, rec in members])
    best = [columns.best_probe(rec) for _, rec in members]
    row[columns.BEST_K] = _summary([b[1] for b in best if b])
    layers = sorted({b[0] for b in best if b})
    row["best layer"] = "/".join(layers) if layers else None
    row[columns.RANDOM_INIT_COLUMN] = _summary(
        [columns.random_init_probe(rec) for _, rec in members])
    row[columns.RAW_PIXELS_COLUMN] = _summary([columns.raw_pixels_probe(rec) for _, rec in members])
    by_layer: dict = {}  # Not a column: the figure's.
    for _, rec in members:
      for endpoint, value in columns.layers(rec).items():
        by_layer.setdefault(endpoint, []).append(value)
    row[columns.BY_LAYER] = {e: _summary(v) for e, v in by_layer.items()}
    row["wall s"] = _summary([rec["timing"].get("wall_seconds") for _, rec in members])
    hardware = {columns.hardware(rec) for _, rec in members}
    row["hardware"] = " | ".join(sorted(hardware))
    row["paper"] = references.beside(row)
    rows.append(row)
  rows.sort(key=lambda r: (str(r["benchmark"]), str(r["dataset"]), str(r["model"]),
                           r["noise"] if isinstance(r["noise"], (int, float)) else 0,
                           str(r["augment"])))
  return rows


def _unique_runs(records: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
  """Records less a run found twice (same settings, seed and length): its first copy."""
  seen, out = set(), []
  for path, rec in records:
    key = columns.run_key(rec)
    if key not in seen:
      seen.add(key)
      out.append((path, rec))
  return out


def compare_datasets(records: list[tuple[str, dict]]) -> dict:
  """The same conditions on several datasets: one row per condition, a group per dataset.

  A condition is told apart by the benchmark (benign_memorization/<condition>) and the
  settings that vary between runs of one dataset (noise, augmentation, ...); settings that
  are constant within each dataset but differ between datasets (model, training subset,
  epochs where recipes differ) are the datasets' own and are listed per dataset.

  Args:
    records: (path, record) of complete runs (load.load().records).

  Returns:
    {'datasets': names in order, 'condition_columns': the settings naming a condition,
     'dataset_settings': {dataset: {setting: value}} of the per-dataset settings,
     'shared': {setting: value} alike everywhere,
     'rows': [{'condition': label, 'settings': {...}, dataset: {column: stats or None,
               'seeds': n, columns.BY_LAYER (the headline k by layer): {endpoint: stats}}}],
     'controls by layer': {dataset: {endpoint: stats}} of the random initialisation, one
       sample per seed and architecture}.
  """
  runs = [(path, rec, columns.condition_settings(rec), str(rec["settings"]["data"].get("dataset")))
          for path, rec in _unique_runs(records)]
  datasets = sorted({d for _, _, _, d in runs})
  names = list(runs[0][2]) if runs else []
  varying = [c for c in names
             if any(len({json.dumps(s[c], default=str) for _, _, s, d in runs if d == dataset})
                    > 1 for dataset in datasets)]
  condition_columns = ["benchmark"] + [c for c in varying if c != "benchmark"]
  per_dataset = [c for c in names if c not in condition_columns]
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
      values = [columns.dataset_values(rec) for rec in members]
      cells = {c: _summary([v[c] for v in values]) for c in columns.DATASET_COLUMNS}
      cells["seeds"] = len(members)
      by_layer: dict = {}
      for rec in members:
        for endpoint, value in columns.layers(rec).items():
          by_layer.setdefault(endpoint, []).append(value)
      cells[columns.BY_LAYER] = {e: _summary(v) for e, v in by_layer.items()}
      row[dataset] = cells
    rows.append(row)
  return {"datasets": datasets, "condition_columns": condition_columns,
          "dataset_settings": dataset_settings, "shared": shared, "rows": rows,
          "controls by layer": _control_layers(runs)}


def _condition_label(settings: dict, names: list[str]) -> str:
  """`random_augmented` for benign_memorization/random_augmented, then the other settings."""
  label = [str(settings["benchmark"]).split("/")[-1]]
  label += [f"{c} {columns.cell(settings[c], c)}" for c in names
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
    samples.setdefault(dataset, {}).setdefault(key, columns.layers({"probe": table}))
  out = {}
  for dataset, by_key in samples.items():
    architectures = {json.dumps(json.loads(k)[1], sort_keys=True) for k in by_key}
    if len(architectures) != 1:  # Controls of several architectures do not make one line.
      continue
    by_layer: dict = {}
    for layers in by_key.values():
      for endpoint, value in layers.items():
        by_layer.setdefault(endpoint, []).append(value)
    out[dataset] = {e: _summary(v) for e, v in by_layer.items()}
  return out
