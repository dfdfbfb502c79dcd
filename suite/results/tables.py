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

"""One plain-text table formatter for binaries, probes and the leaderboard."""

from collections.abc import Sequence


def format_value(value: object, precision: int = 4) -> str:
  """A cell: floats to `precision` decimals, None and NaN as '-', the rest as str.

  Args:
    value: the cell's value.
    precision: decimals of a float.

  Returns:
    The cell's text.
  """
  if value is None or (isinstance(value, float) and value != value):
    return "-"
  if isinstance(value, bool):
    return str(value)
  if isinstance(value, float):
    return f"{value:.{precision}f}"
  if isinstance(value, int):
    return str(value)
  return str(value)


def format_table(headers: Sequence[str], rows: Sequence[Sequence], precision: int = 4) -> str:
  """Columns padded to their widest cell; the first left-aligned, the others right.

  Args:
    headers: column titles.
    rows: one sequence of cells per row, as long as `headers`.
    precision: decimals of float cells.

  Returns:
    The table: a header line, a rule of dashes, one line per row, joined by newlines.
  """
  cells = [[format_value(v, precision) for v in row] for row in rows]
  for row in cells:
    if len(row) != len(headers):
      raise ValueError(f"row {row} has {len(row)} cells for {len(headers)} columns")
  widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

  def line(values):
    return "  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                     for i, (v, w) in enumerate(zip(values, widths))).rstrip()

  return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def duration(seconds: float | None) -> str:
  """`42s`, `3m05s`, `2h07m`; `-` for None."""
  if seconds is None or seconds != seconds:
    return "-"
  seconds = max(0, int(round(seconds)))
  if seconds < 60:
    return f"{seconds}s"
  if seconds < 3600:
    return f"{seconds // 60}m{seconds % 60:02d}s"
  return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
