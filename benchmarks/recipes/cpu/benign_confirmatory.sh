#!/usr/bin/env bash
# The pre-registered confirmatory run of the benign headline at CPU scale
# (docs/preregistration/benign-cpu-1.md): its 8 seeds, each seed one job (random labels
# without, then with, strong augmentation), CONFIRMATORY_JOBS jobs at a time (default 2,
# one per core), then the claims and figures from every run.
#
#   bash benchmarks/recipes/cpu/benign_confirmatory.sh
#   CONFIRMATORY_DIR=/data/benign_confirmatory bash benchmarks/recipes/cpu/benign_confirmatory.sh
#
# Runs resume from their last checkpoint, so the script can be stopped and started again;
# one script at a time per directory (Ctrl-C or TERM stops its jobs too). Each job
# appends to <dir>/logs/<job>.log. Needs bash 5.1 or newer (wait -n -p).
set -euo pipefail
cd "$(dirname "$0")/../../.."
flagfile=benchmarks/recipes/cpu/benign_confirmatory.cfg
out=${CONFIRMATORY_DIR:-runs/cpu/benign_confirmatory}
jobs_max=${CONFIRMATORY_JOBS:-2}
python=${PYTHON:-python}
if [ "$#" -gt 0 ]; then
  echo "usage: $0  (CONFIRMATORY_DIR, CONFIRMATORY_JOBS and PYTHON from the environment)" >&2
  exit 2
fi
if ! [[ "${jobs_max}" =~ ^[1-9][0-9]?$ ]]; then
  echo "error: CONFIRMATORY_JOBS=${jobs_max} is no number of jobs from 1 to 99" >&2; exit 2
fi
if (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501 )); then
  echo "error: bash ${BASH_VERSION} is older than 5.1, which this script needs" >&2; exit 2
fi
mkdir -p "${out}/logs"
exec 9>"${out}/logs/.lock"
if ! flock -n 9; then
  echo "error: another confirmatory script is running on ${out} (its lock: ${out}/logs/.lock)" >&2
  exit 2
fi
experiment=("${python}" -m benchmarks.benign_memorization --flagfile="${flagfile}"
            --progress=false --output_dir="${out}")
mapfile -t names < <("${experiment[@]}" --list_jobs | sed -n 's/.*--only=\([^ ]*\)$/\1/p')
if [ "${#names[@]}" -eq 0 ]; then
  echo "error: --list_jobs listed no job" >&2; exit 1
fi
declare -A job_of=()  # pid -> job name.
failed=()
stop() {  # Stops the jobs this script started, waits for them, exits with 128 + signal.
  trap - INT TERM HUP
  echo "error: stopped, and with it its ${#job_of[@]} running job(s) ${job_of[*]:-}; rerunning" \
    "resumes" >&2
  [ "${#job_of[@]}" -gt 0 ] && kill -TERM "${!job_of[@]}" 2>/dev/null
  wait
  exit "$1"
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop 129' HUP
finish_one() {  # Waits for the next job to end and says how it ended.
  local pid status=0
  wait -n -p pid || status=$?
  local name=${job_of[${pid}]}
  unset "job_of[${pid}]"
  if [ "${status}" -eq 0 ]; then
    echo "== $(date -u +%H:%M:%S) ${name} done"
  else
    echo "error: ${name} failed (exit ${status}); its log: ${out}/logs/${name}.log" >&2
    failed+=("${name}")
  fi
}
for name in "${names[@]}"; do
  while (( ${#job_of[@]} >= jobs_max )); do finish_one; done
  echo "== $(date -u +%H:%M:%S) ${name} started (log: ${out}/logs/${name}.log)"
  "${experiment[@]}" --only="${name}" >>"${out}/logs/${name}.log" 2>&1 &
  job_of[$!]=${name}
done
while (( ${#job_of[@]} > 0 )); do finish_one; done
if (( ${#failed[@]} > 0 )); then
  echo "error: ${#failed[@]} job(s) failed (${failed[*]}); rerun this script to resume" >&2
  exit 1
fi
echo "== $(date -u +%H:%M:%S) every job done: claims and figures"
"${experiment[@]}"
