/* run_dash.c -- see run_dash.h: the status document and the in-process dashboard of `run`. */
#include "app/run_dash.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/jsonw.h"
#include "dash/view_json.h"

#define DASH_POLL_MS    100  /* keys are read this often; q answers within it */
#define DASH_PUBLISH_MS 1000 /* the view is taken, written and drawn at most this often */

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void run_dash_db_shown(const char *url, char *out, size_t cap)
{
    const char *sep = strstr(url, "://");
    if (!sep) {
        snprintf(out, cap, "%s", url); /* a file, sqlite:, mem:, a file: URI: no secret */
        return;
    }
    const char *auth = sep + 3;
    size_t auth_len = strcspn(auth, "/?#");
    const char *host = auth;
    for (const char *p = auth; p < auth + auth_len; p++)
        if (*p == '@')
            host = p + 1; /* user:password@ left out */
    const char *path = auth + auth_len;
    snprintf(out, cap, "%.*s%.*s%.*s", (int)(auth - url), url, (int)(auth + auth_len - host), host,
             (int)strcspn(path, "?#"), path);
}

int run_dash_init(run_dash *d, bool dashboard, tl_err *err)
{
    memset(d, 0, sizeof(*d));
    if (!(d->frame = calloc(1, sizeof(*d->frame))))
        return tl_err_set(err, TL_ENOMEM, "dashboard: out of memory");
    if (!dashboard)
        return 0;
    const char *term = getenv("TERM");
    /* The terminal itself rather than stdout, so the report can go to a file or a pipe. */
    d->tty_in = fopen("/dev/tty", "r");
    d->tty_out = d->tty_in ? fopen("/dev/tty", "w") : NULL;
    if (!d->tty_out || !isatty(fileno(d->tty_in)) || !term || !*term) {
        run_dash_close(d);
        return tl_err_set(err, TL_EIO, "--dashboard needs a terminal (%s)",
                          term && *term ? "no /dev/tty" : "TERM is not set");
    }
    d->screen_on = true;
    return 0;
}

/* The view now, into the frame; on failure the last view stays, under a note that says why. */
static void take_view(run_dash *d)
{
    tl_err e = {0};
    tl_dash_mode mode = d->host->mode == TL_HOST_LIVE ? TL_DASH_LIVE : TL_DASH_REPLAY;
    if (tl_loop_view(d->loop, mode, d->db, &d->frame->view, &e) != 0) {
        snprintf(d->frame->note, sizeof(d->frame->note), "no view: %s", e.msg);
        return;
    }
    d->frame->has_view = true;
    d->frame->note[0] = '\0';
}

/* The status document: a failed write does not stop trading (the journal is the truth and is
 * flushed on its own path); it is said once, on stderr and on the screen, until one succeeds. */
static void write_status(run_dash *d)
{
    if (!d->store || d->status_off || !d->frame->has_view)
        return;
    tl_jw w;
    tl_err e = {0};
    tl_jw_init(&w);
    int rc = tl_dash_view_encode(&d->frame->view, &w, &e);
    if (rc == 0 && (rc = tl_jw_finish(&w)) != 0)
        tl_err_set(&e, rc, "out of memory");
    if (rc == 0)
        rc = tl_store_status_put(d->store, RUN_DASH_STATUS_NAME,
                                 clock_ms(CLOCK_REALTIME) * TL_NS_PER_MS, w.buf, &e);
    tl_jw_free(&w);
    if (rc == TL_ENOTSUP) {
        d->status_off = true; /* mem: and backends without the slot */
    } else if (rc != 0) {
        if (!d->status_failing)
            fprintf(stderr, "tradeloop run: status document not written: %s\n", e.msg);
        snprintf(d->frame->note, sizeof(d->frame->note), "status document not written: %s", e.msg);
    }
    d->status_failing = rc != 0 && rc != TL_ENOTSUP;
}

/* Durable first, then shown and written. A flush that fails is the engine's failure. */
static int publish(run_dash *d, tl_err *err)
{
    int rc = tl_loop_flush(d->loop, true, err);
    if (rc != 0)
        return rc;
    d->last_ms = clock_ms(CLOCK_MONOTONIC);
    take_view(d);
    write_status(d);
    if (d->screen.scr) {
        /* Whatever else reached the terminal (a message on stderr) is painted over. */
        redrawwin(d->screen.win);
        tl_dash_screen_draw(&d->screen, d->frame);
    }
    return 0;
}

static int on_poll(void *ctx, tl_err *err)
{
    run_dash *d = ctx;
    if (d->screen.scr) {
        int key;
        while (!d->quit && (key = wgetch(d->screen.win)) != ERR)
            if (tl_dash_screen_key(&d->screen, key, d->frame)) {
                d->quit = true;
                tl_host_stop(d->host); /* the run ends as after a signal: flush, report */
            }
    }
    if (d->quit || clock_ms(CLOCK_MONOTONIC) - d->last_ms < DASH_PUBLISH_MS)
        return 0;
    return publish(d, err);
}

int run_dash_start(run_dash *d, tl_loop *loop, tl_host *host, tl_store *store, const char *db,
                   tl_err *err)
{
    int rc;
    d->loop = loop;
    d->host = host;
    d->store = store;
    run_dash_db_shown(db, d->db, sizeof(d->db));
    if (d->screen_on) {
        /* Multibyte text (a reason in UTF-8) needs the environment's character type; only
         * LC_CTYPE, so numbers print the same everywhere. */
        setlocale(LC_CTYPE, "");
        if ((rc = tl_dash_screen_open(&d->screen, d->tty_in, d->tty_out, err)) != 0)
            return rc;
        wtimeout(d->screen.win, 0); /* keys are polled, never waited for */
        snprintf(d->frame->note, sizeof(d->frame->note), "starting");
        tl_dash_screen_draw(&d->screen, d->frame);
    }
    return tl_host_wall_poll(host, DASH_POLL_MS, on_poll, d, err);
}

int run_dash_end(run_dash *d, bool hold, tl_err *err)
{
    int rc = 0;
    if (d->loop && (rc = publish(d, err)) == 0 && d->screen.scr && hold && !d->quit)
        rc = tl_host_wait(d->host, err);
    tl_dash_screen_close(&d->screen);
    return rc;
}

void run_dash_close(run_dash *d)
{
    tl_dash_screen_close(&d->screen);
    if (d->tty_in)
        fclose(d->tty_in);
    if (d->tty_out)
        fclose(d->tty_out);
    d->tty_in = d->tty_out = NULL;
    free(d->frame);
    d->frame = NULL;
}
