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
import os
import pathlib
import re
import signal
import subprocess
import time

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
    line = line.strip()  # Configurations sit inside the chain functions.
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


FRONTIER_SCRIPT = pathlib.Path(__file__).parents[2] / "benchmarks/recipes/cpu/benign_frontier.sh"


def _stand_in_python(tmp_path, body: str) -> dict:
  """A `python` on PATH that the frontier script calls instead of training: it records the
  output directory it was given (in tmp_path/calls), writes a result.json there, then runs
  `body`. Returns the environment for the script."""
  bin_dir = tmp_path / "bin"
  bin_dir.mkdir(parents=True)
  stand_in = bin_dir / "python"
  stand_in.write_text(
      "#!/bin/bash\n"
      "for a in \"$@\"; do case $a in --output_dir=*) d=${a#--output_dir=};; esac; done\n"
      f"mkdir -p \"$d\"; echo \"$(basename \"$d\")\" >> {tmp_path / 'calls'}\n"
      "echo {} > \"$d/result.json\"\n" + body)
  stand_in.chmod(0o755)
  return {"PATH": f"{bin_dir}:/usr/bin:/bin", "FRONTIER_DIR": str(tmp_path / "out")}


def _run_frontier_script(tmp_path, fail_on, *args, jobs="2"):
  """Runs the frontier script with the stand-in, which fails (exit 3) for the output
  directories ending in `fail_on`; returns the finished process and the trained names."""
  env = _stand_in_python(tmp_path, f"case $d in *{fail_on}) exit 3;; esac\n")
  done = subprocess.run(["bash", str(FRONTIER_SCRIPT), *args], env=dict(env, FRONTIER_JOBS=jobs),
                        capture_output=True, text=True, timeout=120, check=False)
  calls = tmp_path / "calls"
  return done, calls.read_text().split() if calls.exists() else []


def test_the_frontier_script_runs_every_chain_and_the_follow_ups_only_with_all(tmp_path):
  done, trained = _run_frontier_script(tmp_path, "no_such_configuration")
  assert done.returncode == 0, done.stderr
  assert sorted(trained) == sorted([
      "resnet18_w0125_n250_strong", "resnet18_w0125_n250_strong_600ep",
      "resnet18_w0125_n250_strong_1200ep", "cnn_small_n250_standard", "cnn_small_n250_strong",
      "cnn_small_n1000_strong_150ep", "cnn_small_n250_randaugment05"])
  # A chain's configurations train in order (each extends the one before).
  resnet = [name for name in trained if name.startswith("resnet18")]
  assert resnet == sorted(resnet, key=len)
  done, trained = _run_frontier_script(tmp_path / "all", "no_such_configuration", "--all")
  assert done.returncode == 0, done.stderr
  assert {"cnn_small_n250_strong_600ep", "cnn_small_n250_strong_1200ep",
          "resnet18_w0125_n250_strong_1200ep_5seeds",
          "resnet18_w0125_n250_strong_1500ep"} <= set(trained) and len(trained) == 11


def test_a_failing_frontier_chain_stops_its_own_followers_and_fails_the_script(tmp_path):
  done, trained = _run_frontier_script(tmp_path, "resnet18_w0125_n250_strong_600ep", jobs="1")
  assert done.returncode == 1
  assert "resnet18_chain failed (exit 3)" in done.stderr
  # The chain stopped at its failed configuration; the other chains still ran.
  assert "resnet18_w0125_n250_strong_1200ep" not in trained
  assert "cnn_small_n250_randaugment05" in trained
  log = tmp_path / "out/logs/resnet18_chain.log"
  assert "frontier configuration resnet18_w0125_n250_strong_600ep" in log.read_text()


def test_an_extension_never_starts_from_a_copy_cut_short(tmp_path):
  partial = tmp_path / "out/resnet18_w0125_n250_strong_600ep.copying"
  partial.mkdir(parents=True)
  (partial / "left_by_a_killed_copy").write_text("")
  done, _ = _run_frontier_script(tmp_path, "no_such_configuration")
  assert done.returncode == 0, done.stderr
  extended = tmp_path / "out/resnet18_w0125_n250_strong_600ep"
  assert (extended / "result.json").exists() and not (extended / "left_by_a_killed_copy").exists()
  assert not partial.exists()


@pytest.mark.parametrize("args, jobs, message", [(("--bogus",), "2", "usage"),
                                                 (("--all", "extra"), "2", "usage"),
                                                 ((), "0", "FRONTIER_JOBS=0"),
                                                 ((), "1.5", "FRONTIER_JOBS=1.5"),
                                                 ((), "9" * 30, "from 1 to 99")])
def test_the_frontier_script_refuses_bad_arguments(tmp_path, args, jobs, message):
  done, trained = _run_frontier_script(tmp_path, "none", *args, jobs=jobs)
  assert done.returncode == 2 and message in done.stderr and not trained


def _start_slow_frontier_script(tmp_path):
  """The script with a stand-in that trains for a minute; returns it once two configurations
  (two chains at a time) are training, with their pids."""
  started = tmp_path / "started"
  env = _stand_in_python(tmp_path, f"echo $$ >> {started}\nexec sleep 60\n")
  # A session of its own: a terminal's Ctrl-C reaches the foreground process group.
  script = subprocess.Popen(["bash", str(FRONTIER_SCRIPT)], env=env, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
  deadline = time.monotonic() + 30
  while (not started.exists() or len(started.read_text().split()) < 2) and (
      time.monotonic() < deadline):
    time.sleep(0.2)
  return script, env, [int(pid) for pid in started.read_text().split()]


def _gone(pid: int) -> bool:
  """Ended: no such process, or a zombie that nothing has reaped yet."""
  status = pathlib.Path(f"/proc/{pid}/status")
  return not status.exists() or "\nState:\tZ" in status.read_text()


@pytest.mark.parametrize("stop, returncode", [("terminate", 143), ("ctrl_c", 130)])
def test_stopping_the_frontier_script_stops_the_training_it_started(tmp_path, stop, returncode):
  script, _, training = _start_slow_frontier_script(tmp_path)
  try:
    assert len(training) == 2  # Two chains at a time.
    if stop == "terminate":
      script.send_signal(signal.SIGTERM)
    else:  # What a terminal sends: SIGINT to the foreground process group.
      os.killpg(script.pid, signal.SIGINT)
    _, stderr = script.communicate(timeout=30)
  finally:
    script.kill()
  assert script.returncode == returncode and "rerunning resumes" in stderr
  assert all(_gone(pid) for pid in training), training  # Stopped before the script ended.


def test_a_second_frontier_script_on_the_same_directory_is_refused(tmp_path):
  first, env, training = _start_slow_frontier_script(tmp_path)
  try:
    second = subprocess.run(["bash", str(FRONTIER_SCRIPT)], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert second.returncode == 2 and "another frontier script is running" in second.stderr
    assert len((tmp_path / "calls").read_text().split()) == len(training)  # Nothing more ran.
  finally:
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=30)
