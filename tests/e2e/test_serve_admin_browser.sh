#!/usr/bin/env bash
# End-to-end in a real browser: the admin pages of run plans, loaded from a running `tradeloop
# serve` by Debian's chromium (/usr/bin/chromium, the Makefile's DEB_PACKAGES) driven by
# playwright-core (tests/browser/admin_pages.mjs), installed into the build tree by node_lib.sh.
# There is no skipping: without chromium, node or npm the test fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/node_lib.sh"
SPEC=$SRC/examples/sweeps/breakout.json
DATA=$SRC/data/msft_daily.csv
CHROMIUM=${TL_CHROMIUM:-/usr/bin/chromium}
export TRADELOOP_ADMIN_TOKEN=browser-token

command -v "$CHROMIUM" >/dev/null || { bad "$CHROMIUM is missing (make deps installs it)"; finish; exit 1; }
# The pinned playwright-core, in the build tree.
node_install "$SRC/tests/browser" node || { finish; exit 1; }
PREFIX=$NODE_PREFIX

"$BIN" sweep --spec "$SPEC" --data "$DATA" --db "$TMP/a.db" --jobs 1 --json >"$TMP/sweep.json" \
    2>"$TMP/sweep.err" || bad "the sweep runs: $(cat "$TMP/sweep.err")"
"$BIN" sweep --spec "$SPEC" --data "$DATA" --db "$TMP/b.db" --jobs 1 --json \
    --sort max_drawdown_pct >"$TMP/by_dd.json" 2>"$TMP/sweep.err" || bad "the sweep by drawdown"

serve_start a --db "$TMP/a.db" || { bad "serve starts"; finish; exit 1; }
SHOT=$TMP/admin.png
TL_NODE_PREFIX=$PREFIX TL_BASE_URL=http://127.0.0.1:$PORT TL_ADMIN_TOKEN=$TRADELOOP_ADMIN_TOKEN \
    TL_SWEEP_JSON=$TMP/sweep.json TL_SWEEP_DD_JSON=$TMP/by_dd.json TL_SHOT=$SHOT \
    TL_CHROMIUM=$CHROMIUM timeout 60 node "$SRC/tests/browser/admin_pages.mjs" >"$TMP/node.out" 2>&1
RC=$?
cat "$TMP/node.out"
check "the browser's checks pass (exit $RC)" [ "$RC" = 0 ]
check "the screenshot is a non-empty PNG" python3 - "$SHOT" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'\x89PNG\r\n\x1a\n', b[:8]
w, h = struct.unpack('>II', b[16:24])
assert w >= 1000 and h >= 400 and len(b) > 10000, (w, h, len(b))
PY
serve_stop
check "serve stops cleanly" [ "$STOP_RC" = 0 ]
finish
