/* xrecover.c -- see xcore.h: the exchange rebuilt by replaying its journal's inputs through the
 * matching, every output checked against the journal. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/xcore.h"

typedef struct replay {
    tl_xcore *x;
    size_t next; /* x->pending[next] is the output the journal must show next */
    uint64_t events;
    tl_err *err;
} replay;

static bool same_event(const tl_event *a, const tl_event *b)
{
    return a->type == b->type && a->ts_ns == b->ts_ns && a->side == b->side &&
           a->status == b->status && a->qty == b->qty && a->price == b->price &&
           a->fee == b->fee && strcmp(a->workspace, b->workspace) == 0 &&
           strcmp(a->order_id, b->order_id) == 0 && strcmp(a->idem_key, b->idem_key) == 0 &&
           strcmp(a->symbol, b->symbol) == 0 && strcmp(a->trade_id, b->trade_id) == 0 &&
           strcmp(a->text, b->text) == 0;
}

static int corrupt(replay *r, const tl_event *ev, const char *what)
{
    return tl_err_set(r->err, TL_ECORRUPT,
                      "exchange journal, seq %" PRIu64 " (%s of %s): %s", ev->seq,
                      tl_event_type_name(ev->type), ev->workspace, what);
}

/* The order an ORDER_SUBMITTED describes, as tl_xcore_place takes it. */
static int submitted_order(tl_xcore *x, const tl_event *ev, tl_xplace *o)
{
    memset(o, 0, sizeof(*o));
    o->symbol = tl_xcore_symbol(x, ev->symbol);
    o->side = ev->side;
    o->price = ev->price;
    o->qty = ev->qty;
    o->client_id = ev->idem_key;
    char type[8], tif[4];
    const char *sp = strchr(ev->text, ' ');
    if (o->symbol < 0 || !sp || (size_t)(sp - ev->text) >= sizeof(type) || strlen(sp + 1) != 3)
        return TL_ECORRUPT;
    memcpy(type, ev->text, (size_t)(sp - ev->text));
    type[sp - ev->text] = '\0';
    memcpy(tif, sp + 1, 4);
    if (strcmp(type, "LIMIT") == 0)
        o->type = TL_ORDER_LIMIT;
    else if (strcmp(type, "MARKET") == 0)
        o->type = TL_ORDER_MARKET;
    else
        return TL_ECORRUPT;
    if (strcmp(tif, "GTC") == 0)
        o->tif = TL_LOB_GTC;
    else if (strcmp(tif, "IOC") == 0)
        o->tif = TL_LOB_IOC;
    else if (strcmp(tif, "FOK") == 0)
        o->tif = TL_LOB_FOK;
    else
        return TL_ECORRUPT;
    return 0;
}

/* An input event: done again. Its outputs (itself first) land in x->pending. */
static int redo(replay *r, const tl_event *ev)
{
    tl_xcore *x = r->x;
    uint32_t account;
    tl_err e = {0};
    int rc = tl_xcore_account(x, ev->workspace, &account, &e);
    if (rc != 0)
        return corrupt(r, ev, e.msg);
    tl_xrefusal refusal;
    uint64_t id = 0;
    switch (ev->type) {
    case TL_EV_BALANCE_FUNDED:
        rc = tl_xcore_fund(x, account, ev->symbol, ev->qty, ev->ts_ns, &e);
        return rc == 0 ? 0 : corrupt(r, ev, e.msg);
    case TL_EV_ORDER_SUBMITTED: {
        tl_xplace o;
        uint32_t first;
        char want[24];
        snprintf(want, sizeof(want), "%" PRIu64, x->n_orders + 1);
        if (strcmp(ev->order_id, want) != 0)
            return corrupt(r, ev, "order ids must follow each other");
        if (submitted_order(x, ev, &o) != 0)
            return corrupt(r, ev, "not an order of this exchange's symbols and types");
        rc = tl_xcore_place(x, account, &o, ev->ts_ns, &id, &first, &refusal, &e);
        if (rc == 1)
            return corrupt(r, ev, refusal.msg);
        return rc == 0 ? 0 : corrupt(r, ev, e.msg);
    }
    case TL_EV_ORDER_CANCELED: {
        char *end;
        uint64_t want = strtoull(ev->order_id, &end, 10);
        if (*end != '\0' || want == 0)
            return corrupt(r, ev, "no order id");
        rc = tl_xcore_cancel(x, account, tl_xcore_symbol(x, ev->symbol), want, NULL, ev->ts_ns,
                             &id, &refusal, &e);
        if (rc == 1)
            return corrupt(r, ev, refusal.msg);
        return rc == 0 ? 0 : corrupt(r, ev, e.msg);
    }
    default:
        return corrupt(r, ev, "an event the exchange does not make (give the exchange a store "
                              "of its own)");
    }
}

static int on_event(void *ctx, const tl_event *ev)
{
    replay *r = ctx;
    tl_xcore *x = r->x;
    r->events++;
    if (r->next == x->n_pending) { /* every output seen: an input comes */
        tl_xcore_committed(x);
        r->next = 0;
        int rc = redo(r, ev);
        if (rc != 0)
            return rc;
    }
    if (r->next >= x->n_pending || !same_event(&x->pending[r->next], ev))
        return corrupt(r, ev, "not what the matching makes at this point");
    r->next++;
    return 0;
}

int tl_xcore_recover(tl_xcore *x, tl_store *st, uint64_t *events_read, tl_err *err)
{
    replay r = {x, 0, 0, err};
    tl_scan_filter f = {0, 0, NULL};
    int rc = tl_store_scan(st, &f, on_event, &r, err);
    if (rc == 0 && r.next < x->n_pending)
        rc = tl_err_set(err, TL_ECORRUPT,
                        "exchange journal: ends in the middle of an order's events (%zu missing)",
                        x->n_pending - r.next);
    tl_xcore_committed(x);
    if (events_read)
        *events_read = r.events;
    return rc;
}
