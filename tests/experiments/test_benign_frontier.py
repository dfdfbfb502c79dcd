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

"""The frontier reads finished benign experiments back, number for number."""

import json
import os
import shutil

from absl.testing import flagsaver
import numpy as np
import pytest
from scipy import stats as scipy_stats
import tensorflow as tf

from benchmarks import benign_frontier as frontier_binary
from benchmarks import benign_memorization
from suite import errors
from suite.experiments import benign_frontier
from suite.results import record


@pytest.fixture(scope="module")
def experiments(data_dir, tmp_path_factory):
  """Two tiny configurations differing in the training subset, three seeds each."""
  root = tmp_path_factory.mktemp("frontier")
  out = {}
  for train_size in (60, 100):
    path = str(root / f"n{train_size}")
    with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=train_size,
                             test_size=50, model="mlp", width=16, depth=2, epochs=2,
                             batch_size=20, augmentation="standard", knn_k=["1", "20"],
                             probe_every=1, conditions=["random_plain", "random_augmented"],
                             sweep_seed=["0", "1", "2"], output_dir=path, progress=False):
      benign_memorization.main([])
    out[train_size] = path
  return out


def _independent(path: str) -> dict:
  """What the frontier must show, read straight from the JSON files."""
  with open(os.path.join(path, "result.json")) as f:
    experiment = json.load(f)
  values: dict = {"random_augmented": [], "random_plain": [], "init": [], "fit": []}
  for seed in range(3):
    for condition in ("random_augmented", "random_plain"):
      with open(os.path.join(path, f"seed_{seed}", condition, "result.json")) as f:
        run = json.load(f)
      # mlp: hidden_1, hidden_2, logits; the encoder output is the last hidden layer.
      values[condition].append(run["probe"]["clean"]["hidden_2"]["k20"])
      if condition == "random_augmented":
        values["init"].append(run["controls"]["random_init"]["clean"]["hidden_2"]["k20"])
        values["fit"].append(run["metrics"]["memorization/fit_corrupted"])
  claim = [c for c in experiment["claims"] if c["claim"].startswith("features survive")][0]
  return dict(values, verdict=claim["verdict"])


def test_rows_equal_the_records(experiments):
  configs = [benign_frontier.load(p) for p in experiments.values()]
  rows = benign_frontier.rows(configs)
  assert [r["configuration"] for r in rows] == ["train_size=60", "train_size=100"]
  for row, path in zip(rows, experiments.values()):
    expected = _independent(path)
    assert row["layer"] == "hidden_2" and row["seeds"] == 3 and row["epoch"] == 2
    for column, key in (("augmented", "random_augmented"), ("plain", "random_plain"),
                        ("random_init", "init"), ("fit_augmented", "fit")):
      mean, std, n = row[column]
      assert n == 3
      np.testing.assert_allclose(mean, np.mean(expected[key]), atol=1e-12)
      np.testing.assert_allclose(std, np.std(expected[key], ddof=1), atol=1e-12)
    for column, other in (("augmented_minus_plain", "random_plain"),
                          ("augmented_minus_random_init", "init")):
      difference = np.subtract(expected["random_augmented"], expected[other])
      mean, std, n, (lo, hi) = row[column]
      np.testing.assert_allclose(mean, difference.mean(), atol=1e-12)
      # The 95% t interval over the 3 seeds, by scipy's t distribution.
      half = scipy_stats.t.ppf(0.975, 2) * difference.std(ddof=1) / np.sqrt(3)
      np.testing.assert_allclose([lo, hi], [mean - half, mean + half], atol=1e-12)
      assert f"{mean:.4f} ± {std:.4f} [{lo:.4f}, {hi:.4f}]" in benign_frontier.markdown(rows)
    assert row["verdict"] == expected["verdict"]


def test_every_probed_epoch_is_a_point_of_the_length_axis(experiments):
  config = benign_frontier.load(experiments[60])
  assert sorted(config.by_epoch["random_augmented"]) == [1, 2]
  panels = benign_frontier.figure_inputs([config])
  (lines,) = panels.values()
  assert set(lines["random labels, with augmentation"]) == {1, 2}


def test_binary_writes_table_and_figure_and_a_moved_tree_still_reads(experiments, tmp_path,
                                                                     capsys):
  moved = tmp_path / "moved"
  shutil.copytree(experiments[60], moved)
  with flagsaver.flagsaver(configurations=[str(moved), experiments[100]],
                           frontier_dir=str(tmp_path)):
    frontier_binary.main([])
  assert "train_size=60" in capsys.readouterr().out
  table = (tmp_path / "frontier.md").read_text()
  assert table.count("\n| train_size=") == 2
  png = (tmp_path / "figures" / "benign_frontier.png").read_bytes()
  assert tf.io.decode_png(png).shape[-1] in (3, 4)
  events = [str(p) for p in (tmp_path / "tensorboard").glob("events.out.tfevents.*")]
  tags = {v.tag for e in events for event in tf.compat.v1.train.summary_iterator(e)
          for v in event.summary.value}
  assert "benign_frontier" in tags


def test_a_parent_directory_stands_for_the_experiments_in_it(experiments, tmp_path):
  parent = os.path.dirname(experiments[60])
  assert benign_frontier.find([parent]) == sorted(experiments.values())
  assert benign_frontier.find([experiments[60]]) == [experiments[60]]
  with pytest.raises(errors.SuiteError, match="holds no result.json"):
    benign_frontier.find([str(tmp_path)])


def test_refuses_what_is_not_a_benign_experiment(experiments, tmp_path):
  run = os.path.join(experiments[60], "seed_0", "random_plain")
  with pytest.raises(errors.SuiteError, match="not a benign_memorization experiment"):
    benign_frontier.load(run)
  partial = tmp_path / "partial"
  shutil.copytree(experiments[60], partial)
  rec = record.read(str(partial))
  rec["conditions"] = {k: v for k, v in rec["conditions"].items() if "augmented" not in k}
  record.write(str(partial), rec)
  with pytest.raises(errors.SuiteError, match="lacks runs of random_augmented"):
    benign_frontier.load(str(partial))


def test_configurations_are_named_by_the_settings_that_differ():
  def config(**settings):
    return benign_frontier.Configuration("p", settings, "fc_2", [0], {}, [], {}, None)
  old = config(model="cnn_small", augmentation="strong", epochs=300)
  new = config(model="cnn_small", augmentation="strong", epochs=600, augmentation_strength=1.0)
  # A setting that an older record lacks is not a difference between configurations.
  assert benign_frontier.varying_settings([old, new]) == ["epochs"]
  assert benign_frontier.label(new, ["augmentation", "epochs"]) == \
      "augmentation=strong, epochs=600"


def test_randaugment_is_named_with_its_strength_and_other_augmentations_without():
  assert benign_frontier.describe({"augmentation": "randaugment", "augmentation_strength": 0.5,
                                   "epochs": 300, "probe_every": 300}) == \
      {"augmentation": "randaugment 0.5", "epochs": 300}
  assert benign_frontier.describe({"augmentation": "randaugment"}) == \
      {"augmentation": "randaugment 1"}  # Records before the flag: its default.
  assert benign_frontier.describe({"augmentation": "strong", "augmentation_strength": 1.0}) == \
      {"augmentation": "strong"}
  def config(flags):
    return benign_frontier.Configuration("p", benign_frontier.describe(flags), "fc_2", [0], {},
                                         [], {}, None)
  strong = config({"augmentation": "strong", "epochs": 300})
  weak = config({"augmentation": "randaugment", "augmentation_strength": 0.5, "epochs": 300})
  assert benign_frontier.varying_settings([strong, weak]) == ["augmentation"]
  assert benign_frontier.label(weak, ["augmentation"]) == "augmentation=randaugment 0.5"


def test_a_configuration_with_more_seeds_is_named_apart_from_the_one_it_extends():
  def config(path, seeds, **settings):
    return benign_frontier.Configuration(
        path, dict(settings, model="resnet18", epochs=1200, seeds=len(seeds)), "encoder",
        seeds, {"random_augmented": {1200: [0.8] * len(seeds)},
                "random_plain": {1200: [0.4] * len(seeds)}}, [0.7] * len(seeds), {}, None)
  three, five = config("a/1200ep", [0, 1, 2]), config("a/1200ep_5seeds", [0, 1, 2, 3, 4])
  assert benign_frontier.varying_settings([three, five]) == ["seeds"]
  # Both stay in the figure (a label shared by two configurations would drop one).
  assert list(benign_frontier.figure_inputs([three, five])) == ["seeds=3 (encoder)",
                                                                "seeds=5 (encoder)"]
  # Alike in every described setting: the directory tells them apart.
  again, shorter = config("b/1200ep_again", [0, 1, 2]), config("a/600ep", [0, 1, 2])
  shorter.settings["epochs"] = 600
  assert list(benign_frontier.figure_inputs([three, again, shorter])) == [
      "epochs=1200 (encoder)", "epochs=1200, 1200ep_again (encoder)", "epochs=600 (encoder)"]


def test_configurations_are_ordered_by_their_settings_numbers_by_value():
  def config(path, **settings):
    return benign_frontier.Configuration(path, settings, "fc_2", [0], {}, [], {}, None)
  configs = [config("c", model="cnn_small", epochs=1200), config("b", model="resnet18", epochs=300),
             config("a", model="cnn_small", epochs=600)]
  assert [c.path for c in benign_frontier.ordered(configs)] == ["a", "c", "b"]


def test_seeds_are_paired_by_seed_and_a_missing_value_leaves_the_interval_to_the_rest(
    experiments, tmp_path):
  expected = _independent(experiments[60])
  # Seed 1's run without augmentation missing: seeds 0 and 2 are paired, not 0-0 and 1-2.
  partial = tmp_path / "partial"
  shutil.copytree(experiments[60], partial)
  rec = record.read(str(partial))
  del rec["conditions"]["seed_1/random_plain"]
  record.write(str(partial), rec)
  config = benign_frontier.load(str(partial))
  assert config.seeds == [0, 2]
  [row] = benign_frontier.rows([config])
  difference = [expected["random_augmented"][s] - expected["random_plain"][s] for s in (0, 2)]
  mean, std, n, (lo, hi) = row["augmented_minus_plain"]
  assert n == 2 and mean == pytest.approx(np.mean(difference))
  half = scipy_stats.t.ppf(0.975, 1) * np.std(difference, ddof=1) / np.sqrt(2)
  assert (lo, hi) == pytest.approx((mean - half, mean + half))
  # A NaN difference is left out of the interval as of the mean: never "[nan, nan]".
  mean, std, n, (lo, hi) = benign_frontier._difference([0.1, float("nan"), 0.3, 0.2])
  assert n == 3 and mean == pytest.approx(0.2) and np.isfinite([lo, hi]).all()
