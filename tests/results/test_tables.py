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

from suite.results import tables


def test_columns_align_and_cells_format():
  text = tables.format_table(["metric", "value"], [["train/loss", 0.123456], ["epochs", 3],
                                                   ["missing", None], ["nan", float("nan")]])
  lines = text.splitlines()
  assert lines[0] == "metric       value"  # Numbers and their titles align right.
  assert lines[1] == "----------  ------"
  assert lines[2] == "train/loss  0.1235"
  assert lines[3] == "epochs           3"
  assert lines[4].endswith("-") and lines[5].endswith("-")
  assert len({len(line) for line in lines[:4]}) == 1


def test_a_short_row_is_refused():
  try:
    tables.format_table(["a", "b"], [[1]])
  except ValueError as e:
    assert "1 cells for 2 columns" in str(e)
  else:
    raise AssertionError("a short row was accepted")
