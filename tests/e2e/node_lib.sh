# node_lib.sh -- the npm packages an e2e test needs, installed into the build tree (sourced after
# lib.sh). Never global: npm ci from the test's own lock file into $(dirname $BIN)/NAME, once, and
# again only when the lock file changed. Without node or npm the test fails (make deps installs
# Debian's when the machine has none).
#
# node_install DIR NAME: DIR holds package.json and package-lock.json; sets NODE_PREFIX.
node_install() {
    local dir=$1 name=$2 pkg
    for tool in node npm; do
        command -v "$tool" >/dev/null || { bad "$tool is missing (make deps installs it)"; return 1; }
    done
    NODE_PREFIX=$(cd "$(dirname "$BIN")" && pwd)/$name
    pkg=$(python3 -c 'import json,sys; print(next(iter(json.load(open(sys.argv[1]))["devDependencies"])))' "$dir/package.json")
    if ! cmp -s "$dir/package-lock.json" "$NODE_PREFIX/package-lock.json" ||
        [ ! -f "$NODE_PREFIX/node_modules/$pkg/package.json" ]; then
        mkdir -p "$NODE_PREFIX"
        cp "$dir/package.json" "$dir/package-lock.json" "$NODE_PREFIX/"
        npm ci --prefix "$NODE_PREFIX" --ignore-scripts --no-audit --no-fund >"$TMP/npm.log" 2>&1 ||
            { bad "npm ci in $NODE_PREFIX: $(tail -5 "$TMP/npm.log")"; return 1; }
    fi
}
