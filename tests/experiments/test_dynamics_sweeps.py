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

"""Memorization dynamics' noise-level, data-size and depth sweeps, early stopping and their
figures, end to end on digits; cnn_small's depth."""

import dataclasses
import os

from absl import flags
from absl.testing import flagsaver
import numpy as np
import pytest
import tensorflow as tf

from benchmarks import memorization_dynamics as binary
from suite import constants
from suite import errors
from suite.analysis import declared
from suite.analysis.claims import readings
from suite.data import augmentation
from suite.data import datasets
from suite.experiments import memorization_dynamics as dynamics
from suite.models import zoo
from suite.results import record
from suite.training import run_spec
from suite.training import trainer

_TINY = dict(dataset="digits", train_size=100, test_size=50, validation_size=50, model="mlp",
             width=16, epochs=1, batch_size=25, seeds=["0", "1", "2"], csr_samples=10,
             csr_iterations=2, track_every=1)
_FIGURES = ("dynamics", "epochs_to_fit", "accuracy", "gini_by_noise",
            "sensitivity_per_class", "loss_trajectories")


def _image_tags(directory: str) -> set:
  tags = set()
  for name in tf.io.gfile.listdir(directory):
    for event in tf.compat.v1.train.summary_iterator(os.path.join(directory, name)):
      for value in event.summary.value:
        tags.add(value.tag)
  return tags


def test_noise_and_size_sweeps_write_claims_metrics_and_figures(data_dir, tmp_path, capsys):
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path),
                           sweep_label_noise=["0.2", "0.8"], sweep_train_size=["60"], **_TINY):
    binary.main([])
  out = capsys.readouterr().out
  experiment = record.read(str(tmp_path))
  assert sorted(experiment["conditions"]) == sorted(
      [f"seed_{s}" for s in range(3)] + [f"{v}/seed_{s}" for s in range(3) for v in (
          "label_noise_0.2", "label_noise_0.8", "train_size_60")])
  # Each variant's data is what it says: the noise fraction and the size, same --seed.
  for name, size, corrupted in (("label_noise_0.2", 100, 20), ("label_noise_0.8", 100, 80),
                                ("train_size_60", 60, 30), ("seed_0", 100, 50)):
    run = record.read(str(tmp_path / name / "seed_0")) if name != "seed_0" else \
        record.read(str(tmp_path / "seed_0"))
    assert run["dataset"]["train_size"] == size and \
        run["dataset"]["num_label_corrupted"] == corrupted, name
    # The sensitivity hook runs on the data variants too (Gini against noise level).
    assert {"sensitivity/gini_all", "sensitivity/gini_clean", "csr/corrupted"} <= set(
        run["history"][-1]), name
  by_claim = {line["claim"]: line for line in experiment["claims"]}
  wanted = {"more label noise needs more epochs": "label_noise_0.8/seed_0",
            "loss sensitivity is less concentrated": "label_noise_0.2/seed_2",
            "with more data, noise takes longer": "train_size_60/seed_1",
            "at the best-validation epoch": "seed_0"}
  for start, run_name in wanted.items():
    [line] = [line for claim, line in by_claim.items() if claim.startswith(start)]
    assert line["verdict"] in declared.VERDICTS and run_name in line["runs"], line
    if line["verdict"] == declared.NOT_TESTABLE:
      assert line["reason"]
    else:
      assert line["test"]["n"] == 3
  noise_line = next(v for k, v in by_claim.items() if k.startswith("more label noise"))
  assert noise_line["evidence"]["label_noise"] == [0.2, 0.5, 0.8]  # 0.5: the base runs.
  size_line = next(v for k, v in by_claim.items() if k.startswith("with more data"))
  assert size_line["evidence"]["train_size"] == [60, 100]
  assert size_line["verdict"] == declared.NOT_TESTABLE  # Two points: no trend.
  metrics = experiment["metrics"]
  # Early stopping per seed, read from the seed's own history.
  seed_1 = record.read(str(tmp_path / "seed_1"))
  best = readings.best_validation_entry(seed_1)
  assert metrics["seed_1/early_stopping/best_validation_epoch"] == best["epoch"]
  assert metrics["seed_1/early_stopping/fit_corrupted_at_best_validation"] == \
      best["memorization/fit_corrupted"]
  assert metrics["seed_1/early_stopping/test_accuracy_at_best_validation"] == \
      best["test/accuracy"]
  assert metrics["seed_1/early_stopping/test_accuracy_final"] == \
      seed_1["metrics"]["test/accuracy"]
  assert metrics["early_stopping/fit_corrupted_final"] == pytest.approx(np.mean(
      [record.read(str(tmp_path / f"seed_{s}"))["metrics"]["memorization/fit_corrupted"]
       for s in range(3)]))
  assert metrics["label_noise_0.8/epochs_to_fit_train"] is not None
  assert "epochs_to_fit_train" in out and "gini_all" in out
  # Figures: PNG files that decode, and the same as TensorBoard images of the experiment.
  for name in _FIGURES:
    png = (tmp_path / "figures" / dynamics.FIGURES[name]).read_bytes()
    assert tf.io.decode_png(png).shape[-1] in (3, 4), name
  assert _image_tags(str(tmp_path / constants.TENSORBOARD_DIR)) >= set(_FIGURES)
  # Per-class maps written by every base and data-variant run.
  maps = np.load(tmp_path / "label_noise_0.2" / "seed_0" / "sensitivity_maps.npz")
  assert maps["clean"].shape == (10, 8, 8) and maps["clean_count"].sum() == 80
  assert maps["corrupted_count"].sum() == 20


def test_a_data_variant_job_trains_on_its_own_data(data_dir, tmp_path):
  settings = dict(_TINY, epochs=1, seeds=["0"], sweep_train_size=["40"])
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path), list_jobs=True,
                           **settings):
    binary.main([])
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path),
                           only=["train_size_40/seed_0"], **settings):
    binary.main([])
  assert not (tmp_path / "seed_0").exists()
  run = record.read(str(tmp_path / "train_size_40" / "seed_0"))
  assert run["dataset"]["train_size"] == 40 and "sensitivity/gini_all" in run["history"][-1]
  base = run_spec.RunSpec(output_dir="x", benchmark="memorization_dynamics",
                        data=datasets.DataConfig(dataset="digits", label_noise=0.5),
                        model=zoo.ModelConfig(), augment=augmentation.AugmentConfig(),
                        train=trainer.TrainConfig(), flags={})
  assert dynamics.jobs(dynamics.Settings(base, (0, 1), (dynamics.Variant("label_noise", 0.2),),
                                         difficulty_runs=2)) == [
      "seed_0", "seed_1", "label_noise_0.2/seed_0", "label_noise_0.2/seed_1",
      "difficulty/real/seed_0", "difficulty/real/seed_1", "difficulty/random_labels/seed_0",
      "difficulty/random_labels/seed_1", "difficulty/random_inputs/seed_0",
      "difficulty/random_inputs/seed_1"]


def test_variants_change_exactly_their_data_setting(data_dir):
  base = run_spec.RunSpec(output_dir="x", benchmark="memorization_dynamics",
                        data=datasets.DataConfig(dataset="digits", data_dir=data_dir,
                                                 train_size=200, label_noise=0.5),
                        model=zoo.ModelConfig(), augment=augmentation.AugmentConfig(),
                        train=trainer.TrainConfig(), flags={})
  noisy = dynamics.Variant("label_noise", 0.25).apply(base)
  small = dynamics.Variant("train_size", 80).apply(base)
  assert _without(noisy.data, "label_noise") == _without(base.data, "label_noise")
  data = datasets.load(noisy.data)
  assert len(data.train) == 200 and data.train.corrupted.sum() == 50
  # Random labels differ from the clean ones on about 9/10 of the corrupted examples.
  assert np.mean(data.train.labels[data.train.corrupted] !=
                 data.train.clean_labels[data.train.corrupted]) > 0.7
  data = datasets.load(small.data)
  assert len(data.train) == 80 and data.train.corrupted.sum() == 40
  assert small.model == base.model and small.train == base.train
  with pytest.raises(Exception, match="label_noise"):
    dynamics.Variant("label_noise", 1.5).apply(base)


def _without(config, field):
  values = dataclasses.asdict(config)
  values.pop(field)
  return values


def _conv_layers(model):
  return [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Conv2D)]


def test_cnn_small_depth_sets_the_conv_modules_and_the_default_is_unchanged():
  default = zoo.build(zoo.ModelConfig(name="cnn_small"), (32, 32, 3), 10)
  two = zoo.build(zoo.ModelConfig(name="cnn_small", depth=2), (32, 32, 3), 10)
  # The small AlexNet by hand (as tests/models): depth 2 is the default architecture.
  expected = (75 * 64 + 64) + (1600 * 64 + 64) + (4096 * 384 + 384) + (384 * 192 + 192) + 1930
  assert default.model.count_params() == two.model.count_params() == expected
  assert default.endpoints == ("conv_1", "conv_2", "fc_1", "fc_2", "logits")
  assert len(_conv_layers(default.model)) == 2
  three = zoo.build(zoo.ModelConfig(name="cnn_small", depth=3), (32, 32, 3), 10)
  assert len(_conv_layers(three.model)) == 3
  assert three.endpoints == ("conv_1", "conv_2", "conv_3", "fc_1", "fc_2", "logits")
  # One more 5x5x64x64 module; its pooling halves 8x8 to 4x4 before the first fc.
  assert three.model.count_params() == expected + (1600 * 64 + 64) - (4096 - 1024) * 384
  one = zoo.build(zoo.ModelConfig(name="cnn_small", depth=1), (8, 8, 1), 10)
  assert len(_conv_layers(one.model)) == 1
  # The mlp keeps its meaning of depth.
  assert zoo.build(zoo.ModelConfig(depth=3, width=8), (8, 8, 1), 10).endpoints[:3] == (
      "hidden_1", "hidden_2", "hidden_3")


def test_cnn_small_depth_sweep_claims_depth_does_not_hurt(data_dir, tmp_path):
  # Two seeds keep it short: the claim's verdicts are tested on constructed records.
  settings = dict(_TINY, model="cnn_small", width_multiplier=0.25, epochs=1, train_size=60,
                  seeds=["0", "1"], sweep_depth=["1", "3"])
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path), **settings):
    binary.main([])
  experiment = record.read(str(tmp_path))
  run = record.read(str(tmp_path / "depth_3" / "seed_1"))
  assert run["settings"]["model"]["depth"] == 3 and run["settings"]["model"]["name"] == \
      "cnn_small"
  [line] = [line for line in experiment["claims"]
            if line["claim"].startswith("depth does not hurt generalization (cnn_small")]
  assert line["source"] == declared.BRIEF and line["verdict"] in declared.VERDICTS
  assert line["evidence"]["depths"] == [1, 2, 3] and "depth_1/seed_0" in line["runs"]
  assert line["verdict"] == declared.NOT_TESTABLE and "at least 3" in line["reason"]
  assert (tmp_path / "figures" / "epochs_to_fit.png").stat().st_size > 1000
  assert tf.io.decode_png((tmp_path / "figures" / "accuracy.png").read_bytes()).shape[0] > 100
  # The accuracy figure's points against the records on disk, computed here by hand.
  directories = {1: "depth_1/seed_{}", 2: "seed_{}", 3: "depth_3/seed_{}"}
  runs = {d: [record.read(str(tmp_path / pattern.format(s))) for s in (0, 1)]
          for d, pattern in directories.items()}
  variants = {dynamics.Variant("depth", d): dict(enumerate(runs[d])) for d in (1, 3)}
  base = run_spec.RunSpec(output_dir="x", benchmark="memorization_dynamics",
                        data=datasets.DataConfig(dataset="digits"),
                        model=zoo.ModelConfig(name="cnn_small"),
                        augment=augmentation.AugmentConfig(), train=trainer.TrainConfig(),
                        flags={})
  panels = dynamics.accuracy_panels(dynamics.sweeps(variants, dict(enumerate(runs[2])), base,
                                                    60))
  assert list(panels) == ["depth"]
  for depth, recs in runs.items():
    final = [r["metrics"]["validation/accuracy"] for r in recs]
    test = [r["metrics"]["test/accuracy"] for r in recs]
    stopped = []  # Test accuracy at the first epoch of the highest validation accuracy.
    for r in recs:
      evaluated = [h for h in r["history"] if h.get("validation/accuracy") is not None]
      best = max(h["validation/accuracy"] for h in evaluated)
      stopped.append(next(h["test/accuracy"] for h in evaluated
                          if h["validation/accuracy"] == best))
    for label, values in (("validation, final", final), ("test, final", test),
                          ("test, at the best-validation epoch", stopped)):
      mean, std, n = panels["depth"][label][float(depth)]
      assert n == 2 and mean == pytest.approx(np.mean(values)), (label, depth)
      assert std == pytest.approx(np.std(values, ddof=1)), (label, depth)


def test_accuracy_panels_leave_out_runs_without_a_value():
  def run(final, history):
    return {"metrics": {"validation/accuracy": final, "test/accuracy": 0.5},
            "history": [{"epoch": i, "validation/accuracy": v, "test/accuracy": t}
                        for i, (v, t) in enumerate(history)]}
  swept = {"width": {32: [run(0.4, [(float("nan"), 0.2), (0.3, 0.1), (0.6, 0.7), (0.6, 0.9)]),
                          run(float("nan"), [(0.2, 0.3), (None, 0.8)])],
                     64: [run(None, [])]}}
  panels = dynamics.accuracy_panels(swept)["width"]
  assert panels["validation, final"] == {32.0: (0.4, 0.0, 1)}  # NaN and None left out.
  assert panels["test, final"] == {32.0: (0.5, 0.0, 2), 64.0: (0.5, 0.0, 1)}
  # The first epoch of the best validation accuracy (0.7: not the tie's 0.9, not the NaN
  # epoch's 0.2), and 0.3.
  assert panels["test, at the best-validation epoch"] == {
      32.0: pytest.approx((0.5, np.std([0.7, 0.3], ddof=1), 2))}


@pytest.mark.parametrize("flag, values, match", [
    ("sweep_label_noise", ["1.5"], r"--sweep_label_noise must be numbers in \[0, 1\]"),
    ("sweep_label_noise", ["x"], r"--sweep_label_noise must be"),
    ("sweep_label_noise", ["0.5", "nan"], r"--sweep_label_noise must be"),
    ("sweep_train_size", ["5000"], "only .* are available")])
def test_bad_sweeps_are_one_error_before_training(data_dir, tmp_path, flag, values, match):
  # The flag is shared with benign_memorization: where that binary was imported in this
  # process its validator refuses non-numbers first, as a flag error.
  with pytest.raises((errors.ConfigError, flags.IllegalFlagValueError), match=match):
    with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path / "out"),
                             **dict(_TINY, **{flag: values})):
      binary.main([])
  assert not (tmp_path / "out" / "seed_0").exists()
