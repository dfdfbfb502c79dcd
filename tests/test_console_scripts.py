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

"""Console scripts: one `memorization-<binary>` per binary, each running that binary.

setup.cfg's entry points are read back and every one is run as a console script runs
it (the entry function called with sys.argv set, in a fresh process). Where pip has
installed the scripts next to this Python (`pip install -e ".[test]"`, as .ci/run
does), the installed executables are run too.
"""

import ast
import concurrent.futures
import configparser
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

ROOT = pathlib.Path(__file__).resolve().parents[1]
BINARIES = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py")
                  if p.stem not in ("__init__", "cli", "console"))
# The binary's name with dashes, without its own "memorization" (memorization_dynamics ->
# memorization-dynamics, benign_memorization -> memorization-benign).
SCRIPTS = {"memorization-" + "-".join(w for w in b.split("_") if w != "memorization"): b
           for b in BINARIES}
# benchmarks.cli ends --help / --helpshort / --helpfull with exit status 0 (absl's own is 1).
HELP_EXIT_STATUS = 0


def _entry_points() -> dict[str, str]:
  parser = configparser.ConfigParser()
  parser.read(ROOT / "setup.cfg")
  lines = parser["options.entry_points"]["console_scripts"].strip().splitlines()
  return dict(tuple(part.strip() for part in line.split("=")) for line in lines)


def _own_flags(binary: str) -> set[str]:
  """The flags a binary's own source defines (its key flags), read with ast."""
  tree = ast.parse((ROOT / "benchmarks" / f"{binary}.py").read_text())
  return {node.args[0].value for node in ast.walk(tree)
          if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
          and node.func.attr.startswith("DEFINE_") and node.args
          and isinstance(node.args[0], ast.Constant)}


def _docstring_head(binary: str) -> str:
  return ast.get_docstring(ast.parse((ROOT / "benchmarks" / f"{binary}.py").read_text())
                           ).splitlines()[0]


def _run(command: list[str], cwd=ROOT) -> subprocess.CompletedProcess:
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
  return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def _entry_command(script: str, *args: str) -> list[str]:
  """Python calling the entry function of `script` as pip's generated script does."""
  module, function = _entry_points()[script].split(":")
  code = (f"import sys; sys.argv = {[script, *args]!r}; "
          f"from {module} import {function}; sys.exit({function}())")
  return [sys.executable, "-c", code]


def _run_all(commands: dict[str, list[str]], cwd=ROOT) -> dict[str, subprocess.CompletedProcess]:
  # Each process imports TensorFlow (seconds of CPU): a few at a time.
  with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    futures = {name: pool.submit(_run, command, cwd) for name, command in commands.items()}
    return {name: future.result() for name, future in futures.items()}


def _check_help(script: str, result: subprocess.CompletedProcess):
  binary = SCRIPTS[script]
  assert result.returncode == HELP_EXIT_STATUS, result.stderr[-2000:]
  assert "Traceback" not in result.stderr, result.stderr[-2000:]
  assert result.stdout.startswith(_docstring_head(binary)), result.stdout[:500]
  listed = {line.split(":")[0].strip().removeprefix("--").removeprefix("[no]")
            for line in result.stdout.splitlines() if line.startswith("  --")}
  missing = _own_flags(binary) - listed
  assert not missing, f"{script} --helpshort does not list {sorted(missing)}:\n{result.stdout}"


def test_every_binary_has_a_console_script():
  assert len(BINARIES) >= 8
  expected = {script: f"benchmarks.console:{binary}" for script, binary in SCRIPTS.items()}
  assert _entry_points() == expected
  from benchmarks import console  # pylint: disable=g-import-not-at-top
  assert set(console.BINARIES) == set(BINARIES)
  assert {console.script_name(b) for b in console.BINARIES} == set(SCRIPTS)
  for binary in BINARIES:
    assert callable(getattr(console, binary)), binary


def _installed_scripts() -> dict[str, pathlib.Path]:
  bin_dir = pathlib.Path(sys.executable).parent
  return {script: bin_dir / script for script in SCRIPTS if (bin_dir / script).exists()}


@pytest.fixture(scope="module")
def helps(tmp_path_factory):
  """`<script> --helpshort` of every script: the installed executables where pip made them
  (run outside the repository: they need the installed package, not the cwd), otherwise
  the entry functions setup.cfg names, called as those executables call them."""
  installed = _installed_scripts()
  if installed:
    return _run_all({script: [str(path), "--helpshort"] for script, path in installed.items()},
                    cwd=tmp_path_factory.mktemp("elsewhere"))
  return _run_all({script: _entry_command(script, "--helpshort") for script in SCRIPTS})


def test_console_scripts_are_installed():
  """CI installs the suite with pip (.ci/run): its scripts must all be there."""
  installed = _installed_scripts()
  if not installed:
    pytest.skip(f"no console scripts next to {sys.executable}: the suite is not installed "
                "into this environment by pip (pip install -e . generates them); the entry "
                "functions are run instead")
  assert sorted(installed) == sorted(SCRIPTS), "reinstall: pip install -e ."


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_console_script_shows_the_binarys_help(helps, script):
  _check_help(script, helps[script])


def test_console_script_help_lists_the_same_flags_as_python_m(helps):
  """What `--helpshort` lists does not depend on how the binary is started."""
  module = _run([sys.executable, "-m", "benchmarks.knn_probe", "--helpshort"])

  def flag_lines(result):
    return sorted(line for line in result.stdout.splitlines() if line.startswith("  "))

  script = helps["memorization-knn-probe"]
  assert module.returncode == script.returncode == HELP_EXIT_STATUS
  assert flag_lines(module), module.stdout
  assert flag_lines(script) == flag_lines(module)


def test_console_script_parses_sys_argv_and_runs_main(tmp_path):
  """A whole (small) command: flags from sys.argv reach main, which exits 0; a user error
  ends with one line and status 2 (benchmarks.cli), not a traceback."""
  runs = tmp_path / "runs" / "digits_mlp"
  runs.mkdir(parents=True)
  shutil.copy(ROOT / "tests" / "golden" / "digits_mlp_result.json", runs / "result.json")
  empty = tmp_path / "empty"
  empty.mkdir()
  board = tmp_path / "board"
  results = _run_all({
      "ok": _entry_command("memorization-leaderboard", f"--runs={tmp_path / 'runs'}",
                           f"--board_dir={board}"),
      "error": _entry_command("memorization-leaderboard", f"--runs={empty}")})
  assert results["ok"].returncode == 0, results["ok"].stderr[-2000:]
  assert "1 runs (1 distinct) in 1 settings" in results["ok"].stdout
  assert (board / "leaderboard.md").read_text().strip()
  assert results["error"].returncode == 2
  last_line = results["error"].stderr.strip().splitlines()[-1]
  assert last_line.startswith("error: no complete result.json"), results["error"].stderr
  assert "Traceback" not in results["error"].stderr
