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

"""Keeps the Bazel BUILD file honest: every Python file has a target, every import a dep.

Bazel cannot fetch rules_python offline here, so this reads BUILD (Starlark is
Python syntax) and checks it against the sources' own imports. It also checks that
every py_test would run its tests: test files have no main, so each py_test's main is
tests/bazel_pytest_main.py, which runs pytest on the target's file (args) and exits with
its status; that runner is itself tested here on passing, failing and empty files.
"""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = ("suite", "flags", "benchmarks", "tests")
RULES = {"py_library", "py_binary", "py_test"}
TEST_MAIN = "tests/bazel_pytest_main.py"


def _targets():
  tree = ast.parse((ROOT / "BUILD").read_text())
  targets = {}
  for node in ast.walk(tree):
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in RULES:
      fields = {}
      for keyword in node.keywords:
        if keyword.arg in ("name", "srcs", "main", "args"):
          fields[keyword.arg] = ast.literal_eval(keyword.value)
        elif keyword.arg == "deps":  # requirement("pkg") entries are external: skipped.
          fields["deps"] = [e.value for e in keyword.value.elts if isinstance(e, ast.Constant)]
      assert fields["name"] not in targets, f"duplicate target {fields['name']}"
      targets[fields["name"]] = fields
  return targets


def _project_files():
  return sorted(str(p.relative_to(ROOT)) for package in PROJECT_PACKAGES
                for p in (ROOT / package).rglob("*.py"))


def _module_file(module):
  """The project file that defines `module`, or None if it is not a project module."""
  if module.split(".")[0] not in PROJECT_PACKAGES:
    return None
  path = ROOT.joinpath(*module.split("."))
  for candidate in (path.with_suffix(".py"), path / "__init__.py"):
    if candidate.exists():
      return str(candidate.relative_to(ROOT))
  return None


def _imported_files(source):
  files = set()
  for node in ast.walk(ast.parse((ROOT / source).read_text())):
    if isinstance(node, ast.Import):
      names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
      # `from a.b import c`: c is a module when a file defines it, else a name in a.b.
      names = [f"{node.module}.{alias.name}" if _module_file(f"{node.module}.{alias.name}")
               else node.module for alias in node.names]
    else:
      continue
    files.update(f for f in map(_module_file, names) if f and f != source)
  return files


def test_every_python_file_belongs_to_a_target():
  owned = {src for target in _targets().values() for src in target.get("srcs", [])}
  missing = [f for f in _project_files() if f not in owned]
  assert not missing, f"files in no BUILD target: {missing}"
  stale = [src for src in owned if not (ROOT / src).exists()]
  assert not stale, f"BUILD names files that do not exist: {stale}"


def test_every_intra_project_import_is_a_declared_dep():
  targets = _targets()
  owner = {src: name for name, target in targets.items() for src in target.get("srcs", [])}
  problems = []
  for name, target in targets.items():
    deps = {dep.lstrip(":") for dep in target.get("deps", []) if dep.startswith(":")}
    for dep in deps:
      if dep not in targets:
        problems.append(f"{name}: unknown dep :{dep}")
    for src in target.get("srcs", []):
      for imported in _imported_files(src):
        if owner.get(imported) not in deps | {name}:
          problems.append(f"{name}: {src} imports {imported} (target :{owner.get(imported)})")
  assert not problems, "\n".join(problems)


def _test_targets(targets):
  return {name: t for name, t in targets.items() if name.startswith("tests.") and
          any(pathlib.Path(s).name.startswith("test_") for s in t.get("srcs", []))}


def test_every_py_test_runs_its_file_under_pytest(targets=None):
  """main is the pytest runner and args the test file: no py_test passes vacuously."""
  targets = targets or _targets()
  problems = []
  for name, target in _test_targets(targets).items():
    files = [s for s in target["srcs"] if s != TEST_MAIN]
    if target.get("main") != TEST_MAIN or TEST_MAIN not in target["srcs"]:
      problems.append(f"{name}: main must be {TEST_MAIN} (in srcs), not {target.get('main')}")
    if len(files) != 1 or target.get("args") != files:
      problems.append(f"{name}: args must name its one test file {files}, not "
                      f"{target.get('args')}")
  tests = [f for f in _project_files() if pathlib.Path(f).name.startswith("test_")]
  run = {a for t in _test_targets(targets).values() for a in t.get("args", [])}
  problems += [f"{f}: no py_test runs it" for f in tests if f not in run]
  assert not problems, "\n".join(problems)


def test_the_check_catches_a_py_test_with_its_own_main():
  targets = _targets()
  name, target = next(iter(_test_targets(targets).items()))
  own = target["args"][0]
  broken = dict(targets, **{name: dict(target, main=own, srcs=[own], args=[])})
  with pytest.raises(AssertionError, match="main must be"):
    test_every_py_test_runs_its_file_under_pytest(broken)


@pytest.mark.parametrize("body, status", [
    ("def test_ok():\n  assert 1 + 1 == 2\n", 0),
    ("def test_broken():\n  assert 1 + 1 == 3\n", 1),
    ("X = 1\n", 5),  # No tests: pytest's "no tests collected", a failure.
])
def test_the_pytest_main_exits_with_the_status_of_its_file(tmp_path, body, status):
  test_file = tmp_path / "test_sample.py"
  test_file.write_text(body)
  result = subprocess.run([sys.executable, str(ROOT / TEST_MAIN), str(test_file)],
                          cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin"}, timeout=120)
  assert result.returncode == status, result.stdout + result.stderr


def test_binaries_name_their_main_file():
  for name, target in _targets().items():
    if "main" in target:
      assert target["main"] in target["srcs"], name


def test_the_checker_catches_a_missing_dep(monkeypatch):
  """The dependency check itself can fail: drop one dep and it must notice."""
  targets = _targets()
  name, target = next((n, t) for n, t in targets.items() if any(
      _imported_files(s) for s in t.get("srcs", [])))
  broken = dict(targets, **{name: dict(target, deps=[])})
  monkeypatch.setattr(__import__(__name__, fromlist=["_targets"]), "_targets", lambda: broken)
  with pytest.raises(AssertionError, match="imports"):
    test_every_intra_project_import_is_a_declared_dep()
