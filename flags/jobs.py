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

"""--list_jobs and --only: one experiment split into jobs for any scheduler.

`--list_jobs` prints one shell command per job (the binary with every flag as given,
plus `--only=<job>`) for a Slurm array, a Kubernetes Job or a plain shell loop; each job
trains its runs into the shared --output_dir. The same command without --only then
trains nothing (every run is finished) and computes the claims and figures.
"""

import shlex
import sys

from absl import flags

LIST_JOBS = flags.DEFINE_bool(
    "list_jobs", False, "Print one command per job (the flags as given plus --only=<job>) "
    "and exit without training.")
ONLY = flags.DEFINE_list(
    "only", None, "Train only these jobs (names from --list_jobs) and write their run "
    "records, not the claims; rerun without --only once all are done to aggregate.")

_NOT_PASSED_ON = ("list_jobs", "only")


def given_flags() -> list[str]:
  """`--name=value` of every flag set (on the command line or by the binary), sorted."""
  out = []
  for name in sorted(flags.FLAGS):
    flag = flags.FLAGS[name]
    if name != flag.name or name in _NOT_PASSED_ON:  # Short names alias the long ones.
      continue
    if flag.present or not flag.using_default_value:
      out.append(flag.serialize())
  return out


def only() -> set[str] | None:
  return None if ONLY.value is None else set(ONLY.value)


def print_commands(module: str, jobs: list[str]) -> None:
  """One line per job: `python -m module <flags> --only=<job>`."""
  given = given_flags()
  for job in jobs:
    print(shlex.join([sys.executable, "-m", module, *given, f"--only={job}"]), flush=True)
