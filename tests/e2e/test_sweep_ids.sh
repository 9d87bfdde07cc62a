#!/usr/bin/env bash
# test_sweep_ids.sh -- the run plan of sweep files, recomputed with Python's standard library only
# (json, hashlib, itertools, uuid) from the issue's rules: order, dedupe, the cut, run_plan_id,
# every variant_id and every workspace (uuid.uuid5). The files hold non-ASCII text, every kind of
# escape, U+2028 and 64-bit integers, so the canonical form is really exercised. The plan comes
# from tests/support/sweep_plan_dump.c (a test program built beside the tradeloop binary).
. "$(dirname "$0")/lib.sh"
DUMP=${TL_SWEEP_PLAN_DUMP:-$(dirname "$BIN")/tl_sweep_plan_dump}
[ -x "$DUMP" ] || { echo "no $DUMP" >&2; exit 1; }

cat >"$TMP/ref.py" <<'PY'
import hashlib, itertools, json, sys, uuid

NS = uuid.uuid5(uuid.NAMESPACE_URL, "tradeloop:sweep-variant")
assert str(NS) == "96df3ae5-b909-52a1-96d0-9a70e5b94b64"  # docs/ARCHITECTURE.md, plan.h

def canon(o):
    return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

def h16(o):
    return hashlib.sha256(canon(o).encode("utf-8")).hexdigest()[:16]

def plan(spec):
    run_plan_id, base, keys = h16(spec), spec["base"], sorted(spec["sweep"])
    combos = list(itertools.product(*(spec["sweep"][k] for k in keys)))
    first = dict(zip(keys, combos[0]))
    cands = [("baseline", None, {})]
    cands += [("grid", None, dict(zip(keys, c))) for c in combos]
    cands += [("ablation", d, {k: v for k, v in first.items() if k != d}) for d in keys]
    out, seen = [], set()
    for kind, ablated, ov in cands:
        vid = h16({"base": base, "overrides": ov})
        if vid in seen:
            continue
        seen.add(vid)
        out.append({"ablated": ablated, "kind": kind, "overrides": ov, "variant_id": vid,
                    "workspace": str(uuid.uuid5(NS, f"{run_plan_id}:{vid}"))})
        if len(out) == spec["max_variants"]:
            break
    return run_plan_id, out

spec = json.load(open(sys.argv[1], encoding="utf-8"))
lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "output ends with a newline"
lines = lines[:-1]
for l in lines:  # every line is canonical JSON, byte for byte
    assert canon(json.loads(l)) == l, l
run_plan_id, want = plan(spec)
head = json.loads(lines[0])
assert head == {"count": len(want), "run_plan_id": run_plan_id}, (head, run_plan_id, len(want))
got = [json.loads(l) for l in lines[1:]]
for i, (g, w) in enumerate(zip(got, want)):
    assert g == w, (i, g, w)
    # the values keep their JSON types: 20 and "20" are different overrides
    assert [type(v) for v in g["overrides"].values()] == [type(v) for v in w["overrides"].values()]
assert len(got) == len(want)
print(len(want))
PY

# same_as_python DESCRIPTION FILE WANT_COUNT
same_as_python() {
    local d=$1 f=$2 n
    if ! "$DUMP" "$f" >"$TMP/plan.jsonl" 2>"$TMP/dump.err"; then
        bad "$d: dump failed: $(cat "$TMP/dump.err")"; return
    fi
    if ! n=$(python3 "$TMP/ref.py" "$f" "$TMP/plan.jsonl" 2>&1); then
        bad "$d: differs from Python: $n"; return
    fi
    if [ "$n" = "$3" ]; then ok; else bad "$d: $n variants, want $3"; fi
}

# --- the shipped example: 1 baseline + 12 grid + 2 ablations ---
same_as_python "example" "$SRC/examples/sweeps/breakout.json" 15

# --- text that only a faithful canonical form hashes as Python does: keys out of order, non-ASCII
# and escaped characters (quote, backslash, \b \f \n \r \t, other controls, DEL, U+2028/2029, an
# emoji) in base and in swept values, strings beside integers of the same text elsewhere, and
# 64-bit extremes ---
cat >"$TMP/unicode.json" <<'JSON'
{"max_variants": 100,
 "sweep": {"z.label": ["naïve \"q\" \\ / \b\f\n\r\t \u0001\u001f\u007f \u2028\u2029 €😀", "ｶﾀｶﾅ", "plain"],
           "a.size": [-9223372036854775808, 9223372036854775807, 0, "0.50"],
           "m.mode": ["é", "e\u0301"]},
 "base": {"symbol": "MSFT", "strategy": "sma_cross",
          "params": {"note": "Grüße \u00e9 \u001b", "z.label": "base ☃"}}}
JSON
same_as_python "non-ASCII and escapes" "$TMP/unicode.json" 28

# --- the cut, inside the grid and inside the ablations ---
sed 's/"max_variants": 100/"max_variants": 7/' "$TMP/unicode.json" >"$TMP/cut7.json"
same_as_python "cut in the grid" "$TMP/cut7.json" 7
sed 's/"max_variants": 100/"max_variants": 26/' "$TMP/unicode.json" >"$TMP/cut26.json"
same_as_python "cut in the ablations" "$TMP/cut26.json" 26

# --- one swept key: its ablation is the baseline again, deduplicated ---
cat >"$TMP/one.json" <<'JSON'
{"base": {"strategy": "breakout_52w_high", "symbol": "MSFT"},
 "sweep": {"exit.hold_bars": [1, "1.5", 3]}, "max_variants": 10}
JSON
same_as_python "dedupe" "$TMP/one.json" 4

# --- refusals: exit 2, one line naming the file and the JSON path ---
cat >"$TMP/float.json" <<'JSON'
{"base": {"strategy": "breakout_52w_high", "symbol": "MSFT"},
 "sweep": {"entry.lookback_days": [20, 50, 252.5]}, "max_variants": 10}
JSON
"$DUMP" "$TMP/float.json" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "a float: exit 2" [ "$rc" -eq 2 ]
check "a float: nothing on stdout" [ ! -s "$TMP/out" ]
check "a float: the path" grep -qF \
    "$TMP/float.json: sweep.\"entry.lookback_days\"[2]: a float; write decimals as strings" "$TMP/err"

finish
