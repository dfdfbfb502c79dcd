#!/usr/bin/env bash
# The benign-memorization frontier at CPU scale (issue 22): where, on real Fashion-MNIST
# on 2 CPU cores, do random labels trained with augmentation give encoder features better
# than training without augmentation and than the random initialisation?
#
#   bash benchmarks/recipes/cpu/benign_frontier.sh            # trains what is missing
#   python -m benchmarks.benign_frontier --configurations=runs/cpu/benign_frontier \
#       --frontier_dir=runs/cpu/benign_frontier                 # table, claims, figure
#
# Every configuration: benchmarks/recipes/cpu/benign_frontier.cfg (cnn_small at width 0.5
# with a 4,096-wide projector, 250 training images with random labels, standard
# augmentation, 300 epochs, k-NN of every layer every 100 epochs against the full
# 60,000-image clean-label bank, seeds 0-2) with one setting changed. Runs resume, so
# the script can be stopped and started again; each configuration is one
# benchmarks.benign_memorization experiment with its own claims.
set -euo pipefail
cd "$(dirname "$0")/../../.."
base=benchmarks/recipes/cpu/benign_frontier.cfg
out=${FRONTIER_DIR:-runs/cpu/benign_frontier}
run() {  # name, flags...
  local name=$1; shift
  echo "== frontier configuration ${name}: $*"
  python -m benchmarks.benign_memorization --flagfile="${base}" --progress=false \
    --output_dir="${out}/${name}" "$@"
}
run cnn_small_n250_standard
run cnn_small_n250_strong --augmentation=strong
# Training length: the strong configuration trained on from epoch 300 to 600 (a copy, so
# that both lengths stay in the table), k-NN still every 100 epochs.
if [ ! -e "${out}/cnn_small_n250_strong_600ep" ]; then
  cp -r "${out}/cnn_small_n250_strong" "${out}/cnn_small_n250_strong_600ep"
fi
run cnn_small_n250_strong_600ep --augmentation=strong --epochs=600 --extend
# Next configurations of the frontier, not run in this repository's measurement (about 45
# and 80 minutes more on 2 cores): ResNet-18 at 1/8 width (45 training MFLOP per example,
# as cnn_small at half width: 38) and a 1,000-image subset.
#   run resnet18_w0125_n250_standard --model=resnet18 --width_multiplier=0.125
#   run cnn_small_n1000_standard --train_size=1000
