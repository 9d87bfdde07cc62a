/*
 * mem_orders.c -- the memory store's reads of its orders projection (see mem_orders.h).
 *
 * The newest cap orders are chosen with a min-heap of cap row indexes (the oldest kept on top,
 * replaced by any newer row), then emptied into out from its end, so the output comes out
 * newest first in the order every backend gives: created_ns, then workspace, then order_id
 * (bytes), descending.
 */
#include <stdlib.h>
#include <string.h>

#include "store/mem/mem_orders.h"

/* >0 when a is newer than b. */
static int newer(const tl__mem_order *a, const tl__mem_order *b)
{
    if (a->created_ns != b->created_ns)
        return a->created_ns > b->created_ns ? 1 : -1;
    int c = strcmp(a->workspace, b->workspace);
    return c != 0 ? c : strcmp(a->order_id, b->order_id);
}

/* Restores the heap below position i (the oldest row on top). */
static void sift_down(const tl__mem_order *o, uint32_t *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && newer(&o[h[l]], &o[h[m]]) < 0)
            m = l;
        if (r < n && newer(&o[h[r]], &o[h[m]]) < 0)
            m = r;
        if (m == i)
            return;
        uint32_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void sift_up(const tl__mem_order *o, uint32_t *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (newer(&o[h[i]], &o[h[p]]) >= 0)
            return;
        uint32_t t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void to_row(const tl__mem_order *o, tl_order_row *r)
{
    memset(r, 0, sizeof *r);
    memcpy(r->workspace, o->workspace, sizeof r->workspace);
    memcpy(r->order_id, o->order_id, sizeof r->order_id);
    memcpy(r->symbol, o->symbol, sizeof r->symbol);
    r->side = o->side;
    r->status = o->status;
    r->qty = o->quantity;
    r->price = o->price;
    r->filled_qty = o->filled_qty;
    r->created_ns = o->created_ns;
    r->filled_ns = o->filled_ns;
    memcpy(r->reject_reason, o->reject_reason, sizeof r->reject_reason);
}

static int wanted(const tl__mem_order *o, const char *workspace)
{
    return workspace == NULL || strcmp(o->workspace, workspace) == 0;
}

int tl__mem_orders_recent(const tl__mem_order *orders, size_t n, const char *workspace,
                          tl_order_row *out, size_t cap, size_t *got, tl_err *err)
{
    size_t keep = cap < n ? cap : n;
    uint32_t *heap = keep > 0 ? malloc(keep * sizeof *heap) : NULL;
    if (keep > 0 && heap == NULL)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory reading orders");
    size_t h = 0;
    for (size_t i = 0; i < n; i++) {
        if (!wanted(&orders[i], workspace))
            continue;
        if (h < keep) {
            heap[h] = (uint32_t)i; /* mem.c keeps at most UINT32_MAX rows */
            sift_up(orders, heap, h++);
        } else if (keep > 0 && newer(&orders[i], &orders[heap[0]]) > 0) {
            heap[0] = (uint32_t)i;
            sift_down(orders, heap, h, 0);
        }
    }
    /* Popping yields the oldest first: fill out from the back. */
    *got = h;
    while (h > 0) {
        to_row(&orders[heap[0]], &out[h - 1]);
        heap[0] = heap[--h];
        sift_down(orders, heap, h, 0);
    }
    free(heap);
    return 0;
}

int tl__mem_order_counts(const tl__mem_order *orders, size_t n, const char *workspace,
                         tl_order_counts *out, tl_err *err)
{
    uint64_t by[TL_OS__COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        if (!wanted(&orders[i], workspace))
            continue;
        if (orders[i].status >= TL_OS__COUNT)
            return tl_err_set(err, TL_ECORRUPT, "mem store: order '%s' has status %d",
                              orders[i].order_id, orders[i].status);
        by[orders[i].status]++;
    }
    memcpy(out->by_status, by, sizeof by);
    return 0;
}
