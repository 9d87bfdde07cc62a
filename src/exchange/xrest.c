/* xrest.c -- the REST endpoints of `tradeloop exchange`, Binance spot API v3's subset
 * (rest-api.md): parameters, signatures, timing and rate limits through src/binapi, the work
 * through the exchange core, the answers through xjson.c and tl__xserve_answer (after the
 * commit when anything changed). */
#include <stdlib.h>
#include <string.h>

#include "binapi/sign.h"
#include "core/vec.h"
#include "exchange/xjson.h"
#include "exchange/xreq.h"
#include "exchange/xserve.h"

#define NS_PER_MS 1000000LL
#define NS_PER_US 1000LL

/* One request on its way through. */
typedef struct call {
    tl_xserve *s;
    tl_http_req *req;
    tl_bapi_params p;
    tl_bapi_err e;
    tl_bapi_timing timing;
    int key; /* keys->keys index of a signed request, -1 otherwise */
    uint32_t account;
    tl_bapi_rl_result rl;
    bool charged;
    int64_t now_ns;
} call;

static void answer_json(call *c, unsigned status, tl_jw *w)
{
    tl_bapi_header h[4];
    int n = c->charged ? tl_bapi_rl_headers(&c->rl, h) : 0;
    if (tl_jw_finish(w) != 0) {
        tl_bapi_err_set(&c->e, TL_BAPI_UNKNOWN, NULL);
        tl_jw_reset(w);
        tl_bapi_err_json(&c->e, w);
        status = 500;
    }
    tl__xserve_answer(c->s, c->req, status, w->buf, w->len, h, n);
    tl_jw_free(w);
}

/* Answers c->e (a refusal). Always 0: the request is answered. */
static int refuse(call *c)
{
    tl_jw w;
    tl_jw_init(&w);
    tl_bapi_err_json(&c->e, &w);
    answer_json(c, (unsigned)c->e.http, &w);
    return 0;
}

static int weight_only(call *c, uint32_t weight)
{
    tl_xserve *s = c->s;
    int rc = tl_bapi_rl_charge(&s->cfg.limits, &s->ip_rl, NULL, weight, 0,
                               c->now_ns / NS_PER_MS, &c->rl, &c->e);
    c->charged = true;
    return rc;
}

/* The parameters of any request: the raw query string and a form body. */
static int begin(call *c, tl_xserve *s, tl_http_req *req)
{
    memset(c, 0, sizeof(*c));
    c->s = s;
    c->req = req;
    c->key = -1;
    c->now_ns = tl__xserve_now_ns();
    s->requests++;
    size_t blen = 0;
    const char *body = tl_http_req_body(req, &blen);
    const char *q = tl_http_req_raw_query(req);
    return tl_bapi_params_parse(&c->p, q, strlen(q), body, blen, &c->e);
}

/* A SIGNED request (rest-api.md "SIGNED (TRADE and USER_DATA) Endpoint security"): the API key
 * of the X-MBX-APIKEY header, the signature over query || body with its secret, the timing
 * window, then the request weight and, for a new order, the account's order counts. */
static int authenticate(call *c, uint32_t weight, uint32_t orders)
{
    tl_xserve *s = c->s;
    size_t klen = 0;
    const char *api_key = tl_http_req_header(c->req, "X-MBX-APIKEY", &klen);
    if (!api_key || klen == 0 || klen >= TL_BAPI_API_KEY_MAX || strlen(api_key) != klen)
        return tl_bapi_err_set(&c->e, TL_BAPI_BAD_API_KEY_FMT, NULL);
    c->key = tl__xserve_key(s, api_key, klen);
    if (c->key < 0)
        return tl_bapi_err_set(&c->e, TL_BAPI_REJECTED_MBX_KEY, NULL);
    const tl_bapi_key *k = &s->keys->keys[c->key];
    c->account = s->key_account[c->key];
    size_t blen = 0;
    const char *body = tl_http_req_body(c->req, &blen);
    const char *q = tl_http_req_raw_query(c->req);
    int rc = tl_bapi_verify(k->secret, strlen(k->secret), q, strlen(q), body, blen, &c->e);
    if (rc == 0) {
        tl_bapi_params_find(&c->p, "signature"); /* checked by verify: marked read */
        rc = tl_bapi_timing_read(&c->p, &c->timing, &c->e);
    }
    if (rc == 0)
        rc = tl_bapi_timing_check(&c->timing, c->now_ns / NS_PER_US, &c->e);
    if (rc != 0)
        return rc;
    rc = tl_bapi_rl_charge(&s->cfg.limits, &s->ip_rl, &s->key_rl[c->key], weight, orders,
                           c->now_ns / NS_PER_MS, &c->rl, &c->e);
    c->charged = true;
    return rc;
}

/* symbol, mandatory or not: its number, -1 when absent; -1121 when not listed. */
static int symbol_param(call *c, bool mandatory, int *out)
{
    char name[TL_BAPI_SYMBOL_MAX];
    bool present = false;
    int rc = tl_bapi_params_symbol(&c->p, mandatory, name, &present, &c->e);
    if (rc != 0)
        return rc;
    *out = present ? tl_xcore_symbol(&c->s->x, name) : -1;
    if (present && *out < 0)
        return tl_bapi_err_set(&c->e, TL_BAPI_BAD_SYMBOL, NULL);
    return 0;
}

/* ---- public endpoints ---- */

static int h_ping(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    call c;
    if (begin(&c, ctx, req) != 0 || weight_only(&c, 1) != 0 || tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_obj_end(&w);
    answer_json(&c, 200, &w);
    return 0;
}

static int h_time(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    call c;
    if (begin(&c, ctx, req) != 0 || weight_only(&c, 1) != 0 || tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_int(&w, "serverTime", c.now_ns / NS_PER_MS);
    tl_jw_obj_end(&w);
    answer_json(&c, 200, &w);
    return 0;
}

static int h_exchange_info(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    call c;
    int sym = -1;
    if (begin(&c, ctx, req) != 0 || weight_only(&c, 20) != 0 || symbol_param(&c, false, &sym) ||
        tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    tl_jw w;
    tl_jw_init(&w);
    tl__xjson_exchange_info(&w, &c.s->x, &c.s->cfg.limits, sym, c.now_ns);
    answer_json(&c, 200, &w);
    return 0;
}

/* rest-api.md "Order book": weight by limit; limit 1..5000, default 100. */
static int h_depth(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    call c;
    int sym = -1;
    int64_t limit = 100;
    bool present;
    if (begin(&c, ctx, req) != 0 || symbol_param(&c, true, &sym) ||
        tl_bapi_params_int64(&c.p, "limit", false, &limit, &present, &c.e))
        return refuse(&c);
    if (limit < 1 || limit > 5000) {
        tl_bapi_err_set(&c.e, TL_BAPI_ILLEGAL_CHARS, "Illegal characters found in parameter "
                                                     "'limit'; legal range is '1..5000'.");
        return refuse(&c);
    }
    uint32_t weight = limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
    if (weight_only(&c, weight) != 0 || tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    tl_jw w;
    tl_jw_init(&w);
    if (tl__xjson_depth(&w, &c.s->x, sym, (size_t)limit) != 0)
        w.err = TL_ENOMEM;
    answer_json(&c, 200, &w);
    return 0;
}

/* bookTicker and 24hr: one symbol (an object) or all (an array). */
static int tickers(void *ctx, tl_http_req *req, bool day, uint32_t w_one, uint32_t w_all)
{
    call c;
    int sym = -1;
    if (begin(&c, ctx, req) != 0 || symbol_param(&c, false, &sym) ||
        weight_only(&c, sym >= 0 ? w_one : w_all) != 0 || tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    const tl_xcore *x = &c.s->x;
    tl_jw w;
    tl_jw_init(&w);
    if (sym < 0)
        tl_jw_arr_begin(&w);
    for (size_t i = 0; i < x->n_symbols; i++) {
        if (sym >= 0 && (size_t)sym != i)
            continue;
        if (day)
            tl__xjson_ticker_24hr(&w, x, (int)i, c.now_ns);
        else
            tl__xjson_book_ticker(&w, x, (int)i);
    }
    if (sym < 0)
        tl_jw_arr_end(&w);
    answer_json(&c, 200, &w);
    return 0;
}

static int h_book_ticker(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    return tickers(ctx, req, false, 2, 4);
}

static int h_ticker_24hr(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    return tickers(ctx, req, true, 2, 80);
}

/* ---- signed endpoints ---- */

/* POST /api/v3/order (rest-api.md "New order (TRADE)"), LIMIT and MARKET. */
static int h_order_new(void *ctx, tl_http_req *req, tl_err *err)
{
    call c;
    tl_xplace o;
    int resp_type;
    if (begin(&c, ctx, req) != 0 || authenticate(&c, 1, 1) != 0 ||
        tl__xreq_order(&c.p, &c.s->x, &o, &resp_type, &c.e) != 0)
        return refuse(&c);
    /* Binance checks the window again just before the matching engine (sign.h). */
    if (tl_bapi_params_unread(&c.p, &c.e) ||
        tl_bapi_timing_check(&c.timing, tl__xserve_now_ns() / NS_PER_US, &c.e))
        return refuse(&c);
    uint64_t id = 0;
    uint32_t first = 0;
    tl_xrefusal r;
    int rc = tl_xcore_place(&c.s->x, c.account, &o, c.now_ns, &id, &first, &r, err);
    if (rc < 0) { /* the core cannot go on: as a failed commit */
        c.s->halted = true;
        tl_xserve_stop(c.s);
        return rc;
    }
    if (rc == 1) {
        tl_bapi_err_set(&c.e, r.code, "%s", r.msg);
        return refuse(&c);
    }
    tl_jw w;
    tl_jw_init(&w);
    tl__xjson_new_order(&w, &c.s->x, &c.s->x.orders[id - 1], first, resp_type);
    answer_json(&c, 200, &w);
    return 0;
}

/* orderId or origClientOrderId, one of them mandatory (DELETE and GET /api/v3/order). */
static int order_ref(call *c, uint64_t *id, const char **cid)
{
    int64_t v = 0;
    bool has_id = false, has_cid = false;
    int rc = tl_bapi_params_int64(&c->p, "orderId", false, &v, &has_id, &c->e);
    if (rc == 0)
        rc = tl_bapi_params_str(&c->p, "origClientOrderId", false, cid, &has_cid, &c->e);
    if (rc == 0 && !has_id && !has_cid)
        rc = tl_bapi_err_set(&c->e, TL_BAPI_MANDATORY_PARAM_EMPTY_OR_MALFORMED,
                             "Param 'origClientOrderId' or 'orderId' must be sent, but both were "
                             "empty/null!");
    *id = has_id ? (uint64_t)v : 0;
    if (!has_cid)
        *cid = NULL;
    if (rc == 0 && has_id && v == 0) /* no order has id 0 */
        *id = UINT64_MAX;
    return rc;
}

/* DELETE /api/v3/order (rest-api.md "Cancel order (TRADE)"). */
static int h_order_cancel(void *ctx, tl_http_req *req, tl_err *err)
{
    call c;
    int sym = -1;
    uint64_t id = 0;
    const char *cid = NULL, *new_cid = NULL;
    bool has_new = false;
    if (begin(&c, ctx, req) != 0 || authenticate(&c, 1, 0) != 0 ||
        symbol_param(&c, true, &sym) || order_ref(&c, &id, &cid) ||
        tl_bapi_params_str(&c.p, "newClientOrderId", false, &new_cid, &has_new, &c.e) ||
        tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    uint64_t done = 0;
    tl_xrefusal r;
    int rc = tl_xcore_cancel(&c.s->x, c.account, sym, id, cid, c.now_ns, &done, &r, err);
    if (rc < 0) {
        c.s->halted = true;
        tl_xserve_stop(c.s);
        return rc;
    }
    if (rc == 1) {
        tl_bapi_err_set(&c.e, TL_BAPI_CANCEL_REJECTED, "%s", r.msg);
        return refuse(&c);
    }
    char made[32];
    snprintf(made, sizeof(made), "cancel-%llu", (unsigned long long)done);
    tl_jw w;
    tl_jw_init(&w);
    tl__xjson_canceled(&w, &c.s->x, &c.s->x.orders[done - 1], has_new ? new_cid : made,
                       c.now_ns);
    answer_json(&c, 200, &w);
    return 0;
}

/* GET /api/v3/order (rest-api.md "Query order (USER_DATA)"). */
static int h_order_get(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    call c;
    int sym = -1;
    uint64_t id = 0;
    const char *cid = NULL;
    if (begin(&c, ctx, req) != 0 || authenticate(&c, 4, 0) != 0 ||
        symbol_param(&c, true, &sym) || order_ref(&c, &id, &cid) ||
        tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    const tl_xorder *o = tl_xcore_find_order(&c.s->x, c.account, sym, id, cid);
    if (!o) {
        tl_bapi_err_set(&c.e, TL_BAPI_NO_SUCH_ORDER, NULL);
        return refuse(&c);
    }
    tl_jw w;
    tl_jw_init(&w);
    tl__xjson_order(&w, &c.s->x, o);
    answer_json(&c, 200, &w);
    return 0;
}

/* The ids of one account's resting orders (tl_lob_iter's callback). */
typedef struct open_list {
    uint32_t account;
    uint64_t *ids;
    size_t n, cap;
    bool oom;
} open_list;

static bool collect_open(void *ctx, const tl_lob_resting *r)
{
    open_list *ol = ctx;
    if (r->account != ol->account)
        return true;
    if (TL_VEC_RESERVE(&ol->ids, &ol->cap, ol->n + 1) != 0) {
        ol->oom = true;
        return false;
    }
    ol->ids[ol->n++] = r->order_id;
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* GET /api/v3/openOrders (rest-api.md "Current open orders (USER_DATA)"): weight 6 for one
 * symbol, 80 for all. The open orders are those resting in the books (walked, not every order
 * ever made), oldest first. */
static int h_open_orders(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    call c;
    int sym = -1;
    if (begin(&c, ctx, req) != 0)
        return refuse(&c);
    tl_bapi_param *sp = tl_bapi_params_find(&c.p, "symbol");
    if (sp)
        sp->read = false; /* only looked at: symbol_param reads it for real below */
    if (authenticate(&c, sp ? 6 : 80, 0) != 0 || symbol_param(&c, false, &sym) ||
        tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    const tl_xcore *x = &c.s->x;
    open_list ol = {c.account, NULL, 0, 0, false};
    for (size_t i = 0; i < x->n_symbols; i++)
        if (sym < 0 || (size_t)sym == i)
            for (uint8_t side = 0; side < 2; side++)
                tl_lob_iter(&x->symbols[i].book, side, collect_open, &ol);
    if (ol.oom) {
        free(ol.ids);
        tl_bapi_err_set(&c.e, TL_BAPI_UNKNOWN, NULL);
        return refuse(&c);
    }
    if (ol.n > 1)
        qsort(ol.ids, ol.n, sizeof(*ol.ids), cmp_u64);
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_arr_begin(&w);
    for (size_t i = 0; i < ol.n; i++)
        tl__xjson_order(&w, x, &x->orders[ol.ids[i] - 1]);
    tl_jw_arr_end(&w);
    free(ol.ids);
    answer_json(&c, 200, &w);
    return 0;
}

/* GET /api/v3/account (rest-api.md "Account information (USER_DATA)"). */
static int h_account(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    call c;
    const char *omit = NULL;
    bool has_omit = false;
    if (begin(&c, ctx, req) != 0 || authenticate(&c, 20, 0) != 0 ||
        tl_bapi_params_str(&c.p, "omitZeroBalances", false, &omit, &has_omit, &c.e) ||
        tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    tl_jw w;
    tl_jw_init(&w);
    tl__xjson_account(&w, &c.s->x, c.account, has_omit && strcmp(omit, "true") == 0, c.now_ns);
    answer_json(&c, 200, &w);
    return 0;
}

/* GET /api/v3/myTrades (rest-api.md "Account trade list (USER_DATA)"): symbol mandatory;
 * orderId, startTime, endTime, fromId, limit (default 500, max 1000). */
static int h_my_trades(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    call c;
    int sym = -1;
    int64_t order_id = 0, start = 0, end = INT64_MAX, from_id = 0, limit = 500;
    bool has_order, has_start, has_end, has_from, has_limit;
    if (begin(&c, ctx, req) != 0 || authenticate(&c, 20, 0) != 0 ||
        symbol_param(&c, true, &sym) ||
        tl_bapi_params_int64(&c.p, "orderId", false, &order_id, &has_order, &c.e) ||
        tl_bapi_params_int64(&c.p, "startTime", false, &start, &has_start, &c.e) ||
        tl_bapi_params_int64(&c.p, "endTime", false, &end, &has_end, &c.e) ||
        tl_bapi_params_int64(&c.p, "fromId", false, &from_id, &has_from, &c.e) ||
        tl_bapi_params_int64(&c.p, "limit", false, &limit, &has_limit, &c.e) ||
        tl_bapi_params_unread(&c.p, &c.e))
        return refuse(&c);
    if (limit < 1 || limit > 1000) {
        tl_bapi_err_set(&c.e, TL_BAPI_ILLEGAL_CHARS, "Illegal characters found in parameter "
                                                     "'limit'; legal range is '1..1000'.");
        return refuse(&c);
    }
    const tl_xcore *x = &c.s->x;
    const tl_xaccount *a = &x->accounts[c.account];
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_arr_begin(&w);
    int64_t n = 0;
    /* Without fromId and times, Binance returns the most recent trades: start far enough back. */
    uint32_t i = 0;
    if (!has_from && !has_start && !has_end && !has_order) {
        uint32_t seen = 0;
        for (i = a->n_fills; i > 0 && seen < limit; i--)
            if (x->fills[a->fills[i - 1]].symbol == sym)
                seen++;
    }
    for (; i < a->n_fills && n < limit; i++) {
        const tl_xfill *f = &x->fills[a->fills[i]];
        int64_t ms = f->ts_ns / NS_PER_MS;
        if (f->symbol != sym || (has_order && f->order_id != (uint64_t)order_id) ||
            (has_from && f->trade_id < (uint64_t)from_id) || ms < start || ms > end)
            continue;
        tl__xjson_trade(&w, x, f);
        n++;
    }
    tl_jw_arr_end(&w);
    answer_json(&c, 200, &w);
    return 0;
}

size_t tl__xrest_routes(tl_xserve *s, tl_http_route *out, size_t cap)
{
    const unsigned form = TL_HTTP_URLENC | TL_HTTP_EMPTY_OK;
    const tl_http_route r[] = {
        {"GET", "/api/v3/ping", 0, h_ping, s},
        {"GET", "/api/v3/time", 0, h_time, s},
        {"GET", "/api/v3/exchangeInfo", 0, h_exchange_info, s},
        {"GET", "/api/v3/depth", 0, h_depth, s},
        {"GET", "/api/v3/ticker/bookTicker", 0, h_book_ticker, s},
        {"GET", "/api/v3/ticker/24hr", 0, h_ticker_24hr, s},
        {"POST", "/api/v3/order", form, h_order_new, s},
        {"DELETE", "/api/v3/order", form, h_order_cancel, s},
        {"GET", "/api/v3/order", 0, h_order_get, s},
        {"GET", "/api/v3/openOrders", 0, h_open_orders, s},
        {"GET", "/api/v3/account", 0, h_account, s},
        {"GET", "/api/v3/myTrades", 0, h_my_trades, s},
    };
    size_t n = sizeof(r) / sizeof(r[0]);
    n = n < cap ? n : cap;
    memcpy(out, r, sizeof(r[0]) * n);
    return n;
}
