#!/usr/bin/env bash
# End-to-end: the admin pages of run plans on `tradeloop serve` (issue 11), read with curl and
# Python's html.parser. A sweep of the example file writes its plan, variants and journals; the
# list shows the plan with its best variant (the sweep's own rank 1), the detail page every
# variant with the sweep's figures, ranked as `tradeloop sweep --sort` ranks them, and a curve
# per variant whose points are the trades the journal holds (its drawdown is the sweep's). Rows
# holding markup (written into the store with sqlite3) show as text; 401, 404 and 400 as said.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
SPEC=$SRC/examples/sweeps/breakout.json
DATA=$SRC/data/msft_daily.csv
DB=$TMP/admin.db
export TRADELOOP_ADMIN_TOKEN=admin-pages-token
T="-H X-Admin-Token:$TRADELOOP_ADMIN_TOKEN"
ADMIN=/admin/testing/run-plans

sweep() { # OUT DB [FLAGS...]
    local out=$1 db=$2; shift 2
    "$BIN" sweep --spec "$SPEC" --data "$DATA" --db "$db" --jobs 1 --json "$@" >"$out" 2>"$TMP/sweep.err"
}
check "the sweep runs" sweep "$TMP/sweep.json" "$DB"
# The orders another figure gives, from the sweep itself (on another store: same results).
check "the sweep by drawdown" sweep "$TMP/by_dd.json" "$TMP/other.db" --sort max_drawdown_pct
check "the sweep by sharpe" sweep "$TMP/by_sharpe.json" "$TMP/other.db" --sort sharpe
PLAN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_plan_id"])' "$TMP/sweep.json")

# A newer plan whose outside texts are markup: one variant done (no journal: a flat curve), one
# failed. The store's own writer refuses such a strategy; people with SQL access do not.
EVIL=aaaaaaaaaaaaaaaa
sqlite3 "$DB" <<SQL || bad "the markup rows go in"
INSERT INTO run_plans VALUES ('$EVIL', 4102444800000000000, '<script>alert(1)</script>',
  'X<i>Y', '{}', '"evil" & <b>.csv', 10, 2);
INSERT INTO run_variants VALUES ('$EVIL', 'bbbbbbbbbbbbbbbb', 0, 'baseline',
  '11111111-2222-5333-8444-555555555555', '{"k":"<script>x</script>"}', 'done', '', 0, 0, 0,
  NULL, NULL, NULL, 1000000000000, '$(printf 'a%.0s' $(seq 64))', 4102444800000000000);
INSERT INTO run_variants VALUES ('$EVIL', 'cccccccccccccccc', 1, 'grid',
  '11111111-2222-5333-8444-666666666666', '{}', 'failed', '<img src=x onerror=alert(1)>', 0, 0,
  0, NULL, NULL, NULL, 0, '', 4102444800000000000);
SQL

# page PATH NAME: fetches PATH with the token into $TMP/NAME.html, parses it into $TMP/NAME.json:
# {"rows": [{"attrs", "cells": {class: text}, "svg": attrs|null, "links"}], "ids": {id: text},
#  "th": [{"text", "class", "href"}], "links": [href]}.
cat >"$TMP/parse.py" <<'PY'
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.ids, self.th, self.links = [], {}, [], []
        self.stack = []  # (tag, key) of the elements whose text is being collected
        self.row = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'tr' and ('data-variant' in a or 'data-plan' in a):
            self.row = {'attrs': a, 'cells': {}, 'svg': None, 'links': []}
            self.rows.append(self.row)
        if tag == 'a':
            self.links.append(a.get('href'))
            if self.row is not None:
                self.row['links'].append(a.get('href'))
            if self.th and self.stack and self.stack[-1][0] == 'th':
                self.th[-1]['href'] = a.get('href')
        if tag == 'svg' and self.row is not None:
            self.row['svg'] = a
        if tag == 'td' and self.row is not None:
            cls = [c for c in a.get('class', '').split() if c != 'num']
            key = cls[0] if cls else ''
            self.row['cells'][key] = ''
            self.stack.append(('td', key))
        elif tag == 'th':
            self.th.append({'text': '', 'class': a.get('class'), 'href': None})
            self.stack.append(('th', None))
        elif 'id' in a and tag not in ('table', 'svg'):
            self.ids[a['id']] = ''
            self.stack.append((tag, a['id']))
    def handle_endtag(self, tag):
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
        if tag == 'tr':
            self.row = None
    def handle_data(self, d):
        for tag, key in self.stack:
            if tag == 'td' and self.row is not None:
                if not any(t == 'svg' for t, _ in self.stack):
                    self.row['cells'][key] += d
            elif tag == 'th':
                self.th[-1]['text'] += d
            elif key is not None:
                self.ids[key] += d
p = P()
p.feed(open(sys.argv[1], encoding='utf-8').read())
json.dump({'rows': p.rows, 'ids': p.ids, 'th': p.th, 'links': p.links}, open(sys.argv[2], 'w'))
PY
page() {
    CODE=$(curl -s -o "$TMP/$2.html" -D "$TMP/$2.hdr" -w '%{http_code}' $T "http://127.0.0.1:$PORT$1")
    python3 "$TMP/parse.py" "$TMP/$2.html" "$TMP/$2.json"
}
# pyc NAME: the Python assertions on stdin, with `d` the parsed page NAME, `sweep`, `by_dd`,
# `by_sharpe` the sweeps' documents, `raw` the page's text and `D` decimal.Decimal.
pyc() {
    python3 - "$TMP/$1.json" "$TMP/$1.html" "$TMP" "$PLAN" "$EVIL" "$(cat)" <<'PY'
import json, sys
from decimal import Decimal as D
d = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], encoding='utf-8').read()
tmp, plan, evil = sys.argv[3], sys.argv[4], sys.argv[5]
load = lambda n: json.load(open(f'{tmp}/{n}.json'), parse_float=D)
sweep, by_dd, by_sharpe = load('sweep'), load('by_dd'), load('by_sharpe')
exec(sys.argv[6])
PY
}

serve_start a --db "$DB" || { bad "serve starts"; finish; exit 1; }

# --- the token: the paper API's rules, the header only ---
for p in $ADMIN $ADMIN/$PLAN; do
    http GET "$p"
    check "$p without a token: 401" [ "$CODE" = 401 ]
    http GET "$p" -H 'X-Admin-Token: wrong'
    check "$p with a wrong token: 401" [ "$CODE" = 401 ]
    http GET "$p?token=$TRADELOOP_ADMIN_TOKEN"
    check "$p: a token in the query is not one: 401" [ "$CODE" = 401 ]
done

# --- the list ---
page $ADMIN list
check "list: 200" [ "$CODE" = 200 ]
check "list: text/html; charset=utf-8" grep -qi '^content-type: text/html; charset=utf-8' "$TMP/list.hdr"
check "list: newest first, the plan with its best variant (the sweep's rank 1)" pyc list <<'PY'
rows = d['rows']
assert [r['attrs']['data-plan'] for r in rows] == [evil, plan], rows
c = rows[1]['cells']
best = sweep['variants'][0]
assert best['rank'] == 1
assert c['strategy'] == 'breakout_52w_high' and c['symbol'] == 'MSFT', c
assert c['variants'] == '15' and c['best'] == best['variant_id'], c
assert D(c['return_pct']) == best['return_pct'], (c, best)
assert c['created'].endswith('Z') and c['created'][:2] == '20', c
assert rows[1]['links'] == [f'/admin/testing/run-plans/{plan}'], rows[1]['links']
PY
page "$ADMIN?sort=sharpe" list_sharpe
check "list by sharpe: its best is the sweep's by sharpe" pyc list_sharpe <<'PY'
c = d['rows'][1]['cells']
assert c['best'] == by_sharpe['variants'][0]['variant_id'], (c, by_sharpe['variants'][0])
assert D(c['sharpe']) == by_sharpe['variants'][0]['sharpe'], c
assert d['rows'][1]['links'] == [f'/admin/testing/run-plans/{plan}?sort=sharpe']
PY
http GET "$ADMIN?sort=bogus" $T
check "list: an unknown figure: 400" [ "$CODE" = 400 ]

# --- the detail ---
page $ADMIN/$PLAN detail
check "detail: 200" [ "$CODE" = 200 ]
check "detail: text/html; charset=utf-8" grep -qi '^content-type: text/html; charset=utf-8' "$TMP/detail.hdr"
check "detail: 15 rows, the sweep's ranks and figures" pyc detail <<'PY'
rows = d['rows']
assert len(rows) == 15, len(rows)
assert d['ids']['plan-id'] == plan and d['ids']['strategy'] == 'breakout_52w_high'
assert d['ids']['data'].endswith('msft_daily.csv, 249 bars'), d['ids']
for r, v in zip(rows, sweep['variants']):
    c = r['cells']
    assert r['attrs']['data-variant'] == c['variant_id'] == v['variant_id'], (c, v)
    assert int(c['rank']) == v['rank'] and c['kind'] == v['kind'], (c, v)
    assert json.loads(c['overrides']) == v['overrides'], (c, v)
    assert int(c['trade_count']) == v['trade_count'], (c, v)
    for k in ('return_pct', 'max_drawdown_pct', 'sharpe', 'win_rate', 'profit_factor',
              'ending_equity'):
        want = v[k]
        assert (c[k] == '\u2014') if want is None else D(c[k]) == want, (k, c, v)
    assert c['status'] == 'done', c
PY
check "detail: each curve is the journal's trades, drawn (its drawdown is the sweep's)" pyc detail <<'PY'
want = {v['variant_id']: v for v in sweep['variants']}
for r in d['rows']:
    v, svg = want[r['attrs']['data-variant']], r['svg']
    assert svg is not None and svg['class'] == 'equity', r
    eq = [D(x) for x in svg['data-equity'].split()]
    assert len(eq) == v['trade_count'] + 1 and eq[0] == 10000, (eq, v)
    peak, dd = eq[0], D(0)
    for x in eq:
        peak = max(peak, x)
        dd = max(dd, (peak - x) / peak * 100)
    assert abs(dd - v['max_drawdown_pct']) < D('1e-7'), (dd, v)
    assert int(svg['width']) > 0 and int(svg['height']) > 0
assert raw.count('<polyline') == 15 and raw.count('<svg') == 15
PY
page "$ADMIN/$PLAN?sort=max_drawdown_pct" by_dd_page
check "detail by max_drawdown_pct: the sweep's order, lowest first" pyc by_dd_page <<'PY'
got = [r['attrs']['data-variant'] for r in d['rows']]
assert got == [v['variant_id'] for v in by_dd['variants']], got
dds = [D(r['cells']['max_drawdown_pct']) for r in d['rows']]
assert dds == sorted(dds) and dds[0] < dds[-1], dds
th = [h for h in d['th'] if h['class'] == 'sorted']
assert len(th) == 1 and th[0]['text'] == 'max_drawdown_pct' and th[0]['href'] == '?sort=max_drawdown_pct'
assert d['ids']['sort'] == 'max_drawdown_pct'
PY
page "$ADMIN/$PLAN?sort=sharpe" by_sharpe_page
check "detail by sharpe: the sweep's order, nulls last" pyc by_sharpe_page <<'PY'
got = [r['attrs']['data-variant'] for r in d['rows']]
assert got == [v['variant_id'] for v in by_sharpe['variants']], got
assert d['rows'][-1]['cells']['sharpe'] == '\u2014', d['rows'][-1]
PY
http GET "$ADMIN/$PLAN?sort=nope" $T
check "detail: an unknown figure: 400" [ "$CODE" = 400 ]

# --- 404 ---
for p in "$ADMIN/0123456789abcdef" "$ADMIN/${PLAN:0:15}" "$ADMIN/${PLAN^^}" "$ADMIN/$PLAN/x" \
    "$ADMIN/" "$ADMIN/${PLAN}0" "$ADMIN/..%2F"; do
    http GET "$p" $T
    check "$p: 404" [ "$CODE" = 404 ]
done

# --- markup from outside shows as text ---
page $ADMIN list
check "list: the markup is escaped, and reads back as the text" pyc list <<'PY'
assert '<script' not in raw and '<i>' not in raw, raw
c = d['rows'][0]['cells']
assert c['strategy'] == '<script>alert(1)</script>' and c['symbol'] == 'X<i>Y', c
assert c['best'] == 'bbbbbbbbbbbbbbbb' and c['variants'] == '2', c
PY
page $ADMIN/$EVIL evil
check "detail: the markup is escaped, the failure shown, a flat curve" pyc evil <<'PY'
assert '<script' not in raw and '<img' not in raw and '<i>' not in raw, raw
assert '<b>.csv' not in raw and '&lt;b&gt;.csv' in raw, raw
assert d['ids']['strategy'] == '<script>alert(1)</script>' and d['ids']['symbol'] == 'X<i>Y'
assert d['ids']['data'] == '"evil" & <b>.csv, 10 bars', d['ids']
ok, failed = d['rows']
assert json.loads(ok['cells']['overrides']) == {'k': '<script>x</script>'}, ok
assert ok['svg']['data-equity'] == '10000', ok['svg']  # no journal: the default equity
assert failed['cells']['status'] == 'failed: <img src=x onerror=alert(1)>', failed
assert failed['cells']['return_pct'] == '\u2014' and failed['attrs'].get('class') == 'failed'
PY

serve_stop
check "serve stops cleanly" [ "$STOP_RC" = 0 ]
finish
