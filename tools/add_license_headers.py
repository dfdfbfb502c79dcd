"""Adds the Apache-2.0 header to every Python file of the suite that lacks it.

  python tools/add_license_headers.py          # add where missing
  python tools/add_license_headers.py --check  # list files without it, exit 1 if any

tests/test_license_headers.py runs the check.
"""

import pathlib
import subprocess
import sys

HEADER = """\
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
"""
ROOT = pathlib.Path(__file__).resolve().parents[1]


def python_files() -> list[pathlib.Path]:
  """The Python files git tracks or would track (untracked, not ignored)."""
  listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                           "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
  return [ROOT / name for name in listed.stdout.split() if (ROOT / name).is_file()]


def has_header(text: str) -> bool:
  return HEADER in text


def with_header(text: str) -> str:
  """The text with the header first (after a #! line, if any)."""
  if text.startswith("#!"):
    first, _, rest = text.partition("\n")
    return f"{first}\n{HEADER}\n{rest}"
  return f"{HEADER}\n{text}" if text else HEADER


def main(argv: list[str]) -> int:
  check = "--check" in argv
  missing = [p for p in python_files() if not has_header(p.read_text(encoding="utf-8"))]
  if check:
    for path in missing:
      print(f"no license header: {path.relative_to(ROOT)}")
    return 1 if missing else 0
  for path in missing:
    path.write_text(with_header(path.read_text(encoding="utf-8")), encoding="utf-8")
  print(f"added the header to {len(missing)} files")
  return 0


if __name__ == "__main__":
  sys.exit(main(sys.argv[1:]))
