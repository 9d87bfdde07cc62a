#!/usr/bin/env bash
# End-to-end: `tradeloop exchange` as a Binance spot API v3 client sees it, through a client of
# the tests' own (tests/support/binance_client.py: standard library, signing as rest-api.md says):
# public endpoints, a trade between two accounts with exact balances and fees, the documented
# refusals (signature, key, timing, filters, balance, duplicate client order id, unknown order),
# rate limits with their headers and 429, and a kill -9 and restart that loses nothing
# acknowledged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

KEYS=$SRC/data/exchange_keys.json
DB="$TMP/exchange.db"
xpy() { PYTHONPATH="$SRC/tests/support" python3 - "$PORT" "$KEYS" "$TMP" "$@"; }

daemon_start a "exchange listening" exchange --db "$DB" --keys "$KEYS" --no-makers \
    --orders-per-10s 40 || { bad "exchange starts"; finish; exit 1; }

check "public endpoints: ping, time, exchangeInfo's filters, an empty book, -1121" xpy <<'PY'
import sys, time
from binance_client import clients_from_argv
p = clients_from_argv(sys.argv)['public']
assert p.public('/api/v3/ping')[:2] == (200, {}), p.public('/api/v3/ping')
st, t, h = p.public('/api/v3/time')
assert st == 200 and abs(t['serverTime'] - time.time() * 1000) < 5000, t
assert int(h['x-mbx-used-weight-1m']) >= 2, h
st, info, _ = p.public('/api/v3/exchangeInfo')
syms = {s['symbol']: s for s in info['symbols']}
assert set(syms) == {'BTCUSDT', 'ETHUSDT'}, syms.keys()
f = {x['filterType']: x for x in syms['BTCUSDT']['filters']}
assert f['PRICE_FILTER']['tickSize'] == '0.01000000' and f['LOT_SIZE']['stepSize'] == '0.00001000', f
assert f['MIN_NOTIONAL']['minNotional'] == '5.00000000', f
assert p.public('/api/v3/depth', symbol='BTCUSDT')[1]['bids'] == []
assert p.public('/api/v3/depth', symbol='NOPE')[:2] == (400, {'code': -1121, 'msg': 'Invalid symbol.'})
assert p.public('/api/v3/ticker/bookTicker', symbol='ETHUSDT')[1]['bidPrice'] == '0.00000000'
PY

check "a trade: the maker's ask rests, alice's market buy takes it, balances and fees exact" xpy <<'PY'
import sys
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv)
maker, alice = c['maker'], c['alice']
def bal(cl):
    return {b['asset']: (b['free'], b['locked']) for b in cl.call('GET', '/api/v3/account')[1]['balances']}
m0, a0 = bal(maker), bal(alice)
assert a0['USDT'] == ('100000.00000000', '0.00000000'), a0
st, o, h = maker.call('POST', '/api/v3/order', symbol='BTCUSDT', side='SELL', type='LIMIT',
                      timeInForce='GTC', quantity='0.5', price='30000.00', newClientOrderId='ask-1')
assert st == 200 and o['status'] == 'NEW' and o['clientOrderId'] == 'ask-1', o
assert h['x-mbx-order-count-10s'] == '1', h
assert bal(maker)['BTC'] == ('199.50000000', '0.50000000'), bal(maker)
d = c['public'].public('/api/v3/depth', symbol='BTCUSDT', limit=5)[1]
assert d['asks'] == [['30000.00000000', '0.50000000']] and d['bids'] == [], d
st, b, _ = alice.call('POST', '/api/v3/order', symbol='BTCUSDT', side='BUY', type='MARKET',
                      quantity='0.2', newClientOrderId='buy-1')
assert st == 200 and b['status'] == 'FILLED' and b['cummulativeQuoteQty'] == '6000.00000000', b
assert b['fills'] == [{'price': '30000.00000000', 'qty': '0.20000000', 'commission': '0.00020000',
                       'commissionAsset': 'BTC', 'tradeId': 1}], b['fills']
# 10 bps in the asset received: alice gets 0.2 - 0.0002 BTC, the maker 6000 - 6 USDT.
assert bal(alice)['BTC'] == ('1.69980000', '0.00000000') and bal(alice)['USDT'] == ('94000.00000000', '0.00000000'), bal(alice)
assert bal(maker)['USDT'] == ('10005994.00000000', '0.00000000') and bal(maker)['BTC'] == ('199.50000000', '0.30000000'), bal(maker)
st, o, _ = maker.call('GET', '/api/v3/order', symbol='BTCUSDT', origClientOrderId='ask-1')
assert o['status'] == 'PARTIALLY_FILLED' and o['executedQty'] == '0.20000000', o
t = alice.call('GET', '/api/v3/myTrades', symbol='BTCUSDT')[1]
assert len(t) == 1 and t[0]['isBuyer'] and not t[0]['isMaker'] and t[0]['orderId'] == b['orderId'], t
t = maker.call('GET', '/api/v3/myTrades', symbol='BTCUSDT')[1]
assert len(t) == 1 and t[0]['isMaker'] and t[0]['commission'] == '6.00000000' and t[0]['commissionAsset'] == 'USDT', t
oo = maker.call('GET', '/api/v3/openOrders', symbol='BTCUSDT')[1]
assert [x['clientOrderId'] for x in oo] == ['ask-1'], oo
PY

check "the documented refusals, each changing nothing" xpy <<'PY'
import sys, time
from binance_client import clients_from_argv, Client
c = clients_from_argv(sys.argv)
alice = c['alice']
def err(r):
    return r[0], r[1]['code'], r[1]['msg']
order = dict(symbol='BTCUSDT', side='BUY', type='LIMIT', timeInForce='GTC', quantity='0.01', price='20000')
assert err(alice.call('POST', '/api/v3/order', signature='0' * 64, **order))[:2] == (400, -1022)
assert err(Client(int(sys.argv[1]), None, 'x').call('GET', '/api/v3/account'))[:2] == (401, -2014)
assert err(Client(int(sys.argv[1]), 'A' * 64, 'x').call('GET', '/api/v3/account'))[:2] == (401, -2015)
old = int(time.time() * 1000) - 10000
assert err(alice.call('GET', '/api/v3/account', timestamp=old)) == (400, -1021, 'Timestamp for this request is outside of the recvWindow.')
assert alice.call('GET', '/api/v3/account', timestamp=old, recvWindow=60000)[0] == 200
assert err(alice.call('GET', '/api/v3/account', timestamp=old + 20000))[:2] == (400, -1021)
assert err(alice.call('POST', '/api/v3/order', **dict(order, quantity='0.000015'))) == (400, -1013, 'Filter failure: LOT_SIZE')
assert err(alice.call('POST', '/api/v3/order', **dict(order, price='20000.005'))) == (400, -1013, 'Filter failure: PRICE_FILTER')
assert err(alice.call('POST', '/api/v3/order', **dict(order, quantity='0.0001'))) == (400, -1013, 'Filter failure: MIN_NOTIONAL')
assert err(alice.call('POST', '/api/v3/order', **dict(order, quantity='100'))) == (400, -2010, 'Account has insufficient balance for requested action.')
assert err(alice.call('POST', '/api/v3/order', **dict(order, newClientOrderId='buy-1'))) == (400, -2010, 'Duplicate order sent.')
assert err(alice.call('POST', '/api/v3/order', **dict(order, type='STOP_LOSS')))[:2] == (400, -1116)
assert err(alice.call('POST', '/api/v3/order', **dict(order, color='blue')))[:2] == (400, -1104)
assert err(alice.call('DELETE', '/api/v3/order', symbol='BTCUSDT', orderId=1)) == (400, -2011, 'Unknown order sent.')
assert err(alice.call('GET', '/api/v3/order', symbol='BTCUSDT', orderId=999))[:2] == (400, -2013)
bal = {b['asset']: b for b in alice.call('GET', '/api/v3/account')[1]['balances']}
assert bal['USDT']['free'] == '94000.00000000' and bal['USDT']['locked'] == '0.00000000', bal
assert alice.call('GET', '/api/v3/openOrders')[1] == []
PY

check "a resting bid of alice, canceled by its client id, frees its lock" xpy <<'PY'
import sys
from binance_client import clients_from_argv
alice = clients_from_argv(sys.argv)['alice']
st, o, _ = alice.call('POST', '/api/v3/order', symbol='ETHUSDT', side='BUY', type='LIMIT',
                      timeInForce='GTC', quantity='1.5', price='1000', newClientOrderId='bid-eth')
assert st == 200 and o['status'] == 'NEW', o
acct = {b['asset']: b for b in alice.call('GET', '/api/v3/account')[1]['balances']}
assert acct['USDT']['locked'] == '1500.00000000', acct
st, o, _ = alice.call('DELETE', '/api/v3/order', symbol='ETHUSDT', origClientOrderId='bid-eth')
assert st == 200 and o['status'] == 'CANCELED' and o['origClientOrderId'] == 'bid-eth', o
acct = {b['asset']: b for b in alice.call('GET', '/api/v3/account')[1]['balances']}
assert acct['USDT']['locked'] == '0.00000000' and acct['USDT']['free'] == '94000.00000000', acct
PY

# The state a client saw before the crash, to compare after it.
xpy <<'PY' >"$TMP/before.json"
import sys, json
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv)
out = {}
for name in ('maker', 'alice'):
    cl = c[name]
    out[name] = {'balances': cl.call('GET', '/api/v3/account')[1]['balances'],
                 'open': cl.call('GET', '/api/v3/openOrders')[1],
                 'trades': cl.call('GET', '/api/v3/myTrades', symbol='BTCUSDT')[1]}
print(json.dumps(out, sort_keys=True))
PY
serve_stop KILL
daemon_start b "exchange listening" exchange --db "$DB" --keys "$KEYS" --no-makers \
    || { bad "exchange restarts"; finish; exit 1; }
check "after kill -9 and a restart: balances, open orders and trades as acknowledged" xpy <<'PY'
import sys, json
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv)
before = json.load(open(sys.argv[3] + '/before.json'))
for name in ('maker', 'alice'):
    cl = c[name]
    now = {'balances': cl.call('GET', '/api/v3/account')[1]['balances'],
           'open': cl.call('GET', '/api/v3/openOrders')[1],
           'trades': cl.call('GET', '/api/v3/myTrades', symbol='BTCUSDT')[1]}
    assert now == before[name], (name, now, before[name])
PY
check "after the restart: a client order id is still a duplicate, the ids go on" xpy <<'PY'
import sys
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv)
alice = c['alice']
r = alice.call('POST', '/api/v3/order', symbol='BTCUSDT', side='BUY', type='MARKET', quantity='0.01', newClientOrderId='buy-1')
assert r[:2] == (400, {'code': -2010, 'msg': 'Duplicate order sent.'}), r
st, o, _ = alice.call('POST', '/api/v3/order', symbol='BTCUSDT', side='BUY', type='MARKET', quantity='0.01')
assert st == 200 and o['orderId'] == 4 and o['fills'][0]['tradeId'] == 2, o
PY
check "the restart recovered from the journal, not from the keys file" grep -q '"events_recovered":[1-9]' "$TMP/b.log"
serve_stop TERM
check "SIGTERM: exit 0" [ "$STOP_RC" -eq 0 ]

daemon_start c "exchange listening" exchange --db mem: --keys "$KEYS" --no-makers \
    --orders-per-10s 3 || { bad "exchange starts (rate limits)"; finish; exit 1; }
check "ORDERS 3 per 10 s: the 4th order is 429 -1015 with Retry-After, the counts in headers" xpy <<'PY'
import sys
from binance_client import clients_from_argv
alice = clients_from_argv(sys.argv)['alice']
order = dict(symbol='BTCUSDT', side='BUY', type='LIMIT', timeInForce='GTC', quantity='0.01', price='20000')
counts = []
for i in range(3):
    st, o, h = alice.call('POST', '/api/v3/order', **order)
    assert st == 200, o
    counts.append(h['x-mbx-order-count-10s'])
assert counts == ['1', '2', '3'], counts
st, o, h = alice.call('POST', '/api/v3/order', **order)
assert st == 429 and o['code'] == -1015, (st, o)
assert 1 <= int(h['retry-after']) <= 10, h
assert len(alice.call('GET', '/api/v3/openOrders')[1]) == 3
PY
serve_stop TERM

expect_usage "a keys file that is not there" "keys" exchange --keys "$TMP/none.json" --db mem:
printf '[{"account":"a","api_key":"k1","secret":"TOPSECRET","balances":{"USDT":"-1"}}]' >"$TMP/bad.json"
expect_usage "a negative balance, named, without the secret" "entry" exchange --keys "$TMP/bad.json" --db mem:
check "the refusal does not print the secret" bash -c "! grep -q TOPSECRET '$TMP/u.err'"
finish
