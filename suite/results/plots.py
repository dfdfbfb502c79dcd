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
