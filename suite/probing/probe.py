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

"""Layer-wise k-NN probing with controls (benign-memorization protocol).

For every endpoint of a model:
  clean   bank = un-augmented training images with their clean labels, queries = the
          test set: how good the layer's features are. Which training images, by
          `ProbeConfig.bank`:
            train_subset  the network's training split (--train_size), as trained on
                          (inputs corrupted where the run corrupts them); the default
            full          the whole train split less the validation examples, original
                          images (datasets.FullTrain): the reference protocol's bank, the
                          same whatever --train_size, so a subset sweep does not change it
          Never a test example (another split) nor, with `full`, a validation example.
  noisy   bank = the training images with the labels used in training, queries =
          the corrupted training images themselves (leave-one-out): how strongly
          the layer groups images by their random labels, i.e. where noise is
          memorized. Only when the run has corrupted examples.
Controls for the same data, architecture and seed, with the same bank: raw pixels,
and the network at its random initialisation; optionally a clean-label run's probe.
Every table records its settings (`bank`, `bank_size`, `tie_break`, the `searcher` that
ran), which the run's
result.json carries in its `probe` and `controls` sections.
"""

import dataclasses
from typing import Any

import numpy as np

from suite import constants
from suite import errors
from suite import models
from suite.data import datasets
from suite.models import zoo
from suite.probing import features as features_lib
from suite.probing import knn as knn_lib
from suite.results import tables


BANKS = ("train_subset", "full")


@dataclasses.dataclass(frozen=True)
class ProbeConfig:
  knn: knn_lib.KnnConfig = knn_lib.KnnConfig()
  pooling: str = "gap"
  endpoints: tuple[str, ...] = ()  # Empty: every endpoint.
  batch_size: int = 256
  # The clean-label bank (BANKS): "train_subset" (the training split) or "full" (the whole
  # train split less validation, the reference's). The noisy-label bank is always the
  # training split: only its examples have training labels.
  bank: str = "train_subset"

  def __post_init__(self):
    if self.pooling not in features_lib.POOLINGS:
      raise errors.ConfigError(f"unknown pooling {self.pooling!r}")
    if self.bank not in BANKS:
      raise errors.ConfigError(f"unknown k-NN bank {self.bank!r}; expected one of {BANKS}")


def bank_examples(data: datasets.Data, config: ProbeConfig) -> tuple[np.ndarray, np.ndarray]:
  """(images, clean labels) of the clean-label bank `config.bank` asks for.

  Args:
    data: the run's data.
    config: the probe's settings.

  Returns:
    Images (float32 in [0, 1], or uint8 for the full bank) and int64 labels, aligned.
  """
  if config.bank == "train_subset":
    return data.train.images, data.train.clean_labels
  if data.full_train is None:
    raise errors.ConfigError("--knn_bank=full needs the full train split: load the data with "
                             "datasets.load or datasets.build")
  return data.full_train.images, data.full_train.clean_labels


def _settings(data: datasets.Data, config: ProbeConfig) -> dict:
  return {"bank": config.bank, "bank_size": len(bank_examples(data, config)[1]),
          "tie_break": config.knn.tie_break,
          "searcher": knn_lib.searcher_name(config.knn)}  # What ran: ScaNN or TensorFlow.


def _probe_features(bank, queries, data: datasets.Data, config: ProbeConfig,
                    train_features=None) -> dict:
  """Clean (and noisy) probe of one endpoint's features.

  `bank` holds the features of `bank_examples`; `train_features` those of the training
  split when the bank is another set (the noisy probe needs them).
  """
  num_classes = data.info.num_classes
  train, test = data.train, data.test
  bank_labels = bank_examples(data, config)[1]
  bank, queries = knn_lib.l2_normalize(bank), knn_lib.l2_normalize(queries)
  result = {"clean": knn_lib.knn_accuracy(bank, bank_labels, queries, test.clean_labels,
                                      num_classes, config.knn)}
  corrupted = np.flatnonzero(train.corrupted)
  if len(corrupted):
    train_bank = bank if train_features is None else knn_lib.l2_normalize(train_features)
    result["noisy"] = knn_lib.knn_accuracy(train_bank, train.labels, train_bank[corrupted],
                                       train.labels[corrupted], num_classes, config.knn,
                                       self_indices=corrupted)
  return result


def probe(zoo_model: zoo.ZooModel, data: datasets.Data, config: ProbeConfig = ProbeConfig()) -> dict:
  """Probes every endpoint (or `config.endpoints`) of a model.

  Args:
    zoo_model: the model, in eval mode for feature extraction.
    data: the run's data; queries are its test split.
    config: the probe's settings.

  Returns:
    {'endpoints': [...], 'clean': {endpoint: accs}, 'noisy': {endpoint: accs} (only when
    the training split has corrupted examples), 'bank', 'bank_size', 'tie_break', 'searcher'}.
  """
  if not len(data.test):
    raise errors.ConfigError("probing needs a test set")
  endpoints = config.endpoints or zoo_model.endpoints
  extract = lambda images: features_lib.extract(zoo_model, images, endpoints, config.pooling,
                                                config.batch_size)
  bank = extract(bank_examples(data, config)[0])
  queries = extract(data.test.images)
  train = None
  if config.bank != "train_subset" and data.train.corrupted.any():
    train = extract(data.train.images)  # The noisy bank is the training split.
  table: dict[str, Any] = {"endpoints": list(endpoints), "clean": {}, "noisy": {}}
  for name in endpoints:
    result = _probe_features(bank[name], queries[name], data, config,
                             None if train is None else train[name])
    table["clean"][name] = result["clean"]
    if "noisy" in result:
      table["noisy"][name] = result["noisy"]
  if not table["noisy"]:
    del table["noisy"]
  table.update(_settings(data, config))
  return table


def random_init_model(model_config: zoo.ModelConfig, data: datasets.Data, seed: int) -> zoo.ZooModel:
  """The architecture exactly as a run with `seed` initialises it (same weights).

  Args:
    model_config: the run's architecture.
    data: the run's data (image shape and number of classes).
    seed: the run's seed.

  Returns:
    The untrained `ZooModel` (suite.models.build_for, the factory the trainer uses).
  """
  return models.build_for(model_config, data.info, seed)


def controls(model_config: zoo.ModelConfig, data: datasets.Data, seed: int,
             config: ProbeConfig = ProbeConfig()) -> dict:
  """Raw-pixel and random-initialisation probes for the same data, architecture, seed and bank.

  Args:
    model_config: the run's architecture.
    data: the run's data.
    seed: the run's seed (the random initialisation is the run's own).
    config: the probe's settings, the bank included.

  Returns:
    {'raw_pixels': {'clean', 'noisy', settings}, 'random_init': a `probe` table}.
  """
  train = None
  if config.bank != "train_subset" and data.train.corrupted.any():
    train = features_lib.raw_pixels(data.train.images)
  pixels = _probe_features(features_lib.raw_pixels(bank_examples(data, config)[0]),
                           features_lib.raw_pixels(data.test.images), data, config, train)
  pixels.update(_settings(data, config))
  return {"raw_pixels": pixels,
          "random_init": probe(random_init_model(model_config, data, seed), data, config)}


def scalars(table: dict, prefix: str = "knn") -> dict:
  """TensorBoard scalars: knn/<endpoint>/k<k> (clean bank), knn_noisy/<endpoint>/k<k>.

  Args:
    table: a `probe` table (`clean` and optionally `noisy` banks).
    prefix: the tag of the clean bank (the noisy one adds `_noisy`).

  Returns:
    {'<prefix>/<endpoint>/k<k>': accuracy, '<prefix>_noisy/...': ...}.
  """
  out = {}
  for bank, tag in (("clean", prefix), ("noisy", f"{prefix}_noisy")):
    for endpoint, accs in table.get(bank, {}).items():
      for key, value in accs.items():
        if key.startswith("k") and "_" not in key:
          out[f"{tag}/{endpoint}/{key}"] = value
  return out


def format_table(table: dict, controls_table: dict | None = None,
                 k: int = constants.HEADLINE_K) -> str:
  """Per-layer text table: clean-bank k-NN, noisy-bank k-NN, and the controls.

  Args:
    table: a `probe` table (`endpoints`, `clean` and optionally `noisy` banks).
    controls_table: the `controls` table (random init, raw pixels, clean-label run), if any.
    k: the number of neighbours shown.

  Returns:
    The table as text (suite.results.tables.format_table); missing values as '-'.
  """
  key = f"k{k}"
  banks = [("k-NN " + key, table["clean"])]
  if "noisy" in table:
    banks.append(("noisy " + key, table["noisy"]))
  for name, control in (("random init", "random_init"), ("clean-label run", "clean_labels")):
    bank = (controls_table or {}).get(control, {}).get("clean", {})
    if bank:
      banks.append((name, bank))
  rows = [[endpoint] + [bank.get(endpoint, {}).get(key) for _, bank in banks]
          for endpoint in table["endpoints"]]
  if controls_table and "raw_pixels" in controls_table:
    raw = controls_table["raw_pixels"]["clean"].get(key)
    rows.append(["raw pixels", raw] + [None] * (len(banks) - 1))
  return tables.format_table(["endpoint"] + [name for name, _ in banks], rows)
