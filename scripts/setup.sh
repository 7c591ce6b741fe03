#!/usr/bin/env bash
# Sets up govgraph on a fresh Debian machine with Python 3.11, installing only what is missing:
#   Debian: Graphviz and CJK fonts (org charts); with --dev also Node.js (the Cypher check)
#           and Chromium (browser tests);
#   Python: a virtual environment in .venv with the project (with --dev, its test tools);
#   npm:    with --dev, the pinned Cypher checker in tools/cypher-lint.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
dev=false
[ "${1:-}" = "--dev" ] && dev=true

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v dot >/dev/null || missing+=(graphviz)
fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -q "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
if $dev; then
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  command -v chromium >/dev/null || missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if $dev; then
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  npm ci --prefix tools/cypher-lint --no-audit --no-fund --loglevel=error >/dev/null
else
  .venv/bin/python -m pip install --quiet -e .
fi
