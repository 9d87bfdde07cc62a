/* rfq_rows_bench.c -- the desk's rows figure: quote rows logged durably per second (see
 * rfq_bench.h). */
#include "bench/rfq_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/latency.h"
#include "journal/journal.h"
#include "store/store.h"

#define START_NS (1735812000LL * TL_NS_PER_SEC) /* 2025-01-02T10:00:00Z */
#define POLL_NS  (500 * TL_NS_PER_MS)
#define MID      TL_FIXED_INT(100000)

/* The rows of one round, as the desk writes them: an lp_quotes row per LP (the first one won)
 * and the quotes row of the lock it improved. Every varying field changes each round. */
static void make_round(tl_lp_quote_row *lpq, uint32_t lps, tl_quote_row *q, uint64_t round)
{
    int64_t ts = START_NS + (int64_t)round * POLL_NS;
    char rid[TL_DESK_ID_MAX];
    snprintf(rid, sizeof(rid), "R%06llu", (unsigned long long)round);
    for (uint32_t i = 0; i < lps; i++) {
        tl_lp_quote_row *r = &lpq[i];
        tl_fixed half = MID / 20000 * (5 + i % 10) / 2; /* 5..14 bps spread */
        memcpy(r->request_id, rid, sizeof(rid));
        r->ts_ns = ts;
        snprintf(r->lp_quote_id, sizeof(r->lp_quote_id), "%s-%06llu", r->lp,
                 (unsigned long long)round);
        r->bid = MID + (tl_fixed)(round % 1000) * TL_FIXED_SCALE - half;
        r->ask = MID + (tl_fixed)(round % 1000) * TL_FIXED_SCALE + half;
        r->price = r->ask;
        r->response_ns = (200 + (int64_t)((round + i) % 301)) * TL_NS_PER_MS;
        r->won = i == 0;
    }
    snprintf(q->quote_id, sizeof(q->quote_id), "Q%06llu", (unsigned long long)round);
    q->ts_ns = ts;
    memcpy(q->lp_quote_id, lpq[0].lp_quote_id, sizeof(q->lp_quote_id));
    q->lp_price = lpq[0].price;
    q->client_price = q->lp_price + q->lp_price / 2000; /* 5 bps markup */
    q->valid_until_ns = ts + 8 * TL_NS_PER_SEC;
}

/* The fields that stay: workspace, LP names, symbol, side, amount, status. */
static void init_rows(tl_lp_quote_row *lpq, uint32_t lps, tl_quote_row *q, const char *ws)
{
    memset(q, 0, sizeof(*q));
    snprintf(q->workspace, sizeof(q->workspace), "%s", ws);
    memcpy(q->symbol, "BTCUSDT", sizeof("BTCUSDT"));
    q->side = TL_SIDE_BUY;
    q->amount = TL_FIXED_SCALE * 3 / 2;
    memcpy(q->amount_asset, "BTC", sizeof("BTC"));
    snprintf(q->lp, sizeof(q->lp), "LP-01");
    q->event = TL_QUOTE_IMPROVED;
    for (uint32_t i = 0; i < lps; i++) {
        tl_lp_quote_row *r = &lpq[i];
        memset(r, 0, sizeof(*r));
        snprintf(r->workspace, sizeof(r->workspace), "%s", ws);
        snprintf(r->lp, sizeof(r->lp), "LP-%02u", i + 1);
        memcpy(r->symbol, "BTCUSDT", sizeof("BTCUSDT"));
        r->side = TL_SIDE_BUY;
        r->amount = q->amount;
        r->status = TL_LPQ_QUOTED;
    }
}

int tl_bench_rfq_rows(const tl_bench_rfq_rows_config *cfg, tl_bench_rfq_rows_result *out,
                      tl_err *err)
{
    if (cfg->lps == 0 || cfg->rounds == 0 || cfg->rounds_per_commit == 0)
        return tl_err_set(err, TL_EINVAL,
                          "bench rfq: LPs, rounds and rounds per commit must be positive");
    tl_store s;
    tl_store_options so = {cfg->durability};
    tl_journal j;
    tl_quote_row q;
    tl_bench_rfq_rows_result r;
    char ws[TL_WORKSPACE_MAX];
    int rc;
    /* A workspace of its own: the rows go beside any others, never among them. */
    snprintf(ws, sizeof(ws), "bench-rfq-%ld-%llu", (long)getpid(),
             (unsigned long long)tl_bench_mono_ns());
    tl_lp_quote_row *lpq = calloc(cfg->lps, sizeof(*lpq));
    if (!lpq)
        return tl_err_set(err, TL_ENOMEM, "bench rfq: out of memory");
    if ((rc = tl_store_open(&s, cfg->db_url, &so, NULL, err)) != 0) {
        free(lpq);
        return rc;
    }
    if ((rc = tl_journal_init(&j, &s, 0, err)) != 0)
        goto close_store;
    memset(&r, 0, sizeof(r));
    snprintf(r.backend, sizeof(r.backend), "%s", s.ops->scheme);
    init_rows(lpq, cfg->lps, &q, ws);
    uint64_t t0 = tl_bench_mono_ns();
    for (uint64_t round = 1; round <= cfg->rounds; round++) {
        make_round(lpq, cfg->lps, &q, round);
        for (uint32_t i = 0; i < cfg->lps && rc == 0; i++)
            rc = tl_journal_add_lp_quote(&j, &lpq[i], err);
        if (rc == 0)
            rc = tl_journal_add_quote(&j, &q, err);
        r.rows += cfg->lps + 1;
        if (rc == 0 && (round % cfg->rounds_per_commit == 0 || round == cfg->rounds)) {
            rc = tl_journal_flush(&j, err);
            r.commits++;
        }
        if (rc != 0)
            goto out;
    }
    r.seconds = (double)(tl_bench_mono_ns() - t0) / 1e9;
    r.rows_per_sec = r.seconds > 0 ? (double)r.rows / r.seconds : 0;
    r.commit_mean_us = r.commits ? r.seconds * 1e6 / (double)r.commits : 0;
    *out = r;
out:
    tl_journal_close(&j);
close_store:
    tl_store_close(&s);
    free(lpq);
    return rc;
}
