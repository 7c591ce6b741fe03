#!/usr/bin/env bash
# Sets up everything govgraph needs on a fresh Debian machine with Python 3.11: a virtual
# environment in .venv with the project and its development tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
