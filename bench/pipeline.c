/* pipeline.c -- see pipeline.h. */
#include "bench/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "bench/latency.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "store/store.h"

static void finish(const tl_bench_lat *lat, uint64_t orders, uint64_t fills,
                   tl_bench_pipeline_result *out)
{
    tl_bench_pipeline_result r;
    tl_bench_lat_pcts p;
    memset(&r, 0, sizeof(r));
    tl_bench_lat_pcts_of(lat, &p);
    r.orders = orders;
    r.fills = fills;
    r.seconds = tl_bench_lat_seconds(lat);
    r.orders_per_sec = (double)orders / r.seconds;
    r.p50_ns = p.p50_ns;
    r.p99_ns = p.p99_ns;
    r.p999_ns = p.p999_ns;
    r.max_ns = p.max_ns;
    *out = r;
}

/* The ceiling: what one core does per order when an order is nothing but the work no engine can
 * skip, written straight, with every table sized and warm. A limit check; the order into a pool
 * slot found through an open-addressing index by id; two venue reports (acknowledgement, fill)
 * through a ring; two transitions through a state table; the fill priced in 128 bits with its
 * fee; the trade id checked and remembered; position, cost basis and cash moved; the order
 * retired and its index entry deleted. No interfaces, no events, no checks a real engine keeps.
 * The kernel's figure is read against it, measured in the same run. */
typedef struct sketch_order {
    uint64_t id;
    int64_t price, qty, filled, fees;
    uint8_t side, status;
} sketch_order;

typedef struct sketch_report {
    uint64_t id, trade;
    int64_t qty, price;
    uint8_t type;
} sketch_report;

enum { SK_POOL = 4096, SK_INDEX = 8192, SK_TRADES = 8192, SK_RING = 16 };

static const uint8_t sketch_next[3][2] = {{1, 2}, {1, 2}, {2, 2}}; /* [status][ack, fill] */

static uint32_t sk_slot(uint64_t id)
{
    return (uint32_t)((id * 0x9E3779B97F4A7C15ull) >> 51); /* 13 bits: SK_INDEX */
}

int tl_bench_ceiling(uint64_t orders, tl_bench_pipeline_result *out, tl_err *err)
{
    tl_bench_lat lat;
    int lrc = tl_bench_lat_init(&lat);
    sketch_order *pool = calloc(SK_POOL, sizeof(*pool));
    uint64_t *index_key = calloc(SK_INDEX, sizeof(*index_key));
    uint32_t *index_val = calloc(SK_INDEX, sizeof(*index_val));
    uint64_t *trades = calloc(SK_TRADES, sizeof(*trades));
    sketch_report ring[SK_RING];
    uint64_t fills = 0;
    int64_t pos = 0, basis = 0, cash = TL_FIXED_INT(10000000), realized = 0;
    int rc = 0;

    if (orders == 0 || orders > 1000000000ull)
        rc = tl_err_set(err, TL_EINVAL, "orders: want 1..1000000000");
    else if (lrc != 0 || !pool || !index_key || !index_val || !trades)
        rc = tl_err_set(err, TL_ENOMEM, "bench: out of memory");
    if (rc != 0)
        goto done;
    const int64_t mid = TL_FIXED_INT(50000), qty = 100000, tick = 1000000;
    uint32_t head = 0, tail = 0;
    tl_bench_lat_start(&lat);
    for (uint64_t i = 0; i < orders; i++) {
        int side = (int)(i & 1);
        int64_t px = side ? mid + tick : mid - tick;
        __int128 notional = (__int128)px * qty;
        int64_t after = pos + (side ? -qty : qty);
        if (notional > (__int128)TL_FIXED_INT(100000) * TL_FIXED_SCALE ||
            (after < 0 ? -after : after) > TL_FIXED_INT(2)) {
            rc = tl_err_set(err, TL_ECORRUPT, "bench: ceiling refused an order");
            goto done;
        }
        uint64_t id = i + 1;
        uint32_t slot = (uint32_t)(i & (SK_POOL - 1)), h = sk_slot(id);
        while (index_key[h])
            h = (h + 1) & (SK_INDEX - 1);
        index_key[h] = id;
        index_val[h] = slot;
        sketch_order *o = &pool[slot];
        *o = (sketch_order){id, px, qty, 0, 0, (uint8_t)side, 0};
        /* the venue: acknowledge and fill at once */
        ring[tail++ & (SK_RING - 1)] = (sketch_report){id, 0, 0, 0, 0};
        ring[tail++ & (SK_RING - 1)] = (sketch_report){id, id, qty, px, 1};
        while (head != tail) {
            sketch_report *r = &ring[head++ & (SK_RING - 1)];
            uint32_t k = sk_slot(r->id);
            while (index_key[k] != r->id)
                k = (k + 1) & (SK_INDEX - 1);
            sketch_order *ro = &pool[index_val[k]];
            ro->status = sketch_next[ro->status][r->type];
            if (r->type == 0)
                continue;
            uint64_t *t = &trades[r->trade & (SK_TRADES - 1)];
            if (*t == r->trade) {
                rc = tl_err_set(err, TL_ECORRUPT, "bench: duplicate trade");
                goto done;
            }
            *t = r->trade;
            __int128 v = (__int128)r->price * r->qty;
            int64_t n = (int64_t)((v + TL_FIXED_SCALE / 2) / TL_FIXED_SCALE);
            int64_t fee = (int64_t)(((__int128)n + 5000) / 10000); /* 1 bps */
            ro->filled += r->qty;
            ro->fees += fee;
            if (ro->side == 0) { /* buy: from flat or short */
                if (pos < 0) {
                    int64_t part = (int64_t)((__int128)basis * r->qty / -pos);
                    realized += part - n;
                    basis -= part;
                } else {
                    basis += n;
                }
                pos += r->qty;
                cash -= n + fee;
            } else {
                if (pos > 0) {
                    int64_t part = (int64_t)((__int128)basis * r->qty / pos);
                    realized += n - part;
                    basis -= part;
                } else {
                    basis += n;
                }
                pos -= r->qty;
                cash += n - fee;
            }
            fills++;
        }
        /* retire: the order is terminal, its index entry goes (backward-shift delete) */
        uint32_t k = sk_slot(id);
        while (index_key[k] != id)
            k = (k + 1) & (SK_INDEX - 1);
        index_key[k] = 0;
        for (uint32_t j = (k + 1) & (SK_INDEX - 1); index_key[j]; j = (j + 1) & (SK_INDEX - 1)) {
            uint32_t home = sk_slot(index_key[j]);
            if (((j - home) & (SK_INDEX - 1)) >= ((j - k) & (SK_INDEX - 1))) {
                index_key[k] = index_key[j];
                index_val[k] = index_val[j];
                index_key[j] = 0;
                k = j;
            }
        }
        tl_bench_lat_tick(&lat);
    }
    /* Keep the work observable so the compiler cannot drop it. */
    volatile int64_t sink = cash + pos + basis + realized + pool[0].filled;
    (void)sink;
    finish(&lat, orders, fills, out);
done:
    tl_bench_lat_close(&lat);
    free(pool);
    free(index_key);
    free(index_val);
    free(trades);
    return rc;
}

int tl_bench_pipeline(uint64_t orders, const char *journal_url, tl_bench_pipeline_result *out,
                      tl_err *err)
{
    tl_store store;
    tl_journal journal;
    bool journaled = false;
    tl_instruments inst;
    tl_instrument btc;
    tl_clock clock;
    tl_venue venue;
    tl_engine x;
    tl_bench_lat lat;
    uint32_t id;
    int rc;

    if (orders == 0 || orders > 1000000000ull)
        return tl_err_set(err, TL_EINVAL, "orders: want 1..1000000000");
    if (tl_bench_lat_init(&lat) != 0)
        return tl_err_set(err, TL_ENOMEM, "bench: no memory for the latency histogram");
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
    memcpy(xc.workspace, "bench", sizeof("bench"));
    if ((rc = tl_engine_init(&x, &xc, &inst, &venue, &clock, err)) != 0)
        goto out_venue;
    if (journal_url) {
        /* The journal as a subscriber: every event buffered, a group committed at the step
         * boundary after every order once 4096 wait. */
        tl_store_options so = {TL_DURABILITY_NORMAL};
        if ((rc = tl_store_open(&store, journal_url, &so, NULL, err)) != 0)
            goto out_exec;
        if ((rc = tl_journal_init(&journal, &store, 4096, err)) != 0) {
            tl_store_close(&store);
            goto out_exec;
        }
        journaled = true;
        tl_engine_subscriber js = tl_journal_subscriber(&journal);
        tl_engine_subscribe(&x, &js);
        if ((rc = tl_engine_reset(&x, xc.starting_cash, err)) != 0)
            goto out_exec;
    }
    tl_fixed mid = TL_FIXED_INT(50000);
    tl_engine_on_quote(&x, id, mid - TL_FIXED_INT(1), mid + TL_FIXED_INT(1));
    tl_fixed qty = btc.lot_size * 100; /* 0.001 BTC */

    /* Simulated time moves 2 us per order (500k/s, inside the throttle) so the throttle and
     * timestamps see a real flow. */
    tl_bench_lat_start(&lat);
    for (uint64_t i = 0; i < orders; i++) {
        tl_side side = (i & 1) ? TL_SIDE_SELL : TL_SIDE_BUY;
        tl_fixed px = side == TL_SIDE_BUY ? mid - btc.tick_size : mid + btc.tick_size;
        rc = tl_engine_submit(&x, id, side, TL_ORDER_LIMIT, px, qty, NULL, NULL, err);
        if (rc == 0)
            rc = tl_engine_poll(&x, err) < 0 ? TL_EIO : 0;
        if (rc == 0 && journaled)
            rc = tl_engine_flush(&x, false, err);
        if (rc != 0)
            goto out_exec;
        tl_clock_advance(&clock, 2 * TL_NS_PER_US);
        tl_bench_lat_tick(&lat);
    }
    if (x.counts.filled != orders) {
        rc = tl_err_set(err, TL_ECORRUPT, "bench: %llu of %llu orders filled",
                        (unsigned long long)x.counts.filled, (unsigned long long)orders);
        goto out_exec;
    }
    if (journaled && (rc = tl_engine_flush(&x, true, err)) != 0)
        goto out_exec;
    finish(&lat, orders, x.counts.fills, out);
    rc = 0;
out_exec:
    tl_engine_close(&x);
    if (journaled) {
        tl_journal_close(&journal);
        tl_store_close(&store);
    }
out_venue:
    tl_venue_close(&venue);
out_inst:
    tl_instruments_close(&inst);
    tl_bench_lat_close(&lat);
    return rc;
}
