/* latency.c -- see latency.h. */
#include "bench/latency.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tl_bench_prefault(void *buf, size_t bytes)
{
    volatile unsigned char *p = buf; /* volatile: the stores stay */
    long page = sysconf(_SC_PAGESIZE);
    size_t step = page > 0 ? (size_t)page : 4096;
    for (size_t i = 0; i < bytes; i += step)
        p[i] = 0;
    if (bytes)
        p[bytes - 1] = 0;
}

int tl_bench_lat_init(tl_bench_lat *l)
{
    memset(l, 0, sizeof(*l));
    if (!(l->hist = calloc(TL_BENCH_LAT_BUCKETS, sizeof(*l->hist))))
        return TL_ENOMEM;
    tl_bench_prefault(l->hist, TL_BENCH_LAT_BUCKETS * sizeof(*l->hist));
    return 0;
}

void tl_bench_lat_close(tl_bench_lat *l)
{
    free(l->hist);
    memset(l, 0, sizeof(*l));
}

/* The latency at rank `rank` (0-based) of the sorted latencies: the first bucket whose cumulative
 * count passes it. */
static uint64_t rank_ns(const uint32_t *hist, uint64_t rank)
{
    uint64_t seen = 0;
    for (uint32_t b = 0; b < TL_BENCH_LAT_BUCKETS; b++) {
        seen += hist[b];
        if (seen > rank)
            return b;
    }
    return TL_BENCH_LAT_BUCKETS - 1;
}

void tl_bench_lat_pcts_of(const tl_bench_lat *l, tl_bench_lat_pcts *out)
{
    uint64_t n = l->count ? l->count - 1 : 0;
    out->p50_ns = rank_ns(l->hist, n * 50 / 100);
    out->p99_ns = rank_ns(l->hist, n * 99 / 100);
    out->p999_ns = rank_ns(l->hist, n * 999 / 1000);
    out->max_ns = l->max_ns;
}
