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

"""A track's scorecard and claims, computed from its runs' records.

Each metric of a track's scorecard (suite/tracks/*.json) names a `measure` of this
module, the condition(s) it reads and a direction. A measure maps one seed's records
({condition: result record}) to a number, or None where the record cannot give it (a
missing probe, a NaN). Over seeds: the mean and the 95% t interval (the unit is the
run, as for every claim), and n, the seeds with a value. Conditions of one seed share
the data, the noise and the initial weights, and so do the same seeds of two entries:
the leaderboard pairs entries by seed.

The claims of a track are the claims layer's checks (suite.analysis.claims) on the same
records, each with its conditions named in the track file.
"""

from collections.abc import Callable, Mapping, Sequence
import math
from typing import Any

from suite.analysis import declared
from suite.analysis import stats
from suite.analysis.claims import benign
from suite.analysis.claims import dynamics
from suite.analysis.claims import fitting_order
from suite.analysis.claims import readings

Records = Mapping[str, dict]  # One seed: {condition: result record}.


def _finite(value: Any) -> float | None:
  if value is None:
    return None
  value = float(value)
  return value if math.isfinite(value) else None


def test_accuracy_final(rec: dict) -> float | None:
  return _finite(rec.get("metrics", {}).get("test/accuracy"))


def train_fit_final(rec: dict) -> float | None:
  return _finite(rec.get("metrics", {}).get("memorization/train_fit"))


def test_accuracy_best_validation(rec: dict) -> float | None:
  entry = readings.best_validation_entry(rec)
  return _finite(entry.get("test/accuracy")) if entry else None


def fit_gap_best_validation(rec: dict) -> float | None:
  entry = readings.best_validation_entry(rec)
  if not entry:
    return None
  clean, corrupted = (_finite(entry.get(f"memorization/fit_{k}")) for k in ("clean", "corrupted"))
  return None if clean is None or corrupted is None else clean - corrupted


def epochs_to_fit(rec: dict) -> float | None:
  """Epochs to fit the training labels to constants.FIT_THRESHOLD; the budget (a censored
  value) where never, so that a model that never memorizes ranks as the slowest."""
  epoch = readings.epochs_to_fit(rec, "memorization/train_fit")
  budget = readings.budget(rec)
  if epoch is None:
    return None if budget is None or not rec.get("history") else float(budget)
  return float(epoch)


def _encoder(rec: dict) -> str | None:
  endpoints = rec.get("probe", {}).get("endpoints")
  if not endpoints:
    return None
  return rec.get("model", {}).get("encoder_endpoint") or readings.encoder_endpoint(endpoints)


def encoder_knn(rec: dict) -> float | None:
  """Clean-bank 20-NN accuracy of the encoder output."""
  endpoint = _encoder(rec)
  return _finite(readings.probe_k(rec.get("probe"), endpoint)) if endpoint else None


def encoder_knn_minus_random_init(rec: dict) -> float | None:
  endpoint = _encoder(rec)
  if not endpoint:
    return None
  trained = encoder_knn(rec)
  untrained = _finite(readings.probe_k(rec.get("controls", {}).get("random_init"), endpoint))
  return None if trained is None or untrained is None else trained - untrained


def memorization_depth(rec: dict, margin: float = declared.LAYER_MARGIN) -> float | None:
  """Relative depth (0: the first endpoint, 1: the last) of the first endpoint whose
  noisy-bank 20-NN exceeds the random-init network's (same noisy labels) by `margin`;
  1 where none does. Relative, so that models with different numbers of endpoints
  compare."""
  probe = rec.get("probe") or {}
  endpoints = probe.get("endpoints") or []
  control = rec.get("controls", {}).get("random_init")
  if not endpoints or not control:
    return None
  for i, endpoint in enumerate(endpoints):
    trained = _finite(readings.probe_k(probe, endpoint, "noisy"))
    untrained = _finite(readings.probe_k(control, endpoint, "noisy"))
    if trained is None or untrained is None:
      return None
    if trained - untrained > margin:
      return i / max(1, len(endpoints) - 1)
  return 1.0


_SINGLE: dict[str, Callable[[dict], float | None]] = {
    f.__name__: f for f in (test_accuracy_final, train_fit_final, test_accuracy_best_validation,
                            fit_gap_best_validation, epochs_to_fit, encoder_knn_minus_random_init,
                            memorization_depth)}


def _encoder_knn_difference(first: dict, second: dict) -> float | None:
  a, b = encoder_knn(first), encoder_knn(second)
  return None if a is None or b is None else a - b


_PAIRED: dict[str, Callable[[dict, dict], float | None]] = {
    "encoder_knn_difference": _encoder_knn_difference}
MEASURES = tuple(_SINGLE) + tuple(_PAIRED)


def conditions_of(metric: Mapping[str, Any]) -> list[str]:
  """The conditions a scorecard metric reads."""
  return list(metric["conditions"]) if "conditions" in metric else [metric["condition"]]


def value(metric: Mapping[str, Any], records: Records) -> float | None:
  """One seed's value of a scorecard metric."""
  name = metric["measure"]
  runs = [records[c] for c in conditions_of(metric)]
  if name in _PAIRED:
    return _PAIRED[name](*runs)
  return _SINGLE[name](runs[0])


def scorecard(metrics: Sequence[Mapping[str, Any]],
              by_seed: Mapping[int, Records]) -> dict[str, dict]:
  """Every metric over seeds.

  Args:
    metrics: the track's scorecard (name, measure, condition(s), direction, definition).
    by_seed: {seed: {condition: result record}}.

  Returns:
    {metric name: {definition, direction, per_seed {seed: value or None}, mean,
    interval [lo, hi] (None with fewer than 2 values), n}}, in the track's order.
  """
  out = {}
  for metric in metrics:
    per_seed = {str(seed): value(metric, records) for seed, records in by_seed.items()}
    values = [v for v in per_seed.values() if v is not None]
    mean = interval = None
    if values:
      m, lo, hi = stats.t_interval(values)
      mean = float(m)
      interval = [float(lo), float(hi)] if len(values) > 1 else None
    out[metric["name"]] = {"definition": metric["definition"],
                           "direction": metric["direction"], "per_seed": per_seed,
                           "mean": mean, "interval": interval, "n": len(values)}
  return out


def _random_init(records: list[dict]) -> list:
  return [r.get("controls", {}).get("random_init") for r in records]


_CHECKS: dict[str, Callable[..., dict]] = {
    "real_data_fitted_before_noise": lambda c, **kw: fitting_order.real_data_fitted_before_noise(
        c["real"], c["noise"]),
    "clean_fitted_before_corrupted": lambda c, **kw: fitting_order.clean_fitted_before_corrupted(
        c["records"]),
    "noise_fitted_less_at_best_validation":
        lambda c, **kw: dynamics.noise_fitted_less_at_best_validation(c["records"]),
    "features_survive_with_augmentation":
        lambda c, **kw: benign.features_survive_with_augmentation(
            c["augmented"], c["plain"], _random_init(c["augmented"]), **kw),
    "memorization_in_last_layers": lambda c, **kw: benign.memorization_in_last_layers(
        c["augmented"], None, _random_init(c["augmented"]), **kw),
}
CHECKS = tuple(_CHECKS)


def claims(checks: Sequence[Mapping[str, Any]], by_seed: Mapping[int, Records]) -> list[dict]:
  """The track's claims on its runs, each a claims-layer line with the conditions used.

  Args:
    checks: the track's claims: {check, conditions {argument: condition}[, fit_threshold]}.
    by_seed: {seed: {condition: result record}}.
  """
  seeds = sorted(by_seed)
  lines = []
  for check in checks:
    arguments = {argument: [by_seed[s][condition] for s in seeds]
                 for argument, condition in check["conditions"].items()}
    options = {"fit_threshold": check["fit_threshold"]} if "fit_threshold" in check else {}
    line = _CHECKS[check["check"]](arguments, **options)
    lines.append(dict(line, check=check["check"], conditions=dict(check["conditions"])))
  return lines


def verdict_counts(lines: Sequence[Mapping[str, Any]]) -> dict[str, int]:
  """How many claims got each verdict (`not testable` whatever its reason)."""
  counts = {verdict: 0 for verdict in declared.VERDICTS}
  for line in lines:
    counts[line["verdict"].split(":")[0]] += 1
  return counts


def _number(value: float | None) -> str:
  return "-" if value is None else f"{value:.3f}"


def format_entry(record: Mapping[str, Any]) -> str:
  """An entry record's scorecard and claims as text, for the console."""
  rows = [("metric", "better", "mean [95% interval]", "n")]
  for name, metric in record["scorecard"].items():
    interval = metric["interval"]
    shown = _number(metric["mean"]) + (
        f" [{_number(interval[0])}, {_number(interval[1])}]" if interval else "")
    rows.append((name, metric["direction"], shown, str(metric["n"])))
  widths = [max(len(row[i]) for row in rows) for i in range(4)]
  lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
  lines.insert(1, "  ".join("-" * w for w in widths))
  for line in record.get("claims", []):
    reason = f" ({line['reason']})" if line.get("reason") else ""
    lines.append(f"claim: {line['claim']}: {line['verdict']}{reason}")
  return "\n".join(lines)
