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

import os

from absl.testing import flagsaver
import pytest

from benchmarks import benign_memorization
from flags import benign as benign_flags
from suite import errors
from suite.analysis import declared
from suite.analysis.leaderboard import aggregate
from suite.analysis.leaderboard import load
from suite.experiments import benign_memorization as experiment_lib
from suite.results import record


# Claims that need the noise memorized or a trend over training: never held after one epoch.
_NEED_MEMORIZATION = ("memorization happens in the last layers", "features survive",
                      "real data is fitted before noise", "per-view labels")


def test_runs_every_condition_with_shared_controls_and_claims(data_dir, tmp_path, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, test_size=50,
                           model="mlp", width=16, depth=2, epochs=1, batch_size=25,
                           augmentation="standard", num_views=2, knn_k=["1", "20"],
                           sweep_seed=["0", "1", "2"], output_dir=str(tmp_path)):
    benign_memorization.main([])
  out = capsys.readouterr().out
  experiment = record.read(str(tmp_path))
  assert experiment["benchmark"] == "benign_memorization"
  names = ["clean", "clean_plain", "random_plain", "random_augmented", "random_pool", "per_view"]
  assert list(experiment["conditions"]) == [f"seed_{s}/{n}" for s in range(3) for n in names]
  lines = experiment["claims"]
  assert [c["claim"].split(":")[0] for c in lines] == [
      "memorization happens in the last layers",
      "features survive random labels with augmentation",
      "real data is fitted before noise (fewer epochs to reach the fit threshold)",
      "per-view labels cannot be fitted within the budget that fits per-example labels"]
  # Each claim rests on all three seeds of its conditions, paired.
  assert lines[0]["runs"] == [f"seed_{s}/random_augmented" for s in range(3)] + [
      f"seed_{s}/clean" for s in range(3)]
  for line in lines:
    assert line["verdict"] in declared.VERDICTS
    if line["verdict"] == declared.NOT_TESTABLE:
      assert line["reason"]
    else:
      assert line["test"]["n"] == 3 and len(line["test"]["interval"]) == 2
    assert not (line["claim"].startswith(_NEED_MEMORIZATION) and line["verdict"] == "held"), line
  # One epoch on random labels memorizes nothing: the claims that need it say so.
  assert "noise was not memorized" in lines[0]["reason"]
  assert "claims:" in out and "per_view" in out
  for name in names:
    run = record.read(str(tmp_path / "seed_0" / name))
    assert run["status"] == "complete" and run["benchmark"] == f"benign_memorization/{name}"
    assert {"probe", "controls"} <= set(run)
    assert os.path.exists(tmp_path / "seed_0" / name / "figures" / "knn_by_layer.png")
    assert any(f.startswith("events.out")
               for f in os.listdir(tmp_path / "seed_0" / name / "tensorboard"))
  clean = record.read(str(tmp_path / "seed_0" / "clean"))
  noisy = record.read(str(tmp_path / "seed_0" / "random_plain"))
  # Controls are shared: the same random-init table; the clean run is a control of the others.
  assert noisy["controls"]["random_init"] == clean["controls"]["random_init"]
  assert noisy["controls"]["clean_labels"]["clean"] == clean["probe"]["clean"]
  assert "memorization/view_fit" in record.read(str(tmp_path / "seed_0" / "per_view"))["metrics"]
  # The experiment's defaults (random labels) apply where the flags were not given.
  assert noisy["settings"]["data"]["label_noise"] == 1.0 and experiment["config"]["label_noise"] \
      == 1.0
  # k-NN by layer with both banks beside the controls, in the record and the printout; the
  # random-init network is also probed with each noisy run's own labels.
  layers = experiment["layers"]["seed_0/random_plain"]
  assert layers["noisy"] == {e: v["k20"] for e, v in noisy["probe"]["noisy"].items()}
  assert layers["random_init"] == {e: v["k20"] for e, v in
                                   noisy["controls"]["random_init"]["clean"].items()}
  assert set(layers["random_init_noisy"]) == set(layers["noisy"])
  assert "random_init_noisy" not in experiment["layers"]["seed_0/clean"]
  assert "20-NN by layer" in out and "random_plain (noisy bank)" in out and "raw pixels" in out
  assert "random init (random_augmented noisy bank)" in out
  # The leaderboard reads the 18 runs and passes over the experiment summary.
  loaded = load.load([str(tmp_path)])
  assert len(loaded.records) == 18 and not loaded.problems


def test_a_sweep_shares_runs_and_controls(data_dir, tmp_path, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, test_size=50,
                           model="mlp", width=16, depth=2, epochs=1, batch_size=25,
                           augmentation="standard", knn_k=["20"],
                           conditions=["clean", "random_augmented", "per_view"],
                           sweep_seed=["0", "1"], sweep_num_views=["1", "2"],
                           output_dir=str(tmp_path)):
    benign_memorization.main([])
  out = capsys.readouterr().out
  experiment = record.read(str(tmp_path))
  # The clean and plain runs do not depend on the pool: trained once per seed.
  assert sorted(experiment["conditions"]) == sorted(
      f"seed_{s}/{name}" for s in (0, 1)
      for name in ("clean", "random_augmented", "per_view_views_1", "per_view_views_2"))
  assert experiment["sweep"]["num_views"] == [1, 2] and experiment["sweep"]["seeds"] == [0, 1]
  # One line for the last-layers claim over both seeds, not one per sweep point (the runs
  # do not depend on the pool); two seeds are too few to test it.
  assert [line["runs"] for line in experiment["claims"]] == [
      ["seed_0/random_augmented", "seed_1/random_augmented", "seed_0/clean", "seed_1/clean"]]
  assert experiment["claims"][0]["verdict"] == "not testable"
  assert "at least 3" in experiment["claims"][0]["reason"]
  assert "[seed_0/random_augmented vs" in out
  runs = {name: record.read(str(tmp_path / name)) for name in experiment["conditions"]}
  assert runs["seed_1/per_view_views_2"]["settings"]["augment"]["num_views"] == 2
  assert runs["seed_1/per_view_views_2"]["settings"]["data"]["seed"] == 1
  for seed in (0, 1):
    clean = runs[f"seed_{seed}/clean"]
    pooled = runs[f"seed_{seed}/per_view_views_2"]
    assert pooled["controls"]["random_init"] == clean["controls"]["random_init"]
    assert pooled["controls"]["clean_labels"]["clean"] == clean["probe"]["clean"]
  # Controls follow the seed: another initialisation is another control.
  assert runs["seed_0/clean"]["controls"]["random_init"] != \
      runs["seed_1/clean"]["controls"]["random_init"]
  # The leaderboard averages the two seeds of each condition.
  rows = aggregate.aggregate(load.load([str(tmp_path)]).records)
  assert len(rows) == 4 and all(row["seeds"] == 2 for row in rows)


def test_bad_sweep_values_exit_with_one_message(tmp_path):
  from tests import conftest  # pylint: disable=g-import-not-at-top
  result = conftest.run_binary("benchmarks.benign_memorization", "--sweep_num_views=2,x",
                               f"--output_dir={tmp_path}")
  assert result.returncode != 0 and "Traceback" not in result.stderr
  assert "--sweep_num_views must be a list of distinct int values" in result.stderr
  assert not os.path.exists(tmp_path / "result.json")


def test_default_conditions_leave_out_the_pooled_ones_without_a_pool(capsys):
  binary, experiment = benign_flags, experiment_lib
  with flagsaver.flagsaver():
    without = binary.conditions(pool=False)
    assert without and not set(without) & set(experiment.POOLED)
    assert "no pool of views" in capsys.readouterr().out
    assert set(binary.conditions(pool=True)) == set(experiment.DEFAULT_CONDITIONS)
  with flagsaver.flagsaver(conditions=["random_pool"]):  # Asked for: kept, refused later.
    assert binary.conditions(pool=False) == ("random_pool",)


def test_extend_trains_finished_runs_on_keeping_their_history(data_dir, tmp_path):
  settings = dict(dataset="digits", data_dir=data_dir, train_size=60, test_size=40, model="mlp",
                  width=8, depth=1, batch_size=20, augmentation="standard", knn_k=["5"],
                  probe_every=1, conditions=["random_plain", "random_augmented"],
                  output_dir=str(tmp_path), progress=False)
  with flagsaver.flagsaver(epochs=2, **settings):
    benign_memorization.main([])
  with flagsaver.flagsaver(epochs=3, **settings):
    with pytest.raises(errors.ConfigError, match="--extend"):
      benign_memorization.main([])
  with flagsaver.flagsaver(epochs=3, extend=True, **settings):
    benign_memorization.main([])
  for condition in ("random_plain", "random_augmented"):
    run = record.read(os.path.join(str(tmp_path), condition))
    assert run["metrics"]["epochs_completed"] == 3
    probed = [h["epoch"] for h in run["history"] if "knn/hidden_1/k5" in h]
    assert probed == [1, 2, 3]
  # Random labels only (no clean-label run): both benign claims are still checked.
  lines = {line["claim"].split(":")[0]: line for line in record.read(str(tmp_path))["claims"]}
  assert lines["memorization happens in the last layers"]["runs"] == ["random_augmented"]
  assert "features survive random labels with augmentation" in lines
