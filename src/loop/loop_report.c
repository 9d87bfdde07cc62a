/* loop_report.c -- the final report of `tradeloop run --until-end` (see loop.h): one JSON document
 * with sorted keys, so the same inputs and flags give the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "loop/loop.h"

typedef struct named {
    const char *name;
    uint32_t index;
} named;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* The position an account holds (one symbol per account), NULL when flat. */
static const tl_position *held(const tl_loop *l, const tl_engine_account *a)
{
    const tl_governor *g = &a->gov;
    if (g->open_positions == 0)
        return NULL;
    const tl_position *p = tl_book_find(&l->engine.book, a->id, g->busy_instrument);
    return p && p->qty != 0 ? p : NULL;
}

static void account_json(tl_loop *l, const tl_engine_account *a, tl_jw *w)
{
    const tl_account *acct = tl_book_find_account(&l->engine.book, a->id);
    const tl_governor *g = &a->gov;
    tl_jw_obj_begin(w);
    tl_jw_kv_fixed(w, "balance", acct ? acct->cash : 0);
    tl_jw_kv_fixed(w, "fees", acct ? acct->fees : 0);
    tl_jw_kv_bool(w, "in_cooldown", tl_clock_now(l->clock) < g->cooldown_until_ns);
    tl_jw_kv_uint(w, "losses", g->losses);
    tl_jw_kv_fixed(w, "max_drawdown_pct", g->max_drawdown_pct);
    tl_jw_key(w, "position");
    const tl_position *p = held(l, a);
    if (!p) {
        tl_jw_null(w);
    } else {
        tl_stop s;
        tl_jw_obj_begin(w);
        tl_jw_kv_fixed(w, "avg_price", p->avg_price);
        tl_jw_kv_fixed(w, "qty", p->qty);
        tl_jw_key(w, "stop");
        if (tl_stop_book_get(&l->stops, a->id, p->instrument, &s) == 0)
            tl_jw_fixed(w, s.price);
        else
            tl_jw_null(w);
        tl_jw_kv_str(w, "symbol", l->engine.instruments.items[p->instrument].symbol);
        tl_jw_obj_end(w);
    }
    tl_jw_kv_fixed(w, "realized_pnl", acct ? acct->realized_pnl : 0);
    tl_jw_kv_uint(w, "trades", g->trades);
    tl_jw_kv_uint(w, "wins", g->wins);
    tl_jw_obj_end(w);
}

int tl_loop_report_json(tl_loop *l, tl_jw *w, uint64_t journal_events, tl_err *err)
{
    const tl_engine *e = &l->engine;
    const tl_loop_stats *st = &l->stats;
    char digest[65];
    int rc;
    if ((rc = tl_engine_digest(e, digest, err)) != 0)
        return rc;
    named *order = calloc(e->n_accts, sizeof(*order));
    if (!order)
        return tl_err_set(err, TL_ENOMEM, "report: out of memory");
    for (uint32_t i = 0; i < e->n_accts; i++)
        order[i] = (named){e->accts[i].name, i};
    qsort(order, e->n_accts, sizeof(*order), by_name);

    tl_jw_obj_begin(w);
    tl_jw_key(w, "accounts");
    tl_jw_obj_begin(w);
    for (uint32_t i = 0; i < e->n_accts; i++) {
        tl_jw_key(w, order[i].name);
        account_json(l, &e->accts[order[i].index], w);
    }
    tl_jw_obj_end(w);
    free(order);

    tl_jw_key(w, "exits");
    tl_jw_obj_begin(w);
    tl_jw_kv_uint(w, "kill_switch", st->exits_kill_switch);
    tl_jw_kv_uint(w, "signal", st->exits_signal);
    tl_jw_kv_uint(w, "stop_loss", st->exits_stop_loss);
    tl_jw_obj_end(w);

    tl_jw_key(w, "journal");
    tl_jw_obj_begin(w);
    tl_jw_kv_uint(w, "events", journal_events);
    tl_jw_kv_str(w, "state_digest", digest);
    tl_jw_obj_end(w);

    tl_jw_key(w, "kill_switch");
    tl_jw_obj_begin(w);
    tl_jw_kv_bool(w, "engaged", e->risk.killed);
    tl_jw_kv_str(w, "reason", e->risk.kill_reason);
    tl_jw_obj_end(w);

    tl_jw_key(w, "reconciliation");
    tl_jw_obj_begin(w);
    tl_jw_kv_uint(w, "mismatches", st->reconcile_mismatches);
    tl_jw_kv_uint(w, "runs", st->reconcile_runs);
    tl_jw_obj_end(w);

    /* Reason codes in name order: the rule reasons and the loop's own, merged. */
    named codes[TL_LR__COUNT];
    uint32_t nc = 0;
    for (int c = 1; c < TL_LR__COUNT; c++)
        if (st->refusals[c])
            codes[nc++] = (named){tl_loop_refusal_name(c), (uint32_t)c};
    qsort(codes, nc, sizeof(*codes), by_name);
    tl_jw_key(w, "refusals");
    tl_jw_obj_begin(w);
    for (uint32_t i = 0; i < nc; i++) {
        tl_jw_key(w, codes[i].name);
        tl_jw_uint(w, st->refusals[codes[i].index]);
    }
    tl_jw_obj_end(w);

    tl_jw_key(w, "signals");
    tl_jw_obj_begin(w);
    tl_jw_kv_uint(w, "accepted", st->signals_accepted);
    tl_jw_kv_uint(w, "received", st->signals_received);
    tl_jw_kv_uint(w, "refused", st->signals_refused);
    tl_jw_obj_end(w);
    tl_jw_obj_end(w);
    return 0;
}
