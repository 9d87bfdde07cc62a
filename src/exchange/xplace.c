/* xplace.c -- see xcore.h: placing and canceling orders, and what a fill does to two accounts. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/vec.h"
#include "exchange/xcore.h"

/* The engine's order status an exchange status is journaled as. */
static uint8_t journal_status(int s)
{
    static const uint8_t map[] = {[TL_XS_NEW] = TL_OS_OPEN,
                                  [TL_XS_PARTIALLY_FILLED] = TL_OS_PARTIALLY_FILLED,
                                  [TL_XS_FILLED] = TL_OS_FILLED,
                                  [TL_XS_CANCELED] = TL_OS_CANCELED,
                                  [TL_XS_EXPIRED] = TL_OS_EXPIRED};
    return map[s];
}

static int refuse(tl_xrefusal *r, int code, const char *msg)
{
    r->code = code;
    tl_text_copy(r->msg, sizeof(r->msg), msg);
    return 1;
}

/* An order event of o (its id, account, symbol, side, status now). */
static void order_event(const tl_xcore *x, const tl_xorder *o, int type, int64_t ts_ns,
                        tl_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = (uint16_t)type;
    ev->ts_ns = ts_ns;
    ev->side = o->side;
    ev->status = journal_status(o->status);
    tl_text_copy(ev->workspace, sizeof(ev->workspace), x->accounts[o->account].name);
    snprintf(ev->order_id, sizeof(ev->order_id), "%" PRIu64, o->id);
    tl_text_copy(ev->symbol, sizeof(ev->symbol), x->symbols[o->symbol].cfg.name);
}

/* a * b rounded up to 1e-8 (a, b >= 0): what a LIMIT BUY locks, so it can always pay. */
static int mul_up(tl_fixed a, tl_fixed b, tl_fixed *out)
{
    __int128 p = (__int128)a * b;
    __int128 q = p / TL_FIXED_SCALE + (p % TL_FIXED_SCALE != 0);
    if (q > INT64_MAX)
        return TL_ERANGE;
    *out = (tl_fixed)q;
    return 0;
}

/* amount x fee_bps / 10000 rounded down: the commission. */
static tl_fixed commission(const tl_xcore *x, tl_fixed amount)
{
    return (tl_fixed)((__int128)amount * x->fee_bps / 10000);
}

static void on_fill(void *ctx, const tl_lob_fill *f)
{
    tl_xcore *x = ctx;
    if (TL_VEC_RESERVE32(&x->taken, &x->cap_taken, x->n_taken + 1) != 0) {
        x->taken_oom = true;
        return;
    }
    x->taken[x->n_taken++] = *f;
}

/* Frees what o still holds locked (it has ended). */
static void release(tl_xcore *x, tl_xorder *o)
{
    const tl_xsymbol *s = &x->symbols[o->symbol];
    tl_xbalance *b = tl__xcore_bal(x, o->account, o->side == TL_SIDE_BUY ? s->quote : s->base);
    b->locked -= o->locked;
    b->free += o->locked;
    o->locked = 0;
}

/* One side of a trade: o's account gets (or pays) its part, o moves on, the fill is kept and
 * journaled. */
static int apply_side(tl_xcore *x, tl_xorder *o, uint64_t trade_id, bool maker, tl_fixed price,
                      tl_fixed qty, tl_fixed notional, int64_t ts_ns)
{
    const tl_xsymbol *s = &x->symbols[o->symbol];
    tl_xbalance *base = tl__xcore_bal(x, o->account, s->base);
    tl_xbalance *quote = tl__xcore_bal(x, o->account, s->quote);
    tl_fixed fee;
    int fee_asset;
    if (o->side == TL_SIDE_BUY) {
        /* The part of the lock this fill held: the limit price's cost of qty (a MARKET BUY
         * locked what the book said it would cost). */
        tl_fixed part = notional;
        if (o->type == TL_ORDER_LIMIT && mul_up(o->price, qty, &part) != 0)
            return TL_ERANGE;
        if (part > o->locked)
            part = o->locked;
        o->locked -= part;
        quote->locked -= part;
        quote->free += part - notional;
        fee = commission(x, qty);
        fee_asset = s->base;
        base->free += qty - fee;
    } else {
        tl_fixed part = qty < o->locked ? qty : o->locked;
        o->locked -= part;
        base->locked -= part;
        base->free -= qty - part;
        fee = commission(x, notional);
        fee_asset = s->quote;
        quote->free += notional - fee;
    }
    o->executed += qty;
    o->quote_executed += notional;
    o->status = o->executed == o->qty ? TL_XS_FILLED : TL_XS_PARTIALLY_FILLED;
    o->update_ns = ts_ns;
    if (TL_VEC_RESERVE32(&x->fills, &x->cap_fills, x->n_fills + 1) != 0)
        return TL_ENOMEM;
    tl_xaccount *a = &x->accounts[o->account];
    if (TL_VEC_RESERVE32(&a->fills, &a->cap_fills, a->n_fills + 1) != 0)
        return TL_ENOMEM;
    a->fills[a->n_fills++] = x->n_fills;
    x->fills[x->n_fills++] = (tl_xfill){trade_id, o->id, o->account, o->symbol,
                                        o->side == TL_SIDE_BUY, maker, price, qty, notional, fee,
                                        fee_asset, ts_ns};
    tl_event ev;
    order_event(x, o, TL_EV_ORDER_FILLED, ts_ns, &ev);
    snprintf(ev.trade_id, sizeof(ev.trade_id), "%" PRIu64 "%c", trade_id, maker ? 'M' : 'T');
    ev.qty = qty;
    ev.price = price;
    ev.fee = fee;
    int rc = tl__xcore_emit(x, &ev);
    if (rc == 0 && o->status == TL_XS_FILLED)
        release(x, o);
    return rc;
}

/* The checks of Binance's filters, in the order it applies them. */
static int check_filters(const tl_xsymbol *s, const tl_xplace *o, tl_fixed market_notional,
                         tl_xrefusal *r)
{
    const tl_xsymbol_cfg *c = &s->cfg;
    if (o->type == TL_ORDER_LIMIT &&
        (o->price < c->min_price || o->price > c->max_price ||
         !tl_fixed_is_multiple(o->price, c->tick)))
        return refuse(r, -1013, "Filter failure: PRICE_FILTER");
    if (o->qty < c->min_qty || o->qty > c->max_qty || !tl_fixed_is_multiple(o->qty, c->step))
        return refuse(r, -1013, "Filter failure: LOT_SIZE");
    tl_fixed notional = market_notional;
    if (o->type == TL_ORDER_LIMIT && tl_fixed_mul(o->price, o->qty, &notional) != 0)
        return refuse(r, -1013, "Filter failure: MIN_NOTIONAL");
    if (notional < c->min_notional && (o->type == TL_ORDER_LIMIT || notional > 0))
        return refuse(r, -1013, "Filter failure: MIN_NOTIONAL");
    return 0;
}

int tl_xcore_place(tl_xcore *x, uint32_t account, const tl_xplace *o, int64_t ts_ns,
                   uint64_t *order_id, uint32_t *first_fill, tl_xrefusal *refusal, tl_err *err)
{
    refusal->code = 0;
    refusal->msg[0] = '\0';
    if (o->symbol < 0 || (size_t)o->symbol >= x->n_symbols)
        return refuse(refusal, -1121, "Invalid symbol.");
    tl_xsymbol *s = &x->symbols[o->symbol];
    if ((o->side != TL_SIDE_BUY && o->side != TL_SIDE_SELL) ||
        (o->type != TL_ORDER_LIMIT && o->type != TL_ORDER_MARKET) || o->tif > TL_LOB_FOK)
        return tl_err_set(err, TL_EINVAL, "exchange: an order with side %u, type %u, tif %u",
                          o->side, o->type, o->tif);
    tl_fixed fillable = 0, market_notional = 0;
    if (o->type == TL_ORDER_MARKET && o->qty > 0 &&
        tl_lob_preview(&s->book, o->side, o->type, 0, o->qty, &fillable, &market_notional) != 0)
        return refuse(refusal, -1013, "Filter failure: LOT_SIZE");
    if (check_filters(s, o, market_notional, refusal))
        return 1;
    uint64_t id = x->n_orders + 1;
    char cid[TL_X_CLIENT_ID_MAX];
    if (o->client_id && o->client_id[0]) {
        if (strlen(o->client_id) >= sizeof(cid))
            return refuse(refusal, -1100, "Illegal characters found in parameter "
                                          "'newClientOrderId'; legal range is "
                                          "'^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
        tl_text_copy(cid, sizeof(cid), o->client_id);
        if (tl__xcore_client_order(x, account, cid))
            return refuse(refusal, -2010, "Duplicate order sent.");
    } else {
        /* Made up here; a client may have sent the same text as its own id before. */
        snprintf(cid, sizeof(cid), "x-%" PRIu64, id);
        for (unsigned k = 1; tl__xcore_client_order(x, account, cid); k++)
            snprintf(cid, sizeof(cid), "x-%" PRIu64 "-%u", id, k);
    }
    /* What the order locks, and whether the account has it. */
    tl_fixed need;
    int asset = o->side == TL_SIDE_BUY ? s->quote : s->base;
    if (o->side == TL_SIDE_SELL)
        need = o->qty;
    else if (o->type == TL_ORDER_MARKET)
        need = market_notional;
    else if (mul_up(o->price, o->qty, &need) != 0)
        return refuse(refusal, -1013, "Filter failure: MIN_NOTIONAL");
    tl_xbalance *b = tl__xcore_bal(x, account, asset);
    if (!b || b->free < need)
        return refuse(refusal, -2010, "Account has insufficient balance for requested action.");

    if (TL_VEC_RESERVE(&x->orders, &x->cap_orders, x->n_orders + 1) != 0 ||
        tl_hashmap_insert_multi(&x->client_ids, tl__xcore_client_key(account, cid),
                                (uint32_t)(id - 1)) != 0)
        return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");
    tl_xorder *ord = &x->orders[x->n_orders++];
    *ord = (tl_xorder){.id = id, .account = account, .symbol = (uint16_t)o->symbol,
                       .side = o->side, .type = o->type, .tif = o->tif, .status = TL_XS_NEW,
                       .price = o->type == TL_ORDER_LIMIT ? o->price : 0, .qty = o->qty,
                       .locked = need, .time_ns = ts_ns, .update_ns = ts_ns};
    tl_text_copy(ord->client_id, sizeof(ord->client_id), cid);
    b->free -= need;
    b->locked += need;
    tl_event ev;
    order_event(x, ord, TL_EV_ORDER_SUBMITTED, ts_ns, &ev);
    tl_text_copy(ev.idem_key, sizeof(ev.idem_key), cid);
    ev.qty = ord->qty;
    ev.price = ord->price;
    snprintf(ev.text, sizeof(ev.text), "%s %s", o->type == TL_ORDER_LIMIT ? "LIMIT" : "MARKET",
             o->tif == TL_LOB_GTC ? "GTC" : o->tif == TL_LOB_IOC ? "IOC" : "FOK");
    if (tl__xcore_emit(x, &ev) != 0)
        return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");

    tl_lob_order lo = {id, account, o->side, o->type, o->tif, ord->price, o->qty};
    tl_lob_result res;
    x->n_taken = 0;
    x->taken_oom = false;
    int rc = tl_lob_submit(&s->book, &lo, on_fill, x, &res, err);
    if (rc != 0)
        return rc; /* checked above: the book refuses nothing the filters let through */
    if (x->taken_oom)
        return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");
    *first_fill = x->n_fills;
    for (uint32_t i = 0; rc == 0 && i < x->n_taken; i++) {
        const tl_lob_fill *f = &x->taken[i];
        uint64_t trade_id = ++x->last_trade_id;
        tl_fixed notional;
        if (tl_fixed_mul(f->price, f->qty, &notional) != 0)
            return tl_err_set(err, TL_ERANGE, "exchange: a trade's notional out of range");
        rc = apply_side(x, &x->orders[f->maker_order_id - 1], trade_id, true, f->price, f->qty,
                        notional, ts_ns);
        if (rc == 0)
            rc = apply_side(x, &x->orders[f->taker_order_id - 1], trade_id, false, f->price,
                            f->qty, notional, ts_ns);
    }
    ord = &x->orders[id - 1];
    if (rc == 0 && res.status == TL_LOB_EXPIRED) {
        ord->status = TL_XS_EXPIRED;
        ord->update_ns = ts_ns;
        order_event(x, ord, TL_EV_ORDER_EXPIRED, ts_ns, &ev);
        ev.qty = ord->qty - ord->executed;
        rc = tl__xcore_emit(x, &ev);
        release(x, ord);
    }
    if (rc != 0)
        return tl_err_set(err, rc, "exchange: %s while applying order %" PRIu64, tl_strerror(rc),
                          id);
    *order_id = id;
    return 0;
}

int tl_xcore_cancel(tl_xcore *x, uint32_t account, int symbol, uint64_t id, const char *client_id,
                    int64_t ts_ns, uint64_t *order_id, tl_xrefusal *refusal, tl_err *err)
{
    refusal->code = 0;
    refusal->msg[0] = '\0';
    if (symbol < 0 || (size_t)symbol >= x->n_symbols)
        return refuse(refusal, -1121, "Invalid symbol.");
    const tl_xorder *found = tl_xcore_find_order(x, account, symbol, id, client_id);
    if (!found || (found->status != TL_XS_NEW && found->status != TL_XS_PARTIALLY_FILLED))
        return refuse(refusal, -2011, "Unknown order sent.");
    tl_xorder *o = &x->orders[found->id - 1];
    if (tl_lob_cancel(&x->symbols[symbol].book, o->id, NULL) != 0)
        return tl_err_set(err, TL_ECORRUPT, "exchange: open order %" PRIu64 " is not in its book",
                          o->id);
    o->status = TL_XS_CANCELED;
    o->update_ns = ts_ns;
    tl_event ev;
    order_event(x, o, TL_EV_ORDER_CANCELED, ts_ns, &ev);
    ev.qty = o->qty - o->executed;
    release(x, o);
    if (tl__xcore_emit(x, &ev) != 0)
        return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");
    *order_id = o->id;
    return 0;
}
