#!/usr/bin/env bash
# End-to-end: `tradeloop paper` as a user runs it -- exit codes, JSON results, bad input, and the
# idempotency test of issue 3 (10,000 keys each sent three times give exactly one order per key).
. "$(dirname "$0")/lib.sh"

DB="$TMP/paper.db"
unset TRADELOOP_DB TRADELOOP_DURABILITY TRADELOOP_FREEZE_UTC MM_FREEZE_UTC_ISO

# exec_tl OUT INTENT_ID ACTION SYMBOL QTY PRICE [more flags]: one execute on $DB, workspace w1.
exec_tl() {
    local out=$1 id=$2 action=$3 sym=$4 qty=$5 px=$6; shift 6
    run_tl "$out" "$out.err" paper execute --db "$DB" --workspace w1 --intent-id "$id" \
        --action "$action" --symbol "$sym" --qty "$qty" --fill-price "$px" "$@"
}

# jget FILE EXPR: a field of a one-line JSON document (EXPR in Python, on `d`).
# Several comma-separated expressions print space-separated: "2 150.25".
jget() { python3 -c 'import json,sys; from decimal import Decimal
d = json.loads(open(sys.argv[1]).read(), parse_float=Decimal); v = eval(sys.argv[2])
print(" ".join(map(str, v)) if isinstance(v, tuple) else v)' "$1" "$2"; }

# canonical FILE: one line, sorted keys at every level, compact, no exponents, ends in a newline.
canonical() {
python3 - "$1" <<'PY'
import json, re, sys
from decimal import Decimal
raw = open(sys.argv[1]).read()
assert raw.endswith('}\n') and raw.count('\n') == 1, 'want one line ending in a newline'
def sorted_pairs(pairs):
    keys = [k for k, _ in pairs]
    assert keys == sorted(keys), 'keys not sorted: %r' % keys
    return dict(pairs)
json.loads(raw, object_pairs_hook=sorted_pairs, parse_float=Decimal)
bare = re.sub(r'"[^"]*"', '""', raw.rstrip('\n'))
assert not re.search(r'[0-9][eE][-+]?[0-9]', bare), 'exponent in a number'
assert not re.search(r'\s', bare), 'not compact'
PY
}

# ---- a fill, its duplicate, a reused key -------------------------------------------------
exec_tl "$TMP/f1" i1 OPEN_LONG AAPL 2 150.25 --json
check "fill exits 0" [ "$RC" -eq 0 ]
check "fill: nothing on stderr" [ ! -s "$TMP/f1.err" ]
check "fill JSON is canonical" canonical "$TMP/f1"
check "fill status" [ "$(jget "$TMP/f1" 'd["status"]')" = FILLED ]
check "fill is not a duplicate" [ "$(jget "$TMP/f1" 'd["duplicate"]')" = False ]
check "fill money is exact" [ "$(jget "$TMP/f1" 'd["cash"]')" = 9699.5 ]
check "fill position" [ "$(jget "$TMP/f1" 'd["position"]["qty"], d["position"]["avg_price"]')" = "2 150.25" ]
check "fill order id" grep -qE '"order_id":"PO[0-9a-hjkmnp-tv-z]{20}"' "$TMP/f1"
OID=$(jget "$TMP/f1" 'd["order_id"]')
check "trade id from order id" [ "$(jget "$TMP/f1" 'd["trade_id"]')" = "PT-$OID" ]
check "idempotency key" [ "$(jget "$TMP/f1" 'd["idempotency_key"]')" = "w1|i1|paper" ]

exec_tl "$TMP/f2" i1 OPEN_LONG AAPL 2 150.25
check "duplicate exits 3" [ "$RC" -eq 3 ]
check "duplicate JSON off a TTY" canonical "$TMP/f2"
check "duplicate flagged" [ "$(jget "$TMP/f2" 'd["duplicate"]')" = True ]
check "duplicate carries the original order id" [ "$(jget "$TMP/f2" 'd["order_id"]')" = "$OID" ]
check "duplicate changes nothing" [ "$(jget "$TMP/f2" 'd["high_water"], d["cash"]')" = "$(jget "$TMP/f1" 'd["high_water"], d["cash"]')" ]

exec_tl "$TMP/f3" i1 OPEN_LONG AAPL 3 150.25
check "reused key exits 2" [ "$RC" -eq 2 ]
check "reused key refused" [ "$(jget "$TMP/f3" 'd["status"], d["reason"]')" = "REFUSED idempotency key reused with a different payload" ]

# ---- policy: full close only, long-only, cash -------------------------------------------
exec_tl "$TMP/p1" c1 CLOSE_LONG AAPL 1 160
check "partial close exits 2" [ "$RC" -eq 2 ]
check "partial close denied" [ "$(jget "$TMP/p1" 'd["status"]')" = DENIED ]
check "partial close names both" grep -q 'FULL_CLOSE_ONLY: full close only: sell qty 1 differs from the AAPL position 2' "$TMP/p1"
exec_tl "$TMP/p2" c1 CLOSE_LONG AAPL 1 160
check "repeated denial exits 3" [ "$RC" -eq 3 ]
check "repeated denial keeps its outcome" [ "$(jget "$TMP/p2" 'd["status"], d["duplicate"]')" = "DENIED True" ]
exec_tl "$TMP/p3" c2 CLOSE_LONG MSFT 1 10
check "close without a position exits 2" [ "$RC" -eq 2 ]
check "long-only reason" grep -q 'no open position in MSFT' "$TMP/p3"
exec_tl "$TMP/p4" big OPEN_LONG MSFT 100 97
check "over cash exits 2" [ "$RC" -eq 2 ]
check "over cash reason" grep -q 'insufficient cash: need 9700, have 9699.5' "$TMP/p4"
exec_tl "$TMP/p5" exact OPEN_LONG MSFT 1 9699.5
check "exactly the cash exits 0" [ "$RC" -eq 0 ]
check "exactly the cash leaves 0" [ "$(jget "$TMP/p5" 'd["cash"]')" = 0 ]
exec_tl "$TMP/p6" close OPEN_LONG MSFT 0.00000001 1
check "one unit short exits 2" [ "$RC" -eq 2 ]
exec_tl "$TMP/p7" close2 CLOSE_LONG AAPL 2 160
check "full close exits 0" [ "$RC" -eq 0 ]
check "full close realizes" [ "$(jget "$TMP/p7" 'd["realized_pnl"], d["change"]')" = "19.5 CLOSED" ]
DIGEST=$(jget "$TMP/p7" 'd["state_digest"]')

# ---- state, positions, reconcile ---------------------------------------------------------
run_tl "$TMP/s1" "$TMP/s1.err" paper state --db "$DB" --workspace w1 --json
check "state exits 0" [ "$RC" -eq 0 ]
check "state JSON is canonical" canonical "$TMP/s1"
check "state cash and P&L" [ "$(jget "$TMP/s1" 'd["cash"], d["realized_pnl"], d["starting_equity"]')" = "320 19.5 10000" ]
check "state digest = broker's" [ "$(jget "$TMP/s1" 'd["state_digest"]')" = "$DIGEST" ]
run_tl "$TMP/s2" "$TMP/s2.err" paper positions --db "$DB" --workspace w1 --json
check "positions exits 0" [ "$RC" -eq 0 ]
check "positions JSON" [ "$(cat "$TMP/s2")" = '{"positions":[{"avg_price":9699.5,"qty":1,"realized_pnl":0,"symbol":"MSFT"}],"workspace":"w1"}' ]
run_tl "$TMP/s3" "$TMP/s3.err" paper reconcile --db "$DB" --workspace w1 --json
check "reconcile exits 0" [ "$RC" -eq 0 ]
check "reconcile JSON is canonical" canonical "$TMP/s3"
check "reconcile replays the fills" [ "$(jget "$TMP/s3" 'd["fills_replayed"]')" = 3 ]
check "reconcile digest = broker's" [ "$(jget "$TMP/s3" 'd["state_digest"]')" = "$DIGEST" ]
check "snapshot rows agree" [ "$(jget "$TMP/s3" 'd["snapshot_match"]')" = True ]
TRADELOOP_DB="$DB" run_tl "$TMP/s4" "$TMP/s4.err" paper state --workspace w1 --json
check "TRADELOOP_DB supplies --db" cmp -s "$TMP/s1" "$TMP/s4"
run_tl "$TMP/s5" "$TMP/s5.err" paper state --db "$DB" --workspace nobody --json
# A typo must not look like a fresh 10,000 account.
check "unknown workspace: refused (exit 2), not a default account" [ "$RC" -eq 2 ]
check "... saying it has no events" grep -q "'nobody' has no events" "$TMP/s5.err"
check "... and printing nothing" [ ! -s "$TMP/s5" ]
if command -v script >/dev/null; then
    script -qec "'$BIN' paper reconcile --db '$DB' --workspace w1" /dev/null >"$TMP/tty.out" 2>&1
    check "TTY reconcile is a table" grep -q "fills replayed" "$TMP/tty.out"
    check "TTY reconcile shows the digest" grep -q "$DIGEST" "$TMP/tty.out"
fi

# ---- reset ------------------------------------------------------------------------------
run_tl "$TMP/r1" "$TMP/r1.err" paper reset --db "$DB" --workspace w1 --starting-equity 500.5 --json
check "reset exits 0" [ "$RC" -eq 0 ]
check "reset state" [ "$(jget "$TMP/r1" 'd["cash"], d["starting_equity"], d["positions"]')" = "500.5 500.5 []" ]
exec_tl "$TMP/r2" i1 OPEN_LONG AAPL 2 150.25
check "a key used before the reset is still a duplicate" [ "$RC" -eq 3 ]
run_tl "$TMP/r3" "$TMP/r3.err" paper reset --db "$DB" --workspace w2
check "reset with the default equity" [ "$RC" -eq 0 ]
check "default equity is 10000" [ "$(jget "$TMP/r3" 'd["cash"]')" = 10000 ]

# ---- bad input: exit 2, one stderr line naming the flag ---------------------------------
X=(paper execute --db "$DB" --workspace w1 --intent-id z --action OPEN_LONG --symbol AAPL --qty 1)
expect_usage "missing verb" "missing verb" paper
expect_usage "unknown verb" "unknown verb 'frob'" paper frob
expect_usage "missing --workspace" "--workspace is required" paper execute --db "$DB" --intent-id z
expect_usage "bad --workspace" "--workspace: .*invalid character" paper state --db "$DB" --workspace 'a b'
expect_usage "missing --intent-id" "--intent-id is required" paper execute --db "$DB" --workspace w1
expect_usage "bad --intent-id chars" "--intent-id: invalid character '/'" paper execute --db "$DB" --workspace w1 --intent-id a/b --action OPEN_LONG --symbol AAPL --qty 1 --fill-price 1
expect_usage "long --intent-id" "--intent-id: longer than 64" paper execute --db "$DB" --workspace w1 --intent-id "$(printf 'i%.0s' $(seq 65))" --action OPEN_LONG --symbol AAPL --qty 1 --fill-price 1
expect_usage "key too long" "--intent-id: workspace \+ intent id too long" paper execute --db "$DB" --workspace "$(printf 'w%.0s' $(seq 47))" --intent-id "$(printf 'i%.0s' $(seq 64))" --action OPEN_LONG --symbol AAPL --qty 1 --fill-price 1
expect_usage "missing --action" "--action is required" paper execute --db "$DB" --workspace w1 --intent-id z
expect_usage "unsupported --action" "--action: 'SHORT' is not supported" paper execute --db "$DB" --workspace w1 --intent-id z --action SHORT --symbol AAPL --qty 1 --fill-price 1
expect_usage "missing --symbol" "--symbol is required" paper execute --db "$DB" --workspace w1 --intent-id z --action OPEN_LONG
expect_usage "bad --symbol" "--symbol: 'aapl' must be 1..15 of \[A-Z0-9\]" paper execute --db "$DB" --workspace w1 --intent-id z --action OPEN_LONG --symbol aapl --qty 1 --fill-price 1
expect_usage "missing --qty" "--qty is required" paper execute --db "$DB" --workspace w1 --intent-id z --action OPEN_LONG --symbol AAPL --fill-price 1
expect_usage "zero --qty" "--qty: must be positive" paper execute --db "$DB" --workspace w1 --intent-id z --action OPEN_LONG --symbol AAPL --qty 0 --fill-price 1
expect_usage "negative --qty" "--qty: must be positive" paper execute --qty -1
expect_usage "malformed --qty" "--qty" paper execute --qty abc
expect_usage "--qty with 9 decimals" "--qty: .*decimals" paper execute --qty 1.123456789
expect_usage "missing --fill-price" "--fill-price is required" "${X[@]}"
expect_usage "zero --fill-price" "--fill-price: must be positive" "${X[@]}" --fill-price 0
expect_usage "negative --fill-price" "--fill-price: must be positive" "${X[@]}" --fill-price -3
expect_usage "malformed --fill-price" "--fill-price" "${X[@]}" --fill-price 1e3
expect_usage "--mode live" "--mode: 'live' is not supported" "${X[@]}" --fill-price 1 --mode live
expect_usage "bad --durability" "--durability: want full or normal" "${X[@]}" --fill-price 1 --durability fast
TRADELOOP_DURABILITY=fast expect_usage "bad TRADELOOP_DURABILITY" "TRADELOOP_DURABILITY" "${X[@]}" --fill-price 1
expect_usage "unknown flag" "unknown flag --bogus" "${X[@]}" --fill-price 1 --bogus
expect_usage "flag twice" "--qty given twice" "${X[@]}" --qty 2 --fill-price 1
expect_usage "stray argument" "unexpected argument 'extra'" "${X[@]}" --fill-price 1 extra
expect_usage "--json takes no value" "--json takes no value" "${X[@]}" --fill-price 1 --json=1
expect_usage "reset: zero equity" "--starting-equity: must be positive" paper reset --db "$DB" --workspace w1 --starting-equity 0
expect_usage "reset: missing workspace" "--workspace is required" paper reset --db "$DB"
expect_usage "batch: missing --file" "--file is required" paper execute-batch --db "$DB" --workspace w1
expect_usage "batch: no such file" "--file: cannot open" paper execute-batch --db "$DB" --workspace w1 --file "$TMP/none.csv"
printf 'a,OPEN_LONG,AAPL,1,1\nb,OPEN_LONG,AAPL,1\n' >"$TMP/bad1.csv"
expect_usage "batch: short line" "line 2: want 5 columns" paper execute-batch --db "$DB" --workspace w1 --file "$TMP/bad1.csv"
printf 'a,OPEN_LONG,AAPL,1,1\nb,SELL,AAPL,1,1\n' >"$TMP/bad2.csv"
expect_usage "batch: bad action" "line 2: action: 'SELL'" paper execute-batch --db "$DB" --workspace w1 --file "$TMP/bad2.csv"
printf 'a,OPEN_LONG,AAPL,0,1\n' >"$TMP/bad3.csv"
expect_usage "batch: zero qty" "line 1: qty: must be > 0" paper execute-batch --db "$DB" --workspace w1 --file "$TMP/bad3.csv"
printf 'a,OPEN_LONG,AAPL,1,x\n' >"$TMP/bad4.csv"
expect_usage "batch: bad price" "line 1: fill_price" paper execute-batch --db "$DB" --workspace w1 --file "$TMP/bad4.csv"
run_tl "$TMP/b0" "$TMP/b0.err" paper state --db "$DB" --workspace w1 --json
check "a refused batch wrote nothing" [ "$(jget "$TMP/b0" 'd["cash"]')" = 500.5 ]

# ---- runtime failures: exit 1, one line on stderr ---------------------------------------
run_tl "$TMP/e1" "$TMP/e1.err" paper execute --db "$TMP/no/such/dir/x.db" --workspace w1 \
    --intent-id z --action OPEN_LONG --symbol AAPL --qty 1 --fill-price 1
check "missing directory exits 1" [ "$RC" -eq 1 ]
check "missing directory: one stderr line" [ "$(wc -l <"$TMP/e1.err")" -eq 1 ]
run_tl "$TMP/e2" "$TMP/e2.err" paper state --db "$TMP/absent.db" --workspace w1
check "state of a missing file exits 1" [ "$RC" -eq 1 ]
check "state does not create the file" [ ! -e "$TMP/absent.db" ]
echo "not a database, just text, long enough to be read as a header by sqlite" >"$TMP/junk.db"
run_tl "$TMP/e3" "$TMP/e3.err" paper execute --db "$TMP/junk.db" --workspace w1 \
    --intent-id z --action OPEN_LONG --symbol AAPL --qty 1 --fill-price 1
check "not a tradeloop file exits 1" [ "$RC" -eq 1 ]

# ---- --help -------------------------------------------------------------------------------
run_tl "$TMP/h" "$TMP/h.err" paper execute --help
check "execute --help exits 0" [ "$RC" -eq 0 ]
for f in db workspace intent-id action symbol qty fill-price json; do
    check "--help lists --$f" grep -q -- "--$f" "$TMP/h"
done
run_tl "$TMP/h2" "$TMP/h2.err" paper --help
check "paper --help lists the verbs" grep -q "execute-batch" "$TMP/h2"

# ---- idempotency: 10,000 keys x 3 through execute-batch ------------------------------------
BIG="$TMP/big.db"
python3 - "$TMP/big.csv" <<'PY'
import random, sys
rows = ['k%05d,OPEN_LONG,S%d,0.001,%d.5' % (i, i % 7, 1 + i % 3) for i in range(10000)]
order = [r for r in rows for _ in range(3)]
random.Random(3).shuffle(order)  # repeats arrive interleaved, not in three tidy passes
open(sys.argv[1], 'w').write('intent_id,action,symbol,qty,fill_price\n' + '\n'.join(order) + '\n')
PY
run_tl "$TMP/big.out" "$TMP/big.err" paper execute-batch --db "$BIG" --workspace idem --file "$TMP/big.csv"
check "batch of 30,000 exits 0" [ "$RC" -eq 0 ]
check_big() {
python3 - "$TMP/big.out" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 30000, len(lines)
first, dups = {}, 0
for line in lines:
    d = json.loads(line)
    k = d['intent_id']
    assert d['status'] == 'FILLED', d
    if d['duplicate']:
        dups += 1
        assert k in first, 'duplicate before the original: %s' % k
        assert d['order_id'] == first[k], k
    else:
        assert k not in first, 'filled twice: %s' % k
        first[k] = d['order_id']
assert len(first) == 10000 and dups == 20000, (len(first), dups)
assert len(set(first.values())) == 10000
PY
}
check "one fill and two duplicates per key" check_big
check "orders: 10,000 rows, unique ids" [ "$(sqlite3 "$BIG" 'SELECT count(*), count(DISTINCT order_id) FROM orders')" = "10000|10000" ]
check "trades: 10,000 rows, unique ids" [ "$(sqlite3 "$BIG" 'SELECT count(*), count(DISTINCT trade_id) FROM trades')" = "10000|10000" ]
check "one INTENT_EMITTED per key" [ "$(sqlite3 "$BIG" 'SELECT count(*), count(DISTINCT idem_key) FROM trade_events WHERE type = 1')" = "10000|10000" ]
check "integrity_check ok" [ "$(sqlite3 "$BIG" 'PRAGMA integrity_check')" = ok ]
run_tl "$TMP/big.rec" "$TMP/big.rec.err" paper reconcile --db "$BIG" --workspace idem --json
check "reconcile replays 10,000 fills" [ "$(jget "$TMP/big.rec" 'd["fills_replayed"], d["snapshot_match"]')" = "10000 True" ]
check "reconcile digest = last result's" [ "$(jget "$TMP/big.rec" 'd["state_digest"]')" = "$(tail -1 "$TMP/big.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state_digest"])')" ]
# The same batch again: every line a duplicate, nothing written.
HW=$(sqlite3 "$BIG" 'SELECT max(seq) FROM trade_events')
run_tl "$TMP/big2.out" "$TMP/big2.err" paper execute-batch --db "$BIG" --workspace idem --file "$TMP/big.csv"
check "a replayed batch is all duplicates" [ "$(grep -c '"duplicate":true' "$TMP/big2.out")" -eq 30000 ]
check "a replayed batch writes nothing" [ "$(sqlite3 "$BIG" 'SELECT max(seq) FROM trade_events')" = "$HW" ]

# ---- idempotency across processes: 200 keys x 3 launches, the three of a key at once --------
PDB="$TMP/proc.db"
"$BIN" paper reset --db "$PDB" --workspace proc >/dev/null 2>&1
: >"$TMP/codes"
for k in $(seq 1 200); do
    for j in 1 2 3; do
        ( "$BIN" paper execute --db "$PDB" --workspace proc --intent-id "key$k" --action OPEN_LONG \
              --symbol AAPL --qty 0.01 --fill-price 1 >/dev/null 2>>"$TMP/proc.err"
          echo "$k $?" >>"$TMP/codes" ) &
    done
    wait
done
check_codes() {
python3 - "$TMP/codes" <<'PY'
import collections, sys
by = collections.defaultdict(list)
for line in open(sys.argv[1]):
    k, rc = line.split()
    by[k].append(int(rc))
assert len(by) == 200, len(by)
bad = {k: v for k, v in by.items() if sorted(v) != [0, 3, 3]}
assert not bad, 'want exit codes 0,3,3 per key: %r' % list(bad.items())[:5]
PY
}
check "each key: one fill (0) and two duplicates (3)" check_codes
check "no process failed" [ ! -s "$TMP/proc.err" ]
check "orders: 200 rows, unique ids" [ "$(sqlite3 "$PDB" 'SELECT count(*), count(DISTINCT order_id) FROM orders')" = "200|200" ]
check "trades: 200 rows, unique ids" [ "$(sqlite3 "$PDB" 'SELECT count(*), count(DISTINCT trade_id) FROM trades')" = "200|200" ]
check "journal is gap-free" [ "$(sqlite3 "$PDB" 'SELECT count(*) = max(seq) FROM trade_events')" = 1 ]
# Thirty different keys at once: a process that decided on a journal another one has just
# extended collides on the next seq, writes nothing, and retries on the fresh journal.
: >"$TMP/burst.codes"
for k in $(seq 1 30); do
    ( "$BIN" paper execute --db "$PDB" --workspace proc --intent-id "burst$k" --action OPEN_LONG \
          --symbol MSFT --qty 0.01 --fill-price 1 >/dev/null 2>>"$TMP/proc.err"
      echo "$?" >>"$TMP/burst.codes" ) &
done
wait
check "a burst of different keys: all filled" [ "$(sort -u "$TMP/burst.codes")" = 0 ]
check "a burst: 30 more orders" [ "$(sqlite3 "$PDB" 'SELECT count(*) FROM orders')" = 230 ]
check "no process failed" [ ! -s "$TMP/proc.err" ]
check "journal is still gap-free" [ "$(sqlite3 "$PDB" 'SELECT count(*) = max(seq) FROM trade_events')" = 1 ]
run_tl "$TMP/proc.rec" "$TMP/proc.rec.err" paper reconcile --db "$PDB" --workspace proc --json
check "processes: cash is exact" [ "$(jget "$TMP/proc.rec" 'd["cash"], d["fills_replayed"], d["snapshot_match"]')" = "9997.7 230 True" ]

finish
