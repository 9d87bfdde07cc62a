/*
 * pg_fold.c -- what one batch does to the orders projection, worked out before it is sent.
 *
 * The batch's events are in memory, so the orders rows they imply are computed here in one pass
 * instead of being re-read and aggregated by the server: per order, the state after the batch
 * (last status, filled quantity and time, last reject reason). An order the batch creates is then
 * written once, with that state folded in, by COPY; an order created by an earlier batch gets one
 * UPDATE row. Measured on PostgreSQL 15 with 5000-event batches, this halves the time of a batch
 * against the same derivation in SQL (a sort and window aggregates over the copied rows).
 *
 * The rules are store.h's, applied in seq order as the other backends do: ORDER_SUBMITTED and
 * INTENT_DENIED with an order id create it; ACCEPTED, REJECTED, FILLED, CANCELED, EXPIRED and
 * CANCEL_REQUESTED set its status, fills add to filled_qty and set filled_at, a rejection sets
 * reject_reason. A second creation of an order in one batch is a duplicate.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"

static int creates_order(int type)
{
    return type == TL_EV_ORDER_SUBMITTED || type == TL_EV_INTENT_DENIED;
}

static int updates_order(int type)
{
    switch (type) {
    case TL_EV_ORDER_ACCEPTED:
    case TL_EV_ORDER_REJECTED:
    case TL_EV_ORDER_FILLED:
    case TL_EV_ORDER_CANCELED:
    case TL_EV_ORDER_EXPIRED:
    case TL_EV_CANCEL_REQUESTED:
        return 1;
    default:
        return 0;
    }
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

/* Room for n events' worth of orders, and a table at most half full. Grows, never per row. */
static int reserve(tl__pg_fold *f, size_t n, tl_err *err)
{
    if (n > f->cap) {
        tl__pg_order *o = realloc(f->orders, n * sizeof *o);
        if (!o)
            return tl_err_set(err, TL_ENOMEM, "no memory to fold %zu events", n);
        f->orders = o;
        f->cap = n;
    }
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    if (slots > f->nslots) {
        uint32_t *s = realloc(f->slots, slots * sizeof *s);
        if (!s)
            return tl_err_set(err, TL_ENOMEM, "no memory to fold %zu events", n);
        f->slots = s;
        f->nslots = slots;
    }
    return 0;
}

/* The entry of e's order, inserted (zeroed, with ev = e) when absent. */
static tl__pg_order *find_or_add(tl__pg_fold *f, const tl_event *e)
{
    size_t mask = f->nslots - 1;
    for (size_t i = (size_t)key_hash(e) & mask;; i = (i + 1) & mask) {
        uint32_t s = f->slots[i];
        if (s == 0) {
            tl__pg_order *o = &f->orders[f->n];
            memset(o, 0, sizeof *o);
            o->ev = e;
            f->slots[i] = (uint32_t)++f->n;
            return o;
        }
        if (same_order(f->orders[s - 1].ev, e))
            return &f->orders[s - 1];
    }
}

void tl__pg_fold_needs(const tl_event *ev, size_t n, int *creates, int *fills)
{
    int c = 0, f = 0;
    for (size_t i = 0; i < n && !(c && f); i++) {
        c |= ev[i].order_id[0] && creates_order(ev[i].type);
        f |= ev[i].type == TL_EV_ORDER_FILLED;
    }
    *creates = c;
    *fills = f;
}

int tl__pg_fold_batch(tl__pg_fold *f, const tl_event *ev, size_t n, tl_err *err)
{
    if (n > UINT32_MAX / 2)
        return tl_err_set(err, TL_EINVAL, "batch of %zu events is too large", n);
    int rc = reserve(f, n, err);
    if (rc)
        return rc;
    memset(f->slots, 0, f->nslots * sizeof *f->slots);
    f->n = 0;
    f->n_fills = 0;

    for (size_t i = 0; i < n; i++) {
        const tl_event *e = &ev[i];
        if (e->type == TL_EV_ORDER_FILLED)
            f->n_fills++;
        if (!e->order_id[0] || !(creates_order(e->type) || updates_order(e->type)))
            continue;
        tl__pg_order *o = find_or_add(f, e);
        if (creates_order(e->type)) {
            if (o->created)
                return tl_err_set(err, TL_EDUPLICATE,
                                  "duplicate: order (%s, %s) created twice in one batch",
                                  e->workspace, e->order_id);
            /* Updates seen before its creation matched no row: the creation starts afresh. */
            memset(o, 0, sizeof *o);
            o->ev = e;
            o->created = 1;
            o->status = e->status;
            continue;
        }
        o->status = e->status;
        if (e->type == TL_EV_ORDER_FILLED) {
            if (tl_fixed_add(o->filled, e->qty, &o->filled))
                return tl_err_set(err, TL_ERANGE, "filled quantity of order %s overflows",
                                  e->order_id);
            o->filled_at = e->ts_ns;
            o->has_fill = 1;
        } else if (e->type == TL_EV_ORDER_REJECTED) {
            o->reject = e;
        }
    }

    f->n_created = f->n_updated = f->n_updated_fills = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->orders[i].created) {
            f->n_created++;
        } else {
            f->n_updated++;
            f->n_updated_fills += f->orders[i].has_fill;
        }
    }
    return 0;
}

void tl__pg_fold_free(tl__pg_fold *f)
{
    free(f->orders);
    free(f->slots);
    memset(f, 0, sizeof *f);
}
