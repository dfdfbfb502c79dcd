import json
import os

from absl.testing import flagsaver

from benchmarks import knn_probe
from benchmarks import train
from suite.results import record
from tests.conftest import run_binary


def test_probes_a_run_from_its_checkpoint_and_matches_the_runs_final_probe(data_dir, tmp_path,
                                                                            capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=200, test_size=100,
                           label_noise=0.5, model="cnn_small", width_multiplier=0.25, epochs=2,
                           batch_size=50, knn_k=["1", "20"], output_dir=str(tmp_path)):
    train.main([])
  result = record.read(str(tmp_path))
  assert {"probe", "controls"} <= set(result)
  assert set(result["controls"]) == {"raw_pixels", "random_init"}
  assert os.path.exists(tmp_path / "figures" / "knn_by_layer.png")
  assert "knn/fc_2/k20" in result["history"][-1]
  capsys.readouterr()
  with flagsaver.flagsaver(run_dir=str(tmp_path), knn_k=["1", "20"]):
    knn_probe.main([])
  out = capsys.readouterr().out
  assert "checkpoint of epoch 2" in out and "raw pixels" in out
  written = json.loads((tmp_path / "probes" / "epoch_000002_gap.json").read_text())
  # Same checkpoint, same protocol: the binary reproduces the run's own final probe.
  for endpoint, accs in result["probe"]["clean"].items():
    assert written["probe"]["clean"][endpoint]["k20"] == accs["k20"]


def test_a_directory_without_a_run_is_one_clear_error(tmp_path):
  result = run_binary("benchmarks.knn_probe", f"--run_dir={tmp_path}")
  assert result.returncode == 1 and "not a run directory" in result.stderr
  assert "Traceback" not in result.stderr
