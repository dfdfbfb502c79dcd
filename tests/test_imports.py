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

"""Dependencies point one way: the layers of docs/DESIGN.md, checked on the imports.

Every import between the suite's packages, flags/ and benchmarks/ is read from the
source (ast, no import executed) and must go down the layers below, or stay inside
its own package. Peers on one layer (probing, measures) do not import each other. The
analysis layer reads finished records only: it may import the base modules and
suite.results, nothing that trains, probes or measures, and only experiments and the
layers above it import it.
"""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Lowest first. A module may import its own package and any package of a lower rank.
RANKS = {
    "suite": 0,  # The base modules: suite/__init__, errors, rng, constants, entries, methods.
    "suite.tracks": 0.5,  # The track files and their loader (JSON only).
    "suite.results": 1,  # Run records and run directories, atomic writes, tables, plots.
    "suite.data": 2,
    "suite.models": 3,
    "suite.hooks": 3.5,  # The training-hook protocol: training, probing, measures build on it.
    "suite.training": 4,
    "suite.probing": 5,
    "suite.measures": 5,
    "suite.experiments": 6,
    "flags": 7,
    "benchmarks": 8,
}
# Packages beside the chain of ranks: (the packages each may import besides itself, the
# lowest rank that may import it).
SIDE_LAYERS = {
    # Statistics, claims, leaderboards, pre-registrations: analyses of finished records.
    "suite.analysis": ({"suite", "suite.results"}, RANKS["suite.experiments"]),
}
# Binaries share benchmarks.cli; importing another binary is a reversed arrow. Known
# cases, to remove as they are fixed (the test below fails on a stale entry).
KNOWN_BINARY_IMPORTS = {
}
# The package's one public entry point, `suite.benchmark(...)`, runs a track: it imports
# the track plan inside the function, so that `import suite` stays light.
PUBLIC_ENTRY_POINTS = {("suite", "suite.experiments.track_plan")}


def package_of(module: str) -> str | None:
  """The layer a dotted module name belongs to (None: not one of ours)."""
  parts = module.split(".")
  if parts[0] in ("flags", "benchmarks"):
    return parts[0]
  if parts[0] != "suite":
    return None
  if len(parts) > 1 and (f"suite.{parts[1]}" in RANKS or f"suite.{parts[1]}" in SIDE_LAYERS):
    return f"suite.{parts[1]}"
  return "suite"


def _is_module(dotted: str, root: str) -> bool:
  path = os.path.join(root, *dotted.split("."))
  return os.path.isfile(path + ".py") or os.path.isfile(os.path.join(path, "__init__.py"))


def imports_of(source: str, module: str, root: str = ROOT) -> set[str]:
  """The modules of ours that `source` (the text of `module`) imports, resolved."""
  found = set()
  for node in ast.walk(ast.parse(source)):
    if isinstance(node, ast.Import):
      names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
      base = node.module or ""
      if node.level:  # Relative: resolve against the importing module's package.
        package = module.split(".")[:-node.level]
        base = ".".join(package + ([base] if base else []))
      names = [f"{base}.{a.name}" if _is_module(f"{base}.{a.name}", root) else base
               for a in node.names]
    else:
      continue
    found.update(n for n in names if package_of(n))
  return found


def violations(graph: dict[str, set[str]]) -> list[str]:
  """Every import that points up the layers, sideways to a peer, or binary to binary."""
  out = []
  for module, targets in sorted(graph.items()):
    source = package_of(module)
    for target in sorted(targets):
      destination = package_of(target)
      if destination == source:
        if (source == "benchmarks" and target != "benchmarks.cli" and
            (module, target) not in KNOWN_BINARY_IMPORTS):
          out.append(f"{module} -> {target} (a binary importing another binary)")
        continue
      if source in SIDE_LAYERS:
        allowed = destination in SIDE_LAYERS[source][0]
      elif destination in SIDE_LAYERS:
        allowed = RANKS[source] >= SIDE_LAYERS[destination][1]
      else:
        allowed = RANKS[destination] < RANKS[source]
      if not allowed and (module, target) not in PUBLIC_ENTRY_POINTS:
        out.append(f"{module} -> {target} ({source} may not import {destination})")
  return out


def project_graph(root: str = ROOT) -> dict[str, set[str]]:
  """module -> the modules of ours it imports, for every .py file of suite/, flags/,
  benchmarks/."""
  graph = {}
  for top in ("suite", "flags", "benchmarks"):
    for directory, _, files in os.walk(os.path.join(root, top)):
      for name in files:
        if not name.endswith(".py"):
          continue
        path = os.path.join(directory, name)
        module = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
        module = module.removesuffix(".__init__")
        with open(path, encoding="utf-8") as f:
          graph[module] = imports_of(f.read(), module, root)
  return graph


def test_every_import_points_down_the_layers():
  graph = project_graph()
  assert {"suite.training.trainer", "suite.measures.sensitivity", "benchmarks.train",
          "suite.analysis.claims.benign", "suite.analysis.leaderboard.load"} <= set(graph)
  # Losses live in suite.models.losses: measures need no trainer.
  assert "suite.training.trainer" not in graph["suite.measures.sensitivity"]
  problems = violations(graph)
  assert not problems, "imports against docs/DESIGN.md:\n" + "\n".join(problems)


def test_known_exceptions_still_exist():
  graph = project_graph()
  stale = [pair for pair in KNOWN_BINARY_IMPORTS if pair[1] not in graph.get(pair[0], ())]
  assert not stale, f"fixed: remove {stale} from KNOWN_BINARY_IMPORTS"


@pytest.mark.parametrize("module,source,reason", [
    ("suite.measures.sensitivity", "from suite.training import trainer\n", None),
    ("suite.models.zoo", "from suite.training import trainer\n", "suite.training"),
    ("suite.data.datasets", "import suite.models.zoo as zoo\n", "suite.models"),
    ("suite.training.loop", "from suite.probing import probe\n", "suite.probing"),
    ("suite.probing.hook", "from suite.measures import sensitivity\n", "suite.measures"),
    ("suite.training.loop", "from ..experiments import benign_memorization\n",
     "suite.experiments"),
    ("suite.results.record", "from suite import models\n", "suite.models"),
    ("suite.results.record", "from suite.analysis import stats\n", "suite.analysis"),
    ("suite.training.runner", "from suite.analysis.claims import verdicts\n",
     "suite.analysis"),
    ("suite.analysis.claims.benign", "from suite.measures import rewinding\n",
     "suite.measures"),
    ("suite.analysis.claims.benign", "from suite.experiments import localization\n",
     "suite.experiments"),
    ("suite.analysis.leaderboard.load", "from suite.data import datasets\n", "suite.data"),
    ("suite.analysis.leaderboard.load", "from flags import runs\n", "flags"),
    ("suite.analysis.leaderboard.load",
     "from suite import constants\nfrom suite.results import record\n"
     "from suite.analysis.claims import readings\n", None),
    ("suite.experiments.localization", "from suite.analysis.claims import localization\n",
     None),
    ("benchmarks.leaderboard", "from suite.analysis.leaderboard import render\n", None),
    ("suite.errors", "from suite.data import datasets\n", "suite.data"),
    ("suite.experiments.x", "from benchmarks import train\n", "benchmarks"),
    ("benchmarks.knn_probe", "from benchmarks import train\n", "binary"),
    ("benchmarks.knn_probe", "from benchmarks import cli\nfrom flags import data\n", None),
])
def test_the_checker_catches_a_reversed_arrow(module, source, reason):
  """Synthetic sources: a reversed arrow is reported, a legal one is not."""
  problems = violations({module: imports_of(source, module)})
  if reason is None:
    assert not problems
  else:
    assert len(problems) == 1 and reason in problems[0], problems
