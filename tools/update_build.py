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

"""Regenerates BUILD from the imports of every Python file (run after adding a module).

  python tools/update_build.py

One target per module, binary and test; intra-project imports become deps (read the
same way tests/test_build_file.py checks them), third-party imports requirement() deps.
"""

import ast
import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("build_check", ROOT / "tests/test_build_file.py")
build_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_check)

# Top-level import name -> pip distribution.
EXTERNAL = {"tensorflow": "tensorflow", "tensorflow_datasets": "tensorflow-datasets",
            "numpy": "numpy", "absl": "absl-py", "scann": "scann", "sklearn": "scikit-learn",
            "scipy": "scipy", "matplotlib": "matplotlib", "keras": "keras", "pytest": "pytest",
            "tensorboard": "tensorboard", "psutil": "psutil"}
# The `main` of every py_test: test files have no main, so each py_test runs this runner
# on its one test file (args), which exits with pytest's status.
TEST_MAIN = "tests/bazel_pytest_main.py"
HEADER = [
    "# One target per module, binary and test. tests/test_build_file.py checks that every",
    "# Python file has a target and every intra-project import a dep;",
    "# tools/update_build.py regenerates this file.",
    f"# Every py_test runs {TEST_MAIN} (its main) on its one test file (args): that runner",
    "# calls pytest and exits with its status, so a failing or empty test file fails the",
    "# target (a test file as main would only be imported, and pass vacuously).",
    'load("@pip//:requirements.bzl", "requirement")',
    'load("@rules_python//python:defs.bzl", "py_binary", "py_library", "py_test")', "",
    'package(default_visibility = ["//visibility:public"])', ""]


def target_name(path: str) -> str:
  name = path[:-3].replace("/", ".")
  return name[:-len(".__init__")] if name.endswith(".__init__") else name


def external_deps(path: str) -> set[str]:
  found = set()
  for node in ast.walk(ast.parse((ROOT / path).read_text())):
    if isinstance(node, ast.Import):
      names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
      names = [node.module]
    else:
      continue
    found |= {EXTERNAL[n.split(".")[0]] for n in names if n.split(".")[0] in EXTERNAL}
  return found


def target(path: str) -> list[str]:
  name = target_name(path)
  deps = sorted({":" + target_name(i) for i in build_check._imported_files(path)})  # pylint: disable=protected-access
  if path.startswith("tests/") and pathlib.Path(path).name.startswith("test_"):
    rule, extra = "py_test", [f'    main = "{TEST_MAIN}",', f'    args = ["{path}"],',
                              '    size = "medium",']
    srcs = [path, TEST_MAIN]
    deps = sorted(set(deps) | {":tests.conftest"})
  elif path.startswith("benchmarks/") and not path.endswith("__init__.py") and \
      not path.endswith("cli.py"):
    rule, extra = "py_binary", [f'    main = "{path}",']
  else:
    rule, extra = "py_library", []
  if rule != "py_test":
    srcs = [path]
  externals = external_deps(path) | ({"pytest"} if rule == "py_test" else set())
  deps += [f'requirement("{e}")' for e in sorted(externals)]
  lines = [f"{rule}(", f'    name = "{name}",',
           "    srcs = [" + ", ".join(f'"{s}"' for s in srcs) + "],"] + extra
  if deps:
    lines += ["    deps = ["] + [f"        {d}," if d.startswith("requirement") else
                                  f'        "{d}",' for d in deps] + ["    ],"]
  return lines + [")", ""]


def main():
  lines = list(HEADER)
  for path in build_check._project_files():  # pylint: disable=protected-access
    lines += target(path)
  (ROOT / "BUILD").write_text("\n".join(lines))


if __name__ == "__main__":
  main()
