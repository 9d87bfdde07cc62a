/*
 * bnc_track.c -- the orders the adapter follows, and the reports it makes of them.
 *
 * The exchange is the truth; the adapter only remembers, per order, what it already reported:
 * ACCEPTED once (when an answer first names the orderId), each fill once (trade ids above the
 * order's last reported one, with the symbol's myTrades cursor read in order), and the terminal
 * report only once every executed quantity was reported as fills, so a CANCELED never overtakes
 * the fills before it. An order sent without an answer is "pending" until a query by its client
 * order id says what became of it: its trades cannot be told apart until then, so its symbol's
 * trades wait.
 */
#include <stdio.h>
#include <string.h>

#include "core/vec.h"
#include "venue/binance/bnc.h"

int64_t tl__bnc_now_ms(const tl__bnc *b)
{
    return tl_clock_now(b->clock) / 1000000;
}

int tl__bnc_send(tl__bnc *b, const char *method, const char *path, tl_bapi_query *q,
                 tl__bnc_resp *r, tl_err *err)
{
    return tl__bnc_http_do(b->http, method, path, q, true, tl__bnc_now_ms(b), r, err);
}

int tl__bnc_track(tl__bnc *b, const tl_venue_order *vo, const char *client_id, tl__bnc_order **out)
{
    if (TL_VEC_RESERVE(&b->orders, &b->orders_cap, b->n_orders + 1) < 0)
        return TL_ENOMEM;
    tl__bnc_order *o = &b->orders[b->n_orders++];
    memset(o, 0, sizeof *o);
    o->client_seq = vo->client_seq;
    memcpy(o->client_id, client_id, strlen(client_id) + 1);
    memcpy(o->symbol, vo->symbol, sizeof o->symbol);
    o->side = vo->side;
    o->pending = true;
    *out = o;
    return 0;
}

tl__bnc_order *tl__bnc_find(tl__bnc *b, uint64_t client_seq)
{
    for (size_t i = 0; i < b->n_orders; i++)
        if (b->orders[i].client_seq == client_seq)
            return &b->orders[i];
    return NULL;
}

tl__bnc_order *tl__bnc_find_id(tl__bnc *b, const char *client_id)
{
    for (size_t i = 0; i < b->n_orders; i++)
        if (strcmp(b->orders[i].client_id, client_id) == 0)
            return &b->orders[i];
    return NULL;
}

static tl__bnc_order *find_order_id(tl__bnc *b, uint64_t order_id)
{
    for (size_t i = 0; i < b->n_orders; i++)
        if (b->orders[i].order_id == order_id)
            return &b->orders[i];
    return NULL;
}

int tl__bnc_out_reserve(tl__bnc *b, size_t n)
{
    if (b->out_head > 0 && b->out_len + n > b->out_cap) {
        memmove(b->out, b->out + b->out_head, (b->out_len - b->out_head) * sizeof *b->out);
        b->out_len -= b->out_head;
        b->out_head = 0;
    }
    return TL_VEC_RESERVE(&b->out, &b->out_cap, b->out_len + n);
}

tl_venue_report *tl__bnc_push(tl__bnc *b, uint8_t type, uint64_t client_seq, uint64_t venue_seq,
                              int64_t ts_ms)
{
    tl_venue_report *r = &b->out[b->out_len++];
    memset(r, 0, sizeof *r);
    r->type = type;
    r->client_seq = client_seq;
    r->venue_seq = venue_seq;
    r->ts_ns = ts_ms > 0 ? ts_ms * 1000000 : tl_clock_now(b->clock);
    return r;
}

void tl__bnc_forget(tl__bnc *b, tl__bnc_order *o)
{
    size_t i = (size_t)(o - b->orders);
    b->orders[i] = b->orders[--b->n_orders];
}

/* Reports trade t of o when it is news. Room for one report reserved by the caller. */
static int report_fill(tl__bnc *b, tl__bnc_order *o, const tl__bnc_trade *t)
{
    if (t->id <= o->last_trade_id)
        return 0; /* reported already, from the order's answer or an earlier read */
    int rc = tl__venue_fills_reserve(&b->fills);
    if (rc < 0)
        return rc;
    tl_venue_report *r = tl__bnc_push(b, TL_REPORT_FILL, o->client_seq, o->order_id, t->time_ms);
    snprintf(r->trade_id, sizeof r->trade_id, "%llu", (unsigned long long)t->id);
    r->qty = t->qty;
    r->price = t->price;
    r->fee = t->commission;
    o->last_trade_id = t->id;
    o->reported += t->qty;
    tl__venue_fills_keep(&b->fills, r, o->symbol, o->side);
    return 0;
}

/* The terminal report of o once its fills are all out; 1 when o was forgotten. */
static int maybe_finish(tl__bnc *b, tl__bnc_order *o)
{
    if (o->final == 0 || o->reported < o->executed)
        return 0;
    int64_t now = 0;
    if (o->final == TL_OS_CANCELED)
        tl__bnc_push(b, TL_REPORT_CANCELED, o->client_seq, o->order_id, now);
    else if (o->final == TL_OS_EXPIRED)
        tl__bnc_push(b, TL_REPORT_EXPIRED, o->client_seq, o->order_id, now);
    else if (o->final == TL_OS_REJECTED)
        strcpy(tl__bnc_push(b, TL_REPORT_REJECTED, o->client_seq, o->order_id, now)->text,
               "rejected by the venue");
    /* FILLED: the fills said it all. */
    tl__bnc_forget(b, o);
    return 1;
}

int tl__bnc_apply(tl__bnc *b, tl__bnc_order *o, const tl__bnc_order_ans *a,
                  const tl__bnc_trade *fills, size_t n)
{
    if (tl__bnc_out_reserve(b, n + 2) < 0)
        return TL_ENOMEM;
    o->pending = false;
    if (o->order_id == 0) {
        o->order_id = a->order_id;
        /* A rejection by status (never an orderId worth accepting) is reported alone. */
        if (a->status != TL_OS_REJECTED)
            tl__bnc_push(b, TL_REPORT_ACCEPTED, o->client_seq, o->order_id, a->time_ms);
    }
    for (size_t i = 0; i < n; i++) {
        int rc = report_fill(b, o, &fills[i]);
        if (rc < 0)
            return rc;
    }
    if (a->executed_qty > o->executed)
        o->executed = a->executed_qty;
    if (a->status == TL_OS_FILLED || a->status == TL_OS_CANCELED || a->status == TL_OS_EXPIRED ||
        a->status == TL_OS_REJECTED)
        o->final = a->status;
    return maybe_finish(b, o);
}

static tl__bnc_cursor *cursor_of(tl__bnc *b, const char *symbol)
{
    for (size_t i = 0; i < b->n_cursors; i++)
        if (strcmp(b->cursors[i].symbol, symbol) == 0)
            return &b->cursors[i];
    return NULL;
}

int tl__bnc_cursor_ensure(tl__bnc *b, const char *symbol, tl_err *err)
{
    if (cursor_of(b, symbol) != NULL)
        return 0;
    char buf[TL__BNC_QUERY_MAX];
    tl_bapi_query q;
    tl__bnc_resp r;
    size_t n = 0;
    tl_bapi_query_init(&q, buf, sizeof buf);
    tl_bapi_query_str(&q, "symbol", symbol);
    tl_bapi_query_int(&q, "limit", 1);
    int rc = tl__bnc_send(b, "GET", "/api/v3/myTrades", &q, &r, err);
    if (rc < 0)
        return rc;
    if (!r.replied || r.http != 200)
        return tl_err_set(err, TL_EIO, "binance: GET myTrades %s: %s", symbol,
                          r.replied ? r.e.msg : "no answer");
    if ((rc = tl__bnc_parse_trades(r.body, r.len, &b->trades, &b->trades_cap, &n, err)) < 0)
        return rc;
    if (TL_VEC_RESERVE(&b->cursors, &b->cursors_cap, b->n_cursors + 1) < 0)
        return tl_err_set(err, TL_ENOMEM, "binance: out of memory");
    tl__bnc_cursor *c = &b->cursors[b->n_cursors++];
    memset(c, 0, sizeof *c);
    memcpy(c->symbol, symbol, strlen(symbol) + 1);
    c->last_trade_id = n > 0 ? b->trades[n - 1].id : 0;
    return 0;
}

int tl__bnc_sync_trades(tl__bnc *b, const char *symbol, tl_err *err)
{
    tl__bnc_cursor *c = cursor_of(b, symbol);
    if (c == NULL)
        return 0; /* nothing was ever placed on it */
    for (;;) {
        char buf[TL__BNC_QUERY_MAX];
        tl_bapi_query q;
        tl__bnc_resp r;
        size_t n = 0;
        tl_bapi_query_init(&q, buf, sizeof buf);
        tl_bapi_query_str(&q, "symbol", symbol);
        tl_bapi_query_int(&q, "fromId", (int64_t)c->last_trade_id + 1);
        tl_bapi_query_int(&q, "limit", 1000);
        int rc = tl__bnc_send(b, "GET", "/api/v3/myTrades", &q, &r, err);
        if (rc < 0)
            return rc;
        if (!r.replied || r.http != 200)
            return 0; /* read again next round: the cursor did not move */
        if ((rc = tl__bnc_parse_trades(r.body, r.len, &b->trades, &b->trades_cap, &n, err)) < 0)
            return rc;
        if (tl__bnc_out_reserve(b, n) < 0)
            return tl_err_set(err, TL_ENOMEM, "binance: out of memory");
        for (size_t i = 0; i < n; i++) {
            const tl__bnc_trade *t = &b->trades[i];
            if (t->id <= c->last_trade_id)
                continue; /* an exchange that ignores fromId must not make a fill twice */
            c->last_trade_id = t->id;
            tl__bnc_order *o = find_order_id(b, t->order_id);
            if (o != NULL && (rc = report_fill(b, o, t)) < 0)
                return tl_err_set(err, rc, "binance: out of memory");
        }
        if (n < 1000)
            return 0;
    }
}

int tl__bnc_query_order(tl__bnc *b, tl__bnc_order *o, tl_err *err)
{
    char buf[TL__BNC_QUERY_MAX];
    tl_bapi_query q;
    tl__bnc_resp r;
    tl__bnc_order_ans a;
    tl_bapi_query_init(&q, buf, sizeof buf);
    tl_bapi_query_str(&q, "symbol", o->symbol);
    tl_bapi_query_str(&q, "origClientOrderId", o->client_id);
    int rc = tl__bnc_send(b, "GET", "/api/v3/order", &q, &r, err);
    if (rc < 0 || !r.replied)
        return rc;
    if (r.http != 200)
        return r.e.code == TL_BAPI_NO_SUCH_ORDER ? TL_ENOTFOUND : 0;
    if ((rc = tl__bnc_parse_order(r.body, r.len, &a, NULL, NULL, NULL, err)) < 0)
        return rc;
    rc = tl__bnc_apply(b, o, &a, NULL, 0);
    return rc < 0 ? tl_err_set(err, rc, "binance: out of memory") : rc;
}

/* A pending order: what became of it. Not found once the exchange can no longer take the lost
 * send (its recvWindow ran out, plus a second of clock error and a request's time): never got
 * there, and it is REJECTED. */
static int resolve_pending(tl__bnc *b, tl__bnc_order *o, tl_err *err)
{
    int rc = tl__bnc_query_order(b, o, err);
    if (rc != TL_ENOTFOUND)
        return rc;
    int64_t late = o->sent_ms + b->o.recv_window_ms + 1000 + b->o.timeout_ms;
    if (tl__bnc_now_ms(b) <= late)
        return 0;
    if (tl__bnc_out_reserve(b, 1) < 0)
        return tl_err_set(err, TL_ENOMEM, "binance: out of memory");
    strcpy(tl__bnc_push(b, TL_REPORT_REJECTED, o->client_seq, 0, 0)->text,
           "never reached the venue");
    tl__bnc_forget(b, o);
    return 1;
}

/* Open orders of symbol: those of ours missing from the list are queried (they ended), and the
 * answer says whether any executed more than was reported (*need_trades). */
static int check_open(tl__bnc *b, const char *symbol, bool *need_trades, tl_err *err)
{
    char buf[TL__BNC_QUERY_MAX];
    tl_bapi_query q;
    tl__bnc_resp r;
    size_t n = 0;
    tl_bapi_query_init(&q, buf, sizeof buf);
    tl_bapi_query_str(&q, "symbol", symbol);
    int rc = tl__bnc_send(b, "GET", "/api/v3/openOrders", &q, &r, err);
    if (rc < 0 || !r.replied || r.http != 200)
        return rc;
    if ((rc = tl__bnc_parse_orders(r.body, r.len, &b->ans, &b->ans_cap, &n, err)) < 0)
        return rc;
    for (size_t i = 0; i < b->n_orders; i++) {
        tl__bnc_order *o = &b->orders[i];
        if (o->pending || strcmp(o->symbol, symbol) != 0)
            continue;
        const tl__bnc_order_ans *a = NULL;
        for (size_t k = 0; k < n && a == NULL; k++)
            if (b->ans[k].order_id == o->order_id)
                a = &b->ans[k];
        if (a != NULL && a->executed_qty > o->executed)
            o->executed = a->executed_qty;
        if (a == NULL && o->final == 0) {
            size_t before = b->n_orders;
            if ((rc = tl__bnc_query_order(b, o, err)) < 0)
                return rc;
            if (b->n_orders < before)
                i--; /* forgotten: the last order moved into slot i */
            else if (o->executed > o->reported)
                *need_trades = true;
        } else if (o->executed > o->reported)
            *need_trades = true;
    }
    return 0;
}

int tl__bnc_poll_round(tl__bnc *b, tl_err *err)
{
    int64_t now = tl__bnc_now_ms(b);
    int rc;
    if (now >= b->next_sync_ms) {
        if (tl__bnc_http_sync_time(b->http, b->clock, err) == 0)
            b->next_sync_ms = now + b->o.time_sync_s * 1000;
    }
    for (size_t i = 0; i < b->n_orders; i++) {
        size_t before = b->n_orders;
        if (b->orders[i].pending && (rc = resolve_pending(b, &b->orders[i], err)) < 0)
            return rc;
        if (b->n_orders < before)
            i--;
    }
    /* One symbol at a time, each once: the symbols of the orders still tracked. */
    for (size_t i = 0; i < b->n_cursors; i++) {
        const char *sym = b->cursors[i].symbol;
        bool any = false, pending = false, need = false;
        for (size_t k = 0; k < b->n_orders; k++)
            if (strcmp(b->orders[k].symbol, sym) == 0) {
                any = true;
                pending |= b->orders[k].pending;
            }
        if (!any || pending)
            continue; /* nothing to follow, or trades that cannot be told apart yet */
        if ((rc = check_open(b, sym, &need, err)) < 0)
            return rc;
        if (need && (rc = tl__bnc_sync_trades(b, sym, err)) < 0)
            return rc;
        for (size_t k = 0; k < b->n_orders; k++) {
            tl__bnc_order *o = &b->orders[k];
            if (strcmp(o->symbol, sym) == 0 && o->final != 0 && o->reported >= o->executed) {
                if (tl__bnc_out_reserve(b, 1) < 0)
                    return tl_err_set(err, TL_ENOMEM, "binance: out of memory");
                tl__bnc_order_ans a = {.order_id = o->order_id, .status = o->final};
                a.executed_qty = o->executed;
                if (tl__bnc_apply(b, o, &a, NULL, 0) == 1)
                    k--;
            }
        }
    }
    return 0;
}
