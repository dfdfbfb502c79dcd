"""Figures as PNG bytes (matplotlib, no display needed)."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position


def knn_by_layer(table: dict, controls: dict | None = None, k: int = 20, title: str = "") -> bytes:
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
  fig.tight_layout()
  buffer = io.BytesIO()
  fig.savefig(buffer, format="png")
  plt.close(fig)
  return buffer.getvalue()
