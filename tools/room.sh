#!/usr/bin/env bash
# Start a training room's JupyterHub on this server (run as root): installs what it needs, then
# runs `cqvol-sim room` with the given options (--ip, --port, --code, --roster, ...; --help lists
# them; --install-only installs and stops). Trainees' servers run as their own system accounts,
# so the Python they run must be usable by every account: when .venv's interpreter is not (e.g.
# pyenv under /root), the room gets its own environment in .room/venv from the system's Python.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv

usable_by_all() {   # can an unprivileged account run this Python 3.11+?
  [ "$(id -u)" != "0" ] || runuser -u nobody -- "$1" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null
}

VENV=.venv
if ! usable_by_all .venv/bin/python; then
  VENV=.room/venv
  if [ ! -x "$VENV/bin/python" ]; then
    base=""
    for cand in /usr/bin/python3 /usr/local/bin/python3 /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11; do
      if [ -x "$cand" ] && usable_by_all "$cand"; then base=$cand; break; fi
    done
    if [ -z "$base" ]; then
      echo "找不到所有账号都能运行的 Python 3.11 或更新版本：请以 root 运行 apt-get install -y python3 python3-venv，然后再试。" >&2
      exit 1
    fi
    mkdir -p .room
    "$base" -m venv "$VENV"
  fi
fi

stamp=$VENV/.cqvol-installed-room
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== 正在安装培训教室需要的软件（只在第一次或更新后需要，约 1–3 分钟）……"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e '.[lessons,room]'
  echo "$want" > "$stamp"
fi
"$VENV/bin/cqvol-sim" setup-jupyter >/dev/null
exec "$VENV/bin/cqvol-sim" room "$@"
