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

"""The track leaderboard over entry records: loading, pairing by seed, Holm, rendering."""

import copy
import csv
import io
import json

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite import errors
from suite.analysis.leaderboard import entries
from suite.analysis.leaderboard import entry_board
from suite.analysis.leaderboard import entry_render

TRACK = "test-track-v1"
SHA = "ab" * 32
OTHER_SHA = "cd" * 32
METRICS = (("fit", "higher"), ("loss", "lower"))


def make(name="mlp", scores=None, model_sha="11" * 32, method=None, track=TRACK, sha=SHA,
         status="complete", claims=None, wall=90.0):
  """A synthetic entry record: scores {metric: {seed: value}} (default two metrics)."""
  scores = scores or {"fit": {0: 0.9, 1: 0.92, 2: 0.91}, "loss": {0: 0.3, 1: 0.28, 2: 0.29}}
  directions = dict(METRICS)
  scorecard = {}
  for metric, values in scores.items():
    present = [v for v in values.values() if v is not None]
    mean = float(np.mean(present)) if present else None
    scorecard[metric] = {"definition": f"the {metric}", "direction": directions.get(metric,
                                                                                   "higher"),
                         "per_seed": {str(s): v for s, v in values.items()}, "mean": mean,
                         "interval": [mean - 0.01, mean + 0.01] if mean is not None else None,
                         "n": len(present)}
  seeds = sorted({s for values in scores.values() for s in values})
  return {
      "schema_version": 1, "kind": "entry", "status": status,
      "entry": {"name": name,
                "model": {"reference": f"pkg.models:{name}", "file": "/x/models.py",
                          "sha256": model_sha},
                "method": method},
      "track": {"id": track, "name": track[:-3], "version": 1, "sha256": sha},
      "suite": {"version": "0.1.0", "commit": "0123456789abcdef", "dirty": False},
      "environment": {}, "seeds": seeds,
      "runs": {f"job/seed_{s}": f"runs/job/seed_{s}" for s in seeds},
      "scorecard": scorecard,
      "claims": claims if claims is not None else [
          {"claim": "a", "verdict": "held"}, {"claim": "b", "verdict": "held"},
          {"claim": "c", "verdict": "not testable: 2 seeds"}],
      "timing": {"wall_seconds": wall, "bench_seconds": wall + 5},
      "hardware": "2 CPU cores"}


def put(directory, rec, name="entry.json"):
  directory.mkdir(parents=True, exist_ok=True)
  path = directory / name
  path.write_text(rec if isinstance(rec, str) else json.dumps(rec))
  return str(path)


def board_of(tmp_path, records, shipped=(), baseline=None, sha=SHA):
  """Writes `shipped` to a baselines dir and `records` under entries/, then builds."""
  shipped_dir = tmp_path / "shipped"
  for i, rec in enumerate(shipped):
    put(shipped_dir, rec, f"{i:02d}_{rec['entry']['name']}.json")
  for i, rec in enumerate(records):
    put(tmp_path / "entries" / f"e{i}", rec)
  loaded = entries.load([str(tmp_path / "entries")], TRACK, sha, shipped_dir=str(shipped_dir))
  return entry_board.build(loaded, baseline=baseline)


def row(board, label):
  return next(r for r in board.rows if r["label"] == label)


def test_paired_difference_matches_an_independent_paired_t_test():
  rng = np.random.default_rng(3)
  base = {str(s): float(v) for s, v in enumerate(rng.normal(0.5, 0.05, 6))}
  mine = {str(s): float(v) for s, v in enumerate(rng.normal(0.55, 0.05, 6))}
  mine["2"] = None  # Not computable in the entry: seed 2 is not paired.
  del base["5"]  # The baseline never ran seed 5.
  mine = dict(reversed(list(mine.items())))  # Pairing is by seed, not by position.
  d = entry_board.paired_difference(mine, base)
  seeds = ["0", "1", "3", "4"]
  assert d["seeds"] == seeds and d["n"] == 4
  a = np.array([mine[s] for s in seeds])
  b = np.array([base[s] for s in seeds])
  diff = a - b
  lo, hi = scipy_stats.t.interval(0.95, len(diff) - 1, loc=diff.mean(),
                                  scale=scipy_stats.sem(diff))
  assert d["mean"] == pytest.approx(diff.mean(), rel=1e-12)
  assert d["interval"] == pytest.approx([lo, hi], rel=1e-9)
  assert d["p"] == pytest.approx(scipy_stats.ttest_rel(a, b).pvalue, rel=1e-9)


def test_zero_spread_and_too_few_seeds():
  same = entry_board.paired_difference({"0": 1.0, "1": 1.0, "2": 1.0}, {"0": 1.0, "1": 1.0, "2": 1.0})
  assert same["mean"] == 0.0 and same["p"] == 1.0 and same["interval"] == [0.0, 0.0]
  shifted = entry_board.paired_difference({"0": 1.0, "1": 1.0, "2": 1.0},
                                      {"0": 0.5, "1": 0.5, "2": 0.5})
  assert shifted["p"] == 0.0 and shifted["interval"] == [0.5, 0.5]
  two = entry_board.paired_difference({"0": 0.7, "1": 0.8, "2": None}, {"0": 0.5, "1": 0.5, "2": 0.5})
  assert two["n"] == 2 and two["mean"] == pytest.approx(0.25)
  assert two["interval"] is None and two["p"] is None
  none = entry_board.paired_difference({"0": float("nan")}, {"0": 0.5})
  assert none["n"] == 0 and none["mean"] is None


def test_holm_over_an_entrys_metrics_on_a_hand_computed_example(monkeypatch):
  # p = (0.01, 0.04, 0.03, 0.5): sorted 0.01 x 4 = 0.04, 0.03 x 3 = 0.09, 0.04 x 2 = 0.08
  # (raised to 0.09, monotone), 0.5 x 1 = 0.5.
  raw = {"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.5}
  monkeypatch.setattr(entry_board, "paired_difference",
                      lambda mine, theirs: {"n": 5, "mean": mine["0"], "interval": [0, 1],
                                            "p": raw[theirs["name"]]})
  metrics = [{"name": m, "direction": "higher" if m != "a" else "lower"} for m in raw]
  rec = {"scorecard": {m: {"per_seed": {"0": 0.1}} for m in raw}}
  base = {"scorecard": {m: {"per_seed": {"name": m}} for m in raw}}
  out = entry_board.compare(rec, base, metrics)
  assert [out[m]["p_holm"] for m in raw] == pytest.approx([0.04, 0.09, 0.09, 0.5])
  assert [out[m]["holds"] for m in raw] == [True, False, False, False]
  assert out["a"]["verdict"] == "worse"  # Up on a metric where lower is better.
  assert out["b"]["verdict"] == "not shown"


def test_a_difference_significant_alone_need_not_hold_after_holm(tmp_path):
  base_values = {"fit": [0.80, 0.82, 0.81, 0.83, 0.79], "loss": [0.3, 0.31, 0.29, 0.3, 0.32],
                 "knn": [0.6, 0.62, 0.61, 0.63, 0.6], "gap": [0.1, 0.12, 0.11, 0.1, 0.09]}
  diffs = {"fit": [0.1, 0.12, 0.11, 0.13, 0.09], "loss": [0.1, 0.12, 0.11, 0.13, 0.09],
           "knn": [0.02, 0.04, -0.005, 0.035, 0.025], "gap": [0.01, -0.02, 0.015, -0.01, 0.0]}
  base = make("base", {m: dict(enumerate(v)) for m, v in base_values.items()})
  mine = make("mine", {m: {s: v + diffs[m][s] for s, v in enumerate(vs)}
                       for m, vs in base_values.items()}, model_sha="22" * 32)
  board = board_of(tmp_path, [mine], shipped=[base])
  out = row(board, "mine")["differences"]
  p = {m: scipy_stats.ttest_rel(
      [mine["scorecard"][m]["per_seed"][str(s)] for s in range(5)], base_values[m]).pvalue
       for m in diffs}
  assert p["knn"] < 0.05  # Alone it would count ...
  order = sorted(p, key=p.get)
  expected, running = {}, 0.0
  for rank, m in enumerate(order):
    running = max(running, min(1.0, (len(p) - rank) * p[m]))
    expected[m] = running
  for m in diffs:
    assert out[m]["p"] == pytest.approx(p[m], rel=1e-9)
    assert out[m]["p_holm"] == pytest.approx(expected[m], rel=1e-9)
  assert out["knn"]["p_holm"] > 0.05 and not out["knn"]["holds"]  # ... not after Holm.
  assert out["fit"]["verdict"] == "better" and out["loss"]["verdict"] == "worse"
  assert out["gap"]["verdict"] == "not shown"
  table = entry_render.markdown(board)
  mine_line = next(line for line in table.splitlines() if line.startswith("| ") and "mine" in line)
  assert "+0.110 [" in mine_line and "] ✓ |" in mine_line and "] ✗ |" in mine_line


def test_a_record_of_another_track_version_is_listed_with_its_hash_and_never_tabled(tmp_path):
  board = board_of(tmp_path, [make("old", sha=OTHER_SHA, model_sha="33" * 32), make("new")])
  assert [r["label"] for r in board.rows] == ["new"]
  (path, reason), = board.skipped
  assert path.endswith("e0/entry.json") and OTHER_SHA in reason and SHA in reason
  assert "old" not in entry_render.csv_text(board)
  assert OTHER_SHA in entry_render.markdown(board)  # Listed below the table.


def test_the_same_name_with_other_code_is_two_entries(tmp_path):
  one = make("mlp", model_sha="44" * 32)
  other = make("mlp", model_sha="55" * 32)
  with_method = make("mlp", model_sha="44" * 32,
                     method={"reference": "pkg.m:mixup", "file": "/m.py", "sha256": "66" * 32})
  board = board_of(tmp_path, [one, other, with_method])
  labels = sorted(r["label"] for r in board.rows)
  codes = sorted(entries.code_id(r) for r in (one, other, with_method))
  assert len(set(codes)) == 3 and labels == sorted(f"mlp@{c[:8]}" for c in codes)
  assert not board.skipped and not board.duplicates


def test_a_copy_of_an_entry_is_tabled_once_and_a_rerun_under_its_name_is_listed(tmp_path):
  baseline = make("mlp")
  rerun = make("mlp", scores={"fit": {0: 0.5, 1: 0.5, 2: 0.5}, "loss": {0: 1, 1: 1, 2: 1}})
  board = board_of(tmp_path, [copy.deepcopy(baseline), rerun], shipped=[baseline])
  assert [(r["label"], r["shipped"]) for r in board.rows] == [("mlp", True)]
  (copy_path, kept), = board.duplicates
  assert copy_path.endswith("e0/entry.json") and kept.endswith("00_mlp.json")
  (path, reason), = board.skipped
  assert path.endswith("e1/entry.json") and "same code" in reason and "another name" in reason


@pytest.mark.parametrize("damage,reason", [
    (lambda r: json.dumps(r)[:200], "unreadable: JSONDecodeError"),
    (lambda r: "", "unreadable"),
    (lambda r: "[1, 2]", "not an entry record"),
    (lambda r: {**r, "status": "running"}, "not complete"),
    (lambda r: {**r, "kind": "result"}, "not an entry record"),
    (lambda r: {**r, "schema_version": 2}, "schema_version 2"),
    (lambda r: {**r, "track": {**r["track"], "id": "smoke-v1"}}, "of track smoke-v1"),
    (lambda r: {**r, "scorecard": {"fit": {**r["scorecard"]["fit"], "direction": "up"}}},
     "malformed: scorecard 'fit': direction"),
    (lambda r: {**r, "scorecard": {"fit": {**r["scorecard"]["fit"], "per_seed": {"0": "x"}}}},
     "malformed: scorecard 'fit': per_seed"),
    (lambda r: {**r, "entry": {**r["entry"], "model": {"reference": "a:b"}}},
     "malformed: entry.model.sha256"),
    (lambda r: {**r, "seeds": "0,1"}, "malformed: seeds"),
    (lambda r: {**r, "claims": [{"claim": "x"}]}, "malformed: claims"),
    (lambda r: {**r, "timing": {"wall_seconds": "long"}}, "malformed: timing"),
])
def test_a_bad_record_is_listed_with_its_reason_never_a_crash(tmp_path, damage, reason):
  good = make("good")
  board = board_of(tmp_path, [damage(make("bad", model_sha="77" * 32)), good])
  assert [r["label"] for r in board.rows] == ["good"]
  (path, why), = board.skipped
  assert path.endswith("e0/entry.json") and why.startswith(reason), why
  entry_render.markdown(board)
  entry_render.csv_text(board)


def test_a_missing_path_is_listed(tmp_path):
  loaded = entries.load([str(tmp_path / "nowhere"), str(tmp_path / "gone.json")], TRACK, SHA,
                        shipped_dir=str(tmp_path / "none"))
  assert not loaded.entries
  assert [reason for _, reason in loaded.skipped] == ["no such directory", "no such file"]


def test_fewer_than_three_paired_seeds_are_not_tested(tmp_path):
  base = make("base")
  two = make("two", {"fit": {0: 0.99, 1: 0.98, 2: None}, "loss": {0: 0.1, 1: 0.1, 2: 0.1}},
             model_sha="88" * 32)
  board = board_of(tmp_path, [two], shipped=[base])
  d = row(board, "two")["differences"]
  assert d["fit"]["n"] == 2 and d["fit"]["verdict"] == "n<3" and d["fit"]["p_holm"] is None
  assert d["loss"]["n"] == 3 and d["loss"]["verdict"] == "better"
  line = next(line for line in entry_render.markdown(board).splitlines() if line.startswith("| 1 |"))
  assert "| two | " in line and "<br>Δ +0.075 (n<3) |" in line


def test_markdown_and_csv(tmp_path):
  base = make("mlp", wall=3725.0)
  better = make("wide|net", {"fit": {0: 0.95, 1: 0.97, 2: 0.96}, "loss": {0: 0.2, 1: 0.18,
                                                                         2: 0.19}},
                model_sha="99" * 32, claims=[{"claim": "a", "verdict": "contradicted"}],
                method={"reference": "pkg.m:mixup", "file": "/m.py", "sha256": "66" * 32})
  empty = make("empty", {"fit": {0: None, 1: None, 2: None}, "loss": {0: 0.5, 1: 0.5, 2: 0.5}},
               model_sha="aa" * 32, claims=[])
  board = board_of(tmp_path, [empty, better], shipped=[base])
  table = entry_render.markdown(board)
  lines = table.splitlines()
  assert lines[0] == (f"Track {TRACK} (track hash {SHA[:12]}): 3 entries, baseline mlp; "
                      "ranked by fit (higher is better), then the next metrics.")
  assert lines[2] == ("| # | entry | model | method | seeds | fit | loss | "
                      "claims | wall | hardware | suite |")
  assert lines[3] == "|" + "---|" * 11
  assert lines[4] == ("| 1 | wide\\|net | pkg.models:wide\\|net | pkg.m:mixup | 3 | "
                      "0.960 [0.950, 0.970]<br>Δ +0.050 [0.050, 0.050] ✓ | "
                      "0.190 [0.180, 0.200]<br>Δ -0.100 [-0.100, -0.100] ✓ | 1 contradicted | "
                      "1m30s | 2 CPU cores | 0.1.0 01234567 |")
  assert lines[5] == ("| 2 | mlp (baseline) | pkg.models:mlp | - | 3 | 0.910 [0.900, 0.920] "
                      "| 0.290 [0.280, 0.300] | 2 held, 1 not testable | 1h02m | "
                      "2 CPU cores | 0.1.0 01234567 |")
  assert lines[6].startswith("| 3 | empty | pkg.models:empty | - | 3 | -<br>Δ no paired seeds | "
                             "0.500 [0.490, 0.510]<br>Δ +0.210 [")
  assert "- fit (higher is better): the fit" in table and "Holm" in table
  rows = list(csv.DictReader(io.StringIO(entry_render.csv_text(board))))
  assert len(rows) == 3 * 2 and tuple(rows[0]) == entry_render.CSV_FIELDS
  first = rows[0]
  assert (first["entry"], first["metric"], first["baseline"]) == ("wide|net", "fit", "False")
  assert float(first["mean"]) == pytest.approx(0.96) and float(first["diff_mean"]) == (
      pytest.approx(0.05))
  assert first["verdict"] == "better" and float(first["p_holm"]) < 1e-6
  assert json.loads(first["per_seed"]) == {"0": 0.95, "1": 0.97, "2": 0.96}
  assert first["model_sha256"] == "99" * 32 and first["track_sha256"] == SHA
  baseline_row = rows[2]
  assert baseline_row["entry"] == "mlp" and baseline_row["diff_mean"] == ""


def test_ranking_follows_the_first_metrics_direction(tmp_path):
  records = [make(f"m{i}", {"epochs": {0: e, 1: e + 1, 2: e}}, model_sha=f"{i}" * 64)
             for i, e in enumerate([30, 10, 20])]
  for rec in records:
    rec["scorecard"]["epochs"]["direction"] = "lower"
  board = board_of(tmp_path, records)
  assert [r["label"] for r in board.rows] == ["m1", "m2", "m0"]
  assert board.baseline is None and "Δ" not in entry_render.markdown(board)


def test_the_baseline_is_the_first_shipped_one_or_the_one_asked_for(tmp_path):
  a, b = make("a", model_sha="01" * 32), make("b", model_sha="02" * 32)
  mine = make("mine", model_sha="03" * 32)
  assert board_of(tmp_path / "1", [mine], shipped=[a, b]).baseline == "a"
  board = board_of(tmp_path / "2", [mine], shipped=[a, b], baseline="mine")
  assert board.baseline == "mine" and row(board, "mine")["differences"] == {}
  assert row(board, "a")["differences"]["fit"]["mean"] == pytest.approx(0.0)
  with pytest.raises(errors.ConfigError, match="'nosuch' is not an entry.*a, b, mine"):
    board_of(tmp_path / "3", [mine], shipped=[a, b], baseline="nosuch")
  twins = [make("t", model_sha="04" * 32), make("t", model_sha="05" * 32)]
  with pytest.raises(errors.ConfigError, match="names 2 entries"):
    board_of(tmp_path / "4", twins, baseline="t")


def test_figure_and_files(tmp_path):
  board = board_of(tmp_path, [make("mine", model_sha="03" * 32)], shipped=[make("mlp")])
  written = entry_render.write(board, str(tmp_path / "board"))
  assert written == ["leaderboard.md", "leaderboard.csv", "leaderboard.png"]
  assert (tmp_path / "board" / "leaderboard.png").read_bytes().startswith(b"\x89PNG")
  assert (tmp_path / "board" / "leaderboard.md").read_text() == entry_render.markdown(board)
