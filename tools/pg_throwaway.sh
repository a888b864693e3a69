#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a temporary folder, a unix socket only (no TCP
# port), fsync off. Nothing of the machine's own PostgreSQL is used or changed.
#
#   url=$(bash tools/pg_throwaway.sh start)   # prints the superuser's URL (last line of stdout)
#   bash tools/pg_throwaway.sh stop "$url"    # stops the server and deletes the folder
#
# The URL looks like postgresql://cqvol@/postgres?host=/tmp/cqvol-pg.XXXXXX/sock. The superuser
# "cqvol" logs in without a password (only through the socket, whose folder only the cluster's
# owner can open); every other role needs its password (scram-sha-256).
# initdb refuses to run as root: as root the cluster belongs to the system user "cqvolpg" (created
# if missing), and Debian's postgresql package is installed with apt-get if it is missing.
set -euo pipefail

SUPERUSER=cqvol
RUN_AS_ROOT_USER=cqvolpg

die() { echo "pg_throwaway: $*" >&2; exit 1; }

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "pg_throwaway: installing Debian's postgresql package" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || die "PostgreSQL is not installed (apt-get install postgresql)"
  echo "$bin"
}

owner() {
  if [ "$(id -u)" = 0 ]; then
    if ! id "$RUN_AS_ROOT_USER" >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_AS_ROOT_USER"
    fi
    echo "$RUN_AS_ROOT_USER"
  else
    id -un
  fi
}

as_owner() {   # as_owner USER COMMAND...: run COMMAND as USER (directly when that is us)
  local user=$1
  shift
  if [ "$user" = "$(id -un)" ]; then
    "$@"
  else
    runuser -u "$user" -- "$@"
  fi
}

folder_of() {  # the cluster's folder from its URL (…?host=FOLDER/sock) or the folder itself
  local arg=$1 host
  case "$arg" in
    *host=*) host=${arg##*host=}; host=${host%%&*}; echo "${host%/sock}" ;;
    *) echo "$arg" ;;
  esac
}

start() {
  local bin user dir
  bin=$(pg_bin)
  user=$(owner)
  if [ "$(id -u)" = 0 ]; then
    dir=$(mktemp -d /tmp/cqvol-pg.XXXXXX)          # not $TMPDIR: the owner must be able to reach it
  else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cqvol-pg.XXXXXX")
  fi
  chmod 700 "$dir"
  mkdir "$dir/sock"
  chown -R "$user" "$dir"
  if ! as_owner "$user" "$bin/initdb" -D "$dir/data" -U "$SUPERUSER" -E UTF8 --locale=C.UTF-8 \
         --auth-local=trust --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    die "initdb failed"
  fi
  printf 'local all %s trust\nlocal all all scram-sha-256\n' "$SUPERUSER" >"$dir/data/pg_hba.conf"
  if ! as_owner "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
         -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
    cat "$dir/server.log" >&2 || true
    rm -rf "$dir"
    die "the server did not start"
  fi
  echo "postgresql://$SUPERUSER@/postgres?host=$dir/sock"
}

stop() {
  local dir bin owner_name
  dir=$(folder_of "${1:?usage: pg_throwaway.sh stop URL-or-FOLDER}")
  case "$(basename "$dir")" in cqvol-pg.*) ;; *) die "not a throwaway cluster: $dir" ;; esac
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    bin=$(pg_bin)
    owner_name=$(stat -c %U "$dir/data")
    as_owner "$owner_name" "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) die "usage: pg_throwaway.sh start | stop URL-or-FOLDER" ;;
esac
