#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests that run against PostgreSQL as well as SQLite.
#
#   pg_env="$(bash .ci/postgres.sh start)" && eval "$pg_env"   # sets TEST_POSTGRES_URL
#   bash .ci/postgres.sh stop                                   # stops it, deletes its files
#   bash .ci/postgres.sh status                                 # exit 0 if it is running
#
# Self-sufficient on a clean Debian bookworm machine as root: installs Debian's postgresql
# with apt-get if missing. The server is a cluster of its own in a temporary directory
# (owned by the postgres user when run as root), listens on 127.0.0.1 only, trusts
# connections from loopback, and has a role `rebalancer` that may create databases and a
# database `rebalancer_test` the tests start from. Durability is switched off: it holds
# nothing but test data. The system's own clusters are left alone.
#
# `start` is idempotent: if the server is already running it only prints the export line
# again. It prints nothing but that line on standard output (also written to
# $PG_DIR/env for `source`); progress and errors go to standard error.
#
# Environment (all optional):
#   PG_DIR   where the cluster lives (default ${TMPDIR:-/tmp}/rebalancer-postgres)
#   PG_PORT  port to listen on (default 55432, or the next free one above it)
set -euo pipefail

PG_DIR="${PG_DIR:-${TMPDIR:-/tmp}/rebalancer-postgres}"
DATA="$PG_DIR/data"
LOG="$PG_DIR/server.log"
ENV_FILE="$PG_DIR/env"
PORT_FILE="$PG_DIR/port"
ROLE=rebalancer
DATABASE=rebalancer_test

say() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

bindir() {
    local found
    found="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
        sort -V | tail -n 1)"
    if [ -n "$found" ]; then dirname "$found"; fi
}

# Deletes PG_DIR, but only if it is empty or one of ours: PG_DIR may be set by hand.
remove_dir() {
    if [ -d "$PG_DIR" ] && [ ! -f "$PORT_FILE" ] && [ -n "$(ls -A "$PG_DIR")" ]; then
        die "$PG_DIR is not a cluster of this script; not deleting it"
    fi
    rm -rf "$PG_DIR"
}

ensure_installed() {
    if [ -z "$(bindir)" ]; then
        [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and only root can install it"
        say "installing postgresql"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq postgresql >/dev/null
    fi
    [ -n "$(bindir)" ] || die "no initdb under /usr/lib/postgresql after installing postgresql"
}

# Runs a command as the cluster's owner: postgres when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

is_running() {
    [ -f "$DATA/PG_VERSION" ] && [ -n "$(bindir)" ] &&
        as_owner "$(bindir)/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

choose_port() {
    if [ -n "${PG_PORT:-}" ]; then
        port_in_use "$PG_PORT" && die "port $PG_PORT on 127.0.0.1 is already in use"
        echo "$PG_PORT"
        return
    fi
    local port
    for port in $(seq 55432 55531); do
        if ! port_in_use "$port"; then
            echo "$port"
            return
        fi
    done
    die "no free port in 55432-55531 on 127.0.0.1"
}

psql_admin() {
    as_owner "$(bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$(cat "$PORT_FILE")" \
        -U postgres "$@"
}

start() {
    ensure_installed
    local bin
    bin="$(bindir)"
    if ! is_running; then
        remove_dir
        mkdir -p "$PG_DIR"
        chmod 700 "$PG_DIR"
        if [ "$(id -u)" -eq 0 ]; then
            chown postgres:postgres "$PG_DIR"
        fi
        local port
        port="$(choose_port)"
        echo "$port" >"$PORT_FILE"
        say "starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
        as_owner "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
            die "initdb failed: $(cat "$PG_DIR/initdb.log")"
        # No autovacuum: the tests' databases live for seconds, and a worker in one (a
        # process no role of ours may signal) made DROP DATABASE ... WITH (FORCE) fail.
        as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -s \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR" \
            -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            -o "-c max_connections=200" \
            -o "-c autovacuum=off" start ||
            die "the server did not start: $(tail -n 20 "$LOG" 2>/dev/null)"
        psql_admin -d postgres <<SQL
CREATE ROLE $ROLE LOGIN CREATEDB;
CREATE DATABASE $DATABASE OWNER $ROLE;
SQL
    fi
    local url
    url="postgresql+psycopg://$ROLE@127.0.0.1:$(cat "$PORT_FILE")/$DATABASE"
    echo "export TEST_POSTGRES_URL=$url" >"$ENV_FILE"
    cat "$ENV_FILE"
}

stop() {
    if is_running; then
        as_owner "$(bindir)/pg_ctl" -D "$DATA" -m fast -w -t 60 -s stop
    fi
    remove_dir
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status) is_running ;;
*) die "usage: $0 [start|stop|status]" ;;
esac
