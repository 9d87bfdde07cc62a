/*
 * host.c -- the host's state, what commands register (sources, timers, signals, polls, the step
 * callback), stopping and failing, and the run. The modes' loops are replay.c and live.c.
 */
#include "host/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/vec.h"
#include "host/host_int.h"

#define PUMP_ITEMS_DEFAULT 4096

static int uv_fail(int uvrc, tl_err *err, const char *what)
{
    return tl_err_set(err, TL_EIO, "host: %s: %s", what, uv_strerror(uvrc));
}

int tl_host_init(tl_host *h, tl_host_mode mode, const tl_host_options *opt, tl_err *err)
{
    if (mode != TL_HOST_REPLAY && mode != TL_HOST_LIVE)
        return tl_err_set(err, TL_EINVAL, "host: unknown mode %d", (int)mode);
    memset(h, 0, sizeof(*h));
    int uvrc = uv_loop_init(&h->loop);
    if (uvrc != 0)
        return uv_fail(uvrc, err, "event loop");
    uv_timer_init(&h->loop, &h->uv_timer); /* cannot fail */
    h->loop.data = h;
    h->uv_timer.data = h;
    h->mode = mode;
    if (opt != NULL)
        h->opt = *opt;
    if (h->opt.max_line == 0)
        h->opt.max_line = TL_LINES_MAX_DEFAULT;
    if (h->opt.pump_items == 0)
        h->opt.pump_items = PUMP_ITEMS_DEFAULT;
    if (mode == TL_HOST_REPLAY)
        tl_clock_init_sim(&h->clock, 0);
    else
        tl_clock_init_real(&h->clock);
    return 0;
}

void tl_host_close(tl_host *h)
{
    for (size_t i = 0; i < h->n_srcs; i++)
        tl__live_close_src(h->srcs[i]);
    for (size_t i = 0; i < h->n_handles; i++)
        uv_close(&h->handles[i]->u.handle, NULL);
    uv_close((uv_handle_t *)&h->uv_timer, NULL);
    /* The close callbacks run in the loop; only then is the memory of the handles free. */
    h->in_uv = true;
    uv_run(&h->loop, UV_RUN_DEFAULT);
    h->in_uv = false;
    uv_loop_close(&h->loop);
    for (size_t i = 0; i < h->n_srcs; i++) {
        tl__host_src *s = h->srcs[i];
        if (s->fd >= 0)
            close(s->fd);
        tl_lines_close(&s->lines);
        free(s);
    }
    for (size_t i = 0; i < h->n_handles; i++)
        free(h->handles[i]);
    free(h->srcs);
    free(h->handles);
    tl__timers_free(&h->timers);
    memset(h, 0, sizeof(*h));
}

const tl_clock *tl_host_clock(const tl_host *h)
{
    return &h->clock;
}

/* A new source, added to h->srcs. The fd is the source's from here on, even on failure. */
static int add_src(tl_host *h, tl__src_kind kind, int fd, const char *name, void *ctx,
                   tl__host_src **out, tl_err *err)
{
    tl__host_src *s = NULL;
    if (h->running) {
        if (fd >= 0)
            close(fd);
        return tl_err_set(err, TL_EBUSY, "host: sources are added before the run");
    }
    if (TL_VEC_RESERVE(&h->srcs, &h->cap_srcs, h->n_srcs + 1) != 0 ||
        (s = calloc(1, sizeof(*s))) == NULL) {
        if (fd >= 0)
            close(fd);
        return tl_err_set(err, TL_ENOMEM, "host: out of memory adding a source");
    }
    s->host = h;
    s->kind = kind;
    s->ctx = ctx;
    s->fd = fd;
    snprintf(s->name, sizeof(s->name), "%s", name);
    tl_lines_init(&s->lines, h->opt.max_line);
    h->srcs[h->n_srcs++] = s;
    h->open_srcs++;
    *out = s;
    return 0;
}

int tl_host_add_lines_fd(tl_host *h, int fd, const char *name, const tl_host_line_ops *ops,
                         void *ctx, tl_err *err)
{
    if (ops == NULL || ops->on_line == NULL || (h->mode == TL_HOST_REPLAY && ops->peek == NULL)) {
        if (fd >= 0)
            close(fd);
        return tl_err_set(err, TL_EINVAL, "host: line source %s needs on_line%s", name,
                          h->mode == TL_HOST_REPLAY ? " and peek (replay)" : "");
    }
    tl__host_src *s;
    int rc = add_src(h, SRC_LINES, fd, name, ctx, &s, err);
    if (rc != 0)
        return rc;
    s->lops = ops;
    if (h->mode == TL_HOST_LIVE && (rc = tl__live_open(h, s, err)) != 0) {
        /* Left in place, ended: tl_host_close releases it. */
        s->ended = true;
        h->open_srcs--;
        return rc;
    }
    return 0;
}

int tl_host_add_source(tl_host *h, const tl_host_source_ops *ops, void *ctx, tl_err *err)
{
    if (h->mode != TL_HOST_REPLAY)
        return tl_err_set(err, TL_ENOTSUP, "host: item sources are replay-only (live: a timer)");
    if (ops == NULL || ops->peek == NULL || ops->dispatch == NULL)
        return tl_err_set(err, TL_EINVAL, "host: an item source needs peek and dispatch");
    tl__host_src *s;
    int rc = add_src(h, SRC_ITEMS, -1, "items", ctx, &s, err);
    if (rc == 0)
        s->iops = ops;
    return rc;
}

static int timer_start(tl_host *h, tl_host_timer *t, int64_t due_ns, bool relative,
                       int64_t repeat_ns, tl_host_timer_cb cb, void *ctx)
{
    if (repeat_ns < 0 || cb == NULL)
        return TL_EINVAL;
    tl__timers_remove(&h->timers, t);
    t->due_ns = due_ns;
    t->repeat_ns = repeat_ns;
    t->relative = relative;
    t->seq = h->timer_seq++;
    t->cb = cb;
    t->ctx = ctx;
    int rc = tl__timers_push(&h->timers, t);
    if (h->mode == TL_HOST_LIVE)
        tl__live_arm(h);
    return rc;
}

int tl_host_timer_start(tl_host *h, tl_host_timer *t, int64_t delay_ns, int64_t repeat_ns,
                        tl_host_timer_cb cb, void *ctx)
{
    if (delay_ns < 0)
        return TL_EINVAL;
    /* Replay before its first run: the first input's time is not known yet. */
    if (h->mode == TL_HOST_REPLAY && !h->started)
        return timer_start(h, t, delay_ns, true, repeat_ns, cb, ctx);
    int64_t now = tl_clock_now(&h->clock);
    int64_t due = delay_ns > INT64_MAX - now ? INT64_MAX : now + delay_ns;
    return timer_start(h, t, due, false, repeat_ns, cb, ctx);
}

int tl_host_timer_start_at(tl_host *h, tl_host_timer *t, int64_t due_ns, int64_t repeat_ns,
                           tl_host_timer_cb cb, void *ctx)
{
    return timer_start(h, t, due_ns, false, repeat_ns, cb, ctx);
}

void tl_host_timer_stop(tl_host *h, tl_host_timer *t)
{
    tl__timers_remove(&h->timers, t);
    if (h->mode == TL_HOST_LIVE)
        tl__live_arm(h);
}

static int add_handle(tl_host *h, tl__host_handle **out, tl_err *err)
{
    tl__host_handle *hd = NULL;
    if (TL_VEC_RESERVE(&h->handles, &h->cap_handles, h->n_handles + 1) != 0 ||
        (hd = calloc(1, sizeof(*hd))) == NULL)
        return tl_err_set(err, TL_ENOMEM, "host: out of memory adding a handle");
    hd->host = h;
    hd->u.handle.data = hd;
    *out = hd;
    return 0;
}

static void on_uv_signal(uv_signal_t *sig, int signum)
{
    tl__host_handle *hd = sig->data;
    tl_host *h = hd->host;
    if (h->rc != 0)
        return; /* the run failed: nothing more is decided */
    tl__host_called(h, hd->sig_cb(hd->ctx, signum, &h->err));
    tl__host_end_step(h);
}

int tl_host_on_signal(tl_host *h, int signum, tl_host_signal_cb cb, void *ctx, tl_err *err)
{
    if (cb == NULL)
        return tl_err_set(err, TL_EINVAL, "host: signal %d without a callback", signum);
    tl__host_handle *hd;
    int rc = add_handle(h, &hd, err);
    if (rc != 0)
        return rc;
    int uvrc = uv_signal_init(&h->loop, &hd->u.signal);
    if (uvrc == 0) {
        hd->u.signal.data = hd;
        h->handles[h->n_handles++] = hd; /* initialised: closed by tl_host_close */
        uvrc = uv_signal_start(&hd->u.signal, on_uv_signal, signum);
    } else {
        free(hd);
    }
    if (uvrc != 0)
        return uv_fail(uvrc, err, "signal");
    hd->is_signal = true;
    hd->sig_cb = cb;
    hd->ctx = ctx;
    return 0;
}

static void on_uv_poll(uv_timer_t *timer)
{
    tl__host_handle *hd = timer->data;
    tl_host *h = hd->host;
    if (h->stopping)
        return;
    tl__host_called(h, hd->poll_cb(hd->ctx, &h->err));
    tl__host_end_step(h);
}

int tl_host_wall_poll(tl_host *h, uint64_t period_ms, tl_host_cb cb, void *ctx, tl_err *err)
{
    if (cb == NULL || period_ms == 0)
        return tl_err_set(err, TL_EINVAL, "host: a wall poll needs a callback and a period");
    tl__host_handle *hd;
    int rc = add_handle(h, &hd, err);
    if (rc != 0)
        return rc;
    uv_timer_init(&h->loop, &hd->u.timer);
    hd->u.timer.data = hd;
    hd->poll_cb = cb;
    hd->ctx = ctx;
    h->handles[h->n_handles++] = hd;
    uv_timer_start(&hd->u.timer, on_uv_poll, period_ms, period_ms);
    return 0;
}

void tl_host_on_step(tl_host *h, tl_host_cb cb, void *ctx)
{
    h->on_step = cb;
    h->step_ctx = ctx;
}

int tl__host_fail(tl_host *h, int rc)
{
    if (h->rc == 0)
        h->rc = rc;
    tl_host_stop(h);
    return rc;
}

int tl__host_called(tl_host *h, int rc)
{
    h->dirty = true;
    return rc < 0 ? tl__host_fail(h, rc) : 0;
}

int tl__host_end_step(tl_host *h)
{
    if (!h->dirty || h->rc != 0)
        return h->rc;
    h->dirty = false;
    if (h->on_step == NULL)
        return 0;
    int rc = h->on_step(h->step_ctx, &h->err);
    return rc < 0 ? tl__host_fail(h, rc) : 0;
}

void tl__host_src_ended(tl_host *h, tl__host_src *s)
{
    if (s->ended)
        return;
    s->ended = true;
    h->open_srcs--;
    if (h->mode == TL_HOST_LIVE && h->opt.until_end && h->open_srcs == 0)
        tl_host_stop(h);
}

void tl_host_stop(tl_host *h)
{
    h->stopping = true;
    /* Only inside uv_run: a stop flag left on the loop would cut short the next uv_run, the one
     * in tl_host_close that finishes closing the handles among them. */
    if (h->in_uv)
        uv_stop(&h->loop);
}

/* The end of a run or a wait: its code, with the detail copied out. */
static int run_result(tl_host *h, int rc, tl_err *err)
{
    h->running = false;
    if (rc == 0)
        rc = h->rc;
    if (rc != 0) {
        if (h->err.msg[0] == '\0')
            tl_err_set(&h->err, rc, "host: a callback failed: %s", tl_strerror(rc));
        h->err.code = rc;
        if (err != NULL)
            *err = h->err;
    }
    return rc;
}

static int run_begin(tl_host *h, tl_err *err)
{
    if (h->running)
        return tl_err_set(err, TL_EBUSY, "host: already running");
    if (h->rc != 0)
        return tl_err_set(err, h->rc, "host: a failed run cannot go on");
    h->running = true;
    h->stopping = false;
    tl_err_clear(&h->err);
    return 0;
}

int tl_host_run(tl_host *h, tl_err *err)
{
    int rc = run_begin(h, err);
    if (rc != 0)
        return rc;
    h->last_pump_ns = uv_hrtime();
    rc = h->mode == TL_HOST_REPLAY ? tl__replay_run(h) : tl__live_run(h);
    return run_result(h, rc, err);
}

int tl_host_wait(tl_host *h, tl_err *err)
{
    int rc = run_begin(h, err);
    if (rc != 0)
        return rc;
    if (h->mode == TL_HOST_LIVE)
        tl__live_arm(h);
    /* Blocks until tl_host_stop's uv_stop, or until no handle is left to wait for. */
    h->in_uv = true;
    uv_run(&h->loop, UV_RUN_DEFAULT);
    h->in_uv = false;
    tl__host_end_step(h);
    return run_result(h, 0, err);
}
