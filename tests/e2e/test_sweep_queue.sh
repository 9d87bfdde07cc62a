#!/usr/bin/env bash
# test_sweep_queue.sh -- `tradeloop sweep --queue` and `tradeloop sweep-worker` on a real Redis
# server and a SQLite store: two workers, the first killed (SIGKILL, by the test-only hook
# TRADELOOP_TEST_WORKER_DIE_AFTER_ROW=1) right after its first variant's row is stored and before
# its XACK; the second claims that entry and runs the rest. The printed document equals the local
# `tradeloop sweep --json` byte for byte, nothing is left pending, every variant has one row.
# Then SIGTERM stops an idle worker with exit 0, and the refusals.
. "$(dirname "$0")/lib.sh"
DATA=$SRC/data/msft_daily.csv
SPEC=$SRC/examples/sweeps/breakout.json
RD="$TMP/redis"
bash "$SRC/tests/support/redis_server.sh" start "$RD" >/dev/null || { bad "redis starts"; finish; exit 1; }
RP=$(cat "$RD/port")
URL="redis://127.0.0.1:$RP"
SP="" PA="" PB=""
trap 'kill -9 $SP $PA $PB 2>/dev/null; bash "$SRC/tests/support/redis_server.sh" stop "$RD" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
rcli() { redis-cli -p "$RP" "$@"; }
# wait_for COMMAND...: until it succeeds, at most about a minute (a bound, not a timing).
wait_for() { local i; for i in $(seq 1 600); do "$@" && return 0; sleep 0.1; done; return 1; }

run_tl "$TMP/local.json" "$TMP/local.err" sweep --spec "$SPEC" --data "$DATA" --db "$TMP/local.db" --jobs 1 --json
check "the local sweep: exit 0" [ "$RC" -eq 0 ]

"$BIN" sweep --queue "$URL" --spec "$SPEC" --data "$DATA" --db "$TMP/q.db" --json \
    >"$TMP/q.json" 2>"$TMP/q.err" &
SP=$!
queued() { [ "$(rcli XLEN tradeloop:sweeps)" = 15 ]; }
check "the submitter puts the 15 variants on the stream" wait_for queued
check "the plan's data is in Redis, as the CSV's bytes" \
    cmp -s <(rcli --raw HGET "tradeloop:sweeps:plan:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_plan_id"])' "$TMP/local.json")" data | head -c "$(stat -c %s "$DATA")") "$DATA"

# Worker a: runs the first variant, stores its row, and dies before acknowledging it.
TRADELOOP_TEST_WORKER_DIE_AFTER_ROW=1 "$BIN" sweep-worker --queue "$URL" --db "$TMP/q.db" \
    --consumer a 2>"$TMP/a.err" &
PA=$!
wait "$PA"
check "worker a was killed by SIGKILL" [ $? -eq 137 ]
PA=""
check "worker a stored one row" grep -q "(1 of 15): done" "$TMP/a.err"
check "its entry is left pending, held by a" [ "$(rcli XPENDING tradeloop:sweeps tradeloop-sweep | sed -n 1p) $(rcli XPENDING tradeloop:sweeps tradeloop-sweep | sed -n 4p)" = "1 a" ]
check "the submitter is still waiting" kill -0 "$SP"

# Worker b: claims a's entry (idle > 200 ms) and runs everything else.
"$BIN" sweep-worker --queue "$URL" --db "$TMP/q.db" --consumer b --idle-ms 200 2>"$TMP/b.err" &
PB=$!
submitter_done() { ! kill -0 "$SP" 2>/dev/null; }
check "the submitter finishes" wait_for submitter_done
wait "$SP"
check "the submitter: exit 0" [ $? -eq 0 ]
SP=""
check "the queued sweep prints the local document byte for byte" cmp "$TMP/local.json" "$TMP/q.json"
check "no progress bar when stderr is not a terminal" [ ! -s "$TMP/q.err" ]
check "nothing pending in the group" [ "$(rcli XPENDING tradeloop:sweeps tradeloop-sweep | sed -n 1p)" = 0 ]
check "every variant's row once" [ "$(sqlite3 "$TMP/q.db" "SELECT count(*) || ',' || count(DISTINCT variant_id) FROM run_variants")" = "15,15" ]
check "worker b claimed a's entry" grep -q "claimed an entry" "$TMP/b.err"
check "the rows equal the local store's, figures and digests" [ \
    "$(sqlite3 "$TMP/q.db" "SELECT variant_id, ord, status, trade_count, return_pct, state_digest FROM run_variants ORDER BY ord")" = \
    "$(sqlite3 "$TMP/local.db" "SELECT variant_id, ord, status, trade_count, return_pct, state_digest FROM run_variants ORDER BY ord")" ]

# SIGTERM: b (idle now) exits 0 and says what it did.
kill -TERM "$PB"
wait "$PB"
check "SIGTERM: worker b exits 0" [ $? -eq 0 ]
PB=""
check "worker b ran 15 variants, 1 of them claimed" grep -q "stopped after 15 variants (1 claimed)" "$TMP/b.err"

# The same plan again on the same store: the same document (rows replaced with the same figures).
"$BIN" sweep-worker --queue "$URL" --db "$TMP/q.db" --consumer c 2>"$TMP/c.err" &
PB=$!
run_tl "$TMP/q2.json" "$TMP/q2.err" sweep --queue "$URL" --spec "$SPEC" --data "$DATA" --db "$TMP/q.db" --json
check "again: exit 0, the same document" [ "$RC" -eq 0 ] && check "again: same bytes" cmp "$TMP/local.json" "$TMP/q2.json"
kill -TERM "$PB"
wait "$PB"
PB=""

# ---- refusals ---------------------------------------------------------------------------------
expect_usage "a URL that is not redis://" "--queue.*redis://HOST" \
    sweep --queue http://127.0.0.1:1 --spec "$SPEC" --data "$DATA" --db "$TMP/x.db"
expect_usage "a password in the URL" "REDIS_PASSWORD" \
    sweep --queue redis://u:secret@127.0.0.1 --spec "$SPEC" --data "$DATA" --db "$TMP/x.db"
expect_usage "a bad port" "port" sweep-worker --queue redis://127.0.0.1:99999 --db "$TMP/x.db"
expect_usage "the worker needs --queue" "--queue is required" sweep-worker --db "$TMP/x.db"
expect_usage "--queue on mem:" "mem:" sweep --queue "$URL" --spec "$SPEC" --data "$DATA" --db mem:
expect_usage "--queue with --jobs" "exclude" \
    sweep --queue "$URL" --jobs 2 --spec "$SPEC" --data "$DATA" --db "$TMP/x.db"
run_tl "$TMP/n.out" "$TMP/n.err" sweep --queue redis://127.0.0.1:1 --spec "$SPEC" --data "$DATA" --db "$TMP/x.db"
check "no redis: the submitter exits 1 saying why" [ "$RC" -eq 1 -a ! -s "$TMP/n.out" ] && \
    check "no redis: the reason" grep -q "redis 127.0.0.1:1: Connection refused" "$TMP/n.err"
check "no redis: no store file was created" [ ! -e "$TMP/x.db" ]
run_tl "$TMP/n.out" "$TMP/n.err" sweep-worker --queue redis://127.0.0.1:1 --db "$TMP/x.db"
check "no redis: the worker exits 1 saying why" [ "$RC" -eq 1 ] && \
    check "no redis: the worker's reason" grep -q "Connection refused" "$TMP/n.err"
check "no redis: the worker created no store file" [ ! -e "$TMP/x.db" ]
finish
