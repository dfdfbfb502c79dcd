#!/usr/bin/env bash
# Installs the suite into ./.venv on a Debian/Ubuntu machine with Python 3.11.
#   bash tools/setup.sh          # the suite and its data packages
#   bash tools/setup.sh --test   # also the test dependencies
# Debian's dataset-fashion-mnist package gives real Fashion-MNIST with no network.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[[ "${1:-}" == "--test" ]] && extras="[test]"

sudo=""
[[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null && sudo="sudo"
if command -v apt-get >/dev/null; then
  packages="dataset-fashion-mnist"
  python3 -c "import ensurepip, venv" 2>/dev/null || packages="$packages python3-venv"
  if $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends $packages >/dev/null; then
    echo "setup: apt packages installed: $packages"
  else
    echo "setup: could not install $packages with apt; fashion_mnist then needs a network or --manual_dir" >&2
  fi
fi

python=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".$extras"
echo "setup: installed into $(pwd)/.venv ($(.venv/bin/python --version))"
