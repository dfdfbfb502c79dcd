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

"""How fast the k-NN probe is: ScaNN against scikit-learn and a TensorFlow matrix product.

The measuring logic of `benchmarks.knn_speed`. `measure` extracts every endpoint's
features once (timed), then classifies the queries with k-NN majority votes on the
L2-normalised features by each method, side by side: wall time, peak extra memory
(process RSS sampled every 2 ms above the level before the method), and the
accuracies, which must agree; for the inexact ScaNN searchers (approximate index,
quantized brute force, tree), also their recall of the exact neighbours. It also
times the query-bank similarity product alone, in float32 (NumPy) and in bfloat16
(TensorFlow's oneDNN, which uses the CPU's AVX512-BF16 or AMX units where it has them): the
work any brute-force search does, so scikit-learn's time over it bounds what a
brute-force search on this machine can gain. Every ScaNN searcher comes from
`knn.scann_searcher`; every vote is `knn.class_scores` with ties to the lowest
class, as scikit-learn's.

`measure_synthetic` measures the search alone at sizes no probe of the suite's
datasets reaches (1M x 128): the approximate index's build time and recall, and
ScaNN's exact and approximate search time against scikit-learn's, on the same
queries in one run.
"""

from typing import Any
import dataclasses
import os
import time
import timeit
from typing import TextIO

import numpy as np
import tensorflow as tf

from suite import errors
from suite import peak_memory
from suite.data import datasets
from suite.data import synthetic_features
from suite.models import zoo
from suite.probing import features
from suite.probing import knn
from suite.results import tables

# The suite's search methods by benchmark name.
SUITE = {"scann": "brute_force", "scann_approximate": "approximate", "tensorflow": "exact_tf"}
# Other ScaNN searchers (kinds of knn.scann_searcher), measured here to show what they cost
# and how many of the exact neighbours they find; the suite does not offer them (none was
# faster at equal accuracy).
OTHER_SCANN = {"scann_int8": "brute_force_int8", "scann_bfloat16": "brute_force_bfloat16",
               "scann_tree": "tree"}
METHODS = (*SUITE, *OTHER_SCANN, "sklearn")
INDEXED = ("scann_approximate", "scann_tree")  # Methods the approximate index's sizes configure.
PRECISIONS = ("float32", "bfloat16")


@dataclasses.dataclass(frozen=True)
class SpeedConfig:
  """What `measure` compares.

  Attributes:
    methods: distinct names among METHODS.
    k: neighbours voting.
    index: sizes of the tree of scann_approximate and scann_tree (its `method` is
      "approximate"; its `ks` and `tie_break` are not used).
  """
  methods: tuple[str, ...] = ("scann", "sklearn", "tensorflow")
  k: int = 20
  index: knn.KnnConfig = knn.KnnConfig(ks=(20,), method="approximate")

  def __post_init__(self):
    if not self.methods or len(set(self.methods)) != len(self.methods):
      raise errors.ConfigError(f"methods must be distinct and at least one: {self.methods}")
    unknown = set(self.methods) - set(METHODS)
    if unknown:
      raise errors.ConfigError(f"unknown methods {sorted(unknown)}; expected some of {METHODS}")
    if self.k < 1:
      raise errors.ConfigError("k must be >= 1")
    if self.index.method != "approximate":
      raise errors.ConfigError("the index config must have method 'approximate'")


@dataclasses.dataclass
class Result:
  """Totals over every endpoint.

  Attributes:
    extract_seconds: feature extraction of bank and queries, every endpoint.
    extracted_images: bank plus query images.
    seconds: method -> k-NN seconds (fit, search, vote).
    products: precision -> seconds of the similarity products alone.
    product_flops: their floating-point operations.
  """
  extract_seconds: float = 0.0
  extracted_images: int = 0
  seconds: dict = dataclasses.field(default_factory=dict)
  products: dict = dataclasses.field(default_factory=lambda: dict.fromkeys(PRECISIONS, 0.0))
  product_flops: int = 0


def product_seconds(bank: np.ndarray, queries: np.ndarray, precision: str,
                    repeats: int = 3) -> float:
  """Best time of the similarity product `queries @ bank.T` alone.

  Args:
    bank: [N, D] float32.
    queries: [Q, D] float32.
    precision: "float32" (NumPy's BLAS) or "bfloat16" (TensorFlow, oneDNN), cast before
      timing as a search would store its bank.
    repeats: timed repetitions (the best is returned).

  Returns:
    Seconds.
  """
  if precision == "float32":
    multiply = lambda: np.dot(queries, bank.T)
  elif precision == "bfloat16":
    bank_bf16, queries_bf16 = tf.cast(bank, tf.bfloat16), tf.cast(queries, tf.bfloat16)
    # Eager CPU ops return when done, so the call's time is the product's.
    multiply = lambda: tf.matmul(queries_bf16, bank_bf16, transpose_b=True)
  else:
    raise errors.ConfigError(f"unknown precision {precision!r}; expected one of {PRECISIONS}")
  return min(timeit.repeat(multiply, number=1, repeat=repeats))


def classify(method: str, bank: np.ndarray, bank_labels: np.ndarray, queries: np.ndarray,
             k: int, num_classes: int, index: knn.KnnConfig
             ) -> tuple[np.ndarray, np.ndarray | None]:
  """k-NN majority-vote predictions of one method; ties go to the lowest class, as sklearn.

  Args:
    method: one of METHODS.
    bank: [N, D] L2-normalised float32 features.
    bank_labels: int [N].
    queries: [Q, D] L2-normalised float32 features.
    k: neighbours voting.
    num_classes: classes.
    index: sizes the tree of scann_approximate and scann_tree.

  Returns:
    (predicted classes [Q], neighbour indices [Q, k], or None for sklearn).
  """
  if method == "sklearn":
    from sklearn import neighbors  # pylint: disable=g-import-not-at-top
    # As in the papers' public code: default KNeighborsClassifier (Euclidean distance,
    # which orders L2-normalised features exactly as cosine similarity does).
    classifier = neighbors.KNeighborsClassifier(n_neighbors=k).fit(bank, bank_labels)
    return classifier.predict(queries), None
  vote = dataclasses.replace(index, tie_break="lowest_label")
  if method == "scann_approximate":
    return knn.predict(bank, bank_labels, queries, num_classes, k, vote)
  if method in SUITE:
    config = knn.KnnConfig(ks=(k,), method=SUITE[method], tie_break="lowest_label")
    return knn.predict(bank, bank_labels, queries, num_classes, k, config)
  if method in OTHER_SCANN:
    return knn.predict(bank, bank_labels, queries, num_classes, k, vote, kind=OTHER_SCANN[method])
  raise errors.ConfigError(f"unknown method {method!r}; expected one of {METHODS}")


def columns(config: SpeedConfig) -> list[str]:
  """The per-endpoint table's column titles."""
  titles = ["endpoint", "dim"]
  for m in config.methods:
    titles += [f"{m} s", f"{m} MB", f"{m} acc"]
  if _exact_method(config):
    titles += [f"{m} recall" for m in _inexact(config)]
    # How alike the features are: the mean similarity of a query to the bank, and how much
    # closer the 1st neighbour is than the k-th (what a quantized search must resolve).
    titles += ["mean sim", "sim 1-k"]
  return titles + ["product s", "bf16 prod s"]


def _exact_method(config: SpeedConfig) -> str | None:
  """The exact searcher whose neighbours the inexact ones' recall is measured against."""
  return next((m for m in ("scann", "tensorflow") if m in config.methods), None)


def _inexact(config: SpeedConfig) -> list[str]:
  return [m for m in config.methods if m in ("scann_approximate", *OTHER_SCANN)]


def measure(zoo_model: zoo.ZooModel, data: datasets.Data, config: SpeedConfig = SpeedConfig(),
            out: TextIO | None = None) -> Result:
  """Times feature extraction and every method on every endpoint, then prints the table.

  The bank is the training split with clean labels, the queries the test split.

  Args:
    zoo_model: the model whose endpoints are probed.
    data: bank and queries.
    config: methods and k.
    out: where lines go (None: standard output): a progress line per endpoint as it is
      measured, then the table (tables.format_table).

  Returns:
    The totals over every endpoint.
  """
  result = Result(seconds=dict.fromkeys(config.methods, 0.0))
  start = time.perf_counter()
  bank_features = features.extract(zoo_model, data.train.images)
  query_features = features.extract(zoo_model, data.test.images)
  result.extract_seconds = time.perf_counter() - start
  result.extracted_images = len(data.train) + len(data.test)
  print(f"feature extraction, all endpoints, {result.extracted_images} images: "
        f"{result.extract_seconds:.1f} s", file=out)
  exact_method = _exact_method(config)
  rows = []
  for name in zoo_model.endpoints:
    neighbours = {}
    bank = knn.l2_normalize(bank_features[name])
    queries = knn.l2_normalize(query_features[name])
    endpoint_started = time.perf_counter()
    cells = [name, str(bank.shape[1])]
    for method in config.methods:
      with peak_memory.PeakMemory() as memory:
        started = time.perf_counter()
        predicted, neighbours[method] = classify(method, bank, data.train.clean_labels, queries,
                                                 config.k, data.info.num_classes, config.index)
        seconds = time.perf_counter() - started
      result.seconds[method] += seconds
      accuracy = float(np.mean(predicted == data.test.labels))
      cells += [f"{seconds:.3f}", f"{memory.extra_mb:.1f}", f"{accuracy:.4f}"]
    if exact_method:
      exact = neighbours[exact_method]
      assert exact is not None  # Every method that ran left its neighbours.
      cells += [f"{knn.recall(neighbours[m], exact):.4f}"  # type: ignore[arg-type]
                for m in _inexact(config)]
      mean_similarity = float(queries.mean(0) @ bank.mean(0))  # Mean over all pairs.
      gap = np.mean(np.sum(queries * (bank[exact[:, 0]] - bank[exact[:, -1]]), axis=1))
      cells += [f"{mean_similarity:.4f}", f"{gap:.2e}"]
    result.product_flops += 2 * len(queries) * bank.size
    for precision in PRECISIONS:
      product_time = product_seconds(bank, queries, precision)
      result.products[precision] += product_time
      cells.append(f"{product_time:.3g}")
    rows.append(cells)
    print(f"measured endpoint {name}: {time.perf_counter() - endpoint_started:.1f} s", file=out,
          flush=True)  # Progress.
  print(tables.format_table(columns(config), rows), file=out)
  return result


def summary_lines(result: Result) -> list[str]:
  """Totals, scikit-learn's time over each ScaNN method's and over the products alone."""
  totals = result.seconds
  lines = ["total k-NN seconds: " + ", ".join(f"{m} {s:.2f}" for m, s in totals.items())]
  for method in totals:
    if method.startswith("scann") and "sklearn" in totals:
      lines.append(f"scikit-learn / {method} time: {totals['sklearn'] / totals[method]:.1f}x")
  flops = result.product_flops
  for precision, seconds in result.products.items():
    lines.append(f"{precision} similarity products alone, every endpoint (the work of any "
                 f"brute-force search): {seconds:.3g} s for {flops / 1e9:.3g} GFLOP "
                 f"({flops / seconds / 1e9:.0f} GFLOP/s)")
  if "sklearn" in totals:
    lines.append(f"scikit-learn / float32 similarity products: "
                 f"{totals['sklearn'] / result.products['float32']:.3g}x, the most a brute-force "
                 f"search with this machine's float32 matrix product can gain over scikit-learn")
    lines.append(f"scikit-learn / bfloat16 similarity products: "
                 f"{totals['sklearn'] / result.products['bfloat16']:.3g}x, the most one with a "
                 f"bfloat16 product can gain, before the exact re-scoring its rounding needs")
  return lines


def epoch_comparison(result: Result, timed_seconds: float, timed_examples: int,
                     bank_size: int) -> str:
  """One training epoch over the bank (extrapolated from timed steps) against probing.

  Args:
    result: `measure`'s totals.
    timed_seconds: seconds of the timed training steps.
    timed_examples: examples those steps saw.
    bank_size: training examples in one epoch (the bank).

  Returns:
    The line to print.
  """
  epoch_seconds = timed_seconds / timed_examples * bank_size
  probe_seconds = result.extract_seconds + min(result.seconds.get("scann", np.inf),
                                               result.seconds.get("scann_approximate", np.inf))
  return (f"one training epoch over the {bank_size}-image bank (from {timed_examples} "
          f"timed examples): {epoch_seconds:.1f} s; probing every endpoint with ScaNN "
          f"(extraction included): {probe_seconds:.1f} s = {probe_seconds / epoch_seconds:.2f} "
          f"epochs")


@dataclasses.dataclass(frozen=True)
class SyntheticConfig:
  """What `measure_synthetic` measures.

  Attributes:
    sizes: bank sizes, one row each.
    dim: feature width.
    queries: queries every method searches (the same ones: scikit-learn at 1M points
      took 18 s per 1,000 queries on the shared 2 cores, so keep them to a few thousand).
    k: neighbours.
    seed: of the generated points.
    index: the approximate index's settings (method "approximate").
  """
  sizes: tuple[int, ...] = (60_000, 1_000_000)
  dim: int = 128
  queries: int = 1000
  k: int = 20
  seed: int = 0
  index: knn.KnnConfig = knn.KnnConfig(ks=(20,), method="approximate")

  def __post_init__(self):
    if not self.sizes or min(self.sizes) < self.k:
      raise errors.ConfigError(f"every synthetic bank size must be >= k = {self.k}: "
                               f"{self.sizes}")
    if self.dim < 2 or self.queries < 1 or self.k < 1:
      raise errors.ConfigError("synthetic dim must be >= 2, queries and k >= 1")
    if self.index.method != "approximate":
      raise errors.ConfigError("the index config must have method 'approximate'")


def measure_synthetic(config: SyntheticConfig = SyntheticConfig(),
                      out: TextIO | None = None) -> list[dict]:
  """Build and search times of ScaNN (exact and approximate) and scikit-learn, side by side.

  For every bank size: ScaNN's exact brute force (build, search), the approximate index
  (build, search, recall of the exact neighbours) and scikit-learn's NearestNeighbors
  (fit, search; Euclidean, which ranks unit vectors as cosine does), all over the same
  queries, and how often scikit-learn's neighbours are ScaNN's exact ones. Prints a progress
  line per size as measured, then the table (tables.format_table) and the ratios.

  Args:
    config: sizes, width, queries.
    out: where lines go (None: standard output).

  Returns:
    One dict per size with the printed numbers.
  """
  from sklearn import neighbors  # pylint: disable=g-import-not-at-top
  knn.require_scann("the synthetic k-NN benchmark (ScaNN against scikit-learn)")
  rows = []
  print(f"synthetic points: {config.dim}-d, 1000 clusters of intrinsic dimension 16, "
        f"L2-normalised; {config.queries} queries for every method (scikit-learn is slow at "
        f"1M points, so the queries are limited); k = {config.k}; approximate index: "
        f"spherical tree + asymmetric hashing trained on "
        f"{config.index.training_sample_size or 'all'} points (at most the bank)", file=out)
  # Wall times stretch when other processes share the cores; the build's CPU seconds (all
  # its threads) do not, so both are printed, with the load before the run.
  print("load average (1, 5, 15 min) before the run: "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg()) + f" on {os.cpu_count()} CPUs",
        file=out)
  titles = ["bank", "dim", "leaves", "searched", "scann build s", "scann search s",
            "approx build s", "build cpu s", "approx search s", "recall", "sklearn fit s",
            "sklearn search s", "sklearn=exact"]
  cells = []
  for size in config.sizes:
    size_started = time.perf_counter()
    bank = synthetic_features.clustered_points(size, config.dim, config.seed, stream=0)
    queries = synthetic_features.clustered_points(config.queries, config.dim, config.seed,
                                                 stream=1)
    row: dict[str, Any] = {"bank": size, "dim": config.dim, "queries": config.queries}
    row["leaves"], row["searched"], _ = knn.index_size(config.index, size, config.k)
    for name, kind in (("scann", "brute_force"), ("approx", "approximate")):
      started, cpu_started = time.perf_counter(), time.process_time()
      searcher = knn.scann_searcher(bank, config.k, config.index, kind)
      row[f"{name}_build"] = time.perf_counter() - started
      row[f"{name}_build_cpu"] = time.process_time() - cpu_started
      started = time.perf_counter()
      found, _ = searcher.search_batched_parallel(queries, final_num_neighbors=config.k)
      row[f"{name}_search"] = time.perf_counter() - started
      row[f"{name}_neighbours"] = found.astype(np.int64)
      del searcher
    exact = row.pop("scann_neighbours")
    row["recall"] = knn.recall(row.pop("approx_neighbours"), exact)
    started = time.perf_counter()
    fitted = neighbors.NearestNeighbors(n_neighbors=config.k).fit(bank)
    row["sklearn_fit"] = time.perf_counter() - started
    started = time.perf_counter()
    found = fitted.kneighbors(queries, return_distance=False)
    row["sklearn_search"] = time.perf_counter() - started
    row["sklearn_agrees"] = knn.recall(found, exact)
    del fitted, bank
    cells.append([str(size), str(config.dim), str(row["leaves"]), str(row["searched"]),
                  f"{row['scann_build']:.3f}", f"{row['scann_search']:.3f}",
                  f"{row['approx_build']:.2f}", f"{row['approx_build_cpu']:.2f}",
                  f"{row['approx_search']:.3f}", f"{row['recall']:.4f}",
                  f"{row['sklearn_fit']:.3f}", f"{row['sklearn_search']:.3f}",
                  f"{row['sklearn_agrees']:.4f}"])
    print(f"measured bank size {size}: {time.perf_counter() - size_started:.1f} s", file=out,
          flush=True)  # Progress.
    rows.append(row)
  print(tables.format_table(titles, cells), file=out)
  for row in rows:
    print(f"bank {row['bank']} x {row['dim']}, {row['queries']} queries: ScaNN search / "
          f"scikit-learn search time: exact {row['scann_search'] / row['sklearn_search']:.4f} "
          f"({row['sklearn_search'] / row['scann_search']:.1f}x faster), approximate "
          f"{row['approx_search'] / row['sklearn_search']:.4f} "
          f"({row['sklearn_search'] / row['approx_search']:.1f}x faster); approximate index "
          f"build {row['approx_build']:.2f} s ({row['approx_build_cpu']:.2f} CPU s), recall "
          f"{row['recall']:.4f}", file=out)
  return rows
