/* report.c -- what a venue says, applied: acknowledgements, rejects, fills (order, book,
 * exposure, the intent's record), cancels and expiries, with the cancel races handled through legal
 * transitions only. Live reports and recovery's replayed ones both come through here. See
 * engine.h. */
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"

/* Reports can race a cancel request: the venue acknowledges or rejects an order the engine has
 * already asked to cancel. The state machine has no PENDING_CANCEL+ACCEPT edge on purpose (it
 * would hide where the order was); the engine steps back to the pre-cancel state, applies the
 * report, and re-enters PENDING_CANCEL when the order is still live. */
static int apply_around_cancel(tl_engine *e, tl_order *o, tl_order_event ev, int64_t now)
{
    int rc;

    if (o->status != TL_OS_PENDING_CANCEL)
        return tl_order_store_apply_order(&e->orders, o, ev, now, NULL);
    if ((rc = tl_order_store_apply_order(&e->orders, o, TL_OEV_CANCEL_REJECT, now, NULL)) != 0)
        return rc;
    if ((rc = tl_order_store_apply_order(&e->orders, o, ev, now, NULL)) != 0)
        return rc;
    if (tl_order_status_is_live(o->status))
        rc = tl_order_store_apply_order(&e->orders, o, TL_OEV_CANCEL_REQUEST, now, NULL);
    return rc;
}

void tl__engine_record_of(const tl_engine *e, const tl_order *o, tl_intent_record *r)
{
    switch (o->status) {
    case TL_OS_FILLED:
        r->status = TL_INTENT_FILLED;
        break;
    case TL_OS_DENIED:
        r->status = TL_INTENT_DENIED;
        break;
    case TL_OS_REJECTED:
        r->status = TL_INTENT_REJECTED;
        break;
    case TL_OS_CANCELED:
    case TL_OS_EXPIRED:
        r->status = TL_INTENT_CANCELED;
        break;
    default:
        r->status = TL_INTENT_WORKING;
        break;
    }
    const tl_account *a = tl_book_find_account(&e->book, o->account);
    const tl_position *p = tl_book_find(&e->book, o->account, o->instrument);
    r->cash = a ? a->cash : 0;
    r->realized_pnl = a ? a->realized_pnl : 0;
    r->starting_cash = a ? a->starting_cash : 0;
    r->position_qty = p ? p->qty : 0;
    r->position_avg = p ? p->avg_price : 0;
}

/* Keeps the record of the intent that made o (if any) at the order's outcome and the state right
 * after it: what a repeat of the key will be answered. */
void tl__engine_record_update(tl_engine *e, const tl_order *o)
{
    tl_intent_record *r = o ? tl_intake_by_order(&e->intake, o->client_seq) : NULL;
    if (r)
        tl__engine_record_of(e, o, r);
}

static const char *change_name(tl_position_change c)
{
    switch (c) {
    case TL_POS_OPENED:
        return "OPENED";
    case TL_POS_CLOSED:
        return "CLOSED";
    case TL_POS_FLIPPED:
        return "FLIPPED";
    default:
        return "SCALED";
    }
}

static void apply_fill(tl_engine *e, const tl_venue_report *r)
{
    tl_order *o = tl_order_store_by_client(&e->orders, r->client_seq);
    tl_fill f;
    tl_fill_effect eff;
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
    if ((rc = tl_order_store_fill_order(&e->orders, o, &f, &o, NULL)) != 0) {
        e->counts.refused_fills++;
        tl__engine_emit(e, TL_EV_FILL_REFUSED, o, &f, NULL,
                        rc == TL_EDUPLICATE  ? "duplicate trade id"
                        : rc == TL_EOVERFILL ? "overfill"
                        : rc == TL_ENOTFOUND ? "unknown order"
                                             : tl_strerror(rc),
                        0);
        return;
    }
    e->counts.fills++;
    tl_engine_account *a = tl__engine_acct(e, o->account);
    if (was_live) {
        if (o->side == TL_SIDE_BUY)
            a->live_buy_qty -= f.qty;
        else
            a->live_sell_qty -= f.qty;
        if (o->status == TL_OS_FILLED)
            tl__engine_gov_live(e, o, 0, -1); /* its last fill: no longer live */
    }
    const tl_position *before = tl_book_find(&e->book, o->account, o->instrument);
    tl_fixed qty_before = before ? before->qty : 0;
    if (tl_book_apply_fill(&e->book, o->account, o->instrument, (tl_side)o->side, f.qty, f.price,
                           f.fee, &eff) != 0) {
        /* The fill is recorded with its order; a position that cannot represent it is corrupt
         * state, which must stop trading rather than be papered over. */
        if (tl_risk_freeze(&e->risk, "position overflow: state cannot represent a fill") == 1)
            tl__engine_emit(e, TL_EV_RISK_FROZEN, NULL, NULL, NULL, e->risk.freeze_reason, 0);
        return;
    }
    if (was_live && o->status == TL_OS_FILLED)
        e->counts.filled++;
    const tl_position *pos = tl_book_find(&e->book, o->account, o->instrument);
    /* Notionals are the home account's (the portfolio limits are its). */
    if (o->account == e->cfg.account)
        tl__engine_refresh_notional(e, o->instrument, pos);
    tl__engine_gov_fill(e, o, qty_before, pos, &f, &eff);
    tl__engine_emit(e, TL_EV_ORDER_FILLED, o, &f, pos, NULL, 0);
    tl__engine_emit_position(e, o, pos, &eff);
    tl_intent_record *rec = tl_intake_by_order(&e->intake, o->client_seq);
    if (rec) {
        memcpy(rec->trade_id, f.trade_id, sizeof(rec->trade_id));
        snprintf(rec->change, sizeof(rec->change), "%s", change_name(eff.change));
    }
    tl__engine_record_update(e, o);
}

void tl__engine_apply_report(tl_engine *e, const tl_venue_report *r)
{
    tl_order *o;
    int64_t now = r->ts_ns;

    if (r->type == TL_REPORT_FILL) {
        apply_fill(e, r);
        return;
    }
    o = tl_order_store_by_client(&e->orders, r->client_seq);
    if (!o)
        return; /* an order we never sent or have long forgotten: nothing to change */
    switch (r->type) {
    case TL_REPORT_ACCEPTED:
        if (r->venue_seq)
            tl_order_store_bind_venue(&e->orders, o, r->venue_seq, NULL);
        if (o->status == TL_OS_PENDING_NEW ||
            (o->status == TL_OS_PENDING_CANCEL && o->prev_status == TL_OS_PENDING_NEW)) {
            apply_around_cancel(e, o, TL_OEV_ACCEPT, now);
            tl__engine_emit(e, TL_EV_ORDER_ACCEPTED, o, NULL, NULL, NULL, 0);
        }
        break;
    case TL_REPORT_REJECTED:
        if (o->status == TL_OS_PENDING_NEW ||
            (o->status == TL_OS_PENDING_CANCEL && o->prev_status == TL_OS_PENDING_NEW)) {
            tl__engine_drop_open(e, o);
            apply_around_cancel(e, o, TL_OEV_REJECT, now);
            e->counts.rejected++;
            tl__engine_emit(e, TL_EV_ORDER_REJECTED, o, NULL, NULL, r->text, 0);
            tl__engine_record_update(e, o);
            tl_intent_record *rec = tl_intake_by_order(&e->intake, o->client_seq);
            if (rec)
                memcpy(rec->reason, r->text, strnlen(r->text, sizeof(r->text) - 1) + 1);
        }
        break;
    case TL_REPORT_CANCELED:
        if (o->status == TL_OS_PENDING_CANCEL) {
            tl__engine_drop_open(e, o);
            tl_order_store_apply_order(&e->orders, o, TL_OEV_CANCEL_ACK, now, NULL);
            e->counts.canceled++;
            tl__engine_emit(e, TL_EV_ORDER_CANCELED, o, NULL, NULL, NULL, 0);
            tl__engine_record_update(e, o);
        }
        break;
    case TL_REPORT_CANCEL_REJECTED:
        /* Journaled whatever the order's state (a reject that races a fill is still counted),
         * so a recovered engine counts what the live one did. */
        e->counts.cancel_rejects++;
        if (o->status == TL_OS_PENDING_CANCEL)
            tl_order_store_apply_order(&e->orders, o, TL_OEV_CANCEL_REJECT, now, NULL);
        tl__engine_emit(e, TL_EV_CANCEL_REJECTED, o, NULL, NULL, r->text, 0);
        break;
    case TL_REPORT_EXPIRED:
        if (o->status == TL_OS_OPEN || o->status == TL_OS_PARTIALLY_FILLED ||
            o->status == TL_OS_PENDING_CANCEL || o->status == TL_OS_PENDING_NEW) {
            tl__engine_drop_open(e, o);
            if (o->status == TL_OS_PENDING_NEW)
                tl_order_store_apply_order(&e->orders, o, TL_OEV_ACCEPT, now, NULL);
            apply_around_cancel(e, o, TL_OEV_EXPIRE, now);
            e->counts.expired++;
            tl__engine_emit(e, TL_EV_ORDER_EXPIRED, o, NULL, NULL, r->text, 0);
            tl__engine_record_update(e, o);
        }
        break;
    default:
        break;
    }
}

int tl_engine_poll(tl_engine *e, tl_err *err)
{
    int applied = 0;
    for (;;) {
        size_t n = 0;
        int rc = tl_venue_poll(e->venue, e->reports, e->report_cap, &n, err);
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            tl__engine_apply_report(e, &e->reports[i]);
        applied += (int)n;
        if (n < e->report_cap)
            return applied;
    }
}
