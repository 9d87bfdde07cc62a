#!/usr/bin/env bash
# End-to-end: `tradeloop run --dashboard` in a real terminal (tmux, on a private socket). A replay
# of crafted quotes and signals whose end state is known stays on the screen when its inputs end;
# every panel must show the numbers of the final report (balances, P&L, wins/losses, cooldown,
# the open position with its stop, the refusals, the kill switch engaged from another process
# while the screen is up); q ends it and the report follows. `tradeloop top --db D` then shows the
# same numbers from the status document the run wrote. A second run is ended by SIGTERM and
# prints its table on the restored terminal. Every wait polls a bounded number of times: no sleep
# is an assertion.
. "$(dirname "$0")/lib.sh"

DB="$TMP/run.db"
SOCK="$TMP/tmux.sock"
T=(tmux -S "$SOCK" -f /dev/null)
trap '"${T[@]}" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# ---- without a terminal ----------------------------------------------------------------------
printf 'timestamp,symbol,bid,ask\n2025-01-02T10:00:00Z,AAA,99.9,100\n' >"$TMP/one.csv"
run_tl "$TMP/n.out" "$TMP/n.err" run --dashboard --quotes "$TMP/one.csv" --db "$TMP/n.db" \
    </dev/null
check "--dashboard without a terminal: exit 1" [ "$RC" -eq 1 ]
check "--dashboard without a terminal: says so" grep -q "dashboard needs a terminal" "$TMP/n.err"
check "--dashboard without a terminal: no database made" [ ! -e "$TMP/n.db" ]
run_tl "$TMP/h.out" "$TMP/h.err" run --help
check "run --help lists --dashboard" grep -q -- "--dashboard" "$TMP/h.out"

# ---- the inputs: va1 stopped out (a loss, then a cooldown), va2 short, three refusals ----------
cat >"$TMP/q.csv" <<'EOF'
timestamp,symbol,bid,ask
2025-01-02T10:00:00Z,AAA,99.9,100
2025-01-02T10:00:00Z,BBB,49.975,50.025
2025-01-02T10:01:00Z,AAA,98.01,98.02
2025-01-02T10:02:00Z,AAA,98,98.01
2025-01-02T10:04:00Z,AAA,97.5,97.6
EOF
sig() {
    printf '{"id":"%s","ts":"2025-01-02T%sZ","account":"%s","symbol":"%s","action":"%s"%s}\n' "$@"
}
{
    sig e1 10:00:30 va1 AAA ENTER_LONG ',"qty":"10"'
    sig e2 10:03:00 va1 AAA ENTER_LONG ',"qty":"5"'
    sig e3 10:03:10 va2 AAA ENTER_SHORT ',"qty":"4"'
    sig e4 10:03:20 va2 BBB ENTER_LONG ',"qty":"1"'
    sig e5 10:03:30 va9 AAA ENTER_LONG ',"qty":"1"'
} >"$TMP/s.jsonl"
cat >"$TMP/acc.json" <<'EOF'
[{"name": "va1", "starting_balance": "100000"},
 {"name": "va2", "starting_balance": "50000"}]
EOF
ARGS=(run --json --accounts "$TMP/acc.json" --quotes "$TMP/q.csv" --signals "$TMP/s.jsonl"
    --trading-window off --max-quote-age-ms 0 --max-slippage-bps 0 --max-spread-bps 25
    --cooldown-losses 1 --cooldown 10m --stop-loss-pct 2)

# ---- the screen ------------------------------------------------------------------------------
screen() { "${T[@]}" capture-pane -p -t "$1"; }
# wait_for WINDOW PATTERN: polls the screen (up to 100 times, 0.1 s apart) until a line matches.
wait_for() {
    local i
    for i in $(seq 1 100); do
        screen "$1" >"$TMP/screen" 2>/dev/null && grep -qE -- "$2" "$TMP/screen" && return 0
        sleep 0.1
    done
    echo "--- screen without /$2/:" >&2; cat "$TMP/screen" >&2
    return 1
}
# wait_file FILE: polls until FILE is not empty.
wait_file() {
    local i
    for i in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done
    return 1
}
in_panel() { # in_panel TITLE NEXT_TITLE PATTERN: a line between the two titles matches
    awk -v a="$1" -v b="$2" -v p="$3" '
        index($0, a) { on = 1; next } b != "" && index($0, b) { on = 0 }
        on && $0 ~ p { found = 1 } END { exit !found }' "$TMP/screen"
}
A="VIRTUAL ACCOUNTS"; P="POSITIONS ("; R="RECENT REFUSALS"; K="KILL SWITCH"

"${T[@]}" new-session -d -s run -x 140 -y 40 \
    "TERM=xterm-256color '$BIN' ${ARGS[*]} --db '$DB' --dashboard >'$TMP/r.json' 2>'$TMP/r.err';
     echo \$? >'$TMP/run.rc'; sleep 60"
check "the replay's end stays on the screen" wait_for run "VIRTUAL ACCOUNTS \(2\)"
check "the engine's time is the last input's" wait_for run "engine time 2025-01-02 10:04:00Z"
check "no report while the screen is up" [ ! -s "$TMP/r.json" ]
# The kill switch from another process, while the run holds its screen: the inbox is still read.
run_tl "$TMP/k.out" "$TMP/k.err" kill --db "$DB" --reason "desk halt" --wait 10
check "kill taken by the running engine ($(cat "$TMP/k.err"))" [ "$RC" -eq 0 ]
check "the screen shows the kill switch" wait_for run "^KILL SWITCH ENGAGED: desk halt"
cp "$TMP/screen" "$TMP/run.screen"
"${T[@]}" send-keys -t run q
check "q: the run ended" wait_file "$TMP/run.rc"
check "q: exit 0 ($(cat "$TMP/r.err"))" [ "$(cat "$TMP/run.rc" 2>/dev/null)" = 0 ]
check "q: the report was written after it" \
    python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/r.json"

# expected: the screen's strings, computed from the report (2 decimals as the VA panel shows them,
# the positions panel's exact decimals). The realized P&L shown is after fees: for va1, flat at the
# end, it is its balance change.
python3 - "$TMP/r.json" >"$TMP/want" <<'PY'
import json, sys
from decimal import Decimal, ROUND_HALF_UP
r = json.load(open(sys.argv[1]))
d2 = lambda x: str(Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
ex = lambda x: format(Decimal(str(x)).normalize(), "f")
a1, a2 = r["accounts"]["va1"], r["accounts"]["va2"]
p = a2["position"]
assert a1["position"] is None and a1["in_cooldown"] and p is not None, r
print(f'va1 +{d2(a1["balance"])} +{d2(a1["balance"])} +{d2(Decimal(str(a1["balance"])) - 100000)} ')
print(f'va1 .* {a1["wins"]}/{a1["losses"]}/{a1["trades"]} .*cd [0-9]+m[0-9]+s')
print(f'va2 +{d2(a2["balance"])} ')
print(f'va2 .* {a2["wins"]}/{a2["losses"]}/{a2["trades"]} .* ok')
print(f'va2 +{p["symbol"]} +{ex(p["qty"])} +{ex(p["avg_price"])} +97.6 +[0-9.]+ +{ex(p["stop"])}')
s = r["signals"]
print(f'signals: {s["received"]} received, {s["accepted"]} accepted, {s["refused"]} refused')
print(f'^KILL SWITCH ENGAGED: {r["kill_switch"]["reason"]}')
print(f'^reconciliation: {r["reconciliation"]["runs"]} runs')
print(" ".join(sorted(k for k, n in r["refusals"].items() for _ in range(n))))
PY
check "the report's numbers to look for" [ "$(wc -l <"$TMP/want")" -eq 9 ]
mapfile -t W <"$TMP/want"
check "report: three refusals" [ "${W[8]}" = "COOLDOWN ONE_SYMBOL_PER_VA UNKNOWN_ACCOUNT" ]
check "report: the kill switch" [ "${W[6]}" = "^KILL SWITCH ENGAGED: desk halt" ]

# check_screen WHAT FILE: every number of the report in its panel.
check_screen() {
    [ "$2" = "$TMP/screen" ] || cp "$2" "$TMP/screen"
    check "$1: va1 balance, equity, realized after fees" in_panel "$A" "$P" "${W[0]}"
    check "$1: va1 W/L/T and its cooldown" in_panel "$A" "$P" "${W[1]}"
    check "$1: va2 balance" in_panel "$A" "$P" "${W[2]}"
    check "$1: va2 W/L/T, state ok" in_panel "$A" "$P" "${W[3]}"
    check "$1: va2's short, entry, last (ask), stop" in_panel "$P" "$R" "${W[4]}"
    check "$1: one position" grep -q "POSITIONS (1)" "$TMP/screen"
    check "$1: signal counts" grep -q "${W[5]}" "$TMP/screen"
    check "$1: open positions of the cap" grep -q "open positions: 1 of max 3" "$TMP/screen"
    check "$1: kill switch" grep -qE "${W[6]}" "$TMP/screen"
    check "$1: reconciliation runs" grep -qE "${W[7]}" "$TMP/screen"
    check "$1: refusals: COOLDOWN" in_panel "$R" "$K" "10:03:00 +va1 +AAA +COOLDOWN "
    check "$1: refusals: ONE_SYMBOL_PER_VA" \
        in_panel "$R" "$K" "10:03:20 +va2 +BBB +ONE_SYMBOL_PER_VA "
    check "$1: refusals: UNKNOWN_ACCOUNT" in_panel "$R" "$K" "10:03:30 +va9 +AAA +UNKNOWN_ACCOUNT "
    check "$1: three refusals" grep -q "RECENT REFUSALS (3)" "$TMP/screen"
    check "$1: filters" \
        grep -q "^filters: max spread 25 bps, max quote age 0 ms, max slippage 0 bps" "$TMP/screen"
    check "$1: trading window off: all day" grep -q "^trading window 00:00-24:00 UTC" "$TMP/screen"
}
check_screen "run --dashboard" "$TMP/run.screen"

# ---- tradeloop top: the same numbers from the status document ----------------------------------
check "the status document was written" \
    bash -c "[ \"\$(sqlite3 '$DB' \"SELECT count(*) FROM loop_status WHERE name = 'run'\")\" = 1 ]"
"${T[@]}" new-window -d -t run -n top \
    "TERM=xterm-256color '$BIN' top --db '$DB'; echo \$? >'$TMP/top.rc'; sleep 60"
check "top: the panels" wait_for run:top "^KILL SWITCH ENGAGED"
check_screen "top" "$TMP/screen"
"${T[@]}" send-keys -t run:top q
check "top: q quits" wait_file "$TMP/top.rc"

# ---- a second run ended by SIGTERM: the screen given back, then the table ------------------------
# The inner shell writes its pid and becomes the run (exec), in the foreground of the pane.
"${T[@]}" new-window -d -t run -n term \
    "sh -c 'echo \$\$ >$TMP/term.pid; TERM=xterm-256color exec $BIN ${ARGS[*]/--json/} \
     --db $TMP/t.db --dashboard 2>$TMP/t.err'; sleep 60"
check "second run: on the screen" wait_for run:term "VIRTUAL ACCOUNTS \(2\)"
check "second run: its pid" wait_file "$TMP/term.pid"
kill -TERM "$(cat "$TMP/term.pid")"
check "SIGTERM: the table after the screen" \
    wait_for run:term "^signals +received 5, accepted 2, refused 3"
check "SIGTERM: the screen is gone" bash -c "! grep -q 'VIRTUAL ACCOUNTS' '$TMP/screen'"
check "SIGTERM: said on stderr" grep -q "SIGTERM: stopping" "$TMP/t.err"
finish
