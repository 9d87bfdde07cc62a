/* engine.c -- the kernel's state and the transitions it starts itself (orders, cancels, freezes,
 * resets); see engine.h. What venues report is applied in report.c, intents are in intent.c, the
 * fan-out and the step boundary in emit.c, recovery in recover.c. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

#define REPORT_BATCH 256

int tl_engine_init(tl_engine *e, const tl_engine_config *cfg, const tl_instruments *instruments,
                   tl_venue *venue, const tl_clock *clock, tl_err *err)
{
    tl_engine x;
    int rc;

    memset(&x, 0, sizeof(x));
    x.venue = venue;
    x.clock = clock;
    x.cfg = *cfg;
    if (x.cfg.workspace[0] == '\0')
        memcpy(x.cfg.workspace, "default", sizeof("default"));
    if (x.cfg.mode[0] == '\0')
        memcpy(x.cfg.mode, "shadow", sizeof("shadow"));
    if ((rc = tl_workspace_validate(x.cfg.workspace, err)) != 0)
        return rc;
    tl_instruments_init(&x.instruments);
    for (uint32_t i = 0; instruments && i < instruments->count; i++) {
        uint32_t id;
        if ((rc = tl_instruments_add(&x.instruments, &instruments->items[i], &id, err)) != 0) {
            tl_instruments_close(&x.instruments);
            return rc;
        }
    }
    uint32_t n = x.instruments.count;
    if ((rc = tl_risk_init(&x.risk, &cfg->risk, n, err)) != 0)
        goto fail_inst;
    if ((rc = tl_order_store_init(&x.orders, cfg->order_capacity ? cfg->order_capacity : 1024,
                                  cfg->retain_terminal)) != 0)
        goto fail_risk;
    if ((rc = tl_book_init(&x.book, cfg->starting_cash)) != 0)
        goto fail_store;
    if ((rc = tl_intake_init(&x.intake)) != 0)
        goto fail_book;
    if ((rc = tl_hashmap_init(&x.acct_by_name, 16)) != 0)
        goto fail_intake;
    /* The home account: the one every single-account mode trades, and the workspace of the
     * engine's own events (freezes, the kill switch). */
    if ((rc = tl__engine_account_push(&x, x.cfg.workspace, cfg->starting_cash, &cfg->risk, NULL,
                                      err)) != 0) {
        free(x.accts);
        tl_hashmap_close(&x.acct_by_name);
        tl_intake_close(&x.intake);
        tl_book_close(&x.book);
        tl_order_store_close(&x.orders);
        tl_risk_close(&x.risk);
        tl_instruments_close(&x.instruments);
        return rc;
    }
    x.expo_cap = n ? n : 1;
    x.expo = calloc(x.expo_cap, sizeof(*x.expo));
    x.reports = calloc(REPORT_BATCH, sizeof(*x.reports));
    if (!x.expo || !x.reports) {
        rc = TL_ENOMEM;
        goto fail_mem;
    }
    x.report_cap = REPORT_BATCH;
    *e = x;
    return 0;

fail_mem:
    free(x.expo);
    free(x.reports);
    free(x.accts);
    tl_hashmap_close(&x.acct_by_name);
fail_intake:
    tl_intake_close(&x.intake);
fail_book:
    tl_book_close(&x.book);
fail_store:
    tl_order_store_close(&x.orders);
fail_risk:
    tl_risk_close(&x.risk);
fail_inst:
    tl_instruments_close(&x.instruments);
    return tl_err_set(err, rc, "engine: %s", tl_strerror(rc));
}

void tl_engine_close(tl_engine *e)
{
    tl_order_store_close(&e->orders);
    tl_book_close(&e->book);
    tl_risk_close(&e->risk);
    tl_intake_close(&e->intake);
    tl_instruments_close(&e->instruments);
    free(e->expo);
    free(e->reports);
    free(e->outbox);
    free(e->released);
    free(e->accts);
    tl_hashmap_close(&e->acct_by_name);
    memset(e, 0, sizeof(*e));
}

int tl_engine_subscribe(tl_engine *e, const tl_engine_subscriber *sub)
{
    if (sub == NULL || sub->on_event == NULL)
        return TL_EINVAL;
    if (e->nsubs == TL_ENGINE_MAX_SUBSCRIBERS)
        return TL_ENOMEM;
    e->subs[e->nsubs++] = *sub;
    return 0;
}

int tl_engine_instrument(tl_engine *e, const char *symbol, uint32_t *id, tl_err *err)
{
    tl_instrument inst;
    int rc;
    if (tl_instruments_find(&e->instruments, symbol, id) == 0)
        return 0;
    rc = e->cfg.any_symbol ? tl_instrument_any(symbol, &inst, err)
                           : tl_instrument_default(symbol, &inst, err);
    if (rc != 0)
        return rc;
    uint32_t n = e->instruments.count + 1;
    if (n > e->expo_cap) {
        uint32_t cap = e->expo_cap;
        if (TL_VEC_RESERVE32(&e->expo, &cap, n) != 0)
            return tl_err_set(err, TL_ENOMEM, "engine: out of memory");
        memset(e->expo + e->expo_cap, 0, (size_t)(cap - e->expo_cap) * sizeof(*e->expo));
        e->expo_cap = cap;
    }
    if (tl_risk_grow(&e->risk, n) != 0)
        return tl_err_set(err, TL_ENOMEM, "engine: out of memory");
    return tl_instruments_add(&e->instruments, &inst, id, err);
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
 * price changed, pos being the engine account's position in it (NULL: none). O(1): the total is
 * kept incrementally. */
void tl__engine_refresh_notional(tl_engine *e, uint32_t instrument, const tl_position *pos)
{
    tl_engine_exposure *ex = &e->expo[instrument];
    tl_fixed qty = pos ? pos->qty : 0;
    tl_fixed n = notional_of(qty, tl_risk_reference(&e->risk, instrument));
    tl_fixed total;

    if (tl_fixed_add(e->total_notional - ex->notional, n, &total) != 0)
        total = TL_FIXED_MAX;
    e->total_notional = total;
    ex->notional = n;
}

static void refresh_notional(tl_engine *e, uint32_t instrument)
{
    tl__engine_refresh_notional(e, instrument, tl_book_find(&e->book, e->cfg.account, instrument));
}

int tl_engine_on_quote(tl_engine *e, uint32_t instrument, tl_fixed bid, tl_fixed ask)
{
    return tl_engine_on_quote_at(e, instrument, bid, ask, tl_clock_now(e->clock));
}

int tl_engine_on_quote_at(tl_engine *e, uint32_t instrument, tl_fixed bid, tl_fixed ask,
                          int64_t ts_ns)
{
    if (instrument >= e->instruments.count || bid <= 0 || ask < bid)
        return TL_EINVAL;
    int rc = tl_risk_set_quote(&e->risk, instrument, bid, ask, ts_ns);
    if (rc == 0)
        refresh_notional(e, instrument);
    return rc;
}

void tl__engine_add_open(tl_engine *e, const tl_order *o)
{
    tl__engine_gov_live(e, o, tl_order_leaves(o), +1);
}

/* Removes an order's unfilled quantity from the live exposure when it stops being live. */
void tl__engine_drop_open(tl_engine *e, const tl_order *o)
{
    tl__engine_gov_live(e, o, tl_order_leaves(o), -1);
}

int tl__engine_create_order(tl_engine *e, uint32_t account, uint32_t instrument, tl_side side,
                            tl_order_type type, tl_fixed price, tl_fixed qty, int64_t now,
                            const char *name, tl_order **out)
{
    uint64_t other;
    int rc;
    /* An external id names one order for ever: refused before anything is created. */
    if (name && name[0] && tl_intake_order_by_name(&e->intake, name, &other))
        return TL_EDUPLICATE;
    if ((rc = tl_order_store_create(&e->orders, instrument, account, side, type, price, qty, now,
                                    out)) != 0)
        return rc;
    if (name && name[0] && (rc = tl_intake_name_order(&e->intake, (*out)->client_seq, name)) != 0)
        return rc;
    return 0;
}

/* What an order of account a in instrument may reduce: the open position less what live orders on
 * the reducing side already take (an order of another instrument reduces nothing). */
static tl_fixed reducible(const tl_engine_account *a, const tl_position *pos, tl_side side)
{
    tl_fixed held = pos ? pos->qty : 0;
    if (side == TL_SIDE_SELL && held > 0)
        return held - a->live_sell_qty > 0 ? held - a->live_sell_qty : 0;
    if (side == TL_SIDE_BUY && held < 0)
        return -held - a->live_buy_qty > 0 ? -held - a->live_buy_qty : 0;
    return 0;
}

int tl__engine_place(tl_engine *e, const tl__place *p, uint64_t *client_seq, tl_risk_reason *reason,
                     tl_err *err)
{
    uint32_t instrument = p->instrument;
    tl_side side = p->side;
    tl_order_type type = p->type;
    tl_fixed price = p->price, qty = p->qty;
    const char *action = p->action;
    bool intent = p->intent;
    tl_engine_account *acct = p->acct;
    const tl_instrument *inst =
        instrument < e->instruments.count ? &e->instruments.items[instrument] : NULL;
    int64_t now = tl_clock_now(e->clock);
    tl_risk_reason why = TL_RR_OK;
    tl_risk_exposure rx = {0};
    tl_order *o = NULL;
    uint64_t seq = 0;
    int rc;

    if (e->halted)
        return tl_err_set(err, TL_ESTATE, "engine halted: %s", e->halt_err.msg);
    if (inst) {
        const tl_engine_exposure *ex = &e->expo[instrument];
        const tl_position *pos = tl_book_find(&e->book, acct->id, instrument);
        /* The cash is looked up only for the rule that reads it. */
        const tl_account *ba =
            acct->risk.require_cash ? tl_book_find_account(&e->book, acct->id) : NULL;
        tl_fixed net = pos ? pos->qty : 0;
        tl_fixed room = reducible(acct, pos, side);
        /* An exit never increases or flips a position: cut to what is left to reduce (with
         * nothing left the order keeps its size and REDUCE_ONLY refuses it). */
        if (p->reduce_only && qty > room && room > 0)
            qty = room;
        /* Worst case in the order's direction: every live order on that side fills too. */
        rx.position_qty =
            side == TL_SIDE_BUY ? net + acct->live_buy_qty : net - acct->live_sell_qty;
        rx.symbol_notional = ex->notional;
        rx.total_notional = e->total_notional;
        rx.held_qty = net;
        rx.cash = ba ? ba->cash : 0;
        rx.is_exit = qty > 0 && qty <= room;
        rx.expected_price = p->expected_price;
        rx.reduce_only = p->reduce_only;
        rx.is_limit = type == TL_ORDER_LIMIT;
        rx.cfg = &acct->risk;
        rx.gov = &acct->gov;
        rx.account = acct->name;
        rx.busy_symbol = acct->gov.busy_instrument < e->instruments.count
                             ? e->instruments.items[acct->gov.busy_instrument].symbol
                             : NULL;
        rx.busy_accounts = e->busy_accounts;
        /* Every order that reaches the rules gets an id and a record, accepted or not. */
        if ((rc = tl__engine_create_order(e, acct->id, instrument, side, type, price, qty, now,
                                          p->name, &o)) != 0)
            return tl_err_set(err, rc, "order %s: %s", p->name && p->name[0] ? p->name : "",
                              rc == TL_EDUPLICATE ? "order id already used" : tl_strerror(rc));
        seq = o->client_seq;
        if (client_seq)
            *client_seq = seq;
    }
    if (intent)
        tl__engine_emit(e, TL_EV_INTENT_EMITTED, o, NULL, NULL, action, 0);
    /* The journal wants the refusal's text even when the caller does not. Only its text is ever
     * read, so it starts as the empty string rather than 260 zeroed bytes per order. */
    tl_err local;
    local.code = 0;
    local.msg[0] = '\0';
    tl_err *ep = err ? err : (e->nsubs ? &local : NULL);
    rc = tl_risk_check(&e->risk, inst, instrument, side, price, qty, &rx, now, &why, ep);
    if (intent)
        tl__engine_emit(e, TL_EV_POLICY_EVALUATED, o, NULL, NULL,
                        rc == 0 ? "approved" : (ep ? ep->msg : tl_risk_reason_name(why)), why);
    if (rc != 0) {
        e->counts.risk_blocks++;
        if (reason)
            *reason = why;
        /* A denied order is kept (DENIED, terminal) so that it has an id and a record. */
        if (o)
            tl_order_store_apply_order(&e->orders, o, TL_OEV_DENY, now, NULL);
        tl__engine_emit(e, TL_EV_INTENT_DENIED, o, NULL, NULL,
                        ep ? ep->msg : tl_risk_reason_name(why), why);
        return rc;
    }
    if (intent)
        tl__engine_emit(e, TL_EV_INTENT_APPROVED, o, NULL, NULL, NULL, 0);

    tl_venue_order vo;
    memset(&vo, 0, sizeof(vo));
    vo.client_seq = seq;
    /* Only an external id is sent: a venue formats "CLI…" itself when it needs one, and
     * formatting it here for every order cost a sixth of the hot path. */
    const char *ext = tl_intake_order_name(&e->intake, seq);
    if (ext)
        memcpy(vo.client_id, ext, strlen(ext) + 1);
    memcpy(vo.symbol, inst->symbol, sizeof(vo.symbol));
    vo.side = (uint8_t)side;
    vo.type = (uint8_t)type;
    vo.price = price;
    vo.qty = qty;
    vo.lot_size = inst->lot_size;
    e->counts.placed++;
    tl__engine_emit(e, TL_EV_ORDER_SUBMITTED, o, NULL, NULL,
                    type == TL_ORDER_MARKET ? "MARKET" : "LIMIT", 0);
    if ((rc = tl_venue_place(e->venue, &vo, ep)) != 0) {
        /* Never reached the venue: the order ends REJECTED so the counts still reconcile. The
         * order is looked up again: the venue call cannot move it, but the pointer is not kept
         * across calls out of the kernel on principle. */
        o = tl_order_store_by_client(&e->orders, seq);
        tl_order_store_apply_order(&e->orders, o, TL_OEV_REJECT, now, NULL);
        e->counts.rejected++;
        tl__engine_emit(e, TL_EV_ORDER_REJECTED, o, NULL, NULL, ep ? ep->msg : "place failed", 0);
        tl__engine_record_update(e, o);
        return rc;
    }
    tl__engine_add_open(e, tl_order_store_by_client(&e->orders, seq));
    if (reason)
        *reason = TL_RR_OK;
    return 0;
}

int tl_engine_submit(tl_engine *e, uint32_t instrument, tl_side side, tl_order_type type,
                     tl_fixed price, tl_fixed qty, uint64_t *client_seq, tl_risk_reason *reason,
                     tl_err *err)
{
    tl__place p = {.acct = &e->accts[0],
                   .instrument = instrument,
                   .side = side,
                   .type = type,
                   .price = price,
                   .qty = qty};
    return tl__engine_place(e, &p, client_seq, reason, err);
}

int tl_engine_cancel(tl_engine *e, uint64_t client_seq, tl_err *err)
{
    tl_order *o = tl_order_store_by_client(&e->orders, client_seq);
    int64_t now = tl_clock_now(e->clock);
    int rc;

    if (!o)
        return tl_err_set(err, TL_ENOTFOUND, "cancel: no order %llu",
                          (unsigned long long)client_seq);
    if ((rc = tl_order_store_apply_order(&e->orders, o, TL_OEV_CANCEL_REQUEST, now, err)) != 0)
        return rc;
    e->counts.cancel_requests++;
    tl__engine_emit(e, TL_EV_CANCEL_REQUESTED, o, NULL, NULL, NULL, 0);
    if (e->recovering)
        return 0;
    if ((rc = tl_venue_cancel(e->venue, client_seq, err)) != 0) {
        /* The request never left: back to where the order was, and the journal says so. */
        tl_order_store_apply_order(&e->orders, o, TL_OEV_CANCEL_REJECT, now, NULL);
        e->counts.cancel_rejects++;
        tl__engine_emit(e, TL_EV_CANCEL_REJECTED, o, NULL, NULL, "cancel not sent", 0);
        return rc;
    }
    return 0;
}

typedef struct cancel_walk {
    uint64_t *seqs;
    size_t n, cap;
    bool one; /* only the orders of account */
    uint32_t account;
} cancel_walk;

static int collect_cancelable(void *ctx, tl_order *o)
{
    cancel_walk *w = ctx;
    if (o->status == TL_OS_PENDING_CANCEL || (w->one && o->account != w->account))
        return 0;
    if (TL_VEC_RESERVE(&w->seqs, &w->cap, w->n + 1) != 0)
        return TL_ENOMEM;
    w->seqs[w->n++] = o->client_seq;
    return 0;
}

static int cancel_walked(tl_engine *e, cancel_walk *wp, tl_err *err)
{
    cancel_walk w = *wp;
    int rc = tl_order_store_each_live(&e->orders, collect_cancelable, &w);
    int sent = 0;

    /* Collected first, canceled after: canceling must not disturb the walk. */
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        if (tl_engine_cancel(e, w.seqs[i], err) == 0)
            sent++;
    }
    free(w.seqs);
    if (rc != 0)
        return tl_err_set(err, rc, "cancel all: %s", tl_strerror(rc));
    return sent;
}

int tl_engine_cancel_all(tl_engine *e, tl_err *err)
{
    cancel_walk w = {0};
    return cancel_walked(e, &w, err);
}

int tl_engine_cancel_account(tl_engine *e, uint32_t account, tl_err *err)
{
    cancel_walk w = {.one = true, .account = account};
    return cancel_walked(e, &w, err);
}

int tl_engine_on_edge(tl_engine *e, tl_fixed edge_bps, tl_err *err)
{
    if (tl_risk_on_edge(&e->risk, edge_bps) != 1)
        return 0;
    tl__engine_emit(e, TL_EV_RISK_FROZEN, NULL, NULL, NULL, e->risk.freeze_reason, 0);
    int rc = tl_engine_cancel_all(e, err);
    return rc < 0 ? rc : 1;
}

int tl_engine_freeze(tl_engine *e, const char *reason, tl_err *err)
{
    if (tl_risk_freeze(&e->risk, reason) != 1)
        return 0;
    tl__engine_emit(e, TL_EV_RISK_FROZEN, NULL, NULL, NULL, e->risk.freeze_reason, 0);
    if (e->recovering)
        return 1;
    int rc = tl_engine_cancel_all(e, err);
    return rc < 0 ? rc : 1;
}

void tl_engine_unfreeze(tl_engine *e)
{
    if (!e->risk.frozen)
        return;
    tl_risk_unfreeze(&e->risk);
    tl__engine_emit(e, TL_EV_RISK_UNFROZEN, NULL, NULL, NULL, "unfrozen", 0);
}

void tl_engine_order_id(const tl_engine *e, const tl_order *o, char *buf)
{
    const char *name = o ? tl_intake_order_name(&e->intake, o->client_seq) : NULL;
    if (name)
        memcpy(buf, name, strlen(name) + 1);
    else if (o)
        tl_order_format_client_id(o->client_seq, buf);
    else
        buf[0] = '\0';
}
