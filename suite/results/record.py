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

"""The run record, `result.json`: what a run was, where it stands, what it measured.

The record (`RunRecord`) says what the run was (settings, flags, config hash), where it
stands and what it measured. `status` is `running`, then `complete`, `failed` or
`interrupted`; `stage` says how far a run got, in order `training` (epochs under way),
`trained` (last checkpoint written), `probed` (the final sections, probe and controls,
are in the record) and `complete`, so that a resume redoes exactly the stages not
finished. Its `environment` is suite.results.provenance's.

The record is written atomically (`atomic.write`: a temporary file renamed over the old
one): a reader sees the previous version or the new one, never half a file, and a write
that fails (a full disk) leaves the previous version and no temporary file. The directory
that holds it, and its single writer, are suite.results.run_directory's.
"""

import dataclasses
import hashlib
import json
import math
import os

import tensorflow as tf

from suite import constants
from suite import errors
from suite.results import atomic


SCHEMA_VERSION = 1
STATUSES = ("running", "complete", "failed", "interrupted")
STAGES = ("training", "trained", "probed", "complete")
REQUIRED_KEYS = ("schema_version", "benchmark", "status", "config", "config_hash", "metrics",
                 "timing", "environment")
FILENAME = constants.RESULT_FILENAME
# Test-only: kill this process (SIGKILL) when the run reaches the named point
# (see `kill_point`), so that kill -9 lands deterministically between two writes.
KILL_AT_ENV = "MEMSUITE_KILL_AT"


def config_hash(config: dict) -> str:
  """A short stable hash of the settings that define a run (seed excluded by the caller).

  Args:
    config: JSON-serialisable settings (non-JSON values are hashed by str).

  Returns:
    The first 16 hex digits of the SHA-256 of the canonical (sorted-key) JSON.
  """
  canonical = json.dumps(config, sort_keys=True, default=str)
  return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# Settings that may differ between a run and its resume: where data lives, how often
# checkpoints are kept, the evaluation batch. `epochs` is compared on its own.
RESUME_FREE_SETTINGS = {"train": ("epochs", "eval_batch_size", "checkpoint_every"),
                        "data": ("data_dir", "manual_dir", "download")}


def identity(settings: dict) -> dict:
  """`settings` without the ones a resume may change: what a run's config hash covers."""
  return {section: {k: v for k, v in values.items()
                    if k not in RESUME_FREE_SETTINGS.get(section, ())}
          for section, values in settings.items()}


def with_defaults(settings: dict, defaults: dict) -> dict:
  """`settings` with each setting it lacks ({section: {name: default}} in `defaults`)
  filled in: a run recorded before a setting existed ran with that setting's default
  (a new setting's default keeps the behaviour from before it)."""
  return {section: ({**defaults.get(section, {}), **values} if isinstance(values, dict)
                    else values)
          for section, values in settings.items()}


def kill_point(name: str) -> None:
  """Test hook: SIGKILLs this process if MEMSUITE_KILL_AT names this point.

  Args:
    name: the point's name (tests set MEMSUITE_KILL_AT to it).
  """
  if os.environ.get(KILL_AT_ENV) == name:
    import signal  # pylint: disable=g-import-not-at-top
    os.kill(os.getpid(), signal.SIGKILL)


# ------------------------------------------------------------------ the record
def validate(rec: object, complete: bool = False) -> str | None:
  """None if `rec` is a well-formed run record, else what is wrong with it.

  Args:
    rec: the parsed record.
    complete: also require a finished run (status complete, settings of every section).

  Returns:
    None when well formed, else one sentence naming the first problem.
  """
  if not isinstance(rec, dict):
    return "not a JSON object"
  missing = [k for k in REQUIRED_KEYS if k not in rec]
  if missing:
    return f"missing keys {missing}"
  if rec["schema_version"] != SCHEMA_VERSION:
    return f"schema_version {rec['schema_version']!r}, expected {SCHEMA_VERSION}"
  if rec["status"] not in STATUSES:
    return f"unknown status {rec['status']!r}"
  if "stage" in rec and rec["stage"] not in STAGES:
    return f"unknown stage {rec['stage']!r}"
  for key in ("config", "metrics", "timing", "environment"):
    if not isinstance(rec[key], dict):
      return f"{key} is not an object"
  if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
             for v in rec["metrics"].values()):
    return "metrics must map names to numbers"
  if not isinstance(rec.get("history", []), list) or not all(
      isinstance(h, dict) and isinstance(h.get("epoch"), int) for h in rec.get("history", [])):
    return "history must be a list of entries with an integer epoch"
  if complete:
    if rec["status"] != "complete":
      return f"status {rec['status']}"
    if "settings" not in rec:
      return "missing keys ['settings']"
    settings = rec["settings"]
    if not isinstance(settings, dict):
      return "settings is not an object"
    for section in ("data", "model", "augment", "train"):
      if not isinstance(settings.get(section), dict):
        return f"settings.{section} missing"
  return None


@dataclasses.dataclass
class RunRecord:
  """A typed result.json. `sections` holds the optional parts (probe, controls, error...)."""
  benchmark: str
  status: str
  config: dict
  config_hash: str
  metrics: dict
  timing: dict
  environment: dict
  stage: str | None = None
  settings: dict | None = None
  dataset: dict | None = None
  model: dict | None = None
  history: list = dataclasses.field(default_factory=list)
  sections: dict = dataclasses.field(default_factory=dict)
  schema_version: int = SCHEMA_VERSION

  _ORDER = ("schema_version", "benchmark", "status", "stage", "config", "config_hash",
            "settings", "dataset", "model", "metrics", "history", "timing", "environment")

  def to_dict(self) -> dict:
    """The record as JSON-ready dict, keys in the documented order, sections last.

    Returns:
      A dict that `write` writes and `from_dict` reads back.
    """
    out = {}
    for key in self._ORDER:
      value = getattr(self, key)
      if value is not None or key in REQUIRED_KEYS:
        out[key] = value
    out.update(self.sections)
    return out

  @classmethod
  def from_dict(cls, rec: dict, path: str = FILENAME) -> "RunRecord":
    """The typed record of a dict read from result.json.

    Args:
      rec: the parsed JSON.
      path: where it was read from (named in the error).

    Returns:
      The RunRecord; keys beyond the required ones go to `sections`.

    Raises:
      RunDirError: `rec` is not a well-formed record (`validate` says why).
    """
    reason = validate(rec)
    if reason:
      raise errors.RunDirError(f"{path}: not a valid run record ({reason})")
    known = {f.name for f in dataclasses.fields(cls)} - {"sections"}
    return cls(**{k: v for k, v in rec.items() if k in known},
               sections={k: v for k, v in rec.items() if k not in known})


def write(run_dir: str, rec: "RunRecord | dict") -> str:
  """Writes `rec` (a RunRecord or dict) to run_dir/result.json atomically; returns the path.

  Args:
    run_dir: the run directory (local or bucket path).
    rec: the record; NaN and infinities are written as null.

  Returns:
    The path of the written result.json.
  """
  if isinstance(rec, RunRecord):
    rec = rec.to_dict()
  missing = [k for k in REQUIRED_KEYS if k not in rec]
  if missing:
    raise ValueError(f"result record lacks {missing}")
  if rec["status"] not in STATUSES:
    raise ValueError(f"bad status {rec['status']!r}")
  path = os.path.join(run_dir, FILENAME)
  text = json.dumps(_finite(rec), indent=2, default=_jsonable, allow_nan=False) + "\n"
  return atomic.write(path, text, "the record")  # WriteError (a RunDirError) if it cannot.


def read(run_dir_or_path: str) -> dict:
  """The record at a run directory or a result.json path; RunDirError says what is wrong.

  Args:
    run_dir_or_path: a run directory or the path of its result.json.

  Returns:
    The record as a dict.
  """
  path = run_dir_or_path
  if not path.endswith(".json"):
    path = os.path.join(path, FILENAME)
  try:
    if not tf.io.gfile.exists(path):
      raise errors.RunDirError(f"{path}: no such file (not a run directory?)")
    with tf.io.gfile.GFile(path, "rb") as f:
      data = f.read()
  except (tf.errors.OpError, OSError) as e:
    raise errors.RunDirError(f"{path}: unreadable ({reason(e)})") from e
  try:
    rec = json.loads(data.decode("utf-8"))
  except (json.JSONDecodeError, UnicodeDecodeError) as e:
    raise errors.RunDirError(f"{path}: truncated or not JSON ({e}); delete it or the run "
                             "directory to start over") from e
  if not isinstance(rec, dict):
    raise errors.RunDirError(f"{path}: not a JSON object")
  return rec


def reason(e: Exception) -> str:
  text = getattr(e, "message", None) or str(e) or type(e).__name__
  return " ".join(text.split())[:300]


def _finite(value):
  """NaN and infinities become null: result.json stays strict JSON."""
  if isinstance(value, dict):
    return {k: _finite(v) for k, v in value.items()}
  if isinstance(value, (list, tuple)):
    return [_finite(v) for v in value]
  if isinstance(value, float) and not math.isfinite(value):
    return None
  return value


def _jsonable(value):
  # NumPy arrays and scalars: tolist gives Python lists and numbers (`item`, used before,
  # fails on an array of more than one element), NaN among them written as null too (a
  # float32 NaN is no Python float, so `_finite` did not see it).
  if hasattr(value, "tolist"):
    return _finite(value.tolist())
  return str(value)
