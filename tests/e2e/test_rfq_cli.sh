#!/usr/bin/env bash
# test_rfq_cli.sh -- `tradeloop rfq --script` sessions in simulated time (issue 9): the seed's
# example executed exactly; a better LP replacing the lock; the executions, quotes and lp_quotes
# rows; an expired lock refused; an LP that never answers; an LP that refuses at execution (the
# row records the error, nothing is hedged); the same session twice, byte for byte.
. "$(dirname "$0")/lib.sh"

LP_A='{"name": "LP-A", "base": "100000", "amp": "0", "spread_bps": "0", "delay_min_ms": 100,
  "delay_max_ms": 100, "validity_s": 8, "seed": 1}'
# LP-B's mid falls from 100010 below LP-A's 100000 a second and a half in.
LP_B='{"name": "LP-B", "base": "100010", "amp": "20", "period_s": 10, "phase": "0.5",
  "spread_bps": "0", "delay_min_ms": 50, "delay_max_ms": 50, "validity_s": 8, "seed": 2}'
echo "[$LP_A]" >"$TMP/a.json"
echo "[$LP_A, $LP_B]" >"$TMP/ab.json"
jline() { python3 -c "
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print(($2))" "$1"; }
expect() {
    local got; got=$(jline "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: $2 = '$got', want '$3'"; fi
}
q() { sqlite3 "$1" "$2"; }
rfq() { local out=$1 db=$2; shift 2; run_tl "$out" "$out.err" rfq --db "$db" --json "$@"; }

# --- the seed's example: buy 1.5 BTC at 100,000 with 5 bps markup ---------------------------
printf '# the seed example\nb 1.5 btc btcusdt\nwait 1s\np\n' >"$TMP/s1.txt"
rfq "$TMP/e1" "$TMP/e1.db" --lps "$TMP/a.json" --script "$TMP/s1.txt" --markup-bps 5
check "seed: exit 0 ($(cat "$TMP/e1.err"))" [ "$RC" -eq 0 ]
expect "$TMP/e1" "[e['event'] for e in ev]" "['locked', 'executed']" "seed: locked then executed"
expect "$TMP/e1" "ev[1]['client_pays'], ev[1]['client_pays_asset']" "(150075, 'USDT')" \
    "seed: the client pays 150,075.00000000 USDT"
expect "$TMP/e1" "ev[1]['pnl'], ev[1]['pnl_asset']" "(75, 'USDT')" "seed: 75 USDT kept"
check "seed: one SUCCESS row" [ "$(q "$TMP/e1.db" "SELECT status || ' ' || lp || ' ' ||
    pnl_asset || ' ' || pnl FROM executions")" = "SUCCESS LP-A USDT 7500000000" ]
check "seed: the hedge went through the kernel" [ "$(q "$TMP/e1.db" "SELECT count(*) FROM
    trade_events WHERE type = 8 AND workspace = 'rfq' AND qty = 150000000")" = 1 ]
rfq "$TMP/e1r" "$TMP/e1.db" --lps "$TMP/a.json" --script "$TMP/s1.txt" --markup-bps 5
check "seed again on the same journal: a second execution, its own id ($(cat "$TMP/e1r.err"))" \
    [ "$(q "$TMP/e1.db" "SELECT count(DISTINCT execution_id) FROM executions")" = 2 ]
rfq "$TMP/e1b" "$TMP/e1b.db" --lps "$TMP/a.json" --script "$TMP/s1.txt" --markup-bps 5 \
    --profit-asset base
expect "$TMP/e1b" "ev[1]['pnl'], ev[1]['pnl_asset']" "(0.00075, 'BTC')" "seed: 0.00075 BTC kept"

# --- a better LP replaces the lock; the rows ------------------------------------------------
printf 'b 1.5 btc btcusdt\nwait 3s\np\n' >"$TMP/s2.txt"
rfq "$TMP/e2" "$TMP/e2.db" --lps "$TMP/ab.json" --script "$TMP/s2.txt" --markup-bps 5
expect "$TMP/e2" "ev[0]['event'], ev[0]['lp']" "('locked', 'LP-A')" "first LP-A's 100000"
expect "$TMP/e2" "ev[1]['event'], ev[1]['lp']" "('improved', 'LP-B')" "then LP-B, better"
expect "$TMP/e2" "all(ev[i]['lp_price'] < ev[i-1]['lp_price'] for i in range(1, len(ev)-1))" \
    True "each replacement strictly better"
expect "$TMP/e2" "ev[-1]['event'], ev[-1]['lp'], ev[-1]['lp_price'] == ev[-2]['lp_price']" \
    "('executed', 'LP-B', True)" "p executes the lock"
LOCKS=$(jline "$TMP/e2" "len(ev) - 1")
check "rows: a quotes row per lock change" [ "$(q "$TMP/e2.db" "SELECT count(*) FROM quotes")" = "$LOCKS" ]
check "rows: each won lp_quotes row is a lock change" [ "$(q "$TMP/e2.db" "SELECT count(*) FROM
    lp_quotes WHERE won = 1")" = "$LOCKS" ]
check "rows: two LP answers per round" [ "$(q "$TMP/e2.db" "SELECT count(*) FROM lp_quotes
    GROUP BY request_id HAVING count(*) <> 2")" = "" ]
check "rows: answers with their response times" [ "$(q "$TMP/e2.db" "SELECT DISTINCT lp ||
    ':' || response_ns FROM lp_quotes ORDER BY 1" | tr '\n' ' ')" = "LP-A:100000000 LP-B:50000000 " ]

# --- an expired lock is refused -------------------------------------------------------------
LP_S='{"name": "LP-S", "base": "100000", "amp": "0", "spread_bps": "0", "delay_min_ms": 100,
  "delay_max_ms": 100, "validity_s": 1, "seed": 1}'
echo "[$LP_S]" >"$TMP/s.json"
printf 's 1 btc btcusdt\nwait 3s\np\n' >"$TMP/s3.txt"
rfq "$TMP/e3" "$TMP/e3.db" --lps "$TMP/s.json" --script "$TMP/s3.txt"
expect "$TMP/e3" "[e['event'] for e in ev]" "['locked', 'expired', 'error']" \
    "the lock expired, the stream stopped"
expect "$TMP/e3" "ev[2]['error']" "quote expired" "a later p refused as expired"
check "expired: no execution row" [ "$(q "$TMP/e3.db" "SELECT count(*) FROM executions")" = 0 ]
check "expired: its quotes row" [ "$(q "$TMP/e3.db" "SELECT group_concat(event) FROM quotes")" = "locked,expired" ]

# --- an LP that never answers (its answers come after every poll) ---------------------------
LP_N='{"name": "LP-N", "base": "90000", "amp": "0", "spread_bps": "0", "delay_min_ms": 5000,
  "delay_max_ms": 5000, "validity_s": 8, "seed": 3}'
echo "[$LP_A, $LP_N]" >"$TMP/n.json"
rfq "$TMP/e4" "$TMP/e4.db" --lps "$TMP/n.json" --script "$TMP/s1.txt"
expect "$TMP/e4" "ev[-1]['event'], ev[-1]['lp']" "('executed', 'LP-A')" \
    "the silent LP's better price never wins"
check "silent: its rows are late" [ "$(q "$TMP/e4.db" "SELECT DISTINCT status FROM lp_quotes
    WHERE lp = 'LP-N'")" = late ]

# --- an LP that refuses at execution: the row says why, nothing is hedged -------------------
LP_R='{"name": "LP-R", "base": "100000", "amp": "0", "spread_bps": "0", "delay_min_ms": 100,
  "delay_max_ms": 100, "validity_s": 8, "seed": 1, "exec_refuse_rate": "1"}'
echo "[$LP_R]" >"$TMP/r.json"
rfq "$TMP/e5" "$TMP/e5.db" --lps "$TMP/r.json" --script "$TMP/s1.txt"
expect "$TMP/e5" "ev[-1]['event']" failed "the execution failed"
check "refused: a FAILED row with the LP's reason" [ "$(q "$TMP/e5.db" "SELECT status || ' ' ||
    (error LIKE 'LP LP-R: %') FROM executions")" = "FAILED 1" ]
check "refused: nothing hedged" [ "$(q "$TMP/e5.db" "SELECT count(*) FROM trade_events WHERE
    type = 5")" = 0 ]

# --- requests the desk does not understand, and the same session twice ----------------------
printf 'b 1.5 eth btcusdt\nx\np\n' >"$TMP/s6.txt"
rfq "$TMP/e6" "$TMP/e6.db" --lps "$TMP/a.json" --script "$TMP/s6.txt"
check "bad lines: the desk stays up" [ "$RC" -eq 0 ]
expect "$TMP/e6" "[e['error'].split(':')[0] for e in ev]" \
    "['line 1', 'line 2', 'no quote to proceed with']" "each refused with its line"
expect "$TMP/e6" "\"'eth'\" in ev[0]['error'] and \"'x'\" in ev[1]['error']" True \
    "each naming its token"
rfq "$TMP/e7" "$TMP/e7.db" --lps "$TMP/ab.json" --script "$TMP/s2.txt" --markup-bps 5
check "the same session twice: the same bytes" cmp -s "$TMP/e2" "$TMP/e7"
run_tl "$TMP/d2" "$TMP/d2.err" reconcile --db "$TMP/e2.db" --json
run_tl "$TMP/d7" "$TMP/d7.err" reconcile --db "$TMP/e7.db" --json
check "the same session twice: the same journal digest" cmp -s "$TMP/d2" "$TMP/d7"
expect_usage "a bad LP file" "--lps: " rfq --lps /nonexistent.json --script "$TMP/s1.txt" \
    --db mem:
finish
