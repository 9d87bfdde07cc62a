#!/usr/bin/env bash
# test_run_exchange_down.sh -- the exchange killed -9 and restarted under a running engine (issue
# 12, "Proof that it is the real API"): the governed loop's LIMIT entry rests at `tradeloop
# exchange`; the exchange dies; a second entry is signalled while it is down; the exchange comes
# back on the same port from its journal. The engine keeps running through it; the resting order
# is still there and its fill after the exchange's restart is applied once; the entry signalled
# during the outage is at the exchange at most once, and the engine's journal agrees with the
# exchange about every order and trade. The first order's reply is also lost on its way back
# (fault injection in the adapter): it is adopted, never sent twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/run_exchange_lib.sh"
DB="$TMP/run.db"
XDB="sqlite:$TMP/exchange.db"

# A fixed port, so that the restarted exchange is where the engine's venue URL points.
DAEMON_LISTEN=127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
daemon_start x1 "exchange listening" exchange --db "$XDB" --keys "$KEYS" --no-makers ||
    { bad "exchange starts"; finish; exit 1; }
XPORT=$PORT
# The first order's reply is lost after the exchange took it (the adapter's fault injection):
# its retry, with the same client order id, finds it there and adopts it.
VENUE="binance+http://127.0.0.1:$XPORT?keys_file=$KEYS&account=alice&poll_ms=50&timeout_ms=300&drop_reply_after_send=1"
printf '[{"name": "va1", "starting_balance": "100000"}, {"name": "va2", "starting_balance": "100000"}]\n' \
    >"$TMP/acc.json"

start_engine 1
quote 1
printf '{"id":"e1","ts":"%s","account":"va1","symbol":"BTCUSDT","action":"ENTER_LONG","qty":"0.5","limit_price":"29000"}\n' \
    "$(now)" >"$TMP/s.1"
check "the LIMIT entry is accepted by the exchange ($(cat "$TMP/run.1.err"))" \
    wait_n "SELECT count(*) FROM trade_events WHERE type = 6" 1

serve_stop KILL # the exchange
printf '{"id":"e2","ts":"%s","account":"va2","symbol":"BTCUSDT","action":"ENTER_LONG","qty":"0.1","limit_price":"28000"}\n' \
    "$(now)" >"$TMP/s.1"
sleep 1.5 # the engine polls and sends into a dead port meanwhile
check "the engine survives the exchange's death" kill -0 "$EPID"

daemon_start x2 "exchange listening" exchange --db "$XDB" --keys "$KEYS" --no-makers ||
    { bad "exchange restarts"; finish; exit 1; }
check "the exchange came back from its journal" grep -q '"events_recovered":[1-9]' "$TMP/x2.log"
maker_sells 0.2
check "a fill after the exchange's restart is applied ($(tail -3 "$TMP/run.1.err"))" wait_n "$FILLED" 1
quote 1
sleep 1.5 # reconciliations against the restarted exchange: no timing asserted
check "the engine is still running" kill -0 "$EPID"
kill -TERM "$EPID"
wait "$EPID"
RC=$?
check "the engine ends well (rc $RC: $(tail -3 "$TMP/run.1.err"))" [ "$RC" -eq 0 ]

run_tl "$TMP/events.json" "$TMP/events.err" journal --db "$DB" --json
check "the engine's journal and the exchange agree: orders at most once each, every trade once" \
    xpy "$TMP/events.json" <<'PY'
import json, sys
from binance_client import clients_from_argv
a = clients_from_argv(sys.argv[:3])['alice']
ev = [json.loads(l) for l in open(sys.argv[4])]
trades = a.call('GET', '/api/v3/myTrades', symbol='BTCUSDT')[1]
fills = sorted((e['trade_id'], float(e['qty'])) for e in ev if e['type'] == 'ORDER_FILLED')
assert fills == sorted((str(t['id']), float(t['qty'])) for t in trades) and len(fills) == 1, (fills, trades)
oo = a.call('GET', '/api/v3/openOrders', symbol='BTCUSDT')[1]
assert len({o['clientOrderId'] for o in oo}) == len(oo), oo  # no client id twice
first = [o for o in oo if o['clientOrderId'] == 'CLI00000001']
assert len(first) == 1 and first[0]['executedQty'] == '0.20000000', oo
# What the engine holds as working is exactly what the exchange holds as open.
accepted = {e['order_id'] for e in ev if e['type'] == 'ORDER_ACCEPTED'}
ended = {e['order_id'] for e in ev if e['type'] in ('ORDER_REJECTED', 'ORDER_EXPIRED', 'ORDER_CANCELED', 'ORDER_FILLED') and e.get('status') in ('REJECTED', 'EXPIRED', 'CANCELED', 'FILLED')}
assert accepted - ended == {o['clientOrderId'] for o in oo}, (accepted, ended, oo)
# The first order, whose reply was lost: sent, accepted and held once, at both ends.
assert sum(e['type'] == 'ORDER_ACCEPTED' and e['order_id'] == 'CLI00000001' for e in ev) == 1, ev
st, o, _ = a.call('GET', '/api/v3/order', symbol='BTCUSDT', orderId=1)
assert st == 200 and o['clientOrderId'] == 'CLI00000001', o
# The outage is in the journal, once each way.
notes = [e['text'] for e in ev if e['type'] == 'RECONCILED']
assert sum(n.startswith('venue unreachable') for n in notes) == 1, notes
assert sum(n.startswith('venue reachable again') for n in notes) == 1, notes
PY
serve_stop TERM
finish
