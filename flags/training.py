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

"""Model, optimisation, strategy and output flags, and their config objects."""

from absl import flags
import tensorflow as tf

from suite import entries
from suite.models import zoo
from suite.training import optimizers
from suite.training import strategies
from suite.training import trainer

# Model.
MODEL = flags.DEFINE_string(
    "model", "mlp",
    f"A zoo model ({', '.join(zoo.MODELS)}), or an entry package.module:function that "
    "builds one (docs/tracks.md: (input_shape, num_classes, seed) -> suite.models.ZooModel).")
METHOD = flags.DEFINE_string(
    "method", "",
    "A training-time intervention package.module:function (docs/tracks.md: (num_classes, "
    "seed) -> suite.methods.Method: a batch transform, an extra loss term, hooks); empty: "
    "none.")
WIDTH = flags.DEFINE_integer("width", 512, "mlp: hidden units per layer.", lower_bound=1)
DEPTH = flags.DEFINE_integer("depth", 2, "mlp: hidden layers; cnn_small: conv modules.", lower_bound=1)
WIDTH_MULTIPLIER = flags.DEFINE_float("width_multiplier", 1.0, "cnn_small, resnet18: channels x.",
                                      lower_bound=1e-3)
DROPOUT = flags.DEFINE_float("dropout", 0.0, "Dropout after hidden layers.", lower_bound=0.0,
                             upper_bound=0.99)
BOTTLENECK_DIM = flags.DEFINE_integer(
    "bottleneck_dim", 0, "Projector width after the encoder (0: a plain linear head).",
    lower_bound=0)
INIT = flags.DEFINE_enum(
    "init", "keras", zoo.INITS,
    "Weight initialisation. keras: glorot-uniform kernels, zero biases (Keras' defaults). "
    "torch: the reference's (sanagno/benign_memorization, PyTorch ResNet-18): resnet18 "
    "convolutions kaiming-normal, mode fan_out, ReLU gain, untruncated; Linear layers "
    "(projector, classifier) PyTorch's default U(+-1/sqrt(fan_in)) for weights and biases; "
    "mlp and cnn_small, which no reference fixes, PyTorch's nn.Linear / nn.Conv2d defaults "
    "U(+-1/sqrt(fan_in)). BatchNorm gamma 1, beta 0 in both.")
SYNC_BATCHNORM = flags.DEFINE_bool(
    "sync_batchnorm", True,
    "BatchNorm statistics over the global batch across replicas, as the reference's "
    "SyncBatchNorm (no effect with one replica); false: per-replica statistics.")
# Optimisation.
EPOCHS = flags.DEFINE_integer("epochs", 10, "Training epochs.", lower_bound=1)
BATCH_SIZE = flags.DEFINE_integer("batch_size", 128, "Global batch size.", lower_bound=1)
LOSS = flags.DEFINE_enum("loss", "cross_entropy", trainer.LOSSES, "Training loss on one-hot targets.")
OPTIMIZER = flags.DEFINE_enum("optimizer", "adam", trainer.OPTIMIZERS, "Optimizer.")
LEARNING_RATE = flags.DEFINE_float("learning_rate", 1e-3, "Peak learning rate.", lower_bound=0.0)
MOMENTUM = flags.DEFINE_float("momentum", 0.9, "SGD momentum.", lower_bound=0.0, upper_bound=1.0)
NESTEROV = flags.DEFINE_bool("nesterov", False, "SGD with Nesterov momentum.")
WEIGHT_DECAY = flags.DEFINE_float("weight_decay", 0.0, "Weight decay (see --weight_decay_mode).",
                                   lower_bound=0.0)
WEIGHT_DECAY_MODE = flags.DEFINE_enum(
    "weight_decay_mode", "decoupled", optimizers.WEIGHT_DECAY_MODES,
    "decoupled: the optimizer decays every trainable variable (Keras weight_decay). l2: "
    "Arpit et al.'s coupled L2 penalty, weight_decay / 2 * sum of squared kernel weights "
    "(Dense and Conv2D; not biases or BatchNorm) added to the loss, gradient weight_decay * w; "
    "the optimizer has no decay. Not with --optimizer=adamw.")
ADAM_EPSILON = flags.DEFINE_float(
    "adam_epsilon", 1e-7, "Adam / AdamW epsilon (Keras' default 1e-7; the reference's PyTorch "
    "Adam uses 1e-8).", lower_bound=0.0)
LR_SCHEDULE = flags.DEFINE_enum("lr_schedule", "constant", trainer.SCHEDULES, "Learning-rate schedule.")
WARMUP_EPOCHS = flags.DEFINE_integer("warmup_epochs", 0, "Linear warm-up (cosine).", lower_bound=0)
INPUT_NOISE_STD = flags.DEFINE_float("input_noise_std", 0.0, "Gaussian input noise (regularizer).",
                                     lower_bound=0.0)
ADVERSARIAL_EPSILON = flags.DEFINE_float(
    "adversarial_epsilon", 0.0, "FGSM adversarial training radius, inputs in [0, 1] "
    "(regularizer; 0: off).", lower_bound=0.0)
EVAL_EVERY = flags.DEFINE_integer("eval_every", 1, "Measure every N epochs.", lower_bound=1)
TRACK_EVERY = flags.DEFINE_integer("track_every", 0, "Per-example log every N epochs (0: off).",
                                   lower_bound=0)
CHECKPOINT_EVERY = flags.DEFINE_integer("checkpoint_every", 1, "Checkpoint every N epochs.",
                                        lower_bound=1)
MIXED_PRECISION = flags.DEFINE_bool("mixed_precision", False, "float16 (GPU) / bfloat16 compute.")
JIT_COMPILE = flags.DEFINE_bool("jit_compile", False, "XLA-compile the training step.")
DETERMINISTIC = flags.DEFINE_bool("deterministic", False, "TensorFlow op determinism.")
# Where and how it runs.
STRATEGY = flags.DEFINE_enum("strategy", "default", strategies.STRATEGIES,
                             "tf.distribute strategy (multi_worker reads TF_CONFIG).")
CPU_DEVICES = flags.DEFINE_integer(
    "cpu_devices", 0, "Split the CPU into N logical devices (mirroring without GPUs).",
    lower_bound=0)
TPU = flags.DEFINE_string("tpu", "", "TPU address for --strategy=tpu (empty: from the environment).")
OUTPUT_DIR = flags.DEFINE_string("output_dir", None,
                                 "Run directory (local or bucket path); re-using it resumes.")
EXTEND = flags.DEFINE_bool(
    "extend", False, "Train the runs in --output_dir on to --epochs (more than they have), "
    "from their last checkpoints, keeping their history. Without it, a run directory with "
    "other settings is refused.")
PROGRESS = flags.DEFINE_bool(
    "progress", None, "In-epoch progress (steps, elapsed, ETA) on one rewritten line. "
    "Default: only when the output is a terminal; --progress forces it (e.g. in a log "
    "watched with tail -f), --noprogress turns it off.")


@flags.validator("learning_rate", message="--learning_rate must be > 0.")
def _check_learning_rate(value):
  return value > 0


@flags.validator("model", message=f"--model must be one of {zoo.MODELS} or a reference "
                 "package.module:function.")
def _check_model(value):
  return value in zoo.MODELS or entries.is_reference(value)


@flags.validator("method", message="--method must be empty or a reference "
                 "package.module:function.")
def _check_method(value):
  return not value or entries.is_reference(value)


def model_config() -> zoo.ModelConfig:
  return zoo.ModelConfig(name=MODEL.value, width=WIDTH.value, depth=DEPTH.value,
                         width_multiplier=WIDTH_MULTIPLIER.value, dropout=DROPOUT.value,
                         bottleneck_dim=BOTTLENECK_DIM.value, init=INIT.value,
                         sync_batchnorm=SYNC_BATCHNORM.value)


def train_config(seed: int) -> trainer.TrainConfig:
  return trainer.TrainConfig(
      epochs=EPOCHS.value, batch_size=BATCH_SIZE.value, loss=LOSS.value,
      optimizer=OPTIMIZER.value, learning_rate=LEARNING_RATE.value, momentum=MOMENTUM.value,
      nesterov=NESTEROV.value, weight_decay=WEIGHT_DECAY.value,
      weight_decay_mode=WEIGHT_DECAY_MODE.value, adam_epsilon=ADAM_EPSILON.value,
      lr_schedule=LR_SCHEDULE.value,
      warmup_epochs=WARMUP_EPOCHS.value, input_noise_std=INPUT_NOISE_STD.value,
      adversarial_epsilon=ADVERSARIAL_EPSILON.value,
      eval_every=EVAL_EVERY.value, track_every=TRACK_EVERY.value,
      checkpoint_every=CHECKPOINT_EVERY.value, mixed_precision=MIXED_PRECISION.value,
      jit_compile=JIT_COMPILE.value, deterministic=DETERMINISTIC.value, method=METHOD.value,
      seed=seed)


def make_strategy() -> tf.distribute.Strategy:
  """The strategy the flags ask for; splits the CPU first if --cpu_devices is set."""
  if CPU_DEVICES.value:
    strategies.split_cpu(CPU_DEVICES.value)
  return strategies.make(STRATEGY.value, tpu_address=TPU.value)


def flag_values() -> dict:
  """Every flag the suite defines (not absl's own), as given: the run's `config`."""
  values = {}
  for module, module_flags in flags.FLAGS.flags_by_module_dict().items():
    ours = module.split(".")[0] in ("flags", "benchmarks")
    if ours or module.endswith(".py"):
      for flag in module_flags:
        # absltest's test_* flags belong to the test runner; ours (test_size) are settings.
        if flag.name != "flagfile" and (ours or not flag.name.startswith("test_")):
          values[flag.name] = flag.value
  return dict(sorted(values.items()))
