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


"""The analysis of the benign-memorization experiment, from its finished runs: metrics,
k-NN by layer, the claims across seeds (suite.analysis.claims) and the text tables."""

from collections.abc import Callable
import dataclasses
import functools
import os

from suite import constants
from suite.analysis.claims import benign as benign_claims
from suite.analysis.claims import fitting_order
from suite.analysis.claims import malign
from suite.experiments.benign_memorization import figures
from suite.experiments.benign_memorization import plan as plan_lib
from suite.results import tables

def analyse(settings: plan_lib.Settings, at_points: list, records: dict[str, dict],
            noisy_controls: dict[str, dict]) -> dict:
  """The experiment record's sections from the records of every run; writes the figures.

  Args:
    settings: the experiment.
    at_points: (Point, {condition: run name}) per sweep point (plan.layout).
    records: {run name: final record} of every run of plan.plan(settings).
    noisy_controls: {noisy run name: the random-init network probed with its labels}.

  Returns:
    {'claims', 'figure_files', 'metrics', 'layers'}.
  """
  claim_lines = check_claims(records, at_points, noisy_controls, settings.fit_threshold)
  claim_lines += trend_claims(records, at_points, settings.sweep)
  figure_files = figures.write_figures(settings.base.output_dir, records, at_points,
                                       settings.sweep, noisy_controls)
  return {"claims": claim_lines, "figure_files": figure_files,
          "metrics": summary_metrics(records), "layers": layer_tables(records, noisy_controls)}


def trend_claims(records: dict, at_points: list, sweep: plan_lib.Sweep) -> list[dict]:
  """The paper's trend over the pool size: per-view fit falls as n grows, tested across
  seeds at each value of the other swept settings (when per_view ran at 3 or more pool
  sizes: fewer make no trend, and the claim is not reported)."""
  if len(sweep.num_views) < 3:
    return []
  groups: dict[tuple, dict] = {}
  for point, runs in at_points:
    if "per_view" in runs and point.num_views:
      groups.setdefault(plan_lib.others(point, sweep, "num_views"), {}).setdefault(
          point.num_views, []).append(runs["per_view"])
  lines = []
  for others, by_n in groups.items():
    line = malign.per_view_fit_falls_with_views(
        {n: [records[name] for name in names] for n, names in by_n.items()})
    if others:
      line["claim"] += f" ({plan_lib.label(others)})"
    lines.append(dict(line, runs=[name for n in sorted(by_n) for name in by_n[n]]))
  return lines



def layer_tables(records: dict, noisy_controls: dict | None = None,
                 k: str = constants.HEADLINE_KEY) -> dict:
  """Per run: k-NN (default: the headline k) by layer with the clean-label and the noisy-label bank, and controls
  (random init with clean labels, and for noisy runs with the run's noisy labels)."""
  out = {}
  for name, rec in records.items():
    probe, controls = rec.get("probe", {}), rec.get("controls", {})
    pick = lambda bank: {e: v.get(k) for e, v in bank.items()}
    out[name] = {"endpoints": probe.get("endpoints", []),
                 "clean": pick(probe.get("clean", {})), "noisy": pick(probe.get("noisy", {})),
                 "random_init": pick(controls.get("random_init", {}).get("clean", {})),
                 "raw_pixels": controls.get("raw_pixels", {}).get("clean", {}).get(k)}
    if name in (noisy_controls or {}):
      out[name]["random_init_noisy"] = pick((noisy_controls or {})[name].get("noisy", {}))
  return out


def summary_metrics(records: dict) -> dict:
  metrics = {}
  for name, rec in records.items():
    for key in ("memorization/fit_corrupted", "memorization/fit_clean", "memorization/view_fit",
                "test/accuracy"):
      if key in rec["metrics"]:
        metrics[f"{name}/{key}"] = rec["metrics"][key]
    clean_bank = rec.get("probe", {}).get("clean", {})
    key = constants.HEADLINE_KEY
    if clean_bank and all(key in v for v in clean_bank.values()):
      layer, best = max(clean_bank.items(), key=lambda item: item[1][key])
      metrics[f"{name}/best_{key}"] = best[key]
      metrics[f"{name}/best_{key}_layer"] = layer
  return metrics


def check_claims(records: dict, at_points: list, noisy_controls: dict,
                 fit_threshold: float = constants.FIT_THRESHOLD) -> list[dict]:
  """The claims, each tested across the seeds of the sweep points that share every other
  swept value (conditions paired by seed).

  at_points: (Point, {condition: run name}) per sweep point. Each line names under `runs`
  the runs (keys of `records`) it rests on; a line shared by points is kept once.
  """
  groups: dict[tuple, list] = {}
  for point, runs in at_points:
    key = dataclasses.replace(point, seed=0)  # Every swept value but the seed.
    groups.setdefault(key, []).append(runs)
  lines, seen = [], []
  for per_seed in groups.values():
    have = lambda *names: all(n in runs for runs in per_seed for n in names)
    recs = lambda c: [records[runs[c]] for runs in per_seed]
    checks: list[tuple[Callable[[], dict], tuple[str, ...]]] = []
    if have("random_augmented"):
      # The clean-label run, where it ran, adds the secondary clean-bank view.
      clean = recs("clean") if have("clean") else None
      checks.append((functools.partial(
          benign_claims.memorization_in_last_layers, recs("random_augmented"), clean,
          [noisy_controls.get(runs["random_augmented"]) for runs in per_seed],
          fit_threshold=fit_threshold),
                     ("random_augmented", "clean") if clean else ("random_augmented",)))
    if have("random_augmented", "random_plain"):
      checks.append((lambda: benign_claims.features_survive_with_augmentation(
          recs("random_augmented"), recs("random_plain"),
          [r.get("controls", {}).get("random_init") for r in recs("random_augmented")],
          fit_threshold=fit_threshold),
                     ("random_augmented", "random_plain")))
    if have("clean_plain", "random_plain"):
      checks.append((lambda: fitting_order.real_data_fitted_before_noise(
          recs("clean_plain"), recs("random_plain")), ("clean_plain", "random_plain")))
    if have("per_view", "random_pool"):
      checks.append((lambda: benign_claims.per_view_labels_not_fitted(
          recs("per_view"), recs("random_pool")), ("per_view", "random_pool")))
    for check, conditions_used in checks:
      names = [runs[c] for c in conditions_used for runs in per_seed]
      if names not in seen:  # Shared by points (clean runs do not depend on the noise).
        seen.append(names)
        lines.append(dict(check(), runs=names))
  return lines


def table(experiment: dict) -> str:
  """Runs side by side (fits, test accuracy, best k-NN layer), then k-NN by layer.

  One by-layer table per seed and projector: a row per run with the clean-label bank,
  one per noisy run with the noisy-label bank, and the controls of that architecture and
  seed (random init by layer; raw pixels, which have no layers, in the first column).
  All tables come from suite.results.tables.format_table; k is constants.HEADLINE_K.

  Args:
    experiment: the experiment's record (`conditions`, `metrics`, `layers`).

  Returns:
    The tables as text.
  """
  metrics = experiment["metrics"]
  key = constants.HEADLINE_KEY
  columns = ["memorization/fit_corrupted", "memorization/fit_clean", "memorization/view_fit",
             "test/accuracy", f"best_{key}", f"best_{key}_layer"]
  rows = [[name] + [metrics.get(f"{name}/{column}") for column in columns]
          for name in experiment["conditions"]]
  lines = [tables.format_table(["run", "fit corrupted", "fit clean", "view fit", "test acc",
                                f"best {key}", "layer"], rows)]
  groups: dict[str, list] = {}
  for name, layers in experiment.get("layers", {}).items():
    groups.setdefault(os.path.dirname(name), []).append((os.path.basename(name), layers))
  for group, runs in groups.items():
    endpoints = runs[0][1]["endpoints"]
    banks = [(run, layers["clean"]) for run, layers in runs]
    banks += [(f"{run} (noisy bank)", layers["noisy"]) for run, layers in runs if layers["noisy"]]
    banks.append(("random init", runs[0][1]["random_init"]))
    banks += [(f"random init ({run} noisy bank)", layers["random_init_noisy"])
              for run, layers in runs if layers.get("random_init_noisy")]
    banks.append(("raw pixels", {endpoints[0]: runs[0][1]["raw_pixels"]} if endpoints else {}))
    where = f" ({group})" if group else ""
    lines += ["", f"{constants.HEADLINE_K}-NN by layer, clean-label bank unless marked{where}:",
              tables.format_table([""] + endpoints,
                                  [[row] + [values.get(e) if e in values else "" for e in endpoints]
                                   for row, values in banks])]
  return "\n".join(lines)
