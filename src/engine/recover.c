/*
 * recover.c -- the engine rebuilt from its journal.
 *
 * Every event of the workspace is fed back, in sequence order, through the transitions the live
 * path uses (order creation, the rule outcome, venue reports as reports, fills through the order
 * store and the book), with emission and venue calls switched off. So the recovered state is the
 * state that wrote the journal, not a second reading of it: open orders and their states, the id
 * counters, the trade ids the order store must still recognise, every idempotency key and its
 * outcome, positions and cash since the last reset, and a freeze and its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "engine/engine.h"
#include "engine/recover.h"

typedef struct rec_ctx {
    tl_engine *e;
    tl_err *err;
    int rc;
    tl_engine_account *acct; /* the account of the event being applied */
} rec_ctx;

/* The order an event names, NULL when it was never created. */
static tl_order *find_order(tl_engine *e, const char *id)
{
    uint64_t seq;
    if (id[0] == '\0')
        return NULL;
    if (tl_intake_order_by_name(&e->intake, id, &seq))
        return tl_order_store_by_client(&e->orders, seq);
    if (tl_order_parse_client_id(id, &seq) == 0)
        return tl_order_store_by_client(&e->orders, seq);
    return NULL;
}

/* The order an event names, created as the live path created it when this is its first event. */
static int ensure_order(rec_ctx *c, const tl_event *ev, tl_order **out)
{
    tl_engine *e = c->e;
    uint64_t seq;
    uint32_t inst;
    int rc;

    *out = find_order(e, ev->order_id);
    if (*out || ev->order_id[0] == '\0')
        return 0;
    if ((rc = tl_engine_instrument(e, ev->symbol, &inst, c->err)) != 0)
        return rc;
    const char *name = ev->order_id;
    if (tl_order_parse_client_id(ev->order_id, &seq) == 0) {
        /* A "CLI…" id is its own sequence number: numbering resumes there, so no id is ever
         * handed out twice. */
        if (seq < e->orders.next_client_seq)
            return tl_err_set(c->err, TL_ECORRUPT,
                              "recovery: order %s appears after order %llu was created",
                              ev->order_id, (unsigned long long)e->orders.next_client_seq - 1);
        tl_order_store_set_next_seq(&e->orders, seq);
        name = NULL;
    }
    tl_order_type type = strcmp(ev->text, "MARKET") == 0 ? TL_ORDER_MARKET : TL_ORDER_LIMIT;
    rc = tl__engine_create_order(e, c->acct->id, inst, (tl_side)ev->side, type, ev->price, ev->qty,
                                 ev->ts_ns, name, out);
    if (rc != 0)
        return tl_err_set(c->err, rc, "recovery: order %s: %s", ev->order_id, tl_strerror(rc));
    return 0;
}

static int on_reset(rec_ctx *c, const tl_event *ev)
{
    tl_engine *e = c->e;
    char mode[TL_ENGINE_MODE_MAX];
    tl__engine_reset_mode(ev->text, mode);
    if (!c->acct->has_reset && strcmp(mode, e->cfg.mode) != 0)
        return tl_err_set(c->err, TL_EINVAL,
                          "workspace '%s' holds a %s journal, not a %s one: use another workspace",
                          c->acct->name, mode, e->cfg.mode);
    /* The live transition itself (it emits nothing while recovering). */
    return tl_engine_reset_account(e, c->acct->id, ev->fee, c->err);
}

static void as_report(const tl_event *ev, const tl_order *o, int type, tl_venue_report *r)
{
    memset(r, 0, sizeof(*r));
    r->type = (uint8_t)type;
    r->client_seq = o->client_seq;
    r->ts_ns = ev->ts_ns;
    size_t n = strnlen(ev->text, sizeof(r->text) - 1);
    memcpy(r->text, ev->text, n);
    r->text[n] = '\0';
}

static int apply(rec_ctx *c, const tl_event *ev)
{
    tl_engine *e = c->e;
    tl_venue_report r;
    tl_order *o = NULL;
    int rc = 0;

    switch (ev->type) {
    case TL_EV_WORKSPACE_RESET:
        return on_reset(c, ev);
    case TL_EV_INTENT_EMITTED:
        if ((rc = ensure_order(c, ev, &o)) != 0)
            return rc;
        if (ev->idem_key[0] && !tl_intake_find(&e->intake, ev->idem_key)) {
            tl_intent_payload p;
            tl_intent_record *rec;
            memset(&p, 0, sizeof(p));
            p.account = c->acct->id;
            memcpy(p.action, ev->text, strnlen(ev->text, sizeof(p.action) - 1));
            memcpy(p.symbol, ev->symbol, sizeof(p.symbol));
            p.side = ev->side;
            p.price = ev->price;
            p.qty = ev->qty;
            if (tl_intake_add(&e->intake, ev->idem_key, &p, &rec) != 0)
                return tl_err_set(c->err, TL_ENOMEM, "recovery: out of memory");
            if (o) {
                tl_intake_bind_order(&e->intake, rec, o->client_seq);
                rec->client_seq = o->client_seq;
                tl_engine_order_id(e, o, rec->order_id);
                tl__engine_record_update(e, o);
            }
        }
        return 0;
    case TL_EV_INTENT_DENIED:
        e->counts.risk_blocks++;
        if ((rc = ensure_order(c, ev, &o)) != 0 || !o)
            return rc;
        tl_order_store_apply_order(&e->orders, o, TL_OEV_DENY, ev->ts_ns, NULL);
        tl__engine_record_update(e, o);
        tl_intent_record *rec = tl_intake_by_order(&e->intake, o->client_seq);
        if (rec) {
            size_t n = strnlen(ev->text, sizeof(rec->reason) - 1);
            memcpy(rec->reason, ev->text, n);
            rec->reason[n] = '\0';
        }
        return 0;
    case TL_EV_ORDER_SUBMITTED:
        if ((rc = ensure_order(c, ev, &o)) != 0 || !o)
            return rc;
        o->type = strcmp(ev->text, "MARKET") == 0 ? TL_ORDER_MARKET : o->type;
        e->counts.placed++;
        tl__engine_add_open(e, o);
        return 0;
    case TL_EV_CANCEL_REQUESTED:
        if ((o = find_order(e, ev->order_id)) && tl_order_status_is_live(o->status))
            tl_engine_cancel(e, o->client_seq, NULL);
        return 0;
    case TL_EV_FILL_REFUSED:
        e->counts.refused_fills++;
        return 0;
    case TL_EV_RISK_FROZEN:
        tl_engine_freeze(e, ev->text, NULL);
        return 0;
    case TL_EV_RISK_UNFROZEN:
        tl_engine_unfreeze(e);
        return 0;
    case TL_EV_KILL_SWITCH:
        /* Whatever its time: a switch engaged in real time holds for a replay of older data. */
        if (ev->status)
            tl_engine_kill(e, ev->text, NULL);
        else
            tl_engine_kill_release(e);
        return 0;
    case TL_EV_ACCOUNT_FROZEN:
        tl_engine_freeze_account(e, c->acct->id, ev->text, NULL);
        return 0;
    case TL_EV_ACCOUNT_UNFROZEN:
        tl_engine_unfreeze_account(e, c->acct->id);
        return 0;
    default:
        break;
    }
    /* What the venue said: replayed as the report it was. */
    if (!(o = find_order(e, ev->order_id)))
        return 0;
    switch (ev->type) {
    case TL_EV_ORDER_ACCEPTED:
        as_report(ev, o, TL_REPORT_ACCEPTED, &r);
        tl_order_parse_venue_id(ev->trade_id, &r.venue_seq);
        break;
    case TL_EV_ORDER_REJECTED:
        as_report(ev, o, TL_REPORT_REJECTED, &r);
        break;
    case TL_EV_ORDER_CANCELED:
        as_report(ev, o, TL_REPORT_CANCELED, &r);
        break;
    case TL_EV_CANCEL_REJECTED:
        as_report(ev, o, TL_REPORT_CANCEL_REJECTED, &r);
        break;
    case TL_EV_ORDER_EXPIRED:
        as_report(ev, o, TL_REPORT_EXPIRED, &r);
        break;
    case TL_EV_ORDER_FILLED:
        as_report(ev, o, TL_REPORT_FILL, &r);
        memcpy(r.trade_id, ev->trade_id, sizeof(r.trade_id));
        r.qty = ev->qty;
        r.price = ev->price;
        r.fee = ev->fee;
        break;
    case TL_EV_POSITION_OPENED:
    case TL_EV_POSITION_SCALED:
    case TL_EV_POSITION_CLOSED:
    default:
        return 0;
    }
    tl__engine_apply_report(e, &r);
    return 0;
}

static int on_event(void *ctx, const tl_event *ev)
{
    rec_ctx *c = ctx;
    /* A scan of several workspaces reads the events between theirs too: only the engine's. */
    if (!(c->acct = tl_engine_account_named(c->e, ev->workspace)))
        return 0;
    c->e->recovered_events++;
    c->rc = apply(c, ev);
    return c->rc != 0 ? 1 : 0;
}

int tl_engine_recover(tl_engine *e, tl_store *s, tl_err *err)
{
    rec_ctx c = {e, err, 0, NULL};
    tl_scan_filter f = {0, 0, e->cfg.workspace};
    if (e->orders.next_client_seq > 1)
        return tl_err_set(err, TL_ESTATE, "recovery: the engine is not fresh");
    if (e->n_accts > 1) {
        /* Several workspaces: one scan in seq order from the first event of any of them, so the
         * engine sees its history in the order it made it (ids, keys, the shared counters). */
        uint64_t first = UINT64_MAX;
        for (uint32_t i = 0; i < e->n_accts; i++) {
            tl_workspace_info wi;
            int rc = tl_store_workspace_info(s, e->accts[i].name, &wi, err);
            if (rc == TL_ENOTFOUND)
                continue;
            if (rc != 0)
                return rc;
            if (wi.first_seq < first)
                first = wi.first_seq;
        }
        if (first == UINT64_MAX)
            return 0; /* nothing journaled yet */
        f.after_seq = first - 1;
        f.workspace = "";
    }
    e->recovering = true;
    int rc = tl_store_scan(s, &f, on_event, &c, err);
    e->recovering = false;
    if (c.rc != 0)
        return c.rc;
    if (rc < 0)
        return rc;
    return 0;
}

static int cmp_seq(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int tl_engine_reconcile_venue(tl_engine *e, uint64_t *expired, tl_err *err)
{
    tl_venue_order_info *info = NULL;
    uint64_t *known = NULL;
    uint64_t *live = NULL;
    size_t n = 0, n_live = 0;
    int rc;

    *expired = 0;
    if (!e->venue || !e->venue->ops->get_orders)
        return 0;
    if ((rc = tl_venue_get_orders(e->venue, NULL, 0, &n, err)) != 0)
        return rc;
    if (n && (!(info = calloc(n, sizeof(*info))) || !(known = calloc(n, sizeof(*known))))) {
        free(info);
        return tl_err_set(err, TL_ENOMEM, "reconcile: out of memory");
    }
    if (n && (rc = tl_venue_get_orders(e->venue, info, n, &n, err)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        known[i] = info[i].client_seq;
    if (n)
        qsort(known, n, sizeof(*known), cmp_seq);
    /* Collected first, expired after: applying a report must not disturb the walk. */
    if ((rc = tl__engine_live_seqs(e, &live, &n_live, err)) != 0)
        goto out;
    /* Orders the engine holds live but the venue does not know (a simulated venue that started
     * afresh, an order lost on the wire) can never trade: they end EXPIRED, journaled. */
    for (size_t i = 0; i < n_live; i++) {
        if (n && bsearch(&live[i], known, n, sizeof(*known), cmp_seq))
            continue;
        tl_venue_report r;
        memset(&r, 0, sizeof(r));
        r.type = TL_REPORT_EXPIRED;
        r.client_seq = live[i];
        r.ts_ns = tl_clock_now(e->clock);
        snprintf(r.text, sizeof(r.text), "not at the venue after a restart");
        tl__engine_apply_report(e, &r);
        (*expired)++;
    }
out:
    free(live);
    free(info);
    free(known);
    return rc;
}

int tl_engine_apply_missed_fill(tl_engine *e, const tl_venue_fill *f)
{
    tl_venue_report r;
    memset(&r, 0, sizeof(r));
    r.type = TL_REPORT_FILL;
    r.client_seq = f->client_seq;
    r.venue_seq = f->venue_seq;
    r.ts_ns = f->ts_ns;
    memcpy(r.trade_id, f->trade_id, sizeof(r.trade_id));
    r.qty = f->qty;
    r.price = f->price;
    r.fee = f->fee;
    uint64_t before = e->counts.fills;
    tl__engine_apply_report(e, &r);
    return e->counts.fills > before;
}

int tl_engine_expire_order(tl_engine *e, uint64_t client_seq, const char *text)
{
    tl_order *o = tl_order_store_by_client(&e->orders, client_seq);
    if (!o || !tl_order_status_is_live(o->status))
        return 0;
    tl_venue_report r;
    memset(&r, 0, sizeof(r));
    r.type = TL_REPORT_EXPIRED;
    r.client_seq = client_seq;
    r.ts_ns = tl_clock_now(e->clock);
    snprintf(r.text, sizeof(r.text), "%s", text);
    tl__engine_apply_report(e, &r);
    return 1;
}

void tl_engine_note(tl_engine *e, uint32_t account, const char *text)
{
    tl_engine_account *a = tl_engine_account_of(e, account);
    tl__engine_emit_for(e, a ? a : &e->accts[0], TL_EV_RECONCILED, 0, 0, text);
}
