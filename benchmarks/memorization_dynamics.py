r"""Memorization dynamics (Arpit et al.): noise fitted after real data, per example.

  python -m benchmarks.memorization_dynamics --dataset=fashion_mnist --train_size=1000 \
      --label_noise=0.5 --model=mlp --epochs=60 --batch_size=32 --seeds=0,1,2 \
      --validation_size=1000 --output_dir=/tmp/runs/dynamics

Noise kinds: --label_noise (random labels) and --input_corruption={random_pixels,
shuffled_pixels,gaussian} with --input_corruption_fraction. Data and noise are fixed
by --seed; --seeds are the training seeds compared. Regularizers are flags of the
runs (--dropout, --input_noise_std, --weight_decay): compare their records on the
leaderboard.
"""

from absl import flags

from benchmarks import cli
from benchmarks import train
from flags import training as training_flags
from suite.experiments import memorization_dynamics
from suite.measures import sensitivity
from suite.results import claims

SEEDS = flags.DEFINE_list("seeds", ["0", "1"], "Training seeds (data and noise stay fixed).")
CSR_SAMPLES = flags.DEFINE_integer("csr_samples", 300, "Examples (half clean, half corrupted) "
                                   "for CSR and loss sensitivity.", lower_bound=2)
CSR_RADIUS = flags.DEFINE_float("csr_radius", 0.3 / 255, "L-inf radius of the search.", lower_bound=0)
CSR_STEP = flags.DEFINE_float("csr_step", 0.25 / 255, "Signed-gradient step.", lower_bound=0)
CSR_NOISE = flags.DEFINE_float("csr_noise", 0.2 / 255, "Langevin noise scale.", lower_bound=0)
CSR_ITERATIONS = flags.DEFINE_integer("csr_iterations", 100, "Search steps.", lower_bound=1)

flags.FLAGS.set_default("label_noise", 0.5)


@flags.validator("seeds", message="--seeds must be non-negative integers.")
def _check_seeds(values):
  return bool(values) and all(v.isdigit() for v in values)


def main(argv):
  del argv
  csr = sensitivity.CsrConfig(radius=CSR_RADIUS.value, step=CSR_STEP.value,
                              noise=CSR_NOISE.value, iterations=CSR_ITERATIONS.value)
  experiment = memorization_dynamics.run(
      train.spec("memorization_dynamics"), [int(s) for s in SEEDS.value], CSR_SAMPLES.value,
      csr, strategy=training_flags.make_strategy())
  for key, value in experiment["metrics"].items():
    print(f"{key:<55} {value:.4f}" if isinstance(value, float) else f"{key:<55} {value}")
  print("claims:")
  print(claims.format_lines(experiment["claims"]))


if __name__ == "__main__":
  cli.run(main)
