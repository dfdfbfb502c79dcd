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
from suite import errors
from suite.results import record

_TINY = dict(dataset="digits", train_size=100, test_size=50, model="mlp", width=16, depth=2,
             epochs=1, batch_size=25, augmentation="standard", knn_k=["20"],
             conditions=["clean", "random_augmented"], sweep_seed=["0", "1"])


def _run_command(line: str, module: str, main) -> None:
  """Runs one printed command in this process, with exactly its flags."""
  argv = shlex.split(line)
  assert argv[1:3] == ["-m", module]
  with flagsaver.flagsaver():
    flags.FLAGS.unparse_flags()
    flags.FLAGS([argv[0]] + argv[3:])
    main([])


def _same_runs(a: str, b: str, names) -> None:
  for name in names:
    run_a, run_b = record.read(f"{a}/{name}"), record.read(f"{b}/{name}")
    assert run_a["status"] == run_b["status"] == "complete"
    for key in ("metrics", "probe", "settings", "config_hash"):
      assert run_a[key] == run_b[key], (name, key)
    # The same controls; only the path of the clean run they name differs.
    for run in (run_a, run_b):
      run["controls"].get("clean_labels", {}).pop("run_dir", None)
    assert run_a["controls"] == run_b["controls"], name


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
