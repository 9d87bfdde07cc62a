# run_exchange_lib.sh -- the governed loop (`tradeloop run --live`) against `tradeloop exchange`
# in the e2e tests (sourced after lib.sh and serve_lib.sh). The caller sets XPORT (the exchange),
# DB (the engine's journal), VENUE (the adapter's URL) and $TMP/acc.json (the accounts).
KEYS=$SRC/data/exchange_keys.json
xpy() { PYTHONPATH="$SRC/tests/support" python3 - "$XPORT" "$KEYS" "$TMP" "$@"; }

# start_engine N: `tradeloop run --live` on FIFOs q.N and s.N, its report in run.N.json; EPID.
start_engine() {
    mkfifo "$TMP/q.$1" "$TMP/s.$1"
    "$BIN" run --live --quotes "$TMP/q.$1" --signals "$TMP/s.$1" --accounts "$TMP/acc.json" \
        --db "$DB" --venue "$VENUE" --trading-window off --max-quote-age-ms 0 \
        --reconcile-interval 1 --json >"$TMP/run.$1.json" 2>"$TMP/run.$1.err" &
    EPID=$!
    echo "timestamp,symbol,bid,ask" >"$TMP/q.$1"
}
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
quote() { echo "$(now),BTCUSDT,29999,30001" >"$TMP/q.$1"; }
q() { sqlite3 "$DB" "$1" 2>/dev/null; }
# wait_n SQL N: polls until SQL gives N (at most ~20 s).
wait_n() {
    for _ in $(seq 1 200); do [ "$(q "$1")" = "$2" ] && return 0; sleep 0.1; done
    return 1
}
FILLED="SELECT count(*) FROM trade_events WHERE type = 8"
# maker_sells QTY: the maker sells QTY at 29000, into alice's bid.
maker_sells() {
    xpy "$1" <<'PY'
import sys
from binance_client import clients_from_argv
c = clients_from_argv(sys.argv[:3])
st, o, _ = c['maker'].call('POST', '/api/v3/order', symbol='BTCUSDT', side='SELL', type='LIMIT',
                           timeInForce='GTC', quantity=sys.argv[4], price='29000')
assert st == 200 and o['status'] == 'FILLED', (st, o)
PY
}
