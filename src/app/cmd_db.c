/*
 * cmd_db.c -- `tradeloop db`: the RFQ desk's records, the seed's database viewer.
 *
 *   tradeloop db executions [N] | quotes [N] | lps | stats | all [--db URL] [--json]
 *
 * executions and quotes: the N newest rows (10 by default), newest first. lps: one scorecard per
 * LP (src/store/desk_report.c says what each figure is). stats: executions, success rate, P&L
 * per asset. all: the four. The store is opened for reading only (nothing is created, migrated
 * or written), so it is safe on a database a desk is writing. JSON is one document whose keys
 * are the sections asked for; tables on a terminal (or --format table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/db_view.h"
#include "app/opts.h"

#define DEFAULT_N 10
#define MAX_N     100000

enum { SHOW_EXECUTIONS = 1, SHOW_QUOTES = 2, SHOW_LPS = 4, SHOW_STATS = 8, SHOW_ALL = 15 };

static const struct {
    const char *name;
    int show;
} views[] = {
    {"executions", SHOW_EXECUTIONS}, {"quotes", SHOW_QUOTES}, {"lps", SHOW_LPS},
    {"stats", SHOW_STATS},           {"all", SHOW_ALL},
};

/* What the store holds for the sections asked for, read before anything is printed: a failure
 * prints nothing but the error. */
typedef struct db_data {
    tl_execution_row *execs;
    size_t n_execs;
    tl_quote_row *quotes;
    size_t n_quotes;
    tl_lp_scorecard *cards;
    size_t n_cards;
    tl_desk_stats stats;
} db_data;

static int load(tl_store *s, int show, size_t n, db_data *d, tl_err *err)
{
    int rc = 0;
    if (show & SHOW_EXECUTIONS) {
        d->execs = calloc(n, sizeof *d->execs);
        rc = d->execs ? tl_store_executions_recent(s, d->execs, n, &d->n_execs, err)
                      : tl_err_set(err, TL_ENOMEM, "out of memory");
    }
    if (rc == 0 && (show & SHOW_QUOTES)) {
        d->quotes = calloc(n, sizeof *d->quotes);
        rc = d->quotes ? tl_store_quotes_recent(s, d->quotes, n, &d->n_quotes, err)
                       : tl_err_set(err, TL_ENOMEM, "out of memory");
    }
    if (rc == 0 && (show & SHOW_LPS))
        rc = tl_desk_scorecards(s, &d->cards, &d->n_cards, err);
    if (rc == 0 && (show & SHOW_STATS))
        rc = tl_desk_stats_get(s, &d->stats, err);
    return rc;
}

static int print_json(const cli_command *cmd, int show, const db_data *d)
{
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    if (show & SHOW_EXECUTIONS)
        tl_dbv_json_executions(&w, d->execs, d->n_execs);
    if (show & SHOW_LPS)
        tl_dbv_json_lps(&w, d->cards, d->n_cards);
    if (show & SHOW_QUOTES)
        tl_dbv_json_quotes(&w, d->quotes, d->n_quotes);
    if (show & SHOW_STATS)
        tl_dbv_json_stats(&w, &d->stats);
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

static void print_tables(int show, const db_data *d)
{
    int many = show == SHOW_ALL;
    if (show & SHOW_STATS) {
        if (many)
            printf("== stats\n");
        tl_dbv_table_stats(&d->stats);
    }
    if (show & SHOW_EXECUTIONS) {
        if (many)
            printf("\n== executions (newest first)\n");
        tl_dbv_table_executions(d->execs, d->n_execs);
    }
    if (show & SHOW_QUOTES) {
        if (many)
            printf("\n== quotes (newest first)\n");
        tl_dbv_table_quotes(d->quotes, d->n_quotes);
    }
    if (show & SHOW_LPS) {
        if (many)
            printf("\n== LP scorecards\n");
        tl_dbv_table_lps(d->cards, d->n_cards);
    }
}

/* N: 1..MAX_N, digits only. */
static int parse_n(const char *s, size_t *n)
{
    size_t len = strlen(s);
    if (len == 0 || len > 6 || strspn(s, "0123456789") != len)
        return -1;
    unsigned long v = strtoul(s, NULL, 10);
    if (v < 1 || v > MAX_N)
        return -1;
    *n = v;
    return 0;
}

int tl_cmd_db(int argc, char **argv)
{
    const char *db = "tradeloop.db", *format = NULL;
    bool json = false;
    tl_err err = {0};
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "database to read: FILE.db, sqlite:FILE, postgresql://... (tradeloop.db)"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "db",
        "executions [N] | quotes [N] | lps | stats | all [--db URL] [--json | --format F]",
        "Shows the RFQ desk's records. executions, quotes: the N newest rows (10; at most\n"
        "100000), newest first. lps: a scorecard per LP (quotes requested and answered, response\n"
        "rate, mean and p95 response time, wins and win rate, executions, refusals, best and "
        "worst\n"
        "price behind the best quote in bps). stats: executions, success rate, total P&L per\n"
        "asset. all: the four. JSON: one object keyed by section, keys sorted, exact decimals.\n"
        "Opens the database for reading only and changes nothing.",
        flags,
    };
    /* The view and its N come before the flags; --help may come first. */
    int first = 1, show = 0;
    size_t n = DEFAULT_N;
    const char *view = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    if (view != NULL) {
        for (size_t i = 0; i < sizeof views / sizeof views[0] && !show; i++) {
            if (strcmp(view, views[i].name) == 0)
                show = views[i].show;
        }
        first = 2;
        char q[CLI_QUOTE_MAX + 4];
        if (!show)
            return cli_usage_error(&cmd, "unknown view '%s' (executions, quotes, lps, stats, all)",
                                   cli_quote(view, q));
        if (argc > 2 && argv[2][0] != '-') {
            int takes_n = show & (SHOW_EXECUTIONS | SHOW_QUOTES);
            if (!takes_n)
                return cli_usage_error(&cmd, "%s takes no N (got '%s')", view,
                                       cli_quote(argv[2], q));
            if (parse_n(argv[2], &n) != 0)
                return cli_usage_error(&cmd, "N must be a whole number 1-%d (got '%s')", MAX_N,
                                       cli_quote(argv[2], q));
            first = 3;
        }
    }
    int rc = cli_parse(&cmd, argc, argv, first);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    if (!show)
        return cli_usage_error(&cmd, "which view? executions [N], quotes [N], lps, stats, all");
    bool as_json = false;
    if ((rc = cli_output_json(&cmd, json, format, &as_json)) != CLI_OK)
        return rc;

    tl_store store;
    if ((rc = cli_open_store(&cmd, "db", db, NULL, &store)) != CLI_OK)
        return rc;
    db_data d;
    memset(&d, 0, sizeof d);
    if (load(&store, show, n, &d, &err) != 0)
        rc = cli_fail(&cmd, "%s", err.msg);
    else if (as_json)
        rc = print_json(&cmd, show, &d);
    else {
        print_tables(show, &d);
        if (fflush(stdout) != 0)
            rc = cli_fail(&cmd, "cannot write to stdout");
    }
    free(d.execs);
    free(d.quotes);
    free(d.cards);
    tl_store_close(&store);
    return rc;
}
