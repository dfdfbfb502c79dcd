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

"""Bad input to every binary: one `error:` line, the right exit status, nothing damaged.

Each case is a separate process running `python -m benchmarks.<binary> ARGS` as a user
would: a driver subprocess imports TensorFlow and the library once, then forks one
child per case (the binary's module runs as `__main__` in the child, its stdout and
stderr captured at the file-descriptor level), so that ~60 cases cost one TensorFlow
import instead of sixty. Every case checks: the exit status (2 for usage errors, 1 for
runtime errors), exactly one line starting with `error:` on stderr and the fragment it
must contain, no traceback, no `complete` record left behind, and every file that
existed before the case byte-for-byte unchanged.
"""

import gzip
import io
import json
import os
import pathlib
import shutil
import struct
import tarfile

import numpy as np
import pytest

from tests import forked
from tests.conftest import run_binary

ROOT = pathlib.Path(__file__).resolve().parents[1]
TINY = ("--dataset=digits", "--train_size=100", "--test_size=50", "--model=mlp", "--width=8",
        "--batch_size=25", "--knn_k=1,5")


def _idx(array: np.ndarray) -> bytes:
  return (b"\x00\x00\x08" + bytes([array.ndim]) +
          b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes())


def _mnist_dir(path: pathlib.Path, damage: str) -> str:
  path.mkdir()
  images, labels = np.zeros((20, 28, 28), np.uint8), np.zeros(20, np.uint8)
  files = {"train-images-idx3-ubyte": _idx(images), "train-labels-idx1-ubyte": _idx(labels),
           "t10k-images-idx3-ubyte": _idx(images), "t10k-labels-idx1-ubyte": _idx(labels)}
  if damage == "truncated":
    files["train-images-idx3-ubyte"] = files["train-images-idx3-ubyte"][:-100]
  elif damage == "gzip":
    files["t10k-images-idx3-ubyte.gz"] = gzip.compress(files.pop("t10k-images-idx3-ubyte"))[:-30]
  elif damage == "labels":
    files["train-labels-idx1-ubyte"] = _idx(labels[:7])
  for name, data in files.items():
    (path / name).write_bytes(data)
  return str(path)


def _cifar_dir(path: pathlib.Path, archive: str, damage: str) -> str:
  path.mkdir()
  if damage == "truncated":
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
      data = os.urandom(50_000)
      info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
      info.size = len(data)
      tar.addfile(info, io.BytesIO(data))
    (path / archive).write_bytes(buffer.getvalue()[:-5000])
  else:  # A well-formed archive whose batches are not pickles.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
      for name in ("train", "test"):
        data = b"not a pickle" * 10
        info = tarfile.TarInfo(f"cifar-100-python/{name}")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (path / archive).write_bytes(buffer.getvalue())
  return str(path)


def _copy_run(finished: pathlib.Path, path: pathlib.Path, damage: str) -> str:
  shutil.copytree(finished, path, ignore=shutil.ignore_patterns(".lock"))
  checkpoints = path / "checkpoints"
  if damage == "truncated_record":
    text = (path / "result.json").read_text()
    (path / "result.json").write_text(text[:len(text) // 2])
  elif damage == "garbage_record":
    (path / "result.json").write_bytes(os.urandom(300))
  elif damage == "no_settings":
    rec = json.loads((path / "result.json").read_text())
    del rec["settings"]
    (path / "result.json").write_text(json.dumps(rec))
  elif damage == "no_checkpoint":
    shutil.rmtree(checkpoints)
  elif damage == "index":
    for f in checkpoints.glob("*.index"):
      f.write_bytes(f.read_bytes()[:40])
  elif damage == "data":
    for f in checkpoints.glob("*.data-*"):
      f.write_bytes(f.read_bytes()[:64])
  elif damage == "missing_checkpoint":
    (checkpoints / "checkpoint").write_text('model_checkpoint_path: "ckpt-99"\n'
                                            'all_model_checkpoint_paths: "ckpt-99"\n')
  return str(path)


def _malformed_runs(path: pathlib.Path) -> str:
  """Records that claim to be complete but are not usable."""
  for name, rec in (("no_settings", {"schema_version": 1, "status": "complete"}),
                    ("bad_metrics", {"schema_version": 1, "benchmark": "train",
                                     "status": "complete", "config": {}, "config_hash": "x",
                                     "metrics": {"test/accuracy": "high"}, "timing": {},
                                     "environment": {}, "settings": {}}),
                    ("a_list", [1, 2, 3])):
    (path / name).mkdir(parents=True)
    (path / name / "result.json").write_text(json.dumps(rec))
  (path / "half").mkdir()
  (path / "half" / "result.json").write_text('{"schema_version": 1, "status": "comp')
  return str(path)


# A user's entry package with every kind of broken function, written into the test's tree
# and importable there through PYTHONPATH (see `outcomes`).
BAD_ENTRY = "bench_bad_entry"
_BAD_MODELS = """
import keras
from suite.models import ZooModel


def _mlp(input_shape, num_classes):
  inputs = keras.Input(shape=tuple(input_shape))
  hidden = keras.layers.Dense(8, name="hidden")(keras.layers.Flatten()(inputs))
  return inputs, hidden, keras.layers.Dense(num_classes, name="logits")(hidden)


def raises(input_shape, num_classes, seed):
  raise RuntimeError("this entry cannot build a model")


def not_a_model(input_shape, num_classes, seed):
  return 42


def no_endpoints(input_shape, num_classes, seed):
  inputs, _, logits = _mlp(input_shape, num_classes)
  return ZooModel(keras.Model(inputs, logits), (), "hidden")


def wrong_output(input_shape, num_classes, seed):
  inputs, _, logits = _mlp(input_shape, num_classes + 3)
  return ZooModel(keras.Model(inputs, logits), ("hidden", "logits"), "hidden")
"""
_BAD_METHODS = """
def not_a_method(num_classes, seed):
  return {"extra_loss": None}
"""


def _bad_entry(path: pathlib.Path) -> pathlib.Path:
  """The package BAD_ENTRY under `path` (the directory to put on PYTHONPATH)."""
  package = path / BAD_ENTRY
  package.mkdir(parents=True, exist_ok=True)
  (package / "__init__.py").write_text("")
  (package / "models.py").write_text(_BAD_MODELS)
  (package / "methods.py").write_text(_BAD_METHODS)
  (package / "broken.py").write_text("import a_dependency_nobody_installed\n\n"
                                     "def model(input_shape, num_classes, seed):\n  pass\n")
  return path


def _cases(tmp: pathlib.Path, data_dir: str, finished: pathlib.Path) -> list[dict]:
  """(name, binary, args, exit status, fragment of the error line, environment)."""
  a_file = tmp / "a_file"
  a_file.write_text("not a directory")
  locked = tmp / "locked"
  shutil.copytree(finished, locked, ignore=shutil.ignore_patterns(".lock"))
  out = lambda name: f"--output_dir={tmp / 'out' / name}"
  data = f"--data_dir={data_dir}"
  train = lambda name, *args: ("train", (*TINY, data, out(name), "--epochs=1", *args))
  _bad_entry(tmp / "entries")
  bench = lambda name, *args: ("memorization_bench", ("--track=smoke-v1", data, out(name),
                                                      *args))
  good_model = "--model=suite.models.baselines:mlp"
  cases = [
      # --- usage errors: flags, positional arguments, invalid settings (exit 2)
      ("int_flag_not_a_number", *train("a", "--epochs=abc"), 2, "flag --epochs=abc"),
      ("positional_argument", *train("b", "extra"), 2, "unexpected arguments: extra"),
      ("unknown_flag", *train("c", "--nosuchflag"), 2, "Unknown command line flag"),
      ("width_multiplier_nan", *train("d", "--width_multiplier=nan"), 2, "--width_multiplier=nan"),
      ("knn_temperature_nan", *train("e", "--knn_temperature=nan"), 2, "--knn_temperature=nan"),
      ("input_noise_std_nan", *train("f", "--input_noise_std=nan"), 2, "--input_noise_std=nan"),
      ("learning_rate_inf", *train("g", "--learning_rate=inf"), 2, "--learning_rate=inf"),
      ("dropout_nan", *train("h", "--dropout=nan"), 2, "--dropout=nan"),
      ("weight_decay_negative", *train("i", "--weight_decay=-1"), 2, "--weight_decay"),
      ("label_noise_above_one", *train("j", "--label_noise=1.5"), 2, "--label_noise"),
      ("knn_k_zero", *train("k", "--knn_k=1,0"), 2, "--knn_k must be a list of positive"),
      ("knn_k_not_a_number", *train("l", "--knn_k=abc"), 2, "--knn_k must be a list"),
      ("output_dir_missing", "train", (*TINY, data), 2, "output_dir"),
      ("strategy_tpu_without_a_tpu", "train", (*TINY, data, out("tpu"), "--strategy=tpu",
                                               "--epochs=1"), 2, "no TPU reachable"),
      ("per_view_labels_without_pool", *train("m", "--per_view_labels"), 2,
       "--per_view_labels needs --num_views"),
      ("augmentation_strength_above_one",
       *train("aug1", "--augmentation=randaugment", "--augmentation_strength=1.5"), 2,
       "--augmentation_strength"),
      ("augmentation_strength_without_randaugment",
       *train("aug2", "--augmentation=strong", "--augmentation_strength=0.5"), 2,
       "--augmentation_strength applies only to --augmentation=randaugment"),
      ("multi_worker_without_tf_config", *train("n", "--strategy=multi_worker"), 2,
       "needs TF_CONFIG"),
      ("batch_above_training_set", *train("o", "--batch_size=500"), 2,
       "exceeds the 100 training examples"),
      ("unknown_endpoint", *train("p", "--probe_endpoints=nosuch"), 2, "unknown endpoints"),
      ("deterministic_with_xla", *train("q", "--deterministic", "--jit_compile"), 2,
       "cannot be combined"),
      ("finished_run_fewer_epochs", "train", (*TINY, data, f"--output_dir={finished}",
                                               "--epochs=1"), 2,
       "train.epochs: 2 in the run, 1 asked"),
      ("finished_run_more_epochs_without_extend", "train",
       (*TINY, data, f"--output_dir={finished}", "--epochs=3"), 2, "--extend"),
      ("finished_run_other_seed", "train", (*TINY, data, f"--output_dir={finished}",
                                             "--epochs=2", "--seed=7"), 2,
       "data.seed: 0 in the run, 7 asked"),
      # --- runtime errors: files, directories, data, checkpoints, records (exit 1)
      ("output_dir_is_a_file", "train", (*TINY, data, f"--output_dir={a_file}", "--epochs=1"), 1,
       "exists and is not a directory"),
      ("output_dir_not_creatable", "train", (*TINY, data, "--output_dir=/proc/no/run",
                                              "--epochs=1"), 1, "cannot create"),
      ("data_dir_is_a_file", "train", (*TINY, f"--data_dir={a_file}", out("r"), "--epochs=1"), 1,
       "--data_dir exists and is not a directory"),
      ("missing_dataset", "train", ("--dataset=cifar10", "--nodownload", f"--data_dir={tmp / 'd1'}",
                                    out("s"), "--epochs=1"), 1, "cifar-10-python.tar.gz"),
      ("truncated_idx", "train", ("--dataset=mnist", "--nodownload", f"--data_dir={tmp / 'd2'}",
                                  f"--manual_dir={_mnist_dir(tmp / 'm1', 'truncated')}",
                                  out("t"), "--epochs=1"), 1,
       "train-images-idx3-ubyte: truncated"),
      ("corrupt_gzip_idx", "train", ("--dataset=mnist", "--nodownload", f"--data_dir={tmp / 'd3'}",
                                     f"--manual_dir={_mnist_dir(tmp / 'm2', 'gzip')}", out("u"),
                                     "--epochs=1"), 1, "t10k-images-idx3-ubyte.gz: corrupt"),
      ("idx_labels_do_not_match", "input_pipeline",
       ("--dataset=mnist", "--nodownload", f"--data_dir={tmp / 'd4'}",
        f"--manual_dir={_mnist_dir(tmp / 'm3', 'labels')}"), 1, "7 labels for 20 images"),
      ("truncated_cifar_archive", "train",
       ("--dataset=cifar10", "--nodownload", f"--data_dir={tmp / 'd5'}",
        f"--manual_dir={_cifar_dir(tmp / 'c1', 'cifar-10-python.tar.gz', 'truncated')}",
        out("v"), "--epochs=1"), 1, "cifar-10-python.tar.gz: corrupt or truncated"),
      ("garbage_cifar_archive", "input_pipeline",
       ("--dataset=cifar100", "--nodownload", f"--data_dir={tmp / 'd6'}",
        f"--manual_dir={_cifar_dir(tmp / 'c2', 'cifar-100-python.tar.gz', 'garbage')}"), 1,
       "cifar-100-python.tar.gz: corrupt or truncated"),
      ("missing_control_run_dir", *train("w", f"--control_run_dir={tmp / 'nowhere'}"), 1,
       "no such file"),
      ("run_dir_held_by_another_process", "train",
       (*TINY, data, f"--output_dir={locked}", "--epochs=2"), 1,
       f"{locked} is in use by another process (pid"),
      ("resume_truncated_record", "train",
       (*TINY, data, f"--output_dir={_copy_run(finished, tmp / 'r1', 'truncated_record')}",
        "--epochs=2"), 1, "result.json: truncated or not JSON"),
      ("resume_garbage_record", "train",
       (*TINY, data, f"--output_dir={_copy_run(finished, tmp / 'r2', 'garbage_record')}",
        "--epochs=2"), 1, "result.json: truncated or not JSON"),
      ("resume_record_without_settings", "train",
       (*TINY, data, f"--output_dir={_copy_run(finished, tmp / 'r3', 'no_settings')}",
        "--epochs=2"), 1, "the record has no settings"),
      ("extend_with_corrupt_checkpoint_index", "train",
       (*TINY, data, f"--output_dir={_copy_run(finished, tmp / 'r4', 'index')}", "--epochs=3",
        "--extend"), 1, "the checkpoint cannot be restored"),
      ("extend_with_corrupt_checkpoint_data", "train",
       (*TINY, data, f"--output_dir={_copy_run(finished, tmp / 'r5', 'data')}", "--epochs=3",
        "--extend"), 1, "the checkpoint cannot be restored"),
      ("extend_with_missing_checkpoint", "train",
       (*TINY, data, f"--output_dir={_copy_run(finished, tmp / 'r6', 'missing_checkpoint')}",
        "--epochs=3", "--extend"), 1, "ckpt-99: the checkpoint cannot be restored"),
      # --- claims_report
      ("claims_report_without_experiments", "claims_report", (), 2, "--experiments must name"),
      ("claims_report_missing_experiment", "claims_report",
       (f"--experiments={tmp / 'nowhere'}",), 1, "run the experiment first"),
      ("claims_report_truncated_record", "claims_report",
       (f"--experiments={_copy_run(finished, tmp / 'cr1', 'truncated_record')}",), 1,
       "truncated or not JSON"),
      # --- knn_probe
      ("probe_not_a_run_directory", "knn_probe", (f"--run_dir={tmp / 'empty'}",), 1,
       "not a run directory"),
      ("probe_truncated_record", "knn_probe",
       (f"--run_dir={_copy_run(finished, tmp / 'p1', 'truncated_record')}",), 1,
       "truncated or not JSON"),
      ("probe_record_without_settings", "knn_probe",
       (f"--run_dir={_copy_run(finished, tmp / 'p2', 'no_settings')}",), 1, "no usable settings"),
      ("probe_without_checkpoint", "knn_probe",
       (f"--run_dir={_copy_run(finished, tmp / 'p3', 'no_checkpoint')}", data), 1,
       "no checkpoint yet"),
      ("probe_corrupt_checkpoint", "knn_probe",
       (f"--run_dir={_copy_run(finished, tmp / 'p4', 'index')}", data), 1,
       "the checkpoint cannot be restored"),
      ("probe_missing_checkpoint", "knn_probe",
       (f"--run_dir={_copy_run(finished, tmp / 'p5', 'missing_checkpoint')}", data), 1,
       "the checkpoint cannot be restored"),
      ("probe_temperature_nan", "knn_probe", (f"--run_dir={finished}", "--knn_temperature=nan"),
       2, "--knn_temperature=nan"),
      ("probe_without_run_dir", "knn_probe", (), 2, "run_dir"),
      ("probe_run_dir_does_not_exist", "knn_probe", (f"--run_dir={tmp / 'does-not-exist'}",),
       2, "--run_dir must name an existing run directory"),
      ("probe_missing_control_run_dir", "knn_probe",
       (f"--run_dir={finished}", f"--control_run_dir={tmp / 'nowhere'}"), 1, "no such file"),
      # --- rewind_probe (the finished run kept no checkpoints for rewinding)
      ("rewind_without_kept_checkpoints", "rewind_probe", (f"--run_dirs={finished}", data), 1,
       "kept no checkpoints"),
      ("rewind_not_a_run_directory", "rewind_probe", (f"--run_dirs={tmp / 'empty'}",), 1,
       "not a run directory"),
      ("rewind_run_dir_does_not_exist", "rewind_probe", (f"--run_dirs={tmp / 'nowhere'}",), 2,
       "--run_dirs must name existing run directories"),
      ("rewind_noisy_fit_above_one", "rewind_probe",
       (f"--run_dirs={finished}", "--rewind_noisy_fit=2"), 2, "--rewind_noisy_fit"),
      ("rewind_report_dir_is_a_file", "rewind_probe",
       (f"--run_dirs={finished}", f"--report_dir={a_file}"), 2, "--report_dir"),
      # --- input_pipeline
      ("pipeline_batch_above_training_set", "input_pipeline",
       (data, "--train_size=100", "--batch_size=500"), 2, "exceeds the 100 training examples"),
      ("pipeline_timed_epochs_zero", "input_pipeline", (data, "--timed_epochs=0"), 2,
       "--timed_epochs"),
      ("pipeline_positional_argument", "input_pipeline", (data, "now"), 2, "unexpected arguments"),
      ("pipeline_data_dir_is_a_file", "input_pipeline", (f"--data_dir={a_file}",), 1,
       "not a directory"),
      ("pipeline_mixup_inf", "input_pipeline", (data, "--mixup_alpha=inf"), 2, "--mixup_alpha=inf"),
      # --- leaderboard
      ("board_dir_is_a_file", "leaderboard", (f"--runs={finished}", f"--board_dir={a_file}"), 2,
       "--board_dir"),
      ("board_without_runs", "leaderboard", (), 2, "runs"),
      ("board_only_malformed_complete_records", "leaderboard",
       (f"--runs={_malformed_runs(tmp / 'malformed')}",), 2, "no complete result.json"),
      # --- benign_frontier
      ("frontier_without_configurations", "benign_frontier", (), 2, "configurations"),
      ("frontier_missing_directory", "benign_frontier",
       (f"--configurations={tmp / 'nowhere'}",), 2, "is not a directory"),
      ("frontier_directory_without_records", "benign_frontier",
       (f"--configurations={tmp / 'empty'}",), 1, "holds no result.json"),
      ("frontier_dir_is_a_file", "benign_frontier",
       (f"--configurations={finished}", f"--frontier_dir={a_file}"), 2, "--frontier_dir"),
      ("frontier_not_a_benign_experiment", "benign_frontier", (f"--configurations={finished}",), 1,
       "not a benign_memorization experiment"),
      # --- train_throughput
      ("throughput_unknown_model", "train_throughput", ("--models=nosuch",), 2, "--models"),
      ("throughput_batch_above_training_set", "train_throughput",
       (data, "--train_size=100", "--batch_size=500", "--models=mlp"), 2, "exceeds the 100"),
      ("throughput_matmul_size_nan", "train_throughput", ("--matmul_size=nan",), 2,
       "--matmul_size"),
      # --- knn_speed
      ("speed_unknown_flag", "knn_speed", ("--nosuchflag",), 2, "Unknown command line flag"),
      ("speed_positional_argument", "knn_speed", ("extra",), 2, "unexpected arguments"),
      ("speed_k_above_the_bank", "knn_speed", ("--bank_size=100", "--k=500"), 2,
       "--k must be below --bank_size"),
      # --- the experiments
      ("benign_nan_in_a_sweep", "benign_memorization",
       (*TINY, data, out("x"), "--epochs=1", "--sweep_label_noise=0.5,nan"), 2,
       "--sweep_label_noise=0.5,nan"),
      ("dynamics_nan_weight_decay_in_a_sweep", "memorization_dynamics",
       (*TINY, data, out("y"), "--epochs=1", "--regularizers=dropout:0.5,weight_decay:nan"), 2,
       "weight_decay:nan"),
      ("dynamics_positional_argument", "memorization_dynamics", (data, out("z"), "extra"), 2,
       "unexpected arguments"),
      # --- memorization_bench: an entry's broken code is named, before or at its first run
      ("bench_model_module_missing", *bench("b1", "--model=no_such_entry_package.model:f"), 2,
       "model no_such_entry_package.model:f: cannot import no_such_entry_package.model: "
       "ModuleNotFoundError"),
      ("bench_model_import_fails", *bench("b2", f"--model={BAD_ENTRY}.broken:model"), 2,
       f"model {BAD_ENTRY}.broken:model: cannot import {BAD_ENTRY}.broken: ModuleNotFoundError"),
      ("bench_model_raises", *bench("b3", f"--model={BAD_ENTRY}.models:raises"), 2,
       f"model {BAD_ENTRY}.models:raises raised RuntimeError: this entry cannot build a model"),
      ("bench_model_not_a_model", *bench("b4", f"--model={BAD_ENTRY}.models:not_a_model"), 2,
       f"model {BAD_ENTRY}.models:not_a_model returned a int, not a suite.models.ZooModel"),
      ("bench_model_no_endpoints", *bench("b5", f"--model={BAD_ENTRY}.models:no_endpoints"), 2,
       f"model {BAD_ENTRY}.models:no_endpoints: no endpoints"),
      ("bench_model_wrong_output", *bench("b6", f"--model={BAD_ENTRY}.models:wrong_output"), 2,
       f"model {BAD_ENTRY}.models:wrong_output: output shape [(None, 13)], expected one output "
       "of logits (None, 10)"),
      ("bench_model_malformed", *bench("b7", "--model=examples/my_entry/model.py"), 2,
       "--model=examples/my_entry/model.py: --model must be one of ('mlp', 'cnn_small', "
       "'resnet18') or a reference package.module:function"),
      ("bench_model_a_zoo_name", *bench("b15", "--model=mlp"), 2,
       "model 'mlp' is not a reference of the form package.module:function"),
      ("bench_model_missing", *bench("b8"), 2, "--model is required"),
      ("bench_unknown_track", "memorization_bench", ("--track=smoke-v9", good_model, data,
                                                      out("b9")), 2,
       "unknown track 'smoke-v9'"),
      ("bench_fixed_setting", *bench("b10", good_model, "--epochs=5"), 2,
       "--epochs is fixed by track smoke-v1 (train.epochs = 40)"),
      ("bench_fixed_setting_by_alias", *bench("b11", good_model, "--augmentation=strong"), 2,
       "--augmentation is fixed by track smoke-v1 (augment.name = 'none')"),
      ("bench_fixed_data_setting", *bench("b16", good_model, "--label_noise=0.2"), 2,
       "--label_noise is fixed by track smoke-v1 (data.label_noise = 0.0)"),
      ("bench_method_not_a_method", *bench("b12", good_model,
                                           f"--method={BAD_ENTRY}.methods:not_a_method"), 2,
       f"method {BAD_ENTRY}.methods:not_a_method returned a dict, not a suite.methods.Method"),
      ("bench_method_malformed", *bench("b13", good_model, "--method=confidence_penalty"), 2,
       "--method=confidence_penalty: --method must be empty or a reference "
       "package.module:function"),
      ("bench_unknown_job", *bench("b14", good_model, "--only=clean/seed_7"), 2,
       "unknown jobs ['clean/seed_7']"),
  ]
  return [dict(name=c[0], binary=c[1], args=list(c[2]), code=c[3], fragment=c[4],
               lock=str(locked) if c[0] == "run_dir_held_by_another_process" else None)
          for c in cases]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, data_dir):
  tmp = tmp_path_factory.mktemp("bad_input")
  finished = tmp / "finished"
  trained = run_binary("benchmarks.train", *TINY, f"--data_dir={data_dir}",
                       f"--output_dir={finished}", "--epochs=2")
  assert trained.returncode == 0, trained.stderr[-3000:]
  (tmp / "empty").mkdir()
  cases = _cases(tmp, data_dir, finished)
  with pytest.MonkeyPatch.context() as patch:
    # The forked cases inherit the driver's sys.path: BAD_ENTRY is importable there.
    patch.setenv("PYTHONPATH", os.pathsep.join(
        [str(tmp / "entries"), *filter(None, [os.environ.get("PYTHONPATH")])]))
    return {r["name"]: r for r in forked.run_cases(cases, tmp)}




def _case_names():
  import tempfile  # pylint: disable=g-import-not-at-top
  with tempfile.TemporaryDirectory() as tmp:
    finished = pathlib.Path(tmp) / "finished"
    finished.mkdir()
    (finished / "checkpoints").mkdir()
    (finished / "result.json").write_text('{"settings": {}}')
    return [c["name"] for c in _cases(pathlib.Path(tmp), "/nowhere", finished)]


CASE_NAMES = _case_names()


def test_the_matrix_is_large_and_covers_every_binary():
  assert len(CASE_NAMES) >= 40
  binaries = {p.stem for p in (ROOT / "benchmarks").glob("*.py")} - {"__init__", "cli",
                                                                       "console"}
  with_cases = {"train", "knn_probe", "input_pipeline", "leaderboard", "train_throughput",
                "knn_speed", "benign_memorization", "memorization_dynamics", "claims_report",
                "benign_frontier", "rewind_probe", "memorization_bench"}
  assert binaries <= with_cases, binaries - with_cases


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_input(outcomes, name):
  outcome = outcomes[name]
  stderr = outcome["stderr"]
  error_lines = [line for line in stderr.splitlines() if line.startswith("error:")]
  assert "Traceback" not in stderr, stderr[-3000:]
  assert len(error_lines) == 1, stderr[-3000:]
  assert outcome["fragment"] in error_lines[0] or outcome["fragment"] in stderr, error_lines
  assert outcome["exit"] == outcome["code"], (outcome["exit"], error_lines)
  assert not outcome["changed"], f"pre-existing files changed: {outcome['changed']}"
  assert not outcome["new_complete"], f"a failing command left {outcome['new_complete']}"
  if outcome["binary"] == "memorization_bench":  # Nor an entry record.
    output_dir = next(a for a in outcome["args"] if a.startswith("--output_dir="))
    assert not os.path.exists(os.path.join(output_dir.split("=", 1)[1], "entry.json"))
