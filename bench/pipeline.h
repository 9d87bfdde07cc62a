/*
 * pipeline.h -- the order pipeline benchmark: N orders through risk -> order store -> simulated
 * exchange -> fill -> position, on one core, timing each order.
 *
 * The simulated exchange fills every order at once (fill rate 1, no latency) so each order makes
 * the whole round trip inside one iteration; the order store retires terminal orders behind a
 * window, as a long-running engine does, so memory stays flat however many orders go through.
 * Latency is taken per order as the time between consecutive order starts, so the clock is read
 * once per order and the figure includes everything the loop does. Latencies are counted in a
 * histogram of 1 ns buckets (exact percentiles up to 65,534 ns; a percentile above that reads as
 * 65,535), so the measurement itself adds no page fault or cache miss to the loop; max is exact.
 */
#ifndef TL_BENCH_PIPELINE_H
#define TL_BENCH_PIPELINE_H

#include <stdint.h>

#include "tradeloop.h"

typedef struct tl_bench_pipeline_result {
    uint64_t orders;
    uint64_t fills;
    double seconds;
    double orders_per_sec;
    uint64_t p50_ns, p99_ns, p999_ns, max_ns;
} tl_bench_pipeline_result;

/* journal_url NULL: the kernel with no subscriber; else the journal subscribes on that store
 * (mem: measures the kernel's fan-out and the journal's buffering without I/O). */
int tl_bench_pipeline(uint64_t orders, const char *journal_url, tl_bench_pipeline_result *out,
                      tl_err *err);
/* The same order flow reduced to the work no engine can skip: the ceiling the kernel is read
 * against (see pipeline.c). */
int tl_bench_ceiling(uint64_t orders, tl_bench_pipeline_result *out, tl_err *err);

#endif /* TL_BENCH_PIPELINE_H */
