#!/usr/bin/env bash
# End-to-end: the live venue adapter (binance+http://) against `tradeloop exchange` on loopback,
# driven by tl_venue_drive (tests/support/venue_drive.c) and checked against what the exchange
# itself says (tests/support/binance_client.py): place, a fill of a resting order found by
# polling, a taker fill from the answer, cancel, a refusal with its mapped reason, balances, and
# a reply lost after the exchange took the order (drop_reply_after_send): exactly one order.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

DRIVE=${TL_VENUE_DRIVE:?TL_VENUE_DRIVE must point at tl_venue_drive}
KEYS=$SRC/data/exchange_keys.json
xpy() { PYTHONPATH="$SRC/tests/support" python3 - "$PORT" "$KEYS" "$TMP" "$@"; }

daemon_start x "exchange listening" exchange --db "sqlite:$TMP/exchange.db" --keys "$KEYS" \
    --no-makers || { bad "exchange starts"; finish; exit 1; }
url() { echo "binance+http://127.0.0.1:$PORT?keys_file=$KEYS&account=$1&poll_ms=20${2:-}"; }
# has FILE PATTERN: a bounded wait for a line of a driver running in the background.
has() {
    for _ in $(seq 1 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.025; done
    return 1
}

# The maker rests an ask and waits for its fill, which only polling can find.
{
    echo "place 1 BTCUSDT SELL LIMIT 0.5 30000"
    echo "await 1 ACCEPTED"
    has "$TMP/alice1.out" '"report":"FILL"' >/dev/null
    echo "await 1 FILL"
    echo "cancel 1"
    echo "await 1 CANCELED"
    echo "fills"
} | "$DRIVE" "$(url maker)" >"$TMP/maker.out" &
MAKER=$!
check "the maker's ask is accepted" has "$TMP/maker.out" '"report":"ACCEPTED","client_seq":1'
printf '%s\n' "place 1 BTCUSDT BUY MARKET 0.2" "await 1 FILL" \
    "place 2 BTCUSDT BUY LIMIT 0.1 29000" "await 2 ACCEPTED" "orders" "cancel 2" \
    "await 2 CANCELED" "place 3 BTCUSDT BUY LIMIT 1000 29000" "await 3 REJECTED" \
    "place 4 BTCUSDT BUY LIMIT 0.000001 29000" "await 4 REJECTED" "positions" |
    "$DRIVE" "$(url alice)" >"$TMP/alice1.out"
check "alice's session ends well" test $? -eq 0
wait $MAKER
check "the maker's session ends well" test $? -eq 0

check "the reports are the exchange's: ids, quantities, fees, reasons" \
    python3 - "$TMP/maker.out" "$TMP/alice1.out" <<'PY'
import json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
a = [json.loads(l) for l in open(sys.argv[2])]
r = [x for x in a if 'report' in x]
kinds = [(x['report'], x['client_seq']) for x in r]
assert kinds == [('ACCEPTED', 1), ('FILL', 1), ('ACCEPTED', 2), ('CANCELED', 2),
                 ('REJECTED', 3), ('REJECTED', 4)], kinds
f = r[1]
# 10 bps in BTC, the asset alice receives, priced at the trade: 0.0002 BTC = 6 USDT.
assert (f['trade_id'], f['qty'], f['price'], f['fee']) == ('1', '0.2', '30000', '6'), f
assert r[4]['text'] == 'insufficient balance', r[4]
assert r[5]['text'] == 'filter: LOT_SIZE', r[5]
o = [x for x in a if 'order' in x]
assert [(x['order'], x['status'], x['qty']) for x in o] == [(2, 'OPEN', '0.1')], o
pos = {x['position']: x['qty'] for x in a if 'position' in x}
assert pos['BTC'] == '1.6998' and pos['USDT'] == '94000', pos
mr = [(x['report'], x.get('trade_id'), x.get('qty')) for x in m if 'report' in x]
assert mr == [('ACCEPTED', '', '0'), ('FILL', '1', '0.2'), ('CANCELED', '', '0')], mr
assert [x['trade_id'] for x in m if 'fill' in x] == ['1'], m
PY

check "the exchange agrees: the maker's ask canceled after 0.2, alice's as reported" xpy <<'PY'
import sys
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv)
def order(who, cid):
    return c[who].call('GET', '/api/v3/order', symbol='BTCUSDT', origClientOrderId=cid)
st, o, _ = order('maker', 'CLI00000001')
assert st == 200 and o['status'] == 'CANCELED' and o['executedQty'] == '0.20000000', o
st, o, _ = order('alice', 'CLI00000002')
assert o['status'] == 'CANCELED', o
assert c['alice'].call('GET', '/api/v3/openOrders', symbol='BTCUSDT')[1] == []
PY

# The reply of the first place is thrown away after the exchange took the order: the adapter
# sends again with the same client order id, meets the duplicate refusal, and adopts the order.
printf '%s\n' "place 20 ETHUSDT BUY LIMIT 0.5 1000" "await 20 ACCEPTED" "orders" |
    "$DRIVE" "$(url alice '&drop_reply_after_send=1')" >"$TMP/lost.out"
check "lost reply: the session ends well" test $? -eq 0
check "lost reply: one ACCEPTED, one order at the exchange" xpy "$TMP/lost.out" <<'PY'
import json, sys
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv[:3])
out = [json.loads(l) for l in open(sys.argv[4])]
acc = [x for x in out if x.get('report') == 'ACCEPTED']
assert len(acc) == 1 and acc[0]['client_seq'] == 20, out
oo = c['alice'].call('GET', '/api/v3/openOrders', symbol='ETHUSDT')[1]
assert [x['clientOrderId'] for x in oo] == ['CLI00000020'], oo
assert acc[0]['venue_seq'] == oo[0]['orderId'], (acc, oo)
assert [x['order'] for x in out if 'order' in x] == [20], out
PY

# The same id again in a new session: on a first send the duplicate is another order's, so it is
# refused, never adopted.
printf '%s\n' "place 20 ETHUSDT BUY LIMIT 0.5 999" "await 20 REJECTED" |
    "$DRIVE" "$(url alice)" >"$TMP/dup.out"
check "a reused id is refused as a duplicate" grep -q '"text":"duplicate client order id"' \
    "$TMP/dup.out"
check "and the exchange still holds one order for it" xpy <<'PY'
import sys
from binance_client import clients_from_argv
oo = clients_from_argv(sys.argv)['alice'].call('GET', '/api/v3/openOrders', symbol='ETHUSDT')[1]
assert [(x['clientOrderId'], x['price']) for x in oo] == [('CLI00000020', '1000.00000000')], oo
PY

# Refusals at open: no keys, a wrong secret's signature (the time sync is public, so the first
# signed request says it), nothing listening.
printf 'orders\n' | "$DRIVE" "binance+http://127.0.0.1:$PORT" >"$TMP/nokeys.out"
check "no keys: refused at open" grep -q 'no keys' "$TMP/nokeys.out"
export TL_BNC_K=mGwjOLEsRCbRfWmouDgdXNVSdes92eP9Kd7jXLMxvO6mA8R6xzVLPyAgCPnHXigJ TL_BNC_S=wrong
printf 'orders\n' | "$DRIVE" "binance+http://127.0.0.1:$PORT?key_env=TL_BNC_K&secret_env=TL_BNC_S" \
    >"$TMP/badsig.out"
check "a wrong secret: the signature refused, the secret not shown" \
    bash -c "grep -q 'Signature' '$TMP/badsig.out' && ! grep -q '=wrong\|\"wrong' '$TMP/badsig.out'"

serve_stop TERM
check "the exchange stops cleanly" test "$STOP_RC" -eq 0
finish
