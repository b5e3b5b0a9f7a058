#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the emulator's PostgreSQL tests and
# print its URL. Installs the server from the OS packages when it is missing. Prints nothing
# (and exits 0) when no server can be had: those tests then skip.
set -uo pipefail
PORT=${PGTEST_PORT:-55439}
DIR=/tmp/notify-emulator-ci-pg

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN=$(find_bin)
if [ -z "$BIN" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1
  BIN=$(find_bin)
fi
[ -n "$BIN" ] || exit 0

run_as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
id postgres >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || useradd --system postgres
[ -d "$DIR/data" ] && run_as_postgres "$BIN/pg_ctl -D $DIR/data -m immediate stop" >/dev/null 2>&1
rm -rf "$DIR" && mkdir -p "$DIR" && { [ "$(id -u)" != 0 ] || chown postgres "$DIR"; }
run_as_postgres "$BIN/initdb -D $DIR/data -U postgres -A trust" >/dev/null 2>&1 || exit 0
run_as_postgres "$BIN/pg_ctl -D $DIR/data -l $DIR/log -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1' -w start" >/dev/null 2>&1 || exit 0
run_as_postgres "$BIN/createdb -h 127.0.0.1 -p $PORT -U postgres notify_emulator_test" >/dev/null 2>&1 || exit 0
echo "postgresql://postgres@127.0.0.1:$PORT/notify_emulator_test"
