#!/usr/bin/env bash
# End-to-end: `tradeloop exchange`'s market makers: a lone client finds a ladder on both sides of
# both books, trades against it, and after kill -9 and a restart the makers adopt their resting
# quotes (a refresh cancels them: never twice the ladder) and go on with fresh client ids.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
KEYS=$SRC/data/exchange_keys.json
DB="$TMP/x.db"
xpy() { PYTHONPATH="$SRC/tests/support" python3 - "$PORT" "$KEYS" "$TMP" "$@"; }

daemon_start a "exchange listening" exchange --db "$DB" --keys "$KEYS" --seed 7 ||
    { bad "exchange starts"; finish; exit 1; }
check "a ladder of 5 levels a side, 0.02 apart, on both symbols; alice's market buy takes the best ask" xpy <<'PY'
import sys, time
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv)
p = c['public']
for sym in ('BTCUSDT', 'ETHUSDT'):
    for _ in range(100):
        d = p.public('/api/v3/depth', symbol=sym, limit=10)[1]
        if len(d['bids']) == 5 and len(d['asks']) == 5:
            break
        time.sleep(0.05)
    bids = [float(x[0]) for x in d['bids']]; asks = [float(x[0]) for x in d['asks']]
    assert len(bids) == 5 and len(asks) == 5, d
    assert bids[0] < asks[0] and round(asks[0] - bids[0], 2) == 0.02, d
    assert all(round(bids[i] - bids[i + 1], 2) == 0.02 for i in range(4)), bids
best_ask = p.public('/api/v3/ticker/bookTicker', symbol='BTCUSDT')[1]['askPrice']
st, o, _ = c['alice'].call('POST', '/api/v3/order', symbol='BTCUSDT', side='BUY', type='MARKET', quantity='0.001')
assert st == 200 and o['status'] == 'FILLED' and o['fills'][0]['price'] == best_ask, (o, best_ask)
PY
sleep 1.2 # a refresh after the trade
serve_stop KILL
daemon_start b "exchange listening" exchange --db "$DB" --keys "$KEYS" --seed 7 ||
    { bad "exchange restarts"; finish; exit 1; }
check "after kill -9: the makers adopt their quotes and keep one ladder, with new client ids" xpy <<'PY'
import sys, time
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv)
maker = c['maker']
before = {o['clientOrderId'] for o in maker.call('GET', '/api/v3/openOrders')[1]}
time.sleep(1.5) # at least one refresh of the restarted makers
for _ in range(3):
    now = maker.call('GET', '/api/v3/openOrders')[1]
    assert len(now) <= 20, len(now)
    time.sleep(0.3)
ids = {o['clientOrderId'] for o in now}
assert len(now) == 20 and not (ids & before), (len(now), ids & before)
assert all(i.startswith('mm-') for i in ids), ids
PY
check "the restart recovered the makers' journal" grep -q '"makers":true' "$TMP/b.log"
serve_stop TERM
check "SIGTERM: exit 0" [ "$STOP_RC" -eq 0 ]
finish
