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

"""Parsed flags -> a training run: the one place that builds a RunSpec and a ProbeHook.

Every binary that trains (benchmarks.train and the experiments) turns its flags into a
`suite.training.run_spec.RunSpec` and an optional `ProbeHook` here, so binaries never import each other.
"""

from absl import flags

from flags import data as data_flags
from flags import probing as probing_flags
from flags import training as training_flags
from suite import errors
from suite.probing import hook as probe_hook
from suite.training import run_spec as run_spec_lib


def run_spec(benchmark: str) -> run_spec_lib.RunSpec:
  """The run the data, model, augmentation and training flags describe.

  Args:
    benchmark: the binary's name, recorded in result.json (`benchmark`).

  Returns:
    The validated `suite.training.run_spec.RunSpec`, the flags as given included (the run's `config`).

  Raises:
    ConfigError: --output_dir is not set, or a setting is invalid.
  """
  if not training_flags.OUTPUT_DIR.value:
    raise errors.ConfigError("--output_dir is required: the run directory to write (or resume)")
  return run_spec_lib.RunSpec(
      output_dir=training_flags.OUTPUT_DIR.value, benchmark=benchmark,
      data=data_flags.data_config(), model=training_flags.model_config(),
      augment=data_flags.augment_config(),
      train=training_flags.train_config(data_flags.SEED.value),
      flags=training_flags.flag_values())


def probe_hook_from_flags() -> probe_hook.ProbeHook | None:
  """The probing hook the flags ask for (--probe, --probe_every, --control_run_dir), or None.

  Bad probing flags are refused even with --noprobe.

  Returns:
    A `ProbeHook` probing every --probe_every epochs and after --epochs, or None.
  """
  config = probing_flags.probe_config()
  if not probing_flags.PROBE.value:
    return None
  return probe_hook.ProbeHook(config, probing_flags.PROBE_EVERY.value,
                              training_flags.EPOCHS.value, probing_flags.CONTROL_RUN_DIR.value)


def apply_experiment_defaults(defaults: dict) -> None:
  """Sets each flag of `defaults` that was not given (command line, flagfile or a test's
  flagsaver) to the experiment's default, through the validators, so that the record
  shows it as used."""
  for name, value in defaults.items():
    if flags.FLAGS[name].using_default_value:
      setattr(flags.FLAGS, name, value)
