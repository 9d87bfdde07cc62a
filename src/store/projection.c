/*
 * projection.c -- see projection.h. SQLite and PostgreSQL each had a fold of their own (and the
 * memory store applied the rules event by event); this one is PostgreSQL's, one pass with an
 * open-addressing table over (workspace, order_id), and SQLite's append figure is the same with
 * it (docs/PERFORMANCE.md).
 */
#include "store/projection.h"

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "tradeloop/order.h"

unsigned tl_proj_event_ops(const tl_event *ev)
{
    unsigned ops = ev->type == TL_EV_ORDER_FILLED ? TL_PROJ_INSERT_TRADE : 0;
    if (ev->order_id[0] == '\0')
        return ops; /* a fill of no order still is a trade, referencing nothing */
    switch (ev->type) {
    case TL_EV_ORDER_SUBMITTED:
    case TL_EV_INTENT_DENIED:
        return ops | TL_PROJ_CREATE_ORDER;
    case TL_EV_ORDER_ACCEPTED: /* its trade_id may hold the venue's order id: never a trade */
    case TL_EV_ORDER_REJECTED:
    case TL_EV_ORDER_FILLED:
    case TL_EV_ORDER_CANCELED:
    case TL_EV_ORDER_EXPIRED:
    case TL_EV_CANCEL_REQUESTED:
        return ops | TL_PROJ_UPDATE_ORDER;
    default:
        return ops;
    }
}

void tl_proj_needs(const tl_event *events, size_t n, int *creates, int *trades)
{
    unsigned all = 0;
    const unsigned both = TL_PROJ_CREATE_ORDER | TL_PROJ_INSERT_TRADE;
    for (size_t i = 0; i < n && (all & both) != both; i++)
        all |= tl_proj_event_ops(&events[i]);
    *creates = (all & TL_PROJ_CREATE_ORDER) != 0;
    *trades = (all & TL_PROJ_INSERT_TRADE) != 0;
}

const char *tl_proj_reason(const tl_proj_order *o)
{
    return o->reason != NULL ? o->reason->text : "";
}

/* FNV-1a over workspace, a separator and order id. */
static uint64_t key_hash(const tl_event *e)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = e->workspace; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = e->order_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static int same_order(const tl_event *a, const tl_event *b)
{
    return strcmp(a->order_id, b->order_id) == 0 && strcmp(a->workspace, b->workspace) == 0;
}

/* Room for n events' worth of orders and trades, and a table at most half full. */
static int reserve(tl_projection *p, size_t n, tl_err *err)
{
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    if (TL_VEC_RESERVE(&p->orders, &p->cap_orders, n) != 0 ||
        TL_VEC_RESERVE(&p->trades, &p->cap_trades, n) != 0 ||
        TL_VEC_RESERVE(&p->slots, &p->nslots, slots) != 0)
        return tl_err_set(err, TL_ENOMEM, "no memory to fold a batch of %zu events", n);
    return 0;
}

/* The entry of e's order, inserted (zeroed, with ev = e) when absent. */
static tl_proj_order *find_or_add(tl_projection *p, const tl_event *e)
{
    size_t mask = p->nslots - 1;
    for (size_t i = (size_t)key_hash(e) & mask;; i = (i + 1) & mask) {
        uint32_t s = p->slots[i];
        if (s == 0) {
            tl_proj_order *o = &p->orders[p->n_orders];
            memset(o, 0, sizeof *o);
            o->ev = e;
            p->slots[i] = (uint32_t)++p->n_orders;
            return o;
        }
        if (same_order(p->orders[s - 1].ev, e))
            return &p->orders[s - 1];
    }
}

/* A workspace other than the previous event's: batches hold one or a few, so a linear search. */
static int note_workspace(tl_projection *p, const tl_event *e, tl_err *err)
{
    for (size_t k = p->n_ws; k-- > 0;) {
        if (strcmp(p->ws[k].workspace, e->workspace) == 0) {
            p->ws[k].last_seq = e->seq;
            return 0;
        }
    }
    if (TL_VEC_RESERVE(&p->ws, &p->cap_ws, p->n_ws + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "no memory to fold a batch");
    p->ws[p->n_ws++] = (tl_proj_ws){e->workspace, e->seq, e->seq};
    return 0;
}

static int fold_order(tl_projection *p, const tl_event *e, unsigned ops, tl_err *err)
{
    tl_proj_order *o = find_or_add(p, e);
    if (ops & TL_PROJ_CREATE_ORDER) {
        if (o->created)
            return tl_err_set(err, TL_EDUPLICATE,
                              "duplicate: order (%s, %s) created twice in one batch (seq %llu)",
                              e->workspace, e->order_id, (unsigned long long)e->seq);
        /* Updates seen before its creation matched no row: the creation starts afresh. */
        memset(o, 0, sizeof *o);
        o->ev = e;
        o->created = 1;
        o->status = e->type == TL_EV_INTENT_DENIED ? TL_OS_DENIED : e->status;
        o->reason = e->type == TL_EV_INTENT_DENIED ? e : NULL;
        return 0;
    }
    o->status = e->status;
    if (e->type == TL_EV_ORDER_FILLED) {
        if (tl_fixed_add(o->filled, e->qty, &o->filled))
            return tl_err_set(err, TL_ERANGE, "filled quantity of order (%s, %s) overflows",
                              e->workspace, e->order_id);
        o->filled_at = e->ts_ns;
        if (o->first_fill == NULL)
            o->first_fill = e;
    } else if (e->type == TL_EV_ORDER_REJECTED) {
        o->reason = e;
    }
    return 0;
}

int tl_proj_fold(tl_projection *p, const tl_event *events, size_t n, tl_err *err)
{
    if (n > UINT32_MAX / 2)
        return tl_err_set(err, TL_EINVAL, "batch of %zu events is too large", n);
    int rc = reserve(p, n, err);
    if (rc)
        return rc;
    memset(p->slots, 0, p->nslots * sizeof *p->slots);
    p->n_orders = p->n_trades = p->n_ws = 0;

    for (size_t i = 0; i < n; i++) {
        const tl_event *e = &events[i];
        unsigned ops = tl_proj_event_ops(e);
        if (p->n_ws > 0 && strcmp(p->ws[p->n_ws - 1].workspace, e->workspace) == 0)
            p->ws[p->n_ws - 1].last_seq = e->seq;
        else if ((rc = note_workspace(p, e, err)) != 0)
            return rc;
        if (ops & TL_PROJ_INSERT_TRADE)
            p->trades[p->n_trades++] = e;
        if ((ops & (TL_PROJ_CREATE_ORDER | TL_PROJ_UPDATE_ORDER)) &&
            (rc = fold_order(p, e, ops, err)) != 0)
            return rc;
    }

    p->n_created = p->n_updated = p->n_updated_fills = 0;
    for (size_t i = 0; i < p->n_orders; i++) {
        if (p->orders[i].created) {
            p->n_created++;
        } else {
            p->n_updated++;
            p->n_updated_fills += p->orders[i].first_fill != NULL;
        }
    }
    return 0;
}

void tl_proj_free(tl_projection *p)
{
    free(p->orders);
    free(p->trades);
    free(p->ws);
    free(p->slots);
    memset(p, 0, sizeof *p);
}
