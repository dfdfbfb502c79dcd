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

"""Flags shared by the timing benchmarks."""

from absl import flags

from flags import probing as probing_flags
from suite.experiments import throughput

TIMED_STEPS = flags.DEFINE_integer("timed_steps", 20, "Training steps timed after a warm-up.",
                                   lower_bound=1)
EPOCH_SIZE = flags.DEFINE_integer(
    "epoch_size", 0, "Project seconds per epoch of this many training examples (e.g. 50000, "
    "CIFAR-10's train split) from the measured steady-state rate plus the epoch start; "
    "0: off.", lower_bound=0)
PROJECT_EPOCHS = flags.DEFINE_integer(
    "project_epochs", 0, "With --epoch_size: project the wall time of this many epochs (with "
    "--time_probe, plus a probe every --probe_every epochs and the evaluation every "
    "--eval_every); 0: off.", lower_bound=0)
TIME_PROBE = flags.DEFINE_bool(
    "time_probe", False, "Time one k-NN probe of every model (--probe_endpoints, --knn_k) on "
    "the measured data and project it to a bank of --epoch_size and --probe_queries queries.")
PROBE_QUERIES = flags.DEFINE_integer(
    "probe_queries", 10_000, "Test queries of the projected probe (10,000: CIFAR-10's test "
    "split).", lower_bound=1)


@flags.multi_flags_validator(["project_epochs", "epoch_size"],
                             message="--project_epochs needs --epoch_size.")
def _check_projection(values):
  return not values["project_epochs"] or values["epoch_size"] > 0


def projection() -> throughput.Projection:
  """What the measurement is projected to: --epoch_size, --probe_queries,
  --project_epochs, --probe_every and --time_probe."""
  return throughput.Projection(
      epoch_size=EPOCH_SIZE.value, probe_queries=PROBE_QUERIES.value,
      epochs=PROJECT_EPOCHS.value, probe_every=probing_flags.PROBE_EVERY.value,
      time_probe=TIME_PROBE.value)
