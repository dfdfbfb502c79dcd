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

"""`randaugment` against Pillow and against torchvision's RandAugment rule.

The reference: sanagno/benign_memorization maps a strength a to torchvision
`RandAugment(int(a * 10 // 3 + 1), min(int(a * 100), 99), num_magnitude_bins=100)` on PIL
images. Each operation here is compared, every pixel, with Pillow applying it the way
torchvision's `_apply_op` does on a PIL image (F.affine -> Image.transform(AFFINE, NEAREST,
fill 0) with torchvision's inverse matrix, F.rotate -> Image.rotate, ImageEnhance, ImageOps),
on RGB and 'L' images. The random choices are compared with a NumPy implementation of
torchvision's rule (two-sample chi-square), and the same check must reject rules that are
slightly wrong.
"""

import math

from absl.testing import flagsaver
import numpy as np
from PIL import Image
from PIL import ImageEnhance
from PIL import ImageOps
import pytest
from scipy import stats
import tensorflow as tf

from flags import runs
from suite import errors
from suite import rng
from suite.data import augmentation
from suite.data import datasets
from suite.data import randaugment
from suite.data import train_pipeline

# torchvision's RandAugment operation space, in its order (its _augmentation_space keys).
TORCHVISION_OPS = ("Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate",
                   "Brightness", "Color", "Contrast", "Sharpness", "Posterize", "Solarize",
                   "AutoContrast", "Equalize")
SIGNED = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
          "Contrast", "Sharpness")
LEVEL = 0.001  # Fixed-seed tests: this is their false-alarm rate, not a flake rate.


def _reference_setting(a):
  """The reference's transformations/__init__.py, verbatim arithmetic."""
  num_ops = int(a * 10 // 3 + 1)
  magnitude = min(int(a * 100), 100 - 1)
  return num_ops, magnitude


def _inverse_affine(center, angle, translate, scale, shear):
  """torchvision.transforms.functional._get_inverse_affine_matrix (inverted=True)."""
  rot = math.radians(angle)
  sx, sy = math.radians(shear[0]), math.radians(shear[1])
  cx, cy = center
  tx, ty = translate
  a = math.cos(rot - sy) / math.cos(sy)
  b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
  c = math.sin(rot - sy) / math.cos(sy)
  d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
  matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
  matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
  matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
  matrix[2] += cx
  matrix[5] += cy
  return matrix


def _pil_affine(img, translate, shear, center=None):
  """F.affine(img, angle=0, translate, scale=1, shear, NEAREST, fill=None) on a PIL image."""
  width, height = img.size
  if center is None:
    center = [width * 0.5, height * 0.5]
  matrix = _inverse_affine(center, 0.0, translate, 1.0, shear)
  fill = 0 if img.mode == "L" else (0, 0, 0)  # torchvision's _parse_fill of fill=None.
  return img.transform(img.size, Image.AFFINE, matrix, Image.NEAREST, fillcolor=fill)


def _pil_op(img, op, magnitude):
  """torchvision.transforms.autoaugment._apply_op on a PIL image."""
  fill = 0 if img.mode == "L" else (0, 0, 0)
  if op == "Identity":
    return img
  if op == "ShearX":
    return _pil_affine(img, [0, 0], [math.degrees(math.atan(magnitude)), 0.0], center=[0, 0])
  if op == "ShearY":
    return _pil_affine(img, [0, 0], [0.0, math.degrees(math.atan(magnitude))], center=[0, 0])
  if op == "TranslateX":
    return _pil_affine(img, [int(magnitude), 0], [0.0, 0.0])
  if op == "TranslateY":
    return _pil_affine(img, [0, int(magnitude)], [0.0, 0.0])
  if op == "Rotate":
    return img.rotate(magnitude, Image.NEAREST, expand=False, center=None, fillcolor=fill)
  if op in ("Brightness", "Color", "Contrast", "Sharpness"):
    return getattr(ImageEnhance, op)(img).enhance(1.0 + magnitude)
  if op == "Posterize":
    return ImageOps.posterize(img, int(magnitude))
  if op == "Solarize":
    return ImageOps.solarize(img, magnitude)
  if op == "AutoContrast":
    return ImageOps.autocontrast(img)
  return ImageOps.equalize(img)


def _to_pil(pixels):
  pixels = np.asarray(pixels, np.uint8)
  return Image.fromarray(pixels[..., 0], "L") if pixels.shape[-1] == 1 else Image.fromarray(
      pixels, "RGB")


def _from_pil(img, channels):
  return np.asarray(img, np.float32).reshape(img.size[1], img.size[0], channels)


def _test_images(shape, seed):
  """Random uint8 images plus the cases histogram operations treat apart."""
  generator = np.random.default_rng(seed)
  images = generator.integers(0, 256, shape).astype(np.float32)
  images[1] = np.floor(images[1] / 4) + 60  # A narrow range (AutoContrast stretches it).
  images[2] = 77.0  # Constant (AutoContrast and Equalize leave it alone).
  images[3, :, : shape[2] // 2] = 3.0  # Two values on one half.
  images[4] = generator.choice([0.0, 255.0, 128.0], shape[1:])  # Few levels, both extremes.
  return images


def _keys(count, salt):
  generator = np.random.default_rng(rng.purpose_tag(salt))
  return tf.constant(generator.integers(-2**63, 2**63 - 1, size=(count, 2), dtype=np.int64))


# ---------------------------------------------------------------------------------------------
# The strength and the magnitude tables.

@pytest.mark.parametrize("a", [0.0, 0.01, 0.29, 0.3, 0.33, 0.5, 0.6, 0.66, 0.7, 0.9, 0.99, 1.0])
def test_strength_gives_the_references_num_ops_and_magnitude(a):
  assert randaugment.strength_setting(a) == _reference_setting(a)


def test_strength_zero_and_one():
  assert randaugment.strength_setting(0.0) == (1, 0)
  assert randaugment.strength_setting(1.0) == (4, 99)
  params = randaugment.sample_randaugment_params(_keys(50, "zero"), 0.0)
  assert params["ops"].shape == (50, 1) and params["negative"].shape == (50, 1)
  assert set(randaugment.magnitudes(0, 32, 32).values()) == {0.0, 8.0, 255.0}


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan")])
def test_strength_outside_zero_one_is_refused(bad):
  with pytest.raises(errors.ConfigError, match="strength"):
    augmentation.AugmentConfig("randaugment", strength=bad)
  with pytest.raises(errors.ConfigError, match="strength"):
    randaugment.strength_setting(bad)


@pytest.mark.parametrize("bin_", [0, 1, 33, 50, 66, 98, 99])
def test_magnitude_tables_are_torchvisions(bin_):
  ours = randaugment.magnitudes(bin_, 28, 32)
  ends = {"shear_x": 0.3, "shear_y": 0.3, "translate_x": 150 / 331 * 32,
          "translate_y": 150 / 331 * 28, "rotate": 30.0, "brightness": 0.9, "color": 0.9,
          "contrast": 0.9, "sharpness": 0.9}
  # torch computes the table in float32 (a step, a product, a sum): within two float32 ulps.
  for op, end in ends.items():
    exact = np.linspace(0.0, end, 100)[bin_]
    assert abs(ours[op] - exact) <= 2 * np.spacing(np.float32(exact)), op
    assert float(np.float32(ours[op])) == ours[op], f"{op}: not a float32 value"
  solarize = np.linspace(255.0, 0.0, 100)[bin_]
  assert abs(ours["solarize"] - solarize) <= 2 * np.spacing(np.float32(solarize))
  assert ours["posterize"] == 8 - np.round(np.arange(100) / (99 / 4))[bin_]
  # The thresholds that decide pixels land where the exact table does.
  assert math.ceil(ours["solarize"]) == math.ceil(round(solarize, 9))


# ---------------------------------------------------------------------------------------------
# Each operation against Pillow.

_OP_NAMES = dict(zip(TORCHVISION_OPS, randaugment.OPS))


@pytest.mark.parametrize("shape", [(6, 32, 32, 3), (6, 28, 28, 1), (6, 16, 24, 3), (6, 8, 8, 1)],
                         ids=["rgb32", "l28", "rgb16x24", "l8"])
@pytest.mark.parametrize("op", TORCHVISION_OPS)
def test_each_operation_equals_pillow(op, shape):
  images = _test_images(shape, seed=len(op) + shape[1])
  height, width, channels = shape[1:]
  for strength in (0.0, 0.15, 0.33, 0.66, 1.0):
    _, bin_ = randaugment.strength_setting(strength)
    magnitude = randaugment.magnitudes(bin_, height, width)[_OP_NAMES[op]]
    for negative in (False, True):
      ours = randaugment.apply_operation(tf.constant(images), _OP_NAMES[op],
                                         tf.fill([shape[0]], negative), strength).numpy()
      signed = -magnitude if negative and op in SIGNED else magnitude
      theirs = np.stack([_from_pil(_pil_op(_to_pil(image), op, signed), channels)
                         for image in images])
      np.testing.assert_array_equal(ours, theirs,
                                    err_msg=f"{op} strength {strength} negative {negative}")


@pytest.mark.parametrize("op", [o for o in TORCHVISION_OPS if o != "Identity"])
def test_each_operation_changes_an_image_at_full_strength(op):
  """Guards the comparison above: no operation is an identity on both sides by mistake."""
  images = _test_images((6, 32, 32, 3), seed=1)
  for negative in (False, True):
    out = randaugment.apply_operation(tf.constant(images), _OP_NAMES[op],
                                      tf.fill([6], negative), 1.0).numpy()
    assert np.mean(out != images) > 0.05, (op, negative)


def test_color_is_the_identity_on_l_images():
  images = _test_images((6, 16, 16, 1), seed=2)
  out = randaugment.apply_operation(tf.constant(images), "color", tf.fill([6], True), 1.0)
  np.testing.assert_array_equal(out.numpy(), images)


def test_the_signs_of_an_operation_are_per_image():
  images = _test_images((6, 16, 16, 3), seed=3)
  negative = tf.constant([False, True] * 3)
  mixed = randaugment.apply_operation(tf.constant(images), "rotate", negative, 1.0).numpy()
  for sign in (False, True):
    alone = randaugment.apply_operation(tf.constant(images), "rotate", tf.fill([6], sign), 1.0)
    rows = np.flatnonzero(negative.numpy() == sign)
    np.testing.assert_array_equal(mixed[rows], alone.numpy()[rows])
  assert np.any(mixed[0] != mixed[1])


# ---------------------------------------------------------------------------------------------
# The random choices against torchvision's rule.

def _numpy_rule(count, num_ops, seed, num_choices=14, p_negative=0.5):
  """torchvision RandAugment.forward's draws: torch.randint(14) per step, randint(2) sign."""
  generator = np.random.default_rng(seed)
  ops = generator.integers(0, num_choices, (count, num_ops))
  ops = np.minimum(ops, 13)  # A 15th choice (AutoAugment's Invert) lands on Equalize.
  return ops, generator.random((count, num_ops)) < p_negative


def _pvalue(ours, theirs, cells):
  table = np.stack([np.bincount(ours, minlength=cells), np.bincount(theirs, minlength=cells)])
  table = table[:, table.sum(axis=0) > 0]
  return stats.chi2_contingency(table)[1]


def _compare_rules(ours, theirs):
  """p-values: op of each step, (op at step 0, op at step 1), sign, (op, sign)."""
  (ops, negative), (ref_ops, ref_negative) = ours, theirs
  values = {f"step{s}": _pvalue(ops[:, s], ref_ops[:, s], 14) for s in range(ops.shape[1])}
  values["pair"] = _pvalue(ops[:, 0] * 14 + ops[:, 1], ref_ops[:, 0] * 14 + ref_ops[:, 1], 196)
  values["sign"] = _pvalue(negative.ravel().astype(int), ref_negative.ravel().astype(int), 2)
  values["op_sign"] = _pvalue((ops * 2 + negative).ravel(), (ref_ops * 2 + ref_negative).ravel(),
                              28)
  return values


@pytest.fixture(scope="module")
def drawn():
  params = randaugment.sample_randaugment_params(_keys(12000, "rule"), 1.0)
  return params["ops"].numpy(), params["negative"].numpy()


def test_choices_are_distributed_as_torchvisions(drawn):
  assert drawn[0].shape == (12000, 4)
  assert drawn[0].min() == 0 and drawn[0].max() == 13
  pvalues = _compare_rules(drawn, _numpy_rule(12000, 4, seed=0))
  assert min(pvalues.values()) > LEVEL, pvalues


@pytest.mark.parametrize("wrong", [dict(num_choices=15), dict(p_negative=0.46)],
                         ids=["fifteen_ops", "sign_p_0.46"])
def test_the_check_rejects_a_slightly_wrong_rule(drawn, wrong):
  pvalues = _compare_rules(drawn, _numpy_rule(12000, 4, seed=0, **wrong))
  assert min(pvalues.values()) < LEVEL, pvalues


def test_draws_are_per_key_and_repeatable():
  keys = _keys(64, "repeat")
  first = randaugment.sample_randaugment_params(keys, 0.7)
  again = randaugment.sample_randaugment_params(keys, 0.7)
  for name in first:
    np.testing.assert_array_equal(first[name].numpy(), again[name].numpy())
  # Key by key: one key alone draws what it draws in a batch.
  for i in (0, 17, 63):
    alone = randaugment.sample_randaugment_params(keys[i], 0.7)
    for name in first:
      np.testing.assert_array_equal(alone[name].numpy(), first[name].numpy()[i])
  other = randaugment.sample_randaugment_params(_keys(64, "other"), 0.7)
  assert np.mean(other["ops"].numpy() != first["ops"].numpy()) > 0.8


# ---------------------------------------------------------------------------------------------
# Whole views.

def _pillow_view(pixels, ops, negative, strength):
  """The reference's RandAugment on one uint8 image with the given choices, in Pillow."""
  _, bin_ = randaugment.strength_setting(strength)
  height, width, channels = pixels.shape
  table = randaugment.magnitudes(bin_, height, width)
  img = _to_pil(pixels)
  for op, sign in zip(ops, negative):
    name = TORCHVISION_OPS[op]
    magnitude = table[randaugment.OPS[op]]
    img = _pil_op(img, name, -magnitude if sign and name in SIGNED else magnitude)
  return _from_pil(img, channels)


@pytest.mark.parametrize("shape", [(40, 32, 32, 3), (40, 8, 8, 1)], ids=["rgb", "l"])
@pytest.mark.parametrize("strength", [1.0, 0.45, 0.0])
def test_views_equal_pillow_applying_the_same_choices(shape, strength):
  images = _test_images(shape, seed=9)
  keys = _keys(shape[0], f"views{shape[-1]}")
  params = randaugment.sample_randaugment_params(keys, strength)
  views = randaugment.apply_randaugment(tf.constant(images / 255.0, tf.float32), params,
                                        strength).numpy()
  ops, negative = params["ops"].numpy(), params["negative"].numpy()
  for i in range(shape[0]):
    expected = _pillow_view(images[i], ops[i], negative[i], strength)
    np.testing.assert_array_equal(np.round(views[i] * 255.0), expected, err_msg=f"view {i}")
    np.testing.assert_array_equal(views[i], expected / np.float32(255.0))  # ToTensor.


def test_strength_zero_leaves_an_image_unless_a_histogram_operation_runs():
  images = _test_images((60, 16, 16, 3), seed=5)
  images = np.minimum(images, 254.0)  # Solarize at bin 0 (threshold 255) inverts only 255.
  params = randaugment.sample_randaugment_params(_keys(60, "zero_views"), 0.0)
  views = randaugment.apply_randaugment(tf.constant(images / 255.0, tf.float32), params,
                                        0.0).numpy()
  histogram_ops = [randaugment.OPS.index("autocontrast"), randaugment.OPS.index("equalize")]
  plain = ~np.isin(params["ops"].numpy()[:, 0], histogram_ops)
  assert plain.sum() > 30
  np.testing.assert_array_equal(np.round(views[plain] * 255.0), images[plain])


@pytest.fixture(scope="module")
def digits(digits_raw):
  return datasets.build(digits_raw, datasets.DataConfig(dataset="digits", train_size=60, seed=3))


@pytest.fixture(scope="module")
def color_split():
  generator = np.random.default_rng(0)
  images = generator.uniform(0, 1, (24, 16, 16, 3)).astype(np.float32)
  labels = np.arange(24) % 4
  return datasets.Split(ids=np.arange(24) + 500, images=images, labels=labels,
                        clean_labels=labels, corrupted=np.zeros(24, dtype=bool))


@pytest.mark.parametrize("num_views", [0, 3])
@pytest.mark.parametrize("split_name", ["gray", "color"])
def test_the_batched_pipeline_equals_the_per_example_path(digits, color_split, split_name,
                                                          num_views):
  split = digits.train if split_name == "gray" else color_split
  config = augmentation.AugmentConfig("randaugment", num_views=num_views, strength=0.8)
  pipeline = train_pipeline.TrainPipeline(split, 10, config, seed=6)
  batches = list(pipeline.epoch(3, 8))
  position = {i: p for p, i in enumerate(split.ids)}
  changed = 0
  for batch in batches[:2]:  # One at a time is slow (eager ops); two batches of 8 suffice.
    for j, example_id in enumerate(batch["id"].numpy()):
      one = pipeline.example(position[example_id], 3)
      np.testing.assert_array_equal(one["image"].numpy(), batch["image"][j].numpy())
      np.testing.assert_array_equal(one["view"].numpy(), batch["view"][j].numpy())
      changed += int(np.any(one["image"].numpy() != split.images[position[example_id]]))
  assert changed > 8
  # Views of the epoch are the module's on their keys, and repeat on a rerun.
  again = list(pipeline.epoch(3, 8))
  for first, second in zip(batches, again):
    np.testing.assert_array_equal(first["image"].numpy(), second["image"].numpy())


def test_views_depend_on_the_key_and_the_strength(color_split):
  images = tf.constant(color_split.images[:16])

  def views(seed, strength):
    keys = tf.stack([rng.view_key(seed, i, 0, pooled=False) for i in range(16)])
    params = randaugment.sample_randaugment_params(keys, strength)
    return randaugment.apply_randaugment(images, params, strength).numpy()

  np.testing.assert_array_equal(views(1, 0.5), views(1, 0.5))
  assert np.any(views(1, 0.5) != views(2, 0.5))
  assert np.any(views(1, 0.5) != views(1, 0.9))


def test_strength_leaves_other_augmentations_alone(color_split):
  for name in ("standard", "strong"):
    batches = [next(iter(train_pipeline.TrainPipeline(
        color_split, 4, augmentation.AugmentConfig(name, **extra), 5).epoch(1, 8)))["image"]
               for extra in ({}, {"strength": 0.2})]
    np.testing.assert_array_equal(batches[0].numpy(), batches[1].numpy())
  assert augmentation.AugmentConfig().strength == 1.0


def test_the_flag_reaches_the_config(tmp_path):
  with flagsaver.flagsaver(output_dir=str(tmp_path), augmentation="randaugment",
                           augmentation_strength=0.25):
    spec = runs.run_spec("train")
  assert (spec.augment.name, spec.augment.strength) == ("randaugment", 0.25)
  with flagsaver.flagsaver(output_dir=str(tmp_path)):
    assert runs.run_spec("train").augment.strength == 1.0
