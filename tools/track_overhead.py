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

r"""What a track run costs over the same runs made with benchmarks.train, side by side.

  python tools/track_overhead.py --track=smoke-v1 --model=suite.models.baselines:mlp \
      --repeats=2

For each repeat, in alternating order (the machine is shared: a slow minute hits both
sides alike over the repeats), trains the track's every run twice from scratch:
  bench  one `python -m benchmarks.memorization_bench --track=T --model=M` process;
  train  one `python -m benchmarks.train` process per run, with the flags that give the
         same run (checked: each pair of runs has the same `settings` and the same
         config_hash identity, so the two sides train the same thing).
Prints each side's wall time (process start to exit) per repeat, and the ratio of the
totals, bench over train, against the target of at most 1.02.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from suite import tracks  # pylint: disable=wrong-import-position
from suite.experiments import track_plan  # pylint: disable=wrong-import-position

_AUGMENT_FLAGS = {"name": "augmentation", "strength": "augmentation_strength"}


def _flag(name: str, value) -> str:
  if isinstance(value, bool):
    return f"--{name}" if value else f"--no{name}"
  if isinstance(value, (list, tuple)):
    return f"--{name}={','.join(map(str, value))}"
  return f"--{name}={value}"


def train_flags(job, probed: bool, probe_settings: dict) -> list[str]:
  """benchmarks.train's flags for the run of `job`."""
  spec = job.spec
  out = [_flag(k, v) for k, v in vars(spec.data).items()
         if k not in ("data_dir", "manual_dir", "download", "iid_views") and v is not None]
  out += [_flag(_AUGMENT_FLAGS.get(k, k), v) for k, v in vars(spec.augment).items()]
  out += [_flag(k, v) for k, v in vars(spec.train).items()
          if k not in ("method", "eval_batch_size") and not (k == "seed")]
  out += [f"--model={spec.model.name}", f"--output_dir={spec.output_dir}"]
  if spec.train.method:
    out.append(f"--method={spec.train.method}")
  if not probed:
    return out + ["--noprobe"]
  knn = probe_settings
  return out + ["--probe", _flag("knn_k", knn["ks"]), _flag("knn_temperature", knn["temperature"]),
                _flag("knn_method", knn["method"]), _flag("knn_num_leaves", knn["num_leaves"]),
                _flag("knn_leaves_to_search", knn["leaves_to_search"]),
                _flag("knn_reorder", knn["reorder"]),
                _flag("knn_training_sample_size", knn["training_sample_size"]),
                _flag("knn_tie_break", knn["tie_break"]), _flag("probe_pooling", knn["pooling"]),
                _flag("knn_bank", knn["bank"])]


def _timed(command: list[str]) -> float:
  started = time.perf_counter()
  done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
  if done.returncode:
    sys.exit(f"error: {' '.join(command[:4])} ... failed:\n{done.stderr[-2000:]}")
  return time.perf_counter() - started


def _settings(path: str) -> tuple[dict, str]:
  with open(os.path.join(path, "result.json"), encoding="utf-8") as f:
    rec = json.load(f)
  settings = rec["settings"]
  settings["train"].pop("eval_batch_size", None)
  return settings, rec["config_hash"]


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--track", default="smoke-v1")
  parser.add_argument("--model", default="suite.models.baselines:mlp")
  parser.add_argument("--repeats", type=int, default=2)
  args = parser.parse_args()
  track = tracks.load(args.track)
  entry = track_plan.Entry(model=args.model)
  probe_settings = track.settings["probe"]
  times: dict[str, list[float]] = {"bench": [], "train": []}
  work = tempfile.mkdtemp(prefix="track_overhead_")
  try:
    for repeat in range(args.repeats):
      order = ("bench", "train") if repeat % 2 == 0 else ("train", "bench")
      for side in order:
        out = os.path.join(work, f"{side}_{repeat}")
        jobs = track_plan.plan(track, entry, out)
        if side == "bench":
          seconds = _timed([sys.executable, "-m", "benchmarks.memorization_bench",
                            f"--track={args.track}", f"--model={args.model}",
                            f"--output_dir={out}"])
        else:
          seconds = 0.0
          for job in jobs:
            probed = job.name.split("/")[0] in probe_settings["conditions"]
            seconds += _timed([sys.executable, "-m", "benchmarks.train",
                               *train_flags(job, probed, probe_settings)])
        times[side].append(seconds)
        print(f"repeat {repeat} {side}: {seconds:.1f} s ({len(jobs)} runs)", flush=True)
    for job in track_plan.plan(track, entry, "x"):  # The two sides trained the same runs.
      name = job.name
      a = _settings(os.path.join(work, "bench_0", name))
      b = _settings(os.path.join(work, "train_0", name))
      if a != b:
        sys.exit(f"error: {name}: the bench's run and benchmarks.train's differ: {a} != {b}")
    bench, train = sum(times["bench"]), sum(times["train"])
    print(f"\n{args.track}, {args.model}, {args.repeats} repeats, same runs (settings and "
          f"config_hash checked equal)")
    print(f"  memorization_bench (one process)          {bench:8.1f} s")
    print(f"  benchmarks.train (one process per run)    {train:8.1f} s")
    print(f"  ratio bench / train                       {bench / train:8.3f}  (target <= 1.02)")
  finally:
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
  main()
