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

r"""Gradient accounting's cost per epoch, and the time of one full rewinding pass.

  python tools/gradient_accounting_cost.py --dataset=fashion_mnist --train_size=10000 \
      --test_size=1000 --label_noise=0.1 --augmentation=none --model=cnn_small \
      --width_multiplier=0.5 --depth=3 --batch_size=32 --epochs=6

Takes benchmarks.train's data, model and training flags (a recipe's --flagfile too; flags
about the run directory and probing are read and ignored) and writes nothing but a
temporary directory it removes. The trainer of benchmarks.train (writing nowhere) trains
--epochs epochs; after each, the hook's measure (suite.measures.gradient_accounting:
--gradacc_samples examples, half corrupted and half clean, in batches of the training batch
size) runs once, as on an accounted epoch. Both are timed in wall seconds and in the
process's CPU seconds (all threads): on a machine shared with other jobs the CPU seconds
are the work done and hardly move with the load, the wall seconds are what a run waits.
Epoch 0's accounting traces the gradient function and is not timed.

Prints, per epoch: the training epoch's and the accounting's seconds and their ratio; then
the medians over the epochs after the first (whose steps trace the training step), against
the target of at most 10% with a 512-example sample. Then one full rewinding pass
(suite.measures.rewinding.localize, benchmarks.rewind_probe's pass) of the trained model to
its initialisation: every block alone rewound and the fit of the training and test images
measured after each, with retraining's seconds where --retrain_epochs asks for it (0 here
unless given).
"""

import os
import statistics
import sys
import tempfile
import time

from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable=g-import-not-at-top,wrong-import-position  (the repository root first)
from benchmarks import cli
from flags import data as data_flags
from flags import localization as localization_flags
from flags import probing as probing_flags  # A recipe's --knn_k: read, not used.
from flags import rewinding as rewinding_flags
from flags import training as training_flags
from suite import errors
from suite.data import datasets
from suite.measures import gradient_accounting
from suite.measures import rewinding
from suite.training import trainer as trainer_lib

for _module in (data_flags, training_flags, localization_flags, rewinding_flags):
  flags.adopt_module_key_flags(_module)
del probing_flags

TARGET = 0.10  # The target: at most 10% of an epoch with a 512-example sample.
DEFAULTS = {"gradacc_samples": 512, "retrain_epochs": 0}


def _clocks() -> tuple[float, float]:
  return time.perf_counter(), time.process_time()


def measure(data: datasets.Data, trainer: trainer_lib.Trainer, samples: int,
            report=print) -> list[dict]:
  """Per trained epoch: {'epoch', 'wall', 'cpu', 'acc_wall', 'acc_cpu'} seconds.

  Args:
    data: the run's data.
    trainer: a trainer writing nowhere, at epoch 0.
    samples: gradient accounting's sample (both groups together).
    report: called with a line per epoch.
  """
  config = trainer.config
  groups = gradient_accounting.sample_groups(data.train, samples, config.seed)
  if not all(len(rows) for rows in groups.values()):
    raise errors.ConfigError("gradient accounting needs corrupted and clean training "
                             "examples: pass --label_noise between 0 and 1")
  accounting = gradient_accounting.GradientAccounting(
      trainer.zoo_model, data.info.num_classes, config.loss,
      max(1, config.batch_size // trainer.strategy.num_replicas_in_sync))
  accounting.measure(data.train, groups)  # Epoch 0: traces the gradient function.
  rows = []
  for epoch in range(1, config.epochs + 1):
    wall, cpu = _clocks()
    trainer.train_epoch(epoch)
    trained_wall, trained_cpu = _clocks()
    accounting.measure(data.train, groups)
    done_wall, done_cpu = _clocks()
    row = {"epoch": epoch, "wall": trained_wall - wall, "cpu": trained_cpu - cpu,
           "acc_wall": done_wall - trained_wall, "acc_cpu": done_cpu - trained_cpu}
    rows.append(row)
    report(f"{epoch:>5}  {row['wall']:>8.2f}  {row['acc_wall']:>8.3f}  "
           f"{row['acc_wall'] / row['wall']:>6.1%}  {row['cpu']:>8.2f}  {row['acc_cpu']:>8.3f}  "
           f"{row['acc_cpu'] / row['cpu']:>6.1%}")
  return rows


def summary_line(rows: list[dict], samples: int) -> str:
  """Medians over the epochs after the first, against the target."""
  timed = rows[1:] or rows
  med = lambda key: statistics.median(r[key] for r in timed)
  wall = med("acc_wall") / med("wall")
  cpu = med("acc_cpu") / med("cpu")
  target = (f"target at most {TARGET:.0%}: {'met' if max(wall, cpu) <= TARGET else 'NOT met'}"
            if samples == 512 else f"the target of at most {TARGET:.0%} is for 512 examples")
  return (f"median over epochs 2-{rows[-1]['epoch']}: accounting {med('acc_wall'):.3f} s of a "
          f"{med('wall'):.2f} s epoch = {wall:.1%} (wall); {med('acc_cpu'):.3f} of "
          f"{med('cpu'):.2f} CPU s = {cpu:.1%} (CPU); per epoch at --gradacc_every=N, 1/N of "
          f"that ({target})")


def main(argv):
  del argv
  samples = localization_flags.GRADACC_SAMPLES.value
  if samples < 2 or training_flags.EPOCHS.value < 2:
    raise errors.ConfigError("the cost is measured on at least two trained epochs with "
                             "gradient accounting: pass --epochs >= 2 and --gradacc_samples "
                             ">= 2")
  config = rewinding_flags.rewind_config()
  data = datasets.load(data_flags.data_config())
  model_config = training_flags.model_config()
  train_config = training_flags.train_config(data_flags.SEED.value)
  trainer = trainer_lib.Trainer(None, data, model_config, data_flags.augment_config(),
                                train_config, strategy=training_flags.make_strategy())
  corrupted = int(data.train.corrupted.sum())
  noisy, clean = min(samples // 2, corrupted), min(samples // 2, len(data.train) - corrupted)
  print(f"gradient accounting on {noisy + clean} examples ({noisy} corrupted + {clean} clean) "
        f"of {len(data.train):,}; {model_config.name}, batch {train_config.batch_size}")
  print(f"{'epoch':>5}  {'epoch s':>8}  {'acc. s':>8}  {'ratio':>6}  {'epoch CPU':>8}  "
        f"{'acc. CPU':>8}  {'ratio':>6}", flush=True)
  with tempfile.TemporaryDirectory(prefix="gradient_accounting_cost_") as kept:
    rewinding.save_weights(trainer.model, kept, 0)
    rows = measure(data, trainer, samples, report=lambda line: print(line, flush=True))
    print(summary_line(rows, noisy + clean), flush=True)
    rewinding.save_weights(trainer.model, kept, train_config.epochs)
    result = rewinding.localize(model_config, data, kept, train_config.epochs, 0, config,
                                train_config.loss, train_config.seed)
  seconds, blocks = result["seconds"], result["blocks"]
  line = (f"one full rewinding pass over {len(blocks)} blocks ({', '.join(blocks)}), each "
          f"rewound alone to epoch 0 and the fit of {len(data.train):,} training and "
          f"{len(data.test):,} test images measured: {seconds['rewinding']:.2f} s")
  if result["retrained"]:
    line += (f"; retraining each for {config.retrain_epochs} epoch(s) on the clean examples: "
             f"{seconds['retraining']:.2f} s more")
  print(line)


if __name__ == "__main__":
  for _name, _value in DEFAULTS.items():
    flags.FLAGS.set_default(_name, _value)
  cli.run(main)
