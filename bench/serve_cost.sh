#!/usr/bin/env bash
# serve_cost.sh BIN [SECONDS] [CONNECTIONS] -- what a durable paper intent costs `tradeloop serve`
# (SQLite, durability full), besides how many go through: wrk as in serve_bench.sh, and the
# service's CPU time (utime + stime of /proc/PID/stat) and bytes written (wchar of /proc/PID/io)
# over the run, per 1,000 filled intents. These move much less than the rate when the machine's
# other tenants do, so a change is measured by them side by side with its parent.
set -euo pipefail
BIN=$(realpath "$1")
SECS=${2:-5}
C=${3:-128}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(mktemp -d /tmp/tradeloop-servecost-XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT
export TRADELOOP_ADMIN_TOKEN=bench-token
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DIR/i.db" ${DURABILITY:+--durability $DURABILITY} --paper-equity 1000000000 2>"$DIR/log" &
PID=$!
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.05; done
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$PID/stat")
w0=$(awk '/^wchar/{print $2}' "/proc/$PID/io")
wrk -t1 -c"$C" -d"${SECS}s" --latency -s "$SRC/bench/serve_intents.lua" \
    "http://127.0.0.1:$PORT" >"$DIR/wrk.txt"
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$PID/stat")
w1=$(awk '/^wchar/{print $2}' "/proc/$PID/io")
n=$(curl -s "http://127.0.0.1:$PORT/metrics" |
    awk '/^tradeloop_paper_intents_total\{outcome="filled"\}/{print $2}')
hz=$(getconf CLK_TCK)
python3 - "$DIR/wrk.txt" "$n" "$C" "$SECS" "$hz" "$u0" "$s0" "$u1" "$s1" "$w0" "$w1" <<'PY'
import json, re, sys
wrk = open(sys.argv[1]).read()
n, c, secs, hz = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
u0, s0, u1, s1, w0, w1 = map(int, sys.argv[6:12])
m = re.search(r'^\s*99%\s+([\d.]+)(us|ms|s)\s*$', wrk, re.M)
p99 = float(m.group(1)) * {'us': 1e-3, 'ms': 1, 's': 1e3}[m.group(2)]
per_k = lambda v: round(v / n * 1000, 1)
print(json.dumps({'bench': 'serve_cost', 'connections': c, 'seconds': secs, 'filled': int(n),
                  'intents_per_sec': int(float(re.search(r'Requests/sec:\s+([\d.]+)', wrk)[1])),
                  'p99_ms': p99,
                  'cpu_ms_per_1k': per_k((u1 - u0 + s1 - s0) * 1000 / hz),
                  'user_ms_per_1k': per_k((u1 - u0) * 1000 / hz),
                  'sys_ms_per_1k': per_k((s1 - s0) * 1000 / hz),
                  'written_kb_per_1k': per_k((w1 - w0) / 1024)}, sort_keys=True))
PY
