import os

from absl.testing import flagsaver

from benchmarks import memorization_dynamics
from suite.results import record
from suite.training import tracking


def test_seeds_share_data_and_report_dynamics_and_claims(data_dir, tmp_path, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, train_size=100, test_size=50,
                           validation_size=50, label_noise=0.5, model="mlp", width=16,
                           epochs=3, batch_size=25, seeds=["0", "1"], csr_samples=20,
                           csr_iterations=3, output_dir=str(tmp_path)):
    memorization_dynamics.main([])
  out = capsys.readouterr().out
  experiment = record.read(str(tmp_path))
  assert experiment["benchmark"] == "memorization_dynamics"
  assert sorted(experiment["conditions"]) == ["seed_0", "seed_1"]
  assert len(experiment["claims"]) == 4 and "claims:" in out
  metrics = experiment["metrics"]
  for key in ("agreement_easy/clean", "agreement_easy/corrupted",
              "agreement_hard/clean",
              "seed_0/best_validation_epoch", "seed_1/never_learned_corrupted"):
    assert key in metrics, key
  logs = [tracking.load(str(tmp_path / f"seed_{s}")) for s in (0, 1)]
  # Same examples and the same noise under both training seeds.
  assert (logs[0]["ids"] == logs[1]["ids"]).all()
  assert (logs[0]["corrupted"] == logs[1]["corrupted"]).all()
  history = record.read(str(tmp_path / "seed_0"))["history"]
  assert {"csr/clean", "csr/corrupted", "sensitivity/gini_clean"} <= set(history[-1])
  assert 0.0 <= history[-1]["csr/corrupted"] <= 1.0
  assert os.path.isdir(tmp_path / "seed_1" / "per_example")


def test_no_noise_is_refused(data_dir, tmp_path):
  import pytest  # pylint: disable=g-import-not-at-top
  from suite import errors  # pylint: disable=g-import-not-at-top
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, label_noise=0.0,
                           output_dir=str(tmp_path)), \
       pytest.raises(errors.ConfigError, match="no noise to compare"):
    memorization_dynamics.main([])
