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

"""memorization-bench end to end: the smoke track with the example entry, as a user runs it.

The whole smoke track (3 conditions x 3 seeds) trains once per session, through the
binary, with the example entry (examples/my_entry: a ConvMixer and the confidence
penalty). The other invocations (a rerun, --list_jobs, --only, refusals, the
leaderboard's track mode) run as forked cases of one driver (tests/forked.py), two
batches around an edit of a copied entry's model file.
"""

import hashlib
import json
import os
import pathlib
import re
import shlex
import shutil
import time

from absl.testing import flagsaver
import pytest

from benchmarks import memorization_bench  # pylint: disable=unused-import  (its flags)
from flags import bench as bench_flags
from suite import errors
from suite import tracks
from suite.experiments import track_plan
from suite.models import baselines
from tests import forked
from tests.conftest import run_binary

ROOT = pathlib.Path(__file__).resolve().parents[2]
TRACK = "smoke-v1"
MODEL = "examples.my_entry.model:convmixer"
METHOD = "examples.my_entry.method:confidence_penalty"
COPY = "bench_copied_entry"  # The example copied into the test's tree, as a user's package.


def _sha256(path) -> str:
  return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def entry(tmp_path_factory, data_dir):
  """The smoke track, trained once, with the example entry."""
  tmp = tmp_path_factory.mktemp("bench")
  out = tmp / "convmixer"
  args = (f"--track={TRACK}", f"--model={MODEL}", f"--method={METHOD}", f"--output_dir={out}",
          f"--data_dir={data_dir}")
  started = time.time()
  done = run_binary("benchmarks.memorization_bench", *args, timeout=2400)
  assert done.returncode == 0, done.stderr[-3000:]
  return {"tmp": tmp, "out": out, "args": args, "stdout": done.stdout,
          "seconds": time.time() - started,
          "record": json.loads((out / "entry.json").read_text())}


def _case(name, binary, *args):
  return {"name": name, "binary": binary, "args": list(args)}


@pytest.fixture(scope="module")
def cases(entry, data_dir):
  """Reruns and refusals, forked: a batch, an edit of the copied entry, a second batch."""
  tmp, out, args = entry["tmp"], entry["out"], entry["args"]
  packages = tmp / "packages"
  shutil.copytree(ROOT / "examples" / "my_entry", packages / COPY)
  copied = (f"--track={TRACK}", f"--model={COPY}.model:convmixer",
            f"--method={COPY}.method:confidence_penalty", f"--output_dir={tmp / 'copied'}",
            f"--data_dir={data_dir}")
  first = [_case("rerun", "memorization_bench", *args),
           _case("list_jobs", "memorization_bench", *args, "--list_jobs"),
           _case("override", "memorization_bench", *args, "--epochs=3"),
           _case("free_setting", "memorization_bench", *args, "--jit_compile", "--list_jobs"),
           _case("only", "memorization_bench", *copied, "--only=clean/seed_0")]
  board = tmp / "board"
  second = [_case("edited", "memorization_bench", *copied, "--only=clean/seed_0"),
            _case("edited_all", "memorization_bench", *copied),
            _case("leaderboard", "leaderboard", f"--track={TRACK}", f"--entries={out}",
                  f"--board_dir={board}")]
  with pytest.MonkeyPatch.context() as patch:
    # The forked children inherit the driver's sys.path: the copy is importable there.
    patch.setenv("PYTHONPATH", os.pathsep.join(
        [str(packages), *filter(None, [os.environ.get("PYTHONPATH")])]))
    results = {r["name"]: r for r in forked.run_cases(first, tmp, timeout=1200)}
    model = packages / COPY / "model.py"
    before = _sha256(model)
    model.write_text(model.read_text().replace("width: int = 32", "width: int = 16"))
    assert _sha256(model) != before
    results.update({r["name"]: r for r in forked.run_cases(second, tmp, timeout=1200)})
  return dict(results, board=board, copied=tmp / "copied", copied_model=model)


def _runs(record, out):
  return {name: json.loads((out / path / "result.json").read_text())
          for name, path in record["runs"].items()}


@pytest.mark.slow
def test_the_entry_record_names_the_track_and_the_code(entry):
  record, track = entry["record"], tracks.load(TRACK)
  assert record["kind"] == "entry" and record["status"] == "complete"
  assert record["track"] == {"id": TRACK, "name": "smoke", "version": 1,
                             "sha256": tracks.track_hash(TRACK)}
  assert record["entry"]["name"] == "convmixer+confidence_penalty"
  for kind, reference, path in (("model", MODEL, "examples/my_entry/model.py"),
                                ("method", METHOD, "examples/my_entry/method.py")):
    source = record["entry"][kind]
    assert source["reference"] == reference
    assert os.path.samefile(source["file"], ROOT / path)
    assert source["sha256"] == _sha256(ROOT / path)
  assert record["seeds"] == track.seeds
  assert record["suite"]["version"] and "commit" in record["suite"]
  assert record["environment"] and record["hardware"]
  assert record["timing"]["wall_seconds"] > 0
  assert record["timing"]["bench_seconds"] <= entry["seconds"]
  source = json.loads((entry["out"] / "entry_source.json").read_text())
  assert source["track"]["sha256"] == track.sha256
  assert source["model"]["sha256"] == record["entry"]["model"]["sha256"]


@pytest.mark.slow
def test_every_run_is_the_track_s_with_the_entry(entry):
  record, track, out = entry["record"], tracks.load(TRACK), entry["out"]
  runs = _runs(record, out)
  assert sorted(runs) == sorted(f"{c}/seed_{s}" for c in track.conditions for s in track.seeds)
  for name, run in runs.items():
    condition, seed = name.split("/seed_")
    settings = run["settings"]
    assert run["status"] == "complete" and run["benchmark"] == "memorization_bench"
    assert settings["data"]["seed"] == settings["train"]["seed"] == int(seed)
    assert settings["data"]["label_noise"] == track.conditions[condition]["data.label_noise"]
    assert settings["train"]["epochs"] == track.settings["train"]["epochs"]
    assert settings["model"]["name"] == MODEL and settings["train"]["method"] == METHOD
    assert ("probe" in run) == (condition in track.settings["probe"]["conditions"])
    if "probe" in run:
      assert run["probe"]["endpoints"] == ["patches", "mixer_1", "mixer_2", "mixer_3", "encoder",
                                           "logits"]
      assert "random_init" in run["controls"]


@pytest.mark.slow
def test_the_scorecard_is_computed_from_the_runs(entry):
  record, track = entry["record"], tracks.load(TRACK)
  runs = _runs(record, entry["out"])
  card = record["scorecard"]
  assert list(card) == [m["name"] for m in track.scorecard]
  for metric in card.values():
    assert metric["n"] == 3 and metric["mean"] is not None, metric
  final = card["test_accuracy_clean_final"]
  accuracies = [runs[f"clean/seed_{s}"]["metrics"]["test/accuracy"] for s in track.seeds]
  assert final["per_seed"] == {str(s): a for s, a in zip(track.seeds, accuracies)}
  assert final["mean"] == pytest.approx(sum(accuracies) / 3)
  budget = track.settings["train"]["epochs"]
  for value in card["epochs_to_fit_random"]["per_seed"].values():
    assert 0 <= value <= budget
  for value in card["memorization_depth_random"]["per_seed"].values():
    assert 0.0 <= value <= 1.0 and (value * 5) == pytest.approx(round(value * 5))  # 6 endpoints.
  for name in card:
    assert name in entry["stdout"]
  assert f"entry record: {entry['out']}/entry.json" in entry["stdout"]


@pytest.mark.slow
def test_the_claims_are_the_track_s_and_some_is_decided(entry):
  claims = entry["record"]["claims"]
  track = tracks.load(TRACK)
  assert [c["check"] for c in claims] == [c["check"] for c in track.claims]
  assert [c["conditions"] for c in claims] == [c["conditions"] for c in track.claims]
  verdicts = {c["check"]: c["verdict"] for c in claims}
  assert any(v != "not testable" for v in verdicts.values()), (
      "every claim of the smoke track is 'not testable' with the example entry: "
      f"{[(c['check'], c.get('reason')) for c in claims]}")


@pytest.mark.slow
def test_a_rerun_trains_nothing(entry, cases):
  rerun = cases["rerun"]
  assert rerun["exit"] == 0, rerun["stderr"][-3000:]
  assert not re.search(r"^epoch +\d+/", rerun["stdout"], re.M), rerun["stdout"][-2000:]
  assert rerun["stdout"].count("is complete; nothing to do") == 9, rerun["stdout"][-2000:]
  # Nothing of the runs changed (checkpoints, records); the entry record is rewritten.
  changed = [os.path.relpath(p, entry["out"]) for p in rerun["changed"]]
  assert set(changed) <= {"entry.json"}, changed
  again = json.loads((entry["out"] / "entry.json").read_text())
  assert again["scorecard"] == entry["record"]["scorecard"]
  assert again["claims"] == entry["record"]["claims"]


@pytest.mark.slow
def test_list_jobs_prints_one_command_per_job(entry, cases):
  listed = cases["list_jobs"]
  assert listed["exit"] == 0, listed["stderr"][-3000:]
  lines = listed["stdout"].strip().splitlines()
  track = tracks.load(TRACK)
  jobs = [f"{c}/seed_{s}" for c in track.conditions for s in track.seeds]
  assert len(lines) == len(jobs)
  for line, job in zip(lines, jobs):
    words = shlex.split(line)
    assert words[1:3] == ["-m", "benchmarks.memorization_bench"]
    assert words[-1] == f"--only={job}"
    for arg in entry["args"]:
      assert arg in words, (arg, words)
    assert "--list_jobs" not in words
  assert not any(p.startswith(str(entry["out"])) for p in listed["changed"])


@pytest.mark.slow
def test_a_free_setting_passes(cases):
  free = cases["free_setting"]
  assert free["exit"] == 0, free["stderr"][-3000:]
  lines = free["stdout"].strip().splitlines()
  assert len(lines) == 9 and all("--jit_compile" in shlex.split(line) for line in lines), lines


@pytest.mark.slow
def test_a_fixed_setting_is_refused_by_name(cases):
  refused = cases["override"]
  errors = [line for line in refused["stderr"].splitlines() if line.startswith("error:")]
  assert refused["exit"] == 2, refused["stderr"][-3000:]
  assert len(errors) == 1 and "Traceback" not in refused["stderr"]
  assert "--epochs is fixed by track smoke-v1 (train.epochs = 40)" in errors[0], errors
  assert not refused["changed"] and not refused["new_complete"]


@pytest.mark.slow
def test_only_trains_one_job_and_writes_no_entry_record(cases):
  only = cases["only"]
  assert only["exit"] == 0, only["stderr"][-3000:]
  copied = cases["copied"]
  assert only["new_complete"] == [str(copied / "clean" / "seed_0" / "result.json")]
  assert not (copied / "entry.json").exists()
  assert "trained clean/seed_0; rerun without --only" in only["stdout"]
  source = json.loads((copied / "entry_source.json").read_text())
  assert source["model"]["reference"] == f"{COPY}.model:convmixer"


@pytest.mark.slow
def test_an_edited_model_file_is_refused_for_the_same_output_dir(cases):
  for name in ("edited", "edited_all"):
    refused = cases[name]
    errors = [line for line in refused["stderr"].splitlines() if line.startswith("error:")]
    assert refused["exit"] == 2, refused["stderr"][-3000:]
    assert len(errors) == 1 and "Traceback" not in refused["stderr"], refused["stderr"][-3000:]
    assert f"{cases['copied']} holds runs of another entry or of other code (differs in model)" \
        in errors[0], errors
    assert not refused["changed"] and not refused["new_complete"]
  assert not (cases["copied"] / "entry.json").exists()


@pytest.mark.slow
def test_the_leaderboard_tables_the_entry(entry, cases):
  board = cases["leaderboard"]
  assert board["exit"] == 0, board["stderr"][-3000:]
  assert "convmixer+confidence_penalty" in board["stdout"]
  for name in entry["record"]["scorecard"]:
    assert name in board["stdout"] or name in (cases["board"] / "leaderboard.md").read_text()
  written = sorted(p.name for p in cases["board"].iterdir())
  assert "leaderboard.md" in written and "leaderboard.csv" in written, written


# --- in process, on a tiny track built here ---------------------------------------------------

def _tiny_track(conditions, seeds, probed=()):
  content = json.loads(json.dumps(tracks.load(TRACK).content))
  content.update(name="tiny", version=1, conditions=conditions, seeds=seeds)
  content["settings"]["data"].update(train_size=50, validation_size=50, test_size=50)
  content["settings"]["train"].update(epochs=2, batch_size=25, eval_every=1,
                                      checkpoint_every=1)
  content["settings"]["probe"]["conditions"] = list(probed)
  def runs_here(metric):
    read = set(metric.get("conditions", [metric.get("condition")]))
    return read <= set(probed if metric["measure"] == "memorization_depth" else conditions)
  content["scorecard"] = [m for m in content["scorecard"] if runs_here(m)]
  content["claims"] = []
  return tracks.Track(id="tiny-v1", sha256=tracks.canonical_hash(content), content=content)


def test_benchmark_in_process_writes_the_entry_record(tmp_path, data_dir):
  track = _tiny_track({"clean": {"data.label_noise": 0.0}, "random": {"data.label_noise": 1.0}},
                      [0, 1], probed=["random"])
  out = tmp_path / "entry"
  record = track_plan.benchmark(track, baselines.mlp, output_dir=str(out),
                                data_location={"data_dir": data_dir})
  assert record == json.loads((out / "entry.json").read_text())
  assert record["track"] == track.describe() and record["entry"]["name"] == "mlp"
  assert record["entry"]["model"]["reference"] == "suite.models.baselines:mlp"
  assert record["entry"]["method"] is None
  assert sorted(record["runs"]) == ["clean/seed_0", "clean/seed_1", "random/seed_0",
                                    "random/seed_1"]
  runs = _runs(record, out)
  accuracies = [runs[f"clean/seed_{s}"]["metrics"]["test/accuracy"] for s in (0, 1)]
  card = record["scorecard"]["test_accuracy_clean_final"]
  assert card["per_seed"] == {"0": accuracies[0], "1": accuracies[1]} and card["n"] == 2
  assert card["mean"] == pytest.approx(sum(accuracies) / 2)
  assert record["scorecard"]["memorization_depth_random"]["n"] == 2
  assert runs["clean/seed_0"]["settings"]["data"]["seed"] == 0
  assert runs["random/seed_1"]["settings"]["train"]["seed"] == 1
  # The same entry again: everything is reused, the record is the same.
  again = track_plan.benchmark(track, "suite.models.baselines:mlp", output_dir=str(out),
                               data_location={"data_dir": data_dir})
  assert again["scorecard"] == record["scorecard"]


def test_a_function_not_importable_by_reference_is_refused(tmp_path):
  def local_model(input_shape, num_classes, seed):
    return baselines.mlp(input_shape, num_classes, seed)
  with pytest.raises(errors.ConfigError, match="local_model.*is not importable as "
                                               "package.module:function"):
    track_plan.benchmark(_tiny_track({"clean": {}}, [0]), local_model,
                         output_dir=str(tmp_path))


def test_an_entry_fixed_after_its_first_run_failed_can_rerun(tmp_path, data_dir, monkeypatch):
  """The user's model raised at its first build (no run finished): after fixing the
  file, the same command must run, not be refused as 'other code' in its directory."""
  package = tmp_path / "packages"
  package.mkdir()
  (package / "fixed_later_entry.py").write_text(
      "def model(input_shape, num_classes, seed):\n  raise RuntimeError('a typo')\n")
  monkeypatch.syspath_prepend(str(package))
  track = _tiny_track({"clean": {"data.label_noise": 0.0}}, [0])
  out = tmp_path / "entry"
  with pytest.raises(errors.ConfigError, match="raised RuntimeError: a typo"):
    track_plan.benchmark(track, "fixed_later_entry:model", output_dir=str(out),
                         data_location={"data_dir": data_dir})
  (package / "fixed_later_entry.py").write_text(
      "from suite.models import baselines\n\n"
      "def model(input_shape, num_classes, seed):\n"
      "  return baselines.mlp(input_shape, num_classes, seed)\n")
  monkeypatch.delitem(__import__("sys").modules, "fixed_later_entry")  # A new process.
  record = track_plan.benchmark(track, "fixed_later_entry:model", output_dir=str(out),
                                data_location={"data_dir": data_dir})
  assert record["entry"]["model"]["sha256"] == _sha256(package / "fixed_later_entry.py")


@pytest.mark.parametrize("flag,value,setting", [("epochs", 3, "train.epochs = 40"),
                                                ("label_noise", 0.3, "data.label_noise = 0.0"),
                                                ("seed", 3, "seeds = [0, 1, 2]")])
def test_a_refused_flag_names_the_track_s_value(flag, value, setting):
  track = tracks.load(TRACK)
  with flagsaver.flagsaver(**{flag: value}):
    with pytest.raises(errors.ConfigError) as raised:
      bench_flags.free_choices(track, track_plan.fixed_setting)
  message = str(raised.value)
  assert message.startswith(f"--{flag} is fixed by track {TRACK} ("), message
  assert setting in message and "None" not in message, message


def test_the_free_settings_are_chosen_by_their_flags():
  track = tracks.load(TRACK)
  with flagsaver.flagsaver(jit_compile=True, deterministic=True):
    assert bench_flags.free_choices(track, track_plan.fixed_setting) == {
        "train.jit_compile": True, "train.deterministic": True}
