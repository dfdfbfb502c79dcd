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

"""A track's runs for one entry, and the entry record they add up to.

`plan(track, entry, output_dir)` lists the track's jobs, one run per (condition, seed),
each with every setting the track fixes, the entry's model (and method), and the seed
as both the data seed and the training seed: the same seed gives every entry the same
training subset, the same noisy labels and the same example order, so entries pair by
seed. `benchmark(...)` trains the jobs (finished runs are reused, unfinished ones
resume) and writes the entry record, `entry.json`: the track's id and hash, the entry's
code (reference, file, SHA-256), the suite's version and commit, the environment, the
scorecard and the claims (suite.analysis.scorecard), and the run time.

The entry's code is fixed for an output directory: `entry_source.json`, written before
the first run, must match on every later call, so that runs of edited code are never
mixed with runs of the old.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
import dataclasses
import json
import os
import time
from typing import IO, Any, TextIO

import keras
import numpy as np
import tensorflow as tf

from suite import entries
from suite import errors
from suite import hooks as hooks_lib
from suite import methods
from suite import tracks as tracks_lib
from suite.analysis import scorecard
from suite.data import augmentation
from suite.data import datasets
from suite.experiments import experiment_record
from suite.experiments import job_plan
from suite.models import zoo
from suite.probing import hook as probe_hook
from suite.probing import knn
from suite.probing import probe
from suite.results import atomic
from suite.results import provenance
from suite.results import record
from suite.results import run_directory
from suite.training import run_spec
from suite.training import train_config

BENCHMARK = "memorization_bench"
ENTRY_RECORD = "entry.json"
ENTRY_SOURCE = "entry_source.json"
ENTRY_LOCK = ".entry.lock"
SCHEMA_VERSION = 1
# Where data lives and how it runs: never part of a track (data.seed is the job's seed).
_DATA_LOCATION = ("data_dir", "manual_dir", "download", "seed")
_PROBE_KNN = tuple(f.name for f in dataclasses.fields(knn.KnnConfig))
_PROBE_OWN = ("pooling", "endpoints", "batch_size", "bank")


@dataclasses.dataclass(frozen=True)
class Entry:
  """What an entry brings: its model and optionally a method, by reference."""
  model: str
  method: str = ""
  name: str = ""

  def __post_init__(self):
    if not entries.is_reference(self.model):
      raise errors.ConfigError(f"model {self.model!r} is not a reference of the form "
                               "package.module:function")
    if self.method and not entries.is_reference(self.method):
      raise errors.ConfigError(f"method {self.method!r} is not a reference of the form "
                               "package.module:function")
    name = self.name
    if name and (name != name.strip() or name in (".", "..") or "/" in name or "\\" in name
                 or not name.isprintable()):
      # The name is a directory (runs/entries/<track>/<name>) and a leaderboard label.
      raise errors.ConfigError(f"entry name {name!r}: give a name without slashes, control "
                               "characters or surrounding spaces, other than . and ..")

  @property
  def display_name(self) -> str:
    """The name on the leaderboard: given, else the model's function (+ the method's)."""
    if self.name:
      return self.name
    name = self.model.split(":")[1]
    return f"{name}+{self.method.split(':')[1]}" if self.method else name

  def sources(self) -> dict[str, Any]:
    """The code the entry runs: {model: Source, method: Source or None}."""
    return {"model": entries.source(self.model, "model").to_dict(),
            "method": entries.source(self.method, "method").to_dict() if self.method else None}


def reference_of(function: Callable[..., Any] | str, kind: str) -> str:
  """A function's reference package.module:function (a string is returned as given)."""
  if isinstance(function, str):
    return function
  qualname = getattr(function, "__qualname__", "")
  reference = f"{getattr(function, '__module__', '')}:{qualname}"
  if not entries.is_reference(reference) or entries.resolve(reference, kind) is not function:
    raise errors.ConfigError(f"{kind} function {qualname or function!r} is not importable as "
                             "package.module:function: define it at the top level of a module")
  return reference


def _fields(config) -> list[str]:
  return [f.name for f in dataclasses.fields(config)]


def _sections(track: tracks_lib.Track, free: Mapping[str, Any]) -> dict[str, dict]:
  """The track's fixed settings with the entry's free choices, every setting present."""
  sections = {name: dict(values) for name, values in track.settings.items()}
  expected = {"data": [f for f in _fields(datasets.DataConfig) if f not in _DATA_LOCATION],
              "augment": _fields(augmentation.AugmentConfig),
              "train": [f for f in _fields(train_config.TrainConfig) if f not in ("seed", "method")],
              "probe": ["conditions", *_PROBE_KNN, *_PROBE_OWN]}
  for name, keys in expected.items():
    if sorted(sections[name]) != sorted(keys):
      missing, extra = sorted(set(keys) - set(sections[name])), sorted(set(sections[name]) - set(keys))
      raise errors.ConfigError(f"track {track.id} does not fix every {name} setting (missing "
                               f"{missing}, unknown {extra}): a new version of the track is needed")
  for key, value in free.items():
    if key not in track.free:
      raise errors.ConfigError(f"{key} is fixed by track {track.id} "
                               f"({_lookup(sections, key)!r}); an entry may choose only "
                               f"{track.free or 'where data and outputs live'}")
    section, setting = key.split(".")
    fixed = sections[section][setting]
    if type(value) is not type(fixed) and not (type(fixed) is float and type(value) is int):
      raise errors.ConfigError(f"{key}: {value!r} is a {type(value).__name__}; the track's "
                               f"value {fixed!r} is a {type(fixed).__name__}")
    sections[section][setting] = value
  return sections


def _lookup(sections: Mapping[str, dict], key: str) -> Any:
  section, _, setting = key.partition(".")
  return sections.get(section, {}).get(setting)


def fixed_setting(track: tracks_lib.Track, flag_name: str) -> str | None:
  """The "section.setting" a command-line flag would change, if the track fixes it."""
  aliases = {"augmentation": "augment.name", "augmentation_strength": "augment.strength",
             "knn_k": "probe.ks", "knn_bank": "probe.bank", "knn_method": "probe.method",
             "knn_tie_break": "probe.tie_break", "probe_pooling": "probe.pooling",
             "probe_endpoints": "probe.endpoints", "seed": "data.seed"}
  if flag_name in aliases:
    return aliases[flag_name]
  for section, values in track.settings.items():
    if flag_name in values:
      return f"{section}.{flag_name}"
  return None


def plan(track: tracks_lib.Track, entry: Entry, output_dir: str,
         free: Mapping[str, Any] | None = None,
         data_location: Mapping[str, Any] | None = None) -> list[job_plan.Job]:
  """The track's jobs for `entry`: one run per (condition, seed), in that order.

  Args:
    track: the track.
    entry: the entry's model and method.
    output_dir: the entry's directory; run `<condition>/seed_<s>` goes below it.
    free: the entry's choices of the settings the track lists as free ("train.jit_compile").
    data_location: data_dir, manual_dir, download (where the data lives).

  Raises:
    ConfigError: a choice of a setting the track fixes (named), or a track file that
      does not fix every setting.
  """
  sections = _sections(track, free or {})
  location = dict(data_location or {})
  unknown = set(location) - {"data_dir", "manual_dir", "download"}
  if unknown:
    raise errors.ConfigError(f"unknown data location settings {sorted(unknown)}")
  probed = sections["probe"]["conditions"]
  probe_settings: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                    for k, v in sections["probe"].items()}
  probe_config = probe.ProbeConfig(
      knn=knn.KnnConfig(**{k: probe_settings[k] for k in _PROBE_KNN}),
      **{k: probe_settings[k] for k in _PROBE_OWN})
  jobs = []
  for condition, changes in track.conditions.items():
    changed = {name: dict(values) for name, values in sections.items()}
    for key, value in changes.items():
      section, setting = key.split(".")
      changed[section][setting] = value
    for seed in track.seeds:
      name = f"{condition}/seed_{seed}"
      spec = run_spec.RunSpec(
          output_dir=os.path.join(output_dir, condition, f"seed_{seed}"), benchmark=BENCHMARK,
          data=datasets.DataConfig(**changed["data"], **location, seed=seed),
          model=zoo.ModelConfig(name=entry.model),
          augment=augmentation.AugmentConfig(**changed["augment"]),
          train=train_config.TrainConfig(**changed["train"], method=entry.method, seed=seed),
          flags={"track": track.id, "track_sha256": track.sha256, "condition": condition,
                 "seed": seed, "model": entry.model, "method": entry.method,
                 "entry_name": entry.display_name, "output_dir": output_dir, **location,
                 **{k: _lookup(sections, k) for k in track.free}},
          trial_name=f"{condition}/seed_{seed}")
      epochs = spec.train.epochs
      hooks = ((lambda data, epochs=epochs: [probe_hook.ProbeHook(probe_config, 0, epochs)])
               if condition in probed else None)
      jobs.append(job_plan.Job(name=name, spec=spec, hooks=hooks,
                               banner=f"== {track.id} {entry.display_name}: {name}"))
  return jobs


def check_entry(entry: Entry, info: datasets.DatasetInfo, seed: int) -> None:
  """Builds the entry's model (and method) once, so that a function that raises or
  breaks its protocol is one error before any run directory is made."""
  built = zoo.build(zoo.ModelConfig(name=entry.model), info.image_shape, info.num_classes,
                    seed)
  images = np.random.RandomState(0).uniform(size=(methods.TRIAL_BATCH, *info.image_shape))
  try:
    logits = np.asarray(built.model(images.astype(np.float32), training=False))
  except Exception as e:  # pylint: disable=broad-except  (any error of the entry's code)
    raise errors.ConfigError(f"model {entry.model}: calling it on a batch of images raised "
                             f"{type(e).__name__}: {str(e).strip()[:300]}") from e
  if logits.shape != (methods.TRIAL_BATCH, info.num_classes):
    raise errors.ConfigError(f"model {entry.model}: its logits on {methods.TRIAL_BATCH} "
                             f"images have shape {logits.shape}, expected "
                             f"({methods.TRIAL_BATCH}, {info.num_classes})")
  if not np.isfinite(logits).all():
    raise errors.ConfigError(f"model {entry.model}: its logits on a batch of random images "
                             "are NaN or infinite")
  if entry.method:
    method = methods.build(entry.method, info.num_classes, seed)
    for hook in method.hooks:
      try:
        hooks_lib.as_hook(hook)
      except TypeError as e:
        raise errors.ConfigError(f"method {entry.method}: hooks: {e}") from e
    methods.check(method, entry.method, built.model, info.image_shape, info.num_classes)
  keras.backend.clear_session()


def _claim(output_dir: str, track: tracks_lib.Track, entry: Entry,
           sources: dict) -> IO[str] | None:
  """Checks the directory's code (`_check_source`) and holds it for this process: a shared
  lock on ENTRY_LOCK (local disks; the OS releases it when the process ends), so that the
  code of a directory cannot change while another process trains or checks there."""
  if not run_directory.is_local(output_dir):
    _check_source(output_dir, track, entry, sources, may_write=True)
    return None
  import fcntl  # pylint: disable=g-import-not-at-top  (POSIX only)
  local = output_dir.removeprefix("file://")
  os.makedirs(local, exist_ok=True)
  handle = open(os.path.join(local, ENTRY_LOCK), "a+", encoding="utf-8")  # pylint: disable=consider-using-with
  try:
    try:
      fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
      alone = True
    except OSError:  # Another process holds it: wait while it writes, then read only.
      fcntl.flock(handle, fcntl.LOCK_SH)
      alone = False
    _check_source(output_dir, track, entry, sources, may_write=alone)
    fcntl.flock(handle, fcntl.LOCK_SH)
  except BaseException:
    handle.close()
    raise
  return handle


def _check_source(output_dir: str, track: tracks_lib.Track, entry: Entry,
                  sources: dict, may_write: bool) -> None:
  """Refuses an output directory that holds runs of other code or another track; writes
  ENTRY_SOURCE where it is missing or names code no run has trained with (`may_write`:
  no other process is using the directory, else that is refused)."""
  path = os.path.join(output_dir, ENTRY_SOURCE)
  mine = {"track": track.describe(), "model": sources["model"], "method": sources["method"]}
  mine_key = {"track": track.sha256, "model": sources["model"]["sha256"],
              "model_reference": entry.model,
              "method": sources["method"] and sources["method"]["sha256"],
              "method_reference": entry.method}
  if os.path.exists(path):
    try:
      with open(path, encoding="utf-8") as f:
        theirs = json.load(f)
      their_key = {"track": theirs["track"]["sha256"], "model": theirs["model"]["sha256"],
                   "model_reference": theirs["model"]["reference"],
                   "method": theirs["method"] and theirs["method"]["sha256"],
                   "method_reference": theirs["method"]["reference"] if theirs["method"] else ""}
    except (OSError, ValueError, KeyError, TypeError) as e:
      raise errors.RunDirError(f"{path} is unreadable or malformed ({e}); it says which code "
                               "the runs here belong to: move the directory aside") from e
    if their_key != mine_key and _any_run(output_dir):
      changed = sorted(k for k in mine_key if mine_key[k] != their_key[k])
      raise errors.ConfigError(
          f"{output_dir} holds runs of another entry or of other code (differs in "
          f"{', '.join(changed)}): use a new output directory for this entry")
    if their_key == mine_key:
      return
    # No run has started with the code it names (its first run failed before training,
    # say): the directory is this code's now.
  if not may_write:
    raise errors.RunDirBusyError(
        f"{output_dir} is in use by another memorization_bench process with other code (or "
        "another track): wait for it to finish, or use another output directory")
  os.makedirs(output_dir, exist_ok=True)
  atomic.write(path, json.dumps(mine, indent=2) + "\n", what="the entry's source record")


def _any_run(output_dir: str) -> bool:
  """Whether a run has written its record under `output_dir` (it started training)."""
  return any(record.FILENAME in files for _, _, files in os.walk(output_dir))


def benchmark(track: str | tracks_lib.Track, model: Callable[..., Any] | str,
              method: Callable[..., Any] | str | None = None, *, output_dir: str,
              name: str = "", free: Mapping[str, Any] | None = None,
              data_location: Mapping[str, Any] | None = None,
              strategy: tf.distribute.Strategy | None = None,
              only: Collection[str] | None = None, out: TextIO | None = None,
              progress: bool | None = None) -> dict:
  """Runs every job of a track for one entry and writes its entry record.

  Args:
    track: a track id ("memorization-cpu-v1") or a loaded Track.
    model: the model function (docs/tracks.md), or its reference package.module:function.
    method: the method function or reference; None: none.
    output_dir: the entry's directory (runs below it, entry.json in it).
    name: the entry's name on the leaderboard (default: from the functions' names).
    free: choices of the settings the track lists as free.
    data_location: data_dir, manual_dir, download.
    strategy: the distribution strategy of every run.
    only: train only these jobs (see `plan`); no entry record is written then.
    out: where progress goes.
    progress: show steps within long epochs (None: on a terminal).

  Returns:
    The entry record (a dict), or with `only` the jobs trained and their directories.
  """
  started = time.time()
  if tf.io.gfile.exists(output_dir) and not tf.io.gfile.isdir(output_dir):
    raise errors.ConfigError(f"output directory {output_dir} exists and is not a directory")
  track = tracks_lib.load(track) if isinstance(track, str) else track
  entry = Entry(model=reference_of(model, "model"),
                method=reference_of(method, "method") if method else "", name=name)
  jobs = plan(track, entry, output_dir, free, data_location)
  selected = job_plan.select(jobs, only)
  sources = entry.sources()  # Imports the entry's code: an error here is before any run.
  cache = job_plan.DataCache(selected)
  check_entry(entry, cache.get(selected[0].data).info, track.seeds[0])
  claim = _claim(output_dir, track, entry, sources)
  try:
    records = job_plan.train(selected, cache=cache, strategy=strategy, out=out,
                             progress=progress)
  finally:
    if claim is not None:
      claim.close()  # Releases the lock.
  if only is not None:
    return experiment_record.TrainedJobs(
        benchmark=BENCHMARK, jobs=job_plan.job_names(selected),
        conditions=job_plan.conditions(selected)).to_dict()
  by_seed: dict[int, dict[str, dict]] = {}
  for job in jobs:
    condition = job.name.split("/")[0]
    by_seed.setdefault(job.spec.train.seed, {})[condition] = records[job.name]
  record = {
      "schema_version": SCHEMA_VERSION, "kind": "entry", "status": "complete",
      "entry": {"name": entry.display_name, **sources},
      "track": track.describe(),
      "suite": _suite_state(),
      "environment": provenance.environment(),
      "seeds": track.seeds,
      "runs": {job.name: os.path.relpath(job.spec.output_dir, output_dir) for job in jobs},
      "scorecard": scorecard.scorecard(track.scorecard, by_seed),
      "claims": scorecard.claims(track.claims, by_seed),
      "timing": {"wall_seconds": sum(r.get("timing", {}).get("wall_seconds", 0.0)
                                     for r in records.values()),
                 "bench_seconds": time.time() - started},
      "hardware": _hardware(),
  }
  atomic.write(os.path.join(output_dir, ENTRY_RECORD),
               json.dumps(record, indent=2, allow_nan=False) + "\n", what="the entry record")
  return record


def _suite_state() -> dict[str, Any]:
  import suite  # pylint: disable=g-import-not-at-top  (the package's own version)
  git = provenance.git_state()
  return {"version": suite.__version__, "commit": git.get("commit"), "dirty": git.get("dirty")}


def _hardware() -> str:
  gpus = tf.config.list_physical_devices("GPU")
  if gpus:
    return f"{len(gpus)} GPU ({', '.join(g.name for g in gpus)})"
  return f"{os.cpu_count()} CPU cores"
