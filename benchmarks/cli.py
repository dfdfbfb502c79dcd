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

"""What every binary shares: flag parsing, quiet logs, and errors as one line.

Usage errors (a flag that does not parse or fails its validator, a non-finite float,
an extra positional argument, a ConfigError) print one line `error: ...` on stderr and
exit with status 2; runtime errors (SuiteError, and anything else that escapes: files,
checkpoints, records) print one line and exit with status 1. Never a traceback, unless
the environment sets MEMSUITE_TRACEBACK=1 (for debugging).
"""

import math
import os
import re
import sys

from absl import app
from absl import flags
from absl import logging

from suite import errors

EXIT_USER_ERROR = errors.EXIT_USAGE  # Kept for callers of the old name.
TRACEBACK_ENV = "MEMSUITE_TRACEBACK"
_HELP_FLAGS = ("-?", "--help", "-help", "--helpshort", "-helpshort", "--helpfull", "-helpfull")


def _one_line(text: str) -> str:
  return " ".join(str(text).split())


def fail(message: str, code: int):
  """Prints `error: message` on stderr and exits with `code`.

  Only the first line starts with `error:`; a message of several lines (one per
  differing setting, say) continues indented.
  """
  lines = [line.strip() for line in str(message).strip().splitlines() if line.strip()] or [""]
  print("\n".join([f"error: {lines[0]}"] + [f"  {line}" for line in lines[1:]]),
        file=sys.stderr, flush=True)
  sys.exit(code)


def _non_finite(value) -> bool:
  if isinstance(value, float):
    return not math.isfinite(value)
  if isinstance(value, str):  # Sweep values (`0.1`, `weight_decay:nan`, `a=inf`).
    for part in re.split(r"[:=]", value):
      try:
        if not math.isfinite(float(part)):
          return True
      except ValueError:
        continue
  return False


def non_finite_flags() -> list[str]:
  """`--name=value` of every flag whose value (or list element) is NaN or infinite."""
  bad = []
  for name in sorted(flags.FLAGS):
    flag = flags.FLAGS[name]
    if name != flag.name or flag.value is None:  # Short names alias the long ones.
      continue
    values = flag.value if isinstance(flag.value, (list, tuple)) else [flag.value]
    if isinstance(flag.value, str) and not isinstance(flag.parser, flags.FloatParser):
      continue  # Free text (paths, names) is not a number.
    if any(_non_finite(v) for v in values):
      bad.append(f"--{name}={','.join(str(v) for v in values)}")
  return bad


def parse(argv: list[str]) -> list[str]:
  """absl flag parsing with usage errors as one `error:` line and exit status 2."""
  try:
    remaining = flags.FLAGS(argv)
  except SystemExit as e:  # absl exits 1 after --help/--helpshort/--helpfull: asked for, so 0.
    if e.code == 1 and any(a.split("=")[0] in _HELP_FLAGS for a in argv[1:]):
      sys.exit(0)
    raise
  except flags.Error as e:
    fail(f"{_one_line(e)} (see --helpshort)", errors.EXIT_USAGE)
  if len(remaining) > 1:
    fail(f"unexpected arguments: {' '.join(remaining[1:])} (flags are --name=value)",
         errors.EXIT_USAGE)
  bad = non_finite_flags()
  if bad:
    fail(f"{'; '.join(bad)}: NaN and infinite values are not allowed", errors.EXIT_USAGE)
  return remaining


def guard(main, argv):
  """Runs main(argv), turning every exception into one line and an exit status."""
  try:
    return main(argv)
  except errors.SuiteError as e:
    if os.environ.get(TRACEBACK_ENV):
      raise
    fail(str(e), e.exit_code)
  except KeyboardInterrupt:
    fail("interrupted", 130)
  except Exception as e:  # pylint: disable=broad-except  (one line, never a traceback)
    if os.environ.get(TRACEBACK_ENV):
      raise
    message = str(e).strip().splitlines()[0] if str(e).strip() else ""
    fail(f"{type(e).__name__}: {message[:500]} (set {TRACEBACK_ENV}=1 for the traceback)",
         errors.EXIT_RUNTIME)


def run(main):
  """app.run(main) with the parsing and error handling above."""

  def guarded(argv):
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    tfds.disable_progress_bar()
    if not flags.FLAGS["verbosity"].present:  # TFDS logs every read at INFO.
      logging.set_verbosity(logging.ERROR)
    return guard(main, argv)

  app.run(guarded, flags_parser=parse)
