#!/usr/bin/env bash
# The deployment files (issue 8, "Deployment"): docker is not on the test machine, so this checks
# what can be checked without it. docker-compose.yml is parsed (python3-yaml) and must hold the
# service the issue names, with its restart policy, terminal, database volume and every
# configuration variable; the Dockerfile's instructions are parsed and must build in one stage
# and run from another as a non-root user, fetch nothing by URL, and install every library the
# binary links. The default command must be one that runs: `run` with flags `tradeloop run --help`
# lists, the database on the volume, quotes the image ships; it is then run here, its paths mapped
# to this checkout (without --dashboard: no terminal). The checker is also run on broken copies,
# each of which it must refuse.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/check.py" <<'PY'
import json, os, re, shlex, sys
import yaml

dockerfile, compose, makefile, linked, run_help, srcdir, dbdir, argv_out = sys.argv[1:9]
linked = set(open(linked).read().split())
VARS = """TRADELOOP_MAX_OPEN_POSITIONS TRADELOOP_COOLDOWN_LOSSES TRADELOOP_COOLDOWN
TRADELOOP_MAX_DRAWDOWN_PCT TRADELOOP_MAX_SPREAD_BPS TRADELOOP_MAX_QUOTE_AGE_MS
TRADELOOP_MAX_SLIPPAGE_BPS TRADELOOP_TRADING_WINDOW TRADELOOP_TIMEZONE TRADELOOP_STOP_LOSS_PCT
TRADELOOP_RECONCILE_INTERVAL KILL_SWITCH""".split()
RUNTIME = "libsqlite3-0 libpq5 libssl3 libuv1 libjansson4 libncursesw6 tzdata".split()
DB_DIR = "/var/lib/tradeloop"
errors = []
def need(cond, msg):
    if not cond:
        errors.append(msg)

# ---- Dockerfile: instructions with their continuation lines joined, comments dropped.
instrs, cur = [], ""
for line in open(dockerfile).read().splitlines():
    if not cur and (not line.strip() or line.lstrip().startswith("#")):
        continue
    cur += line.rstrip()[:-1] + " " if line.rstrip().endswith("\\") else line
    if not line.rstrip().endswith("\\"):
        op, _, arg = cur.strip().partition(" ")
        instrs.append((op.upper(), arg.strip()))
        cur = ""
stages = []
for op, arg in instrs:
    if op == "FROM":
        stages.append({"from": arg, "instrs": []})
    elif stages:
        stages[-1]["instrs"].append((op, arg))
    else:
        need(False, f"Dockerfile: {op} before the first FROM")
need(len(stages) == 2, f"Dockerfile: want two stages (build, runtime), found {len(stages)}")
for s in stages:
    need(s["from"].split()[0] == "debian:12-slim",
         f"Dockerfile: base {s['from']!r} is not debian:12-slim")
need(any(op == "ADD" and "://" in arg for op, arg in instrs) is False, "Dockerfile: ADD of a URL")

def installs(stage):
    pkgs = set()
    for op, arg in stage["instrs"]:
        if op == "RUN":
            for cmd in re.split(r"&&|;", arg):
                w = shlex.split(cmd)
                if "apt-get" in w and "install" in w:
                    pkgs |= {x for x in w[w.index("install") + 1:] if not x.startswith("-")}
    return pkgs

if len(stages) == 2:
    build, run = stages
    need(re.search(r"\bAS\s+\w+", build["from"], re.I), "Dockerfile: the build stage has no name")
    name = (re.search(r"\bAS\s+(\w+)", build["from"], re.I) or [None, ""])[1]
    runs = " ".join(a for o, a in build["instrs"] if o == "RUN")
    need("cmake --build" in runs, "Dockerfile: the build stage does not run cmake --build")
    deb = re.search(r"^DEB_PACKAGES\s*:=\s*((?:.*\\\n)*.*)", open(makefile).read(), re.M)
    deb = set(deb[1].replace("\\\n", " ").split()) if deb else set()
    extra = installs(build) - deb - {"libc6-dev"}
    need(not extra,
         f"Dockerfile: build stage installs packages not in DEB_PACKAGES: {sorted(extra)}")
    rpk = installs(run)
    need(set(RUNTIME) <= rpk, f"Dockerfile: runtime stage lacks {sorted(set(RUNTIME) - rpk)}")
    need(not [p for p in rpk if p.endswith("-dev")],
         "Dockerfile: -dev packages in the runtime stage")
    need(linked <= rpk,
         f"Dockerfile: the binary links libraries of {sorted(linked - rpk)}, not installed")
    ops = dict(run["instrs"])  # the last of each instruction
    user = ops.get("USER", "root").split(":")[0]
    need(user not in ("root", "0"), f"Dockerfile: runtime user is {user!r}")
    need("WORKDIR" in ops, "Dockerfile: no WORKDIR in the runtime stage")
    need(any(o == "COPY" and f"--from={name}" in a and "tradeloop" in a for o, a in run["instrs"]),
         "Dockerfile: the binary is not copied from the build stage")
    def jsonform(op):
        try:
            return json.loads(ops.get(op, "null"))
        except ValueError:
            return f"not exec form: {ops[op]}"
    need(jsonform("ENTRYPOINT") == ["tradeloop"],
         f"Dockerfile: ENTRYPOINT {jsonform('ENTRYPOINT')}")
    # The default command: `run` with flags the binary knows, the database on the volume, and
    # quotes from the data the runtime stage copies in (which must exist in this checkout).
    cmd = jsonform("CMD")
    known = set(re.findall(r"^\s+(--[a-z0-9-]+)", open(run_help).read(), re.M))
    need(isinstance(cmd, list) and cmd[:1] == ["run"], f"Dockerfile: CMD {cmd} is not `run ...`")
    cmd = cmd if isinstance(cmd, list) and cmd[:1] == ["run"] else ["run"]
    flags = [a.split("=")[0] for a in cmd[1:] if a.startswith("--")]
    unknown = [f for f in flags if f not in known]
    need(not unknown, f"Dockerfile: CMD flags not in `tradeloop run --help`: {unknown}")
    need("--dashboard" in flags, "Dockerfile: CMD without --dashboard")
    val = lambda f: cmd[cmd.index(f) + 1] if f in cmd[:-1] else None
    need(val("--db") == DB_DIR + "/tradeloop.db", f"Dockerfile: CMD --db {val('--db')!r}")
    data_dst = None
    for o, a in run["instrs"]:
        w = a.split()
        if o == "COPY" and len(w) >= 3 and w[-2] == "/src/data":
            data_dst = w[-1].rstrip("/")
    workdir = ops.get("WORKDIR", "/")
    local = {}  # image path -> path in this checkout
    for a in cmd[1:]:
        if a.startswith(DB_DIR + "/"):
            local[a] = dbdir + a[len(DB_DIR):]
    q = val("--quotes")
    need(q is not None, "Dockerfile: CMD without --quotes")
    if q is not None:
        img = q if q.startswith("/") else workdir.rstrip("/") + "/" + q
        shipped = data_dst and img.startswith(data_dst + "/")
        mine = srcdir + "/data/" + img[len(data_dst) + 1:] if shipped else None
        need(shipped and os.path.isfile(mine),
             f"Dockerfile: CMD --quotes {q!r} is not a file the image ships from data/")
        if shipped:
            local[q] = mine
    with open(argv_out, "w") as f:
        for a in cmd:
            if a != "--dashboard":
                print(local.get(a, a), file=f)
    vol = jsonform("VOLUME")
    need(DB_DIR in (vol if isinstance(vol, list) else [ops.get("VOLUME")]),
         f"Dockerfile: no VOLUME {DB_DIR}")

# ---- docker-compose.yml
doc = yaml.safe_load(open(compose))
svc = (doc.get("services") or {}).get("trading-engine")
need(isinstance(svc, dict), "compose: no service trading-engine")
svc = svc or {}
b = svc.get("build")
need(b == "." or (isinstance(b, dict) and b.get("context") == "."), f"compose: build is {b!r}")
need(svc.get("restart") == "unless-stopped", f"compose: restart is {svc.get('restart')!r}")
need(svc.get("tty") is True, "compose: tty is not true")
need(svc.get("stdin_open") is True, "compose: stdin_open is not true")
env = svc.get("environment") or []
names = {e.split("=")[0] for e in env} if isinstance(env, list) else set(env)
missing = [v for v in VARS if v not in names]
need(not missing, f"compose: environment lacks {missing}")
vols = svc.get("volumes") or []
targets = {}
for v in vols:
    if isinstance(v, str):
        src, _, dst = v.partition(":")
    else:
        src, dst = v.get("source"), v.get("target")
    targets[(dst or "").split(":")[0]] = src
need(DB_DIR in targets, f"compose: no volume on {DB_DIR}")
src = targets.get(DB_DIR)
if src and not src.startswith((".", "/")):
    need(src in (doc.get("volumes") or {}), f"compose: named volume {src!r} is not declared")

for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY

# The Debian packages of the libraries the binary links directly. Sanitizer runtimes are the test
# build's, and libc/libm (libc6) and libtinfo6 are in every Debian image already.
: >"$TMP/linked"
for lib in $(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    case $lib in libasan.so* | libubsan.so* | libc.so* | libm.so* | libtinfo.so*) continue ;; esac
    pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1)
    echo "${pkg:-unknown-package-of-$lib}" >>"$TMP/linked"
done
check "the binary links at least sqlite and libpq" grep -q libsqlite3-0 "$TMP/linked"

"$BIN" run --help >"$TMP/run.help" 2>&1
mkdir -p "$TMP/var"
checker() {
    python3 "$TMP/check.py" "$1" "$2" "$SRC/Makefile" "$TMP/linked" "$TMP/run.help" "$SRC" \
        "$TMP/var" "$TMP/argv" >"$TMP/check.out" 2>&1
}
check "Dockerfile and docker-compose.yml pass" checker "$SRC/Dockerfile" "$SRC/docker-compose.yml"
[ -s "$TMP/check.out" ] && cat "$TMP/check.out" >&2

# The default command runs (its paths in this checkout, no terminal so no --dashboard).
mapfile -t ARGV <"$TMP/argv"
run_tl "$TMP/cmd.out" "$TMP/cmd.err" "${ARGV[@]}"
check "the image's default command runs: exit 0 ($(head -c 300 "$TMP/cmd.err"))" [ "$RC" -eq 0 ]
check "it replayed the shipped quotes into its database" \
    grep -qE '"reconciliation":\{"mismatches":0,"runs":[1-9][0-9]*\}' "$TMP/cmd.out"
check "its database is where the volume is" [ -s "$TMP/var/tradeloop.db" ]
check ".dockerignore keeps build trees out" grep -qxF 'build*/' "$SRC/.dockerignore"
check ".dockerignore keeps .env out" grep -qxF '.env' "$SRC/.dockerignore"

# refuse NAME FILE PATTERN SED: the checker must refuse a copy of FILE edited by SED, saying
# PATTERN.
refuse() {
    local name=$1 file=$2 pat=$3 edit=$4 df="$SRC/Dockerfile" dc="$SRC/docker-compose.yml"
    sed "$edit" "$SRC/$file" >"$TMP/$file"
    [ "$file" = Dockerfile ] && df="$TMP/$file" || dc="$TMP/$file"
    if checker "$df" "$dc"; then bad "$name: accepted"; return; fi
    if ! grep -qE -- "$pat" "$TMP/check.out"; then bad "$name: $(cat "$TMP/check.out")"; return; fi
    ok
}
refuse "runs as root" Dockerfile "runtime user is 'root'" 's/^USER .*/USER root/'
refuse "no USER" Dockerfile "runtime user is 'root'" '/^USER /d'
refuse "ADD of a URL" Dockerfile "ADD of a URL" \
    's|^WORKDIR /src|ADD https://example.com/x.tgz /src|'
refuse "one stage" Dockerfile "two stages" 's/^FROM debian:12-slim AS build/RUN true/'
refuse "other base" Dockerfile "not debian:12-slim" 's/^FROM debian:12-slim$/FROM ubuntu:24.04/'
refuse "shell-form ENTRYPOINT" Dockerfile "ENTRYPOINT" 's/^ENTRYPOINT .*/ENTRYPOINT tradeloop/'
refuse "CMD with an unknown flag" Dockerfile \
    "CMD flags not in .tradeloop run --help.: \\['--spread'\\]" 's/"--spread-bps"/"--spread"/'
refuse "CMD without the dashboard" Dockerfile "CMD without --dashboard" 's/"--dashboard", //'
refuse "CMD quotes not shipped" Dockerfile \
    "--quotes '/opt/tradeloop/data/eurusd.csv' is not a file" 's/usdchf_30m.csv/eurusd.csv/'
refuse "CMD database off the volume" Dockerfile "CMD --db '/tmp/x.db'" \
    's|"/var/lib/tradeloop/tradeloop.db"|"/tmp/x.db"|'
refuse "runtime library missing" Dockerfile "lacks \\['libpq5'\\]" 's/ libpq5 / /'
refuse "-dev at runtime" Dockerfile "-dev packages in the runtime" \
    's/libjansson4 /libjansson4 libpq-dev /'
refuse "build package outside DEB_PACKAGES" Dockerfile "not in DEB_PACKAGES: \\['wget'\\]" \
    's/cmake pkg-config gcc make/cmake pkg-config gcc make wget/'
refuse "service renamed" docker-compose.yml "no service trading-engine" 's/trading-engine:/engine:/'
refuse "restart always" docker-compose.yml "restart is 'always'" 's/unless-stopped/always/'
refuse "no tty" docker-compose.yml "tty is not true" 's/tty: true/tty: false/'
refuse "variable dropped" docker-compose.yml "lacks \\['TRADELOOP_COOLDOWN'\\]" \
    '/- TRADELOOP_COOLDOWN$/d'
refuse "volume elsewhere" docker-compose.yml "no volume on /var/lib/tradeloop" \
    's|tradeloop-db:/var/lib/tradeloop|tradeloop-db:/data|'
finish
