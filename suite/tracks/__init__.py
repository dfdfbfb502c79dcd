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

"""Standard tracks: versioned protocols that every entry runs the same way.

A track is a JSON file in this package, `<name>-v<version>.json`, that fixes every
setting of its runs: the data, the augmentation, the training, the probe, the
conditions (label noise, augmentation) each seed runs, the seeds, the scorecard and the
claims. An entry brings only its model (and optionally a method); where data and
outputs live, the strategy and devices, and the settings the track lists as `free` are
the only other choices. The track's identity is its id and the SHA-256 of its canonical
content: changing any setting makes a new version, and records of two versions (or of
an edited file) are never tabled together. docs/tracks.md describes each track.

This module only reads the files (no TensorFlow): the jobs a track runs are built by
suite.experiments.track_plan.
"""

import dataclasses
import hashlib
import json
import os
import re
from typing import Any

from suite import errors

DIRECTORY = os.path.dirname(os.path.abspath(__file__))
BASELINES = os.path.join(DIRECTORY, "baselines")
_ID = re.compile(r"(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)-v(?P<version>[1-9][0-9]*)")
# The settings sections a track fixes, in the order of a run's `settings`.
SECTIONS = ("data", "augment", "train", "probe")
_KEYS = {"name", "version", "description", "settings", "conditions", "seeds", "free",
         "scorecard", "claims", "cost"}


@dataclasses.dataclass(frozen=True)
class Track:
  """A parsed track file (see the module docstring and docs/tracks.md).

  Attributes:
    id: "<name>-v<version>", the file's name.
    sha256: the SHA-256 of the canonical JSON of `content`: the track's identity.
    content: the file's JSON, as read.
  """
  id: str
  sha256: str
  content: dict

  @property
  def name(self) -> str:
    return self.content["name"]

  @property
  def version(self) -> int:
    return self.content["version"]

  @property
  def settings(self) -> dict:
    return self.content["settings"]

  @property
  def conditions(self) -> dict[str, dict]:
    """{condition: {"section.setting": value}}: what each condition changes."""
    return self.content["conditions"]

  @property
  def seeds(self) -> list[int]:
    return list(self.content["seeds"])

  @property
  def free(self) -> list[str]:
    """The "section.setting" names an entry may choose (hardware-only settings)."""
    return list(self.content.get("free", []))

  @property
  def scorecard(self) -> list[dict]:
    return self.content["scorecard"]

  @property
  def claims(self) -> list[dict]:
    return self.content.get("claims", [])

  def describe(self) -> dict[str, Any]:
    """What an entry record says of its track."""
    return {"id": self.id, "name": self.name, "version": self.version,
            "sha256": self.sha256}


def canonical_hash(content: dict) -> str:
  """SHA-256 of `content` as canonical JSON (sorted keys, no spaces): the track's id
  does not depend on the file's formatting."""
  text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
  return hashlib.sha256(text.encode()).hexdigest()


def available() -> list[str]:
  """The ids of the tracks shipped in this package, sorted."""
  return sorted(f[:-5] for f in os.listdir(DIRECTORY)
                if f.endswith(".json") and _ID.fullmatch(f[:-5]))


def load(track_id: str) -> Track:
  """The track `track_id` ("smoke-v1"), read and checked.

  Raises:
    ConfigError: no such track (the shipped ones are listed), or its file is malformed.
  """
  if track_id not in available():
    raise errors.ConfigError(f"unknown track {track_id!r}; the tracks are {available()}")
  path = os.path.join(DIRECTORY, f"{track_id}.json")
  try:
    with open(path, encoding="utf-8") as f:
      content = json.load(f)
  except (OSError, ValueError) as e:
    raise errors.ConfigError(f"track file {path} cannot be read: {e}") from e
  _check(track_id, content, path)
  return Track(id=track_id, sha256=canonical_hash(content), content=content)


def track_hash(track_id: str) -> str:
  """The SHA-256 of the shipped track `track_id` (what its entries' records must carry)."""
  return load(track_id).sha256


def _check(track_id: str, content: Any, path: str) -> None:
  """The file's shape; the settings' values are checked when its jobs are built."""
  def bad(why):
    return errors.ConfigError(f"track file {path}: {why}")
  if not isinstance(content, dict):
    raise bad("not a JSON object")
  unknown, missing = set(content) - _KEYS, {"name", "version", "settings", "conditions",
                                            "seeds", "scorecard"} - set(content)
  if unknown or missing:
    raise bad(f"unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
  match = _ID.fullmatch(track_id)
  assert match  # available() lists only well-formed ids.
  if (content["name"], content["version"]) != (match["name"], int(match["version"])):
    raise bad(f"name {content['name']!r} and version {content['version']!r} do not match "
              f"the file name {track_id}")
  if set(content["settings"]) != set(SECTIONS):
    raise bad(f"settings must have the sections {list(SECTIONS)}")
  if not content["conditions"] or not content["seeds"]:
    raise bad("a track needs conditions and seeds")
  if len(set(content["seeds"])) != len(content["seeds"]):
    raise bad("seeds repeat")
  for condition, changes in content["conditions"].items():
    for key in changes:
      section = key.split(".")[0]
      if section not in SECTIONS or key.count(".") != 1:
        raise bad(f"condition {condition} changes {key!r}, not a section.setting")
  names = [metric.get("name") for metric in content["scorecard"]]
  if len(set(names)) != len(names) or None in names:
    raise bad("scorecard metrics need distinct names")
