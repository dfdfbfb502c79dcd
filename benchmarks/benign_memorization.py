r"""Benign memorization: random labels with and without augmentation, probed per layer.

  python -m benchmarks.benign_memorization --dataset=digits --model=mlp --label_noise=1 \
      --augmentation=strong --num_views=4 --epochs=40 --output_dir=/tmp/runs/benign

Trains the conditions of suite.experiments.benign_memorization under --output_dir
(one run directory each, resumable), prints a table of fit, test accuracy and the
best k-NN layer per condition, and the claims report; writes it all to
--output_dir/result.json.
"""

from absl import flags

from benchmarks import cli
from benchmarks import train
from flags import probing as probing_flags
from flags import training as training_flags
from suite.experiments import benign_memorization
from suite.results import claims

flags.FLAGS.set_default("label_noise", 1.0)
flags.FLAGS.set_default("augmentation", "strong")


def main(argv):
  del argv
  strategy = training_flags.make_strategy()
  experiment = benign_memorization.run(train.spec("benign_memorization"),
                                       probing_flags.probe_config(),
                                       probing_flags.PROBE_EVERY.value, strategy=strategy)
  print(benign_memorization.table(experiment))
  print("claims:")
  print(claims.format_lines(experiment["claims"]))


if __name__ == "__main__":
  cli.run(main)
