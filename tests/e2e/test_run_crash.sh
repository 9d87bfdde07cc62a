#!/usr/bin/env bash
# test_run_crash.sh -- kill -9 during a replay of the whole usdchf_30m file with 1,000 signals;
# restarted on the same database, the run finishes: its state equals the journal's replay, every
# open position has its stop back, and no signal was acted on twice.
. "$(dirname "$0")/lib.sh"

DATA="$SRC/data/usdchf_30m.csv"
DB="$TMP/crash.db"
cat >"$TMP/acc.json" <<'EOF'
[{"name": "va1", "starting_balance": "100000"}, {"name": "va2", "starting_balance": "100000"},
 {"name": "va3", "starting_balance": "100000"}, {"name": "va4", "starting_balance": "100000"}]
EOF
# 1,000 signals at bar times (a signal at a quote's time sees that quote): entries and exits in
# turn per account, spread over the file.
python3 - "$DATA" "$TMP/sig.jsonl" <<'EOF'
import json, sys
rows = [l.split(",")[0] for l in open(sys.argv[1]).read().splitlines()[1:]]
out = open(sys.argv[2], "w")
step = len(rows) // 1000
for i in range(1000):
    acct = "va%d" % (i % 4 + 1)
    enter = (i // 4) % 2 == 0
    s = {"id": "s%04d" % i, "ts": rows[i * step], "account": acct, "symbol": "USDCHF",
         "action": "ENTER_LONG" if enter else "EXIT"}
    if enter:
        s["qty"] = "10000"
    out.write(json.dumps(s) + "\n")
EOF
RUN=(run --quotes "$DATA" --symbol USDCHF --spread-bps 2 --signals "$TMP/sig.jsonl"
     --accounts "$TMP/acc.json" --db "$DB" --trading-window off --durability full --json)

# The first run reads its quotes from a FIFO that delivers half of the file and then holds: the
# engine is mid-file, whatever the machine's speed, when it is killed.
mkfifo "$TMP/q.fifo"
{ head -n 31000 "$DATA"; exec sleep 120; } >"$TMP/q.fifo" 2>/dev/null &
WRITER=$!
FIRST=("${RUN[@]}")
FIRST[2]="$TMP/q.fifo"
"$BIN" "${FIRST[@]}" >"$TMP/first.json" 2>"$TMP/first.err" &
PID=$!
for i in $(seq 1 300); do
    n=$(sqlite3 "$DB" "SELECT count(*) FROM trade_events WHERE type = 5" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 40 ] && break
    sleep 0.05
done
kill -9 "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
kill "$WRITER" 2>/dev/null
check "the first run was killed before its report" [ ! -s "$TMP/first.json" ]
BEFORE=$(sqlite3 "$DB" "SELECT count(*) FROM trade_events WHERE type = 5")
check "the crash came in the middle of the run ($BEFORE orders journaled)" [ "$BEFORE" -lt 1000 ]

run_tl "$TMP/r.json" "$TMP/r.err" "${RUN[@]}"
check "the restart finishes (rc $RC: $(head -c 300 "$TMP/r.err"))" [ "$RC" -eq 0 ]
run_tl "$TMP/rec.json" "$TMP/rec.err" reconcile --db "$DB" --json
check "the state equals the journal's replay" python3 -c "
import json, sys
r = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
sys.exit(0 if r['journal']['state_digest'] == c['state_digest'] else 1)" "$TMP/r.json" "$TMP/rec.json"
check "every open position has its stop" python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
pos = [a['position'] for a in r['accounts'].values() if a['position']]
sys.exit(0 if all(p['stop'] is not None and float(p['stop']) > 0 for p in pos) else 1)" "$TMP/r.json"
sqlite3 -separator ' ' "$DB" "SELECT workspace, cash FROM accounts ORDER BY workspace" >"$TMP/acc.rows"
check "every account's row in the accounts table is its state" python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
rows = dict(l.split() for l in open(sys.argv[2]))
want = {k: v['balance'] for k, v in r['accounts'].items()}
got = {k: int(v) / 1e8 for k, v in rows.items()}
sys.exit(0 if set(want) == set(got) and all(abs(want[k] - got[k]) < 1e-6 for k in want) else 1)" \
    "$TMP/r.json" "$TMP/acc.rows"
TWICE=$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT idem_key FROM trade_events WHERE type = 5
    AND idem_key LIKE 'sig:%' GROUP BY idem_key HAVING count(*) > 1)")
check "no signal acted on twice ($TWICE keys with two orders)" [ "$TWICE" = 0 ]
SIGS=$(sqlite3 "$DB" "SELECT count(DISTINCT idem_key) FROM trade_events WHERE type = 1
    AND idem_key LIKE 'sig:%'")
check "every signal reached the engine once across both runs ($SIGS)" [ "$SIGS" -ge 990 ]
finish
