/*
 * live.c -- real time: line sources read by libuv as data arrives, the host's timers behind one
 * uv_timer_t, and uv_run until the run stops.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "host/host_int.h"

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    tl__host_src *s = handle->data;
    char *p;
    size_t avail;
    if (tl_lines_prepare(&s->lines, TL__HOST_READ_CHUNK, &p, &avail) != 0) {
        *buf = uv_buf_init(NULL, 0); /* read callback gets UV_ENOBUFS */
        return;
    }
    buf->base = p;
    buf->len = avail;
}

/* Bytes (or the end) arrived in the framer: hand out the lines, end the step. */
static void after_read(tl_host *h, tl__host_src *s)
{
    if (h->rc == 0)
        tl__src_drain(h, s);
    tl__host_end_step(h);
}

static void read_failed(tl_host *h, tl__host_src *s, int code, const char *why)
{
    tl_err_set(&h->err, code, "%s: read: %s", s->name, why);
    tl__host_fail(h, code);
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    tl__host_src *s = stream->data;
    tl_host *h = s->host;
    if (n > 0)
        tl_lines_commit(&s->lines, (size_t)n);
    else if (n == UV_EOF)
        tl_lines_eof(&s->lines);
    else if (n == 0)
        return; /* nothing this time (EAGAIN) */
    else {
        read_failed(h, s, n == UV_ENOBUFS ? TL_ENOMEM : TL_EIO, uv_strerror((int)n));
        return;
    }
    after_read(h, s);
}

/* A regular file is always readable, so it is read a chunk per loop turn from an idle handle:
 * timers and signals come between chunks instead of after the whole file. */
static void on_idle(uv_idle_t *idle)
{
    tl__host_src *s = idle->data;
    tl_host *h = s->host;
    char *p;
    size_t avail;
    if (h->stopping)
        return;
    if (tl_lines_prepare(&s->lines, TL__HOST_READ_CHUNK, &p, &avail) != 0) {
        read_failed(h, s, TL_ENOMEM, "out of memory");
        return;
    }
    ssize_t n = read(s->fd, p, avail);
    if (n > 0)
        tl_lines_commit(&s->lines, (size_t)n);
    else if (n == 0)
        tl_lines_eof(&s->lines);
    else if (errno == EINTR || errno == EAGAIN)
        return;
    else {
        read_failed(h, s, TL_EIO, strerror(errno));
        return;
    }
    after_read(h, s);
}

int tl__live_open(tl_host *h, tl__host_src *s, tl_err *err)
{
    int uvrc;
    switch (uv_guess_handle(s->fd)) {
    case UV_NAMED_PIPE: /* pipes, FIFOs, unix sockets */
    case UV_TTY:        /* read as a plain stream: the host does not change the terminal's mode */
        uv_pipe_init(&h->loop, &s->u.pipe, 0);
        s->u.handle.data = s;
        s->handle_open = true;
        if ((uvrc = uv_pipe_open(&s->u.pipe, s->fd)) != 0)
            break;
        s->fd = -1; /* libuv's now: uv_close closes it */
        s->live = LIVE_PIPE;
        uvrc = uv_read_start(&s->u.stream, on_alloc, on_read);
        break;
    case UV_TCP:
    case UV_UDP:
        return tl_err_set(err, TL_ENOTSUP, "host: %s: sockets are not a line source yet", s->name);
    default: /* regular files, devices */
        uv_idle_init(&h->loop, &s->u.idle);
        s->u.handle.data = s;
        s->handle_open = true;
        s->live = LIVE_FILE;
        uvrc = uv_idle_start(&s->u.idle, on_idle);
        break;
    }
    if (uvrc != 0)
        return tl_err_set(err, TL_EIO, "host: %s: %s", s->name, uv_strerror(uvrc));
    return 0;
}

void tl__live_close_src(tl__host_src *s)
{
    if (s->handle_open && !uv_is_closing(&s->u.handle))
        uv_close(&s->u.handle, NULL);
    s->handle_open = false;
    if (s->live == LIVE_FILE && s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static void on_uv_timer(uv_timer_t *ut)
{
    tl_host *h = ut->data;
    if (h->rc == 0 && !h->stopping) {
        tl__timers_fire(h, tl_clock_now(&h->clock));
        tl__host_end_step(h);
    }
    tl__live_arm(h);
}

void tl__live_arm(tl_host *h)
{
    tl_host_timer *t = tl__timers_top(&h->timers);
    if (t == NULL) {
        uv_timer_stop(&h->uv_timer);
        return;
    }
    /* Rounded up: libuv counts milliseconds, and a timer woken early only re-arms itself. The
     * loop's cached time is refreshed, or a long callback would make the wait start in the past. */
    uv_update_time(&h->loop);
    int64_t d = t->due_ns - tl_clock_now(&h->clock);
    uint64_t ms = d <= 0 ? 0 : (uint64_t)(d / TL_NS_PER_MS) + (d % TL_NS_PER_MS != 0);
    uv_timer_start(&h->uv_timer, on_uv_timer, ms, 0);
}

int tl__live_run(tl_host *h)
{
    /* Lines a stopped run left in a framer would otherwise wait for the next read. */
    for (size_t i = 0; i < h->n_srcs && !h->stopping; i++)
        if (!h->srcs[i]->ended && tl__src_drain(h, h->srcs[i]) < 0)
            return h->rc;
    tl__host_end_step(h);
    if (h->stopping || (h->opt.until_end && h->open_srcs == 0))
        return h->rc;
    tl__live_arm(h);
    h->in_uv = true;
    uv_run(&h->loop, UV_RUN_DEFAULT);
    h->in_uv = false;
    tl__host_end_step(h);
    return h->rc;
}
