/* exec.c -- the execution loop; see exec.h. */
#include "exec/exec.h"

#include <stdlib.h>
#include <string.h>

#include "tradeloop/event.h"

#define REPORT_BATCH 256

static inline void emit(tl_exec *x, int type, const tl_order *o, const tl_fill *f, const char *text)
{
    if (x->on_event)
        x->on_event(x->event_ctx, type, o, f, text ? text : "");
}

int tl_exec_init(tl_exec *x, const tl_exec_config *cfg, const tl_instruments *instruments,
                 tl_venue *venue, const tl_clock *clock, tl_err *err)
{
    tl_exec e;
    int rc;

    memset(&e, 0, sizeof(e));
    e.instruments = instruments;
    e.venue = venue;
    e.clock = clock;
    e.cfg = *cfg;
    if ((rc = tl_risk_init(&e.risk, &cfg->risk, instruments->count, err)) != 0)
        return rc;
    if ((rc = tl_order_store_init(&e.orders, cfg->order_capacity ? cfg->order_capacity : 1024,
                                  cfg->retain_terminal)) != 0)
        goto fail_risk;
    if ((rc = tl_book_init(&e.book, cfg->starting_cash)) != 0)
        goto fail_store;
    if ((rc = tl_book_open_account(&e.book, cfg->account, cfg->starting_cash)) != 0)
        goto fail_book;
    e.expo = calloc(instruments->count ? instruments->count : 1, sizeof(*e.expo));
    e.reports = calloc(REPORT_BATCH, sizeof(*e.reports));
    if (!e.expo || !e.reports) {
        rc = TL_ENOMEM;
        goto fail_mem;
    }
    e.report_cap = REPORT_BATCH;
    *x = e;
    return 0;

fail_mem:
    free(e.expo);
    free(e.reports);
fail_book:
    tl_book_close(&e.book);
fail_store:
    tl_order_store_close(&e.orders);
fail_risk:
    tl_risk_close(&e.risk);
    return tl_err_set(err, rc, "execution loop: %s", tl_strerror(rc));
}

void tl_exec_close(tl_exec *x)
{
    tl_order_store_close(&x->orders);
    tl_book_close(&x->book);
    tl_risk_close(&x->risk);
    free(x->expo);
    free(x->reports);
    memset(x, 0, sizeof(*x));
}

/* |qty| * price, saturating: used only to compare against limits, so a saturated value still
 * compares correctly against any representable limit. */
static tl_fixed notional_of(tl_fixed qty, tl_fixed price)
{
    tl_fixed out;
    if (tl_fixed_mul(tl_fixed_abs(qty), price, &out) != 0)
        return TL_FIXED_MAX;
    return out;
}

/* Re-derives one instrument's notional and the portfolio total after its position or reference
 * price changed. O(1): the total is kept incrementally. */
static void refresh_notional(tl_exec *x, uint32_t instrument)
{
    tl_exec_exposure *ex = &x->expo[instrument];
    const tl_position *pos = tl_book_find(&x->book, x->cfg.account, instrument);
    tl_fixed qty = pos ? pos->qty : 0;
    tl_fixed n = notional_of(qty, tl_risk_reference(&x->risk, instrument));
    tl_fixed total;

    if (tl_fixed_add(x->total_notional - ex->notional, n, &total) != 0)
        total = TL_FIXED_MAX;
    x->total_notional = total;
    ex->notional = n;
}

int tl_exec_on_quote(tl_exec *x, uint32_t instrument, tl_fixed bid, tl_fixed ask)
{
    if (instrument >= x->instruments->count || bid <= 0 || ask < bid)
        return TL_EINVAL;
    /* mid = (bid + ask) / 2 without overflow; rounds toward bid, then onto no tick: the
     * reference price is for limits, never sent as a price. */
    tl_fixed mid = bid + (ask - bid) / 2;
    int rc = tl_risk_set_reference(&x->risk, instrument, mid);
    if (rc == 0)
        refresh_notional(x, instrument);
    return rc;
}

static void add_open(tl_exec_exposure *ex, tl_side side, tl_fixed qty)
{
    if (side == TL_SIDE_BUY)
        ex->open_buy_qty += qty;
    else
        ex->open_sell_qty += qty;
}

int tl_exec_submit(tl_exec *x, uint32_t instrument, tl_side side, tl_order_type type,
                   tl_fixed price, tl_fixed qty, uint64_t *client_seq, tl_risk_reason *reason,
                   tl_err *err)
{
    const tl_instrument *inst =
        instrument < x->instruments->count ? &x->instruments->items[instrument] : NULL;
    int64_t now = tl_clock_now(x->clock);
    tl_risk_reason why = TL_RR_OK;
    tl_risk_exposure rx = {0};
    tl_order *o;
    int rc;

    if (inst) {
        const tl_exec_exposure *ex = &x->expo[instrument];
        const tl_position *pos = tl_book_find(&x->book, x->cfg.account, instrument);
        tl_fixed net = pos ? pos->qty : 0;
        /* Worst case in the order's direction: every live order on that side fills too. */
        rx.position_qty = side == TL_SIDE_BUY ? net + ex->open_buy_qty : net - ex->open_sell_qty;
        rx.symbol_notional = ex->notional;
        rx.total_notional = x->total_notional;
    }
    /* The journal wants the refusal's text even when the caller does not. Only its text is ever
     * read, so it starts as the empty string rather than 260 zeroed bytes per order. */
    tl_err local;
    local.code = 0;
    local.msg[0] = '\0';
    tl_err *e = err ? err : (x->on_event ? &local : NULL);
    rc = tl_risk_check(&x->risk, inst, instrument, side, price, qty, &rx, now, &why, e);
    if (rc != 0) {
        x->counts.risk_blocks++;
        if (reason)
            *reason = why;
        /* A denied order is kept (DENIED, terminal) so that it has an id and a record. */
        if (inst && tl_order_store_create(&x->orders, instrument, x->cfg.account, side, type, price,
                                          qty, now, &o) == 0) {
            uint64_t seq = o->client_seq;
            tl_order_store_apply(&x->orders, seq, TL_OEV_DENY, now, NULL);
            if (client_seq)
                *client_seq = seq;
            emit(x, TL_EV_INTENT_DENIED, tl_order_store_by_client(&x->orders, seq), NULL,
                 e ? e->msg : tl_risk_reason_name(why));
        } else {
            emit(x, TL_EV_INTENT_DENIED, NULL, NULL, e ? e->msg : tl_risk_reason_name(why));
        }
        return rc;
    }
    if ((rc = tl_order_store_create(&x->orders, instrument, x->cfg.account, side, type, price, qty,
                                    now, &o)) != 0)
        return tl_err_set(err, rc, "order store: %s", tl_strerror(rc));

    tl_venue_order vo;
    memset(&vo, 0, sizeof(vo));
    vo.client_seq = o->client_seq;
    memcpy(vo.symbol, inst->symbol, sizeof(vo.symbol));
    vo.side = (uint8_t)side;
    vo.type = (uint8_t)type;
    vo.price = price;
    vo.qty = qty;
    vo.lot_size = inst->lot_size;
    x->counts.placed++;
    if (client_seq)
        *client_seq = o->client_seq;
    emit(x, TL_EV_ORDER_SUBMITTED, o, NULL, NULL);
    if ((rc = tl_venue_place(x->venue, &vo, e)) != 0) {
        /* Never reached the venue: the order ends REJECTED so the counts still reconcile. */
        tl_order_store_apply(&x->orders, vo.client_seq, TL_OEV_REJECT, now, NULL);
        x->counts.rejected++;
        emit(x, TL_EV_ORDER_REJECTED, tl_order_store_by_client(&x->orders, vo.client_seq), NULL,
             e ? e->msg : "place failed");
        return rc;
    }
    add_open(&x->expo[instrument], side, qty);
    if (reason)
        *reason = TL_RR_OK;
    return 0;
}

int tl_exec_cancel(tl_exec *x, uint64_t client_seq, tl_err *err)
{
    tl_order *o = tl_order_store_by_client(&x->orders, client_seq);
    int64_t now = tl_clock_now(x->clock);
    int rc;

    if (!o)
        return tl_err_set(err, TL_ENOTFOUND, "cancel: no order %llu",
                          (unsigned long long)client_seq);
    if ((rc = tl_order_store_apply(&x->orders, client_seq, TL_OEV_CANCEL_REQUEST, now, err)) != 0)
        return rc;
    x->counts.cancel_requests++;
    emit(x, TL_EV_CANCEL_REQUESTED, o, NULL, NULL);
    if ((rc = tl_venue_cancel(x->venue, client_seq, err)) != 0) {
        /* The request never left: back to where the order was. */
        tl_order_store_apply(&x->orders, client_seq, TL_OEV_CANCEL_REJECT, now, NULL);
        return rc;
    }
    return 0;
}

typedef struct cancel_walk {
    uint64_t *seqs;
    size_t n, cap;
} cancel_walk;

static int collect_cancelable(void *ctx, tl_order *o)
{
    cancel_walk *w = ctx;
    if (o->status == TL_OS_PENDING_CANCEL)
        return 0;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        uint64_t *s = realloc(w->seqs, cap * sizeof(*s));
        if (!s)
            return TL_ENOMEM;
        w->seqs = s;
        w->cap = cap;
    }
    w->seqs[w->n++] = o->client_seq;
    return 0;
}

int tl_exec_cancel_all(tl_exec *x, tl_err *err)
{
    cancel_walk w = {0};
    int rc = tl_order_store_each_live(&x->orders, collect_cancelable, &w);
    int sent = 0;

    /* Collected first, canceled after: canceling must not disturb the walk. */
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        if (tl_exec_cancel(x, w.seqs[i], err) == 0)
            sent++;
    }
    free(w.seqs);
    if (rc != 0)
        return tl_err_set(err, rc, "cancel all: %s", tl_strerror(rc));
    return sent;
}

/* Removes an order's unfilled quantity from the live exposure when it stops being live. */
static void drop_open(tl_exec *x, const tl_order *o)
{
    tl_exec_exposure *ex = &x->expo[o->instrument];
    tl_fixed leaves = tl_order_leaves(o);
    if (o->side == TL_SIDE_BUY)
        ex->open_buy_qty -= leaves;
    else
        ex->open_sell_qty -= leaves;
}

/* Reports can race a cancel request: the venue acknowledges or rejects an order the engine has
 * already asked to cancel. The state machine has no PENDING_CANCEL+ACCEPT edge on purpose (it
 * would hide where the order was); the loop steps back to the pre-cancel state, applies the
 * report, and re-enters PENDING_CANCEL when the order is still live. */
static int apply_around_cancel(tl_exec *x, tl_order *o, tl_order_event ev, int64_t now)
{
    int rc;

    if (o->status != TL_OS_PENDING_CANCEL)
        return tl_order_store_apply_order(&x->orders, o, ev, now, NULL);
    if ((rc = tl_order_store_apply_order(&x->orders, o, TL_OEV_CANCEL_REJECT, now, NULL)) != 0)
        return rc;
    if ((rc = tl_order_store_apply_order(&x->orders, o, ev, now, NULL)) != 0)
        return rc;
    if (tl_order_status_is_live(o->status))
        rc = tl_order_store_apply_order(&x->orders, o, TL_OEV_CANCEL_REQUEST, now, NULL);
    return rc;
}

static void apply_fill(tl_exec *x, const tl_venue_report *r)
{
    tl_order *o = tl_order_store_by_client(&x->orders, r->client_seq);
    tl_fill f;
    int was_live, rc;

    memset(&f, 0, sizeof(f));
    memcpy(f.trade_id, r->trade_id, sizeof(f.trade_id));
    f.client_seq = r->client_seq;
    f.qty = r->qty;
    f.price = r->price;
    f.fee = r->fee;
    f.ts_ns = r->ts_ns;
    was_live = o ? tl_order_status_is_live(o->status) : 0;
    /* The store is handed the order just found rather than looking it up again. A refused fill
     * changes nothing, so o is still what a lookup by client_seq would return. */
    if ((rc = tl_order_store_fill_order(&x->orders, o, &f, &o, NULL)) != 0) {
        x->counts.refused_fills++;
        emit(x, TL_EV_FILL_REFUSED, o, &f,
             rc == TL_EDUPLICATE  ? "duplicate trade id"
             : rc == TL_EOVERFILL ? "overfill"
             : rc == TL_ENOTFOUND ? "unknown order"
                                  : tl_strerror(rc));
        return;
    }
    x->counts.fills++;
    if (was_live) {
        tl_exec_exposure *ex = &x->expo[o->instrument];
        if (o->side == TL_SIDE_BUY)
            ex->open_buy_qty -= f.qty;
        else
            ex->open_sell_qty -= f.qty;
    }
    if (tl_book_apply_fill(&x->book, o->account, o->instrument, (tl_side)o->side, f.qty, f.price,
                           f.fee, NULL) != 0) {
        /* The fill is recorded with its order; a position that cannot represent it is corrupt
         * state, which must stop trading rather than be papered over. */
        if (tl_risk_freeze(&x->risk, "position overflow: state cannot represent a fill") == 1)
            emit(x, TL_EV_RISK_FROZEN, NULL, NULL, x->risk.freeze_reason);
    }
    if (was_live && o->status == TL_OS_FILLED)
        x->counts.filled++;
    refresh_notional(x, o->instrument);
    emit(x, TL_EV_ORDER_FILLED, o, &f, NULL);
    if (x->on_fill)
        x->on_fill(x->hook_ctx, o, &f);
}

static void apply_report(tl_exec *x, const tl_venue_report *r)
{
    tl_order *o;
    int64_t now = r->ts_ns;

    if (r->type == TL_REPORT_FILL) {
        apply_fill(x, r);
        return;
    }
    o = tl_order_store_by_client(&x->orders, r->client_seq);
    if (!o)
        return; /* an order we never sent or have long forgotten: nothing to change */
    switch (r->type) {
    case TL_REPORT_ACCEPTED:
        if (r->venue_seq)
            tl_order_store_bind_venue(&x->orders, o, r->venue_seq, NULL);
        if (o->status == TL_OS_PENDING_NEW ||
            (o->status == TL_OS_PENDING_CANCEL && o->prev_status == TL_OS_PENDING_NEW)) {
            apply_around_cancel(x, o, TL_OEV_ACCEPT, now);
            emit(x, TL_EV_ORDER_ACCEPTED, o, NULL, NULL);
        }
        break;
    case TL_REPORT_REJECTED:
        if (o->status == TL_OS_PENDING_NEW ||
            (o->status == TL_OS_PENDING_CANCEL && o->prev_status == TL_OS_PENDING_NEW)) {
            drop_open(x, o);
            apply_around_cancel(x, o, TL_OEV_REJECT, now);
            x->counts.rejected++;
            emit(x, TL_EV_ORDER_REJECTED, o, NULL, r->text);
        }
        break;
    case TL_REPORT_CANCELED:
        if (o->status == TL_OS_PENDING_CANCEL) {
            drop_open(x, o);
            tl_order_store_apply_order(&x->orders, o, TL_OEV_CANCEL_ACK, now, NULL);
            x->counts.canceled++;
            emit(x, TL_EV_ORDER_CANCELED, o, NULL, NULL);
        }
        break;
    case TL_REPORT_CANCEL_REJECTED:
        x->counts.cancel_rejects++;
        if (o->status == TL_OS_PENDING_CANCEL)
            tl_order_store_apply_order(&x->orders, o, TL_OEV_CANCEL_REJECT, now, NULL);
        break;
    case TL_REPORT_EXPIRED:
        if (o->status == TL_OS_OPEN || o->status == TL_OS_PARTIALLY_FILLED ||
            o->status == TL_OS_PENDING_CANCEL) {
            drop_open(x, o);
            apply_around_cancel(x, o, TL_OEV_EXPIRE, now);
            x->counts.expired++;
            emit(x, TL_EV_ORDER_EXPIRED, o, NULL, NULL);
        }
        break;
    default:
        break;
    }
}

int tl_exec_poll(tl_exec *x, tl_err *err)
{
    int applied = 0;
    for (;;) {
        size_t n = 0;
        int rc = tl_venue_poll(x->venue, x->reports, x->report_cap, &n, err);
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            apply_report(x, &x->reports[i]);
        applied += (int)n;
        if (n < x->report_cap)
            return applied;
    }
}

int tl_exec_on_edge(tl_exec *x, tl_fixed edge_bps, tl_err *err)
{
    if (tl_risk_on_edge(&x->risk, edge_bps) != 1)
        return 0;
    emit(x, TL_EV_RISK_FROZEN, NULL, NULL, x->risk.freeze_reason);
    int rc = tl_exec_cancel_all(x, err);
    return rc < 0 ? rc : 1;
}
