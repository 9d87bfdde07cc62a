/* broker.c -- the paper broker: see broker.h. */
#include "paper/broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/vec.h"
#include "engine/recover.h"
#include "tradeloop/instrument.h"

const char *tl_paper_status_name(tl_paper_status st)
{
    switch (st) {
    case TL_PAPER_FILLED:
        return "FILLED";
    case TL_PAPER_DENIED:
        return "DENIED";
    case TL_PAPER_REFUSED:
        return "REFUSED";
    }
    return "?";
}

/* ---------------------------------------------------------------------------------------- */
/* Validation, keys and order ids */

static int id_char_ok(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}

int tl_paper_intent_id_validate(const char *id, tl_err *err)
{
    if (id == NULL || id[0] == '\0')
        return tl_err_set(err, TL_EINVAL,
                          "intent_id: missing (1 to %d characters of "
                          "[A-Za-z0-9._:-])",
                          TL_PAPER_INTENT_ID_MAX - 1);
    size_t len = strnlen(id, TL_PAPER_INTENT_ID_MAX);
    if (len >= TL_PAPER_INTENT_ID_MAX)
        return tl_err_set(err, TL_EINVAL, "intent_id: longer than %d characters",
                          TL_PAPER_INTENT_ID_MAX - 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (id_char_ok(c))
            continue;
        if (c > 0x20 && c < 0x7f)
            return tl_err_set(err, TL_EINVAL,
                              "intent_id: invalid character '%c' at position %zu "
                              "(allowed: [A-Za-z0-9._:-])",
                              (char)c, i + 1);
        return tl_err_set(err, TL_EINVAL,
                          "intent_id: invalid character 0x%02x at position %zu "
                          "(allowed: [A-Za-z0-9._:-])",
                          c, i + 1);
    }
    return 0;
}

int tl_paper_intent_validate(const tl_paper_intent *in, tl_paper_action *action, tl_err *err)
{
    tl_err e = {0};
    tl_paper_action a;

    if (in == NULL)
        return tl_err_set(err, TL_EINVAL, "paper intent: NULL");
    if (tl_workspace_validate(in->workspace, &e) != 0)
        return tl_err_set(err, TL_EINVAL, "%s", e.msg);
    if (tl_paper_intent_id_validate(in->intent_id, err) != 0)
        return TL_EINVAL;
    if (in->action != NULL && strcmp(in->action, "OPEN_LONG") == 0)
        a = TL_PAPER_OPEN_LONG;
    else if (in->action != NULL && strcmp(in->action, "CLOSE_LONG") == 0)
        a = TL_PAPER_CLOSE_LONG;
    else
        return tl_err_set(err, TL_EINVAL,
                          "action: '%.32s' is not supported (want OPEN_LONG or CLOSE_LONG)",
                          in->action ? in->action : "");
    if (in->symbol == NULL || tl_symbol_validate(in->symbol, NULL) != 0)
        return tl_err_set(err, TL_EINVAL, "symbol: '%.20s' must be 1..15 of [A-Z0-9]",
                          in->symbol ? in->symbol : "");
    if (in->qty <= 0)
        return tl_err_set(err, TL_EINVAL, "qty: must be > 0");
    if (in->fill_price <= 0)
        return tl_err_set(err, TL_EINVAL, "fill_price: required, must be > 0");
    if (in->mode != NULL && strcmp(in->mode, TL_PAPER_MODE) != 0)
        return tl_err_set(err, TL_ENOTSUP, "mode: '%.32s' is not supported (only 'paper')",
                          in->mode);
    if (action)
        *action = a;
    return 0;
}

int tl_paper_idem_key(const char *ws, const char *intent_id, const char *mode,
                      char key[TL_IDEM_KEY_MAX], tl_err *err)
{
    char buf[TL_IDEM_KEY_MAX];
    int n = snprintf(buf, sizeof(buf), "%s|%s|%s", ws, intent_id, mode ? mode : TL_PAPER_MODE);
    /* The key is stored in a fixed field: a long workspace with a long intent id cannot be told
     * apart from another once cut, so it is refused rather than truncated. */
    if (n < 0 || (size_t)n >= sizeof(buf))
        return tl_err_set(err, TL_EINVAL,
                          "intent_id: workspace + intent id too long for an idempotency key "
                          "(at most %d characters together with \"|\" and the mode)",
                          TL_IDEM_KEY_MAX - 1);
    memcpy(key, buf, (size_t)n + 1);
    return 0;
}

int tl_paper_order_id(const char *key, int64_t ts_ns, char order_id[TL_ORDER_ID_MAX], tl_err *err)
{
    return tl_intake_order_id("PO", key, ts_ns, order_id, err);
}

/* ---------------------------------------------------------------------------------------- */
/* Session: an engine on the paper venue, recovered from the workspace's journal */

int tl_paper_broker_init(tl_paper_broker *b, tl_store *s, tl_fixed default_equity)
{
    memset(b, 0, sizeof(*b));
    if (s == NULL || default_equity <= 0)
        return TL_EINVAL;
    b->store = s;
    b->default_equity = default_equity;
    return 0;
}

static void drop_engine(tl_paper_broker *b)
{
    if (!b->open)
        return;
    tl_journal_close(&b->journal);
    tl_engine_close(&b->engine);
    tl_venue_close(&b->venue);
    b->open = false;
    b->synced = false;
}

void tl_paper_broker_discard(tl_paper_broker *b)
{
    drop_engine(b);
    b->n_pending = 0;
}

void tl_paper_broker_close(tl_paper_broker *b)
{
    drop_engine(b);
    free(b->pending);
    memset(b, 0, sizeof(*b));
}

/* Makes the engine the journal's state of ws: rebuilt from it unless it already is. Seed 003's
 * policy is three rows of the rule table: long-only, full close only, enough cash. */
static int sync_ws(tl_paper_broker *b, const char *ws, tl_err *err)
{
    if (b->open && b->synced && b->synced_hw == b->store->high_water &&
        strcmp(b->engine.cfg.workspace, ws) == 0)
        return 0;
    drop_engine(b);
    /* Set to each intent's time in decide(): a sim clock, as tl_clock_set refuses a frozen one
     * (the events were all stamped 0, which also made every order's created_at the same and
     * turned the orders_created indexes' appends into random inserts). */
    tl_clock_init_sim(&b->clock, 0);
    int rc = tl_venue_open(&b->venue, "paper://", &b->clock, NULL, err);
    if (rc != 0)
        return rc;
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.workspace, sizeof(cfg.workspace), "%s", ws);
    memcpy(cfg.mode, TL_PAPER_MODE, sizeof(TL_PAPER_MODE));
    cfg.account = 1;
    cfg.starting_cash = b->default_equity;
    cfg.any_symbol = true;
    cfg.risk.long_only = true;
    cfg.risk.full_close_only = true;
    cfg.risk.require_cash = true;
    if ((rc = tl_engine_init(&b->engine, &cfg, NULL, &b->venue, &b->clock, err)) != 0) {
        tl_venue_close(&b->venue);
        return rc;
    }
    if ((rc = tl_journal_init(&b->journal, b->store, 0, err)) != 0) {
        tl_engine_close(&b->engine);
        tl_venue_close(&b->venue);
        return rc;
    }
    b->open = true;
    b->replays++;
    if ((rc = tl_engine_recover(&b->engine, b->store, err)) != 0) {
        drop_engine(b);
        return rc;
    }
    tl_engine_subscriber j = tl_journal_subscriber(&b->journal);
    tl_engine_subscribe(&b->engine, &j);
    b->synced_hw = b->store->high_water;
    b->synced = true;
    return 0;
}

/* The paper result of an engine result: the outcome, and the state right after it. */
static int result_into(tl_paper_broker *b, const tl_engine_result *er, tl_paper_result *r,
                       tl_err *err)
{
    const tl_intent_record *rec = &er->rec;
    r->duplicate = er->duplicate;
    r->status = rec->status == TL_INTENT_FILLED    ? TL_PAPER_FILLED
                : rec->status == TL_INTENT_REFUSED ? TL_PAPER_REFUSED
                                                   : TL_PAPER_DENIED;
    if (rec->order_id[0])
        memcpy(r->order_id, rec->order_id, sizeof(r->order_id));
    memcpy(r->trade_id, rec->trade_id, sizeof(r->trade_id));
    snprintf(r->change, sizeof(r->change), "%s", rec->change); /* no flip when long-only */
    memcpy(r->reason, rec->reason, sizeof(r->reason));
    if (r->status == TL_PAPER_FILLED)
        r->reason[0] = '\0';
    r->starting_equity = rec->starting_cash;
    r->cash = rec->cash;
    r->realized_pnl = rec->realized_pnl;
    r->position_qty = rec->position_qty;
    r->position_avg = rec->position_avg;
    r->high_water = b->store->high_water;
    return tl_engine_digest(&b->engine, r->state_digest, err);
}

/* A submitted intent, kept until its commit: the fields it was decided on, with their own copies
 * of the strings, so a commit that collides can look each one up again. */
struct tl_paper_pending {
    tl_paper_intent in;
    char workspace[TL_WORKSPACE_MAX], intent_id[TL_PAPER_INTENT_ID_MAX], action[16], symbol[16];
    char key[TL_IDEM_KEY_MAX], order_id[TL_ORDER_ID_MAX];
    tl_paper_action act;
};

/* Validates in and derives its key and order id into p; the result's request fields into r. */
static int prepare(const tl_paper_intent *in, struct tl_paper_pending *p, tl_paper_result *r,
                   tl_err *err)
{
    int rc;
    memset(p, 0, sizeof(*p));
    if ((rc = tl_paper_intent_validate(in, &p->act, err)) != 0 ||
        (rc = tl_paper_idem_key(in->workspace, in->intent_id, in->mode, p->key, err)) != 0 ||
        (rc = tl_paper_order_id(p->key, in->ts_ns, p->order_id, err)) != 0)
        return rc;
    p->in = *in;
    tl_text_copy(p->workspace, sizeof(p->workspace), in->workspace);
    tl_text_copy(p->intent_id, sizeof(p->intent_id), in->intent_id);
    tl_text_copy(p->action, sizeof(p->action), in->action);
    tl_text_copy(p->symbol, sizeof(p->symbol), in->symbol);
    p->in.workspace = p->workspace;
    p->in.intent_id = p->intent_id;
    p->in.action = p->action;
    p->in.symbol = p->symbol;
    p->in.mode = NULL; /* validated: "paper" */

    memset(r, 0, sizeof(*r));
    tl_text_copy(r->workspace, sizeof(r->workspace), in->workspace);
    tl_text_copy(r->intent_id, sizeof(r->intent_id), in->intent_id);
    memcpy(r->idem_key, p->key, sizeof(p->key));
    memcpy(r->order_id, p->order_id, sizeof(p->order_id));
    tl_text_copy(r->action, sizeof(r->action), in->action);
    tl_text_copy(r->symbol, sizeof(r->symbol), in->symbol);
    r->qty = in->qty;
    r->fill_price = in->fill_price;
    return 0;
}

/* Decides p on the engine of its workspace (rebuilt when stale); nothing is flushed. */
static int decide(tl_paper_broker *b, const struct tl_paper_pending *p, tl_paper_result *r,
                  tl_err *err)
{
    int rc;
    if ((rc = sync_ws(b, p->workspace, err)) != 0)
        return rc;
    tl_engine *e = &b->engine;
    /* Stamps never go back: an intent older than the clock (the wall clock stepped back, or a
     * caller's own times out of order) is stamped with the clock's time. */
    if (p->in.ts_ns > tl_clock_now(&b->clock))
        tl_clock_set(&b->clock, p->in.ts_ns);
    uint32_t inst;
    if ((rc = tl_engine_instrument(e, p->symbol, &inst, err)) != 0)
        return rc;
    /* A workspace's first intent starts it with the default equity, in the same commit. */
    if (!e->has_reset && (rc = tl_engine_reset(e, b->default_equity, err)) != 0)
        return rc;
    tl_intent it = {p->key,
                    p->order_id,
                    p->action,
                    inst,
                    p->act == TL_PAPER_OPEN_LONG ? TL_SIDE_BUY : TL_SIDE_SELL,
                    TL_ORDER_MARKET,
                    p->in.fill_price,
                    p->in.qty};
    tl_engine_result er;
    if ((rc = tl_engine_intent(e, &it, &er, err)) != 0) {
        drop_engine(b);
        return rc;
    }
    return result_into(b, &er, r, err);
}

int tl_paper_broker_submit(tl_paper_broker *b, const tl_paper_intent *in, tl_paper_result *out,
                           tl_err *err)
{
    struct tl_paper_pending p;
    tl_paper_result r;
    int rc;
    if (b == NULL || b->store == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, "paper: NULL broker or result");
    if ((rc = prepare(in, &p, &r, err)) != 0)
        return rc;
    if (b->n_pending > 0 && strcmp(b->engine.cfg.workspace, p.workspace) != 0)
        return tl_err_set(err, TL_ESTATE,
                          "paper: commit workspace '%s' before an intent for '%s'",
                          b->engine.cfg.workspace, p.workspace);
    if (TL_VEC_RESERVE(&b->pending, &b->cap_pending, b->n_pending + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "paper: out of memory");
    if ((rc = decide(b, &p, &r, err)) != 0) {
        /* The session goes with what it held: the intents submitted before this one are not
         * written either (see broker.h). */
        drop_engine(b);
        b->n_pending = 0;
        return rc;
    }
    b->pending[b->n_pending++] = p;
    /* The pointers of the copy point into the copy. */
    struct tl_paper_pending *q = &b->pending[b->n_pending - 1];
    q->in.workspace = q->workspace;
    q->in.intent_id = q->intent_id;
    q->in.action = q->action;
    q->in.symbol = q->symbol;
    *out = r;
    return 0;
}

/* After a collision: each pending intent is looked up again on the journal as it now is. Found:
 * a duplicate of what is there (decided again, which writes nothing). Not found: TL_EBUSY, nothing
 * written, the caller retries. */
static void settle_after_collision(tl_paper_broker *b, tl_paper_result *res, int *rcs, size_t n)
{
    for (size_t i = 0; i < n && i < b->n_pending; i++) {
        const struct tl_paper_pending *p = &b->pending[i];
        tl_event first;
        tl_err e2 = {0};
        drop_engine(b);
        int rc = tl_store_find_idem(b->store, p->key, &first, &e2);
        if (rc == TL_ENOTFOUND) {
            rcs[i] = TL_EBUSY;
            continue;
        }
        tl_paper_result r;
        struct tl_paper_pending scratch;
        if (rc == 0 && (rc = prepare(&p->in, &scratch, &r, NULL)) == 0 &&
            (rc = decide(b, p, &r, NULL)) == 0)
            res[i] = r;
        rcs[i] = rc;
    }
    drop_engine(b); /* duplicates wrote nothing; the next call starts from the journal */
}

int tl_paper_broker_commit(tl_paper_broker *b, tl_paper_result *res, int *rcs, size_t n,
                           tl_err *err)
{
    if (n != b->n_pending)
        return tl_err_set(err, TL_EINVAL, "paper: %zu results for %zu pending intents", n,
                          b->n_pending);
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        rcs[i] = 0;
    tl_err ferr = {0};
    int rc = b->open ? tl_engine_flush(&b->engine, true, &ferr)
                     : tl_err_set(&ferr, TL_ESTATE, "paper: the session was dropped by a failed "
                                                    "intent: its batch was not written");
    if (rc == TL_EDUPLICATE || rc == TL_EBUSY || rc == TL_EEXIST) {
        /* Another writer got in between our read and our write (optimistic concurrency: the
         * store refuses a batch decided on a stale state of the workspace, or a second intent
         * for the key: TL_EEXIST). Nothing of ours was written. */
        settle_after_collision(b, res, rcs, n);
        b->n_pending = 0;
        return 0;
    }
    b->n_pending = 0;
    if (rc != 0) {
        drop_engine(b);
        if (err)
            *err = ferr;
        return rc;
    }
    b->synced_hw = b->store->high_water;
    for (size_t i = 0; i < n; i++)
        res[i].high_water = b->store->high_water;
    return 0;
}

int tl_paper_broker_execute(tl_paper_broker *b, const tl_paper_intent *in, tl_paper_result *out,
                            tl_err *err)
{
    tl_paper_result r;
    int rc = tl_paper_broker_submit(b, in, &r, err), one = 0;
    if (rc != 0)
        return rc;
    if ((rc = tl_paper_broker_commit(b, &r, &one, 1, err)) != 0)
        return rc;
    if (one == TL_EBUSY)
        return tl_err_set(err, TL_EBUSY,
                          "paper: the journal moved under intent '%s' (another writer): nothing "
                          "written, retry",
                          r.idem_key);
    if (one != 0)
        return tl_err_set(err, one, "paper: intent '%s': %s", r.idem_key, tl_strerror(one));
    *out = r;
    return 0;
}

int tl_paper_execute(tl_store *s, const tl_paper_intent *in, tl_paper_result *out, tl_err *err)
{
    tl_paper_broker b;
    int rc = tl_paper_broker_init(&b, s, TL_PAPER_DEFAULT_EQUITY);
    if (rc != 0) {
        tl_paper_broker_close(&b);
        return tl_err_set(err, rc, "paper: cannot start a session: %s", tl_strerror(rc));
    }
    rc = tl_paper_broker_execute(&b, in, out, err);
    tl_paper_broker_close(&b);
    return rc;
}
