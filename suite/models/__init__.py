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

"""Model zoo with named endpoints, and the model factory of a run.

`build_for(config, info, seed)` builds the model a training run with `seed` starts
from (same weights), without a trainer or a run directory.
"""

from typing import TYPE_CHECKING

import keras

from suite.models.zoo import MODELS
from suite.models.zoo import ModelConfig
from suite.models.zoo import ZooModel
from suite.models.zoo import build

if TYPE_CHECKING:  # The zoo imports without TensorFlow (see suite.models.zoo).
  from suite.data.datasets import DatasetInfo


def build_for(config: ModelConfig, info: "DatasetInfo", seed: int) -> ZooModel:
  """The zoo model for a dataset, initialised as a run with `seed` initialises it.

  Args:
    config: the architecture.
    info: the dataset's `suite.data.DatasetInfo` (image shape, number of classes).
    seed: the run's seed; seeds Keras' global generators first (the run does the same).

  Returns:
    The built `ZooModel`.
  """
  keras.utils.set_random_seed(seed)
  return build(config, info.image_shape, info.num_classes, seed)
