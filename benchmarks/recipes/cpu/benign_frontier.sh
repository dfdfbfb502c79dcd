#!/usr/bin/env bash
# The benign-memorization frontier at CPU scale (issue 22): where, on real Fashion-MNIST
# on 2 CPU cores, do random labels trained with augmentation give encoder features better
# than training without augmentation and than the random initialisation?
#
#   bash benchmarks/recipes/cpu/benign_frontier.sh          # the sweep, 3 seeds
#   bash benchmarks/recipes/cpu/benign_frontier.sh --all    # and its follow-ups
#   python -m benchmarks.benign_frontier --configurations=runs/cpu/benign_frontier \
#       --frontier_dir=runs/cpu/benign_frontier               # table, claims, figure
#
# Every configuration: benchmarks/recipes/cpu/benign_frontier.cfg (cnn_small at width 0.5
# with a 4,096-wide projector, 250 training images with random labels, standard
# augmentation, 300 epochs, k-NN of every layer every 100 epochs against the full
# 60,000-image clean-label bank, seeds 0-2) with the settings on its line changed. The
# sweep varies augmentation and strength, model, subset size and training length; --all
# adds what was run after seeing it: cnn_small with strong augmentation to 600 and 1,200
# epochs, and ResNet-18 at 1,200 epochs with 5 seeds, then 1,500 epochs. Configurations
# that depend on each other form a chain; FRONTIER_JOBS chains (default 2, one per core)
# run at a time, each appending to <FRONTIER_DIR>/logs/<chain>.log. Runs resume, so the
# script can be stopped (Ctrl-C stops its chains too) and started again; one script at a
# time per FRONTIER_DIR. docs/experiments.md, "The benign frontier", has the measured times. Needs
# bash 5.1 or newer (wait -n -p).
set -euo pipefail
cd "$(dirname "$0")/../../.."
base=benchmarks/recipes/cpu/benign_frontier.cfg
out=${FRONTIER_DIR:-runs/cpu/benign_frontier}
jobs_max=${FRONTIER_JOBS:-2}
usage="usage: $0 [--all]  (FRONTIER_DIR and FRONTIER_JOBS from the environment)"
if [ "$#" -gt 1 ]; then echo "${usage}" >&2; exit 2; fi
case "${1:-}" in
  "") all=false ;;
  --all) all=true ;;
  *) echo "${usage}" >&2; exit 2 ;;
esac
if ! [[ "${jobs_max}" =~ ^[1-9][0-9]?$ ]]; then
  echo "error: FRONTIER_JOBS=${jobs_max} is no number of chains from 1 to 99" >&2; exit 2
fi
if (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501 )); then
  echo "error: bash ${BASH_VERSION} is older than 5.1, which this script needs" >&2; exit 2
fi
run() {  # name, flags...
  local name=$1; shift
  echo "== frontier configuration ${name}: $*"
  python -m benchmarks.benign_memorization --flagfile="${base}" --progress=false \
    --output_dir="${out}/${name}" "$@"
}
extend() {  # from, to, epochs, the flags of the configuration extended
  # A copy trained on, so that every length stays in the table.
  local from=$1 to=$2 epochs=$3; shift 3
  # Copied whole or not at all: a copy cut short would resume as a run from scratch.
  if [ ! -e "${out}/${to}" ]; then
    rm -rf "${out}/${to}.copying"
    cp -r "${out}/${from}" "${out}/${to}.copying"
    mv -T "${out}/${to}.copying" "${out}/${to}"
  fi
  run "${to}" "$@" --epochs="${epochs}" --extend
}

# Model and training length: ResNet-18 at 1/8 width (45 training MFLOP per example;
# cnn_small at half width: 38) for 300, 600 and 1,200 epochs, k-NN at the end of each.
resnet18_chain() {
  run resnet18_w0125_n250_strong --model=resnet18 --width_multiplier=0.125 \
    --augmentation=strong --probe_every=300
  extend resnet18_w0125_n250_strong resnet18_w0125_n250_strong_600ep 600 --model=resnet18 \
    --width_multiplier=0.125 --augmentation=strong --probe_every=300
  extend resnet18_w0125_n250_strong_600ep resnet18_w0125_n250_strong_1200ep 1200 \
    --model=resnet18 --width_multiplier=0.125 --augmentation=strong --probe_every=300
  if "${all}"; then
    # 5 seeds because 3 were inconclusive at 1,200 epochs (seeds 3 and 4 train from
    # scratch), and 1,500 epochs because one of the five fitted 0.936 < 0.95 of its labels
    # at 1,200 (the claims layer's memorization gate).
    extend resnet18_w0125_n250_strong_1200ep resnet18_w0125_n250_strong_1200ep_5seeds 1200 \
      --model=resnet18 --width_multiplier=0.125 --augmentation=strong --probe_every=300 \
      --sweep_seed=0,1,2,3,4
    extend resnet18_w0125_n250_strong_1200ep_5seeds resnet18_w0125_n250_strong_1500ep 1500 \
      --model=resnet18 --width_multiplier=0.125 --augmentation=strong --probe_every=300 \
      --sweep_seed=0,1,2,3,4
  fi
}
# Augmentation: standard (the base) and strong.
standard_chain() {
  run cnn_small_n250_standard
}
strong_chain() {
  run cnn_small_n250_strong --augmentation=strong
  if "${all}"; then
    extend cnn_small_n250_strong cnn_small_n250_strong_600ep 600 --augmentation=strong
    extend cnn_small_n250_strong_600ep cnn_small_n250_strong_1200ep 1200 --augmentation=strong
  fi
}
# Subset size: 1,000 images for 150 epochs (the steps of 600 epochs of 250 images).
subset_chain() {
  run cnn_small_n1000_strong_150ep --train_size=1000 --augmentation=strong --epochs=150 \
    --probe_every=150
}
# Strength: RandAugment at the reference's numeric strength 0.5 (2 operations, magnitude 50).
strength_chain() {
  run cnn_small_n250_randaugment05 --augmentation=randaugment --augmentation_strength=0.5 \
    --probe_every=300
}

mkdir -p "${out}/logs"
exec 9>"${out}/logs/.lock"
if ! flock -n 9; then
  echo "error: another frontier script is running on ${out} (its lock: ${out}/logs/.lock)" >&2
  exit 2
fi
declare -A chain_of=()  # Process group (the chain's pid) -> chain.
failed=()
finish_one() {  # Waits for the next chain to end and says how it ended.
  local pid status=0
  wait -n -p pid || status=$?
  local chain=${chain_of[${pid}]}
  unset "chain_of[${pid}]"
  if [ "${status}" -eq 0 ]; then
    echo "== $(date -u +%H:%M:%S) ${chain} done"
  else
    echo "error: $(date -u +%H:%M:%S) ${chain} failed (exit ${status}); its log:" \
      "${out}/logs/${chain}.log" >&2
    failed+=("${chain}")
  fi
}
stop() {  # signal, exit status
  trap - INT TERM HUP
  local pid
  for pid in "${!chain_of[@]}"; do kill -TERM -- "-${pid}" 2>/dev/null || true; done
  wait || true  # Until every chain has stopped (each run saves what it had).
  # A chain's shell can end before the run it started: wait for each whole process group
  # (for at most 30 s), so that nothing of it is left running when the script exits.
  for pid in "${!chain_of[@]}"; do
    for _ in {1..300}; do kill -0 -- "-${pid}" 2>/dev/null || break; sleep 0.1; done
  done
  echo "stopped by SIG$1, and the chains with it; rerunning resumes" >&2
  exit "$2"
}
trap 'stop INT 130' INT
trap 'stop TERM 143' TERM
trap 'stop HUP 129' HUP
for chain in resnet18_chain standard_chain strong_chain subset_chain strength_chain; do
  while [ "${#chain_of[@]}" -ge "${jobs_max}" ]; do finish_one; done
  echo "== $(date -u +%H:%M:%S) ${chain} started (log: ${out}/logs/${chain}.log)"
  echo "== $(date -u +%H:%M:%S) started" >>"${out}/logs/${chain}.log"
  # A process group of its own (set -m), so that stopping the script stops the chain and
  # the run in it; only for this command, so that Ctrl-C still reaches the script.
  set -m
  "${chain}" </dev/null >>"${out}/logs/${chain}.log" 2>&1 &
  set +m
  chain_of[$!]=${chain}
done
while [ "${#chain_of[@]}" -gt 0 ]; do finish_one; done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "error: ${failed[*]} failed; rerunning resumes where each stopped" >&2
  exit 1
fi
