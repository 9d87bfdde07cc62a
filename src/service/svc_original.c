/* svc_original.c -- the outcome of an order another engine executed, read from the journal.
 *
 * A key is executed once in the whole store (TL_EEXIST), but each engine rebuilds only its own
 * workspace, so after a collision the engine that lost does not know the winner's outcome. It is
 * in the journal: the key's first event names the workspace and seq where the winner decided it,
 * and the order's own events, each carrying the key, follow in that workspace. The order's id is
 * the winner's, read from them (an id is derived from the key and the time of the decision, so
 * this engine's would differ). */
#include <string.h>

#include "risk/risk.h"
#include "service/svc_int.h"

typedef struct finding {
    const char *key;
    tl_svc_result *r;
    __int128 notional;
    bool done;
} finding;

static int on_event(void *ctx, const tl_event *ev)
{
    finding *f = ctx;
    if (strcmp(ev->idem_key, f->key) != 0)
        return 0;
    tl_svc_result *r = f->r;
    if (!r->engine_order_id[0] && ev->order_id[0])
        memcpy(r->engine_order_id, ev->order_id, sizeof(r->engine_order_id));
    switch (ev->type) {
    case TL_EV_ORDER_FILLED:
        if (r->n_fills < TL_SVC_FILLS_MAX) {
            tl_svc_fill *x = &r->fills[r->n_fills++];
            memcpy(x->trade_id, ev->trade_id, sizeof(x->trade_id));
            x->qty = ev->qty;
            x->price = ev->price;
            x->fee = ev->fee;
            x->ts_ns = ev->ts_ns;
        }
        r->filled_qty += ev->qty;
        f->notional += (__int128)ev->qty * ev->price;
        break;
    case TL_EV_ORDER_REJECTED:
    case TL_EV_INTENT_DENIED:
        if (ev->type == TL_EV_ORDER_REJECTED) {
            tl__svc_reject(r, "VENUE", ev->text[0] ? ev->text : "rejected");
        } else {
            int rule = tl_risk_reason_of_text(ev->text);
            tl__svc_reject(r, rule >= 0 ? tl_risk_reason_name(rule) : "RISK", ev->text);
        }
        f->done = true;
        break;
    default:
        break;
    }
    if (ev->type == TL_EV_ORDER_FILLED && ev->status == TL_OS_FILLED)
        f->done = true;
    if (ev->type == TL_EV_ORDER_CANCELED || ev->type == TL_EV_ORDER_EXPIRED)
        f->done = true;
    return f->done ? 1 : 0; /* the order's end: the rest of the workspace is not read */
}

int tl__svc_original(tl_store *st, const char *key, tl_svc_result *r, tl_err *err)
{
    tl_event first;
    int rc = tl_store_find_idem(st, key, &first, err);
    if (rc != 0)
        return rc;
    finding f = {key, r, 0, false};
    r->n_fills = 0;
    r->filled_qty = 0;
    r->reject_reason[0] = '\0';
    r->reason_code[0] = '\0';
    r->engine_order_id[0] = '\0';
    tl_scan_filter filt = {first.seq - 1, 0, first.workspace};
    rc = tl_store_scan(st, &filt, on_event, &f, err);
    if (rc < 0)
        return rc;
    r->client_seq = 0; /* the other engine's number, not ours */
    if (r->reject_reason[0]) {
        r->original = TL_ORDER_RESULT_REJECTED;
    } else if (r->filled_qty > 0) {
        r->original = f.done && r->filled_qty >= r->qty ? TL_ORDER_RESULT_FILLED
                                                        : TL_ORDER_RESULT_PARTIALLY_FILLED;
        if (tl_fixed_from_ratio128(f.notional, r->filled_qty, &r->avg_price) != 0)
            r->avg_price = 0;
    } else {
        r->original = f.done ? TL_ORDER_RESULT_REJECTED : TL_ORDER_RESULT_PENDING;
    }
    r->status = TL_ORDER_RESULT_DUPLICATE;
    return 0;
}
