/* serve_status.c -- GET /status (seed 002's body) and GET /orders (see serve.h). */
#include <stdlib.h>
#include <string.h>

#include "service/serve.h"

#define ORDERS_DEFAULT 20
#define ORDERS_MAX     1000

static int reply_doc(tl_http_req *req, tl_jw *w)
{
    int rc = w->err ? tl_http_reply_error(req, 500, "out of memory")
                    : tl_http_reply(req, 200, "application/json", w->buf, w->len);
    tl_jw_free(w);
    return rc;
}

int tl__serve_status(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    tl_order_counts c;
    tl_err e2 = {0};
    /* Counted in the store, across every workspace of it (all the engines of a group). */
    bool db = !s->svc.halted && tl_store_order_counts(s->store, NULL, &c, &e2) == 0;
    const tl_svc_stats *st = &s->svc.stats;
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_bool(&w, "database_connected", db);
    tl_jw_key(&w, "database_stats");
    if (db) {
        tl_jw_obj_begin(&w);
        tl_jw_kv_uint(&w, "canceled_orders", c.canceled);
        tl_jw_kv_uint(&w, "filled_orders", c.filled);
        tl_jw_kv_uint(&w, "rejected_orders", c.rejected);
        tl_jw_kv_uint(&w, "total_orders", c.total);
        tl_jw_kv_uint(&w, "working_orders", c.working);
        tl_jw_obj_end(&w);
    } else {
        tl_jw_null(&w);
    }
    if (!db)
        tl_jw_kv_str(&w, "database_error", s->svc.halted ? s->svc.halt.msg : e2.msg);
    tl_jw_kv_bool(&w, "dry_run", s->cfg.svc.dry_run);
    tl_jw_kv_bool(&w, "kill_switch", s->svc.engine.risk.killed);
    tl_jw_kv_str(&w, "mode", tl_svc_mode_name(s->cfg.svc.mode));
    tl_jw_kv_bool(&w, "redis_connected",
                  s->have_intake && tl_redis_intake_connected(&s->intake));
    tl_jw_kv_str(&w, "service", "execution");
    tl_jw_key(&w, "statistics");
    tl_jw_obj_begin(&w);
    tl_jw_kv_uint(&w, "orders_duplicate", st->duplicates);
    tl_jw_kv_uint(&w, "orders_filled", st->filled);
    tl_jw_kv_uint(&w, "orders_malformed", st->malformed);
    tl_jw_kv_uint(&w, "orders_partially_filled", st->partially_filled);
    tl_jw_kv_uint(&w, "orders_received", st->received + st->malformed);
    tl_jw_kv_uint(&w, "orders_rejected", st->rejected + st->malformed);
    tl_jw_obj_end(&w);
    tl_jw_kv_str(&w, "store", s->cfg.store_scheme);
    tl_jw_kv_uint(&w, "uptime_seconds",
                  (uint64_t)((tl__serve_wall_ns() - s->started_ns) / TL_NS_PER_SEC));
    tl_jw_kv_str(&w, "workspace", s->cfg.svc.workspace);
    tl_jw_obj_end(&w);
    return reply_doc(req, &w);
}

static const char *side_name(uint8_t side)
{
    return side == TL_SIDE_BUY ? "BUY" : "SELL";
}

static void order_json(tl_jw *w, const tl_order_row *o)
{
    char ts[40];
    tl_jw_obj_begin(w);
    tl_time_format_iso(o->created_ns, ts, sizeof(ts));
    tl_jw_kv_str(w, "created_at", ts);
    tl_jw_key(w, "filled_at");
    if (o->filled_ns) {
        tl_time_format_iso(o->filled_ns, ts, sizeof(ts));
        tl_jw_str(w, ts);
    } else {
        tl_jw_null(w);
    }
    tl_jw_kv_fixed(w, "filled_qty", o->filled_qty);
    tl_jw_kv_str(w, "order_id", o->order_id);
    tl_jw_kv_fixed(w, "price", o->price);
    tl_jw_kv_fixed(w, "quantity", o->qty);
    tl_jw_key(w, "reject_reason");
    if (o->reject_reason[0])
        tl_jw_str(w, o->reject_reason);
    else
        tl_jw_null(w);
    tl_jw_kv_str(w, "side", side_name(o->side));
    tl_jw_kv_str(w, "status", tl_order_status_name(o->status));
    tl_jw_kv_str(w, "symbol", o->symbol);
    tl_jw_kv_str(w, "workspace", o->workspace);
    tl_jw_obj_end(w);
}

/* GET /orders?limit=N[&workspace=W]: the newest N orders (20; at most 1000), newest first. */
int tl__serve_orders(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    unsigned long limit = ORDERS_DEFAULT;
    const char *q = tl_http_req_query(req, "limit");
    if (q) {
        char *end = NULL;
        limit = strtoul(q, &end, 10);
        if (!*q || *end || q[0] == '-' || limit == 0 || limit > ORDERS_MAX)
            return tl_http_reply_error(req, 400, "limit: want a whole number in 1..1000");
    }
    const char *ws = tl_http_req_query(req, "workspace");
    tl_order_row *rows = calloc(limit, sizeof(*rows));
    if (!rows)
        return tl_http_reply_error(req, 503, "out of memory");
    size_t n = 0;
    tl_err e2 = {0};
    int rc = tl_store_orders_recent(s->store, ws && *ws ? ws : NULL, rows, limit, &n, &e2);
    if (rc != 0) {
        free(rows);
        return tl_http_reply_error(req, rc == TL_EINVAL ? 400 : 503, e2.msg);
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_uint(&w, "count", n);
    tl_jw_key(&w, "orders");
    tl_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++)
        order_json(&w, &rows[i]);
    tl_jw_arr_end(&w);
    tl_jw_obj_end(&w);
    free(rows);
    return reply_doc(req, &w);
}
