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

"""Memorization benchmark suite: library. Never reads absl flags.

`suite.benchmark(track, model_fn, method_fn=None, output_dir=...)` enters a model (and
optionally a method) in a standard track from Python, as `memorization-bench` does from
the command line (docs/tracks.md).
"""

from typing import Any

__version__ = "0.1.0"


def benchmark(track: Any, model_fn: Any, method_fn: Any = None, **options: Any) -> dict:
  """Runs every job of `track` for the entry `model_fn` (+ `method_fn`) and returns its
  entry record; `options` as suite.experiments.track_plan.benchmark takes them
  (output_dir is required)."""
  # Imported here: `import suite` must not load TensorFlow.
  from suite.experiments import track_plan  # pylint: disable=g-import-not-at-top
  return track_plan.benchmark(track, model_fn, method_fn, **options)
