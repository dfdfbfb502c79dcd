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

r"""Probes a finished or interrupted run from its latest checkpoint.

  python -m benchmarks.knn_probe --run_dir=/tmp/runs/mlp_random --knn_k=1,20,200

Prints the per-layer k-NN table with its controls (raw pixels, random
initialisation, and --control_run_dir's probe if given) and writes it, with the
figure, under RUN_DIR/probes/.
"""

import dataclasses
import json
import os
import time

from absl import flags
import tensorflow as tf

from benchmarks import cli
from flags import data as data_flags  # --data_dir (default: the run's own).
from flags import knn_index
from flags import probing as probing_flags
from suite import constants
from suite import errors
from suite.data import datasets
from suite.models import zoo
from suite.probing import hook as probe_hook
from suite.probing import probe
from suite.results import atomic
from suite.results import knn_figures
from suite.results import record

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (data_flags, probing_flags, knn_index):
  flags.adopt_module_key_flags(_module)

RUN_DIR = flags.DEFINE_string("run_dir", None, "Run directory of benchmarks.train and co.")
flags.mark_flag_as_required("run_dir")


# A --run_dir that does not exist is a usage error (exit 2); one that exists but holds no
# usable run is a runtime error naming the file (exit 1).
@flags.validator("run_dir", message="--run_dir must name an existing run directory.")
def _check_run_dir(value):
  return value is None or tf.io.gfile.isdir(value)


def _settings(run_dir: str) -> dict:
  """The run's settings from its record; RunDirError naming the file if unusable."""
  rec = record.read(run_dir)  # RunDirError: missing, truncated, not JSON.
  path = os.path.join(run_dir, record.FILENAME)
  settings = rec.get("settings")
  if not isinstance(settings, dict) or not all(
      isinstance(settings.get(s), dict) for s in ("data", "model", "train")):
    raise errors.RunDirError(f"{path}: the record has no usable settings (data, model, "
                             "train); it was not written by benchmarks.train or an experiment")
  return settings


def _restore(run_dir: str, model) -> int:
  directory = os.path.join(run_dir, constants.CHECKPOINTS_DIR)
  state = tf.train.get_checkpoint_state(directory)
  latest = tf.train.latest_checkpoint(directory)
  if not latest:
    if state and state.model_checkpoint_path:
      raise errors.RunDirError(f"{state.model_checkpoint_path}: the checkpoint cannot be "
                               "restored (its files are missing)")
    raise errors.RunDirError(f"{directory}: no checkpoint yet")
  epoch = tf.Variable(0, dtype=tf.int64)
  try:
    tf.train.Checkpoint(model=model, epoch=epoch).restore(latest).expect_partial()
  except (tf.errors.OpError, ValueError, AssertionError, IndexError, KeyError, TypeError) as e:
    reason = " ".join((getattr(e, "message", None) or str(e)).split())[:300]
    raise errors.RunDirError(f"{latest}: the checkpoint cannot be restored ({reason})") from e
  return int(epoch.numpy())


def main(argv):
  del argv
  config = probing_flags.probe_config()  # Bad probing flags fail before any work.
  run_dir = RUN_DIR.value
  if not tf.io.gfile.exists(os.path.join(run_dir, record.FILENAME)):
    raise errors.RunDirError(f"{run_dir} holds no {record.FILENAME}: not a run directory")
  settings = _settings(run_dir)
  control_run_dir = probing_flags.CONTROL_RUN_DIR.value
  if control_run_dir:  # A missing or probe-less control fails before any work.
    clean_labels = probe_hook.load_clean_run_probe(control_run_dir)
  data_dir = data_flags.DATA_DIR.value
  data_settings = dict(settings["data"], **({"data_dir": data_dir} if data_dir else {}))
  try:
    data_config = datasets.DataConfig(**data_settings)
    model_config = zoo.ModelConfig(**settings["model"])
    seed = int(settings["train"]["seed"])
  except (TypeError, KeyError, ValueError) as e:
    raise errors.RunDirError(f"{os.path.join(run_dir, record.FILENAME)}: settings this suite "
                             f"cannot read ({type(e).__name__}: {e})") from e
  data = datasets.load(data_config)
  usable = probe_hook.usable_ks(config.knn.ks, len(data.train))
  if usable != tuple(config.knn.ks):  # Probed, printed and written as the ks actually used.
    print(f"--knn_k={','.join(map(str, config.knn.ks))} capped at the bank's "
          f"{len(data.train)} images: k = {','.join(map(str, usable))}")
    config = dataclasses.replace(config, knn=dataclasses.replace(config.knn, ks=usable))
  built = zoo.build(model_config, data.info.image_shape, data.info.num_classes)
  epoch = _restore(run_dir, built.model)
  started = time.time()
  print(f"probing {len(built.endpoints)} endpoints of the checkpoint of epoch {epoch} "
        f"(k {', '.join(map(str, config.knn.ks))}) ...", flush=True)
  table = probe.probe(built, data, config)
  print(f"probe done in {time.time() - started:.1f} s; controls: raw pixels and a random "
        f"initialisation of {model_config.name} ...", flush=True)
  started = time.time()
  controls = probe.controls(model_config, data, seed, config)
  print(f"controls done in {time.time() - started:.1f} s", flush=True)
  if control_run_dir:
    controls["clean_labels"] = clean_labels
  k = constants.HEADLINE_K if constants.HEADLINE_K in config.knn.ks else max(config.knn.ks)
  print(f"{run_dir}: checkpoint of epoch {epoch}")
  for shown in config.knn.ks:
    print(f"\nk = {shown}")
    print(probe.format_table(table, controls, shown))
  name = f"epoch_{epoch:06d}_{config.pooling}"
  written = {"epoch": epoch, "probe": table, "controls": controls, "pooling": config.pooling,
             "ks": list(config.knn.ks)}
  if usable != tuple(probing_flags.probe_config().knn.ks):
    written["ks_asked"] = [int(k) for k in probing_flags.KNN_K.value]
  png = knn_figures.knn_by_layer(table, controls, k, f"{k}-NN by layer, epoch {epoch}")
  path = os.path.join(run_dir, "probes", name)
  # Both or neither (a full disk): the figure first, the table readers look for last.
  atomic.write_together({f"{path}.png": png, f"{path}.json": json.dumps(written, indent=2)},
                        "the probe")


if __name__ == "__main__":
  cli.run(main)
