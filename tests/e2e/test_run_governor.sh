#!/usr/bin/env bash
# test_run_governor.sh -- more of the governed loop through `tradeloop run --until-end` on crafted
# files: quote age, slippage and the trading window (in a zone with daylight saving) each exactly
# at its limit and one unit past; the stop's size after a partial fill, a scale-in and a partial
# exit; the reduce-only cut; the open-positions cap; the drawdown limit; reconciliation repairing
# a dropped fill report and freezing on a position it cannot explain, and the operator's unfreeze.
. "$(dirname "$0")/lib.sh"

jget() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
expect() {
    local got; got=$(jget "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: $2 = '$got', want '$3'"; fi
}
sig() { printf '{"id":"%s","ts":"%s","account":"%s","symbol":"%s","action":"%s"%s}\n' "$@"; }
# run_case NAME ARGS...: runs into $TMP/NAME.json, checks exit 0.
run_case() {
    local n=$1; shift
    run_tl "$TMP/$n.json" "$TMP/$n.err" run --until-end --json --db "$TMP/$n.db" "$@"
    check "$n: exit 0 ($(head -c 300 "$TMP/$n.err"))" [ "$RC" -eq 0 ]
}
q() { sqlite3 "$TMP/$1.db" "$2"; }

# --- quote age: 500 ms accepted, 500 ms + 1 ns refused --------------------------------------
printf 'timestamp,symbol,bid,ask\n2025-01-02T10:00:00Z,AAA,99.99,100\n' >"$TMP/q1.csv"
{
    sig a1 2025-01-02T10:00:00.5Z va1 AAA ENTER_LONG ',"qty":"1"'
    sig a2 2025-01-02T10:00:00.500000001Z va1 AAA ENTER_LONG ',"qty":"1"'
} >"$TMP/s1.jsonl"
run_case age --quotes "$TMP/q1.csv" --signals "$TMP/s1.jsonl" --trading-window off \
    --max-quote-age-ms 500
expect "$TMP/age.json" "r['signals']['accepted']" 1 "quote age exactly 500 ms accepted"
expect "$TMP/age.json" "r['refusals'].get('STALE_QUOTE')" 1 "one nanosecond past refused"

# --- slippage: 10 bps accepted, past it refused ---------------------------------------------
cat >"$TMP/q2.csv" <<'EOF2'
timestamp,symbol,bid,ask
2025-01-02T10:00:00Z,AAA,100.09,100.1
2025-01-02T10:01:00Z,AAA,100.09,100.10000001
EOF2
{
    sig b1 2025-01-02T10:00:00Z va1 AAA ENTER_LONG ',"qty":"1","expected_price":"100"'
    sig b2 2025-01-02T10:01:00Z va1 AAA ENTER_LONG ',"qty":"1","expected_price":"100"'
} >"$TMP/s2.jsonl"
run_case slip --quotes "$TMP/q2.csv" --signals "$TMP/s2.jsonl" --trading-window off \
    --max-quote-age-ms 0 --max-slippage-bps 10
expect "$TMP/slip.json" "r['signals']['accepted']" 1 "ask 100.1 is 10 bps from 100: accepted"
expect "$TMP/slip.json" "r['refusals'].get('SLIPPAGE')" 1 "ask 100.10000001 refused"

# --- trading window 09:30-16:00 America/New_York: EST in January, EDT in July ---------------
cat >"$TMP/q3.csv" <<'EOF2'
timestamp,symbol,bid,ask
2025-01-02T14:00:00Z,AAA,99.99,100
2025-07-02T13:00:00Z,AAA,99.99,100
EOF2
{
    sig w1 2025-01-02T14:29:59.999999999Z va1 AAA ENTER_LONG ',"qty":"1"'
    sig w2 2025-01-02T14:30:00Z va1 AAA ENTER_LONG ',"qty":"1"'
    sig w3 2025-01-02T21:00:00Z va1 AAA ENTER_LONG ',"qty":"1"'
    sig w4 2025-01-02T21:00:00.000000001Z va1 AAA ENTER_LONG ',"qty":"1"'
    sig w5 2025-07-02T20:00:00Z va1 AAA ENTER_LONG ',"qty":"1"'
    sig w6 2025-07-02T20:00:00.000000001Z va1 AAA ENTER_LONG ',"qty":"1"'
} >"$TMP/s3.jsonl"
run_case window --quotes "$TMP/q3.csv" --signals "$TMP/s3.jsonl" --max-quote-age-ms 0 \
    --trading-window 09:30-16:00 --timezone America/New_York
expect "$TMP/window.json" "r['signals']['accepted']" 3 "09:30:00 and 16:00:00 local accepted"
expect "$TMP/window.json" "r['refusals'].get('TRADING_WINDOW')" 3 "one nanosecond outside refused"
expect "$TMP/window.json" "r['accounts']['va1']['position']['qty']" 3 "three entries held"

# --- the stop follows partial fills, a scale-in and a partial exit --------------------------
cat >"$TMP/q4.csv" <<'EOF2'
timestamp,symbol,bid,ask
2025-01-02T10:00:00Z,AAA,99.99,100
2025-01-02T10:01:00Z,AAA,109.99,110
2025-01-02T10:02:00Z,AAA,109.99,110
2025-01-02T10:03:00Z,AAA,109.99,110
2025-01-02T10:04:00Z,AAA,98,98.01
2025-01-02T10:05:00Z,AAA,98,98.01
EOF2
{
    sig p1 2025-01-02T10:00:00Z va1 AAA ENTER_LONG ',"qty":"10"'
    sig p2 2025-01-02T10:01:00Z va1 AAA ENTER_LONG ',"qty":"5"'
    sig p3 2025-01-02T10:02:00Z va1 AAA EXIT ',"qty":"7"'
} >"$TMP/s4.jsonl"
run_case stop --quotes "$TMP/q4.csv" --signals "$TMP/s4.jsonl" --trading-window off \
    --max-quote-age-ms 0 --max-spread-bps 0 --partial-rate 1 --latency-ms 1000
check "stop: every fill came in parts" [ "$(q stop "SELECT count(*) FROM trade_events WHERE
    type = 8")" -ge 6 ]
# 10 at 100 + 5 at 110 = 15 at 103.33333333; 7 sold leaves 8; stop 2% under the entry.
check "stop: the exit the stop sent was for the whole 8 left" [ "$(q stop "SELECT qty FROM
    trade_events WHERE type = 1 AND text = 'STOP_LOSS'")" = 800000000 ]
expect "$TMP/stop.json" "r['exits']['stop_loss']" 1 "one stop exit"
expect "$TMP/stop.json" "r['accounts']['va1']['position']" None "flat after it, not short"

# --- an exit larger than the position is cut to it ------------------------------------------
{
    sig r1 2025-01-02T10:00:00Z va1 AAA ENTER_LONG ',"qty":"3"'
    sig r2 2025-01-02T10:01:00Z va1 AAA EXIT ',"qty":"20"'
    sig r3 2025-01-02T10:02:00Z va1 AAA EXIT ',"qty":"1"'
} >"$TMP/s5.jsonl"
run_case cut --quotes "$TMP/q4.csv" --signals "$TMP/s5.jsonl" --trading-window off \
    --max-quote-age-ms 0 --max-spread-bps 0
check "cut: the exit was cut to 3" [ "$(q cut "SELECT qty FROM trade_events WHERE type = 5
    AND side = 1")" = 300000000 ]
expect "$TMP/cut.json" "r['accounts']['va1']['position']" None "cut: flat, never short"
expect "$TMP/cut.json" "r['refusals'].get('REDUCE_ONLY')" 1 "cut: an exit when flat refused"

# --- the cap on open positions, and the drawdown limit --------------------------------------
cat >"$TMP/acc3.json" <<'EOF2'
[{"name": "va1", "starting_balance": "100000"}, {"name": "va2", "starting_balance": "100000"},
 {"name": "va3", "starting_balance": "100000", "max_drawdown_pct": "1"}]
EOF2
{
    sig m1 2025-01-02T10:00:00Z va1 AAA ENTER_LONG ',"qty":"1"'
    sig m2 2025-01-02T10:00:00Z va2 AAA ENTER_LONG ',"qty":"1"'
    sig m3 2025-01-02T10:00:00Z va3 AAA ENTER_LONG ',"qty":"1"'
    sig m4 2025-01-02T10:02:00Z va1 AAA EXIT ''
    sig m5 2025-01-02T10:02:00Z va3 AAA ENTER_LONG ',"qty":"1000"'
    sig m6 2025-01-02T10:05:00Z va3 AAA ENTER_LONG ',"qty":"1"'
} >"$TMP/s6.jsonl"
run_case cap --quotes "$TMP/q4.csv" --signals "$TMP/s6.jsonl" --accounts "$TMP/acc3.json" \
    --trading-window off --max-quote-age-ms 0 --max-spread-bps 0 --max-open-positions 2
expect "$TMP/cap.json" "r['refusals'].get('MAX_OPEN_POSITIONS')" 1 "the third account refused"
expect "$TMP/cap.json" "r['accounts']['va3']['losses']" 1 "va3 lost more than 1% at its stop"
expect "$TMP/cap.json" "r['refusals'].get('DRAWDOWN')" 1 "then its entry is refused"

# --- reconciliation: a dropped fill report repaired, once -----------------------------------
{
    sig f1 2025-01-02T10:00:00Z va1 AAA ENTER_LONG ',"qty":"2"'
} >"$TMP/s7.jsonl"
run_case repair --quotes "$TMP/q4.csv" --signals "$TMP/s7.jsonl" --trading-window off \
    --max-quote-age-ms 0 --max-spread-bps 0 --drop-fill-report 1 --reconcile-interval 5
check "repair: the fill applied once, with the venue's trade id" [ "$(q repair "SELECT count(*)
    FROM trade_events WHERE type = 8 AND trade_id = 'T0000000001'")" = 1 ]
check "repair: the finding journaled" [ "$(q repair "SELECT count(*) FROM trade_events WHERE
    type = 23 AND text LIKE 'missed fill%'")" = 1 ]
expect "$TMP/repair.json" "r['reconciliation']['mismatches']" 0 "repair: nothing left to explain"
# The stop came with the repaired position, and fired at 10:04.
expect "$TMP/repair.json" "r['exits']['stop_loss']" 1 "repair: the position has its stop"

# --- a fill the venue no longer lists: the accounts of that symbol are frozen ---------------
python3 - "$TMP/acc6.json" "$TMP/s8.jsonl" <<'EOF2'
import json, sys
json.dump([{"name": "va%d" % i, "starting_balance": "100000"} for i in range(1, 7)],
          open(sys.argv[1], "w"))
with open(sys.argv[2], "w") as out:
    for i in range(1, 7):
        out.write(json.dumps({"id": "g%d" % i, "ts": "2025-01-02T10:00:00Z", "account": "va%d" % i,
                              "symbol": "AAA", "action": "ENTER_LONG", "qty": "1"}) + "\n")
    out.write(json.dumps({"id": "g7", "ts": "2025-01-02T10:02:00Z", "account": "va2",
                          "symbol": "AAA", "action": "ENTER_LONG", "qty": "1"}) + "\n")
EOF2
VENUE="sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0&capacity=1"
run_case freeze --quotes "$TMP/q4.csv" --signals "$TMP/s8.jsonl" --accounts "$TMP/acc6.json" \
    --trading-window off --max-quote-age-ms 0 --max-spread-bps 0 --max-open-positions 0 \
    --venue "$VENUE" --drop-fill-report 1
check "freeze: the mismatch found" [ "$(jget "$TMP/freeze.json" "r['reconciliation']['mismatches']")" -ge 1 ]
check "freeze: accounts frozen, journaled" [ "$(q freeze "SELECT count(*) FROM trade_events WHERE
    type = 21")" -ge 1 ]
expect "$TMP/freeze.json" "r['refusals'].get('RECONCILE_MISMATCH', 0) >= 1" True \
    "freeze: a frozen account's entry refused"
# The operator looked: unfreeze va2 (queued; applied when the engine next starts).
run_tl "$TMP/uf.json" "$TMP/uf.err" unfreeze --db "$TMP/freeze.db" --account va2 --wait 0 --json
check "unfreeze queued" grep -q '"taken":false' "$TMP/uf.json"
printf 'timestamp,symbol,bid,ask\n' >"$TMP/empty.csv"
run_tl "$TMP/f2.json" "$TMP/f2.err" run --json --db "$TMP/freeze.db" --quotes "$TMP/empty.csv" \
    --accounts "$TMP/acc6.json" --venue "$VENUE"
check "unfreeze: journaled at the next start" [ "$(q freeze "SELECT count(*) FROM trade_events
    WHERE type = 22 AND workspace = 'va2'")" = 1 ]
finish
