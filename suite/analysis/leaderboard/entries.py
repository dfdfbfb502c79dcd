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

Comparison and ranking: suite.analysis.leaderboard.entry_board; rendering:
suite.analysis.leaderboard.entry_render.
"""

from collections.abc import Sequence
import dataclasses
import hashlib
import json
import math
import os
from typing import Any

import tensorflow as tf

import suite

FILENAME = "entry.json"
SCHEMA_VERSION = 1
DIRECTIONS = ("higher", "lower")
# Where the shipped baselines live: <SHIPPED_ROOT>/<track id>/*.json.
SHIPPED_ROOT = os.path.join(os.path.dirname(os.path.abspath(suite.__file__)), "tracks",
                            "baselines")


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


def finite(value: Any) -> float | None:
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
  mean = finite(metric.get("mean"))
  lo, hi = (finite(v) for v in (interval or [None, None]))
  if mean is not None and lo is not None and hi is not None and not lo <= mean <= hi:
    return f"scorecard {name!r}: interval [{lo}, {hi}] does not hold the mean {mean}"
  if metric.get("n") is not None and not (finite(metric["n"]) is not None and metric["n"] >= 0):
    return f"scorecard {name!r}: n is not a count"
  # The table shows the record's mean and n; the comparisons use per_seed: they must agree.
  values = [v for v in per_seed.values() if v is not None]
  if metric.get("n") is not None and metric["n"] != len(values):
    return f"scorecard {name!r}: n {metric['n']} is not the {len(values)} values of per_seed"
  if (mean is None) != (not values) or (mean is not None and not math.isclose(
      mean, math.fsum(values) / len(values), rel_tol=1e-9, abs_tol=1e-12)):
    return f"scorecard {name!r}: mean {metric.get('mean')} is not the mean of per_seed"
  return None


@dataclasses.dataclass(frozen=True)
class TrackShape:
  """What a track fixes of its entry records: the seeds and each scorecard metric's
  direction (a record edited by hand, or made by other code, may differ)."""
  seeds: tuple[int, ...]
  directions: dict[str, str]  # metric name -> "higher" or "lower"

  @classmethod
  def of(cls, track: Any) -> "TrackShape":
    """From a suite.tracks.Track (its `seeds` and `scorecard`)."""
    return cls(seeds=tuple(track.seeds),
               directions={metric["name"]: metric["direction"] for metric in track.scorecard})


def _track_problem(rec: dict, shape: TrackShape) -> str | None:
  """What keeps a record from having the track's seeds and scorecard, or None."""
  seeds = rec["seeds"]
  if len(set(seeds)) != len(seeds) or sorted(seeds) != sorted(shape.seeds):
    return f"seeds {seeds} are not the track's {list(shape.seeds)}"
  got = rec["scorecard"]
  if set(got) != set(shape.directions):
    return (f"scorecard metrics differ from the track's (missing "
            f"{sorted(set(shape.directions) - set(got))}, unknown "
            f"{sorted(set(got) - set(shape.directions))})")
  keys = {str(seed) for seed in shape.seeds}
  for name, direction in shape.directions.items():
    if got[name]["direction"] != direction:
      return (f"scorecard {name!r}: direction {got[name]['direction']!r} is not the track's "
              f"{direction!r}")
    if not set(got[name]["per_seed"]) <= keys:
      return (f"scorecard {name!r}: per_seed has seeds "
              f"{sorted(set(got[name]['per_seed']) - keys)} the track does not run")
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


def validate(rec: Any, track_id: str, track_sha256: str,
             shape: TrackShape | None = None) -> str | None:
  """None if `rec` can be tabled for the track at this hash, else why not (one line).

  With `shape` (that of the track of that hash), its seeds and scorecard are checked too."""
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
  problem = _malformed(rec) or (_track_problem(rec, shape) if shape else None)
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
         shipped_dir: str | None = None, shape: TrackShape | None = None) -> Loaded:
  """The track's entries: its shipped baselines, then the entry.json under `roots`.

  Args:
    roots: directories (searched recursively for entry.json) or record files.
    track_id: the track tabled (`memorization-cpu-v1`).
    track_sha256: the table's track hash (the current track file's): a record with
      another is listed and left out.
    shipped_dir: where the shipped baselines are (None: baselines_dir(track_id); a
      directory that does not exist: none).
    shape: the seeds and scorecard of the track of hash `track_sha256`, which a record
      must have (None: not checked).

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
      reason = validate(rec, track_id, track_sha256, shape)
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
