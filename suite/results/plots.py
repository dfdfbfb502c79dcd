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

"""Figures as PNG bytes (matplotlib, no display needed), and where runs keep them."""

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


def _png(fig) -> bytes:
  fig.tight_layout()
  buffer = io.BytesIO()
  fig.savefig(buffer, format="png")
  plt.close(fig)
  return buffer.getvalue()


def knn_by_layer(table: dict, controls: dict | None = None, k: int = constants.HEADLINE_K, title: str = "") -> bytes:
  """k-NN accuracy per endpoint: trained (clean and noisy bank) against the controls."""
  key = f"k{k}"
  endpoints = table["endpoints"]
  x = range(len(endpoints))
  fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(endpoints)), 4.0), dpi=100)
  ax.plot(x, [table["clean"][e][key] for e in endpoints], "o-", label="trained (clean-label bank)")
  if "noisy" in table:
    ax.plot(x, [table["noisy"][e][key] for e in endpoints], "s--",
            label="trained, noisy-label bank (leave-one-out on corrupted)")
  controls = controls or {}
  if "random_init" in controls:
    ax.plot(x, [controls["random_init"]["clean"][e][key] for e in endpoints], "^:",
            label="random initialisation")
  if "clean_labels" in controls:
    clean = controls["clean_labels"]["clean"]
    ax.plot(x, [clean.get(e, {}).get(key, float("nan")) for e in endpoints], "d-.",
            label="trained on clean labels")
  if "raw_pixels" in controls:
    ax.axhline(controls["raw_pixels"]["clean"][key], color="gray", linestyle="--",
               label="raw pixels")
  ax.set_xticks(list(x))
  ax.set_xticklabels(endpoints, rotation=45, ha="right")
  ax.set_ylabel(f"{k}-NN accuracy")
  ax.set_ylim(0.0, 1.0)
  ax.grid(alpha=0.3)
  ax.set_title(title or f"{k}-NN accuracy by layer")
  ax.legend(fontsize=8, loc="best")
  return _png(fig)


def dynamics(histories: dict, title: str = "") -> bytes:
  """Per run ({name: history}): fit of clean and corrupted examples, and the critical
  sample ratio of each, over epochs - real data first, noise later."""
  fig, (fit_ax, csr_ax) = plt.subplots(1, 2, figsize=(11.0, 4.0), dpi=100)
  for i, (name, history) in enumerate(histories.items()):
    color = f"C{i % 10}"
    for kind, style in (("clean", "-"), ("corrupted", "--")):
      for ax, key in ((fit_ax, f"memorization/fit_{kind}"), (csr_ax, f"csr/{kind}")):
        points = [(h["epoch"], h[key]) for h in history if h.get(key) is not None]
        if points:
          ax.plot(*zip(*points), style, color=color, label=f"{name}, {kind}")
  for ax, label in ((fit_ax, "fit of the training labels"), (csr_ax, "critical sample ratio")):
    ax.set_xlabel("epoch")
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    if ax.lines:
      ax.legend(fontsize=7, loc="best")
  fit_ax.set_ylim(0.0, 1.02)
  fig.suptitle(title or "memorization dynamics")
  return _png(fig)


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


def difficulty(curves: dict, title: str = "") -> bytes:
  """Per-example difficulty (Arpit et al. 2017, Fig. 1): per data kind ({kind: {'rates':
  per-example error rates over runs sorted in decreasing order, 'null_low', 'null_high',
  'null_mean': the same under the within-run permutation null, 'runs'}}), the sorted
  rates against the null's central 95% band. Real data: a few examples always wrong, many
  never; noise: on the band."""
  fig, (rank_ax, hist_ax) = plt.subplots(1, 2, figsize=(11.0, 4.0), dpi=100)
  for i, (kind, curve) in enumerate(curves.items()):
    color = f"C{i % 10}"
    rates = curve["rates"]
    n = len(rates)
    x = [(r + 0.5) / n for r in range(n)] if n else []
    label = f"{kind.replace('_', ' ')} ({n} examples)"
    rank_ax.fill_between(x, curve["null_low"], curve["null_high"], color=color, alpha=0.2,
                         linewidth=0)
    rank_ax.plot(x, curve["null_mean"], ":", color=color, linewidth=1)
    rank_ax.plot(x, rates, "-", color=color, label=label)
    runs = curve.get("runs") or 1
    bins = [(b - 0.5) / runs for b in range(runs + 2)]
    hist_ax.hist(rates, bins=bins, histtype="step", color=color, label=label,
                 weights=[1.0 / n] * n if n else None)
  rank_ax.set_xlabel("examples, sorted by error rate (fraction)")
  rank_ax.set_ylabel("misclassified in this fraction of runs")
  rank_ax.set_ylim(-0.02, 1.02)
  rank_ax.set_title("sorted; band: permutation null (95%), dotted: its mean", fontsize=9)
  hist_ax.set_xlabel("per-example error rate over runs")
  hist_ax.set_ylabel("fraction of examples")
  for ax in (rank_ax, hist_ax):
    ax.grid(alpha=0.3)
    if ax.lines or ax.patches:
      ax.legend(fontsize=7, loc="best")
  fig.suptitle(title or "per-example difficulty after one epoch")
  return _png(fig)


ERROR_BARS = ("std", "t95")  # The standard deviation over seeds, or the 95% t interval.


def _half_width(std: float, n: int, error: str) -> float:
  if error == "std" or n < 2:
    return std
  return float(scipy_stats.t.ppf(0.975, n - 1)) * std / math.sqrt(n)


def knn_by_layer_over_seeds(panels: dict, k: int = 20, title: str = "",
                            error: str = "std") -> bytes:
  """k-NN accuracy by layer with error bars over seeds, one panel per model.

  Args:
    panels: {panel title (a model): {line label (a condition): {endpoint: (mean, std, n)}}};
      endpoints in order from input to output.
    k: the number of neighbours (for the axis label).
    title: the figure's title.
    error: the error bars: "std" (the standard deviation over seeds) or "t95" (the
      two-sided 95% t interval of the mean, the interval the claims use).
  """
  if error not in ERROR_BARS:
    raise ValueError(f"error bars {error!r}; expected one of {ERROR_BARS}")
  most = max((len(values) for lines in panels.values() for values in lines.values()), default=1)
  width = max(6.0, 0.6 * most + 2.0)  # Room for the endpoint names under each panel.
  fig, axes = plt.subplots(1, len(panels), squeeze=False, dpi=100,
                           figsize=(width * len(panels), 4.5))
  for ax, (panel, lines) in zip(axes[0], panels.items()):
    endpoints = list(dict.fromkeys(e for values in lines.values() for e in values))
    for i, (label, values) in enumerate(lines.items()):
      x = [endpoints.index(e) for e in values]
      seeds = max((n for _, _, n in values.values()), default=1)
      ax.errorbar(x, [m for m, _, _ in values.values()],
                  yerr=[_half_width(s, n, error) for _, s, n in values.values()],
                  fmt="o-", capsize=3, color=f"C{i % 10}",
                  label=f"{label} (n={seeds})" if seeds > 1 else label)
    ax.set_xticks(range(len(endpoints)))
    ax.set_xticklabels(endpoints, rotation=45, ha="right")
    ax.set_ylabel(f"{k}-NN accuracy (mean ± std over seeds)" if error == "std" else
                  f"{k}-NN accuracy (mean, 95% t interval over seeds)")
    ax.set_ylim(0.0, 1.0)
    ax.grid(alpha=0.3)
    ax.set_title(panel)
    ax.legend(fontsize=7, loc="best")
  fig.suptitle(title or f"{k}-NN accuracy by layer")
  return _png(fig)


# The benign-memorization frontier.


def benign_frontier(panels: dict, k: int = constants.HEADLINE_K, title: str = "") -> bytes:
  """Encoder k-NN against training length, one panel per configuration.

  Args:
    panels: {panel title (a configuration): {line label (a condition): {epoch: (mean,
      std, n)}}}; error bars are the std over seeds.
    k: the number of neighbours (for the axis label).
    title: the figure's title.
  """
  columns = min(3, max(1, len(panels)))
  rows = -(-len(panels) // columns) if panels else 1
  fig, axes = plt.subplots(rows, columns, squeeze=False, dpi=100, sharey=True,
                           figsize=(max(6.5, 4.8 * columns), 3.8 * rows))
  styles = ("o-", "s--", ":")
  for ax, (panel, lines) in zip(axes.flat, panels.items()):
    for i, (line, points) in enumerate(lines.items()):
      epochs = sorted(points)
      seeds = max((points[e][2] for e in epochs), default=0)
      ax.errorbar(epochs, [points[e][0] for e in epochs], yerr=[points[e][1] for e in epochs],
                  fmt=styles[i % len(styles)], capsize=3, color=f"C{i % 10}",
                  label=f"{line} (n={seeds})")
    ax.set_title(textwrap.fill(panel, 55), fontsize=8)  # Configuration names run long.
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6, loc="best")
  for ax in axes[:, 0]:
    ax.set_ylabel(f"encoder {k}-NN accuracy (mean ± std)")
  for ax in list(axes.flat)[len(panels):]:
    ax.set_visible(False)
  fig.suptitle(title or f"benign-memorization frontier: encoder {k}-NN, clean-label bank",
               fontsize=10)
  return _png(fig)


# Memorization dynamics figures.


def class_sensitivity_grid(rows: dict, class_names=None,
                           title: str = "") -> bytes:
  """Per-class loss sensitivity maps (Arpit et al. 2017): a grid, one row per group
  ({row label: [C, H, W] mean |dL/dx| maps, NaN where a class has no example}), one
  column per class; each row on its own colour scale (groups differ in magnitude)."""
  classes = max((len(maps) for maps in rows.values()), default=1)
  fig, axes = plt.subplots(max(1, len(rows)), classes, squeeze=False, dpi=100,
                           figsize=(1.3 * classes + 0.8, 1.5 * max(1, len(rows)) + 0.6))
  for r, (label, maps) in enumerate(rows.items()):
    finite = [m for m in maps if m.size and not np.isnan(m).all()]
    top = max((float(np.nanmax(m)) for m in finite), default=1.0) or 1.0
    for c in range(classes):
      ax = axes[r][c]
      ax.set_xticks([])
      ax.set_yticks([])
      if c < len(maps) and not np.isnan(maps[c]).all():
        ax.imshow(maps[c], cmap="viridis", vmin=0.0, vmax=top)
      if r == 0:
        name = class_names[c] if class_names and c < len(class_names) else str(c)
        ax.set_title(str(name)[:10], fontsize=7)
      if c == 0:
        ax.set_ylabel(label, fontsize=7)
  fig.suptitle(title or "mean |dL/dx| per class", fontsize=9)
  return _png(fig)


def loss_trajectories(epochs, loss, first_learned, corrupted, title: str = "",
                      max_rows: int = 300) -> bytes:
  """Per-example training loss over epochs, examples sorted by ease (first-learned
  epoch; never learned last), clean and corrupted examples side by side (heat maps,
  one row per example; at most `max_rows` evenly spaced ranks per panel).

  Args:
    epochs: [E] the logged epochs.
    loss: [E, N] per-example training loss.
    first_learned: [N] first epoch from which each example stays correct (-1: never).
    corrupted: [N] booleans.
    title: the figure's title.
    max_rows: rows drawn per panel.
  """
  epochs, loss = np.asarray(epochs), np.asarray(loss, np.float64)
  first_learned, corrupted = np.asarray(first_learned), np.asarray(corrupted, bool)
  top = float(np.quantile(loss, 0.99)) if loss.size else 1.0
  fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.5), dpi=100, squeeze=False)
  for ax, (name, group) in zip(axes[0], (("clean", ~corrupted), ("corrupted", corrupted))):
    columns = np.flatnonzero(group)
    if not len(columns):
      ax.set_title(f"{name}: no examples", fontsize=9)
      continue
    key = np.where(first_learned[columns] < 0, np.iinfo(np.int64).max, first_learned[columns])
    order = columns[np.argsort(key, kind="stable")]
    picked = order[np.unique(np.linspace(0, len(order) - 1, min(max_rows, len(order)))
                             .round().astype(int))]
    image = ax.imshow(loss[:, picked].T, aspect="auto", cmap="magma", vmin=0.0,
                      vmax=max(top, 1e-6), interpolation="nearest",
                      extent=(float(epochs[0]) - 0.5, float(epochs[-1]) + 0.5, len(picked), 0))
    learned = first_learned[picked]
    ax.plot(np.where(learned >= 0, learned, np.nan), np.arange(len(picked)) + 0.5, ",",
            color="cyan")
    ax.set_xlabel("epoch")
    ax.set_ylabel("examples, sorted by first-learned epoch")
    never = float(np.mean(first_learned[columns] < 0))
    ax.set_title(f"{name} ({len(columns)} examples, {never:.0%} never learned)", fontsize=9)
    fig.colorbar(image, ax=ax, label="training loss")
  fig.suptitle(title or "per-example loss, sorted by ease")
  return _png(fig)


# Benign memorization figures.


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
  return _png(fig)


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
  return _png(fig)


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
  return _png(fig)
