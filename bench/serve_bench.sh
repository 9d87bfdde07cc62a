#!/usr/bin/env bash
# serve_bench.sh BIN [SECONDS] -- `make bench`'s figures of `tradeloop serve` (issue 10), one JSON
# line each:
#   intents: durable paper intents over HTTP (wrk, bench/serve_intents.lua: every request a new
#            intent), SQLite with durability full, 64 and 256 connections;
#   orders:  orders through the Redis stream intake to results: 100,000 orders published with a
#            pipeline (redis-cli --pipe) before the engine starts, timed from the engine's start to
#            the last result, SQLite with durability full.
# Everything runs on loopback in a temporary directory, removed after.
set -euo pipefail
BIN=$(realpath "$1")
SECS=${2:-5}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(mktemp -d /tmp/tradeloop-servebench-XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    bash "$SRC/tests/support/redis_server.sh" stop "$DIR/redis" >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT
export TRADELOOP_ADMIN_TOKEN=bench-token

start() { # start ARGS...: the service on a free port; sets PID and PORT
    "$BIN" serve --listen 127.0.0.1:0 "$@" 2>"$DIR/log" &
    PID=$!
    PORT=
    for _ in $(seq 1 200); do
        PORT=$(python3 - "$DIR/log" <<'PY' 2>/dev/null || true
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get('msg') == 'serving':
        print(d['fields']['port'])
PY
)
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    echo "serve_bench: the service did not start: $(cat "$DIR/log")" >&2
    exit 1
}
stop() { kill "$PID"; wait "$PID" || true; PID=; }

for conns in 64 256; do
    rm -f "$DIR"/i.db*
    start --db "$DIR/i.db" --paper-equity 1000000000 >/dev/null
    wrk -t1 -c"$conns" -d"${SECS}s" --latency -s "$SRC/bench/serve_intents.lua" \
        "http://127.0.0.1:$PORT" >"$DIR/wrk.txt"
    curl -s "http://127.0.0.1:$PORT/metrics" >"$DIR/metrics.txt"
    stop
    python3 - "$DIR/wrk.txt" "$DIR/metrics.txt" "$conns" "$SECS" <<'PY'
import json, re, sys
wrk = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r'^\s*%s%%\s+([\d.]+)(us|ms|s)\s*$' % label, wrk, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == 'us' else v * 1000 if u == 's' else v
filled = commits = 0
for l in open(sys.argv[2]):
    if l.startswith('tradeloop_paper_intents_total{outcome="filled"}'):
        filled = int(float(l.split()[-1]))
    if l.startswith('tradeloop_journal_commits_total '):
        commits = int(float(l.split()[-1]))
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', wrk).group(1))
non2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', wrk)
print(json.dumps({'bench': 'serve', 'mode': 'intents', 'store': 'sqlite', 'durability': 'full',
                  'connections': int(sys.argv[3]), 'seconds': int(sys.argv[4]),
                  'intents_per_sec': int(rps), 'p50_ms': ms('50'), 'p99_ms': ms('99'),
                  'filled': filled, 'commits': commits,
                  'intents_per_commit': round(filled / commits, 1) if commits else 0,
                  'non_2xx': int(non2xx.group(1)) if non2xx else 0}, sort_keys=True))
PY
done

N=100000
bash "$SRC/tests/support/redis_server.sh" start "$DIR/redis" >/dev/null
RP=$(cat "$DIR/redis/port")
python3 - "$N" >"$DIR/orders.resp" <<'PY'
import sys
n = int(sys.argv[1])
w = sys.stdout.write
for i in range(n):
    a = ['XADD', 'orders', '*', 'order',
         '{"order_id":"B-%06d","symbol":"BTCUSDT","side":"%s","quantity":"0.001","price":"42000"}'
         % (i, 'BUY' if i % 2 == 0 else 'SELL')]
    w('*%d\r\n' % len(a) + ''.join('$%d\r\n%s\r\n' % (len(x), x) for x in a))
PY
redis-cli -p "$RP" --pipe <"$DIR/orders.resp" >/dev/null
t0=$(date +%s%N)
start --db "$DIR/o.db" --intake streams --redis-host 127.0.0.1 --redis-port "$RP"
while [ "$(redis-cli -p "$RP" XLEN order_results)" -lt "$N" ]; do sleep 0.02; done
t1=$(date +%s%N)
pending=$(redis-cli -p "$RP" XPENDING orders tradeloop | head -1)
stop
python3 -c "import json; print(json.dumps({'bench': 'serve', 'mode': 'orders', 'intake': 'streams', 'store': 'sqlite', 'durability': 'full', 'orders': $N, 'seconds': round(($t1 - $t0) / 1e9, 3), 'orders_per_sec': int($N / (($t1 - $t0) / 1e9)), 'pending_after': int('$pending')}, sort_keys=True))"
