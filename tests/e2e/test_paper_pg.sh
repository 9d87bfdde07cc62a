#!/usr/bin/env bash
# End-to-end: the paper broker on PostgreSQL -- the same results as on SQLite, and idempotency
# across processes racing on one key (the loser's batch collides and is answered as a duplicate).
. "$(dirname "$0")/lib.sh"

URL_FILE=${TL_PG_URL_FILE:?the PostgreSQL test server was not started (TL_PG_URL_FILE unset)}
check "PostgreSQL test server is up" test -s "$URL_FILE"
BASE_URL=$(cat "$URL_FILE")
DBNAME="e2e_paper_$$"
psql -q "$BASE_URL" -c "CREATE DATABASE $DBNAME" >/dev/null
PG_URL="${BASE_URL%/*}/$DBNAME"
unset TRADELOOP_DB TRADELOOP_DURABILITY
export TRADELOOP_FREEZE_UTC=2025-01-01T00:00:00Z # same timestamps, same snapshot rows

# The same intents on both stores: the same results, byte for byte.
run_both() {
    local name=$1; shift
    run_tl "$TMP/$name.sq" "$TMP/$name.sq.err" paper "$@" --db "$TMP/p.db" --workspace w
    local sq=$RC
    run_tl "$TMP/$name.pg" "$TMP/$name.pg.err" paper "$@" --db "$PG_URL" --workspace w
    check "$name: exit $sq on SQLite, $RC on PostgreSQL ($(cat "$TMP/$name.pg.err"))" [ "$sq" -eq "$RC" ]
    check "$name: same output on both" cmp -s "$TMP/$name.sq" "$TMP/$name.pg"
    EXIT=$RC
}
X=(--action OPEN_LONG --symbol AAPL)
run_both open execute --intent-id a "${X[@]}" --qty 2 --fill-price 150.25
check "open exits 0" [ "$EXIT" -eq 0 ]
run_both dup execute --intent-id a "${X[@]}" --qty 2 --fill-price 150.25
check "duplicate exits 3" [ "$EXIT" -eq 3 ]
run_both reuse execute --intent-id a "${X[@]}" --qty 1 --fill-price 150.25
check "reused key exits 2" [ "$EXIT" -eq 2 ]
run_both partial execute --intent-id b --action CLOSE_LONG --symbol AAPL --qty 1 --fill-price 160
check "partial close exits 2" [ "$EXIT" -eq 2 ]
run_both close execute --intent-id c --action CLOSE_LONG --symbol AAPL --qty 2 --fill-price 160
check "full close exits 0" [ "$EXIT" -eq 0 ]
run_both reset reset --starting-equity 250
run_both state state --json
run_both reconcile reconcile --json
check "reconcile: snapshot rows agree" grep -q '"snapshot_match":true' "$TMP/reconcile.pg"

# Three processes per key at once, 60 keys: one fill and two duplicates each.
: >"$TMP/codes"
for k in $(seq 1 60); do
    for j in 1 2 3; do
        ( "$BIN" paper execute --db "$PG_URL" --workspace race --intent-id "k$k" "${X[@]}" \
              --qty 0.01 --fill-price 1 >/dev/null 2>>"$TMP/race.err"
          echo "$k $?" >>"$TMP/codes" ) &
    done
    wait
done
check "each key: exit codes 0, 3, 3" [ "$(awk '{print $2}' "$TMP/codes" | sort | uniq -c | tr -s ' ' | xargs)" = "60 0 120 3" ]
check "no process failed" [ ! -s "$TMP/race.err" ]
q() { psql -qtA "$PG_URL" -c "$1"; }
check "orders: 60 rows, unique ids" [ "$(q "SELECT count(*), count(DISTINCT order_id) FROM orders WHERE workspace = 'race'")" = "60|60" ]
check "trades: 60 rows, unique ids" [ "$(q "SELECT count(*), count(DISTINCT trade_id) FROM trades WHERE workspace = 'race'")" = "60|60" ]
check "journal is gap-free" [ "$(q 'SELECT count(*) = max(seq) FROM trade_events')" = t ]
run_tl "$TMP/race.rec" "$TMP/race.rec.err" paper reconcile --db "$PG_URL" --workspace race --json
check "race: cash is exact" grep -q '"cash":9999.4,' "$TMP/race.rec"
check "race: one reset" grep -q '"resets":1,' "$TMP/race.rec"

psql -q "$BASE_URL" -c "DROP DATABASE $DBNAME" >/dev/null
finish
