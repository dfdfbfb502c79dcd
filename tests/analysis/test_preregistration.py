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

import pathlib
import subprocess

import pytest

from suite import errors
from suite.analysis import preregistration

ROOT = pathlib.Path(__file__).parents[2]
FLAGFILE = "benchmarks/recipes/cpu/exp.cfg"


def _git(repo, *args):
  return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                        text=True).stdout.strip()


def _repo(tmp_path, flagfile_text="--epochs=10\n--sweep_seed=1000,1001,1002\n"
          "--adam_epsilon=1e-8\n--output_dir=runs/x\n"):
  _git(tmp_path, "init", "-q")
  _git(tmp_path, "config", "user.email", "t@example.com")
  _git(tmp_path, "config", "user.name", "t")
  (tmp_path / "code.py").write_text("v = 1\n")
  _git(tmp_path, "add", "code.py")
  _git(tmp_path, "commit", "-q", "-m", "code")
  before = _git(tmp_path, "rev-parse", "HEAD")
  (tmp_path / FLAGFILE).parent.mkdir(parents=True)
  (tmp_path / FLAGFILE).write_text("# a comment --not=this\n" + flagfile_text)
  folder = tmp_path / "docs" / "preregistration"
  folder.mkdir(parents=True)
  (folder / "exp-1.md").write_text(f"# exp\nFlagfile: `{FLAGFILE}`.\n")
  _git(tmp_path, "add", ".")
  _git(tmp_path, "commit", "-q", "-m", "pre-registration")
  registered = _git(tmp_path, "rev-parse", "HEAD")
  (folder / "exp-1.md").write_text(f"# exp\nFlagfile: `{FLAGFILE}`.\nDepartures: one.\n")
  _git(tmp_path, "commit", "-q", "-am", "a later edit")
  return folder, before, registered, _git(tmp_path, "rev-parse", "HEAD")


def _config(**changes):
  config = {"epochs": 10, "sweep_seed": ["1000", "1001", "1002"], "adam_epsilon": 1e-08,
            "output_dir": "/elsewhere", "learning_rate": 0.001}
  config.update(changes)
  return config


def test_flagfile_settings_skip_comments_and_keep_order():
  assert preregistration.flagfile_settings("# --a=1\n--b=2\n\n  --c=x,y\n") == (
      ("b", "2"), ("c", "x,y"))


def test_a_registration_is_its_adding_commit_and_its_flagfile(tmp_path):
  folder, _, registered, _ = _repo(tmp_path)
  [registration] = preregistration.load_all(str(folder), str(tmp_path))
  assert registration.commit == registered  # Not the later edit's commit.
  assert registration.flagfile == FLAGFILE
  assert registration.seeds == {1000, 1001, 1002}
  assert dict(registration.settings)["epochs"] == "10"


def test_the_experiment_with_its_seeds_is_confirmatory_and_departures_are_named(tmp_path):
  folder, before, registered, later = _repo(tmp_path)
  registrations = preregistration.load_all(str(folder), str(tmp_path))
  status = preregistration.classify(_config(), later, registrations, str(tmp_path))
  assert status.kind == preregistration.CONFIRMATORY
  assert status.departures == () and not status.ran_before_registration
  label = status.label()
  assert f"exp-1.md at {registered[:7]}" in label and label.endswith("no departure")
  # Output locations are free; 1e-8 and 1e-08 are one number; epochs are not free.
  status = preregistration.classify(_config(epochs=12), later, registrations, str(tmp_path))
  assert status.departures == (("epochs", "10", "12"),)
  assert "departures: epochs 12 (registered 10)" in status.label()
  # One shared seed is enough to be the registered experiment; none is exploratory.
  assert preregistration.classify(_config(sweep_seed=["1002", "7"]), later, registrations,
                                  str(tmp_path)).departures == (
      ("sweep_seed", "1000,1001,1002", "1002,7"),)
  assert preregistration.classify(_config(sweep_seed=["0", "1", "2"]), later, registrations,
                                  str(tmp_path)).label() == preregistration.EXPLORATORY
  # Runs made with code older than the registration ran before it.
  early = preregistration.classify(_config(), before, registrations, str(tmp_path))
  assert early.ran_before_registration and "predates the pre-registration" in early.label()


def test_an_uncommitted_registration_is_not_one_yet(tmp_path):
  (tmp_path / FLAGFILE).parent.mkdir(parents=True)
  (tmp_path / FLAGFILE).write_text("--seed=5\n")
  (tmp_path / "p.md").write_text(f"`{FLAGFILE}`")
  registration = preregistration.load(str(tmp_path / "p.md"), str(tmp_path))
  assert registration.commit is None and registration.seeds == {5}
  status = preregistration.classify({"seed": 5}, None, [registration], str(tmp_path))
  assert "not committed, so not yet a pre-registration" in status.label()


@pytest.mark.parametrize("text, flagfile, match", [
    ("no flagfile here", None, "names no flagfile"),
    (f"`{FLAGFILE}`", None, "does not exist"),
    (f"`{FLAGFILE}`", "--epochs=3\n", "fixes no seed"),
])
def test_a_broken_registration_is_one_error(tmp_path, text, flagfile, match):
  if flagfile is not None:
    (tmp_path / FLAGFILE).parent.mkdir(parents=True)
    (tmp_path / FLAGFILE).write_text(flagfile)
  (tmp_path / "p.md").write_text(text)
  with pytest.raises(errors.ConfigError, match=match):
    preregistration.load(str(tmp_path / "p.md"), str(tmp_path))


def test_the_repository_registrations_use_seeds_no_recipe_used():
  registrations = preregistration.load_all(str(ROOT / "docs" / "preregistration"), str(ROOT))
  assert registrations, "docs/preregistration has no pre-registration"
  registered = {r.flagfile for r in registrations}
  for recipe in sorted((ROOT / "benchmarks" / "recipes").rglob("*.cfg")):
    relative = str(recipe.relative_to(ROOT))
    if relative in registered:
      continue
    seeds = preregistration.seeds_of(dict(preregistration.flagfile_settings(recipe.read_text())))
    for registration in registrations:
      assert not seeds & registration.seeds, f"{relative} uses {registration.path}'s seeds"
