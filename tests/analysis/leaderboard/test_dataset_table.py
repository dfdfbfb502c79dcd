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

"""The dataset comparison (benchmarks.leaderboard --compare=dataset) against the records."""

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

CONDITIONS = ("clean", "clean_plain", "random_plain", "random_augmented")
ENDPOINTS = ["hidden_1", "hidden_2", "logits"]  # The encoder output is hidden_2.
SEEDS = (0, 1, 2)


def _record(dataset, condition, seed, rng, model="mlp", train_size=1000):
  noisy = condition.startswith("random")
  layers = lambda: {"endpoints": list(ENDPOINTS),
                    "clean": {e: {"k1": float(rng.uniform()), "k20": float(rng.uniform())}
                              for e in ENDPOINTS}}
  metrics = {"test/accuracy": float(rng.uniform()), "memorization/train_fit": float(rng.uniform())}
  if noisy:
    metrics["memorization/fit_corrupted"] = float(rng.uniform())
  rec = {
      "schema_version": record.SCHEMA_VERSION, "benchmark": f"benign_memorization/{condition}",
      "status": "complete", "config": {}, "config_hash": "",
      "settings": {
          "data": {"dataset": dataset, "train_size": train_size,
                   "label_noise": 1.0 if noisy else 0.0, "seed": seed,
                   "data_dir": "/data", "input_corruption": "none"},
          "model": {"name": model, "width": 512, "depth": 2, "bottleneck_dim": 0},
          "augment": {"name": "none" if condition.endswith("plain") else "standard",
                      "num_views": 0, "per_view_labels": False},
          "train": {"epochs": 60, "loss": "cross_entropy", "seed": seed}},
      "metrics": metrics, "probe": layers(),
      "controls": {"random_init": layers(), "raw_pixels": {"clean": {"k20": float(rng.uniform())}}},
      "timing": {"wall_seconds": 1.0}, "environment": {"cpu_count": 2, "gpus": []}}
  rec["config_hash"] = record.config_hash(rec["settings"])
  return rec


def _records(tmp_path, datasets=("digits", "fashion_mnist"), skip=()):
  rng = np.random.default_rng(7)
  for dataset in datasets:
    for seed in SEEDS:
      # The controls of one seed are shared by its conditions, as the experiment does.
      shared = None
      for condition in CONDITIONS:
        if (dataset, condition) in skip:
          continue
        rec = _record(dataset, condition, seed, rng,
                      train_size=1000 if dataset == "digits" else 2000)
        shared = shared or rec["controls"]
        rec["controls"] = shared
        directory = tmp_path / dataset / f"seed_{seed}" / condition
        directory.mkdir(parents=True)
        (directory / "result.json").write_text(json.dumps(rec))
  return load.load([str(tmp_path)]).records


def _expected(records, dataset, condition):
  """Mean, std (ddof 1) of every column, computed from the records directly."""
  members = [r for _, r in records if r["settings"]["data"]["dataset"] == dataset
             and r["benchmark"] == f"benign_memorization/{condition}"]
  columns = {
      "test acc": [r["metrics"]["test/accuracy"] for r in members],
      "fit": [r["metrics"].get("memorization/fit_corrupted", r["metrics"]["memorization/train_fit"])
              for r in members],
      "encoder k20": [r["probe"]["clean"]["hidden_2"]["k20"] for r in members],
      "random init k20": [r["controls"]["random_init"]["clean"]["hidden_2"]["k20"]
                          for r in members],
      "raw pixels k20": [r["controls"]["raw_pixels"]["clean"]["k20"] for r in members]}
  return {c: (np.mean(v), np.std(v, ddof=1), len(v)) for c, v in columns.items()}


def test_a_row_per_condition_and_a_column_group_per_dataset(tmp_path):
  records = _records(tmp_path)
  comparison = aggregate.compare_datasets(records)
  assert comparison["datasets"] == ["digits", "fashion_mnist"]
  # Noise and augmentation tell conditions apart; the training subset differs only between
  # datasets, so it is a setting of the dataset, not of a condition.
  assert comparison["condition_columns"] == ["benchmark", "noise", "augment"]
  assert comparison["dataset_settings"] == {"digits": {"train": 1000},
                                            "fashion_mnist": {"train": 2000}}
  assert comparison["shared"]["model"] == "mlp" and comparison["shared"]["epochs"] == 60
  labels = [row["condition"] for row in comparison["rows"]]
  assert labels == ["clean, noise 0.0, augment standard", "clean_plain, noise 0.0, augment none",
                    "random_augmented, noise 1.0, augment standard",
                    "random_plain, noise 1.0, augment none"]
  for row in comparison["rows"]:
    condition = row["condition"].split(",")[0]
    for dataset in comparison["datasets"]:
      assert row[dataset]["seeds"] == 3
      for column, (mean, std, n) in _expected(records, dataset, condition).items():
        assert row[dataset][column]["mean"] == pytest.approx(mean), (condition, dataset, column)
        assert row[dataset][column]["std"] == pytest.approx(std)
        assert row[dataset][column]["n"] == n


def test_markdown_and_csv_carry_the_same_numbers(tmp_path):
  records = _records(tmp_path)
  comparison = aggregate.compare_datasets(records)
  table = render.dataset_markdown(comparison)
  lines = table.splitlines()
  header = next(line for line in lines if line.startswith("| condition"))
  cells = [c.strip() for c in header.strip("|").split("|")]
  assert cells[:7] == ["condition", "digits: seeds", "digits: test acc", "digits: fit",
                       "digits: encoder k20", "digits: random init k20", "digits: raw pixels k20"]
  assert cells[7] == "fashion_mnist: seeds" and len(cells) == 13
  assert "digits: train 1000" in table and "fashion_mnist: train 2000" in table
  body = [line for line in lines if line.startswith("| random_plain")][0]
  values = [c.strip() for c in body.strip("|").split("|")]
  mean, std, _ = _expected(records, "fashion_mnist", "random_plain")["encoder k20"]
  assert values[7 + 3] == f"{mean:.3f} ± {std:.3f}"  # fashion_mnist: encoder k20.
  assert values[1] == "3"
  parsed = {r["condition"].split(",")[0]: r
            for r in csv.DictReader(io.StringIO(render.dataset_csv(comparison)))}
  for condition in CONDITIONS:
    for dataset in ("digits", "fashion_mnist"):
      for column, (mean, std, n) in _expected(records, dataset, condition).items():
        row = parsed[condition]
        assert float(row[f"{dataset} {column} mean"]) == pytest.approx(mean)
        assert float(row[f"{dataset} {column} std"]) == pytest.approx(std)
        assert int(row[f"{dataset} {column} n"]) == n


def test_a_condition_missing_on_a_dataset_is_a_dash_not_a_zero(tmp_path):
  records = _records(tmp_path, skip={("fashion_mnist", "clean_plain")})
  comparison = aggregate.compare_datasets(records)
  row = next(r for r in comparison["rows"] if r["condition"].startswith("clean_plain"))
  assert row["fashion_mnist"] is None and row["digits"]["seeds"] == 3
  line = next(line for line in render.dataset_markdown(comparison).splitlines()
              if line.startswith("| clean_plain"))
  assert line.rstrip(" |").endswith("| - | - | - | - | - | -")
  parsed = list(csv.DictReader(io.StringIO(render.dataset_csv(comparison))))
  assert parsed[1]["fashion_mnist test acc mean"] == ""


def test_the_figure_has_a_panel_per_dataset_and_one_control_line(tmp_path, monkeypatch):
  records = _records(tmp_path)
  comparison = aggregate.compare_datasets(records)
  drawn = {}
  monkeypatch.setattr(knn_figures, "knn_by_layer_over_seeds",
                      lambda panels, k, title: drawn.update(panels) or b"png")
  assert render.dataset_figure(comparison) == b"png"
  assert list(drawn) == ["digits", "fashion_mnist"]
  assert len(drawn["digits"]) == len(CONDITIONS) + 1
  # The control: one sample per seed (shared by the conditions of that seed), not per run.
  control = drawn["digits"]["random init (control)"]
  per_seed = [r["controls"]["random_init"]["clean"]["hidden_1"]["k20"] for _, r in records
              if r["settings"]["data"]["dataset"] == "digits"
              and r["benchmark"].endswith("/clean")]
  assert control["hidden_1"] == pytest.approx((np.mean(per_seed), np.std(per_seed, ddof=1), 3))
  trained = drawn["fashion_mnist"]["random_plain, noise 1.0, augment none"]["logits"]
  values = [r["probe"]["clean"]["logits"]["k20"] for _, r in records
            if r["settings"]["data"]["dataset"] == "fashion_mnist"
            and r["benchmark"].endswith("/random_plain")]
  assert trained == pytest.approx((np.mean(values), np.std(values, ddof=1), 3))


def test_the_binary_writes_the_dataset_table_and_figure(tmp_path):
  _records(tmp_path / "runs")
  result = run_binary("benchmarks.leaderboard", f"--runs={tmp_path / 'runs'}",
                      "--compare=dataset", f"--board_dir={tmp_path / 'board'}")
  assert result.returncode == 0, result.stderr
  assert "24 runs, 4 conditions on 2 datasets (digits, fashion_mnist); 0 skipped" in result.stdout
  board = tmp_path / "board"
  assert "| condition | digits: seeds |" in (board / "datasets.md").read_text()
  assert len(list(csv.DictReader(io.StringIO((board / "datasets.csv").read_text())))) == 4
  assert (board / "datasets.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  assert not (board / "leaderboard.md").exists()
