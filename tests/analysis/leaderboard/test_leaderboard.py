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

import csv
import io
import json

import numpy as np
import pytest

from suite.analysis.leaderboard import aggregate
from suite.analysis.leaderboard import load
from suite.analysis.leaderboard import render
from suite.results import knn_figures
from suite.results import record
from tests.conftest import run_binary


def _record(seed, fit, test, noise=1.0, status="complete", probe=None):
  rec = {
      "schema_version": record.SCHEMA_VERSION, "benchmark": "train", "status": status,
      "config": {"seed": seed}, "config_hash": f"h{seed}",
      "settings": {
          "data": {"dataset": "digits", "train_size": 100, "label_noise": noise, "seed": seed,
                   "data_dir": f"/data/{seed}", "input_corruption": "none"},
          "model": {"name": "mlp", "bottleneck_dim": 0},
          "augment": {"name": "none", "num_views": 0, "per_view_labels": False},
          "train": {"epochs": 5, "loss": "mse", "seed": seed}},
      "metrics": {"memorization/fit_corrupted": fit, "test/accuracy": test},
      "timing": {"wall_seconds": 10.0 * (seed + 1)},
      "environment": {"cpu_count": 2, "gpus": []}}
  if probe:
    rec["probe"] = {"clean": probe}
  rec["config_hash"] = record.config_hash(rec["settings"])
  return rec


def _write(directory, rec):
  directory.mkdir(parents=True)
  (directory / "result.json").write_text(json.dumps(rec))


def test_aggregates_seeds_and_skips_bad_records(tmp_path):
  _write(tmp_path / "a" / "s0", _record(0, 0.90, 0.10, probe={"hidden_1": {"k20": 0.8},
                                                              "hidden_2": {"k20": 0.6}}))
  _write(tmp_path / "a" / "s1", _record(1, 1.00, 0.12, probe={"hidden_1": {"k20": 0.7},
                                                              "hidden_2": {"k20": 0.75}}))
  _write(tmp_path / "b" / "s0", _record(0, 0.50, 0.80, noise=0.0))
  _write(tmp_path / "bad" / "running", _record(2, 0.1, 0.1, status="running"))
  broken = _record(3, 0.1, 0.1)
  del broken["settings"]
  _write(tmp_path / "bad" / "broken", broken)
  (tmp_path / "bad" / "garbage").mkdir()
  (tmp_path / "bad" / "garbage" / "result.json").write_text("{not json")

  loaded = load.load([str(tmp_path)])
  assert len(loaded.records) == 3
  reasons = dict((p.split("/bad/")[1], r) for p, r in loaded.problems)
  assert reasons["running/result.json"] == "status running"
  assert "missing keys ['settings']" in reasons["broken/result.json"]
  assert reasons["garbage/result.json"].startswith("unreadable")

  rows = aggregate.aggregate(loaded.records)
  assert [r["noise"] for r in rows] == [0.0, 1.0]
  noisy = rows[1]
  assert noisy["seeds"] == 2
  assert noisy["fit corrupted"]["mean"] == pytest.approx(0.95)
  assert noisy["fit corrupted"]["std"] == pytest.approx(0.0707107, rel=1e-5)  # ddof=1
  assert noisy["test acc"]["n"] == 2
  assert noisy["best k20"]["mean"] == pytest.approx(0.775)  # 0.8 (hidden_1), 0.75 (hidden_2)
  assert noisy["best layer"] == "hidden_1/hidden_2"
  assert noisy["wall s"]["mean"] == pytest.approx(15.0)
  assert rows[0]["seeds"] == 1 and rows[0]["best k20"] is None

  table = render.markdown(rows)
  assert "| 0.950 ± 0.071 |" in table and "2 CPU cores" in table
  # Settings shared by every row are stated once; the one that differs stays a column.
  assert table.startswith("All rows: dataset digits, train 100,")
  assert table.splitlines()[2].startswith("| benchmark | noise |")
  parsed = list(csv.DictReader(io.StringIO(render.csv_text(rows))))
  assert parsed[1]["fit corrupted mean"] == "0.95" and parsed[1]["fit corrupted n"] == "2"


def test_epochs_to_fit_reads_the_history():
  rec = _record(0, 1.0, 0.1)
  rec["history"] = [{"epoch": 0, "memorization/fit_corrupted": 0.1},
                    {"epoch": 10, "memorization/fit_corrupted": 0.94},
                    {"epoch": 20, "memorization/fit_corrupted": 0.96}]
  other = _record(1, 1.0, 0.1)
  other["history"] = [{"epoch": 30, "memorization/fit_corrupted": None,
                       "memorization/train_fit": 0.99}]
  row = aggregate.aggregate([("a", rec), ("b", other)])[0]
  assert row["epochs to 95% fit"] == {"mean": 25.0, "std": pytest.approx(7.0710678), "n": 2}


def test_the_binary_reports_skips_and_writes_tables(tmp_path):
  _write(tmp_path / "runs" / "s0", _record(0, 0.9, 0.1))
  (tmp_path / "runs" / "junk").mkdir()
  (tmp_path / "runs" / "junk" / "result.json").write_text("[]")
  result = run_binary("benchmarks.leaderboard", f"--runs={tmp_path / 'runs'}",
                      f"--board_dir={tmp_path / 'board'}")
  assert result.returncode == 0, result.stderr
  assert "skipped" in result.stderr and "junk/result.json: not a JSON object" in result.stderr
  assert "1 runs (1 distinct) in 1 settings; 1 skipped" in result.stdout
  assert (tmp_path / "board" / "leaderboard.md").read_text().startswith("| benchmark |")
  assert (tmp_path / "board" / "leaderboard.csv").exists()
  empty = run_binary("benchmarks.leaderboard", f"--runs={tmp_path / 'nothing'}")
  assert empty.returncode == 2 and "no complete result.json" in empty.stderr
  assert "Traceback" not in empty.stderr


def test_paper_values_sit_beside_rows_with_their_protocol(tmp_path):
  def cifar(seed, noise, augmentation):
    rec = _record(seed, 1.0, 0.1, noise=noise)
    rec["settings"]["data"].update(dataset="cifar10", input_corruption_fraction=1.0)
    rec["settings"]["augment"]["name"] = augmentation
    rec["config_hash"] = record.config_hash(rec["settings"])
    return rec
  _write(tmp_path / "random", cifar(0, 1.0, "none"))
  _write(tmp_path / "augmented", cifar(0, 1.0, "strong"))
  _write(tmp_path / "digits", _record(0, 1.0, 0.1))
  rows = {(r["dataset"], r["augment"]): r
          for r in aggregate.aggregate(load.load([str(tmp_path)]).records)}
  paper = rows["cifar10", "none"]["paper"]
  assert paper.startswith("fit corrupted ≈1 (Zhang et al. 2017")
  assert "test acc ≈0.1 (" in paper
  # Another augmentation or dataset is another protocol: no reference.
  assert rows["cifar10", "strong"]["paper"] is None and rows["digits", "none"]["paper"] is None
  assert "test acc ≈0.1" in render.markdown(list(rows.values()))


def test_the_same_run_found_twice_counts_once(tmp_path):
  _write(tmp_path / "recipe_a" / "seed_0", _record(0, 0.9, 0.1))
  _write(tmp_path / "recipe_b" / "seed_0", _record(0, 0.9, 0.1))
  _write(tmp_path / "recipe_b" / "seed_1", _record(1, 1.0, 0.1))
  rows = aggregate.aggregate(load.load([str(tmp_path)]).records)
  assert len(rows) == 1 and rows[0]["seeds"] == 2
  assert rows[0]["fit corrupted"]["mean"] == pytest.approx(0.95)


def _newer(rec, strength):
  """`rec` as written after the augmentation strength existed."""
  rec = json.loads(json.dumps(rec))
  rec["settings"]["augment"]["strength"] = strength
  rec["config_hash"] = record.config_hash(rec["settings"])
  return rec


def test_a_record_from_before_a_setting_groups_with_newer_runs_at_its_default(tmp_path):
  _write(tmp_path / "old" / "seed_0", _record(0, 0.9, 0.1))  # No augment.strength.
  _write(tmp_path / "old" / "seed_1", _record(1, 1.0, 0.1))
  _write(tmp_path / "new" / "seed_1", _newer(_record(1, 1.0, 0.1), 1.0))  # seed 1 again.
  _write(tmp_path / "new" / "seed_2", _newer(_record(2, 0.8, 0.1), 1.0))
  _write(tmp_path / "weaker" / "seed_0", _newer(_record(0, 0.5, 0.1), 0.5))
  defaults = {"augment": {"strength": 1.0}, "model": {"width": 512}}
  loaded = load.load([str(tmp_path)], setting_defaults=defaults)
  rows = aggregate.aggregate(loaded.records)
  by_seeds = sorted((r["seeds"], r["fit corrupted"]["mean"]) for r in rows)
  # Seeds 0, 1, 2 at strength 1.0 (seed 1 found twice counts once); strength 0.5 apart.
  assert by_seeds == [(1, 0.5), (3, pytest.approx(0.9))]
  old = next(rec for path, rec in loaded.records if "/old/seed_0/" in path)
  assert old["settings"]["augment"]["strength"] == 1.0 and \
      old["settings"]["model"]["width"] == 512
  # Without the defaults the old records are a row of their own, as before.
  plain = aggregate.aggregate(load.load([str(tmp_path)]).records)
  assert sorted(r["seeds"] for r in plain) == [1, 2, 2]


def test_the_binary_groups_records_from_before_a_setting(tmp_path):
  _write(tmp_path / "runs" / "old", _record(0, 0.9, 0.1))
  _write(tmp_path / "runs" / "new", _newer(_record(1, 1.0, 0.1), 1.0))
  result = run_binary("benchmarks.leaderboard", f"--runs={tmp_path / 'runs'}")
  assert result.returncode == 0, result.stderr
  assert "2 runs (2 distinct) in 1 settings; 0 skipped" in result.stdout
  # Wall seconds 10 (seed 0) and 20 (seed 1), from the records.
  assert "run time summed over the table's runs: 30s" in result.stdout


def _timed(seed, epochs, wall, history):
  rec = _record(seed, 1.0, 0.1)
  rec["settings"]["train"]["epochs"] = epochs
  rec["timing"]["wall_seconds"] = wall
  rec["history"] = [{"epoch": e, "train/loss": loss} for e, loss in history]
  return rec


def test_run_time_counts_an_extended_run_once():
  short = _timed(0, 5, 100.0, [(5, 0.5)])
  # Copied and trained on to 10 epochs: its wall time includes the first 100 s.
  extended = _timed(0, 10, 160.0, [(5, 0.5), (10, 0.2)])
  # The same settings trained from scratch to 20 epochs elsewhere: all of its time counts.
  scratch = _timed(0, 20, 300.0, [(5, 0.6), (20, 0.1)])
  untimed = _timed(1, 5, None, [(5, 0.4)])
  records = [("a", short), ("b", extended), ("c", scratch), ("d", untimed), ("e", short)]
  assert load.run_seconds(records) == (100.0 + 60.0 + 300.0, 1)
  # The 5-epoch run trained twice (same settings and seed, its own history): counted once,
  # and the extension of the second copy still adds only its own 60 s.
  again = _timed(0, 5, 90.0, [(5, 0.55)])
  continued = _timed(0, 10, 150.0, [(5, 0.55), (10, 0.25)])
  assert load.run_seconds([("a", short), ("b", again), ("c", continued)]) == (
      100.0 + 60.0, 0)


@pytest.mark.parametrize("wall", [float("inf"), float("nan"), -5.0, True, 1e309])
def test_a_wall_time_that_is_no_duration_skips_the_record(tmp_path, wall):
  rec = _record(0, 1.0, 0.1)
  rec["timing"]["wall_seconds"] = wall
  _write(tmp_path / "bad", rec)
  _write(tmp_path / "good", _record(1, 1.0, 0.1))
  loaded = load.load([str(tmp_path)])
  [(path, reason)] = loaded.problems
  assert "bad" in path and "timing.wall_seconds" in reason
  assert load.run_seconds(loaded.records) == (20.0, 0)


def test_randaugment_strength_is_a_column_of_its_rows(tmp_path):
  for name, strength in (("half", 0.5), ("full", 1.0)):
    rec = _probed(0)
    rec["settings"]["augment"].update(name="randaugment", strength=strength)
    _write(tmp_path / name, rec)
  plain = _probed(0)
  plain["settings"]["augment"]["strength"] = 1.0
  _write(tmp_path / "none", plain)
  rows = aggregate.aggregate(load.load([str(tmp_path)]).records)
  assert sorted(str(r["strength"]) for r in rows) == ["0.5", "1.0", "None"]
  table = render.markdown(rows)
  assert "| strength |" in table and "| 0.5 |" in table


@pytest.mark.parametrize("damage,reason", [
    (lambda r: r.update(settings={"data": [], "model": {}, "augment": {}, "train": {}}),
     "settings.data missing"),
    (lambda r: r.update(settings="mlp"), "settings is not an object"),
    (lambda r: r.update(metrics={"test/accuracy": "0.9"}), "metrics must map names to numbers"),
    (lambda r: r.update(metrics=[0.9]), "metrics is not an object"),
    (lambda r: r.update(history=[{"epoch": "one"}]), "history must be a list"),
    (lambda r: r.update(history="long"), "history must be a list"),
    (lambda r: r.update(timing={"wall_seconds": "slow"}), "timing.wall_seconds"),
    (lambda r: r.update(environment=None), "environment is not an object"),
    (lambda r: r.update(probe={"clean": {"hidden_1": "good"}}), None),  # Read as no probe.
    (lambda r: r.update(probe="none"), "malformed"),
    (lambda r: r["settings"]["data"].update(label_noise={"a": 1}), "not a plain value"),
    (lambda r: r.update(schema_version=99), "schema_version 99"),
])
def test_malformed_complete_records_are_listed_and_skipped_never_a_crash(tmp_path, damage,
                                                                         reason):
  _write(tmp_path / "good", _record(0, 0.9, 0.1))
  bad = _record(1, 0.9, 0.1)
  damage(bad)
  _write(tmp_path / "bad", bad)
  loaded = load.load([str(tmp_path)])
  if reason is None:  # Usable after all: it must then aggregate and render.
    assert len(loaded.records) == 2 and not loaded.problems
  else:
    assert [p for p, _ in loaded.problems] == [str(tmp_path / "bad" / "result.json")]
    assert reason in loaded.problems[0][1], loaded.problems
    assert len(loaded.records) == 1
  rows = aggregate.aggregate(loaded.records)
  assert render.markdown(rows) and render.csv_text(rows)


def _probed(seed, model="mlp", layers=(0.5, 0.7), random_init=(0.3, 0.2), pixels=0.4,
            **model_settings):
  rec = _record(seed, 1.0, 0.1, probe={f"layer_{i}": {"k20": v} for i, v in enumerate(layers)})
  rec["settings"]["model"] = {"name": model, "bottleneck_dim": 0, "width": 64, "depth": 2,
                              "width_multiplier": 1.0, **model_settings}
  rec["controls"] = {"raw_pixels": {"clean": {"k1": 0.9, "k20": pixels}},
                     "random_init": {"clean": {f"layer_{i}": {"k20": v}
                                               for i, v in enumerate(random_init)}}}
  rec["config_hash"] = record.config_hash(rec["settings"])
  return rec


def test_controls_sit_beside_the_trained_probe_over_seeds(tmp_path):
  _write(tmp_path / "s0", _probed(0, random_init=(0.3, 0.2), pixels=0.40))
  _write(tmp_path / "s1", _probed(1, random_init=(0.1, 0.25), pixels=0.44))
  row, = aggregate.aggregate(load.load([str(tmp_path)]).records)
  # The best layer of each seed's random initialisation: 0.3 and 0.25.
  assert row["random init k20"]["mean"] == pytest.approx(0.275)
  assert row["random init k20"]["std"] == pytest.approx(0.0353553, rel=1e-5)
  assert row["raw pixels k20"] == {"mean": pytest.approx(0.42), "std": pytest.approx(0.0282843,
                                                                                     rel=1e-5),
                                   "n": 2}
  table = render.markdown([row])
  header = next(line for line in table.splitlines() if line.startswith("| benchmark"))
  assert "| random init k20 | raw pixels k20 |" in header
  assert "| 0.275 ± 0.035 | 0.420 ± 0.028 |" in table
  parsed, = csv.DictReader(io.StringIO(render.csv_text([row])))
  assert float(parsed["raw pixels k20 mean"]) == pytest.approx(0.42)
  assert parsed["random init k20 n"] == "2"


def test_a_row_shows_only_the_settings_of_its_model(tmp_path):
  recs = {"mlp": _probed(0, width=256, depth=3),
          "cnn": _probed(0, model="cnn_small", width_multiplier=2.0, bottleneck_dim=128),
          "resnet": _probed(0, model="resnet18", width_multiplier=0.5)}
  for name, rec in recs.items():
    _write(tmp_path / name, rec)
  rows = {r["model"]: r for r in aggregate.aggregate(load.load([str(tmp_path)]).records)}
  assert (rows["mlp"]["width"], rows["mlp"]["depth"], rows["mlp"]["width x"]) == (256, 3, None)
  assert (rows["cnn_small"]["width"], rows["cnn_small"]["depth"]) == (None, None)
  assert rows["cnn_small"]["width x"] == 2.0 and rows["resnet18"]["width x"] == 0.5
  assert rows["cnn_small"]["projector"] == 128 and rows["mlp"]["projector"] is None
  lines = render.markdown(list(rows.values())).splitlines()
  header = [c.strip() for c in lines[2].strip("|").split("|")]
  cells = {line.split("|")[header.index("model") + 1].strip():
           dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
           for line in lines[4:]}
  assert cells["mlp"]["width"] == "256" and cells["mlp"]["width x"] == "-"
  assert cells["resnet18"]["width"] == "-" and cells["resnet18"]["projector"] == "-"
  # A setting that applies to no row is no column at all: views (no pooled views here).
  assert "views" not in header and "per-view" not in header


def test_counts_print_as_integers_and_a_full_split_as_its_size(tmp_path):
  rec = _record(0, 1.0, 0.1)
  rec["settings"]["train"]["epochs"] = 30.0  # As a float-typed flag would record it.
  rec["settings"]["data"]["train_size"] = 0
  rec["dataset"] = {"train_size": 1437}
  rec["history"] = [{"epoch": 12, "memorization/fit_corrupted": 0.99}]
  rec["config_hash"] = record.config_hash(rec["settings"])
  other = _record(1, 1.0, 0.1, noise=0.0)
  other["settings"]["data"]["train_size"] = 0  # No dataset section: "full".
  other["config_hash"] = record.config_hash(other["settings"])
  rows = aggregate.aggregate([("a", rec), ("b", other)])
  table = render.markdown(rows)
  lines = [line for line in table.splitlines() if line.startswith("| ")]
  header = [c.strip() for c in lines[0].strip("|").split("|")]
  clean, noisy = (dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
                  for line in lines[1:])
  assert noisy["epochs"] == "30" and noisy["train"] == "1437"
  assert noisy["epochs to 95% fit"] == "12"
  assert clean["train"] == "full" and clean["epochs"] == "5"
  assert "train 0" not in table and "30.0" not in table


def test_figure_draws_every_probed_row_with_error_bars_over_seeds(tmp_path, monkeypatch):
  for seed, layers in ((0, (0.5, 0.7)), (1, (0.6, 0.9))):
    _write(tmp_path / f"noisy_{seed}", _probed(seed, layers=layers))
  _write(tmp_path / "clean", _probed(0, layers=(0.8, 0.85)))
  _write(tmp_path / "unprobed", _record(0, 1.0, 0.1, noise=0.5))
  # The clean run differs in label noise from the noisy ones.
  clean = json.loads((tmp_path / "clean" / "result.json").read_text())
  clean["settings"]["data"]["label_noise"] = 0.0
  clean["config_hash"] = record.config_hash(clean["settings"])
  (tmp_path / "clean" / "result.json").write_text(json.dumps(clean))
  rows = aggregate.aggregate(load.load([str(tmp_path)]).records)
  drawn = {}
  real = knn_figures.knn_by_layer_over_seeds
  monkeypatch.setattr(knn_figures, "knn_by_layer_over_seeds",
                      lambda panels, **kw: drawn.update(panels) or real(panels, **kw))
  png = render.figure(rows)
  assert png.startswith(b"\x89PNG")
  lines = drawn["mlp"]
  assert sorted(lines) == ["noise 0.0", "noise 1.0"]  # The unprobed row is not drawn.
  mean, std, n = lines["noise 1.0"]["layer_1"]
  assert (mean, n) == (pytest.approx(0.8), 2)
  assert std == pytest.approx(float(np.std([0.7, 0.9], ddof=1)))
  assert render.figure([r for r in rows if not r["k20 by layer"]]) is None


def test_figure_names_each_line_by_what_varies_within_its_panel(tmp_path, monkeypatch):
  _write(tmp_path / "mlp_noisy", _probed(0))
  clean = _probed(0)
  clean["settings"]["data"]["label_noise"] = 0.0
  _write(tmp_path / "mlp_clean", clean)
  for name, epochs in (("cnn_short", 5), ("cnn_long", 50)):
    rec = _probed(0, model="cnn_small")
    rec["settings"]["train"]["epochs"] = epochs
    _write(tmp_path / name, rec)
  rows = aggregate.aggregate(load.load([str(tmp_path)]).records)
  drawn = {}
  real = knn_figures.knn_by_layer_over_seeds
  monkeypatch.setattr(knn_figures, "knn_by_layer_over_seeds",
                      lambda panels, **kw: drawn.update(panels) or real(panels, **kw))
  assert render.figure(rows).startswith(b"\x89PNG")
  # Epochs differ across the board but not among the mlp rows: not in their names.
  assert sorted(drawn["mlp"]) == ["noise 0.0", "noise 1.0"]
  assert sorted(drawn["cnn_small"]) == ["epochs 5", "epochs 50"]


def test_the_binary_writes_the_figure_beside_the_tables(tmp_path):
  _write(tmp_path / "runs" / "s0", _probed(0))
  result = run_binary("benchmarks.leaderboard", f"--runs={tmp_path / 'runs'}",
                      f"--board_dir={tmp_path / 'board'}")
  assert result.returncode == 0, result.stderr
  files = sorted(p.name for p in (tmp_path / "board").iterdir())
  assert files == ["leaderboard.csv", "leaderboard.md", "leaderboard.png"]
  assert (tmp_path / "board" / "leaderboard.png").read_bytes().startswith(b"\x89PNG")
