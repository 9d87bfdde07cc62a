#!/usr/bin/env bash
# End-to-end: `tradeloop bench pipeline` prints its figures (their values are for make bench to
# record, not for a test to judge).
. "$(dirname "$0")/lib.sh"

run_tl "$TMP/b.json" "$TMP/b.err" bench pipeline --orders 20000 --json
check "bench pipeline exits 0" [ "$RC" -eq 0 ]
check "one JSON line with the figures" python3 - "$TMP/b.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
for k in ('orders_per_sec', 'p50_ns', 'p99_ns', 'p999_ns'):
    assert isinstance(d[k], int) and d[k] > 0, (k, d)
assert d['orders'] == 20000
assert d['p50_ns'] <= d['p99_ns'] <= d['p999_ns'], d
PY
run_tl "$TMP/t.out" "$TMP/t.err" bench pipeline --orders 1000 --format table
check "human output with --format table" grep -q "orders/s" "$TMP/t.out"
# bench journal on a temporary SQLite file: the figures are there, and nothing is left behind.
before=$(ls /tmp | grep -c '^tradeloop-bench-' || true)
run_tl "$TMP/j.json" "$TMP/j.err" bench journal --events 3000 --batch 500 --acks 20 --json
check "bench journal exits 0" [ "$RC" -eq 0 ]
check "bench journal prints its figures" python3 - "$TMP/j.json" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d['backend'] == 'sqlite', d
for k in ('events_per_sec', 'replay_events_per_sec', 'replay_fills_per_sec', 'ack_p99_us'):
    assert d[k] > 0, (k, d)
PY
check "bench journal removes its temporary database" [ "$(ls /tmp | grep -c '^tradeloop-bench-' || true)" = "$before" ]
# bench paper on a temporary SQLite file: every intent filled (it fails otherwise), its figures,
# and nothing left behind; on a store that holds a journal it refuses to run.
before=$(ls /tmp | grep -c '^tradeloop-bench-' || true)
run_tl "$TMP/p.json" "$TMP/p.err" bench paper --intents 1000 --batch 64 --json
check "bench paper exits 0" [ "$RC" -eq 0 ]
check "bench paper prints its figures" python3 - "$TMP/p.json" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d['backend'] == 'sqlite' and d['bench'] == 'paper' and d['batch'] == 64, d
for k in ('intents_per_sec', 'us_per_intent', 'group_p50_us', 'group_p99_us'):
    assert d[k] > 0, (k, d)
PY
check "bench paper removes its temporary database" [ "$(ls /tmp | grep -c '^tradeloop-bench-' || true)" = "$before" ]
run_tl "$TMP/pe.out" "$TMP/pe.err" paper execute --db "$TMP/used.db" --workspace w --intent-id i1 \
    --action OPEN_LONG --symbol AAPL --qty 1 --fill-price 10
check "an intent journaled for the refusal below" [ "$RC" -eq 0 ]
run_tl "$TMP/pu.out" "$TMP/pu.err" bench paper --db "$TMP/used.db" --intents 10
check "bench paper refuses a store that holds a journal" [ "$RC" -eq 2 ]
check "... and says why" grep -q "holds a journal" "$TMP/pu.err"
# bench stops: a seeded random walk, so the stops it triggers are the same on every run.
run_tl "$TMP/s1.json" "$TMP/s1.err" bench stops --stops 200 --instruments 4 --quotes 200000 --json
check "bench stops exits 0" [ "$RC" -eq 0 ]
run_tl "$TMP/s2.json" "$TMP/s2.err" bench stops --stops 200 --instruments 4 --quotes 200000 --json
check "bench stops prints its figures, and triggers stops the same way every run" \
    python3 - "$TMP/s1.json" "$TMP/s2.json" <<'PY'
import json, sys
a, b = (json.loads(open(p).read()) for p in sys.argv[1:])
assert a['bench'] == 'stops' and a['stops'] == 200 and a['quotes'] == 200000, a
assert a['quotes_per_sec'] > 0 and a['triggered'] > 0, a
assert a['triggered'] == b['triggered'], (a, b)
PY
# bench loop, quotes: every account holds a position and a stop before the clock starts, and
# still does after it; without crossings no stop fires.
run_tl "$TMP/l.json" "$TMP/l.err" bench loop --only quotes --accounts 200 --symbols 4 \
    --quotes 20000 --json
check "bench loop exits 0" [ "$RC" -eq 0 ]
check "bench loop prints one line: 200 live stops through 20,000 quotes, none crossed" \
    python3 - "$TMP/l.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d['bench'] == 'loop' and d['mode'] == 'quotes' and d['journal'] == 'none', d
assert d['accounts'] == 200 and d['symbols'] == 4 and d['stops'] == 200, d
assert d['stops_end'] == 200 and d['crossings'] == 0 and d['reentries'] == 0, d
assert d['quotes'] == 20000 and d['steps'] == 20000, d
assert d['quotes_per_sec'] > 0 and 0 < d['p50_ns'] <= d['p99_ns'] <= d['p999_ns'], d
PY
# With crossings: each crossing quote fires exactly one stop (the bench fails otherwise), its
# account enters again, and the journal (mem:) receives the events.
run_tl "$TMP/c.json" "$TMP/c.err" bench loop --only quotes --accounts 200 --symbols 4 \
    --quotes 20000 --cross-every 100 --journal mem: --json
check "bench loop --cross-every exits 0" [ "$RC" -eq 0 ]
check "every 100th quote crossed one stop, every account entered again, journaled" \
    python3 - "$TMP/c.json" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d['crossings'] == 200 and d['reentries'] == 200, d
assert d['quotes'] == 20200 and d['steps'] == 20000, d   # a crossing step sends two quotes
assert d['stops'] == 200 and d['stops_end'] == 200, d
assert d['journal'] == 'mem:' and d['journal_events'] > 0, d
PY
# bench loop, replay: tradeloop run on the first 200 quotes of the data with 20 signals, on a
# temporary SQLite file and on mem:; the two runs journal the same events, and nothing is left.
head -201 "$SRC/data/usdchf_30m.csv" >"$TMP/q.csv"
before=$(ls /tmp | grep -c '^tradeloop-bench-' || true)
run_tl "$TMP/r.json" "$TMP/r.err" bench loop --only replay --replay "$TMP/q.csv" --signals 20 --json
check "bench loop --only replay exits 0" [ "$RC" -eq 0 ]
check "the replay figures, SQLite then mem:, every signal received" python3 - "$TMP/r.json" <<'PY'
import json, sys
a, b = (json.loads(l) for l in open(sys.argv[1]).read().splitlines())
assert (a['journal'], b['journal']) == ('sqlite', 'mem'), (a, b)
for d in (a, b):
    assert d['mode'] == 'replay' and d['quotes'] == 200 and d['signals'] == 20, d
    assert d['accepted'] + d['refused'] == 20 and d['accepted'] > 0, d
    assert d['seconds'] > 0 and d['quotes_per_sec'] > 0, d
assert a['journal_events'] == b['journal_events'] > 0, (a, b)
assert a['accepted'] == b['accepted'], (a, b)
PY
check "bench loop removes its temporary inputs and database" \
    [ "$(ls /tmp | grep -c '^tradeloop-bench-' || true)" = "$before" ]
expect_usage "replay of too few quotes" "too few for 400 signals" \
    bench loop --only replay --replay "$TMP/q.csv" --signals 400
expect_usage "loop: more symbols than accounts" "symbols <= accounts" \
    bench loop --only quotes --accounts 2 --symbols 4
expect_usage "loop: unknown figure" "--only: must be quotes or replay" bench loop --only both
# bench rfq, rounds: the desk over 10 simulated LPs in simulated time; every timed round judges
# every LP once, and the stream (locks, improvements, expiries) is the same on every run.
run_tl "$TMP/q1.json" "$TMP/q1.err" bench rfq --only rounds --lps 10 --rounds 400 --json
check "bench rfq --only rounds exits 0" [ "$RC" -eq 0 ]
run_tl "$TMP/q2.json" "$TMP/q2.err" bench rfq --only rounds --lps 10 --rounds 400 --json
check "bench rfq rounds: 400 rounds of 10 LP rows, locks and expiries the same every run" \
    python3 - "$TMP/q1.json" "$TMP/q2.json" <<'PY'
import json, sys
ls = [open(p).read().splitlines() for p in sys.argv[1:]]
assert all(len(l) == 1 for l in ls), ls
a, b = (json.loads(l[0]) for l in ls)
assert a['bench'] == 'rfq' and a['mode'] == 'rounds' and a['journal'] == 'mem', a
assert a['lps'] == 10 and a['rounds'] == 400 and a['lp_rows'] == 4000, a
# 8 s validity at a 500 ms poll: the lock runs out, and a new stream starts, again and again.
assert a['expired'] > 0 and a['new_streams'] == a['expired'] and a['locked'] > 0, a
assert a['quote_rows'] == a['locked'] + a['improved'] + a['expired'], a
assert a['rounds_per_sec'] > 0 and 0 < a['p50_ns'] <= a['p99_ns'] <= a['p999_ns'], a
for k in ('locked', 'improved', 'expired', 'lp_rows', 'quote_rows'):
    assert a[k] == b[k], (k, a, b)
PY
# bench rfq, aggregation: the desk's judging alone, over the same LPs and polls; it must take the
# same decisions as the whole desk above (the same module judges in both).
run_tl "$TMP/a.json" "$TMP/a.err" bench rfq --only aggregation --lps 10 --rounds 400 --json
check "bench rfq --only aggregation exits 0" [ "$RC" -eq 0 ]
check "bench rfq aggregation: 400 judgings of 10 LPs, the desk's locks, improvements, expiries" \
    python3 - "$TMP/a.json" "$TMP/q1.json" <<'PY'
import json, sys
a, d = (json.loads(open(p).read()) for p in sys.argv[1:])
assert a['bench'] == 'rfq' and a['mode'] == 'aggregation' and a['lps'] == 10, a
assert a['rounds'] == 400 and a['lp_rows'] == 4000, a
assert 0 < a['p50_ns'] <= a['p99_ns'] <= a['p999_ns'] <= a['max_ns'], a
for k in ('locked', 'improved', 'expired'):
    assert a[k] == d[k], (k, a, d)
PY
# bench rfq, rows: into a store named by --db, durability full then normal, a commit per round
# then per 5 rounds; the rows are in the store afterwards.
run_tl "$TMP/w.json" "$TMP/w.err" bench rfq --only rows --lps 10 --row-rounds 20 --batch 5 \
    --db "$TMP/rfq.db" --json
check "bench rfq --only rows exits 0" [ "$RC" -eq 0 ]
check "bench rfq rows: four figures of 220 rows, in 20 then 4 commits" \
    python3 - "$TMP/w.json" <<'PY'
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert [(d['durability'], d['commits'], d['rows_per_commit']) for d in ds] == \
    [('full', 20, 11), ('full', 4, 55), ('normal', 20, 11), ('normal', 4, 55)], ds
for d in ds:
    assert d['bench'] == 'rfq' and d['mode'] == 'rows' and d['backend'] == 'sqlite', d
    assert d['rows'] == 220 and d['rows_per_sec'] > 0, d
PY
check "the rows are in the store: 4 x 200 lp_quotes, 4 x 20 quotes" \
    [ "$(sqlite3 "$TMP/rfq.db" 'SELECT count(*) FROM lp_quotes; SELECT count(*) FROM quotes' | tr '\n' ,)" = "800,80," ]
before=$(ls /tmp | grep -c '^tradeloop-bench-' || true)
run_tl "$TMP/t.json" "$TMP/t.err" bench rfq --lps 5 --rounds 50 --row-rounds 5 --batch 1 --json
check "bench rfq: aggregation, rounds, then one per durability on a temporary SQLite file" \
    [ "$RC" -eq 0 -a "$(wc -l <"$TMP/t.json")" -eq 4 ]
check "bench rfq removes its temporary database" \
    [ "$(ls /tmp | grep -c '^tradeloop-bench-' || true)" = "$before" ]
expect_usage "rfq: unknown figure" "--only: must be aggregation, rounds or rows" bench rfq --only both
expect_usage "rfq: too many LPs" "--lps" bench rfq --lps 1001
# bench backtest: the reference read, then the backtest on mem: and on a temporary SQLite file,
# over the same seeded series: the same intents in both stores, every one filled, and nothing
# left behind; the same seed makes the same intents again.
before=$(ls /tmp | grep -c '^tradeloop-bench-' || true)
run_tl "$TMP/bt1.json" "$TMP/bt1.err" bench backtest --bars 200000 --sweep-data "$SRC/data/msft_daily.csv" --sweep-ms 1 --json
check "bench backtest exits 0" [ "$RC" -eq 0 ]
run_tl "$TMP/bt2.json" "$TMP/bt2.err" bench backtest --bars 200000 --db "$TMP/bt.db" --sweep-data "$SRC/data/msft_daily.csv" --sweep-ms 1 --json
check "bench backtest --db exits 0" [ "$RC" -eq 0 ]
check "bench backtest: read, mem, sqlite over 200,000 bars, the same intents, all filled" \
    python3 - "$TMP/bt1.json" "$TMP/bt2.json" <<'PY'
import json, sys
runs = [[json.loads(l) for l in open(p).read().splitlines()] for p in sys.argv[1:]]
for r in runs:
    sweeps, r[:] = r[3:], r[:3]
    assert [(d['mode'], d['jobs'], d['variants']) for d in sweeps] == \
        [('sweep', 1, 200), ('sweep', 2, 200)], sweeps
    assert all(d['variants_per_sec'] > 0 and d['sweeps'] >= 1 for d in sweeps), sweeps
    assert sweeps[0]['scaling_vs_jobs_1'] == 1 and sweeps[1]['scaling_vs_jobs_1'] > 0, sweeps
    assert [(d['mode'], d['journal']) for d in r] == \
        [('read', 'none'), ('backtest', 'mem'), ('backtest', 'sqlite')], r
    for d in r:
        assert d['bench'] == 'backtest' and d['bars'] == 200000, d
        assert d['bars_per_sec'] > 0 and d['ns_per_bar'] > 0 and d['seconds'] > 0, d
    for d in r[1:]:
        assert d['strategy'] == 'breakout_52w_high' and d['vs_read'] > 0, d
        assert d['intents'] > 0 and d['filled'] == d['intents'], d
        assert d['trades'] * 2 in (d['intents'], d['intents'] - 1), d  # an entry may stay open
        assert len(d['state_digest']) == 64, d
    assert r[1]['intents'] == r[2]['intents'] and r[1]['trades'] == r[2]['trades'], r
assert runs[0][1]['intents'] == runs[1][1]['intents'], runs  # the same seed, the same run
PY
check "bench backtest removes its temporary database" \
    [ "$(ls /tmp | grep -c '^tradeloop-bench-' || true)" = "$before" ]
check "bench backtest --db: the run's fills are in that store" \
    [ "$(sqlite3 "$TMP/bt.db" "SELECT count(*) FROM events_v WHERE name = 'ORDER_FILLED' AND workspace LIKE 'bench-bt-%'")" -gt 0 ]
expect_usage "backtest: zero bars" "--bars: must be positive" bench backtest --bars 0
expect_usage "backtest: too many bars" "--bars: .*above the maximum" bench backtest --bars 50000001
expect_usage "backtest: bad store" "--db: unknown store scheme" bench backtest --db nosuch://x
expect_usage "backtest: unknown flag" "unknown flag --fast" bench backtest --fast
expect_usage "backtest: no sweep data" "--sweep-data: .*nosuch.csv" \
    bench backtest --bars 1000 --db mem: --sweep-data "$TMP/nosuch.csv" --sweep-ms 1
expect_usage "more instruments than stops" "instruments <= stops" bench stops --stops 2 --instruments 4
expect_usage "zero batch" "--batch: must be positive" bench journal --batch 0
expect_usage "paper: zero batch" "--batch: must be positive" bench paper --batch 0
expect_usage "zero orders" "--orders: must be positive" bench pipeline --orders 0
expect_usage "unknown benchmark" "unknown benchmark" bench nosuch
expect_usage "unknown flag" "unknown flag --fast" bench pipeline --fast
finish
