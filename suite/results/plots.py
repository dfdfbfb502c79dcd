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
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

from suite import constants  # pylint: disable=g-import-not-at-top,wrong-import-position


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
  """Writes `png` to run_dir/figures/name (local or bucket path); returns the path."""
  directory = os.path.join(run_dir, constants.FIGURES_DIR)
  tf.io.gfile.makedirs(directory)
  path = os.path.join(directory, name)
  with tf.io.gfile.GFile(path, "wb") as f:
    f.write(png)
  return path


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


def knn_by_layer_over_seeds(panels: dict, k: int = 20, title: str = "") -> bytes:
  """k-NN accuracy by layer with error bars over seeds, one panel per model.

  Args:
    panels: {panel title (a model): {line label (a condition): {endpoint: (mean, std, n)}}};
      endpoints in order from input to output.
    k: the number of neighbours (for the axis label).
    title: the figure's title.
  """
  most = max((len(values) for lines in panels.values() for values in lines.values()), default=1)
  width = max(6.0, 0.6 * most + 2.0)  # Room for the endpoint names under each panel.
  fig, axes = plt.subplots(1, len(panels), squeeze=False, dpi=100,
                           figsize=(width * len(panels), 4.5))
  for ax, (panel, lines) in zip(axes[0], panels.items()):
    endpoints = list(dict.fromkeys(e for values in lines.values() for e in values))
    for i, (label, values) in enumerate(lines.items()):
      x = [endpoints.index(e) for e in values]
      seeds = max((n for _, _, n in values.values()), default=1)
      ax.errorbar(x, [m for m, _, _ in values.values()], yerr=[s for _, s, _ in values.values()],
                  fmt="o-", capsize=3, color=f"C{i % 10}",
                  label=f"{label} (n={seeds})" if seeds > 1 else label)
    ax.set_xticks(range(len(endpoints)))
    ax.set_xticklabels(endpoints, rotation=45, ha="right")
    ax.set_ylabel(f"{k}-NN accuracy (mean ± std over seeds)")
    ax.set_ylim(0.0, 1.0)
    ax.grid(alpha=0.3)
    ax.set_title(panel)
    ax.legend(fontsize=7, loc="best")
  fig.suptitle(title or f"{k}-NN accuracy by layer")
  return _png(fig)


# Benign memorization figures.


def sweep_lines(panels: dict, xlabel: str, title: str = "", ylabels: dict | None = None,
                log_x: bool = False) -> bytes:
  """Outcomes against a swept value with error bars over seeds, one panel per outcome.

  Args:
    panels: {panel title: {line label: {x: (mean, std, n seeds)}}}; x numeric.
    xlabel: the swept value's name.
    title: the figure's title.
    ylabels: {panel title: y-axis label} (default: the panel title).
    log_x: a logarithmic x axis (pool sizes n, widths); symlog when some x is 0.
  """
  fig, axes = plt.subplots(1, max(1, len(panels)), squeeze=False, dpi=100,
                           figsize=(5.5 * max(1, len(panels)), 4.2))
  for ax, (panel, lines) in zip(axes[0], panels.items()):
    for i, (label, values) in enumerate(lines.items()):
      xs = sorted(values)
      seeds = max((values[x][2] for x in xs), default=1)
      ax.errorbar(xs, [values[x][0] for x in xs], yerr=[values[x][1] for x in xs], fmt="o-",
                  capsize=3, color=f"C{i % 10}",
                  label=f"{label} (n={seeds})" if seeds > 1 else label)
    if log_x:
      every = [x for values in lines.values() for x in values]
      if every and min(every) > 0:
        ax.set_xscale("log")
      else:
        ax.set_xscale("symlog", linthresh=1.0)
    ticks = sorted({x for values in lines.values() for x in values})
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{x:g}" for x in ticks])
    ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel((ylabels or {}).get(panel, panel))
    ax.set_ylim(0.0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(panel, fontsize=10)
    if ax.lines:
      ax.legend(fontsize=7, loc="best")
  fig.suptitle(title)
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
