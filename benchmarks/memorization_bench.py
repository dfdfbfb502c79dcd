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

r"""Enters a model (and optionally a method) in a standard track: every job, one record.

  python -m benchmarks.memorization_bench --track=memorization-cpu-v1 \
      --model=examples.my_entry.model:convmixer --output_dir=runs/entries/convmixer

Trains every run of the track (conditions x seeds) with the settings the track fixes,
resuming whatever was interrupted and reusing what is finished, then writes
`entry.json` to --output_dir: the scorecard with 95% intervals over seeds, the track's
claims, the track's id and hash, the entry's code (reference and SHA-256 of its file),
the suite's commit and the environment. Prints the scorecard. See docs/tracks.md.

--model=package.module:function builds the model: (input_shape, num_classes, seed) ->
suite.models.ZooModel. The zoo's models are entries the same way
(suite.models.baselines:mlp, :cnn_small, :resnet18_eighth). --method=package.module:
function adds a training-time intervention: (num_classes, seed) -> suite.methods.Method.
Track settings cannot be overridden: a flag that would change one is refused by name.

--list_jobs prints one command per run for a scheduler; the same command without
--only then aggregates. `memorization-leaderboard --track=T --entries=DIR` tables
entries beside the shipped baselines.
"""

import sys

from absl import flags

from benchmarks import cli
from flags import bench as bench_flags
from flags import data as data_flags
from flags import jobs as job_flags
from flags import training as training_flags
from suite.analysis import scorecard
from suite.experiments import track_plan
from suite.results import tables

# --helpshort lists what an entry may set; every other suite flag is refused (flags.bench).
for _module in (bench_flags, job_flags):
  flags.adopt_module_key_flags(_module)
for _name in bench_flags.ALWAYS_FREE + bench_flags.HARDWARE_FLAGS:
  if _name not in ("track", "entry_name", "list_jobs", "only"):
    flags.declare_key_flag(_name)


def main(argv):
  del argv
  track = bench_flags.track()
  entry = track_plan.Entry(model=bench_flags.model_reference(),
                           method=training_flags.METHOD.value, name=bench_flags.ENTRY_NAME.value)
  free = bench_flags.free_choices(track, track_plan.fixed_setting)
  output_dir = bench_flags.output_dir(track, entry.display_name)
  jobs = track_plan.plan(track, entry, output_dir, free, bench_flags.data_location())
  if job_flags.LIST_JOBS.value:
    job_flags.print_commands("benchmarks.memorization_bench", [job.name for job in jobs])
    return
  strategy = training_flags.make_strategy()
  record = track_plan.benchmark(
      track, entry.model, entry.method or None, output_dir=output_dir, name=entry.name,
      free=free, data_location=bench_flags.data_location(), strategy=strategy,
      only=job_flags.only(), progress=training_flags.PROGRESS.value)
  if record.get("kind") != "entry":
    print(f"trained {', '.join(record['jobs'])}; rerun without --only to write the entry "
          "record", flush=True)
    return
  print(f"\n{track.id} - {record['entry']['name']} ({tables.duration(record['timing']['wall_seconds'])} "
        f"of run time)\n{scorecard.format_entry(record)}", flush=True)
  print(f"\nentry record: {output_dir}/{track_plan.ENTRY_RECORD}", file=sys.stdout)


if __name__ == "__main__":
  cli.run(main)
