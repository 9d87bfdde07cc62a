#!/usr/bin/env bash
# test_run_pg.sh -- `tradeloop run` journaling to PostgreSQL and to mem: gives the report it gives
# on SQLite, byte for byte; on PostgreSQL the replayed digest equals the run's and a restart acts
# on no signal twice.
. "$(dirname "$0")/lib.sh"

URL_FILE=${TL_PG_URL_FILE:?the PostgreSQL test server was not started (TL_PG_URL_FILE unset)}
check "PostgreSQL test server is up" test -s "$URL_FILE"
BASE_URL=$(cat "$URL_FILE")
DBNAME="e2e_run_$$"
psql -q "$BASE_URL" -c "CREATE DATABASE $DBNAME" >/dev/null
PG_URL="${BASE_URL%/*}/$DBNAME"
unset TRADELOOP_DB TRADELOOP_DURABILITY

head -n 3000 "$SRC/data/usdchf_30m.csv" >"$TMP/q.csv"
python3 - "$TMP/q.csv" "$TMP/s.jsonl" <<'PY'
import json, sys
rows = [l.split(",")[0] for l in open(sys.argv[1]).read().splitlines()[1:]]
with open(sys.argv[2], "w") as out:
    for i in range(100):
        s = {"id": "p%03d" % i, "ts": rows[i * 29], "account": "va1", "symbol": "USDCHF",
             "action": "ENTER_LONG" if i % 2 == 0 else "EXIT"}
        if i % 2 == 0:
            s["qty"] = "5000"
        out.write(json.dumps(s) + "\n")
PY
RUN=(run --quotes "$TMP/q.csv" --symbol USDCHF --spread-bps 2 --signals "$TMP/s.jsonl"
     --trading-window off --json)
run_tl "$TMP/sq.json" "$TMP/sq.err" "${RUN[@]}" --db "$TMP/r.db"
check "SQLite run exits 0 ($(cat "$TMP/sq.err"))" [ "$RC" -eq 0 ]
run_tl "$TMP/pg.json" "$TMP/pg.err" "${RUN[@]}" --db "$PG_URL"
check "PostgreSQL run exits 0 ($(cat "$TMP/pg.err"))" [ "$RC" -eq 0 ]
check "the same report on PostgreSQL as on SQLite" cmp -s "$TMP/sq.json" "$TMP/pg.json"
run_tl "$TMP/mem.json" "$TMP/mem.err" "${RUN[@]}" --db mem:
check "the same report on mem: ($(cat "$TMP/mem.err"))" cmp -s "$TMP/sq.json" "$TMP/mem.json"
run_tl "$TMP/rec.json" "$TMP/rec.err" reconcile --db "$PG_URL" --json
check "PostgreSQL: the replayed digest equals the run's" python3 -c "
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
sys.exit(0 if a['journal']['state_digest'] == b['state_digest'] else 1)" "$TMP/pg.json" "$TMP/rec.json"
run_tl "$TMP/pg2.json" "$TMP/pg2.err" "${RUN[@]}" --db "$PG_URL"
check "PostgreSQL restart: no signal acted on twice" python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r['signals']['accepted'] == 0 and r['refusals'].get('DUPLICATE') == 100 else 1)" \
    "$TMP/pg2.json"
psql -q "$BASE_URL" -c "DROP DATABASE $DBNAME" >/dev/null 2>&1
finish
