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

"""What a leaderboard row holds: its columns, and each one's value read off one record.

Settings columns show only where they apply (an mlp's width and depth, a conv model's
width multiplier, a projector where there is one); probe columns read the headline k
(constants.HEADLINE_KEY) of the clean bank, beside its controls (random initialisation
and raw pixels). `cell` prints any column's value.
"""

import json
import math

from suite import constants
from suite.analysis.claims import readings
from suite.results import record

# Columns of the standard table: (header, metric key in `metrics`).
METRIC_COLUMNS = (
    ("fit corrupted", "memorization/fit_corrupted"),
    ("fit clean", "memorization/fit_clean"),
    ("view fit", "memorization/view_fit"),
    ("val acc", "validation/accuracy"),
    ("test acc", "test/accuracy"),
)
# The first evaluated epoch at which the training labels are fitted (constants.FIT_THRESHOLD).
EPOCHS_TO_FIT_COLUMN = f"epochs to {constants.FIT_THRESHOLD:.0%} fit"
BEST_K = f"best {constants.HEADLINE_KEY}"  # The column of the best layer's headline k-NN.
SETTING_COLUMNS = (
    ("dataset", ("data", "dataset")), ("train", ("data", "train_size")),
    ("noise", ("data", "label_noise")), ("inputs", ("data", "input_corruption")),
    ("inputs fraction", ("data", "input_corruption_fraction")),
    ("model", ("model", "name")), ("width", ("model", "width")), ("depth", ("model", "depth")),
    ("width x", ("model", "width_multiplier")), ("projector", ("model", "bottleneck_dim")),
    ("dropout", ("model", "dropout")), ("weight decay", ("train", "weight_decay")),
    ("input noise", ("train", "input_noise_std")),
    ("adversarial", ("train", "adversarial_epsilon")),
    ("augment", ("augment", "name")), ("strength", ("augment", "strength")),
    ("views", ("augment", "num_views")),
    ("per-view", ("augment", "per_view_labels")), ("loss", ("train", "loss")),
    ("epochs", ("train", "epochs")),
    # How finely "epochs to fit" is resolved, and whether a per-example log was kept.
    ("eval every", ("train", "eval_every")), ("log every", ("train", "track_every")),
)
# Settings that only mean something for some rows: (header, applies(settings)).
_APPLIES = {
    "width": lambda s: s["model"].get("name") == "mlp",
    "depth": lambda s: s["model"].get("name") == "mlp",
    "width x": lambda s: s["model"].get("name") not in (None, "mlp"),
    "projector": lambda s: (s["model"].get("bottleneck_dim") or 0) > 0,
    "inputs fraction": lambda s: s["data"].get("input_corruption") not in (None, "none"),
    "strength": lambda s: s["augment"].get("name") == "randaugment",
    "views": lambda s: (s["augment"].get("num_views") or 0) > 0,
    "per-view": lambda s: (s["augment"].get("num_views") or 0) > 0,
}
# Settings and columns that count things: printed as integers.
INTEGER_COLUMNS = {"train", "width", "depth", "projector", "views", "epochs", "eval every",
                   "log every", "seeds"}
# Columns of the headline k (suite.constants: the one k every table and claim reads).
RANDOM_INIT_COLUMN = f"random init {constants.HEADLINE_KEY}"
RAW_PIXELS_COLUMN = f"raw pixels {constants.HEADLINE_KEY}"
ENCODER_COLUMN = f"encoder {constants.HEADLINE_KEY}"
BY_LAYER = f"{constants.HEADLINE_KEY} by layer"
CONTROL_COLUMNS = (RANDOM_INIT_COLUMN, RAW_PIXELS_COLUMN)
_SEED_KEYS = {("data", "seed"), ("train", "seed")}
_PLACEMENT_KEYS = {("data", "data_dir"), ("data", "manual_dir"), ("data", "download")}


def run_key(rec: dict) -> tuple:
  """One run (settings with seeds, and length) however often it is found: recomputed from
  the settings, as a record from before a setting existed stores another config hash."""
  return (record.config_hash(record.identity(rec["settings"])),
          rec["settings"]["train"].get("epochs"))


def group_key(rec: dict) -> str:
  """The benchmark and every setting except seeds and where data lives."""
  settings = {section: {k: v for k, v in values.items()
                        if (section, k) not in _SEED_KEYS | _PLACEMENT_KEYS}
              for section, values in rec["settings"].items()}
  return record.config_hash({"benchmark": rec["benchmark"], "settings": settings})


def best_probe(rec: dict, k: int = constants.HEADLINE_K):
  """(endpoint, accuracy) of the best clean-bank k-NN layer, or None."""
  clean = (rec.get("probe") or {}).get("clean") or {}
  scored = [(acc[f"k{k}"], name) for name, acc in clean.items()
            if isinstance(acc, dict) and isinstance(acc.get(f"k{k}"), (int, float))]
  if not scored:
    return None
  value, name = max(scored)
  return name, value


def random_init_probe(rec: dict, k: int = constants.HEADLINE_K):
  """Best clean-bank k-NN of any layer of the run's random initialisation, or None."""
  table = (rec.get("controls") or {}).get("random_init")
  best = best_probe({"probe": table}, k) if isinstance(table, dict) else None
  return best[1] if best else None


def raw_pixels_probe(rec: dict, k: int = constants.HEADLINE_K):
  """Clean-bank k-NN of the raw pixels, or None."""
  value = (((rec.get("controls") or {}).get("raw_pixels") or {}).get("clean") or {}).get(f"k{k}")
  return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def layers(rec: dict, k: int = constants.HEADLINE_K) -> dict:
  """{endpoint: clean-bank k-NN} of the run's final probe, in the probe's order."""
  clean = (rec.get("probe") or {}).get("clean") or {}
  return {name: acc[f"k{k}"] for name, acc in clean.items()
          if isinstance(acc, dict) and isinstance(acc.get(f"k{k}"), (int, float))}


def setting(rec: dict, header: str, section: str, name: str):
  """The cell of a setting: None where it does not apply, `train` as the split's size."""
  settings = rec["settings"]
  if header in _APPLIES and not _APPLIES[header](settings):
    return None
  value = settings[section].get(name)
  if header == "train" and not value:  # 0: the whole split less validation.
    size = (rec.get("dataset") or {}).get("train_size")
    return int(size) if isinstance(size, (int, float)) and size > 0 else "full"
  if header in INTEGER_COLUMNS and isinstance(value, float) and value.is_integer():
    return int(value)
  return value


def epochs_to_fit(rec: dict):
  """First recorded epoch where the training labels are fitted (corrupted ones if any)."""
  for entry in rec.get("history", []):
    value = entry.get("memorization/fit_corrupted")
    if value is None:
      value = entry.get("memorization/train_fit")
    if isinstance(value, (int, float)) and value >= constants.FIT_THRESHOLD:
      return entry["epoch"]
  return None


def hardware(rec: dict) -> str:
  """The machine the run used, in words: its GPUs, else its CPU cores."""
  env = rec.get("environment") or {}
  if env.get("gpus"):
    return f"{len(env['gpus'])}x {env['gpus'][0]}"
  return f"{env.get('cpu_count', '?')} CPU cores"


# Formats of the aggregated columns that are not accuracies.
_STAT_FORMATS = {EPOCHS_TO_FIT_COLUMN: "{:.1f}", "wall s": "{:.0f}"}


def cell(value, column: str = "") -> str:
  """The text of one value of `column`: mean ± std over seeds for an aggregate, `-` for
  None, counts as integers."""
  if isinstance(value, dict):
    fmt = _STAT_FORMATS.get(column, "{:.3f}")
    if column in _STAT_FORMATS and float(value["mean"]).is_integer() and not value["std"]:
      fmt = "{:.0f}"  # The same whole number of epochs in every seed.
    if value["n"] > 1:
      return f"{fmt.format(value['mean'])} ± {fmt.format(value['std'])}"
    return fmt.format(value["mean"])
  if value is None:
    return "-"
  if column in INTEGER_COLUMNS and isinstance(value, float) and value.is_integer():
    return str(int(value))
  return str(value)


# Columns of each dataset's group: (header, value of one record).
DATASET_COLUMNS = ("test acc", "fit", ENCODER_COLUMN, RANDOM_INIT_COLUMN, RAW_PIXELS_COLUMN)


def _encoder_layer(table: dict) -> str | None:
  """The encoder output among a probe table's endpoints (readings.encoder_endpoint)."""
  endpoints = table.get("endpoints")
  if not isinstance(endpoints, list):
    clean = table.get("clean")
    endpoints = list(clean) if isinstance(clean, dict) else []
  endpoints = [e for e in endpoints if isinstance(e, str)]
  return readings.encoder_endpoint(endpoints) if endpoints else None


def _encoder_probe(table, k: int = constants.HEADLINE_K):
  """Clean-bank k-NN at the encoder output of a probe table, or None."""
  if not isinstance(table, dict):
    return None
  layer = _encoder_layer(table)
  clean = table.get("clean")
  accuracies = clean.get(layer) if layer and isinstance(clean, dict) else None
  value = accuracies.get(f"k{k}") if isinstance(accuracies, dict) else None
  return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def dataset_values(rec: dict) -> dict:
  """One record's cells of the dataset comparison.

  Args:
    rec: a complete run record.

  Returns:
    {column of DATASET_COLUMNS: value or None}: test accuracy; fit of the training labels
    (the random ones where there are any, else all); clean-bank k-NN at the headline k
    (constants.HEADLINE_K) at the encoder output of the run, and of its random
    initialisation; raw-pixel k-NN at the headline k.
  """
  metrics = rec.get("metrics") or {}
  fit = metrics.get("memorization/fit_corrupted")
  if fit is None:
    fit = metrics.get("memorization/train_fit")
  return {"test acc": metrics.get("test/accuracy"), "fit": fit,
          ENCODER_COLUMN: _encoder_probe(rec.get("probe")),
          RANDOM_INIT_COLUMN: _encoder_probe((rec.get("controls") or {}).get("random_init")),
          RAW_PIXELS_COLUMN: raw_pixels_probe(rec)}


def condition_settings(rec: dict) -> dict:
  """The benchmark and every setting column but the dataset, as the standard table's."""
  values = {"benchmark": rec["benchmark"]}
  for header, (section, name) in SETTING_COLUMNS:
    if header != "dataset":
      values[header] = setting(rec, header, section, name)
  return values


def check_readable(rec: dict) -> None:
  """Reads every field a row reads (aggregate.aggregate); raises on a malformed one.

  load.load calls it on each record, so that a record that passes cannot crash the table.
  """
  group_key(rec)
  json.dumps(rec["settings"], default=str)
  for _, (section, name) in SETTING_COLUMNS:
    value = rec["settings"][section].get(name)
    if value is not None and not isinstance(value, (bool, int, float, str)):
      raise TypeError(f"settings.{section}.{name} is {value!r}, not a plain value")
  epochs_to_fit(rec)
  best_probe(rec)
  random_init_probe(rec)
  raw_pixels_probe(rec)
  layers(rec)
  dataset_values(rec)
  hardware(rec)
  wall = rec["timing"].get("wall_seconds")
  if wall is not None and (isinstance(wall, bool) or not isinstance(wall, (int, float))
                           or not 0 <= wall < math.inf):
    raise ValueError(f"timing.wall_seconds is {wall!r}, not a finite duration")
