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

"""A track's scorecard and claims on hand-built records, against hand computation.

The records have the shape the trainer writes (settings, metrics, history, probe with
its `k20` tables, controls.random_init), with numbers chosen so that each measure's
value is known by hand."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from suite.analysis import scorecard

K = "k20"  # The headline k of the probe tables (what the records hold).


def _rec(seed=0, epochs=10, history=(), metrics=None, probe=None, controls=None, model=None):
  rec = {"settings": {"train": {"seed": seed, "epochs": epochs}}, "history": list(history),
         "metrics": dict(metrics or {})}
  if probe is not None:
    rec["probe"] = probe
  if controls is not None:
    rec["controls"] = controls
  if model is not None:
    rec["model"] = model
  return rec


def _table(endpoints, clean=None, noisy=None):
  """A probe table: {endpoints, clean: {e: {k20}}, noisy: {e: {k20}}}."""
  table = {"endpoints": list(endpoints)}
  for bank, values in (("clean", clean), ("noisy", noisy)):
    if values is not None:
      table[bank] = {e: {K: v, f"{K}_top5": 1.0} for e, v in zip(endpoints, values)}
  return table


# --- single measures --------------------------------------------------------------------------

def test_final_metrics_read_as_numbers_or_none():
  assert scorecard.test_accuracy_final(_rec(metrics={"test/accuracy": 0.8125})) == 0.8125
  assert scorecard.train_fit_final(_rec(metrics={"memorization/train_fit": 0.5})) == 0.5
  for missing in ({}, {"test/accuracy": None}, {"test/accuracy": float("nan")},
                  {"test/accuracy": float("inf")}):
    assert scorecard.test_accuracy_final(_rec(metrics=missing)) is None, missing
  assert scorecard.test_accuracy_final({}) is None


HISTORY = [
    {"epoch": 0, "validation/accuracy": 0.1, "test/accuracy": 0.1,
     "memorization/fit_clean": 0.1, "memorization/fit_corrupted": 0.1},
    {"epoch": 2, "validation/accuracy": 0.6, "test/accuracy": 0.55,
     "memorization/fit_clean": 0.7, "memorization/fit_corrupted": 0.2},
    {"epoch": 4, "validation/accuracy": 0.6, "test/accuracy": 0.5,  # A tie: the earlier wins.
     "memorization/fit_clean": 0.9, "memorization/fit_corrupted": 0.5},
    {"epoch": 6, "validation/accuracy": float("nan"), "test/accuracy": 0.99,  # NaN: ignored.
     "memorization/fit_clean": 1.0, "memorization/fit_corrupted": 0.0},
    {"epoch": 8, "validation/accuracy": 0.45, "test/accuracy": 0.4,
     "memorization/fit_clean": 1.0, "memorization/fit_corrupted": 0.9},
]


def test_best_validation_measures_read_the_earliest_best_epoch():
  rec = _rec(history=HISTORY)
  assert scorecard.test_accuracy_best_validation(rec) == 0.55
  assert scorecard.fit_gap_best_validation(rec) == pytest.approx(0.7 - 0.2)


def test_best_validation_measures_without_what_they_need():
  no_validation = _rec(history=[{k: v for k, v in h.items() if k != "validation/accuracy"}
                                for h in HISTORY])
  assert scorecard.test_accuracy_best_validation(no_validation) is None
  assert scorecard.fit_gap_best_validation(no_validation) is None
  clean_run = _rec(history=[dict(h, **{"memorization/fit_corrupted": None}) for h in HISTORY])
  assert scorecard.fit_gap_best_validation(clean_run) is None
  assert scorecard.test_accuracy_best_validation(clean_run) == 0.55


def _fits(*pairs):
  return [{"epoch": e, "memorization/train_fit": f} for e, f in pairs]


def test_epochs_to_fit_is_the_first_evaluated_epoch_at_the_threshold():
  rec = _rec(epochs=10, history=_fits((0, 0.1), (2, 0.94), (4, 0.95), (6, 0.99)))
  assert scorecard.epochs_to_fit(rec) == 4.0  # 0.95 reaches the threshold (>=).
  assert scorecard.epochs_to_fit(_rec(history=_fits((0, 0.1), (2, 0.97)))) == 2.0


def test_epochs_to_fit_never_reached_is_censored_at_the_budget():
  never = _rec(epochs=12, history=_fits((0, 0.1), (6, 0.5), (12, 0.949)))
  assert scorecard.epochs_to_fit(never) == 12.0
  assert scorecard.epochs_to_fit(_rec(epochs=12)) is None  # No history: nothing measured.
  no_budget = {"history": _fits((0, 0.1), (2, 0.5))}
  assert scorecard.epochs_to_fit(no_budget) is None


ENDPOINTS = ("conv_1", "conv_2", "fc_1", "fc_2", "logits")


def test_encoder_knn_minus_random_init_reads_the_encoder_endpoint():
  probe = _table(ENDPOINTS, clean=[0.3, 0.4, 0.5, 0.62, 0.7])
  control = _table(ENDPOINTS, clean=[0.2, 0.25, 0.3, 0.35, 0.3])
  rec = _rec(probe=probe, controls={"random_init": control})
  # Without a model section, the encoder is the last endpoint before the head: fc_2.
  assert scorecard.encoder_knn(rec) == 0.62
  assert scorecard.encoder_knn_minus_random_init(rec) == pytest.approx(0.62 - 0.35)
  # The model's declared encoder endpoint wins.
  declared = dict(rec, model={"encoder_endpoint": "conv_2"})
  assert scorecard.encoder_knn_minus_random_init(declared) == pytest.approx(0.4 - 0.25)
  assert scorecard.encoder_knn_minus_random_init(_rec(probe=probe)) is None  # No control.
  assert scorecard.encoder_knn_minus_random_init(_rec()) is None  # No probe.


def test_encoder_knn_difference_is_first_minus_second():
  first = _rec(probe=_table(ENDPOINTS, clean=[0, 0, 0, 0.8, 0.9]))
  second = _rec(probe=_table(ENDPOINTS, clean=[0, 0, 0, 0.5, 0.9]))
  metric = {"name": "d", "measure": "encoder_knn_difference", "conditions": ["a", "b"],
            "direction": "higher", "definition": "x"}
  assert scorecard.value(metric, {"a": first, "b": second}) == pytest.approx(0.3)
  assert scorecard.value(metric, {"a": second, "b": first}) == pytest.approx(-0.3)
  assert scorecard.value(metric, {"a": first, "b": _rec()}) is None


def _depth_record(trained, untrained, endpoints=None):
  endpoints = endpoints or [f"e{i}" for i in range(len(trained))]
  return _rec(probe=_table(endpoints, noisy=trained),
              controls={"random_init": _table(endpoints, noisy=untrained)})


def test_memorization_depth_is_the_relative_position_of_the_first_memorizing_endpoint():
  # Noisy-bank k-NN beyond the random-init network's by more than 0.05 first at e2 of
  # e0..e4: relative depth 2 / 4.
  rec = _depth_record([0.12, 0.14, 0.30, 0.5, 0.9], [0.10, 0.10, 0.10, 0.1, 0.1])
  assert scorecard.memorization_depth(rec) == 0.5
  assert scorecard.memorization_depth(rec, margin=0.03) == 0.25  # e1's 0.04 now counts.
  # Relative: a 3-endpoint model memorizing at its middle endpoint scores the same.
  assert scorecard.memorization_depth(_depth_record([0.1, 0.3, 0.9], [0.1, 0.1, 0.1])) == 0.5
  assert scorecard.memorization_depth(_depth_record([0.9, 0.9], [0.1, 0.1])) == 0.0
  assert scorecard.memorization_depth(_depth_record([0.9], [0.1])) == 0.0  # One endpoint.
  # "Exceeds by the margin" is strict: a difference of exactly the margin does not count.
  exact = _depth_record([0.75, 0.875, 0.875], [0.5, 0.5, 0.5])
  assert scorecard.memorization_depth(exact, margin=0.25) == 0.5
  assert scorecard.memorization_depth(exact, margin=0.2) == 0.0


def test_memorization_depth_where_no_endpoint_memorizes_or_values_are_missing():
  assert scorecard.memorization_depth(_depth_record([0.1, 0.12, 0.14], [0.1, 0.1, 0.1])) == 1.0
  # A fall below the random-init network is not memorization.
  assert scorecard.memorization_depth(_depth_record([0.0, 0.0], [0.5, 0.5])) == 1.0
  no_control = _rec(probe=_table(["a", "b"], noisy=[0.9, 0.9]))
  assert scorecard.memorization_depth(no_control) is None
  gap = _depth_record([0.1, float("nan"), 0.9], [0.1, 0.1, 0.1])
  assert scorecard.memorization_depth(gap) is None
  clean_only = _rec(probe=_table(["a"], clean=[0.9]),
                    controls={"random_init": _table(["a"], clean=[0.1])})
  assert scorecard.memorization_depth(clean_only) is None


def test_every_measure_is_named_in_measures():
  assert set(scorecard.MEASURES) == {
      "test_accuracy_final", "test_accuracy_best_validation", "fit_gap_best_validation",
      "epochs_to_fit", "memorization_depth", "encoder_knn_minus_random_init",
      "encoder_knn_difference", "train_fit_final"}


# --- the scorecard over seeds ---------------------------------------------------------------

METRICS = [
    {"name": "accuracy", "measure": "test_accuracy_final", "condition": "clean",
     "direction": "higher", "definition": "clean test accuracy"},
    {"name": "to_fit", "measure": "epochs_to_fit", "condition": "random",
     "direction": "lower", "definition": "epochs to fit random labels"},
]


def _t_interval(values):
  """scipy's 95% t interval of the mean: the independent computation."""
  values = np.asarray(values, float)
  return scipy_stats.t.interval(0.95, len(values) - 1, loc=values.mean(),
                                scale=scipy_stats.sem(values))


def test_scorecard_means_and_t_intervals_over_seeds():
  accuracies = {0: 0.5, 1: 0.7, 2: 0.65, 3: 0.61}
  by_seed = {s: {"clean": _rec(s, metrics={"test/accuracy": a}),
                 "random": _rec(s, epochs=20, history=_fits((0, 0.1), (10 + 2 * s, 0.96)))}
             for s, a in accuracies.items()}
  card = scorecard.scorecard(METRICS, by_seed)
  assert list(card) == ["accuracy", "to_fit"]  # The track's order.
  accuracy = card["accuracy"]
  assert accuracy["per_seed"] == {"0": 0.5, "1": 0.7, "2": 0.65, "3": 0.61}
  assert accuracy["n"] == 4 and accuracy["mean"] == pytest.approx(np.mean([0.5, 0.7, 0.65, 0.61]))
  assert accuracy["interval"] == pytest.approx(list(_t_interval([0.5, 0.7, 0.65, 0.61])))
  assert accuracy["direction"] == "higher" and accuracy["definition"] == "clean test accuracy"
  to_fit = card["to_fit"]
  assert to_fit["per_seed"] == {"0": 10.0, "1": 12.0, "2": 14.0, "3": 16.0}
  assert to_fit["interval"] == pytest.approx(list(_t_interval([10, 12, 14, 16])))
  assert to_fit["direction"] == "lower"


def test_scorecard_counts_only_seeds_with_a_value():
  by_seed = {0: {"clean": _rec(0, metrics={"test/accuracy": 0.5}), "random": _rec(0)},
             1: {"clean": _rec(1, metrics={"test/accuracy": float("nan")}), "random": _rec(1)},
             2: {"clean": _rec(2, metrics={"test/accuracy": 0.7}), "random": _rec(2)}}
  card = scorecard.scorecard(METRICS, by_seed)
  assert card["accuracy"]["per_seed"] == {"0": 0.5, "1": None, "2": 0.7}
  assert card["accuracy"]["n"] == 2 and card["accuracy"]["mean"] == pytest.approx(0.6)
  assert card["accuracy"]["interval"] == pytest.approx(list(_t_interval([0.5, 0.7])))
  assert card["to_fit"] == dict(card["to_fit"], mean=None, interval=None, n=0,
                                per_seed={"0": None, "1": None, "2": None})
  one = scorecard.scorecard(METRICS[:1], {5: by_seed[0]})["accuracy"]
  assert one["mean"] == 0.5 and one["interval"] is None and one["n"] == 1


def test_a_censored_measure_ranks_a_model_that_never_fits_last():
  never = {s: {"random": _rec(s, epochs=20, history=_fits((0, 0.1), (20, 0.5)))}
           for s in range(3)}
  fits = {s: {"random": _rec(s, epochs=20, history=_fits((0, 0.1), (18, 0.99)))}
          for s in range(3)}
  never_card = scorecard.scorecard(METRICS[1:], never)["to_fit"]
  assert never_card["mean"] == 20.0 and never_card["interval"] == [20.0, 20.0]
  assert scorecard.scorecard(METRICS[1:], fits)["to_fit"]["mean"] == 18.0


# --- claims -----------------------------------------------------------------------------------

def _fitting_order_runs(real_epochs, noise_epochs, budget=12):
  by_seed = {}
  for s, (real, noise) in enumerate(zip(real_epochs, noise_epochs)):
    noise_history = _fits((0, 0.1), (noise, 0.96)) if noise else _fits((0, 0.1), (budget, 0.6))
    by_seed[s] = {"clean": _rec(s, budget, _fits((0, 0.1), (real, 0.97))),
                  "random": _rec(s, budget, noise_history)}
  return by_seed


def test_a_claim_that_holds_on_synthetic_runs():
  # Real labels fitted at epochs 2, 2, 4; random ones at 8, 10 and never (censored at 12):
  # 6, 8, 8 epochs later, an interval far above 0.
  by_seed = _fitting_order_runs([2, 2, 4], [8, 10, None])
  check = {"check": "real_data_fitted_before_noise",
           "conditions": {"real": "clean", "noise": "random"}}
  (line,) = scorecard.claims([check], by_seed)
  assert line["verdict"] == "held", line
  assert line["check"] == "real_data_fitted_before_noise"
  assert line["conditions"] == {"real": "clean", "noise": "random"}
  assert line["evidence"]["epochs_real"] == [2, 2, 4]
  assert line["evidence"]["epochs_noise"] == [8, 10, None]
  assert line["test"]["value"] == pytest.approx(np.mean([6, 8, 8]))
  assert line["test"]["interval"] == pytest.approx(list(_t_interval([6, 8, 8])))


def test_claims_read_the_conditions_the_track_names():
  by_seed = _fitting_order_runs([8, 10, 9], [2, 2, 4])  # Noise fitted first here.
  check = {"check": "real_data_fitted_before_noise",
           "conditions": {"real": "clean", "noise": "random"}}
  swapped = dict(check, conditions={"real": "random", "noise": "clean"})
  lines = scorecard.claims([check, swapped], by_seed)
  assert [line["verdict"] for line in lines] == ["contradicted", "held"]
  assert scorecard.verdict_counts(lines) == {"held": 1, "contradicted": 1, "inconclusive": 0,
                                             "not testable": 0}


def test_a_claim_on_too_few_seeds_is_not_testable():
  by_seed = _fitting_order_runs([2, 2], [8, 10])
  (line,) = scorecard.claims([{"check": "real_data_fitted_before_noise",
                               "conditions": {"real": "clean", "noise": "random"}}], by_seed)
  assert line["verdict"] == "not testable" and "2 seed(s)" in line["reason"]
  assert scorecard.verdict_counts([line])["not testable"] == 1


def _benign_runs(fit):
  by_seed = {}
  endpoints = ["conv", "encoder", "logits"]
  for s in range(3):
    control = _table(endpoints, clean=[0.2, 0.25 + 0.01 * s, 0.2])
    by_seed[s] = {
        "augmented": _rec(s, metrics={"memorization/fit_corrupted": fit},
                          probe=_table(endpoints, clean=[0.3, 0.6 + 0.02 * s, 0.3]),
                          controls={"random_init": control}),
        "plain": _rec(s, metrics={"memorization/fit_corrupted": fit},
                      probe=_table(endpoints, clean=[0.3, 0.3 + 0.01 * s, 0.3]),
                      controls={"random_init": control})}
  return by_seed


def test_a_track_s_fit_threshold_reaches_the_check():
  check = {"check": "features_survive_with_augmentation",
           "conditions": {"augmented": "augmented", "plain": "plain"}}
  runs = _benign_runs(fit=0.92)
  (default,) = scorecard.claims([check], runs)
  assert default["verdict"] == "not testable" and "0.95" in default["reason"], default
  (lowered,) = scorecard.claims([dict(check, fit_threshold=0.9)], runs)
  assert lowered["verdict"] == "held", lowered
  assert lowered["evidence"]["fit_threshold"] == 0.9
  # The random-init control is the augmented run's: 0.6 + 0.02 s minus 0.25 + 0.01 s.
  assert lowered["test"]["also"]["value"] == pytest.approx(np.mean([0.35, 0.36, 0.37]))


def test_every_check_a_track_may_name_is_wired():
  assert set(scorecard.CHECKS) == {
      "real_data_fitted_before_noise", "clean_fitted_before_corrupted",
      "noise_fitted_less_at_best_validation", "features_survive_with_augmentation",
      "memorization_in_last_layers"}
  runs = _fitting_order_runs([2, 2], [8, 10])  # Two seeds: every check says why not.
  for s in runs:
    runs[s]["augmented"] = runs[s]["plain"] = runs[s]["clean"]
  for check, conditions in (
      ("clean_fitted_before_corrupted", {"records": "random"}),
      ("noise_fitted_less_at_best_validation", {"records": "random"}),
      ("features_survive_with_augmentation", {"augmented": "augmented", "plain": "plain"}),
      ("memorization_in_last_layers", {"augmented": "augmented"})):
    (line,) = scorecard.claims([{"check": check, "conditions": conditions}], runs)
    assert line["verdict"] == "not testable" and "2 seed(s)" in line["reason"], (check, line)
    assert line["check"] == check and line["conditions"] == conditions


def test_format_entry_shows_every_metric_and_claim():
  record = {"scorecard": {
      "accuracy": {"direction": "higher", "mean": 0.61234, "interval": [0.5, 0.72], "n": 3},
      "depth": {"direction": "higher", "mean": None, "interval": None, "n": 0}},
      "claims": [{"claim": "real before noise", "verdict": "held"},
                 {"claim": "x", "verdict": "not testable", "reason": "2 seed(s)"}]}
  lines = scorecard.format_entry(record).splitlines()
  assert lines[0].split() == ["metric", "better", "mean", "[95%", "interval]", "n"]
  assert set(lines[1]) <= {"-", " "}
  assert lines[2].split() == ["accuracy", "higher", "0.612", "[0.500,", "0.720]", "3"]
  assert lines[3].split() == ["depth", "higher", "-", "0"]
  assert lines[4:] == ["claim: real before noise: held", "claim: x: not testable (2 seed(s))"]
