/*
 * xrest_bench.h -- signed REST order round trips against `tradeloop exchange` over loopback: the
 * server (tl_xserve) on its own thread and loop in this process, a client on one keep-alive TCP
 * connection sending POST /api/v3/order (HMAC-signed form bodies, newOrderRespType=ACK) one after
 * the other, each answered only after its commit. Orders alternate between a maker's ask and a
 * taker's bid at one price, so every second one trades and the book stays empty.
 */
#ifndef TL_BENCH_XREST_BENCH_H
#define TL_BENCH_XREST_BENCH_H

#include <stdint.h>

#include "tradeloop/store.h"

typedef struct tl_bench_xrest_result {
    uint64_t round_trips, trades;
    double seconds, per_sec;
    double p50_us, p99_us; /* one round trip, client side */
} tl_bench_xrest_result;

/* db: the exchange's journal (a fresh store: the accounts are funded there). */
int tl_bench_xrest(const char *db, tl_durability durability, uint64_t round_trips,
                   tl_bench_xrest_result *out, tl_err *err);

#endif /* TL_BENCH_XREST_BENCH_H */
