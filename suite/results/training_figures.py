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

"""Training-dynamics figures: fit curves, per-example difficulty, per-class loss
sensitivity and loss trajectories.
"""


import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position

from suite.results import plots  # pylint: disable=g-import-not-at-top,wrong-import-position



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
  return plots.png_bytes(fig)


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
  return plots.png_bytes(fig)


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
  return plots.png_bytes(fig)


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
  return plots.png_bytes(fig)


# Benign memorization figures.
