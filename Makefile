# tradeloop -- the README's commands. Each target installs what it needs on a fresh Debian 12
# machine (as root, or with sudo) before it builds.
#
#   make run     install, build, run the main job (the shadow run) on the embedded defaults
#   make test    install, build with ASan+UBSan, run every test (ctest), then every libFuzzer
#                target for FUZZ_SECONDS each
#   make build   build only, into build/ (binary: build/tradeloop)
#   make bench   build, run the benchmarks (one JSON line per figure)

SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEB_PACKAGES := cmake pkg-config gcc make libcmocka-dev python3 libsqlite3-dev sqlite3 libpq-dev \
  postgresql libssl-dev util-linux bsdutils clang-14 libclang-rt-14-dev libuv1-dev \
  libjansson-dev libncurses-dev tmux tzdata python3-yaml libmicrohttpd-dev curl libcurl4-openssl-dev libhiredis-dev redis-server wrk \
  chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

FUZZ_SECONDS ?= 20

.PHONY: all deps build build-asan build-fuzz run test fuzz bench clean format

all: build

# Installs only what is missing; apt-get update runs once, and only when something is missing.
# Node.js and npm (the browser test's playwright-core, installed into the build tree) come from
# Debian only when the machine has no npm of its own: a NodeSource node ships its own npm, which
# Debian's npm package would conflict with.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j $(JOBS)

build-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTL_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)

# The parsers of outside input under libFuzzer (clang-14), with ASan and UBSan.
build-fuzz: deps
	CC=clang-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DTL_FUZZ=ON -DTL_TESTS=OFF \
	  -DTL_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	cmake --build build-fuzz -j $(JOBS)

fuzz: build-fuzz
	cd build-fuzz && ctest --output-on-failure -j $(JOBS)

run: build
	./build/tradeloop shadow --symbols BTCUSDT,ETHUSDT --iterations 20 --max-inv 10000 \
	  --max-total 50000 --edge-threshold 3.0 --fill-rate 0.7 --reject-rate 0.05 --seed 42 --format table
	@echo
	./build/tradeloop run --quotes data/usdchf_30m.csv --symbol USDCHF --spread-bps 2 \
	  --signals data/usdchf_signals.jsonl --accounts data/accounts.json --trading-window off \
	  --db mem: --format table

# The release build is compiled too: -O2 sees warnings -O1 does not, and make run uses it.
test: build build-asan build-fuzz
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)
	cd build-fuzz && ctest --output-on-failure -j $(JOBS)

# One JSON line per figure. The PostgreSQL figure uses a server started here on loopback, in a
# temporary directory, and stopped afterwards.
bench: build
	./build/tradeloop bench pipeline --orders 2000000 --ceiling --json
	./build/tradeloop bench pipeline --orders 2000000 --json
	./build/tradeloop bench pipeline --orders 2000000 --journal mem: --json
	./build/tradeloop bench journal --json
	./build/tradeloop bench paper --json
	./build/tradeloop bench paper --batch 256 --json
	./build/tradeloop bench stops --json
	./build/tradeloop bench loop --json
	./build/tradeloop bench loop --only quotes --journal mem: --json
	./build/tradeloop bench loop --only quotes --cross-every 1000 --json
	./build/tradeloop bench rfq --json
	./build/tradeloop bench backtest --json
	./build/tradeloop bench exchange --json
	bash bench/kill_latency.sh ./build/tradeloop 20 50
	bash bench/serve_bench.sh ./build/tradeloop 5
	@pgdir=$$(mktemp -d /tmp/tradeloop-pgbench-XXXXXX); \
	bash tests/support/pg_server.sh start $$pgdir >/dev/null && \
	./build/tradeloop bench journal --db "$$(cat $$pgdir/url)" --json && \
	./build/tradeloop bench rfq --only rows --db "$$(cat $$pgdir/url)" --json; rc=$$?; \
	bash tests/support/pg_server.sh stop $$pgdir >/dev/null; exit $$rc

clean:
	rm -rf build build-asan build-fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
