#!/usr/bin/env bash
# test_backtest_cli.sh -- `tradeloop backtest` on the shipped MSFT series: its figures against an
# independent Python implementation of breakout_52w_high and of the metrics (standard library,
# exact decimals), the journal it leaves (the paper broker's own state and digest), the SVG, a
# repeated run, and every refusal.
. "$(dirname "$0")/lib.sh"
DATA=$SRC/data/msft_daily.csv

# ---- figures against an independent recomputation --------------------------------------------
for L in 20 60; do
    run_tl "$TMP/b$L.json" "$TMP/b$L.err" backtest --data "$DATA" --strategy breakout_52w_high \
        --param entry.lookback_days=$L --param exit.hold_bars=3 --json
    check "lookback $L: exit 0" [ "$RC" -eq 0 ]
    check "lookback $L: the figures equal Python's" python3 - "$DATA" "$TMP/b$L.json" $L 3 <<'PY'
import csv, json, sys
from decimal import Decimal as D, getcontext, ROUND_HALF_UP
getcontext().prec = 50
rows = list(csv.DictReader(open(sys.argv[1])))
got = json.load(open(sys.argv[2]))
L, hold = int(sys.argv[3]), int(sys.argv[4])
high = [D(r['high']) for r in rows]
close = [D(r['close']) for r in rows]
cash, start = D(10000), D(10000)
pos = None      # (entry bar, qty, price)
trades = []
for t in range(len(rows)):
    if pos and t == pos[0] + hold:                      # exits first
        cash += pos[1] * close[t]
        trades.append((pos[2], close[t], pos[1]))
        pos = None
    if pos is None and t >= L:
        H = max(high[t - L:t])                           # the current bar excluded
        if close[t] > H:
            qty = int(D(1000) / close[t])                # floor: whole units
            if qty >= 1 and qty * close[t] <= cash:
                cash -= qty * close[t]
                pos = (t, qty, close[t])
end = cash + (pos[1] * close[-1] if pos else 0)
q = lambda x: x.quantize(D('0.00000001'), rounding=ROUND_HALF_UP)
eq, peak, dd = start, start, D(0)
for e, x, n in trades:
    eq += (x - e) * n
    peak = max(peak, eq)
    dd = max(dd, (peak - eq) / peak * 100)
rets = [(x - e) / e for e, x, n in trades]
want = {'trade_count': len(trades), 'ending_equity': q(end),
        'return_pct': q((end - start) / start * 100), 'max_drawdown_pct': q(dd)}
assert len(trades) >= 2, trades
for k, v in want.items():
    assert D(str(got[k])) == v, (k, got[k], v)
wins = sum(1 for e, x, n in trades if x > e)
assert D(str(got['win_rate'])) == q(D(wins) / len(trades)), got['win_rate']
profit = sum((x - e) * n for e, x, n in trades if x > e)
loss = -sum((x - e) * n for e, x, n in trades if x < e)
if loss:
    assert D(str(got['profit_factor'])) == q(profit / loss), (got['profit_factor'], profit / loss)
else:
    assert got['profit_factor'] is None
mean = sum(rets) / len(rets)
sd = (sum((r - mean) ** 2 for r in rets) / (len(rets) - 1)).sqrt()
assert abs(D(str(got['sharpe'])) - mean / sd) < D('0.0000005'), (got['sharpe'], mean / sd)
assert (got['open_position'] is None) == (pos is None), (got['open_position'], pos)
PY
done

# The defaults: a 252-bar lookback on 249 bars never trades.
run_tl "$TMP/d.json" "$TMP/d.err" backtest --data "$DATA" --strategy breakout_52w_high --json
check "defaults: no trade, no Sharpe, no profit factor, equity unchanged" python3 - "$TMP/d.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d['trade_count'] == 0 and d['sharpe'] is None and d['profit_factor'] is None, d
assert d['win_rate'] is None and d['return_pct'] == 0 and d['ending_equity'] == 10000, d
assert d['symbol'] == 'MSFT' and d['bars'] == 249, d
PY

# ---- the journal: the broker's own state, a repeated run, the SVG -----------------------------
args=(backtest --data "$DATA" --strategy sma_cross --param sma.fast=5 --param sma.slow=20
      --db "$TMP/bt.db" --workspace sma --plot "$TMP/p.svg" --json)
run_tl "$TMP/s1.json" "$TMP/s1.err" "${args[@]}"
check "sma_cross on a SQLite journal: exit 0" [ "$RC" -eq 0 ]
run_tl "$TMP/st.json" "$TMP/st.err" paper state --db "$TMP/bt.db" --workspace sma --json
check "the paper broker's state of the workspace has the backtest's digest" python3 - \
    "$TMP/s1.json" "$TMP/st.json" <<'PY'
import json, sys
b, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert b['state_digest'] == s['state_digest'] and len(b['state_digest']) == 64, (b, s)
assert b['trade_count'] >= 1, b
PY
run_tl "$TMP/s2.json" "$TMP/s2.err" "${args[@]}"
check "the same run again on the same workspace: the same figures, nothing new journaled" \
    cmp -s "$TMP/s1.json" "$TMP/s2.json"
check "the SVG is well-formed, with the run's entries and exits" python3 - "$TMP/p.svg" \
    "$TMP/s1.json" <<'PY'
import json, sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
n = json.load(open(sys.argv[2]))['trade_count']
cls = [e.get('class') for e in r.iter('{http://www.w3.org/2000/svg}path')]
assert cls.count('entry') == n and cls.count('exit') == n, (cls, n)
PY

# ---- refusals ---------------------------------------------------------------------------------
printf 'timestamp,open,high,low,close,volume\n2000-01-03T00:00:00Z,1,2,0.5,1.5,10\n2000-01-02T00:00:00Z,1,2,0.5,1.5,10\n' >"$TMP/back.csv"
expect_usage "time going back names the file and line" "back.csv:3: .*" \
    backtest --data "$TMP/back.csv" --strategy sma_cross --symbol X
expect_usage "an unknown strategy" "strategy" backtest --data "$DATA" --strategy nosuch
expect_usage "an unknown parameter names it" "entry.nosuch" \
    backtest --data "$DATA" --strategy breakout_52w_high --param entry.nosuch=1
expect_usage "a parameter out of bounds" "entry.lookback_days" \
    backtest --data "$DATA" --strategy breakout_52w_high --param entry.lookback_days=0
expect_usage "no --data" "--data is required" backtest --strategy sma_cross
cp "$DATA" "$TMP/my-bars.csv"
expect_usage "no symbol to be had from the name" "--symbol is required" \
    backtest --data "$TMP/my-bars.csv" --strategy sma_cross
run_tl "$TMP/m.out" "$TMP/m.err" backtest --data "$TMP/nosuch.csv" --strategy sma_cross --symbol X
check "a missing data file is a failure that names it" \
    [ "$RC" -eq 1 ] && grep -q "nosuch.csv" "$TMP/m.err"
finish
