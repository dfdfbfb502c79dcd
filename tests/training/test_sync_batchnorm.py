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

"""Synchronized BatchNorm: the same step on one replica and on two gives the same statistics.

Each configuration runs in its own subprocess (this file run as a script): logical CPU
devices must be configured before TensorFlow initialises, and collectives of one
MirroredStrategy disturb the next in the same process.

The global batch of 16 has two halves with different means (replica 0 sees the first
8 images, replica 1 the last 8), so per-replica statistics differ visibly from the
global ones.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.slow
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GLOBAL_BATCH = 16
# One replica normalises with tf.nn.moments, two with all-reduced sums (E[x^2] - E[x]^2):
# float32 round-off of that order, far below the per-replica effect (> 1e-2 here).
RTOL, ATOL = 1e-4, 1e-5


def _images():
  rs = np.random.default_rng(0)
  images = rs.uniform(0.0, 0.5, size=(GLOBAL_BATCH, 8, 8, 3)).astype(np.float32)
  images[GLOBAL_BATCH // 2:] += 0.5  # The second replica's half is brighter.
  return images


def _child(replicas: int, sync: bool, out: str):
  """One training step of a small resnet18 on `replicas` logical CPUs; saves its state."""
  from suite.training import strategies  # pylint: disable=g-import-not-at-top
  strategies.split_cpu(2)  # Before anything initialises TensorFlow's devices.
  import keras  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from keras import layers  # pylint: disable=g-import-not-at-top
  from suite.models import zoo  # pylint: disable=g-import-not-at-top

  strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(replicas)])
  assert strategy.num_replicas_in_sync == replicas
  keras.utils.set_random_seed(0)
  with strategy.scope():
    model = zoo.build(zoo.ModelConfig(name="resnet18", width_multiplier=0.0625, init="torch",
                                      sync_batchnorm=sync), (8, 8, 3), 10).model
    optimizer = keras.optimizers.SGD(0.1)
    optimizer.build(model.trainable_variables)
  norms = [l for l in model.layers if isinstance(l, layers.BatchNormalization)]
  initial_stem = model.get_layer("stem_conv").kernel.numpy()
  images = _images()
  labels = tf.one_hot(np.arange(GLOBAL_BATCH) % 10, 10)
  dataset = strategy.experimental_distribute_dataset(
      tf.data.Dataset.from_tensor_slices((images, labels)).batch(GLOBAL_BATCH))

  def replica_step(x, y):  # As the trainer's: loss over the global batch, summed gradients.
    with tf.GradientTape() as tape:
      logits = model(x, training=True)
      loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(y, logits)) / GLOBAL_BATCH
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))

  @tf.function
  def step(x, y):
    strategy.run(replica_step, args=(x, y))

  for x, y in dataset:
    step(x, y)
  state = {"synchronized": np.array([n.synchronized for n in norms]),
           "initial_stem_kernel": initial_stem}
  for norm in norms:
    state[f"{norm.name}/moving_mean"] = norm.moving_mean.numpy()
    state[f"{norm.name}/moving_variance"] = norm.moving_variance.numpy()
  for variable in model.trainable_variables:
    state[f"trained/{variable.path}"] = variable.numpy()
  np.savez(out, **state)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
  """The saved state of each (replicas, sync_batchnorm) run, run side by side."""
  tmp_path = tmp_path_factory.mktemp("sync_bn")
  processes = {}
  for replicas, sync in ((1, True), (2, True), (2, False)):
    out = str(tmp_path / f"{replicas}_{sync}.npz")
    processes[replicas, sync] = out, subprocess.Popen(
        [sys.executable, "-m", "tests.training.test_sync_batchnorm", str(replicas),
         str(int(sync)), out], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
  states = {}
  for key, (out, process) in processes.items():
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    states[key] = dict(np.load(out))
  return states


def _statistics(state):
  return {k: v for k, v in state.items() if k.endswith(("/moving_mean", "/moving_variance"))}


def test_layers_synchronize_only_across_several_replicas(runs):
  assert len(runs[1, True]["synchronized"]) == 20
  assert not runs[1, True]["synchronized"].any()  # One replica: the plain layer, as before.
  assert runs[2, True]["synchronized"].all()
  assert not runs[2, False]["synchronized"].any()


def test_two_replicas_give_the_one_replica_statistics_with_sync(runs):
  one, two = _statistics(runs[1, True]), _statistics(runs[2, True])
  assert len(one) == 40 and sorted(one) == sorted(two)
  for name, value in one.items():
    np.testing.assert_allclose(two[name], value, rtol=RTOL, atol=ATOL, err_msg=name)
  # The whole step, not only the statistics: the trained weights agree too.
  trained = [k for k in runs[1, True] if k.startswith("trained/")]
  for name in trained:
    np.testing.assert_allclose(runs[2, True][name], runs[1, True][name], rtol=RTOL, atol=ATOL,
                               err_msg=name)


def test_per_replica_statistics_differ_without_sync(runs):
  one, unsynced = _statistics(runs[1, True]), _statistics(runs[2, False])
  worst = max(np.max(np.abs(unsynced[k] - one[k]) / (np.abs(one[k]) + ATOL)) for k in one)
  assert worst > 100 * RTOL, worst


def test_stem_statistics_match_the_global_batch_by_hand(runs):
  """moving = 0.9 * initial + 0.1 * batch statistic, over all 16 images (biased variance)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  state = runs[2, True]
  stem = tf.nn.conv2d(_images(), state["initial_stem_kernel"], 1, "SAME").numpy()
  stem = stem.astype(np.float64).reshape(-1, stem.shape[-1])
  np.testing.assert_allclose(state["stem_bn/moving_mean"], 0.1 * stem.mean(0), rtol=RTOL,
                             atol=ATOL)
  np.testing.assert_allclose(state["stem_bn/moving_variance"], 0.9 + 0.1 * stem.var(0),
                             rtol=RTOL, atol=ATOL)


if __name__ == "__main__":
  _child(int(sys.argv[1]), bool(int(sys.argv[2])), sys.argv[3])
