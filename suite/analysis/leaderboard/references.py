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

"""The papers' reference values, placed beside leaderboard rows whose protocol matches.

Only values the papers state for a protocol the suite can run are listed, each with
where it comes from. A row matches a reference when every setting in its `protocol`
is equal (settings are leaderboard column names); the model is left free where the
paper states the value for every architecture it tried.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Reference:
  source: str  # Paper and place in it.
  protocol: tuple[tuple[str, object], ...]  # (leaderboard setting column, value) pairs.
  column: str  # The leaderboard metric column it sits beside.
  value: float
  approximate: bool = True

  def matches(self, row: dict) -> bool:
    return all(row.get(column) == value for column, value in self.protocol)

  def text(self) -> str:
    sign = "≈" if self.approximate else ""
    return f"{self.column} {sign}{self.value:g} ({self.source})"


_ZHANG = "Zhang et al. 2017, randomization tests: ~100% train accuracy, test at chance"


def _randomization(dataset: str, classes: int) -> list[Reference]:
  """Random labels, and fully corrupted inputs on true labels: fitted, test at chance."""
  out = []
  for protocol, fit_column in (
      ((("noise", 1.0), ("inputs", "none")), "fit corrupted"),
      *(((("noise", 0.0), ("inputs", kind), ("inputs fraction", 1.0)), "fit corrupted")
        for kind in ("shuffled_pixels", "random_pixels", "gaussian"))):
    protocol = (("dataset", dataset), ("augment", "none")) + protocol
    out += [Reference(_ZHANG, protocol, fit_column, 1.0),
            Reference(_ZHANG, protocol, "test acc", 1.0 / classes)]
  return out


REFERENCES = tuple(_randomization("cifar10", 10) + _randomization("cifar100", 100))


def beside(row: dict) -> str | None:
  """The reference values that match `row`, as one cell, or None."""
  found = [r.text() for r in REFERENCES if r.matches(row)]
  return "; ".join(found) or None
