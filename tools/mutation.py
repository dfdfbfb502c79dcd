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

r"""Mutation testing of the modules that decide results, each against the tests mirroring it.

  pip install -e '.[mutation]'
  nice -n 5 python tools/mutation.py                 # every module (about an hour, 2 cores)
  python tools/mutation.py corruptions knn           # some modules
  python tools/mutation.py --list                    # the modules and their test files
  python tools/mutation.py --report                  # the table of the last runs, no run

The tool is mutmut (https://github.com/boxed/mutmut): it plants one small change (a
mutant) at a time into a copy of the module and runs only the mirroring tests that call
the mutated function, stopping at the first failure. Each mutant runs in a process forked
from a server that has imported TensorFlow, the suite and the tests (pytest's collection)
without starting TensorFlow's runtime (a runtime started before a fork hangs the child),
so a mutant costs its tests' time, not TensorFlow's import.

Each module runs in its own directory build/mutation/<module>/ (mutmut reads its settings
from the setup.cfg there, written by this script; build/ is not tracked). A surviving
mutant is either killed by a new test or listed as equivalent, with a one-line reason, in
docs/testing.md (`- \`<mutant name>\`: <reason>`); the score counts killed mutants (and
timeouts) out of those not equivalent. For each module, survivors.txt in its directory
holds the diff of every mutant that survived and is not listed as equivalent.
Not part of CI: it is too slow.
"""

import argparse
import configparser
import fnmatch
import json
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation"
DOCS = ROOT / "docs" / "testing.md"
# The claims' modules run against the claims' fast tests (one second in all); not
# test_claims_calibration.py: ten minutes of simulated draws per surviving mutant, and it
# checks the verdicts' error rates, which the fast tests' hand-computed cases pin down.
_CLAIMS_TESTS = ["tests/analysis/claims/test_claims.py",
                 "tests/analysis/claims/test_claims_dynamics_sweeps.py",
                 "tests/analysis/claims/test_claims_units.py",
                 "tests/analysis/claims/test_claims_verdicts.py",
                 "tests/analysis/claims/test_localization.py",
                 "tests/analysis/claims/test_localization_contradicted.py",
                 "tests/analysis/claims/test_claims_units_dynamics.py",
                 "tests/analysis/claims/test_claims_units_localization.py",
                 "tests/analysis/claims/test_claims_units_report.py",
                 "tests/analysis/claims/test_claims_units_benign.py"]
# module: (its file, the test files that mirror it). The golden-record test is not one.
MODULES = {
    "augmentation": ("suite/data/augmentation.py",
                     ["tests/data/test_augmentation.py",
                      "tests/data/test_augmentation_distribution.py",
                      "tests/data/test_augmentation_torchvision.py"]),
    "pillow_ops": ("suite/data/pillow_ops.py",
                   ["tests/data/test_augmentation.py",
                    "tests/data/test_augmentation_distribution.py",
                    "tests/data/test_augmentation_torchvision.py",
                    "tests/data/test_randaugment.py", "tests/data/test_pillow_ops.py"]),
    "train_pipeline": ("suite/data/train_pipeline.py",
                       ["tests/data/test_augmentation.py", "tests/data/test_augm_iid.py"]),
    # The keyed draws of suite/rng.py are checked through the views they key.
    "rng": ("suite/rng.py", ["tests/data/test_augmentation.py",
                             "tests/data/test_augmentation_distribution.py"]),
    "corruptions": ("suite/data/corruptions.py", ["tests/data/test_corruptions.py"]),
    "knn": ("suite/probing/knn.py", ["tests/probing/test_knn.py",
                                     "tests/probing/test_no_scann.py"]),
    "probe": ("suite/probing/probe.py", ["tests/probing/test_probe.py"]),
    "stats": ("suite/analysis/stats.py", ["tests/analysis/test_stats.py"]),
    "example_difficulty": ("suite/analysis/example_difficulty.py",
                           ["tests/analysis/test_example_difficulty.py"]),
    **{f"claims_{name}": (f"suite/analysis/claims/{name}.py", _CLAIMS_TESTS)
       for name in ("verdicts", "readings", "benign", "malign", "fitting_order", "difficulty",
                    "sensitivity", "regularizers", "dynamics", "localization", "report")},
    "checkpointing": ("suite/training/checkpointing.py",
                      ["tests/training/test_checkpointing.py"]),
    "tracking": ("suite/training/tracking.py", ["tests/training/test_tracking.py"]),
    "evaluation": ("suite/training/evaluation.py", ["tests/training/test_evaluation.py"]),
    "record": ("suite/results/record.py", ["tests/results/test_record.py"]),
    "run_directory": ("suite/results/run_directory.py", ["tests/results/test_record.py"]),
    "provenance": ("suite/results/provenance.py", ["tests/results/test_record.py"]),
}
# Modules checked on a sample of their mutants: those whose number (in its function)
# matches the pattern. augmentation.py, pillow_ops.py, train_pipeline.py and rng.py have
# 746, 702, 522 and 380 mutants, hours on 2 cores; their sample is the mutants numbered
# 10, 20, 30... of each function (one in ten).
SAMPLES = {"augmentation": "*0", "pillow_ops": "*0", "train_pipeline": "*0", "rng": "*0"}
# What the mirrored tests import besides suite/ (tests/ is copied by mutmut itself).
ALSO_COPY = ("flags/", "benchmarks/")
KILLED = ("killed", "timeout", "segfault")
# Seconds added to a mutant's expected test time before mutmut's limit (15x) applies: a
# machine shared with training runs can take several times longer than the stats run.
TIMEOUT_SECONDS = 10.0
_EQUIVALENT = re.compile(r"^\s*[-*] `(suite\.[\w.]+__mutmut_\d+)`: (.+)$")


def equivalents() -> dict[str, str]:
  """{mutant name: reason} of the mutants docs/testing.md lists as equivalent."""
  if not DOCS.exists():
    return {}
  return {m.group(1): m.group(2) for m in map(_EQUIVALENT.match, DOCS.read_text().splitlines())
          if m}


def _pytest_section() -> str:
  """The repository's own pytest settings, for the tests run inside the mutants' copy."""
  parser = configparser.ConfigParser(interpolation=None)
  parser.read(ROOT / "setup.cfg")
  lines = ["[tool:pytest]"]
  for key, value in parser["tool:pytest"].items():
    # Continuation lines indented, or a multi-line value (markers) would become new keys.
    lines.append(f"{key} = {value}".replace("\n", "\n    "))
  return "\n".join(lines)


# pytest's unraisable- and thread-exception plugins run gc.collect() at the end of every
# session: seconds per mutant in a process holding TensorFlow (its heap is huge).
def _settings(module_file: str, tests: list[str]) -> str:
  listed = lambda values: "\n".join(f"    {v}" for v in values)
  return f"""{_pytest_section()}

[mutmut]
source_paths = suite
only_mutate = {module_file}
also_copy =
{listed(ALSO_COPY)}
pytest_add_cli_args_test_selection =
{listed(tests)}
pytest_add_cli_args =
    -p no:cacheprovider
    -p no:unraisableexception
    -p no:threadexception
process_isolation = forkserver
forkserver_warmup = collect
timeout_constant = {TIMEOUT_SECONDS}
"""


def prepare(name: str) -> pathlib.Path:
  """A fresh work directory for `name`: links to the sources and mutmut's settings."""
  module_file, tests = MODULES[name]
  work = WORK / name
  if work.exists():
    shutil.rmtree(work)
  work.mkdir(parents=True)
  for directory in ("suite", "tests", *[d.rstrip("/") for d in ALSO_COPY]):
    (work / directory).symlink_to(ROOT / directory, target_is_directory=True)
  (work / "setup.cfg").write_text(_settings(module_file, tests))
  return work


def _pattern(name: str) -> str:
  """The mutant names `name` is checked on (all, or its sample)."""
  return f"{_dotted(name)}.*__mutmut_{SAMPLES.get(name, '*')}"


def statuses(name: str) -> dict[str, str]:
  """{mutant name: mutmut's status} of the last run of `name` (its sample, if sampled)."""
  from mutmut import stats  # pylint: disable=g-import-not-at-top  (an optional extra)
  meta = WORK / name / "mutants" / (MODULES[name][0] + ".meta")
  if not meta.exists():
    return {}
  codes = json.loads(meta.read_text())["exit_code_by_key"]
  return {key: stats.status_by_exit_code[code] for key, code in codes.items()
          if fnmatch.fnmatchcase(key, _pattern(name))}


def summary(name: str, seconds: float | None, listed: dict[str, str]) -> dict:
  """Counts and score of the last run of `name`; survivors' diffs to survivors.txt."""
  found = statuses(name)
  if not found:
    return {"module": name, "measured": False}
  killed = sorted(k for k, s in found.items() if s in KILLED)
  equivalent = sorted(k for k, s in found.items() if k in listed and s not in KILLED)
  survived = sorted(k for k, s in found.items() if s not in KILLED and k not in listed)
  # An equivalent mutant that a test kills is no longer equivalent: the list is stale.
  stale = sorted(k for k in listed if fnmatch.fnmatchcase(k, _pattern(name)) and
                 (k not in found or k in killed))
  considered = len(found) - len(equivalent)
  work = WORK / name
  timeouts = sorted(k for k, s in found.items() if s == "timeout")
  with open(work / "survivors.txt", "w", encoding="utf-8") as out:
    # Timeouts count as killed; a hung fork (not a slow mutant) would time out too.
    for key in survived + [""] + timeouts:
      if not key:
        out.write("==== timeouts (counted as killed: check that each is a real one)\n\n")
        continue
      out.write(f"{key}  [{found[key]}]\n{_diff(work, key, MODULES[name][0])}\n\n")
  return {"module": name, "measured": True, "mutants": len(found), "killed": len(killed),
          "equivalent": len(equivalent), "survived": len(survived),
          "score": len(killed) / considered if considered else float("nan"),
          "seconds": seconds, "survivors": survived, "stale_equivalents": stale,
          "timeouts": timeouts,
          "by_status": {s: sum(v == s for v in found.values()) for s in set(found.values())}}


def _diff(work: pathlib.Path, key: str, module_file: str) -> str:
  """The diff of mutant `key` (as `mutmut show`, in-process: a process each takes seconds)."""
  try:
    from mutmut.mutation import diff_apply  # pylint: disable=g-import-not-at-top
    previous = os.getcwd()
    os.chdir(work)
    try:
      return f"# {key}\n" + diff_apply.get_diff_for_mutant(key, path=module_file)
    finally:
      os.chdir(previous)
  except Exception:  # pylint: disable=broad-except  (another mutmut version: its CLI)
    return subprocess.run([*_mutmut(), "show", key], cwd=work, capture_output=True,
                          text=True).stdout


def _mutmut() -> list[str]:
  """mutmut's own command (its console script beside this Python, else `python -m`)."""
  script = pathlib.Path(sys.executable).parent / "mutmut"
  return [str(script)] if script.exists() else [sys.executable, "-m", "mutmut"]


def _dotted(name: str) -> str:
  return MODULES[name][0][:-len(".py")].replace("/", ".")


def rerun_survivors(name: str, jobs: int, listed: dict[str, str]) -> None:
  """Checks again, with the current tests, the mutants of `name` that survived last time."""
  work = WORK / name
  survivors = [k for k, s in statuses(name).items() if s not in KILLED and k not in listed]
  if not survivors:
    return
  # The mirroring tests as listed now (a test file may have been added since the run).
  (work / "setup.cfg").write_text(_settings(*MODULES[name]))
  # Which tests call which function, measured anew: edited tests may call other functions.
  (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
  with open(work / "mutmut.log", "a", encoding="utf-8") as log:
    subprocess.run([*_mutmut(), "run", "--max-children", str(jobs), *survivors], cwd=work,
                   stdout=log, stderr=subprocess.STDOUT,
                   env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))


def run(name: str, jobs: int) -> float:
  """Runs mutmut on `name`; returns the wall time in seconds (log: mutmut.log).

  The CPU time of mutmut and every process it forked goes to `cpu_seconds` beside it: on a
  busy machine it, divided by the cores, is the better measure of the time on idle ones.
  """
  work = prepare(name)
  started = time.time()
  before = resource.getrusage(resource.RUSAGE_CHILDREN)
  with open(work / "mutmut.log", "w", encoding="utf-8") as log:
    sample = [_pattern(name)] if name in SAMPLES else []
    code = subprocess.run([*_mutmut(), "run", "--max-children", str(jobs), *sample],
                          cwd=work, stdout=log, stderr=subprocess.STDOUT,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")).returncode
  seconds = time.time() - started
  after = resource.getrusage(resource.RUSAGE_CHILDREN)
  cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
  (work / "cpu_seconds").write_text(f"{cpu:.1f}\n")
  if code:
    print(f"{name}: mutmut exited with {code}; see {work / 'mutmut.log'}", file=sys.stderr)
  (work / "seconds").write_text(f"{seconds:.1f}\n")
  return seconds


def table(rows: list[dict]) -> str:
  lines = ["| module | mutants | killed | equivalent | survived | score | wall time | CPU time |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
  for row in rows:
    if not row["measured"]:
      lines.append(f"| {row['module']} | not measured | | | | | | |")
      continue
    minutes = lambda s: "-" if s is None else f"{s / 60:.1f} min"
    label = row["module"] + (" (sample)" if row["module"] in SAMPLES else "")
    lines.append(f"| {label} | {row['mutants']} | {row['killed']} | "
                 f"{row['equivalent']} | {row['survived']} | {100 * row['score']:.1f}% | "
                 f"{minutes(row['seconds'])} | {minutes(row.get('cpu_seconds'))} |")
  return "\n".join(lines)


def main(argv: list[str]) -> int:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("modules", nargs="*", help=f"of {sorted(MODULES)}; none: all")
  parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                      help="mutants checked at once (default: the CPU count)")
  parser.add_argument("--list", action="store_true", help="print the modules and tests")
  parser.add_argument("--report", action="store_true",
                      help="summarise the last runs without running anything")
  parser.add_argument("--survivors", action="store_true",
                      help="check only the last run's survivors again (after adding tests); "
                      "the wall time stays the last full run's")
  parser.add_argument("--min_score", type=float, default=0.9,
                      help="exit 1 when a module scores below this (default 0.9)")
  args = parser.parse_args(argv)
  unknown = sorted(set(args.modules) - set(MODULES))
  if unknown:
    parser.error(f"unknown modules {unknown}; expected some of {sorted(MODULES)}")
  names = args.modules or list(MODULES)
  if args.list:
    for name in names:
      print(f"{name}: {MODULES[name][0]} <- {' '.join(MODULES[name][1])}")
    return 0
  listed = equivalents()
  rows = []
  for name in names:
    seconds = None
    if args.report or args.survivors:
      if args.survivors:
        print(f"{name}: checking the survivors again ...", flush=True)
        rerun_survivors(name, args.jobs, listed)
      recorded = WORK / name / "seconds"
      seconds = float(recorded.read_text()) if recorded.exists() else None
    else:
      print(f"{name}: mutating {MODULES[name][0]} ...", flush=True)
      seconds = run(name, args.jobs)
    row = summary(name, seconds, listed)
    recorded_cpu = WORK / name / "cpu_seconds"
    if row["measured"] and recorded_cpu.exists():
      row["cpu_seconds"] = float(recorded_cpu.read_text())
    rows.append(row)
    if row["measured"]:
      print(f"{name}: {row['killed']}/{row['mutants']} killed, {row['equivalent']} "
            f"equivalent, {row['survived']} survived ({100 * row['score']:.1f}%) in "
            f"{(seconds or 0) / 60:.1f} min; survivors: {WORK / name / 'survivors.txt'}",
            flush=True)
      for key in row["stale_equivalents"]:
        print(f"{name}: {key} is listed as equivalent but was killed or no longer exists",
              flush=True)
  print(table(rows))
  (WORK / "summary.json").parent.mkdir(parents=True, exist_ok=True)
  previous = {}
  if (WORK / "summary.json").exists():
    previous = {r["module"]: r for r in json.loads((WORK / "summary.json").read_text())}
  previous.update({r["module"]: r for r in rows})
  (WORK / "summary.json").write_text(json.dumps(list(previous.values()), indent=1) + "\n")
  low = [r["module"] for r in rows if r["measured"] and not r["score"] >= args.min_score]
  return 1 if low else 0


if __name__ == "__main__":
  sys.exit(main(sys.argv[1:]))
