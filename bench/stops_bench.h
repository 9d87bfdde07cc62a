/*
 * stops_bench.h -- the stop book under a quote stream: `stops` live stops spread over
 * `instruments` instruments (even accounts long, odd ones short; each 2% from an entry within 1%
 * of the price at the time), and `quotes` quotes, one instrument after another, each moving its
 * instrument's price by a random step of at most 1 bp with a 1 bp spread. Every quote asks the
 * book which stops it crosses; each crossed stop is handled the way the loop does it (disarmed as
 * its exit goes out, then the position is taken again: a new stop from an entry near the price,
 * armed again), so the number of live stops stays constant and triggers, updates and re-arming
 * are all in the figure. This is the stop monitoring part of `bench loop` (issue 8), without the
 * filters and the kernel.
 * Deterministic for a seed: the same run triggers the same stops.
 */
#ifndef TL_BENCH_STOPS_H
#define TL_BENCH_STOPS_H

#include <stdint.h>

#include "tradeloop.h"

typedef struct tl_bench_stops_config {
    uint32_t stops;       /* live stops */
    uint32_t instruments; /* spread over this many instruments */
    uint64_t quotes;      /* quotes sent through the book */
    uint64_t seed;
} tl_bench_stops_config;

typedef struct tl_bench_stops_result {
    uint64_t quotes;
    uint64_t triggered; /* stops reported crossed (and reset) */
    double seconds;
    double quotes_per_sec;
} tl_bench_stops_result;

int tl_bench_stops(const tl_bench_stops_config *cfg, tl_bench_stops_result *out, tl_err *err);

#endif /* TL_BENCH_STOPS_H */
