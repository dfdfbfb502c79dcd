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

"""Runs binaries as separate processes, many per TensorFlow import.

`run_cases` starts one driver subprocess that imports TensorFlow and the library
once, then forks one child per case; the child runs `benchmarks.<binary>` as
`__main__` with the case's argv and environment, exactly as `python -m` would, with
stdout and stderr captured at the file-descriptor level. A case may be killed with
SIGKILL by the driver as soon as a file appears (`kill_when`), or kill itself at a
named point (`env={"MEMSUITE_KILL_AT": ...}`, see suite.results.record.kill_point).
For each case the driver reports the exit status, stderr, stdout, which files that
existed before the case changed, and any `complete` record the case left.
"""

import hashlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _digest(root: pathlib.Path) -> dict:
  """Content hash of every file under root, except lock files (rewritten by their holder)."""
  out = {}
  for path in sorted(root.rglob("*")):
    if path.is_file() and not path.name.endswith((".lock", ".lease")):
      try:
        out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
      except OSError:
        pass
  return out


def run_cases(cases: list[dict], tree: pathlib.Path, timeout: float = 900) -> list[dict]:
  """Runs `cases` (dicts with binary, args and optional env, lock, kill_when) under `tree`."""
  cases_path, results_path = tree / "cases.json", tree / "results.json"
  cases_path.write_text(json.dumps(cases))
  driver = subprocess.run(
      [sys.executable, "-c", f"from tests import forked; "
       f"forked.drive({str(cases_path)!r}, {str(results_path)!r})"],
      cwd=ROOT, capture_output=True, text=True, timeout=timeout)
  assert driver.returncode == 0, driver.stderr[-3000:]
  return json.loads(results_path.read_text())


def _child(case, stdout, stderr):
  import runpy  # pylint: disable=g-import-not-at-top
  os.dup2(os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
  os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
  os.environ.pop("TF_CONFIG", None)
  os.environ.update(case.get("env") or {})
  sys.argv = [f"benchmarks/{case['binary']}.py", *case["args"]]
  code = 0
  try:
    runpy.run_module(f"benchmarks.{case['binary']}", run_name="__main__", alter_sys=True)
  except SystemExit as e:
    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
  except BaseException:  # pylint: disable=broad-except  (as the interpreter would)
    import traceback  # pylint: disable=g-import-not-at-top
    traceback.print_exc()
    code = 1
  sys.stdout.flush()
  sys.stderr.flush()
  os._exit(code)  # pylint: disable=protected-access


def drive(cases_path: str, results_path: str) -> None:
  """In the driver process: one forked child per case; writes each child's outcome."""
  import fcntl  # pylint: disable=g-import-not-at-top
  import tensorflow  # pylint: disable=g-import-not-at-top,unused-import
  import tensorflow_datasets  # pylint: disable=g-import-not-at-top,unused-import
  from suite.experiments import benign_memorization, memorization_dynamics  # pylint: disable=g-import-not-at-top,unused-import
  from suite.analysis.leaderboard import aggregate, load, render  # pylint: disable=g-import-not-at-top,unused-import
  from suite.probing import hook  # pylint: disable=g-import-not-at-top,unused-import
  from suite.training import runner  # pylint: disable=g-import-not-at-top,unused-import
  cases = json.loads(pathlib.Path(cases_path).read_text())
  tree = pathlib.Path(cases_path).parent
  results = []
  for number, case in enumerate(cases):
    holder = None
    if case.get("lock"):  # Another process holds this run directory for the case's duration.
      holder = open(os.path.join(case["lock"], ".lock"), "a+", encoding="utf-8")  # pylint: disable=consider-using-with
      fcntl.flock(holder, fcntl.LOCK_EX)
      holder.write(json.dumps({"pid": 4242, "host": "elsewhere", "since": "then"}))
      holder.flush()
    before = _digest(tree)
    stdout, stderr = tree / f"case_{number}.out", tree / f"case_{number}.err"
    pid = os.fork()
    if pid == 0:
      _child(case, stdout, stderr)
    if case.get("kill_when"):
      while not os.path.exists(case["kill_when"]):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
          break
        time.sleep(0.01)
      else:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    else:
      _, status = os.waitpid(pid, 0)
    after = _digest(tree)
    if holder:
      holder.close()
    changed = sorted(p for p, h in before.items() if after.get(p) != h and
                     not p.startswith(str(tree / "case_")) and
                     not any(p.startswith(str(d)) for d in case.get("may_change", ())))
    new_complete = []
    for path in set(after) - set(before):
      if path.endswith("result.json"):
        try:
          if json.loads(pathlib.Path(path).read_text()).get("status") == "complete":
            new_complete.append(path)
        except (ValueError, AttributeError):
          pass
    if case.get("snapshot"):  # The file as the case left it (before later cases change it).
      case["snapshot"] = pathlib.Path(case["snapshot"]).read_text() \
          if os.path.exists(case["snapshot"]) else None
    results.append(dict(case, exit=os.waitstatus_to_exitcode(status), stderr=stderr.read_text(),
                        stdout=stdout.read_text(), changed=changed, new_complete=new_complete))
  pathlib.Path(results_path).write_text(json.dumps(results))
