#!/usr/bin/env bash
# End-to-end: ccxt (npm, pinned in tests/ccxt/package-lock.json, installed into the build tree)
# trading against `tradeloop exchange` on loopback with its stock binance class, only its URLs
# changed: markets, order book, ticker, a limit and a market order, open orders, cancel, trades and
# balance, each checked against the exchange's own state read with the tests' own signed client.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/node_lib.sh"
KEYS=$SRC/data/exchange_keys.json
xpy() { PYTHONPATH="$SRC/tests/support" python3 - "$PORT" "$KEYS" "$TMP" "$@"; }

node_install "$SRC/tests/ccxt" node-ccxt || { finish; exit 1; }
daemon_start a "exchange listening" exchange --db "$TMP/x.db" --keys "$KEYS" --no-makers ||
    { bad "exchange starts"; finish; exit 1; }

check "the maker's quotes rest: asks at 30000 and 30010, a bid at 29990" xpy <<'PY'
import sys
from binance_client import clients_from_argv
maker = clients_from_argv(sys.argv)['maker']
for side, qty, price in (('SELL', '0.03', '30000'), ('SELL', '0.1', '30010'), ('BUY', '0.2', '29990')):
    st, o, _ = maker.call('POST', '/api/v3/order', symbol='BTCUSDT', side=side, type='LIMIT',
                          timeInForce='GTC', quantity=qty, price=price)
    assert st == 200 and o['status'] == 'NEW', o
PY

API_KEY=$(python3 -c 'import json,sys; print([k for k in json.load(open(sys.argv[1])) if k["account"]=="alice"][0]["api_key"])' "$KEYS")
SECRET=$(python3 -c 'import json,sys; print([k for k in json.load(open(sys.argv[1])) if k["account"]=="alice"][0]["secret"])' "$KEYS")
TL_NODE_PREFIX=$NODE_PREFIX TL_BASE_URL=http://127.0.0.1:$PORT TL_API_KEY=$API_KEY TL_SECRET=$SECRET \
    timeout 60 node "$SRC/tests/ccxt/exchange_ccxt.mjs" >"$TMP/ccxt.json" 2>"$TMP/ccxt.err"
RC=$?
check "ccxt's script runs (exit $RC): $(tail -3 "$TMP/ccxt.err")" [ "$RC" = 0 ]

check "what ccxt saw is the exchange's state" xpy <<'PY'
import sys, json
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv)
alice, public = c['alice'], c['public']
got = json.load(open(sys.argv[3] + '/ccxt.json'))
# The market: filters as exchangeInfo states them.
m = got['market']
assert m['base'] == 'BTC' and m['quote'] == 'USDT', m
assert m['precision']['price'] == 0.01 and m['precision']['amount'] == 0.00001, m['precision']
assert m['limits']['amount']['min'] == 0.00001 and m['limits']['cost']['min'] == 5, m['limits']
# The book and ticker as they were before ccxt traded.
assert got['book']['asks'] == [[30000, 0.03], [30010, 0.1]] and got['book']['bids'] == [[29990, 0.2]], got['book']
assert got['ticker']['bid'] == 29990 and got['ticker']['ask'] == 30000, got['ticker']
# The limit order rested, was listed open, then canceled; the exchange says the same.
lim = got['limit']
assert lim['status'] == 'open' and lim['price'] == 25000 and lim['amount'] == 0.01, lim
assert [o['id'] for o in got['open']] == [lim['id']], got['open']
assert got['canceled']['status'] == 'canceled' and got['fetched']['status'] == 'canceled', got['canceled']
st, o, _ = alice.call('GET', '/api/v3/order', symbol='BTCUSDT', orderId=int(lim['id']))
assert st == 200 and o['status'] == 'CANCELED' and o['clientOrderId'] == lim['clientOrderId'], o
# The market order took 0.03 at 30000 and 0.02 at 30010.
mk = got['market_order']
assert mk['status'] == 'closed' and mk['filled'] == 0.05 and abs(mk['cost'] - 1500.2) < 1e-9, mk
st, o, _ = alice.call('GET', '/api/v3/order', symbol='BTCUSDT', orderId=int(mk['id']))
assert o['status'] == 'FILLED' and o['cummulativeQuoteQty'] == '1500.20000000', o
raw = alice.call('GET', '/api/v3/myTrades', symbol='BTCUSDT')[1]
assert [str(t['id']) for t in raw] == [t['id'] for t in got['trades']], (raw, got['trades'])
assert [(t['price'], t['amount']) for t in got['trades']] == [(30000, 0.03), (30010, 0.02)], got['trades']
assert all(t['fee']['currency'] == 'BTC' for t in got['trades']), got['trades']
# The balance: ccxt's free and used are the exchange's free and locked.
acct = {b['asset']: b for b in alice.call('GET', '/api/v3/account')[1]['balances']}
for asset in ('BTC', 'USDT'):
    assert got['balance'][asset]['free'] == float(acct[asset]['free']), (asset, got['balance'], acct)
    assert got['balance'][asset]['used'] == float(acct[asset]['locked']), (asset, got['balance'], acct)
assert acct['USDT']['free'] == '98499.80000000' and acct['BTC']['free'] == '1.54995000', acct
PY
serve_stop TERM
finish
