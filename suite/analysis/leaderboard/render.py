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

"""Aggregated rows -> Markdown, CSV and figures.

Settings shared by every row are stated once above a table; `figure` draws the k-NN by
layer of every row with error bars over seeds, `dataset_figure` a panel per dataset.
"""

import csv
import io
import json

from suite import constants
from suite.analysis.leaderboard import columns

_TABLE_COLUMNS = (["benchmark"] + [h for h, _ in columns.SETTING_COLUMNS] + ["seeds"]
                  + [h for h, _ in columns.METRIC_COLUMNS]
                  + [columns.EPOCHS_TO_FIT_COLUMN, columns.BEST_K, "best layer",
                     *columns.CONTROL_COLUMNS, "wall s", "hardware", "paper"])
_SETTINGS = {h for h, _ in columns.SETTING_COLUMNS}


def markdown(rows: list[dict]) -> str:
  """The table; settings shared by every row are stated once above it."""
  shown = [c for c in _TABLE_COLUMNS if any(r.get(c) not in (None, "") for r in rows)]
  shared = [c for c in shown if c in _SETTINGS and len(rows) > 1 and
            len({json.dumps(r.get(c)) for r in rows}) == 1]
  shown = [c for c in shown if c not in shared]
  lines = []
  if shared:
    lines.append("All rows: " + ", ".join(f"{c} {columns.cell(rows[0].get(c), c)}" for c in shared)
                 + "\n")
  lines += ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
  for row in rows:
    lines.append("| " + " | ".join(columns.cell(row.get(c), c) for c in shown) + " |")
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
  parts = [f"{c} {columns.cell(row.get(c), c)}" for c in varying
           if c != "model" and row.get(c) not in (None, "")]
  return ", ".join(parts) or str(row["benchmark"])


def figure(rows: list[dict], title: str = "") -> bytes | None:
  """k-NN (the headline k, clean bank) by layer of every row with a probe, mean and standard
  deviation over seeds, one panel per model; None if no row has a probe."""
  from suite.results import knn_figures  # pylint: disable=g-import-not-at-top  (matplotlib)
  probed = [r for r in rows if r.get(columns.BY_LAYER)]
  if not probed:
    return None
  by_model: dict = {}
  for row in probed:
    by_model.setdefault(str(row["model"]), []).append(row)
  # A line is named by what tells it from the other lines of its panel (a model's rows).
  varying = {model: [c for c in ["benchmark"] + [h for h, _ in columns.SETTING_COLUMNS]
                     if len({json.dumps(r.get(c), default=str) for r in alike}) > 1]
             for model, alike in by_model.items()}
  panels: dict = {}
  for row in probed:
    lines = panels.setdefault(str(row["model"]), {})
    label = _label(row, varying[str(row["model"])])
    while label in lines:  # Rows alike in every varying setting but one hidden one.
      label += " "
    lines[label] = {e: (v["mean"], v["std"], v["n"]) for e, v in row[columns.BY_LAYER].items()
                    if v}
  return knn_figures.knn_by_layer_over_seeds(
      panels, k=constants.HEADLINE_K,
      title=title or f"{constants.HEADLINE_K}-NN accuracy by layer")


def dataset_markdown(comparison: dict) -> str:
  """The comparison as one Markdown table: mean ± std over seeds, `-` where a condition
  did not run on a dataset; the per-dataset and shared settings above it."""
  datasets = comparison["datasets"]
  lines = []
  if comparison["shared"]:
    lines.append("All rows: " + ", ".join(f"{c} {columns.cell(v, c)}"
                                          for c, v in comparison["shared"].items()
                                          if v not in (None, "")) + "\n")
  for dataset in datasets:
    own = comparison["dataset_settings"].get(dataset) or {}
    text = ", ".join(f"{c} {columns.cell(v, c)}" for c, v in own.items() if v not in (None, ""))
    if text:
      lines.append(f"{dataset}: {text}\n")
  headers = ["condition"] + [f"{d}: {c}" for d in datasets
                             for c in ("seeds",) + columns.DATASET_COLUMNS]
  lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
  for row in comparison["rows"]:
    cells = [row["condition"]]
    for dataset in datasets:
      group = row[dataset] or {}
      cells.append(str(group["seeds"]) if group else "-")
      cells += [columns.cell(group.get(c)) for c in columns.DATASET_COLUMNS]
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
    fields += [f"{dataset} {c} {s}" for c in columns.DATASET_COLUMNS for s in ("mean", "std", "n")]
  writer = csv.DictWriter(buffer, fieldnames=fields)
  writer.writeheader()
  for row in comparison["rows"]:
    out = {"condition": row["condition"], **row["settings"]}
    for dataset in comparison["datasets"]:
      group = row[dataset] or {}
      out[f"{dataset} seeds"] = group.get("seeds")
      for column in columns.DATASET_COLUMNS:
        stats = group.get(column) or {}
        for s in ("mean", "std", "n"):
          out[f"{dataset} {column} {s}"] = stats.get(s)
    writer.writerow(out)
  return buffer.getvalue()


def dataset_figure(comparison: dict, title: str = "") -> bytes | None:
  """k-NN (the headline k, clean bank) by layer, one panel per dataset, a line per condition and
  one for the random initialisation, mean ± std over seeds (knn_figures.knn_by_layer_over_seeds);
  None if nothing was probed."""
  from suite.results import knn_figures  # pylint: disable=g-import-not-at-top  (matplotlib)
  panels: dict = {}
  for dataset in comparison["datasets"]:
    lines = {}
    for row in comparison["rows"]:
      layers = (row[dataset] or {}).get(columns.BY_LAYER) or {}
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
  return knn_figures.knn_by_layer_over_seeds(
      panels, k=constants.HEADLINE_K,
      title=title or f"{constants.HEADLINE_K}-NN accuracy by layer per dataset")
