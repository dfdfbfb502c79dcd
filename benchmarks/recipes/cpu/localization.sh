#!/usr/bin/env bash
# Where memorization lives at CPU scale (issue 33): benchmarks/recipes/cpu/localization.cfg
# at seeds 0-4 (LOCALIZATION_SEEDS) and label noise 0.1 and 0.5 (LOCALIZATION_NOISE), then
# layer rewinding and retraining of every run with the summary and claims per noise level:
#
#   bash benchmarks/recipes/cpu/localization.sh
#
# Writes runs/cpu/localization/noise_<p>/seed_<s>/ (each run, with its localization/
# results) and runs/cpu/localization/noise_<p>/report/ (figures, claims). Runs resume and
# a finished run is skipped, so the script can be stopped and started again.
set -euo pipefail
cd "$(dirname "$0")/../../.."
base=benchmarks/recipes/cpu/localization.cfg
out=${LOCALIZATION_DIR:-runs/cpu/localization}
seeds=${LOCALIZATION_SEEDS:-0 1 2 3 4}
noise_levels=${LOCALIZATION_NOISE:-0.1 0.5}
for noise in ${noise_levels}; do
  for seed in ${seeds}; do
    python -m benchmarks.train --flagfile="${base}" --label_noise="${noise}" --seed="${seed}" \
        --output_dir="${out}/noise_${noise}/seed_${seed}"
  done
done
for noise in ${noise_levels}; do
  dirs=$(for seed in ${seeds}; do printf '%s,' "${out}/noise_${noise}/seed_${seed}"; done)
  python -m benchmarks.rewind_probe --run_dirs="${dirs%,}" --report_dir="${out}/noise_${noise}/report"
done
