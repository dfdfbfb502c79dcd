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

"""Files written whole or not at all: the one way the suite writes an artifact.

Every artifact a command writes (records, tables, figures, per-example shards,
sensitivity maps, leaderboards) goes through `write` or `write_together`. Each file's
content goes to a temporary file beside it, `PATH.tmp.<pid>`, which is renamed over
PATH once complete, so that a reader sees the previous version or the new one, never
half a file. A write that fails (a full disk, no permission) removes its temporary
files and raises `errors.WriteError` naming the file and the reason; nothing
half-written is left behind.

`write_together` writes files that belong together (a probe's table and its figure):
every temporary file first, then the renames, in the order given (put the file that
readers look for, the table, last); if any write fails, none of the files is renamed
into place, and if a rename fails, the files already renamed by the call are removed.

Everything goes through tf.io.gfile, so a path may be a bucket's (where a rename is a
copy and a delete: a reader may then see no file for a moment, never half of one).
"""

import os
import re
from typing import NoReturn

import tensorflow as tf

from suite import errors

TEMPORARY_INFIX = ".tmp."
_OP_DECORATIONS = re.compile(r"\{\{[^}]*\}\}|\[Op:\w+\]")
_FILE_PREFIX = re.compile(r"^\S*/\S*; ")  # A path (it has a slash), then `; `.


def temporary_path(path: str) -> str:
  """The temporary file this process writes `path` through: `PATH.tmp.<pid>`."""
  return f"{path}{TEMPORARY_INFIX}{os.getpid()}"


def reason(error: Exception) -> str:
  """Why `error` happened, on one line: `No space left on device`, without the name of
  the (temporary) file and TensorFlow's op decorations that its message may carry."""
  text = getattr(error, "message", None) or getattr(error, "strerror", None) or str(error)
  text = " ".join((text or type(error).__name__).split())
  text = _OP_DECORATIONS.sub("", text).strip()
  text = _FILE_PREFIX.sub("", text, count=1)  # TensorFlow's `FILE; REASON`.
  return (text or type(error).__name__)[:300]


def write(path: str, content: str | bytes, what: str = "it") -> str:
  """Writes `content` to `path` atomically; returns the path.

  Args:
    path: the file (local or bucket path); its directory is created if need be.
    content: text (written as UTF-8) or bytes.
    what: names the file in the error message (`cannot write the record`).

  Returns:
    `path`.

  Raises:
    errors.WriteError: the file cannot be written; no temporary file is left and the
      previous version of the file, if any, is untouched.
  """
  return write_together({path: content}, what)[0]


def write_together(files: dict[str, str | bytes], what: str = "it") -> list[str]:
  """Writes every file of `files` ({path: content}) or none; returns the paths.

  Args:
    files: {path: text or bytes}, renamed into place in this order once all are
      written (the file readers look for last).
    what: names the file in the error message.

  Returns:
    The paths, in order.

  Raises:
    errors.WriteError: a file cannot be written. No temporary file is left, no file of
      `files` was renamed into place, and their previous versions are untouched; or,
      where a rename itself failed, the files this call had renamed are removed.
  """
  started: list[str] = []  # Temporary files, whole or not.
  path = ""
  try:
    for path, content in files.items():
      tf.io.gfile.makedirs(os.path.dirname(path) or ".")
      data = content.encode("utf-8") if isinstance(content, str) else content
      started.append(temporary_path(path))
      with tf.io.gfile.GFile(temporary_path(path), "wb") as f:
        f.write(data)
  except BaseException as e:  # Ctrl-C too: no temporary file is left behind.
    _remove(started)
    _raise(e, path, what)
  renamed: list[str] = []
  try:
    for path in files:
      tf.io.gfile.rename(temporary_path(path), path, overwrite=True)
      renamed.append(path)
  except BaseException as e:
    _remove([temporary_path(p) for p in files if p not in renamed] + renamed)
    _raise(e, path, what)
  return list(files)


def _raise(error: BaseException, path: str, what: str) -> NoReturn:
  """Raises a failed write's error: an I/O error as a WriteError, anything else as is."""
  if isinstance(error, (tf.errors.OpError, OSError)):
    raise errors.WriteError(f"{path}: cannot write {what} ({reason(error)})") from error
  raise error


def _remove(paths: list[str]) -> None:
  """Removes what exists of `paths`, quietly: the error being raised is the one to tell."""
  for path in paths:
    try:
      if tf.io.gfile.exists(path):
        tf.io.gfile.remove(path)
    except (tf.errors.OpError, OSError):
      pass
