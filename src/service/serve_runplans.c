/*
 * serve_runplans.c -- the run-plan endpoints of `tradeloop serve` (issue 11, "Sweeps"):
 *
 *   POST /testing/run-plans/generate                a sweep file (JSON) -> its run plan, nothing
 *                                                   executed
 *   POST /testing/run-plans/generate-and-execute    multipart/form-data, parts `spec` (the sweep
 *                                                   file) and `data` (an OHLCV CSV) -> the
 *                                                   document `tradeloop sweep --json` prints
 *
 * Both behind X-Admin-Token, as the paper API. A sweep is minutes of CPU on several cores: it
 * must not run on the service's loop, which answers orders and intents between its turns. So an
 * execution is another process: both parts are checked here (the spec, every variant's parameters
 * against the strategy, the CSV: a bad one is a 400 at once), written to a private temporary
 * directory (mkdtemp, 0700), and this very binary (/proc/self/exe, unless the configuration names
 * another program) runs `sweep --spec DIR/spec.json --data DIR/data.csv --jobs <cores> --json` on
 * the service's store, its stdout and stderr on pipes the loop reads. The request is deferred and
 * answered when the child has exited and both pipes are drained: 200 with its stdout on exit 0,
 * 400 with its stderr's line on exit 2, 500 otherwise; then the directory is removed.
 *
 * The store's URL goes to the child in its environment (TRADELOOP_DB), never on its command line:
 * a PostgreSQL URL may hold a password, and /proc/PID/cmdline is readable by every user.
 *
 * One execution at a time (a second gets 503 "busy"): a sweep already uses every core. The child
 * leads its own process group, so the shutdown stops it and the workers it forked together.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sbuf.h"
#include "data/ohlcv.h"
#include "net/multipart.h"
#include "service/serve.h"
#include "sweep/run.h"

#define JSON         "application/json"
#define OUT_MAX      ((size_t)256 << 20) /* bytes of a sweep's document kept */
#define ERR_MAX      ((size_t)64 << 10)  /* bytes of its stderr kept */
#define SELF_EXE     "/proc/self/exe"    /* this very binary, even replaced on disk since */
#define CHILD_DB_VAR "TRADELOOP_DB"

extern char **environ;

/* An execution under way: the deferred request, the child and its two pipes. Freed when the last
 * of its three handles is closed. */
struct tl__runplan_exec {
    tl_serve *s;
    tl_http_req *req; /* NULL once answered */
    uv_process_t proc;
    uv_pipe_t out, err;
    uv_timer_t limit; /* cfg.run_plan_timeout_s after the spawn */
    int open;    /* handles not yet closed */
    int pending; /* of: the exit, stdout's end, stderr's end */
    int64_t exit_status;
    int term_signal;
    bool exited;   /* its exit was seen: its pid may be another process's now */
    bool overflow; /* stdout past OUT_MAX: the child was stopped */
    bool timed_out; /* past the time limit: the child was stopped */
    tl_sb out_buf, err_buf;
    char dir[256]; /* the temporary directory, "" once removed */
    char rbuf[64 * 1024];
};

static int reply_doc(tl_http_req *req, tl_jw *w)
{
    int rc = w->err ? tl_http_reply_error(req, 500, "out of memory")
                    : tl_http_reply(req, 200, JSON, w->buf, w->len);
    tl_jw_free(w);
    return rc;
}

/* The spec in buf, its plan, every variant's parameters checked against the strategy. 0, or
 * TL_EINVAL / TL_EFULL / TL_ENOMEM with msg (prefixed by what, when not NULL). */
static int load_plan(const char *buf, size_t len, const char *what, tl_sweep_spec *spec,
                     tl_sweep_plan *plan, tl_err *err)
{
    tl_err e = {0};
    int rc = tl_sweep_spec_parse(spec, buf, len, &e);
    if (rc == 0)
        rc = tl_sweep_plan_build(plan, spec, &e);
    for (uint32_t i = 0; rc == 0 && i < plan->count; i++) {
        tl_strategy_spec ss;
        if ((rc = tl_sweep_variant_strategy(plan, spec, &plan->variants[i], &ss, &e)) != 0) {
            tl_err_set(err, rc, "%s%svariant %s: %s", what ? what : "", what ? ": " : "",
                       plan->variants[i].id, e.msg);
            return rc;
        }
    }
    if (rc != 0)
        tl_err_set(err, rc, "%s%s%s", what ? what : "", what ? ": " : "", e.msg);
    return rc;
}

static unsigned status_of(int rc)
{
    return rc == TL_ENOMEM ? 503 : 400;
}

int tl__serve_runplan_generate(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    if (tl__serve_guard(s, req))
        return 0;
    size_t len = 0;
    const char *body = tl_http_req_body(req, &len);
    tl_sweep_spec spec;
    tl_sweep_plan plan;
    tl_sweep_spec_init(&spec);
    tl_sweep_plan_init(&plan);
    tl_err e = {0};
    int rc = load_plan(body, len, NULL, &spec, &plan, &e);
    if (rc != 0) {
        rc = tl_http_reply_error(req, status_of(rc), e.msg);
        goto out;
    }
    tl_jw w;
    tl_sb ov = {0};
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_uint(&w, "max_variants", spec.max_variants);
    tl_jw_kv_str(&w, "run_plan_id", plan.id);
    tl_jw_kv_str(&w, "strategy", spec.strategy);
    tl_jw_kv_str(&w, "symbol", spec.symbol);
    tl_jw_key(&w, "variants");
    tl_jw_arr_begin(&w);
    for (uint32_t i = 0; i < plan.count; i++) {
        const tl_sweep_variant *v = &plan.variants[i];
        tl_jw_obj_begin(&w);
        tl_jw_kv_str(&w, "kind", tl_sweep_variant_kind_name(v->kind));
        tl_jw_key(&w, "overrides");
        ov.len = 0;
        tl_sweep_plan_write_overrides(&plan, &spec, v, &ov);
        if (ov.err)
            w.err = TL_ENOMEM;
        tl_jw_raw(&w, ov.buf ? ov.buf : "{}", ov.buf ? ov.len : 2);
        tl_jw_kv_str(&w, "variant_id", v->id);
        tl_jw_kv_str(&w, "workspace", v->workspace);
        tl_jw_obj_end(&w);
    }
    tl_jw_arr_end(&w);
    tl_jw_obj_end(&w);
    tl_jw_finish(&w);
    tl_sb_free(&ov);
    rc = reply_doc(req, &w);
out:
    tl_sweep_plan_close(&plan);
    tl_sweep_spec_close(&spec);
    return rc;
}

/* ---- generate-and-execute ---- */

static int write_file(const char *dir, const char *name, const char *buf, size_t len, char *path,
                      size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return close(fd);
}

static void remove_dir(struct tl__runplan_exec *x)
{
    if (x->dir[0] == '\0')
        return;
    char p[300];
    snprintf(p, sizeof(p), "%s/spec.json", x->dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/data.csv", x->dir);
    unlink(p);
    rmdir(x->dir);
    x->dir[0] = '\0';
}

static void on_closed(uv_handle_t *h)
{
    struct tl__runplan_exec *x = h->data;
    if (--x->open == 0) {
        tl_sb_free(&x->out_buf);
        tl_sb_free(&x->err_buf);
        free(x);
    }
}

/* Ends x: the directory removed, the handles closed (x is freed by their callbacks), the
 * service free for the next execution. */
static void exec_end(struct tl__runplan_exec *x)
{
    remove_dir(x);
    if (x->s->exec == x)
        x->s->exec = NULL;
    uv_handle_t *hs[] = {(uv_handle_t *)&x->proc, (uv_handle_t *)&x->out, (uv_handle_t *)&x->err,
                         (uv_handle_t *)&x->limit};
    for (size_t i = 0; i < 4; i++)
        if (!uv_is_closing(hs[i]))
            uv_close(hs[i], on_closed);
}

/* The child's message: its first non-empty stderr line, without the "tradeloop sweep: " prefix
 * and the temporary directory (the client knows its parts by name, not by our paths). */
static void child_message(struct tl__runplan_exec *x, char *msg, size_t cap)
{
    const char *p = x->err_buf.buf ? x->err_buf.buf : "", *end = p + x->err_buf.len;
    while (p < end && (*p == '\n' || *p == '\r'))
        p++;
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
    static const char pre[] = "tradeloop sweep: ";
    if (n >= sizeof(pre) - 1 && memcmp(p, pre, sizeof(pre) - 1) == 0)
        p += sizeof(pre) - 1, n -= sizeof(pre) - 1;
    size_t k = 0, dl = strlen(x->dir);
    for (size_t i = 0; i < n && k + 1 < cap;) {
        if (dl > 0 && n - i > dl && memcmp(p + i, x->dir, dl) == 0 && p[i + dl] == '/') {
            i += dl + 1;
            continue;
        }
        msg[k++] = p[i++];
    }
    msg[k] = '\0';
    if (k == 0)
        snprintf(msg, cap, "no message");
}

static void maybe_answer(struct tl__runplan_exec *x)
{
    if (x->pending > 0)
        return;
    char line[512], msg[600];
    child_message(x, line, sizeof(line));
    if (x->req != NULL) {
        if (x->exit_status == 0 && x->term_signal == 0 && !x->overflow) {
            tl_http_reply(x->req, 200, JSON, x->out_buf.buf ? x->out_buf.buf : "", x->out_buf.len);
        } else if (x->exit_status == 2 && x->term_signal == 0) {
            tl_http_reply_error(x->req, 400, line);
        } else {
            unsigned status = 500;
            if (x->timed_out) {
                status = 504;
                snprintf(msg, sizeof(msg), "sweep: stopped after %u s, its time limit",
                         x->s->cfg.run_plan_timeout_s);
            } else if (x->overflow) {
                snprintf(msg, sizeof(msg), "sweep: its document is larger than %zu bytes", OUT_MAX);
            } else if (x->term_signal != 0) {
                snprintf(msg, sizeof(msg), "sweep: killed by signal %d", x->term_signal);
            } else {
                snprintf(msg, sizeof(msg), "sweep: exit %lld: %s", (long long)x->exit_status, line);
            }
            tl_http_reply_error(x->req, status, msg);
        }
        x->req = NULL;
    }
    if (tl_log_begin(x->s->log, TL_LOG_INFO, tl__serve_wall_ns(), "run plan executed")) {
        tl_jw *w = tl_log_fields(x->s->log);
        tl_jw_kv_int(w, "exit", x->exit_status);
        tl_jw_kv_int(w, "signal", x->term_signal);
        tl_log_end(x->s->log);
    }
    exec_end(x);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int signo)
{
    struct tl__runplan_exec *x = p->data;
    x->exit_status = status;
    x->term_signal = signo;
    x->exited = true;
    x->pending--;
    maybe_answer(x);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    (void)hint;
    struct tl__runplan_exec *x = h->data;
    *b = uv_buf_init(x->rbuf, sizeof(x->rbuf)); /* one read at a time: the loop has one thread */
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    struct tl__runplan_exec *x = st->data;
    bool is_out = st == (uv_stream_t *)&x->out;
    tl_sb *sb = is_out ? &x->out_buf : &x->err_buf;
    if (n > 0) {
        size_t max = is_out ? OUT_MAX : ERR_MAX;
        if (sb->len + (size_t)n <= max) {
            tl_sb_put(sb, b->base, (size_t)n);
        } else if (is_out && !x->overflow) {
            x->overflow = true; /* reading on to the end, keeping nothing more */
            uv_process_kill(&x->proc, SIGTERM);
        }
        if (sb->err && is_out && !x->overflow) {
            x->overflow = true;
            uv_process_kill(&x->proc, SIGTERM);
        }
        return;
    }
    if (n == 0)
        return;
    uv_read_stop(st); /* UV_EOF, or an error: nothing more comes */
    x->pending--;
    maybe_answer(x);
}

/* The time limit: the child and the workers it forked are stopped; the answer (504) follows its
 * exit and the end of its pipes, as for any other end. */
static void on_limit(uv_timer_t *t)
{
    struct tl__runplan_exec *x = t->data;
    if (x->exited)
        return;
    x->timed_out = true;
    kill(-x->proc.pid, SIGKILL); /* its own process group (UV_PROCESS_DETACHED) */
}

static int spawn(struct tl__runplan_exec *x, const char *spec, const char *data, tl_err *err)
{
    tl_serve *s = x->s;
    uv_loop_t *loop = &s->host->loop;
    char jobs[24], dbvar[1100];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(jobs, sizeof(jobs), "%ld", cores < 1 ? 1 : cores > 256 ? 256 : cores); /* its max */
    const char *db = s->cfg.db_url ? s->cfg.db_url : "mem:";
    if ((size_t)snprintf(dbvar, sizeof(dbvar), "%s=%s", CHILD_DB_VAR, db) >= sizeof(dbvar))
        return tl_err_set(err, TL_EINVAL, "the store's URL is too long to hand on");
    size_t ne = 0;
    while (environ[ne] != NULL)
        ne++;
    char **env = calloc(ne + 2, sizeof(*env));
    if (env == NULL)
        return tl_err_set(err, TL_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], CHILD_DB_VAR "=", sizeof(CHILD_DB_VAR)) != 0)
            env[k++] = environ[i];
    env[k++] = dbvar;
    char *args[] = {"tradeloop",  "sweep",  "--spec", (char *)spec, "--data",
                    (char *)data, "--jobs", jobs,     "--json",     NULL};
    uv_pipe_init(loop, &x->out, 0);
    uv_pipe_init(loop, &x->err, 0);
    uv_timer_init(loop, &x->limit);
    x->out.data = x->err.data = x->proc.data = x->limit.data = x;
    x->open = 3;
    uv_stdio_container_t io[3];
    io[0].flags = UV_IGNORE;
    io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    io[1].data.stream = (uv_stream_t *)&x->out;
    io[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    io[2].data.stream = (uv_stream_t *)&x->err;
    uv_process_options_t o = {0};
    o.file = s->cfg.sweep_exe ? s->cfg.sweep_exe : SELF_EXE;
    o.args = args;
    o.env = env;
    o.exit_cb = on_exit_cb;
    o.flags = UV_PROCESS_DETACHED; /* its own process group: stopped as one at shutdown */
    o.stdio = io;
    o.stdio_count = 3;
    int rc = uv_spawn(loop, &x->proc, &o);
    free(env);
    x->open = 4; /* the process handle is initialised even when the spawn fails */
    if (rc != 0)
        return tl_err_set(err, TL_EIO, "cannot run the sweep: %s", uv_strerror(rc));
    x->pending = 3;
    uv_timer_start(&x->limit, on_limit, (uint64_t)s->cfg.run_plan_timeout_s * 1000, 0);
    uv_read_start((uv_stream_t *)&x->out, on_alloc, on_read);
    uv_read_start((uv_stream_t *)&x->err, on_alloc, on_read);
    return 0;
}

/* Both parts checked: 0, or answered 400 (503 out of memory) and 1. */
static int check_parts(tl_http_req *req, const tl_multipart_part *p)
{
    tl_sweep_spec spec;
    tl_sweep_plan plan;
    tl_bars bars = {0};
    tl_sweep_spec_init(&spec);
    tl_sweep_plan_init(&plan);
    tl_err e = {0};
    int rc = load_plan(p[0].data, p[0].len, "spec", &spec, &plan, &e);
    if (rc == 0 && (rc = tl_ohlcv_parse(p[1].data, p[1].len, "data", &bars, &e)) == 0)
        tl_bars_free(&bars);
    tl_sweep_plan_close(&plan);
    tl_sweep_spec_close(&spec);
    if (rc != 0)
        tl_http_reply_error(req, status_of(rc), e.msg);
    return rc != 0;
}

int tl__serve_runplan_execute(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    if (tl__serve_guard(s, req))
        return 0;
    if (s->exec != NULL)
        return tl_http_reply_error(req, 503, "busy: a run plan is executing; retry later");
    if (s->stopping)
        return tl_http_reply_error(req, 503, "shutting down");
    size_t ct_len = 0, len = 0;
    const char *ct = tl_http_req_header(req, "Content-Type", &ct_len);
    const char *body = tl_http_req_body(req, &len);
    tl_multipart_part p[2] = {{.name = "spec"}, {.name = "data"}};
    tl_err e = {0};
    if (tl_multipart_parse(ct ? ct : "", ct ? ct_len : 0, body, len, p, 2, &e) != 0)
        return tl_http_reply_error(req, 400, e.msg);
    if (check_parts(req, p))
        return 0;
    struct tl__runplan_exec *x = calloc(1, sizeof(*x));
    if (x == NULL)
        return tl_http_reply_error(req, 503, "out of memory");
    x->s = s;
    const char *tmp = getenv("TMPDIR");
    snprintf(x->dir, sizeof(x->dir), "%s/tradeloop-runplan-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char spec_path[300], data_path[300];
    if (mkdtemp(x->dir) == NULL) { /* 0700: the parts are the client's, no one else's */
        snprintf(e.msg, sizeof(e.msg), "cannot make a temporary directory: %s", strerror(errno));
        free(x);
        return tl_http_reply_error(req, 500, e.msg);
    }
    if (write_file(x->dir, "spec.json", p[0].data, p[0].len, spec_path, sizeof(spec_path)) != 0 ||
        write_file(x->dir, "data.csv", p[1].data, p[1].len, data_path, sizeof(data_path)) != 0) {
        snprintf(e.msg, sizeof(e.msg), "cannot write the parts: %s", strerror(errno));
        remove_dir(x);
        free(x);
        return tl_http_reply_error(req, 500, e.msg);
    }
    if (spawn(x, spec_path, data_path, &e) != 0) {
        tl_http_reply_error(req, 500, e.msg);
        if (x->open > 0) {
            exec_end(x); /* its handles free it */
        } else {
            remove_dir(x);
            free(x);
        }
        return 0;
    }
    x->req = req;
    s->exec = x;
    return 0; /* deferred: answered when the child is done */
}

void tl__serve_runplans_close(tl_serve *s)
{
    struct tl__runplan_exec *x = s->exec;
    if (x == NULL)
        return;
    if (!x->exited && x->proc.pid > 0)
        kill(-x->proc.pid, SIGTERM); /* the child and the workers it forked */
    if (x->req != NULL)
        tl_http_reply_error(x->req, 503, "server shutting down");
    x->req = NULL;
    exec_end(x);
}
