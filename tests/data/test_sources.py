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

"""Loading through TFDS: mock data for every name, real digits and Fashion-MNIST, offline files."""

import gzip
import io
import os
import pickle
import tarfile
from unittest import mock

import numpy as np
import pytest
import scipy.io
import tensorflow_datasets as tfds

from suite.data import datasets
from suite.data import sources
from tests.conftest import DEBIAN_FASHION_MNIST

_SHAPES = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1), "cifar10": (32, 32, 3),
           "cifar100": (32, 32, 3), "svhn_cropped": (32, 32, 3), "digits": (8, 8, 1)}
_CLASSES = {"cifar100": 100}


@pytest.mark.parametrize("name", sources.DATASETS)
def test_every_dataset_loads_through_mock_data(name, tmp_path):
  # No Debian files either: the mock must be what is read.
  with mock.patch.object(sources, "DEBIAN_FASHION_MNIST_DIR", str(tmp_path / "none")), \
       tfds.testing.mock_data(num_examples=40):
    data = datasets.load(datasets.DataConfig(dataset=name, data_dir=str(tmp_path),
                                             label_noise=0.5, seed=1))
  num_classes = _CLASSES.get(name, 10)
  assert data.info.num_classes == num_classes
  assert data.info.image_shape == _SHAPES[name]
  assert data.train.images.shape == (40,) + _SHAPES[name]
  assert data.test.images.shape == (40,) + _SHAPES[name]
  assert data.train.images.dtype == np.float32
  assert 0.0 <= data.train.images.min() and data.train.images.max() <= 1.0
  np.testing.assert_array_equal(data.train.ids, np.arange(40))
  assert data.train.corrupted.sum() == 20
  assert data.info.num_label_corrupted == 20
  assert not data.test.corrupted.any()
  np.testing.assert_array_equal(data.test.labels, data.test.clean_labels)
  assert data.train.labels.max() < num_classes


def test_digits_loads_for_real(digits_raw):
  assert digits_raw.train_images.shape == (1438, 8, 8, 1)
  assert digits_raw.test_images.shape == (359, 8, 8, 1)
  assert digits_raw.num_classes == 10
  # Every class is in both splits, in proportion.
  for labels, size in ((digits_raw.train_labels, 1438), (digits_raw.test_labels, 359)):
    counts = np.bincount(labels, minlength=10)
    assert counts.min() > 0.08 * size and counts.max() < 0.12 * size
  # The images are the real scikit-learn digits (0..16 scaled to 0..255).
  from sklearn import datasets as sk_datasets
  sk_images = np.round(sk_datasets.load_digits().images * 255 / 16).astype(np.uint8)
  both = np.concatenate([digits_raw.train_images, digits_raw.test_images])[..., 0]
  assert sorted(map(bytes, both)) == sorted(map(bytes, sk_images))


@pytest.mark.skipif(not DEBIAN_FASHION_MNIST, reason="Debian's dataset-fashion-mnist not installed")
def test_fashion_mnist_loads_offline_from_the_debian_package(tmp_path):
  raw = sources.load_raw("fashion_mnist", data_dir=str(tmp_path), download=False)
  assert raw.train_images.shape == (60000, 28, 28, 1)
  assert raw.test_images.shape == (10000, 28, 28, 1)
  np.testing.assert_array_equal(np.bincount(raw.train_labels), [6000] * 10)
  np.testing.assert_array_equal(np.bincount(raw.test_labels), [1000] * 10)
  assert raw.class_names[0] == "T-shirt/top"
  # Stored in the TFDS layout: plain tfds.load reads it afterwards, in file order.
  first = next(iter(tfds.load("fashion_mnist", split="train", data_dir=str(tmp_path))))
  np.testing.assert_array_equal(first["image"].numpy(), raw.train_images[0])


def _idx_bytes(array):
  header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
  return header + array.astype(np.uint8).tobytes()


def test_mnist_prepares_from_idx_files_in_manual_dir(tmp_path):
  rng = np.random.default_rng(0)
  manual = tmp_path / "manual"
  manual.mkdir()
  arrays = {}
  for split, (images_name, labels_name) in sources._IDX_FILES.items():
    images = rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)
    labels = np.arange(30) % 10
    arrays[split] = images, labels
    (manual / (images_name + ".gz")).write_bytes(gzip.compress(_idx_bytes(images)))
    (manual / labels_name).write_bytes(_idx_bytes(labels))  # Uncompressed works too.
  raw = sources.load_raw("mnist", data_dir=str(tmp_path / "tfds"), manual_dir=str(manual),
                         download=False)
  np.testing.assert_array_equal(raw.train_images[..., 0], arrays["train"][0])
  np.testing.assert_array_equal(raw.test_labels, arrays["test"][1])


def test_cifar10_prepares_from_the_python_archive(tmp_path):
  rng = np.random.default_rng(0)
  batches = {}
  buffer = io.BytesIO()
  with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
      batch = {b"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8),
               b"labels": list(rng.integers(0, 10, 4))}
      batches[name] = batch
      payload = pickle.dumps(batch)
      info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
      info.size = len(payload)
      tar.addfile(info, io.BytesIO(payload))
  (tmp_path / "cifar-10-python.tar.gz").write_bytes(buffer.getvalue())
  raw = sources.load_raw("cifar10", data_dir=str(tmp_path / "tfds"), manual_dir=str(tmp_path),
                         download=False)
  assert raw.train_images.shape == (20, 32, 32, 3)
  # CHW rows of the archive become HWC images.
  np.testing.assert_array_equal(raw.train_images[0, :, :, 1],
                                batches["data_batch_1"][b"data"][0, 1024:2048].reshape(32, 32))
  np.testing.assert_array_equal(raw.test_labels, batches["test_batch"][b"labels"])


def test_svhn_prepares_from_mat_files(tmp_path):
  rng = np.random.default_rng(0)
  labels = {}
  for split, filename in sources._SVHN_FILES.items():
    labels[split] = np.arange(1, 11)  # SVHN writes digit 0 as label 10.
    scipy.io.savemat(tmp_path / filename, {
        "X": rng.integers(0, 256, (32, 32, 3, 10), dtype=np.uint8),
        "y": labels[split][:, None]})
  raw = sources.load_raw("svhn_cropped", data_dir=str(tmp_path / "tfds"),
                         manual_dir=str(tmp_path), download=False)
  np.testing.assert_array_equal(raw.train_labels, [1, 2, 3, 4, 5, 6, 7, 8, 9, 0])


@pytest.mark.parametrize("name, expected", [
    ("cifar10", "cifar-10-python.tar.gz"),
    ("cifar100", "cifar-100-python.tar.gz"),
    ("svhn_cropped", "train_32x32.mat"),
    ("mnist", "train-images-idx3-ubyte"),
])
def test_missing_dataset_names_the_files_to_provide(name, expected, tmp_path):
  with pytest.raises(sources.DatasetNotFoundError) as error:
    sources.load_raw(name, data_dir=str(tmp_path), manual_dir=str(tmp_path / "files"),
                     download=False)
  message = str(error.value)
  assert expected in message
  assert str(tmp_path / "files") in message and str(tmp_path) in message


def test_missing_fashion_mnist_names_the_debian_package(tmp_path):
  with mock.patch.object(sources, "DEBIAN_FASHION_MNIST_DIR", str(tmp_path / "none")), \
       pytest.raises(sources.DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"):
    sources.load_raw("fashion_mnist", data_dir=str(tmp_path), download=False)


@pytest.mark.parametrize("damage,reason", [
    ("truncated", "truncated or padded IDX file"),
    ("gzip", "corrupt or truncated gzip data"),
    ("not_idx", "not an unsigned-byte IDX file"),
])
def test_corrupt_idx_files_are_one_error_naming_the_file(tmp_path, damage, reason):
  images = np.arange(5 * 28 * 28, dtype=np.uint8).reshape(5, 28, 28)
  data = _idx_bytes(images)
  name = "train-images-idx3-ubyte"
  if damage == "truncated":
    data = data[:-10]
  elif damage == "gzip":
    data, name = gzip.compress(data)[:-20], name + ".gz"
  else:
    data = b"PK\x03\x04" + data
  (tmp_path / name).write_bytes(data)
  with pytest.raises(sources.errors.DataError, match=reason) as raised:
    sources._read_idx(str(tmp_path / name))  # pylint: disable=protected-access
  assert str(tmp_path / name) in str(raised.value)
  # The intact file reads back exactly.
  (tmp_path / "good").write_bytes(_idx_bytes(images))
  np.testing.assert_array_equal(sources._read_idx(str(tmp_path / "good")), images)  # pylint: disable=protected-access


def test_a_truncated_cifar_archive_is_one_error_naming_it(tmp_path):
  buffer = io.BytesIO()
  with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
    data = pickle.dumps({b"data": np.zeros((10, 3072), np.uint8), b"labels": [0] * 10})
    info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
  path = tmp_path / "cifar-10-python.tar.gz"
  path.write_bytes(buffer.getvalue()[:len(buffer.getvalue()) // 2])
  with pytest.raises(sources.errors.DataError, match="corrupt or truncated archive") as raised:
    sources._read_cifar_archive("cifar10", str(path))  # pylint: disable=protected-access
  assert str(path) in str(raised.value)


def test_a_data_dir_that_is_a_file_is_one_error(tmp_path):
  (tmp_path / "file").write_text("x")
  with pytest.raises(sources.errors.DataError, match="exists and is not a directory"):
    sources.prepare("digits", data_dir=str(tmp_path / "file"))


@pytest.mark.slow
def test_two_processes_preparing_one_dataset_both_succeed(tmp_path):
  import subprocess  # pylint: disable=g-import-not-at-top
  import sys  # pylint: disable=g-import-not-at-top
  root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
  script = ("import sys, numpy as np; from suite.data import sources; "
            "r = sources.load_raw('digits', data_dir=sys.argv[1]); "
            "print(len(r.train_labels), int(r.train_images.sum()), int(r.test_labels.sum()))")
  data_dir = str(tmp_path / "tfds")
  processes = [subprocess.Popen([sys.executable, "-c", script, data_dir], cwd=root,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
  outputs = [p.communicate(timeout=600) for p in processes]
  for process, (out, err) in zip(processes, outputs):
    assert process.returncode == 0, err[-3000:]
  # All three read the same prepared dataset (the real digits train split); one prepared
  # it, the others waited for it and reused it.
  results = {out.strip().splitlines()[-1] for out, _ in outputs}
  assert len(results) == 1 and results.pop().split()[0] == "1438"
  assert sum("Downloading and preparing" in out for out, _ in outputs) == 1
