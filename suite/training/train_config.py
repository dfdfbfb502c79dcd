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

"""A training run's settings (`TrainConfig`), each checked once, when the config is made.

What the settings cannot say alone (the batch against the training set and the
replicas) is checked when the trainer meets the data and the strategy (trainer.Trainer).
"""

import dataclasses

from suite import entries
from suite import errors
from suite.models import losses

LOSSES = losses.LOSSES
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine", "step")
WEIGHT_DECAY_MODES = ("decoupled", "l2")  # See suite.training.optimizers.


@dataclasses.dataclass(frozen=True)
class TrainConfig:
  epochs: int = 10
  batch_size: int = 128  # Global: split across replicas.
  loss: str = "cross_entropy"
  optimizer: str = "adam"
  learning_rate: float = 1e-3
  momentum: float = 0.9  # sgd
  nesterov: bool = False  # sgd
  weight_decay: float = 0.0  # See weight_decay_mode.
  weight_decay_mode: str = "decoupled"  # WEIGHT_DECAY_MODES: by the optimizer / L2 loss.
  adam_epsilon: float = 1e-7  # adam, adamw (Keras' default; PyTorch's is 1e-8).
  lr_schedule: str = "constant"
  warmup_epochs: int = 0
  input_noise_std: float = 0.0  # Gaussian noise added to training inputs (a regularizer).
  # Adversarial training (FGSM, Goodfellow et al.): train on x + eps * sign(dL/dx) in [0, 1].
  adversarial_epsilon: float = 0.0
  eval_every: int = 1
  track_every: int = 0  # Per-example log every N epochs (0: off).
  checkpoint_every: int = 1
  eval_batch_size: int = 512
  mixed_precision: bool = False
  jit_compile: bool = False
  deterministic: bool = False
  # A method entry package.module:function (suite.methods); empty: none.
  method: str = ""
  seed: int = 0

  def __post_init__(self):
    if self.loss not in LOSSES:
      raise errors.ConfigError(f"unknown loss {self.loss!r}; expected one of {LOSSES}")
    if self.optimizer not in OPTIMIZERS:
      raise errors.ConfigError(f"unknown optimizer {self.optimizer!r}; expected one of {OPTIMIZERS}")
    if self.lr_schedule not in SCHEDULES:
      raise errors.ConfigError(f"unknown schedule {self.lr_schedule!r}; expected one of {SCHEDULES}")
    for name in ("epochs", "batch_size", "eval_every", "checkpoint_every", "eval_batch_size"):
      if getattr(self, name) < 1:
        raise errors.ConfigError(f"{name} must be >= 1")
    if self.learning_rate <= 0:
      raise errors.ConfigError("learning_rate must be > 0")
    if self.weight_decay_mode not in WEIGHT_DECAY_MODES:
      raise errors.ConfigError(f"unknown weight_decay_mode {self.weight_decay_mode!r}; expected "
                               f"one of {WEIGHT_DECAY_MODES}")
    if self.weight_decay_mode == "l2" and self.optimizer == "adamw":
      raise errors.ConfigError("adamw's weight decay is decoupled by definition; use "
                               "--optimizer=adam with --weight_decay_mode=l2")
    if self.adam_epsilon <= 0:
      raise errors.ConfigError("adam_epsilon must be > 0")
    if self.input_noise_std < 0 or self.adversarial_epsilon < 0:
      raise errors.ConfigError("input_noise_std and adversarial_epsilon must be >= 0")
    if self.method and not entries.is_reference(self.method):
      raise errors.ConfigError(f"method {self.method!r} is not a reference of the form "
                               "package.module:function")
    if self.deterministic and self.jit_compile:
      raise errors.ConfigError("--deterministic and --jit_compile cannot be combined: XLA has "
                               "no deterministic kernels for some ops (max-pool gradients)")
