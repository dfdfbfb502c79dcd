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

"""Flags of memorization-bench: the track, the entry, and the only settings it may change.

A track fixes every setting of its runs. Of the suite's shared flags the bench honours
only where data and outputs live (--data_dir, --manual_dir, --download, --output_dir),
how it runs (--strategy, --cpu_devices, --tpu, --progress, --list_jobs, --only) and the
flags of settings the track lists as free; any other flag given is refused, by name,
with the track's value.
"""

import os

from absl import flags

from flags import data as data_flags
from flags import training as training_flags
from suite import errors
from suite import tracks

TRACK = flags.DEFINE_string("track", None, "The track to run: one of suite/tracks/*.json "
                            "(smoke-v1, memorization-cpu-v1, benign-cpu-v1, paper-gpu-v1).")
ENTRY_NAME = flags.DEFINE_string(
    "entry_name", "", "The entry's name on the leaderboard (default: the model function's "
    "name, plus the method's).")

# Flags that say where things are or how the runs execute, never what they compute.
_ALWAYS_FREE = ("track", "model", "method", "entry_name", "output_dir", "data_dir",
                "manual_dir", "download", "strategy", "cpu_devices", "tpu", "progress",
                "list_jobs", "only")
DEFAULT_ROOT = os.path.join("runs", "entries")


def given() -> list[str]:
  """The suite's flags set on the command line (or by a test), by name."""
  return [name for name in training_flags.flag_values()
          if flags.FLAGS[name].present or not flags.FLAGS[name].using_default_value]


def track() -> tracks.Track:
  if not TRACK.value:
    raise errors.ConfigError(f"--track is required: one of {tracks.available()}")
  return tracks.load(TRACK.value)


def model_reference() -> str:
  if "model" not in given():
    raise errors.ConfigError("--model is required: a function package.module:function "
                             "(the zoo's: suite.models.baselines:mlp, :cnn_small, "
                             ":resnet18_eighth)")
  return training_flags.MODEL.value


def free_choices(chosen_track: tracks.Track, fixed_setting) -> dict:
  """{"section.setting": value} of the free settings given; refuses any fixed one.

  Args:
    chosen_track: the track.
    fixed_setting: flag name -> the "section.setting" it would change, or None.

  Raises:
    ConfigError: a given flag changes a setting the track fixes (named, with its value).
  """
  choices = {}
  for name in given():
    if name in _ALWAYS_FREE:
      continue
    setting = fixed_setting(chosen_track, name)
    if setting in chosen_track.free:
      choices[setting] = flags.FLAGS[name].value
      continue
    where = f" ({setting} = {_value(chosen_track, setting)!r})" if setting else ""
    raise errors.ConfigError(
        f"--{name} is fixed by track {chosen_track.id}{where}: a track's settings cannot be "
        f"overridden; an entry may choose only {chosen_track.free}, where data and "
        "outputs live, and the strategy and devices")
  return choices


def _value(chosen_track: tracks.Track, setting: str):
  section, _, name = setting.partition(".")
  return chosen_track.settings.get(section, {}).get(name)


def data_location() -> dict:
  return {"data_dir": data_flags.DATA_DIR.value, "manual_dir": data_flags.MANUAL_DIR.value,
          "download": data_flags.DOWNLOAD.value}


def output_dir(chosen_track: tracks.Track, entry_name: str) -> str:
  """--output_dir, or runs/entries/<track>/<entry name>."""
  return training_flags.OUTPUT_DIR.value or os.path.join(DEFAULT_ROOT, chosen_track.id,
                                                         entry_name)
