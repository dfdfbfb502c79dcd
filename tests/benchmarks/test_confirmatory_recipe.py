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

"""The confirmatory script runs the pre-registered flagfile's jobs, two at a time, then
the aggregation; a failed job fails the script without aggregating; a stop stops its jobs.

A stand-in `python` records its calls instead of training (the runs themselves are the
benign binary's, tested in test_benign_memorization.py and test_split_jobs.py).
"""

import pathlib
import signal
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).parents[2]
SCRIPT = ROOT / "benchmarks/recipes/cpu/benign_confirmatory.sh"
FLAGFILE = ROOT / "benchmarks/recipes/cpu/benign_confirmatory.cfg"


def _stand_in(tmp_path, job_body="exit 0"):
  """A python that lists the seeds of the flagfile as jobs, logs every call (one line:
  'list', 'job <name>' or 'aggregate') and runs `job_body` for a job."""
  calls = tmp_path / "calls"
  stand_in = tmp_path / "python"
  stand_in.write_text(
      "#!/bin/bash\n"
      "only=''; list=''\n"
      "for a in \"$@\"; do case $a in --only=*) only=${a#--only=};; --list_jobs) list=1;; "
      "--flagfile=*) flagfile=${a#--flagfile=};; esac; done\n"
      f"if [ -n \"$list\" ]; then echo list >> {calls}\n"
      "  for s in $(sed -n 's/^--sweep_seed=//p' \"$flagfile\" | tr , ' '); do\n"
      "    echo \"python -m benchmarks.benign_memorization --flagfile=$flagfile --only=seed_$s\"\n"
      "  done; exit 0; fi\n"
      f"if [ -z \"$only\" ]; then echo aggregate >> {calls}; exit 0; fi\n"
      f"echo \"job $only $$\" >> {calls}\n" + job_body + "\n")
  stand_in.chmod(0o755)
  env = {"PATH": "/usr/bin:/bin", "PYTHON": str(stand_in),
         "CONFIRMATORY_DIR": str(tmp_path / "out")}
  return env, calls


def _calls(calls):
  return calls.read_text().splitlines() if calls.exists() else []


def test_every_registered_seed_is_a_job_then_the_claims_are_computed(tmp_path):
  env, calls = _stand_in(tmp_path)
  done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                        timeout=60, check=False)
  assert done.returncode == 0, done.stderr
  lines = _calls(calls)
  seeds = [s for line in FLAGFILE.read_text().splitlines()
           if line.startswith("--sweep_seed=") for s in line.split("=")[1].split(",")]
  assert len(seeds) == 8
  assert lines[0] == "list" and lines[-1] == "aggregate"
  assert sorted(line.split()[1] for line in lines[1:-1]) == sorted(f"seed_{s}" for s in seeds)
  assert "every job done" in done.stdout


def test_a_failed_job_fails_the_script_and_nothing_is_aggregated(tmp_path):
  env, calls = _stand_in(tmp_path, 'case $only in seed_1003) exit 3;; esac')
  done = subprocess.run(["bash", str(SCRIPT)], env=dict(env, CONFIRMATORY_JOBS="1"),
                        capture_output=True, text=True, timeout=60, check=False)
  assert done.returncode == 1
  assert "seed_1003 failed (exit 3)" in done.stderr and "rerun this script" in done.stderr
  lines = _calls(calls)
  assert "aggregate" not in lines and len([x for x in lines if x.startswith("job")]) == 8


@pytest.mark.parametrize("args, jobs, message", [(("extra",), "2", "usage"),
                                                 ((), "0", "CONFIRMATORY_JOBS=0"),
                                                 ((), "x", "CONFIRMATORY_JOBS=x")])
def test_bad_arguments_are_refused(tmp_path, args, jobs, message):
  env, calls = _stand_in(tmp_path)
  done = subprocess.run(["bash", str(SCRIPT), *args], env=dict(env, CONFIRMATORY_JOBS=jobs),
                        capture_output=True, text=True, timeout=60, check=False)
  assert done.returncode == 2 and message in done.stderr and not _calls(calls)


def _gone(pid: int) -> bool:
  status = pathlib.Path(f"/proc/{pid}/status")
  return not status.exists() or "\nState:\tZ" in status.read_text()


def test_a_stopped_script_stops_its_jobs_and_a_second_script_is_refused(tmp_path):
  env, calls = _stand_in(tmp_path, "exec sleep 120")
  script = subprocess.Popen(["bash", str(SCRIPT)], env=env, stderr=subprocess.PIPE, text=True)
  try:
    deadline = time.monotonic() + 30
    while len([x for x in _calls(calls) if x.startswith("job")]) < 2 and (
        time.monotonic() < deadline):
      time.sleep(0.2)
    jobs = [int(x.split()[2]) for x in _calls(calls) if x.startswith("job")]
    assert len(jobs) == 2  # Two at a time.
    second = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert second.returncode == 2 and "another confirmatory script" in second.stderr
    script.send_signal(signal.SIGTERM)
    # Far sooner than the jobs would end by themselves: the script stopped them.
    _, stderr = script.communicate(timeout=20)
  finally:
    script.kill()
  assert script.returncode == 143 and "rerunning resumes" in stderr
  assert all(_gone(pid) for pid in jobs), jobs
