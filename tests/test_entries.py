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

"""Entry references package.module:function: resolved, called and hashed, every failure
a ConfigError that names the reference."""

import hashlib
import itertools
import os
import re
import sys
import textwrap

import pytest

from suite import entries
from suite import errors

_COUNTER = itertools.count()


def _module(tmp_path, monkeypatch, source: str, package: bool = False) -> str:
  """Writes `source` as a fresh module (or package) on sys.path; returns its name."""
  name = f"entry_test_module_{os.getpid()}_{next(_COUNTER)}"
  if package:
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text(textwrap.dedent(source))
  else:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
  monkeypatch.syspath_prepend(str(tmp_path))
  monkeypatch.delitem(sys.modules, name, raising=False)
  return name


@pytest.mark.parametrize("reference", ["pkg.mod:fn", "mod:fn", "a.b.c:_private", "m1._x:F2"])
def test_references_of_the_documented_form(reference):
  assert entries.is_reference(reference)


@pytest.mark.parametrize("reference", [
    "", "mod", "mod.fn", "mod:", ":fn", "mod:fn:g", "1mod:fn", "mod:1fn", "pkg..mod:fn",
    "pkg-x:fn", "mod:fn()", "mod: fn", "pkg.mod.:fn", "/abs/path.py:fn", "mod:fn.attr"])
def test_malformed_references_are_refused_by_name(reference):
  assert not entries.is_reference(reference)
  for call in (lambda: entries.resolve(reference, "model"),
               lambda: entries.call(reference, "model"),
               lambda: entries.source(reference, "model")):
    with pytest.raises(errors.ConfigError) as raised:
      call()
    message = str(raised.value)
    assert repr(reference) in message and "package.module:function" in message, message
    assert message.startswith("model "), message


def test_a_module_that_does_not_exist():
  with pytest.raises(errors.ConfigError,
                     match=r"^method no_such_module_xyz\.sub:f: cannot import "
                           r"no_such_module_xyz\.sub: ModuleNotFoundError"):
    entries.resolve("no_such_module_xyz.sub:f", "method")


def test_a_module_that_raises_on_import_gives_its_own_message(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      raise RuntimeError("the entry is broken at import")
      def f():
        return 1
      """)
  with pytest.raises(errors.ConfigError) as raised:
    entries.resolve(f"{name}:f", "model")
  assert str(raised.value) == (f"model {name}:f: cannot import {name}: RuntimeError: the entry "
                               "is broken at import")
  assert isinstance(raised.value.__cause__, RuntimeError)
  assert name not in sys.modules  # A failed import leaves nothing half-imported.


def test_a_module_with_a_syntax_error(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, "def f(:\n  pass\n")
  with pytest.raises(errors.ConfigError, match=rf"model {name}:f: cannot import {name}: "
                                               "SyntaxError"):
    entries.call(f"{name}:f", "model")


def test_a_module_whose_import_fails_on_a_missing_dependency(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, "import a_dependency_nobody_installed\ndef f(): pass\n")
  with pytest.raises(errors.ConfigError,
                     match=rf"model {name}:f: cannot import {name}: ModuleNotFoundError: "
                           r".*a_dependency_nobody_installed"):
    entries.resolve(f"{name}:f", "model")


def test_a_missing_attribute(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, "def f():\n  return 1\n")
  with pytest.raises(errors.ConfigError,
                     match=rf"^model {name}:g: module {name} has no 'g'$"):
    entries.resolve(f"{name}:g", "model")


def test_a_non_callable_attribute(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, "WIDTH = 3\nNAMES = ['a']\n")
  with pytest.raises(errors.ConfigError,
                     match=rf"^model {name}:WIDTH: 'WIDTH' is a int, not a function$"):
    entries.resolve(f"{name}:WIDTH", "model")
  with pytest.raises(errors.ConfigError, match=rf"method {name}:NAMES: 'NAMES' is a list"):
    entries.call(f"{name}:NAMES", "method")


def test_resolve_returns_the_function_and_call_passes_the_arguments(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      def f(*args):
        return ("called", args)
      class Builder:
        def __call__(self, x):
          return x
      builder = Builder()
      """)
  function = entries.resolve(f"{name}:f", "model")
  assert function is sys.modules[name].f
  assert entries.call(f"{name}:f", "model", (8, 8, 1), 10, 3) == ("called", ((8, 8, 1), 10, 3))
  assert entries.call(f"{name}:builder", "model", 7) == 7  # Any callable.


def test_a_function_that_raises_is_the_entry_s_fault(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      def f(input_shape, num_classes, seed):
        raise ValueError(f"no model for {num_classes} classes")
      def typo():
        return undefined_name
      """)
  with pytest.raises(errors.ConfigError) as raised:
    entries.call(f"{name}:f", "model", (8, 8, 1), 10, 0)
  assert str(raised.value) == f"model {name}:f raised ValueError: no model for 10 classes"
  assert isinstance(raised.value.__cause__, ValueError)
  with pytest.raises(errors.ConfigError, match=rf"method {name}:typo raised NameError: .*"
                                               "undefined_name"):
    entries.call(f"{name}:typo", "method")
  # The wrong number of arguments (the protocol's) is the entry's fault too.
  with pytest.raises(errors.ConfigError, match=rf"model {name}:typo raised TypeError"):
    entries.call(f"{name}:typo", "model", (8, 8, 1), 10, 0)


def test_a_suite_error_raised_by_the_function_passes_unchanged(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, """
      from suite import errors
      def f():
        raise errors.RunDirError("the suite's own message")
      """)
  with pytest.raises(errors.RunDirError, match=r"^the suite's own message$"):
    entries.call(f"{name}:f", "model")


def test_modules_are_found_in_the_working_directory(tmp_path, monkeypatch):
  """`python -m` puts the working directory on sys.path; console scripts do not."""
  (tmp_path / "entry_in_cwd_module.py").write_text("def f():\n  return 'from cwd'\n")
  monkeypatch.chdir(tmp_path)
  monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".")])
  monkeypatch.delitem(sys.modules, "entry_in_cwd_module", raising=False)
  assert entries.call("entry_in_cwd_module:f", "model") == "from cwd"


def test_source_is_the_module_file_and_the_sha256_of_its_bytes(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, "def f():\n  return 1\n")
  path = tmp_path / f"{name}.py"
  found = entries.source(f"{name}:f", "model")
  assert os.path.samefile(found.file, path)
  assert found.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
  assert found.reference == f"{name}:f"
  assert found.to_dict() == {"reference": f"{name}:f", "file": found.file,
                             "sha256": found.sha256}
  # An edit of the file (the module already imported) is seen: the hash is of the bytes.
  path.write_text("def f():\n  return 2  # edited\n")
  edited = entries.source(f"{name}:f", "model")
  assert edited.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() != found.sha256


def test_source_of_a_package_function_is_its_init_file(tmp_path, monkeypatch):
  name = _module(tmp_path, monkeypatch, "def f():\n  return 1\n", package=True)
  found = entries.source(f"{name}:f", "method")
  init = tmp_path / name / "__init__.py"
  assert os.path.samefile(found.file, init)
  assert found.sha256 == hashlib.sha256(init.read_bytes()).hexdigest()


def test_source_of_the_shipped_baselines_and_example():
  import suite.models.baselines  # pylint: disable=g-import-not-at-top,import-outside-toplevel
  for reference, module in (("suite.models.baselines:mlp", suite.models.baselines),):
    found = entries.source(reference, "model")
    assert os.path.samefile(found.file, module.__file__)
    with open(module.__file__, "rb") as f:
      assert found.sha256 == hashlib.sha256(f.read()).hexdigest()
  example = entries.source("examples.my_entry.method:confidence_penalty", "method")
  assert example.file.endswith(os.path.join("examples", "my_entry", "method.py"))
  assert re.fullmatch(r"[0-9a-f]{64}", example.sha256)


def test_source_hashes_the_file_that_defines_a_re_exported_function(tmp_path, monkeypatch):
  """`pkg:convmixer` re-exported by pkg/__init__.py from pkg/model.py: the code that runs
  is model.py's, so an edit of model.py must change the entry's source hash (else an
  output directory accepts runs of edited code, see track_plan's entry_source.json)."""
  name = _module(tmp_path, monkeypatch, "from .model import build\n", package=True)
  model = tmp_path / name / "model.py"
  model.write_text("def build():\n  return 1\n")
  before = entries.source(f"{name}:build", "model").sha256
  model.write_text("def build():\n  return 2  # edited\n")
  after = entries.source(f"{name}:build", "model").sha256
  assert before != after, ("editing the file that defines a re-exported entry function does "
                           "not change its source hash (only the package's __init__.py is "
                           "hashed)")
