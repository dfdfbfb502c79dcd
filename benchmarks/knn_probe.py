r"""Probes a finished or interrupted run from its latest checkpoint.

  python -m benchmarks.knn_probe --run_dir=/tmp/runs/mlp_random --knn_k=1,20,200

Prints the per-layer k-NN table with its controls (raw pixels, random
initialisation, and --control_run_dir's probe if given) and writes it, with the
figure, under RUN_DIR/probes/.
"""

import json
import os

from absl import flags
import tensorflow as tf

from benchmarks import cli
from flags import data as data_flags  # --data_dir (default: the run's own).
from flags import probing as probing_flags
from suite import errors
from suite.data import datasets
from suite.models import zoo
from suite.probing import hook as probe_hook
from suite.probing import probe
from suite.results import plots
from suite.results import record

RUN_DIR = flags.DEFINE_string("run_dir", None, "Run directory of benchmarks.train and co.")
flags.mark_flag_as_required("run_dir")


def main(argv):
  del argv
  config = probing_flags.probe_config()  # Bad probing flags fail before any work.
  run_dir = RUN_DIR.value
  if not tf.io.gfile.exists(os.path.join(run_dir, record.FILENAME)):
    raise errors.ConfigError(f"{run_dir} holds no {record.FILENAME}: not a run directory")
  settings = record.read(run_dir)["settings"]
  data_dir = data_flags.DATA_DIR.value
  data_settings = dict(settings["data"], **({"data_dir": data_dir} if data_dir else {}))
  data = datasets.load(datasets.DataConfig(**data_settings))
  model_config = zoo.ModelConfig(**settings["model"])
  built = zoo.build(model_config, data.info.image_shape, data.info.num_classes)
  latest = tf.train.latest_checkpoint(os.path.join(run_dir, "checkpoints"))
  if not latest:
    raise errors.ConfigError(f"{run_dir} has no checkpoint yet")
  epoch = tf.Variable(0, dtype=tf.int64)
  tf.train.Checkpoint(model=built.model, epoch=epoch).restore(latest).expect_partial()
  table = probe.probe(built, data, config)
  controls = probe.controls(model_config, data, settings["train"]["seed"], config)
  if probing_flags.CONTROL_RUN_DIR.value:
    controls["clean_labels"] = probe_hook.load_clean_run_probe(probing_flags.CONTROL_RUN_DIR.value)
  k = 20 if 20 in config.knn.ks else max(config.knn.ks)
  print(f"{run_dir}: checkpoint of epoch {int(epoch.numpy())}")
  print(probe.format_table(table, controls, k))
  name = f"epoch_{int(epoch.numpy()):06d}_{config.pooling}"
  tf.io.gfile.makedirs(os.path.join(run_dir, "probes"))
  with tf.io.gfile.GFile(os.path.join(run_dir, "probes", f"{name}.json"), "w") as f:
    json.dump({"epoch": int(epoch.numpy()), "probe": table, "controls": controls,
               "pooling": config.pooling, "ks": list(config.knn.ks)}, f, indent=2)
  png = plots.knn_by_layer(table, controls, k, f"{k}-NN by layer, epoch {int(epoch.numpy())}")
  with tf.io.gfile.GFile(os.path.join(run_dir, "probes", f"{name}.png"), "wb") as f:
    f.write(png)


if __name__ == "__main__":
  cli.run(main)
