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

"""tools/step_time.py: the zoo's training step timed under a Keras backend (docs/gpu.md).

The tests run it under TensorFlow (the suite's backend); on accelerators it runs under JAX,
with no TensorFlow installed, which the import check below keeps possible.
"""

import ast
import json
import math
import os
import pathlib
import re
import subprocess
import sys

import keras

from suite.models import zoo

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "step_time.py"
# Imported by the device's Python only where a layer or a backend needs them.
_TENSORFLOW = ("tensorflow", "tensorflow_datasets", "scann")


def _run(tmp_path, *args):
  env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
  return subprocess.run([sys.executable, str(TOOL), *args], cwd=tmp_path, env=env,
                        capture_output=True, text=True, timeout=600, check=False)


def _module_file(module: str) -> pathlib.Path | None:
  path = ROOT.joinpath(*module.split("."))
  for candidate in (path.with_suffix(".py"), path / "__init__.py"):
    if candidate.exists():
      return candidate
  return None


def _top_level_imports(path: pathlib.Path) -> set[str]:
  """Modules imported at module level (not inside functions), with their parent packages."""
  found = set()
  for node in ast.parse(path.read_text()).body:
    names = []
    if isinstance(node, ast.Import):
      names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module:
      names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    elif isinstance(node, ast.If):  # `if TYPE_CHECKING:` imports are not executed.
      continue
    for name in names:
      parts = name.split(".")
      found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
  return found


def test_the_tool_imports_no_tensorflow_at_module_level_even_transitively():
  seen, todo, offenders = set(), [TOOL], []
  while todo:
    path = todo.pop()
    if path in seen:
      continue
    seen.add(path)
    for module in _top_level_imports(path):
      if module.split(".")[0] in _TENSORFLOW:
        offenders.append(f"{path.relative_to(ROOT)} imports {module}")
      elif module.split(".")[0] in ("suite", "benchmarks", "flags"):
        file = _module_file(module)
        if file is not None:
          todo.append(file)
  assert ROOT / "suite" / "models" / "zoo.py" in seen  # The walk reached the zoo.
  assert not offenders, offenders


def test_the_import_check_sees_a_module_level_tensorflow_import(tmp_path):
  planted = tmp_path / "planted.py"
  planted.write_text("import os\nimport tensorflow as tf\ndef f():\n  import scann\n")
  assert "tensorflow" in _top_level_imports(planted)
  assert "scann" not in _top_level_imports(planted)


def test_times_the_zoo_model_over_full_batches_and_writes_json(tmp_path):
  output = tmp_path / "step_time.json"
  result = _run(tmp_path, "--model=resnet18", "--width_multiplier=0.0625",
                "--bottleneck_dim=64", "--init=torch", "--image_shape=16,16,3",
                "--batch_size=16", "--epoch_size=40", "--timed_epochs=2",
                "--precisions=float32,mixed_bfloat16", "--project_epochs=1000",
                f"--output_json={output}")
  assert result.returncode == 0, result.stderr[-3000:]
  record = json.loads(output.read_text())
  assert not (tmp_path / "step_time.json.partial").exists()
  assert record["backend"] == "tensorflow"
  assert record["images_per_epoch"] == 32 and record["steps_per_epoch"] == 2  # 40 // 16 * 16.
  keras.utils.set_random_seed(0)
  expected = zoo.build(zoo.ModelConfig(name="resnet18", width_multiplier=0.0625,
                                       bottleneck_dim=64, init="torch"), (16, 16, 3), 10)
  assert [r["policy"] for r in record["results"]] == ["float32", "mixed_bfloat16"]
  for entry in record["results"]:
    assert entry["parameters"] == expected.model.count_params()
    assert len(entry["timed_epochs_s"]) == 2 and all(s > 0 for s in entry["timed_epochs_s"])
    assert math.isclose(entry["epoch_s"], sum(entry["timed_epochs_s"]) / 2)  # The median.
    assert math.isclose(entry["images_per_s"], 32 / entry["epoch_s"])
    assert math.isclose(entry["projected_hours"], entry["epoch_s"] * 1000 / 3600)
    assert len(entry["losses"]) == 3 and all(math.isfinite(x) for x in entry["losses"])
    assert entry["losses"][-1] < entry["losses"][0]  # The steps train the model.
    assert f"{entry['epoch_s']:.2f} s per epoch" in result.stdout


def test_times_epochs_made_by_the_suites_input_pipeline(tmp_path):
  output = tmp_path / "step_time.json"
  result = _run(tmp_path, "--model=cnn_small", "--width_multiplier=0.25", "--image_shape=16,16,3",
                "--batch_size=16", "--epoch_size=40", "--timed_epochs=2", "--input=pipeline",
                "--augmentation=strong", f"--output_json={output}")
  assert result.returncode == 0, result.stderr[-3000:]
  assert "views by the input pipeline: strong" in result.stdout
  record = json.loads(output.read_text())
  assert (record["input"], record["augmentation"]) == ("pipeline", "strong")
  [entry] = record["results"]
  assert len(entry["timed_epochs_s"]) == 2 and all(s > 0 for s in entry["timed_epochs_s"])
  assert len(entry["losses"]) == 3 and all(math.isfinite(x) for x in entry["losses"])
  assert entry["dataset_s"] >= 0 and "making each epoch's dataset" in result.stdout


def test_the_tools_augmentations_are_the_suites():
  from suite.data import augmentation  # pylint: disable=g-import-not-at-top
  [choices] = re.findall(r'DEFINE_enum\("augmentation", "none",\s*(\([^)]*\))',
                         TOOL.read_text())
  assert ast.literal_eval(choices) == augmentation.AUGMENTATIONS


def test_a_backend_that_is_not_installed_gets_one_error_line(tmp_path):
  env = dict(os.environ, KERAS_BACKEND="no_such_backend")
  result = subprocess.run([sys.executable, str(TOOL)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
  assert result.returncode == 1
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1 and lines[0].startswith("error: Keras cannot load the backend "
                                                 "'no_such_backend'"), lines


def test_bad_flags_get_one_error_line_and_exit_2(tmp_path):
  for args, words in ((["--precisions=float64"], "--precisions"),
                      (["--epoch_size=8", "--batch_size=16"], "no full batch"),
                      ([f"--output_json={tmp_path}/missing/x.json"], "no directory"),
                      (["--augmentation=strong"], "needs --input=pipeline")):
    result = _run(tmp_path, *args)
    assert result.returncode == 2, (args, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], lines
