import os

from absl.testing import flagsaver

from benchmarks import benign_memorization
from suite.results import leaderboard
from suite.results import record


def test_runs_every_condition_with_shared_controls_and_claims(data_dir, tmp_path, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, test_size=50,
                           model="mlp", width=16, depth=2, epochs=2, batch_size=25,
                           augmentation="standard", num_views=2, knn_k=["1", "20"],
                           output_dir=str(tmp_path)):
    benign_memorization.main([])
  out = capsys.readouterr().out
  experiment = record.read(str(tmp_path))
  assert experiment["benchmark"] == "benign_memorization"
  assert list(experiment["conditions"]) == ["clean", "clean_plain", "random_plain",
                                            "random_augmented", "random_pool", "per_view"]
  assert [c["claim"].split(":")[0] for c in experiment["claims"]] == [
      "memorization happens in the last layers",
      "features survive random labels with augmentation and not without (same layer, same budget)",
      "real data is fitted before noise (fewer epochs to reach the fit threshold)",
      "per-view labels cannot be fitted within the budget that fits per-example labels"]
  assert all(c["verdict"] in ("held", "not held", "not testable") for c in experiment["claims"])
  assert "claims:" in out and "per_view" in out
  for name in experiment["conditions"]:
    run = record.read(str(tmp_path / name))
    assert run["status"] == "complete" and run["benchmark"] == f"benign_memorization/{name}"
    assert {"probe", "controls"} <= set(run)
    assert os.path.exists(tmp_path / name / "figures" / "knn_by_layer.png")
    assert any(f.startswith("events.out") for f in os.listdir(tmp_path / name / "tensorboard"))
  clean, noisy = record.read(str(tmp_path / "clean")), record.read(str(tmp_path / "random_plain"))
  # Controls are shared: the same random-init table; the clean run is a control of the others.
  assert noisy["controls"]["random_init"] == clean["controls"]["random_init"]
  assert noisy["controls"]["clean_labels"]["clean"] == clean["probe"]["clean"]
  assert "memorization/view_fit" in record.read(str(tmp_path / "per_view"))["metrics"]
  # The leaderboard reads the six runs and passes over the experiment summary.
  loaded = leaderboard.load([str(tmp_path)])
  assert len(loaded.records) == 6 and not loaded.problems
