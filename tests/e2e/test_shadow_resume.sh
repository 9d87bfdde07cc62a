#!/usr/bin/env bash
# End-to-end: a second `shadow --db` on a workspace resumes it. The engine is rebuilt from the
# journal (orders, ids, trade ids, positions, cash), orders the fresh simulated venue does not
# know expire, numbering goes on, and the journal still replays to the live digest.
. "$(dirname "$0")/lib.sh"

DB="$TMP/desk.db"
ARGS=(--symbols BTCUSDT,ETHUSDT --iterations 400 --max-inv 10000 --max-total 50000
      --edge-threshold 0.0001 --fill-rate 0.7 --reject-rate 0.05 --seed 42 --db "$DB" --json)
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

run_tl "$TMP/r1.json" "$TMP/r1.err" shadow "${ARGS[@]}"
check "first run exits 0" [ "$RC" -eq 0 ]
run_tl "$TMP/r2.json" "$TMP/r2.err" shadow "${ARGS[@]}"
check "second run resumes (exit 0): $(cat "$TMP/r2.err")" [ "$RC" -eq 0 ]
P1=$(jget "$TMP/r1.json" 'd["orders"]["placed"]')
P2=$(jget "$TMP/r2.json" 'd["orders"]["placed"]')
check "counts go on from the first run ($P1 then $P2)" [ "$P2" -gt "$P1" ]
check "the second run journaled its own events" [ "$(jget "$TMP/r2.json" 'd["journal"]["events"]')" -gt 0 ]
check "digests differ: the second run traded" [ "$(jget "$TMP/r1.json" 'd["journal"]["state_digest"]')" != "$(jget "$TMP/r2.json" 'd["journal"]["state_digest"]')" ]

# No id was handed out twice, across both runs.
check "order ids unique" [ "$(sqlite3 "$DB" "select count(*) - count(distinct order_id) from orders")" = 0 ]
check "trade ids unique" [ "$(sqlite3 "$DB" "select count(*) - count(distinct trade_id) from trades")" = 0 ]
check "order ids numbered on" [ "$(sqlite3 "$DB" "select count(*) from orders where order_id = 'CLI00000001'")" = 1 ]
check "one reset: the workspace was resumed, not started over" \
    [ "$(sqlite3 "$DB" "select count(*) from trade_events where type = 18")" = 1 ]

# The journal of both runs replays to the second run's live digest.
run_tl "$TMP/rec.json" "$TMP/rec.err" reconcile --db "$DB" --json
check "reconcile exits 0" [ "$RC" -eq 0 ]
check "replayed digest = live digest of the resumed run" \
    [ "$(jget "$TMP/rec.json" 'd["state_digest"]')" = "$(jget "$TMP/r2.json" 'd["journal"]["state_digest"]')" ]

# A paper command on the shadow run's workspace is refused and writes nothing.
HW=$(sqlite3 "$DB" "select max(seq) from trade_events")
run_tl "$TMP/p.json" "$TMP/p.err" paper execute --db "$DB" --workspace shadow --intent-id x1 \
    --action OPEN_LONG --symbol AAPL --qty 1 --fill-price 10 --json
check "paper on a shadow workspace exits 2" [ "$RC" -eq 2 ]
check "and says why" grep -q "holds a shadow journal, not a paper one" "$TMP/p.err"
check "and writes nothing" [ "$(sqlite3 "$DB" "select max(seq) from trade_events")" = "$HW" ]
finish
