/*
 * latency.h -- per-item latencies of a benchmark's timed loop, as the pipeline and loop benches
 * take them: the time between consecutive item starts (the clock is read once per item, so the
 * figure includes everything the loop does), counted in a histogram of 1 ns buckets.
 *
 * Why a histogram and not a slot per item: 256 KiB whose hot buckets stay in L1, so the
 * measurement adds no cache miss and no page fault to the loop, and memory stays flat however
 * many items run. A slot per item (8 MB for 2M orders) took an RFO miss every 16th order once
 * prefaulted, and a page fault every 1024th before. Percentiles are exact up to 65,534 ns; the
 * last bucket holds everything slower (a percentile there reads as 65,535); max is kept exactly.
 */
#ifndef TL_BENCH_LATENCY_H
#define TL_BENCH_LATENCY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tradeloop.h"

#define TL_BENCH_LAT_BUCKETS 65536u

typedef struct tl_bench_lat {
    uint32_t *hist; /* owned: TL_BENCH_LAT_BUCKETS counts, written before the clock starts */
    uint64_t count, max_ns;
    uint64_t start, prev; /* monotonic ns: the first item's start, the last item's end */
    uint64_t idle_ns;     /* untimed gaps between items (tl_bench_lat_resume) */
} tl_bench_lat;

/* The percentiles of a finished run. */
typedef struct tl_bench_lat_pcts {
    uint64_t p50_ns, p99_ns, p999_ns, max_ns;
} tl_bench_lat_pcts;

static inline uint64_t tl_bench_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Allocates and prefaults the histogram. 0 or TL_ENOMEM. */
int tl_bench_lat_init(tl_bench_lat *l);
void tl_bench_lat_close(tl_bench_lat *l);

/* Writes one byte of every page of buf, so none faults inside a timed loop. A memset does not do
 * it: gcc folds malloc + memset into calloc, which for a large buffer maps fresh zero pages and
 * writes nothing. */
void tl_bench_prefault(void *buf, size_t bytes);

/* The clock starts: the first item begins now. */
static inline void tl_bench_lat_start(tl_bench_lat *l)
{
    l->start = l->prev = tl_bench_mono_ns();
}

/* One item ended: its latency is the time since the previous one ended (or the start). */
static inline void tl_bench_lat_tick(tl_bench_lat *l)
{
    uint64_t now = tl_bench_mono_ns();
    uint64_t d = now - l->prev;
    l->hist[d < TL_BENCH_LAT_BUCKETS ? d : TL_BENCH_LAT_BUCKETS - 1]++;
    l->max_ns = d > l->max_ns ? d : l->max_ns;
    l->count++;
    l->prev = now;
}

/* The next item begins now, after work that is no item's (set-up between items): that gap is
 * counted in no item and not in tl_bench_lat_seconds. */
static inline void tl_bench_lat_resume(tl_bench_lat *l)
{
    uint64_t now = tl_bench_mono_ns();
    l->idle_ns += now - l->prev;
    l->prev = now;
}

/* Seconds from the start to the last tick, less the gaps tl_bench_lat_resume left out. */
static inline double tl_bench_lat_seconds(const tl_bench_lat *l)
{
    return (double)(l->prev - l->start - l->idle_ns) / 1e9;
}

/* p50, p99, p99.9 (the value indexing the sorted latencies would give) and max. */
void tl_bench_lat_pcts_of(const tl_bench_lat *l, tl_bench_lat_pcts *out);

#endif /* TL_BENCH_LATENCY_H */
