# tradeloop in a container: the governed loop (`tradeloop run`) with its dashboard, its journal on
# a volume. Two stages, both Debian 12 like the machines the project is built and tested on: the
# first compiles (compiler and -dev packages), the second holds only the binary, its runtime
# libraries and the data files, and runs as an unprivileged user. docs/OPERATIONS.md, "Running in
# Docker", tells how to build and run it; tests/e2e/test_deploy_files.sh checks this file.

FROM debian:12-slim AS build
# The Makefile's DEB_PACKAGES that building needs (not testing: no cmocka, postgresql, clang).
# libc6-dev is named because gcc only recommends it and recommends are not installed.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake pkg-config gcc make libc6-dev libsqlite3-dev libpq-dev libssl-dev libuv1-dev \
      libjansson-dev libncurses-dev libmicrohttpd-dev libhiredis-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The default command replays data/usdchf_30m.csv: an image without it would not start.
RUN test -f data/usdchf_30m.csv \
 && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTL_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target tradeloop

FROM debian:12-slim
# What the binary links (sqlite, libpq, libcrypto, libuv, jansson, ncursesw, microhttpd, hiredis,
# libcurl)
# and the IANA zones the trading window's --timezone reads.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libsqlite3-0 libpq5 libssl3 libuv1 libjansson4 libncursesw6 libmicrohttpd12 \
      libhiredis0.14 libcurl4 tzdata \
 && rm -rf /var/lib/apt/lists/*
# A fixed uid, so a bind-mounted database directory can be given to it (chown 10001).
RUN groupadd --system --gid 10001 tradeloop \
 && useradd --system --uid 10001 --gid tradeloop --home-dir /var/lib/tradeloop \
      --shell /usr/sbin/nologin tradeloop \
 && mkdir -p /var/lib/tradeloop \
 && chown tradeloop:tradeloop /var/lib/tradeloop
COPY --from=build /src/build/tradeloop /usr/local/bin/tradeloop
COPY --from=build /src/data /opt/tradeloop/data
# The dashboard draws with ncursesw: a UTF-8 locale that exists in every Debian image.
ENV LANG=C.UTF-8
# Relative paths (data/usdchf_30m.csv) resolve against the shipped data.
WORKDIR /opt/tradeloop
VOLUME ["/var/lib/tradeloop"]
USER tradeloop
ENTRYPOINT ["tradeloop"]
# By default: the shipped USDCHF bars replayed through the governed loop, with the dashboard
# (a terminal: `tty: true` in compose, `docker run -it`), kept on screen at the end until q.
# Signals and accounts come from files mounted beside it (`--signals`, `--accounts`).
CMD ["run", "--db", "/var/lib/tradeloop/tradeloop.db", "--dashboard", \
     "--quotes", "/opt/tradeloop/data/usdchf_30m.csv", "--symbol", "USDCHF", "--spread-bps", "2"]
