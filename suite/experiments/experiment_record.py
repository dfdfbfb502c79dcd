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

"""The typed records of an experiment: the aggregate result.json, and what a run with
--only returns (its runs, no claims)."""

import dataclasses
import time
from typing import Any, ClassVar, Self

from suite.results import provenance
from suite.results import record
from suite.training import run_spec


@dataclasses.dataclass
class ExperimentRecord:
  """An experiment's result.json under its output_dir.

  `to_dict` writes the keys in `ORDER`; subclasses add their sections to both.
  """
  benchmark: str
  config: dict
  config_hash: str
  conditions: dict[str, str]
  metrics: dict[str, Any]
  claims: list[dict]
  timing: dict[str, float]
  environment: dict
  status: str = "complete"
  schema_version: int = record.SCHEMA_VERSION

  ORDER: ClassVar[tuple[str, ...]] = (
      "schema_version", "benchmark", "status", "config", "config_hash", "conditions",
      "metrics", "claims", "timing", "environment")

  @classmethod
  def finished(cls, base: run_spec.RunSpec, benchmark: str, started: float,
               **sections: Any) -> Self:
    """The record of an experiment run with `base`'s flags, started at `started` (wall
    clock) and finished now; `sections`: the other fields."""
    return cls(benchmark=benchmark, config=base.flags,
               config_hash=record.config_hash(base.identity()),
               timing={"wall_seconds": time.time() - started},
               environment=provenance.environment(), **sections)

  def to_dict(self) -> dict[str, Any]:
    return {key: getattr(self, key) for key in self.ORDER}


@dataclasses.dataclass(frozen=True)
class TrainedJobs:
  """What an experiment returns with --only: the jobs asked and the runs they hold."""
  benchmark: str
  jobs: list[str]
  conditions: dict[str, str]

  def to_dict(self) -> dict[str, Any]:
    return {"benchmark": self.benchmark, "jobs": self.jobs, "conditions": self.conditions}
