/*
 * cmd_journal.c -- `tradeloop journal`: the journal's events as people (and scripts) read them.
 *
 * Type names instead of numbers, quantities and prices as exact decimals instead of 1e-8 units.
 * The store is opened for reading only (tl_store_open_read): nothing is created, migrated or
 * written, so it is safe on a journal another engine is writing. --workspace and --type go to
 * the store's scan (a workspace's scan reads only its own seq range); --order is checked here;
 * --tail keeps the last N matches in a ring and prints them at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/opts.h"
#include "app/commands.h"
#include "core/jsonw.h"
#include "core/vec.h"
#include "store/store.h"
#include "tradeloop/order.h"

/* --tail's bound: a ring of this many events is about 45 MB. */
#define TAIL_MAX 100000

enum { OUT_TABLE, OUT_TEXT, OUT_JSON };

typedef struct journal_ctx {
    const cli_command *cmd;
    const char *order; /* "" = any */
    int out;
    int rc;
    uint64_t printed;
    /* --tail: the last `tail` matches, oldest at ring[(next) % tail] once full. */
    uint64_t tail;
    tl_event *ring;
    size_t ring_cap;
    uint64_t seen;
} journal_ctx;

/* UTC time of an event, to the microsecond: "2025-01-01T00:00:00.000000Z". */
static void format_time(int64_t ns, char *buf, size_t cap)
{
    time_t secs = (time_t)(ns / 1000000000);
    long us = (long)((ns % 1000000000) / 1000);
    if (us < 0) {
        secs--;
        us += 1000000;
    }
    struct tm tm;
    char day[32];
    if (gmtime_r(&secs, &tm) == NULL || strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(buf, cap, "%lld", (long long)ns);
    else
        snprintf(buf, cap, "%s.%06ldZ", day, us);
}

/* Order events carry a side and a status; others leave them 0, which would read as BUY. */
static int has_order_fields(const tl_event *ev)
{
    return ev->order_id[0] != '\0' || ev->type == TL_EV_ORDER_FILLED;
}

static int print_json(journal_ctx *c, const tl_event *ev)
{
    char when[48];
    format_time(ev->ts_ns, when, sizeof when);
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_key(&w, "seq");
    tl_jw_uint(&w, ev->seq);
    tl_jw_key(&w, "time");
    tl_jw_str(&w, when);
    tl_jw_key(&w, "ts_ns");
    tl_jw_int(&w, ev->ts_ns);
    tl_jw_key(&w, "workspace");
    tl_jw_str(&w, ev->workspace);
    tl_jw_key(&w, "type");
    tl_jw_str(&w, tl_event_type_name(ev->type));
    tl_jw_key(&w, "order_id");
    tl_jw_str(&w, ev->order_id);
    tl_jw_key(&w, "symbol");
    tl_jw_str(&w, ev->symbol);
    tl_jw_key(&w, "side");
    if (has_order_fields(ev))
        tl_jw_str(&w, tl_side_name(ev->side));
    else
        tl_jw_null(&w);
    tl_jw_key(&w, "status");
    if (has_order_fields(ev))
        tl_jw_str(&w, tl_order_status_name(ev->status));
    else
        tl_jw_null(&w);
    tl_jw_key(&w, "trade_id");
    tl_jw_str(&w, ev->trade_id);
    tl_jw_key(&w, "qty");
    tl_jw_fixed(&w, ev->qty);
    tl_jw_key(&w, "price");
    tl_jw_fixed(&w, ev->price);
    tl_jw_key(&w, "fee");
    tl_jw_fixed(&w, ev->fee);
    tl_jw_key(&w, "idem_key");
    tl_jw_str(&w, ev->idem_key);
    tl_jw_key(&w, "text");
    tl_jw_str(&w, ev->text);
    tl_jw_obj_end(&w);
    return cli_print_json(c->cmd, &w);
}

static const char *const columns[] = {"seq",  "time",     "workspace", "type", "order",
                                      "side", "status",   "symbol",    "qty",  "price",
                                      "fee",  "trade_id", "text"};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

/* One event's cells; decimals are exact and shortest (tl_fixed_format). */
static void cells(const tl_event *ev, char (*cell)[TL_EVENT_TEXT_MAX])
{
    snprintf(cell[0], TL_EVENT_TEXT_MAX, "%llu", (unsigned long long)ev->seq);
    format_time(ev->ts_ns, cell[1], TL_EVENT_TEXT_MAX);
    snprintf(cell[2], TL_EVENT_TEXT_MAX, "%s", ev->workspace);
    snprintf(cell[3], TL_EVENT_TEXT_MAX, "%s", tl_event_type_name(ev->type));
    snprintf(cell[4], TL_EVENT_TEXT_MAX, "%s", ev->order_id);
    snprintf(cell[5], TL_EVENT_TEXT_MAX, "%s", has_order_fields(ev) ? tl_side_name(ev->side) : "");
    snprintf(cell[6], TL_EVENT_TEXT_MAX, "%s",
             has_order_fields(ev) ? tl_order_status_name(ev->status) : "");
    snprintf(cell[7], TL_EVENT_TEXT_MAX, "%s", ev->symbol);
    tl_fixed_format(ev->qty, cell[8], TL_EVENT_TEXT_MAX);
    tl_fixed_format(ev->price, cell[9], TL_EVENT_TEXT_MAX);
    tl_fixed_format(ev->fee, cell[10], TL_EVENT_TEXT_MAX);
    snprintf(cell[11], TL_EVENT_TEXT_MAX, "%s", ev->trade_id);
    snprintf(cell[12], TL_EVENT_TEXT_MAX, "%s", ev->text);
}

/* Fixed widths on a terminal (the text last, unbounded); tab-separated otherwise, for cut and
 * awk. */
static const int widths[N_COLUMNS] = {7, 27, 16, 17, 12, 4, 16, 9, 14, 14, 10, 14, 0};

static void print_row(int out, char (*cell)[TL_EVENT_TEXT_MAX])
{
    for (size_t i = 0; i < N_COLUMNS; i++) {
        if (out == OUT_TEXT)
            printf("%s%s", cell[i], i + 1 < N_COLUMNS ? "\t" : "\n");
        else if (i + 1 < N_COLUMNS)
            printf("%-*s ", widths[i], cell[i]);
        else
            printf("%s\n", cell[i]);
    }
}

static void print_header(int out)
{
    char cell[N_COLUMNS][TL_EVENT_TEXT_MAX];
    for (size_t i = 0; i < N_COLUMNS; i++)
        snprintf(cell[i], TL_EVENT_TEXT_MAX, "%s", columns[i]);
    print_row(out, cell);
}

static int print_event(journal_ctx *c, const tl_event *ev)
{
    if (c->out == OUT_JSON)
        return print_json(c, ev);
    if (c->printed++ == 0)
        print_header(c->out);
    char cell[N_COLUMNS][TL_EVENT_TEXT_MAX];
    cells(ev, cell);
    print_row(c->out, cell);
    return 0;
}

static int on_event(void *ctx, const tl_event *ev)
{
    journal_ctx *c = ctx;
    if (c->order[0] != '\0' && strcmp(ev->order_id, c->order) != 0)
        return 0;
    if (c->tail == 0)
        return (c->rc = print_event(c, ev)) != 0;
    size_t at = (size_t)(c->seen % c->tail);
    if (at >= c->ring_cap && TL_VEC_RESERVE(&c->ring, &c->ring_cap, at + 1) != 0) {
        c->rc = cli_fail(c->cmd, "out of memory keeping the last %llu events",
                         (unsigned long long)c->tail);
        return 1;
    }
    c->ring[at] = *ev;
    c->seen++;
    return 0;
}

int tl_cmd_journal(int argc, char **argv)
{
    const char *db = "tradeloop.db", *workspace = "", *type = "", *order = "", *format = NULL;
    uint64_t tail = 0;
    bool json = false;
    tl_err err = {0};
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "journal to read: FILE.db, sqlite:FILE, postgresql://..., mem: (tradeloop.db)"},
        {"workspace", CLI_STRING, &workspace, NULL, "NAME",
         "only this workspace, 1-47 of [A-Za-z0-9._:-] (all)"},
        {"type", CLI_STRING, &type, NULL, "TYPE", "only this event type, e.g. ORDER_FILLED (all)"},
        {"order", CLI_STRING, &order, NULL, "ID", "only events of this order id (all)"},
        {"tail", CLI_U64_POS, &tail, NULL, "N", "only the last N matching events (all)",
         .max = TAIL_MAX},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "journal",
        "[--db URL] [--workspace NAME] [--type TYPE] [--order ID] [--tail N] [--json | --format F]",
        "Prints the journal's events in sequence order, with type names and exact decimal\n"
        "quantities, prices and fees: a table on a terminal (or --format table), tab-separated\n"
        "lines with a header otherwise, one JSON object per line with --json or --format json\n"
        "(a non-terminal stdout stays tab-separated unless JSON is asked for). Opens the store for\n"
        "reading only and changes nothing. --order takes an order id of at most 23 characters.\n"
        "Types: INTENT_EMITTED ... CANCEL_REJECTED (see docs/OPERATIONS.md).",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    if (*workspace && (rc = cli_workspace(&cmd, "workspace", workspace)) != CLI_OK)
        return rc;
    if ((rc = cli_output_check(&cmd, json, format)) != CLI_OK)
        return rc;
    char q[CLI_QUOTE_MAX + 4];
    tl_event_type t = 0;
    if (*type && tl_event_type_parse(type, &t) != 0)
        return cli_usage_error(&cmd, "--type: unknown event type '%s' (e.g. ORDER_FILLED)",
                               cli_quote(type, q));
    if (strlen(order) >= sizeof(((tl_event *)0)->order_id))
        return cli_usage_error(&cmd, "--order: longer than %zu characters",
                               sizeof(((tl_event *)0)->order_id) - 1);

    tl_store store;
    if ((rc = cli_open_store(&cmd, "db", db, NULL, &store)) != CLI_OK)
        return rc;
    journal_ctx c = {.cmd = &cmd, .order = order, .tail = tail};
    /* JSON when asked (--json, --format json); else a table when asked or on a terminal, and
     * tab-separated text otherwise, which scripts read: the journal's default off a terminal is
     * text, not the JSON other commands print there. */
    bool want_json = json || (format && strcmp(format, "json") == 0);
    c.out = want_json ? OUT_JSON
            : (format && strcmp(format, "table") == 0) || isatty(STDOUT_FILENO) ? OUT_TABLE
                                                                                 : OUT_TEXT;
    tl_scan_filter f = {.type = (int)t, .workspace = workspace};
    rc = tl_store_scan(&store, &f, on_event, &c, &err);
    int out = CLI_OK;
    if (c.rc != 0)
        out = c.rc; /* a callback's own failure, already reported */
    else if (rc != 0)
        out = cli_fail(&cmd, "%s", err.msg);
    /* The ring's oldest entry follows the newest once it has wrapped. */
    uint64_t n = c.seen < tail ? c.seen : tail;
    for (uint64_t i = 0; out == CLI_OK && i < n; i++)
        out = print_event(&c, &c.ring[(c.seen - n + i) % tail]);
    if (out == CLI_OK && fflush(stdout) != 0)
        out = cli_fail(&cmd, "cannot write to stdout");
    free(c.ring);
    tl_store_close(&store);
    return out;
}
