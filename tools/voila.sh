#!/usr/bin/env bash
# Open the free-practice sandbox code-free in Voilà (run tools/start.sh once first, or the test command).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/voila "$@" notebooks/sandbox.ipynb
