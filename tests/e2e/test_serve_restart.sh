#!/usr/bin/env bash
# End-to-end: `tradeloop serve`'s paper API under load and across a crash. 1,000 clients on 1,000
# connections post an intent each at the same moment: all answered 200, in few commits (the group
# commit). Then 3,000 intents stream in from 50 clients while the service is killed with SIGKILL;
# after a restart every intent is posted again: each one answered 200 before the crash is now 409
# (it was durable before it was said), and the journal holds each intent exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

export TRADELOOP_ADMIN_TOKEN=restart-test-token
DB="$TMP/r.db"
serve_start a --db "$DB" --paper-equity 1000000000 || { bad "serve starts"; finish; exit 1; }

cat >"$TMP/load.py" <<'PY'
import http.client, json, os, signal, sys, threading

port, mode = int(sys.argv[1]), sys.argv[2]
TOKEN = os.environ['TRADELOOP_ADMIN_TOKEN']

def body(ws, iid):
    return json.dumps({'intent': {'workspace_id': ws, 'intent_id': iid, 'action': 'OPEN_LONG',
                                  'symbol': 'AAPL', 'qty': '0.001'}, 'fill_price': '100'})

def post(conn, ws, iid):
    conn.request('POST', '/execute/intents', body(ws, iid),
                 {'Content-Type': 'application/json', 'X-Admin-Token': TOKEN})
    r = conn.getresponse()
    r.read()
    return r.status

if mode == 'burst':          # 1,000 connections, one intent each, released together
    n = 1000
    conns = [http.client.HTTPConnection('127.0.0.1', port, timeout=60) for _ in range(n)]
    for c in conns:
        c.connect()
    gate, codes = threading.Barrier(n), [None] * n
    def one(i):
        gate.wait()
        try:
            codes[i] = post(conns[i], 'burst-%d' % (i % 4), 'b-%d' % i)
        except Exception as e:
            codes[i] = repr(e)
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts: t.start()
    for t in ts: t.join()
    bad = [c for c in codes if c != 200]
    print(json.dumps({'ok': n - len(bad), 'bad': bad[:5]}))
    sys.exit(0 if not bad else 1)

# stream: 50 clients share 3,000 intents; with a pid, the service is killed after 1,000 answers.
n, clients = 3000, 50
pid = int(sys.argv[3]) if len(sys.argv) > 3 else 0
lock, answered, codes, killed = threading.Lock(), [0], {}, [False]
def client(k):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    for i in range(k, n, clients):
        iid = 's-%d' % i
        try:
            c = post(conn, 'stream', iid)
        except Exception:
            return                      # the service died: this client stops
        with lock:
            codes[iid] = c
            answered[0] += 1
            if pid and answered[0] == 1000 and not killed[0]:
                killed[0] = True
                os.kill(pid, signal.SIGKILL)
ts = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
for t in ts: t.start()
for t in ts: t.join()
json.dump(codes, open(sys.argv[4] if len(sys.argv) > 4 else '/dev/stdout', 'w'))
PY

check "1,000 concurrent connections, one intent each: all 200" python3 "$TMP/load.py" "$PORT" burst
http GET /metrics
check "the burst was group-committed (fewer commits than intents)" python3 - "$TMP/body" <<'PY'
import sys
m = {l.split()[0]: float(l.split()[1]) for l in open(sys.argv[1]) if l[0] != '#'}
filled = m['tradeloop_paper_intents_total{outcome="filled"}']
commits = m['tradeloop_journal_commits_total']
assert filled == 1000 and commits < filled, (filled, commits)
PY

python3 "$TMP/load.py" "$PORT" stream "$PID" "$TMP/before.json"
wait "$PID" 2>/dev/null
check "the service was killed mid-stream" python3 -c "
import json; c = json.load(open('$TMP/before.json')); assert 1000 <= len(c) < 3000, len(c)"
serve_start b --db "$DB" --paper-equity 1000000000 || bad "serve restarts"
python3 "$TMP/load.py" "$PORT" stream 0 "$TMP/after.json"
check "after the restart: every intent answered; each said 200 before is 409 now" python3 - "$TMP/before.json" "$TMP/after.json" <<'PY'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:])
assert len(after) == 3000, len(after)
assert all(c in (200, 409) for c in after.values()), set(after.values())
lost = [k for k, c in before.items() if c == 200 and after[k] != 409]
assert not lost, ('answered, then not durable', lost[:5])
PY
check "the journal holds each of the 3,000 intents exactly once" \
    [ "$(sqlite3 "$DB" "SELECT count(*), count(DISTINCT idem_key) FROM trade_events WHERE type = 1 AND workspace = 'stream'" | tr '|' ,)" = "3000,3000" ]
check "and one fill each" \
    [ "$(sqlite3 "$DB" "SELECT count(*) FROM trades t JOIN orders o USING (order_id) WHERE o.workspace = 'stream'")" = 3000 ]
serve_stop
check "SIGTERM: exit 0" [ "$STOP_RC" -eq 0 ]
finish
