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

"""Shared fixtures: quiet TensorFlow, and data directories reused within a session."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top,wrong-import-position

from suite.data import sources  # pylint: disable=g-import-not-at-top,wrong-import-position

tfds.disable_progress_bar()

DEBIAN_FASHION_MNIST = os.path.isdir(sources.DEBIAN_FASHION_MNIST_DIR)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
  """A TFDS data directory shared by the tests of one session (digits prepares once)."""
  return str(tmp_path_factory.mktemp("tfds"))


@pytest.fixture(scope="session")
def digits_raw(data_dir):
  return sources.load_raw("digits", data_dir=data_dir)


def pytest_configure(config):
  del config
  # Binaries' main() is called in-process with flagsaver; flags keep their defaults.
  from absl import flags  # pylint: disable=g-import-not-at-top
  flags.FLAGS.mark_as_parsed()


def run_binary(module, *args, timeout=600):
  """Runs `python -m module args` as a user would; returns the completed process."""
  import subprocess  # pylint: disable=g-import-not-at-top
  import sys  # pylint: disable=g-import-not-at-top
  return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                        timeout=timeout, cwd=os.path.dirname(os.path.dirname(__file__)))
