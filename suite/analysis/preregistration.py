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

"""Pre-registrations: which experiments are confirmatory, and where they depart.

A pre-registration is a Markdown file (docs/preregistration/*.md) committed before any of
its runs. It names its flagfile in backticks (`benchmarks/recipes/....cfg`), and that
flagfile fixes fresh seeds (--sweep_seed, --seeds or --seed). An experiment whose record
uses any of those seeds is the pre-registered experiment: confirmatory. Every setting of
its record that differs from the flagfile is a departure, named; a record whose code
commit does not descend from the pre-registration's commit ran before it was registered.
Every other experiment is exploratory (DESIGN.md section 9).
"""

import dataclasses
import os
import re
import subprocess

import tensorflow as tf

from suite import errors

CONFIRMATORY, EXPLORATORY = "confirmatory", "exploratory"
# Where data and outputs live, how the work is split and shown: free in any run.
FREE_SETTINGS = frozenset({
    "output_dir", "data_dir", "manual_dir", "download", "progress", "strategy",
    "cpu_devices", "tpu", "list_jobs", "only", "verbosity"})
_SEED_SETTINGS = ("sweep_seed", "seeds", "seed")
_FLAGFILE = re.compile(r"`(benchmarks/recipes/[^`\s]+\.cfg)`")


@dataclasses.dataclass(frozen=True)
class Preregistration:
  path: str  # The Markdown file, as given.
  flagfile: str  # Relative to the repository root.
  settings: tuple[tuple[str, str], ...]  # (flag, value as written), in file order.
  seeds: frozenset[int]
  commit: str | None  # The commit that added the file; None when not committed.


@dataclasses.dataclass(frozen=True)
class Status:
  kind: str  # CONFIRMATORY or EXPLORATORY.
  preregistration: Preregistration | None = None
  departures: tuple[tuple[str, str, str], ...] = ()  # (setting, registered, recorded).
  ran_before_registration: bool = False

  def label(self) -> str:
    """One cell: the kind, and for a confirmatory experiment its file, commit, departures."""
    if self.preregistration is None:
      return self.kind
    registration = self.preregistration
    text = (f"{self.kind}: {registration.path} at "
            f"{registration.commit[:7] if registration.commit else 'an uncommitted file'}")
    notes = [f"{name} {recorded} (registered {registered})"
             for name, registered, recorded in self.departures]
    if self.ran_before_registration:
      notes.append("its runs' code predates the pre-registration")
    if registration.commit is None:
      notes.append("not committed, so not yet a pre-registration")
    return text + (f"; departures: {'; '.join(notes)}" if notes else "; no departure")


def flagfile_settings(text: str) -> tuple[tuple[str, str], ...]:
  """The `--name=value` lines of a flagfile, in order (comments and blanks skipped)."""
  settings = []
  for line in text.splitlines():
    line = line.strip()
    if line.startswith("--"):
      name, _, value = line[2:].partition("=")
      settings.append((name, value))
  return tuple(settings)


def _seeds(values) -> frozenset[int]:
  if values is None:
    return frozenset()
  if isinstance(values, str):
    values = [v for v in values.split(",") if v.strip()]
  elif not isinstance(values, (list, tuple)):
    values = [values]
  try:
    return frozenset(int(v) for v in values)
  except (TypeError, ValueError):
    return frozenset()


def seeds_of(settings: dict) -> frozenset[int]:
  """The seeds an experiment ran: its seed list, else its one seed."""
  for name in _SEED_SETTINGS:
    seeds = _seeds(settings.get(name))
    if seeds:
      return seeds
  return frozenset()


def _git(root: str, *args: str) -> str | None:
  try:
    result = subprocess.run(["git", *args], cwd=root or ".", capture_output=True, text=True,
                            timeout=20, check=False)
  except (OSError, subprocess.SubprocessError):
    return None
  return result.stdout.strip() if result.returncode == 0 else None


def commit_adding(path: str) -> str | None:
  """The commit that added `path` to its repository, or None (not committed, no git)."""
  folder, name = os.path.split(os.path.abspath(path))
  out = _git(folder, "log", "--follow", "--diff-filter=A", "--format=%H", "--", name)
  return out.splitlines()[-1] if out else None


def descends_from(root: str, commit: str, ancestor: str) -> bool | None:
  """Whether `commit` has `ancestor` in its history (None: git cannot tell)."""
  try:
    result = subprocess.run(["git", "merge-base", "--is-ancestor", ancestor, commit],
                            cwd=root or ".", capture_output=True, timeout=20, check=False)
  except (OSError, subprocess.SubprocessError):
    return None
  return {0: True, 1: False}.get(result.returncode)


def load(path: str, root: str = ".") -> Preregistration:
  """Reads a pre-registration and its flagfile (a path relative to `root`).

  Args:
    path: the Markdown file.
    root: the repository root its flagfile path is relative to.

  Returns:
    The Preregistration.

  Raises:
    errors.ConfigError: the file names no flagfile, or its flagfile fixes no seed.
  """
  with tf.io.gfile.GFile(path) as f:
    text = f.read()
  match = _FLAGFILE.search(text)
  if not match:
    raise errors.ConfigError(f"pre-registration {path} names no flagfile "
                             "(`benchmarks/recipes/....cfg` in backticks)")
  flagfile = match.group(1)
  where = os.path.join(root, flagfile)
  if not tf.io.gfile.exists(where):
    raise errors.ConfigError(f"pre-registration {path}: its flagfile {where} does not exist")
  with tf.io.gfile.GFile(where) as f:
    settings = flagfile_settings(f.read())
  seeds = seeds_of(dict(settings))
  if not seeds:
    raise errors.ConfigError(f"pre-registration {path}: {flagfile} fixes no seed")
  return Preregistration(path, flagfile, settings, seeds, commit_adding(path))


def load_all(directory: str, root: str = ".") -> list[Preregistration]:
  """Every pre-registration (*.md) in `directory`; none when it does not exist."""
  if not tf.io.gfile.isdir(directory):
    return []
  return [load(os.path.join(directory, name), root)
          for name in sorted(tf.io.gfile.listdir(directory)) if name.endswith(".md")]


def _text(value) -> str:
  if isinstance(value, bool):
    return str(value).lower()
  if isinstance(value, (list, tuple)):
    return ",".join(_text(v) for v in value)
  return "" if value is None else str(value)


def same(registered: str, recorded) -> bool:
  """Whether a recorded setting is the registered text (numbers compared as numbers)."""
  recorded_text = _text(recorded)
  if registered == recorded_text:
    return True
  try:
    return [float(v) for v in registered.split(",")] == \
        [float(v) for v in recorded_text.split(",")]
  except ValueError:
    return False


def classify(config: dict, commit: str | None, registrations: list[Preregistration],
             root: str = ".") -> Status:
  """Confirmatory (and how it departs) or exploratory, for one experiment record.

  Args:
    config: the experiment record's settings (its `config`, every flag as used).
    commit: the git commit of the code its runs used (its environment), if known.
    registrations: the pre-registrations to match against (by seed).
    root: the repository, to check that `commit` descends from the registration's.

  Returns:
    The Status.
  """
  seeds = seeds_of(config)
  for registration in registrations:
    if not seeds & registration.seeds:
      continue
    departures = tuple((name, value, _text(config.get(name)))
                       for name, value in registration.settings
                       if name not in FREE_SETTINGS and not same(value, config.get(name)))
    before = bool(commit and registration.commit and
                  descends_from(root, commit, registration.commit) is False)
    return Status(CONFIRMATORY, registration, departures, before)
  return Status(EXPLORATORY)


def of_record(experiment: dict, registrations: list[Preregistration], root: str = "."
              ) -> Status:
  """classify() for an experiment record (its `config` and its code's commit)."""
  commit = (experiment.get("environment") or {}).get("git", {}).get("commit")
  return classify(experiment.get("config") or {}, commit, registrations, root)
