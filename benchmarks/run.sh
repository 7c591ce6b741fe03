#!/usr/bin/env bash
# One command for all benchmarks: set up (with wrk, the HTTP load generator), generate the
# synthetic city, measure, and write docs/benchmarks.md. Options go to benchmarks/run.py
# (e.g. --size district for a quick run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
exec .venv/bin/python -m benchmarks.run "$@"
