#!/usr/bin/env bash
# End-to-end (without Docker, which CI does not have): compose.service.yml is parsed (python3-yaml)
# and must hold seed 002's stack -- redis, postgres and the execution service built from this
# Dockerfile, started after both are healthy, given every variable `tradeloop serve` reads, the
# admin token as a secret file and no secret in a command or a literal -- and the service's
# command must be one `tradeloop serve` accepts (checked with --help, which parses it).
. "$(dirname "$0")/lib.sh"

cat >"$TMP/check.py" <<'PY'
import re, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
errors = []
def need(c, m):
    if not c:
        errors.append(m)
svcs = doc.get('services') or {}
for name in ('redis', 'postgres', 'execution'):
    need(name in svcs, f'no service {name}')
ex = svcs.get('execution') or {}
need(ex.get('build') == '.', 'execution: not built from this Dockerfile')
dep = ex.get('depends_on') or {}
for name in ('redis', 'postgres'):
    need(isinstance(dep, dict) and (dep.get(name) or {}).get('condition') == 'service_healthy',
         f'execution: does not wait for {name} to be healthy')
cmd = ex.get('command') or []
need(cmd[:1] == ['serve'], f'execution: command {cmd!r} is not serve')
need('--listen' in cmd and cmd[cmd.index('--listen') + 1].endswith(':8003'), 'execution: not on 8003')
env = {e.split('=', 1)[0]: (e.split('=', 1)[1] if '=' in e else None) for e in ex.get('environment') or []}
# Every environment variable serve reads (its flag table and getenv), present.
src = open(sys.argv[2]).read()
wanted = set(re.findall(r'"((?:REDIS|POSTGRES)_[A-Z]+|TRADING_MODE|DRY_RUN|LOG_LEVEL)"', src))
wanted |= {'REDIS_PASSWORD', 'POSTGRES_PASSWORD'}
missing = sorted(wanted - set(env))
need(not missing, f'execution: environment lacks {missing}')
need(env.get('REDIS_HOST') == 'redis' and env.get('POSTGRES_HOST') == 'postgres', 'execution: hosts')
for secret in ('REDIS_PASSWORD', 'POSTGRES_PASSWORD'):
    need(env.get(secret) is None, f'{secret} has a literal value in the file')
need('TRADELOOP_ADMIN_TOKEN' not in env, 'the admin token is a literal')
need(env.get('TRADELOOP_ADMIN_TOKEN_FILE') == '/run/secrets/admin_token', 'no admin token file')
need('admin_token' in (ex.get('secrets') or []), 'execution: no admin_token secret')
need('admin_token' in (doc.get('secrets') or {}), 'secret admin_token not declared')
for name, s in svcs.items():
    need(s.get('restart') == 'unless-stopped', f'{name}: restart is {s.get("restart")!r}')
    for e in s.get('environment') or []:
        k, _, v = e.partition('=')
        need(not (k.endswith('PASSWORD') and v), f'{name}: {k} has a literal value')
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
check_compose() { python3 "$TMP/check.py" "$1" "$SRC/src/app/cmd_serve.c"; }
refused() { ! check_compose "$1" >/dev/null; }
check "compose.service.yml holds the stack" check_compose "$SRC/compose.service.yml"
sed 's/condition: service_healthy/condition: service_started/' "$SRC/compose.service.yml" >"$TMP/c1.yml"
check "a service started before its store is healthy is refused" refused "$TMP/c1.yml"
sed '/- POSTGRES_PASSWORD$/d' "$SRC/compose.service.yml" >"$TMP/c2.yml"
check "a variable dropped is refused" refused "$TMP/c2.yml"
sed 's/- REDIS_PASSWORD$/- REDIS_PASSWORD=hunter2/' "$SRC/compose.service.yml" >"$TMP/c3.yml"
check "a password written in the file is refused" refused "$TMP/c3.yml"
run_tl "$TMP/h.out" "$TMP/h.err" serve --listen 0.0.0.0:8003 --help
check "the service's command parses" [ "$RC" -eq 0 ]
check "Docker's build context leaves the secrets out" grep -qxF 'secrets/' "$SRC/.dockerignore"
finish
