/* serve_bus.c -- orders from Redis into the core, results back after the commit (see serve.h). */
#include <stdlib.h>
#include <string.h>

#include "service/serve.h"

/* A message between its arrival and its answer. */
typedef struct bus_msg {
    tl_serve *s;
    tl_intake_token tok;
    int64_t received_ns;
} bus_msg;

static void answer(tl_serve *s, tl_intake_token tok, const tl_order_result *v)
{
    tl_jw w;
    tl_jw_init(&w);
    tl_err err = {0};
    int rc = tl_order_result_write(&w, v);
    if (rc == 0)
        rc = tl_redis_intake_answer(&s->intake, tok, w.buf, w.len);
    if (rc != 0 && tl_log_begin(s->log, TL_LOG_ERROR, tl__serve_wall_ns(), "answer not sent")) {
        tl_jw *f = tl_log_fields(s->log);
        tl_jw_kv_str(f, "error", rc == TL_ECLOSED ? "Redis down" : tl_strerror(rc));
        tl_jw_kv_str(f, "order_id", v->order_id ? v->order_id : "");
        tl_log_end(s->log);
    }
    (void)err;
    tl_jw_free(&w);
}

static void log_result(tl_serve *s, const tl_svc_result *r)
{
    tl_log_level lvl = r->status == TL_ORDER_RESULT_DRY_RUN    ? TL_LOG_INFO
                       : r->status == TL_ORDER_RESULT_REJECTED ? TL_LOG_INFO
                                                               : TL_LOG_DEBUG;
    if (!tl_log_begin(s->log, lvl, tl__serve_wall_ns(), "order"))
        return;
    tl_jw *w = tl_log_fields(s->log);
    tl_jw_kv_str(w, "order_id", r->order_id);
    tl_jw_kv_fixed(w, "price", r->price);
    tl_jw_kv_fixed(w, "qty", r->qty);
    if (r->reject_reason[0])
        tl_jw_kv_str(w, "reason", r->reject_reason);
    tl_jw_kv_str(w, "side", r->side == TL_SIDE_BUY ? "BUY" : "SELL");
    tl_jw_kv_str(w, "status", tl_order_result_status_name(r->status));
    tl_jw_kv_str(w, "symbol", r->symbol);
    tl_log_end(s->log);
}

/* The core said it: durable. */
static void on_result(void *ctx, const tl_svc_result *r)
{
    bus_msg *bm = ctx;
    tl_serve *s = bm->s;
    if (!r) { /* never durable: a stream entry stays pending for another engine */
        free(bm);
        return;
    }
    tl_order_result_fill fills[TL_SVC_FILLS_MAX];
    for (uint32_t i = 0; i < r->n_fills; i++)
        fills[i] = (tl_order_result_fill){r->fills[i].qty, r->fills[i].price, r->fills[i].trade_id};
    tl_order_result v = {r->order_id,
                         r->client_id[0] ? r->client_id : NULL,
                         r->symbol,
                         (int)r->side,
                         r->status,
                         fills,
                         r->n_fills,
                         r->filled_qty,
                         r->reject_reason[0] ? r->reject_reason : NULL,
                         r->client_seq,
                         r->engine_order_id[0] ? r->engine_order_id : NULL,
                         bm->received_ns,
                         tl__serve_wall_ns()};
    answer(s, bm->tok, &v);
    tl_prom_counter_add(s->m.orders[r->status], 1);
    if (r->status == TL_ORDER_RESULT_REJECTED)
        tl__serve_count_refusal(s, r->reason_code);
    tl_prom_counter_add(s->m.fills, r->status == TL_ORDER_RESULT_DUPLICATE ? 0 : r->n_fills);
    tl_prom_observe(s->m.intake_lag, v.done_ns - bm->received_ns);
    log_result(s, r);
    free(bm);
}

static void on_message(void *ctx, const char *body, size_t len, tl_intake_token tok)
{
    tl_serve *s = ctx;
    int64_t now = tl__serve_wall_ns();
    tl_order_msg m;
    tl_err err = {0};
    if (tl_order_msg_parse(body, len, 0, &m, &err) != 0) {
        /* Nothing of it reaches the engine, so nothing waits for a commit: answered now. */
        char id[TL_ORDER_MSG_ID_MAX];
        bool named = tl_order_msg_peek_id(body, len, id);
        tl_order_result v = {.order_id = named ? id : NULL,
                             .side = -1,
                             .status = TL_ORDER_RESULT_REJECTED,
                             .reject_reason = err.msg,
                             .received_ns = now,
                             .done_ns = now};
        tl_svc_count_malformed(&s->svc);
        tl__serve_count_refusal(s, "MALFORMED");
        answer(s, tok, &v);
        if (tl_log_begin(s->log, TL_LOG_WARNING, now, "order refused")) {
            tl_jw *w = tl_log_fields(s->log);
            tl_jw_kv_str(w, "order_id", named ? id : "");
            tl_jw_kv_str(w, "reason", err.msg);
            tl_log_end(s->log);
        }
        return;
    }
    bus_msg *bm = malloc(sizeof(*bm));
    if (!bm) {
        tl_log_msg(s->log, TL_LOG_ERROR, now, "out of memory: an order left unanswered");
        return;
    }
    *bm = (bus_msg){s, tok, now};
    if (tl_svc_submit(&s->svc, &m, on_result, bm, &err) != 0) {
        /* Halted: no outcome can be made durable, so none is said (a stream entry stays
         * pending for another engine). */
        free(bm);
        if (tl_log_begin(s->log, TL_LOG_ERROR, now, "order not taken")) {
            tl_jw *w = tl_log_fields(s->log);
            tl_jw_kv_str(w, "error", err.msg);
            tl_jw_kv_str(w, "order_id", m.order_id);
            tl_log_end(s->log);
        }
        return;
    }
    tl__serve_mark(s);
}

static void on_redis_log(void *ctx, const char *msg)
{
    tl_serve *s = ctx;
    tl_log_msg(s->log, TL_LOG_INFO, tl__serve_wall_ns(), msg);
}

int tl__serve_bus_start(tl_serve *s, tl_err *err)
{
    tl_redis_intake_config c = s->cfg.redis;
    c.kind = s->cfg.intake;
    c.on_message = on_message;
    c.on_answered = NULL;
    c.on_log = on_redis_log;
    c.ctx = s;
    int rc = tl_redis_intake_init(&s->intake, &s->host->loop, &c, err);
    if (rc != 0)
        return rc;
    s->have_intake = true;
    tl_redis_intake_start(&s->intake);
    return 0;
}
