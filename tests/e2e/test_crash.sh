#!/usr/bin/env bash
# Crash test: kill -9 the engine at random points during a stream of 100,000 orders, restart it
# each time from where its acknowledgements stop (resending a few acknowledged ones), and check
# after every restart that nothing acknowledged is lost and nothing is done twice.
. "$(dirname "$0")/lib.sh"

check "crash driver" python3 - "$BIN" "$TMP" <<'PY'
import json, os, random, signal, sqlite3, subprocess, sys, time
from decimal import Decimal

BIN, TMP = sys.argv[1], sys.argv[2]
N, KILLS, WS = 100_000, 24, 'crash'
DB = os.path.join(TMP, 'crash.db')
rng = random.Random(20261121)

# The stream: per symbol, open, scale or fully close a long position; sizes keep cash positive.
symbols = {'BTCUSDT': 50000, 'ETHUSDT': 3000, 'SOLUSDT': 150, 'BNBUSDT': 600, 'XRPUSDT': 1}
lots = {'BTCUSDT': '0.001', 'ETHUSDT': '0.01', 'SOLUSDT': '0.1', 'BNBUSDT': '0.01', 'XRPUSDT': '10'}
pos = {s: Decimal(0) for s in symbols}
intents, expect = [], {}
for i in range(N):
    s = rng.choice(list(symbols))
    tick = Decimal('0.0001') if symbols[s] < 10 else Decimal('0.01')
    px = (Decimal(symbols[s]) * (10000 + rng.randint(-100, 100)) / 10000).quantize(tick)
    if pos[s] == 0 or (pos[s] < 3 * Decimal(lots[s]) and rng.random() < 0.5):
        q = Decimal(lots[s]) * rng.randint(1, 3)
        intents.append((f'i{i:06d}', 'OPEN_LONG', s, q, px))
        pos[s] += q
    else:
        intents.append((f'i{i:06d}', 'CLOSE_LONG', s, pos[s], px))
        pos[s] = Decimal(0)
final_positions = {s: q for s, q in pos.items() if q}

def write_csv(path, rows):
    with open(path, 'w') as f:
        for r in rows:
            f.write('%s,%s,%s,%s,%s\n' % r)

def read_acks(path):
    acks = []
    with open(path, 'rb') as f:
        for line in f.read().split(b'\n'):
            try:
                acks.append(json.loads(line))
            except ValueError:
                pass  # the line being written when the process died
    return acks

def check_db(acked):
    if not os.path.exists(DB):
        assert not acked, 'acknowledged orders but no database'
        return 0
    c = sqlite3.connect(DB)
    assert c.execute('pragma integrity_check').fetchone()[0] == 'ok'
    if not c.execute("select 1 from sqlite_master where name = 'orders'").fetchone():
        assert not acked, 'acknowledged orders but no orders table'  # killed before the schema
        return 0
    n_orders, n_ids = c.execute('select count(*), count(distinct order_id) from orders').fetchone()
    assert n_orders == n_ids, 'duplicated order'
    n_trades, n_tids = c.execute('select count(*), count(distinct trade_id) from trades').fetchone()
    assert n_trades == n_tids, 'duplicate trade id'
    n_emitted, n_keys = c.execute("select count(*), count(distinct idem_key) from trade_events where type = 1").fetchone()
    assert n_emitted == n_keys, 'an intent was emitted twice'
    assert n_orders == n_trades == n_emitted, (n_orders, n_trades, n_emitted)
    orders = set(r[0] for r in c.execute('select order_id from orders'))
    trades = set(r[0] for r in c.execute('select trade_id from trades'))
    for a in acked.values():
        assert a['order_id'] in orders, 'acknowledged order missing: %s' % a['intent_id']
        assert a['trade_id'] in trades, 'acknowledged fill missing: %s' % a['intent_id']
    # Positions equal an independent recomputation from the trades table.
    recomputed = {}
    for sym, side, qty in c.execute('select symbol, side, quantity from trades where workspace = ?', (WS,)):
        recomputed[sym] = recomputed.get(sym, 0) + (qty if side == 'BUY' else -qty)
    stored = dict(c.execute('select symbol, qty from positions where workspace = ?', (WS,)))
    for sym in set(recomputed) | set(stored):
        assert recomputed.get(sym, 0) == stored.get(sym, 0), (sym, recomputed.get(sym), stored.get(sym))
    c.close()
    return n_orders

acked, start, kills, dup_seen, unacked_commits = {}, 0, 0, 0, 0
while True:
    resend = min(start, rng.randint(0, 5)) if kills else 0
    batch = intents[start - resend:]
    csv, out = os.path.join(TMP, 'in.csv'), os.path.join(TMP, 'out.jsonl')
    write_csv(csv, batch)
    with open(out, 'wb') as o:
        p = subprocess.Popen([BIN, 'paper', 'execute-batch', '--db', DB, '--workspace', WS,
                              '--file', csv, '--json'], stdout=o, stderr=subprocess.PIPE)
        if kills < KILLS:
            time.sleep(rng.uniform(0.05, 0.6))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
        _, err = p.communicate()
    acks = read_acks(out)
    for k, a in enumerate(acks):
        iid = a['intent_id']
        assert iid == batch[k][0], 'acknowledgements out of order'
        if iid in acked:
            # acknowledged before: a resend must be refused as a duplicate of the same order
            assert a['duplicate'] is True, 'an acknowledged intent was executed again: %s' % iid
            assert a['order_id'] == acked[iid]['order_id'], 'duplicate lost its original order id'
            dup_seen += 1
        else:
            assert a['status'] == 'FILLED', a
            # duplicate here means: committed before the kill, killed before it was acknowledged.
            unacked_commits += a['duplicate'] is True
            acked[iid] = a
    start = max(start, start - resend + len(acks))
    check_db(acked)
    if p.returncode == 0:
        break
    assert p.returncode == -signal.SIGKILL, (p.returncode, err)

assert kills >= 20, kills
assert len(acked) == N and start == N
n = check_db(acked)
assert n == N, n
c = sqlite3.connect(DB)
stored = {s: Decimal(q) / 10**8 for s, q in c.execute('select symbol, qty from positions where workspace = ? and qty <> 0', (WS,))}
assert stored == final_positions, (stored, final_positions)
print('crash test: %d orders, %d kills, %d resent duplicates refused, %d committed-unacknowledged found again' % (N, kills, dup_seen, unacked_commits))
PY
# After all of it, the journal alone rebuilds the stored state.
run_tl "$TMP/rec.json" "$TMP/rec.err" paper reconcile --db "$TMP/crash.db" --workspace crash --json
check "reconcile after the crashes" [ "$RC" -eq 0 ]
finish
