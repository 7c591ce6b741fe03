#!/usr/bin/env bash
# The main job: set up, load the seed cases into the embedded store (./govgraph.db, or
# $GOVGRAPH_STORE) and start the service; it prints its addresses. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GOVGRAPH_STORE="${GOVGRAPH_STORE:-$PWD/govgraph.db}"
.venv/bin/govgraph load data/cases
exec .venv/bin/govgraph serve "$@"
