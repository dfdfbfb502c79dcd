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

"""--jit_compile and --mixed_precision keep the results of the benign headline's setup.

The headline recipe (benchmarks/recipes/paper/benign_headline_gpu.cfg) in miniature: a
ResNet-18 at 1/16 width with the projector, PyTorch's initialisation, MSE, Adam 3e-4
(eps 1e-8), strong augmentation, on digits, a few steps on the CPU.

Tolerances, stated once:
  XLA          the same steps to float32 rounding: the epoch's summed loss to a relative
               XLA_LOSS_RTOL, every weight to XLA_WEIGHT_ATOL, a sixth of one Adam step
               (the kernels differ in summation order only, and Adam's normalised step
               amplifies that where a gradient is near zero). Measured here: loss 3e-7
               relative, weights 5e-6 at most after 3 steps. The augmentation runs in the
               input pipeline, outside the compiled step, so the views are the same bits.
  mixed        bfloat16 compute on the CPU (float16 on GPUs) with float32 weights: the
               epoch's loss to a relative MIXED_LOSS_RTOL of float32's (measured 4e-4);
               the record names the policy that ran.
"""

import keras
import numpy as np
import pytest

from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.results import record
from suite.training import run_spec
from suite.training import runner
from suite.training import trainer as trainer_lib
from tests.conftest import run_binary

XLA_LOSS_RTOL = 1e-5
XLA_WEIGHT_ATOL = 5e-5
MIXED_LOSS_RTOL = 1e-2

_MODEL = zoo.ModelConfig(name="resnet18", width_multiplier=1 / 16, bottleneck_dim=64,
                         init="torch")
_AUGMENT = augmentation.AugmentConfig(name="strong")


@pytest.fixture(scope="module")
def data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=96, test_size=50, label_noise=1.0, seed=3))


@pytest.fixture(scope="module")
def plain(data):
  """The float32 run without XLA that the others are compared with."""
  return _trained(data)


def _config(**changes):
  return trainer_lib.TrainConfig(**dict(dict(
      epochs=1, batch_size=32, loss="mse", optimizer="adam", learning_rate=3e-4,
      adam_epsilon=1e-8, seed=3), **changes))


def _trained(data, **changes):
  trainer = trainer_lib.Trainer(None, data, _MODEL, _AUGMENT, _config(**changes))
  initial = [w.numpy().copy() for w in trainer.model.weights]
  sums = trainer.train_epoch(1)
  return trainer, initial, sums


def test_xla_gives_the_same_losses_and_weights(data, plain):
  plain, plain_initial, plain_sums = plain
  xla, xla_initial, xla_sums = _trained(data, jit_compile=True)
  for a, b in zip(plain_initial, xla_initial):  # Same seed: the same starting point.
    np.testing.assert_array_equal(a, b)
  assert plain_sums["examples"] == xla_sums["examples"] == 96
  assert xla_sums["loss_sum"] == pytest.approx(plain_sums["loss_sum"], rel=XLA_LOSS_RTOL)
  assert xla_sums["correct_sum"] == plain_sums["correct_sum"]
  moved = 0.0
  for a, b, start in zip(plain.model.weights, xla.model.weights, plain_initial):
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=0, atol=XLA_WEIGHT_ATOL,
                               err_msg=a.path)
    moved = max(moved, float(np.max(np.abs(a.numpy() - start))))
  assert moved > 5 * XLA_WEIGHT_ATOL  # The steps moved the weights: the comparison can fail.


def test_mixed_precision_keeps_the_loss(data, plain):
  _, _, plain_sums = plain
  mixed, _, mixed_sums = _trained(data, mixed_precision=True)
  assert mixed.model.dtype_policy.name == "mixed_bfloat16"  # No GPU here.
  assert mixed.model.get_layer("logits").compute_dtype == "bfloat16"
  assert all(w.dtype == "float32" for w in mixed.model.trainable_weights)  # Master weights.
  assert mixed_sums["loss_sum"] == pytest.approx(plain_sums["loss_sum"], rel=MIXED_LOSS_RTOL)
  assert mixed_sums["loss_sum"] != plain_sums["loss_sum"]  # It did run in bfloat16.
  assert keras.mixed_precision.global_policy().name == "float32"  # Scoped to the run.


@pytest.mark.parametrize("mixed,policy", [(False, "float32"), (True, "mixed_bfloat16")])
def test_the_record_names_the_precision_that_ran(data, tmp_path, mixed, policy):
  # The record's field does not depend on the model: a small mlp keeps the test fast.
  spec = run_spec.RunSpec(
      output_dir=str(tmp_path / "run"), benchmark="test", data=datasets.DataConfig(
          dataset="digits", train_size=96, test_size=50, label_noise=1.0, seed=3),
      model=zoo.ModelConfig(name="mlp", width=8, depth=1), augment=_AUGMENT,
      train=_config(mixed_precision=mixed, jit_compile=True), flags={})
  result = runner.run(spec, data=data)
  assert result["status"] == "complete"
  assert result["model"]["precision"] == policy
  assert record.read(spec.output_dir)["model"]["precision"] == policy
  assert result["settings"]["train"]["jit_compile"] is True


def test_xla_with_several_replicas_is_refused_with_a_reason(data_dir, tmp_path):
  result = run_binary("benchmarks.train", f"--data_dir={data_dir}", "--dataset=digits",
                      "--train_size=128", "--test_size=50", "--model=mlp", "--width=8",
                      "--batch_size=32", "--epochs=1", "--noprobe", "--strategy=mirrored",
                      "--cpu_devices=2", "--jit_compile", f"--output_dir={tmp_path / 'run'}")
  assert result.returncode == 2, result.stderr[-2000:]
  assert "--jit_compile cannot be combined with 2 replicas under MirroredStrategy" in result.stderr
  assert "Traceback" not in result.stderr
