/* broker.c -- the paper broker: see broker.h. */
#include "paper/broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int tl_paper_order_id(const char *key, char order_id[TL_ORDER_ID_MAX], tl_err *err)
{
    return tl_intake_order_id("PO", key, order_id, err);
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

void tl_paper_broker_close(tl_paper_broker *b)
{
    drop_engine(b);
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
    tl_clock_init_frozen(&b->clock, 0);
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

int tl_paper_broker_execute(tl_paper_broker *b, const tl_paper_intent *in, tl_paper_result *out,
                            tl_err *err)
{
    tl_paper_action action;
    char key[TL_IDEM_KEY_MAX], order_id[TL_ORDER_ID_MAX];
    tl_paper_result r;
    int rc;

    if (b == NULL || b->store == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, "paper: NULL broker or result");
    if ((rc = tl_paper_intent_validate(in, &action, err)) != 0 ||
        (rc = tl_paper_idem_key(in->workspace, in->intent_id, in->mode, key, err)) != 0 ||
        (rc = tl_paper_order_id(key, order_id, err)) != 0)
        return rc;

    memset(&r, 0, sizeof(r));
    snprintf(r.workspace, sizeof(r.workspace), "%s", in->workspace);
    snprintf(r.intent_id, sizeof(r.intent_id), "%s", in->intent_id);
    memcpy(r.idem_key, key, sizeof(key));
    memcpy(r.order_id, order_id, sizeof(order_id));
    snprintf(r.action, sizeof(r.action), "%s", in->action);
    snprintf(r.symbol, sizeof(r.symbol), "%s", in->symbol);
    r.qty = in->qty;
    r.fill_price = in->fill_price;

    if ((rc = sync_ws(b, in->workspace, err)) != 0)
        return rc;
    tl_engine *e = &b->engine;
    tl_clock_set(&b->clock, in->ts_ns);
    uint32_t inst;
    if ((rc = tl_engine_instrument(e, in->symbol, &inst, err)) != 0)
        return rc;
    /* A workspace's first intent starts it with the default equity, in the same commit. */
    if (!e->has_reset && (rc = tl_engine_reset(e, b->default_equity, err)) != 0)
        return rc;
    tl_intent it = {key,
                    order_id,
                    in->action,
                    inst,
                    action == TL_PAPER_OPEN_LONG ? TL_SIDE_BUY : TL_SIDE_SELL,
                    TL_ORDER_MARKET,
                    in->fill_price,
                    in->qty};
    tl_engine_result er;
    if ((rc = tl_engine_intent(e, &it, &er, err)) != 0) {
        drop_engine(b);
        return rc;
    }
    tl_err ferr = {0};
    rc = tl_engine_flush(e, true, &ferr);
    if (rc == TL_EDUPLICATE || rc == TL_EBUSY || rc == TL_EEXIST) {
        /* Another writer got in between our read and our write (optimistic concurrency: the
         * store refuses a batch decided on a stale state of the workspace, or a second intent
         * for the key). Nothing of ours was written. Rebuilt from the journal as it now is, the key
         * is either there (this call is its duplicate) or not (the caller retries). */
        drop_engine(b);
        tl_event first;
        tl_err e2 = {0};
        int rc2 = tl_store_find_idem(b->store, key, &first, &e2);
        if (rc2 == TL_ENOTFOUND)
            return tl_err_set(err, TL_EBUSY,
                              "paper: the journal moved under intent '%s' (another writer): "
                              "nothing written, retry",
                              key);
        if (rc2 != 0)
            return tl_err_set(err, rc2, "%s", e2.msg);
        if ((rc = sync_ws(b, in->workspace, err)) != 0)
            return rc;
        if ((rc = tl_engine_intent(&b->engine, &it, &er, err)) != 0)
            return rc;
        tl_engine_flush(&b->engine, true, NULL);
    } else if (rc != 0) {
        drop_engine(b);
        if (err)
            *err = ferr;
        return rc;
    }
    b->synced_hw = b->store->high_water;
    if ((rc = result_into(b, &er, &r, err)) != 0)
        return rc;
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
