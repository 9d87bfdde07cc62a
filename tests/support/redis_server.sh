#!/usr/bin/env bash
# redis_server.sh -- a throwaway Redis server for the tests.
#
#   redis_server.sh start DIR [PORT]   start redis-server on 127.0.0.1 on a free port (or PORT:
#                                      a restart on the port a test's clients know), working
#                                      directory DIR; writes the port to DIR/port and
#                                      "redis://127.0.0.1:PORT" to DIR/url, and waits until it
#                                      answers PING
#   redis_server.sh stop DIR           stop it (SHUTDOWN NOSAVE, then the pid) and remove DIR
#   redis_server.sh kill DIR           stop it abruptly (SIGKILL) and keep DIR: a crash, for a
#                                      test to start it again on the same port
#
# It uses Debian's redis-server and never touches the system's server on 6379. Loopback only,
# no persistence (no RDB snapshots, no AOF) unless TL_REDIS_PERSIST=1 (then appendonly with
# fsync always, in DIR). TL_REDIS_PASSWORD=secret sets requirepass; the password goes to the
# server through its configuration file (mode 600), never on a command line, and is written
# to DIR/password for the test.
set -euo pipefail

die() {
    echo "redis_server.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: redis_server.sh start DIR [PORT] | stop DIR | kill DIR" >&2
    exit 2
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

cli() {
    local dir=$1
    shift
    local args=(-h 127.0.0.1 -p "$(cat "$dir/port")")
    if [ -s "$dir/password" ]; then
        REDISCLI_AUTH=$(cat "$dir/password") redis-cli "${args[@]}" "$@"
    else
        redis-cli "${args[@]}" "$@"
    fi
}

write_conf() {
    local dir=$1 port=$2
    {
        echo "bind 127.0.0.1"
        echo "port $port"
        echo "dir $dir"
        echo "pidfile $dir/redis.pid"
        echo "logfile $dir/redis.log"
        echo "daemonize yes"
        echo "protected-mode yes"
        echo "save \"\""
        if [ "${TL_REDIS_PERSIST:-0}" = 1 ]; then
            echo "appendonly yes"
            echo "appendfsync always"
        else
            echo "appendonly no"
        fi
        if [ -s "$dir/password" ]; then
            # A quoted string in redis.conf: backslashes and quotes escaped.
            printf 'requirepass "%s"\n' "$(sed 's/[\\"]/\\&/g' "$dir/password")"
        fi
    } >"$dir/redis.conf"
    chmod 600 "$dir/redis.conf"
}

wait_ready() {
    local dir=$1 i
    for i in $(seq 1 200); do
        if [ "$(cli "$dir" PING 2>/dev/null)" = PONG ]; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

stop_pid() {
    local dir=$1 sig=$2 pid i
    [ -f "$dir/redis.pid" ] || return 0
    pid=$(cat "$dir/redis.pid")
    if [ "$sig" = TERM ]; then
        cli "$dir" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    fi
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        [ "$i" = 1 ] && kill "-$sig" "$pid" 2>/dev/null
        sleep 0.05
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    rm -f "$dir/redis.pid"
}

cmd_start() {
    local dir=$1 port=${2:-}
    command -v redis-server >/dev/null || die "redis-server not found (install the Debian package 'redis-server')"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    stop_pid "$dir" TERM
    if [ -n "${TL_REDIS_PASSWORD:-}" ]; then
        (umask 077 && printf '%s' "$TL_REDIS_PASSWORD" >"$dir/password")
    fi
    local try
    for try in 1 2 3 4 5; do
        [ -n "${2:-}" ] || port=$(free_port)
        echo "$port" >"$dir/port"
        write_conf "$dir" "$port"
        if redis-server "$dir/redis.conf" >"$dir/start.log" 2>&1 && wait_ready "$dir"; then
            echo "redis://127.0.0.1:$port" >"$dir/url.tmp"
            mv "$dir/url.tmp" "$dir/url"
            echo "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on 127.0.0.1:$port, dir $dir"
            return 0
        fi
        stop_pid "$dir" KILL
        # A fixed port cannot move; a free one taken in the meantime can.
        [ -z "${2:-}" ] || break
    done
    cat "$dir/start.log" >&2 2>/dev/null || true
    tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
    die "redis-server did not start (log above, $dir/redis.log)"
}

[ $# -ge 2 ] || usage
case "$1" in
start)
    [ $# -le 3 ] || usage
    cmd_start "$2" "${3:-}"
    ;;
stop)
    [ $# -eq 2 ] || usage
    [ -d "$2" ] || exit 0
    stop_pid "$2" TERM
    rm -rf "$2"
    ;;
kill)
    [ $# -eq 2 ] || usage
    [ -d "$2" ] || exit 0
    stop_pid "$2" KILL
    ;;
*) usage ;;
esac
