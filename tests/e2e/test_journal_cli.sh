#!/usr/bin/env bash
# End-to-end: `tradeloop journal` on the journal of a shadow run, and the SQL views a person reads
# with sqlite3.
. "$(dirname "$0")/lib.sh"

DB=$TMP/j.db
run_tl "$TMP/shadow.out" "$TMP/shadow.err" shadow --db "$DB" --iterations 10 --seed 42 --json
check "shadow --db exits 0" [ "$RC" -eq 0 ]
SUM=$(sha256sum "$DB" | cut -d' ' -f1)

# Every event, as JSON lines: names and exact decimals, seq 1.. without a gap.
run_tl "$TMP/all.json" "$TMP/all.err" journal --db "$DB" --json
check "journal exits 0" [ "$RC" -eq 0 ]
check "journal writes nothing to stderr" [ ! -s "$TMP/all.err" ]
check "one JSON object per event, names and decimals" python3 - "$TMP/all.json" <<'PY'
import json, sys
from decimal import Decimal
lines = open(sys.argv[1]).read().splitlines()
evs = [json.loads(l, parse_float=Decimal) for l in lines]
assert len(evs) > 20, len(evs)
assert [e['seq'] for e in evs] == list(range(1, len(evs) + 1))
types = {e['type'] for e in evs}
assert {'WORKSPACE_RESET', 'ORDER_SUBMITTED', 'ORDER_FILLED'} <= types, types
fills = [e for e in evs if e['type'] == 'ORDER_FILLED']
assert all(e['trade_id'] and e['side'] in ('BUY', 'SELL') for e in fills)
assert all(isinstance(e['qty'], Decimal) and 0 < e['qty'] < 100 for e in fills), fills[0]
assert evs[0]['fee'] == Decimal(1000000), evs[0]   # the reset's starting cash, not 1e14 units
PY

# Each filter, and the last N.
run_tl "$TMP/f.json" "$TMP/f.err" journal --db "$DB" --type ORDER_FILLED --json
check "--type keeps only that type" python3 -c "
import json,sys; e=[json.loads(l) for l in open('$TMP/f.json')]
assert e and all(x['type']=='ORDER_FILLED' for x in e)"
ORDER=$(python3 -c "import json; print(json.loads(open('$TMP/f.json').readline())['order_id'])")
run_tl "$TMP/o.json" "$TMP/o.err" journal --db "$DB" --order "$ORDER" --json
check "--order keeps only that order, submitted to filled" python3 -c "
import json; e=[json.loads(l) for l in open('$TMP/o.json')]
assert all(x['order_id']=='$ORDER' for x in e)
assert [x['type'] for x in e][0]=='ORDER_SUBMITTED' and 'ORDER_FILLED' in [x['type'] for x in e]"
run_tl "$TMP/w.json" "$TMP/w.err" journal --db "$DB" --workspace shadow --json
check "--workspace shadow is every event" cmp -s "$TMP/w.json" "$TMP/all.json"
run_tl "$TMP/w2.json" "$TMP/w2.err" journal --db "$DB" --workspace nobody --json
check "--workspace with no events prints nothing" [ "$RC" -eq 0 -a ! -s "$TMP/w2.json" ]
run_tl "$TMP/t.json" "$TMP/t.err" journal --db "$DB" --tail 3 --json
check "--tail 3 is the last three" cmp -s "$TMP/t.json" <(tail -n 3 "$TMP/all.json")
run_tl "$TMP/ft.json" "$TMP/ft.err" journal --db "$DB" --type ORDER_FILLED --tail 1 --json
check "--type with --tail" cmp -s "$TMP/ft.json" <(tail -n 1 "$TMP/f.json")

# Plain text off a terminal: a header, then tab-separated rows with names and decimals.
run_tl "$TMP/plain.txt" "$TMP/plain.err" journal --db "$DB" --type ORDER_FILLED --tail 1
check "plain text has a header" grep -q "^seq	time	workspace	type" "$TMP/plain.txt"
check "plain text row shows the name and decimals" \
    bash -c "tail -n 1 '$TMP/plain.txt' | awk -F'\t' '\$4 == \"ORDER_FILLED\" && \$9 ~ /^[0-9]+\\.[0-9]+\$/' | grep -q ."
# A table on a terminal.
script -qec "$BIN journal --db $DB --tail 2" /dev/null >"$TMP/tty.txt" 2>&1
check "a table on a terminal" grep -q "^seq  *time  *workspace  *type" "$TMP/tty.txt"

# Bad flags: exit 2, naming the flag.
expect_usage "unknown type" "--type" journal --db "$DB" --type NOPE
expect_usage "tail 0" "--tail" journal --db "$DB" --tail 0
expect_usage "tail too large" "--tail" journal --db "$DB" --tail 100001
expect_usage "bad workspace" "--workspace" journal --db "$DB" --workspace "a b"
expect_usage "unknown flag" "--bogus" journal --db "$DB" --bogus
run_tl "$TMP/m.out" "$TMP/m.err" journal --db "$TMP/missing.db"
check "a missing file is a runtime failure, and is not created" \
    bash -c "[ $RC -eq 1 ] && [ ! -e '$TMP/missing.db' ] && grep -q 'no such database' '$TMP/m.err'"

# It only reads: the file is unchanged.
check "journal leaves the file as it was" [ "$(sha256sum "$DB" | cut -d' ' -f1)" = "$SUM" ]

# What a person sees with sqlite3.
if command -v sqlite3 >/dev/null; then
    sqlite3 "$DB" "select name, qty, price, fee from events_v where name = 'ORDER_FILLED' limit 1" \
        >"$TMP/v.txt"
    check "events_v shows ORDER_FILLED and decimals" \
        grep -qE '^ORDER_FILLED\|0\.[0-9]+\|[0-9]+(\.[0-9]+)?\|0\.[0-9]+$' "$TMP/v.txt"
    check "events_v agrees with the journal command" [ "$(sqlite3 "$DB" \
        "select count(*) from events_v where name = 'ORDER_FILLED'")" -eq "$(wc -l <"$TMP/f.json")" ]
    check "event_types holds every type, 1 to the newest, no gap" \
        [ "$(sqlite3 "$DB" "select count(*) = max(type) and min(type) = 1 and max(type) >= 20 from event_types")" = 1 ]
fi
finish
