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

"""Every recipe names its binary and parses with that binary's own flags and validators."""

import importlib
import pathlib
import re

from absl import flags
from absl.testing import flagsaver
import pytest

RECIPES = sorted((pathlib.Path(__file__).parents[2] / "benchmarks" / "recipes").rglob("*.cfg"))


def test_there_are_cpu_and_paper_recipes():
  assert {p.parent.name for p in RECIPES} == {"cpu", "paper"} and len(RECIPES) >= 8


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_recipe_parses_with_its_binary(path):
  text = path.read_text()
  command = re.search(r"python -m (benchmarks\.\w+) --flagfile=(\S+)", text)
  assert command, "the recipe must say how to run it"
  assert command.group(2) == str(path.relative_to(path.parents[3]))
  binary = importlib.import_module(command.group(1))
  names = [line[2:].split("=")[0] for line in text.splitlines() if line.startswith("--")]
  # Only flags of this binary, of the modules it imports, or of flags/.
  own = {binary.__name__, "benchmarks.train"}
  for name in names:
    module = flags.FLAGS.find_module_defining_flag(name)
    assert module in own or module.startswith("flags."), f"--{name} is not a flag of {binary}"
  # Other binaries' required flags, when they are imported in the same process.
  placeholders = {name: value for name, value in (("run_dir", "."), ("runs", ["unused"]))
                  if name in flags.FLAGS}
  with flagsaver.flagsaver(**placeholders):
    flags.FLAGS(["recipe", f"--flagfile={path}"])  # Runs every validator.
    assert flags.FLAGS["output_dir"].value.startswith("runs/")


def test_the_frontier_script_configurations_parse_with_the_benign_binary():
  root = pathlib.Path(__file__).parents[2]
  base = root / "benchmarks/recipes/cpu/benign_frontier.cfg"
  script = (root / "benchmarks/recipes/cpu/benign_frontier.sh").read_text()
  assert f"base={base.relative_to(root)}" in script
  created, configurations = [], []
  [base_seeds] = re.findall(r"^--sweep_seed=(\S+)$", base.read_text(), re.M)

  def seeds(flag_list):
    given = [f.split("=", 1)[1] for f in flag_list if f.startswith("--sweep_seed=")]
    return set((given[-1] if given else base_seeds).split(","))

  for line in script.replace("\\\n", " ").splitlines():
    words = line.split()
    if re.match(r"run \w+", line):
      created.append(words[1])
      configurations.append(words[2:])
    elif re.match(r"extend \w+ \w+ \d+ ", line):
      assert words[1] in created, f"{words[2]} extends {words[1]}, not made before it"
      source = configurations[created.index(words[1])]
      # The same configuration, trained longer; it may add seeds, never drop one.
      same = lambda flag_list: [f for f in flag_list if not f.startswith(
          ("--epochs=", "--extend", "--sweep_seed="))]
      assert same(words[4:]) == same(source), f"{words[2]} extends {words[1]} with other flags"
      assert seeds(words[4:]) >= seeds(source), f"{words[2]} drops seeds of {words[1]}"
      created.append(words[2])
      configurations.append(words[4:] + [f"--epochs={words[3]}", "--extend"])
  assert len(created) >= 7 and len(created) == len(set(created)), created
  importlib.import_module("benchmarks.benign_memorization")
  placeholders = {name: value for name, value in (("run_dir", "."), ("runs", ["unused"]))
                  if name in flags.FLAGS}  # Other binaries' required flags (see above).
  for extra in configurations:
    with flagsaver.flagsaver(**placeholders):
      flags.FLAGS(["frontier", f"--flagfile={base}", *extra])  # Runs every validator.
      assert flags.FLAGS["output_dir"].value.startswith("runs/")
