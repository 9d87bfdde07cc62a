/* loop.c -- the governed loop's inputs: quotes (filters, the venue's price, stops), signals (the
 * governed intents), the kill switch and the step boundary. See loop.h. The report is in
 * loop_report.c, reconciliation in reconcile.c. */
#include "loop/loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/recover.h"

#define CROSSED_BATCH 64

static const char *const refusal_names[] = {
#define TL__LR_NAME(name, text) #name,
    TL_LOOP_REFUSAL_MAP(TL__LR_NAME)
#undef TL__LR_NAME
};

const char *tl_loop_refusal_name(int code)
{
    if (code >= 0 && code < TL_RR__COUNT)
        return tl_risk_reason_name(code);
    if (code > TL_LR__FIRST && code < TL_LR__COUNT)
        return refusal_names[code - TL_LR__FIRST - 1];
    return "?";
}

static uint32_t slot_of(const tl_loop *l, uint32_t account)
{
    return account - l->engine.cfg.account;
}

static void remember_refusal(tl_loop *l, int64_t ts, const char *account, const char *symbol,
                             int code, const char *text)
{
    l->stats.refusals[code]++;
    tl_loop_refusal_rec *r = &l->recent[l->recent_next];
    r->ts_ns = ts;
    snprintf(r->account, sizeof(r->account), "%s", account);
    snprintf(r->symbol, sizeof(r->symbol), "%s", symbol);
    r->code = code;
    snprintf(r->text, sizeof(r->text), "%s", text);
    l->recent_next = (l->recent_next + 1) % TL_LOOP_RECENT;
    if (l->recent_n < TL_LOOP_RECENT)
        l->recent_n++;
}

/* The stop of one position, after it changed (pos: its state now). */
static void keep_stop(tl_loop *l, uint32_t account, uint32_t instrument, const tl_position *pos)
{
    if (!pos || pos->qty == 0) {
        tl_stop_book_remove(&l->stops, account, instrument);
        return;
    }
    tl_fixed px;
    bool is_long = pos->qty > 0;
    tl_err err = {0};
    if (tl_stop_price(is_long, pos->avg_price, l->accts[slot_of(l, account)].stop_loss_pct, &px) !=
            0 ||
        tl_stop_book_set(&l->stops, account, instrument, is_long, px, tl_fixed_abs(pos->qty),
                         &err) != 0) {
        if (l->stop_err.code == 0)
            tl_err_set(&l->stop_err, TL_ERANGE, "stop of account %u: %s", account,
                       err.msg[0] ? err.msg : "stop price out of range");
    }
}

/* The exit a stop sent has ended: with a position left, the stop is armed again. One the venue
 * rejected never took anything out: it is not counted as a stop-loss exit. */
static void exit_ended(tl_loop *l, const tl_order *o)
{
    tl_loop_acct *a = &l->accts[slot_of(l, o->account)];
    if (a->exit_seq != o->client_seq)
        return;
    a->exit_seq = 0;
    if (o->status == TL_OS_REJECTED && l->stats.exits_stop_loss > 0)
        l->stats.exits_stop_loss--;
    const tl_position *p = tl_book_find(&l->engine.book, o->account, o->instrument);
    if (p && p->qty != 0)
        tl_stop_book_arm(&l->stops, o->account, o->instrument);
}

/* Something of the account changed: a stop held after a refused exit is armed again (the next
 * crossing quote tries once more). Not while an exit of the stop is in flight, nor while other
 * exits in flight already cover the whole position (the exit would only be refused again). */
static void release_held(tl_loop *l, uint32_t account)
{
    uint32_t i = slot_of(l, account);
    if (i >= l->engine.n_accts)
        return;
    tl_loop_acct *a = &l->accts[i];
    if (!a->stop_held || a->exit_seq != 0)
        return;
    const tl_engine_account *ea = &l->engine.accts[i];
    const tl_position *p = tl_book_find(&l->engine.book, account, a->held_instrument);
    if (p && p->qty != 0 &&
        tl_fixed_abs(p->qty) <= (p->qty > 0 ? ea->live_sell_qty : ea->live_buy_qty))
        return;
    a->stop_held = false;
    if (p && p->qty != 0)
        tl_stop_book_arm(&l->stops, account, a->held_instrument);
}

/* The loop's subscriber: it reads the event (and the book, read-only) and never calls the engine.
 */
static void on_event(void *ctx, const tl_engine_event *ev)
{
    tl_loop *l = ctx;
    const tl_order *o = ev->order;
    switch (ev->rec->type) {
    case TL_EV_ORDER_FILLED:
        if (o && ev->position)
            keep_stop(l, o->account, o->instrument, ev->position);
        if (o && o->status == TL_OS_FILLED)
            exit_ended(l, o);
        if (o)
            release_held(l, o->account);
        break;
    case TL_EV_ORDER_CANCELED:
    case TL_EV_ORDER_REJECTED:
    case TL_EV_ORDER_EXPIRED:
        if (o) {
            exit_ended(l, o);
            release_held(l, o->account);
        }
        break;
    case TL_EV_ACCOUNT_UNFROZEN:
        if (ev->acct)
            release_held(l, ev->acct->id);
        break;
    case TL_EV_RISK_UNFROZEN:
        for (uint32_t i = 0; i < l->engine.n_accts; i++)
            release_held(l, l->engine.accts[i].id);
        break;
    case TL_EV_INTENT_DENIED:
        remember_refusal(l, ev->rec->ts_ns, ev->rec->workspace, ev->symbol, ev->rule,
                         ev->rec->text);
        break;
    default:
        break;
    }
}

/* After recovery: every open position gets its stop back. */
static int rebuild_stops(tl_loop *l, tl_err *err)
{
    const tl_book *b = &l->engine.book;
    for (uint32_t i = 0; i < b->pos_count; i++) {
        const tl_position *p = &b->positions[i];
        if (p->qty != 0 && slot_of(l, p->account) < l->engine.n_accts)
            keep_stop(l, p->account, p->instrument, p);
    }
    if (l->stop_err.code != 0) {
        if (err)
            *err = l->stop_err;
        return l->stop_err.code;
    }
    return 0;
}

int tl_loop_init(tl_loop *l, const tl_loop_config *cfg, tl_venue *venue, const tl_clock *clock,
                 tl_store *store, tl_journal *journal, tl_err *err)
{
    int rc;
    memset(l, 0, sizeof(*l));
    if (cfg->n_vas == 0)
        return tl_err_set(err, TL_EINVAL, "run: no virtual account");
    l->venue = venue;
    l->clock = clock;

    tl_engine_config ec;
    memset(&ec, 0, sizeof(ec));
    snprintf(ec.workspace, sizeof(ec.workspace), "%s", cfg->vas[0].name);
    memcpy(ec.mode, TL_LOOP_MODE, sizeof(TL_LOOP_MODE));
    ec.account = 1;
    ec.starting_cash = cfg->vas[0].starting_balance;
    ec.order_capacity = cfg->order_capacity;
    ec.any_symbol = true;
    /* The monitor's own configuration holds the engine-wide limits; each account its rules. */
    ec.risk = cfg->engine_risk;
    if ((rc = tl_engine_init(&l->engine, &ec, NULL, venue, clock, err)) != 0)
        return rc;
    l->engine.accts[0].risk = cfg->vas[0].risk;
    for (size_t i = 1; i < cfg->n_vas; i++) {
        if ((rc = tl_engine_add_account(&l->engine, cfg->vas[i].name, cfg->vas[i].starting_balance,
                                        &cfg->vas[i].risk, NULL, err)) != 0)
            goto fail;
    }
    if (!(l->accts = calloc(cfg->n_vas, sizeof(*l->accts)))) {
        rc = tl_err_set(err, TL_ENOMEM, "run: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < cfg->n_vas; i++)
        l->accts[i].stop_loss_pct = cfg->vas[i].stop_loss_pct;
    if ((rc = tl_stop_book_init(&l->stops, cfg->n_vas)) != 0) {
        rc = tl_err_set(err, rc, "run: out of memory");
        goto fail;
    }
    tl_engine_subscriber me = {on_event, NULL, l};
    if (journal) {
        tl_engine_subscriber j = tl_journal_subscriber(journal);
        tl_engine_subscribe(&l->engine, &j);
    }
    tl_engine_subscribe(&l->engine, &me);
    if (store && (rc = tl_engine_recover(&l->engine, store, err)) != 0)
        goto fail;
    for (uint32_t i = 0; i < l->engine.n_accts; i++) {
        tl_engine_account *a = &l->engine.accts[i];
        if (!a->has_reset && (rc = tl_engine_reset_account(&l->engine, a->id,
                                                           cfg->vas[i].starting_balance, err)) != 0)
            goto fail;
    }
    /* Orders the journal holds live: a venue that can follows them again and tells what they did
     * while the engine was down; those this venue does not know end now, before any trading. */
    uint64_t expired = 0, adopted = 0;
    if ((rc = tl_engine_adopt_venue(&l->engine, &adopted, err)) != 0 ||
        (rc = tl_engine_reconcile_venue(&l->engine, &expired, err)) != 0)
        goto fail;
    l->stats.reconcile_expired += expired;
    l->stats.adopted = adopted;
    if ((rc = rebuild_stops(l, err)) != 0 || (rc = tl__loop_baseline(l, err)) != 0)
        goto fail;
    if ((rc = tl_engine_flush(&l->engine, true, err)) != 0)
        goto fail;
    snprintf(l->last_reconcile, sizeof(l->last_reconcile), "not run yet");
    return 0;
fail:
    tl_loop_close(l);
    return rc;
}

void tl_loop_close(tl_loop *l)
{
    if (l->engine.accts)
        tl_engine_close(&l->engine);
    tl_stop_book_close(&l->stops);
    free(l->accts);
    free(l->suspects);
    free(l->baseline);
    memset(l, 0, sizeof(*l));
}

/* One stop crossed: a reduce-only market exit of the whole position, the stop disarmed while it
 * is in flight. */
static int stop_exit(tl_loop *l, const tl_stop *s, tl_fixed bid, tl_fixed ask, tl_err *err)
{
    tl_stop_book_disarm(&l->stops, s->account, s->instrument);
    tl_intent in = {0};
    in.action = "STOP_LOSS";
    in.account = s->account;
    in.instrument = s->instrument;
    in.side = s->is_long ? TL_SIDE_SELL : TL_SIDE_BUY;
    in.type = TL_ORDER_MARKET;
    in.price = s->is_long ? bid : ask; /* the reference of a market order: where it should fill */
    in.qty = s->qty;
    in.reduce_only = true;
    tl_engine_result r;
    int rc = tl_engine_intent(&l->engine, &in, &r, err);
    if (rc != 0)
        return rc;
    if (r.rec.status == TL_INTENT_DENIED || r.rec.status == TL_INTENT_REFUSED) {
        /* Held, not lost: the refusal is counted, and the stop is armed again when something of
         * the account changes (release_held). Before, it stayed disarmed for good: a frozen
         * account, once unfrozen, kept a position without a working stop. */
        tl_loop_acct *a = &l->accts[slot_of(l, s->account)];
        a->stop_held = true;
        a->held_instrument = s->instrument;
        return 0;
    }
    /* Counted when it went out: one the venue refused at once is re-armed below, and counting
     * it too would report two stop-loss exits for one. */
    if (r.rec.status != TL_INTENT_REJECTED)
        l->stats.exits_stop_loss++;
    const tl_order *o = tl_order_store_by_client(&l->engine.orders, r.rec.client_seq);
    if (o && tl_order_status_is_live(o->status)) {
        l->accts[slot_of(l, s->account)].exit_seq = o->client_seq;
    } else {
        /* Ended at once (an immediate venue): armed again if anything is left. */
        const tl_position *p = tl_book_find(&l->engine.book, s->account, s->instrument);
        if (p && p->qty != 0)
            tl_stop_book_arm(&l->stops, s->account, s->instrument);
    }
    return 0;
}

int tl_loop_poll(tl_loop *l, tl_err *err)
{
    if (tl_engine_open_count(&l->engine) == 0)
        return 0;
    int rc = tl_engine_poll(&l->engine, err);
    return rc < 0 ? rc : 0;
}

int tl_loop_on_quote(tl_loop *l, const tl_quote *q, tl_err *err)
{
    uint32_t inst;
    int rc;
    if ((rc = tl_engine_instrument(&l->engine, q->symbol, &inst, err)) != 0)
        return rc;
    if ((rc = tl_engine_on_quote_at(&l->engine, inst, q->bid, q->ask, q->ts_ns)) != 0)
        return tl_err_set(err, rc, "quote %s: %s", q->symbol, tl_strerror(rc));
    if ((rc = tl_venue_on_quote(l->venue, q->symbol, q->bid, q->ask, q->ts_ns, err)) != 0)
        return rc;
    /* Orders in flight may fill at this quote. */
    if ((rc = tl_loop_poll(l, err)) != 0)
        return rc;
    tl_stop crossed[CROSSED_BATCH];
    size_t n;
    int more;
    do {
        more = tl_stop_book_crossed(&l->stops, inst, q->bid, q->ask, crossed, CROSSED_BATCH, &n);
        for (size_t i = 0; i < n; i++)
            if ((rc = stop_exit(l, &crossed[i], q->bid, q->ask, err)) != 0)
                return rc;
    } while (more);
    if (l->stop_err.code != 0) {
        if (err)
            *err = l->stop_err;
        return l->stop_err.code;
    }
    return 0;
}

static void refuse_signal(tl_loop *l, const tl_signal *s, int code, const char *text)
{
    l->stats.signals_refused++;
    remember_refusal(l, s->ts_ns, s->account, s->symbol, code, text);
}

int tl_loop_on_signal(tl_loop *l, const tl_signal *s, tl_err *err)
{
    tl_engine *e = &l->engine;
    char key[TL_IDEM_KEY_MAX], text[TL_EVENT_TEXT_MAX];
    uint32_t inst;
    int rc;

    l->stats.signals_received++;
    tl_engine_account *a = tl_engine_account_named(e, s->account);
    if (!a) {
        snprintf(text, sizeof(text), "UNKNOWN_ACCOUNT: no virtual account '%s'", s->account);
        refuse_signal(l, s, TL_LR_UNKNOWN_ACCOUNT, text);
        return 0;
    }
    if ((rc = tl_engine_instrument(e, s->symbol, &inst, err)) != 0)
        return rc;
    const tl_risk_quote *q = &e->risk.quotes[inst];
    if (q->ts_ns == 0) {
        snprintf(text, sizeof(text), "NO_QUOTE: no quote for %s yet", s->symbol);
        refuse_signal(l, s, TL_LR_NO_QUOTE, text);
        return 0;
    }
    tl_intent in = {0};
    snprintf(key, sizeof(key), "sig:%s", s->id);
    in.idem_key = key;
    in.action = tl_signal_action_name(s->action);
    in.account = a->id;
    in.instrument = inst;
    in.type = TL_ORDER_MARKET;
    in.expected_price = s->expected_price;
    in.qty = s->qty;
    if (s->action == TL_SIGNAL_EXIT) {
        const tl_position *p = tl_book_find(&e->book, a->id, inst);
        tl_fixed held = p ? p->qty : 0;
        in.side = held < 0 ? TL_SIDE_BUY : TL_SIDE_SELL;
        in.reduce_only = true;
        if (in.qty == 0)
            in.qty = held != 0 ? tl_fixed_abs(held) : 1; /* flat: REDUCE_ONLY refuses it */
    } else {
        in.side = s->action == TL_SIGNAL_ENTER_LONG ? TL_SIDE_BUY : TL_SIDE_SELL;
    }
    in.price = in.side == TL_SIDE_BUY ? q->ask : q->bid;
    if (s->limit_price > 0) {
        /* A LIMIT GTC entry: it may rest at the venue; its fills move the stop (on_event) as a
         * market entry's do, and the rules see it at the limit (SLIPPAGE: where it can fill). */
        in.type = TL_ORDER_LIMIT;
        in.price = s->limit_price;
    }
    tl_engine_result r;
    if ((rc = tl_engine_intent(e, &in, &r, err)) != 0)
        return rc;
    if (r.duplicate || r.rec.status == TL_INTENT_REFUSED) {
        snprintf(text, sizeof(text), "DUPLICATE: signal id %s was seen before", s->id);
        refuse_signal(l, s, TL_LR_DUPLICATE, text);
        return 0;
    }
    switch (r.rec.status) {
    case TL_INTENT_DENIED:
        l->stats.signals_refused++; /* the rule is counted with the INTENT_DENIED event */
        return 0;
    case TL_INTENT_REJECTED:
        snprintf(text, sizeof(text), "VENUE_REJECTED: %.100s", r.rec.reason);
        refuse_signal(l, s, TL_LR_VENUE_REJECTED, text);
        return 0;
    default:
        break;
    }
    l->stats.signals_accepted++;
    if (s->action == TL_SIGNAL_EXIT)
        l->stats.exits_signal++;
    return 0;
}

void tl_loop_on_malformed(tl_loop *l, const char *why)
{
    l->stats.signals_received++;
    l->stats.signals_refused++;
    remember_refusal(l, tl_clock_now(l->clock), "", "", TL_LR_MALFORMED, why);
}

int tl_loop_flush(tl_loop *l, bool force, tl_err *err)
{
    return tl_engine_flush(&l->engine, force, err);
}

int tl_loop_kill(tl_loop *l, const char *reason, tl_err *err)
{
    uint64_t before = l->engine.counts.cancel_requests;
    int rc = tl_engine_kill(&l->engine, reason, err);
    if (rc < 0)
        return rc;
    l->stats.exits_kill_switch += l->engine.counts.cancel_requests - before;
    /* Said at once: the switch is durable before anyone is told it holds. */
    int frc = tl_engine_flush(&l->engine, true, err);
    return frc != 0 ? frc : rc;
}

int tl_loop_kill_release(tl_loop *l, tl_err *err)
{
    int rc = tl_engine_kill_release(&l->engine);
    int frc = tl_engine_flush(&l->engine, true, err);
    return frc != 0 ? frc : rc;
}
