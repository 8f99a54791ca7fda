#!/usr/bin/env bash
# A private PostgreSQL server for the fleet tests (and for developers trying `gongkai fleet`).
#
#   .ci/pg.sh install        install PostgreSQL from the distribution's packages when missing
#   .ci/pg.sh start DIR      initdb in DIR, start on a free 127.0.0.1 port, print
#                            `export GONGKAI_TEST_PG=postgres://postgres@127.0.0.1:PORT/postgres`
#   .ci/pg.sh stop DIR       stop the server started in DIR
#
# The server refuses to run as root, so as root it runs as `nobody` (DIR is handed to it).
# Authentication is `trust` on loopback only: the instance is private and throwaway.
set -euo pipefail

pg_bin() {
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then
    echo "$d"
    return
  fi
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd=${1:-}
case "$cmd" in
  install)
    if ! pg_bin >/dev/null; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    pg_bin >/dev/null || { echo "pg.sh: PostgreSQL binaries not found after install" >&2; exit 1; }
    ;;
  start)
    dir=${2:?usage: pg.sh start DIR}
    bin=$(pg_bin) || { echo "pg.sh: initdb not found (run .ci/pg.sh install)" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" = 0 ]; then
      # `nobody` may not be able to traverse DIR's parents (e.g. a 0700 temporary directory):
      # the cluster lives in a directory of its own under /tmp, recorded in DIR/cluster.
      pgdir=$(mktemp -d /tmp/gongkai-pg.XXXXXX)
      chown nobody "$pgdir"
      echo "$pgdir" >"$dir/cluster"
      dir=$pgdir
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # A port can be taken between choosing it and binding it: try a few.
    for _ in 1 2 3 4 5; do
      port=$(free_port)
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
          -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c max_connections=100 -c fsync=off" \
          start >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        echo "export GONGKAI_TEST_PG=postgres://postgres@127.0.0.1:$port/postgres"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2 || true
    echo "pg.sh: the server did not start" >&2
    exit 1
    ;;
  stop)
    dir=${2:?usage: pg.sh stop DIR}
    bin=$(pg_bin) || exit 0
    cluster=$dir
    if [ -f "$dir/cluster" ]; then cluster=$(cat "$dir/cluster"); fi
    if [ -f "$cluster/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -f "$dir/cluster" ]; then rm -rf "$cluster" "$dir/cluster"; fi
    ;;
  *)
    echo "usage: .ci/pg.sh install | start DIR | stop DIR" >&2
    exit 2
    ;;
esac
