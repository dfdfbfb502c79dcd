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

"""An entry's broken code is refused by name before any run: code that exits, methods
whose parts break the training step's protocol, models with non-finite weights or
logits, and entry names that are not labels."""

import itertools
import os
import sys
import textwrap
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from suite import entries
from suite import errors
from suite import methods
from suite.experiments import track_plan
from suite.models import zoo

_COUNTER = itertools.count()
_INFO = types.SimpleNamespace(image_shape=(8, 8, 1), num_classes=10)


def _module(tmp_path, monkeypatch, source: str) -> str:
  """Writes `source` as a fresh module on sys.path; returns its name."""
  name = f"hostile_entry_{os.getpid()}_{next(_COUNTER)}"
  (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
  monkeypatch.syspath_prepend(str(tmp_path))
  monkeypatch.delitem(sys.modules, name, raising=False)
  return name


def test_a_module_that_parses_the_command_line_on_import_is_named(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      import argparse
      argparse.ArgumentParser().parse_args(["--not-an-option"])
      def model(input_shape, num_classes, seed):
        return None
      """)
  with pytest.raises(errors.ConfigError, match=rf"^model {name}:model: importing {name} "
                                               r"exited \(SystemExit: 2\)"):
    entries.resolve(f"{name}:model", "model")


def test_a_function_that_exits_is_named(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      import sys
      def model(input_shape, num_classes, seed):
        sys.exit(3)
      """)
  with pytest.raises(errors.ConfigError, match=rf"^model {name}:model exited \(SystemExit: 3\)"):
    entries.call(f"{name}:model", "model", (8, 8, 1), 10, 0)


def _tiny_model():
  inputs = keras.Input(shape=(8, 8, 1), name="image")
  flat = keras.layers.Flatten(name="flat")(inputs)
  logits = keras.layers.Dense(10, name="logits")(flat)
  return keras.Model(inputs, logits)


def _extra(body):
  return methods.Method(extra_loss=lambda model, images, targets, logits: body(logits))


@pytest.mark.parametrize("method, message", [
    (_extra(lambda logits: logits), r"extra_loss returned shape \(4, 10\)"),
    (_extra(lambda logits: logits[:, :1]), r"extra_loss returned shape \(4, 1\)"),
    (_extra(lambda logits: None), r"extra_loss is a NoneType, not a tensor"),
    (_extra(lambda logits: tf.fill([4], float("nan"))), r"extra_loss is NaN or infinite"),
    (_extra(lambda logits: tf.constant(["x"] * 4)), r"extra_loss has dtype string"),
    (_extra(lambda logits: 1 / 0), r"extra_loss raised .*ZeroDivisionError: division by zero"),
    (methods.Method(transform_batch=lambda images, targets, seed: images),
     r"transform_batch returned one tensor of shape \(4, 8, 8, 1\), not a pair"),
    (methods.Method(transform_batch=lambda images, targets, seed: (images[:2], targets[:2])),
     r"transform_batch's images has shape \(2, 8, 8, 1\), expected \(4, 8, 8, 1\)"),
    (methods.Method(transform_batch=lambda images, targets, seed: (images, targets * np.inf)),
     r"transform_batch's targets is NaN or infinite"),
])
def test_a_method_that_breaks_the_training_step_is_refused_by_name(method, message):
  with pytest.raises(errors.ConfigError, match=r"^method my.pkg:m: " + message):
    methods.check(method, "my.pkg:m", _tiny_model(), (8, 8, 1), 10)


def test_a_method_that_keeps_the_protocol_passes():
  from examples.my_entry import method as example  # pylint: disable=g-import-not-at-top
  methods.check(example.confidence_penalty(10, 0), "examples.my_entry.method:confidence_penalty",
                _tiny_model(), (8, 8, 1), 10)
  scalar = _extra(lambda logits: tf.reduce_mean(logits) * 0.0)
  mixed = methods.Method(transform_batch=lambda images, targets, seed: (
      tf.reverse(images, [0]), tf.reverse(targets, [0])), extra_loss=scalar.extra_loss)
  methods.check(mixed, "my.pkg:m", _tiny_model(), (8, 8, 1), 10)


def test_a_model_with_non_finite_weights_is_refused_by_name(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      import keras, numpy as np
      from suite.models import ZooModel
      def model(input_shape, num_classes, seed):
        inputs = keras.Input(shape=input_shape, name="image")
        logits = keras.layers.Dense(num_classes, name="logits")(keras.layers.Flatten(name="flat")(inputs))
        built = keras.Model(inputs, logits)
        built.set_weights([np.full_like(w, np.nan) for w in built.get_weights()])
        return ZooModel(model=built, endpoints=("flat", "logits"), encoder_endpoint="flat")
      """)
  with pytest.raises(errors.ConfigError,
                     match=rf"^model {name}:model: its initial weights are NaN or infinite"):
    zoo.build_entry(f"{name}:model", (8, 8, 1), 10, 0)


def test_a_model_with_non_finite_logits_is_refused_before_any_run(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      import keras
      from suite.models import ZooModel
      def model(input_shape, num_classes, seed):
        inputs = keras.Input(shape=input_shape, name="image")
        flat = keras.layers.Flatten(name="flat")(inputs)
        logits = keras.layers.Dense(num_classes, name="logits")(flat)
        logits = keras.layers.Lambda(lambda x: x / 0.0, name="broken")(logits)
        return ZooModel(model=keras.Model(inputs, logits), endpoints=("flat", "broken"),
                        encoder_endpoint="flat")
      """)
  with pytest.raises(errors.ConfigError, match=rf"^model {name}:model: its logits on a batch "
                                               "of random images are NaN or infinite"):
    track_plan.check_entry(track_plan.Entry(model=f"{name}:model"), _INFO, 0)


def test_check_entry_runs_the_method_on_the_entry_s_model(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      from suite.methods import Method
      def method(num_classes, seed):
        return Method(extra_loss=lambda model, images, targets, logits: logits)
      """)
  entry = track_plan.Entry(model="suite.models.baselines:mlp", method=f"{name}:method")
  with pytest.raises(errors.ConfigError, match=rf"^method {name}:method: extra_loss returned "
                                               r"shape \(4, 10\)"):
    track_plan.check_entry(entry, _INFO, 0)


@pytest.mark.parametrize("name", ["../x", "a/b", " ", "mine ", "a\nb", "tab\there", ".", "..",
                                  "a\\b"])
def test_an_entry_name_that_is_not_a_label_is_refused(name):
  with pytest.raises(errors.ConfigError, match=r"^entry name "):
    track_plan.Entry(model="suite.models.baselines:mlp", name=name)


@pytest.mark.parametrize("name", ["mine", "ConvMixer 3x32", "mlp+penalty", "réseau-β"])
def test_an_entry_name_that_is_a_label_is_kept(name):
  assert track_plan.Entry(model="suite.models.baselines:mlp", name=name).display_name == name


def _sources(sha):
  return {"model": {"reference": "suite.models.baselines:mlp", "file": "f", "sha256": sha},
          "method": None}


def test_the_code_of_a_directory_in_use_cannot_change(tmp_path):
  track = track_plan.tracks_lib.load("smoke-v1")
  entry = track_plan.Entry(model="suite.models.baselines:mlp")
  out = str(tmp_path / "entry")
  first = track_plan._claim(out, track, entry, _sources("a" * 64))
  try:
    # A second process with the same code shares the directory (--only jobs in parallel).
    track_plan._claim(out, track, entry, _sources("a" * 64)).close()
    # With edited code it is refused while the first runs, though no run has a record yet.
    with pytest.raises(errors.RunDirBusyError, match="in use by another memorization_bench"):
      track_plan._claim(out, track, entry, _sources("b" * 64))
  finally:
    first.close()
  # Once no process holds it and no run started, the directory takes the new code.
  track_plan._claim(out, track, entry, _sources("b" * 64)).close()
  with open(os.path.join(out, track_plan.ENTRY_SOURCE), encoding="utf-8") as f:
    assert f.read().count("b" * 64) == 1


@pytest.mark.parametrize("hooks, message", [
    ("on_evaluate", "hooks is a str, not a list of hooks"),
    (7, "hooks is a int, not a list of hooks"),
    ([1], "hooks: 1 is neither a hook nor a callable"),
])
def test_a_method_whose_hooks_are_not_hooks_is_refused_by_name(tmp_path, monkeypatch, hooks,
                                                                message):
  name = _module(tmp_path, monkeypatch, f"""
      from suite.methods import Method
      def method(num_classes, seed):
        return Method(hooks={hooks!r})
      """)
  # build() checks the container; check_entry() each hook (suite.hooks is a layer above).
  entry = track_plan.Entry(model="suite.models.baselines:mlp", method=f"{name}:method")
  with pytest.raises(errors.ConfigError, match=rf"^method {name}:method: {message}"):
    track_plan.check_entry(entry, _INFO, 0)


def test_an_output_directory_that_is_a_file_is_refused(tmp_path):
  (tmp_path / "file").write_text("x")
  with pytest.raises(errors.ConfigError, match="exists and is not a directory"):
    track_plan.benchmark("smoke-v1", "suite.models.baselines:mlp",
                         output_dir=str(tmp_path / "file"))


def test_a_model_function_that_returns_a_cached_model_is_refused(tmp_path, monkeypatch):
  # Each run must start from fresh weights, not from the previous run's trained model.
  name = _module(tmp_path, monkeypatch, """
      import functools
      from suite.models import baselines
      @functools.lru_cache(maxsize=None)
      def model(input_shape, num_classes, seed):
        return baselines.mlp(input_shape, num_classes, 0)
      """)
  zoo.build_entry(f"{name}:model", (8, 8, 1), 10, 0)
  with pytest.raises(errors.ConfigError, match=rf"^model {name}:model returned a model it had "
                                               "returned before"):
    zoo.build_entry(f"{name}:model", (8, 8, 1), 10, 0)
  zoo.build_entry("suite.models.baselines:mlp", (8, 8, 1), 10, 0)
  zoo.build_entry("suite.models.baselines:mlp", (8, 8, 1), 10, 0)


@pytest.mark.parametrize("value", ["abc", 2.5, True, None])
def test_a_free_setting_of_the_wrong_type_is_refused_by_name(tmp_path, value):
  track = track_plan.tracks_lib.load("smoke-v1")
  with pytest.raises(errors.ConfigError, match=r"^train.eval_batch_size: .* is a "):
    track_plan.plan(track, track_plan.Entry(model="suite.models.baselines:mlp"), str(tmp_path),
                    free={"train.eval_batch_size": value})
  jobs = track_plan.plan(track, track_plan.Entry(model="suite.models.baselines:mlp"),
                         str(tmp_path), free={"train.eval_batch_size": 64,
                                              "train.jit_compile": True})
  assert jobs[0].spec.train.eval_batch_size == 64 and jobs[0].spec.train.jit_compile
