import csv
import io
import json

import pytest

from suite.results import leaderboard
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

  loaded = leaderboard.load([str(tmp_path)])
  assert len(loaded.records) == 3
  reasons = dict((p.split("/bad/")[1], r) for p, r in loaded.problems)
  assert reasons["running/result.json"] == "status running"
  assert "missing keys ['settings']" in reasons["broken/result.json"]
  assert reasons["garbage/result.json"].startswith("unreadable")

  rows = leaderboard.aggregate(loaded.records)
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

  table = leaderboard.markdown(rows)
  assert "| 0.950 ± 0.071 |" in table and "2 CPU cores" in table
  # Settings shared by every row are stated once; the one that differs stays a column.
  assert table.startswith("All rows: dataset digits, train 100,")
  assert table.splitlines()[2].startswith("| benchmark | noise |")
  parsed = list(csv.DictReader(io.StringIO(leaderboard.csv_text(rows))))
  assert parsed[1]["fit corrupted mean"] == "0.95" and parsed[1]["fit corrupted n"] == "2"


def test_epochs_to_fit_reads_the_history():
  rec = _record(0, 1.0, 0.1)
  rec["history"] = [{"epoch": 0, "memorization/fit_corrupted": 0.1},
                    {"epoch": 10, "memorization/fit_corrupted": 0.94},
                    {"epoch": 20, "memorization/fit_corrupted": 0.96}]
  other = _record(1, 1.0, 0.1)
  other["history"] = [{"epoch": 30, "memorization/fit_corrupted": None,
                       "memorization/train_fit": 0.99}]
  row = leaderboard.aggregate([("a", rec), ("b", other)])[0]
  assert row["epochs to 95% fit"] == {"mean": 25.0, "std": pytest.approx(7.0710678), "n": 2}


def test_the_binary_reports_skips_and_writes_tables(tmp_path):
  _write(tmp_path / "runs" / "s0", _record(0, 0.9, 0.1))
  (tmp_path / "runs" / "junk").mkdir()
  (tmp_path / "runs" / "junk" / "result.json").write_text("[]")
  result = run_binary("benchmarks.leaderboard", f"--runs={tmp_path / 'runs'}",
                      f"--board_dir={tmp_path / 'board'}")
  assert result.returncode == 0, result.stderr
  assert "skipped" in result.stderr and "junk/result.json: not a JSON object" in result.stderr
  assert "1 runs in 1 settings; 1 skipped" in result.stdout
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
          for r in leaderboard.aggregate(leaderboard.load([str(tmp_path)]).records)}
  paper = rows["cifar10", "none"]["paper"]
  assert paper.startswith("fit corrupted ≈1 (Zhang et al. 2017")
  assert "test acc ≈0.1 (" in paper
  # Another augmentation or dataset is another protocol: no reference.
  assert rows["cifar10", "strong"]["paper"] is None and rows["digits", "none"]["paper"] is None
  assert "test acc ≈0.1" in leaderboard.markdown(list(rows.values()))


def test_the_same_run_found_twice_counts_once(tmp_path):
  _write(tmp_path / "recipe_a" / "seed_0", _record(0, 0.9, 0.1))
  _write(tmp_path / "recipe_b" / "seed_0", _record(0, 0.9, 0.1))
  _write(tmp_path / "recipe_b" / "seed_1", _record(1, 1.0, 0.1))
  rows = leaderboard.aggregate(leaderboard.load([str(tmp_path)]).records)
  assert len(rows) == 1 and rows[0]["seeds"] == 2
  assert rows[0]["fit corrupted"]["mean"] == pytest.approx(0.95)


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
  loaded = leaderboard.load([str(tmp_path)])
  if reason is None:  # Usable after all: it must then aggregate and render.
    assert len(loaded.records) == 2 and not loaded.problems
  else:
    assert [p for p, _ in loaded.problems] == [str(tmp_path / "bad" / "result.json")]
    assert reason in loaded.problems[0][1], loaded.problems
    assert len(loaded.records) == 1
  rows = leaderboard.aggregate(loaded.records)
  assert leaderboard.markdown(rows) and leaderboard.csv_text(rows)
