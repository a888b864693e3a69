#!/usr/bin/env bash
# Install cqvol-sim with the lessons and open JupyterLab (Chinese interface) on the first lesson.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[lessons]'
.venv/bin/cqvol-sim setup-jupyter
extra=()
[ "$(id -u)" = "0" ] && extra+=(--allow-root)
exec .venv/bin/jupyter lab "${extra[@]}" "$@" notebooks/00_start.ipynb
