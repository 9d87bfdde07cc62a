#!/usr/bin/env bash
# End-to-end: `tradeloop serve` with TRADING_MODE=live on `tradeloop exchange` (issue 12): an
# order published on Redis is executed at the exchange through the Binance adapter, against the
# market makers' ladder; its result (published only once durable) carries the exchange's trade
# id and price; the same order_id again is a DUPLICATE and never a second order at the exchange.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
KEYS=$SRC/data/exchange_keys.json
RD="$TMP/redis"
bash "$SRC/tests/support/redis_server.sh" start "$RD" >/dev/null || { bad "redis starts"; finish; exit 1; }
RP=$(cat "$RD/port")
trap 'kill $XPID 2>/dev/null; bash "$SRC/tests/support/redis_server.sh" stop "$RD" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

daemon_start x "exchange listening" exchange --db mem: --keys "$KEYS" --seed 3 ||
    { bad "exchange starts"; finish; exit 1; }
XPORT=$PORT
XPID=$PID
xpy() { PYTHONPATH="$SRC/tests/support" python3 - "$XPORT" "$KEYS" "$TMP" "$@"; }
expect_usage "live without a venue is refused: never a default" "live" serve --db mem: \
    --trading-mode live
serve_start a --db "$TMP/serve.db" --redis-host 127.0.0.1 --redis-port "$RP" --trading-mode live \
    --live-venue "binance+http://127.0.0.1:$XPORT?keys_file=$KEYS&account=alice&poll_ms=50" ||
    { bad "serve starts in live mode"; finish; exit 1; }

redis-cli -p "$RP" SUBSCRIBE order_results >"$TMP/results.txt" &
SUB=$!
for _ in $(seq 1 100); do [ "$(redis-cli -p "$RP" PUBSUB NUMSUB order_results | tail -1)" = 2 ] && break; sleep 0.05; done
results() { # results N: waits until N results arrived, as JSON lines in $TMP/r.jsonl
    for _ in $(seq 1 200); do
        grep '^{' "$TMP/results.txt" >"$TMP/r.jsonl" || true
        [ "$(wc -l <"$TMP/r.jsonl")" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}
check "the makers quote" xpy <<'PY'
import sys, time
from binance_client import clients_from_argv
p = clients_from_argv(sys.argv)['public']
for _ in range(100):
    if float(p.public('/api/v3/ticker/bookTicker', symbol='BTCUSDT')[1]['askPrice']) > 0:
        break
    time.sleep(0.05)
else:
    raise AssertionError('no ask')
PY
redis-cli -p "$RP" PUBLISH orders '{"order_id": "L1", "symbol": "BTCUSDT", "side": "BUY", "quantity": 0.001, "price": 30100.00}' >/dev/null
check "the order gets a result" results 1
check "FILLED at the exchange, with its trade id and price" xpy "$TMP/r.jsonl" <<'PY'
import json, sys
from binance_client import clients_from_argv
r = json.loads(open(sys.argv[4]).read().splitlines()[0])
assert r['order_id'] == 'L1' and r['status'] == 'FILLED' and r['filled_qty'] == 0.001, r
trades = clients_from_argv(sys.argv[:3])['alice'].call('GET', '/api/v3/myTrades', symbol='BTCUSDT')[1]
assert [(str(t['id']), float(t['price']), float(t['qty'])) for t in trades] == \
    [(f['trade_id'], f['price'], f['qty']) for f in r['fills']], (trades, r['fills'])
PY
redis-cli -p "$RP" PUBLISH orders '{"order_id": "L1", "symbol": "BTCUSDT", "side": "BUY", "quantity": 0.001, "price": 30100.00}' >/dev/null
check "the same order_id again gets a result" results 2
check "DUPLICATE, and still one order of alice at the exchange" xpy "$TMP/r.jsonl" <<'PY'
import json, sys
from binance_client import clients_from_argv
r = json.loads(open(sys.argv[4]).read().splitlines()[1])
assert r['order_id'] == 'L1' and r['status'] == 'DUPLICATE', r
a = clients_from_argv(sys.argv[:3])['alice']
assert a.call('GET', '/api/v3/order', symbol='BTCUSDT', orderId=1)[0] in (200, 400)
trades = a.call('GET', '/api/v3/myTrades', symbol='BTCUSDT')[1]
assert len({t['orderId'] for t in trades}) == 1 and len(trades) == 1, trades
PY
kill "$SUB" 2>/dev/null
serve_stop TERM
check "serve stops cleanly (rc $STOP_RC)" [ "$STOP_RC" -eq 0 ]
finish
