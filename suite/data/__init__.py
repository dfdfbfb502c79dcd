"""Datasets, corruptions and augmentation for memorization experiments."""

from suite.data.augmentation import AUGMENTATIONS
from suite.data.augmentation import AugmentConfig
from suite.data.augmentation import TrainPipeline
from suite.data.augmentation import eval_dataset
from suite.data.corruptions import INPUT_CORRUPTIONS
from suite.data.datasets import Data
from suite.data.datasets import DataConfig
from suite.data.datasets import DatasetInfo
from suite.data.datasets import Split
from suite.data.datasets import load
from suite.data.sources import DATASETS
from suite.data.sources import DatasetNotFoundError
