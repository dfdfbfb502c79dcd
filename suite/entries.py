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

"""Code references of benchmark entries: `package.module:function`, resolved and hashed.

A model entry (`--model`) and a method entry (`--method`) are functions named by a
reference `package.module:function` (the module importable from the working directory
or the environment). `resolve` imports it once and returns the function, or raises a
ConfigError naming the reference and what is wrong, so that a typo is one `error:` line
before any work. `source` identifies the code an entry ran: its file and the SHA-256 of
that file's bytes, written to every record that used it (two entries with one name and
different code are then told apart).
"""

from collections.abc import Callable
import dataclasses
import hashlib
import importlib
import inspect
import re
import sys
from typing import Any

from suite import errors

_REFERENCE = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*")


def is_reference(text: str) -> bool:
  """Whether `text` has the form package.module:function."""
  return bool(_REFERENCE.fullmatch(text))


def resolve(reference: str, kind: str = "entry") -> Callable[..., Any]:
  """The function `reference` names, imported.

  Args:
    reference: "package.module:function".
    kind: what the function is for, in error messages ("model", "method").

  Raises:
    ConfigError: the reference is malformed, its module cannot be imported (the
      import error's own message is given), or it names no callable.
  """
  if not is_reference(reference):
    raise errors.ConfigError(
        f"{kind} {reference!r} is not a reference of the form package.module:function")
  module_name, function_name = reference.split(":")
  if "" not in sys.path and "." not in sys.path:
    # Binaries run as `python -m` see the working directory; console scripts do not.
    sys.path.insert(0, "")
  try:
    module = importlib.import_module(module_name)
  except errors.SuiteError:
    raise
  except SystemExit as e:  # sys.exit() or argparse's parse_args() at the module's top level.
    raise errors.ConfigError(
        f"{kind} {reference}: importing {module_name} exited (SystemExit: {e.code}); an "
        "entry's module must not parse the command line or exit when imported (keep that "
        "under `if __name__ == \"__main__\":`)") from e
  except Exception as e:  # pylint: disable=broad-except  (any error of the user's module)
    raise errors.ConfigError(
        f"{kind} {reference}: cannot import {module_name}: {type(e).__name__}: {e}") from e
  function = getattr(module, function_name, None)
  if function is None:
    raise errors.ConfigError(f"{kind} {reference}: module {module_name} has no "
                             f"{function_name!r}")
  if not callable(function):
    raise errors.ConfigError(f"{kind} {reference}: {function_name!r} is a "
                             f"{type(function).__name__}, not a function")
  return function


def call(reference: str, kind: str, *args: Any) -> Any:
  """`resolve(reference)(*args)`; an exception inside the function becomes a ConfigError
  naming the reference (the entry's code is at fault, not the suite)."""
  function = resolve(reference, kind)
  try:
    return function(*args)
  except errors.SuiteError:
    raise
  except SystemExit as e:  # The entry's code must not end the benchmark (silently, at that).
    raise errors.ConfigError(f"{kind} {reference} exited (SystemExit: {e.code}) instead of "
                             "returning") from e
  except Exception as e:  # pylint: disable=broad-except  (any error of the user's code)
    raise errors.ConfigError(f"{kind} {reference} raised {type(e).__name__}: {e}") from e


@dataclasses.dataclass(frozen=True)
class Source:
  """The code behind a reference: its module's file and the SHA-256 of its bytes."""
  reference: str
  file: str
  sha256: str

  def to_dict(self) -> dict[str, str]:
    return dataclasses.asdict(self)


def source(reference: str, kind: str = "entry") -> Source:
  """The `Source` of the file that defines the function `reference` names (not the module
  that re-exports it, whose bytes would not change with the function's)."""
  function = resolve(reference, kind)
  module = sys.modules[reference.split(":")[0]]
  try:
    path = inspect.getsourcefile(inspect.unwrap(function)) or ""
  except TypeError:  # A callable object or a builtin: its module's file.
    path = ""
  path = path or inspect.getsourcefile(module) or getattr(module, "__file__", None) or ""
  try:
    with open(path, "rb") as f:
      digest = hashlib.sha256(f.read()).hexdigest()
  except OSError as e:
    raise errors.ConfigError(f"{kind} {reference}: cannot read its source file {path!r}: "
                             f"{e.strerror or e}") from e
  return Source(reference=reference, file=path, sha256=digest)
