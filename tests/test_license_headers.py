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

"""Every Python file carries the Apache-2.0 header, and the LICENSE is the Apache-2.0 text."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import add_license_headers  # pylint: disable=g-import-not-at-top,wrong-import-position


def test_every_python_file_has_the_header():
  result = subprocess.run([sys.executable, str(ROOT / "tools" / "add_license_headers.py"),
                           "--check"], capture_output=True, text=True, cwd=ROOT)
  assert result.returncode == 0, result.stdout


def test_the_check_finds_a_file_without_it():
  assert not add_license_headers.has_header('"""A module."""\n')
  text = add_license_headers.with_header("#!/usr/bin/env python\nprint(1)\n")
  assert text.startswith("#!/usr/bin/env python\n# Copyright")
  assert add_license_headers.has_header(text)


def test_license_is_apache_2():
  text = (ROOT / "LICENSE").read_text(encoding="utf-8")
  assert "Apache License" in text and "Version 2.0, January 2004" in text
  assert "END OF TERMS AND CONDITIONS" in text
