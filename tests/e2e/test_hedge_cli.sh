#!/usr/bin/env bash
# End-to-end: `tradeloop hedge` prints the seed's example exactly (table and JSON), the other
# profit asset and a sell, and refuses bad flags with one line naming the flag.
. "$(dirname "$0")/lib.sh"

# with SIDE AMOUNT ASSET SYMBOL LP_PRICE MARKUP: the flags of one calculation into ARGS.
with() { ARGS=(hedge --side "$1" --amount "$2" --asset "$3" --symbol "$4" --lp-price "$5" --markup-bps "$6"); }
with buy 1.5 base BTCUSDT 100000 5
SEED=("${ARGS[@]}")

# The seed: buy 1.5 BTC at 100,000 with 5 bps markup: the client pays 150,075.00000000 USDT and
# the desk keeps 75 USDT.
run_tl "$TMP/t.out" "$TMP/t.err" "${SEED[@]}" --format table
check "table exits 0" [ "$RC" -eq 0 ]
check "nothing on stderr" [ ! -s "$TMP/t.err" ]
check "table: the seed's box" diff - "$TMP/t.out" <<'TXT'
======================================================================
HEDGE BTCUSDT
======================================================================

  Side:           BUY 1.50000000 BTC
  LP price:       100,000.00000000 USDT
  Client price:   100,050.00000000 USDT (markup 5 bps)
  Client pays:    150,075.00000000 USDT
  Client gets:    1.50000000 BTC
  Hedge:          BUY 1.50000000 BTC for 150,000.00000000 USDT
  Profit:         75.00000000 USDT
  Hedge fee:      0.00000000 USDT (0 bps)
  Net P&L:        75.00000000 USDT (5.00 bps)

======================================================================
TXT

run_tl "$TMP/j.out" "$TMP/j.err" "${SEED[@]}" --json
check "JSON exits 0" [ "$RC" -eq 0 ]
check "JSON: exact decimals, sorted keys, one line" python3 - "$TMP/j.out" <<'PY'
import json, sys
from decimal import Decimal as D
text = open(sys.argv[1]).read()
assert text.count("\n") == 1 and text.endswith("\n"), text
pairs = json.loads(text, object_pairs_hook=lambda kv: kv, parse_float=D)
keys = [k for k, _ in pairs]
assert keys == sorted(keys), keys
got = dict(pairs)
want = {"amount": D("1.5"), "amount_asset": "BTC", "base": "BTC", "client_base": D("1.5"),
        "client_gets": D("1.5"), "client_gets_asset": "BTC", "client_pays": 150075,
        "client_pays_asset": "USDT", "client_price": 100050, "client_quote": 150075, "fee": 0,
        "fee_bps": 0, "fee_quote": 0, "hedge_base": D("1.5"), "hedge_quote": 150000,
        "hedge_side": "BUY", "lp_price": 100000, "markup_bps": 5, "pnl": 75,
        "pnl_bps": D("4.99750125"), "profit": 75, "profit_asset": "USDT", "quote": "USDT",
        "side": "BUY", "symbol": "BTCUSDT"}
assert got == want, got
PY

# Profit kept in BTC, with a 2 bps fee: the hedge spends all 150,075 USDT on 1.50075 BTC; the fee
# 30.015 USDT is 0.00030015 BTC at 100,000.
run_tl "$TMP/b.out" "$TMP/b.err" "${SEED[@]}" --profit-asset base --fee-bps 2 --json
check "profit in base exits 0" [ "$RC" -eq 0 ]
check "profit in base: 0.00075 BTC, fee converted, P&L after it" python3 - "$TMP/b.out" <<'PY'
import json, sys
from decimal import Decimal as D
r = json.loads(open(sys.argv[1]).read(), parse_float=D)
got = {k: r[k] for k in ("hedge_base", "hedge_quote", "profit", "profit_asset", "fee",
                         "fee_quote", "pnl", "pnl_bps")}
assert got == {"hedge_base": D("1.50075"), "hedge_quote": 150075, "profit": D("0.00075"),
               "profit_asset": "BTC", "fee": D("0.00030015"), "fee_quote": D("30.015"),
               "pnl": D("0.00044985"), "pnl_bps": D("2.99750125")}, got
PY

# A sell of 1000 USDT worth, the rates from the environment (as `tradeloop rfq` reads them).
TRADELOOP_MARKUP_BPS=5 TRADELOOP_FEE_BPS=2 run_tl "$TMP/s.out" "$TMP/s.err" hedge --side sell \
    --amount 1000 --asset quote --symbol BTCUSDT --lp-price 100000 --format table
check "sell exits 0" [ "$RC" -eq 0 ]
check "sell: the client gives 0.010005 BTC" grep -qx "  Client pays:    0.01000500 BTC" "$TMP/s.out"
check "sell: the hedge sells it for 1000.5" \
    grep -qx "  Hedge:          SELL 0.01000500 BTC for 1,000.50000000 USDT" "$TMP/s.out"
check "sell: net P&L after the fee" \
    grep -qx "  Net P&L:        0.29990000 USDT (3.00 bps)" "$TMP/s.out"

# Refusals: exit 2, one line, naming the flag.
expect_usage "missing --markup-bps" "--markup-bps is required" hedge --side buy --amount 1.5 \
    --asset base --symbol BTCUSDT --lp-price 100000
expect_usage "missing --side" "--side is required" hedge "${SEED[@]:3}"
with hold 1.5 base BTCUSDT 100000 5
expect_usage "bad side" "^tradeloop hedge: --side: want buy or sell, got 'hold'" "${ARGS[@]}"
with buy 1.5 btc BTCUSDT 100000 5
expect_usage "bad asset" "--asset: want base or quote, got 'btc'" "${ARGS[@]}"
TRADELOOP_PROFIT_ASSET=usd expect_usage "bad profit asset" "TRADELOOP_PROFIT_ASSET \(environment\): want base or quote" \
    "${SEED[@]}"
with buy 1.5 base BTCXYZ 100000 5
expect_usage "unknown quote asset" "--symbol: BTCXYZ: unknown quote asset" \
    "${ARGS[@]}"
with buy 1.5 base btcusdt 100000 5
expect_usage "lower case symbol" "--symbol: symbol 'btcusdt' must be 1..15 of \[A-Z0-9\]" \
    "${ARGS[@]}"
with buy 0 base BTCUSDT 100000 5
expect_usage "amount not positive" "--amount: must be positive" "${ARGS[@]}"
with buy 1.123456789 base BTCUSDT 100000 5
expect_usage "amount past 8 decimals" "--amount: '1.123456789'.*more than 8 decimals" "${ARGS[@]}"
with sell 1.5 base BTCUSDT 100000 10000
expect_usage "markup of 100%" "--markup-bps: 10000 is above the maximum 9999.99999999" \
    "${ARGS[@]}"
expect_usage "negative fee" "--fee-bps: -1 is below the minimum 0" "${SEED[@]}" --fee-bps -1
with buy 0.00000001 quote BTCUSDT 100000 5
expect_usage "amount too small" "hedge: the client base quantity rounds to 0" "${ARGS[@]}"
with buy 1000000 base BTCUSDT 100000 5
expect_usage "out of range" "hedge: client quote quantity out of range" "${ARGS[@]}"
expect_usage "contradicting formats" "contradict" "${SEED[@]}" --json --format table

finish
