#!/usr/bin/env bash
# Install everything and run the whole test suite (the README's test command; .ci/run runs it).
# On Debian as root it also installs Chromium and a CJK font for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CI:-}" = "true" ]; then
  export CQVOL_REQUIRE_BROWSER=1   # in CI a missing browser fails the browser tests
fi

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qiE 'wqy|noto sans cjk'; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium and a CJK font (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  else
    echo "== chromium or a CJK font is missing and cannot be installed here: browser tests will skip"
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
sha256sum pyproject.toml | cut -d' ' -f1 > .venv/.cqvol-installed-lessons   # [test] includes [lessons]: start.sh need not reinstall
.venv/bin/cqvol-sim setup-jupyter >/dev/null

# lessons and exercises write progress: never into the real home folder during tests
export CQVOL_PROGRESS_DB="$(mktemp -d)/progress.sqlite3"
export CQVOL_TRAINEE=示例学员
set +e
.venv/bin/python -m pytest tests notebooks -p no:cacheprovider \
  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  --ignore=tests/data "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$rc"
