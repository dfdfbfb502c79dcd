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

"""k-NN probing flags and their config object."""

from absl import flags

from flags import knn_index
from suite import constants
from suite.probing import features
from suite.probing import knn
from suite.probing import probe

PROBE_EVERY = flags.DEFINE_integer(
    "probe_every", 0, "Probe every N epochs (0: only after the last epoch).", lower_bound=0)
PROBE = flags.DEFINE_bool("probe", True, "k-NN probe every endpoint after the last epoch.")
KNN_K = flags.DEFINE_list("knn_k", [str(k) for k in constants.PROBE_KS], "Numbers of neighbours.")
KNN_METHOD = flags.DEFINE_enum("knn_method", "brute_force", knn.METHODS, "Nearest-neighbour search.")
KNN_TEMPERATURE = flags.DEFINE_float("knn_temperature", 0.07, "Temperature of the weighted vote.",
                                     lower_bound=1e-6)
KNN_BANK = flags.DEFINE_enum(
    "knn_bank", "train_subset", probe.BANKS,
    "Clean-label k-NN bank: train_subset (the images the network trains on, --train_size) or "
    "full (the whole train split less --validation_size, original images, clean labels: the "
    "reference protocol's bank, independent of --train_size). The controls use the same bank; "
    "the noisy-label bank is always the training subset.")
KNN_TIE_BREAK = flags.DEFINE_enum(
    "knn_tie_break", "similarity", knn.TIE_BREAKS,
    "Ties of the majority vote: similarity (the class with the larger summed similarity) or "
    "lowest_label (the lowest class id: scikit-learn KNeighborsClassifier's uniform vote, the "
    "reference protocol's).")
PROBE_POOLING = flags.DEFINE_enum("probe_pooling", "gap", features.POOLINGS,
                                  "Reduction of convolutional maps to vectors.")
PROBE_ENDPOINTS = flags.DEFINE_list("probe_endpoints", [], "Endpoints to probe (empty: all).")
CONTROL_RUN_DIR = flags.DEFINE_string(
    "control_run_dir", None, "A finished clean-label run whose probe is shown as a control.")


@flags.validator("knn_k", message="--knn_k must be a list of positive integers.")
def _check_k(values):
  return bool(values) and all(v.isdigit() and int(v) > 0 for v in values)


def probe_config() -> probe.ProbeConfig:
  """The probe config the flags describe (KnnConfig validates the combination)."""
  knn_config = knn.KnnConfig(ks=tuple(int(k) for k in KNN_K.value),
                             temperature=KNN_TEMPERATURE.value, method=KNN_METHOD.value,
                             tie_break=KNN_TIE_BREAK.value)
  return probe.ProbeConfig(knn=knn_index.apply(knn_config), pooling=PROBE_POOLING.value,
                           endpoints=tuple(PROBE_ENDPOINTS.value), bank=KNN_BANK.value)
