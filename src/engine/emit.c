/* emit.c -- the kernel's fan-out and step boundary (see engine.h): every state change becomes one
 * complete event handed to every subscriber; tl_engine_flush makes them durable and releases the
 * results that waited for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/vec.h"
#include "engine/engine.h"
#include "store/digest.h"
#include "store/rows.h"

/* Starts the scratch record: only the fields every event sets are cleared here, the rest are
 * written by the caller or were zeroed once at init and are restored after use. */
static tl_event *begin(tl_engine *e, const tl_engine_account *a, int type, int64_t ts)
{
    tl_event *ev = &e->rec;
    memset(ev, 0, sizeof(*ev));
    memcpy(ev->workspace, a->name, sizeof(ev->workspace));
    ev->type = (uint16_t)type;
    ev->ts_ns = ts;
    if (e->cur_key)
        tl_text_copy(ev->idem_key, sizeof(ev->idem_key), e->cur_key);
    return ev;
}

static void fan_out(tl_engine *e, const tl_engine_account *a, const tl_order *o, const tl_fill *f,
                    const tl_position *pos, const char *symbol, int rule)
{
    tl_engine_event ee;
    ee.rec = &e->rec;
    ee.order = o;
    ee.fill = f;
    ee.position = pos;
    ee.account = tl_book_find_account(&e->book, a->id);
    ee.acct = a;
    ee.symbol = symbol;
    ee.rule = rule;
    for (uint32_t i = 0; i < e->nsubs; i++)
        e->subs[i].on_event(e->subs[i].ctx, &ee);
}

void tl__engine_emit_event(tl_engine *e, int type, const tl_order *o, const tl_fill *f,
                           const tl_position *pos, const char *text, int rule)
{
    const tl_engine_account *a = o ? tl__engine_acct(e, o->account) : &e->accts[0];
    tl_event *ev = begin(e, a, type, f ? f->ts_ns : tl_clock_now(e->clock));
    const char *symbol = "";
    if (text)
        tl_text_copy(ev->text, sizeof(ev->text), text);
    if (o) {
        symbol = e->instruments.items[o->instrument].symbol;
        tl_engine_order_id(e, o, ev->order_id);
        memcpy(ev->symbol, symbol, sizeof(ev->symbol));
        ev->side = o->side;
        ev->status = o->status;
        ev->qty = o->qty;
        ev->price = o->price;
        if (type == TL_EV_ORDER_ACCEPTED && o->venue_seq)
            tl_order_format_venue_id(o->venue_seq, ev->trade_id);
        if (!e->cur_key) {
            /* Events that come later for an intent's order (a fill from a slow venue) still
             * carry its key, so the journal traces them back to it. */
            const tl_intent_record *r = tl_intake_by_order(&e->intake, o->client_seq);
            if (r)
                tl_text_copy(ev->idem_key, sizeof(ev->idem_key), r->key);
        }
    }
    if (f) {
        tl_text_copy(ev->trade_id, sizeof(ev->trade_id), f->trade_id);
        ev->qty = f->qty;
        ev->price = f->price;
        ev->fee = f->fee;
        if (!o)
            tl_order_format_client_id(f->client_seq, ev->order_id);
    }
    fan_out(e, a, o, f, pos, symbol, rule);
}

/* POSITION_* breadcrumbs for people reading the journal (replay never reads them): the position
 * after the fill (qty, average price, side it is on) and the P&L the fill realised. A flip is a
 * close and an open. */
void tl__engine_emit_position(tl_engine *e, const tl_order *o, const tl_position *pos,
                              const tl_fill_effect *eff)
{
    int types[2], nt = 0;
    if (e->nsubs == 0 || e->recovering || pos == NULL)
        return;
    switch (eff->change) {
    case TL_POS_OPENED:
        types[nt++] = TL_EV_POSITION_OPENED;
        break;
    case TL_POS_CLOSED:
        types[nt++] = TL_EV_POSITION_CLOSED;
        break;
    case TL_POS_FLIPPED:
        types[nt++] = TL_EV_POSITION_CLOSED;
        types[nt++] = TL_EV_POSITION_OPENED;
        break;
    default:
        types[nt++] = TL_EV_POSITION_SCALED;
        break;
    }
    const tl_engine_account *a = tl__engine_acct(e, o->account);
    for (int i = 0; i < nt; i++) {
        tl_event *ev = begin(e, a, types[i], e->rec.ts_ns);
        const char *symbol = e->instruments.items[o->instrument].symbol;
        tl_engine_order_id(e, o, ev->order_id);
        memcpy(ev->symbol, symbol, sizeof(ev->symbol));
        ev->side = pos->qty >= 0 ? TL_SIDE_BUY : TL_SIDE_SELL; /* the side of the position now */
        ev->qty = pos->qty;
        ev->price = pos->avg_price;
        ev->fee = eff->realized; /* the P&L this fill realised, in the fee column */
        fan_out(e, a, o, NULL, pos, symbol, 0);
    }
}

void tl__engine_reset_text(const char *mode, char *text)
{
    snprintf(text, TL_EVENT_TEXT_MAX, "%s: starting cash", mode);
}

void tl__engine_reset_mode(const char *text, char mode[TL_ENGINE_MODE_MAX])
{
    const char *colon = strchr(text, ':');
    size_t n = colon ? (size_t)(colon - text) : 0;
    if (n == 0 || n >= TL_ENGINE_MODE_MAX) {
        memcpy(mode, "shadow", sizeof("shadow"));
        return;
    }
    memcpy(mode, text, n);
    mode[n] = '\0';
}

void tl__engine_emit_for(tl_engine *e, const tl_engine_account *a, int type, uint8_t status,
                         tl_fixed amount, const char *text)
{
    if (e->nsubs == 0 || e->recovering)
        return;
    tl_event *ev = begin(e, a, type, tl_clock_now(e->clock));
    ev->status = status;
    ev->fee = amount;
    tl_text_copy(ev->text, sizeof(ev->text), text ? text : "");
    fan_out(e, a, NULL, NULL, NULL, "", 0);
}

int tl_engine_flush(tl_engine *e, bool force, tl_err *err)
{
    if (e->halted)
        return tl_err_set(err, TL_ESTATE, "engine halted: %s", e->halt_err.msg);
    bool f = force || e->n_out > 0;
    for (uint32_t i = 0; i < e->nsubs; i++) {
        if (!e->subs[i].flush)
            continue;
        tl_err e2 = {0};
        int rc = e->subs[i].flush(e->subs[i].ctx, f, &e2);
        if (rc == 0)
            continue;
        /* Nothing more may be accepted while the engine cannot persist: freeze (so every rule
         * check refuses and live orders are canceled), halt, and hand the error up. The caller
         * stops; recovery from the journal starts again at the last good commit. */
        e->halted = true;
        e->halt_err = e2;
        char why[sizeof(e2.msg) + sizeof(TL_ENGINE_FLUSH_FREEZE_PREFIX)];
        snprintf(why, sizeof(why), TL_ENGINE_FLUSH_FREEZE_PREFIX "%s", e2.msg);
        tl_engine_freeze(e, why, NULL);
        e->n_out = 0;
        if (err)
            *err = e2;
        return rc;
    }
    /* Released: the results of this step, now durable. */
    tl_engine_result *t = e->released;
    size_t tcap = e->cap_rel;
    e->released = e->outbox;
    e->cap_rel = e->cap_out;
    e->n_rel = e->n_out;
    e->outbox = t;
    e->cap_out = tcap;
    e->n_out = 0;
    return 0;
}

const tl_engine_result *tl_engine_released(const tl_engine *e, size_t *n)
{
    *n = e->n_rel;
    return e->released;
}

int tl__engine_outbox_push(tl_engine *e, const tl_engine_result *r)
{
    if (TL_VEC_RESERVE(&e->outbox, &e->cap_out, e->n_out + 1) != 0)
        return TL_ENOMEM;
    e->outbox[e->n_out++] = *r;
    return 0;
}

int tl_engine_digest(const tl_engine *e, char hex[65], tl_err *err)
{
    tl_account_row *accts = calloc(e->n_accts, sizeof(*accts));
    tl_position_row *all = NULL;
    size_t n_all = 0, cap = 0;
    int rc = accts ? 0 : tl_err_set(err, TL_ENOMEM, "digest: out of memory");

    for (uint32_t i = 0; rc == 0 && i < e->n_accts; i++) {
        tl_position_row *rows = NULL;
        size_t n = 0;
        rc = tl_rows_from_book(&e->book, e->accts[i].id, e->accts[i].name, &e->instruments, 0,
                               &accts[i], &rows, &n, err);
        if (rc == 0 && n && TL_VEC_RESERVE(&all, &cap, n_all + n) != 0)
            rc = tl_err_set(err, TL_ENOMEM, "digest: out of memory");
        if (rc == 0 && n) {
            memcpy(all + n_all, rows, n * sizeof(*rows));
            n_all += n;
        }
        free(rows);
    }
    if (rc == 0)
        rc = tl_state_digest(accts, e->n_accts, all, n_all, hex, err);
    free(accts);
    free(all);
    return rc;
}
