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

"""Errors whose message is meant for the user: binaries print it as one line and exit.

Two kinds, told apart by the exit status a binary gives them:
  ConfigError (exit 2): the command asked for something invalid (flags, settings, a
    run directory that holds another run). Nothing was done.
  SuiteError and its other subclasses (exit 1): something went wrong at run time (a
    corrupt file, a missing checkpoint, a busy run directory, a full disk); the message
    names the file and what is wrong.
"""

EXIT_RUNTIME = 1
EXIT_USAGE = 2


class SuiteError(Exception):
  """A runtime problem explained by the message alone (names the file at fault)."""

  exit_code = EXIT_RUNTIME


class ConfigError(SuiteError, ValueError):
  """An invalid setting or combination of settings: a usage error."""

  exit_code = EXIT_USAGE


class DataError(SuiteError):
  """A data file is unreadable, corrupt or truncated."""


class RunDirError(SuiteError):
  """A run directory or its record or checkpoints cannot be used."""


class RunDirBusyError(RunDirError):
  """Another process holds the run directory."""


class WriteError(RunDirError):
  """An output file cannot be written (a full disk, no permission); nothing half-written
  is left (suite.results.atomic)."""
