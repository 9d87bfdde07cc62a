/*
 * binance.c -- the live venue on Binance's spot REST API v3: "binance+http://host:port" and
 * "binance+https://host" (bnc.h lists the files; docs/ARCHITECTURE.md "The live venue adapter").
 *
 * place sends POST /api/v3/order with newClientOrderId = the engine's client id and
 * newOrderRespType=FULL, and reports what the answer says (ACCEPTED, its fills, a terminal
 * status). A send that gets no answer (transport error, timeout, 5xx) is sent again with the same
 * client order id, up to place_attempts sends: the exchange refuses a repeated id (-2010
 * "Duplicate order sent."), which on a retry means the first send arrived, so the order is
 * queried by origClientOrderId and adopted. A lost reply therefore never makes a second order.
 * Without any answer the order stays pending and the polling resolves it.
 *
 * adopt (bnc_adopt.c) follows again an order of an earlier session of the engine.
 *
 * cancel is DELETE /api/v3/order by origClientOrderId; poll hands out the queued reports and,
 * every poll_ms, runs a polling round (bnc_track.c). get_orders is openOrders, get_positions the
 * account's balances (one per asset, free + locked), get_fills the fills reported so far.
 *
 * Calls block for at most a few requests of timeout_ms each; the engine is single-threaded, so a
 * slow exchange slows its step, and the small timeouts bound that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "venue/binance/bnc.h"
#include "venue/venue.h"

#define FILLS_KEPT 4096 /* get_fills' history, as paper:// keeps */

static void release(tl__bnc *b)
{
    tl__bnc_http_close(b->http);
    free(b->orders);
    free(b->cursors);
    free(b->out);
    free(b->trades);
    free(b->ans);
    tl__venue_fills_close(&b->fills);
    memset(b, 0, sizeof *b); /* the secret too */
}

static int bnc_open(void *state, const char *url, const tl_clock *clock, tl_err *err)
{
    tl__bnc *b = state;
    memset(b, 0, sizeof *b);
    int rc = tl__bnc_opts_parse(&b->o, url, err);
    if (rc < 0) {
        memset(b, 0, sizeof *b);
        return rc;
    }
    b->clock = clock;
    tl__venue_fills_init(&b->fills, FILLS_KEPT);
    if ((rc = tl__bnc_http_open(&b->http, &b->o, err)) < 0) {
        release(b);
        return rc;
    }
    /* The offset first: every signed request's timestamp depends on it. */
    if ((rc = tl__bnc_http_sync_time(b->http, clock, err)) < 0) {
        release(b);
        return rc;
    }
    b->next_sync_ms = tl__bnc_now_ms(b) + b->o.time_sync_s * 1000;
    return 0;
}

static void bnc_close(void *state)
{
    release(state);
}

static void reject(tl__bnc *b, tl__bnc_order *o, const tl_bapi_err *e)
{
    tl_venue_report *r = tl__bnc_push(b, TL_REPORT_REJECTED, o->client_seq, 0, 0);
    tl__bnc_reason(e, r->text);
    tl__bnc_forget(b, o);
}

static int bnc_place(void *state, const tl_venue_order *vo, tl_err *err)
{
    tl__bnc *b = state;
    char id[TL_ORDER_ID_MAX];
    tl__bnc_order *o;
    if (tl__bnc_find(b, vo->client_seq) != NULL)
        return tl_err_set(err, TL_EDUPLICATE, "binance: order %llu already placed",
                          (unsigned long long)vo->client_seq);
    if (vo->client_id[0] != '\0')
        memcpy(id, vo->client_id, sizeof id);
    else
        tl_order_format_client_id(vo->client_seq, id);
    if (tl__bnc_find_id(b, id) != NULL)
        return tl_err_set(err, TL_EDUPLICATE, "binance: client id '%s' already working", id);
    int rc = tl__bnc_out_reserve(b, 2);
    if (rc < 0)
        return tl_err_set(err, rc, "binance: out of memory");
    if (tl__bnc_now_ms(b) < tl__bnc_http_backoff_until(b->http)) {
        strcpy(tl__bnc_push(b, TL_REPORT_REJECTED, vo->client_seq, 0, 0)->text,
               "rate limited: backing off");
        return 0;
    }
    if ((rc = tl__bnc_cursor_ensure(b, vo->symbol, err)) < 0)
        return rc; /* not sent: the caller may try again */
    if ((rc = tl__bnc_track(b, vo, id, &o)) < 0)
        return tl_err_set(err, rc, "binance: out of memory");
    uint64_t call = ++b->places;

    for (uint32_t attempt = 1; attempt <= b->o.place_attempts; attempt++) {
        char buf[TL__BNC_QUERY_MAX];
        tl_bapi_query q;
        tl__bnc_resp r;
        tl_bapi_query_init(&q, buf, sizeof buf);
        tl__bnc_place_query(&q, vo, id);
        o->sent_ms = tl__bnc_now_ms(b);
        if ((rc = tl__bnc_send(b, "POST", "/api/v3/order", &q, &r, err)) < 0) {
            tl__bnc_forget(b, o); /* never sent: the request could not be built */
            return rc;
        }
        /* Fault injection: the exchange took this send, its reply is thrown away. */
        if (attempt == 1 && call == b->o.drop_reply_after_send)
            r.replied = false;
        tl__bnc_answer a = {.replied = r.replied,
                            .http = r.http,
                            .code = r.e.code,
                            .msg = r.e.code != 0 ? r.e.msg : NULL};
        switch (tl__bnc_place_step(&a, attempt, b->o.place_attempts)) {
        case TL__BNC_PLACED: {
            tl__bnc_order_ans ans;
            size_t nf = 0;
            if (tl__bnc_parse_order(r.body, r.len, &ans, &b->trades, &b->trades_cap, &nf, err) < 0)
                return 0; /* accepted but unreadable: stays pending, the polling queries it */
            rc = tl__bnc_apply(b, o, &ans, b->trades, nf);
            return rc < 0 ? tl_err_set(err, rc, "binance: out of memory") : 0;
        }
        case TL__BNC_REJECT:
            reject(b, o, &r.e);
            return 0;
        case TL__BNC_ADOPT:
            rc = tl__bnc_query_order(b, o, err);
            return rc == TL_ENOTFOUND || rc > 0 ? 0 : rc;
        case TL__BNC_RETRY:
            continue;
        case TL__BNC_UNKNOWN:
            return 0; /* pending: resolved by the polling */
        }
    }
    return 0;
}

static int bnc_cancel(void *state, uint64_t client_seq, tl_err *err)
{
    tl__bnc *b = state;
    int rc = tl__bnc_out_reserve(b, 1);
    if (rc < 0)
        return tl_err_set(err, rc, "binance: out of memory");
    tl__bnc_order *o = tl__bnc_find(b, client_seq);
    if (o == NULL) {
        strcpy(tl__bnc_push(b, TL_REPORT_CANCEL_REJECTED, client_seq, 0, 0)->text, "unknown order");
        return 0;
    }
    tl__bnc_resp r = {0};
    for (int attempt = 0; attempt < 2 && !r.replied; attempt++) {
        char buf[TL__BNC_QUERY_MAX];
        tl_bapi_query q;
        tl_bapi_query_init(&q, buf, sizeof buf);
        tl_bapi_query_str(&q, "symbol", o->symbol);
        tl_bapi_query_str(&q, "origClientOrderId", o->client_id);
        if ((rc = tl__bnc_send(b, "DELETE", "/api/v3/order", &q, &r, err)) < 0)
            return rc;
    }
    if (!r.replied || r.http >= 500)
        return tl_err_set(err, TL_EIO, "binance: cancel of %s: no answer", o->client_id);
    char sym[16];
    memcpy(sym, o->symbol, sizeof sym);
    if (r.http == 200) {
        tl__bnc_order_ans a;
        if ((rc = tl__bnc_parse_order(r.body, r.len, &a, NULL, NULL, NULL, err)) < 0)
            return rc;
        if ((rc = tl__bnc_apply(b, o, &a, NULL, 0)) < 0)
            return tl_err_set(err, rc, "binance: out of memory");
    } else {
        /* Refused (-2011: already done, or a lost first DELETE that did cancel): the order's own
         * state says which, and the refusal is reported only if it is still working. */
        tl_bapi_err e = r.e;
        uint64_t venue_seq = o->order_id;
        size_t before = b->n_orders;
        if ((rc = tl__bnc_query_order(b, o, err)) < 0 && rc != TL_ENOTFOUND)
            return rc;
        if (b->n_orders == before && (o = tl__bnc_find(b, client_seq)) != NULL && o->final == 0) {
            if (tl__bnc_out_reserve(b, 1) < 0)
                return tl_err_set(err, TL_ENOMEM, "binance: out of memory");
            tl__bnc_reason(
                &e, tl__bnc_push(b, TL_REPORT_CANCEL_REJECTED, client_seq, venue_seq, 0)->text);
            return 0;
        }
    }
    /* Fills before the cancel come before its report. */
    if ((o = tl__bnc_find(b, client_seq)) != NULL && o->executed > o->reported &&
        (rc = tl__bnc_sync_trades(b, sym, err)) < 0)
        return rc;
    if ((o = tl__bnc_find(b, client_seq)) != NULL && o->final != 0) {
        tl__bnc_order_ans a = {.order_id = o->order_id, .status = o->final};
        a.executed_qty = o->executed;
        if ((rc = tl__bnc_apply(b, o, &a, NULL, 0)) < 0)
            return tl_err_set(err, rc, "binance: out of memory");
    }
    return 0;
}

static int bnc_poll(void *state, tl_venue_report *out, size_t cap, size_t *n, tl_err *err)
{
    tl__bnc *b = state;
    int64_t now = tl__bnc_now_ms(b);
    /* A round only when nothing is queued, so a caller draining a backlog costs no request. */
    if (b->out_head == b->out_len && b->n_orders > 0 && now >= b->next_poll_ms &&
        now >= tl__bnc_http_backoff_until(b->http)) {
        b->next_poll_ms = now + b->o.poll_ms;
        int rc = tl__bnc_poll_round(b, err);
        if (rc < 0 && b->out_head == b->out_len)
            return rc;
    }
    size_t k = b->out_len - b->out_head;
    if (k > cap)
        k = cap;
    if (k > 0)
        memcpy(out, b->out + b->out_head, k * sizeof *out);
    b->out_head += k;
    if (b->out_head == b->out_len)
        b->out_head = b->out_len = 0;
    *n = k;
    return 0;
}

static int bnc_get_orders(void *state, tl_venue_order_info *out, size_t cap, size_t *n, tl_err *err)
{
    tl__bnc *b = state;
    char buf[TL__BNC_QUERY_MAX];
    tl_bapi_query q;
    tl__bnc_resp r;
    size_t k = 0;
    tl_bapi_query_init(&q, buf, sizeof buf);
    int rc = tl__bnc_send(b, "GET", "/api/v3/openOrders", &q, &r, err);
    if (rc < 0)
        return rc;
    if (!r.replied || r.http >= 500) /* unreachable now: the caller may try again later */
        return tl_err_set(err, TL_EBUSY, "binance: GET openOrders: no answer");
    if (r.http != 200)
        return tl_err_set(err, TL_EIO, "binance: GET openOrders: %s", r.e.msg);
    if ((rc = tl__bnc_parse_orders(r.body, r.len, &b->ans, &b->ans_cap, &k, err)) < 0)
        return rc;
    for (size_t i = 0; i < k && i < cap; i++) {
        const tl__bnc_order_ans *a = &b->ans[i];
        tl_venue_order_info *v = &out[i];
        const tl__bnc_order *o = tl__bnc_find_id(b, a->client_id);
        memset(v, 0, sizeof *v);
        /* An order of this session, or one the engine named ("CLI00000042") before a restart;
         * 0 for an order placed by someone else on the account. */
        if (o != NULL)
            v->client_seq = o->client_seq;
        else if (tl_order_parse_client_id(a->client_id, &v->client_seq) < 0)
            v->client_seq = 0;
        v->venue_seq = a->order_id;
        memcpy(v->symbol, a->symbol, sizeof v->symbol);
        v->side = a->side;
        v->status = a->status;
        v->price = a->price;
        v->qty = a->orig_qty;
        v->filled_qty = a->executed_qty;
    }
    *n = k;
    return 0;
}

static int bnc_get_positions(void *state, tl_venue_position *out, size_t cap, size_t *n,
                             tl_err *err)
{
    tl__bnc *b = state;
    char buf[TL__BNC_QUERY_MAX];
    tl_bapi_query q;
    tl__bnc_resp r;
    tl_bapi_query_init(&q, buf, sizeof buf);
    int rc = tl__bnc_send(b, "GET", "/api/v3/account", &q, &r, err);
    if (rc < 0)
        return rc;
    if (!r.replied || r.http >= 500)
        return tl_err_set(err, TL_EBUSY, "binance: GET account: no answer");
    if (r.http != 200)
        return tl_err_set(err, TL_EIO, "binance: GET account: %s", r.e.msg);
    return tl__bnc_parse_balances(r.body, r.len, out, cap, n, err);
}

static int bnc_get_fills(void *state, uint64_t after, tl_venue_fill *out, size_t cap, size_t *n,
                         uint64_t *next_cursor, tl_err *err)
{
    tl__bnc *b = state;
    return tl__venue_fills_list(&b->fills, "binance", after, out, cap, n, next_cursor, err);
}

/* Two schemes, one backend: the dispatcher picks a table by scheme. */
#define BNC_OPS(name)                                                                              \
    {                                                                                              \
        .version = TL_VENUE_OPS_VERSION, .scheme = name, .state_size = sizeof(tl__bnc),            \
        .caps = TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_MARKET | TL_VENUE_CAP_CANCEL |                   \
                TL_VENUE_CAP_BALANCES,                                                             \
        .open = bnc_open, .close = bnc_close, .place = bnc_place, .cancel = bnc_cancel,            \
        .poll = bnc_poll, .get_orders = bnc_get_orders, .get_positions = bnc_get_positions,        \
        .get_fills = bnc_get_fills, .adopt = tl__bnc_adopt,                                        \
    }

const tl_venue_ops tl_venue_binance_http_ops = BNC_OPS("binance+http");
const tl_venue_ops tl_venue_binance_https_ops = BNC_OPS("binance+https");
