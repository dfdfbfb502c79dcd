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

"""k-NN figures: accuracy by layer for one run and over seeds, and the benign frontier.
"""

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position

from suite import constants  # pylint: disable=g-import-not-at-top,wrong-import-position
from suite.results import plots  # pylint: disable=g-import-not-at-top,wrong-import-position



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
  return plots.png_bytes(fig)


def knn_by_layer_over_seeds(panels: dict, k: int = constants.HEADLINE_K, title: str = "",
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
  if error not in plots.ERROR_BARS:
    raise ValueError(f"error bars {error!r}; expected one of {plots.ERROR_BARS}")
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
                  yerr=[plots.half_width(s, n, error) for _, s, n in values.values()],
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
  return plots.png_bytes(fig)


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
  return plots.png_bytes(fig)


# Memorization dynamics figures.
