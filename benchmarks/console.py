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

"""Console scripts: `memorization-<binary>` runs `python -m benchmarks.<binary>`.

The binary's name with dashes, its own word "memorization" dropped: `memorization-train`,
`memorization-benign`, `memorization-dynamics`, `memorization-knn-probe`, ...

setup.cfg declares one console script per binary (`memorization-train` ->
`benchmarks.console:train`, ...). Each entry imports only its own binary, so only that
binary's flags are defined (as with `python -m`), and runs its `main` through
`benchmarks.cli.run`: the same flag parsing of sys.argv, one-line errors and exit
statuses.

absl's `--helpshort` lists the key flags of the module named by sys.argv[0] and prints
the docstring of `__main__`. Run with `python -m`, both are the binary; run as a
console script, they are the script pip generated. The entry therefore shows the
binary's docstring and registers the binary's key flags for sys.argv[0].
"""

import importlib
import sys

from absl import flags

from benchmarks import cli

# The binaries with a console script; the script of `knn_probe` is `memorization-knn-probe`.
BINARIES = ("train", "knn_probe", "benign_memorization", "memorization_dynamics", "leaderboard",
            "input_pipeline", "train_throughput", "knn_speed", "claims_report", "benign_frontier",
            "rewind_probe", "memorization_bench")
PREFIX = "memorization-"


def script_name(binary: str) -> str:
  """The console script of `binary`: `memorization-` and the rest of its name, with dashes."""
  return PREFIX + "-".join(word for word in binary.split("_") if word != "memorization")


def run_binary(binary: str) -> None:
  """Imports benchmarks.<binary> and runs its main as `python -m` would.

  Args:
    binary: one of BINARIES.
  """
  # By name: each script imports its own binary only (a binary's import defines its flags).
  module = importlib.import_module(f"benchmarks.{binary}")
  main_module = sys.modules.get("__main__")
  if main_module is not None and module.__doc__:
    main_module.__doc__ = module.__doc__  # absl's usage text is __main__'s docstring.
  for flag in flags.FLAGS.get_key_flags_for_module(module.__name__):
    flags.FLAGS.register_key_flag_for_module(sys.argv[0], flag)
  cli.run(module.main)


# No-argument entry points, one per binary (setup.cfg [options.entry_points]).
def train() -> None:
  run_binary("train")


def knn_probe() -> None:
  run_binary("knn_probe")


def benign_memorization() -> None:
  run_binary("benign_memorization")


def memorization_dynamics() -> None:
  run_binary("memorization_dynamics")


def leaderboard() -> None:
  run_binary("leaderboard")


def input_pipeline() -> None:
  run_binary("input_pipeline")


def train_throughput() -> None:
  run_binary("train_throughput")


def knn_speed() -> None:
  run_binary("knn_speed")


def claims_report() -> None:
  run_binary("claims_report")


def benign_frontier() -> None:
  run_binary("benign_frontier")


def rewind_probe() -> None:
  run_binary("rewind_probe")


def memorization_bench() -> None:
  run_binary("memorization_bench")
