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

"""benchmarks.rewind_probe on tiny runs: results beside the run, nothing of it changed."""

import hashlib
import json
import pathlib
import shutil

from absl.testing import flagsaver
import pytest

from benchmarks import rewind_probe
from benchmarks import train
from suite.measures import rewinding
from suite.results import record
from tests.conftest import run_binary

SEEDS = (0, 1, 2)


def _digest(run_dir: pathlib.Path) -> dict:
  """Every file of the run but what the probe may write (its localization/ results)."""
  return {str(p.relative_to(run_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
          for p in sorted(run_dir.rglob("*")) if p.is_file() and "localization" not in p.parts}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, data_dir):
  root = tmp_path_factory.mktemp("localization")
  dirs = []
  for seed in SEEDS:
    out = root / f"seed_{seed}"
    with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=150, test_size=50,
                             label_noise=0.2, model="mlp", width=16, depth=2, epochs=3,
                             batch_size=50, knn_k=["20"], keep_epochs=["0", "1"],
                             gradacc_samples=40, seed=seed, output_dir=str(out)):
      train.main([])
    dirs.append(out)
  return root, dirs


def test_a_run_keeps_weights_and_accounts_gradients(runs):
  _, dirs = runs
  assert rewinding.kept_epochs(str(dirs[0])) == [0, 1, 3]
  assert (dirs[0] / "kept_checkpoints" / "epoch_000003.index").exists()
  history = record.read(str(dirs[0]))["history"]
  assert all("gradacc/hidden_1/cosine" in h and "gradacc/logits/noisy_norm" in h
             for h in history)


def test_rewinds_every_block_of_each_run_and_summarizes_the_seeds(runs, capsys):
  root, dirs = runs
  before = [_digest(d) for d in dirs]
  report = root / "report"
  with flagsaver.flagsaver(run_dirs=[str(d) for d in dirs], report_dir=str(report),
                           rewind_epoch=1, retrain_epochs=1):
    rewind_probe.main([])
  out = capsys.readouterr().out
  assert "rewound to epoch 1" in out and "memorization is confined" in out
  assert [_digest(d) for d in dirs] == before  # The runs' own files are untouched.
  for run_dir in dirs:
    written = json.loads((run_dir / "localization" / "rewind_epoch_000001.json").read_text())
    assert written["blocks"] == ["hidden_1", "hidden_2", "logits"]
    assert written["final_epoch"] == 3 and written["rule"] == "asked (--rewind_epoch)"
    assert set(written["retrained"]) == set(written["blocks"])
    assert (run_dir / "localization" / "rewind_epoch_000001.png").stat().st_size > 0
    assert not list((run_dir / "localization").glob("*.tmp*"))
  summary = json.loads((report / "localization_summary.json").read_text())
  assert summary["seeds"] == list(SEEDS) and len(summary["claims"]) == 2
  assert {line["verdict"] for line in summary["claims"]} <= {
      "held", "contradicted", "inconclusive", "not testable"}
  for name in ("localization_by_block.png", "gradient_norms.png", "gradient_cosine.png"):
    assert (report / name).stat().st_size > 0


def test_bad_rewinds_are_one_error_line(runs, tmp_path):
  _, dirs = runs
  bare = tmp_path / "bare"  # A run without kept checkpoints: its record alone.
  bare.mkdir()
  (bare / "result.json").write_text((dirs[0] / "result.json").read_text())
  blocked = tmp_path / "blocked"  # Its results cannot be written: found before any work.
  shutil.copytree(dirs[0], blocked)
  shutil.rmtree(blocked / "localization", ignore_errors=True)
  (blocked / "localization").write_text("a file where the results' directory goes")
  cut = tmp_path / "cut"  # A kept checkpoint cut short.
  shutil.copytree(dirs[0], cut)
  for data_file in (cut / "kept_checkpoints").glob("epoch_000001.data-*"):
    data_file.write_bytes(data_file.read_bytes()[:100])
  stopped = tmp_path / "stopped"  # Stopped after epoch 1 of 3: its last kept epoch is 1.
  shutil.copytree(dirs[0], stopped)
  for kept_file in (stopped / "kept_checkpoints").glob("epoch_000003.*"):
    kept_file.unlink()
  cases = [(dirs[0], ("--rewind_epoch=2",), 2, "was not kept"),
           (stopped, (), 1, "has not finished training: its last kept epoch is 1 of 3"),
           (bare, (), 1, "kept no checkpoints"),
           (dirs[0], ("--rewind_blocks=conv_9",), 2, "unknown blocks ['conv_9']"),
           (tmp_path / "nowhere", (), 2, "must name existing run directories"),
           (blocked, (), 1, "cannot write the rewinding result"),
           (cut, ("--rewind_epoch=1",), 1, "epoch_000001: the kept checkpoint cannot be")]
  for run_dir, args, code, fragment in cases:
    before = _digest(run_dir) if run_dir.exists() else {}
    result = run_binary("benchmarks.rewind_probe", f"--run_dirs={run_dir}", *args)
    errors = [l for l in result.stderr.splitlines() if l.startswith("error:")]
    assert result.returncode == code and len(errors) == 1, result.stderr[-2000:]
    assert fragment in errors[0] and "Traceback" not in result.stderr
    assert (_digest(run_dir) if run_dir.exists() else {}) == before
  assert not (bare / "localization").exists()  # The write check leaves nothing behind.
  assert (blocked / "localization").read_text().startswith("a file")
