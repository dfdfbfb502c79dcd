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

"""Datasets, corruptions and augmentation for memorization experiments."""

from suite.data.augmentation import AUGMENTATIONS
from suite.data.augmentation import AugmentConfig
from suite.data.corruptions import INPUT_CORRUPTIONS
from suite.data.datasets import Data
from suite.data.datasets import DataConfig
from suite.data.datasets import DatasetInfo
from suite.data.datasets import Split
from suite.data.datasets import load
from suite.data.sources import DATASETS
from suite.data.sources import DatasetNotFoundError
from suite.data.train_pipeline import TrainPipeline
from suite.data.train_pipeline import eval_dataset
