#!/usr/bin/env bash
# End-to-end: `tradeloop shadow` as a user runs it.
. "$(dirname "$0")/lib.sh"

BASE=(--symbols BTCUSDT,ETHUSDT --max-inv 10000 --max-total 50000
      --edge-threshold 3.0 --fill-rate 0.7 --reject-rate 0.05)
ARGS=("${BASE[@]}" --iterations 20)

# Same arguments, byte-identical JSON; another seed, another run.
run_tl "$TMP/a.json" "$TMP/a.err" shadow "${ARGS[@]}" --seed 42 --json
check "shadow exits 0" [ "$RC" -eq 0 ]
run_tl "$TMP/b.json" "$TMP/b.err" shadow "${ARGS[@]}" --seed 42 --json
check "same seed, same bytes" cmp -s "$TMP/a.json" "$TMP/b.json"
run_tl "$TMP/c.json" "$TMP/c.err" shadow "${ARGS[@]}" --seed 43 --json
check "other seed, other run" bash -c "! cmp -s '$TMP/a.json' '$TMP/c.json'"
# Default seed is 42 and JSON is the default when stdout is not a terminal.
run_tl "$TMP/d.json" "$TMP/d.err" shadow "${ARGS[@]}"
check "defaults: seed 42, JSON off a TTY" cmp -s "$TMP/a.json" "$TMP/d.json"

# Sorted keys, compact separators, trailing newline, the report's fields, counts that reconcile.
check_report() {
python3 - "$1" "$2" <<'PY'
import json, re, sys
from decimal import Decimal
path, iterations = sys.argv[1], int(sys.argv[2])
raw = open(path).read()
assert raw.endswith('}\n') and raw.count('\n') == 1, 'want one line ending in a newline'
def sorted_pairs(pairs):
    keys = [k for k, _ in pairs]
    assert keys == sorted(keys), 'keys not sorted: %r' % keys
    return dict(pairs)
# Decimals parsed exactly: money must print as plain decimals, never as 6e-05.
doc = json.loads(raw, object_pairs_hook=sorted_pairs, parse_float=Decimal)
bare = re.sub(r'"[^"]*"', '""', raw.rstrip('\n'))
assert not re.search(r'[0-9][eE][-+]?[0-9]', bare), 'exponent in a number'
assert not re.search(r'\s', bare), 'not compact'
assert set(doc) == {'execution', 'orders', 'positions', 'risk'}, doc.keys()
assert doc['execution']['iterations'] == iterations
assert doc['execution']['symbols'] == ['BTCUSDT', 'ETHUSDT']
o = doc['orders']
assert set(o) == {'placed', 'filled', 'canceled', 'rejected', 'open', 'risk_blocks'}, o
assert all(isinstance(v, int) and v >= 0 for v in o.values()), o
assert o['placed'] == o['filled'] + o['canceled'] + o['rejected'] + o['open'], o
assert o['placed'] > 0 and o['filled'] > 0, o
p = doc['positions']
assert set(p['by_symbol']) == {'BTCUSDT', 'ETHUSDT'}
assert p['total_notional_usd'] >= 0
r = doc['risk']
assert set(r) == {'frozen', 'freeze_events', 'last_freeze_reason', 'quotes_skipped'}
assert isinstance(r['frozen'], bool)
# A frozen quoter stops quoting and counts what it did not send; one that never froze skips none.
assert (r['quotes_skipped'] > 0) == r['frozen'], r
if r['freeze_events']:
    assert r['last_freeze_reason'].startswith('Edge degradation: '), r
    assert r['last_freeze_reason'].endswith(' BPS < 3.00 BPS'), r
PY
}
check "report is canonical JSON and reconciles" check_report "$TMP/a.json" 20

# The freeze time is where the simulated clock starts, and nothing else: the same report, and
# with --db the same journal but for its timestamps, which start at the frozen instant (the
# default is 2025-01-01T00:00:00Z = 1735689600 s).
TRADELOOP_FREEZE_UTC=2024-06-01T12:00:00Z "$BIN" shadow "${ARGS[@]}" --json >"$TMP/f.json" 2>"$TMP/f.err"
check "freeze env accepted" [ $? -eq 0 ]
check "another freeze time, the same report" cmp -s "$TMP/a.json" "$TMP/f.json"
# freeze_run NAME ENV...: a shadow run with --db $TMP/NAME.db under the given variables.
freeze_run() {
    local name=$1; shift
    env -u TRADELOOP_FREEZE_UTC -u MM_FREEZE_UTC_ISO "$@" "$BIN" shadow "${ARGS[@]}" \
        --db "$TMP/$name.db" --json >"$TMP/$name.json" 2>"$TMP/$name.err"
    check "$name: exit 0" [ $? -eq 0 ]
}
first_ts() { sqlite3 "$TMP/$1.db" "SELECT ts_ns FROM trade_events ORDER BY seq LIMIT 1"; }
# Every event but its time, and its time as an offset from the first event's.
shape() {
    sqlite3 "$TMP/$1.db" "SELECT seq, ts_ns - (SELECT ts_ns FROM trade_events WHERE seq = 1),
        workspace, type, order_id, idem_key, symbol, side, status, trade_id, qty, price, fee, text
        FROM trade_events ORDER BY seq"
}
times() { sqlite3 "$TMP/$1.db" "SELECT ts_ns FROM trade_events ORDER BY seq"; }
freeze_run fz_none
freeze_run fz_2024 TRADELOOP_FREEZE_UTC=2024-06-01T12:00:00Z
freeze_run fz_frac TRADELOOP_FREEZE_UTC=2024-06-01T12:00:00.123456789Z
freeze_run fz_alias MM_FREEZE_UTC_ISO=2024-06-01T12:00:00Z
freeze_run fz_both TRADELOOP_FREEZE_UTC=2023-03-04T05:06:07Z MM_FREEZE_UTC_ISO=2024-06-01T12:00:00Z
freeze_run fz_empty TRADELOOP_FREEZE_UTC= MM_FREEZE_UTC_ISO=2023-03-04T05:06:07Z
check "unset: the clock starts at 2025-01-01" [ "$(first_ts fz_none)" = 1735689600000000000 ]
check "TRADELOOP_FREEZE_UTC: the first event is at the frozen instant" \
    [ "$(first_ts fz_2024)" = 1717243200000000000 ]
check "TRADELOOP_FREEZE_UTC: to the nanosecond" [ "$(first_ts fz_frac)" = 1717243200123456789 ]
check "alias MM_FREEZE_UTC_ISO: the same instant" [ "$(first_ts fz_alias)" = 1717243200000000000 ]
check "TRADELOOP_FREEZE_UTC wins over the alias" [ "$(first_ts fz_both)" = 1677906367000000000 ]
check "an empty TRADELOOP_FREEZE_UTC counts as unset" \
    [ "$(first_ts fz_empty)" = 1677906367000000000 ]
for name in fz_2024 fz_frac fz_alias fz_both fz_empty; do
    check "$name: the same report as without a freeze time" cmp -s "$TMP/fz_none.json" "$TMP/$name.json"
    check "$name: the same events, shifted in time" [ "$(shape fz_none)" = "$(shape "$name")" ]
    check "$name: but other timestamps" [ "$(times fz_none)" != "$(times "$name")" ]
done
check "the journal is not empty" [ "$(sqlite3 "$TMP/fz_none.db" "SELECT count(*) > 100 FROM trade_events")" = 1 ]
check "the report with --db is the report without it, plus the journal" \
    python3 -c 'import json, sys; a, b = (json.load(open(p)) for p in sys.argv[1:]); b.pop("journal"); assert a == b' \
    "$TMP/a.json" "$TMP/fz_none.json"

# A long run finishes and still reconciles.
run_tl "$TMP/long.json" "$TMP/long.err" shadow "${BASE[@]}" --iterations 1000000 --json
check "a million iterations run" [ "$RC" -eq 0 ]
check "long run reconciles" check_report "$TMP/long.json" 1000000

# On a terminal without --json: a readable summary, not JSON.
if command -v script >/dev/null; then
    script -qec "'$BIN' shadow ${ARGS[*]}" /dev/null >"$TMP/tty.out" 2>&1
    check "TTY summary names the counts" grep -q "placed" "$TMP/tty.out"
    check "TTY summary is not JSON" bash -c "! grep -q '^{' '$TMP/tty.out'"
fi
run_tl "$TMP/t.out" "$TMP/t.err" shadow "${ARGS[@]}" --format table
check "--format table prints the summary" grep -q "risk " "$TMP/t.out"

# Bad input: exit 2, one line naming the flag, nothing run.
expect_usage "unknown flag" "unknown flag --bogus" shadow --bogus 1
expect_usage "missing value" "--iterations: missing value" shadow --iterations
expect_usage "rate above 1" "--fill-rate: must be within \[0, 1\]" shadow --fill-rate 1.5
expect_usage "negative rate" "--reject-rate" shadow --reject-rate -0.1
expect_usage "malformed rate" "--fill-rate" shadow --fill-rate abc
expect_usage "zero limit" "--max-inv: must be positive" shadow --max-inv 0
expect_usage "negative limit" "--max-total: must be positive" shadow --max-total -5
expect_usage "zero edge" "--edge-threshold: must be positive" shadow --edge-threshold 0
expect_usage "zero iterations" "--iterations: must be positive" shadow --iterations 0
expect_usage "not a number" "--iterations: 'ten' is not a whole number" shadow --iterations ten
expect_usage "empty symbol item" "--symbols: empty item" shadow --symbols BTCUSDT,,ETHUSDT
expect_usage "lowercase symbol" "--symbols: .*A-Z" shadow --symbols btcusdt
expect_usage "duplicate symbol" "--symbols: .*twice" shadow --symbols BTCUSDT,BTCUSDT
expect_usage "too many decimals" "--max-inv: .*decimals" shadow --max-inv 1.123456789
expect_usage "flag given twice" "--seed given twice" shadow --seed 1 --seed 2
TRADELOOP_FREEZE_UTC=2025-01-01 expect_usage "malformed freeze time" "TRADELOOP_FREEZE_UTC" shadow
MM_FREEZE_UTC_ISO=yesterday expect_usage "malformed alias" "MM_FREEZE_UTC_ISO" shadow
expect_usage "unknown subcommand" "unknown subcommand" frobnicate

# Configuration order: flags > environment > .env > defaults.
mkdir -p "$TMP/cfg" && cd "$TMP/cfg"
printf '# desk settings\nexport TRADELOOP_SEED=43\n' >.env
run_tl "$TMP/e43.json" "$TMP/e43.err" shadow "${ARGS[@]}"
check ".env supplies the seed" cmp -s "$TMP/c.json" "$TMP/e43.json"
TRADELOOP_SEED=42 "$BIN" shadow "${ARGS[@]}" >"$TMP/e42.json"
check "the environment wins over .env" cmp -s "$TMP/a.json" "$TMP/e42.json"
TRADELOOP_SEED=43 "$BIN" shadow "${ARGS[@]}" --seed 42 >"$TMP/f42.json"
check "a flag wins over the environment" cmp -s "$TMP/a.json" "$TMP/f42.json"
printf 'TRADELOOP_SEED=ten\n' >.env
expect_usage "bad value in .env names its line" "\.env line 1 \(TRADELOOP_SEED\): 'ten'" shadow
TRADELOOP_SEED=eleven expect_usage "bad value in the environment names the variable" \
    "TRADELOOP_SEED \(environment\): 'eleven'" shadow
printf 'NOT A LINE\n' >.env
expect_usage "malformed .env line" "\.env line 1: want KEY=VALUE" shadow
rm .env
TRADELOOP_ENV_FILE="$TMP/none.env" expect_usage "missing TRADELOOP_ENV_FILE" \
    "TRADELOOP_ENV_FILE \(environment\): cannot read .*none.env" shadow
TRADELOOP_ENV_FILE="$TMP" expect_usage "TRADELOOP_ENV_FILE naming a directory" \
    "TRADELOOP_ENV_FILE \(environment\): .* is not a regular file" shadow
cd - >/dev/null

# --help exits 0 and documents every flag.
run_tl "$TMP/h.out" "$TMP/h.err" shadow --help
check "--help exits 0" [ "$RC" -eq 0 ]
for f in symbols iterations max-inv max-total edge-threshold fill-rate reject-rate seed json; do
    check "--help lists --$f" grep -q -- "--$f" "$TMP/h.out"
done
finish
