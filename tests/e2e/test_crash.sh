#!/usr/bin/env bash
# Crash test: kill -9 the engine at random points during a stream of 100,000 orders, restart it
# each time from where its acknowledgements stop (resending a few acknowledged ones), and check
# after every restart that nothing acknowledged is lost, nothing is done twice, and `paper
# reconcile` finds the stored snapshot rows equal to the journal's state (exit 0). Then a snapshot
# row corrupted behind tradeloop's back must make `paper reconcile` say so and exit 1.
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
    if n_orders:
        reconcile()
    return n_orders

def reconcile():
    """The journal alone rebuilds what the snapshot rows hold: exit 0, snapshot_match true."""
    r = subprocess.run([BIN, 'paper', 'reconcile', '--db', DB, '--workspace', WS, '--json'],
                       capture_output=True)
    assert r.returncode == 0, ('paper reconcile', r.returncode, r.stderr)
    doc = json.loads(r.stdout)
    assert doc['snapshot_match'] is True and doc['snapshot_digest'] == doc['state_digest'], doc

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
DB=$TMP/crash.db
run_tl "$TMP/rec.json" "$TMP/rec.err" paper reconcile --db "$DB" --workspace crash --json
check "reconcile after the crashes" [ "$RC" -eq 0 ]
check "reconcile: snapshot matches" grep -q '"snapshot_match":true' "$TMP/rec.json"
check "reconcile: nothing on stderr" [ ! -s "$TMP/rec.err" ]

# A snapshot row changed behind tradeloop's back, one field at a time: `paper reconcile` still
# prints the report, with snapshot_match false, says on stderr which workspace differs, and
# exits 1; put back, it exits 0 again.
corrupted() {
    local what=$1 change=$2 undo=$3
    if [ "$(sqlite3 "$DB" "$change; SELECT changes();")" != 1 ]; then bad "$what: no row changed"; return; fi
    run_tl "$TMP/bad.json" "$TMP/bad.err" paper reconcile --db "$DB" --workspace crash --json
    check "$what: exit 1" [ "$RC" -eq 1 ]
    check "$what: report says snapshot_match false" grep -q '"snapshot_match":false' "$TMP/bad.json"
    check "$what: the journal's digest is unchanged" \
        [ "$(grep -o '"state_digest":"[0-9a-f]*"' "$TMP/bad.json")" = \
          "$(grep -o '"state_digest":"[0-9a-f]*"' "$TMP/rec.json")" ]
    check "$what: stderr says so" \
        grep -q "paper reconcile: the stored snapshot rows of 'crash' differ from the journal's state" \
        "$TMP/bad.err"
    sqlite3 "$DB" "$undo" || { bad "$what: sqlite3 undo"; return; }
    run_tl "$TMP/ok.json" "$TMP/ok.err" paper reconcile --db "$DB" --workspace crash --json
    check "$what: put back, exit 0" [ "$RC" -eq 0 ]
    check "$what: put back, the same report" cmp -s "$TMP/ok.json" "$TMP/rec.json"
}
POS="workspace = 'crash' AND symbol = (SELECT min(symbol) FROM positions WHERE workspace = 'crash' AND qty <> 0)"
ACC="workspace = 'crash'"
corrupted "position qty" "UPDATE positions SET qty = qty + 1 WHERE $POS" "UPDATE positions SET qty = qty - 1 WHERE $POS"
corrupted "position avg_price" "UPDATE positions SET avg_price = avg_price - 1 WHERE $POS" \
    "UPDATE positions SET avg_price = avg_price + 1 WHERE $POS"
corrupted "account cash" "UPDATE accounts SET cash = cash + 1 WHERE $ACC" "UPDATE accounts SET cash = cash - 1 WHERE $ACC"
corrupted "account realized P&L" "UPDATE accounts SET realized_pnl = realized_pnl - 1 WHERE $ACC" \
    "UPDATE accounts SET realized_pnl = realized_pnl + 1 WHERE $ACC"
# A position the journal never had.
corrupted "extra position row" \
    "INSERT INTO positions (workspace, symbol, qty, avg_price, realized_pnl, fees, updated_at) VALUES ('crash', 'ZZZUSDT', 100000000, 100000000, 0, 0, 0)" \
    "DELETE FROM positions WHERE workspace = 'crash' AND symbol = 'ZZZUSDT'"
finish
