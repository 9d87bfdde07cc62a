/* svc.c -- the execution service's core (see svc.h). */
#include "service/svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/vec.h"
#include "engine/recover.h"
#include "exec/intake.h"

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

static const char *const status_names[] = {"",         "FILLED",  "PARTIALLY_FILLED", "REJECTED",
                                           "DUPLICATE", "PENDING", "DRY_RUN"};

const char *tl_svc_status_name(tl_svc_status s)
{
    return s >= TL_SVC_FILLED && s <= TL_SVC_DRY_RUN ? status_names[s] : "?";
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

/* The venue of the mode, as a URL. */
static int venue_url(const tl_svc_config *c, char *url, size_t cap, tl_err *err)
{
    if (c->mode == TL_SVC_PAPER) {
        snprintf(url, cap, "paper://");
        return 0;
    }
    if (c->mode == TL_SVC_LIVE)
        return tl_err_set(err, TL_ENOTSUP,
                          "TRADING_MODE=live: no live venue is configured in this build; use "
                          "paper or mock");
    if (c->success_rate < 0 || c->success_rate > TL_FIXED_SCALE)
        return tl_err_set(err, TL_EINVAL, "mock: the success rate must be in [0, 1]");
    char reject[32];
    tl_fixed_format(TL_FIXED_SCALE - c->success_rate, reject, sizeof(reject));
    /* Every accepted order trades at once and whole; a draw rejects the others. */
    snprintf(url, cap, "sim://?seed=%llu&fill_rate=1&reject_rate=%s&partial_rate=0&latency_us=0",
             (unsigned long long)c->seed, reject);
    return 0;
}

int tl_svc_open(tl_svc *s, const tl_svc_config *cfg, tl_store *store, const tl_clock *clock,
                tl_err *err)
{
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    s->store = store;
    s->clock = clock;
    char url[160];
    int rc = venue_url(cfg, url, sizeof(url), err);
    if (rc != 0)
        return rc;
    if ((rc = tl_venue_open(&s->venue, url, clock, NULL, err)) != 0)
        return rc;
    s->have_venue = true;
    tl_engine_config ec;
    memset(&ec, 0, sizeof(ec));
    memcpy(ec.workspace, cfg->workspace, sizeof(ec.workspace));
    memcpy(ec.mode, "service", sizeof("service"));
    ec.account = 1;
    ec.starting_cash = cfg->starting_cash;
    ec.any_symbol = true;
    if ((rc = tl_engine_init(&s->engine, &ec, NULL, &s->venue, clock, err)) != 0)
        goto fail;
    s->have_engine = true;
    if ((rc = tl_journal_init(&s->journal, store, 0, err)) != 0)
        goto fail;
    s->have_journal = true;
    if ((rc = tl_engine_recover(&s->engine, store, err)) != 0)
        goto fail;
    tl_engine_subscriber js = tl_journal_subscriber(&s->journal);
    if ((rc = tl_engine_subscribe(&s->engine, &js)) != 0)
        goto fail;
    if (!s->engine.has_reset && ((rc = tl_engine_reset(&s->engine, cfg->starting_cash, err)) != 0 ||
                                 (rc = tl_engine_flush(&s->engine, true, err)) != 0))
        goto fail;
    return 0;
fail:
    tl_svc_close(s);
    return rc;
}

void tl_svc_close(tl_svc *s)
{
    if (s->have_engine)
        tl_engine_close(&s->engine);
    if (s->have_journal)
        tl_journal_close(&s->journal);
    if (s->have_venue)
        tl_venue_close(&s->venue);
    free(s->waiting);
    memset(s, 0, sizeof(*s));
}

static tl_svc_result *queue(tl_svc *s, const tl_svc_order *o, tl_svc_answer_fn fn, void *ctx)
{
    if (TL_VEC_RESERVE(&s->waiting, &s->cap_waiting, s->n_waiting + 1) != 0)
        return NULL;
    tl_svc_answer *a = &s->waiting[s->n_waiting++];
    memset(a, 0, sizeof(*a));
    a->fn = fn;
    a->ctx = ctx;
    tl_svc_result *r = &a->r;
    memcpy(r->order_id, o->order_id, sizeof(r->order_id));
    memcpy(r->client_id, o->client_id, sizeof(r->client_id));
    memcpy(r->symbol, o->symbol, sizeof(r->symbol));
    r->side = o->side;
    r->type = o->type;
    r->qty = o->qty;
    r->price = o->price;
    r->ts_ns = tl_clock_now(s->clock);
    return r;
}

static void reject(tl_svc_result *r, const char *why)
{
    r->status = r->original = TL_SVC_REJECTED;
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
static tl_svc_status status_of(const tl_intent_record *rec, tl_fixed filled)
{
    switch (rec->status) {
    case TL_INTENT_FILLED:
        return TL_SVC_FILLED;
    case TL_INTENT_WORKING:
        return filled > 0 ? TL_SVC_PARTIALLY_FILLED : TL_SVC_PENDING;
    case TL_INTENT_CANCELED:
        return filled > 0 ? TL_SVC_PARTIALLY_FILLED : TL_SVC_REJECTED;
    default:
        return TL_SVC_REJECTED;
    }
}

static void count(tl_svc *s, const tl_svc_result *r)
{
    tl_svc_stats *st = &s->stats;
    st->filled += r->status == TL_SVC_FILLED;
    st->partially_filled += r->status == TL_SVC_PARTIALLY_FILLED;
    st->rejected += r->status == TL_SVC_REJECTED;
    st->duplicates += r->status == TL_SVC_DUPLICATE;
    st->pending += r->status == TL_SVC_PENDING;
    st->dry_run += r->status == TL_SVC_DRY_RUN;
}

int tl_svc_submit(tl_svc *s, const tl_svc_order *o, tl_svc_answer_fn fn, void *ctx, tl_err *err)
{
    if (s->halted)
        return tl_err_set(err, TL_ESTATE, "service halted: %s", s->halt.msg);
    tl_svc_result *r = queue(s, o, fn, ctx);
    if (!r)
        return tl_err_set(err, TL_ENOMEM, "service: out of memory queuing a result");
    s->stats.received++;
    if (s->cfg.dry_run) {
        r->status = r->original = TL_SVC_DRY_RUN;
        count(s, r);
        return 0;
    }
    char key[TL_IDEM_KEY_MAX], order_id[TL_ORDER_ID_MAX];
    int n = snprintf(key, sizeof(key), KEY_PREFIX "%s", o->order_id);
    if (n < 0 || (size_t)n >= sizeof(key)) {
        reject(r, "order_id: too long");
        count(s, r);
        return 0;
    }
    tl_err e2 = {0};
    uint32_t inst;
    if (tl_intake_order_id("SO", key, order_id, &e2) != 0 ||
        tl_engine_instrument(&s->engine, o->symbol, &inst, &e2) != 0) {
        reject(r, e2.msg);
        count(s, r);
        return 0;
    }
    tl_intent in = {key, order_id, NULL, inst, o->side, o->type, o->price, o->qty};
    tl_engine_result er;
    int rc = tl_engine_intent(&s->engine, &in, &er, &e2);
    if (rc == TL_ESTATE || rc == TL_ENOMEM) {
        /* The engine halted (a failed commit) or ran out of memory: no outcome to say. */
        s->n_waiting--;
        s->halted = true;
        s->halt = e2;
        if (err)
            *err = e2;
        return rc;
    }
    if (rc != 0) {
        reject(r, e2.msg);
        count(s, r);
        return 0;
    }
    memcpy(r->engine_order_id, er.rec.order_id, sizeof(r->engine_order_id));
    r->client_seq = er.rec.client_seq;
    if (er.rec.client_seq != 0)
        fills_into(s, er.rec.client_seq, r);
    r->original = status_of(&er.rec, r->filled_qty);
    r->status = er.duplicate ? TL_SVC_DUPLICATE : r->original;
    if (r->original == TL_SVC_REJECTED || er.rec.status == TL_INTENT_REFUSED)
        snprintf(r->reject_reason, sizeof(r->reject_reason), "%s",
                 er.rec.reason[0] ? er.rec.reason : "rejected");
    if (er.rec.status == TL_INTENT_REFUSED) /* the key with another payload: nothing written */
        r->status = r->original = TL_SVC_REJECTED;
    count(s, r);
    return 0;
}

void tl_svc_count_malformed(tl_svc *s)
{
    s->stats.malformed++;
}

int tl_svc_commit(tl_svc *s, tl_err *err)
{
    if (s->halted) {
        s->n_waiting = 0;
        return tl_err_set(err, TL_ESTATE, "service halted: %s", s->halt.msg);
    }
    if (s->n_waiting == 0)
        return 0;
    int64_t t0 = wall_ns();
    tl_err e2 = {0};
    int rc = tl_engine_flush(&s->engine, true, &e2);
    s->stats.commit_ns_total += (uint64_t)(wall_ns() - t0);
    if (rc != 0) {
        s->stats.commit_failures++;
        s->halted = true;
        s->halt = e2;
        s->n_waiting = 0; /* not durable: never said */
        if (err)
            *err = e2;
        return rc;
    }
    s->stats.commits++;
    /* Answers may queue new orders (a transport answering at once): take the batch first. */
    size_t n = s->n_waiting;
    s->n_waiting = 0;
    for (size_t i = 0; i < n; i++)
        if (s->waiting[i].fn)
            s->waiting[i].fn(s->waiting[i].ctx, &s->waiting[i].r);
    return 0;
}
