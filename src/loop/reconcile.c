/*
 * reconcile.c -- the loop's reconciliation with its venue, every --reconcile-interval (seed 001).
 *
 * Three looks, each finding journaled (RECONCILED, or the repair's own event):
 *   1. fills: every fill the venue lists (get_fills, from a cursor) whose trade id the engine does
 *      not hold is applied with the venue's trade id -- a report the engine missed. The order
 *      store refuses a trade id it holds, so nothing is applied twice.
 *   2. orders: a live order the venue does not list is suspect; still unlisted at the next run it
 *      is closed (EXPIRED) with its own event. One look is not enough: an order sent just before
 *      the snapshot may not be listed yet.
 *   3. positions: per symbol, the engine's accounts together against the venue. What still
 *      differs after the fills were repaired cannot be explained: every account holding that
 *      symbol is frozen (RECONCILE_MISMATCH) until an operator unfreezes it.
 * A simulated venue starts empty at every run while the journal keeps the positions of earlier
 * runs, so against it the loop compares what changed since it started; a real venue's positions
 * are compared whole. A spot venue's balances (TL_VENUE_CAP_BALANCES: the live adapter) are not
 * positions and are not compared: its fills are squared by trade id in look 1 and at adoption.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "engine/recover.h"
#include "loop/loop.h"

#define PAGE 128

static void finding(tl_loop *l, uint32_t account, const char *text)
{
    tl_engine_note(&l->engine, account, text);
    snprintf(l->last_reconcile, sizeof(l->last_reconcile), "%s", text);
}

static int look_fills(tl_loop *l, tl_err *err)
{
    tl_venue_fill page[PAGE];
    char text[TL_EVENT_TEXT_MAX];
    for (;;) {
        size_t n = 0;
        uint64_t next = l->fill_cursor;
        int rc = tl_venue_get_fills(l->venue, l->fill_cursor, page, PAGE, &n, &next, err);
        if (rc == TL_ENOTSUP)
            return 0;
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < n; i++) {
            const tl_venue_fill *f = &page[i];
            if (tl_order_store_has_trade(&l->engine.orders, f->trade_id))
                continue;
            const tl_order *o = tl_order_store_by_client(&l->engine.orders, f->client_seq);
            if (!o) {
                /* Not the engine's order (traded at the venue by someone else): nothing to
                 * apply, but said, so the mismatch it makes has its cause in the journal. */
                snprintf(text, sizeof(text), "venue fill %s of %s %s: not an order of this engine",
                         f->trade_id, f->symbol, tl_side_name((tl_side)f->side));
                finding(l, 0, text);
                continue;
            }
            if (!tl_engine_apply_missed_fill(&l->engine, f))
                continue;
            l->stats.reconcile_repaired++;
            snprintf(text, sizeof(text), "missed fill %s of %s %s applied from the venue",
                     f->trade_id, f->symbol, tl_side_name((tl_side)f->side));
            finding(l, o->account, text);
        }
        l->fill_cursor = next;
        if (n < PAGE)
            return 0;
    }
}

typedef struct live_list {
    uint64_t *seqs;
    size_t n, cap;
} live_list;

static int collect_live(void *ctx, tl_order *o)
{
    live_list *w = ctx;
    if (TL_VEC_RESERVE(&w->seqs, &w->cap, w->n + 1) != 0)
        return TL_ENOMEM;
    w->seqs[w->n++] = o->client_seq;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool in_sorted(const uint64_t *v, size_t n, uint64_t x)
{
    return n && bsearch(&x, v, n, sizeof(*v), cmp_u64) != NULL;
}

static int look_orders(tl_loop *l, tl_err *err)
{
    /* Only the engine's live orders are looked for at the venue: with none (and no suspect left
     * from the last look) there is nothing to ask, and a venue's snapshot is not free. */
    if (tl_engine_open_count(&l->engine) == 0 && l->n_suspects == 0)
        return 0;
    tl_venue_order_info *info = NULL;
    uint64_t *known = NULL;
    live_list live = {0}, next = {0};
    size_t n = 0;
    char text[TL_EVENT_TEXT_MAX];
    int rc = tl_venue_get_orders(l->venue, NULL, 0, &n, err);
    if (rc == TL_ENOTSUP)
        return 0;
    if (rc != 0)
        return rc;
    if (n && (!(info = calloc(n, sizeof(*info))) || !(known = calloc(n, sizeof(*known))))) {
        rc = tl_err_set(err, TL_ENOMEM, "reconcile: out of memory");
        goto out;
    }
    if (n && (rc = tl_venue_get_orders(l->venue, info, n, &n, err)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        known[i] = info[i].client_seq;
    if (n)
        qsort(known, n, sizeof(*known), cmp_u64);
    if ((rc = tl_order_store_each_live(&l->engine.orders, collect_live, &live)) != 0) {
        rc = tl_err_set(err, rc, "reconcile: %s", tl_strerror(rc));
        goto out;
    }
    for (size_t i = 0; i < live.n; i++) {
        uint64_t seq = live.seqs[i];
        if (in_sorted(known, n, seq))
            continue;
        if (!in_sorted(l->suspects, l->n_suspects, seq)) {
            if ((rc = collect_live(&next, &(tl_order){.client_seq = seq})) != 0)
                goto out;
            continue;
        }
        const tl_order *o = tl_order_store_by_client(&l->engine.orders, seq);
        uint32_t account = o ? o->account : 0;
        char id[TL_ORDER_ID_MAX];
        tl_engine_order_id(&l->engine, o, id);
        if (tl_engine_expire_order(&l->engine, seq, "not at the venue at two reconciliations")) {
            l->stats.reconcile_expired++;
            snprintf(text, sizeof(text), "order %s unknown to the venue twice: expired", id);
            finding(l, account, text);
        }
    }
    /* The suspects of the next run: sorted, as in_sorted wants them. */
    if (next.n)
        qsort(next.seqs, next.n, sizeof(*next.seqs), cmp_u64);
    free(l->suspects);
    l->suspects = next.seqs;
    l->n_suspects = next.n;
    l->cap_suspects = next.cap;
    next.seqs = NULL;
out:
    free(info);
    free(known);
    free(live.seqs);
    free(next.seqs);
    return rc;
}

/* The engine's net quantity of one instrument over the loop's accounts. */
static tl_fixed engine_net(const tl_loop *l, uint32_t instrument)
{
    tl_fixed sum = 0;
    for (uint32_t i = 0; i < l->engine.n_accts; i++) {
        const tl_position *p = tl_book_find(&l->engine.book, l->engine.accts[i].id, instrument);
        if (p)
            sum += p->qty;
    }
    return sum;
}

static int look_positions(tl_loop *l, tl_err *err)
{
    tl_engine *e = &l->engine;
    tl_venue_position *vp = NULL;
    size_t n = 0;
    char text[TL_EVENT_TEXT_MAX], a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN];
    /* A spot account's balances are not positions: see TL_VENUE_CAP_BALANCES. */
    if (tl_venue_caps(l->venue) & TL_VENUE_CAP_BALANCES)
        return 0;
    int rc = tl_venue_get_positions(l->venue, NULL, 0, &n, err);
    if (rc == TL_ENOTSUP)
        return 0;
    if (rc != 0)
        return rc;
    if (n && !(vp = calloc(n, sizeof(*vp))))
        return tl_err_set(err, TL_ENOMEM, "reconcile: out of memory");
    if (n && (rc = tl_venue_get_positions(l->venue, vp, n, &n, err)) != 0)
        goto out;
    for (uint32_t inst = 0; inst < e->instruments.count; inst++) {
        const char *sym = e->instruments.items[inst].symbol;
        tl_fixed venue = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(vp[i].symbol, sym) == 0)
                venue = vp[i].qty;
        tl_fixed mine = engine_net(l, inst);
        if (inst < l->n_baseline)
            mine -= l->baseline[inst];
        if (mine == venue)
            continue;
        l->stats.reconcile_mismatches++;
        tl_fixed_format(venue, a, sizeof(a));
        tl_fixed_format(mine, b, sizeof(b));
        snprintf(text, sizeof(text), "%s: the venue holds %s, the engine %s", sym, a, b);
        bool noted = false;
        for (uint32_t i = 0; i < e->n_accts; i++) {
            tl_engine_account *acct = &e->accts[i];
            const tl_position *p = tl_book_find(&e->book, acct->id, inst);
            bool holds = (p && p->qty != 0) ||
                         (tl_governor_busy(&acct->gov) && acct->gov.busy_instrument == inst);
            if (!holds)
                continue;
            finding(l, acct->id, text);
            noted = true;
            if ((rc = tl_engine_freeze_account(e, acct->id, text, err)) < 0)
                goto out;
        }
        /* No account holds the symbol (the venue's position is nobody's here): nobody to freeze,
         * but the finding is journaled all the same, in the home account's workspace. */
        if (!noted)
            finding(l, 0, text);
        rc = 0;
    }
out:
    free(vp);
    return rc;
}

int tl_loop_reconcile(tl_loop *l, tl_err *err)
{
    int rc;
    l->stats.reconcile_runs++;
    l->last_reconcile_ns = tl_clock_now(l->clock);
    snprintf(l->last_reconcile, sizeof(l->last_reconcile), "ok");
    /* What is due first, so a report on its way is not taken for a missing one. */
    if ((rc = tl_engine_poll(&l->engine, err)) < 0)
        return rc;
    if ((rc = look_fills(l, err)) != 0 || (rc = look_orders(l, err)) != 0 ||
        (rc = look_positions(l, err)) != 0) {
        if (rc != TL_EBUSY)
            return rc;
        /* A remote venue that does not answer now (TL_EBUSY: down, restarting, unreachable) is
         * not a reason to stop trading what the engine knows: this look is skipped and the next
         * one tries again. Said once per outage, not at every interval. */
        if (!l->venue_unreachable) {
            char text[TL_EVENT_TEXT_MAX];
            snprintf(text, sizeof(text), "venue unreachable, reconciliation skipped: %.80s",
                     err ? err->msg : "");
            finding(l, 0, text);
        }
        l->venue_unreachable = true;
        return 0;
    }
    if (l->venue_unreachable)
        finding(l, 0, "venue reachable again: reconciled");
    l->venue_unreachable = false;
    return 0;
}

int tl__loop_baseline(tl_loop *l, tl_err *err)
{
    if (!(tl_venue_caps(l->venue) & TL_VENUE_CAP_SIMULATED))
        return 0;
    uint32_t n = l->engine.instruments.count;
    if (n && !(l->baseline = calloc(n, sizeof(*l->baseline))))
        return tl_err_set(err, TL_ENOMEM, "reconcile: out of memory");
    for (uint32_t i = 0; i < n; i++)
        l->baseline[i] = engine_net(l, i);
    l->n_baseline = n;
    return 0;
}
