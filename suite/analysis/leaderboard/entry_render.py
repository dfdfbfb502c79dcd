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

"""The leaderboard of a track, written: `markdown` (a row per entry), `csv_text` (a row
per entry and metric, every number), `figure` (a panel per metric: each entry's mean and
interval) and `write` (all three files or none).
"""

import csv
import io
import json
import os
from typing import Any

import numpy as np

from suite.analysis.leaderboard import entry_board
from suite.results import atomic
from suite.results import tables

FILES = ("leaderboard.md", "leaderboard.csv", "leaderboard.png")
BETTER, WORSE = "✓", "✗"


def number(value: float | None, signed: bool = False) -> str:
  """3 decimals below 10, 1 below 100, none above; `-` for None."""
  if value is None:
    return "-"
  digits = 3 if abs(value) < 10 else 1 if abs(value) < 100 else 0
  return f"{value:{'+' if signed else ''}.{digits}f}"


def metric_text(cell: dict) -> str:
  """`mean [lo, hi]`, `mean` without an interval, `-` without a mean."""
  if cell["mean"] is None:
    return "-"
  if cell["lo"] is None or cell["hi"] is None:
    return number(cell["mean"])
  return f"{number(cell['mean'])} [{number(cell['lo'])}, {number(cell['hi'])}]"


def difference_text(d: dict, seeds: int) -> str:
  """`+0.012 [-0.010, 0.030]`, with ✓ (better) or ✗ (worse) where it holds after Holm,
  `(n=k)` where fewer seeds than the entry's were paired; `+0.012 (n<3)` untested."""
  if d["mean"] is None:
    return "no paired seeds"
  if d["verdict"] == entry_board.NO_TEST:
    return f"{number(d['mean'], True)} ({entry_board.NO_TEST})"
  text = f"{number(d['mean'], True)} [{number(d['interval'][0])}, {number(d['interval'][1])}]"
  if d["n"] < seeds:
    text += f" (n={d['n']})"
  marker = {"better": BETTER, "worse": WORSE}.get(d["verdict"])
  return f"{text} {marker}" if marker else text


def _escape(text: Any) -> str:
  return " ".join(str(text).split()).replace("|", "\\|")


def _claims_text(counts: dict[str, int]) -> str:
  if not counts:
    return "-"
  order = ["held", "contradicted", "inconclusive", "not testable"]
  verdicts = sorted(counts, key=lambda v: (order.index(v) if v in order else len(order), v))
  return ", ".join(f"{counts[v]} {v}" for v in verdicts)


def headers(board: entry_board.Board) -> list[str]:
  """The Markdown table's columns."""
  columns = ["#", "entry", "model", "method", "seeds"]
  columns += [metric["name"] for metric in board.metrics]
  return columns + ["claims", "wall", "hardware", "suite"]


def markdown(board: entry_board.Board) -> str:
  """The table: a line on the track and the ranking, a row per entry, then what the
  columns mean and the records left out."""
  by = board.metrics[0] if board.metrics else None
  lines = [f"Track {board.track_id} (track hash {board.track_sha256[:12]}): "
           f"{len(board.rows)} entr{'y' if len(board.rows) == 1 else 'ies'}"
           + (f", baseline {board.baseline}" if board.baseline else ", no baseline")
           + (f"; ranked by {by['name']} ({by['direction']} is better), then the next "
              "metrics." if by else "."), ""]
  columns = headers(board)
  lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
  for row in board.rows:
    cells = [str(row["rank"]), _escape(row["label"]) + (" (baseline)" if row["baseline"] else ""),
             _escape(row["model"]), _escape(row["method"] or "-"), str(row["seeds"])]
    for metric in board.metrics:
      # The difference from the baseline under the entry's own value, in one cell: a
      # column per metric keeps the table readable at six metrics.
      d = row["differences"].get(metric["name"]) if board.baseline else None
      cells.append(metric_text(row["metrics"][metric["name"]]) +
                   (f"<br>Δ {difference_text(d, row['seeds'])}" if d else ""))
    cells += [_claims_text(row["claims"]), tables.duration(row["wall_seconds"]),
              _escape(row["hardware"] or "-"), _escape(row["suite"])]
    lines.append("| " + " | ".join(cells) + " |")
  lines.append("")
  lines.append("Metrics: mean over seeds [95% interval], as each entry's record states" +
               ("; below it, Δ the difference from the baseline." if board.baseline else "."))
  if board.baseline:
    lines.append(
        f"Δ: the entry minus {board.baseline}, paired by seed over the seeds both have, "
        f"mean [95% t interval]; {BETTER} better, {WORSE} worse: the difference holds after "
        f"Holm's correction over the entry's metrics (two-sided paired t test, adjusted "
        f"p < {entry_board.ALPHA:g}); {entry_board.NO_TEST}: fewer than {entry_board.MIN_PAIRED} paired seeds, not tested.")
  for metric in board.metrics:
    definition = f": {_escape(metric['definition'])}" if metric["definition"] else ""
    lines.append(f"- {metric['name']} ({metric['direction']} is better){definition}")
  if board.skipped:
    lines.append("")
    lines.append(f"Left out ({len(board.skipped)}):")
    lines += [f"- {path}: {reason}" for path, reason in board.skipped]
  return "\n".join(lines) + "\n"


CSV_FIELDS = ("rank", "entry", "name", "baseline", "model", "model_sha256", "method",
              "method_sha256", "code_sha256", "track", "track_sha256", "metric", "direction",
              "mean", "lo", "hi", "n", "per_seed", "diff_n", "diff_mean", "diff_lo", "diff_hi",
              "p", "p_holm", "verdict", "claims", "wall_seconds", "hardware", "suite", "path")


def csv_text(board: entry_board.Board) -> str:
  """A row per entry and metric: every number of the table at full precision (the
  difference's fields empty for the baseline, or without one)."""
  buffer = io.StringIO()
  writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
  writer.writeheader()
  for row in board.rows:
    for metric in board.metrics:
      cell = row["metrics"][metric["name"]]
      d = row["differences"].get(metric["name"]) or {}
      interval = d.get("interval") or [None, None]
      writer.writerow({
          "rank": row["rank"], "entry": row["label"], "name": row["name"],
          "baseline": row["baseline"], "model": row["model"],
          "model_sha256": row["model_sha256"], "method": row["method"] or "",
          "method_sha256": row["method_sha256"] or "", "code_sha256": row["code"],
          "track": board.track_id, "track_sha256": board.track_sha256,
          "metric": metric["name"], "direction": metric["direction"],
          "mean": cell["mean"], "lo": cell["lo"], "hi": cell["hi"], "n": cell["n"],
          "per_seed": json.dumps(cell["per_seed"], sort_keys=True),
          "diff_n": d.get("n"), "diff_mean": d.get("mean"), "diff_lo": interval[0],
          "diff_hi": interval[1], "p": d.get("p"), "p_holm": d.get("p_holm"),
          "verdict": d.get("verdict"), "claims": _claims_text(row["claims"]),
          "wall_seconds": row["wall_seconds"], "hardware": row["hardware"],
          "suite": row["suite"], "path": row["path"]})
  return buffer.getvalue()


def figure(board: entry_board.Board) -> bytes | None:
  """A panel per metric: each entry's mean and interval, in rank order from the top, the
  baseline's mean as a dashed line; None when no entry has a mean."""
  if not any(row["metrics"][m["name"]]["mean"] is not None
             for row in board.rows for m in board.metrics):
    return None
  from suite.results import plots  # pylint: disable=g-import-not-at-top  (matplotlib, Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  columns = min(3, len(board.metrics))
  grid = -(-len(board.metrics) // columns)
  fig, axes = plt.subplots(grid, columns, squeeze=False, dpi=100, sharey=True,
                           figsize=(2.0 + 3.8 * columns,
                                    (1.0 + max(1.6, 0.35 * len(board.rows))) * grid + 0.4))
  labels = [row["label"] for row in board.rows]
  y = np.arange(len(board.rows))[::-1]
  for ax in axes.flat[len(board.metrics):]:
    ax.set_visible(False)
  for ax, metric in zip(axes.flat, board.metrics):
    for yi, row in zip(y, board.rows):
      cell = row["metrics"][metric["name"]]
      if cell["mean"] is None:
        continue
      lo = cell["mean"] if cell["lo"] is None else cell["lo"]
      hi = cell["mean"] if cell["hi"] is None else cell["hi"]
      ax.errorbar([cell["mean"]], [yi], xerr=[[max(0.0, cell["mean"] - lo)],
                                                       [max(0.0, hi - cell["mean"])]],
                  fmt="o", capsize=3, color="C1" if row["baseline"] else "C0")
      if row["baseline"]:
        ax.axvline(cell["mean"], color="C1", linestyle="--", linewidth=0.8)
    ax.set_title(f"{metric['name']} ({metric['direction']} is better)", fontsize=9)
    ax.grid(alpha=0.3)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(-0.6, len(board.rows) - 0.4)
  fig.suptitle(f"{board.track_id}: mean and 95% interval over seeds"
               + (f" (baseline {board.baseline} dashed)" if board.baseline else ""), fontsize=10)
  return plots.png_bytes(fig)


def write(board: entry_board.Board, board_dir: str) -> list[str]:
  """leaderboard.md, .csv and .png (where there is a figure) in board_dir, all or none
  (errors.WriteError), the table last; returns the names written."""
  outputs: dict[str, str | bytes] = {"leaderboard.md": markdown(board),
                                     "leaderboard.csv": csv_text(board)}
  png = figure(board)
  if png:
    outputs["leaderboard.png"] = png
  atomic.write_together({os.path.join(board_dir, name): content
                         for name, content in reversed(list(outputs.items()))},
                        "the leaderboard")
  return list(outputs)
