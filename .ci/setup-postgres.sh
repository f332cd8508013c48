# shellcheck shell=bash
# Sourced by .ci/run before the test suite: a throwaway PostgreSQL on loopback for the store
# contract tests. Exports STANCELINE_TEST_PG on success and stops/removes the server on exit.
# Never fails the caller: when PostgreSQL cannot be installed or started, the contract tests
# skip their PostgreSQL half with a reason and the rest of the suite runs as usual.

stanceline_pg_setup() {
    local bindir="" pgdata port log runas=()
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bindir" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup-postgres: installing Debian's postgresql" >&2
        (export DEBIAN_FRONTEND=noninteractive
         timeout 600 apt-get update -qq >/dev/null &&
         timeout 900 apt-get install -y -qq --no-install-recommends postgresql >/dev/null) ||
            echo "setup-postgres: apt-get install postgresql failed" >&2
        bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    fi
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        echo "setup-postgres: no PostgreSQL server available; PostgreSQL contract tests will skip" >&2
        return 1
    fi
    # PostgreSQL refuses to run as root: use Debian's postgres account when we are root.
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres >/dev/null 2>&1 || return 1
        runas=(runuser -u postgres --)
    fi
    pgdata=$(mktemp -d "${TMPDIR:-/tmp}/stanceline-pg.XXXXXX") || return 1
    STANCELINE_PG_DIR=$pgdata
    [ "$(id -u)" = 0 ] && chown postgres "$pgdata"
    chmod 700 "$pgdata"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()') || return 1
    log="$pgdata/server.log"
    "${runas[@]}" "$bindir/initdb" -D "$pgdata/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null 2>&1 ||
        "${runas[@]}" "$bindir/initdb" -D "$pgdata/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null || return 1
    "${runas[@]}" "$bindir/pg_ctl" -D "$pgdata/data" -l "$log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdata -c fsync=off -c synchronous_commit=off -c max_connections=200" \
        start >/dev/null || { cat "$log" >&2; return 1; }
    STANCELINE_PG_BIN=$bindir
    "${runas[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres stanceline_test || return 1
    export STANCELINE_TEST_PG="postgresql+psycopg://postgres@127.0.0.1:$port/stanceline_test"
    echo "setup-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

stanceline_pg_cleanup() {
    if [ -n "${STANCELINE_PG_DIR:-}" ] && [ -d "$STANCELINE_PG_DIR" ]; then
        if [ -n "${STANCELINE_PG_BIN:-}" ] && [ -f "$STANCELINE_PG_DIR/data/postmaster.pid" ]; then
            if [ "$(id -u)" = 0 ]; then
                runuser -u postgres -- "$STANCELINE_PG_BIN/pg_ctl" -D "$STANCELINE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
            else
                "$STANCELINE_PG_BIN/pg_ctl" -D "$STANCELINE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
            fi
        fi
        rm -rf "$STANCELINE_PG_DIR"
    fi
    return 0
}

trap stanceline_pg_cleanup EXIT
stanceline_pg_setup || { unset STANCELINE_TEST_PG; stanceline_pg_cleanup; STANCELINE_PG_DIR=""; }
true
