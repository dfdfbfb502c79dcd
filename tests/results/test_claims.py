"""Claim verdicts on constructed records whose answer is known."""

import pytest

from suite.results import claims

ENDPOINTS = ["conv_1", "conv_2", "fc_1", "logits"]


def _probe(clean, noisy=None):
  table = {"endpoints": ENDPOINTS, "clean": {e: {"k20": v} for e, v in zip(ENDPOINTS, clean)}}
  if noisy is not None:
    table["noisy"] = {e: {"k20": v} for e, v in zip(ENDPOINTS, noisy)}
  return table


def _run(clean=None, noisy=None, epochs=10, metrics=None, history=None):
  rec = {"settings": {"train": {"epochs": epochs}}, "metrics": metrics or {},
         "history": history or [],
         "controls": {"random_init": _probe([0.7] * 4), "raw_pixels": {"clean": {"k20": 0.75}}}}
  if clean is not None:
    rec["probe"] = _probe(clean, noisy)
  return rec


def test_memorization_in_last_layers():
  held = claims.memorization_in_last_layers(
      _run(clean=[0.80, 0.85, 0.70, 0.40], noisy=[0.10, 0.12, 0.40, 0.95]))
  assert held["verdict"] == "held"
  assert held["evidence"]["clean_peak"] == "conv_2"
  assert held["evidence"]["random_init_clean_k20"] == [0.7] * 4
  flat = claims.memorization_in_last_layers(
      _run(clean=[0.80, 0.85, 0.70, 0.40], noisy=[0.10, 0.11, 0.10, 0.12]))
  assert flat["verdict"] == "not held"
  peak_at_output = claims.memorization_in_last_layers(
      _run(clean=[0.5, 0.6, 0.7, 0.9], noisy=[0.1, 0.2, 0.5, 0.9]))
  assert peak_at_output["verdict"] == "not held"
  assert claims.memorization_in_last_layers(_run(clean=[0.5] * 4))["verdict"] == "not testable"


def test_features_survive_with_augmentation():
  augmented = _run(clean=[0.80, 0.86, 0.70, 0.40])
  plain = _run(clean=[0.75, 0.60, 0.50, 0.30])
  held = claims.features_survive_with_augmentation(augmented, plain)
  assert held["verdict"] == "held" and held["evidence"]["layer"] == "conv_2"
  assert held["evidence"]["raw_pixels_k20"] == 0.75
  reverse = claims.features_survive_with_augmentation(plain, augmented)
  assert reverse["verdict"] == "not held"
  other_budget = claims.features_survive_with_augmentation(augmented, _run(clean=[0.1] * 4,
                                                                           epochs=20))
  assert other_budget["verdict"] == "not testable"


def test_per_view_labels_not_fitted():
  per_example = _run(metrics={"memorization/fit_corrupted": 0.99})
  assert claims.per_view_labels_not_fitted(
      _run(metrics={"memorization/view_fit": 0.30}), per_example)["verdict"] == "held"
  assert claims.per_view_labels_not_fitted(
      _run(metrics={"memorization/view_fit": 0.97}), per_example)["verdict"] == "not held"
  # How long each took is part of the evidence.
  history = lambda fits: [{"epoch": 10 * i, "memorization/view_fit": f} for i, f in enumerate(fits)]
  slow = claims.per_view_labels_not_fitted(
      _run(metrics={"memorization/view_fit": 0.96}, history=history([0.2, 0.6, 0.96])),
      _run(metrics={"memorization/view_fit": 0.99}, history=history([0.3, 0.95, 0.99])))
  assert slow["verdict"] == "not held"
  assert (slow["evidence"]["epochs_to_fit_per_view"],
          slow["evidence"]["epochs_to_fit_per_example"]) == (20, 10)
  unfitted = _run(metrics={"memorization/fit_corrupted": 0.50})
  assert claims.per_view_labels_not_fitted(
      _run(metrics={"memorization/view_fit": 0.30}), unfitted)["verdict"] == "not testable"


def test_real_data_fitted_before_noise():
  history = lambda fits: [{"epoch": i, "memorization/train_fit": f} for i, f in enumerate(fits)]
  real = _run(history=history([0.1, 0.7, 0.96, 0.99]))
  noise = _run(history=history([0.1, 0.2, 0.5, 0.97]))
  line = claims.real_data_fitted_before_noise(real, noise)
  assert line["verdict"] == "held"
  assert (line["evidence"]["epochs_real"], line["evidence"]["epochs_noise"]) == (2, 3)
  assert claims.real_data_fitted_before_noise(noise, real)["verdict"] == "not held"
  never = _run(history=history([0.1, 0.2]))
  assert claims.real_data_fitted_before_noise(never, noise)["verdict"] == "not testable"
  assert claims.epochs_to_fit(noise, threshold=0.5) == 2


def test_format_lines_shows_verdict_and_numbers():
  line = claims.per_view_labels_not_fitted(_run(metrics={"memorization/view_fit": 0.3}),
                                           _run(metrics={"memorization/fit_corrupted": 0.99}))
  text = claims.format_lines([line])
  assert text.startswith("[held] per-view labels cannot be fitted")
  assert "per_view_fit=0.3000" in text and "threshold=0.95" in text


def test_dynamics_claims():
  history = [{"epoch": 0, "memorization/fit_clean": 0.1, "memorization/fit_corrupted": 0.1,
              "csr/clean": 0.02, "csr/corrupted": 0.03, "sensitivity/gini_clean": 0.6,
              "sensitivity/gini_corrupted": 0.4},
             {"epoch": 5, "memorization/fit_clean": 0.97, "memorization/fit_corrupted": 0.5,
              "csr/clean": 0.05, "csr/corrupted": 0.30, "sensitivity/gini_clean": 0.5,
              "sensitivity/gini_corrupted": 0.3},
             {"epoch": 9, "memorization/fit_clean": 0.99, "memorization/fit_corrupted": 0.96}]
  rec = _run(history=history)
  line = claims.clean_fitted_before_corrupted(rec)
  assert line["verdict"] == "held" and line["evidence"]["epochs_corrupted"] == 9
  assert claims.csr_grows_more_on_noise(rec)["verdict"] == "held"
  gini = claims.sensitivity_more_concentrated_on_real_data(rec)
  assert gini["verdict"] == "held" and gini["evidence"]["gini_clean_mean"] == pytest.approx(0.55)
  swapped = [{k.replace("clean", "X").replace("corrupted", "clean").replace("X", "corrupted"): v
              for k, v in h.items()} for h in history]
  reverse = _run(history=swapped)
  assert claims.clean_fitted_before_corrupted(reverse)["verdict"] == "not held"
  assert claims.csr_grows_more_on_noise(reverse)["verdict"] == "not held"
  assert claims.sensitivity_more_concentrated_on_real_data(reverse)["verdict"] == "not held"
  assert claims.csr_grows_more_on_noise(_run())["verdict"] == "not testable"
  # Falling on both, less on noise, is no growth.
  falling = _run(history=[{"epoch": 0, "csr/clean": 0.16, "csr/corrupted": 0.10},
                          {"epoch": 9, "csr/clean": 0.0, "csr/corrupted": 0.0}])
  assert claims.csr_grows_more_on_noise(falling)["verdict"] == "not held"
  agree = {"agreement_easy/clean": 0.6,
           "agreement_easy/corrupted": 0.2}
  assert claims.easy_examples_agree_on_real_data(agree)["verdict"] == "held"
  agree["agreement_easy/corrupted"] = 0.58
  assert claims.easy_examples_agree_on_real_data(agree)["verdict"] == "not held"
  assert claims.easy_examples_agree_on_real_data({})["verdict"] == "not testable"


def test_regularizer_claim():
  baseline = _run(metrics={"memorization/fit_corrupted": 0.95, "validation/accuracy": 0.80})
  slows = _run(metrics={"memorization/fit_corrupted": 0.40, "validation/accuracy": 0.78})
  line = claims.regularizer_slows_noise_more(slows, baseline, "dropout_0.5")
  assert line["verdict"] == "held" and line["claim"].startswith("dropout_0.5 slows")
  assert line["evidence"]["fit_corrupted_regularized"] == 0.40
  # Noise fit and validation fall together: regularization that just underfits.
  underfits = _run(metrics={"memorization/fit_corrupted": 0.60, "validation/accuracy": 0.45})
  assert claims.regularizer_slows_noise_more(underfits, baseline, "x")["verdict"] == "not held"
  no_validation = _run(metrics={"memorization/fit_corrupted": 0.4})
  assert claims.regularizer_slows_noise_more(no_validation, baseline, "x")["verdict"] == \
      "not testable"


def test_capacity_claim():
  def fits(epochs_to_fit, budget=10):
    return _run(epochs=budget, history=[
        {"epoch": e, "memorization/fit_corrupted": 0.99 if e >= epochs_to_fit else 0.5,
         "memorization/fit_clean": 1.0} for e in range(budget + 1)])
  held = claims.capacity_speeds_up_noise_fitting({64: fits(99), 256: fits(8), 1024: fits(4)},
                                                 "width")
  assert held["verdict"] == "held"
  assert held["evidence"]["width"] == [64, 256, 1024]
  assert held["evidence"]["epochs_corrupted"] == [None, 8, 4]
  slower = claims.capacity_speeds_up_noise_fitting({64: fits(3), 1024: fits(6)}, "width")
  assert slower["verdict"] == "not held"
  unfitted = claims.capacity_speeds_up_noise_fitting({64: fits(3), 1024: fits(99)}, "width")
  assert unfitted["verdict"] == "not testable"
  assert claims.capacity_speeds_up_noise_fitting({64: fits(3)}, "width")["verdict"] == \
      "not testable"
