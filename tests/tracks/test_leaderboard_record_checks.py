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

"""Entry records edited by hand are listed and left out of a track's leaderboard: their
scorecard, directions and seeds must be the track's, their numbers consistent."""

import copy
import json
import os
import re

from absl.testing import flagsaver
import pytest

from benchmarks import leaderboard

from suite import tracks
from suite.analysis.leaderboard import entries
from suite.analysis.leaderboard import entry_board
from suite.analysis.leaderboard import entry_render

TRACK = "smoke-v1"


def _baseline():
  with open(os.path.join(entries.baselines_dir(TRACK), "mlp.json"), encoding="utf-8") as f:
    return json.load(f)


def _mine(edit):
  rec = copy.deepcopy(_baseline())
  rec["entry"]["name"] = "mine"
  rec["entry"]["model"]["sha256"] = "ab" * 32
  edit(rec)
  return rec


def _load(tmp_path, rec):
  (tmp_path / "mine").mkdir(exist_ok=True)
  (tmp_path / "mine" / "entry.json").write_text(json.dumps(rec))
  track = tracks.load(TRACK)
  return entries.load([str(tmp_path / "mine")], TRACK, track.sha256,
                      shape=entries.TrackShape.of(track))


def _metric(rec):
  return rec["scorecard"]["epochs_to_fit_random"]


@pytest.mark.parametrize("edit, reason", [
    (lambda r: r["scorecard"].update(bogus={**_metric(r)}), r"unknown \['bogus'\]"),
    (lambda r: r["scorecard"].pop("epochs_to_fit_random"), r"missing \['epochs_to_fit_random'\]"),
    (lambda r: _metric(r).update(direction="lower"), "direction 'lower' is not the track's"),
    (lambda r: r.update(seeds=[0, 0, 0]), r"seeds \[0, 0, 0\] are not the track's"),
    (lambda r: r.update(seeds=[0, 1, 2, 3]), r"seeds \[0, 1, 2, 3\] are not the track's"),
    (lambda r: _metric(r).update(per_seed={("a" if k == "0" else k): v for k, v in _metric(
        r)["per_seed"].items()}), r"per_seed has seeds \['a'\]"),
    (lambda r: _metric(r)["per_seed"].update({"0": _metric(r)["per_seed"]["0"] + 1.0}),
     "is not the mean of per_seed"),
    (lambda r: _metric(r).update(n=2), "n 2 is not the 3 values of per_seed"),
    (lambda r: _metric(r).update(n=float("inf")), "n is not a count"),
    (lambda r: _metric(r).update(mean=1e308), "does not hold the mean"),
])
def test_an_edited_record_is_listed_and_left_out(tmp_path, edit, reason):
  loaded = _load(tmp_path, _mine(edit))
  assert [e.name for e in loaded.entries] == ["mlp"]
  (path, why), = loaded.skipped
  assert path.endswith("mine/entry.json") and why.startswith("malformed: "), why
  assert re.search(reason, why), why


def test_the_binary_checks_records_against_the_shipped_track(tmp_path, capsys):
  (tmp_path / "mine").mkdir()
  (tmp_path / "mine" / "entry.json").write_text(json.dumps(_mine(lambda r: r.update(
      seeds=[0, 0, 0]))))
  with flagsaver.flagsaver(track=TRACK, entries=[str(tmp_path / "mine")]):
    leaderboard.main([])
  captured = capsys.readouterr()
  assert re.search(r"skipped .*mine/entry.json: malformed: seeds \[0, 0, 0\] are not the "
                   "track's", captured.err), captured.err
  assert "| mlp (baseline) |" in captured.out and "| mine" not in captured.out



def test_a_record_of_the_track_is_tabled_and_drawn(tmp_path):
  loaded = _load(tmp_path, _mine(lambda r: None))
  assert [e.name for e in loaded.entries] == ["mlp", "mine"] and not loaded.skipped
  board = entry_board.build(loaded)
  assert entry_render.figure(board)


@pytest.mark.parametrize("track_id", tracks.available())
def test_the_shipped_baselines_are_their_track_s(track_id):
  track = tracks.load(track_id)
  loaded = entries.load([], track_id, track.sha256, shape=entries.TrackShape.of(track))
  assert not loaded.skipped, loaded.skipped


def test_the_figure_draws_an_interval_that_misses_its_mean(tmp_path):
  # The figure does not fail on a mean outside its interval (its bars end at the mean).
  loaded = _load(tmp_path, _mine(lambda r: None))
  _metric(loaded.entries[1].record).update(mean=1e6)
  assert entry_render.figure(entry_board.build(loaded))
