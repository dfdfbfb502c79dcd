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

"""Claim lines as text: one verdict per line with its statistic and interval.

format_lines prints the claims of the papers' sections; format_localization_lines the
rewinding claims (suite.analysis.claims.localization), which also say whose reading their
verdict supports.
"""

from suite.analysis import declared


def format_lines(lines: list[dict]) -> str:
  """The claim lines as text, one verdict per line with its statistic and interval.

  Args:
    lines: claim lines.

  Returns:
    The report, one line per claim.
  """
  out = []
  for line in lines:
    test = line.get("test")
    numbers = ""
    if test:
      lo, hi = test["interval"]
      numbers = (f": {test['statistic']} = {_short(test['value'])} [{_short(lo)}, "
                 f"{_short(hi)}] vs null {_short(test['null'])}, n = {test['n']}")
      also = test.get("also")
      if isinstance(also, dict):
        numbers += (f"; and {also['statistic']} = {_short(also['value'])} "
                    f"[{_short(also['interval'][0])}, {_short(also['interval'][1])}]")
    reason = f" ({line['reason']})" if "reason" in line else ""
    where = f" [{' vs '.join(line['runs'])}]" if line.get("runs") else ""
    source = f" <{line['source']}>" if line.get("source") and line["source"] != declared.ARPIT \
        and line["source"] != declared.BENIGN else ""
    out.append(f"[{line['verdict']}]{where} {line['claim']}{source}{reason}{numbers}")
  return "\n".join(out)


def format_localization_lines(claim_lines: list[dict]) -> str:
  """One text line per claim: verdict, claim, whose reading it supports, statistic.

  Args:
    claim_lines: claim lines of suite.analysis.claims.localization.

  Returns:
    The report, one line per claim.
  """
  out = []
  for line in claim_lines:
    text = f"[{line['verdict']}] {line['claim']} <{line['source']}>; supports: {line['supports']}"
    if "reason" in line:
      text += f" ({line['reason']})"
    test = line.get("test")
    if test:
      lo, hi = test["interval"]
      text += (f": {test['statistic']} = {test['value']:.4f} [{lo:.4f}, {hi:.4f}] vs "
               f"{test['null']:.4f}, n = {test['n']}")
    out.append(text)
  return "\n".join(out)


def _short(value):
  if isinstance(value, list):
    return "[" + " ".join(_short(v) for v in value) + "]"
  return f"{value:.4f}" if isinstance(value, float) else str(value)
