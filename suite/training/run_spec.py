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

"""What a training run is: its settings (`RunSpec`), and the names they go by.

A `RunSpec` is built once from the flags (flags.runs) and validated there, by its
config dataclasses; the runner, the resume check and TensorBoard read it as given.
"""

import dataclasses
import re

from suite.data import augmentation
from suite.data import datasets
from suite.models import zoo
from suite.results import record
from suite.training import train_config


@dataclasses.dataclass(frozen=True)
class RunSpec:
  output_dir: str
  benchmark: str
  data: datasets.DataConfig
  model: zoo.ModelConfig
  augment: augmentation.AugmentConfig
  train: train_config.TrainConfig
  flags: dict  # Every flag of the binary, recorded as given.
  # The run's name in TensorBoard's HParams dashboard (condition and seed); None: from
  # output_dir (see `trial_name`).
  trial_name: str | None = None

  def settings(self) -> dict:
    return {name: dataclasses.asdict(getattr(self, name))
            for name in ("data", "model", "augment", "train")}

  def identity(self) -> dict:
    """What must match for a resume: everything but where it runs and how long."""
    return record.identity(self.settings())

  def hparams(self) -> dict:
    """The scalar settings, flattened (`train.learning_rate`): the HParams of the run."""
    flat = {}
    for name, section in self.settings().items():
      for key, value in section.items():
        if isinstance(value, (bool, int, float, str)):
          flat[f"{name}.{key}"] = value
    return flat


def setting_defaults() -> dict:
  """{section: {setting: its default}} of a RunSpec's sections: what a run recorded
  before a setting existed used (record.with_defaults)."""
  return {name: {f.name: f.default for f in dataclasses.fields(config)
                 if f.default is not dataclasses.MISSING}
          for name, config in (("data", datasets.DataConfig), ("model", zoo.ModelConfig),
                               ("augment", augmentation.AugmentConfig),
                               ("train", train_config.TrainConfig))}


def trial_name(spec: RunSpec) -> str:
  """spec.trial_name, else the condition and seed read from the output directory.

  The directory's name is the condition; one named `seed_<s>` is named with its parent
  (`weight_decay/seed_1`); parents that are sweep points (`seed_0/projector_128/random`)
  are kept; and `/seed_<s>` is added where no seed shows.
  """
  if spec.trial_name:
    return spec.trial_name
  parts = [p for p in spec.output_dir.replace("\\", "/").split("/") if p and p != "."]
  if not parts:
    return f"run/seed_{spec.train.seed}"
  name = [parts.pop()]
  if _SEED_DIR.fullmatch(name[0]) and parts:
    name.insert(0, parts.pop())
  while parts and _SWEEP_DIR.fullmatch(parts[-1]):
    name.insert(0, parts.pop())
  if not any(_SEED_DIR.fullmatch(p) for p in name):
    name.append(f"seed_{spec.train.seed}")
  return "/".join(name)


_SEED_DIR = re.compile(r"seed_?\d+")
_SWEEP_DIR = re.compile(r"[A-Za-z]+_[0-9.]+")  # seed_0, projector_128, ...
