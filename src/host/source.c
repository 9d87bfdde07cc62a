/*
 * source.c -- line sources: opening them, and turning framed lines into items, bad lines and the
 * end, the same way in both modes (replay pulls one item at a time, live drains what a read
 * brought).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host_int.h"

/* What next_item found besides a failure. */
enum { NEXT_NEED = 0, NEXT_ITEM = 1, NEXT_END = 2 };

int tl_host_add_lines(tl_host *h, const char *path, const tl_host_line_ops *ops, void *ctx,
                      tl_err *err)
{
    if (path == NULL)
        return tl_err_set(err, TL_EINVAL, "host: line source without a path");
    int fd;
    if (strcmp(path, "-") == 0) {
        /* A duplicate, so closing the source (libuv closes what it reads) leaves fd 0 alone. */
        fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
        path = "stdin";
    } else {
        struct stat st;
        int flags = O_RDONLY;
        /* Live, a FIFO is an inbox that outlives its writers: opened read-write it has a writer
         * (us) at all times, so the open does not wait for one and a writer leaving is no end. */
        if (h->mode == TL_HOST_LIVE && stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
            flags = O_RDWR;
        fd = open(path, flags | O_CLOEXEC);
    }
    if (fd < 0)
        return tl_err_set(err, TL_EIO, "host: cannot open %s: %s", path, strerror(errno));
    return tl_host_add_lines_fd(h, fd, path, ops, ctx, err);
}

/* A bad line goes to on_bad, or fails the run when there is none. */
static int bad_line(tl_host *h, tl__host_src *s, uint64_t no, const tl_err *why)
{
    if (s->lops->on_bad == NULL) {
        tl_err_set(&h->err, why->code, "%s:%" PRIu64 ": %s", s->name, no, why->msg);
        return tl__host_fail(h, why->code);
    }
    return tl__host_called(h, s->lops->on_bad(s->ctx, no, why, &h->err));
}

/* The next item of a line source (in s->cur, its time in *ts), with bad lines reported on the
 * way; NEXT_NEED, NEXT_END, or a failure. */
static int next_item(tl_host *h, tl__host_src *s, int64_t *ts)
{
    while (!h->stopping) {
        tl_err why;
        tl_err_clear(&why);
        int k = tl_lines_next(&s->lines, &s->cur);
        if (k == TL_LINES_NEED)
            return NEXT_NEED;
        if (k == TL_LINES_END)
            return NEXT_END;
        if (k == TL_LINES_TOO_LONG) {
            tl_err_set(&why, TL_ERANGE, "line %" PRIu64 " is longer than %zu bytes: skipped",
                       s->cur.no, s->lines.max_len);
        } else {
            *ts = 0;
            int rc = s->lops->peek ? s->lops->peek(s->ctx, &s->cur, ts, &why) : 0;
            if (rc > 0)
                continue; /* TL_HOST_SKIP: not an item */
            if (rc == 0 && (h->mode == TL_HOST_LIVE || *ts >= tl_clock_now(&h->clock)))
                return NEXT_ITEM;
            if (rc == 0) {
                char at[40], now[40];
                tl_time_format_iso(*ts, at, sizeof(at));
                tl_time_format_iso(tl_clock_now(&h->clock), now, sizeof(now));
                tl_err_set(&why, TL_EINVAL,
                           "line %" PRIu64 ": time %s is before the replay's clock %s (input out "
                           "of order)",
                           s->cur.no, at, now);
            } else if (why.code == 0) {
                tl_err_set(&why, rc, "line %" PRIu64 " refused: %s", s->cur.no, tl_strerror(rc));
            }
        }
        int rc = bad_line(h, s, s->cur.no, &why);
        if (rc < 0)
            return rc;
    }
    return NEXT_NEED;
}

/* The source ended: its on_end, then (live) its handle closed. */
static int end_src(tl_host *h, tl__host_src *s)
{
    tl__host_src_ended(h, s);
    int rc = 0;
    if (s->kind == SRC_LINES && s->lops->on_end != NULL)
        rc = tl__host_called(h, s->lops->on_end(s->ctx, &h->err));
    if (h->mode == TL_HOST_LIVE)
        tl__live_close_src(s);
    else if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    return rc;
}

/* Replay: one blocking read into the framer (a pipe left non-blocking is waited for). */
static int read_more(tl_host *h, tl__host_src *s)
{
    char *p;
    size_t avail;
    if (tl_lines_prepare(&s->lines, TL__HOST_READ_CHUNK, &p, &avail) != 0) {
        tl_err_set(&h->err, TL_ENOMEM, "%s: out of memory reading", s->name);
        return tl__host_fail(h, TL_ENOMEM);
    }
    for (;;) {
        ssize_t n = read(s->fd, p, avail);
        if (n > 0) {
            tl_lines_commit(&s->lines, (size_t)n);
            return 0;
        }
        if (n == 0) {
            tl_lines_eof(&s->lines);
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
            poll(&pfd, 1, -1);
            continue;
        }
        tl_err_set(&h->err, TL_EIO, "%s: read: %s", s->name, strerror(errno));
        return tl__host_fail(h, TL_EIO);
    }
}

int tl__src_fill(tl_host *h, tl__host_src *s)
{
    int64_t ts;
    if (s->has_head || s->ended)
        return 0;
    if (s->kind == SRC_ITEMS) {
        int rc = s->iops->peek(s->ctx, &ts, &h->err);
        if (rc == TL_HOST_END)
            return end_src(h, s);
        if (rc < 0)
            return tl__host_fail(h, rc);
        if (ts < tl_clock_now(&h->clock)) {
            tl_err_set(&h->err, TL_EINVAL, "host: an item source went back in time");
            return tl__host_fail(h, TL_EINVAL);
        }
        s->has_head = true;
        s->head_ts = ts;
        return 0;
    }
    while (!h->stopping) {
        int r = next_item(h, s, &ts);
        if (r < 0)
            return r;
        if (r == NEXT_END)
            return end_src(h, s);
        if (r == NEXT_ITEM) {
            s->has_head = true;
            s->head_ts = ts;
            return 0;
        }
        if (h->stopping)
            break;
        if ((r = read_more(h, s)) != 0)
            return r;
    }
    return 0;
}

int tl__src_dispatch(tl_host *h, tl__host_src *s)
{
    s->has_head = false;
    h->items++;
    int rc = s->kind == SRC_ITEMS ? s->iops->dispatch(s->ctx, &h->err)
                                  : s->lops->on_line(s->ctx, &s->cur, &h->err);
    return tl__host_called(h, rc);
}

int tl__src_drain(tl_host *h, tl__host_src *s)
{
    int64_t ts;
    while (!h->stopping) {
        int r = next_item(h, s, &ts);
        if (r < 0)
            return r;
        if (r == NEXT_END)
            return end_src(h, s);
        if (r == NEXT_NEED)
            return 0;
        h->items++;
        int rc = tl__host_called(h, s->lops->on_line(s->ctx, &s->cur, &h->err));
        if (rc < 0)
            return rc;
    }
    return 0;
}
