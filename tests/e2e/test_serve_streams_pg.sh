#!/usr/bin/env bash
# End-to-end: two `tradeloop serve` engines in one Redis stream consumer group on one PostgreSQL
# store, and one of them killed with SIGKILL in the middle of the stream. Every order is executed
# exactly once (the store's rows), every message is acknowledged (nothing pending), and every
# order has a result on the results stream -- those the dead engine had taken are claimed by the
# other one, which answers what the dead one had already executed as DUPLICATE with its outcome.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

N=${TL_STREAM_ORDERS:-100000}
RD="$TMP/redis"
bash "$SRC/tests/support/redis_server.sh" start "$RD" >/dev/null || { bad "redis starts"; finish; exit 1; }
RP=$(cat "$RD/port")
trap 'kill -9 $PA $PB 2>/dev/null; bash "$SRC/tests/support/redis_server.sh" stop "$RD" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
PGURL=$(cat "$TL_PG_URL_FILE")
DB="${PGURL%/*}/tl_e2e_streams"
psql "${PGURL%/*}/postgres" -qc "DROP DATABASE IF EXISTS tl_e2e_streams WITH (FORCE)" >/dev/null 2>&1
psql "${PGURL%/*}/postgres" -qc "CREATE DATABASE tl_e2e_streams" >/dev/null || { bad "database"; finish; exit 1; }

# The orders, as one pipe of XADD commands (the redis protocol), published before the engines
# start: the group starts at 0, so none is skipped.
python3 - "$N" >"$TMP/orders.resp" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout
def cmd(*args):
    out.write('*%d\r\n' % len(args))
    for a in args:
        out.write('$%d\r\n%s\r\n' % (len(a.encode()), a))
for i in range(n):
    side = 'BUY' if i % 2 == 0 else 'SELL'
    cmd('XADD', 'orders', '*', 'order',
        '{"order_id":"S-%06d","symbol":"BTCUSDT","side":"%s","quantity":"0.001","price":"42000"}' % (i, side))
PY
redis-cli -p "$RP" --pipe <"$TMP/orders.resp" >/dev/null
check "the stream holds the $N orders" [ "$(redis-cli -p "$RP" XLEN orders)" = "$N" ]

common=(--db "$DB" --durability normal --intake streams --redis-host 127.0.0.1 --redis-port "$RP"
        --claim-idle-ms 2000 --claim-every-ms 250)
serve_start a "${common[@]}" --workspace engine-a --consumer a || { bad "engine a starts"; finish; exit 1; }
PA=$PID
serve_start b "${common[@]}" --workspace engine-b --consumer b || { bad "engine b starts"; finish; exit 1; }
PB=$PID

# Kill engine a once a quarter of the results are out.
for _ in $(seq 1 2400); do
    [ "$(redis-cli -p "$RP" XLEN order_results)" -ge $((N / 4)) ] && break
    sleep 0.05
done
kill -9 "$PA"
wait "$PA" 2>/dev/null
check "engine a was killed mid-stream" [ "$(redis-cli -p "$RP" XLEN order_results)" -lt "$N" ]

# Engine b claims what a held and finishes the stream.
for _ in $(seq 1 6000); do
    pending=$(redis-cli -p "$RP" XPENDING orders tradeloop | head -1)
    [ "$pending" = 0 ] && [ "$(redis-cli -p "$RP" XLEN order_results)" -ge "$N" ] && break
    sleep 0.1
done
check "nothing is left pending in the group" [ "$(redis-cli -p "$RP" XPENDING orders tradeloop | head -1)" = 0 ]
redis-cli -p "$RP" --raw XRANGE order_results - + | grep '^{' >"$TMP/results.jsonl"
check "every order has a result; none executed twice" python3 - "$TMP/results.jsonl" "$N" <<'PY'
import json, sys
n = int(sys.argv[2])
ids, statuses = {}, {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    ids.setdefault(r['order_id'], []).append(r)
missing = [i for i in range(n) if 'S-%06d' % i not in ids]
assert not missing, ('no result', len(missing), missing[:5])
for oid, rs in ids.items():
    first = rs[0]
    assert first['status'] in ('FILLED', 'DUPLICATE'), first
    for r in rs[1:]:   # a repeat (claimed after its answer) is the original's duplicate
        assert r['status'] == 'DUPLICATE', (oid, rs)
PY
check "the store executed each order once: $N orders, $N trades" \
    [ "$(psql "$DB" -tAc "SELECT count(*), count(DISTINCT order_id) FROM orders" | tr '|' ,)" = "$N,$N" ]
check "trades" [ "$(psql "$DB" -tAc "SELECT count(*) FROM trades")" = "$N" ]
check "both engines executed some" [ "$(psql "$DB" -tAc "SELECT count(DISTINCT workspace) FROM orders")" = 2 ]
PID=$PB
serve_stop TERM
check "engine b stops cleanly: exit 0" [ "$STOP_RC" -eq 0 ]
psql "${PGURL%/*}/postgres" -qc "DROP DATABASE IF EXISTS tl_e2e_streams WITH (FORCE)" >/dev/null 2>&1
finish
