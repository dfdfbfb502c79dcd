"""Layer-wise k-NN probing with controls (benign-memorization protocol).

For every endpoint of a model:
  clean   bank = the un-augmented training images with their clean labels,
          queries = the test set: how good the layer's features are.
  noisy   bank = the training images with the labels used in training, queries =
          the corrupted training images themselves (leave-one-out): how strongly
          the layer groups images by their random labels, i.e. where noise is
          memorized. Only when the run has corrupted examples.
Controls for the same data, architecture and seed: raw pixels, and the network at
its random initialisation; optionally a clean-label run's probe.
"""

import dataclasses

import keras
import numpy as np

from suite import errors
from suite.data import datasets
from suite.models import zoo
from suite.probing import features as features_lib
from suite.probing import knn as knn_lib


@dataclasses.dataclass(frozen=True)
class ProbeConfig:
  knn: knn_lib.KnnConfig = knn_lib.KnnConfig()
  pooling: str = "gap"
  endpoints: tuple[str, ...] = ()  # Empty: every endpoint.
  batch_size: int = 256

  def __post_init__(self):
    if self.pooling not in features_lib.POOLINGS:
      raise errors.ConfigError(f"unknown pooling {self.pooling!r}")


def _probe_features(bank, queries, data: datasets.Data, config: ProbeConfig) -> dict:
  num_classes = data.info.num_classes
  train, test = data.train, data.test
  bank, queries = knn_lib.l2_normalize(bank), knn_lib.l2_normalize(queries)
  result = {"clean": knn_lib.knn_accuracy(bank, train.clean_labels, queries, test.clean_labels,
                                      num_classes, config.knn)}
  corrupted = np.flatnonzero(train.corrupted)
  if len(corrupted):
    result["noisy"] = knn_lib.knn_accuracy(bank, train.labels, bank[corrupted],
                                       train.labels[corrupted], num_classes, config.knn,
                                       self_indices=corrupted)
  return result


def probe(zoo_model: zoo.ZooModel, data: datasets.Data, config: ProbeConfig = ProbeConfig()) -> dict:
  """{'endpoints': [...], 'clean': {endpoint: accs}, 'noisy': {endpoint: accs}}."""
  if not len(data.test):
    raise errors.ConfigError("probing needs a test set")
  endpoints = config.endpoints or zoo_model.endpoints
  bank = features_lib.extract(zoo_model, data.train.images, endpoints, config.pooling,
                              config.batch_size)
  queries = features_lib.extract(zoo_model, data.test.images, endpoints, config.pooling,
                                 config.batch_size)
  table = {"endpoints": list(endpoints), "clean": {}, "noisy": {}}
  for name in endpoints:
    result = _probe_features(bank[name], queries[name], data, config)
    table["clean"][name] = result["clean"]
    if "noisy" in result:
      table["noisy"][name] = result["noisy"]
  if not table["noisy"]:
    del table["noisy"]
  return table


def random_init_model(model_config: zoo.ModelConfig, data: datasets.Data, seed: int) -> zoo.ZooModel:
  """The architecture exactly as a run with `seed` initialises it (same weights)."""
  keras.utils.set_random_seed(seed)
  return zoo.build(model_config, data.info.image_shape, data.info.num_classes)


def controls(model_config: zoo.ModelConfig, data: datasets.Data, seed: int,
             config: ProbeConfig = ProbeConfig()) -> dict:
  """Raw-pixel and random-initialisation probes for the same data, architecture, seed."""
  pixels = _probe_features(features_lib.raw_pixels(data.train.images),
                           features_lib.raw_pixels(data.test.images), data, config)
  return {"raw_pixels": pixels,
          "random_init": probe(random_init_model(model_config, data, seed), data, config)}


def scalars(table: dict, prefix: str = "knn") -> dict:
  """TensorBoard scalars: knn/<endpoint>/k<k> (clean bank), knn_noisy/<endpoint>/k<k>."""
  out = {}
  for bank, tag in (("clean", prefix), ("noisy", f"{prefix}_noisy")):
    for endpoint, accs in table.get(bank, {}).items():
      for key, value in accs.items():
        if key.startswith("k") and "_" not in key:
          out[f"{tag}/{endpoint}/{key}"] = value
  return out


def format_table(table: dict, controls_table: dict | None = None, k: int = 20) -> str:
  """Per-layer text table: clean-bank k-NN, noisy-bank k-NN, and the controls."""
  key = f"k{k}"
  has_noisy = "noisy" in table
  random_init = (controls_table or {}).get("random_init", {}).get("clean", {})
  clean_run = (controls_table or {}).get("clean_labels", {}).get("clean", {})
  header = f"{'endpoint':<18} {'k-NN ' + key:>9}"
  header += f" {'noisy ' + key:>9}" if has_noisy else ""
  header += f" {'random init':>11}" if random_init else ""
  header += f" {'clean-label run':>15}" if clean_run else ""
  lines = [header, "-" * len(header)]
  for endpoint in table["endpoints"]:
    line = f"{endpoint:<18} {table['clean'][endpoint].get(key, float('nan')):>9.4f}"
    if has_noisy:
      line += f" {table['noisy'].get(endpoint, {}).get(key, float('nan')):>9.4f}"
    if random_init:
      line += f" {random_init.get(endpoint, {}).get(key, float('nan')):>11.4f}"
    if clean_run:
      line += f" {clean_run.get(endpoint, {}).get(key, float('nan')):>15.4f}"
    lines.append(line)
  if controls_table and "raw_pixels" in controls_table:
    lines.append(f"{'raw pixels':<18} {controls_table['raw_pixels']['clean'].get(key, float('nan')):>9.4f}")
  return "\n".join(lines)
