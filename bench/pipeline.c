/* pipeline.c -- see pipeline.h. */
#include "bench/pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/exec.h"

static inline uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int tl_bench_pipeline(uint64_t orders, tl_bench_pipeline_result *out, tl_err *err)
{
    tl_instruments inst;
    tl_instrument btc;
    tl_clock clock;
    tl_venue venue;
    tl_exec x;
    uint32_t *lat;
    uint32_t id;
    int rc;

    if (orders == 0 || orders > 1000000000ull)
        return tl_err_set(err, TL_EINVAL, "orders: want 1..1000000000");
    if (!(lat = malloc(orders * sizeof(*lat))))
        return tl_err_set(err, TL_ENOMEM, "bench: no memory for %llu latencies",
                          (unsigned long long)orders);
    /* Touched before the clock starts: the measurement's own buffer must not put a page fault
     * into every 1024th measured order. */
    memset(lat, 0, orders * sizeof(*lat));
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

    tl_exec_config xc;
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
    if ((rc = tl_exec_init(&x, &xc, &inst, &venue, &clock, err)) != 0)
        goto out_venue;
    tl_fixed mid = TL_FIXED_INT(50000);
    tl_exec_on_quote(&x, id, mid - TL_FIXED_INT(1), mid + TL_FIXED_INT(1));
    tl_fixed qty = btc.lot_size * 100; /* 0.001 BTC */

    /* Simulated time moves 2 us per order (500k/s, inside the throttle) so the throttle and
     * timestamps see a real flow. */
    uint64_t start = mono_ns(), prev = start;
    for (uint64_t i = 0; i < orders; i++) {
        tl_side side = (i & 1) ? TL_SIDE_SELL : TL_SIDE_BUY;
        tl_fixed px = side == TL_SIDE_BUY ? mid - btc.tick_size : mid + btc.tick_size;
        rc = tl_exec_submit(&x, id, side, TL_ORDER_LIMIT, px, qty, NULL, NULL, err);
        if (rc == 0)
            rc = tl_exec_poll(&x, err) < 0 ? TL_EIO : 0;
        if (rc != 0)
            goto out_exec;
        tl_clock_advance(&clock, 2 * TL_NS_PER_US);
        uint64_t now = mono_ns();
        uint64_t d = now - prev;
        lat[i] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
        prev = now;
    }
    uint64_t end = prev;
    if (x.counts.filled != orders) {
        rc = tl_err_set(err, TL_ECORRUPT, "bench: %llu of %llu orders filled",
                        (unsigned long long)x.counts.filled, (unsigned long long)orders);
        goto out_exec;
    }
    qsort(lat, orders, sizeof(*lat), cmp_u32);
    tl_bench_pipeline_result r;
    memset(&r, 0, sizeof(r));
    r.orders = orders;
    r.fills = x.counts.fills;
    r.seconds = (double)(end - start) / 1e9;
    r.orders_per_sec = (double)orders / r.seconds;
    r.p50_ns = lat[(orders - 1) * 50 / 100];
    r.p99_ns = lat[(orders - 1) * 99 / 100];
    r.p999_ns = lat[(orders - 1) * 999 / 1000];
    r.max_ns = lat[orders - 1];
    *out = r;
    rc = 0;
out_exec:
    tl_exec_close(&x);
out_venue:
    tl_venue_close(&venue);
out_inst:
    tl_instruments_close(&inst);
    free(lat);
    return rc;
}
