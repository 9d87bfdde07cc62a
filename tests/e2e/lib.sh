# lib.sh -- helpers for the end-to-end tests: run the real binary, check what a user would see.
# Each test script sources this, calls `check` for every assertion, and ends with `finish`.
set -u
BIN=${TRADELOOP_BIN:?TRADELOOP_BIN must point at the tradeloop binary}
SRC=${TL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0

ok() { PASSED=$((PASSED + 1)); }
bad() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }
# check DESCRIPTION COMMAND...: the command must succeed.
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }

# run_tl OUT ERR ARGS...: runs the binary, stdout to OUT, stderr to ERR, sets RC.
run_tl() { local out=$1 err=$2; shift 2; "$BIN" "$@" >"$out" 2>"$err"; RC=$?; }

# expect_usage DESCRIPTION PATTERN ARGS...: exit 2, nothing on stdout, exactly one line on stderr
# matching PATTERN.
expect_usage() {
    local d=$1 pat=$2; shift 2
    run_tl "$TMP/u.out" "$TMP/u.err" "$@"
    if [ "$RC" -ne 2 ]; then bad "$d: exit $RC, want 2"; return; fi
    if [ -s "$TMP/u.out" ]; then bad "$d: wrote to stdout"; return; fi
    if [ "$(wc -l <"$TMP/u.err")" -ne 1 ]; then bad "$d: stderr is not one line: $(cat "$TMP/u.err")"; return; fi
    if ! grep -qE -- "$pat" "$TMP/u.err"; then bad "$d: stderr '$(cat "$TMP/u.err")' lacks /$pat/"; return; fi
    ok
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
