#!/usr/bin/env bash
# pg_server.sh -- a throwaway PostgreSQL server for the tests.
#
#   pg_server.sh start DIR   initdb a fresh cluster in DIR, start it on 127.0.0.1 on a free port
#                            and write "postgresql://USER@127.0.0.1:PORT/tradeloop_test" to DIR/url
#   pg_server.sh stop DIR    stop it (pg_ctl stop -m fast) and remove DIR
#
# It uses Debian's postgresql package (the highest version under /usr/lib/postgresql) and never
# touches the system cluster the package may have started on 5432. The server listens on
# loopback only with trust authentication, keeps its unix socket in its own directory and runs
# with fsync on, because the tests measure durability. PostgreSQL refuses to run as root, so
# when run as root it runs as the dedicated system user tradeloop-pg (created when missing).
# If that user cannot reach DIR (a parent directory without search permission), the cluster
# lives in a private directory under /tmp instead and DIR/state records where.
set -euo pipefail

PG_USER_DEFAULT=tradeloop-pg
DB_NAME=tradeloop_test

die() {
    echo "pg_server.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: pg_server.sh start|stop DIR" >&2
    exit 2
}

pg_bindir() {
    local best="" d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || continue
        if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n1)" = "$d" ]; then
            best=$d
        fi
    done
    [ -n "$best" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" \
        "(install the Debian package 'postgresql')"
    echo "$best"
}

# Runs a command as the server's OS user (only differs from us when we are root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        # No python: a random high port; a clash makes pg_ctl fail and start() retries.
        echo $((20000 + RANDOM % 40000))
    fi
}

# Stops the server recorded in DIR/state, if any. Quiet when nothing runs.
stop_recorded() {
    local dir=$1
    [ -f "$dir/state" ] || return 0
    local BINDIR="" DATA="" PG_USER=""
    # shellcheck disable=SC1091
    . "$dir/state"
    if [ -n "$DATA" ] && [ -f "$DATA/postmaster.pid" ] && [ -x "$BINDIR/pg_ctl" ]; then
        as_pg "$BINDIR/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null 2>&1 ||
            as_pg "$BINDIR/pg_ctl" stop -D "$DATA" -m immediate -w -t 30 >/dev/null 2>&1 || true
    fi
    # The cluster may live outside DIR (see the header); remove it too, but only our own kind.
    case "$DATA" in
    /tmp/tradeloop-pg.*) rm -rf "$(dirname "$DATA")" ;;
    esac
}

cmd_start() {
    local dir=$1
    stop_recorded "$dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)

    BINDIR=$(pg_bindir)
    if [ "$(id -u)" = 0 ]; then
        PG_USER=$PG_USER_DEFAULT
        if ! id -u "$PG_USER" >/dev/null 2>&1; then
            useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$PG_USER" ||
                die "cannot create the OS user $PG_USER (useradd failed)"
        fi
        chown "$PG_USER" "$dir"
    else
        PG_USER=$(id -un)
    fi

    # The data directory and the unix socket both live in DIR, unless the server's user cannot
    # reach DIR or the socket path would pass the 107-byte limit of sun_path.
    local base=$dir
    if ! as_pg test -w "$dir" || [ ${#dir} -gt 80 ]; then
        base=$(mktemp -d /tmp/tradeloop-pg.XXXXXX)
        chmod 700 "$base"
        [ "$(id -u)" = 0 ] && chown "$PG_USER" "$base"
    fi
    DATA=$base/data
    local sockdir=$base log=$base/server.log
    printf 'BINDIR=%q\nDATA=%q\nPG_USER=%q\n' "$BINDIR" "$DATA" "$PG_USER" >"$dir/state"

    if ! as_pg "$BINDIR/initdb" -D "$DATA" -U "$PG_USER" -A trust -E UTF8 --locale=C \
        >"$base/initdb.log" 2>&1; then
        cat "$base/initdb.log" >&2
        die "initdb failed (log above, $base/initdb.log)"
    fi

    local port="" try
    for try in 1 2 3 4 5; do
        port=$(free_port)
        if as_pg "$BINDIR/pg_ctl" start -w -t 60 -D "$DATA" -l "$log" \
            -o "-k $sockdir -p $port -c listen_addresses=127.0.0.1 -c fsync=on" >/dev/null 2>&1; then
            break
        fi
        port=""
        # A port taken between our probe and the server's bind: try another one.
        grep -q "could not bind\|could not create listen socket\|Address already in use" \
            "$log" 2>/dev/null || break
    done
    if [ -z "$port" ]; then
        tail -n 30 "$log" >&2 2>/dev/null || true
        die "pg_ctl start failed (server log above, $log)"
    fi
    printf 'PORT=%q\n' "$port" >>"$dir/state"

    if ! "$BINDIR/createdb" -h 127.0.0.1 -p "$port" -U "$PG_USER" "$DB_NAME" >"$base/createdb.log" 2>&1
    then
        cat "$base/createdb.log" >&2
        die "createdb $DB_NAME failed"
    fi
    echo "postgresql://$PG_USER@127.0.0.1:$port/$DB_NAME" >"$dir/url.tmp"
    mv "$dir/url.tmp" "$dir/url"
    echo "PostgreSQL $(basename "$(dirname "$BINDIR")") on 127.0.0.1:$port, data in $DATA"
}

cmd_stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    stop_recorded "$dir"
    rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case "$1" in
start) cmd_start "$2" ;;
stop) cmd_stop "$2" ;;
*) usage ;;
esac
