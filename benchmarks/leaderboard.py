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

r"""Tables of many runs: result.json files aggregated over seeds.

  python -m benchmarks.leaderboard --runs=/tmp/runs,gs://bucket/runs --board_dir=/tmp/board

Writes leaderboard.md and leaderboard.csv (mean, std and n over seeds per setting,
with the probe's controls, hardware and wall time), and leaderboard.png (the k-NN by
layer of every setting with error bars over seeds) where runs were probed; prints the
Markdown table. Records that are malformed or not complete are listed by path and
left out.

  python -m benchmarks.leaderboard --runs=runs/cpu/benign_datasets --compare=dataset \
      --board_dir=runs/cpu/benign_datasets/board

--compare=dataset instead writes datasets.md, datasets.csv and datasets.png: one table
with a row per condition and a column group per dataset (seeds, test accuracy, fit,
encoder 20-NN, and the random-initialisation and raw-pixel controls at the same layer),
mean ± std over seeds, and the k-NN by layer with a panel per dataset.

--track=memorization-cpu-v1 --entries=DIR,... instead tables the entry records
(entry.json) of a track, its shipped baselines first, each compared with --baseline
paired by seed (suite.analysis.leaderboard.entries); a record of another version of the
track (another track hash) is listed and left out.
"""

import os
import sys

from absl import flags
import tensorflow as tf

from benchmarks import cli
from flags import bench as bench_flags
import suite.tracks
from suite import errors
from suite.analysis.leaderboard import aggregate
from suite.analysis.leaderboard import entries
from suite.analysis.leaderboard import entry_board
from suite.analysis.leaderboard import entry_render
from suite.analysis.leaderboard import load
from suite.analysis.leaderboard import render
from suite.results import atomic
from suite.results import tables
from suite.training import run_spec

RUNS = flags.DEFINE_list("runs", None, "Directories (searched recursively) or result.json paths.")
BOARD_DIR = flags.DEFINE_string("board_dir", None,
                                "Where to write leaderboard.md, .csv and .png (the figure).")
COMPARE = flags.DEFINE_enum(
    "compare", "settings", ["settings", "dataset"],
    "settings: a row per setting (leaderboard.md/.csv/.png). dataset: a row per condition "
    "and a column group per dataset (datasets.md/.csv/.png).")
# One --track for memorization-bench and this binary (flags.bench defines it).
TRACK = bench_flags.TRACK
flags.declare_key_flag("track")
ENTRIES = flags.DEFINE_list("entries", [], "With --track: entry dirs or entry.json files.")
BASELINE = flags.DEFINE_string("baseline", None, "With --track: the entry compared with.")
TRACK_SHA256 = flags.DEFINE_string("track_sha256", None, "With --track: the track hash wanted.")


def track_board(track_id: str, board_dir: str | None) -> None:
  """--track: the track's entry records as one table."""
  expected = TRACK_SHA256.value or suite.tracks.track_hash(track_id)
  if missing := [p for p in ENTRIES.value if not tf.io.gfile.exists(p)]:
    raise errors.ConfigError(f"--entries: no such file or directory: {', '.join(missing)}")
  shipped = track_id in suite.tracks.available() and suite.tracks.load(track_id)
  shape = entries.TrackShape.of(shipped) if shipped and shipped.sha256 == expected else None
  loaded = entries.load(ENTRIES.value, track_id, expected, shape=shape)
  for path, reason in loaded.skipped + [(p, f"the same entry as {kept}, tabled once")
                                        for p, kept in loaded.duplicates]:
    print(f"skipped {path}: {reason}", file=sys.stderr)
  if not loaded.entries:
    raise errors.ConfigError(f"no complete entry.json of track {track_id} to table")
  board = entry_board.build(loaded, baseline=BASELINE.value)
  print(entry_render.markdown(board))
  print(f"{track_id}: {len(board.rows)} tabled, {len(loaded.skipped)} skipped")
  if board_dir:
    print(f"wrote {', '.join(entry_render.write(board, board_dir))} to {board_dir}")


def main(argv):
  del argv
  board_dir = BOARD_DIR.value
  if board_dir and tf.io.gfile.exists(board_dir) and not tf.io.gfile.isdir(board_dir):
    raise errors.ConfigError(f"--board_dir={board_dir} exists and is not a directory")
  if bool(RUNS.value) == bool(TRACK.value):
    raise errors.ConfigError("give exactly one of --runs and --track (entry records)")
  if TRACK.value and COMPARE.value != "settings":
    raise errors.ConfigError("--compare is for --runs, not --track")
  if TRACK.value:
    return track_board(TRACK.value, board_dir)
  if given := [f"--{f.name}" for f in (ENTRIES, BASELINE, TRACK_SHA256) if f.value]:
    raise errors.ConfigError(f"{', '.join(given)}: only with --track")
  loaded = load.load(RUNS.value, setting_defaults=run_spec.setting_defaults())
  for path, reason in loaded.problems:
    print(f"skipped {path}: {reason}", file=sys.stderr)
  if not loaded.records:
    raise errors.ConfigError(f"no complete result.json under {', '.join(RUNS.value)}")
  if COMPARE.value == "dataset":
    comparison = aggregate.compare_datasets(loaded.records)
    table = render.dataset_markdown(comparison)
    print(table)
    print(f"{len(loaded.records)} runs, {len(comparison['rows'])} conditions on "
          f"{len(comparison['datasets'])} datasets ({', '.join(comparison['datasets'])}); "
          f"{len(loaded.problems)} skipped")
    outputs = [("datasets.md", table), ("datasets.csv", render.dataset_csv(comparison))]
    figure = lambda: render.dataset_figure(comparison)
    figure_name = "datasets.png"
  else:
    rows = aggregate.aggregate(loaded.records)
    table = render.markdown(rows)
    print(table)
    distinct = sum(row["seeds"] for row in rows)
    print(f"{len(loaded.records)} runs ({distinct} distinct) in {len(rows)} settings; "
          f"{len(loaded.problems)} skipped")
    seconds, untimed = load.run_seconds(loaded.records)
    print(f"run time summed over the table's runs: {tables.duration(seconds)}"
          + (f" ({untimed} without a recorded time left out)" if untimed else ""))
    outputs = [("leaderboard.md", table), ("leaderboard.csv", render.csv_text(rows))]
    figure = lambda: render.figure(rows)
    figure_name = "leaderboard.png"
  if board_dir:
    png = figure()
    if png:
      outputs.append((figure_name, png))
    # All or none (errors.WriteError: a full disk), the table (.md) renamed into place last.
    atomic.write_together({os.path.join(board_dir, name): content
                           for name, content in reversed(outputs)}, "the leaderboard")
    print(f"wrote {', '.join(name for name, _ in outputs)} to {board_dir}")


if __name__ == "__main__":
  cli.run(main)
