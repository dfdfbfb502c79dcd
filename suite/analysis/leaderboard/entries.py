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

"""The leaderboard of a benchmark track: entry records (entry.json), one row per entry.

Loading (`load`): the entry.json files under the given paths, and the track's shipped
baselines (suite/tracks/baselines/<track id>/*.json, first). A record is tabled only if it
is a complete entry record of the track whose track hash is the table's (the current track
file's): any other one (unreadable, truncated, malformed, not complete, of another track,
run on another version of the track) is listed with its path and the reason, and left out.
An entry is identified by its name and its code (`code_id`: the references and SHA-256 of
its model and method files): entries of one name and different code are tabled apart,
labelled name@<first 8 hex of code_id>; the same entry found twice (the shipped file and a
copy of it) is tabled once; the same entry with other results is left out (listed), since
a table row per entry name and code must be unambiguous.

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

Rendering: `markdown` (a row per entry), `csv_text` (a row per entry and metric, every
number), `figure` (a panel per metric: each entry's mean and interval), `write`.
"""

from collections.abc import Sequence
import csv
import dataclasses
import hashlib
import io
import json
import math
import os
from typing import Any

import numpy as np
import tensorflow as tf

import suite
from suite import errors
from suite.analysis import stats
from suite.results import atomic

FILENAME = "entry.json"
SCHEMA_VERSION = 1
ALPHA = 0.05  # Holm-adjusted p-value below which a difference holds.
MIN_PAIRED = 3  # Paired seeds a difference needs to be tested.
DIRECTIONS = ("higher", "lower")
# Where the shipped baselines live: <SHIPPED_ROOT>/<track id>/*.json.
SHIPPED_ROOT = os.path.join(os.path.dirname(os.path.abspath(suite.__file__)), "tracks",
                            "baselines")
FILES = ("leaderboard.md", "leaderboard.csv", "leaderboard.png")
BETTER, WORSE = "✓", "✗"
NO_TEST = "n<3"


@dataclasses.dataclass
class Entry:
  path: str
  record: dict
  shipped: bool  # One of the track's shipped baselines.
  label: str = ""  # The name, or name@<code> where another entry has the name.

  @property
  def name(self) -> str:
    return self.record["entry"]["name"]

  @property
  def code(self) -> str:
    return code_id(self.record)


@dataclasses.dataclass
class Loaded:
  track_id: str
  track_sha256: str
  entries: list[Entry]  # Tabled: shipped baselines first (by file name), then by path.
  skipped: list[tuple[str, str]]  # (path, reason) of records left out.
  duplicates: list[tuple[str, str]]  # (path, path of the identical entry tabled).


@dataclasses.dataclass
class Board:
  track_id: str
  track_sha256: str
  baseline: str | None  # The baseline's label; None: no comparison.
  metrics: list[dict]  # {name, definition, direction}, in the scorecard's order.
  rows: list[dict]  # A row per entry, ranked (see `build`).
  skipped: list[tuple[str, str]]
  duplicates: list[tuple[str, str]]


def baselines_dir(track_id: str) -> str:
  """The directory of the track's shipped baseline records (it may not exist)."""
  return os.path.join(SHIPPED_ROOT, track_id)


def code_id(rec: dict) -> str:
  """SHA-256 (hex) of the entry's code: its model's reference and file hash, and its
  method's where it has one. Two records of one name and another code_id are two entries."""
  entry = rec["entry"]
  parts = [entry["model"]["reference"], entry["model"]["sha256"]]
  if entry.get("method"):
    parts += [entry["method"]["reference"], entry["method"]["sha256"]]
  return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _is_number(value: Any) -> bool:
  return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value: Any) -> float | None:
  """A float for a finite number, else None (missing, not computable, NaN, inf)."""
  return float(value) if _is_number(value) and math.isfinite(value) else None


def _code_problem(code: Any, what: str) -> str | None:
  if not isinstance(code, dict):
    return f"entry.{what} is not an object"
  for key in ("reference", "sha256"):
    if not isinstance(code.get(key), str) or not code[key]:
      return f"entry.{what}.{key} is not a non-empty string"
  return None


def _metric_problem(name: str, metric: Any) -> str | None:
  if not isinstance(metric, dict):
    return f"scorecard {name!r} is not an object"
  if metric.get("direction") not in DIRECTIONS:
    return f"scorecard {name!r}: direction {metric.get('direction')!r} is not higher or lower"
  if not isinstance(metric.get("definition", ""), str):
    return f"scorecard {name!r}: definition is not text"
  per_seed = metric.get("per_seed")
  if not isinstance(per_seed, dict) or not all(
      v is None or _is_number(v) for v in per_seed.values()):
    return f"scorecard {name!r}: per_seed is not {{seed: number or null}}"
  if metric.get("mean") is not None and not _is_number(metric["mean"]):
    return f"scorecard {name!r}: mean is not a number"
  interval = metric.get("interval")
  if interval is not None and not (isinstance(interval, list) and len(interval) == 2 and all(
      v is None or _is_number(v) for v in interval)):
    return f"scorecard {name!r}: interval is not [lo, hi]"
  if metric.get("n") is not None and not (_is_number(metric["n"]) and metric["n"] >= 0):
    return f"scorecard {name!r}: n is not a count"
  return None


def _malformed(rec: dict) -> str | None:
  """What keeps a complete entry record of the right track from being tabled, or None."""
  entry = rec.get("entry")
  if not isinstance(entry, dict):
    return "no entry section"
  if not isinstance(entry.get("name"), str) or not entry["name"].strip():
    return "entry.name is not a non-empty string"
  problem = _code_problem(entry.get("model"), "model")
  if problem:
    return problem
  if entry.get("method") is not None:
    problem = _code_problem(entry["method"], "method")
    if problem:
      return problem
  seeds = rec.get("seeds")
  if not isinstance(seeds, list) or not all(
      isinstance(s, int) and not isinstance(s, bool) for s in seeds):
    return "seeds is not a list of integers"
  scorecard = rec.get("scorecard")
  if not isinstance(scorecard, dict) or not scorecard:
    return "no scorecard"
  for name, metric in scorecard.items():
    problem = _metric_problem(name, metric)
    if problem:
      return problem
  claims = rec.get("claims", [])
  if not isinstance(claims, list) or not all(
      isinstance(c, dict) and isinstance(c.get("verdict"), str) for c in claims):
    return "claims is not a list of {verdict, ...}"
  timing = rec.get("timing", {})
  if not isinstance(timing, dict) or not (
      timing.get("wall_seconds") is None or _is_number(timing["wall_seconds"])):
    return "timing.wall_seconds is not a number"
  if rec.get("hardware") is not None and not isinstance(rec["hardware"], str):
    return "hardware is not text"
  if rec.get("suite") is not None and not isinstance(rec["suite"], dict):
    return "suite is not an object"
  return None


def validate(rec: Any, track_id: str, track_sha256: str) -> str | None:
  """None if `rec` can be tabled for the track at this hash, else why not (one line)."""
  if not isinstance(rec, dict):
    return f"not an entry record (a JSON {type(rec).__name__})"
  if rec.get("kind") != "entry":
    return f"not an entry record (kind {rec.get('kind')!r})"
  if rec.get("schema_version") != SCHEMA_VERSION:
    return (f"schema_version {rec.get('schema_version')!r}; this leaderboard reads "
            f"{SCHEMA_VERSION}")
  track = rec.get("track")
  if not isinstance(track, dict) or not isinstance(track.get("id"), str):
    return "malformed: no track id"
  if track["id"] != track_id:
    return f"of track {track['id']}, not {track_id}"
  if rec.get("status") != "complete":
    return f"not complete (status {rec.get('status')!r})"
  if track.get("sha256") != track_sha256:
    return (f"track hash {track.get('sha256')} differs from the table's {track_sha256}: "
            "run on another version of the track")
  problem = _malformed(rec)
  return f"malformed: {problem}" if problem else None


def find(roots: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
  """(every entry.json under `roots`, sorted; (root, reason) of roots that cannot be read).

  A root ending in .json is itself a record (whatever its name)."""
  paths, problems = [], []
  for root in roots:
    try:
      if root.endswith(".json") and not tf.io.gfile.isdir(root):
        if tf.io.gfile.exists(root):
          paths.append(root)
        else:
          problems.append((root, "no such file"))
        continue
      if not tf.io.gfile.isdir(root):
        problems.append((root, "no such directory"))
        continue
      for directory, _, files in tf.io.gfile.walk(root):
        paths += [os.path.join(directory, f) for f in files if f == FILENAME]
    except (tf.errors.OpError, OSError) as e:
      problems.append((root, f"unreadable: {type(e).__name__}: {e}"[:300]))
  return sorted(set(paths)), problems


def _shipped(track_id: str, shipped_dir: str | None) -> tuple[list[str], list[tuple[str, str]]]:
  directory = baselines_dir(track_id) if shipped_dir is None else shipped_dir
  try:
    if not tf.io.gfile.isdir(directory):
      return [], []
    return sorted(os.path.join(directory, f) for f in tf.io.gfile.listdir(directory)
                  if f.endswith(".json")), []
  except (tf.errors.OpError, OSError) as e:
    return [], [(directory, f"unreadable: {type(e).__name__}: {e}"[:300])]


def _read(path: str) -> tuple[Any, str | None]:
  try:
    with tf.io.gfile.GFile(path, "rb") as f:
      return json.loads(f.read().decode("utf-8")), None
  except (ValueError, UnicodeDecodeError, tf.errors.OpError, OSError) as e:
    return None, f"unreadable: {type(e).__name__}: {e}"[:300]


def _results(rec: dict) -> str:
  """What a run of an entry produced: equal for two copies of one record."""
  return json.dumps([rec["seeds"], rec["scorecard"], rec.get("claims", [])], sort_keys=True)


def load(roots: Sequence[str], track_id: str, track_sha256: str,
         shipped_dir: str | None = None) -> Loaded:
  """The track's entries: its shipped baselines, then the entry.json under `roots`.

  Args:
    roots: directories (searched recursively for entry.json) or record files.
    track_id: the track tabled (`memorization-cpu-v1`).
    track_sha256: the table's track hash (the current track file's): a record with
      another is listed and left out.
    shipped_dir: where the shipped baselines are (None: baselines_dir(track_id); a
      directory that does not exist: none).

  Returns:
    Loaded, the entries labelled (name, or name@<code_id[:8]> where names clash).
  """
  loaded = Loaded(track_id=track_id, track_sha256=track_sha256, entries=[], skipped=[],
                  duplicates=[])
  shipped, problems = _shipped(track_id, shipped_dir)
  found, more = find(roots)
  loaded.skipped += problems + more
  seen: dict[tuple[str, str], Entry] = {}
  for path, is_shipped in [(p, True) for p in shipped] + [(p, False) for p in found]:
    rec, reason = _read(path)
    if reason is None:
      reason = validate(rec, track_id, track_sha256)
    if reason:
      loaded.skipped.append((path, reason))
      continue
    entry = Entry(path=path, record=rec, shipped=is_shipped)
    key = (entry.name, entry.code)
    if key in seen:
      if os.path.abspath(path) == os.path.abspath(seen[key].path):
        continue  # Found twice (a directory and the file in it).
      if _results(rec) == _results(seen[key].record):
        loaded.duplicates.append((path, seen[key].path))
      else:
        loaded.skipped.append((path, f"entry {entry.name!r} with the same code as "
                                     f"{seen[key].path} and other results: give it another "
                                     "name to table both"))
      continue
    seen[key] = entry
    loaded.entries.append(entry)
  codes: dict[str, set[str]] = {}
  for entry in loaded.entries:
    codes.setdefault(entry.name, set()).add(entry.code)
  for entry in loaded.entries:
    entry.label = entry.name if len(codes[entry.name]) == 1 else f"{entry.name}@{entry.code[:8]}"
  return loaded


def paired_difference(values: dict, baseline_values: dict) -> dict:
  """Entry minus baseline over the seeds both have a finite value for (unadjusted).

  Args:
    values: {seed: value or None} of the entry (a scorecard metric's per_seed).
    baseline_values: the same of the baseline.

  Returns:
    {seeds, n, mean, interval, p}: mean None without paired seeds; interval [lo, hi] and
    the two-sided paired t test's p only from MIN_PAIRED seeds on (else None).
  """
  pairs = {s: (_finite(values[s]), _finite(baseline_values.get(s))) for s in values}
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


def _metrics(entries: Sequence[Entry]) -> list[dict]:
  """The scorecard's metrics in order (the first entry's, then any others'), each with
  the first definition and direction given."""
  out: dict[str, dict] = {}
  for entry in entries:
    for name, metric in entry.record["scorecard"].items():
      out.setdefault(name, {"name": name, "definition": metric.get("definition") or "",
                            "direction": metric["direction"]})
  return list(out.values())


def _resolve_baseline(entries: Sequence[Entry], requested: str | None) -> Entry | None:
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
    n = sum(_finite(v) is not None for v in per_seed.values())
  return {"mean": _finite(metric.get("mean")), "lo": _finite(interval[0]),
          "hi": _finite(interval[1]),
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


def build(loaded: Loaded, baseline: str | None = None) -> Board:
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
        "claims": _claims(rec), "wall_seconds": _finite(rec.get("timing", {}).get("wall_seconds")),
        "hardware": rec.get("hardware") or "", "suite": _suite(rec)})
  rows.sort(key=lambda r: _rank_key(r, metrics))
  for rank, row in enumerate(rows, 1):
    row["rank"] = rank
  return Board(track_id=loaded.track_id, track_sha256=loaded.track_sha256,
               baseline=base.label if base else None, metrics=metrics, rows=rows,
               skipped=list(loaded.skipped), duplicates=list(loaded.duplicates))


def number(value: float | None, signed: bool = False) -> str:
  """3 decimals below 10, 1 below 100, none above; `-` for None."""
  if value is None:
    return "-"
  digits = 3 if abs(value) < 10 else 1 if abs(value) < 100 else 0
  return f"{value:{'+' if signed else ''}.{digits}f}"


def duration(seconds: float | None) -> str:
  """`42s`, `3m05s`, `2h07m`; `-` for None."""
  if seconds is None:
    return "-"
  seconds = max(0, int(round(seconds)))
  if seconds < 60:
    return f"{seconds}s"
  if seconds < 3600:
    return f"{seconds // 60}m{seconds % 60:02d}s"
  return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def metric_text(cell: dict) -> str:
  """`mean [lo, hi]`, `mean` without an interval, `-` without a mean."""
  if cell["mean"] is None:
    return "-"
  if cell["lo"] is None or cell["hi"] is None:
    return number(cell["mean"])
  return f"{number(cell['mean'])} [{number(cell['lo'])}, {number(cell['hi'])}]"


def difference_text(d: dict, seeds: int) -> str:
  """`+0.012 [-0.010, 0.030]`, with ✓ (better) or ✗ (worse) where it holds after Holm,
  `(n=k)` where fewer seeds than the entry's were paired; `+0.012 (n<3)` untested."""
  if d["mean"] is None:
    return "no paired seeds"
  if d["verdict"] == NO_TEST:
    return f"{number(d['mean'], True)} ({NO_TEST})"
  text = f"{number(d['mean'], True)} [{number(d['interval'][0])}, {number(d['interval'][1])}]"
  if d["n"] < seeds:
    text += f" (n={d['n']})"
  marker = {"better": BETTER, "worse": WORSE}.get(d["verdict"])
  return f"{text} {marker}" if marker else text


def _escape(text: Any) -> str:
  return " ".join(str(text).split()).replace("|", "\\|")


def _claims_text(counts: dict[str, int]) -> str:
  if not counts:
    return "-"
  order = ["held", "contradicted", "inconclusive", "not testable"]
  verdicts = sorted(counts, key=lambda v: (order.index(v) if v in order else len(order), v))
  return ", ".join(f"{counts[v]} {v}" for v in verdicts)


def headers(board: Board) -> list[str]:
  """The Markdown table's columns."""
  columns = ["#", "entry", "model", "method", "seeds"]
  columns += [metric["name"] for metric in board.metrics]
  return columns + ["claims", "wall", "hardware", "suite"]


def markdown(board: Board) -> str:
  """The table: a line on the track and the ranking, a row per entry, then what the
  columns mean and the records left out."""
  by = board.metrics[0] if board.metrics else None
  lines = [f"Track {board.track_id} (track hash {board.track_sha256[:12]}): "
           f"{len(board.rows)} entr{'y' if len(board.rows) == 1 else 'ies'}"
           + (f", baseline {board.baseline}" if board.baseline else ", no baseline")
           + (f"; ranked by {by['name']} ({by['direction']} is better), then the next "
              "metrics." if by else "."), ""]
  columns = headers(board)
  lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
  for row in board.rows:
    cells = [str(row["rank"]), _escape(row["label"]) + (" (baseline)" if row["baseline"] else ""),
             _escape(row["model"]), _escape(row["method"] or "-"), str(row["seeds"])]
    for metric in board.metrics:
      # The difference from the baseline under the entry's own value, in one cell: a
      # column per metric keeps the table readable at six metrics.
      d = row["differences"].get(metric["name"]) if board.baseline else None
      cells.append(metric_text(row["metrics"][metric["name"]]) +
                   (f"<br>Δ {difference_text(d, row['seeds'])}" if d else ""))
    cells += [_claims_text(row["claims"]), duration(row["wall_seconds"]),
              _escape(row["hardware"] or "-"), _escape(row["suite"])]
    lines.append("| " + " | ".join(cells) + " |")
  lines.append("")
  lines.append("Metrics: mean over seeds [95% interval], as each entry's record states" +
               ("; below it, Δ the difference from the baseline." if board.baseline else "."))
  if board.baseline:
    lines.append(
        f"Δ: the entry minus {board.baseline}, paired by seed over the seeds both have, "
        f"mean [95% t interval]; {BETTER} better, {WORSE} worse: the difference holds after "
        f"Holm's correction over the entry's metrics (two-sided paired t test, adjusted "
        f"p < {ALPHA:g}); {NO_TEST}: fewer than {MIN_PAIRED} paired seeds, not tested.")
  for metric in board.metrics:
    definition = f": {_escape(metric['definition'])}" if metric["definition"] else ""
    lines.append(f"- {metric['name']} ({metric['direction']} is better){definition}")
  if board.skipped:
    lines.append("")
    lines.append(f"Left out ({len(board.skipped)}):")
    lines += [f"- {path}: {reason}" for path, reason in board.skipped]
  return "\n".join(lines) + "\n"


CSV_FIELDS = ("rank", "entry", "name", "baseline", "model", "model_sha256", "method",
              "method_sha256", "code_sha256", "track", "track_sha256", "metric", "direction",
              "mean", "lo", "hi", "n", "per_seed", "diff_n", "diff_mean", "diff_lo", "diff_hi",
              "p", "p_holm", "verdict", "claims", "wall_seconds", "hardware", "suite", "path")


def csv_text(board: Board) -> str:
  """A row per entry and metric: every number of the table at full precision (the
  difference's fields empty for the baseline, or without one)."""
  buffer = io.StringIO()
  writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
  writer.writeheader()
  for row in board.rows:
    for metric in board.metrics:
      cell = row["metrics"][metric["name"]]
      d = row["differences"].get(metric["name"]) or {}
      interval = d.get("interval") or [None, None]
      writer.writerow({
          "rank": row["rank"], "entry": row["label"], "name": row["name"],
          "baseline": row["baseline"], "model": row["model"],
          "model_sha256": row["model_sha256"], "method": row["method"] or "",
          "method_sha256": row["method_sha256"] or "", "code_sha256": row["code"],
          "track": board.track_id, "track_sha256": board.track_sha256,
          "metric": metric["name"], "direction": metric["direction"],
          "mean": cell["mean"], "lo": cell["lo"], "hi": cell["hi"], "n": cell["n"],
          "per_seed": json.dumps(cell["per_seed"], sort_keys=True),
          "diff_n": d.get("n"), "diff_mean": d.get("mean"), "diff_lo": interval[0],
          "diff_hi": interval[1], "p": d.get("p"), "p_holm": d.get("p_holm"),
          "verdict": d.get("verdict"), "claims": _claims_text(row["claims"]),
          "wall_seconds": row["wall_seconds"], "hardware": row["hardware"],
          "suite": row["suite"], "path": row["path"]})
  return buffer.getvalue()


def figure(board: Board) -> bytes | None:
  """A panel per metric: each entry's mean and interval, in rank order from the top, the
  baseline's mean as a dashed line; None when no entry has a mean."""
  if not any(row["metrics"][m["name"]]["mean"] is not None
             for row in board.rows for m in board.metrics):
    return None
  from suite.results import plots  # pylint: disable=g-import-not-at-top  (matplotlib, Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  columns = min(3, len(board.metrics))
  grid = -(-len(board.metrics) // columns)
  fig, axes = plt.subplots(grid, columns, squeeze=False, dpi=100, sharey=True,
                           figsize=(2.0 + 3.8 * columns,
                                    (1.0 + max(1.6, 0.35 * len(board.rows))) * grid + 0.4))
  labels = [row["label"] for row in board.rows]
  y = np.arange(len(board.rows))[::-1]
  for ax in axes.flat[len(board.metrics):]:
    ax.set_visible(False)
  for ax, metric in zip(axes.flat, board.metrics):
    for yi, row in zip(y, board.rows):
      cell = row["metrics"][metric["name"]]
      if cell["mean"] is None:
        continue
      lo = cell["mean"] if cell["lo"] is None else cell["lo"]
      hi = cell["mean"] if cell["hi"] is None else cell["hi"]
      ax.errorbar([cell["mean"]], [yi], xerr=[[cell["mean"] - lo], [hi - cell["mean"]]],
                  fmt="o", capsize=3, color="C1" if row["baseline"] else "C0")
      if row["baseline"]:
        ax.axvline(cell["mean"], color="C1", linestyle="--", linewidth=0.8)
    ax.set_title(f"{metric['name']} ({metric['direction']} is better)", fontsize=9)
    ax.grid(alpha=0.3)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(-0.6, len(board.rows) - 0.4)
  fig.suptitle(f"{board.track_id}: mean and 95% interval over seeds"
               + (f" (baseline {board.baseline} dashed)" if board.baseline else ""), fontsize=10)
  return plots.png_bytes(fig)


def write(board: Board, board_dir: str) -> list[str]:
  """leaderboard.md, .csv and .png (where there is a figure) in board_dir, all or none
  (errors.WriteError), the table last; returns the names written."""
  outputs: dict[str, str | bytes] = {"leaderboard.md": markdown(board),
                                     "leaderboard.csv": csv_text(board)}
  png = figure(board)
  if png:
    outputs["leaderboard.png"] = png
  atomic.write_together({os.path.join(board_dir, name): content
                         for name, content in reversed(list(outputs.items()))},
                        "the leaderboard")
  return list(outputs)
