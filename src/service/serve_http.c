/* serve_http.c -- the service's HTTP API (see serve.h): health, metrics, the paper broker of seed
 * 003 and the kill switch. Status, orders: serve_status.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paper/paper_json.h"
#include "service/intent_msg.h"
#include "service/serve.h"

#define JSON "application/json"

static int reply_doc(tl_http_req *req, unsigned status, tl_jw *w)
{
    int rc = w->err ? tl_http_reply_error(req, 500, "out of memory")
                    : tl_http_reply(req, status, JSON, w->buf, w->len);
    tl_jw_free(w);
    return rc;
}

/* The admin endpoints: 0 when the token is right, else answered (401, 503) and 1. */
static int guard(tl_serve *s, tl_http_req *req)
{
    size_t len = 0;
    const char *h = tl_http_req_header(req, TL_ADMIN_TOKEN_HEADER, &len);
    tl_admin_verdict v = tl_admin_token_check(&s->token, h, len);
    if (v == TL_ADMIN_OK)
        return 0;
    tl_http_reply_error(req, tl_admin_verdict_status(v), tl_admin_verdict_reason(v));
    return 1;
}

int tl__serve_guard(tl_serve *s, tl_http_req *req)
{
    return guard(s, req);
}

static int on_health(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    const char *down = NULL;
    char why[300];
    if (s->svc.halted) {
        snprintf(why, sizeof(why), "store: %s", s->svc.halt.msg);
        down = why;
    } else if (s->have_intake && !tl_redis_intake_connected(&s->intake)) {
        down = "redis: not connected";
    } else if (s->stopping) {
        down = "shutting down";
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    if (down)
        tl_jw_kv_str(&w, "reason", down);
    tl_jw_kv_str(&w, "service", "execution");
    tl_jw_kv_str(&w, "status", down ? "unavailable" : "ok");
    tl_jw_obj_end(&w);
    return reply_doc(req, down ? 503 : 200, &w);
}

static int on_metrics(void *ctx, tl_http_req *req, tl_err *err)
{
    tl_serve *s = ctx;
    tl__serve_metrics_scrape(s);
    tl_prom_text t = {0};
    int rc = tl_prom_write(&s->m.reg, &t, err);
    if (rc == 0)
        rc = tl_http_reply(req, 200, TL_PROM_CONTENT_TYPE, t.buf ? t.buf : "", t.len);
    free(t.buf);
    return rc;
}

/* ---- the paper broker (seed 003) ---- */

/* 200 a new outcome (FILLED or DENIED: both journaled), 409 a duplicate (the original's order id
 * and outcome in the body), 422 a key reused with another payload, 503 another writer got in
 * first or the store failed (nothing written: retry). */
static void on_intent_done(void *ctx, int rc, const tl_paper_result *r, const tl_err *err)
{
    tl_http_req *req = ctx;
    if (rc != 0) {
        tl_http_reply_error(req, 503, err && err->msg[0] ? err->msg : tl_strerror(rc));
        return;
    }
    unsigned status = r->status == TL_PAPER_REFUSED ? 422 : r->duplicate ? 409 : 200;
    tl_jw w;
    tl_jw_init(&w);
    tl_paper_result_json(r, &w);
    reply_doc(req, status, &w);
}

static int on_intent(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    if (guard(s, req))
        return 0;
    size_t len = 0;
    const char *body = tl_http_req_body(req, &len);
    tl_intent_msg m;
    tl_err e2 = {0};
    if (tl_intent_msg_parse(body, len, &m, &e2) != 0)
        return tl_http_reply_error(req, 400, e2.msg);
    tl_paper_intent in = tl_intent_msg_intent(&m, tl_clock_now(tl_host_clock(s->host)));
    if (tl_svc_paper_submit(&s->paper, &in, on_intent_done, req, &e2) != 0)
        return tl_http_reply_error(req, e2.code == TL_ENOMEM ? 503 : 400, e2.msg);
    tl__serve_mark(s); /* answered after the step's commit: deferred */
    return 0;
}

/* The workspace of a /execute/paper/<what>/{workspace_id} path: 0, or answered 400 and 1. */
static int workspace_of(tl_http_req *req, const char **ws)
{
    *ws = tl_http_req_rest(req);
    tl_err e2 = {0};
    if (tl_workspace_validate(*ws, &e2) != 0) {
        char msg[300];
        snprintf(msg, sizeof(msg), "workspace_id: %s", e2.msg);
        tl_http_reply_error(req, 400, msg);
        return 1;
    }
    return 0;
}

static int paper_view(tl_serve *s, tl_http_req *req, tl_paper_view view)
{
    const char *ws;
    if (guard(s, req) || workspace_of(req, &ws))
        return 0;
    tl_paper_state st;
    tl_err e2 = {0};
    /* Intents decided but not committed are not state yet: they are written first. */
    tl_svc_paper_flush(&s->paper, NULL);
    int rc = view == TL_PAPER_VIEW_RECONCILE ? tl_paper_reconcile(s->store, ws, &st, &e2)
                                             : tl_paper_state_get(s->store, ws, &st, &e2);
    if (rc != 0)
        return tl_http_reply_error(req, 503, e2.msg);
    tl_jw w;
    tl_jw_init(&w);
    tl_paper_state_json(&st, view, &w);
    tl_paper_state_free(&st);
    return reply_doc(req, 200, &w);
}

static int on_state(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    return paper_view(ctx, req, TL_PAPER_VIEW_STATE);
}

static int on_positions(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    return paper_view(ctx, req, TL_PAPER_VIEW_POSITIONS);
}

static int on_reconcile(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    return paper_view(ctx, req, TL_PAPER_VIEW_RECONCILE);
}

static int on_reset(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    const char *ws;
    if (guard(s, req) || workspace_of(req, &ws))
        return 0;
    if (!s->cfg.allow_reset)
        return tl_http_reply_error(req, 403,
                                   "reset is off: start tradeloop serve with --allow-reset");
    tl_err e2 = {0};
    /* The intents decided before it are written before it. */
    tl_svc_paper_flush(&s->paper, NULL);
    if (tl_paper_reset(s->store, ws, s->cfg.paper_equity, tl__serve_wall_ns(), &e2) != 0)
        return tl_http_reply_error(req, 503, e2.msg);
    return paper_view(s, req, TL_PAPER_VIEW_STATE);
}

/* ---- the kill switch ---- */

static int kill_switch(tl_serve *s, tl_http_req *req, bool engage)
{
    if (guard(s, req))
        return 0;
    tl_err e2 = {0};
    tl_engine *e = &s->svc.engine;
    int changed = engage ? tl_engine_kill(e, "POST /kill", &e2) : tl_engine_kill_release(e);
    /* Durable before it is said (the step's orders decided before it go in the same commit and
     * are answered at the step's end as usual). */
    if (changed < 0 || tl_svc_commit(&s->svc, &e2) != 0)
        return tl_http_reply_error(req, 503, e2.msg);
    if (tl_log_begin(s->log, TL_LOG_WARNING, tl__serve_wall_ns(),
                     engage ? "kill switch engaged" : "kill switch released")) {
        tl_jw_kv_bool(tl_log_fields(s->log), "changed", changed == 1);
        tl_log_end(s->log);
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_bool(&w, "changed", changed == 1);
    tl_jw_kv_bool(&w, "kill_switch", e->risk.killed);
    tl_jw_obj_end(&w);
    return reply_doc(req, 200, &w);
}

static int on_kill(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    return kill_switch(ctx, req, true);
}

static int on_release(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    return kill_switch(ctx, req, false);
}

int tl__serve_status(void *ctx, tl_http_req *req, tl_err *err);
int tl__serve_orders(void *ctx, tl_http_req *req, tl_err *err);

static void on_http_log(void *ctx, const char *line)
{
    tl_serve *s = ctx;
    if (tl_log_begin(s->log, TL_LOG_WARNING, tl__serve_wall_ns(), "http")) {
        tl_jw_kv_str(tl_log_fields(s->log), "detail", line);
        tl_log_end(s->log);
    }
}

int tl__serve_http_start(tl_serve *s, tl_err *err)
{
    const tl_http_route routes[] = {
        {"GET", "/health", 0, on_health, s},
        {"GET", "/status", 0, tl__serve_status, s},
        {"GET", "/metrics", 0, on_metrics, s},
        {"GET", "/orders", 0, tl__serve_orders, s},
        {"POST", "/execute/intents", 0, on_intent, s},
        {"GET", "/execute/paper/state/", TL_HTTP_PREFIX, on_state, s},
        {"GET", "/execute/paper/positions/", TL_HTTP_PREFIX, on_positions, s},
        {"POST", "/execute/paper/reconcile/", TL_HTTP_PREFIX | TL_HTTP_EMPTY_OK, on_reconcile, s},
        {"POST", "/execute/paper/reset/", TL_HTTP_PREFIX | TL_HTTP_EMPTY_OK, on_reset, s},
        {"POST", "/kill", TL_HTTP_EMPTY_OK, on_kill, s},
        {"POST", "/kill/release", TL_HTTP_EMPTY_OK, on_release, s},
        TL__SERVE_RUNPLAN_ROUTES(s),
    };
    tl_http_options o = {0};
    o.listen = s->cfg.listen;
    o.max_body = s->cfg.max_body;
    o.log = on_http_log;
    o.log_ctx = s;
    int rc = tl_http_start(&s->http, &s->host->loop, &o, routes, sizeof(routes) / sizeof(routes[0]),
                           err);
    if (rc == 0)
        s->have_http = true;
    return rc;
}
