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

"""Gradient accounting (Maini et al., ICML 2023, arXiv 2307.09542, section 4.1).

Per block (an endpoint's weighted layers, `ZooModel.blocks`) and evaluated epoch, the
gradient of the training loss summed over the corrupted (mislabeled) examples against
the one summed over the clean examples, on a fixed sample of each:
  gradacc/<block>/noisy_norm   ||sum of the corrupted examples' gradients||
  gradacc/<block>/clean_norm   ||sum of the clean examples' gradients||
  gradacc/<block>/cosine       cosine similarity of the two sums
The sums are over the whole training set, estimated from the sample: the sample's mean
gradient of a group times the group's size in the training set, so the norms weigh each
group by its share of the data, as the paper's per-epoch sums over the dataset do
(its 10% of mislabeled examples contribute gradients of a norm comparable to the clean
90%'s). The loss is the run's, against the training labels; the forward pass is in
eval mode (no dropout, BatchNorm's moving statistics), so the measure changes nothing in
the model or its optimizer. Two backward passes per evaluated epoch (one per group),
`samples // 2` examples each, drawn once from the run's seed, in batches of the run's
training batch size per replica (a size one device already takes forward and backward;
on the loaded 2-core CPU, 256 examples in batches of 32 took less than half the wall
seconds of one batch of 256), summed on the device with one host read per group.
tools/gradient_accounting_cost.py measures the cost against the epoch.
"""

import time

import numpy as np
import tensorflow as tf

from suite import hooks
from suite import rng
from suite.data import datasets
from suite.models import losses
from suite.models import zoo

PREFIX = "gradacc"
GROUPS = ("noisy", "clean")
COST_KEY = "perf/gradacc_seconds"  # Its own cost, beside perf/epoch_seconds.


def sample_groups(train: datasets.Split, samples: int, seed: int) -> dict[str, np.ndarray]:
  """Fixed, sorted rows of `samples // 2` corrupted and clean training examples.

  Args:
    train: the training split (its `corrupted` mask says which examples are mislabeled).
    samples: examples in both groups together.
    seed: the run's seed (the sample is keyed by it alone).

  Returns:
    {'noisy': rows, 'clean': rows}; a group may be smaller (or empty) than asked.
  """
  generator = rng.numpy_generator(seed, "gradient_accounting")
  corrupted = np.asarray(train.corrupted, bool)
  half = samples // 2
  return {"noisy": np.sort(generator.permutation(np.flatnonzero(corrupted))[:half]),
          "clean": np.sort(generator.permutation(np.flatnonzero(~corrupted))[:half])}


class GradientAccounting:
  """Per-block norms and cosine of the groups' summed gradients for one model."""

  def __init__(self, zoo_model: zoo.ZooModel, num_classes: int, loss: str,
               batch_size: int = 512):
    self.blocks = zoo_model.blocks()
    model = zoo_model.model
    self.variables = {block: [v for name in names for v in model.get_layer(name).trainable_weights]
                      for block, names in self.blocks.items()}
    self.variables = {b: v for b, v in self.variables.items() if v}
    self.batch_size = batch_size
    flat = [v for vs in self.variables.values() for v in vs]

    @tf.function(reduce_retracing=True)
    def summed_gradient(images, labels):
      """The gradient summed over a whole group, batch by batch inside one call: the host
      waits once per group, not once per batch (on a loaded CPU, a third of the seconds)."""
      sums = [tf.zeros(v.shape, v.dtype) for v in flat]
      for start in tf.range(0, tf.shape(images)[0], batch_size):
        with tf.GradientTape() as tape:
          logits = tf.cast(model(images[start:start + batch_size], training=False), tf.float32)
          total = tf.reduce_sum(losses.per_example_loss(
              loss, tf.one_hot(labels[start:start + batch_size], num_classes), logits))
        grads = tape.gradient(total, flat)
        sums = [s if g is None else s + tf.cast(g, s.dtype) for s, g in zip(sums, grads)]
      return sums

    self._gradient = summed_gradient
    self._flat = flat

  def _mean_gradient(self, images: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    sums = [g.numpy().astype(np.float64) for g in self._gradient(
        tf.constant(images, tf.float32), tf.constant(labels, tf.int64))]
    out, i = {}, 0
    for block, variables in self.variables.items():
      parts = sums[i:i + len(variables)]
      out[block] = np.concatenate([p.ravel() for p in parts]) / max(1, len(images))
      i += len(variables)
    return out

  def measure(self, train: datasets.Split, groups: dict[str, np.ndarray]) -> dict[str, float]:
    """The scalars of the module docstring; a block's cosine is NaN where a sum is zero.

    Args:
      train: the training split (images and the labels trained on).
      groups: {'noisy': rows, 'clean': rows} (`sample_groups`); both must be non-empty.

    Returns:
      {'gradacc/<block>/noisy_norm', '.../clean_norm', '.../cosine'} for every block.
    """
    corrupted = np.asarray(train.corrupted, bool)
    sizes = {"noisy": int(corrupted.sum()), "clean": int((~corrupted).sum())}
    sums = {name: {b: g * sizes[name] for b, g in self._mean_gradient(
        train.images[rows], train.labels[rows]).items()} for name, rows in groups.items()}
    out = {}
    for block in self.variables:
      noisy, clean = sums["noisy"][block], sums["clean"][block]
      noisy_norm, clean_norm = float(np.linalg.norm(noisy)), float(np.linalg.norm(clean))
      out[f"{PREFIX}/{block}/noisy_norm"] = noisy_norm
      out[f"{PREFIX}/{block}/clean_norm"] = clean_norm
      denominator = noisy_norm * clean_norm
      out[f"{PREFIX}/{block}/cosine"] = (float(np.dot(noisy, clean) / denominator)
                                         if denominator > 0 else float("nan"))
    return out


class GradientAccountingHook(hooks.Hook):
  """Gradient accounting every `every` evaluated epochs (and at the last), as scalars.

  Each accounted epoch also records the seconds the accounting took (COST_KEY), so its cost
  as a fraction of the epoch (perf/epoch_seconds) is measured on every run (`cost`).

  The scalars reach TensorBoard, the history and result.json like every measure's. A run
  without corrupted (or without clean) examples has nothing to account: no scalars.
  """

  def __init__(self, samples: int, every: int = 1, last_epoch: int | None = None):
    self.samples = samples
    self.every = every
    self.last_epoch = last_epoch
    self.accounting: GradientAccounting | None = None
    self.groups: dict[str, np.ndarray] | None = None

  def on_train_begin(self, state: hooks.State) -> None:
    self.groups = sample_groups(state.data.train, self.samples, state.config.seed)
    self.accounting = GradientAccounting(state.zoo_model, state.data.info.num_classes,
                                         state.config.loss,
                                         max(1, state.config.batch_size //
                                             state.strategy.num_replicas_in_sync))

  def on_evaluate(self, state: hooks.State) -> dict:
    if self.accounting is None or self.groups is None:
      self.on_train_begin(state)
    assert self.accounting is not None and self.groups is not None
    if not all(len(rows) for rows in self.groups.values()):
      return {}
    if state.epoch % self.every and state.epoch != self.last_epoch:
      return {}
    started = time.perf_counter()
    out = self.accounting.measure(state.data.train, self.groups)
    out[COST_KEY] = time.perf_counter() - started
    return out


def series(history: list[dict], block: str, what: str) -> tuple[list[int], list[float]]:
  """(epochs, values) of `gradacc/<block>/<what>` over a run's history."""
  key = f"{PREFIX}/{block}/{what}"
  pairs = [(int(h["epoch"]), float(h[key])) for h in history if key in h]
  return [e for e, _ in pairs], [v for _, v in pairs]


def cost(history: list[dict]) -> dict | None:
  """The accounting's cost against the epoch: {'seconds', 'epoch_seconds', 'fraction'},
  medians over the accounted epochs after the first (which compiles); None if unmeasured."""
  pairs = [(h[COST_KEY], h["perf/epoch_seconds"]) for h in history
           if COST_KEY in h and h.get("perf/epoch_seconds") and h["epoch"] > 0]
  if len(pairs) > 1:
    pairs = pairs[1:]
  if not pairs:
    return None
  seconds = float(np.median([p[0] for p in pairs]))
  epoch = float(np.median([p[1] for p in pairs]))
  return {"seconds": seconds, "epoch_seconds": epoch, "fraction": seconds / epoch}
