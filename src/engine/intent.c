/* intent.c -- idempotent intake of intents (see engine.h and exec/intake.h). */
#include <string.h>

#include "core/text.h"
#include "engine/engine.h"

#define REASON_CONFLICT "idempotency key reused with a different payload"

static int validate(tl_engine *e, const tl_intent *in, tl_err *err)
{
    if (!tl_engine_account_of(e, in->account))
        return tl_err_set(err, TL_EINVAL, "intent: unknown account id %u", in->account);
    if (in->expected_price < 0)
        return tl_err_set(err, TL_EINVAL, "intent: expected price must not be negative");
    if (in->instrument >= e->instruments.count)
        return tl_err_set(err, TL_EINVAL, "intent: unknown instrument id %u", in->instrument);
    if (in->side != TL_SIDE_BUY && in->side != TL_SIDE_SELL)
        return tl_err_set(err, TL_EINVAL, "intent: side must be BUY or SELL");
    if (in->type != TL_ORDER_LIMIT && in->type != TL_ORDER_MARKET)
        return tl_err_set(err, TL_EINVAL, "intent: type must be LIMIT or MARKET");
    if (in->qty <= 0)
        return tl_err_set(err, TL_EINVAL, "intent: qty must be > 0");
    if (in->idem_key && strnlen(in->idem_key, TL_IDEM_KEY_MAX) >= TL_IDEM_KEY_MAX)
        return tl_err_set(err, TL_EINVAL, "intent: idempotency key longer than %d characters",
                          TL_IDEM_KEY_MAX - 1);
    if (in->order_id && strnlen(in->order_id, TL_ORDER_ID_MAX) >= TL_ORDER_ID_MAX)
        return tl_err_set(err, TL_EINVAL, "intent: order id longer than %d characters",
                          TL_ORDER_ID_MAX - 1);
    if (in->action && strnlen(in->action, 16) >= 16)
        return tl_err_set(err, TL_EINVAL, "intent: action longer than 15 characters");
    return 0;
}

static void payload_of(tl_engine *e, const tl_intent *in, tl_intent_payload *p)
{
    memset(p, 0, sizeof(*p));
    p->account = tl_engine_account_of(e, in->account)->id;
    tl_text_copy(p->action, sizeof(p->action), in->action ? in->action : tl_side_name(in->side));
    tl_text_copy(p->symbol, sizeof(p->symbol), e->instruments.items[in->instrument].symbol);
    p->side = (uint8_t)in->side;
    p->price = in->price;
    p->qty = in->qty;
}

/* The state now, into a result that changed nothing (a refusal). */
static void state_now(const tl_engine *e, uint32_t account, uint32_t instrument,
                      tl_intent_record *r)
{
    const tl_account *a = tl_book_find_account(&e->book, account);
    const tl_position *p = tl_book_find(&e->book, account, instrument);
    r->cash = a ? a->cash : 0;
    r->realized_pnl = a ? a->realized_pnl : 0;
    r->starting_cash = a ? a->starting_cash : 0;
    r->position_qty = p ? p->qty : 0;
    r->position_avg = p ? p->avg_price : 0;
}

/* A key seen before: the original outcome, or a refusal when the payload differs. */
static int answer_known(tl_engine *e, const tl_intent *in, const tl_intent_payload *p,
                        const tl_intent_record *rec, tl_engine_result *out)
{
    tl_engine_result r;
    memset(&r, 0, sizeof(r));
    r.rec = *rec;
    if (tl_intent_payload_equal(&rec->payload, p)) {
        r.duplicate = true;
    } else {
        r.rec.status = TL_INTENT_REFUSED;
        r.rec.payload = *p;
        r.rec.trade_id[0] = '\0';
        r.rec.change[0] = '\0';
        tl_text_copy(r.rec.reason, sizeof(r.rec.reason), REASON_CONFLICT);
        state_now(e, p->account, in->instrument, &r.rec);
    }
    if (out)
        *out = r;
    return tl__engine_outbox_push(e, &r);
}

int tl_engine_intent(tl_engine *e, const tl_intent *in, tl_engine_result *out, tl_err *err)
{
    tl_intent_payload p;
    tl_intent_record tmp, *rec = &tmp;
    char key[TL_IDEM_KEY_MAX];
    uint64_t seq = 0;
    int rc;

    if (e->halted)
        return tl_err_set(err, TL_ESTATE, "engine halted: %s", e->halt_err.msg);
    if ((rc = validate(e, in, err)) != 0)
        return rc;
    payload_of(e, in, &p);
    bool keyed = in->idem_key && in->idem_key[0];
    if (keyed) {
        const tl_intent_record *known = tl_intake_find(&e->intake, in->idem_key);
        if (known) {
            if ((rc = answer_known(e, in, &p, known, out)) != 0)
                return tl_err_set(err, rc, "intent: %s", tl_strerror(rc));
            return 0;
        }
        if ((rc = tl_intake_add(&e->intake, in->idem_key, &p, &rec)) != 0)
            return tl_err_set(err, rc, "intent: %s", tl_strerror(rc));
        tl_text_copy(key, sizeof(key), in->idem_key);
        e->cur_key = key;
    } else {
        memset(&tmp, 0, sizeof(tmp));
        tmp.payload = p;
    }
    size_t rec_index = keyed ? (size_t)(rec - e->intake.recs) : 0;

    tl_err why;
    why.code = 0;
    why.msg[0] = '\0';
    tl__place pl = {.acct = tl_engine_account_of(e, in->account),
                    .instrument = in->instrument,
                    .side = in->side,
                    .type = in->type,
                    .price = in->price,
                    .qty = in->qty,
                    .name = in->order_id,
                    .intent = true,
                    .action = p.action,
                    .reduce_only = in->reduce_only,
                    .expected_price = in->expected_price};
    rc = tl__engine_place(e, &pl, &seq, NULL, &why);
    if (keyed) {
        rec = &e->intake.recs[rec_index];
        if (seq)
            tl_intake_bind_order(&e->intake, rec, seq);
    }
    if (rc == 0 && !e->recovering) {
        /* The reports due at once (a paper or zero-latency venue fills inline): the outcome. */
        int prc = tl_engine_poll(e, err);
        if (prc < 0) {
            e->cur_key = NULL;
            return prc;
        }
    }
    e->cur_key = NULL;
    if (rc == TL_EDUPLICATE || rc == TL_ESTATE || rc == TL_ENOMEM) {
        /* Refused before any event was emitted (halted, order id taken, no memory): the key
         * was never used, so it is not remembered either. */
        if (keyed && !seq)
            tl_intake_drop_last(&e->intake);
        if (err)
            *err = why;
        return rc;
    }
    tl_order *o = seq ? tl_order_store_by_client(&e->orders, seq) : NULL;
    if (o) {
        rec->client_seq = seq;
        tl_engine_order_id(e, o, rec->order_id);
    }
    if (keyed) {
        tl__engine_record_update(e, o);
    } else if (o) {
        /* No intake record to keep: the same outcome, into the temporary one. */
        tl__engine_record_of(e, o, rec);
    }
    if (rc == TL_ERISK) {
        rec->status = TL_INTENT_DENIED;
        tl_text_copy(rec->reason, sizeof(rec->reason), why.msg);
        if (!o)
            state_now(e, p.account, in->instrument, rec);
    } else if (rc != 0 && rec->reason[0] == '\0') {
        tl_text_copy(rec->reason, sizeof(rec->reason), why.msg);
    }
    tl_engine_result r;
    memset(&r, 0, sizeof(r));
    r.rec = *rec;
    if (out)
        *out = r;
    if ((rc = tl__engine_outbox_push(e, &r)) != 0)
        return tl_err_set(err, rc, "intent: %s", tl_strerror(rc));
    return 0;
}
