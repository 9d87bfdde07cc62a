#!/usr/bin/env bash
# End-to-end: what a new operator hits (issue 7), class by class, for every command it touches.
. "$(dirname "$0")/lib.sh"
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

DB="$TMP/desk.db"
run_tl "$TMP/s.json" "$TMP/s.err" shadow --iterations 30 --db "$DB" --json
check "a shadow journal to read" [ "$RC" -eq 0 ]
run_tl "$TMP/p.json" "$TMP/p.err" paper execute --db "$DB" --workspace w1 --intent-id i1 \
    --action OPEN_LONG --symbol AAPL --qty 2 --fill-price 10 --json
check "a paper workspace to read" [ "$RC" -eq 0 ]
snapshot() { sha256sum "$DB" | cut -d' ' -f1; ls "$TMP" | grep -c 'desk.db-' ; }
BEFORE=$(snapshot)

# ---- 1. Commands that only read, only read -------------------------------------------------
READERS=("reconcile --db $DB" "paper state --db $DB --workspace w1" "paper positions --db $DB --workspace w1"
         "paper reconcile --db $DB --workspace w1" "journal --db $DB")
for r in "${READERS[@]}"; do
    run_tl "$TMP/r.out" "$TMP/r.err" $r --json
    check "$r: exits 0" [ "$RC" -eq 0 ]
done
check "the readers changed nothing and left no -wal/-shm behind" [ "$(snapshot)" = "$BEFORE" ]
# Under another process's write lock (WAL readers do not wait for writers).
for r in "${READERS[@]}"; do
    check "$r: works while a writer holds the lock" python3 - "$DB" "$BIN" $r <<'PY'
import sqlite3, subprocess, sys
db, binary, args = sys.argv[1], sys.argv[2], sys.argv[3:]
c = sqlite3.connect(db, isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO tradeloop_meta VALUES ('lock-test', 'x')")
r = subprocess.run([binary] + args + ["--json"], capture_output=True, text=True, timeout=60)
c.execute("ROLLBACK")
assert r.returncode == 0, (r.returncode, r.stderr)
PY
done
check "still nothing changed" [ "$(snapshot)" = "$BEFORE" ]
# A read-only copy reads.
cp "$DB" "$TMP/ro.db"; chmod 444 "$TMP/ro.db"
run_tl "$TMP/ro.out" "$TMP/ro.err" reconcile --db "$TMP/ro.db" --json
check "reconcile reads a read-only file" [ "$RC" -eq 0 ]
# An empty or missing file is said, never turned into a journal.
: >"$TMP/empty.db"
for r in "reconcile" "paper state --workspace w1" "journal"; do
    run_tl "$TMP/e.out" "$TMP/e.err" $r --db "$TMP/empty.db"
    check "$r on an empty file: exit 1" [ "$RC" -eq 1 ]
    check "... saying it holds no journal" grep -q "no journal" "$TMP/e.err"
    check "... and leaving it empty" [ ! -s "$TMP/empty.db" ]
    run_tl "$TMP/m.out" "$TMP/m.err" $r --db "$TMP/missing.db"
    check "$r on a missing file: exit 1, not created" bash -c "[ $RC -eq 1 ] && [ ! -e '$TMP/missing.db' ]"
done
for r in "reconcile" "paper state --workspace w1" "journal"; do
    expect_usage "$r on mem: says it holds nothing" "--db: mem: holds no journal" $r --db mem:
    expect_usage "$r offers no --durability" "unknown flag --durability" $r --db "$DB" --durability full
done

# ---- 2. Store URLs mean one thing ---------------------------------------------------------
cd "$TMP"
run_tl "$TMP/u1.out" "$TMP/u1.err" shadow --iterations 2 --db sqlite://rel.db --json
check "sqlite://rel.db writes ./rel.db" bash -c "[ $RC -eq 0 ] && [ -s '$TMP/rel.db' ]"
run_tl "$TMP/u2.out" "$TMP/u2.err" shadow --iterations 2 --db MEM: --json
check "MEM: is the memory store, no file" bash -c "[ $RC -eq 0 ] && [ ! -e '$TMP/MEM:' ]"
cd - >/dev/null
expect_usage "unknown scheme names --db" "^tradeloop shadow: --db: unknown store scheme 'redis'" \
    shadow --db redis://localhost/0
expect_usage "empty sqlite path names --db" "--db: store URL 'sqlite:': no database file" \
    reconcile --db sqlite:
TRADELOOP_DB=bogus://x expect_usage "a bad TRADELOOP_DB names the variable" \
    "TRADELOOP_DB \(environment\): unknown store scheme 'bogus'" paper state --workspace w1
(cd "$TMP" && printf 'TRADELOOP_DB=sqlite://\n' >.env &&
 expect_usage "a bad .env value names its line" "\.env line 1 \(TRADELOOP_DB\): store URL" journal
 rm .env)

# ---- 3. Every count has a bound -----------------------------------------------------------
expect_usage "shadow --iterations 2^64-1" "--iterations: 18446744073709551615 is above the maximum" \
    shadow --iterations 18446744073709551615
expect_usage "bench journal --events too many" "--events: .* is above the maximum" \
    bench journal --events 18446744073709551615
expect_usage "bench pipeline --orders too many" "--orders: .* is above the maximum" \
    bench pipeline --orders 1000000001
expect_usage "journal --tail too many" "--tail: .* is above the maximum 100000" journal --db "$DB" --tail 100001
expect_usage "paper reset --starting-equity too much" "--starting-equity: .* is above the maximum" \
    paper reset --db "$DB" --workspace w9 --starting-equity 20000000000
LONG=$(printf 'x%.0s' $(seq 1 500))
expect_usage "a long bad value is quoted short" "'x{80}…'" shadow --iterations "$LONG"
for c in "shadow" "bench pipeline" "bench journal" "journal" "paper reset"; do
    run_tl "$TMP/h.out" "$TMP/h.err" $c --help
    check "$c --help prints the ranges" grep -qE '\[[0-9.]+\.\.[0-9.]+\]' "$TMP/h.out"
done

# ---- 4. Input files are read exactly -------------------------------------------------------
batch() { run_tl "$TMP/b.out" "$TMP/b.err" paper execute-batch --db "$TMP/b.db" --workspace wb --file "$1"; }
printf '\xef\xbb\xbfintent_id,action,symbol,qty,fill_price\nb1,OPEN_LONG,AAPL,1,10\n' >"$TMP/bom.csv"
batch "$TMP/bom.csv"
check "a UTF-8 BOM is skipped" bash -c "[ $RC -eq 0 ] && grep -q FILLED '$TMP/b.out'"
printf 'b2,OPEN_LONG,AAPL,1,10\nb3,OPEN_LONG,AA\0PL,1,10\n' >"$TMP/nul.csv"
batch "$TMP/nul.csv"
check "a NUL byte is refused with its line and column" bash -c "[ $RC -eq 2 ] && grep -q 'line 2: NUL byte at column 16' '$TMP/b.err'"
check "... and nothing of the file ran" bash -c "! '$BIN' journal --db '$TMP/b.db' --json | grep -q '\"b2|'"
printf 'intent_id,action,symbol,quantity,price\nb4,OPEN_LONG,AAPL,1,10\n' >"$TMP/hdr.csv"
batch "$TMP/hdr.csv"
check "a wrong header is refused, quoted" bash -c "[ $RC -eq 2 ] && grep -q \"header 'intent_id,action,symbol,quantity,price'\" '$TMP/b.err'"
: >"$TMP/none.csv"
batch "$TMP/none.csv"
check "an empty file is refused" bash -c "[ $RC -eq 2 ] && grep -q 'holds no intent' '$TMP/b.err'"
printf '\xef\xbb\xbfTRADELOOP_SEED=43\n' >"$TMP/bom.env"
TRADELOOP_ENV_FILE="$TMP/bom.env" run_tl "$TMP/e43.json" "$TMP/e43.err" shadow --iterations 5 --json
run_tl "$TMP/s43.json" "$TMP/s43.err" shadow --iterations 5 --seed 43 --json
check ".env: a BOM is skipped" cmp -s "$TMP/e43.json" "$TMP/s43.json"
printf 'TRADELOOP_SEED=4\0003\n' >"$TMP/nul.env"
TRADELOOP_ENV_FILE="$TMP/nul.env" expect_usage ".env: a NUL byte is refused" "line 1: NUL byte at column 17" shadow

# ---- 5. Output failures stop the work ------------------------------------------------------
if [ -w /dev/full ]; then
    for c in "shadow --iterations 3 --format table" "reconcile --db $DB --format table" \
             "journal --db $DB --format table" "paper state --db $DB --workspace w1 --format table" \
             "bench pipeline --orders 1000 --format table"; do
        $BIN $c >/dev/full 2>"$TMP/full.err"; RC=$?
        check "$c into /dev/full: exit 1" [ "$RC" -eq 1 ]
    done
    seq 1 500 | sed 's/^/f/;s/$/,OPEN_LONG,AAPL,0.001,10/' >"$TMP/many.csv"
    $BIN paper execute-batch --db "$TMP/f.db" --workspace wf --file "$TMP/many.csv" >/dev/full 2>"$TMP/full.err"; RC=$?
    check "a batch into /dev/full exits 1" [ "$RC" -eq 1 ]
    check "... and stops at its first result" [ "$($BIN journal --db "$TMP/f.db" --type INTENT_EMITTED --json | wc -l)" -eq 1 ]
fi

# ---- 7. Results say what happened then -----------------------------------------------------
run_tl "$TMP/nw.out" "$TMP/nw.err" paper state --db "$DB" --workspace nobody
check "paper state on a workspace with no events: exit 2" [ "$RC" -eq 2 ]
check "... saying so" grep -q "'nobody' has no events" "$TMP/nw.err"

# ---- 8. Benchmarks never touch a user's data ------------------------------------------------
BEFORE=$(sha256sum "$DB")
expect_usage "bench journal on a database with events refuses" "holds a journal" bench journal --db "$DB"
check "... and leaves it alone" [ "$(sha256sum "$DB")" = "$BEFORE" ]

# ---- 10. --format table|json on every command that prints a result -------------------------
for c in "shadow --iterations 3" "reconcile --db $DB" "journal --db $DB --tail 3" \
         "paper state --db $DB --workspace w1" "paper positions --db $DB --workspace w1" \
         "paper reconcile --db $DB --workspace w1" "bench pipeline --orders 1000"; do
    run_tl "$TMP/fj.out" "$TMP/fj.err" $c --format json
    check "$c --format json is JSON" python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]" "$TMP/fj.out"
    run_tl "$TMP/ft.out" "$TMP/ft.err" $c --format table
    check "$c --format table is not JSON" bash -c "[ $RC -eq 0 ] && ! head -c1 '$TMP/ft.out' | grep -q '{'"
    expect_usage "$c --format xml refused" "--format: want table or json" $c --format xml
done
finish
