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

"""The shipped tracks: pinned, complete, consistent, and planned into paired jobs."""

import copy
import dataclasses
import hashlib
import json
import os

import pytest

from suite import errors
from suite import tracks
from suite.analysis import scorecard
from suite.experiments import track_plan

# A track's identity is its hash: a shipped track file never changes. Changing a setting,
# a seed, a condition, the scorecard or the claims needs a NEW VERSION of the track (a new
# file <name>-v<N+1>.json, pinned here), never an edit of a pinned one.
PINNED = {
    "benign-cpu-v1": "daf999a7ecfb29a5df372fcc9dcf3a9555ea10cfb876fbcf4e299777910780fe",
    "memorization-cpu-v1": "08d80ac11b12e1405866fd0b9a5cf32af797b729f70629f52aad3519fbe14efa",
    "paper-gpu-v1": "465cc825836ee2baf93cd2008605d24d868b73e3b9d460a6561aa81dbbf8a246",
    "smoke-v1": "911f54950912fadf25aecb28c29ad96635d367834a9d11dc091d1f580ce29529",
}
SHIPPED = tracks.available()
MLP = track_plan.Entry(model="suite.models.baselines:mlp")
CNN = track_plan.Entry(model="suite.models.baselines:cnn_small",
                       method="examples.my_entry.method:confidence_penalty")


def _content(track_id):
  with open(os.path.join(tracks.DIRECTORY, f"{track_id}.json"), encoding="utf-8") as f:
    return json.load(f)


def test_every_shipped_track_is_pinned():
  assert SHIPPED == sorted(PINNED), (
      "a track was added or removed: pin the new track's hash in PINNED (a shipped track "
      "is never removed: its entries' records name it)")


@pytest.mark.parametrize("track_id", sorted(PINNED))
def test_a_shipped_track_is_never_edited(track_id):
  assert tracks.track_hash(track_id) == PINNED[track_id], (
      f"suite/tracks/{track_id}.json changed: a track's settings, seeds, conditions, "
      "scorecard and claims are fixed once shipped, since entry records carry this hash. "
      "Revert the edit and make a new version of the track (a new file with the version "
      "number raised, pinned in this test) instead")


def test_the_hash_is_of_the_canonical_json():
  content = _content("smoke-v1")
  text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
  assert tracks.canonical_hash(content) == hashlib.sha256(text.encode()).hexdigest()
  # Formatting does not matter; any value does.
  reordered = json.loads(json.dumps(content, indent=7, sort_keys=False))
  reordered = dict(reversed(list(reordered.items())))
  assert tracks.canonical_hash(reordered) == tracks.canonical_hash(content)
  changed = copy.deepcopy(content)
  changed["settings"]["train"]["learning_rate"] = 0.0010001
  assert tracks.canonical_hash(changed) != tracks.canonical_hash(content)


@pytest.mark.parametrize("track_id", SHIPPED)
def test_a_track_loads_and_describes_itself(track_id):
  track = tracks.load(track_id)
  content = _content(track_id)
  assert track.id == track_id == f"{content['name']}-v{content['version']}"
  assert track.content == content and track.sha256 == tracks.canonical_hash(content)
  assert track.describe() == {"id": track_id, "name": content["name"],
                              "version": content["version"], "sha256": track.sha256}
  assert content.get("description")


@pytest.mark.parametrize("track_id", SHIPPED)
def test_a_track_is_internally_consistent(track_id):
  track = tracks.load(track_id)
  conditions = set(track.conditions)
  assert len(track.seeds) >= 3 and len(set(track.seeds)) == len(track.seeds)
  assert all(isinstance(s, int) and s >= 0 for s in track.seeds)
  for changes in track.conditions.values():
    for key in changes:
      section, setting = key.split(".")
      assert setting in track.settings[section], f"condition changes unknown {key}"
  assert set(track.settings["probe"]["conditions"]) <= conditions
  for key in track.free:
    section, setting = key.split(".")
    assert setting in track.settings[section], key
    assert not any(key in changes for changes in track.conditions.values()), key
  names = [m["name"] for m in track.scorecard]
  assert len(set(names)) == len(names)
  for metric in track.scorecard:
    assert metric["measure"] in scorecard.MEASURES, metric
    assert metric["direction"] in ("higher", "lower") and metric["definition"], metric
    read = scorecard.conditions_of(metric)
    assert set(read) <= conditions, metric
    if metric["measure"] in ("memorization_depth", "encoder_knn_minus_random_init",
                             "encoder_knn_difference"):
      # Probe measures need the probe (and its controls) in every condition they read.
      assert set(read) <= set(track.settings["probe"]["conditions"]), metric
    if metric["measure"] in ("test_accuracy_best_validation", "fit_gap_best_validation"):
      assert track.settings["data"]["validation_size"] > 0 or track.settings["data"][
          "train_size"] == 0, metric
  for claim in track.claims:
    assert claim["check"] in scorecard.CHECKS, claim
    assert set(claim["conditions"].values()) <= conditions, claim


@pytest.mark.parametrize("track_id", SHIPPED)
def test_a_track_fixes_every_setting_of_its_jobs(track_id, tmp_path):
  track = tracks.load(track_id)
  jobs = track_plan.plan(track, MLP, str(tmp_path))
  assert [j.name for j in jobs] == [f"{c}/seed_{s}" for c in track.conditions
                                    for s in track.seeds]
  for job in jobs:
    condition, seed = job.name.split("/seed_")
    seed = int(seed)
    spec = job.spec
    assert spec.output_dir == os.path.join(str(tmp_path), condition, f"seed_{seed}")
    assert spec.data.seed == spec.train.seed == seed
    expected = {section: dict(track.settings[section]) for section in ("data", "augment",
                                                                       "train")}
    for key, value in track.conditions[condition].items():
      section, setting = key.split(".")
      expected[section][setting] = value
    for section, config in (("data", spec.data), ("augment", spec.augment),
                            ("train", spec.train)):
      got = dataclasses.asdict(config)
      for setting, value in expected[section].items():
        assert got[setting] == (tuple(value) if isinstance(got[setting], tuple) else value), (
            job.name, section, setting)
    assert spec.model.name == MLP.model and spec.train.method == ""
    assert spec.flags["track_sha256"] == track.sha256 and spec.flags["condition"] == condition
    probed = condition in track.settings["probe"]["conditions"]
    assert (job.hooks is not None) == probed
    if probed:
      (hook,) = job.hooks(None)
      probe = track.settings["probe"]
      assert hook.config.knn.ks == tuple(probe["ks"]) and hook.config.bank == probe["bank"]
      assert hook.config.knn.tie_break == probe["tie_break"]
      assert hook.config.pooling == probe["pooling"] and hook.last_epoch == spec.train.epochs


@pytest.mark.parametrize("track_id", SHIPPED)
def test_entries_are_paired_by_seed(track_id, tmp_path):
  track = tracks.load(track_id)
  mine = {j.name: j.spec for j in track_plan.plan(track, MLP, str(tmp_path / "a"))}
  theirs = {j.name: j.spec for j in track_plan.plan(track, CNN, str(tmp_path / "b"))}
  assert mine.keys() == theirs.keys()
  for name, spec in mine.items():
    # Same data (subset, noisy labels, order: all keyed by the data and train seeds).
    assert spec.data == theirs[name].data and spec.augment == theirs[name].augment
    assert dataclasses.replace(theirs[name].train, method="") == spec.train
    assert theirs[name].train.method == CNN.method and theirs[name].model.name == CNN.model
  for condition in track.conditions:
    data_seeds = [mine[f"{condition}/seed_{s}"].data.seed for s in track.seeds]
    assert data_seeds == track.seeds and len(set(data_seeds)) == len(data_seeds)


@pytest.mark.parametrize("track_id", SHIPPED)
def test_a_fixed_setting_cannot_be_chosen(track_id, tmp_path):
  track = tracks.load(track_id)
  with pytest.raises(errors.ConfigError) as raised:
    track_plan.plan(track, MLP, str(tmp_path), free={"train.epochs": 5})
  message = str(raised.value)
  assert message.startswith(f"train.epochs is fixed by track {track_id} "
                            f"({track.settings['train']['epochs']!r})"), message
  with pytest.raises(errors.ConfigError, match=r"data\.label_noise is fixed"):
    track_plan.plan(track, MLP, str(tmp_path), free={"data.label_noise": 0.2})


@pytest.mark.parametrize("track_id", SHIPPED)
def test_a_free_setting_is_the_entry_s_choice(track_id, tmp_path):
  track = tracks.load(track_id)
  assert "train.jit_compile" in track.free
  jobs = track_plan.plan(track, MLP, str(tmp_path), free={"train.jit_compile": True,
                                                          "train.eval_batch_size": 64})
  assert all(j.spec.train.jit_compile and j.spec.train.eval_batch_size == 64 for j in jobs)
  assert all(j.spec.flags["train.jit_compile"] is True for j in jobs)


def test_fixed_setting_maps_flags_to_settings():
  track = tracks.load("smoke-v1")
  assert track_plan.fixed_setting(track, "epochs") == "train.epochs"
  assert track_plan.fixed_setting(track, "label_noise") == "data.label_noise"
  assert track_plan.fixed_setting(track, "knn_k") == "probe.ks"
  assert track_plan.fixed_setting(track, "augmentation") == "augment.name"
  assert track_plan.fixed_setting(track, "seed") == "data.seed"
  assert track_plan.fixed_setting(track, "jit_compile") == "train.jit_compile"
  assert track_plan.fixed_setting(track, "output_dir") is None


def _track(content):
  return tracks.Track(id=f"{content['name']}-v{content['version']}",
                      sha256=tracks.canonical_hash(content), content=content)


def test_a_track_that_leaves_a_setting_open_is_refused(tmp_path):
  content = _content("smoke-v1")
  del content["settings"]["train"]["weight_decay"]
  with pytest.raises(errors.ConfigError, match=r"does not fix every train setting \(missing "
                                               r"\['weight_decay'\], unknown \[\]\)"):
    track_plan.plan(_track(content), MLP, str(tmp_path))
  content = _content("smoke-v1")
  content["settings"]["data"]["seed"] = 3  # The seed is the job's, never the track's.
  with pytest.raises(errors.ConfigError, match=r"unknown \['seed'\]"):
    track_plan.plan(_track(content), MLP, str(tmp_path))


def test_unknown_tracks_are_refused_listing_the_shipped_ones():
  with pytest.raises(errors.ConfigError, match=r"unknown track 'smoke-v9'; the tracks are "
                                               r"\['benign-cpu-v1'"):
    tracks.load("smoke-v9")
  with pytest.raises(errors.ConfigError, match="unknown track"):
    tracks.load("../smoke-v1")


@pytest.mark.parametrize("damage,message", [
    (lambda c: c.update(version=2), r"do not match the file name"),
    (lambda c: c.update(seeds=[0, 1, 1]), r"seeds repeat"),
    (lambda c: c.update(seeds=[]), r"needs conditions and seeds"),
    (lambda c: c.update(extra=1), r"unknown keys \['extra'\]"),
    (lambda c: c.pop("scorecard"), r"missing keys \['scorecard'\]"),
    (lambda c: c["conditions"].update(bad={"label_noise": 0.1}), r"not a section\.setting"),
    (lambda c: c["settings"].pop("probe"), r"must have the sections"),
    (lambda c: c["scorecard"].append(dict(c["scorecard"][0])), r"distinct names"),
])
def test_a_malformed_track_file_is_one_error(damage, message, tmp_path, monkeypatch):
  content = _content("smoke-v1")
  damage(content)
  (tmp_path / "smoke-v1.json").write_text(json.dumps(content))
  monkeypatch.setattr(tracks, "DIRECTORY", str(tmp_path))
  with pytest.raises(errors.ConfigError, match=rf"track file .*smoke-v1\.json: .*{message}"):
    tracks.load("smoke-v1")
