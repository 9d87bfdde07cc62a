#!/usr/bin/env bash
# test_run_exchange_restart.sh -- restart safety of the governed loop against `tradeloop exchange`
# (issue 12, "Proof that it is the real API"): a LIMIT entry of alice rests at the exchange; the
# engine is killed -9; while it is down the maker sells into alice's bid twice; the engine is
# restarted on the same journal and venue and adopts the order: each trade made while it was down
# is journaled once as ORDER_FILLED with the exchange's trade id, the order is never sent twice,
# it stays working, a fill after the restart is applied once too, the position and its stop match
# the fills, and no account is frozen (a spot account's balances are not compared as positions).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/run_exchange_lib.sh"
DB="$TMP/run.db"

daemon_start x "exchange listening" exchange --db "sqlite:$TMP/exchange.db" --keys "$KEYS" \
    --no-makers || { bad "exchange starts"; finish; exit 1; }
XPORT=$PORT
XPID=$PID
VENUE="binance+http://127.0.0.1:$XPORT?keys_file=$KEYS&account=alice&poll_ms=50"
cat >"$TMP/acc.json" <<'EOF'
[{"name": "va1", "starting_balance": "100000"}]
EOF

start_engine 1
quote 1
printf '{"id":"e1","ts":"%s","account":"va1","symbol":"BTCUSDT","action":"ENTER_LONG","qty":"0.5","limit_price":"29000"}\n' \
    "$(now)" >"$TMP/s.1"
check "the LIMIT entry is accepted by the exchange ($(cat "$TMP/run.1.err"))" \
    wait_n "SELECT count(*) FROM trade_events WHERE type = 6" 1
check "alice's bid rests at the exchange" xpy <<'PY'
import sys
from binance_client import clients_from_argv
oo = clients_from_argv(sys.argv)['alice'].call('GET', '/api/v3/openOrders', symbol='BTCUSDT')[1]
assert [(o['clientOrderId'], o['type'], o['price'], o['executedQty']) for o in oo] == \
    [('CLI00000001', 'LIMIT', '29000.00000000', '0.00000000')], oo
PY
kill -9 "$EPID"
wait "$EPID" 2>/dev/null

maker_sells 0.2
maker_sells 0.1
check "nothing was journaled while the engine was down" [ "$(q "$FILLED")" = 0 ]

start_engine 2
quote 2
check "after the restart: one ORDER_FILLED per trade made while down" wait_n "$FILLED" 2
maker_sells 0.1
check "a fill after the restart is applied ($(cat "$TMP/run.2.err"))" wait_n "$FILLED" 3
quote 2
sleep 1.5 # two reconciliations (--reconcile-interval 1) look at the venue: no timing asserted
kill -TERM "$EPID"
wait "$EPID"
RC=$?
check "the restarted engine ends well (rc $RC: $(cat "$TMP/run.2.err"))" [ "$RC" -eq 0 ]

run_tl "$TMP/fills.json" "$TMP/fills.err" journal --db "$DB" --type ORDER_FILLED --json
check "the journal's fills are the exchange's trades, each once, by trade id" \
    xpy "$TMP/fills.json" <<'PY'
import json, sys
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv[:3])
fills = [json.loads(l) for l in open(sys.argv[4])]
st, trades, _ = c['alice'].call('GET', '/api/v3/myTrades', symbol='BTCUSDT')
assert st == 200, trades
want = sorted((str(t['id']), float(t['qty'])) for t in trades)
got = sorted((f['trade_id'], float(f['qty'])) for f in fills)
assert len(trades) == 3 and got == want, (got, want)
PY
check "the exchange holds exactly one order of alice, still working with 0.4 done" xpy <<'PY'
import sys
from binance_client import clients_from_argv
a = clients_from_argv(sys.argv)['alice']
oo = a.call('GET', '/api/v3/openOrders', symbol='BTCUSDT')[1]
assert [(o['clientOrderId'], o['executedQty']) for o in oo] == [('CLI00000001', '0.40000000')], oo
st, o, _ = a.call('GET', '/api/v3/order', symbol='BTCUSDT', origClientOrderId='CLI00000002')
assert st == 400, o  # never a second order
PY
check "the order stays working in the journal (no expiry, no cancel)" \
    [ "$(q "SELECT count(*) FROM trade_events WHERE type IN (9, 10, 16)")" = 0 ]
check "no account frozen" [ "$(q "SELECT count(*) FROM trade_events WHERE text LIKE
    '%the venue holds%' OR type IN (14, 21)")" = 0 ]
check "the position and its stop match the fills" python3 - "$TMP/run.2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]), parse_float=str, parse_int=str)
p = r['accounts']['va1']['position']
assert p['symbol'] == 'BTCUSDT' and p['qty'] == '0.4' and p['avg_price'] == '29000', p
assert p['stop'] == '28420', p  # 2% under the average entry
PY

kill -TERM "$XPID"
wait "$XPID"
finish
