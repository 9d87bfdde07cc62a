#!/usr/bin/env bash
# End-to-end: `tradeloop top` in a real terminal (tmux, on a private socket), reading the status
# document an engine would write. The screen is read with capture-pane and every number is looked
# for in its own panel; resizing to a too-small terminal and back, a stale row, a refused row and
# q are checked too. Every wait polls a bounded number of times: no sleep is an assertion.
. "$(dirname "$0")/lib.sh"

DB="$TMP/top.db"
SOCK="$TMP/tmux.sock"
T=(tmux -S "$SOCK" -f /dev/null)
trap '"${T[@]}" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# ---- flags and errors, before any terminal -------------------------------------------------
run_tl "$TMP/h.out" "$TMP/h.err" top --help
check "--help exits 0" [ "$RC" -eq 0 ]
check "--help names --db and --name" grep -q -- "--name NAME" "$TMP/h.out"
check "--help says how to quit" grep -q "q quits" "$TMP/h.out"
expect_usage "bad --name" "--name: name .a b. is not \[A-Za-z0-9._:-\]" top --db "$DB" --name 'a b'
expect_usage "mem: is refused" "--db: mem: holds no journal" top --db mem:
expect_usage "an unknown flag" "unknown flag --refresh" top --db "$DB" --refresh 2
run_tl "$TMP/m.out" "$TMP/m.err" top --db "$TMP/missing.db"
check "a missing database: exit 1" [ "$RC" -eq 1 ]
check "a missing database is not created" [ ! -e "$TMP/missing.db" ]

run_tl "$TMP/c.out" "$TMP/c.err" paper reset --db "$DB" --workspace w1
check "a database to watch" [ "$RC" -eq 0 ]
run_tl "$TMP/t.out" "$TMP/t.err" top --db "$DB" </dev/null
check "without a terminal: exit 1" [ "$RC" -eq 1 ]
check "without a terminal: says so" grep -q "needs a terminal" "$TMP/t.err"

# ---- the screen ----------------------------------------------------------------------------
screen() { "${T[@]}" capture-pane -p -t top; }
# wait_for PATTERN: polls the screen (up to 100 times, 0.1 s apart) until a line matches.
wait_for() {
    local i
    for i in $(seq 1 100); do
        screen >"$TMP/screen" 2>/dev/null && grep -qE -- "$1" "$TMP/screen" && return 0
        sleep 0.1
    done
    echo "--- screen without /$1/:" >&2; cat "$TMP/screen" >&2
    return 1
}
# wait_gone PATTERN: polls likewise until no line matches.
wait_gone() {
    local i
    for i in $(seq 1 100); do
        screen >"$TMP/screen" 2>/dev/null && ! grep -qE -- "$1" "$TMP/screen" && return 0
        sleep 0.1
    done
    return 1
}
# in_panel TITLE NEXT_TITLE PATTERN: a line between the two panel titles matches PATTERN.
in_panel() {
    awk -v a="$1" -v b="$2" -v p="$3" '
        index($0, a) { on = 1; next } b != "" && index($0, b) { on = 0 }
        on && $0 ~ p { found = 1 } END { exit !found }' "$TMP/screen"
}

"${T[@]}" new-session -d -s top -x 120 -y 40 \
    "TERM=xterm-256color '$BIN' top --db '$DB'; echo \$? >'$TMP/top.rc'; sleep 60"
check "no status yet: said on the screen" wait_for "no engine has written status to this database yet"

NOW=$(date +%s%N)
python3 - "$TMP/status.json" <<'PY'
import json, sys
S = 1_000_000_000
now = 1704189605 * S  # 2024-01-02 10:00:05 UTC, engine time
acct = lambda name, bal, eq, rp, up, w, l, t, dd, mdd, cd, left, fr: dict(
    name=name, balance=bal, equity=eq, realized_pnl=rp, unrealized_pnl=up, wins=w, losses=l,
    trades=t, drawdown_pct=dd, max_drawdown_pct=mdd, in_cooldown=cd, cooldown_left_ns=left,
    frozen=fr)
doc = {
    "version": 1, "mode": "replay", "db": "sqlite:desk.db", "now_ns": now,
    "signals": {"received": 31, "accepted": 24, "refused": 7},
    "accounts": [acct("va1", "100123.45", "100200.5", "123.45", "77.05", 5, 3, 8, "1.5", "4.25",
                      True, 130 * S, False),
                 acct("va2", "99000", "99000", "-1000", "0", 0, 2, 2, "0", "1", False, 0, True)],
    "accounts_total": 2,
    "positions": [{"account": "va1", "symbol": "USDCHF", "qty": "-2500", "entry": "0.91234",
                   "last": "0.90412", "unrealized_pnl": "20.55", "stop": "0.9305868"}],
    "positions_total": 1, "open_positions": 1, "max_open_positions": 3,
    "refusals": [{"ts_ns": now - 4 * S, "account": "va1", "symbol": "EURUSD",
                  "reason": "COOLDOWN", "text": "3 losses in a row"},
                 {"ts_ns": now - 9 * S, "account": "va2", "symbol": "GBPUSD",
                  "reason": "SPREAD", "text": "spread 61.2 bps above 50"}],
    "kill_switch": {"engaged": True, "reason": "desk closed"},
    "reconciliation": {"ts_ns": now - 2 * S, "runs": 42, "result": "ok"},
    "filters": {"max_spread_bps": "50", "max_quote_age_ms": 500, "max_slippage_bps": "2.5",
                "trading_window": "09:30-16:00", "timezone": "America/New_York"},
}
open(sys.argv[1], "w").write(json.dumps(doc, sort_keys=True))
PY
put_status() { # put_status TS_NS DOC_FILE
    sqlite3 "$DB" "INSERT INTO loop_status(name, ts_ns, doc) VALUES ('run', $1, CAST(readfile('$2') AS TEXT))
                   ON CONFLICT(name) DO UPDATE SET ts_ns = excluded.ts_ns, doc = excluded.doc"
}
check "a status row written with sqlite3" put_status "$NOW" "$TMP/status.json"
check "the panels appear" wait_for "VIRTUAL ACCOUNTS \(2\)"
check "header: mode, db, engine time" grep -qE "tradeloop  replay  sqlite:desk.db .*engine time 2024-01-02 10:00:05Z" "$TMP/screen"
check "header: signal counts" grep -q "signals: 31 received, 24 accepted, 7 refused" "$TMP/screen"
check "header: open positions" grep -q "open positions: 1 of max 3" "$TMP/screen"
check "fresh status: no age note" bash -c "! grep -q 'old:' '$TMP/screen'"
A="VIRTUAL ACCOUNTS"; P="POSITIONS ("; R="RECENT REFUSALS"; K="KILL SWITCH"
check "VA panel: va1 balance, equity, P&L" in_panel "$A" "$P" "va1 +100123\.45 +100200\.50 +123\.45 +77\.05 "
check "VA panel: va1 wins/losses/trades, drawdown" in_panel "$A" "$P" "va1 .* 5/3/8 +1\.50/4\.25 "
check "VA panel: va1 cooldown with time left" in_panel "$A" "$P" "va1 .*cd 2m10s"
check "VA panel: va2 loss and frozen" in_panel "$A" "$P" "va2 +99000\.00 +99000\.00 +-1000\.00 .*FROZEN"
check "positions panel: the short" in_panel "$P" "$R" "va1 +USDCHF +-2500 +0\.91234 +0\.90412 +20\.55 +0\.9305868"
check "refusals panel: COOLDOWN" in_panel "$R" "$K" "10:00:01 +va1 +EURUSD +COOLDOWN +3 losses in a row"
check "refusals panel: SPREAD" in_panel "$R" "$K" "09:59:56 +va2 +GBPUSD +SPREAD +spread 61\.2 bps above 50"
check "footer: kill switch" grep -q "^KILL SWITCH ENGAGED: desk closed" "$TMP/screen"
check "footer: reconciliation" grep -q "^reconciliation: 42 runs, last at 10:00:03: ok" "$TMP/screen"
check "footer: filters" grep -q "^filters: max spread 50 bps, max quote age 500 ms, max slippage 2.5 bps" "$TMP/screen"
check "footer: trading window" grep -q "^trading window 09:30-16:00 America/New_York" "$TMP/screen"

# ---- a stale row, a refused row ------------------------------------------------------------
check "an old row" put_status "$((NOW - 90 * 1000000000))" "$TMP/status.json"
check "an old row shows its age" wait_for "status is 1m3[0-9]s old: is the engine still running\?"
check "the view stays under the note" grep -q "VIRTUAL ACCOUNTS (2)" "$TMP/screen"
echo '{"version": 2}' >"$TMP/bad.json"
check "a row from another version" put_status "$(date +%s%N)" "$TMP/bad.json"
check "a refused row is said" wait_for "status document refused: version: 2, this build reads 1"
check "the last good view stays" grep -q "va1 .*100123.45" "$TMP/screen"
check "the good row again" put_status "$(date +%s%N)" "$TMP/status.json"
check "the note goes away" wait_gone "status document refused"

# ---- resizing ------------------------------------------------------------------------------
"${T[@]}" resize-window -t top -x 40 -y 10
check "40x10: too small, said" wait_for "^terminal too small:"
check "40x10: what it needs and has" grep -q "^need 80x20, have 40x10" "$TMP/screen"
check "40x10: no panels" bash -c "! grep -q ACCOUNTS '$TMP/screen'"
"${T[@]}" resize-window -t top -x 120 -y 40
check "back to 120x40: the panels again" wait_for "VIRTUAL ACCOUNTS \(2\)"
check "back to 120x40: the numbers again" in_panel "$P" "$R" "USDCHF +-2500"

# ---- q quits -------------------------------------------------------------------------------
"${T[@]}" send-keys -t top q
for i in $(seq 1 100); do [ -s "$TMP/top.rc" ] && break; sleep 0.1; done
check "q: top exited" [ -s "$TMP/top.rc" ]
check "q: exit status 0" [ "$(cat "$TMP/top.rc" 2>/dev/null)" = 0 ]
check "the database was not written" bash -c "[ \"\$(sqlite3 '$DB' 'SELECT doc FROM loop_status')\" = \"\$(cat '$TMP/status.json')\" ]"

finish
