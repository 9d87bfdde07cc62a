#!/usr/bin/env bash
# test_run_rules.sh -- `tradeloop run --until-end` on small crafted quotes and signals: the
# governor's rules, each at its limit, stop-loss exits at the exact crossing quote, restarts.
. "$(dirname "$0")/lib.sh"

# jget FILE EXPR: a value of the report (python3, standard library only).
jget() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
# expect FILE EXPR WANT DESCRIPTION
expect() {
    local got; got=$(jget "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: $2 = '$got', want '$3'"; fi
}
RUN=(run --until-end --json --trading-window off --max-quote-age-ms 0 --max-slippage-bps 0)

# --- three losses, the cooldown, entries again after it; stops at the exact crossing quote ---
cat >"$TMP/q1.csv" <<'EOF'
timestamp,symbol,bid,ask
2025-01-02T10:00:00Z,AAA,99.9,100
2025-01-02T10:01:00Z,AAA,98.01,98.02
2025-01-02T10:02:00Z,AAA,98,98.01
2025-01-02T10:03:00Z,AAA,99.9,100
2025-01-02T10:04:00Z,AAA,98,98.01
2025-01-02T10:05:00Z,AAA,99.9,100
2025-01-02T10:06:00Z,AAA,98,98.01
2025-01-02T10:07:00Z,AAA,99.9,100
2025-01-02T10:11:00Z,AAA,99.9,100
EOF
sig() { printf '{"id":"%s","ts":"2025-01-02T%sZ","account":"%s","symbol":"%s","action":"%s"%s}\n' "$@"; }
{
    sig e1 10:00:30 va1 AAA ENTER_LONG ',"qty":"10"'
    sig e2 10:03:30 va1 AAA ENTER_LONG ',"qty":"10"'
    sig e3 10:05:30 va1 AAA ENTER_LONG ',"qty":"10"'
    sig e4 10:07:30 va1 AAA ENTER_LONG ',"qty":"10"'
    sig e5 10:11:00 va1 AAA ENTER_LONG ',"qty":"10"'
} >"$TMP/s1.jsonl"
run_tl "$TMP/r1.json" "$TMP/r1.err" "${RUN[@]}" --quotes "$TMP/q1.csv" --signals "$TMP/s1.jsonl" \
    --db "$TMP/c.db" --cooldown-losses 3 --cooldown 5m --stop-loss-pct 2 --max-spread-bps 0
check "cooldown run exits 0 ($(cat "$TMP/r1.err"))" [ "$RC" -eq 0 ]
expect "$TMP/r1.json" "r['accounts']['va1']['losses']" 3 "three losing round trips"
expect "$TMP/r1.json" "r['exits']['stop_loss']" 3 "each closed by its stop at bid == stop"
expect "$TMP/r1.json" "r['refusals'].get('COOLDOWN')" 1 "the entry inside the cooldown refused"
expect "$TMP/r1.json" "r['signals']['accepted']" 4 "the entry at the cooldown's end accepted"
expect "$TMP/r1.json" "r['accounts']['va1']['position']['qty']" 10 "holding after it"
expect "$TMP/r1.json" "r['accounts']['va1']['position']['stop']" 98 "its stop 2% under 100"
expect "$TMP/r1.json" "r['accounts']['va1']['in_cooldown']" False "cooldown over"
# The journal replays to the same state.
run_tl "$TMP/rec.json" "$TMP/rec.err" reconcile --db "$TMP/c.db" --json
expect "$TMP/rec.json" "r['state_digest']" "$(jget "$TMP/r1.json" "r['journal']['state_digest']")" \
    "reconcile's digest equals the run's"
# Same inputs, fresh database: the same bytes.
run_tl "$TMP/r1b.json" "$TMP/r1b.err" "${RUN[@]}" --quotes "$TMP/q1.csv" --signals "$TMP/s1.jsonl" \
    --db "$TMP/c2.db" --cooldown-losses 3 --cooldown 5m --stop-loss-pct 2
check "same inputs, same report bytes" cmp -s "$TMP/r1.json" "$TMP/r1b.json"
# A restart on the same database acts on no signal twice; the stop is back.
run_tl "$TMP/r1c.json" "$TMP/r1c.err" "${RUN[@]}" --quotes "$TMP/q1.csv" \
    --signals "$TMP/s1.jsonl" --db "$TMP/c.db" --cooldown-losses 3 --cooldown 5m
expect "$TMP/r1c.json" "r['signals']['accepted']" 0 "restart: no signal acted on twice"
expect "$TMP/r1c.json" "r['refusals'].get('DUPLICATE')" 5 "restart: every signal a duplicate"
expect "$TMP/r1c.json" "r['accounts']['va1']['trades']" 3 "restart: the governor rebuilt"

# --- one symbol per account; the spread exactly at its limit and one unit past ---
cat >"$TMP/q2.csv" <<'EOF'
timestamp,symbol,bid,ask
2025-01-02T10:00:00Z,AAA,99.95,100.05
2025-01-02T10:00:00Z,BBB,49.975,50.025
2025-01-02T10:02:00Z,BBB,49.97499999,50.025
EOF
{
    sig a1 10:00:10 va1 AAA ENTER_LONG ',"qty":"1"'
    sig b1 10:00:20 va1 BBB ENTER_LONG ',"qty":"1"'
    sig a2 10:00:30 va1 AAA EXIT ''
    sig b2 10:00:40 va1 BBB ENTER_LONG ',"qty":"1"'
    sig c1 10:02:10 va2 BBB ENTER_LONG ',"qty":"1"'
} >"$TMP/s2.jsonl"
cat >"$TMP/acc.json" <<'EOF'
[{"name": "va1", "starting_balance": "100000"},
 {"name": "va2", "starting_balance": "100000"}]
EOF
run_tl "$TMP/r2.json" "$TMP/r2.err" "${RUN[@]}" --max-spread-bps 10 --accounts "$TMP/acc.json" \
    --quotes "$TMP/q2.csv" --signals "$TMP/s2.jsonl" --db "$TMP/o.db"
check "one-symbol run exits 0 ($(cat "$TMP/r2.err"))" [ "$RC" -eq 0 ]
expect "$TMP/r2.json" "r['refusals'].get('ONE_SYMBOL_PER_VA')" 1 "other symbol refused"
expect "$TMP/r2.json" "r['accounts']['va1']['position']['symbol']" BBB "allowed once flat"
expect "$TMP/r2.json" "r['exits']['signal']" 1 "the exit signal"
expect "$TMP/r2.json" "r['refusals'].get('SPREAD')" 1 "10 bps accepted, one unit past refused"
expect "$TMP/r2.json" "r['accounts']['va2']['position']" None "va2 refused on spread"

# --- a per-account override, checked like its flag ---
cat >"$TMP/bad.json" <<'EOF'
[{"name": "va1", "starting_balance": "100", "max_spread_bps": "-5"}]
EOF
expect_usage "override checked as its flag" "bad.json: account va1: max_spread_bps" \
    run --quotes "$TMP/q2.csv" --accounts "$TMP/bad.json" --db "$TMP/x.db"
expect_usage "--quotes required" "--quotes: required" run --db "$TMP/x.db"

# --- the kill switch from another process, before the engine ran, and KILL_SWITCH=true ---
run_tl "$TMP/k.out" "$TMP/k.err" kill --db "$TMP/o.db" --reason "desk halt" --wait 0
check "kill queued" [ "$RC" -eq 0 ]
run_tl "$TMP/r3.json" "$TMP/r3.err" "${RUN[@]}" --accounts "$TMP/acc.json" \
    --quotes "$TMP/q2.csv" --signals "$TMP/s2.jsonl" --db "$TMP/o.db"
expect "$TMP/r3.json" "r['kill_switch']['engaged']" True "engaged from the inbox"
expect "$TMP/r3.json" "r['kill_switch']['reason']" "desk halt" "with its reason"
KILL_SWITCH=true run_tl "$TMP/r4.json" "$TMP/r4.err" "${RUN[@]}" --quotes "$TMP/q1.csv" \
    --signals "$TMP/s1.jsonl" --db "$TMP/k2.db"
expect "$TMP/r4.json" "r['refusals'].get('KILL_SWITCH')" 5 "every entry refused"
# Still engaged after a restart without the variable: it is a journal event.
run_tl "$TMP/r5.json" "$TMP/r5.err" "${RUN[@]}" --quotes "$TMP/q1.csv" --db "$TMP/k2.db"
expect "$TMP/r5.json" "r['kill_switch']['engaged']" True "still engaged after a restart"
finish
