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

"""The augmentation-diversity sweeps of the benign experiment: pool size n (with the
augm_iid condition), augmentation strength, capacity x n; their records, claims, figures."""

import dataclasses
import os

from absl.testing import flagsaver
import numpy as np
import pytest
import tensorflow as tf

from benchmarks import benign_memorization as binary
from suite import constants
from suite import errors
from suite.analysis import declared
from suite.analysis.claims import malign
from suite.data import augmentation
from suite.data import datasets
from suite.experiments import benign_memorization as benign
from suite.models import zoo
from suite.results import record
from suite.training import run_spec
from suite.training import trainer

_TINY = dict(dataset="digits", train_size=100, test_size=50, model="mlp", width=8, depth=2,
             epochs=1, batch_size=25, knn_k=["20"])


def _figures(output_dir) -> dict:
  """{name: decoded image} of output_dir/figures; every PNG must decode."""
  directory = os.path.join(output_dir, constants.FIGURES_DIR)
  return {name: tf.io.decode_png(tf.io.read_file(os.path.join(directory, name))).numpy()
          for name in sorted(os.listdir(directory))}


def _tensorboard_images(output_dir) -> set:
  directory = os.path.join(output_dir, constants.TENSORBOARD_DIR)
  tags = set()
  for name in os.listdir(directory):
    for event in tf.compat.v1.train.summary_iterator(os.path.join(directory, name)):
      tags |= {value.tag for value in event.summary.value}
  return tags


def test_views_sweep(data_dir, tmp_path, capsys):
  with flagsaver.flagsaver(data_dir=data_dir, augmentation="standard",
                           conditions=["per_view"], sweep_num_views=["1", "2", "3"],
                           sweep_seed=["0", "1", "2"], output_dir=str(tmp_path), **_TINY):
    binary.main([])
  out = capsys.readouterr().out
  experiment = record.read(str(tmp_path))
  assert sorted(experiment["conditions"]) == sorted(
      f"seed_{s}/per_view_views_{n}" for s in range(3) for n in (1, 2, 3))
  # The per-view trend over n: one line across the 3 seeds x 3 pool sizes, testable.
  trend = [line for line in experiment["claims"] if line["claim"].startswith(
      "per-view label fit falls")]
  assert len(trend) == 1 and trend[0]["source"] == declared.BENIGN
  assert trend[0]["runs"] == [f"seed_{s}/per_view_views_{n}" for n in (1, 2, 3)
                              for s in range(3)]
  assert trend[0]["verdict"] in (declared.HELD, declared.CONTRADICTED, declared.INCONCLUSIVE)
  assert trend[0]["test"]["n"] == 3
  assert "per-view label fit falls" in out
  images = _figures(tmp_path)
  assert set(images) == {benign.KNN_FIGURE, benign.VIEWS_FIGURE}
  assert all(image.shape[0] > 100 and image.shape[1] > 100 for image in images.values())
  assert sorted(experiment["figure_files"]) == sorted(
      str(tmp_path / constants.FIGURES_DIR / name) for name in images)
  assert {"benign/knn_by_layer", "benign/fit_knn_vs_views"} <= _tensorboard_images(tmp_path)


def test_views_figure_data_are_means_over_seeds():
  point = lambda seed, n: benign.Point(seed=seed, bottleneck_dim=0, label_noise=1.0,
                                       num_views=n)
  sweep = benign.Sweep(num_views=(1, 2), seeds=(0, 1))
  records, at_points = {}, []
  for seed in (0, 1):
    for n in (1, 2):
      name = f"seed_{seed}/per_view_views_{n}"
      records[name] = {"metrics": {"memorization/view_fit": 0.1 * n + 0.2 * seed},
                       "probe": {"endpoints": ["hidden_1", "logits"],
                                 "clean": {"hidden_1": {"k20": 0.5 + 0.1 * seed},
                                           "logits": {"k20": 0.3}}}}
      at_points.append((point(seed, n), {"per_view": name}))
  captured = {}
  original = benign.figures.plots.sweep_lines
  try:
    benign.figures.plots.sweep_lines = lambda panels, *a, **k: captured.update(panels) or b""
    benign.figures.figures(records, at_points, sweep)
  finally:
    benign.figures.plots.sweep_lines = original
  fit = captured["fit of the training labels"]["per_view"]
  # Seeds 0 and 1 at n = 2: fits 0.2 and 0.4; std with ddof 1.
  assert fit[2] == (pytest.approx(0.3), pytest.approx(0.02 ** 0.5), 2)
  # The encoder is the last endpoint before the logits.
  knn = captured[f"encoder {constants.HEADLINE_K}-NN (clean-label bank)"]["per_view"]
  assert knn[1][0] == pytest.approx(0.55) and knn[1][2] == 2


def test_capacity_sweep_crossed_with_views_and_augm_iid(data_dir, tmp_path, capsys):
  settings = dict(_TINY, augmentation="standard",
                  conditions=["random_pool", "per_view", "augm_iid"],
                  sweep_num_views=["1", "2"], sweep_width=["4", "16"])
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path), **settings):
    binary.main([])
  out = capsys.readouterr().out
  experiment = record.read(str(tmp_path))
  assert sorted(experiment["conditions"]) == sorted(
      f"width_{w}/{c}_views_{n}" for w in (4, 16) for c in ("random_pool", "per_view", "augm_iid")
      for n in (1, 2))
  assert record.read(str(tmp_path / "width_16" / "per_view_views_2"))["settings"]["model"][
      "width"] == 16
  # augm_iid says what it is, in the experiment's record and the run's.
  assert "other real images" in experiment["descriptions"]["augm_iid"]
  iid = record.read(str(tmp_path / "width_4" / "augm_iid_views_2"))
  assert iid["benchmark"] == "benign_memorization/augm_iid"
  assert iid["settings"]["data"]["iid_views"] == 2 and iid["settings"]["data"]["train_size"] == 100
  assert iid["settings"]["augment"]["num_views"] == 2
  assert not iid["settings"]["augment"]["per_view_labels"]
  assert {"probe", "controls"} <= set(iid) and "memorization/view_fit" in iid["metrics"]
  assert "real images of the same class from outside the subset" in out
  # The per-view claim at each (width, n), on its own runs; 1 seed: not testable. No trend
  # line: a trend over n needs 3 pool sizes.
  lines = experiment["claims"]
  assert [line["runs"] for line in lines] == [
      [f"width_{w}/per_view_views_{n}", f"width_{w}/random_pool_views_{n}"]
      for n in (1, 2) for w in (4, 16)]
  assert all(line["verdict"] == declared.NOT_TESTABLE and "at least 3" in line["reason"]
             for line in lines)
  # Controls per architecture: another width is another random-init network.
  narrow = record.read(str(tmp_path / "width_4" / "per_view_views_1"))
  wide = record.read(str(tmp_path / "width_16" / "per_view_views_1"))
  assert narrow["controls"]["random_init"] != wide["controls"]["random_init"]
  images = _figures(tmp_path)
  assert set(images) == {benign.KNN_FIGURE, benign.VIEWS_FIGURE, benign.CAPACITY_FIGURE}
  assert "benign/per_view_fit_capacity_views" in _tensorboard_images(tmp_path)


def test_strength_sweep(data_dir, tmp_path, monkeypatch):
  # Before randaugment exists, `standard` stands in for an augmentation that reads strength.
  name = "randaugment" if "randaugment" in augmentation.AUGMENTATIONS else "standard"
  monkeypatch.setattr(benign.plan, "STRENGTH_AUGMENTATIONS", (name,))
  settings = dict(_TINY, augmentation=name, conditions=["clean", "random_plain",
                                                        "random_augmented"],
                  sweep_augmentation_strength=["0", "0.5", "1"])
  with flagsaver.flagsaver(data_dir=data_dir, output_dir=str(tmp_path), **settings):
    binary.main([])
  experiment = record.read(str(tmp_path))
  # The plain run does not depend on the strength: trained once.
  assert sorted(experiment["conditions"]) == sorted(
      ["random_plain"] + [f"{c}_strength_{s}" for c in ("clean", "random_augmented")
                          for s in ("0", "0.5", "1")])
  assert record.read(str(tmp_path / "random_augmented_strength_0.5"))["settings"]["augment"][
      "strength"] == 0.5
  # The claims of each strength (the plain-vs-noise one is shared): 1 seed, not testable.
  assert len(experiment["claims"]) == 6
  assert {benign.KNN_FIGURE, benign.STRENGTH_FIGURE} == set(_figures(tmp_path))
  assert "benign/fit_knn_vs_strength" in _tensorboard_images(tmp_path)


def _spec(model="mlp", augment="standard", train_size=100):
  return run_spec.RunSpec(
      output_dir="/unused", benchmark="benign_memorization",
      data=datasets.DataConfig(dataset="digits", train_size=train_size, label_noise=1.0),
      model=zoo.ModelConfig(name=model), augment=augmentation.AugmentConfig(augment),
      train=trainer.TrainConfig(), flags={})


def test_run_names_and_jobs_of_the_new_sweep_fields(monkeypatch):
  monkeypatch.setattr(benign.plan, "STRENGTH_AUGMENTATIONS", ("standard",))
  sweep = benign.Sweep(num_views=(2,), augmentation_strength=(0.25, 1.0), width=(8, 32),
                       seeds=(0, 1))
  base = _spec()
  benign.validate(base, sweep, benign.CONDITIONS)
  assert benign.jobs(benign.Settings(base, sweep=sweep)) == [
      "seed_0/width_8", "seed_0/width_32", "seed_1/width_8",
      "seed_1/width_32"]
  names = {(c.name, p.augmentation_strength, p.width, p.seed): benign.run_name(c, p, sweep)
           for p in benign.points(base, sweep) for c in benign.conditions(
               p.label_noise, dataclasses.replace(base.augment, num_views=p.num_views))}
  assert names[("clean", 0.25, 8, 0)] == "seed_0/width_8/clean_strength_0.25"
  assert names[("per_view", 1.0, 32, 1)] == "seed_1/width_32/per_view_views_2_strength_1"
  # Runs that do not augment do not depend on the strength.
  assert names[("random_plain", 0.25, 8, 0)] == "seed_0/width_8/random_plain"
  assert names[("clean_plain", 1.0, 8, 0)] == "seed_0/width_8/clean_plain"
  assert names[("augm_iid", 0.25, 8, 0)] == "seed_0/width_8/augm_iid_views_2"
  cnn = benign.Sweep(width_multiplier=(0.5, 1.0))
  assert benign.jobs(benign.Settings(_spec("cnn_small"), sweep=cnn)) == [
      "width_multiplier_0.5", "width_multiplier_1"]
  assert benign.jobs(benign.Settings(base)) == ["all"]


@pytest.mark.parametrize("spec, sweep, names, message", [
    (_spec(), benign.Sweep(width_multiplier=(0.5,)), benign.DEFAULT_CONDITIONS, "cnn_small"),
    (_spec("cnn_small"), benign.Sweep(width=(8,)), benign.DEFAULT_CONDITIONS, "--model=mlp"),
    (_spec(), benign.Sweep(augmentation_strength=(0.5,)), benign.DEFAULT_CONDITIONS,
     "reads the strength"),
    (_spec(train_size=0), benign.Sweep(num_views=(2,)), ("augm_iid",), "train_size"),
    (_spec(), benign.Sweep(), ("augm_iid",), "num_views"),
])
def test_bad_sweeps_are_config_errors(spec, sweep, names, message):
  with pytest.raises(errors.ConfigError, match=message):
    benign.validate(spec, sweep, names)


def test_list_jobs_names_the_capacity_jobs(capsys):
  with flagsaver.flagsaver(list_jobs=True, output_dir="/tmp/unused", sweep_width=["8", "16"],
                           **{k: v for k, v in _TINY.items() if k != "width"}):
    binary.main([])
  lines = capsys.readouterr().out.strip().splitlines()
  assert [line.rsplit(" ", 1)[1] for line in lines] == ["--only=width_8", "--only=width_16"]
  assert all("--sweep_width=8,16" in line for line in lines)


def test_too_few_images_for_augm_iid_fail_before_any_training(data_dir, tmp_path):
  # Digits: about 144 training images a class, 10 in the subset: 20 views need 200.
  with flagsaver.flagsaver(data_dir=data_dir, augmentation="standard",
                           conditions=["random_plain", "augm_iid"], sweep_num_views=["1", "20"],
                           output_dir=str(tmp_path / "out"), **_TINY):
    with pytest.raises(errors.ConfigError, match="outside the training subset"):
      binary.main([])
  assert not os.path.exists(tmp_path / "out" / "random_plain")


def _per_view(seed, fit):
  return {"settings": {"train": {"seed": seed, "epochs": 10}},
          "metrics": {"memorization/view_fit": fit}}


@pytest.mark.parametrize("fits, verdict", [
    # Per seed, fit against n = 1, 2, 4, 8: falling in every seed, rising in every seed,
    # and no order (each seed's fits a different permutation).
    ([[0.9, 0.7, 0.4, 0.2], [0.95, 0.6, 0.5, 0.1], [0.8, 0.75, 0.3, 0.25]], declared.HELD),
    ([[0.2, 0.4, 0.7, 0.9], [0.1, 0.5, 0.6, 0.95], [0.25, 0.3, 0.75, 0.8]],
     declared.CONTRADICTED),
    ([[0.2, 0.9, 0.4, 0.7], [0.6, 0.1, 0.95, 0.5], [0.75, 0.3, 0.25, 0.8]],
     declared.INCONCLUSIVE),
])
def test_per_view_trend_claim(fits, verdict):
  sweep = {n: [_per_view(seed, fits[seed][i]) for seed in range(3)]
           for i, n in enumerate((1, 2, 4, 8))}
  line = malign.per_view_fit_falls_with_views(sweep)
  assert line["verdict"] == verdict, line
  assert line["evidence"]["per_view_fit"][0] == [f[0] for f in fits]


def test_per_view_trend_claim_needs_three_seeds_and_points():
  two_seeds = {n: [_per_view(s, 0.5) for s in range(2)] for n in (1, 2, 4)}
  assert "at least 3" in malign.per_view_fit_falls_with_views(two_seeds)["reason"]
  two_points = {n: [_per_view(s, 0.5) for s in range(3)] for n in (1, 2)}
  assert "at least 3" in malign.per_view_fit_falls_with_views(two_points)["reason"]


def test_per_view_trend_claim_holds_no_more_often_than_its_level_under_the_null():
  # No trend: each seed's fits independent of n. `held` at most the one-sided level
  # (2.5%), with three standard errors of slack for 1,000 simulated sweeps.
  generator = np.random.default_rng(0)
  trials, held = 1000, 0
  for _ in range(trials):
    fits = generator.uniform(size=(3, 4))
    sweep = {n: [_per_view(seed, fits[seed, i]) for seed in range(3)]
             for i, n in enumerate((1, 2, 4, 8))}
    held += malign.per_view_fit_falls_with_views(sweep, permutations=500)["verdict"] == \
        declared.HELD
  level = 0.025
  assert held / trials <= level + 3 * (level * (1 - level) / trials) ** 0.5
