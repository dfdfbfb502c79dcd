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

r"""k-NN probing speed: ScaNN against scikit-learn and a TensorFlow matrix product.

  python -m benchmarks.knn_speed --dataset=fashion_mnist --model=resnet18 \
      --bank_size=10000 --query_size=2000
  python -m benchmarks.knn_speed --synthetic_sizes=60000,1000000 --synthetic_dim=128 \
      --synthetic_queries=1000

With --synthetic_sizes, measures the search alone on generated L2-normalised points
(suite.probing.speed.measure_synthetic): the approximate index's build time and
recall, and ScaNN's exact and approximate search time against scikit-learn's on the
same queries, side by side, one row per bank size; no model is built.

The measuring is suite.probing.speed's; this binary parses flags, builds the data
and the model, and prints.

Extracts every endpoint's features once (timed), then classifies the queries with
20-NN majority votes on the L2-normalised features by each method, side by side
in one run: wall time, peak extra memory (process RSS sampled every 2 ms above
the level before the method), and the accuracies, which must agree; for the
inexact ScaNN searchers (approximate index, quantized brute force, tree), also
their recall of the exact neighbours. Also times the query-bank similarity
product alone, in float32 (NumPy) and in bfloat16 (TensorFlow's oneDNN, which uses
the CPU's AVX512-BF16 or AMX units where it has them): the work any brute-force
search does, so scikit-learn's time over it bounds what a brute-force search on
this machine can gain. Ends with the time of one training epoch over the same bank
(extrapolated from timed steps) against the time of probing every endpoint.
"""

from absl import flags

from benchmarks import cli
from flags import benchmarking as benchmarking_flags
from flags import data as data_flags
from flags import knn_index
from flags import training as training_flags
from suite import errors
from suite import models
from suite.data import augmentation
from suite.data import datasets
from suite.probing import knn
from suite.probing import speed
from suite.training import precision
from suite.training import trainer as trainer_lib

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (benchmarking_flags, data_flags, knn_index, training_flags):
  flags.adopt_module_key_flags(_module)

BANK_SIZE = flags.DEFINE_integer(
    "bank_size", 0, "Training images in the bank, a class-balanced subset (0: the whole "
    "training split).", lower_bound=0)
QUERY_SIZE = flags.DEFINE_integer(
    "query_size", 0, "Test images queried, class-balanced (0: the whole test split).",
    lower_bound=0)
K = flags.DEFINE_integer("k", 20, "Neighbours.", lower_bound=1)
METHODS = flags.DEFINE_list(
    "methods", ["scann", "sklearn", "tensorflow"],
    "Methods compared: " + ", ".join(speed.METHODS) + ". scann: exact brute force; "
    "scann_approximate: the suite's tree + asymmetric hashing + reordering (--knn_* index "
    "flags); scann_int8, scann_bfloat16: brute force on quantized features; scann_tree: the "
    "same tree, exact scores in the searched leaves. Index builds are included in the times.")
SYNTHETIC_SIZES = flags.DEFINE_list(
    "synthetic_sizes", [], "Bank sizes of generated points (e.g. 60000,1000000): measure the "
    "search alone (ScaNN exact, the approximate index, scikit-learn) instead of a model's "
    "features; --methods and the data and model flags are then not used.")
SYNTHETIC_DIM = flags.DEFINE_integer("synthetic_dim", 128, "Width of the generated points.",
                                     lower_bound=2)
SYNTHETIC_QUERIES = flags.DEFINE_integer(
    "synthetic_queries", 1000, "Queries every method searches in the synthetic mode (the same "
    "for all; scikit-learn took 18 s per 1,000 queries at 1M points on the shared 2 cores).",
    lower_bound=1)


@flags.multi_flags_validator(["k", "bank_size"], message="--k must be below --bank_size.")
def _check_k(values):
  return not values["bank_size"] or values["k"] < values["bank_size"]


@flags.validator("methods", message="--methods must name distinct methods among "
                 + ", ".join(speed.METHODS) + ".")
def _check_methods(values):
  return bool(values) and len(set(values)) == len(values) and set(values) <= set(speed.METHODS)


@flags.validator("synthetic_sizes", message="--synthetic_sizes must be positive integers.")
def _check_sizes(values):
  return all(v.isdigit() and int(v) > 0 for v in values)


def main(argv):
  del argv
  index = knn.KnnConfig(ks=(K.value,), method="approximate", **knn_index.values())
  if SYNTHETIC_SIZES.value:
    speed.measure_synthetic(speed.SyntheticConfig(
        sizes=tuple(int(v) for v in SYNTHETIC_SIZES.value), dim=SYNTHETIC_DIM.value,
        queries=SYNTHETIC_QUERIES.value, k=K.value, seed=data_flags.SEED.value, index=index))
    return
  if knn_index.any_set() and not set(METHODS.value) & set(speed.INDEXED):
    raise errors.ConfigError("--knn_num_leaves, --knn_leaves_to_search, --knn_reorder and "
                             "--knn_training_sample_size set an index: they need "
                             + " or ".join(speed.INDEXED) + " in --methods")
  for method in METHODS.value:  # The benchmark names ScaNN's searchers: no fallback.
    if method.startswith("scann"):
      knn.require_scann(f"--methods={method}")
  config = speed.SpeedConfig(methods=tuple(METHODS.value), k=K.value, index=index)
  data_config = data_flags.data_config()
  data = datasets.load(datasets.DataConfig(**dict(
      data_config.__dict__, train_size=BANK_SIZE.value, test_size=QUERY_SIZE.value)))
  model_config = training_flags.model_config()
  train_config = training_flags.train_config(data_flags.SEED.value)
  with precision.scope(train_config.mixed_precision):  # The policy a run's model has.
    zoo_model = models.build_for(model_config, data.info, train_config.seed)
  print(data.info.summary())
  print(f"model {model_config.name}: endpoints {', '.join(zoo_model.endpoints)}")
  result = speed.measure(zoo_model, data, config)
  print("\n".join(speed.summary_lines(result)))
  # The training side of the comparison: a trainer that writes nowhere, timed.
  trainer = trainer_lib.Trainer(None, data, model_config, augmentation.AugmentConfig(),
                                train_config)
  trainer.train_epoch(1, max_steps=2)  # Warm-up: tracing.
  timed = trainer.train_epoch(2, max_steps=benchmarking_flags.TIMED_STEPS.value)
  print(speed.epoch_comparison(result, timed["seconds"], timed["examples"], len(data.train)))


if __name__ == "__main__":
  cli.run(main)
