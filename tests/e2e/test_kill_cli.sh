#!/usr/bin/env bash
# End-to-end: `tradeloop kill` against a database no engine runs on (the request is queued, a
# durable row in the control inbox), against one whose "engine" (a sqlite3 loop standing in for
# it) takes the request, on an older schema (migrated), and its refusals.
. "$(dirname "$0")/lib.sh"

DB=$TMP/k.db
run_tl "$TMP/shadow.out" "$TMP/shadow.err" shadow --db "$DB" --iterations 3 --seed 7 --json
check "shadow --db makes a journal" [ "$RC" -eq 0 ]

# Queued: no engine, --wait 0. Exit 0, says so, and the row is there for the next start.
run_tl "$TMP/q.out" "$TMP/q.err" kill --db "$DB" --reason "fat finger on desk 3" --wait 0 \
    --format table
check "kill with no engine exits 0" [ "$RC" -eq 0 ]
check "kill says it is queued" grep -qx "kill switch requested (control #1); no engine took it \
within 0 s: it engages when the engine next starts" "$TMP/q.out"
check "nothing on stderr" [ ! -s "$TMP/q.err" ]
check "the row is in the control inbox, untaken" \
    [ "$(sqlite3 "$DB" "SELECT id, command, arg, taken_seq IS NULL FROM control")" = \
      "1|kill|fat finger on desk 3|1" ]
check "the request time is the wall clock" \
    [ "$(sqlite3 "$DB" "SELECT abs(ts_ns / 1000000000 - strftime('%s', 'now')) < 600 FROM control")" = 1 ]

# The default wait (2 s), JSON, --release.
run_tl "$TMP/r.json" "$TMP/r.err" kill --db "$DB" --release --json
check "kill --release exits 0" [ "$RC" -eq 0 ]
check "JSON: the request, not taken, after the default wait" python3 - "$TMP/r.json" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r == {"command": "release", "control_id": 2, "journal_seq": None, "reason": "",
             "taken": False, "wait_s": 2}, r
PY
check "the release row" [ "$(sqlite3 "$DB" "SELECT command FROM control WHERE id = 2")" = release ]

# Taken: a stand-in engine marks every untaken row taken by journal seq 1 until kill returns.
( while [ ! -e "$TMP/stop" ]; do
      sqlite3 -cmd ".timeout 5000" "$DB" \
          "UPDATE control SET taken_seq = 1, taken_ns = 1 WHERE taken_seq IS NULL" 2>/dev/null
      sleep 0.05
  done ) &
ENGINE=$!
run_tl "$TMP/t.out" "$TMP/t.err" kill --db "$DB" --reason "taken" --wait 30 --format table
touch "$TMP/stop"
wait "$ENGINE"
check "kill exits 0 when taken" [ "$RC" -eq 0 ]
check "kill says the engine took it, with the seq" \
    grep -qx "kill switch engaged by the engine (journal seq 1)" "$TMP/t.out"

# An older database (schema version 3, before the inbox) is migrated by the request.
OLD=$TMP/old.db
cp "$TMP/k.db" "$OLD"
sqlite3 "$OLD" "DROP VIEW quotes_v; DROP VIEW lp_quotes_v; DROP VIEW executions_v;
    DROP TABLE quotes; DROP TABLE lp_quotes; DROP TABLE executions;
    DROP TABLE control; DROP TABLE loop_status;
    UPDATE tradeloop_meta SET value = '3' WHERE key = 'schema_version'"
run_tl "$TMP/o.json" "$TMP/o.err" kill --db "sqlite:$OLD" --wait 0 --json
check "kill on a version 3 database exits 0" [ "$RC" -eq 0 ]
check "it is migrated to the current version (8), the row in it" [ "$(sqlite3 "$OLD" \
    "SELECT value FROM tradeloop_meta WHERE key = 'schema_version';
     SELECT id || ' ' || command FROM control")" = "$(printf '8\n1 kill')" ]

# Refusals: a database that does not exist (and is not created), someone else's, mem:.
run_tl "$TMP/e.out" "$TMP/e.err" kill --db "$TMP/nope.db" --wait 0
check "no such database: exit 1" [ "$RC" -eq 1 ]
check "no such database: says so" grep -q "no such database" "$TMP/e.err"
check "no such database: not created" [ ! -e "$TMP/nope.db" ]
sqlite3 "$TMP/other.db" "CREATE TABLE t (x)"
run_tl "$TMP/e.out" "$TMP/e.err" kill --db "$TMP/other.db" --wait 0
check "someone else's database: exit 1" [ "$RC" -eq 1 ]
check "someone else's database: says so" grep -q "not a tradeloop database" "$TMP/e.err"
check "someone else's database: untouched" \
    [ "$(sqlite3 "$TMP/other.db" "SELECT group_concat(name) FROM sqlite_schema")" = t ]
expect_usage "mem: cannot be reached" "--db: mem: lives inside one process" kill --db mem:
expect_usage "a reason too long" "--reason: reason longer than 127 bytes" \
    kill --db "$DB" --reason "$(printf 'x%.0s' $(seq 128))"
expect_usage "a reason with a newline" "--reason: reason byte 5 \(0x0a\) is not printable" \
    kill --db "$DB" --reason "$(printf 'line\nbreak')"
expect_usage "a reason not ASCII" "--reason: reason byte 4 \(0xc3\)" \
    kill --db "$DB" --reason "caf$(printf '\xc3\xa9')"
expect_usage "--wait above 60" "--wait: 61 is above the maximum 60" kill --db "$DB" --wait 61
expect_usage "--wait not a number" "--wait" kill --db "$DB" --wait 1s
expect_usage "an unknown flag" "--force" kill --db "$DB" --force
check "refused requests wrote no row" [ "$(sqlite3 "$DB" "SELECT count(*) FROM control")" = 3 ]
run_tl "$TMP/e.out" "$TMP/e.err" kill --db "$DB" --reason "$(printf 'x%.0s' $(seq 127))" --wait 0
check "a reason of 127 characters is accepted" [ "$RC" -eq 0 ]

# --help: exit 0, every flag.
run_tl "$TMP/h.out" "$TMP/h.err" kill --help
check "--help exits 0" [ "$RC" -eq 0 ]
for f in --db --reason --release --wait --json --format; do
    check "--help lists $f" grep -q -- "^  $f " "$TMP/h.out"
done
check "--help gives --wait's range" grep -q -- "--wait SECONDS.*\[0\.\.60\]" "$TMP/h.out"
check "tradeloop --help lists kill" bash -c "'$BIN' --help | grep -q '^  kill '"

finish
