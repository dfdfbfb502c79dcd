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

"""The `main` of every BUILD py_test: runs pytest on one test file and exits with its status.

  python tests/bazel_pytest_main.py tests/results/test_tables.py

The test files have no `main` of their own (pytest collects them), so a py_test whose
main were the test file would import it, run nothing and pass. tools/update_build.py
makes each py_test run this file with its test file as the only argument, and
tests/test_build_file.py checks that every py_test does. A file with no tests fails
(pytest's exit status 5), as does any failing test.
"""

import os
import sys

import pytest


def main(argv: list[str]) -> int:
  """Runs pytest on the one test file in `argv`; returns pytest's exit status.

  Args:
    argv: the command-line arguments after the program name: one test file path.

  Returns:
    0 when every test passed, pytest's non-zero status otherwise (2 on bad usage).
  """
  if len(argv) != 1 or not argv[0].endswith(".py"):
    print(f"usage: {os.path.basename(__file__)} TEST_FILE.py", file=sys.stderr)
    return 2
  args = ["-q", "-p", "no:cacheprovider", argv[0]]
  if os.environ.get("XML_OUTPUT_FILE"):  # Set by `bazel test`: the report it reads.
    args.append(f"--junitxml={os.environ['XML_OUTPUT_FILE']}")
  return int(pytest.main(args))


if __name__ == "__main__":
  sys.exit(main(sys.argv[1:]))
