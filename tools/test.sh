#!/usr/bin/env bash
# Install everything, then lint (ruff), type-check the core (mypy) and run the whole test suite
# (the README's test command; .ci/run runs it). All three always run; the script exits non-zero
# at the end, naming each one that failed.
# On Debian as root it also installs Chromium and a CJK font for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CI:-}" = "true" ]; then
  export CQVOL_REQUIRE_BROWSER=1   # in CI a missing browser fails the browser tests
  export CQVOL_REQUIRE_PG=1        # ... and a missing PostgreSQL the PostgreSQL progress tests
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
# the training room's hub (tests/test_room_hub.py): its proxy from npm, and as root a Python every account can run
bash tools/room.sh --install-only >/dev/null || echo "== the training room could not be installed: tests/test_room_hub.py will fail or skip"

# lessons and exercises write progress: never into the real home folder (or a room's server) during tests
export CQVOL_PROGRESS_DB="$(mktemp -d)/progress.sqlite3"
# ... nor autosaves: a lesson's exercise would find a run's old autosave and wait at 继续上次
export CQVOL_HOME="$(mktemp -d)/cqvol-home"
unset CQVOL_PROGRESS_URL

# the progress tests run on PostgreSQL too: a throwaway cluster (unix socket only), removed at exit
pg_url=""
stop_pg() { [ -z "$pg_url" ] || bash tools/pg_throwaway.sh stop "$pg_url" || true; }
trap stop_pg EXIT
trap 'exit 130' INT TERM
if pg_url=$(bash tools/pg_throwaway.sh start); then
  export CQVOL_TEST_PG_URL="$pg_url"
  echo "== PostgreSQL for the progress tests: $pg_url"
else
  pg_url=""
  echo "== PostgreSQL could not be started: its progress tests will skip (fail in CI)"
fi
export CQVOL_TRAINEE=示例学员
failed=()
echo "== ruff (lint: cqvol_sim tests benchmarks tools; rules in pyproject.toml [tool.ruff])"
.venv/bin/ruff check cqvol_sim tests benchmarks tools || failed+=("ruff")
echo "== mypy (types of the core; files in pyproject.toml [tool.mypy])"
.venv/bin/mypy || failed+=("mypy")

echo "== pytest"
set +e
# two workers (CI has 2 cores); a test module or notebook stays on one worker, in order
.venv/bin/python -m pytest tests notebooks -p no:cacheprovider -n "${CQVOL_TEST_WORKERS:-2}" --dist loadscope \
  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  --ignore=tests/data "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  failed+=("pytest (collected no tests)")
elif [ "$rc" != 0 ]; then
  failed+=("pytest")
fi

if [ "${#failed[@]}" -gt 0 ]; then
  echo "== FAILED:" >&2
  printf '   - %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "== all passed: ruff, mypy, pytest"
