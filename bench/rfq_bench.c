/* rfq_bench.c -- the desk's rounds figure (see rfq_bench.h); the rows figure is rfq_rows_bench.c. */
#include "bench/rfq_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/latency.h"
#include "rfq/desk.h"
#include "store/store.h"
#include "venue/venue.h"

#define START_NS  (1735812000LL * TL_NS_PER_SEC) /* 2025-01-02T10:00:00Z, as tradeloop rfq */
#define POLL_NS   (500 * TL_NS_PER_MS)            /* the desk's default poll */
#define REQUEST   "b 1.5 btc btcusdt"              /* the seed's example */
#define VENUE_URL "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0"
#define WARMUP    64 /* untimed rounds first: the buffers reach their size */

typedef struct bench {
    tl_clock clock;
    tl_lp *lps; /* owned, n_lps open */
    uint32_t n_lps;
    tl_store store;
    tl_journal journal;
    tl_venue venue;
    tl_engine engine;
    tl_desk desk;
    bool have_store, have_journal, have_venue, have_engine, have_desk;
    uint64_t locks, improvements, expiries; /* counted by on_event */
} bench;

static void on_event(void *ctx, const tl_desk_event *ev)
{
    bench *b = ctx;
    b->locks += ev->kind == TL_DESK_LOCKED;
    b->improvements += ev->kind == TL_DESK_IMPROVED;
    b->expiries += ev->kind == TL_DESK_EXPIRED;
}

int tl_bench_rfq_open_lps(tl_clock *clock, uint32_t n, tl_lp **out, tl_err *err)
{
    tl_lp *lps = calloc(n, sizeof(*lps));
    if (!lps)
        return tl_err_set(err, TL_ENOMEM, "bench rfq: out of memory");
    for (uint32_t i = 0; i < n; i++) {
        char url[160];
        /* LP i of n: its own phase of the wave (so the best moves between LPs), spread, seed. */
        snprintf(url, sizeof(url),
                 "lpsim://?name=LP-%02u&base=100000&phase=0.%06u&spread_bps=%u&seed=%u", i + 1,
                 (unsigned)((uint64_t)i * 1000000 / n), 5 + i % 10, i + 1);
        int rc = tl_lp_open(&lps[i], url, clock, NULL, err);
        if (rc != 0) {
            while (i > 0)
                tl_lp_close(&lps[--i]);
            free(lps);
            return rc;
        }
    }
    *out = lps;
    return 0;
}

/* The desk as tradeloop rfq wires it: its journal on mem:, the hedge's kernel on a sim venue. */
static int open_desk(bench *b, tl_err *err)
{
    tl_store_options so = {TL_DURABILITY_NORMAL};
    int rc;
    if ((rc = tl_store_open(&b->store, "mem:", &so, NULL, err)) != 0)
        return rc;
    b->have_store = true;
    if ((rc = tl_journal_init(&b->journal, &b->store, 0, err)) != 0)
        return rc;
    b->have_journal = true;
    if ((rc = tl_venue_open(&b->venue, VENUE_URL, &b->clock, NULL, err)) != 0)
        return rc;
    b->have_venue = true;
    tl_engine_config ec;
    memset(&ec, 0, sizeof(ec));
    memcpy(ec.workspace, "bench-rfq", sizeof("bench-rfq"));
    memcpy(ec.mode, "rfq", sizeof("rfq"));
    ec.account = 1;
    ec.starting_cash = TL_FIXED_INT(1000000000);
    ec.any_symbol = true;
    if ((rc = tl_engine_init(&b->engine, &ec, NULL, &b->venue, &b->clock, err)) != 0)
        return rc;
    b->have_engine = true;
    tl_engine_subscriber js = tl_journal_subscriber(&b->journal);
    tl_engine_subscribe(&b->engine, &js);
    if ((rc = tl_engine_reset(&b->engine, ec.starting_cash, err)) != 0 ||
        (rc = tl_engine_flush(&b->engine, true, err)) != 0)
        return rc;
    tl_desk_config dc;
    memset(&dc, 0, sizeof(dc));
    memcpy(dc.workspace, "bench-rfq", sizeof("bench-rfq"));
    dc.markup_bps = TL_FIXED_INT(5);
    dc.profit_in = TL_PAIR_QUOTE;
    dc.poll_ns = POLL_NS;
    if ((rc = tl_desk_init(&b->desk, &dc, b->lps, b->n_lps, &b->engine, &b->journal, &b->clock,
                           on_event, b, err)) != 0)
        return rc;
    b->have_desk = true;
    return 0;
}

static void close_all(bench *b)
{
    if (b->have_desk)
        tl_desk_close(&b->desk);
    if (b->have_engine)
        tl_engine_close(&b->engine);
    if (b->have_journal)
        tl_journal_close(&b->journal);
    if (b->have_venue)
        tl_venue_close(&b->venue);
    if (b->have_store)
        tl_store_close(&b->store);
    for (uint32_t i = 0; i < b->n_lps; i++)
        tl_lp_close(&b->lps[i]);
    free(b->lps);
}

/* The next poll: the clock moves by the interval, the desk judges and asks. */
static int round_once(bench *b, int64_t *now, tl_err *err)
{
    *now += POLL_NS;
    int rc = tl_clock_set(&b->clock, *now);
    if (rc != 0)
        return tl_err_set(err, rc, "bench rfq: clock");
    return tl_desk_tick(&b->desk, err);
}

int tl_bench_rfq_rounds(const tl_bench_rfq_rounds_config *cfg, tl_bench_rfq_rounds_result *out,
                        tl_err *err)
{
    if (cfg->lps == 0 || cfg->lps > TL_DESK_MAX_LPS || cfg->rounds == 0)
        return tl_err_set(err, TL_EINVAL, "bench rfq: 1 to %d LPs and at least one round",
                          TL_DESK_MAX_LPS);
    bench *b = calloc(1, sizeof(*b));
    tl_bench_lat lat;
    tl_rfq_request req;
    int64_t now = START_NS;
    int rc;
    if (!b || tl_bench_lat_init(&lat) != 0) {
        free(b);
        return tl_err_set(err, TL_ENOMEM, "bench rfq: out of memory");
    }
    tl_clock_init_sim(&b->clock, now);
    if ((rc = tl_rfq_request_parse(REQUEST, (size_t)-1, &req, err)) != 0 ||
        (rc = tl_bench_rfq_open_lps(&b->clock, cfg->lps, &b->lps, err)) != 0)
        goto out;
    b->n_lps = cfg->lps;
    if ((rc = open_desk(b, err)) != 0 || (rc = tl_desk_request(&b->desk, &req, err)) != 0)
        goto out;
    uint64_t requests = 0;
    for (int i = 0; i < WARMUP; i++)
        if ((rc = round_once(b, &now, err)) != 0 ||
            (!b->desk.streaming && (rc = tl_desk_request(&b->desk, &req, err)) != 0))
            goto out;
    uint64_t locks0 = b->locks, impr0 = b->improvements, exp0 = b->expiries;
    tl_bench_lat_start(&lat);
    for (uint64_t r = 0; r < cfg->rounds; r++) {
        if ((rc = round_once(b, &now, err)) != 0)
            goto out;
        tl_bench_lat_tick(&lat);
        if (!b->desk.streaming) {
            /* The lock ran out: a new stream, not a round. */
            requests++;
            if ((rc = tl_desk_request(&b->desk, &req, err)) != 0)
                goto out;
            tl_bench_lat_resume(&lat);
        }
    }
    tl_bench_rfq_rounds_result r;
    memset(&r, 0, sizeof(r));
    r.rounds = lat.count;
    r.requests = requests;
    r.locks = b->locks - locks0;
    r.improvements = b->improvements - impr0;
    r.expiries = b->expiries - exp0;
    /* Every timed round judges every LP once; each lock, improvement and expiry is a quote row. */
    r.lp_rows = r.rounds * cfg->lps;
    r.quote_rows = r.locks + r.improvements + r.expiries;
    r.seconds = tl_bench_lat_seconds(&lat);
    r.rounds_per_sec = r.seconds > 0 ? (double)r.rounds / r.seconds : 0;
    tl_bench_lat_pcts pc;
    tl_bench_lat_pcts_of(&lat, &pc);
    r.p50_ns = pc.p50_ns;
    r.p99_ns = pc.p99_ns;
    r.p999_ns = pc.p999_ns;
    r.max_ns = pc.max_ns;
    *out = r;
out:
    close_all(b);
    free(b);
    tl_bench_lat_close(&lat);
    return rc;
}
