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

"""Whether a command may continue the run its directory holds, and the restore.

A run directory that holds different settings is refused, one line per difference;
a finished run is never rewritten, except that `extend=True` trains it on to more
epochs from its last checkpoint, keeping its history.
"""

import os

import tensorflow as tf

from suite import constants
from suite import errors
from suite.results import record
from suite.training import run_spec
from suite.training import trainer as trainer_lib


def settings_diff(recorded: dict, asked: dict, defaults: dict | None = None) -> list[str]:
  """`section.name: X in the run, Y asked`, one line per differing setting.

  A setting the run's record lacks (the run predates it) differs only when it is asked
  with another value than its default in `defaults` ({section: {name: default}}).
  """
  lines = []
  for section in sorted(set(recorded) | set(asked)):
    old, new = recorded.get(section) or {}, asked.get(section) or {}
    known = (defaults or {}).get(section, {})
    for name in sorted(set(old) | set(new)):
      if name not in old and name in known and new.get(name) == known[name]:
        continue
      if old.get(name, "<absent>") != new.get(name, "<absent>"):
        lines.append(f"{section}.{name}: {old.get(name, '<absent>')!r} in the run, "
                     f"{new.get(name, '<absent>')!r} asked".replace("'", ""))
  return lines


def check_resumable(spec: run_spec.RunSpec, previous: record.RunRecord | None,
                    extend: bool = False) -> None:
  """Raises ConfigError unless `spec` may continue (or re-read) the run `previous`."""
  if previous is None:
    return
  where = os.path.join(spec.output_dir, record.FILENAME)
  if not isinstance(previous.settings, dict):
    raise errors.RunDirError(f"{where}: the record has no settings; it was not written by "
                             "this suite's runner. Choose another --output_dir")
  differences = settings_diff(record.identity(previous.settings), spec.identity(),
                              run_spec.setting_defaults())
  if differences:
    raise errors.ConfigError(
        f"{spec.output_dir} holds a {previous.status} run with other settings; choose another "
        "--output_dir, or delete the directory to start over:\n" + "\n".join(differences))
  done = int(previous.metrics.get("epochs_completed") or 0)
  recorded = (previous.settings.get("train") or {}).get("epochs")
  asked = spec.train.epochs
  if asked == recorded:
    return
  line = f"train.epochs: {recorded} in the run, {asked} asked"
  if previous.status == "complete" and not extend:
    hint = (" (--extend trains it on from its last checkpoint, keeping its history)"
            if asked > done else "")
    raise errors.ConfigError(
        f"{spec.output_dir} holds a finished run with other settings; it is left as it is. "
        f"Choose another --output_dir{hint}:\n{line}")
  if asked < done:
    raise errors.ConfigError(f"{spec.output_dir} has trained {done} epochs already; a run cannot "
                             f"be shortened:\n{line}")
  if not extend:
    raise errors.ConfigError(
        f"{spec.output_dir} holds an unfinished run of {recorded} epochs; resume it with the "
        f"same --epochs, or pass --extend to train it to {asked}:\n{line}")


def extending(spec: run_spec.RunSpec, previous: record.RunRecord | None) -> bool:
  """Whether `spec` trains the (resumable) run `previous` on to another number of epochs."""
  if previous is None or not isinstance(previous.settings, dict):
    return False
  return previous.settings["train"].get("epochs") != spec.train.epochs


def restore(trainer: trainer_lib.Trainer) -> int:
  """trainer.restore(), with a checkpoint that cannot be read named in a RunDirError.

  Returns:
    The epoch to continue from (0 without a checkpoint).
  """
  try:
    return trainer.restore()
  except (tf.errors.OpError, ValueError, AssertionError, IndexError, KeyError, TypeError) as e:
    run_dir = trainer.run_dir or ""
    manager = trainer.checkpoints.manager
    latest = (manager and manager.latest_checkpoint) or os.path.join(run_dir,
                                                                  constants.CHECKPOINTS_DIR)
    reason = " ".join((getattr(e, "message", None) or str(e) or type(e).__name__).split())[:300]
    raise errors.RunDirError(
        f"{latest}: the checkpoint cannot be restored ({reason}); delete "
        f"{os.path.join(run_dir, constants.CHECKPOINTS_DIR)} (and "
        f"{constants.RESULT_FILENAME}) to start over") from e
