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

"""Each fact in one place: the values of suite/constants.py are not written elsewhere.

Reads the code (ast, docstrings and f-string text aside) of suite/, flags/ and
benchmarks/ for the run-directory names, the headline k's key and the default probe ks
as literals; a module that needs one imports suite.constants.
"""

import ast
import pathlib

from suite import constants

ROOT = pathlib.Path(__file__).resolve().parents[1]
# TENSORBOARD_DIR is left out: "tensorboard" is also the package's name (record.py).
FACTS = {constants.RESULT_FILENAME, constants.CHECKPOINTS_DIR, constants.PER_EXAMPLE_DIR,
         constants.FIGURES_DIR, constants.SCRATCH_DIR, constants.HEADLINE_KEY}
# Being rewritten on other branches; to remove as those changes land (a stale entry fails).
KNOWN: set[str] = set()


def _docstrings(tree: ast.AST) -> set[int]:
  out = set()
  for node in ast.walk(tree):
    if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
      body = node.body
      if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        out.add(id(body[0].value))
  return out


def literals(source: str) -> list[str]:
  """The facts of suite.constants that `source` writes as literals."""
  tree = ast.parse(source)
  skip = _docstrings(tree)
  found = []
  for node in ast.walk(tree):
    if isinstance(node, ast.Constant) and id(node) not in skip and node.value in FACTS:
      found.append(repr(node.value))
    elif isinstance(node, ast.Tuple) and all(isinstance(e, ast.Constant) for e in node.elts):
      if tuple(e.value for e in node.elts) == constants.PROBE_KS:
        found.append(repr(constants.PROBE_KS))
  return found


def _files():
  for package in ("suite", "flags", "benchmarks"):
    for path in sorted((ROOT / package).rglob("*.py")):
      rel = str(path.relative_to(ROOT))
      if rel != "suite/constants.py":
        yield rel, path.read_text()


def test_no_module_restates_a_fact_of_constants():
  offenders = {rel: found for rel, text in _files() if (found := literals(text))}
  unexpected = {rel: found for rel, found in offenders.items() if rel not in KNOWN}
  assert not unexpected, f"import these from suite.constants instead: {unexpected}"
  assert KNOWN <= set(offenders), f"stale KNOWN entries: {KNOWN - set(offenders)}"


def test_the_check_finds_a_restated_fact():
  source = ('"""result.json is mentioned in a docstring: fine."""\n'
            'import os\nPATH = os.path.join("run", "result.json")\nKS = (1, 20, 200)\n')
  assert sorted(literals(source)) == ["'result.json'", "(1, 20, 200)"]
  assert literals('x = f"{k}-NN"\n') == []
