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

r"""The claims table, generated from experiment records (never copied by hand).

  python -m benchmarks.claims_report \
      --experiments=runs/cpu/memorization_dynamics,runs/cpu/benign_memorization \
      --update_file=docs/claims_table.md

Reads the `claims` of each experiment's result.json (written by benchmarks.benign_memorization
and benchmarks.memorization_dynamics) and prints one Markdown row per claim: its verdict,
its primary statistic with the interval over seeds and the null, the number of runs, and
the reason when it is not testable. Each experiment is labelled confirmatory (it uses the
fresh seeds of a pre-registration in --preregistrations: the file, its commit, and every
setting that departs from its flagfile) or exploratory. With --update_file, replaces the
text between `<!-- claims-table:begin -->` and `<!-- claims-table:end -->` in that file.
"""

import os

from absl import flags
import tensorflow as tf

from benchmarks import cli
from suite import errors
from suite.analysis import preregistration
from suite.results import atomic
from suite.results import record

EXPERIMENTS = flags.DEFINE_list("experiments", None,
                                "Experiment directories or result.json paths, in table order.")
UPDATE_FILE = flags.DEFINE_string("update_file", None, "A Markdown file whose claims-table "
                                  "section is replaced by the generated table.")

PREREGISTRATIONS = flags.DEFINE_string(
    "preregistrations", "docs/preregistration",
    "The folder of pre-registrations (Markdown files naming their flagfiles); its "
    "repository root is two levels up.")

BEGIN, END = "<!-- claims-table:begin -->", "<!-- claims-table:end -->"


def _number(value):
  return "-" if value is None else f"{value:.3g}"


def _cell(text) -> str:
  return str(text).replace("|", "\\|").replace("\n", " ")


def rows(experiment: dict, name: str, design: str = preregistration.EXPLORATORY
         ) -> list[str]:
  out = []
  for line in experiment.get("claims", []):
    test = line.get("test")
    if test:
      lo, hi = test["interval"]
      numbers = (f"{test['statistic']}: {_number(test['value'])} [{_number(lo)}, "
                 f"{_number(hi)}] vs {_number(test['null'])}")
      n = str(test["n"])
      also = test.get("also")
      if isinstance(also, dict):  # A part that must hold too (intersection-union test).
        lo, hi = also["interval"]
        numbers += (f"; and {also['statistic']}: {_number(also['value'])} [{_number(lo)}, "
                    f"{_number(hi)}] vs {_number(also['null'])}")
      elif also:
        numbers += f"; and {also}"
    else:
      numbers, n = "-", "-"
    verdict = line["verdict"]
    if "reason" in line:
      verdict += f": {line['reason']}"
    source = line.get("source", "")
    out.append("| " + " | ".join(_cell(c) for c in (
        name, design, f"{line['claim']} ({source})" if source and source not in line["claim"]
        else line["claim"], verdict, numbers, n))
               + " |")
  return out


def experiment_names(paths: list[str]) -> dict[str, str]:
  """Each experiment directory less the directories all of them share (`cpu/benign_datasets/
  digits`, `digits/benign_strength` under runs/), so that names tell experiments apart; one
  directory alone by its own name."""
  folders = {p: os.path.normpath(p.removesuffix(record.FILENAME)) for p in paths}
  if len(set(folders.values())) < 2:
    return {p: os.path.basename(f) for p, f in folders.items()}
  common = os.path.commonpath(list(folders.values()))
  return {p: os.path.relpath(f, common) for p, f in folders.items()}


def table(paths: list[str], registrations_dir: str | None = None) -> str:
  lines = ["| experiment | design | claim (source) | verdict | primary statistic [95% "
           "interval] vs null | runs |", "|---|---|---|---|---|---|"]
  names = experiment_names(paths)
  root = os.path.dirname(os.path.dirname(os.path.abspath(registrations_dir or ".")))
  registrations = (preregistration.load_all(registrations_dir, root)
                   if registrations_dir else [])
  for path in paths:
    where = path if path.endswith(".json") else os.path.join(path, record.FILENAME)
    if not tf.io.gfile.exists(where):  # record.read would say "not a run directory?".
      raise errors.RunDirError(f"no {record.FILENAME} at {path}: run the experiment first")
    experiment = record.read(path)  # A malformed record: RunDirError says what is wrong.
    if "claims" not in experiment:
      raise errors.ConfigError(f"{path} is not an experiment record (it has no claims)")
    lines += rows(experiment, names[path], preregistration.of_record(
        experiment, registrations, root).label())
  return "\n".join(lines)


def update(path: str, text: str) -> None:
  with tf.io.gfile.GFile(path) as f:
    content = f.read()
  if content.count(BEGIN) != 1 or content.count(END) != 1 or \
      content.index(BEGIN) > content.index(END):
    raise errors.ConfigError(f"{path} needs one {BEGIN} ... {END} section")
  head, rest = content.split(BEGIN)
  _, tail = rest.split(END)
  atomic.write(path, f"{head}{BEGIN}\n{text}\n{END}{tail}", "the claims table")


def main(argv):
  del argv
  # Checked here, not marked required: all binaries share one flag registry.
  if not EXPERIMENTS.value:
    raise errors.ConfigError("--experiments must name at least one experiment directory")
  text = table(EXPERIMENTS.value, PREREGISTRATIONS.value)
  print(text)
  if UPDATE_FILE.value:
    update(UPDATE_FILE.value, text)


if __name__ == "__main__":
  cli.run(main)
