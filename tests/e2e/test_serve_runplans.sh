#!/usr/bin/env bash
# End-to-end: the run-plan endpoints of `tradeloop serve` (issue 11) as curl sees them. generate:
# the plan equal to tl_sweep_plan_dump's for the same file, a bad file's 400 naming the JSON path,
# a bad parameter's naming the variant, the token rules of the paper API. generate-and-execute:
# curl -F's body, the document byte for byte equal to `tradeloop sweep --json` run alone on another
# store, every refusal, the temporary directory gone after. Then, with a wrapper of the binary that
# waits on a gate file (TRADELOOP_SWEEP_EXE): a second execution 503 while one runs, /health
# answering meanwhile (the loop is not blocked), the child's exit 2 and 1 as 400 and 500, and a
# shutdown during an execution.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
DUMP=${TL_SWEEP_PLAN_DUMP:-$(dirname "$BIN")/tl_sweep_plan_dump}
SPEC=$SRC/examples/sweeps/breakout.json
DATA=$SRC/data/msft_daily.csv
export TRADELOOP_ADMIN_TOKEN=s3cret-token-value
export TMPDIR=$TMP/tmpdir # where the service makes its temporary directories
mkdir -p "$TMPDIR"
J='-H Content-Type:application/json'
T="-H X-Admin-Token:$TRADELOOP_ADMIN_TOKEN"
GEN=/testing/run-plans/generate
EXE=/testing/run-plans/generate-and-execute

serve_start a --db "$TMP/serve.db" || { bad "serve starts"; finish; exit 1; }

# --- generate ---
http POST $GEN $J --data-binary @"$SPEC"
check "generate without a token: 401" [ "$CODE" = 401 ]
http POST $GEN $J -H 'X-Admin-Token: wrong' --data-binary @"$SPEC"
check "generate with a wrong token: 401" [ "$CODE" = 401 ]
http POST $GEN $J $T --data-binary @"$SPEC"
check "generate: 200" [ "$CODE" = 200 ]
"$DUMP" "$SPEC" >"$TMP/dump.jsonl"
check "the plan is tl_sweep_plan_dump's: ids, kinds, overrides, workspaces, in order" \
    python3 - "$TMP/body" "$TMP/dump.jsonl" "$SPEC" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2])]
spec = json.load(open(sys.argv[3]))
head, want = lines[0], lines[1:]
assert got['run_plan_id'] == head['run_plan_id'], got['run_plan_id']
assert got['strategy'] == 'breakout_52w_high' and got['symbol'] == 'MSFT'
assert got['max_variants'] == spec['max_variants'] == 50
assert len(got['variants']) == head['count'] == 15
for g, w in zip(got['variants'], want):
    assert g == {k: w[k] for k in ('kind', 'overrides', 'variant_id', 'workspace')}, (g, w)
PY
http POST $GEN $J $T -d '{"base":{"strategy":"breakout_52w_high","symbol":"MSFT"},"sweep":{"entry.lookback_days":[20,1.5]},"max_variants":5}'
check "a bad file: 400" [ "$CODE" = 400 ]
check "its message names the JSON path" body_is "d['error'].startswith('sweep.\"entry.lookback_days\"[1]')"
http POST $GEN $J $T -d '{"base":{"strategy":"breakout_52w_high","symbol":"MSFT"},"sweep":{"entry.nosuch":[1,2]},"max_variants":5}'
check "a parameter the strategy lacks: 400" [ "$CODE" = 400 ]
check "naming the variant and the key" body_is "d['error'].startswith('variant ') and 'entry.nosuch' in d['error']"
http POST $GEN $T --data-binary @"$SPEC"
check "generate without Content-Type json: 415" [ "$CODE" = 415 ]

# --- generate-and-execute ---
curl_exec() { # OUT [CURL ARGS...]: the status in $CODE
    local out=$1; shift
    CODE=$(curl -s -o "$out" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT$EXE" "$@")
}
curl_exec "$TMP/body" -F spec=@"$SPEC" -F data=@"$DATA"
check "execute without a token: 401" [ "$CODE" = 401 ]
curl_exec "$TMP/exec.json" $T -F spec=@"$SPEC" -F data=@"$DATA"
check "execute: 200" [ "$CODE" = 200 ]
run_tl "$TMP/cli.json" "$TMP/cli.err" sweep --spec "$SPEC" --data "$DATA" --db "$TMP/other.db" --json
check "tradeloop sweep alone: exit 0" [ "$RC" -eq 0 ]
check "the document is tradeloop sweep --json's, byte for byte" cmp "$TMP/exec.json" "$TMP/cli.json"
check "the variants ran: 15 with a state digest" python3 -c "
import json; d = json.load(open('$TMP/exec.json'))
assert len(d['variants']) == 15 and all(len(v['state_digest']) == 64 for v in d['variants'])"
check "the temporary directory is gone" [ -z "$(ls -A "$TMPDIR")" ]
curl_exec "$TMP/body" $T -F spec=@"$SPEC"
check "no data part: 400" [ "$CODE" = 400 ]
check "naming the part" body_is "d['error'] == \"multipart: no part named 'data'\""
curl_exec "$TMP/body" $T -F spec=@"$SPEC" -F data=@"$DATA" -F data=@"$DATA"
check "data twice: 400" body_is "d['error'] == \"multipart: two parts named 'data'\""
curl_exec "$TMP/body" $T -H 'Content-Type: multipart/form-data' --data-binary 'x'
check "no boundary: 400" body_is "'no boundary' in d['error']"
curl_exec "$TMP/body" $T -H 'Content-Type: multipart/form-data; boundary=XY' --data-binary 'garbage'
check "garbage: 400" body_is "'no delimiter' in d['error']"
curl_exec "$TMP/body" $T $J --data-binary @"$SPEC"
check "execute with a JSON body: 415" [ "$CODE" = 415 ]
printf 'timestamp,open,high,low,close,volume\n2020-01-01T00:00:00Z,1,2,1,1.5,10\n2020-01-02T00:00:00Z,1,0.5,1,1,10\n' >"$TMP/bad.csv"
curl_exec "$TMP/body" $T -F spec=@"$SPEC" -F data=@"$TMP/bad.csv"
check "a bad CSV: 400 naming its line" body_is "d['error'].startswith('data:3: ')"
printf '{"base":{"strategy":"nosuch","symbol":"MSFT"},"sweep":{"a":[1]},"max_variants":2}' >"$TMP/bad.json"
curl_exec "$TMP/body" $T -F spec=@"$TMP/bad.json" -F data=@"$DATA"
check "an unknown strategy: 400 naming the spec part" body_is "d['error'].startswith('spec: variant ')"
python3 -c "print('x' * (2 << 20))" >"$TMP/big.csv"
curl_exec "$TMP/body" $T -F spec=@"$SPEC" -F data=@"$TMP/big.csv"
check "a 2 MiB body: 413 (the server's limit)" [ "$CODE" = 413 ]
check "nothing left in the temporary directory" [ -z "$(ls -A "$TMPDIR")" ]
serve_stop
check "serve a: clean exit" [ "$STOP_RC" -eq 0 ]

# --- a wrapper of the binary: it says it started, waits while the gate exists, then does as
# $TMP/mode says (run: the real binary; exit2 / exit1: fail as the sweep would) ---
GATE=$TMP/gate STARTED=$TMP/started
cat >"$TMP/wrap.sh" <<EOF
#!/usr/bin/env bash
touch "$STARTED"
while [ -e "$GATE" ]; do sleep 0.02; done
case \$(cat "$TMP/mode") in
exit2) echo "tradeloop sweep: \$5:7: bad line" >&2; exit 2 ;;
exit1) echo "tradeloop sweep: the store is gone" >&2; exit 1 ;;
*) exec "$BIN" "\$@" ;;
esac
EOF
chmod +x "$TMP/wrap.sh"
wait_started() { for _ in $(seq 1 600); do [ -e "$STARTED" ] && return 0; sleep 0.05; done; return 1; }
export TRADELOOP_SWEEP_EXE=$TMP/wrap.sh
serve_start b --db "$TMP/serve.db" || { bad "serve b starts"; finish; exit 1; }
echo run >"$TMP/mode"
touch "$GATE"
curl_exec "$TMP/first.json" $T -F spec=@"$SPEC" -F data=@"$DATA" &
FIRST=$!
check "the execution's process started" wait_started
curl_exec "$TMP/body" $T -F spec=@"$SPEC" -F data=@"$DATA"
check "a second execution while one runs: 503" [ "$CODE" = 503 ]
check "its reason: busy" body_is "d['error'].startswith('busy')"
http GET /health
check "/health answers during an execution: 200" [ "$CODE" = 200 ]
http POST $GEN $J $T --data-binary @"$SPEC"
check "generate answers during an execution: 200" [ "$CODE" = 200 ]
rm -f "$GATE"
wait "$FIRST"
check "the first execution: 200 and the same document" cmp "$TMP/first.json" "$TMP/cli.json"

echo exit2 >"$TMP/mode"
curl_exec "$TMP/body" $T -F spec=@"$SPEC" -F data=@"$DATA"
check "the child's exit 2: 400" [ "$CODE" = 400 ]
check "with its stderr's line, without the prefix and the temporary path" \
    body_is "d['error'] == 'data.csv:7: bad line'"
echo exit1 >"$TMP/mode"
curl_exec "$TMP/body" $T -F spec=@"$SPEC" -F data=@"$DATA"
check "the child's exit 1: 500" body_is "d['error'] == 'sweep: exit 1: the store is gone'"

# shutdown during an execution: the request is answered 503, the child stopped, the directory gone
echo run >"$TMP/mode"
rm -f "$STARTED"
touch "$GATE"
curl_exec "$TMP/last.json" $T -F spec=@"$SPEC" -F data=@"$DATA" &
LAST=$!
check "the last execution's process started" wait_started
serve_stop
wait "$LAST"
check "SIGTERM during an execution: clean exit" [ "$STOP_RC" -eq 0 ]
check "the execution is answered 503" grep -q 'shutting down' "$TMP/last.json"
check "its temporary directory is gone" [ -z "$(ls -A "$TMPDIR")" ]
gone() { for _ in $(seq 1 200); do pgrep -f "$TMP/wrap.sh" >/dev/null || return 0; sleep 0.05; done; return 1; }
check "its process is gone (the group was stopped)" gone

# A sweep that runs past --run-plan-timeout: stopped with the workers it forked, answered 504.
serve_start c --db "$TMP/serve.db" --run-plan-timeout 1 || { bad "serve c starts"; finish; exit 1; }
rm -f "$STARTED"
curl_exec "$TMP/body" $T -F spec=@"$SPEC" -F data=@"$DATA"
check "past its time limit: 504" [ "$CODE" = 504 ]
check "saying so" body_is "d['error'] == 'sweep: stopped after 1 s, its time limit'"
check "its process is gone" gone
http GET /health
check "the service goes on: 200" [ "$CODE" = 200 ]
serve_stop
rm -f "$GATE"
finish
