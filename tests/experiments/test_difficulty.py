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

"""Per-example difficulty over separate runs (Arpit et al. 2017, Fig. 1): real data,
random labels and random inputs, one epoch each, the data fixed across runs."""

import os

from absl.testing import flagsaver
import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator

from benchmarks import memorization_dynamics as binary
from suite import errors
from suite.analysis import declared
from suite.analysis import example_difficulty
from suite.experiments import memorization_dynamics
from suite.results import record
from suite.training import tracking

KINDS = ("real", "random_labels", "random_inputs")
RUNS = 3


@pytest.fixture(scope="module")
def experiment(data_dir, tmp_path_factory):
  out = tmp_path_factory.mktemp("difficulty")
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=120, test_size=30,
                           validation_size=30, model="mlp", width=16, epochs=1,
                           batch_size=10, seeds=["0", "1", "2"], csr_samples=10,
                           csr_iterations=2, difficulty_runs=RUNS, output_dir=str(out)):
    binary.main([])
  return out, record.read(str(out))


def _load(out, kind):
  with open(os.path.join(out, "difficulty", kind, "errors_epoch_1.npz"), "rb") as f:
    return dict(np.load(f))


def test_each_kind_has_its_runs_and_records(experiment):
  out, rec = experiment
  for kind in KINDS:
    for seed in range(RUNS):
      name = f"difficulty/{kind}/seed_{seed}"
      assert rec["conditions"][name] == str(out / name)
      run = record.read(str(out / name))
      assert run["status"] == "complete" and run["settings"]["train"]["seed"] == seed
      assert run["settings"]["train"]["epochs"] == 1
  data = lambda kind: record.read(str(out / "difficulty" / kind / "seed_0"))["settings"]["data"]
  assert data("real")["label_noise"] == 0.0 and data("real")["input_corruption"] == "none"
  assert data("random_labels")["label_noise"] == 1.0
  assert data("random_inputs")["input_corruption"] == "gaussian"
  assert data("random_inputs")["input_corruption_fraction"] == 1.0
  assert {data(k)["seed"] for k in KINDS} == {0}  # The data seed is fixed.


def test_error_matrices_are_runs_by_examples_from_the_logs(experiment):
  out, _ = experiment
  for kind in KINDS:
    matrix = _load(out, kind)
    assert matrix["errors"].shape == (RUNS, 120)
    assert set(np.unique(matrix["errors"])) <= {0, 1}
    assert list(matrix["seeds"]) == list(range(RUNS))
    logs = [tracking.load(str(out / "difficulty" / kind / f"seed_{s}")) for s in range(RUNS)]
    for seed, log in enumerate(logs):
      # The same examples with the same assigned labels and noise in every run of a kind.
      assert np.array_equal(log["ids"], matrix["ids"])
      assert np.array_equal(log["corrupted"][-1], logs[0]["corrupted"][-1])
      row = list(log["epochs"]).index(1)
      assert np.array_equal(matrix["errors"][seed], 1 - log["correct"][row].astype(int))
  real, labels, inputs = (_load(out, k) for k in KINDS)
  assert np.array_equal(real["ids"], labels["ids"]) and np.array_equal(real["ids"], inputs["ids"])
  assert np.array_equal(real["labels"], real["clean_labels"]) and real["counted"].all()
  assert np.array_equal(inputs["labels"], real["labels"]) and inputs["counted"].all()
  # Random labels: those that hit the true class do not count as noise.
  assert np.array_equal(labels["counted"], labels["labels"] != labels["clean_labels"])
  assert np.array_equal(labels["clean_labels"], real["labels"])


def test_claim_lines_carry_their_test(experiment):
  out, rec = experiment
  lines = [l for l in rec["claims"] if "separate runs" in l["claim"]]
  assert [l["evidence"]["noise_kind"] for l in lines] == ["random_labels", "random_inputs"]
  assert [l["evidence"]["role"] for l in lines] == ["primary", "secondary view"]
  real, labels = _load(out, "real"), _load(out, "random_labels")
  for line in lines:
    assert line["verdict"] in declared.VERDICTS
    if line["verdict"] == declared.NOT_TESTABLE:
      assert line["reason"]
      continue
    test = line["test"]
    assert test["n"] == RUNS and len(test["interval"]) == 2
    assert test["interval"][0] <= test["value"] <= test["interval"][1]
  primary = lines[0]
  assert primary["verdict"] != declared.NOT_TESTABLE
  # The statistic, computed independently from the written matrices.
  keep = labels["counted"].astype(bool)
  expected = (example_difficulty.latent_correlation(real["errors"].astype(bool), real["labels"])[0]
              - example_difficulty.latent_correlation(labels["errors"][:, keep].astype(bool),
                                         labels["labels"][keep])[0])
  assert primary["test"]["value"] == pytest.approx(float(expected))
  assert primary["evidence"]["noise_examples"] == int(keep.sum())
  assert primary["evidence"]["noise_left_out_label_is_true_class"] == int((~keep).sum())
  # The within-run clean vs corrupted view is still there.
  assert any(l["evidence"].get("view") == "within-run clean vs corrupted" for l in rec["claims"])
  assert rec["metrics"]["difficulty/real/examples"] == 120


def test_figure_as_png_and_tensorboard_image(experiment):
  out, _ = experiment
  pngs = sorted(f for f in os.listdir(out / "figures") if "difficulty" in f)
  # Separate runs (Arpit et al.) and the within-run view of the three partial-noise seeds.
  assert pngs == ["difficulty_epoch1.png", "difficulty_within_run_epoch1.png"]
  with open(out / "figures" / pngs[0], "rb") as f:
    assert f.read(8) == b"\x89PNG\r\n\x1a\n"
  events = event_accumulator.EventAccumulator(str(out / "tensorboard"),
                                              size_guidance={"images": 0})
  events.Reload()
  assert {"difficulty", "difficulty_within_run", "dynamics"} <= set(
      events.Tags()["tensors"] + events.Tags()["images"])


def test_finished_runs_are_reused(experiment, capsys):
  out, rec = experiment
  with flagsaver.flagsaver(dataset="digits", train_size=120, test_size=30,
                           validation_size=30, model="mlp", width=16, epochs=1,
                           batch_size=10, seeds=["0", "1", "2"], csr_samples=10,
                           csr_iterations=2, difficulty_runs=RUNS, output_dir=str(out),
                           data_dir=rec["config"]["data_dir"]):
    binary.main([])
  printed = capsys.readouterr().out
  for kind in KINDS:
    assert f"difficulty/{kind}/seed_2 is complete; nothing to do" in printed
  again = record.read(str(out))
  assert [l["test"]["value"] for l in again["claims"] if "test" in l and "separate" in l["claim"]] \
      == [l["test"]["value"] for l in rec["claims"] if "test" in l and "separate" in l["claim"]]


def test_permutation_band_holds_chance_and_not_consistent_errors():
  # Independent outcomes at a run's own rate stay inside the band more often than not;
  # the same examples always wrong lie far outside it.
  generator = np.random.default_rng(0)
  labels = np.repeat(np.arange(2), 100)
  chance = generator.random((10, 200)) < 0.3
  fixed = np.tile(generator.random(200) < 0.3, (10, 1))
  curves = memorization_dynamics.difficulty_curves({
      "chance": {"errors": chance, "labels": labels, "counted": np.ones(200, bool)},
      "fixed": {"errors": fixed, "labels": labels, "counted": np.ones(200, bool)}}, 50)
  inside = lambda c: np.mean((c["rates"] >= c["null_low"]) & (c["rates"] <= c["null_high"]))
  assert inside(curves["chance"]) > 0.8
  assert inside(curves["fixed"]) < 0.5
  assert np.all(np.diff(curves["fixed"]["rates"]) <= 0)


def test_bad_difficulty_data_is_refused():
  with pytest.raises(errors.ConfigError, match="real and at least one"):
    memorization_dynamics.check_difficulty_kinds(["random_labels", "random_inputs"])
  with pytest.raises(errors.ConfigError, match="unknown difficulty data"):
    memorization_dynamics.check_difficulty_kinds(["real", "shuffled"])
  assert memorization_dynamics.check_difficulty_kinds(["random_inputs", "real"]) == (
      "real", "random_inputs")
