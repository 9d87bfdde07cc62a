/*
 * run_dash.h -- what `tradeloop run` shows while it runs: the status document and --dashboard.
 *
 * Every DASH_PUBLISH_MS of wall time (a wall poll of the host, so a replay shows it too) the run
 * makes what it did durable (a forced flush: nothing is shown that the journal does not hold),
 * takes the loop's view (tl_loop_view) and writes it as the status document "run" of its
 * database, which `tradeloop top --db D` reads from another process; once more at the end. With
 * --dashboard it also draws the view on the terminal (/dev/tty, so stdout stays free for the
 * report) and reads keys between frames without blocking: q stops the run as a signal does. When
 * the inputs end, the screen stays up (the host waits for its polls and signals) until q, SIGINT
 * or SIGTERM, and is given back before the report prints.
 *
 * Ownership: the loop, host and store are borrowed and must outlive the run_dash; the terminal
 * files and the frame are owned and freed by run_dash_close.
 */
#ifndef TL_APP_RUN_DASH_H
#define TL_APP_RUN_DASH_H

#include <stdbool.h>
#include <stdio.h>

#include "dash/dash.h"
#include "host/host.h"
#include "loop/loop.h"
#include "store/store.h"

#define RUN_DASH_STATUS_NAME "run" /* the row `tradeloop top` reads by default */

typedef struct run_dash {
    tl_loop *loop;   /* borrowed */
    tl_host *host;   /* borrowed */
    tl_store *store; /* borrowed; NULL: no status document */
    char db[TL_DASH_DB_MAX];
    bool screen_on; /* --dashboard: tty_in/tty_out are open */
    FILE *tty_in, *tty_out;
    tl_dash_screen screen; /* started by run_dash_start */
    tl_dash_frame *frame;  /* owned: the last frame drawn */
    int64_t last_ms;       /* monotonic time of the last publish, 0 before */
    bool quit;             /* q was pressed */
    bool status_off;       /* the store has no status documents (TL_ENOTSUP) */
    bool status_failing;   /* the last status write failed (said once per streak) */
} run_dash;

/* Before anything is written: with dashboard, checks that there is a terminal to draw on
 * (/dev/tty and TERM). TL_EIO with a message when not; nothing is left to close then. */
int run_dash_init(run_dash *d, bool dashboard, tl_err *err);
/* Just before the run: starts the screen (with --dashboard) and the wall poll. db is the URL of
 * the store as given; it is shown without any password. */
int run_dash_start(run_dash *d, tl_loop *loop, tl_host *host, tl_store *store, const char *db,
                   tl_err *err);
/* After the run and its last flush: publishes once more; with the screen, and hold (the run ended
 * with its inputs, not by q or a signal), keeps it up until q or a signal; then gives the terminal
 * back. 0 or the error that failed the wait. */
int run_dash_end(run_dash *d, bool hold, tl_err *err);
/* Gives the terminal back and frees what run_dash owns. Safe to call twice, and after init alone.
 */
void run_dash_close(run_dash *d);

/* The database as shown: a PostgreSQL (or any scheme://) URL without user, password and query;
 * other URLs as given. Writes at most cap - 1 bytes. */
void run_dash_db_shown(const char *url, char *out, size_t cap);

#endif /* TL_APP_RUN_DASH_H */
