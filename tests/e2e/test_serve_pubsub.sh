#!/usr/bin/env bash
# End-to-end: `tradeloop serve` with a real Redis, as seed 002 is used: `redis-cli PUBLISH orders`
# of the seed's message, the result on order_results, the rows in orders and trades; a malformed
# message answered REJECTED naming the field, nothing else changed; the same order_id again
# answered DUPLICATE; /health follows Redis going away and coming back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

RD="$TMP/redis"
bash "$SRC/tests/support/redis_server.sh" start "$RD" >/dev/null || { bad "redis starts"; finish; exit 1; }
RP=$(cat "$RD/port")
trap 'bash "$SRC/tests/support/redis_server.sh" stop "$RD" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
DB="$TMP/serve.db"
serve_start a --db "$DB" --redis-host 127.0.0.1 --redis-port "$RP" || { bad "serve starts"; finish; exit 1; }

wait_health() { # wait_health CODE: until /health answers CODE (5 s)
    for _ in $(seq 1 100); do http GET /health; [ "$CODE" = "$1" ] && return 0; sleep 0.05; done
    return 1
}
check "health is 200 once Redis is connected" wait_health 200

redis-cli -p "$RP" SUBSCRIBE order_results >"$TMP/results.txt" &
SUB=$!
for _ in $(seq 1 100); do [ "$(redis-cli -p "$RP" PUBSUB NUMSUB order_results | tail -1)" = 2 ] && break; sleep 0.05; done

# results N: waits until N results arrived; prints them as JSON lines into $TMP/r.jsonl.
results() {
    for _ in $(seq 1 200); do
        grep '^{' "$TMP/results.txt" >"$TMP/r.jsonl" || true
        [ "$(wc -l <"$TMP/r.jsonl")" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}
redis-cli -p "$RP" PUBLISH orders '{"order_id": "TEST_001", "symbol": "BTCUSDT", "side": "BUY", "quantity": 0.001, "price": 42000.00}' >/dev/null
check "the seed's order gets a result" results 1
check "FILLED at its price, exact, with the engine's ids" python3 - "$TMP/r.jsonl" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[0])
assert r['order_id'] == 'TEST_001' and r['status'] == 'FILLED', r
assert r['filled_qty'] == 0.001 and r['fills'][0]['price'] == 42000 and r['fills'][0]['qty'] == 0.001, r
assert r['engine_order_id'].startswith('SO') and r['client_seq'] >= 1, r
assert r['reject_reason'] is None, r
PY
check "the orders row: FILLED" [ "$(sqlite3 "$DB" "SELECT status FROM orders WHERE symbol='BTCUSDT'")" = FILLED ]
check "the trades row: 0.001 at 42000" [ "$(sqlite3 "$DB" "SELECT count(*) FROM trades WHERE symbol='BTCUSDT'")" = 1 ]

redis-cli -p "$RP" PUBLISH orders '{"order_id": "BAD_1", "symbol": "BTCUSDT", "side": "HOLD", "quantity": 1, "price": 1}' >/dev/null
check "a malformed order gets a result" results 2
check "REJECTED, the reason naming the field" python3 - "$TMP/r.jsonl" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[1])
assert r['order_id'] == 'BAD_1' and r['status'] == 'REJECTED', r
assert r['reject_reason'].startswith('side'), r
assert r['engine_order_id'] is None and r['fills'] == [], r
PY
check "nothing else changed: one order in the store" [ "$(sqlite3 "$DB" "SELECT count(*) FROM orders")" = 1 ]

redis-cli -p "$RP" PUBLISH orders '{"order_id": "TEST_001", "symbol": "BTCUSDT", "side": "BUY", "quantity": 0.001, "price": 42000.00}' >/dev/null
check "the same order_id again gets a result" results 3
check "DUPLICATE, with the original's fills and ids" python3 - "$TMP/r.jsonl" <<'PY'
import json, sys
a, _, c = (json.loads(l) for l in open(sys.argv[1]).read().splitlines()[:3])
assert c['status'] == 'DUPLICATE' and c['order_id'] == 'TEST_001', c
assert c['engine_order_id'] == a['engine_order_id'] and c['fills'] == a['fills'], (a, c)
PY
check "still one trade" [ "$(sqlite3 "$DB" "SELECT count(*) FROM trades")" = 1 ]

http GET /status
check "status: Redis connected, the counts" body_is "d['redis_connected'] is True and d['statistics']['orders_received'] == 3 and d['statistics']['orders_filled'] == 1 and d['statistics']['orders_rejected'] == 1 and d['database_stats']['total_orders'] == 1"

http GET /metrics
check "metrics: the malformed refusal by its code, the position by its symbol" metrics_are <<'PY'
assert val('tradeloop_order_refusals_total', reason='MALFORMED') == 1
assert val('tradeloop_orders_total', outcome='FILLED') == 1
assert val('tradeloop_orders_total', outcome='DUPLICATE') == 1
assert val('tradeloop_fills_total') == 1
assert val('tradeloop_position', symbol='BTCUSDT') == 0.001
assert val('tradeloop_redis_up') == 1
assert val('tradeloop_intake_lag_seconds_count') == 2
PY
bash "$SRC/tests/support/redis_server.sh" kill "$RD" >/dev/null
check "Redis gone: /health 503 naming it" wait_health 503
check "503's reason" body_is "d['reason'].startswith('redis')"
bash "$SRC/tests/support/redis_server.sh" start "$RD" "$RP" >/dev/null
check "Redis back: /health 200 again" wait_health 200
kill "$SUB" 2>/dev/null; wait "$SUB" 2>/dev/null
serve_stop TERM
check "SIGTERM: exit 0" [ "$STOP_RC" -eq 0 ]
finish
