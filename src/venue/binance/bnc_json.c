/*
 * bnc_json.c -- the exchange's answers read into the adapter's structs, with jansson.
 *
 * Decimals are strings in Binance's answers ("price": "0.10000000") and are read exactly with
 * tl_fixed_parse, never through a double; ids and times are JSON integers. Members the adapter
 * does not use are ignored, as the docs warn that answers grow ("The payload above does not show
 * all fields that can appear"). Every error names the member.
 */
#include <string.h>

#include "core/vec.h"
#include "loop/json_in.h"
#include "venue/binance/bnc.h"

static int want(tl_err *err, const char *what, const char *name, const char *type)
{
    return tl_err_set(err, TL_EINVAL, "binance: %s: member '%s': want %s", what, name, type);
}

static int get_u64(const json_t *o, const char *what, const char *name, uint64_t *out, tl_err *err)
{
    const json_t *v = json_object_get(o, name);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return want(err, what, name, "an integer >= 0");
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

/* An optional time (0 when absent). */
static int64_t get_time(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static int get_dec(const json_t *o, const char *what, const char *name, tl_fixed *out, tl_err *err)
{
    const json_t *v = json_object_get(o, name);
    if (!json_is_string(v) ||
        tl_fixed_parse(json_string_value(v), json_string_length(v), out, NULL) < 0)
        return want(err, what, name, "a decimal string");
    return 0;
}

static int get_str(const json_t *o, const char *what, const char *name, char *buf, size_t cap,
                   tl_err *err)
{
    const json_t *v = json_object_get(o, name);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= cap)
        return tl_err_set(err, TL_EINVAL, "binance: %s: member '%s': want a string of 1..%zu bytes",
                          what, name, cap - 1);
    memcpy(buf, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

/* The engine books fees in the quote asset. Binance charges a buyer in the asset received (the
 * base: "commissionAsset": "BTC" on BTCUSDT), so such a commission is priced at the trade's price
 * (one rounding); a quote-asset one is taken as is, and so is a third asset's (BNB), which no
 * price here converts. */
static int fee_in_quote(const json_t *o, const char *what, tl__bnc_trade *t, tl_err *err)
{
    const json_t *v = json_object_get(o, "commissionAsset");
    if (!json_is_string(v))
        return want(err, what, "commissionAsset", "a string");
    const char *asset = json_string_value(v);
    size_t alen = json_string_length(v), slen = strlen(t->symbol);
    bool base = alen > 0 && alen < slen && strncmp(t->symbol, asset, alen) == 0;
    if (base && tl_fixed_mul(t->commission, t->price, &t->commission) < 0)
        return tl_err_set(err, TL_ERANGE, "binance: %s: commission out of range", what);
    return 0;
}

static int load(const char *body, size_t len, const char *what, bool array, json_t **root,
                tl_err *err)
{
    int rc = tl__json_load(body, len, false, root, err);
    if (rc < 0)
        return tl_err_set(err, rc, "binance: %s: not JSON", what);
    if (array ? !json_is_array(*root) : !json_is_object(*root)) {
        json_decref(*root);
        return tl_err_set(err, TL_EINVAL, "binance: %s: want an %s", what,
                          array ? "array" : "object");
    }
    return 0;
}

int tl__bnc_parse_time(const char *body, size_t len, int64_t *server_ms, tl_err *err)
{
    json_t *root;
    uint64_t t = 0;
    int rc = load(body, len, "time", false, &root, err);
    if (rc < 0)
        return rc;
    rc = get_u64(root, "time", "serverTime", &t, err);
    json_decref(root);
    if (rc == 0)
        *server_ms = (int64_t)t;
    return rc;
}

static int order_of(const json_t *v, tl__bnc_order_ans *o, tl_err *err)
{
    char status[24], side[8];
    memset(o, 0, sizeof *o);
    int rc;
    if ((rc = get_str(v, "order", "symbol", o->symbol, sizeof o->symbol, err)) < 0 ||
        (rc = get_u64(v, "order", "orderId", &o->order_id, err)) < 0 ||
        (rc = get_str(v, "order", "clientOrderId", o->client_id, sizeof o->client_id, err)) < 0 ||
        (rc = get_str(v, "order", "status", status, sizeof status, err)) < 0 ||
        (rc = get_str(v, "order", "side", side, sizeof side, err)) < 0 ||
        (rc = get_dec(v, "order", "price", &o->price, err)) < 0 ||
        (rc = get_dec(v, "order", "origQty", &o->orig_qty, err)) < 0 ||
        (rc = get_dec(v, "order", "executedQty", &o->executed_qty, err)) < 0)
        return rc;
    if (tl__bnc_status_parse(status, &o->status) < 0)
        return tl_err_set(err, TL_EINVAL, "binance: order: unknown status '%s'", status);
    if (strcmp(side, "BUY") != 0 && strcmp(side, "SELL") != 0)
        return tl_err_set(err, TL_EINVAL, "binance: order: unknown side '%s'", side);
    o->side = side[0] == 'B' ? TL_SIDE_BUY : TL_SIDE_SELL;
    o->time_ms = get_time(v, "transactTime");
    if (o->time_ms == 0)
        o->time_ms = get_time(v, "updateTime");
    if (o->time_ms == 0)
        o->time_ms = get_time(v, "time");
    return 0;
}

/* The fills of a FULL answer (rest-api.md "Response - FULL"): price, qty, commission, tradeId. */
static int fills_of(const json_t *arr, const tl__bnc_order_ans *o, tl__bnc_trade **out, size_t *cap,
                    size_t *n, tl_err *err)
{
    size_t i;
    const json_t *f;
    if (!json_is_array(arr))
        return tl_err_set(err, TL_EINVAL, "binance: order: member 'fills': want an array");
    if (TL_VEC_RESERVE(out, cap, *n + json_array_size(arr)) < 0)
        return tl_err_set(err, TL_ENOMEM, "binance: out of memory reading fills");
    json_array_foreach(arr, i, f)
    {
        tl__bnc_trade *t = &(*out)[*n];
        memset(t, 0, sizeof *t);
        int rc;
        if (!json_is_object(f))
            return tl_err_set(err, TL_EINVAL, "binance: order: fills[%zu]: want an object", i);
        if ((rc = get_u64(f, "fill", "tradeId", &t->id, err)) < 0 ||
            (rc = get_dec(f, "fill", "price", &t->price, err)) < 0 ||
            (rc = get_dec(f, "fill", "qty", &t->qty, err)) < 0 ||
            (rc = get_dec(f, "fill", "commission", &t->commission, err)) < 0)
            return rc;
        t->order_id = o->order_id;
        memcpy(t->symbol, o->symbol, sizeof t->symbol);
        if ((rc = fee_in_quote(f, "fill", t, err)) < 0)
            return rc;
        t->time_ms = o->time_ms;
        t->is_buyer = o->side == TL_SIDE_BUY;
        ++*n;
    }
    return 0;
}

int tl__bnc_parse_order(const char *body, size_t len, tl__bnc_order_ans *o, tl__bnc_trade **fills,
                        size_t *fills_cap, size_t *n_fills, tl_err *err)
{
    json_t *root;
    tl__bnc_order_ans a;
    int rc = load(body, len, "order", false, &root, err);
    if (rc < 0)
        return rc;
    rc = order_of(root, &a, err);
    const json_t *arr = json_object_get(root, "fills");
    size_t n = fills != NULL ? *n_fills : 0;
    if (rc == 0 && arr != NULL && fills != NULL)
        rc = fills_of(arr, &a, fills, fills_cap, &n, err);
    json_decref(root);
    if (rc < 0)
        return rc;
    *o = a;
    if (fills != NULL)
        *n_fills = n;
    return 0;
}

int tl__bnc_parse_orders(const char *body, size_t len, tl__bnc_order_ans **out, size_t *cap,
                         size_t *n, tl_err *err)
{
    json_t *root, *v;
    size_t i;
    int rc = load(body, len, "openOrders", true, &root, err);
    if (rc < 0)
        return rc;
    if (TL_VEC_RESERVE(out, cap, json_array_size(root)) < 0)
        rc = tl_err_set(err, TL_ENOMEM, "binance: out of memory reading orders");
    json_array_foreach(root, i, v)
    {
        if (rc < 0)
            break;
        rc = json_is_object(v) ? order_of(v, &(*out)[i], err)
                               : tl_err_set(err, TL_EINVAL,
                                            "binance: openOrders[%zu]: want an "
                                            "object",
                                            i);
    }
    if (rc == 0)
        *n = json_array_size(root);
    json_decref(root);
    return rc;
}

int tl__bnc_parse_trades(const char *body, size_t len, tl__bnc_trade **out, size_t *cap, size_t *n,
                         tl_err *err)
{
    json_t *root, *v;
    size_t i;
    int rc = load(body, len, "myTrades", true, &root, err);
    if (rc < 0)
        return rc;
    if (TL_VEC_RESERVE(out, cap, json_array_size(root)) < 0)
        rc = tl_err_set(err, TL_ENOMEM, "binance: out of memory reading trades");
    json_array_foreach(root, i, v)
    {
        if (rc < 0)
            break;
        tl__bnc_trade *t = &(*out)[i];
        memset(t, 0, sizeof *t);
        if (!json_is_object(v)) {
            rc = tl_err_set(err, TL_EINVAL, "binance: myTrades[%zu]: want an object", i);
            break;
        }
        const json_t *buyer = json_object_get(v, "isBuyer");
        if ((rc = get_str(v, "trade", "symbol", t->symbol, sizeof t->symbol, err)) < 0 ||
            (rc = get_u64(v, "trade", "id", &t->id, err)) < 0 ||
            (rc = get_u64(v, "trade", "orderId", &t->order_id, err)) < 0 ||
            (rc = get_dec(v, "trade", "price", &t->price, err)) < 0 ||
            (rc = get_dec(v, "trade", "qty", &t->qty, err)) < 0 ||
            (rc = get_dec(v, "trade", "commission", &t->commission, err)) < 0)
            break;
        if (!json_is_boolean(buyer)) {
            rc = want(err, "trade", "isBuyer", "a boolean");
            break;
        }
        t->is_buyer = json_is_true(buyer);
        t->time_ms = get_time(v, "time");
        if ((rc = fee_in_quote(v, "trade", t, err)) < 0)
            break;
    }
    if (rc == 0)
        *n = json_array_size(root);
    json_decref(root);
    return rc;
}

int tl__bnc_parse_balances(const char *body, size_t len, tl_venue_position *out, size_t cap,
                           size_t *n, tl_err *err)
{
    json_t *root, *v;
    size_t i, k = 0;
    int rc = load(body, len, "account", false, &root, err);
    if (rc < 0)
        return rc;
    const json_t *arr = json_object_get(root, "balances");
    if (!json_is_array(arr))
        rc = want(err, "account", "balances", "an array");
    json_array_foreach(arr, i, v)
    {
        tl_venue_position p;
        tl_fixed free_ = 0, locked = 0;
        memset(&p, 0, sizeof p);
        if (rc < 0)
            break;
        if ((rc = get_str(v, "balance", "asset", p.symbol, sizeof p.symbol, err)) < 0 ||
            (rc = get_dec(v, "balance", "free", &free_, err)) < 0 ||
            (rc = get_dec(v, "balance", "locked", &locked, err)) < 0)
            break;
        if (tl_fixed_add(free_, locked, &p.qty) < 0) {
            rc = tl_err_set(err, TL_ERANGE, "binance: balance of %s out of range", p.symbol);
            break;
        }
        if (p.qty == 0)
            continue; /* only holdings are listed, as the other venues do */
        if (k < cap)
            out[k] = p;
        k++;
    }
    json_decref(root);
    if (rc == 0)
        *n = k;
    return rc;
}
