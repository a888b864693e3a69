#!/usr/bin/env bash
# Install cqvol-sim (only when pyproject.toml changed since the last install) and open the
# trainee app, 培训首页, in the browser. Options: --port N, --no-browser, --room (serve a
# training room on the local network), --lab (JupyterLab for instructors instead).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.cqvol-installed-lessons
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== 正在安装（只在第一次或更新后需要，约 1–3 分钟）……"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[lessons]'
  echo "$want" > "$stamp"
fi
.venv/bin/cqvol-sim setup-jupyter >/dev/null
exec .venv/bin/python -m cqvol_sim.app.serve "$@"
