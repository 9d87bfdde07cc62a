/* serve.c -- the execution service's life: start, the step's commit, shutdown (see serve.h). */
#include "service/serve.h"

#include <string.h>
#include <time.h>

int64_t tl__serve_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * TL_NS_PER_SEC + ts.tv_nsec;
}

void tl_serve_config_default(tl_serve_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen = TL_HTTP_LISTEN_DEFAULT;
    tl_svc_config_default(&c->svc);
    c->paper_equity = TL_PAPER_DEFAULT_EQUITY;
    c->max_body = TL_HTTP_MAX_BODY_DEFAULT;
    c->drain_ms = 5000;
    c->run_plan_timeout_s = 600;
    c->store_scheme = "sqlite";
}

static void on_idle(uv_idle_t *h)
{
    (void)h; /* its being active is the point: see tl__serve_mark */
}

/* Something waits for the step's commit. The commit runs in the check phase, after the loop's
 * poll; a decision made outside the poll (in a timer, such as the HTTP server's run after a
 * resume) would otherwise wait for the poll to return, which blocks until the next event. An
 * active idle handle makes that poll return at once. */
void tl__serve_mark(tl_serve *s)
{
    s->dirty = true;
    if (s->have_idle && !uv_is_active((uv_handle_t *)&s->idle))
        uv_idle_start(&s->idle, on_idle);
}

static void log_error(tl_serve *s, const char *msg, const tl_err *err)
{
    if (tl_log_begin(s->log, TL_LOG_ERROR, tl__serve_wall_ns(), msg)) {
        tl_jw_kv_str(tl_log_fields(s->log), "error", err->msg);
        tl_log_end(s->log);
    }
}

/* The step's end: what the turn decided is committed, then answered. A failed commit halts the
 * core (its answers are dropped: not durable, never said); /health reports it. */
static void on_check(uv_check_t *h)
{
    tl_serve *s = h->data;
    if (!s->dirty)
        return;
    s->dirty = false;
    if (s->have_idle)
        uv_idle_stop(&s->idle);
    tl_err err = {0};
    bool was_halted = s->svc.halted;
    int64_t t0 = tl__serve_wall_ns();
    uint64_t commits = s->svc.stats.commits + s->paper.stats.commits;
    if (tl_svc_commit(&s->svc, &err) != 0 && !was_halted)
        log_error(s, "commit failed: the service is halted", &err);
    if (tl_svc_paper_commit(&s->paper, &err) != 0)
        log_error(s, "paper commit failed", &err);
    if (s->svc.stats.commits + s->paper.stats.commits != commits)
        tl_prom_observe(s->m.commit_seconds, tl__serve_wall_ns() - t0);
}

static void close_handles(tl_serve *s)
{
    tl__serve_runplans_close(s); /* before the HTTP server: it answers its request itself */
    if (s->have_http) {
        tl_http_close(&s->http);
        s->have_http = false;
    }
    if (s->have_intake) {
        tl_redis_intake_close(&s->intake);
        s->have_intake = false;
    }
    if (s->have_drain) {
        uv_close((uv_handle_t *)&s->drain, NULL);
        s->have_drain = false;
    }
    if (s->have_check) {
        uv_close((uv_handle_t *)&s->check, NULL);
        s->have_check = false;
    }
    if (s->have_idle) {
        uv_close((uv_handle_t *)&s->idle, NULL);
        s->have_idle = false;
    }
}

/* Shutdown, once the answers in flight are out (or the wait ran out). */
static void on_drain(uv_timer_t *t)
{
    tl_serve *s = t->data;
    uint64_t left = s->have_intake ? tl_redis_intake_in_flight(&s->intake) : 0;
    if (left > 0 && tl__serve_wall_ns() < s->drain_until_ns)
        return;
    if (tl_log_begin(s->log, TL_LOG_INFO, tl__serve_wall_ns(), "stopped")) {
        tl_jw *w = tl_log_fields(s->log);
        tl_jw_kv_uint(w, "orders_received", s->svc.stats.received);
        tl_jw_kv_uint(w, "unanswered", left);
        tl_log_end(s->log);
    }
    uv_timer_stop(t);
    close_handles(s);
    tl_host_stop(s->host);
}

void tl_serve_stop(tl_serve *s)
{
    if (s->stopping)
        return;
    s->stopping = true;
    tl_log_msg(s->log, TL_LOG_INFO, tl__serve_wall_ns(), "stopping: intake closed, draining");
    if (s->have_http)
        tl_http_quiesce(&s->http);
    if (s->have_intake)
        tl_redis_intake_stop_reading(&s->intake);
    /* What was decided is committed and answered now, not at the next turn. */
    s->dirty = true;
    on_check(&s->check);
    s->drain_until_ns = tl__serve_wall_ns() + (int64_t)s->cfg.drain_ms * TL_NS_PER_MS;
    uv_timer_start(&s->drain, on_drain, 0, 10);
}

static int on_signal(void *ctx, int signum, tl_err *err)
{
    (void)signum;
    (void)err;
    tl_serve_stop(ctx);
    return 0;
}

int tl_serve_start(tl_serve *s, const tl_serve_config *cfg, tl_host *host, tl_store *store,
                   tl_log *log, tl_err *err)
{
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    s->token = cfg->token; /* moved: the copy in s->cfg is never used */
    memset(&s->cfg.token, 0, sizeof(s->cfg.token));
    s->host = host;
    s->store = store;
    s->log = log;
    s->started_ns = tl__serve_wall_ns();
    uv_loop_t *loop = &host->loop;
    int rc;
    if ((rc = tl__serve_metrics_init(s, err)) != 0)
        return rc;
    if ((rc = tl_svc_open(&s->svc, &cfg->svc, store, tl_host_clock(host), err)) != 0)
        return rc;
    s->have_svc = true;
    if ((rc = tl_svc_paper_init(&s->paper, store, cfg->paper_equity)) != 0)
        return tl_err_set(err, rc, "paper broker: %s", tl_strerror(rc));
    s->have_paper = true;
    uv_check_init(loop, &s->check);
    s->check.data = s;
    uv_check_start(&s->check, on_check);
    s->have_check = true;
    uv_idle_init(loop, &s->idle);
    s->idle.data = s;
    s->have_idle = true;
    uv_timer_init(loop, &s->drain);
    s->drain.data = s;
    s->have_drain = true;
    if ((rc = tl_host_on_signal(host, SIGTERM, on_signal, s, err)) != 0 ||
        (rc = tl_host_on_signal(host, SIGINT, on_signal, s, err)) != 0)
        return rc;
    if ((rc = tl__serve_http_start(s, err)) != 0)
        return rc;
    if (cfg->intake != 0 && (rc = tl__serve_bus_start(s, err)) != 0)
        return rc;
    if (tl_log_begin(log, TL_LOG_INFO, tl__serve_wall_ns(), "serving")) {
        tl_jw *w = tl_log_fields(log);
        tl_jw_kv_bool(w, "admin_token", tl_admin_token_configured(&s->token));
        tl_jw_kv_bool(w, "dry_run", cfg->svc.dry_run);
        tl_jw_kv_str(w, "intake",
                     cfg->intake == TL_INTAKE_STREAMS  ? "streams"
                     : cfg->intake == TL_INTAKE_PUBSUB ? "pubsub"
                                                       : "none");
        tl_jw_kv_str(w, "listen", s->http.listen);
        tl_jw_kv_str(w, "mode", tl_svc_mode_name(cfg->svc.mode));
        tl_jw_kv_uint(w, "port", tl_http_port(&s->http));
        tl_jw_kv_str(w, "store", cfg->store_scheme);
        tl_jw_kv_str(w, "workspace", cfg->svc.workspace);
        tl_log_end(log);
    }
    return 0;
}

void tl_serve_close(tl_serve *s)
{
    close_handles(s);
    /* The handles' close callbacks run when the loop next turns (the caller's host close). */
    if (s->have_paper)
        tl_svc_paper_close(&s->paper);
    if (s->have_svc)
        tl_svc_close(&s->svc);
    tl_prom_close(&s->m.reg);
    tl_admin_token_close(&s->token);
    s->have_paper = s->have_svc = false;
}
