#!/usr/bin/env bash
# kill_latency.sh -- `make bench`'s measure of the kill switch (issue 8: "from the command to the
# last cancel sent: <= 100 ms"). A live engine (`tradeloop run --live`, SQLite journal) holds
# ORDERS live orders (a venue latency of a minute keeps them live); `tradeloop kill` is run from
# another process; the latency is the journal's last CANCEL_REQUESTED time minus the request's
# time in the control inbox (both wall clock). ROUNDS rounds, kill and release each. One JSON line.
# Usage: bench/kill_latency.sh TRADELOOP_BINARY [ROUNDS] [ORDERS]
set -euo pipefail
BIN=$1
ROUNDS=${2:-20}
ORDERS=${3:-50}
TMP=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
DB="$TMP/k.db"
mkfifo "$TMP/s.fifo"
python3 -c "
import json, sys
json.dump([{'name': 'va%d' % i, 'starting_balance': '1000000'} for i in range(1, $ORDERS + 1)],
          open(sys.argv[1], 'w'))" "$TMP/acc.json"
"$BIN" run --live --random-walk 1 --symbol SIM --signals "$TMP/s.fifo" --accounts "$TMP/acc.json" \
    --db "$DB" --latency-ms 60000 --trading-window off --max-quote-age-ms 0 \
    --max-open-positions 0 --max-spread-bps 0 --json >/dev/null 2>"$TMP/run.err" &
PID=$!
q() { sqlite3 "$DB" "$1" 2>/dev/null || true; }
until [ "$(q "SELECT count(*) FROM trade_events WHERE type = 18")" = "$ORDERS" ]; do sleep 0.05; done
# The feed ticks once a second: signals wait for its first quote.
sleep 1.5
lat=()
for r in $(seq 1 "$ROUNDS"); do
    before=$(q "SELECT count(*) FROM trade_events WHERE type = 5")
    for i in $(seq 1 "$ORDERS"); do
        printf '{"id":"r%d-%d","ts":"%s","account":"va%d","symbol":"SIM","action":"ENTER_LONG","qty":"1"}\n' \
            "$r" "$i" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$i"
    done >"$TMP/s.fifo"
    until [ "$(q "SELECT count(*) FROM trade_events WHERE type = 5")" -ge $((before + ORDERS)) ]; do
        sleep 0.02
    done
    "$BIN" kill --db "$DB" --wait 10 --json >"$TMP/k.json"
    id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['control_id'])" "$TMP/k.json")
    lat+=("$(q "SELECT (max(e.ts_ns) - c.ts_ns) / 1e6 FROM trade_events e, control c
        WHERE c.id = $id AND e.type = 16 AND e.seq > c.taken_seq")")
    "$BIN" kill --db "$DB" --release --wait 10 --json >/dev/null
done
python3 -c "
import json, statistics, sys
v = sorted(float(x) for x in sys.argv[3:])
print(json.dumps({'bench': 'kill_switch', 'rounds': int(sys.argv[1]), 'live_orders': int(sys.argv[2]),
                  'p50_ms': round(statistics.median(v), 3), 'max_ms': round(v[-1], 3),
                  'min_ms': round(v[0], 3)}, sort_keys=True))" "$ROUNDS" "$ORDERS" "${lat[@]}"
