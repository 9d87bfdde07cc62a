/*
 * http_testd.c -- a small server for the HTTP tests (tests/e2e/test_http_server.sh), not the
 * product: src/net/http.c, admin_token.c and prom.c on a libuv loop, with routes that exercise
 * every path of the server. Prints "port N" on stdout once listening; SIGTERM/SIGINT: exit 0.
 *
 *   http_testd [--listen HOST:PORT] [--max-body BYTES] [--timeout SECONDS]
 *
 * Routes: GET /health; GET|POST /echo and the prefix /echo/ (method, path, rest, query "q",
 * header X-Thing, body); POST /deferred (held until POST /release answers every held one with
 * its own body); GET /pending (how many are held); POST /admin (X-Admin-Token, from
 * TRADELOOP_ADMIN_TOKEN[_FILE]); GET /fail (a handler error: 500); GET /metrics.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/jsonw.h"
#include "net/admin_token.h"
#include "net/http.h"
#include "net/prom.h"

#define MAX_HELD 4096

typedef struct app {
    tl_http srv;
    tl_admin_token token;
    tl_prom prom;
    tl_prom_family *requests, *held_g, *body_h;
    tl_prom_series *held_s, *body_s;
    tl_http_req *held[MAX_HELD];
    size_t n_held;
    uint64_t batches;
} app;

static int count(app *a, const char *route)
{
    tl_prom_series *s;
    const char *v[] = {route};
    if (tl_prom_series_get(a->requests, v, &s, NULL) != 0)
        return TL_ENOMEM;
    tl_prom_counter_add(s, 1);
    return 0;
}

static int reply_jw(tl_http_req *req, unsigned status, tl_jw *w)
{
    int rc = tl_jw_finish(w);
    if (rc == 0)
        rc = tl_http_reply(req, status, "application/json", w->buf, w->len);
    tl_jw_free(w);
    return rc;
}

static int on_health(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    count(ctx, "health");
    static const char body[] = "{\"status\":\"ok\"}\n";
    return tl_http_reply(req, 200, "application/json", body, sizeof(body) - 1);
}

static int on_echo(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    app *a = ctx;
    count(a, "echo");
    size_t blen;
    const char *body = tl_http_req_body(req, &blen);
    tl_prom_observe(a->body_s, (int64_t)blen);
    const char *q = tl_http_req_query(req, "q");
    const char *thing = tl_http_req_header(req, "X-Thing", NULL);
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_str(&w, "body", body);
    tl_jw_kv_uint(&w, "body_len", blen);
    tl_jw_kv_str(&w, "method", tl_http_req_method(req));
    tl_jw_kv_str(&w, "path", tl_http_req_path(req));
    tl_jw_key(&w, "q");
    if (q != NULL)
        tl_jw_str(&w, q);
    else
        tl_jw_null(&w);
    tl_jw_kv_str(&w, "rest", tl_http_req_rest(req));
    tl_jw_key(&w, "thing");
    if (thing != NULL)
        tl_jw_str(&w, thing);
    else
        tl_jw_null(&w);
    tl_jw_obj_end(&w);
    return reply_jw(req, 200, &w);
}

static int on_deferred(void *ctx, tl_http_req *req, tl_err *err)
{
    app *a = ctx;
    count(a, "deferred");
    if (a->n_held == MAX_HELD)
        return tl_err_set(err, TL_EFULL, "too many held requests");
    a->held[a->n_held++] = req; /* answered by /release: the request stays valid until then */
    tl_prom_gauge_set(a->held_s, (int64_t)a->n_held);
    return 0;
}

static int on_pending(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    app *a = ctx;
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_uint(&w, "deferred", a->srv.deferred);
    tl_jw_kv_uint(&w, "held", a->n_held);
    tl_jw_obj_end(&w);
    return reply_jw(req, 200, &w);
}

static int on_release(void *ctx, tl_http_req *req, tl_err *err)
{
    app *a = ctx;
    count(a, "release");
    size_t n = a->n_held;
    for (size_t i = 0; i < n; i++) {
        size_t blen;
        const char *body = tl_http_req_body(a->held[i], &blen);
        int rc = tl_http_reply(a->held[i], 200, "application/json", body, blen);
        if (rc != 0)
            return tl_err_set(err, rc, "release: %s", tl_strerror(rc));
    }
    a->n_held = 0;
    tl_prom_gauge_set(a->held_s, 0);
    char body[64];
    int len = snprintf(body, sizeof(body), "{\"released\":%zu}\n", n);
    return tl_http_reply(req, 200, "application/json", body, (size_t)len);
}

static int on_admin(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    app *a = ctx;
    count(a, "admin");
    size_t len = 0;
    const char *hdr = tl_http_req_header(req, TL_ADMIN_TOKEN_HEADER, &len);
    tl_admin_verdict v = tl_admin_token_check(&a->token, hdr, len);
    if (v != TL_ADMIN_OK)
        return tl_http_reply_error(req, tl_admin_verdict_status(v), tl_admin_verdict_reason(v));
    static const char body[] = "{\"ok\":true}\n";
    return tl_http_reply(req, 200, "application/json", body, sizeof(body) - 1);
}

static int on_fail(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)req;
    count(ctx, "fail");
    return tl_err_set(err, TL_EIO, "the store is down");
}

static int on_metrics(void *ctx, tl_http_req *req, tl_err *err)
{
    app *a = ctx;
    count(a, "metrics");
    tl_prom_text t = {0};
    int rc = tl_prom_write(&a->prom, &t, err);
    if (rc == 0)
        rc = tl_http_reply(req, 200, TL_PROM_CONTENT_TYPE, t.buf, t.len);
    free(t.buf);
    return rc;
}

static void on_batch(void *ctx)
{
    ((app *)ctx)->batches++;
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)signum;
    uv_stop(s->loop);
}

static int metrics_init(app *a, tl_err *err)
{
    static const char *const route[] = {"route"};
    static const char *const esc[] = {"text"};
    static const int64_t bounds[] = {0, 16, 1024, 65536};
    tl_prom_family *f;
    tl_prom_series *s;
    const char *weird[] = {"quote \" backslash \\ newline \n end"};
    int rc;
    tl_prom_init(&a->prom);
    if ((rc = tl_prom_family_add(&a->prom, TL_PROM_COUNTER, "testd_requests_total",
                                 "Requests by route.", route, 1, NULL, 0, 0, &a->requests,
                                 err)) != 0 ||
        (rc = tl_prom_family_add(&a->prom, TL_PROM_GAUGE, "testd_held_requests",
                                 "Deferred requests not yet answered.", NULL, 0, NULL, 0, 0,
                                 &a->held_g, err)) != 0 ||
        (rc = tl_prom_series_get(a->held_g, NULL, &a->held_s, err)) != 0 ||
        (rc = tl_prom_family_add(&a->prom, TL_PROM_HISTOGRAM, "testd_body_bytes",
                                 "Body sizes of /echo.", NULL, 0, bounds, 4, 0, &a->body_h,
                                 err)) != 0 ||
        (rc = tl_prom_series_get(a->body_h, NULL, &a->body_s, err)) != 0 ||
        (rc = tl_prom_family_add(&a->prom, TL_PROM_GAUGE, "testd_escaped_info",
                                 "Help with a backslash \\ and a\nnewline.", esc, 1, NULL, 0, 8,
                                 &f, err)) != 0 ||
        (rc = tl_prom_series_get(f, weird, &s, err)) != 0)
        return rc;
    tl_prom_gauge_set(s, -150000000); /* -1.5 at 8 decimals */
    return 0;
}

int main(int argc, char **argv)
{
    static app a;
    tl_http_options opt = {0};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--listen") == 0)
            opt.listen = argv[i + 1];
        else if (strcmp(argv[i], "--max-body") == 0)
            opt.max_body = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--timeout") == 0)
            opt.timeout_s = (unsigned)strtoul(argv[i + 1], NULL, 10);
    }
    struct rlimit rl; /* 1,000 connections need more descriptors than the usual soft 1024 */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    tl_err err;
    tl_err_clear(&err);
    if (tl_admin_token_from_env(&a.token, &err) != 0 || metrics_init(&a, &err) != 0) {
        fprintf(stderr, "http_testd: %s\n", err.msg);
        tl_prom_close(&a.prom);
        tl_admin_token_close(&a.token);
        return 2;
    }
    const tl_http_route routes[] = {
        {"GET", "/health", 0, on_health, &a},
        {"GET", "/echo", 0, on_echo, &a},
        {"POST", "/echo", 0, on_echo, &a},
        {"GET", "/echo/", TL_HTTP_PREFIX, on_echo, &a},
        {"DELETE", "/echo/", TL_HTTP_PREFIX, on_echo, &a},
        {"POST", "/deferred", 0, on_deferred, &a},
        {"GET", "/pending", 0, on_pending, &a},
        {"POST", "/release", TL_HTTP_EMPTY_OK, on_release, &a},
        {"POST", "/admin", TL_HTTP_EMPTY_OK, on_admin, &a},
        {"GET", "/fail", 0, on_fail, &a},
        {"GET", "/metrics", 0, on_metrics, &a},
    };
    opt.on_batch = on_batch;
    opt.batch_ctx = &a;
    uv_loop_t loop;
    uv_loop_init(&loop);
    if (tl_http_start(&a.srv, &loop, &opt, routes, sizeof(routes) / sizeof(routes[0]), &err) != 0) {
        fprintf(stderr, "http_testd: %s\n", err.msg);
        uv_loop_close(&loop);
        tl_prom_close(&a.prom);
        tl_admin_token_close(&a.token);
        return err.code == TL_EINVAL ? 2 : 1;
    }
    uv_signal_t sigterm, sigint;
    uv_signal_init(&loop, &sigterm);
    uv_signal_init(&loop, &sigint);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_signal_start(&sigint, on_signal, SIGINT);
    printf("port %u\n", (unsigned)tl_http_port(&a.srv));
    fflush(stdout);
    uv_run(&loop, UV_RUN_DEFAULT);
    tl_http_close(&a.srv);
    uv_close((uv_handle_t *)&sigterm, NULL);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_run(&loop, UV_RUN_DEFAULT); /* the close callbacks */
    int rc = uv_loop_close(&loop);
    tl_prom_close(&a.prom);
    tl_admin_token_close(&a.token);
    fprintf(stderr, "http_testd: stopped (%llu handler calls, %llu refused, %llu batches)\n",
            (unsigned long long)a.srv.requests, (unsigned long long)a.srv.refused,
            (unsigned long long)a.batches);
    return rc == 0 ? 0 : 1;
}
