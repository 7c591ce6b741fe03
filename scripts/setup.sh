#!/usr/bin/env bash
# Sets up everything govgraph needs on a fresh Debian machine with Python 3.11: Debian packages
# that are missing (Node.js for the Cypher check), a virtual environment in .venv with the
# project and its development tools, and the pinned npm packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
npm ci --prefix tools/cypher-lint --no-audit --no-fund --loglevel=error >/dev/null
