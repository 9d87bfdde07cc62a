#!/usr/bin/env bash
# test_sweep_cli.sh -- `tradeloop sweep` on the shipped example: the same results with one worker
# and with two, each variant equal to `tradeloop backtest` run alone with its parameters in its
# workspace, its journal in the store, a repeated sweep, sorting, and the refusals.
. "$(dirname "$0")/lib.sh"
DATA=$SRC/data/msft_daily.csv
SPEC=$SRC/examples/sweeps/breakout.json

run_tl "$TMP/j1.json" "$TMP/j1.err" sweep --spec "$SPEC" --data "$DATA" --db "$TMP/one.db" --jobs 1 --json
check "--jobs 1: exit 0" [ "$RC" -eq 0 ]
check "no progress bar when stderr is not a terminal" [ ! -s "$TMP/j1.err" ]
run_tl "$TMP/j2.json" "$TMP/j2.err" sweep --spec "$SPEC" --data "$DATA" --db "$TMP/two.db" --jobs 2 --json
check "--jobs 2: exit 0" [ "$RC" -eq 0 ]
check "--jobs 1 and --jobs 2 print the same bytes" cmp -s "$TMP/j1.json" "$TMP/j2.json"
# Journals in memory: each variant trades into a scratch journal of its own; the figures and the
# journal digests are those of the variants' journals in one file.
for j in 1 3; do
    run_tl "$TMP/m$j.json" "$TMP/m$j.err" sweep --spec "$SPEC" --data "$DATA" --db mem: --jobs $j --json
    check "--db mem: --jobs $j: the same bytes as on a file" cmp -s "$TMP/j1.json" "$TMP/m$j.json"
done
check "the plan: 15 variants, ranked by return_pct, baseline and ablations present" python3 - \
    "$TMP/j1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = d['variants']
assert d['strategy'] == 'breakout_52w_high' and d['symbol'] == 'MSFT' and d['bars'] == 249, d
assert len(v) == 15 and [x['rank'] for x in v] == list(range(1, 16)), v
assert all(x['error'] is None for x in v), v
r = [x['return_pct'] for x in v]
assert r == sorted(r, reverse=True), r
kinds = [x['kind'] for x in v]
assert kinds.count('baseline') == 1 and kinds.count('ablation') == 2, kinds
assert len({x['workspace'] for x in v}) == 15, v
PY

# Every variant is the backtest of its parameters in its workspace: the same figures and digest.
python3 - "$TMP/j1.json" "$SPEC" >"$TMP/cmds" <<'PY'
import json, shlex, sys
d, spec = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for x in d['variants']:
    params = dict(spec['base'].get('params', {}))
    params.update(x['overrides'])
    args = ['--workspace', x['workspace']] + sum((['--param', f'{k}={v}'] for k, v in sorted(params.items())), [])
    print(x['variant_id'], ' '.join(shlex.quote(a) for a in args))
PY
all_equal=0
while read -r vid args; do
    eval "set -- $args"
    "$BIN" backtest --data "$DATA" --strategy breakout_52w_high "$@" --json >"$TMP/bt.json" 2>"$TMP/bt.err" || all_equal=1
    python3 - "$TMP/j1.json" "$vid" "$TMP/bt.json" <<'PY' || all_equal=1
import json, sys
v = [x for x in json.load(open(sys.argv[1]))['variants'] if x['variant_id'] == sys.argv[2]][0]
b = json.load(open(sys.argv[3]))
for k in ('return_pct', 'max_drawdown_pct', 'sharpe', 'win_rate', 'trade_count', 'profit_factor',
          'ending_equity', 'state_digest', 'workspace'):
    assert v[k] == b[k], (sys.argv[2], k, v[k], b[k])
PY
done <"$TMP/cmds"
check "every variant equals its backtest run alone (figures and digest)" [ "$all_equal" -eq 0 ]

best=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["variants"][0]["workspace"])' "$TMP/j1.json")
run_tl "$TMP/st.json" "$TMP/st.err" paper state --db "$TMP/one.db" --workspace "$best" --json
check "the best variant's journal is in the store, with its digest" python3 - "$TMP/j1.json" \
    "$TMP/st.json" <<'PY'
import json, sys
v, s = json.load(open(sys.argv[1]))['variants'][0], json.load(open(sys.argv[2]))
assert v['state_digest'] == s['state_digest'], (v, s)
PY
check "the plan and every variant's figures are rows of the store" python3 - "$TMP/j1.json" \
    "$TMP/one.db" "$SPEC" <<'PY'
import json, sqlite3, sys
from decimal import Decimal as D
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
plan = db.execute("SELECT run_plan_id, strategy, symbol, bars, variants, spec FROM run_plans").fetchall()
assert len(plan) == 1 and plan[0][:5] == (d['run_plan_id'], 'breakout_52w_high', 'MSFT', 249, 15), plan
assert json.loads(plan[0][5]) == json.load(open(sys.argv[3])), plan[0][5]
rows = {r[0]: r[1:] for r in db.execute(
    "SELECT variant_id, status, trade_count, return_pct, sharpe, state_digest, workspace, overrides "
    "FROM run_variants_v WHERE run_plan_id = ?", (d['run_plan_id'],))}
assert len(rows) == 15, rows
for v in d['variants']:
    st, n, ret, sh, dig, ws, ov = rows[v['variant_id']]
    assert st == 'done' and n == v['trade_count'] and dig == v['state_digest'] and ws == v['workspace'], v
    assert D(ret) == D(str(v['return_pct'])), (ret, v)
    assert (sh is None) == (v['sharpe'] is None) and (sh is None or D(sh) == D(str(v['sharpe']))), (sh, v)
    assert json.loads(ov) == v['overrides'], (ov, v)
PY
run_tl "$TMP/again.json" "$TMP/again.err" sweep --spec "$SPEC" --data "$DATA" --db "$TMP/one.db" --jobs 2 --json
check "the same sweep again on the same store: the same results" cmp -s "$TMP/j1.json" "$TMP/again.json"

run_tl "$TMP/s.json" "$TMP/s.err" sweep --spec "$SPEC" --data "$DATA" --db mem: --jobs 1 --sort max_drawdown_pct --json
check "--sort max_drawdown_pct: smallest drawdown first" python3 - "$TMP/s.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))['variants']
dd = [x['max_drawdown_pct'] for x in v]
assert dd == sorted(dd), dd
PY
run_tl "$TMP/t.out" "$TMP/t.err" sweep --spec "$SPEC" --data "$DATA" --db mem: --jobs 1 --format table
check "the table: a header and one line per variant" [ "$RC" -eq 0 -a "$(wc -l <"$TMP/t.out")" -eq 17 ]

# ---- refusals ---------------------------------------------------------------------------------
printf '{"base":{"strategy":"breakout_52w_high","symbol":"MSFT"},"sweep":{"exit.hold_bars":[1,2.5]},"max_variants":5}' >"$TMP/float.json"
expect_usage "a float in the sweep file names its place" 'exit.hold_bars.*\[1\].*float' \
    sweep --spec "$TMP/float.json" --data "$DATA" --db mem:
printf '{"base":{"strategy":"breakout_52w_high","symbol":"MSFT"},"sweep":{"entry.nosuch":[1,2]},"max_variants":5}' >"$TMP/key.json"
expect_usage "a key the strategy does not have" "entry.nosuch" \
    sweep --spec "$TMP/key.json" --data "$DATA" --db mem:
expect_usage "an unknown sort" "--sort" sweep --spec "$SPEC" --data "$DATA" --sort nosuch
expect_usage "no --spec" "--spec is required" sweep --data "$DATA"
finish
