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

"""An experiment split into jobs (--list_jobs, each --only alone, then the same command
without --only) gives the same runs and claims as one process."""

import shlex

from absl import flags
from absl.testing import flagsaver
import pytest

from benchmarks import benign_memorization
from benchmarks import memorization_dynamics
from suite import errors
from suite.results import record

_TINY = dict(dataset="digits", train_size=100, test_size=50, model="mlp", width=16, depth=2,
             epochs=1, batch_size=25, augmentation="standard", knn_k=["20"],
             conditions=["clean", "random_augmented"], sweep_seed=["0", "1"])


def _run_command(line: str, module: str, main) -> None:
  """Runs one printed command in this process, with exactly its flags."""
  argv = shlex.split(line)
  assert argv[1:3] == ["-m", module]
  # Other binaries' required flags, when they were imported in this process (pytest -n).
  placeholders = [f"--{name}={value}" for name, value in (("run_dir", "."), ("runs", "unused"))
                  if name in flags.FLAGS]
  with flagsaver.flagsaver():
    flags.FLAGS.unparse_flags()
    flags.FLAGS([argv[0]] + argv[3:] + placeholders)
    main([])


def _split_then_aggregate(main, module: str, output_dir: str, settings: dict, capsys) -> list:
  """--list_jobs, each command alone, then the command without --only; returns the lines."""
  with flagsaver.flagsaver(output_dir=output_dir, list_jobs=True, **settings):
    main([])
  lines = capsys.readouterr().out.strip().splitlines()
  for line in lines:
    _run_command(line, module, main)
  _run_command(lines[0].rsplit(" ", 1)[0], module, main)
  return lines


def _same_runs(a: str, b: str, names, keys=("metrics", "probe", "settings", "controls")):
  for name in names:
    run_a, run_b = record.read(f"{a}/{name}"), record.read(f"{b}/{name}")
    assert run_a["status"] == run_b["status"] == "complete"
    assert run_a["config_hash"] == run_b["config_hash"]
    # The same controls; only the path of the clean run they name differs.
    for run in (run_a, run_b):
      run.get("controls", {}).get("clean_labels", {}).pop("run_dir", None)
      # Timings (perf/*) differ from run to run; every measured value must not.
      run["history"] = [{k: v for k, v in row.items() if not k.startswith("perf/")}
                        for row in run.get("history", [])]
    for key in keys:
      assert key in run_a and run_a[key] == run_b[key], (name, key)


def test_benign_jobs_then_aggregation_match_one_process(data_dir, tmp_path, capsys):
  split, whole = str(tmp_path / "split"), str(tmp_path / "whole")
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=split, list_jobs=True, **_TINY):
    benign_memorization.main([])
  lines = capsys.readouterr().out.strip().splitlines()
  # One job per seed, each the flags as given plus --only; nothing trained yet.
  assert [line.rsplit(" ", 1)[1] for line in lines] == ["--only=seed_0", "--only=seed_1"]
  assert all("--sweep_seed=0,1" in line and f"--output_dir={split}" in line for line in lines)
  assert not (tmp_path / "split").exists()
  for line in lines:
    _run_command(line, "benchmarks.benign_memorization", benign_memorization.main)
  # Each job wrote its runs, not the experiment's record.
  assert not (tmp_path / "split" / "result.json").exists()
  assert (tmp_path / "split" / "seed_1" / "clean" / "result.json").exists()
  written = {p: p.stat().st_mtime_ns for p in (tmp_path / "split").rglob("result.json")}
  assert len(written) == 4
  capsys.readouterr()
  # Aggregation: the command without --only trains nothing (no run record is rewritten).
  aggregate = lines[0].rsplit(" ", 1)[0]
  _run_command(aggregate, "benchmarks.benign_memorization", benign_memorization.main)
  assert "claims:" in capsys.readouterr().out
  assert all(p.stat().st_mtime_ns == t for p, t in written.items())
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=whole, **_TINY):
    benign_memorization.main([])
  split_record, whole_record = record.read(split), record.read(whole)
  assert sorted(split_record["conditions"]) == sorted(whole_record["conditions"]) == [
      f"seed_{s}/{c}" for s in (0, 1) for c in ("clean", "random_augmented")]
  for key in ("claims", "metrics", "layers", "sweep", "config_hash"):
    assert split_record[key] == whole_record[key], key
  _same_runs(split, whole, whole_record["conditions"])


def test_an_unknown_job_is_one_error_before_training(data_dir, tmp_path):
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path / "out"),
                           only=["seed_0", "seed_7"], **_TINY):
    with pytest.raises(errors.ConfigError, match=r"unknown jobs \['seed_7'\].*seed_0.*seed_1"):
      benign_memorization.main([])
  assert not (tmp_path / "out").exists()


def test_dynamics_jobs_are_run_directories_and_aggregate_to_one_process(data_dir, tmp_path,
                                                                         capsys):
  settings = dict(dataset="digits", data_dir=data_dir, train_size=100, test_size=50,
                  validation_size=50, model="mlp", width=16, epochs=1, batch_size=25,
                  seeds=["0", "1"], csr_samples=20, csr_iterations=3,
                  regularizers=["dropout:0.5"])
  split, whole = str(tmp_path / "split"), str(tmp_path / "whole")
  lines = _split_then_aggregate(memorization_dynamics.main, "benchmarks.memorization_dynamics",
                                split, settings, capsys)
  assert [line.rsplit(" ", 1)[1] for line in lines] == [
      "--only=seed_0", "--only=seed_1", "--only=dropout_0.5/seed_0", "--only=dropout_0.5/seed_1"]
  with flagsaver.flagsaver(output_dir=whole, **settings):
    memorization_dynamics.main([])
  split_record, whole_record = record.read(split), record.read(whole)
  assert sorted(split_record["conditions"]) == sorted(whole_record["conditions"])
  for key in ("claims", "metrics", "config_hash"):
    assert split_record[key] == whole_record[key], key
  _same_runs(split, whole, whole_record["conditions"], keys=("metrics", "settings", "history"))
