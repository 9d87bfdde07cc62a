/* journal_bench.c -- see journal_bench.h. */
#include "bench/journal_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "journal/replay.h"
#include "store/store.h"
#include "tradeloop/order.h"

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Event k of order o: submitted, accepted, filled (a third of the events are fills, as in a
 * flow where every order fills once). */
static void make_event(tl_event *ev, const char *ws, uint64_t o, int k, int64_t ts)
{
    memset(ev, 0, sizeof(*ev));
    static const uint16_t types[3] = {TL_EV_ORDER_SUBMITTED, TL_EV_ORDER_ACCEPTED,
                                      TL_EV_ORDER_FILLED};
    static const uint8_t status[3] = {TL_OS_PENDING_NEW, TL_OS_OPEN, TL_OS_FILLED};
    ev->type = types[k];
    ev->status = status[k];
    ev->ts_ns = ts;
    memcpy(ev->workspace, ws, strlen(ws) + 1);
    tl_order_format_client_id(o, ev->order_id);
    memcpy(ev->symbol, "BTCUSDT", 8);
    ev->side = (o & 1) ? TL_SIDE_SELL : TL_SIDE_BUY;
    ev->qty = TL_FIXED_SCALE / 1000; /* 0.001 */
    ev->price = TL_FIXED_INT(50000) + (tl_fixed)(o % 100) * TL_FIXED_SCALE / 100;
    if (k == 2) {
        snprintf(ev->trade_id, sizeof(ev->trade_id), "T%010llu", (unsigned long long)o);
        ev->fee = TL_FIXED_SCALE / 200; /* 0.005 */
    }
}

static int fill_batch(tl_event *evs, uint32_t n, const char *ws, uint64_t *next_order, int *phase,
                      int64_t ts)
{
    for (uint32_t i = 0; i < n; i++) {
        make_event(&evs[i], ws, *next_order, *phase, ts);
        if (++*phase == 3) {
            *phase = 0;
            ++*next_order;
        }
    }
    return 0;
}

int tl_bench_journal(const tl_bench_journal_config *cfg, tl_bench_journal_result *out, tl_err *err)
{
    tl_store s;
    tl_store_options so = {TL_DURABILITY_FULL};
    tl_bench_journal_result r;
    char ws[TL_WORKSPACE_MAX];
    uint64_t *lat = NULL;
    tl_event *evs = NULL;
    int rc;

    if (cfg->events == 0 || cfg->batch == 0 || cfg->acks == 0)
        return tl_err_set(err, TL_EINVAL, "bench journal: events, batch and acks must be positive");
    memset(&r, 0, sizeof(r));
    /* A workspace of its own, so the benchmark can run against a shared database. */
    snprintf(ws, sizeof(ws), "bench-%ld-%llu", (long)getpid(), (unsigned long long)mono_ns());
    if ((rc = tl_store_open(&s, cfg->db_url, &so, NULL, err)) != 0)
        return rc;
    /* A benchmark never touches a user's data: the journal is append-only, so what it wrote
     * could not be taken out again. It runs only on a store that holds no event. */
    if (s.high_water > 0) {
        rc = tl_err_set(err, TL_EINVAL,
                        "--db: the store holds a journal (%llu events); the benchmark writes "
                        "only into an empty store",
                        (unsigned long long)s.high_water);
        tl_store_close(&s);
        return rc;
    }
    snprintf(r.backend, sizeof(r.backend), "%s", s.ops->scheme);
    evs = calloc(cfg->batch, sizeof(*evs));
    lat = calloc(cfg->acks, sizeof(*lat));
    if (!evs || !lat) {
        rc = tl_err_set(err, TL_ENOMEM, "bench journal: out of memory");
        goto out;
    }

    tl_account_row acct;
    tl_position_row pos;
    memset(&acct, 0, sizeof(acct));
    memset(&pos, 0, sizeof(pos));
    memcpy(acct.workspace, ws, sizeof(ws));
    memcpy(pos.workspace, ws, sizeof(ws));
    memcpy(pos.symbol, "BTCUSDT", 8);
    acct.starting_cash = acct.cash = TL_FIXED_INT(10000);

    uint64_t next_order = 1, written = 0, first_seq = s.high_water + 1;
    int phase = 0;
    int64_t ts = 1735689600LL * 1000000000LL;
    uint64_t t0 = mono_ns();
    while (written < cfg->events) {
        uint32_t n =
            cfg->events - written < cfg->batch ? (uint32_t)(cfg->events - written) : cfg->batch;
        fill_batch(evs, n, ws, &next_order, &phase, ts);
        pos.qty = (tl_fixed)written; /* a changing snapshot row, as the journal writes */
        if ((rc = tl_store_append(&s, evs, n, &pos, 1, &acct, 1, err)) != 0)
            goto out;
        written += n;
    }
    uint64_t t1 = mono_ns();
    r.events_per_sec = (double)written / ((double)(t1 - t0) / 1e9);

    /* Finish the order the last batch left half-done, so every order is complete. */
    while (phase != 0) {
        fill_batch(evs, 1, ws, &next_order, &phase, ts);
        if ((rc = tl_store_append(&s, evs, 1, NULL, 0, NULL, 0, err)) != 0)
            goto out;
    }
    for (uint32_t i = 0; i < cfg->acks; i++) {
        fill_batch(evs, 3, ws, &next_order, &phase, ts);
        uint64_t a = mono_ns();
        if ((rc = tl_store_append(&s, evs, 3, &pos, 1, &acct, 1, err)) != 0)
            goto out;
        lat[i] = mono_ns() - a;
    }
    qsort(lat, cfg->acks, sizeof(*lat), cmp_u64);
    r.ack_p50_us = (double)lat[(cfg->acks - 1) / 2] / 1e3;
    r.ack_p99_us = (double)lat[(cfg->acks - 1) * 99 / 100] / 1e3;

    tl_ledger l;
    tl_replay_result rr;
    if ((rc = tl_ledger_init(&l, TL_FIXED_INT(10000))) != 0) {
        rc = tl_err_set(err, rc, "bench journal: out of memory");
        goto out;
    }
    uint64_t t2 = mono_ns();
    rc = tl_replay(&s, ws, &l, &rr, err);
    uint64_t t3 = mono_ns();
    tl_ledger_close(&l);
    if (rc != 0)
        goto out;
    r.fills_replayed = rr.fills_replayed;
    r.events_replayed = s.high_water - first_seq + 1;
    r.replay_events_per_sec = (double)r.events_replayed / ((double)(t3 - t2) / 1e9);
    r.replay_fills_per_sec = (double)rr.fills_replayed / ((double)(t3 - t2) / 1e9);
    *out = r;
out:
    free(evs);
    free(lat);
    tl_store_close(&s);
    return rc;
}
