# serve_lib.sh -- starting and stopping `tradeloop serve` in the e2e tests (sourced after lib.sh).
#
# daemon_start NAME MSG SUBCOMMAND ARGS...: starts `tradeloop SUBCOMMAND --listen 127.0.0.1:0
# ARGS` in the background (DAEMON_LISTEN=HOST:PORT: there instead), its JSON log in
# $TMP/NAME.log; waits for the log line whose msg is MSG and sets PORT (from its fields) and PID.
daemon_start() {
    local name=$1 msg=$2 sub=$3; shift 3
    "$BIN" "$sub" --listen "${DAEMON_LISTEN:-127.0.0.1:0}" "$@" >"$TMP/$name.out" 2>"$TMP/$name.log" &
    PID=$!
    for _ in $(seq 1 200); do
        PORT=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    try: d = json.loads(l)
    except ValueError: continue
    if d.get("msg") == sys.argv[2]: print(d["fields"]["port"]); break' "$TMP/$name.log" "$msg" 2>/dev/null)
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "$sub did not start: $(cat "$TMP/$name.log")" >&2
    return 1
}

# serve_start NAME ARGS...: `tradeloop serve`, as daemon_start.
serve_start() {
    local name=$1; shift
    daemon_start "$name" serving serve "$@"
}

# serve_stop [SIGNAL]: signals the service (or any daemon_start one) (TERM) and waits; sets STOP_RC to its exit status.
serve_stop() {
    kill -"${1:-TERM}" "$PID" 2>/dev/null
    wait "$PID"
    STOP_RC=$?
}

# http METHOD PATH [CURL ARGS...]: the status in $CODE, the body in $TMP/body.
http() {
    local m=$1 p=$2; shift 2
    CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -X "$m" "http://127.0.0.1:$PORT$p" "$@")
}

# jq_py EXPR: evaluates a Python expression over the JSON body as `d`.
body_is() { python3 -c "import json,sys; d=json.load(open('$TMP/body')); sys.exit(0 if ($1) else 1)"; }

# metrics_are: the body (a /metrics page) read by the independent parser
# (tests/support/prom_parse.py, which checks the format); the Python assertions on stdin see
# val(name, **labels), a sample's value.
metrics_are() {
    local asserts
    asserts=$(cat)
    python3 - "$SRC/tests/support/prom_parse.py" "$TMP/body" "$asserts" <<'PY'
import json, subprocess, sys
out = subprocess.run([sys.executable, sys.argv[1], sys.argv[2]], capture_output=True, text=True)
assert out.returncode == 0, out.stderr
samples = json.loads(out.stdout)['samples']
def val(name, **labels):
    for s in samples:
        if s['name'] == name and all(s['labels'].get(k) == v for k, v in labels.items()):
            return float(s['value'])
    raise KeyError((name, labels))
exec(sys.argv[3])
PY
}
