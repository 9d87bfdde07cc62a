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
expect_usage "more instruments than stops" "instruments <= stops" bench stops --stops 2 --instruments 4
expect_usage "zero batch" "--batch: must be positive" bench journal --batch 0
expect_usage "zero orders" "--orders: must be positive" bench pipeline --orders 0
expect_usage "unknown benchmark" "unknown benchmark" bench nosuch
expect_usage "unknown flag" "unknown flag --fast" bench pipeline --fast
finish
