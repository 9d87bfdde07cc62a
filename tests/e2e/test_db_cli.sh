#!/usr/bin/env bash
# End-to-end: `tradeloop db` on a real SQLite database whose desk rows are inserted with sqlite3
# (as a desk's journal would commit them): every view as JSON and as a table, the figures worked
# out by hand, and the refusals.
. "$(dirname "$0")/lib.sh"

DB=$TMP/desk.db
# A database of the current schema: a short shadow run creates it (no desk rows in it).
run_tl "$TMP/k.out" "$TMP/k.err" shadow --db "sqlite:$DB" --iterations 3 --seed 7 --json
check "the database is created" [ "$RC" -eq 0 ]

# 2025-01-01T00:00:00Z = 1735689600 s. Money in 1e-8 units: 100000 = 10000000000000.
sqlite3 "$DB" <<'SQL'
INSERT INTO quotes (workspace, quote_id, ts_ns, symbol, side, amount, amount_asset, lp,
  lp_quote_id, lp_price, client_price, valid_until_ns, event) VALUES
 ('desk', 'Q1', 1735689600000000000, 'BTCUSDT', 'BUY', 150000000, 'BTC', 'LP-1', 'a1',
  10000000000000, 10005000000000, 1735689608000000000, 'locked'),
 ('desk', 'Q1', 1735689601000000000, 'BTCUSDT', 'BUY', 150000000, 'BTC', 'LP-2', 'b1',
  9999000000000, 10003999500000, 1735689609000000000, 'improved'),
 ('desk', 'Q2', 1735689700000000000, 'BTCUSDT', 'SELL', 50000000, 'BTC', 'LP-1', '',
  10010000000000, 10004995000000, 1735689708000000000, 'expired');
INSERT INTO lp_quotes (workspace, request_id, ts_ns, lp, lp_quote_id, symbol, side, amount,
  status, bid, ask, price, response_ns, won, reason) VALUES
 ('desk', 'R1', 1735689600200000000, 'LP-1', 'a1', 'BTCUSDT', 'BUY', 150000000, 'quoted',
  9999000000000, 10000000000000, 10000000000000, 200000000, 1, ''),
 ('desk', 'R1', 1735689600400000000, 'LP-2', 'b0', 'BTCUSDT', 'BUY', 150000000, 'quoted',
  10004000000000, 10005000000000, 10005000000000, 400000000, 0, ''),
 ('desk', 'R1', 1735689600100000000, 'LP-3', '', 'BTCUSDT', 'BUY', 150000000, 'refused',
  0, 0, 0, 100000000, 0, 'no liquidity'),
 ('desk', 'R2', 1735689601300000000, 'LP-1', 'a2', 'BTCUSDT', 'BUY', 150000000, 'quoted',
  10009000000000, 10010000000000, 10010000000000, 300000000, 0, ''),
 ('desk', 'R2', 1735689601500000000, 'LP-2', 'b1', 'BTCUSDT', 'BUY', 150000000, 'quoted',
  9999000000000, 10000000000000, 10000000000000, 500000000, 1, ''),
 ('desk', 'R2', 1735689603000000000, 'LP-3', '', 'BTCUSDT', 'BUY', 150000000, 'late',
  0, 0, 0, 2000000000, 0, 'answered after 2s');
INSERT INTO executions (execution_id, ts_ns, workspace, quote_id, status, lp, hedge_side,
  hedge_base_qty, hedge_quote_qty, executed_qty, avg_price, commission, pnl, pnl_asset,
  pnl_after_fees, pnl_bps, error) VALUES
 ('E20250101-000002-000', 1735689602000000000, 'desk', 'Q1', 'SUCCESS', 'LP-2', 'BUY',
  150000000, 14998500000000, 150000000, 9999000000000, 1499850000, 7500000000, 'USDT',
  6000150000, 399933367, ''),
 ('E20250101-000140-000', 1735689700000000000, 'desk', 'Q2', 'FAILED', 'LP-1', 'SELL',
  0, 0, 0, 0, 0, 0, '', 0, 0, 'LP refused: quote expired'),
 ('E20250101-000150-500', 1735689710500000000, 'desk', 'Q3', 'SUCCESS', 'LP-1', 'BUY',
  50000000, 5000000000000, 50000000, 10000000000000, 0, 25000, 'BTC', 25000, 500000000, '');
SQL
check "rows inserted" [ "$(sqlite3 "$DB" "SELECT count(*) FROM executions")" = 3 ]

# executions: newest first, exact decimals, sorted keys; N cuts.
run_tl "$TMP/e.json" "$TMP/e.err" db executions 2 --db "$DB" --json
check "db executions 2 exits 0" [ "$RC" -eq 0 ]
check "nothing on stderr" [ ! -s "$TMP/e.err" ]
check "executions JSON" python3 - "$TMP/e.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text)
assert list(d) == ["executions"], d
e = d["executions"]
assert [x["execution_id"] for x in e] == ["E20250101-000150-500", "E20250101-000140-000"], e
assert list(e[0]) == sorted(e[0]), list(e[0])
x = e[0]
assert x["time"] == "2025-01-01T00:01:50.500Z" and x["status"] == "SUCCESS", x
assert x["pnl_asset"] == "BTC" and x["hedge_side"] == "BUY" and x["lp"] == "LP-1", x
assert '"pnl":0.00025' in text and '"pnl_bps":5' in text and '"avg_price":100000' in text, text
assert e[1]["error"] == "LP refused: quote expired" and e[1]["status"] == "FAILED", e[1]
PY
run_tl "$TMP/e3.json" "$TMP/e3.err" db executions --db "$DB" --json
check "db executions (default N) shows all 3" python3 -c "
import json,sys; d=json.load(open('$TMP/e3.json')); assert len(d['executions']) == 3
assert d['executions'][2]['pnl'] == 75 and str(d['executions'][2]['pnl_bps']) == '3.99933367'"

# quotes.
run_tl "$TMP/q.json" "$TMP/q.err" db quotes 10 --db "$DB" --json
check "db quotes exits 0" [ "$RC" -eq 0 ]
check "quotes JSON: newest first, events, decimals" python3 - "$TMP/q.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
q = json.loads(text)["quotes"]
assert [(x["quote_id"], x["event"]) for x in q] == [("Q2", "expired"), ("Q1", "improved"),
                                                    ("Q1", "locked")], q
assert q[1]["lp"] == "LP-2" and q[1]["side"] == "BUY" and q[1]["valid_until"] == "2025-01-01T00:00:09.000Z"
assert '"client_price":100039.995' in text and '"amount":0.5' in text, text
PY

# lps: the scorecards worked out by hand.
run_tl "$TMP/l.json" "$TMP/l.err" db lps --db "$DB" --json
check "db lps exits 0" [ "$RC" -eq 0 ]
check "LP scorecards" python3 - "$TMP/l.json" <<'PY'
import json, sys
from decimal import Decimal
text = open(sys.argv[1]).read()
lps = json.loads(text, parse_float=Decimal)["lps"]
by = {x["lp"]: x for x in lps}
assert [x["lp"] for x in lps] == ["LP-1", "LP-2", "LP-3"], lps
a, b, c = by["LP-1"], by["LP-2"], by["LP-3"]
# LP-1: R1 best (0 bps), R2 10010 vs best 10000 = 10 bps; won R1; 1 success, 1 failure.
assert (a["requested"], a["answered"], a["wins"], a["executions"], a["failed"]) == (2, 2, 1, 1, 1), a
assert a["best_bps"] == 0 and a["worst_bps"] == 10 and a["win_rate"] == Decimal("0.5"), a
assert a["mean_response_ns"] == 250000000 and a["p95_response_ns"] == 300000000, a
# LP-2: R1 10005 vs 10000 = 5 bps, R2 best; 1 success.
assert b["best_bps"] == 0 and b["worst_bps"] == 5 and b["executions"] == 1, b
# LP-3: never answered: a refusal and a late answer.
assert (c["requested"], c["answered"], c["refused"], c["late"]) == (2, 0, 1, 1), c
assert c["best_bps"] is None and c["response_rate"] == 0 and c["p95_response_ns"] == 0, c
PY

# stats.
run_tl "$TMP/s.json" "$TMP/s.err" db stats --db "$DB" --json
check "db stats JSON, byte for byte" [ "$(cat "$TMP/s.json")" = \
'{"stats":{"executions":3,"failed":1,"pnl":[{"asset":"BTC","pnl":0.00025,"pnl_after_fees":0.00025},{"asset":"USDT","pnl":75,"pnl_after_fees":60.0015}],"success_rate":0.66666667,"succeeded":2}}' ]

# all: one document, the four sections in key order; the same run twice is byte-identical.
run_tl "$TMP/a.json" "$TMP/a.err" db all --db "sqlite:$DB" --json
run_tl "$TMP/a2.json" "$TMP/a2.err" db all --db "sqlite:$DB" --json
check "db all exits 0" [ "$RC" -eq 0 ]
check "db all: executions, lps, quotes, stats" python3 -c "
import json; d=json.load(open('$TMP/a.json')); assert list(d) == ['executions','lps','quotes','stats'], list(d)"
check "db all is deterministic" cmp -s "$TMP/a.json" "$TMP/a2.json"

# Tables.
run_tl "$TMP/t.out" "$TMP/t.err" db executions --db "$DB" --format table
check "executions table: header and newest row" grep -qE \
    '^EXECUTION +TIME +STATUS' "$TMP/t.out"
check "executions table: a row with its error" grep -qE \
    '^E20250101-000140-000 +2025-01-01T00:01:40.000Z +FAILED +LP-1 .*LP refused: quote expired$' \
    "$TMP/t.out"
check "executions table: 1 header + 3 rows" [ "$(wc -l <"$TMP/t.out")" -eq 4 ]
run_tl "$TMP/tq.out" "$TMP/tq.err" db quotes 1 --db "$DB" --format table
check "quotes table: one row" [ "$(wc -l <"$TMP/tq.out")" -eq 2 ]
check "quotes table: the expired quote" grep -qE '^2025-01-01T00:01:40.000Z +Q2 +expired +LP-1 +SELL +0.5 ' "$TMP/tq.out"
run_tl "$TMP/tl.out" "$TMP/tl.err" db lps --db "$DB" --format table
check "lps table: LP-1's line" grep -qE \
    '^LP-1 +2 +2 +100.00% +250.000 +300.000 +1 +50.00% +1 +1 +0 +0 +0.00 +10.00$' "$TMP/tl.out"
check "lps table: LP-3 has no prices" grep -qE '^LP-3 +2 +0 +0.00% .* +- +-$' "$TMP/tl.out"
run_tl "$TMP/ts.out" "$TMP/ts.err" db stats --db "$DB" --format table
check "stats table" [ "$(cat "$TMP/ts.out")" = "$(printf '%s\n' 'executions      3' \
    'succeeded       2' 'failed          1' 'success rate    66.67%' \
    'total P&L BTC   0.00025 (after fees 0.00025)' 'total P&L USDT  75 (after fees 60.0015)')" ]
run_tl "$TMP/ta.out" "$TMP/ta.err" db all --db "$DB" --format table
check "all table: the four sections" [ "$(grep -c '^== ' "$TMP/ta.out")" -eq 4 ]

# An empty database: empty sections, not errors.
EMPTY=$TMP/empty.db
run_tl "$TMP/k2.out" "$TMP/k2.err" shadow --db "$EMPTY" --iterations 3 --seed 7 --json
run_tl "$TMP/z.json" "$TMP/z.err" db all --db "$EMPTY" --json
check "db all on no rows exits 0" [ "$RC" -eq 0 ]
check "db all on no rows" [ "$(cat "$TMP/z.json")" = \
'{"executions":[],"lps":[],"quotes":[],"stats":{"executions":0,"failed":0,"pnl":[],"success_rate":0,"succeeded":0}}' ]
run_tl "$TMP/z.out" "$TMP/z.err" db executions --db "$EMPTY" --format table
check "no executions, said so" [ "$(cat "$TMP/z.out")" = "no executions" ]

# Read-only: the database is not changed, an older one is refused (a desk migrates it).
before=$(sqlite3 "$DB" "SELECT count(*) FROM quotes; SELECT value FROM tradeloop_meta WHERE key='schema_version'")
OLD=$TMP/old.db
cp "$EMPTY" "$OLD"
sqlite3 "$OLD" "DROP VIEW quotes_v; DROP VIEW lp_quotes_v; DROP VIEW executions_v;
    DROP TABLE quotes; DROP TABLE lp_quotes; DROP TABLE executions;
    UPDATE tradeloop_meta SET value = '4' WHERE key = 'schema_version'"
run_tl "$TMP/o.out" "$TMP/o.err" db stats --db "$OLD" --json
check "an older schema: exit 1" [ "$RC" -eq 1 ]
check "an older schema: says so" grep -q "schema version 4 is older" "$TMP/o.err"
check "the older database is left as it was" [ "$(sqlite3 "$OLD" \
    "SELECT value FROM tradeloop_meta WHERE key='schema_version'")" = 4 ]
check "the database read is unchanged" [ "$(sqlite3 "$DB" "SELECT count(*) FROM quotes; \
    SELECT value FROM tradeloop_meta WHERE key='schema_version'")" = "$before" ]
run_tl "$TMP/m.out" "$TMP/m.err" db stats --db "$TMP/missing.db"
check "a missing database: exit 1, not created" [ "$RC" -eq 1 ] && [ ! -e "$TMP/missing.db" ]

# Usage errors: exit 2, one line.
expect_usage "no view" "which view" db --db "$DB"
expect_usage "unknown view" "unknown view 'trades'" db trades --db "$DB"
expect_usage "N not a number" "N must be a whole number 1-100000 \\(got 'ten'\\)" db executions ten --db "$DB"
expect_usage "N zero" "N must be a whole number" db quotes 0 --db "$DB"
expect_usage "N too large" "N must be a whole number" db quotes 100001 --db "$DB"
expect_usage "lps takes no N" "lps takes no N" db lps 5 --db "$DB"
expect_usage "unknown flag" "unknown|--bogus" db stats --bogus
expect_usage "bad format" "format" db stats --db "$DB" --format xml
expect_usage "mem: holds nothing" "mem:" db stats --db mem:
run_tl "$TMP/h.out" "$TMP/h.err" db --help
check "--help exits 0" [ "$RC" -eq 0 ]
check "--help names the views" grep -q "executions \[N\] | quotes \[N\] | lps | stats | all" "$TMP/h.out"

finish
