import re

from absl.testing import flagsaver

from benchmarks import knn_speed


def test_methods_agree_and_every_number_is_printed(data_dir, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, bank_size=300, query_size=100,
                           model="cnn_small", width_multiplier=0.25, batch_size=50,
                           timed_steps=2):
    knn_speed.main([])
  out = capsys.readouterr().out
  rows = re.findall(r"^(conv_1|conv_2|fc_1|fc_2|logits)\s+(\d+)\s+(.*)$", out, re.M)
  assert [r[0] for r in rows] == ["conv_1", "conv_2", "fc_1", "fc_2", "logits"]
  for _, _, cells in rows:
    values = [float(v) for v in cells.split()]
    seconds, accuracies = values[0::3], values[2::3]
    assert all(s > 0 for s in seconds)
    # Exact searches with the same vote: the same predictions up to ties in similarity.
    assert max(accuracies) - min(accuracies) <= 0.02
  assert re.search(r"scikit-learn / scann time: [\d.]+x", out)
  assert re.search(r"one training epoch over the 300-image bank .*: [\d.]+ s", out)


def test_the_approximate_index_is_a_method_of_its_own(data_dir, capsys):
  with flagsaver.flagsaver(dataset="digits", data_dir=data_dir, bank_size=400, query_size=100,
                           model="mlp", width=32, batch_size=50, timed_steps=1,
                           methods=["scann", "scann_approximate"]):
    knn_speed.main([])
  out = capsys.readouterr().out
  rows = re.findall(r"^(hidden_1|hidden_2|logits)\s+\d+\s+(.*)$", out, re.M)
  assert len(rows) == 3
  for _, cells in rows:
    values = [float(v) for v in cells.split()]
    assert len(values) == 7  # Seconds, MB and accuracy per method, then the recall.
    accuracy_exact, accuracy_approximate, recall = values[2], values[5], values[6]
    assert 0.3 <= recall <= 1.0
    # Only queries with a missed neighbour can change their vote: at most k * (1 - recall).
    assert abs(accuracy_exact - accuracy_approximate) <= 20 * (1.0 - recall) + 1e-9
  assert re.search(r"scikit-learn / scann_approximate", out) is None
  assert "recall" in out
