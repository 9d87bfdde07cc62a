/* pipeline.c -- see pipeline.h. */
#include "bench/pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"

static inline uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Latencies go into a histogram of 1 ns buckets, not one slot per order: 256 KiB whose hot
 * buckets stay in L1, so the measurement adds no cache miss and no page fault to the loop, and
 * memory stays flat however many orders run. A slot per order (8 MB for 2M orders) took an RFO
 * miss every 16th order once prefaulted, and a page fault every 1024th before. The last bucket
 * holds everything slower; max is kept exactly beside it. */
#define LAT_BUCKETS 65536u

/* Writes one byte of every page of buf before the clock starts, so none faults inside the timed
 * loop. A memset does not do it: gcc folds malloc + memset into calloc, which for a buffer this
 * size maps fresh zero pages and writes nothing. The stores are volatile so they stay. */
static void prefault(void *buf, size_t bytes)
{
    volatile unsigned char *p = buf;
    long page = sysconf(_SC_PAGESIZE);
    size_t step = page > 0 ? (size_t)page : 4096;
    for (size_t i = 0; i < bytes; i += step)
        p[i] = 0;
    if (bytes)
        p[bytes - 1] = 0;
}

/* The latency at rank `rank` (0-based) of the sorted latencies: the first bucket whose cumulative
 * count passes it, the same value indexing a sorted array would give. */
static uint64_t rank_ns(const uint32_t *hist, uint64_t rank)
{
    uint64_t seen = 0;
    for (uint32_t b = 0; b < LAT_BUCKETS; b++) {
        seen += hist[b];
        if (seen > rank)
            return b;
    }
    return LAT_BUCKETS - 1;
}

int tl_bench_pipeline(uint64_t orders, tl_bench_pipeline_result *out, tl_err *err)
{
    tl_instruments inst;
    tl_instrument btc;
    tl_clock clock;
    tl_venue venue;
    tl_engine x;
    uint32_t *hist;
    uint64_t max_ns = 0;
    uint32_t id;
    int rc;

    if (orders == 0 || orders > 1000000000ull)
        return tl_err_set(err, TL_EINVAL, "orders: want 1..1000000000");
    if (!(hist = calloc(LAT_BUCKETS, sizeof(*hist))))
        return tl_err_set(err, TL_ENOMEM, "bench: no memory for the latency histogram");
    prefault(hist, LAT_BUCKETS * sizeof(*hist));
    tl_instruments_init(&inst);
    if ((rc = tl_instrument_default("BTCUSDT", &btc, err)) != 0 ||
        (rc = tl_instruments_add(&inst, &btc, &id, err)) != 0)
        goto out_inst;
    tl_clock_init_sim(&clock, 1735689600LL * TL_NS_PER_SEC);
    if ((rc = tl_venue_open(&venue,
                            "sim://?seed=7&fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0"
                            "&fee_bps=1&capacity=4096",
                            &clock, NULL, err)) != 0)
        goto out_inst;

    tl_engine_config xc;
    memset(&xc, 0, sizeof(xc));
    xc.account = 1;
    xc.starting_cash = TL_FIXED_INT(10000000);
    xc.order_capacity = 8192;
    xc.retain_terminal = 4096;
    /* Every check runs (none is disabled), with limits the alternating flow stays inside. */
    xc.risk.max_order_notional = TL_FIXED_INT(100000);
    xc.risk.collar_bps = TL_FIXED_INT(500);
    xc.risk.max_inventory_usd = TL_FIXED_INT(100000);
    xc.risk.max_total_notional = TL_FIXED_INT(1000000);
    xc.risk.max_orders_per_sec = 1000000u; /* the most the monitor allows */
    xc.risk.edge_threshold_bps = TL_FIXED_INT(1);
    if ((rc = tl_engine_init(&x, &xc, &inst, &venue, &clock, err)) != 0)
        goto out_venue;
    tl_fixed mid = TL_FIXED_INT(50000);
    tl_engine_on_quote(&x, id, mid - TL_FIXED_INT(1), mid + TL_FIXED_INT(1));
    tl_fixed qty = btc.lot_size * 100; /* 0.001 BTC */

    /* Simulated time moves 2 us per order (500k/s, inside the throttle) so the throttle and
     * timestamps see a real flow. */
    uint64_t start = mono_ns(), prev = start;
    for (uint64_t i = 0; i < orders; i++) {
        tl_side side = (i & 1) ? TL_SIDE_SELL : TL_SIDE_BUY;
        tl_fixed px = side == TL_SIDE_BUY ? mid - btc.tick_size : mid + btc.tick_size;
        rc = tl_engine_submit(&x, id, side, TL_ORDER_LIMIT, px, qty, NULL, NULL, err);
        if (rc == 0)
            rc = tl_engine_poll(&x, err) < 0 ? TL_EIO : 0;
        if (rc != 0)
            goto out_exec;
        tl_clock_advance(&clock, 2 * TL_NS_PER_US);
        uint64_t now = mono_ns();
        uint64_t d = now - prev;
        hist[d < LAT_BUCKETS ? d : LAT_BUCKETS - 1]++;
        max_ns = d > max_ns ? d : max_ns;
        prev = now;
    }
    uint64_t end = prev;
    if (x.counts.filled != orders) {
        rc = tl_err_set(err, TL_ECORRUPT, "bench: %llu of %llu orders filled",
                        (unsigned long long)x.counts.filled, (unsigned long long)orders);
        goto out_exec;
    }
    tl_bench_pipeline_result r;
    memset(&r, 0, sizeof(r));
    r.orders = orders;
    r.fills = x.counts.fills;
    r.seconds = (double)(end - start) / 1e9;
    r.orders_per_sec = (double)orders / r.seconds;
    r.p50_ns = rank_ns(hist, (orders - 1) * 50 / 100);
    r.p99_ns = rank_ns(hist, (orders - 1) * 99 / 100);
    r.p999_ns = rank_ns(hist, (orders - 1) * 999 / 1000);
    r.max_ns = max_ns;
    *out = r;
    rc = 0;
out_exec:
    tl_engine_close(&x);
out_venue:
    tl_venue_close(&venue);
out_inst:
    tl_instruments_close(&inst);
    free(hist);
    return rc;
}
