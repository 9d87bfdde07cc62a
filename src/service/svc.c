/* svc.c -- the execution service's core (see svc.h). */
#include "service/svc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/vec.h"
#include "engine/recover.h"
#include "exec/intake.h"
#include "risk/risk.h"

#define KEY_PREFIX "order|"

static const char *const mode_names[] = {"", "paper", "mock", "live"};

int tl_svc_mode_parse(const char *s, tl_svc_mode *out, tl_err *err)
{
    for (int m = TL_SVC_PAPER; m <= TL_SVC_LIVE; m++)
        if (s && strcasecmp(s, mode_names[m]) == 0) {
            *out = (tl_svc_mode)m;
            return 0;
        }
    return tl_err_set(err, TL_EINVAL, "'%.40s' is not a trading mode (paper, mock, live)",
                      s ? s : "");
}

const char *tl_svc_mode_name(tl_svc_mode m)
{
    return m >= TL_SVC_PAPER && m <= TL_SVC_LIVE ? mode_names[m] : "?";
}

void tl_svc_config_default(tl_svc_config *c)
{
    memset(c, 0, sizeof(*c));
    memcpy(c->workspace, "execution", sizeof("execution"));
    c->mode = TL_SVC_PAPER;
    c->seed = 42;
    c->success_rate = TL_FIXED_SCALE / 100 * 95;
    c->starting_cash = TL_FIXED_INT(1000000000);
}

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * TL_NS_PER_SEC + ts.tv_nsec;
}

int tl_svc_venue_url(const tl_svc_config *c, char *url, size_t cap, tl_err *err)
{
    if (c->mode == TL_SVC_PAPER) {
        snprintf(url, cap, "paper://");
        return 0;
    }
    if (c->mode == TL_SVC_LIVE) {
        /* Never a default: real money moves only on a venue someone named. */
        if (c->live_venue == NULL || c->live_venue[0] == '\0')
            return tl_err_set(
                err, TL_EINVAL,
                "TRADING_MODE=live needs the venue: --live-venue or "
                "TRADELOOP_LIVE_VENUE (binance+https://HOST?key_env=..&secret_env=..)");
        if (strlen(c->live_venue) >= cap)
            return tl_err_set(err, TL_EINVAL, "live venue URL longer than %zu bytes", cap - 1);
        snprintf(url, cap, "%s", c->live_venue);
        return 0;
    }
    if (c->success_rate < 0 || c->success_rate > TL_FIXED_SCALE)
        return tl_err_set(err, TL_EINVAL, "mock: the success rate must be in [0, 1]");
    char reject[32];
    tl_fixed_format(TL_FIXED_SCALE - c->success_rate, reject, sizeof(reject));
    /* Every accepted order trades at once and whole; a draw rejects the others. */
    snprintf(url, cap, "sim://?seed=%llu&fill_rate=1&reject_rate=%s&partial_rate=0&latency_us=0",
             (unsigned long long)c->seed, reject);
    return 0;
}

/* The engine on the venue, rebuilt from the store (a new journal gets its reset). */
static int start_engine(tl_svc *s, tl_err *err)
{
    const tl_svc_config *cfg = &s->cfg;
    char url[1024];
    int rc = tl_svc_venue_url(cfg, url, sizeof(url), err);
    if (rc != 0)
        return rc;
    if ((rc = tl_venue_open(&s->venue, url, s->clock, NULL, err)) != 0)
        return rc;
    s->have_venue = true;
    tl_engine_config ec;
    memset(&ec, 0, sizeof(ec));
    memcpy(ec.workspace, cfg->workspace, sizeof(ec.workspace));
    memcpy(ec.mode, "service", sizeof("service"));
    ec.account = 1;
    ec.starting_cash = cfg->starting_cash;
    ec.any_symbol = true;
    if ((rc = tl_engine_init(&s->engine, &ec, NULL, &s->venue, s->clock, err)) != 0)
        return rc;
    s->have_engine = true;
    if ((rc = tl_journal_init(&s->journal, s->store, 0, err)) != 0)
        return rc;
    s->have_journal = true;
    if ((rc = tl_engine_recover(&s->engine, s->store, err)) != 0)
        return rc;
    tl_engine_subscriber js = tl_journal_subscriber(&s->journal);
    if ((rc = tl_engine_subscribe(&s->engine, &js)) != 0)
        return rc;
    if (!s->engine.has_reset && ((rc = tl_engine_reset(&s->engine, cfg->starting_cash, err)) != 0 ||
                                 (rc = tl_engine_flush(&s->engine, true, err)) != 0))
        return rc;
    return 0;
}

static void stop_engine(tl_svc *s)
{
    if (s->have_engine)
        tl_engine_close(&s->engine);
    if (s->have_journal)
        tl_journal_close(&s->journal);
    if (s->have_venue)
        tl_venue_close(&s->venue);
    s->have_engine = s->have_journal = s->have_venue = false;
}

int tl_svc_open(tl_svc *s, const tl_svc_config *cfg, tl_store *store, const tl_clock *clock,
                tl_err *err)
{
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    s->store = store;
    s->clock = clock;
    int rc = start_engine(s, err);
    if (rc != 0)
        tl_svc_close(s);
    return rc;
}

void tl_svc_close(tl_svc *s)
{
    stop_engine(s);
    free(s->waiting);
    free(s->spare);
    memset(s, 0, sizeof(*s));
}

/* A result not decided yet: the order's own fields, stamped ts_ns. */
static void result_begin(tl_svc_result *r, const tl_order_msg *o, int64_t ts_ns)
{
    memset(r, 0, sizeof(*r));
    memcpy(r->order_id, o->order_id, sizeof(r->order_id));
    memcpy(r->client_id, o->client_id, sizeof(r->client_id));
    memcpy(r->symbol, o->symbol, sizeof(r->symbol));
    r->side = o->side;
    r->type = o->type;
    r->qty = o->quantity;
    r->price = o->price;
    r->ts_ns = ts_ns;
}

static tl_svc_result *queue(tl_svc *s, const tl_order_msg *o, tl_svc_answer_fn fn, void *ctx)
{
    if (TL_VEC_RESERVE(&s->waiting, &s->cap_waiting, s->n_waiting + 1) != 0)
        return NULL;
    tl_svc_answer *a = &s->waiting[s->n_waiting++];
    memset(a, 0, sizeof(*a));
    a->order = *o;
    a->fn = fn;
    a->ctx = ctx;
    result_begin(&a->r, o, tl_clock_now(s->clock));
    return &a->r;
}

/* The code of a refusal the engine explained in text: its risk rule's name, or what kind. */
static const char *code_of(const tl_intent_record *rec)
{
    if (rec->status == TL_INTENT_REFUSED)
        return "PAYLOAD_CONFLICT";
    if (rec->status == TL_INTENT_REJECTED)
        return "VENUE";
    if (rec->status == TL_INTENT_CANCELED)
        return "CANCELED";
    int rule = tl_risk_reason_of_text(rec->reason);
    return rule >= 0 ? tl_risk_reason_name(rule) : "RISK";
}

void tl__svc_reject(tl_svc_result *r, const char *code, const char *why)
{
    snprintf(r->reason_code, sizeof(r->reason_code), "%s", code);
    r->status = r->original = TL_ORDER_RESULT_REJECTED;
    size_t n = strnlen(why, sizeof(r->reject_reason) - 1); /* a long reason is cut, not refused */
    memcpy(r->reject_reason, why, n);
    r->reject_reason[n] = '\0';
}

/* The order's fills (the first TL_SVC_FILLS_MAX listed), filled quantity and average price over
 * all of them, from the engine's order store. */
static void fills_into(tl_svc *s, uint64_t client_seq, tl_svc_result *r)
{
    enum { ALL = 256 }; /* an order with more fills than this averages over the first 256 */
    const tl_order *o = tl_order_store_by_client(&s->engine.orders, client_seq);
    if (!o)
        return;
    tl_fill f[ALL];
    uint32_t n = tl_order_store_fills(&s->engine.orders, o, f, ALL);
    __int128 notional = 0, qty = 0;
    for (uint32_t i = 0; i < n; i++) {
        notional += (__int128)f[i].qty * f[i].price;
        qty += f[i].qty;
        if (i >= TL_SVC_FILLS_MAX)
            continue;
        tl_svc_fill *x = &r->fills[r->n_fills++];
        memcpy(x->trade_id, f[i].trade_id, sizeof(x->trade_id));
        x->qty = f[i].qty;
        x->price = f[i].price;
        x->fee = f[i].fee;
        x->ts_ns = f[i].ts_ns;
    }
    r->filled_qty = o->filled_qty;
    if (qty > 0 && tl_fixed_from_ratio128(notional, qty, &r->avg_price) != 0)
        r->avg_price = 0;
}

/* The status of an engine outcome. */
static tl_order_result_status status_of(const tl_intent_record *rec, tl_fixed filled)
{
    switch (rec->status) {
    case TL_INTENT_FILLED:
        return TL_ORDER_RESULT_FILLED;
    case TL_INTENT_WORKING:
        return filled > 0 ? TL_ORDER_RESULT_PARTIALLY_FILLED : TL_ORDER_RESULT_PENDING;
    case TL_INTENT_CANCELED:
        return filled > 0 ? TL_ORDER_RESULT_PARTIALLY_FILLED : TL_ORDER_RESULT_REJECTED;
    default:
        return TL_ORDER_RESULT_REJECTED;
    }
}

static void count(tl_svc *s, const tl_svc_result *r)
{
    tl_svc_stats *st = &s->stats;
    st->filled += r->status == TL_ORDER_RESULT_FILLED;
    st->partially_filled += r->status == TL_ORDER_RESULT_PARTIALLY_FILLED;
    st->rejected += r->status == TL_ORDER_RESULT_REJECTED;
    st->duplicates += r->status == TL_ORDER_RESULT_DUPLICATE;
    st->pending += r->status == TL_ORDER_RESULT_PENDING;
    st->dry_run += r->status == TL_ORDER_RESULT_DRY_RUN;
}

/* Decides r's order on the engine. 0, or the engine's halt (TL_ESTATE, TL_ENOMEM). */
static int decide(tl_svc *s, const tl_order_msg *o, tl_svc_result *r, bool elsewhere, tl_err *err)
{
    if (s->cfg.dry_run) {
        r->status = r->original = TL_ORDER_RESULT_DRY_RUN;
        return 0;
    }
    char key[TL_IDEM_KEY_MAX], order_id[TL_ORDER_ID_MAX];
    int n = snprintf(key, sizeof(key), KEY_PREFIX "%s", o->order_id);
    if (n < 0 || (size_t)n >= sizeof(key)) {
        tl__svc_reject(r, "ORDER_ID", "order_id: too long");
        return 0;
    }
    tl_err e2 = {0};
    uint32_t inst;
    if (tl_intake_order_id("SO", key, r->ts_ns, order_id, &e2) != 0) {
        tl__svc_reject(r, "INTERNAL", e2.msg);
        return 0;
    }
    /* After a collision: an order another engine executed is that engine's, as the journal says
     * (this engine's own rebuilt intake knows only its workspace). */
    if (elsewhere && tl_intake_find(&s->engine.intake, key) == NULL) {
        int rc = tl__svc_original(s->store, key, r, &e2);
        if (rc == 0)
            return 0;
        if (rc != TL_ENOTFOUND) {
            if (err)
                *err = e2;
            return rc;
        }
    }
    if (tl_engine_instrument(&s->engine, o->symbol, &inst, &e2) != 0) {
        tl__svc_reject(r, "SYMBOL", e2.msg);
        return 0;
    }
    tl_intent in = {key, order_id, NULL, inst, o->side, o->type, o->price, o->quantity};
    tl_engine_result er;
    int rc = tl_engine_intent(&s->engine, &in, &er, &e2);
    if (rc == TL_ESTATE || rc == TL_ENOMEM) {
        if (err)
            *err = e2;
        return rc;
    }
    if (rc != 0) {
        tl__svc_reject(r, "ENGINE", e2.msg);
        return 0;
    }
    memcpy(r->engine_order_id, er.rec.order_id, sizeof(r->engine_order_id));
    r->client_seq = er.rec.client_seq;
    if (er.rec.client_seq != 0)
        fills_into(s, er.rec.client_seq, r);
    r->original = status_of(&er.rec, r->filled_qty);
    r->status = er.duplicate ? TL_ORDER_RESULT_DUPLICATE : r->original;
    if (r->original == TL_ORDER_RESULT_REJECTED || er.rec.status == TL_INTENT_REFUSED) {
        snprintf(r->reject_reason, sizeof(r->reject_reason), "%s",
                 er.rec.reason[0] ? er.rec.reason : "rejected");
        snprintf(r->reason_code, sizeof(r->reason_code), "%s", code_of(&er.rec));
    }
    if (er.rec.status == TL_INTENT_REFUSED) /* the key with another payload: nothing written */
        r->status = r->original = TL_ORDER_RESULT_REJECTED;
    return 0;
}

static void halt(tl_svc *s, const tl_err *why)
{
    s->halted = true;
    s->halt = *why;
    /* Not durable: never said. Each answer learns it (r NULL) so it can let its context go. */
    size_t n = s->n_waiting;
    s->n_waiting = 0;
    for (size_t i = 0; i < n; i++)
        if (s->waiting[i].fn)
            s->waiting[i].fn(s->waiting[i].ctx, NULL);
}

int tl_svc_submit(tl_svc *s, const tl_order_msg *o, tl_svc_answer_fn fn, void *ctx, tl_err *err)
{
    if (s->halted)
        return tl_err_set(err, TL_ESTATE, "service halted: %s", s->halt.msg);
    tl_svc_result *r = queue(s, o, fn, ctx);
    if (!r)
        return tl_err_set(err, TL_ENOMEM, "service: out of memory queuing a result");
    s->stats.received++;
    tl_err e2 = {0};
    int rc = decide(s, o, r, false, &e2);
    if (rc != 0) {
        /* The engine halted (a failed commit) or ran out of memory: no outcome to say. */
        halt(s, &e2);
        if (err)
            *err = e2;
        return rc;
    }
    return 0;
}

void tl_svc_count_malformed(tl_svc *s)
{
    s->stats.malformed++;
}

/* After a refused commit: the engine rebuilt from the journal as it now is, and the step's
 * orders decided again in their order (what another engine executed is now a duplicate). */
static int decide_again(tl_svc *s, tl_err *err)
{
    stop_engine(s);
    int rc = start_engine(s, err);
    for (size_t i = 0; rc == 0 && i < s->n_waiting; i++) {
        tl_svc_answer *a = &s->waiting[i];
        result_begin(&a->r, &a->order, a->r.ts_ns);
        rc = decide(s, &a->order, &a->r, true, err);
    }
    return rc;
}

int tl_svc_commit(tl_svc *s, tl_err *err)
{
    if (s->halted)
        return tl_err_set(err, TL_ESTATE, "service halted: %s", s->halt.msg);
    if (s->n_waiting == 0 && s->journal.n == 0) /* nothing decided, nothing buffered */
        return 0;
    int64_t t0 = wall_ns();
    tl_err e2 = {0};
    int rc = tl_engine_flush(&s->engine, true, &e2);
    for (int tries = 1; (rc == TL_EEXIST || rc == TL_EBUSY) && tries < TL_SVC_COMMIT_TRIES;
         tries++) {
        s->stats.collisions++;
        if ((rc = decide_again(s, &e2)) == 0)
            rc = tl_engine_flush(&s->engine, true, &e2);
    }
    s->stats.commit_ns_total += (uint64_t)(wall_ns() - t0);
    if (rc != 0) {
        s->stats.commit_failures++;
        halt(s, &e2);
        if (err)
            *err = e2;
        return rc;
    }
    s->stats.commits++;
    /* The batch leaves the queue before it is said: an answer may submit the next order, which
     * queues into the other buffer. */
    tl_svc_answer *batch = s->waiting;
    size_t n = s->n_waiting, cap = s->cap_waiting;
    s->waiting = s->spare;
    s->cap_waiting = s->cap_spare;
    s->n_waiting = 0;
    for (size_t i = 0; i < n; i++) {
        count(s, &batch[i].r);
        if (batch[i].fn)
            batch[i].fn(batch[i].ctx, &batch[i].r);
    }
    s->spare = batch;
    s->cap_spare = cap;
    return 0;
}
