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

"""Figures as PNG bytes (matplotlib, no display needed), and where runs keep them.

The plot kinds every experiment uses (lines over a sweep, heatmaps, intervals by layer);
the k-NN figures are in knn_figures, the training-dynamics figures in training_figures.
"""

import io
import math
import os
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position
from scipy import stats as scipy_stats  # pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

from suite import constants  # pylint: disable=g-import-not-at-top,wrong-import-position
from suite.results import atomic  # pylint: disable=g-import-not-at-top,wrong-import-position



def png_bytes(fig) -> bytes:
  fig.tight_layout()
  buffer = io.BytesIO()
  fig.savefig(buffer, format="png")
  plt.close(fig)
  return buffer.getvalue()


def write_figure(run_dir: str, name: str, png: bytes) -> str:
  """Writes `png` to run_dir/figures/name (local or bucket path), atomically; returns the
  path. errors.WriteError if it cannot (the previous figure, if any, is left)."""
  return atomic.write(os.path.join(run_dir, constants.FIGURES_DIR, name), png, "the figure")


def write_summary_images(output_dir: str, images: dict, step: int = 0) -> None:
  """Figures ({name: PNG bytes}) as TensorBoard images in an experiment's summary
  directory, output_dir/tensorboard (its runs keep theirs in their own directories)."""
  writer = tf.summary.create_file_writer(os.path.join(output_dir, constants.TENSORBOARD_DIR))
  with writer.as_default(step=step):
    for name, png in images.items():
      tf.summary.image(name, tf.io.decode_png(png)[None])
  writer.flush()
  writer.close()


ERROR_BARS = ("std", "t95")  # The standard deviation over seeds, or the 95% t interval.


def half_width(std: float, n: int, error: str) -> float:
  if error == "std" or n < 2:
    return std
  return float(scipy_stats.t.ppf(0.975, n - 1)) * std / math.sqrt(n)


def sweep_lines(panels: dict, xlabel: str | None = None, title: str = "",
                ylabels: dict | None = None, log_x: bool | None = None,
                notes: dict | None = None, unit_interval: bool = True) -> bytes:
  """Outcomes against a swept value with error bars (std) over seeds, one panel each:
  fit and k-NN against the pool size or the augmentation strength; epochs to fit against
  noise level, data size or capacity; Gini against noise level.

  Args:
    panels: {panel title: {line label: {x: (mean, std, n seeds)}}}; x numeric.
    xlabel: the swept value's name (None: each panel's title).
    title: the figure's title (wrapped to the figure's width).
    ylabels: {panel title: y-axis label} (default: the panel title).
    log_x: a logarithmic x axis (symlog when some x is 0); None: where the values span a
      factor of 8 or more (widths, sizes).
    notes: {panel title: a line under it} (e.g. how never-fitted runs are drawn).
    unit_interval: the outcomes are fractions (y from 0 to 1).
  """
  notes = notes or {}
  width = max(6.0, 5.5 * max(1, len(panels)))
  fig, axes = plt.subplots(1, max(1, len(panels)), squeeze=False, dpi=100,
                           figsize=(width, 4.2))
  for ax, (panel, lines) in zip(axes[0], panels.items()):
    for i, (label, values) in enumerate(lines.items()):
      xs = sorted(values)
      if not xs:
        continue
      seeds = max(values[x][2] for x in xs)
      ax.errorbar(xs, [values[x][0] for x in xs], yerr=[values[x][1] for x in xs], fmt="o-",
                  capsize=3, color=f"C{i % 10}",
                  label=f"{label} (n={seeds})" if seeds > 1 else label)
    every = sorted({x for values in lines.values() for x in values})
    logarithmic = log_x if log_x is not None else bool(
        every and every[0] > 0 and every[-1] / every[0] >= 8)
    if logarithmic and every:
      if every[0] > 0:
        ax.set_xscale("log")
      else:
        ax.set_xscale("symlog", linthresh=1.0)
    if every:
      ax.set_xticks(every)
      ax.set_xticklabels([f"{x:g}" for x in every])
      ax.minorticks_off()
    ax.set_xlabel(xlabel if xlabel is not None else panel)
    ax.set_ylabel((ylabels or {}).get(panel, panel))
    if unit_interval:
      ax.set_ylim(0.0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(panel + (f"\n{notes[panel]}" if panel in notes else ""), fontsize=9)
    if ax.lines:
      ax.legend(fontsize=7, loc="best")
  fig.suptitle(textwrap.fill(title, int(width * 12)) if title else "", fontsize=10)
  return png_bytes(fig)


def heatmaps(panels: dict, row_label: str, column_label: str, title: str = "",
             value_label: str = "") -> bytes:
  """Mean outcomes on a grid of two swept values, one panel per condition.

  Args:
    panels: {panel title: (row values, column values, {(row, column): (mean, std, n)})};
      missing cells are left blank.
    row_label: the name of the rows' value (a capacity: width, width multiplier...).
    column_label: the name of the columns' value (the pool size n).
    title: the figure's title.
    value_label: the colour bar's label.
  """
  fig, axes = plt.subplots(1, max(1, len(panels)), squeeze=False, dpi=100,
                           figsize=(5.0 * max(1, len(panels)), 4.2))
  for ax, (panel, (rows, columns, cells)) in zip(axes[0], panels.items()):
    grid = [[cells[(r, c)][0] if (r, c) in cells else float("nan") for c in columns]
            for r in rows]
    image = ax.imshow(grid, vmin=0.0, vmax=1.0, cmap="viridis", origin="lower", aspect="auto")
    for i, r in enumerate(rows):
      for j, c in enumerate(columns):
        if (r, c) in cells:
          mean, std, n = cells[(r, c)]
          ax.text(j, i, f"{mean:.2f}\n±{std:.2f} (n={n})" if n > 1 else f"{mean:.2f}",
                  ha="center", va="center", fontsize=7,
                  color="white" if mean < 0.6 else "black")
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels([f"{c:g}" for c in columns])
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r:g}" for r in rows])
    ax.set_xlabel(column_label)
    ax.set_ylabel(row_label)
    ax.set_title(panel, fontsize=10)
    fig.colorbar(image, ax=ax, label=value_label)
  fig.suptitle(title)
  return png_bytes(fig)


def by_layer_intervals(panels: dict, ylabel: str, title: str = "",
                       unit_interval: bool = False) -> bytes:
  """Outcomes by layer with intervals over seeds (not std), one panel each: the drops of
  fit after layer rewinding and retraining beside the noisy-bank k-NN of the same runs.

  Args:
    panels: {panel title: {line label: {layer: (mean, lo, hi, n)}}}; layers input first.
    ylabel: the y axis's label (say which interval).
    title: the figure's title.
    unit_interval: the outcomes are fractions (y from 0 to 1); else a line at 0.
  """
  most = max((len(v) for lines in panels.values() for v in lines.values()), default=1)
  width = max(5.0, 0.55 * most + 2.0)
  fig, axes = plt.subplots(1, max(1, len(panels)), squeeze=False, dpi=100,
                           figsize=(width * max(1, len(panels)), 4.5))
  for ax, (panel, lines) in zip(axes[0], panels.items()):
    layers = list(dict.fromkeys(e for values in lines.values() for e in values))
    for i, (label, values) in enumerate(lines.items()):
      x = [layers.index(e) for e in values]
      mean = np.array([v[0] for v in values.values()], np.float64)
      lo = np.array([v[1] for v in values.values()], np.float64)
      hi = np.array([v[2] for v in values.values()], np.float64)
      n = max((v[3] for v in values.values()), default=1)
      errors = np.nan_to_num(np.stack([mean - lo, hi - mean]), posinf=0.0, neginf=0.0)
      ax.errorbar(x, mean, yerr=errors, fmt="o-", capsize=3, color=f"C{i % 10}",
                  label=f"{label} (n={n})" if n > 1 else label)
    ax.set_xticks(range(len(layers)))
    ax.set_xticklabels(layers, rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    if unit_interval:
      ax.set_ylim(0.0, 1.02)
    else:
      ax.axhline(0.0, color="gray", linewidth=0.8)
    ax.grid(alpha=0.3)
    ax.set_title(panel, fontsize=9)
    if ax.lines:
      ax.legend(fontsize=7, loc="best")
  fig.suptitle(textwrap.fill(title, int(width * 12 * max(1, len(panels)))) if title else "",
               fontsize=10)
  return png_bytes(fig)
