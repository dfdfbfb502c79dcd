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

import numpy as np
import pytest
import tensorflow as tf

from suite import errors
from suite import rng
from suite.data import augmentation
from suite.data import datasets
from suite.data import pillow_ops
from suite.data import train_pipeline


@pytest.fixture(scope="module")
def data(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(
      dataset="digits", train_size=120, label_noise=0.5, seed=7))


@pytest.fixture(scope="module")
def color_split():
  rng = np.random.default_rng(0)
  images = rng.uniform(0, 1, (16, 16, 16, 3)).astype(np.float32)
  labels = np.arange(16) % 4
  return datasets.Split(ids=np.arange(16) + 1000, images=images, labels=labels,
                        clean_labels=labels, corrupted=np.zeros(16, dtype=bool))


def _epoch(pipeline, epoch, batch_size=30):
  batches = list(pipeline.epoch(epoch, batch_size))
  return {key: np.concatenate([b[key].numpy() for b in batches]) for key in batches[0]}


@pytest.mark.parametrize("name", augmentation.AUGMENTATIONS)
def test_shapes_dtypes_and_ranges(data, color_split, name):
  for split, classes in ((data.train, 10), (color_split, 4)):
    config = augmentation.AugmentConfig(name=name)
    pipeline = train_pipeline.TrainPipeline(split, classes, config, 0)
    batch = next(iter(pipeline.epoch(0, 8)))
    assert batch["image"].shape == (8,) + split.images.shape[1:]
    assert batch["image"].dtype == tf.float32
    assert batch["label"].dtype == tf.int64 and batch["id"].dtype == tf.int64
    assert batch["target"].shape == (8, classes)
    assert float(tf.reduce_min(batch["image"])) >= 0.0
    assert float(tf.reduce_max(batch["image"])) <= 1.0


def test_each_epoch_visits_examples_once_in_a_seeded_order(data):
  pipeline = train_pipeline.TrainPipeline(data.train, 10, augmentation.AugmentConfig("none"), 0)
  first = _epoch(pipeline, 0, batch_size=40)
  second = _epoch(pipeline, 1, batch_size=40)
  assert sorted(first["id"]) == sorted(data.train.ids)
  assert not np.array_equal(first["id"], second["id"])
  # Un-augmented images and training labels are exactly the stored ones.
  position = {i: p for p, i in enumerate(data.train.ids)}
  rows = [position[i] for i in first["id"]]
  np.testing.assert_array_equal(first["image"], data.train.images[rows])
  np.testing.assert_array_equal(first["label"], data.train.labels[rows])
  np.testing.assert_array_equal(first["corrupted"], data.train.corrupted[rows])


@pytest.mark.parametrize("name", ["standard", "strong"])
def test_views_are_bit_identical_on_a_rerun_and_change_with_epoch_and_seed(data, name):
  config = augmentation.AugmentConfig(name=name)
  first = _epoch(train_pipeline.TrainPipeline(data.train, 10, config, seed=1), 3)
  rerun = _epoch(train_pipeline.TrainPipeline(data.train, 10, config, seed=1), 3)
  np.testing.assert_array_equal(first["image"], rerun["image"])
  np.testing.assert_array_equal(first["id"], rerun["id"])
  other_epoch = _epoch(train_pipeline.TrainPipeline(data.train, 10, config, seed=1), 4)
  other_seed = _epoch(train_pipeline.TrainPipeline(data.train, 10, config, seed=2), 3)
  for other in (other_epoch, other_seed):
    by_id = dict(zip(other["id"], other["image"]))
    changed = [not np.array_equal(image, by_id[i])
               for i, image in zip(first["id"], first["image"]) if i in by_id]
    assert np.mean(changed) > 0.5


def test_training_labels_stay_fixed_across_epochs(data):
  pipeline = train_pipeline.TrainPipeline(data.train, 10, augmentation.AugmentConfig("standard"), 0)
  seen = {}
  for epoch in range(3):
    batch = _epoch(pipeline, epoch)
    for example_id, label in zip(batch["id"], batch["label"]):
      seen.setdefault(example_id, set()).add(label)
  assert all(len(labels) == 1 for labels in seen.values())


@pytest.mark.parametrize("split_name", ["gray", "color"])
def test_fixed_pool_has_exactly_n_distinct_views(data, color_split, split_name):
  split = data.train if split_name == "gray" else color_split
  num_views = 5
  config = augmentation.AugmentConfig(name="strong", num_views=num_views)
  pipeline = train_pipeline.TrainPipeline(split, 10, config, seed=3)
  # The pool, built directly from (seed, id, view).
  example = 2
  pool = [augmentation.make_view(
      "strong", tf.constant(split.images[example]),
      rng.view_key(3, split.ids[example], view, pooled=True)).numpy()
          for view in range(num_views)]
  assert len({image.tobytes() for image in pool}) == num_views
  # Over many epochs the pipeline's example function shows exactly those n views, by index.
  shown = {}
  seen = tf.data.Dataset.range(60).map(lambda epoch: pipeline.example(example, epoch))
  for epoch in list(seen) + list(pipeline.epoch(0, 1)):
    for example_id, view, image in zip(np.atleast_1d(epoch["id"]), np.atleast_1d(epoch["view"]),
                                       np.reshape(epoch["image"], (-1,) + pool[0].shape)):
      if example_id == split.ids[example]:
        shown.setdefault(int(view), set()).add(image.tobytes())
  assert sorted(shown) == list(range(num_views))
  for view, images in shown.items():
    assert images == {pool[view].tobytes()}
  # The same pool on a re-run.
  rerun = train_pipeline.TrainPipeline(split, 10, config, seed=3)
  np.testing.assert_array_equal(_epoch(rerun, 7, 4)["image"], _epoch(pipeline, 7, 4)["image"])


def test_per_view_labels_are_fixed_per_example_and_view(data):
  num_views = 4
  config = augmentation.AugmentConfig(name="standard", num_views=num_views, per_view_labels=True)
  pipeline = train_pipeline.TrainPipeline(data.train, 10, config, seed=5)
  labels = {}
  for epoch in range(25):
    batch = _epoch(pipeline, epoch)
    for example_id, view, label in zip(batch["id"], batch["view"], batch["label"]):
      labels.setdefault((example_id, view), set()).add(label)
  assert all(len(values) == 1 for values in labels.values())
  position = {i: p for p, i in enumerate(data.train.ids)}
  table = train_pipeline.per_view_label_table(data.train, num_views, 10, seed=5)
  for (example_id, view), values in labels.items():
    assert values == {table[position[example_id], view]}
  # Clean examples keep their label in every view; corrupted ones get several.
  corrupted = data.train.corrupted
  np.testing.assert_array_equal(table[~corrupted], np.repeat(
      data.train.clean_labels[~corrupted, None], num_views, axis=1))
  distinct = np.array([len(set(row)) for row in table[corrupted]])
  assert distinct.mean() > 2.5  # 4 uniform draws over 10 classes: 3.44 distinct on average.


@pytest.fixture(scope="module")
def constant_split():
  """16 flat images, each of its own grey level, each of its own class (label = position)."""
  levels = (np.arange(16) + 1) / 17
  images = np.broadcast_to(levels[:, None, None, None], (16, 8, 8, 3)).astype(np.float32)
  return datasets.Split(ids=np.arange(16) + 500, images=images, labels=np.arange(16),
                        clean_labels=np.arange(16), corrupted=np.zeros(16, dtype=bool))


@pytest.mark.parametrize("mix", [dict(mixup_alpha=0.4), dict(cutmix_alpha=1.0),
                                 dict(mixup_alpha=0.4, cutmix_alpha=1.0)])
def test_mixup_and_cutmix_mix_images_and_targets(constant_split, mix):
  """Each target weighs the two labels as the image weighs the two images.

  Image i is flat at grey level g_i and has class i, so a mixed image's mean grey level is
  sum_c target[c] * g_c whatever the mix: mixup blends the levels with the weights of the
  targets, cutmix pastes a box whose area fraction is the partner's weight.
  """
  config = augmentation.AugmentConfig(name="none", **mix)
  levels = constant_split.images[:, 0, 0, 0]
  partnered = 0
  for epoch in range(3):
    pipeline = train_pipeline.TrainPipeline(constant_split, 16, config, epoch)
    batch = {k: v.numpy() for k, v in next(iter(pipeline.epoch(epoch, 16))).items()}
    image, target = batch["image"].astype(np.float64), batch["target"].astype(np.float64)
    np.testing.assert_allclose(target.sum(axis=1), 1.0, rtol=1e-5)
    assert (target >= 0).all()
    # At most two classes per target: the example's own and its partner's.
    assert (np.sum(target > 1e-6, axis=1) <= 2).all()
    np.testing.assert_allclose(image.mean(axis=(1, 2, 3)), target @ levels, atol=1e-5)
    # The weight of the example's own label, and the fraction of its pixels that are its own.
    own = target[np.arange(16), batch["label"]]
    own_pixels = np.mean(np.isclose(image, levels[batch["label"]][:, None, None, None],
                                    atol=1e-6), axis=(1, 2, 3))
    mixed = (own < 1 - 1e-3) & (own > 1e-3)
    partnered += mixed.sum()
    if "cutmix_alpha" in mix and "mixup_alpha" not in mix:
      # Cutmix pixels are either the example's own or the partner's: the kept area fraction
      # is the own label's weight.
      np.testing.assert_allclose(own_pixels, own, atol=1e-6)
    if "mixup_alpha" in mix and "cutmix_alpha" not in mix:
      # Mixup: every pixel is w * own + (1 - w) * partner, with w the own label's weight.
      partner = np.argmax(np.where(np.arange(16) == batch["label"][:, None], -1, target), 1)
      expected = own * levels[batch["label"]] + (1 - own) * levels[partner]
      np.testing.assert_allclose(image[:, 3, 5, 1], expected, atol=1e-5)
    assert 0.0 <= image.min() and image.max() <= 1.0
  assert partnered >= 10  # Soft targets with real weights on both sides were checked.
  again = next(iter(train_pipeline.TrainPipeline(constant_split, 16, config, 2).epoch(2, 16)))
  np.testing.assert_array_equal(image, again["image"].numpy().astype(np.float64))


def test_sharding_splits_an_epoch_without_overlap(data):
  pipeline = train_pipeline.TrainPipeline(data.train, 10, augmentation.AugmentConfig("none"), 0)
  shards = [np.concatenate([b["id"].numpy() for b in pipeline.epoch(0, 10, 2, index)])
            for index in range(2)]
  assert not set(shards[0]) & set(shards[1])
  assert len(shards[0]) + len(shards[1]) == 120


@pytest.mark.parametrize("kwargs,message", [
    (dict(name="blur"), "unknown augmentation 'blur'"),
    (dict(name="strong", num_views=-1), "num_views must be >= 0"),
    (dict(name="none", num_views=3), "a pool of views needs an augmentation other than 'none'"),
    (dict(name="strong", per_view_labels=True), "per_view_labels needs a fixed pool"),
    (dict(name="none", mixup_alpha=-0.1), "mixup_alpha and cutmix_alpha must be >= 0"),
    (dict(name="none", cutmix_alpha=-0.1), "mixup_alpha and cutmix_alpha must be >= 0"),
    (dict(name="randaugment", strength=1.5), "strength must be in \\[0, 1\\], got 1.5"),
    (dict(name="randaugment", strength=-0.5), "strength must be in \\[0, 1\\], got -0.5"),
    (dict(name="randaugment", strength=float("nan")), "strength must be in"),
])
def test_bad_augmentation_configs_are_rejected(kwargs, message):
  with pytest.raises(errors.ConfigError, match=message):
    augmentation.AugmentConfig(**kwargs)


@pytest.mark.parametrize("kwargs", [
    dict(name="strong", num_views=1, per_view_labels=True),  # The smallest pool.
    dict(name="strong", num_views=0),
    dict(name="randaugment", strength=0.0), dict(name="randaugment", strength=1.0),
    dict(name="none", mixup_alpha=0.0, cutmix_alpha=0.0),
])
def test_boundary_augmentation_configs_are_accepted(kwargs):
  config = augmentation.AugmentConfig(**kwargs)
  assert all(getattr(config, name) == value for name, value in kwargs.items())


@pytest.mark.parametrize("split_name", ["gray", "color"])
def test_strong_views_of_an_epoch_are_the_batched_pipeline_on_their_keys(data, color_split,
                                                                          split_name):
  split = data.train if split_name == "gray" else color_split
  pipeline = train_pipeline.TrainPipeline(split, 10, augmentation.AugmentConfig("strong"), seed=4)
  batch = _epoch(pipeline, 2, batch_size=8)
  position = {i: p for p, i in enumerate(split.ids)}
  rows = [position[i] for i in batch["id"]]
  keys = tf.stack([rng.view_key(4, i, 2, pooled=False) for i in batch["id"]])
  height, width = split.images.shape[1:3]
  expected = augmentation.apply_strong(tf.constant(split.images[rows]),
                                       augmentation.sample_strong_params(keys, height, width))
  np.testing.assert_array_equal(batch["image"], expected.numpy())
  # Views are uint8 images over 255, as the reference's ToTensor gives.
  pixels = np.round(batch["image"] * 255).astype(np.float32)
  np.testing.assert_array_equal(batch["image"], pixels / np.float32(255))


def _sequential_strong(image, params, i):
  """One `strong` view built step by step from example i's parameters: crop, flip, each
  jitter op in its drawn order (when jitter applies), grayscale (an independent order of
  the batched code's partitions and masks)."""
  pixels = tf.round(tf.constant(image[None]) * 255.0)
  pixels = pillow_ops.resized_crop(pixels, params["top"][i:i + 1], params["left"][i:i + 1],
                                   params["crop_height"][i:i + 1], params["crop_width"][i:i + 1])
  if params["flip"][i]:
    pixels = pixels[:, :, ::-1]
  if params["jitter"][i]:
    for op in params["order"][i]:
      function = getattr(pillow_ops, "adjust_" + pillow_ops.JITTER_OPS[op])
      pixels = function(pixels, tf.constant(params["factors"][i:i + 1, op]))
  if pixels.shape[-1] == 3 and params["grayscale"][i]:
    pixels = tf.tile(pillow_ops.rgb_to_grayscale(pixels), [1, 1, 1, 3])
  return pixels[0].numpy() / 255.0


@pytest.mark.parametrize("split_name", ["gray", "color"])
def test_batched_strong_views_match_the_per_example_implementation(data, color_split,
                                                                    split_name):
  split = data.train if split_name == "gray" else color_split
  height, width = split.images.shape[1:3]
  pipeline = train_pipeline.TrainPipeline(split, 10, augmentation.AugmentConfig("strong"), seed=6)
  batch = _epoch(pipeline, 1, batch_size=8)
  position = {i: p for p, i in enumerate(split.ids)}
  rows = [position[i] for i in batch["id"]]
  # The batched keys (one fold per batch) are rng.fold's, key by key.
  keys = tf.stack([rng.view_key(6, i, 1, pooled=False) for i in batch["id"]])
  base = tf.broadcast_to(rng.tf_key(6, "fresh_view"), [len(rows), 2])
  np.testing.assert_array_equal(
      rng.fold_keys(rng.fold_keys(base, batch["id"]), 1).numpy(), keys.numpy())
  # Crop boxes, flips, jitter flags and factors, op order and grayscale flags: the batch's
  # draws are those of each key alone.
  batched = {k: v.numpy() for k, v in augmentation.sample_strong_params(keys, height,
                                                                        width).items()}
  for i in range(len(rows)):
    single = augmentation.sample_strong_params(keys[i], height, width)
    for name, value in single.items():
      np.testing.assert_array_equal(value.numpy(), batched[name][i], err_msg=name)
  assert sorted(batched) == ["crop_height", "crop_width", "factors", "flip", "grayscale",
                             "jitter", "left", "order", "top"]
  assert batched["flip"].any() and not batched["flip"].all()
  assert (np.sort(batched["order"], axis=1) == np.arange(4)).all()
  # Pixels: the epoch's batches, the per-example tf.data path (`example`) and the view built
  # step by step in the drawn order agree (exactly, which is within 1e-5).
  for j, (example_id, row) in enumerate(zip(batch["id"], rows)):
    one = pipeline.example(row, 1)
    assert int(one["id"]) == example_id
    np.testing.assert_array_equal(one["image"].numpy(), batch["image"][j])
    np.testing.assert_allclose(_sequential_strong(split.images[row], batched, j),
                               batch["image"][j], atol=1e-5)
    # Where jitter is not applied, the view is the flipped crop (then grayscale) alone.
    if not batched["jitter"][j]:
      unjittered = dict(batched, jitter=np.zeros_like(batched["jitter"]))
      np.testing.assert_array_equal(_sequential_strong(split.images[row], unjittered, j),
                                    _sequential_strong(split.images[row], batched, j))


def test_pool_view_choice_and_labels_in_batches_match_the_per_example_draws(data):
  config = augmentation.AugmentConfig(name="strong", num_views=3, per_view_labels=True)
  pipeline = train_pipeline.TrainPipeline(data.train, 10, config, seed=8)
  batch = _epoch(pipeline, 5, batch_size=24)
  position = {i: p for p, i in enumerate(data.train.ids)}
  for j in range(0, len(batch["id"]), 7):
    one = pipeline.example(position[batch["id"][j]], 5)
    for name in ("view", "label", "target", "clean_label", "corrupted", "id"):
      np.testing.assert_array_equal(one[name].numpy(), batch[name][j], err_msg=name)
    np.testing.assert_array_equal(one["image"].numpy(), batch["image"][j])
  # The view index is TensorFlow's stateless integer draw from its key, key by key.
  choice_keys = tf.stack([rng.fold(rng.tf_key(8, "view_choice"), i, 5) for i in batch["id"]])
  expected = [int(tf.random.stateless_uniform([], seed=k, maxval=3, dtype=tf.int64))
              for k in choice_keys]
  np.testing.assert_array_equal(rng.keyed_below(choice_keys, 3).numpy(), expected)
  np.testing.assert_array_equal(batch["view"], expected)


@pytest.mark.parametrize("name,strength", [("strong", 1.0), ("randaugment", 0.5)])
def test_pooled_views_are_the_keyed_views_of_each_example(color_split, name, strength):
  """What view fit scores: view v of example i is the view keyed by (seed, id_i, v)."""
  config = augmentation.AugmentConfig(name=name, num_views=3, strength=strength)
  pipeline = train_pipeline.TrainPipeline(color_split, 4, config, seed=9)
  for position in (0, 5):
    views = [pipeline.pooled_view(position, view).numpy() for view in range(3)]
    for view, image in enumerate(views):
      key = rng.view_key(9, color_split.ids[position], view, pooled=True)
      expected = augmentation.make_view(name, tf.constant(color_split.images[position]), key,
                                        strength)
      np.testing.assert_array_equal(image, expected.numpy())
    assert len({image.tobytes() for image in views}) == 3
  # The pool is the one training draws from: every view shown is one of them.
  shown = pipeline.example(5, 0)
  np.testing.assert_array_equal(shown["image"].numpy(),
                                pipeline.pooled_view(5, int(shown["view"])).numpy())


def test_eval_dataset_gives_the_stored_examples_in_split_order(data):
  batches = list(train_pipeline.eval_dataset(data.train, 50))
  assert [len(b["id"]) for b in batches] == [50, 50, 20]  # The last batch is partial.
  joined = {key: np.concatenate([b[key].numpy() for b in batches]) for key in batches[0]}
  assert sorted(joined) == ["clean_label", "corrupted", "id", "image", "label"]
  np.testing.assert_array_equal(joined["image"], data.train.images)
  np.testing.assert_array_equal(joined["label"], data.train.labels)
  np.testing.assert_array_equal(joined["clean_label"], data.train.clean_labels)
  np.testing.assert_array_equal(joined["corrupted"], data.train.corrupted)
  np.testing.assert_array_equal(joined["id"], data.train.ids)


def test_crop_boxes_need_a_positive_image_size():
  keys = tf.constant([[1, 2], [3, 4]], tf.int64)
  for height, width in ((0, 5), (5, 0), (-1, -1)):
    with pytest.raises(errors.SuiteError,
                       match=f"^image size must be positive, got {height}x{width}$"):
      augmentation.random_resized_crop_box(keys, height, width)
  # A 1 x 1 image has one crop: itself.
  for height, width in ((1, 1), (1, 4), (4, 1)):
    top, left, crop_h, crop_w = augmentation.random_resized_crop_box(keys, height, width)
    assert (top.numpy() >= 0).all() and (left.numpy() >= 0).all()
    assert (top.numpy() + crop_h.numpy() <= height).all()
    assert (left.numpy() + crop_w.numpy() <= width).all()
    assert (crop_h.numpy() >= 1).all() and (crop_w.numpy() >= 1).all()


def _cutmix_rule(generator, size, height, width, alpha):
  """keras.layers.CutMix's boxes, drawn independently in NumPy: lambda ~ Beta(a, a), a box
  of sides sqrt(1 - lambda) H x sqrt(1 - lambda) W centred uniformly, clipped to the image;
  returns the pasted (partner's) fraction of pixels of each draw."""
  lam = generator.beta(alpha, alpha, size)
  cut = np.sqrt(1.0 - lam)
  centre_y = generator.uniform(0, height, size)
  centre_x = generator.uniform(0, width, size)
  rows = np.arange(height)[None, :, None] + 0.5
  cols = np.arange(width)[None, None, :] + 0.5
  inside = ((np.abs(rows - centre_y[:, None, None]) < (cut * height / 2)[:, None, None]) &
            (np.abs(cols - centre_x[:, None, None]) < (cut * width / 2)[:, None, None]))
  return inside.mean(axis=(1, 2))


def test_cutmix_boxes_follow_the_cutmix_rule():
  """Box sizes and centres: the pasted area against the rule drawn in NumPy (KS), centres
  spread over the whole image, rows and columns drawn independently."""
  from scipy import stats as scipy_stats  # pylint: disable=g-import-not-at-top
  size, height, width = 2048, 12, 10
  levels = (np.arange(size) + 1.0) / (size + 1)
  images = np.broadcast_to(levels[:, None, None, None], (size, height, width, 1))
  batch = {"image": tf.constant(images, tf.float32),
           "target": tf.one_hot(np.arange(size) % 4, 4)}
  out = augmentation._cutmix(batch, rng.fold(rng.tf_key(3, "mix"), 7), 1.0)  # pylint: disable=protected-access
  pasted = ~np.isclose(out["image"].numpy()[..., 0], images[..., 0].astype(np.float32))
  fraction = pasted.mean(axis=(1, 2))
  simulated = _cutmix_rule(np.random.default_rng(0), 20000, height, width, 1.0)
  assert scipy_stats.ks_2samp(fraction, simulated).pvalue > 1e-3
  # The partner's weight in the target is the pasted fraction (own class != partner's here
  # only where their labels differ, so compare on the label weights directly).
  own = out["target"].numpy()[np.arange(size), np.arange(size) % 4]
  partner_same = own > 1 - 1e-6
  np.testing.assert_allclose(1 - own[~partner_same], fraction[~partner_same], atol=1e-6)
  # Centres: the pasted regions' centroids (their centres, moved in by clipping) spread over
  # the whole image, their rows independent of their columns.
  rows, cols = np.array([np.argwhere(m).mean(0) for m in pasted[fraction > 0]]).T
  assert abs(np.mean(rows) - (height - 1) / 2) < 0.5 and abs(np.mean(cols) - (width - 1) / 2) < 0.5
  assert rows.min() < 2 and rows.max() > height - 3 and cols.min() < 2 and cols.max() > width - 3
  assert abs(np.corrcoef(rows, cols)[0, 1]) < 0.15


@pytest.mark.parametrize("name", ["none", "standard", "strong"])
def test_fresh_views_are_marked_view_minus_one(data, name):
  """Without a pool every view is fresh: `view` is -1 (int64) in batches and examples alike."""
  pipeline = train_pipeline.TrainPipeline(data.train, 10, augmentation.AugmentConfig(name), 0)
  batch = next(iter(pipeline.epoch(1, 8)))
  assert batch["view"].dtype == tf.int64
  np.testing.assert_array_equal(batch["view"].numpy(), np.full(8, -1))
  one = pipeline.example(3, 1)
  assert one["view"].dtype == tf.int64 and int(one["view"]) == -1


def test_epoch_order_is_the_shuffle_keyed_by_seed_and_epoch(data):
  """The order of an epoch depends on (seed, epoch) alone: a restarted run, or another
  process that knows only the seed, rebuilds it from the documented key."""
  pipeline = train_pipeline.TrainPipeline(data.train, 10, augmentation.AugmentConfig("none"), 5)
  for epoch in (0, 3):
    shown = _epoch(pipeline, epoch, batch_size=50)["id"]
    order = tf.random.experimental.stateless_shuffle(
        tf.range(len(data.train), dtype=tf.int64),
        seed=rng.fold(rng.tf_key(5, "order"), epoch)).numpy()
    # Two full batches of 50; the last 20 of the order are the dropped partial batch.
    np.testing.assert_array_equal(shown, data.train.ids[order[:100]])


@pytest.mark.parametrize("shape", [[], [3], [4, 3], [0]])
def test_keyed_uniforms_need_keys_of_shape_batch_by_two(shape):
  with pytest.raises(errors.SuiteError, match=r"^keys must have shape \[\.\.\., 2\], got "):
    rng.keyed_uniforms(tf.zeros(shape, tf.int64), 3)
