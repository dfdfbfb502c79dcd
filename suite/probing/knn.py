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

"""Cosine k-nearest-neighbour classification, searched with ScaNN where it is installed.

Features are L2-normalised, so the inner product is the cosine similarity.
Search methods:
  brute_force   ScaNN exact search (the default); where ScaNN is missing (it has Linux
                wheels only) or fails to import, the exact TensorFlow search instead,
                which finds the same neighbours
  approximate   ScaNN tree (spherical partitioning) + asymmetric hashing + exact
                reordering, trained on a sample of the bank, for banks too large for
                brute force; its recall against exact search is measured. Needs ScaNN:
                without it, one ConfigError line says how to install it
  exact_tf      a chunked TensorFlow matrix product + top-k (verification, GPUs)
`searcher_name` says which searcher a method runs on this machine (the probe records it).
Votes: `majority` and `weighted` (sum of exp(similarity / T) per class, T = 0.07 as in
InstDisc/SimCLR). Ties of the majority vote go, by `tie_break`:
  similarity    to the class with the larger summed similarity (the suite's default)
  lowest_label  to the lowest class id: scikit-learn's KNeighborsClassifier(k) uniform vote,
                the reference protocol's rule
This module is the only place that builds a ScaNN searcher (`scann_searcher`); the speed
benchmark's extra searchers (quantized brute force, tree) are kinds of it.
"""

import dataclasses
import types
from typing import Any, Iterable

import numpy as np
import tensorflow as tf

from suite import constants
from suite import errors

METHODS = ("brute_force", "approximate", "exact_tf")
VOTES = ("majority", "weighted")
TIE_BREAKS = ("similarity", "lowest_label")
# ScaNN searchers `scann_searcher` builds: the suite's two methods, and three that only the
# speed benchmark measures (brute force on int8 or bfloat16 features re-scored in float32,
# and the approximate method's tree with exact scores in the searched leaves).
SCANN_KINDS = ("brute_force", "approximate", "brute_force_int8", "brute_force_bfloat16", "tree")
# What `searcher_name` reports: ScaNN's searchers by kind, and the TensorFlow search.
TENSORFLOW_SEARCHER = "tensorflow_exact"
SCANN_INSTALL = "pip install 'scann~=1.4.0' (wheels for Linux only)"
# Bank points that train the approximate index by default: training on the whole bank is
# most of a large bank's build time (issue 21: 74 s of a 1M x 128 build) for no recall
# gained.
DEFAULT_TRAINING_SAMPLE = 100_000


@dataclasses.dataclass(frozen=True)
class KnnConfig:
  ks: tuple[int, ...] = constants.PROBE_KS
  temperature: float = 0.07
  method: str = "brute_force"
  # approximate: leaves of the partitioning tree (0: about sqrt(bank size)), searched leaves
  # (0: see index_size), how many candidates are re-scored exactly, and how many bank
  # points train the tree and the hashing codebooks (0: the whole bank; training is most of
  # the build time of a large bank, so by default a sample of at most 100,000 points).
  num_leaves: int = 0
  leaves_to_search: int = 0
  reorder: int = 250
  training_sample_size: int = DEFAULT_TRAINING_SAMPLE
  # Majority-vote ties: "similarity" (summed similarity decides) or "lowest_label" (the
  # lowest class id wins, as scikit-learn's uniform vote and the reference protocol).
  tie_break: str = "similarity"

  def __post_init__(self):
    if not self.ks or min(self.ks) < 1:
      raise errors.ConfigError("k values must be >= 1")
    if self.method not in METHODS:
      raise errors.ConfigError(f"unknown search method {self.method!r}; expected one of {METHODS}")
    if self.tie_break not in TIE_BREAKS:
      raise errors.ConfigError(f"unknown tie break {self.tie_break!r}; expected one of "
                               f"{TIE_BREAKS}")
    if self.temperature <= 0:
      raise errors.ConfigError("temperature must be > 0")
    if min(self.num_leaves, self.leaves_to_search, self.training_sample_size) < 0:
      raise errors.ConfigError("index sizes (leaves, leaves to search, training sample) must be "
                               ">= 0 (0: automatic)")
    if self.leaves_to_search > self.num_leaves > 0:
      raise errors.ConfigError(f"cannot search {self.leaves_to_search} of {self.num_leaves} leaves")
    if self.reorder < 1:
      raise errors.ConfigError("reorder must be >= 1")
    if self.method != "approximate" and self.changed_index_settings():
      raise errors.ConfigError(
          f"index settings {self.changed_index_settings()} apply to the approximate method "
          f"only, not to {self.method!r}")

  def changed_index_settings(self) -> dict:
    """The approximate index's settings that differ from their defaults."""
    return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
            if f.name in _INDEX_SETTINGS and getattr(self, f.name) != f.default}


_INDEX_SETTINGS = ("num_leaves", "leaves_to_search", "reorder", "training_sample_size")


def l2_normalize(features: np.ndarray) -> np.ndarray:
  features = np.asarray(features, np.float32).reshape(len(features), -1)
  norms = np.linalg.norm(features, axis=1, keepdims=True)
  return features / np.maximum(norms, 1e-12)


def index_size(config: KnnConfig, bank_size: int, k: int) -> tuple[int, int, int]:
  """(leaves, leaves searched per query, training sample) of the approximate index."""
  leaves = min(config.num_leaves or max(2, int(np.sqrt(bank_size))), bank_size)
  # Enough leaves that the candidates (about bank_size / leaves each) cover k several times.
  to_search = config.leaves_to_search or max(leaves // 10, int(np.ceil(4 * k * leaves / bank_size)))
  return leaves, min(to_search, leaves), min(config.training_sample_size or bank_size, bank_size)


def scann_module() -> types.ModuleType | None:
  """The `scann` module, or None where it is not installed or fails to import.

  Not cached, so that a test can hide the module (sys.modules['scann'] = None).
  """
  try:
    import scann  # pylint: disable=g-import-not-at-top  (heavy; only where probing runs)
  # A missing wheel raises ImportError; a wheel built for another TensorFlow fails to load
  # its op library (tf.errors.NotFoundError, OSError). Either way exact search still works.
  except Exception:  # pylint: disable=broad-except
    return None
  return scann


def require_scann(what: str) -> None:
  """Raises one ConfigError line naming `what` and how to install ScaNN, if it is missing."""
  if scann_module() is None:
    raise errors.ConfigError(
        f"{what} needs ScaNN, which is not installed here (import scann failed); install it "
        f"with {SCANN_INSTALL}, or use exact search (k-NN method brute_force or exact_tf, "
        f"which run on TensorFlow without ScaNN)")


def searcher_name(config: KnnConfig = KnnConfig(), kind: str | None = None) -> str:
  """The searcher `search(..., config, kind)` runs here: 'scann_<kind>' or 'tensorflow_exact'.

  Raises:
    errors.ConfigError: a ScaNN-only searcher (approximate, quantized, tree) without ScaNN.
  """
  kind = config.method if kind is None else kind
  if kind == "exact_tf":
    return TENSORFLOW_SEARCHER
  if kind not in SCANN_KINDS:
    raise errors.ConfigError(f"unknown ScaNN searcher {kind!r}; expected one of {SCANN_KINDS}")
  if scann_module() is not None:
    return f"scann_{kind}"
  if kind != "brute_force":
    require_scann(f"k-NN method {kind!r}")
  return TENSORFLOW_SEARCHER  # Exact either way: the same neighbours up to ties.


def scann_searcher(bank: np.ndarray, k: int, config: KnnConfig = KnnConfig(),
                   kind: str | None = None) -> Any:
  """A ScaNN dot-product searcher over `bank` (L2-normalised float32) for k neighbours.

  Args:
    bank: [N, D] float32, contiguous.
    k: neighbours per query (at most N).
    config: sizes the tree of the `approximate` and `tree` kinds (`index_size`).
    kind: one of SCANN_KINDS; None: `config.method`.

  Returns:
    A built searcher (`search_batched_parallel(queries, final_num_neighbors=k)`).
  """
  kind = config.method if kind is None else kind
  if kind not in SCANN_KINDS:
    raise errors.ConfigError(f"unknown ScaNN searcher {kind!r}; expected one of {SCANN_KINDS}")
  require_scann(f"k-NN method {kind!r}")
  import scann  # pylint: disable=g-import-not-at-top  (heavy; only where probing runs)
  from scann.scann_ops.py import scann_builder  # pylint: disable=g-import-not-at-top
  builder = scann.scann_ops_pybind.builder(bank, k, "dot_product")
  if kind == "brute_force":
    return builder.score_brute_force().build()
  if kind == "brute_force_int8":
    return builder.score_brute_force(scann_builder.ReorderType.INT8).build()
  if kind == "brute_force_bfloat16":
    return builder.score_brute_force(scann_builder.ReorderType.BFLOAT16).build()
  leaves, to_search, sample = index_size(config, len(bank), k)
  # Spherical k-means: the points are on the unit sphere and scored by inner product, so
  # the centres are normalised too (generic k-means centres shrink toward the origin).
  tree = builder.tree(num_leaves=leaves, num_leaves_to_search=to_search,
                      training_sample_size=sample, spherical=True)
  if kind == "tree":
    return tree.score_brute_force().build()
  dims_per_block = 2 if bank.shape[1] % 2 == 0 else 1
  # Plain (isotropic) hashing with 250 candidates re-scored: at 1M x 128 (benchmarks.knn_speed
  # --synthetic_sizes) it built in 16 CPU s with recall 0.999, where anisotropic hashing
  # (threshold 0.2) with 100 candidates took 24 CPU s for 0.998: its encoding of every bank
  # point is the costlier part of the build, and a probe builds one index per query set.
  return (tree.score_ah(dims_per_block, training_sample_size=sample)
          .reorder(max(k, config.reorder)).build())


def _exact_tf(bank, queries, k, chunk=1024):
  # At most about 2**26 scores (256 MB) at a time: 1024 queries against a 1M bank would
  # hold 4 GB.
  chunk = max(1, min(chunk, 2**26 // len(bank)))
  bank_t = tf.constant(bank)
  indices, sims = [], []
  for start in range(0, len(queries), chunk):
    scores = tf.matmul(tf.constant(queries[start:start + chunk]), bank_t, transpose_b=True)
    top = tf.math.top_k(scores, k=k)
    indices.append(top.indices.numpy())
    sims.append(top.values.numpy())
  # top_k gives int32 indices; `search` promises int64, as ScaNN's searchers return.
  return np.concatenate(indices).astype(np.int64), np.concatenate(sims)


def search(bank: np.ndarray, queries: np.ndarray, k: int, config: KnnConfig = KnnConfig(),
           kind: str | None = None) -> tuple[np.ndarray, np.ndarray]:
  """Indices [Q, k] into `bank` and similarities [Q, k], most similar first.

  Args:
    bank: [N, D] L2-normalised features.
    queries: [Q, D] L2-normalised features.
    k: neighbours (at most N are returned).
    config: the search method and the approximate index's sizes.
    kind: a ScaNN searcher of SCANN_KINDS instead of `config.method` (the speed benchmark's).

  Returns:
    (int64 indices [Q, min(k, N)], float32 similarities of the same shape).
  """
  bank = np.ascontiguousarray(bank, np.float32)
  queries = np.ascontiguousarray(queries, np.float32)
  k = min(k, len(bank))
  if searcher_name(config, kind) == TENSORFLOW_SEARCHER:
    return _exact_tf(bank, queries, k)
  searcher = scann_searcher(bank, k, config, kind)
  # The parallel search spreads query batches over every core.
  indices, sims = searcher.search_batched_parallel(queries, final_num_neighbors=k)
  return indices.astype(np.int64), sims.astype(np.float32)


def recall(approximate: np.ndarray, exact: np.ndarray) -> float:
  """Fraction of the exact k nearest neighbours that the approximate search found."""
  hits = [len(set(a) & set(e)) for a, e in zip(approximate, exact)]
  return float(np.sum(hits) / exact.size)


def class_scores(neighbor_labels: np.ndarray, neighbor_sims: np.ndarray, num_classes: int,
                 vote: str, temperature: float = 0.07,
                 tie_break: str = "similarity") -> np.ndarray:
  """[Q, num_classes] vote scores from the k neighbours of every query.

  The predicted class is the first maximum (`np.argmax`), so equal scores go to the lowest
  class id.

  Args:
    neighbor_labels: int [Q, k] labels of the neighbours.
    neighbor_sims: [Q, k] their similarities to the query.
    num_classes: classes C.
    vote: "majority" or "weighted".
    temperature: of the weighted vote.
    tie_break: of the majority vote, one of TIE_BREAKS: "similarity" adds the summed
      similarity, scaled below one vote; "lowest_label" leaves the counts alone.

  Returns:
    float64 [Q, C] scores.
  """
  if tie_break not in TIE_BREAKS:
    raise errors.ConfigError(f"unknown tie break {tie_break!r}; expected one of {TIE_BREAKS}")
  one_hot = np.eye(num_classes, dtype=np.float64)[neighbor_labels]  # [Q, k, C]
  sims = neighbor_sims.astype(np.float64)[..., None]
  if vote == "majority":
    if tie_break == "lowest_label":
      return one_hot.sum(1)
    # Counts, with summed similarity (< 1 per neighbour, scaled below 1 overall) as tie-break.
    k = neighbor_labels.shape[1]
    return one_hot.sum(1) + (one_hot * (sims + 1.0)).sum(1) / (2.0 * k + 1.0)
  if vote == "weighted":
    return (one_hot * np.exp(sims / temperature)).sum(1)
  raise errors.ConfigError(f"unknown vote {vote!r}; expected one of {VOTES}")


def accuracy(scores: np.ndarray, labels: np.ndarray, top: int = 1) -> float:
  """Top-`top` accuracy of class scores (ties broken toward the lower class id)."""
  order = np.argsort(-scores, axis=1, kind="stable")[:, :top]
  return float(np.mean(np.any(order == np.asarray(labels)[:, None], axis=1)))


def evaluate(neighbor_labels: np.ndarray, neighbor_sims: np.ndarray, labels: np.ndarray,
             num_classes: int, ks: Iterable[int], temperature: float = 0.07,
             tie_break: str = "similarity") -> dict:
  """Accuracies for every k and vote: keys `k20`, `k20_weighted`, `k20_top5`, ...

  Args:
    neighbor_labels: int [Q, K] labels of each query's neighbours, most similar first.
    neighbor_sims: [Q, K] their similarities.
    labels: [Q] true labels of the queries.
    num_classes: classes.
    ks: numbers of neighbours voting (each at most K is used).
    temperature: of the weighted vote.
    tie_break: of the majority vote (TIE_BREAKS).

  Returns:
    {key: accuracy}.
  """
  out = {}
  for k in ks:
    k_eff = min(k, neighbor_labels.shape[1])
    majority = class_scores(neighbor_labels[:, :k_eff], neighbor_sims[:, :k_eff], num_classes,
                            "majority", tie_break=tie_break)
    weighted = class_scores(neighbor_labels[:, :k_eff], neighbor_sims[:, :k_eff], num_classes,
                            "weighted", temperature)
    out[f"k{k}"] = accuracy(majority, labels)
    out[f"k{k}_weighted"] = accuracy(weighted, labels)
    if num_classes >= 5:
      out[f"k{k}_top5"] = accuracy(majority, labels, top=5)
  return out


def knn_accuracy(bank: np.ndarray, bank_labels: np.ndarray, queries: np.ndarray,
                 query_labels: np.ndarray, num_classes: int, config: KnnConfig = KnnConfig(),
                 self_indices: np.ndarray | None = None) -> dict:
  """k-NN accuracies of `queries` against a labelled bank (both L2-normalised).

  `self_indices[i]` is the bank position of query i when queries are bank members:
  that entry is left out (leave-one-out), e.g. to ask whether a layer groups training
  images by their (noisy) training labels. With the approximate method, `recall`
  against exact search is added.
  """
  extra = 0 if self_indices is None else 1
  k_max = max(config.ks) + extra
  indices, sims = search(bank, queries, k_max, config)
  out = {}
  if config.method == "approximate":
    exact, _ = search(bank, queries, k_max, KnnConfig(ks=config.ks))
    out["recall"] = recall(indices, exact)
  if self_indices is not None:
    keep = indices != np.asarray(self_indices)[:, None]
    # Drop the query's own entry, or the farthest neighbour where it was not found.
    keep[keep.all(axis=1), -1] = False
    indices = indices[keep].reshape(len(queries), -1)
    sims = sims[keep].reshape(len(queries), -1)
  out.update(evaluate(np.asarray(bank_labels)[indices], sims, query_labels, num_classes,
                      config.ks, config.temperature, config.tie_break))
  return out


def predict(bank: np.ndarray, bank_labels: np.ndarray, queries: np.ndarray, num_classes: int,
            k: int, config: KnnConfig = KnnConfig(), kind: str | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
  """Majority-vote k-NN predictions, with `config.tie_break` deciding ties.

  Args:
    bank: [N, D] L2-normalised features.
    bank_labels: int [N] their labels.
    queries: [Q, D] L2-normalised features.
    num_classes: classes.
    k: neighbours voting.
    config: the search method and the tie break.
    kind: a ScaNN searcher of SCANN_KINDS instead of `config.method`.

  Returns:
    (int64 predicted classes [Q], neighbour indices [Q, min(k, N)]).
  """
  indices, sims = search(bank, queries, k, config, kind)
  scores = class_scores(np.asarray(bank_labels)[indices], sims, num_classes, "majority",
                        config.temperature, config.tie_break)
  return scores.argmax(1).astype(np.int64), indices
