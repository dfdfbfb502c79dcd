"""Verdicts on the papers' claims from result records.

Each check takes the records a claim needs and returns one line: the claim, the
measured numbers it rests on (with their controls), and `held`, `not held` or
`not testable` (with the reason) - never a verdict without its numbers. The
margins are explicit arguments and are written into the evidence.
"""

HELD, NOT_HELD, NOT_TESTABLE = "held", "not held", "not testable"


def _line(claim, verdict, evidence, reason=None):
  line = {"claim": claim, "verdict": verdict, "evidence": evidence}
  if reason:
    line["reason"] = reason
  return line


def _k20(table, endpoint, bank="clean"):
  return table.get(bank, {}).get(endpoint, {}).get("k20")


def memorization_in_last_layers(rec: dict, margin: float = 0.05) -> dict:
  """Noisy-bank k-NN rises toward the output while clean-bank k-NN peaks earlier."""
  claim = ("memorization happens in the last layers: noisy-label k-NN rises toward the output "
           "while clean-label k-NN peaks at an earlier layer")
  probe = rec.get("probe")
  if not probe or "noisy" not in probe:
    return _line(claim, NOT_TESTABLE, {}, "the run has no probe of corrupted examples")
  endpoints = probe["endpoints"]
  clean = [_k20(probe, e) for e in endpoints]
  noisy = [_k20(probe, e, "noisy") for e in endpoints]
  peak = max(range(len(clean)), key=lambda i: clean[i])
  evidence = {"endpoints": endpoints, "clean_k20": clean, "noisy_k20": noisy,
              "clean_peak": endpoints[peak], "margin": margin}
  random_init = rec.get("controls", {}).get("random_init")
  if random_init:
    evidence["random_init_clean_k20"] = [_k20(random_init, e) for e in endpoints]
  rises = noisy[-1] >= noisy[0] + margin
  peaks_earlier = peak < len(endpoints) - 1 and clean[peak] >= clean[-1] + margin
  return _line(claim, HELD if rises and peaks_earlier else NOT_HELD, evidence)


def _best_shared_layer(a: dict, b: dict):
  shared = [e for e in a["probe"]["endpoints"] if e in b["probe"]["endpoints"]]
  return max(shared, key=lambda e: _k20(a["probe"], e))


def features_survive_with_augmentation(augmented: dict, plain: dict,
                                       margin: float = 0.02) -> dict:
  """Random labels: k-NN with augmentation beats k-NN without, same layer, same budget."""
  claim = ("features survive random labels with augmentation and not without "
           "(same layer, same budget)")
  if not all("probe" in r for r in (augmented, plain)):
    return _line(claim, NOT_TESTABLE, {}, "both runs need a probe")
  if augmented["settings"]["train"]["epochs"] != plain["settings"]["train"]["epochs"]:
    return _line(claim, NOT_TESTABLE, {}, "the runs trained for different budgets")
  layer = _best_shared_layer(augmented, plain)
  with_aug, without = _k20(augmented["probe"], layer), _k20(plain["probe"], layer)
  evidence = {"layer": layer, "k20_with_augmentation": with_aug, "k20_without": without,
              "margin": margin, "epochs": augmented["settings"]["train"]["epochs"]}
  for name, rec in (("augmented", augmented), ("plain", plain)):
    controls = rec.get("controls", {})
    if "random_init" in controls:
      evidence[f"random_init_k20 ({name} run)"] = _k20(controls["random_init"], layer)
    if "raw_pixels" in controls:
      evidence["raw_pixels_k20"] = controls["raw_pixels"]["clean"].get("k20")
  return _line(claim, HELD if with_aug >= without + margin else NOT_HELD, evidence)


def per_view_labels_not_fitted(per_view: dict, per_example: dict,
                               threshold: float = 0.95) -> dict:
  """Per-view labels stay unfitted within the budget that fits per-example labels."""
  claim = "per-view labels cannot be fitted within the budget that fits per-example labels"
  view_fit = per_view["metrics"].get("memorization/view_fit")
  # Both on the pooled views the networks were trained on, when the per-example run has them.
  example_key = "memorization/view_fit" if "memorization/view_fit" in per_example["metrics"] \
      else "memorization/fit_corrupted"
  example_fit = per_example["metrics"].get(example_key)
  if view_fit is None or example_fit is None:
    return _line(claim, NOT_TESTABLE, {}, "needs a per-view-label run and a per-example run")
  evidence = {"per_view_fit": view_fit, "per_example_fit": example_fit,
              "threshold": threshold, "epochs": per_example["settings"]["train"]["epochs"],
              "epochs_to_fit_per_view": epochs_to_fit(per_view, "memorization/view_fit",
                                                      threshold),
              "epochs_to_fit_per_example": epochs_to_fit(per_example, example_key, threshold)}
  if example_fit < threshold:
    return _line(claim, NOT_TESTABLE, evidence,
                 f"per-example labels were not fitted either (< {threshold})")
  return _line(claim, HELD if view_fit < threshold else NOT_HELD, evidence)


def epochs_to_fit(rec: dict, key: str = "memorization/train_fit", threshold: float = 0.95):
  """The first recorded epoch whose `key` reaches `threshold`, or None."""
  for entry in rec.get("history", []):
    value = entry.get(key)
    if value is not None and value >= threshold:
      return entry["epoch"]
  return None


def real_data_fitted_before_noise(real: dict, noise: dict, threshold: float = 0.95) -> dict:
  """Real labels reach the fit threshold in fewer epochs than random labels."""
  claim = "real data is fitted before noise (fewer epochs to reach the fit threshold)"
  real_epochs = epochs_to_fit(real, threshold=threshold)
  noise_epochs = epochs_to_fit(noise, threshold=threshold)
  evidence = {"threshold": threshold, "epochs_real": real_epochs, "epochs_noise": noise_epochs,
              "budget": noise["settings"]["train"]["epochs"]}
  if real_epochs is None:
    return _line(claim, NOT_TESTABLE, evidence, "real labels never reached the threshold")
  held = noise_epochs is None or real_epochs < noise_epochs
  return _line(claim, HELD if held else NOT_HELD, evidence)


def format_lines(lines: list[dict]) -> str:
  out = []
  for line in lines:
    numbers = ", ".join(f"{k}={_short(v)}" for k, v in line["evidence"].items()
                        if not isinstance(v, list) or len(v) <= 8)
    reason = f" ({line['reason']})" if "reason" in line else ""
    where = f" [{' vs '.join(line['runs'])}]" if line.get("runs") else ""
    out.append(f"[{line['verdict']}]{where} {line['claim']}{reason}: {numbers}")
  return "\n".join(out)


def _short(value):
  if isinstance(value, list):
    return "[" + " ".join(_short(v) for v in value) + "]"
  return f"{value:.4f}" if isinstance(value, float) else str(value)


def clean_fitted_before_corrupted(rec: dict, threshold: float = 0.95) -> dict:
  """Within one run with partial noise: clean examples reach the threshold first."""
  claim = "real data is fitted before noise (clean examples reach the fit threshold first)"
  clean = epochs_to_fit(rec, "memorization/fit_clean", threshold)
  noisy = epochs_to_fit(rec, "memorization/fit_corrupted", threshold)
  evidence = {"threshold": threshold, "epochs_clean": clean, "epochs_corrupted": noisy,
              "budget": rec["settings"]["train"]["epochs"]}
  if clean is None:
    return _line(claim, NOT_TESTABLE, evidence, "clean examples never reached the threshold")
  return _line(claim, HELD if noisy is None or clean < noisy else NOT_HELD, evidence)


def _first_last(rec: dict, key: str):
  values = [h[key] for h in rec.get("history", []) if h.get(key) is not None]
  return (values[0], values[-1]) if len(values) >= 2 else None


def csr_grows_more_on_noise(rec: dict) -> dict:
  """The critical sample ratio rises more on corrupted than on clean examples."""
  claim = "the critical sample ratio grows more on noise than on real data during training"
  clean, noisy = _first_last(rec, "csr/clean"), _first_last(rec, "csr/corrupted")
  if not clean or not noisy:
    return _line(claim, NOT_TESTABLE, {}, "needs CSR on clean and corrupted examples at two epochs")
  evidence = {"csr_clean_first": clean[0], "csr_clean_last": clean[1],
              "csr_corrupted_first": noisy[0], "csr_corrupted_last": noisy[1]}
  noise_growth, clean_growth = noisy[1] - noisy[0], clean[1] - clean[0]
  grew = noise_growth > 0 and noise_growth > clean_growth
  return _line(claim, HELD if grew else NOT_HELD, evidence)


def sensitivity_more_concentrated_on_real_data(rec: dict) -> dict:
  """Loss sensitivity has a higher Gini coefficient on real data (mean over evaluations)."""
  claim = "loss sensitivity is more concentrated (higher Gini) on real data than on noise"
  clean = [h["sensitivity/gini_clean"] for h in rec.get("history", [])
           if h.get("sensitivity/gini_clean") is not None]
  noisy = [h["sensitivity/gini_corrupted"] for h in rec.get("history", [])
           if h.get("sensitivity/gini_corrupted") is not None]
  if not clean or not noisy:
    return _line(claim, NOT_TESTABLE, {}, "needs loss sensitivity on clean and corrupted examples")
  evidence = {"gini_clean_mean": float(sum(clean) / len(clean)),
              "gini_corrupted_mean": float(sum(noisy) / len(noisy)), "evaluations": len(clean)}
  held = evidence["gini_clean_mean"] > evidence["gini_corrupted_mean"]
  return _line(claim, HELD if held else NOT_HELD, evidence)


def easy_examples_agree_on_real_data(summary: dict, margin: float = 0.05) -> dict:
  """Examples right early in training are the same across seeds on real data, not on noise."""
  claim = "easy examples agree across seeds on real data and not on noise"
  clean = summary.get("agreement_easy/clean")
  noisy = summary.get("agreement_easy/corrupted")
  if clean is None or noisy is None:
    return _line(claim, NOT_TESTABLE, {}, "needs at least two seeds with clean and corrupted data")
  evidence = {"agreement_clean": clean, "agreement_corrupted": noisy, "margin": margin,
              "epoch": summary.get("agreement_epoch")}
  return _line(claim, HELD if clean >= noisy + margin else NOT_HELD, evidence)


def _final(rec: dict, key: str):
  value = rec["metrics"].get(key)
  return None if value is None or value != value else value


def regularizer_slows_noise_more(regularized: dict, baseline: dict, name: str,
                                 margin: float = 0.02) -> dict:
  """A regularizer lowers the fit of noisy labels more than it lowers validation accuracy."""
  claim = (f"{name} slows memorization of noise more than learning of real data (noisy-label "
           "fit falls more than validation accuracy)")
  keys = ("memorization/fit_corrupted", "validation/accuracy")
  values = {(run, key): _final(rec, key) for run, rec in (("regularized", regularized),
                                                           ("baseline", baseline))
            for key in keys}
  if any(v is None for v in values.values()):
    return _line(claim, NOT_TESTABLE, {}, "needs corrupted examples and a validation split")
  fit_drop = values["baseline", keys[0]] - values["regularized", keys[0]]
  validation_drop = values["baseline", keys[1]] - values["regularized", keys[1]]
  evidence = {"fit_corrupted_baseline": values["baseline", keys[0]],
              "fit_corrupted_regularized": values["regularized", keys[0]],
              "validation_baseline": values["baseline", keys[1]],
              "validation_regularized": values["regularized", keys[1]], "margin": margin,
              "epochs": regularized["settings"]["train"]["epochs"]}
  held = fit_drop >= validation_drop + margin
  return _line(claim, HELD if held else NOT_HELD, evidence)


def capacity_speeds_up_noise_fitting(records: dict, setting: str,
                                     threshold: float = 0.95) -> dict:
  """Across a capacity sweep ({value: record}), the largest fits noise in fewer epochs."""
  claim = (f"higher capacity ({setting}) fits noise in fewer epochs (epochs to reach the "
           "fit threshold on corrupted examples shrink)")
  values = sorted(records)
  epochs = [epochs_to_fit(records[v], "memorization/fit_corrupted", threshold) for v in values]
  clean = [epochs_to_fit(records[v], "memorization/fit_clean", threshold) for v in values]
  evidence = {setting: values, "epochs_corrupted": epochs, "epochs_clean": clean,
              "threshold": threshold,
              "budget": records[values[0]]["settings"]["train"]["epochs"]}
  if len(values) < 2:
    return _line(claim, NOT_TESTABLE, evidence, "needs at least two capacities")
  if epochs[-1] is None:
    return _line(claim, NOT_TESTABLE, evidence,
                 "the largest capacity did not fit the noise within the budget")
  held = epochs[0] is None or epochs[-1] < epochs[0]
  return _line(claim, HELD if held else NOT_HELD, evidence)
