r"""Tables of many runs: result.json files aggregated over seeds.

  python -m benchmarks.leaderboard --runs=/tmp/runs,gs://bucket/runs --board_dir=/tmp/board

Writes leaderboard.md and leaderboard.csv (mean, std and n over seeds per setting,
with hardware and wall time) and prints the Markdown table. Records that are
malformed or not complete are listed by path and left out.
"""

import os
import sys

from absl import flags
import tensorflow as tf

from benchmarks import cli
from suite import errors
from suite.results import leaderboard

RUNS = flags.DEFINE_list("runs", None, "Directories (searched recursively) or result.json paths.")
BOARD_DIR = flags.DEFINE_string("board_dir", None, "Where to write leaderboard.md / .csv.")
flags.mark_flag_as_required("runs")


def main(argv):
  del argv
  loaded = leaderboard.load(RUNS.value)
  for path, reason in loaded.problems:
    print(f"skipped {path}: {reason}", file=sys.stderr)
  if not loaded.records:
    raise errors.ConfigError(f"no complete result.json under {', '.join(RUNS.value)}")
  rows = leaderboard.aggregate(loaded.records)
  table = leaderboard.markdown(rows)
  print(table)
  print(f"{len(loaded.records)} runs in {len(rows)} settings; {len(loaded.problems)} skipped")
  if BOARD_DIR.value:
    tf.io.gfile.makedirs(BOARD_DIR.value)
    with tf.io.gfile.GFile(os.path.join(BOARD_DIR.value, "leaderboard.md"), "w") as f:
      f.write(table)
    with tf.io.gfile.GFile(os.path.join(BOARD_DIR.value, "leaderboard.csv"), "w") as f:
      f.write(leaderboard.csv_text(rows))


if __name__ == "__main__":
  cli.run(main)
