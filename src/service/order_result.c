/*
 * order_result.c -- the result of an order message as JSON (order_msg.h).
 */
#include "service/order_msg.h"
#include "tradeloop/clock.h"

static const char *const status_names[] = {"FILLED",    "PARTIALLY_FILLED", "REJECTED",
                                           "DUPLICATE", "PENDING",          "DRY_RUN"};

const char *tl_order_result_status_name(int status)
{
    if (status < 0 || (size_t)status >= sizeof status_names / sizeof status_names[0])
        return "?";
    return status_names[status];
}

static void kv_str_or_null(tl_jw *w, const char *key, const char *v)
{
    tl_jw_key(w, key);
    if (v == NULL || v[0] == '\0')
        tl_jw_null(w);
    else
        tl_jw_str(w, v);
}

static void kv_time(tl_jw *w, const char *key, int64_t t_ns)
{
    char b[48];
    tl_jw_key(w, key);
    if (t_ns <= 0 || tl_time_format_iso(t_ns, b, sizeof b) < 0)
        tl_jw_null(w);
    else
        tl_jw_str(w, b);
}

int tl_order_result_write(tl_jw *w, const tl_order_result *r)
{
    if (tl_order_result_status_name((int)r->status)[0] == '?')
        return TL_EINVAL;
    tl_jw_reset(w);
    tl_jw_obj_begin(w);
    kv_str_or_null(w, "client_id", r->client_id);
    tl_jw_key(w, "client_seq");
    if (r->client_seq == 0)
        tl_jw_null(w);
    else
        tl_jw_uint(w, r->client_seq);
    kv_str_or_null(w, "engine_order_id", r->engine_order_id);
    tl_jw_key(w, "fills");
    tl_jw_arr_begin(w);
    for (size_t i = 0; i < r->n_fills; i++) {
        tl_jw_obj_begin(w);
        tl_jw_kv_fixed(w, "price", r->fills[i].price);
        tl_jw_kv_fixed(w, "qty", r->fills[i].qty);
        kv_str_or_null(w, "trade_id", r->fills[i].trade_id);
        tl_jw_obj_end(w);
    }
    tl_jw_arr_end(w);
    tl_jw_kv_fixed(w, "filled_qty", r->filled_qty);
    kv_str_or_null(w, "order_id", r->order_id);
    kv_str_or_null(w, "reject_reason", r->reject_reason);
    kv_str_or_null(w, "side",
                   r->side == TL_SIDE_BUY || r->side == TL_SIDE_SELL ? tl_side_name(r->side)
                                                                     : NULL);
    tl_jw_kv_str(w, "status", tl_order_result_status_name((int)r->status));
    kv_str_or_null(w, "symbol", r->symbol);
    kv_time(w, "ts_done", r->done_ns);
    kv_time(w, "ts_received", r->received_ns);
    tl_jw_obj_end(w);
    return w->err;
}
