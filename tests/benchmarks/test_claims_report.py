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

import json

from absl.testing import flagsaver
import pytest

from benchmarks import claims_report
from suite import errors
from suite.analysis import declared
from suite.analysis.claims import benign
from suite.analysis.claims import sensitivity
from suite.analysis.claims import verdicts


def _experiment(tmp_path, name, lines):
  directory = tmp_path / name
  directory.mkdir()
  (directory / "result.json").write_text(json.dumps({"benchmark": name, "claims": lines}))
  return str(directory)


def test_table_from_records_replaces_the_readme_section(tmp_path, capsys):
  held = benign.per_view_labels_not_fitted(
      [{"settings": {"train": {"seed": s, "epochs": 5}},
        "metrics": {"memorization/view_fit": 0.3 + 0.01 * s}} for s in range(3)],
      [{"settings": {"train": {"seed": s, "epochs": 5}},
        "metrics": {"memorization/view_fit": 0.99}} for s in range(3)])
  untestable = verdicts.not_testable("a | claim", "2 seed(s); needs 3")
  first = _experiment(tmp_path, "benign", [held])
  second = _experiment(tmp_path, "dynamics", [untestable])
  readme = tmp_path / "README.md"
  readme.write_text("# x\n<!-- claims-table:begin -->\nold numbers\n<!-- claims-table:end -->\nend\n")
  with flagsaver.flagsaver(experiments=[first, second], update_file=str(readme)):
    claims_report.main([])
  out = capsys.readouterr().out
  text = readme.read_text()
  assert "old numbers" not in text and text.startswith("# x\n") and text.endswith("end\n")
  rows = [line for line in text.splitlines() if line.startswith("| benign")
          or line.startswith("| dynamics")]
  assert rows[0].startswith("| benign | exploratory | per-view labels cannot be fitted")
  assert "| held | per-view label fit: 0.31 [" in rows[0] and rows[0].endswith("| 3 |")
  assert "a \\| claim" in rows[1] and "not testable: 2 seed(s); needs 3" in rows[1]
  assert rows[0] in out


def test_missing_record_and_section_are_one_error(tmp_path):
  with pytest.raises(errors.RunDirError, match="run the experiment first"):
    claims_report.table([str(tmp_path / "none")])
  readme = tmp_path / "README.md"
  readme.write_text("no markers")
  with pytest.raises(errors.ConfigError, match="needs one"):
    claims_report.update(str(readme), "table")


def test_a_part_that_decides_the_verdict_is_shown():
  history = lambda s, slope: [{"epoch": 2 * i, "csr/clean": 0.05 + 0.001 * ((i + s) % 3),
                               "csr/corrupted": 0.3 - slope * i + 0.001 * ((i * s) % 4)}
                              for i in range(8)]
  recs = [{"settings": {"train": {"seed": s, "epochs": 14}}, "history": history(s, 0.02)}
          for s in range(3)]
  line = sensitivity.csr_grows_more_on_noise(recs)
  assert line["verdict"] == declared.CONTRADICTED  # CSR on noise falls.
  row = claims_report.rows({"claims": [line]}, "dynamics")[0]
  assert "; and rise over training of CSR corrupted: -0.139 [-0.141, -0.137] vs 0" in row


def test_no_experiments_is_one_message():
  with flagsaver.flagsaver(experiments=None), \
       pytest.raises(errors.ConfigError, match="--experiments must name"):
    claims_report.main([])


def test_experiments_of_the_same_name_are_told_apart():
  names = claims_report.experiment_names(["runs/cpu/benign_datasets/digits",
                                          "runs/cpu/benign_datasets/fashion_mnist",
                                          "runs/digits/benign_strength/result.json"])
  assert names == {"runs/cpu/benign_datasets/digits": "cpu/benign_datasets/digits",
                   "runs/cpu/benign_datasets/fashion_mnist": "cpu/benign_datasets/fashion_mnist",
                   "runs/digits/benign_strength/result.json": "digits/benign_strength"}
  assert claims_report.experiment_names(["runs/cpu/x"]) == {"runs/cpu/x": "x"}


def test_an_experiment_on_registered_seeds_is_labelled_confirmatory(tmp_path):
  root = tmp_path / "repo"
  flagfile = root / "benchmarks" / "recipes" / "cpu" / "confirm.cfg"
  flagfile.parent.mkdir(parents=True)
  flagfile.write_text("--epochs=40\n--sweep_seed=1000,1001,1002\n--output_dir=runs/c\n")
  folder = root / "docs" / "preregistration"
  folder.mkdir(parents=True)
  (folder / "confirm-1.md").write_text("Flagfile: `benchmarks/recipes/cpu/confirm.cfg`\n")
  line = verdicts.not_testable("a claim", "not memorized")
  registered = tmp_path / "confirm"
  registered.mkdir()
  (registered / "result.json").write_text(json.dumps({
      "benchmark": "b", "claims": [line],
      "config": {"epochs": 30, "sweep_seed": ["1000", "1001", "1002"], "output_dir": "x"}}))
  other = _experiment(tmp_path, "frontier", [line])
  text = claims_report.table([str(registered), other], str(folder))
  confirm_row, frontier_row = [r for r in text.splitlines()
                               if r.startswith(("| confirm", "| frontier"))]
  # Not committed here (no git repository): said so, with the departure by name.
  assert confirm_row.startswith("| confirm | confirmatory: ")
  assert "confirm-1.md at an uncommitted file" in confirm_row
  assert "epochs 30 (registered 40)" in confirm_row
  assert "not committed, so not yet a pre-registration" in confirm_row
  assert frontier_row.startswith("| frontier | exploratory | a claim")
