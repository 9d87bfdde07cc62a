#!/usr/bin/env bash
# End-to-end: `tradeloop serve` on SQLite without Redis -- the HTTP API as a client sees it: health,
# status, Prometheus metrics read by an independent parser, the paper broker of seed 003 with every
# status code, the kill switch, JSON logs without the token, SIGTERM, and a restart that loses
# nothing (a duplicate is still a duplicate).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

export TRADELOOP_ADMIN_TOKEN=s3cret-token-value
DB="$TMP/serve.db"
serve_start a --db "$DB" --allow-reset || { bad "serve starts"; finish; exit 1; }
check "the log's first lines are JSON objects with ts, level, msg" python3 - "$TMP/a.log" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, 'no log'
for l in lines:
    d = json.loads(l)
    assert set(d) >= {'ts', 'level', 'msg', 'fields'}, d
PY

http GET /health
check "GET /health: 200 and the seed's body" [ "$CODE" = 200 ]
check "health body" body_is "d == {'status': 'ok', 'service': 'execution'}"
http GET /status
check "GET /status: 200" [ "$CODE" = 200 ]
check "status: the seed's keys" body_is "d['service'] == 'execution' and d['redis_connected'] is False and d['database_connected'] is True and set(d['statistics']) >= {'orders_received','orders_filled','orders_rejected'} and set(d['database_stats']) >= {'total_orders','filled_orders','rejected_orders'} and d['uptime_seconds'] >= 0"

J='-H Content-Type:application/json'
T="-H X-Admin-Token:$TRADELOOP_ADMIN_TOKEN"
open_body='{"intent":{"workspace_id":"ws1","intent_id":"i-1","action":"OPEN_LONG","symbol":"AAPL","qty":2},"fill_price":101.5,"mode":"paper"}'
http POST /execute/intents $J -d "$open_body"
check "intent without a token: 401" [ "$CODE" = 401 ]
http POST /execute/intents $J -H 'X-Admin-Token: wrong' -d "$open_body"
check "intent with a wrong token: 401" [ "$CODE" = 401 ]
http POST /execute/intents $T -d "$open_body"
check "intent without Content-Type json: 415" [ "$CODE" = 415 ]
http POST /execute/intents $J $T -d '{"intent":{"workspace_id":"ws1","intent_id":"i-9","action":"OPEN_LONG","symbol":"AAPL","qty":0},"fill_price":1}'
check "a bad body: 400 naming the field" [ "$CODE" = 400 ]
check "400's reason names intent.qty" body_is "d['error'].startswith('intent.qty')"
http POST /execute/intents $J $T -d "$open_body"
check "intent: 200 FILLED" [ "$CODE" = 200 ]
check "the fill at the given price, exact" body_is "d['status'] == 'FILLED' and d['fill_price'] == 101.5 and d['qty'] == 2 and d['cash'] == 10000 - 203 and d['order_id'].startswith('PO')"
ORDER=$(python3 -c "import json; print(json.load(open('$TMP/body'))['order_id'])")
http POST /execute/intents $J $T -d "$open_body"
check "the same intent again: 409 with the original order id" [ "$CODE" = 409 ]
check "409 body: duplicate of $ORDER" body_is "d['duplicate'] is True and d['order_id'] == '$ORDER' and d['status'] == 'FILLED'"
http POST /execute/intents $J $T -d '{"intent":{"workspace_id":"ws1","intent_id":"i-1","action":"OPEN_LONG","symbol":"AAPL","qty":3},"fill_price":101.5}'
check "the key with another payload: 422" [ "$CODE" = 422 ]
http POST /execute/intents $J $T -d '{"intent":{"workspace_id":"ws1","intent_id":"i-2","action":"CLOSE_LONG","symbol":"AAPL","qty":1},"fill_price":110}'
check "a partial close is denied by policy: 200 DENIED" [ "$CODE" = 200 ]
check "denied with its reason" body_is "d['status'] == 'DENIED' and d['reason'] != ''"
python3 -c "print('{\"intent\":' + '{}' + ',\"pad\":\"' + 'x' * (2 << 20) + '\"}')" >"$TMP/big.json"
http POST /execute/intents $J $T --data-binary @"$TMP/big.json"
check "a 2 MiB body: 413" [ "$CODE" = 413 ]
http GET /nosuch
check "unknown path: 404" [ "$CODE" = 404 ]
http DELETE /health
check "wrong method: 405" [ "$CODE" = 405 ]
http GET /execute/paper/state/ws1 $T
check "state: 200, cash and the position" body_is "d['cash'] == 9797 and d['positions'][0]['qty'] == 2"
http GET /execute/paper/positions/ws1 $T
check "positions: 200" [ "$CODE" = 200 ]
http POST /execute/paper/reconcile/ws1 $T
check "reconcile: 200, the snapshot matches the replay" body_is "d['snapshot_match'] is True"
http GET '/execute/paper/state/bad%20ws' $T
check "a bad workspace id: 400" [ "$CODE" = 400 ]
http GET '/orders?limit=5'
check "orders: the paper order, newest first" body_is "d['count'] >= 1 and d['orders'][0]['workspace'] == 'ws1'"
http GET '/orders?limit=0'
check "orders?limit=0: 400" [ "$CODE" = 400 ]
http POST /kill $T
check "kill: 200, engaged" body_is "d['kill_switch'] is True and d['changed'] is True"
http GET /metrics
check "metrics: 200" [ "$CODE" = 200 ]
check "metrics parse with an independent parser; the counters say what happened" \
    metrics_are <<'PY'
assert val('tradeloop_paper_intents_total', outcome='filled') == 1
assert val('tradeloop_paper_intents_total', outcome='duplicate') == 1
assert val('tradeloop_paper_intents_total', outcome='denied') == 1
assert val('tradeloop_kill_switch') == 1
assert val('tradeloop_store_up') == 1
assert val('tradeloop_journal_commits_total') >= 3
assert val('tradeloop_journal_commit_seconds_count') >= 3
assert val('tradeloop_build_info', version='0.1.0') == 1
PY
http POST /kill/release $T
check "release: 200" body_is "d['kill_switch'] is False"
http POST /execute/paper/reset/ws1 $T
check "reset with --allow-reset: 200, flat" body_is "d['cash'] == 10000 and d['positions'] == []"

serve_stop TERM
check "SIGTERM: exit 0" [ "$STOP_RC" -eq 0 ]
check "the token never appears in the log" bash -c "! grep -q '$TRADELOOP_ADMIN_TOKEN' '$TMP/a.log'"
check "the log says it stopped" grep -q '"msg":"stopped"' "$TMP/a.log"

# A restart on the same store: the key is still known.
serve_start b --db "$DB" || bad "serve restarts"
http POST /execute/intents $J $T -d "$open_body"
check "after a restart the first intent is still a duplicate: 409" [ "$CODE" = 409 ]
http POST /execute/paper/reset/ws1 $T
check "reset without --allow-reset: 403" [ "$CODE" = 403 ]
serve_stop INT
check "SIGINT: exit 0" [ "$STOP_RC" -eq 0 ]

# Without a token the admin endpoints say why.
unset TRADELOOP_ADMIN_TOKEN
serve_start c --db "$DB" || bad "serve starts without a token"
http POST /execute/intents $J -d "$open_body"
check "no token configured: 503" [ "$CODE" = 503 ]
check "503 says how to set one" body_is "'TRADELOOP_ADMIN_TOKEN' in d['error']"
serve_stop
TRADELOOP_ADMIN_TOKEN= expect_usage "an empty token is refused at start" "TRADELOOP_ADMIN_TOKEN" serve --db "$DB"
expect_usage "a bad trading mode" "trading-mode.*'real'" serve --db "$DB" --trading-mode real
expect_usage "a bad listen address" "listen" serve --db "$DB" --listen nowhere
finish
