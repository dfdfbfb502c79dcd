"""Model zoo with named endpoints."""

from suite.models.zoo import MODELS
from suite.models.zoo import ModelConfig
from suite.models.zoo import ZooModel
from suite.models.zoo import build
