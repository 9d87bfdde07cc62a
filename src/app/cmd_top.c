/* cmd_top.c -- `tradeloop top`: the live dashboard of an engine running in another process,
 * attached read-only to its database. Each second it reads the status document the engine writes
 * (table loop_status, one row per name) and draws it; nothing is written. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "dash/dash.h"
#include "dash/view_json.h"

/* A status row older than this is shown with its age: the engine may have stopped. */
#define STALE_NS (5 * 1000000000LL)

typedef struct top_ctx {
    tl_store *store; /* borrowed, opened read-only */
    const char *name;
} top_ctx;

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The provider: never fails. What goes wrong (no row yet, a row refused, the store unreadable for
 * a moment) is said on the screen, and the last good view stays under the note. */
static int provide(void *vctx, tl_dash_frame *f, tl_err *err)
{
    (void)err;
    top_ctx *c = vctx;
    char *doc = NULL, age[16];
    int64_t ts = 0;
    tl_err e = {0};
    int rc = tl_store_status_get(c->store, c->name, &doc, &ts, &e);
    if (rc == TL_ENOTFOUND) {
        f->has_view = false;
        snprintf(f->note, sizeof f->note,
                 "no engine has written status to this database yet (status '%s')", c->name);
        return 0;
    }
    if (rc != 0) {
        snprintf(f->note, sizeof f->note, "cannot read the status: %s",
                 e.msg[0] ? e.msg : tl_strerror(rc));
        return 0;
    }
    /* Decoded straight into the frame: a refused document leaves the last good view there. */
    rc = tl_dash_view_decode(doc, strlen(doc), &f->view, &e);
    free(doc);
    if (rc != 0) {
        snprintf(f->note, sizeof f->note, "status document refused: %s", e.msg);
        return 0;
    }
    f->has_view = true;
    f->note[0] = '\0';
    int64_t old = wall_ns() - ts; /* the writer's wall clock; one a little ahead counts as fresh */
    if (old > STALE_NS) {
        tl_dash_format_duration(old, age, sizeof age);
        snprintf(f->note, sizeof f->note, "status is %s old: is the engine still running?", age);
    }
    return 0;
}

int tl_cmd_top(int argc, char **argv)
{
    const char *db = "tradeloop.db", *name = "run";
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "the running engine's database: FILE.db, sqlite:FILE, postgresql://... (tradeloop.db)"},
        {"name", CLI_STRING, &name, NULL, "NAME",
         "which status row to show, 1-63 of [A-Za-z0-9._:-] (run)"},
        {NULL},
    };
    cli_command cmd = {
        "top",
        "[--db URL] [--name NAME]",
        "Draws the live dashboard of an engine running in another process on the same database:\n"
        "virtual accounts, positions, recent refusals, kill switch, reconciliation and filters,\n"
        "refreshed every second from the status the engine writes. Reads only. Keys: q quits.\n"
        "Needs a terminal of at least 80x20.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    tl_err nerr = {0};
    if (tl_status_validate(name, "{}", NULL, &nerr) != 0) /* the store's one rule for names */
        return cli_value_error(&cmd, "name", "%s",
                               strncmp(nerr.msg, "status: ", 8) == 0 ? nerr.msg + 8 : nerr.msg);
    tl_store store;
    if ((rc = cli_open_store(&cmd, "db", db, NULL, &store)) != CLI_OK)
        return rc;
    /* Multibyte text (a reason in UTF-8) needs the character type of the environment; only
     * LC_CTYPE, so that numbers print the same everywhere. */
    setlocale(LC_CTYPE, "");
    top_ctx c = {&store, name};
    tl_err err = {0};
    rc = tl_dash_run(provide, &c, 1000, &err);
    tl_store_close(&store);
    return rc == 0 ? CLI_OK : cli_fail(&cmd, "%s", err.msg);
}
