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

"""`--helpshort` of every binary lists its key flags (the shared ones too) and exits 0."""

import pathlib
import re

from tests import forked

ROOT = pathlib.Path(__file__).resolve().parents[1]
BINARIES = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py")
                  if p.stem not in ("__init__", "cli", "console"))

# The flags a user needs first: model, dataset and where the output goes, where the
# binary has them.
KEY_FLAGS = {
    "train": ("--model", "--dataset", "--output_dir", "--epochs", "--label_noise", "--knn_k",
              "--extend"),
    "benign_memorization": ("--model", "--dataset", "--output_dir", "--conditions", "--knn_k"),
    "memorization_dynamics": ("--model", "--dataset", "--output_dir", "--seeds"),
    "knn_probe": ("--run_dir", "--data_dir", "--knn_k", "--knn_method", "--knn_num_leaves"),
    "leaderboard": ("--runs", "--board_dir", "--track", "--entries", "--baseline"),
    "input_pipeline": ("--dataset", "--augmentation", "--batch_size", "--timed_epochs"),
    "train_throughput": ("--models", "--dataset", "--augmentations", "--timed_steps"),
    "knn_speed": ("--dataset", "--model", "--bank_size", "--knn_num_leaves", "--timed_steps"),
    "claims_report": ("--experiments", "--update_file"),
    "benign_frontier": ("--configurations", "--frontier_dir"),
    "memorization_bench": ("--track", "--model", "--method", "--output_dir", "--list_jobs",
                           "--only", "--data_dir", "--jit_compile"),
    "rewind_probe": ("--run_dirs", "--report_dir", "--rewind_epoch", "--retrain_epochs",
                     "--data_dir"),
}


def _listed(text: str) -> set[str]:
  """The flags a help text lists (`--name:` or `--[no]name:`)."""
  pattern = r"^\s+(?:-\w+,)?--(?:\[no\])?(\w+):"  # `-v,--verbosity:` too.
  return {"--" + m.group(1) for m in re.finditer(pattern, text, re.M)}


def test_every_binary_lists_its_key_flags_in_helpshort_and_all_in_helpfull(tmp_path):
  assert set(KEY_FLAGS) == set(BINARIES), "a binary was added: list its key flags here"
  cases = [{"binary": b, "args": ["--helpshort"]} for b in BINARIES]
  cases.append({"binary": "train", "args": ["--helpfull"]})
  results = forked.run_cases(cases, tmp_path, timeout=600)
  for result in results[:-1]:
    name = result["binary"]
    assert result["exit"] == 0, (name, result["stderr"][-2000:])
    listed = _listed(result["stdout"])
    missing = [f for f in KEY_FLAGS[name] if f not in listed]
    assert not missing, f"{name} --helpshort lacks {missing}:\n{result['stdout'][-3000:]}"
    # Short: absl's own flags (--verbosity, --logtostderr) stay under --helpfull.
    assert "--verbosity" not in listed, name
  full = results[-1]
  assert full["exit"] == 0, full["stderr"][-2000:]
  listed_full = _listed(full["stdout"])
  short_train = _listed(results[BINARIES.index("train")]["stdout"])
  assert short_train < listed_full
  assert {"--verbosity", "--flagfile", "--model", "--seed"} <= listed_full
