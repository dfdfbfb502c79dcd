r"""k-NN probing speed: ScaNN against scikit-learn and a TensorFlow matrix product.

  python -m benchmarks.knn_speed --dataset=fashion_mnist --model=resnet18 \
      --bank_size=10000 --query_size=2000

Extracts every endpoint's features once (timed), then classifies the queries with
20-NN majority votes on the L2-normalised features by each method, side by side
in one run: wall time, peak extra memory (process RSS sampled every 2 ms above
the level before the method), and the accuracies, which must agree; for the
inexact ScaNN searchers (approximate index, quantized brute force, tree), also
their recall of the exact neighbours. Also times the query-bank similarity
product alone, in float32 (NumPy) and in bfloat16 (TensorFlow, which uses the
CPU's AMX or AVX512-BF16 units where it has them): the work any brute-force
search does, so scikit-learn's time over it bounds what a brute-force search on
this machine can gain. Ends with the time of one training epoch over the same bank
(extrapolated from timed steps) against the time of probing every endpoint.
"""

import threading
import time
import timeit

from absl import flags
import numpy as np
import psutil
import tensorflow as tf

from benchmarks import cli
from flags import benchmarking as benchmarking_flags
from flags import data as data_flags
from flags import knn_index
from flags import training as training_flags
from suite import errors
from suite.data import augmentation
from suite.data import datasets
from suite.probing import features
from suite.probing import knn
from suite.training import trainer as trainer_lib

BANK_SIZE = flags.DEFINE_integer("bank_size", 10000, "Training images in the bank.", lower_bound=20)
QUERY_SIZE = flags.DEFINE_integer("query_size", 2000, "Test images queried.", lower_bound=1)
K = flags.DEFINE_integer("k", 20, "Neighbours.", lower_bound=1)
# The suite's search methods by benchmark name.
_SUITE = {"scann": "brute_force", "scann_approximate": "approximate", "tensorflow": "exact_tf"}
# Other ScaNN searchers, measured here to show what they cost and how many of the exact
# neighbours they find; the suite does not offer them (none was faster at equal accuracy).
_OTHER_SCANN = ("scann_int8", "scann_bfloat16", "scann_tree")
_ALL = (*_SUITE, *_OTHER_SCANN, "sklearn")
_INDEXED = ("scann_approximate", "scann_tree")  # Methods the --knn_* index flags configure.
METHODS = flags.DEFINE_list(
    "methods", ["scann", "sklearn", "tensorflow"],
    "Methods compared: " + ", ".join(_ALL) + ". scann: exact brute force; scann_approximate: "
    "the suite's tree + asymmetric hashing + reordering (--knn_* index flags); scann_int8, "
    "scann_bfloat16: brute force on quantized features; scann_tree: the same tree, exact "
    "scores in the searched leaves. Index builds are included in the times.")


@flags.multi_flags_validator(["k", "bank_size"], message="--k must be below --bank_size.")
def _check_k(values):
  return values["k"] < values["bank_size"]


@flags.validator("methods", message="--methods must name distinct methods among "
                 + ", ".join(_ALL) + ".")
def _check_methods(values):
  return bool(values) and len(set(values)) == len(values) and set(values) <= set(_ALL)


class PeakMemory:
  """Peak resident memory above the level at entry, sampled in a thread."""

  def __init__(self, interval=0.002):
    self.interval = interval
    self.process = psutil.Process()

  def __enter__(self):
    self.base = self.process.memory_info().rss
    self.peak = self.base
    self._stop = threading.Event()
    self._thread = threading.Thread(target=self._sample, daemon=True)
    self._thread.start()
    return self

  def _sample(self):
    while not self._stop.is_set():
      self.peak = max(self.peak, self.process.memory_info().rss)
      time.sleep(self.interval)

  def __exit__(self, *exc):
    self._stop.set()
    self._thread.join()
    self.peak = max(self.peak, self.process.memory_info().rss)
    self.extra_mb = (self.peak - self.base) / 2**20


def _other_scann_searcher(method, bank, k, index: knn.KnnConfig):
  import scann  # pylint: disable=g-import-not-at-top
  from scann.scann_ops.py import scann_builder  # pylint: disable=g-import-not-at-top
  builder = scann.scann_ops_pybind.builder(bank, k, "dot_product")
  if method == "scann_int8":
    return builder.score_brute_force(scann_builder.ReorderType.INT8).build()
  if method == "scann_bfloat16":
    return builder.score_brute_force(scann_builder.ReorderType.BFLOAT16).build()
  leaves, to_search, sample = knn.index_size(index, len(bank), k)
  return builder.tree(num_leaves=leaves, num_leaves_to_search=to_search,
                      training_sample_size=sample).score_brute_force().build()


def product_seconds(bank, queries, precision, repeats=3):
  """Best time of the similarity product `queries @ bank.T` alone in `precision`: float32
  with NumPy's BLAS, bfloat16 with TensorFlow (oneDNN), cast before timing as a search
  would store its bank."""
  if precision == "float32":
    multiply = lambda: np.dot(queries, bank.T)
  else:
    bank_bf16, queries_bf16 = tf.cast(bank, tf.bfloat16), tf.cast(queries, tf.bfloat16)
    # Eager CPU ops return when done, so the call's time is the product's.
    multiply = lambda: tf.matmul(queries_bf16, bank_bf16, transpose_b=True)
  return min(timeit.repeat(multiply, number=1, repeat=repeats))


def classify(method, bank, bank_labels, queries, k, num_classes, index: knn.KnnConfig):
  """(predicted classes by k-NN majority vote, neighbour indices or None).

  `index` sizes the tree of scann_approximate and scann_tree. Ties go to the lowest
  class, as in scikit-learn.
  """
  if method == "sklearn":
    from sklearn import neighbors  # pylint: disable=g-import-not-at-top
    # As in the papers' public code: default KNeighborsClassifier (Euclidean distance,
    # which orders L2-normalised features exactly as cosine similarity does).
    classifier = neighbors.KNeighborsClassifier(n_neighbors=k).fit(bank, bank_labels)
    return classifier.predict(queries), None
  if method == "scann_approximate":
    indices, _ = knn.search(bank, queries, k, index)
  elif method in _SUITE:
    indices, _ = knn.search(bank, queries, k, knn.KnnConfig(ks=(k,), method=_SUITE[method]))
  else:
    searcher = _other_scann_searcher(method, bank, min(k, len(bank)), index)
    indices, _ = searcher.search_batched_parallel(queries, final_num_neighbors=min(k, len(bank)))
  votes = np.zeros((len(queries), num_classes), np.int64)
  np.add.at(votes, (np.arange(len(queries))[:, None], bank_labels[indices]), 1)
  return votes.argmax(1), indices


def main(argv):
  del argv
  if knn_index.any_set() and not set(METHODS.value) & set(_INDEXED):
    raise errors.ConfigError("--knn_num_leaves, --knn_leaves_to_search, --knn_reorder and "
                             "--knn_training_sample_size set an index: they need "
                             + " or ".join(_INDEXED) + " in --methods")
  index = knn_index.apply(knn.KnnConfig(ks=(K.value,), method="approximate"))  # Bad sizes fail now.
  config = data_flags.data_config()
  data = datasets.load(datasets.DataConfig(**dict(
      config.__dict__, train_size=BANK_SIZE.value, test_size=QUERY_SIZE.value)))
  model_config = training_flags.model_config()
  train_config = training_flags.train_config(data_flags.SEED.value)
  trainer = trainer_lib.Trainer("/tmp/unused", data, model_config, augmentation.AugmentConfig(),
                                train_config, write_outputs=False)
  print(data.info.summary())
  print(f"model {model_config.name}: endpoints {', '.join(trainer.zoo_model.endpoints)}")

  start = time.perf_counter()
  bank_features = features.extract(trainer.zoo_model, data.train.images)
  query_features = features.extract(trainer.zoo_model, data.test.images)
  extract_seconds = time.perf_counter() - start
  print(f"feature extraction, all endpoints, {len(data.train) + len(data.test)} images: "
        f"{extract_seconds:.1f} s")

  totals = {m: 0.0 for m in METHODS.value}
  products, product_flops = {"float32": 0.0, "bfloat16": 0.0}, 0
  header = f"{'endpoint':<12} {'dim':>6} " + " ".join(
      f"{m + ' s':>12} {m + ' MB':>11} {m + ' acc':>11}" for m in METHODS.value)
  # Recall of the exact neighbours, for each inexact ScaNN method, when an exact one runs too.
  exact_method = next((m for m in ("scann", "tensorflow") if m in METHODS.value), None)
  inexact = [m for m in METHODS.value if m in ("scann_approximate", *_OTHER_SCANN)]
  if exact_method:
    header += "".join(f" {m + ' recall':>15}" for m in inexact)
    # How alike the features are: the mean similarity of a query to the bank, and how much
    # closer the 1st neighbour is than the k-th (what a quantized search must resolve).
    header += f" {'mean sim':>9} {'sim 1-k':>9}"
  header += f" {'product s':>10} {'bf16 prod s':>11}"
  print(header)
  print("-" * len(header))
  for name in trainer.zoo_model.endpoints:
    neighbours = {}
    bank = knn.l2_normalize(bank_features[name])
    queries = knn.l2_normalize(query_features[name])
    cells = []
    for method in METHODS.value:
      with PeakMemory() as memory:
        started = time.perf_counter()
        predicted, neighbours[method] = classify(method, bank, data.train.clean_labels, queries,
                                                 K.value, data.info.num_classes, index)
        seconds = time.perf_counter() - started
      totals[method] += seconds
      accuracy = float(np.mean(predicted == data.test.labels))
      cells.append(f"{seconds:>12.3f} {memory.extra_mb:>11.1f} {accuracy:>11.4f}")
    if exact_method:
      exact = neighbours[exact_method]
      cells += [f"{knn.recall(neighbours[m], exact):>15.4f}" for m in inexact]
      mean_similarity = float(queries.mean(0) @ bank.mean(0))  # Mean over all pairs.
      gap = np.mean(np.sum(queries * (bank[exact[:, 0]] - bank[exact[:, -1]]), axis=1))
      cells.append(f"{mean_similarity:>9.4f} {gap:>9.2e}")
    product_flops += 2 * len(queries) * bank.size
    for precision, width in zip(products, (10, 11)):
      product_time = product_seconds(bank, queries, precision)
      products[precision] += product_time
      cells.append(f"{product_time:>{width}.3g}")
    print(f"{name:<12} {bank.shape[1]:>6} " + " ".join(cells), flush=True)
  print("total k-NN seconds: " + ", ".join(f"{m} {s:.2f}" for m, s in totals.items()))
  for method in totals:
    if method.startswith("scann") and "sklearn" in totals:
      print(f"scikit-learn / {method} time: {totals['sklearn'] / totals[method]:.1f}x")
  for precision, seconds in products.items():
    print(f"{precision} similarity products alone, every endpoint (the work of any brute-force "
          f"search): {seconds:.3g} s for {product_flops / 1e9:.3g} GFLOP "
          f"({product_flops / seconds / 1e9:.0f} GFLOP/s)")
  if "sklearn" in totals:
    print(f"scikit-learn / float32 similarity products: "
          f"{totals['sklearn'] / products['float32']:.3g}x, the most a brute-force search with "
          f"this machine's float32 matrix product can gain over scikit-learn")
    print(f"scikit-learn / bfloat16 similarity products: "
          f"{totals['sklearn'] / products['bfloat16']:.3g}x, the most one with a bfloat16 "
          f"product can gain, before the exact re-scoring its rounding needs")

  trainer.train_epoch(1, max_steps=2)  # Warm-up: tracing.
  timed = trainer.train_epoch(2, max_steps=benchmarking_flags.TIMED_STEPS.value)
  epoch_seconds = timed["seconds"] / timed["examples"] * len(data.train)
  probe_seconds = extract_seconds + min(totals.get("scann", np.inf),
                                       totals.get("scann_approximate", np.inf))
  print(f"one training epoch over the {len(data.train)}-image bank (from {timed['examples']} "
        f"timed examples): {epoch_seconds:.1f} s; probing every endpoint with ScaNN "
        f"(extraction included): {probe_seconds:.1f} s = {probe_seconds / epoch_seconds:.2f} epochs")


if __name__ == "__main__":
  cli.run(main)
