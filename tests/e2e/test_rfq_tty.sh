#!/usr/bin/env bash
# test_rfq_tty.sh -- `tradeloop rfq` on a real terminal (tmux, on a private socket; issue 9, "a
# tmux test of the interactive screen"). One LP with a flat price and no spread, so the numbers
# are the seed's: b 1.5 btc btcusdt at 100,000 with 5 bps markup locks at 150,075.00000000 USDT,
# drawn once however many rounds pass; p shows EXECUTION SUCCESSFUL (75 USDT, 5.00 bps) and the
# executions row holds it; a malformed request gets one line naming its token and the desk stays
# up; c cancels; q exits 0. A second session: a 1 s lock expires, p is refused, ^D quits. Every
# wait polls a bounded number of times: no sleep is an assertion.
. "$(dirname "$0")/lib.sh"

SOCK="$TMP/tmux.sock"
T=(tmux -S "$SOCK" -f /dev/null)
trap '"${T[@]}" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

lp() { # lp VALIDITY_S: one LP at a flat 100,000, no spread, answering in 100 ms
    echo "[{\"name\": \"LP-A\", \"base\": \"100000\", \"amp\": \"0\", \"spread_bps\": \"0\",
      \"delay_min_ms\": 100, \"delay_max_ms\": 100, \"validity_s\": $1, \"seed\": 1}]"
}
lp 8 >"$TMP/a.json"
lp 1 >"$TMP/short.json"

# The whole session so far (history included): boxes are taller than the window's last screen.
screen() { "${T[@]}" capture-pane -p -J -S -2000 -t "$1"; }
# wait_for SESSION PATTERN [N]: polls the screen (200 times, 0.1 s apart) until N lines (1) match.
wait_for() {
    local i n=${3:-1}
    for i in $(seq 1 200); do
        screen "$1" >"$TMP/screen" 2>/dev/null &&
            [ "$(grep -cE -- "$2" "$TMP/screen")" -ge "$n" ] && return 0
        sleep 0.1
    done
    echo "--- screen without $n of /$2/:" >&2; cat "$TMP/screen" >&2
    return 1
}
# prompt_last: the last line written is the prompt (the desk waits for the next line).
prompt_last() { grep -v '^ *$' "$TMP/screen" | tail -n 1 | grep -qE '^> ?$'; }
# wait_prompt SESSION: polls the screen likewise until the last line written is the prompt.
wait_prompt() {
    local i
    for i in $(seq 1 200); do
        screen "$1" >"$TMP/screen" 2>/dev/null && prompt_last && return 0
        sleep 0.1
    done
    echo "--- screen not at the prompt:" >&2; cat "$TMP/screen" >&2
    return 1
}
# wait_rc FILE: the command's exit status, once the session wrote it.
wait_rc() {
    local i
    for i in $(seq 1 200); do [ -s "$1" ] && break; sleep 0.1; done
    cat "$1" 2>/dev/null
}
type_line() { "${T[@]}" send-keys -t "$1" -l "$2"; "${T[@]}" send-keys -t "$1" Enter; }
q() { sqlite3 "$TMP/desk.db" "$1"; }

"${T[@]}" new-session -d -s desk -x 120 -y 40 \
    "TERM=xterm-256color '$BIN' rfq --db '$TMP/desk.db' --lps '$TMP/a.json' --markup-bps 5 \
     2>'$TMP/desk.err'; echo \$? >'$TMP/desk.rc'; sleep 60"
check "the banner says how to ask" wait_for desk 'e\.g\. `b 1\.5 btc btcusdt`'
check "then the prompt" wait_prompt desk

# ---- the seed's example: the locked quote's box --------------------------------------------
type_line desk "b 1.5 btc btcusdt"
check "the request goes to the LP" wait_for desk "^requesting quotes from 1 LP: BUY 1\.5 BTC on BTCUSDT$"
check "QUOTE LOCKED" wait_for desk "^QUOTE LOCKED$"
check "box: the LP" grep -qE "^  LP: +LP-A$" "$TMP/screen"
check "box: side and amount" grep -qE "^  Side: +BUY 1\.5 BTC$" "$TMP/screen"
check "box: client pays" grep -qE "^  Client Pays: +150,075\.00000000 USDT$" "$TMP/screen"
check "box: client gets" grep -qE "^  Client Gets: +1\.50000000 BTC$" "$TMP/screen"
check "box: the client's price" grep -qE "^  Price: +100,050\.0000 USDT$" "$TMP/screen"
check "box: seconds left" grep -qE "^  Valid for: +[0-8]\.[0-9]s$" "$TMP/screen"
check "box: the commands" grep -qE "^Commands: \[p\] proceed  \[c\] cancel  \[q\] quit$" "$TMP/screen"
check "the prompt after the box" wait_prompt desk
# Rounds go on (each a row per LP answer); the box is not drawn again: no better quote came.
for i in $(seq 1 200); do [ "$(q "SELECT count(*) FROM lp_quotes")" -ge 3 ] && break; sleep 0.1; done
check "three rounds answered" [ "$(q "SELECT count(*) FROM lp_quotes WHERE status = 'quoted'")" -ge 3 ]
screen desk >"$TMP/screen"
check "one box for three rounds" [ "$(grep -cE "^QUOTE (LOCKED|IMPROVED)$" "$TMP/screen")" = 1 ]
check "the prompt waits under the box" prompt_last

# ---- p: the execution box and its row ------------------------------------------------------
type_line desk p
check "EXECUTION SUCCESSFUL" wait_for desk "^EXECUTION SUCCESSFUL$"
check "box: the execution id" grep -qE "^  Execution ID: +E[0-9]{8}-[0-9]{6}-[0-9]{3}$" "$TMP/screen"
check "box: the hedge" grep -qE "^  Hedge: +BUY 1\.50000000 BTC$" "$TMP/screen"
check "box: the average price" grep -qE "^  Avg Price: +100,000\.00$" "$TMP/screen"
check "box: the net P&L" grep -qE "^  Net P&L: +75\.00000000 USDT \(5\.00 bps\)$" "$TMP/screen"
check "back to the prompt" wait_prompt desk
EXEC_ID=$(sed -nE 's/^  Execution ID: +//p' "$TMP/screen")
check "the executions row: the screen's id, SUCCESS, LP-A, 75 USDT" [ "$(q "SELECT execution_id
    || ' ' || status || ' ' || lp || ' ' || pnl_asset || ' ' || pnl FROM executions")" = \
    "$EXEC_ID SUCCESS LP-A USDT 7500000000" ]

# ---- a malformed request, then c -----------------------------------------------------------
type_line desk "b 1.5 eth btcusdt"
check "one line naming the token" wait_for desk \
    "^error: token 3 'eth': not an asset of BTCUSDT \(BTC or USDT\)$"
check "the desk stays up: the prompt again" wait_prompt desk
type_line desk "s 1 btc btcusdt"
check "a new lock" wait_for desk "^QUOTE LOCKED$" 2
check "the sell's box" grep -qE "^  Client Gets: +99,950\.00000000 USDT$" "$TMP/screen"
type_line desk c
check "c cancels" wait_for desk "^quote Q[0-9]+ canceled$"
check "c: no execution" [ "$(q "SELECT count(*) FROM executions")" = 1 ]
check "c: the quotes row says so" [ "$(q "SELECT event FROM quotes ORDER BY rowid DESC LIMIT 1")" = canceled ]
check "c: back to the prompt" wait_prompt desk

# ---- q -------------------------------------------------------------------------------------
type_line desk q
check "q: exit 0 ($(cat "$TMP/desk.err" 2>/dev/null))" [ "$(wait_rc "$TMP/desk.rc")" = 0 ]
check "q: nothing on stderr" [ ! -s "$TMP/desk.err" ]

# ---- a lock that runs out; ^D --------------------------------------------------------------
"${T[@]}" new-session -d -s short -x 120 -y 40 \
    "TERM=xterm-256color '$BIN' rfq --db '$TMP/short.db' --lps '$TMP/short.json' \
     2>'$TMP/short.err'; echo \$? >'$TMP/short.rc'; sleep 60"
check "second session: the prompt" wait_prompt short
type_line short "s 2 btc btcusdt"
check "second session: locked" wait_for short "^QUOTE LOCKED$"
check "the desk says the quote expired" wait_for short "^quote Q[0-9]+ expired: the stream stopped"
check "after the expiry: the prompt" wait_prompt short
type_line short p
check "a late p is refused" wait_for short "^error: (quote expired|no quote to proceed with)"
check "expired: no execution row" [ "$(sqlite3 "$TMP/short.db" "SELECT count(*) FROM executions")" = 0 ]
"${T[@]}" send-keys -t short C-d
check "^D: exit 0 ($(cat "$TMP/short.err" 2>/dev/null))" [ "$(wait_rc "$TMP/short.rc")" = 0 ]

# ---- ^C during a stream: canceled with its row, exit 0 -------------------------------------
"${T[@]}" new-session -d -s intr -x 120 -y 40 \
    "TERM=xterm-256color '$BIN' rfq --db '$TMP/intr.db' --lps '$TMP/short.json' \
     2>'$TMP/intr.err'; echo \$? >'$TMP/intr.rc'; sleep 60"
check "third session: the prompt" wait_prompt intr
type_line intr "b 1 btc btcusdt"
check "third session: locked" wait_for intr "^QUOTE LOCKED$"
"${T[@]}" send-keys -t intr C-c
check "^C: exit 0 ($(cat "$TMP/intr.err" 2>/dev/null))" [ "$(wait_rc "$TMP/intr.rc")" = 0 ]
check "^C: the stream's last quotes row says canceled" [ "$(sqlite3 "$TMP/intr.db" "SELECT event
    FROM quotes ORDER BY rowid DESC LIMIT 1")" = canceled ]

finish
