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

"""Gradient accounting: fixed samples, exact sums, no change to the model, a hook's scalars,
and the benchmark of its cost (tools/gradient_accounting_cost.py)."""

import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

from suite.data import augmentation
from suite.data import datasets
from suite.measures import gradient_accounting
from suite.models import losses
from suite.models import zoo
from suite.training import trainer as trainer_lib


def _split(n=40, noisy=10, seed=0):
  generator = np.random.default_rng(seed)
  labels = generator.integers(0, 3, n)
  corrupted = np.zeros(n, bool)
  corrupted[:noisy] = True
  return datasets.Split(ids=np.arange(n), images=generator.random((n, 4, 4, 1), np.float32),
                        labels=labels, clean_labels=labels, corrupted=corrupted)


def test_the_sample_is_fixed_by_the_seed_and_split_by_group():
  train = _split()
  first = gradient_accounting.sample_groups(train, 16, seed=3)
  assert {k: v.tolist() for k, v in first.items()} == {
      k: v.tolist() for k, v in gradient_accounting.sample_groups(train, 16, seed=3).items()}
  assert len(first["noisy"]) == 8 and len(first["clean"]) == 8
  assert train.corrupted[first["noisy"]].all() and not train.corrupted[first["clean"]].any()
  small = gradient_accounting.sample_groups(train, 100, seed=3)
  assert len(small["noisy"]) == 10 and len(small["clean"]) == 30  # As many as there are.


def test_norms_and_cosine_are_the_groups_scaled_summed_gradients():
  train = _split()
  built = zoo.build(zoo.ModelConfig(name="mlp", width=5, depth=2), (4, 4, 1), 3)
  before = [w.numpy().copy() for w in built.model.weights]
  groups = gradient_accounting.sample_groups(train, 16, seed=0)
  out = gradient_accounting.GradientAccounting(built, 3, "cross_entropy", batch_size=3).measure(
      train, groups)
  assert set(out) == {f"gradacc/{b}/{w}" for b in ("hidden_1", "hidden_2", "logits")
                      for w in ("noisy_norm", "clean_norm", "cosine")}
  variables = built.model.get_layer("dense_2").trainable_weights
  expected = {}
  for name, rows, size in (("noisy", groups["noisy"], 10), ("clean", groups["clean"], 30)):
    with tf.GradientTape() as tape:
      logits = built.model(train.images[rows], training=False)
      loss = tf.reduce_mean(losses.per_example_loss(
          "cross_entropy", tf.one_hot(train.labels[rows], 3), logits))
    expected[name] = size * np.concatenate([g.numpy().ravel()
                                            for g in tape.gradient(loss, variables)])
  np.testing.assert_allclose(out["gradacc/hidden_2/noisy_norm"],
                             np.linalg.norm(expected["noisy"]), rtol=1e-4)
  np.testing.assert_allclose(out["gradacc/hidden_2/clean_norm"],
                             np.linalg.norm(expected["clean"]), rtol=1e-4)
  cosine = expected["noisy"] @ expected["clean"] / (np.linalg.norm(expected["noisy"]) *
                                                    np.linalg.norm(expected["clean"]))
  np.testing.assert_allclose(out["gradacc/hidden_2/cosine"], cosine, rtol=1e-4, atol=1e-6)
  for old, new in zip(before, built.model.weights):  # Measuring trains nothing.
    np.testing.assert_array_equal(old, new.numpy())


def test_the_hook_writes_scalars_at_its_epochs_and_the_last(data_dir):
  data = datasets.load(datasets.DataConfig(dataset="digits", data_dir=data_dir, train_size=100,
                                           test_size=20, label_noise=0.3))
  trainer = trainer_lib.Trainer(None, data, zoo.ModelConfig(name="mlp", width=8, depth=1),
                                augmentation.AugmentConfig(), trainer_lib.TrainConfig(epochs=3,
                                                                            batch_size=50))
  trainer.add_hooks(gradient_accounting.GradientAccountingHook(32, every=2, last_epoch=3))
  history = trainer.fit()
  accounted = [h["epoch"] for h in history if "gradacc/logits/cosine" in h]
  assert accounted == [0, 2, 3]
  measured = gradient_accounting.cost(history)
  assert measured and measured["seconds"] > 0 and measured["fraction"] > 0
  assert gradient_accounting.cost(history[:1]) is None  # Epoch 0 has no epoch to compare.
  assert all(np.isfinite(h["gradacc/hidden_1/noisy_norm"]) for h in history
             if h["epoch"] in accounted)


def _cost_tool(*args):
  """tools/gradient_accounting_cost.py as a user runs it (the docs' measurement)."""
  root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
  return subprocess.run([sys.executable, os.path.join(root, "tools",
                                                      "gradient_accounting_cost.py"), *args],
                        capture_output=True, text=True, timeout=600, cwd=root)


def test_the_cost_benchmark_prints_the_fraction_and_a_rewinding_pass(data_dir):
  result = _cost_tool("--dataset=digits", f"--data_dir={data_dir}", "--train_size=150",
                      "--test_size=30", "--label_noise=0.2", "--model=mlp", "--width=8",
                      "--depth=1", "--batch_size=50", "--epochs=3", "--gradacc_samples=40")
  assert result.returncode == 0, result.stderr[-2000:]
  out = result.stdout
  assert "gradient accounting on 40 examples (20 corrupted + 20 clean) of 150" in out
  assert [l.split()[0] for l in out.splitlines() if l[:5].strip().isdigit()] == ["1", "2", "3"]
  assert "median over epochs 2-3: accounting" in out and "(CPU)" in out
  assert "is for 512 examples" in out  # No verdict on the target with another sample.
  assert "one full rewinding pass over 2 blocks (hidden_1, logits)" in out
  bad = _cost_tool("--dataset=digits", f"--data_dir={data_dir}", "--epochs=1")
  errors = [l for l in bad.stderr.splitlines() if l.startswith("error:")]
  assert bad.returncode == 2 and len(errors) == 1 and "--epochs >= 2" in errors[0]
