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

"""The leaderboard of a track, compared and ranked: entry records against a baseline.

Comparison (`compare`): each entry against one baseline entry, paired by seed. Per metric,
the differences entry - baseline over the seeds where both have a finite value: their mean,
95% t interval (stats.t_interval) and the two-sided p-value of a paired t test of mean 0
(zero spread: p = 0 when the difference is not 0, 1 when it is, as stats.t_p_greater).
Fewer than MIN_PAIRED paired seeds: no test ("n<3"). The p-values of an entry's tested
metrics are Holm-adjusted together (the family is the entry's metrics); a difference
holds when its adjusted p < ALPHA, and is better or worse by the metric's direction.

Ranking (`build`): by the first scorecard metric's mean in its direction (higher or lower
is better), ties by the next metrics in the scorecard's order, then by label; an entry
without a mean sorts after every entry with one.
"""

from collections.abc import Sequence
import dataclasses
import math

import numpy as np

from suite import errors
from suite.analysis import stats
from suite.analysis.leaderboard import entries

ALPHA = 0.05  # Holm-adjusted p-value below which a difference holds.
MIN_PAIRED = 3  # Paired seeds a difference needs to be tested.
NO_TEST = "n<3"


@dataclasses.dataclass
class Board:
  track_id: str
  track_sha256: str
  baseline: str | None  # The baseline's label; None: no comparison.
  metrics: list[dict]  # {name, definition, direction}, in the scorecard's order.
  rows: list[dict]  # A row per entry, ranked (see `build`).
  skipped: list[tuple[str, str]]
  duplicates: list[tuple[str, str]]


def paired_difference(values: dict, baseline_values: dict) -> dict:
  """Entry minus baseline over the seeds both have a finite value for (unadjusted).

  Args:
    values: {seed: value or None} of the entry (a scorecard metric's per_seed).
    baseline_values: the same of the baseline.

  Returns:
    {seeds, n, mean, interval, p}: mean None without paired seeds; interval [lo, hi] and
    the two-sided paired t test's p only from MIN_PAIRED seeds on (else None).
  """
  pairs = {s: (entries.finite(values[s]), entries.finite(baseline_values.get(s))) for s in values}
  seeds = sorted((s for s, (a, b) in pairs.items() if a is not None and b is not None),
                 key=lambda s: (0, int(s), "") if str(s).lstrip("-").isdigit() else (1, 0, str(s)))
  d = np.array([pairs[s][0] for s in seeds], np.float64) - np.array(
      [pairs[s][1] for s in seeds], np.float64)
  out = {"seeds": seeds, "n": len(seeds), "mean": float(d.mean()) if len(d) else None,
         "interval": None, "p": None}
  if len(d) >= MIN_PAIRED:
    _, lo, hi = stats.t_interval(d)
    p = 2 * min(float(stats.t_p_greater(d)), float(stats.t_p_less(d)))
    out.update(interval=[float(lo), float(hi)], p=min(1.0, p))
  return out


def compare(rec: dict, baseline: dict, metrics: Sequence[dict]) -> dict[str, dict]:
  """Each metric's paired difference of `rec` from `baseline`, Holm-adjusted over the
  tested metrics: {metric: paired_difference(...) + {p_holm, holds, verdict}}.

  verdict: 'better' or 'worse' (holds, by the metric's direction), 'not shown' (tested,
  does not hold), NO_TEST (fewer than MIN_PAIRED paired seeds)."""
  out = {}
  for metric in metrics:
    name = metric["name"]
    mine = (rec["scorecard"].get(name) or {}).get("per_seed") or {}
    theirs = (baseline["scorecard"].get(name) or {}).get("per_seed") or {}
    out[name] = paired_difference(mine, theirs)
  tested = [name for name, d in out.items() if d["p"] is not None and math.isfinite(d["p"])]
  adjusted = [float(p) for p in stats.holm([out[name]["p"] for name in tested])] if tested else []
  for name, p_holm in zip(tested, adjusted):
    out[name]["p_holm"] = float(p_holm)
  direction = {m["name"]: m["direction"] for m in metrics}
  for name, d in out.items():
    d.setdefault("p_holm", None)
    d["holds"] = d["p_holm"] is not None and d["p_holm"] < ALPHA
    if d["p_holm"] is None:
      d["verdict"] = NO_TEST
    elif not d["holds"]:
      d["verdict"] = "not shown"
    else:
      d["verdict"] = "better" if (d["mean"] > 0) == (direction[name] == "higher") else "worse"
  return out


def _metrics(entries: Sequence[entries.Entry]) -> list[dict]:
  """The scorecard's metrics in order (the first entry's, then any others'), each with
  the first definition and direction given."""
  out: dict[str, dict] = {}
  for entry in entries:
    for name, metric in entry.record["scorecard"].items():
      out.setdefault(name, {"name": name, "definition": metric.get("definition") or "",
                            "direction": metric["direction"]})
  return list(out.values())


def _resolve_baseline(entries: Sequence[entries.Entry], requested: str | None) -> entries.Entry | None:
  if not requested:
    return next((e for e in entries if e.shipped), None)
  matches = ([e for e in entries if e.label == requested]
             or [e for e in entries if e.name == requested])
  if len(matches) > 1:
    matches = [e for e in matches if e.shipped] or matches
  if not matches:
    raise errors.ConfigError(f"baseline {requested!r} is not an entry of the table "
                             f"(entries: {', '.join(e.label for e in entries)})")
  if len(matches) > 1:
    raise errors.ConfigError(f"baseline {requested!r} names {len(matches)} entries: give one "
                             f"of {', '.join(e.label for e in matches)}")
  return matches[0]


def _metric_cell(metric: dict | None) -> dict:
  """{mean, lo, hi, n} of an entry's scorecard metric (what the record states)."""
  metric = metric or {}
  interval = metric.get("interval") or [None, None]
  per_seed = metric.get("per_seed") or {}
  n = metric.get("n")
  if not isinstance(n, (int, float)):
    n = sum(entries.finite(v) is not None for v in per_seed.values())
  return {"mean": entries.finite(metric.get("mean")), "lo": entries.finite(interval[0]),
          "hi": entries.finite(interval[1]),
          "n": int(n),
          "per_seed": per_seed}


def _claims(rec: dict) -> dict[str, int]:
  """{verdict: count}; `not testable: <reason>` counts as `not testable`."""
  counts: dict[str, int] = {}
  for claim in rec.get("claims", []):
    verdict = claim["verdict"].split(":")[0].strip()
    counts[verdict] = counts.get(verdict, 0) + 1
  return counts


def _suite(rec: dict) -> str:
  info = rec.get("suite") or {}
  text = str(info.get("version") or "?")
  if info.get("commit"):
    text += f" {str(info['commit'])[:8]}"
  if info.get("dirty"):
    text += " (dirty)"
  return text


def _rank_key(row: dict, metrics: Sequence[dict]) -> tuple:
  key = []
  for metric in metrics:
    mean = row["metrics"][metric["name"]]["mean"]
    key.append((1, 0.0) if mean is None else
               (0, -mean if metric["direction"] == "higher" else mean))
  return (*key, row["label"])


def build(loaded: entries.Loaded, baseline: str | None = None) -> Board:
  """The ranked table of the loaded entries against a baseline.

  Args:
    loaded: load()'s entries.
    baseline: the baseline entry's name or label; None: the first shipped baseline
      (by file name), or no comparison where the track ships none.

  Returns:
    Board: rows ranked by the first metric's mean in its direction, then the next.

  Raises:
    ConfigError: `baseline` names no entry, or several.
  """
  base = _resolve_baseline(loaded.entries, baseline)
  ordered = ([base] if base else []) + [e for e in loaded.entries if e is not base]
  metrics = _metrics(ordered)
  rows = []
  for entry in loaded.entries:
    rec = entry.record
    method = rec["entry"].get("method") or {}
    rows.append({
        "label": entry.label, "name": entry.name, "path": entry.path,
        "shipped": entry.shipped, "baseline": entry is base, "code": entry.code,
        "model": rec["entry"]["model"]["reference"],
        "model_sha256": rec["entry"]["model"]["sha256"],
        "method": method.get("reference"), "method_sha256": method.get("sha256"),
        "seeds": len(rec["seeds"]),
        "metrics": {m["name"]: _metric_cell(rec["scorecard"].get(m["name"])) for m in metrics},
        "differences": (compare(rec, base.record, metrics) if base and entry is not base
                        else {}),
        "claims": _claims(rec), "wall_seconds": entries.finite(rec.get("timing", {}).get("wall_seconds")),
        "hardware": rec.get("hardware") or "", "suite": _suite(rec)})
  rows.sort(key=lambda r: _rank_key(r, metrics))
  for rank, row in enumerate(rows, 1):
    row["rank"] = rank
  return Board(track_id=loaded.track_id, track_sha256=loaded.track_sha256,
               baseline=base.label if base else None, metrics=metrics, rows=rows,
               skipped=list(loaded.skipped), duplicates=list(loaded.duplicates))
