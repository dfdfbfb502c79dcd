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

"""Raw image datasets through TensorFlow Datasets, with an offline path.

Order of preference for a dataset name:
1. already prepared in `data_dir` (TFDS layout);
2. prepared now from local files (Debian's Fashion-MNIST package, or the
   original archives in `manual_dir`), stored with the TFDS builder's own
   features so that plain `tfds.load(name, data_dir=...)` works afterwards;
3. downloaded by TFDS, where `download` is allowed and a network exists.
Anything else raises `DatasetNotFoundError` whose message says what to do; a local
file that is corrupt or truncated raises `errors.DataError` naming it.

Preparation is safe under concurrency: on a local disk, preparers of one dataset
take turns under an fcntl lock in `data_dir` (released by the OS if one dies) and
the later ones reuse what the first prepared; TFDS itself writes into a temporary
directory and renames it into place. Elsewhere (buckets), a preparer that loses the
race finds the dataset prepared and uses it.
"""

import contextlib
import dataclasses
import gzip
import os
import pickle
import sys
import tarfile
import time
import zlib
from typing import Callable

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from suite import errors
from suite.data import digits as _digits  # pylint: disable=unused-import  (registers `digits`)

DATASETS = ("mnist", "fashion_mnist", "cifar10", "cifar100", "svhn_cropped", "digits")
DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"

_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_CIFAR_ARCHIVES = {"cifar10": "cifar-10-python.tar.gz", "cifar100": "cifar-100-python.tar.gz"}
_SVHN_FILES = {"train": "train_32x32.mat", "test": "test_32x32.mat"}


class DatasetNotFoundError(errors.SuiteError):
  """A dataset is neither prepared, nor preparable from local files, nor downloadable."""


@dataclasses.dataclass(frozen=True)
class RawDataset:
  name: str
  train_images: np.ndarray  # uint8 [N, H, W, C], in TFDS split order
  train_labels: np.ndarray  # int64 [N]
  test_images: np.ndarray
  test_labels: np.ndarray
  num_classes: int
  class_names: tuple[str, ...]


def local_files_hint(name: str, manual_dir: str | None) -> str:
  """Which files, placed where, make `name` loadable without a network."""
  where = manual_dir or "<--manual_dir>"
  if name in ("mnist", "fashion_mnist"):
    files = ", ".join(f"{f}[.gz]" for pair in _IDX_FILES.values() for f in pair)
    hint = f"put the IDX files {files} in {where}"
    if name == "fashion_mnist":
      hint = ("install Debian's package (apt-get install dataset-fashion-mnist, files in "
              f"{DEBIAN_FASHION_MNIST_DIR}), or " + hint)
    return hint
  if name in _CIFAR_ARCHIVES:
    return f"put {_CIFAR_ARCHIVES[name]} (the original python-version archive) in {where}"
  if name == "svhn_cropped":
    return f"put {' and '.join(_SVHN_FILES.values())} in {where}"
  return "it needs no files (scikit-learn ships it)"


def _find(directory: str, filename: str) -> str | None:
  for candidate in (filename, filename + ".gz"):
    path = os.path.join(directory, candidate)
    if tf.io.gfile.exists(path):
      return path
  return None


def _corrupt(path: str, what: str) -> errors.DataError:
  return errors.DataError(f"{path}: {what}; replace it with the original file")


def _read_idx(path: str) -> np.ndarray:
  with tf.io.gfile.GFile(path, "rb") as f:
    data = f.read()
  if path.endswith(".gz"):
    try:
      data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
      raise _corrupt(path, f"corrupt or truncated gzip data ({e})") from e
  if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
    raise _corrupt(path, "not an unsigned-byte IDX file")
  ndim = data[3]
  dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
  expected = 4 + 4 * ndim + int(np.prod(dims))
  if ndim == 0 or len(data) != expected:
    raise _corrupt(path, f"truncated or padded IDX file ({len(data)} bytes, its header "
                   f"{dims} says {expected})")
  return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _arrays_from_local_files(name: str, directories: list[str]):
  """{split: (images uint8 NHWC, labels[, coarse labels])} or None if files are absent."""
  for directory in directories:
    if not directory or not tf.io.gfile.isdir(directory):
      continue
    if name in ("mnist", "fashion_mnist"):
      found = {s: [_find(directory, f) for f in files] for s, files in _IDX_FILES.items()}
      if all(p for pair in found.values() for p in pair):
        idx = {s: [str(p) for p in pair] for s, pair in found.items()}
        out = {s: {"image": _read_idx(img)[..., None], "label": _read_idx(lab).astype(np.int64)}
               for s, (img, lab) in idx.items()}
        for split, (img, lab) in idx.items():
          if len(out[split]["image"]) != len(out[split]["label"]) or \
              out[split]["image"].ndim != 4:
            raise _corrupt(lab, f"{len(out[split]['label'])} labels for "
                           f"{len(out[split]['image'])} images of {img}")
        return out
    elif name in _CIFAR_ARCHIVES:
      path = _find(directory, _CIFAR_ARCHIVES[name])
      if path:
        return _read_cifar_archive(name, path)
    elif name == "svhn_cropped":
      mats = {s: os.path.join(directory, f) for s, f in _SVHN_FILES.items()}
      if all(tf.io.gfile.exists(p) for p in mats.values()):
        return {s: _read_svhn_mat(p) for s, p in mats.items()}
  return None


def _read_cifar_archive(name: str, path: str):
  try:
    return _read_cifar_archive_unchecked(name, path)
  except (tarfile.TarError, EOFError, OSError, zlib.error, pickle.UnpicklingError, KeyError,
          ValueError, TypeError, AttributeError, IndexError) as e:
    raise _corrupt(path, f"corrupt or truncated archive ({type(e).__name__}: "
                   f"{' '.join(str(e).split())[:200]})") from e


def _read_cifar_archive_unchecked(name: str, path: str):
  with tf.io.gfile.GFile(path, "rb") as f, tarfile.open(fileobj=f, mode="r:gz") as tar:
    members = {os.path.basename(m.name): m for m in tar.getmembers() if m.isfile()}

    def batch(member_name):
      member = tar.extractfile(members[member_name])
      assert member is not None  # `members` holds regular files only.
      return pickle.loads(member.read(), encoding="bytes")

    files = ({"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}
             if name == "cifar10" else {"train": ["train"], "test": ["test"]})
    out = {}
    for split, names in files.items():
      parts = [batch(n) for n in names]
      images = np.concatenate([p[b"data"] for p in parts]).reshape(-1, 3, 32, 32)
      example = {"image": images.transpose(0, 2, 3, 1).astype(np.uint8)}
      if name == "cifar10":
        example["label"] = np.concatenate([p[b"labels"] for p in parts]).astype(np.int64)
      else:
        example["label"] = np.concatenate([p[b"fine_labels"] for p in parts]).astype(np.int64)
        example["coarse_label"] = np.concatenate([p[b"coarse_labels"] for p in parts]).astype(np.int64)
      out[split] = example
  return out


def _read_svhn_mat(path: str):
  import scipy.io  # pylint: disable=g-import-not-at-top  (only needed for this format)
  try:
    with tf.io.gfile.GFile(path, "rb") as f:
      mat = scipy.io.loadmat(f)
    mat["X"], mat["y"]  # pylint: disable=pointless-statement
  except Exception as e:  # pylint: disable=broad-except  (scipy raises many kinds)
    raise _corrupt(path, f"corrupt or truncated .mat file ({type(e).__name__}: "
                   f"{' '.join(str(e).split())[:200]})") from e
  labels = mat["y"].reshape(-1).astype(np.int64) % 10  # SVHN stores digit 0 as 10
  return {"image": mat["X"].transpose(3, 0, 1, 2).astype(np.uint8), "label": labels}


def _prepare_from_arrays(builder, arrays, data_dir):
  if "id" in builder.info.features:  # The builder's own features, so plain tfds.load reads it.
    arrays = {split: dict(a, id=np.array([f"{split}_{i:05d}".encode() for i in range(len(a["label"]))]))
              for split, a in arrays.items()}
  tfds.dataset_builders.store_as_tfds_dataset(
      name=builder.name, version=str(builder.version), features=builder.info.features,
      split_datasets={s: tf.data.Dataset.from_tensor_slices(a) for s, a in arrays.items()},
      data_dir=data_dir, disable_shuffling=True,
      description=f"{builder.name} prepared offline from local files by the memorization suite")


def default_data_dir() -> str:
  return os.environ.get("TFDS_DATA_DIR") or os.path.join(os.path.expanduser("~"), "tensorflow_datasets")


def report_to_stderr(message: str) -> None:
  """The default `report` of a preparation: one line on stderr (stdout is the results')."""
  print(message, file=sys.stderr, flush=True)


def prepare(name: str, data_dir: str | None = None, manual_dir: str | None = None,
            download: bool = True, report: Callable[[str], None] | None = report_to_stderr
            ) -> tfds.core.DatasetBuilder:
  """Makes `name` loadable from `data_dir` and returns its TFDS builder.

  A preparation that takes a while (every dataset but digits) is announced with
  `report(line)` before it starts and when it is done; `report=None` is silent.
  """
  if name not in DATASETS:
    raise DatasetNotFoundError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
  data_dir = data_dir or default_data_dir()
  try:
    if tf.io.gfile.exists(data_dir) and not tf.io.gfile.isdir(data_dir):
      raise errors.DataError(f"{data_dir}: --data_dir exists and is not a directory")
    tf.io.gfile.makedirs(data_dir)
  except (tf.errors.OpError, OSError) as e:
    raise errors.DataError(f"{data_dir}: cannot create the data directory "
                           f"({' '.join(str(e).split())[:200]})") from e
  if tfds.builder(name, data_dir=data_dir).is_prepared():
    # A fresh builder: one made while another process finished preparing reads no splits,
    # though the finished directory makes its is_prepared() true a moment later.
    return tfds.builder(name, data_dir=data_dir)
  with _preparation_lock(data_dir, name):
    builder = tfds.builder(name, data_dir=data_dir)
    if builder.is_prepared():  # Another process prepared it while this one waited.
      return builder
    try:
      return _prepare(name, builder, data_dir, manual_dir, download, report)
    except (FileExistsError, tf.errors.AlreadyExistsError):
      # Lost a race with a preparer that holds no lock (a bucket path): use its result.
      builder = tfds.builder(name, data_dir=data_dir)
      if builder.is_prepared():
        return builder
      raise


@contextlib.contextmanager
def _preparation_lock(data_dir: str, name: str):
  """Serialises preparers of `name` in a local `data_dir`; a no-op elsewhere."""
  if "://" in data_dir and not data_dir.startswith("file://"):
    yield
    return
  import fcntl  # pylint: disable=g-import-not-at-top  (POSIX only)
  path = os.path.join(data_dir.removeprefix("file://"), f".{name}.prepare.lock")
  try:
    handle = open(path, "a", encoding="utf-8")  # pylint: disable=consider-using-with
  except OSError as e:
    raise errors.DataError(f"{data_dir}: not writable, cannot prepare {name} there ({e})") from e
  with handle:
    fcntl.flock(handle, fcntl.LOCK_EX)  # Waits for another preparer to finish.
    try:
      yield
    finally:
      fcntl.flock(handle, fcntl.LOCK_UN)


def _prepare(name, builder, data_dir, manual_dir, download, report=None):
  if name == "digits":  # Bundled and small: prepared in a moment.
    builder.download_and_prepare()
    return builder
  report = report or (lambda message: None)
  started = time.time()
  directories = [manual_dir] + ([DEBIAN_FASHION_MNIST_DIR] if name == "fashion_mnist" else [])
  arrays = _arrays_from_local_files(name, directories)  # Seconds; the writing is minutes.
  if arrays is not None:
    found = ", ".join(d for d in directories if d and tf.io.gfile.isdir(d))
    report(f"preparing {name} from {found} into {data_dir} (one time) ...")
    _prepare_from_arrays(builder, arrays, data_dir)
    report(f"prepared {name} in {time.time() - started:.0f} s")
    return tfds.builder(name, data_dir=data_dir)
  reason = "downloading is disabled (--nodownload)"
  if download:
    try:
      report(f"preparing {name}: downloading it with TFDS into {data_dir} (one time) ...")
      builder.download_and_prepare()
      report(f"prepared {name} in {time.time() - started:.0f} s")
      return builder
    except Exception as e:  # pylint: disable=broad-except  (any download failure means the same)
      reason = f"the download failed ({type(e).__name__}: {str(e).splitlines()[0][:200]})"
  raise DatasetNotFoundError(
      f"Dataset {name!r} is not prepared in {data_dir} and {reason}. To use it offline, "
      f"{local_files_hint(name, manual_dir)}; or prepare it on a machine with a network "
      f"(python -c \"import tensorflow_datasets as tfds; tfds.builder('{name}', "
      f"data_dir='DIR').download_and_prepare()\") and pass --data_dir=DIR.")


def load_raw(name: str, data_dir: str | None = None, manual_dir: str | None = None,
             download: bool = True,
             report: Callable[[str], None] | None = report_to_stderr) -> RawDataset:
  """Loads the train and test splits of `name` into memory as uint8 arrays (`report`: see
  `prepare`)."""
  builder = prepare(name, data_dir=data_dir, manual_dir=manual_dir, download=download,
                    report=report)
  try:
    return _load_prepared(name, builder)
  except tf.errors.OpError as e:
    where = getattr(builder, "data_dir", data_dir)
    raise errors.DataError(f"{where}: the prepared {name} is unreadable "
                           f"({' '.join(e.message.split())[:200]}); delete that directory to "
                           "prepare it again") from e


def _load_prepared(name: str, builder) -> RawDataset:
  splits = {}
  for split in ("train", "test"):
    ds = builder.as_dataset(split=split, shuffle_files=False)
    # One batch of exactly the split's size: TF reserves memory for the batch size asked.
    size = int(ds.cardinality())
    if size < 0:
      size = builder.info.splits[split].num_examples
    ds = ds.map(lambda x: (x["image"], x["label"]), num_parallel_calls=tf.data.AUTOTUNE)
    images, labels = next(iter(tfds.as_numpy(ds.batch(size))))
    splits[split] = (np.asarray(images, np.uint8), np.asarray(labels, np.int64))
  label_feature = builder.info.features["label"]
  return RawDataset(
      name=name, train_images=splits["train"][0], train_labels=splits["train"][1],
      test_images=splits["test"][0], test_labels=splits["test"][1],
      num_classes=int(label_feature.num_classes), class_names=tuple(label_feature.names))
