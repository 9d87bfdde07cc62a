#!/usr/bin/env bash
# End-to-end: `paper execute` and `paper execute-batch` on a store that stays busy. Whatever the
# cause, the command must fail (exit 1), print no result on stdout, say why on stderr, and leave
# the journal as it was, so the same intent executes once the store is free again.
#
# Two ways a store stays busy:
# - another writer gets ahead of every attempt: simulated without timing by a trigger that makes
#   every append to trade_events fail its unique check, as a batch numbered from a stale
#   high-water mark does. The command retries (reopening the store) and then gives up. Before
#   the fix it printed a result that was never filled in and exited 0.
# - another process holds the write lock (BEGIN IMMEDIATE) for the whole run: opening the store
#   waits SQLite's busy timeout (5 s) and fails saying the file is locked.
. "$(dirname "$0")/lib.sh"

DB=$TMP/busy.db
W=(--db "$DB" --workspace desk)
intent() { echo --intent-id "$1" --action OPEN_LONG --symbol BTCUSDT --qty 0.01 --fill-price 50000; }
events() { sqlite3 "$DB" "SELECT count(*) FROM trade_events"; }

run_tl "$TMP/0.out" "$TMP/0.err" paper execute "${W[@]}" $(intent i1) --json
check "a first intent executes" [ "$RC" -eq 0 ]
BEFORE=$(events)
check "the journal holds it" [ "$BEFORE" -gt 0 ]
printf 'i2,OPEN_LONG,BTCUSDT,0.01,50000\ni3,OPEN_LONG,BTCUSDT,0.01,50000\n' >"$TMP/batch.csv"

# expect_busy DESCRIPTION PATTERN ARGS...: exit 1, nothing on stdout, one line on stderr matching
# PATTERN, the journal unchanged.
expect_busy() {
    local d=$1 pat=$2; shift 2
    run_tl "$TMP/b.out" "$TMP/b.err" "$@"
    check "$d: exit 1" [ "$RC" -eq 1 ]
    check "$d: nothing on stdout" [ ! -s "$TMP/b.out" ]
    check "$d: one line on stderr" [ "$(wc -l <"$TMP/b.err")" -eq 1 ]
    if ! grep -qE -- "$pat" "$TMP/b.err"; then bad "$d: stderr '$(cat "$TMP/b.err")' lacks /$pat/"; else ok; fi
    check "$d: nothing journaled" [ "$(events)" = "$BEFORE" ]
}

# 1. Another writer ahead every time.
sqlite3 "$DB" "CREATE TABLE ahead (n INTEGER PRIMARY KEY); INSERT INTO ahead VALUES (1);
               CREATE TRIGGER ahead AFTER INSERT ON trade_events BEGIN INSERT INTO ahead VALUES (1); END;"
STAYED="^tradeloop paper execute(-batch)?: (line 1: )?paper: the store stayed busy .*nothing executed"
expect_busy "execute, always overtaken (JSON)" "$STAYED" paper execute "${W[@]}" $(intent i2) --json
# On a terminal the result would be a text line: there is none, only the error.
if command -v script >/dev/null; then
    script -qec "'$BIN' paper execute --db '$DB' --workspace desk $(intent i2)" /dev/null >"$TMP/tty.out" 2>&1
    check "execute on a terminal: exit 1" [ $? -eq 1 ]
    check "execute on a terminal: says it stayed busy" grep -q "stayed busy" "$TMP/tty.out"
    check "execute on a terminal: one line, no result" [ "$(grep -c . "$TMP/tty.out")" -eq 1 ]
fi
expect_busy "execute-batch, always overtaken" "$STAYED" \
    paper execute-batch "${W[@]}" --file "$TMP/batch.csv" --json
sqlite3 "$DB" "DROP TRIGGER ahead; DROP TABLE ahead;"

# 2. The write lock held by another process for the whole run.
check "lock holder" python3 - "$BIN" "$DB" "$TMP" <<'PY'
import sqlite3, subprocess, sys
BIN, DB, TMP = sys.argv[1:4]
W = ['--db', DB, '--workspace', 'desk']
c = sqlite3.connect(DB, isolation_level=None)
c.execute('BEGIN IMMEDIATE')
runs = {
    'execute': [BIN, 'paper', 'execute', *W, '--intent-id', 'i2', '--action', 'OPEN_LONG',
                '--symbol', 'BTCUSDT', '--qty', '0.01', '--fill-price', '50000', '--json'],
    'execute-batch': [BIN, 'paper', 'execute-batch', *W, '--file', TMP + '/batch.csv', '--json'],
}
for name, argv in runs.items():
    r = subprocess.run(argv, capture_output=True, timeout=120)
    assert r.returncode == 1, (name, r.returncode, r.stdout, r.stderr)
    assert r.stdout == b'', (name, r.stdout)
    err = r.stderr.decode()
    assert err.count('\n') == 1 and 'locked by another connection' in err, (name, err)
c.execute('ROLLBACK')
c.close()
PY
check "the lock held: nothing journaled" [ "$(events)" = "$BEFORE" ]

# Free again: the intents that failed were never executed, so they execute now, once.
run_tl "$TMP/2.out" "$TMP/2.err" paper execute "${W[@]}" $(intent i2) --json
check "free again: execute exits 0" [ "$RC" -eq 0 ]
check "free again: i2 is new, not a duplicate" grep -q '"duplicate":false,.*"status":"FILLED"' "$TMP/2.out"
run_tl "$TMP/3.out" "$TMP/3.err" paper execute-batch "${W[@]}" --file "$TMP/batch.csv" --json
check "free again: the batch exits 0" [ "$RC" -eq 0 ]
check "free again: the batch finds i2 done" grep -q '"duplicate":true,.*"intent_id":"i2"' "$TMP/3.out"
check "free again: the batch executes i3" grep -q '"duplicate":false,.*"intent_id":"i3",.*"status":"FILLED"' "$TMP/3.out"
run_tl "$TMP/r.out" "$TMP/r.err" paper reconcile "${W[@]}" --json
check "free again: reconcile exits 0" [ "$RC" -eq 0 ]
check "free again: three fills" grep -q '"fills_replayed":3' "$TMP/r.out"
finish
