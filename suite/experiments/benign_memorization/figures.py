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


"""The figures of the benign-memorization experiment (`figures`), under
output_dir/figures and as TensorBoard images under output_dir/tensorboard."""

from collections.abc import Sequence
import os

from suite import constants
from suite.analysis import stats
from suite.analysis.claims import readings
from suite.experiments.benign_memorization import plan as plan_lib
from suite.results import knn_figures
from suite.results import plots

CONDITIONS = plan_lib.CONDITIONS
AUGMENTED = plan_lib.AUGMENTED
POOLED = plan_lib.POOLED

def _fit(rec: dict, condition: str) -> float | None:
  """The fit of the labels the run trained on: every (example, view) of a pool against
  its label, else the un-augmented corrupted examples (all examples for clean labels)."""
  key = ("memorization/view_fit" if condition in POOLED else "memorization/train_fit"
         if condition.startswith("clean") else "memorization/fit_corrupted")
  return rec.get("metrics", {}).get(key)


def _encoder_knn(rec: dict) -> float | None:
  probe = rec.get("probe", {})
  if not probe.get("endpoints"):
    return None
  endpoint = readings.encoder_endpoint(probe["endpoints"])
  return probe.get("clean", {}).get(endpoint, {}).get(constants.HEADLINE_KEY)



KNN_FIGURE = "knn_by_layer.png"
_MAX_PANELS = 4  # k-NN by layer: beyond this many panels, one figure per panel.
VIEWS_FIGURE = "fit_knn_vs_views.png"
STRENGTH_FIGURE = "fit_knn_vs_strength.png"
CAPACITY_FIGURE = "per_view_fit_capacity_views.png"


def figures(records: dict, at_points: list, sweep: plan_lib.Sweep,
            noisy_controls: dict | None = None) -> dict[str, bytes]:
  """The experiment's figures as PNG bytes, by file name.

  knn_by_layer.png: k-NN (clean-label bank, headline k) by layer per condition with the
  controls (random initialisation, raw pixels), mean and 95% t interval over seeds, a panel per
  combination of the other swept values (noise level...). When n is swept: fit of the
  training labels and encoder k-NN against n per pooled condition; when the strength is
  swept: the same against strength per augmented condition; when n and a capacity
  (width, width multiplier or projector) are swept: per-view (and per-example) fit on a
  capacity x n grid.
  """
  del noisy_controls  # The figures read the clean-label bank; the tables keep the rest.
  key = constants.HEADLINE_KEY
  out = {}
  # k-NN by layer, over seeds.
  panels: dict[str, dict] = {}
  per_panel: dict[tuple, dict[str, dict[str, dict]]] = {}
  for point, runs in at_points:
    lines = per_panel.setdefault(plan_lib.others(point, sweep), {})
    for condition, name in runs.items():
      rec = records[name]
      probe, controls = rec.get("probe", {}), rec.get("controls", {})
      for label, bank in ((condition, probe.get("clean", {})),
                          ("random init", controls.get("random_init", {}).get("clean", {}))):
        for endpoint in probe.get("endpoints", []):
          value = bank.get(endpoint, {}).get(key)
          # One value per (line, endpoint, seed): runs shared by points count once.
          lines.setdefault(label, {}).setdefault(endpoint, {})[point.seed] = value
      raw = controls.get("raw_pixels", {}).get("clean", {}).get(key)
      for endpoint in probe.get("endpoints", []):
        lines.setdefault("raw pixels (no layers)", {}).setdefault(endpoint, {})[point.seed] = raw
  for others, lines in per_panel.items():
    panel = {}
    for label in [c for c in CONDITIONS if c in lines] + ["random init",
                                                          "raw pixels (no layers)"]:
      by_endpoint = {e: stats.mean_std(list(seeds.values()))
                     for e, seeds in lines.get(label, {}).items()}
      if any(by_endpoint.values()):
        panel[label] = {e: v for e, v in by_endpoint.items() if v is not None}
    if panel:
      panels[plan_lib.label(others) or "all runs"] = panel
  title = (f"{constants.HEADLINE_K}-NN accuracy by layer (clean-label bank), mean and 95% t "
           "interval over seeds")
  if len(panels) <= _MAX_PANELS:
    if panels:
      out[KNN_FIGURE] = knn_figures.knn_by_layer_over_seeds(panels, k=constants.HEADLINE_K,
                                                      title=title, error="t95")
  else:  # One figure per combination of the other swept values: one row would not fit.
    for panel_name, panel_lines in panels.items():
      slug = "".join(c if c.isalnum() or c in ".-" else "_"
                     for c in panel_name.replace(", ", "_"))
      out[KNN_FIGURE.replace(".png", f"_{slug}.png")] = knn_figures.knn_by_layer_over_seeds(
          {panel_name: panel_lines}, k=constants.HEADLINE_K, title=title, error="t95")

  def against(field: str, conditions_used: Sequence[str]) -> dict:
    fit: dict[str, dict] = {}
    knn: dict[str, dict] = {}
    for point, runs in at_points:
      others = plan_lib.label(plan_lib.others(point, sweep, field))
      for condition in conditions_used:
        if condition not in runs:
          continue
        label = f"{condition}, {others}" if others else condition
        rec, x = records[runs[condition]], getattr(point, field)
        fit.setdefault(label, {}).setdefault(x, {})[point.seed] = _fit(rec, condition)
        knn.setdefault(label, {}).setdefault(x, {})[point.seed] = _encoder_knn(rec)
    summarise = lambda lines: {
        label: {x: v for x, seeds in by_x.items()
                if (v := stats.mean_std(list(seeds.values()))) is not None}
        for label, by_x in lines.items()}
    return {"fit of the training labels": summarise(fit),
            f"encoder {constants.HEADLINE_K}-NN (clean-label bank)": summarise(knn)}

  if len(sweep.num_views) > 1:
    out[VIEWS_FIGURE] = plots.sweep_lines(
        against("num_views", POOLED + ("random_augmented", "random_plain")),
        "views per example n", log_x=True,
        title="fit (pooled: every view against its label) and encoder k-NN against n\n"
        "random_augmented (fresh views) and random_plain (none) do not depend on n: flat")
  if len(sweep.augmentation_strength) > 1:
    out[STRENGTH_FIGURE] = plots.sweep_lines(
        against("augmentation_strength",
                [c for c in AUGMENTED if c in plan_lib.NOISY] + ["clean", "random_plain"]),
        "augmentation strength",
        title="fit of the training labels and encoder k-NN against augmentation strength")
  capacity = next((f for f in ("width", "width_multiplier", "bottleneck_dim")
                   if len(getattr(sweep, f)) > 1), None)
  if capacity and len(sweep.num_views) > 1:
    cells: dict[str, dict] = {}
    for point, runs in at_points:
      for condition in ("per_view", "random_pool"):
        if condition in runs:
          rest = plan_lib.label(plan_lib.others(point, sweep, "num_views", capacity))
          cell = (getattr(point, capacity), point.num_views)
          cells.setdefault(f"{condition}, {rest}" if rest else condition, {}).setdefault(
              cell, {})[point.seed] = _fit(records[runs[condition]], condition)
    grid = {}
    for cell_panel, by_cell in cells.items():
      values = {c: v for c, seeds in by_cell.items()
                if (v := stats.mean_std(list(seeds.values()))) is not None}
      grid[cell_panel] = (sorted({r for r, _ in by_cell}), sorted({c for _, c in by_cell}),
                          values)
    if grid:
      out[CAPACITY_FIGURE] = plots.heatmaps(
          grid, plan_lib.SHORT[capacity].replace(" x", " multiplier"), "views per example n",
          title="malign memorization: fit of the view labels against capacity x n "
          "(mean over seeds)", value_label="fit (every view against its label)")
  return out


def write_figures(output_dir: str, records: dict, at_points: list, sweep: plan_lib.Sweep,
                  noisy_controls: dict | None = None) -> list[str]:
  """Writes figures() as PNG under output_dir/figures and as TensorBoard images under
  output_dir/tensorboard; returns the PNG paths."""
  images = figures(records, at_points, sweep, noisy_controls)
  paths = [plots.write_figure(output_dir, name, png) for name, png in images.items()]
  if images:
    plots.write_summary_images(
        output_dir, {f"benign/{os.path.splitext(n)[0]}": png for n, png in images.items()})
  return paths


