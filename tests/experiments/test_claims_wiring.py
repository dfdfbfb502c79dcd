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

"""How the experiments pair runs by seed and group sweep points for the claims."""

import types

import numpy as np

from suite.analysis import declared
from suite.experiments import benign_memorization as benign
from suite.experiments import memorization_dynamics as dynamics

ENDPOINTS = ["hidden_1", "hidden_2", "logits"]


def _rec(seed, clean, noisy=None, fit=0.99):
  probe = {"endpoints": ENDPOINTS, "clean": {e: {"k20": clean} for e in ENDPOINTS}}
  if noisy is not None:  # Memorized (if at all) at the logits only, the last layer.
    probe["noisy"] = {e: {"k20": noisy if e == "logits" else 0.1 + 0.001 * seed}
                      for e in ENDPOINTS}
  return {"settings": {"train": {"seed": seed, "epochs": 5}}, "probe": probe,
          "metrics": {"memorization/fit_corrupted": fit},
          "controls": {"random_init": {"endpoints": ENDPOINTS,
                                       "clean": {e: {"k20": 0.5} for e in ENDPOINTS}}}}


def test_benign_claims_pair_seeds_within_each_noise_level():
  records, at_points, noisy_controls = {}, [], {}
  for noise in (0.5, 1.0):
    for seed in range(3):
      point = benign.Point(seed=seed, bottleneck_dim=0, label_noise=noise, num_views=0)
      runs = {"clean": f"seed_{seed}/clean",
              "random_augmented": f"seed_{seed}/random_augmented_noise_{noise:g}"}
      records[runs["clean"]] = _rec(seed, 0.9)
      # Memorized at noise 1 (noisy bank far above random init), not at 0.5.
      records[runs["random_augmented"]] = _rec(seed, 0.9 + 0.001 * seed,
                                               0.9 if noise == 1 else 0.1 + 0.001 * seed)
      noisy_controls[runs["random_augmented"]] = {
          "endpoints": ENDPOINTS, "noisy": {e: {"k20": 0.1} for e in ENDPOINTS}}
      at_points.append((point, runs))
  lines = benign.check_claims(records, at_points, noisy_controls)
  assert [line["runs"][:3] for line in lines] == [
      [f"seed_{s}/random_augmented_noise_{n}" for s in range(3)] for n in ("0.5", "1")]
  assert lines[0]["runs"][3:] == [f"seed_{s}/clean" for s in range(3)]
  assert [line["verdict"] for line in lines] == [declared.INCONCLUSIVE, declared.HELD]


def test_difficulty_sets_leave_out_random_labels_on_the_true_class():
  ids = np.array([3, 1, 2, 0])
  train = types.SimpleNamespace(ids=ids, labels=np.array([5, 1, 2, 7]),
                                clean_labels=np.array([5, 1, 3, 7]),
                                corrupted=np.array([True, False, True, True]))
  data = types.SimpleNamespace(train=train)
  # Logs are in id order: ids 0 (label 7, corrupted, on the true class), 1 (clean),
  # 2 (corrupted, a real random label), 3 (corrupted, label 5 = true class).
  log = {"epochs": np.array([0, 1]), "ids": np.arange(4),
         "correct": np.array([[0, 0, 0, 0], [1, 0, 1, 0]], bool),
         "corrupted": np.array([[1, 0, 1, 1]] * 2, bool)}
  label_noise = types.SimpleNamespace(input_corruption="none")
  sets = dynamics.difficulty_sets({0: log, 1: log}, data, label_noise)
  real_errors, real_labels = sets["real"]
  noise_errors, noise_labels = sets["noise"]
  assert real_labels.tolist() == [1] and real_errors.tolist() == [[True], [True]]
  assert noise_labels.tolist() == [2] and noise_errors.tolist() == [[False], [False]]
  assert sets["left_out"] == 2
  # With input corruption the corrupted input is the noise, whatever its label.
  inputs = dynamics.difficulty_sets({0: log}, data, types.SimpleNamespace(
      input_corruption="gaussian"))
  assert inputs["noise"][1].tolist() == [7, 2, 5] and inputs["left_out"] == 0
  # No log of epoch 1: not testable upstream.
  assert dynamics.difficulty_sets({0: dict(log, epochs=np.array([0, 2]))}, data,
                                  label_noise) is None
