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

"""The claim lines as text, against whole hand-written lines: the verdict, the runs, the
claim, its source (the papers' own sources left out), the reason, the statistic with its
interval and null, and the second statistic; and the rewinding claims' lines."""

from suite.analysis import declared
from suite.analysis.claims import report


def test_a_bare_claim_line_is_its_verdict_and_claim():
  assert report.format_lines([{"verdict": "supported", "claim": "Noise slows fitting."}]) == (
      "[supported] Noise slows fitting.")
  assert report.format_lines([]) == ""


def test_a_claim_line_prints_its_runs_source_reason_and_statistic_in_that_order():
  line = {"verdict": "contradicted", "claim": "Clean fits first.", "source": "Zhang et al. 2017",
          "reason": "fewer than 3 seeds", "runs": ["rand_labels", "clean"],
          "test": {"statistic": "mean gap", "value": 0.123456, "interval": [-0.5, 1.25],
                   "null": 0.0, "n": 5}}
  assert report.format_lines([line]) == (
      "[contradicted] [rand_labels vs clean] Clean fits first. <Zhang et al. 2017> "
      "(fewer than 3 seeds): mean gap = 0.1235 [-0.5000, 1.2500] vs null 0.0000, n = 5")


def test_one_run_and_no_runs():
  assert report.format_lines([{"verdict": "v", "claim": "c", "runs": ["only"]}]) == (
      "[v] [only] c")
  assert report.format_lines([{"verdict": "v", "claim": "c", "runs": []}]) == "[v] c"
  assert report.format_lines([{"verdict": "v", "claim": "c", "runs": None}]) == "[v] c"


def test_the_papers_own_sources_and_empty_sources_are_left_out():
  for source in (declared.ARPIT, declared.BENIGN, "", None):
    assert report.format_lines([{"verdict": "v", "claim": "c", "source": source}]) == "[v] c"
  assert report.format_lines([{"verdict": "v", "claim": "c", "source": "Other 2020"}]) == (
      "[v] c <Other 2020>")


def test_an_empty_reason_is_still_printed_and_a_missing_one_is_not():
  assert report.format_lines([{"verdict": "v", "claim": "c", "reason": ""}]) == "[v] c ()"
  assert report.format_lines([{"verdict": "v", "claim": "c", "reason": "r"}]) == "[v] c (r)"
  assert report.format_lines([{"verdict": "v", "claim": "c", "Reason": "r"}]) == "[v] c"


def test_a_claim_without_a_test_has_no_numbers():
  for test in (None, {}):
    assert report.format_lines([{"verdict": "v", "claim": "c", "test": test}]) == "[v] c"


def test_numbers_print_floats_to_four_places_and_the_rest_as_is():
  line = {"verdict": "v", "claim": "c",
          "test": {"statistic": "s", "value": 3, "interval": [1, 2.0], "null": "none",
                   "n": 12}}
  assert report.format_lines([line]) == "[v] c: s = 3 [1, 2.0000] vs null none, n = 12"


def test_list_values_print_each_entry_in_brackets():
  line = {"verdict": "v", "claim": "c",
          "test": {"statistic": "per epoch", "value": [0.5, 2, [0.25, "x"]],
                   "interval": [[0.1, 0.2], [1, 0.3]], "null": [], "n": 4}}
  assert report.format_lines([line]) == (
      "[v] c: per epoch = [0.5000 2 [0.2500 x]] [[0.1000 0.2000], [1 0.3000]] vs null [], n = 4")


def test_a_second_statistic_follows_the_first():
  line = {"verdict": "v", "claim": "c",
          "test": {"statistic": "s", "value": 0.5, "interval": [0.25, 0.75], "null": 0.0,
                   "n": 3,
                   "also": {"statistic": "t", "value": 7, "interval": [0.125, [1, 0.5]]}}}
  assert report.format_lines([line]) == (
      "[v] c: s = 0.5000 [0.2500, 0.7500] vs null 0.0000, n = 3; "
      "and t = 7 [0.1250, [1 0.5000]]")


def test_a_second_statistic_that_is_not_a_dict_is_ignored():
  line = {"verdict": "v", "claim": "c",
          "test": {"statistic": "s", "value": 1, "interval": [0, 2], "null": 1, "n": 3,
                   "also": "not a statistic"}}
  assert report.format_lines([line]) == "[v] c: s = 1 [0, 2] vs null 1, n = 3"


def test_claim_lines_are_one_per_line_in_order():
  lines = [{"verdict": "a", "claim": "first"}, {"verdict": "b", "claim": "second"},
           {"verdict": "c", "claim": "third", "source": "S"}]
  assert report.format_lines(lines) == "[a] first\n[b] second\n[c] third <S>"


def test_a_localization_line_says_whose_reading_it_supports():
  line = {"verdict": "supported", "claim": "Late layers memorize.", "source": declared.ARPIT,
          "supports": "Maini et al. 2023"}
  assert report.format_localization_lines([line]) == (
      "[supported] Late layers memorize. <Arpit et al. 2017>; supports: Maini et al. 2023")
  assert report.format_localization_lines([]) == ""


def test_a_localization_line_with_reason_and_statistic():
  line = {"verdict": "inconclusive", "claim": "c", "source": "S", "supports": "neither",
          "reason": "too few seeds",
          "test": {"statistic": "drop", "value": 0.123456, "interval": [-1, 2.5], "null": 0,
                   "n": 6}}
  assert report.format_localization_lines([line]) == (
      "[inconclusive] c <S>; supports: neither (too few seeds): drop = 0.1235 "
      "[-1.0000, 2.5000] vs 0.0000, n = 6")
  line["reason"] = ""
  del line["test"]
  assert report.format_localization_lines([line]) == (
      "[inconclusive] c <S>; supports: neither ()")
  line["test"] = {}
  del line["reason"]
  assert report.format_localization_lines([line]) == "[inconclusive] c <S>; supports: neither"


def test_localization_lines_are_one_per_line_in_order():
  lines = [{"verdict": "a", "claim": "first", "source": "S", "supports": "x"},
           {"verdict": "b", "claim": "second", "source": "T", "supports": "y", "reason": "r"}]
  assert report.format_localization_lines(lines) == (
      "[a] first <S>; supports: x\n[b] second <T>; supports: y (r)")
