# test_http_server.sh -- the HTTP server (src/net/) against real clients on a free port: every
# status code, the admin token, a deferred reply, 1,000 connections held at once, a slow client,
# a 10 MB body, the idle timeout, /metrics read by an independent parser, clean shutdown.
# The server is tests/support/http_testd.c (a test program), run from $TL_HTTP_TESTD.
. "$(dirname "$0")/lib.sh"
TESTD=${TL_HTTP_TESTD:?TL_HTTP_TESTD must point at the tl_http_testd test server}
LOAD="python3 $SRC/tests/support/http_load.py"
TOKEN='tok-3a9f"\x-end'

# start_testd NAME [ARGS...]: starts the server (env set by the caller), waits for its port.
start_testd() {
    local name=$1; shift
    "$TESTD" --listen 127.0.0.1:0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    eval "${name}_PID=$!"
    for _ in $(seq 1 400); do
        grep -q '^port ' "$TMP/$name.out" 2>/dev/null && break
        kill -0 "$!" 2>/dev/null || break # it exited (a refused start)
        sleep 0.05
    done
    eval "${name}_PORT=$(awk '/^port /{print $2}' "$TMP/$name.out")"
}

# code METHOD PATH [CURL ARGS...]: prints the status code; the body goes to $TMP/body.
code() {
    local m=$1 p=$2; shift 2
    curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -X "$m" "$@" "http://127.0.0.1:$PORT$p"
}
is() { [ "$1" = "$2" ] || { echo "  got '$1', want '$2'" >&2; return 1; }; }
body_has() { grep -q -- "$1" "$TMP/body" || { echo "  body: $(cat "$TMP/body")" >&2; return 1; }; }

TRADELOOP_ADMIN_TOKEN=$TOKEN start_testd srv --timeout 1
PORT=$srv_PORT
check "server listening on a free port" test -n "$PORT"

# --- statuses answered by the server itself, before any handler ------------------------------
check "200 GET /health" is "$(code GET /health)" 200
check "404 unknown path" is "$(code GET /nope)" 404
check "404 body is JSON" body_has '"error":"not found"'
check "405 wrong method" is "$(code PUT /echo)" 405
check "405 says Allow" grep -qi '^Allow: GET, POST' "$TMP/headers"
check "405 on a prefix route" is "$(code POST /echo/ws1 -H 'Content-Type: application/json' -d '{}')" 405
check "415 POST without a content type" is "$(code POST /echo --data-binary 'x' -H 'Content-Type:')" 415
check "415 POST as form" is "$(code POST /echo -d 'a=1')" 415
check "415 POST text/json-ish" is "$(code POST /echo -d '{}' -H 'Content-Type: application/jsonx')" 415
check "JSON with a charset is JSON" is "$(code POST /echo -d '{}' -H 'Content-Type: Application/JSON; charset=utf-8')" 200
check "411 chunked body" is "$(code POST /echo -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' -d '{}')" 411
check "500 from a failing handler" is "$(code GET /fail)" 500
check "500 names the failure" body_has 'the store is down'

# --- what a handler sees ---------------------------------------------------------------------
check "POST body, query and header reach the handler" \
    is "$(code POST '/echo?q=a%20b&z=1' -H 'Content-Type: application/json' -H 'X-Thing: t1' -d '{"k":[1,2]}')" 200
check "echoed" is "$(cat "$TMP/body")" '{"body":"{\"k\":[1,2]}","body_len":11,"method":"POST","path":"/echo","q":"a b","rest":"","thing":"t1"}'
check "prefix route gets the rest" is "$(code DELETE /echo/ws-7)" 200
check "rest is the workspace" body_has '"rest":"ws-7"'

# --- body limits: 1 MiB default --------------------------------------------------------------
head -c $((1 << 20)) /dev/zero | tr '\0' 'x' >"$TMP/1m"
check "exactly 1 MiB is accepted" is "$(code POST /echo -H 'Content-Type: application/json' --data-binary @"$TMP/1m")" 200
check "1 MiB read whole" body_has '"body_len":1048576'
printf 'x' >>"$TMP/1m"
check "1 MiB + 1 is 413" is "$(code POST /echo -H 'Content-Type: application/json' --data-binary @"$TMP/1m")" 413
check "413 from the headers alone (10 MB announced, none sent)" is "$($LOAD "$PORT" big 10485760)" 413
head -c 10485760 /dev/zero >"$TMP/10m"
check "413 for a 10 MB body (curl)" is "$(code POST /echo -H 'Content-Type: application/json' --data-binary @"$TMP/10m")" 413
out=$($LOAD "$PORT" bigbody 10485760)
check "10 MB sent anyway: 413 or a reset, never read whole" test "$out" = 413 -o "$out" = reset
check "server up after the 10 MB bodies" is "$(code GET /health)" 200

# --- the admin token -------------------------------------------------------------------------
check "401 without X-Admin-Token" is "$(code POST /admin)" 401
check "401 says missing" body_has 'missing X-Admin-Token'
check "401 wrong token" is "$(code POST /admin -H 'X-Admin-Token: tok-3a9f')" 401
check "401 token prefix + more" is "$(code POST /admin -H "X-Admin-Token: ${TOKEN}x")" 401
check "200 right token" is "$(code POST /admin -H "X-Admin-Token: $TOKEN")" 200
env -u TRADELOOP_ADMIN_TOKEN_FILE TRADELOOP_ADMIN_TOKEN= "$TESTD" --listen 127.0.0.1:0 \
    >/dev/null 2>"$TMP/bad.err"
check "an empty token is refused at start" test $? -eq 2
check "the refusal names the variable" grep -q 'TRADELOOP_ADMIN_TOKEN is empty\|TRADELOOP_ADMIN_TOKEN: the admin token is empty' "$TMP/bad.err"
printf 'from-a-file\n' >"$TMP/token"
env -u TRADELOOP_ADMIN_TOKEN TRADELOOP_ADMIN_TOKEN_FILE=$TMP/token TRADELOOP_ADMIN_TOKEN=x \
    "$TESTD" --listen 127.0.0.1:0 >/dev/null 2>"$TMP/both.err"
check "both variables are refused" grep -q 'set only one of' "$TMP/both.err"
env -u TRADELOOP_ADMIN_TOKEN -u TRADELOOP_ADMIN_TOKEN_FILE "$TESTD" --listen 127.0.0.1:0 \
    >"$TMP/none.out" 2>"$TMP/none.err" &
none_PID=$!
for _ in $(seq 1 400); do grep -q '^port ' "$TMP/none.out" && break; sleep 0.05; done
SAVED=$PORT; PORT=$(awk '/^port /{print $2}' "$TMP/none.out")
check "503 when no token is configured" is "$(code POST /admin -H 'X-Admin-Token: x')" 503
check "503 says why" body_has 'no admin token configured: set TRADELOOP_ADMIN_TOKEN'
kill -TERM "$none_PID"; wait "$none_PID"
PORT=$SAVED

# --- deferred replies, many connections, slow and idle clients --------------------------------
out=$($LOAD "$PORT" deferred)
check "a deferred request is held, then answered by a later reply" \
    is "$out" 'held=1 release=200 {"released":1} status=200 body={"intent_id": "i-1", "qty": "1.5"}'
check "1,000 connections held at once, all answered" is "$($LOAD "$PORT" concurrent 1000)" 1000
out=$($LOAD "$PORT" slow)
check "a slow client blocks no one, and is served" is "$out" "fast=11 slow=200"
check "an idle connection is closed by the timeout" is "$($LOAD "$PORT" idle)" closed

# --- /metrics through the independent parser ---------------------------------------------------
check "200 /metrics" is "$(code GET /metrics)" 200
check "exposition content type 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$TMP/headers"
check "the exposition parses" python3 "$SRC/tests/support/prom_parse.py" "$TMP/body" >"$TMP/metrics.json"
python3 "$SRC/tests/support/prom_parse.py" "$TMP/body" >"$TMP/metrics.json"
metric() { # metric NAME LABEL VALUE: the sample's value text
    python3 - "$TMP/metrics.json" "$@" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
name, label, value = sys.argv[2], sys.argv[3], sys.argv[4]
for s in doc["samples"]:
    if s["name"] == name and (label == "" or s["labels"].get(label) == value):
        print(s["value"]); break
EOF
}
check "requests counted by route" is "$(metric testd_requests_total route deferred)" 1001
check "histogram count" is "$(metric testd_body_bytes_count '' '')" "$(metric testd_body_bytes_bucket le +Inf)"
check "escaped label value round-trips" is "$(metric testd_escaped_info text "$(printf 'quote " backslash \\ newline \n end')")" -1.5
check "families typed" grep -q '"testd_body_bytes": {"help": "Body sizes of /echo.", "type": "histogram"}' "$TMP/metrics.json"

# --- listen errors, shutdown -----------------------------------------------------------------
"$TESTD" --listen nowhere >/dev/null 2>"$TMP/l.err"
check "bad --listen: exit 2" test $? -eq 2
check "bad --listen: says HOST:PORT" grep -q "expected HOST:PORT" "$TMP/l.err"
"$TESTD" --listen "127.0.0.1:$PORT" >/dev/null 2>"$TMP/busy.err"
check "busy port: exit 1" test $? -eq 1
check "busy port: says so" grep -q "cannot listen on 127.0.0.1:$PORT" "$TMP/busy.err"
kill -TERM "$srv_PID"; wait "$srv_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "stopped cleanly" grep -q 'http_testd: stopped' "$TMP/srv.err"
check "the token is never logged" test "$(grep -c -F -- "$TOKEN" "$TMP/srv.err")" = 0
finish
