#!/usr/bin/env bash
# End-to-end: shadow --db journals every event; the same run gives the same state digest on SQLite,
# PostgreSQL and memory; reconcile rebuilds it from the journal alone; bad stores are refused.
. "$(dirname "$0")/lib.sh"

URL_FILE=${TL_PG_URL_FILE:?the PostgreSQL test server was not started (TL_PG_URL_FILE unset)}
check "PostgreSQL test server is up" test -s "$URL_FILE"
BASE_URL=$(cat "$URL_FILE")
# A database of our own, so tests that reset the shared one cannot disturb this one.
DBNAME="e2e_journal_$$"
psql -q "$BASE_URL" -c "CREATE DATABASE $DBNAME" >/dev/null
PG_URL="${BASE_URL%/*}/$DBNAME"

ARGS=(--symbols BTCUSDT,ETHUSDT --iterations 200 --seed 7 --json)
digest_of() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['$2']['state_digest'] if '$2' else d['state_digest'])" "$1"; }

run_tl "$TMP/sq.json" "$TMP/sq.err" shadow "${ARGS[@]}" --db "$TMP/a.db"
check "shadow --db sqlite exits 0" [ "$RC" -eq 0 ]
run_tl "$TMP/pg.json" "$TMP/pg.err" shadow "${ARGS[@]}" --db "$PG_URL"
check "shadow --db postgresql exits 0 ($(cat "$TMP/pg.err"))" [ "$RC" -eq 0 ]
run_tl "$TMP/mem.json" "$TMP/mem.err" shadow "${ARGS[@]}" --db mem: --durability normal
check "shadow --db mem: exits 0" [ "$RC" -eq 0 ]
check "same report, byte for byte, on SQLite and PostgreSQL" cmp -s "$TMP/sq.json" "$TMP/pg.json"
check "same report on memory" cmp -s "$TMP/sq.json" "$TMP/mem.json"
D=$(digest_of "$TMP/sq.json" journal)
check "digest is 64 hex digits" bash -c "[[ '$D' =~ ^[0-9a-f]{64}$ ]]"
EV=$(python3 -c "import json; print(json.load(open('$TMP/sq.json'))['journal']['events'])")
check "events were journaled" [ "$EV" -gt 200 ]

# Reconcile from the journal alone gives the live state's digest on both durable backends.
run_tl "$TMP/rs.json" "$TMP/rs.err" reconcile --db "$TMP/a.db" --json
check "reconcile sqlite exits 0" [ "$RC" -eq 0 ]
check "reconcile sqlite digest = live digest" [ "$(digest_of "$TMP/rs.json" "")" = "$D" ]
run_tl "$TMP/rp.json" "$TMP/rp.err" reconcile --db "$PG_URL" --json
check "reconcile postgresql digest = live digest" [ "$(digest_of "$TMP/rp.json" "")" = "$D" ]
check "events = journal high-water" python3 -c "
import json; d=json.load(open('$TMP/rs.json')); assert d['events'] == $EV, d['events']"

# The tables agree with the journal: one trade per ORDER_FILLED, positions = sum of trades.
check "sqlite trades and positions agree with the journal" python3 - "$TMP/a.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
fills = c.execute("select count(*) from trade_events where type = 8").fetchone()[0]
trades = c.execute("select count(*), count(distinct trade_id) from trades").fetchone()
assert trades[0] == fills == trades[1], (fills, trades)
assert c.execute("pragma integrity_check").fetchone()[0] == 'ok'
recomputed = dict(c.execute("select symbol, sum(case when side = 'BUY' then quantity else -quantity end) from trades group by symbol"))
stored = dict(c.execute("select symbol, qty from positions where workspace = 'shadow'"))
assert recomputed == stored, (recomputed, stored)
PY

# A second run into the same workspace resumes it (tests/e2e/test_shadow_resume.sh checks how);
# its journal still replays to its live digest, or the run would have failed.
run_tl "$TMP/again.json" "$TMP/again.err" shadow "${ARGS[@]}" --db "$TMP/a.db"
check "second run into the same workspace resumes it" [ "$RC" -eq 0 ]
check "... with no duplicate trade" [ "$(sqlite3 "$TMP/a.db" "select count(*) - count(distinct trade_id) from trades")" = 0 ]
run_tl "$TMP/ws2.json" "$TMP/ws2.err" shadow "${ARGS[@]}" --db "$TMP/a.db" --workspace other
check "another workspace in the same database runs" [ "$RC" -eq 0 ]

# Stores that must be refused, with a clear error and nothing written.
echo "not a database at all, just text" >"$TMP/junk.db"
run_tl "$TMP/j.out" "$TMP/j.err" shadow --db "$TMP/junk.db" --json
check "a file that is not a database is refused" [ "$RC" -eq 1 ]
check "... saying so" grep -qi "not a tradeloop database\|not a database" "$TMP/j.err"
check "... and left alone" grep -q "just text" "$TMP/junk.db"
python3 -c "import sqlite3; c=sqlite3.connect('$TMP/foreign.db'); c.execute('create table t(x)'); c.commit()"
run_tl "$TMP/f.out" "$TMP/f.err" shadow --db "$TMP/foreign.db" --json
check "another application's database is refused" [ "$RC" -eq 1 ]
check "... as not tradeloop's" grep -q "not a tradeloop database" "$TMP/f.err"
run_tl "$TMP/m.out" "$TMP/m.err" shadow --db "$TMP/no/such/dir/x.db" --json
check "a missing directory is refused" [ "$RC" -eq 1 ]
check "... naming it" grep -q "no/such/dir" "$TMP/m.err"
expect_usage "bad durability" "--durability: want full or normal" shadow --db "$TMP/x.db" --durability sometimes
expect_usage "bad workspace" "--workspace" shadow --db "$TMP/x.db" --workspace "a b"
run_tl "$TMP/r.out" "$TMP/r.err" reconcile --db "$TMP/absent.db"
check "reconcile of a missing file fails" [ "$RC" -eq 1 ]
check "reconcile did not create it" test ! -e "$TMP/absent.db"

psql -q "$BASE_URL" -c "DROP DATABASE $DBNAME" >/dev/null
finish
