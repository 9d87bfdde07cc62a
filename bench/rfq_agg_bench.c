/* rfq_agg_bench.c -- the desk's aggregation alone (see rfq_bench.h, "aggregation"). */
#include "bench/rfq_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/latency.h"
#include "rfq/desk.h"
#include "rfq/round.h"
#include "store/store.h"

#define START_NS (1735812000LL * TL_NS_PER_SEC) /* 2025-01-02T10:00:00Z, as tradeloop rfq */
#define POLL_NS  (500 * TL_NS_PER_MS)
#define REQUEST  "b 1.5 btc btcusdt"
#define WARMUP   64

typedef struct agg {
    tl_clock clock;
    tl_lp *lps; /* owned, n_lps open */
    uint32_t n_lps;
    tl_store store;
    tl_journal journal;
    tl_rfq_round round;
    bool have_store, have_journal, have_round;
} agg;

static void close_all(agg *a)
{
    if (a->have_round)
        tl_rfq_round_close(&a->round);
    if (a->have_journal)
        tl_journal_close(&a->journal);
    if (a->have_store)
        tl_store_close(&a->store);
    for (uint32_t i = 0; i < a->n_lps; i++)
        tl_lp_close(&a->lps[i]);
    free(a->lps);
}

static int open_all(agg *a, uint32_t n, tl_err *err)
{
    tl_store_options so = {TL_DURABILITY_NORMAL};
    int rc;
    if ((rc = tl_bench_rfq_open_lps(&a->clock, n, &a->lps, err)) != 0)
        return rc;
    a->n_lps = n;
    if ((rc = tl_store_open(&a->store, "mem:", &so, NULL, err)) != 0)
        return rc;
    a->have_store = true;
    if ((rc = tl_journal_init(&a->journal, &a->store, 0, err)) != 0)
        return rc;
    a->have_journal = true;
    if ((rc = tl_rfq_round_init(&a->round, n, err)) != 0)
        return rc;
    a->have_round = true;
    return 0;
}

/* One poll: the clock moves, the round is judged (timed when lat is not NULL), its rows committed
 * into mem: and the LPs asked again (both untimed). A lock that ran out starts a new stream. */
static int poll_once(agg *a, const tl_rfq_request *req, tl_rfq_lock *lock, int64_t *now,
                     uint64_t *round_id, tl_bench_lat *lat, tl_bench_rfq_rounds_result *r,
                     tl_err *err)
{
    *now += POLL_NS;
    if (tl_clock_set(&a->clock, *now) != 0)
        return tl_err_set(err, TL_EINVAL, "bench rfq: clock");
    if (lat)
        tl_bench_lat_resume(lat);
    tl_rfq_verdict v =
        tl_rfq_round_judge(&a->round, a->lps, "bench-rfq", req, *now, lock, &a->journal);
    if (lat) {
        tl_bench_lat_tick(lat);
        r->locks += v.change == TL_RFQ_LOCKED;
        r->improvements += v.change == TL_RFQ_IMPROVED;
        r->expiries += v.change == TL_RFQ_EXPIRED;
    }
    int rc = tl_journal_flush(&a->journal, err);
    if (rc != 0)
        return rc;
    if (v.change == TL_RFQ_EXPIRED)
        tl_rfq_lock_init(lock, req->side == TL_SIDE_BUY);
    tl_rfq_round_ask(&a->round, a->lps, ++*round_id, req, *now);
    return 0;
}

int tl_bench_rfq_aggregate(const tl_bench_rfq_rounds_config *cfg, tl_bench_rfq_rounds_result *out,
                           tl_err *err)
{
    if (cfg->lps == 0 || cfg->lps > TL_DESK_MAX_LPS || cfg->rounds == 0)
        return tl_err_set(err, TL_EINVAL, "bench rfq: 1 to %d LPs and at least one round",
                          TL_DESK_MAX_LPS);
    agg *a = calloc(1, sizeof(*a));
    tl_bench_lat lat;
    tl_rfq_request req;
    tl_rfq_lock lock;
    tl_bench_rfq_rounds_result r;
    int64_t now = START_NS;
    uint64_t round_id = 0;
    int rc;
    if (!a || tl_bench_lat_init(&lat) != 0) {
        free(a);
        return tl_err_set(err, TL_ENOMEM, "bench rfq: out of memory");
    }
    memset(&r, 0, sizeof(r));
    tl_clock_init_sim(&a->clock, now);
    if ((rc = tl_rfq_request_parse(REQUEST, (size_t)-1, &req, err)) != 0 ||
        (rc = open_all(a, cfg->lps, err)) != 0)
        goto out;
    tl_rfq_lock_init(&lock, req.side == TL_SIDE_BUY);
    tl_rfq_round_ask(&a->round, a->lps, ++round_id, &req, now);
    for (int i = 0; i < WARMUP; i++)
        if ((rc = poll_once(a, &req, &lock, &now, &round_id, NULL, &r, err)) != 0)
            goto out;
    tl_bench_lat_start(&lat);
    for (uint64_t i = 0; i < cfg->rounds; i++)
        if ((rc = poll_once(a, &req, &lock, &now, &round_id, &lat, &r, err)) != 0)
            goto out;
    tl_bench_lat_pcts pc;
    tl_bench_lat_pcts_of(&lat, &pc);
    r.rounds = lat.count;
    r.lp_rows = r.rounds * cfg->lps;
    r.seconds = tl_bench_lat_seconds(&lat);
    r.rounds_per_sec = r.seconds > 0 ? (double)r.rounds / r.seconds : 0;
    r.p50_ns = pc.p50_ns;
    r.p99_ns = pc.p99_ns;
    r.p999_ns = pc.p999_ns;
    r.max_ns = pc.max_ns;
    *out = r;
out:
    close_all(a);
    free(a);
    tl_bench_lat_close(&lat);
    return rc;
}
