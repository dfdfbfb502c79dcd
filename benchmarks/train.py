r"""Trains any zoo model on any dataset, corruption and augmentation.

  python -m benchmarks.train --dataset=digits --model=mlp --label_noise=1 \
      --epochs=30 --output_dir=/tmp/runs/mlp_random

Writes to --output_dir: TensorBoard events, checkpoints, the per-example log
(--track_every) and result.json. Re-running the same command resumes.
"""

from absl import flags

from benchmarks import cli
from flags import data as data_flags
from flags import training as training_flags
from suite.training import runner

flags.mark_flag_as_required("output_dir")


def spec(benchmark: str) -> runner.RunSpec:
  return runner.RunSpec(
      output_dir=training_flags.OUTPUT_DIR.value, benchmark=benchmark,
      data=data_flags.data_config(), model=training_flags.model_config(),
      augment=data_flags.augment_config(),
      train=training_flags.train_config(data_flags.SEED.value),
      flags=training_flags.flag_values())


def main(argv):
  del argv
  strategy = training_flags.make_strategy()
  runner.run(spec("train"), strategy=strategy)


if __name__ == "__main__":
  cli.run(main)
