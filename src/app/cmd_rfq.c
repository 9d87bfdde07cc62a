/* cmd_rfq.c -- `tradeloop rfq`: the RFQ desk (src/rfq/desk.h) on the host. Scripted (--script
 * FILE, or stdin that is not a terminal): the script's lines in simulated time, `wait` moving the
 * clock, so a session is deterministic and fast; interactive (a terminal): the seed's screens on
 * the wall clock. The LPs are --lps FILE or the three simulated defaults; the hedge goes through
 * the kernel to --hedge-venue; every row and order is journaled to --db. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/hedge_opts.h"
#include "app/opts.h"
#include "app/rfq_screen.h"
#include "engine/recover.h"
#include "host/host.h"
#include "lp/lps_file.h"
#include "lp/sim/lp_sim.h"
#include "rfq/desk.h"
#include "rfq/script.h"

#define RFQ_MODE "rfq"

typedef struct rfq_ctx {
    cli_command *cmd;
    tl_host host;
    tl_desk desk;
    tl_host_timer poll;
    rfq_screen screen;
    bool interactive;
    uint32_t n_lps;
    const char *script;
    int64_t script_ns; /* the script's clock: each line's time */
    tl_rfq_line line;  /* the line the peek parsed, dispatched next */
    uint64_t errors;
} rfq_ctx;

static void on_event(void *ctx, const tl_desk_event *ev)
{
    rfq_ctx *r = ctx;
    rfq_screen_event(&r->screen, ev, tl_clock_now(tl_host_clock(&r->host)));
    if (ev->kind != TL_DESK_LOCKED && ev->kind != TL_DESK_IMPROVED && ev->kind != TL_DESK_ERROR)
        tl_host_timer_stop(&r->host, &r->poll); /* the stream ended */
}

/* --- input lines -------------------------------------------------------------------------- */

static int line_peek(void *ctx, const tl_line *line, int64_t *ts, tl_err *why)
{
    rfq_ctx *r = ctx;
    rfq_screen_typed(&r->screen);
    int rc = tl_rfq_line_parse(line->text, line->len, !r->interactive, &r->line, why);
    if (rc < 0)
        return rc;
    if (r->line.kind == TL_RFQ_LINE_NONE) {
        rfq_screen_prompt(&r->screen); /* a blank line on the terminal: the prompt again */
        return TL_HOST_SKIP;
    }
    if (r->line.kind == TL_RFQ_LINE_WAIT) {
        r->script_ns += r->line.u.wait_ns; /* the next line comes that much later */
        return TL_HOST_SKIP;
    }
    *ts = r->script_ns;
    return 0;
}

/* In a replay the poll is a repeating timer that fires at every period the clock passes
 * (poll.every), so the rounds fall on fixed boundaries whatever the script's waits. Live, the next
 * poll is counted from the end of this one: every round gives the LPs a whole period to answer,
 * and a loop that fell behind (a slow commit) goes on at its pace instead of firing a burst of
 * rounds that no LP could have answered. */
static int on_poll(void *ctx, tl_host_timer *t, tl_err *err)
{
    rfq_ctx *r = ctx;
    int rc = tl_desk_tick(&r->desk, err);
    if (rc == 0 && r->interactive && r->desk.streaming)
        rc = tl_host_timer_start(&r->host, t, r->desk.cfg.poll_ns, 0, on_poll, r);
    return rc;
}

static int line_dispatch(void *ctx, const tl_line *line, tl_err *err)
{
    (void)line;
    rfq_ctx *r = ctx;
    int rc;
    int64_t poll = r->desk.cfg.poll_ns;
    switch (r->line.kind) {
    case TL_RFQ_LINE_REQUEST:
        if ((rc = tl_desk_request(&r->desk, &r->line.u.request, err)) != 0)
            return rc;
        rfq_screen_streaming(&r->screen, &r->line.u.request, r->n_lps);
        r->poll.every = !r->interactive; /* every round counts: a lock's expiry, a better quote */
        return tl_host_timer_start(&r->host, &r->poll, poll, r->interactive ? 0 : poll, on_poll, r);
    case TL_RFQ_LINE_PROCEED:
        return tl_desk_proceed(&r->desk, err);
    case TL_RFQ_LINE_CANCEL:
        return tl_desk_cancel(&r->desk, err);
    case TL_RFQ_LINE_QUIT:
        /* A stream under way is canceled first, so its last quotes row says how it ended. */
        rfq_screen_quitting(&r->screen);
        if (r->desk.streaming && (rc = tl_desk_cancel(&r->desk, err)) != 0)
            return rc;
        tl_host_stop(&r->host);
        return 0;
    default:
        return 0;
    }
}

/* The terminal closed its input (^D): the same as q. */
static int line_end(void *ctx, tl_err *err)
{
    rfq_ctx *r = ctx;
    r->line.kind = TL_RFQ_LINE_QUIT;
    return line_dispatch(r, NULL, err);
}

/* SIGINT or SIGTERM: the same as q, so a stream under way ends with its row and the exit is 0. */
static int on_signal(void *ctx, int signum, tl_err *err)
{
    (void)signum;
    return line_end(ctx, err);
}

/* A malformed line: one line naming the token; the desk stays up. */
static int line_bad(void *ctx, uint64_t no, const tl_err *why, tl_err *err)
{
    (void)err;
    rfq_ctx *r = ctx;
    rfq_screen_typed(&r->screen);
    r->errors++;
    tl_desk_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = TL_DESK_ERROR;
    ev.ts_ns = tl_clock_now(tl_host_clock(&r->host));
    if (r->interactive)
        snprintf(ev.error, sizeof(ev.error), "%.120s", why->msg);
    else
        snprintf(ev.error, sizeof(ev.error), "line %llu: %.100s", (unsigned long long)no, why->msg);
    on_event(r, &ev);
    return 0;
}

/* --- the command -------------------------------------------------------------------------- */

int tl_cmd_rfq(int argc, char **argv)
{
    const char *script = NULL, *lps_path = NULL, *db = NULL, *venue_url = NULL;
    const char *profit = "quote", *format = NULL, *workspace = "rfq", *durability = "full";
    tl_fixed markup = 0, fee = 0;
    uint64_t poll_ms = 500;
    bool json = false;
    cli_flag flags[] = {
        {"script", CLI_STRING, &script, NULL, "FILE",
         "requests and commands in simulated time (`wait 2s` moves it); - for stdin"},
        {"lps", CLI_STRING, &lps_path, "TRADELOOP_LPS", "FILE",
         "the LPs (JSON); three simulated ones by default (LP-1..LP-3)"},
        HEDGE_PRICING_FLAGS(markup, fee, profit),
        {"poll-ms", CLI_U64_POS, &poll_ms, "TRADELOOP_POLL_MS", "MS",
         "between rounds of quotes (500)", .max = 60000},
        {"hedge-venue", CLI_STRING, &venue_url, "TRADELOOP_HEDGE_VENUE", "URL",
         "where hedges go (sim://, filling at the LP price with --fee-bps)"},
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "the journal: FILE.db, sqlite:FILE, postgresql://..., mem: (tradeloop.db)"},
        {"durability", CLI_STRING, &durability, "TRADELOOP_DURABILITY", "full|normal",
         "what a commit waits for (full)"},
        {"workspace", CLI_STRING, &workspace, NULL, "NAME", "the desk's workspace (rfq)"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "rfq",
        "[--script FILE] [--lps FILE] [--markup-bps M] [--fee-bps F] [--profit-asset base|quote]"
        " [--hedge-venue URL] [--db URL] [--json]",
        "The RFQ desk: a request (`b 1.5 btc btcusdt`: side, amount, the asset it is in, symbol) "
        "is\n"
        "streamed to every LP; the best answer is locked for its validity and replaced only by a\n"
        "strictly better one. `p` executes it with the LP, hedges on the hedge venue and logs the\n"
        "P&L; `c` cancels; `q` quits. With --script (or stdin that is not a terminal) the lines\n"
        "run in simulated time from TRADELOOP_FREEZE_UTC or 2025-01-02T10:00:00Z, `wait 2s`\n"
        "moving the clock: the same script gives the same output and journal. --json prints one\n"
        "line per event. Records: `tradeloop db`.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    rfq_ctx *r = calloc(1, sizeof(*r));
    if (!r)
        return cli_fail(&cmd, "out of memory");
    r->cmd = &cmd;
    r->interactive = !script && isatty(STDIN_FILENO);
    r->script = script ? script : "-";
    /* Events are lines: JSON when asked, or when nobody reads a screen. */
    if ((rc = cli_output_check(&cmd, json, format)) != CLI_OK) {
        free(r);
        return rc;
    }
    rfq_screen_init(&r->screen,
                    json || (format && strcmp(format, "json") == 0) ||
                        (!format && !r->interactive && !isatty(STDOUT_FILENO)),
                    r->interactive);
    tl_desk_config dc;
    memset(&dc, 0, sizeof(dc));
    dc.markup_bps = markup;
    dc.fee_bps = fee;
    dc.poll_ns = (int64_t)poll_ms * TL_NS_PER_MS;
    snprintf(dc.workspace, sizeof(dc.workspace), "%s", workspace);
    tl_store_options so = {0};
    if ((rc = cli_pair_leg(&cmd, "profit-asset", profit, &dc.profit_in)) != CLI_OK ||
        (rc = cli_workspace(&cmd, "workspace", workspace)) != CLI_OK ||
        (rc = cli_durability(&cmd, durability, &so.durability)) != CLI_OK) {
        free(r);
        return rc;
    }
    if (!db)
        db = "tradeloop.db";

    tl_err err = {0};
    tl_lps_file lf;
    tl_lps_file_init(&lf);
    tl_lp *lps = NULL;
    uint32_t n_lps = 0;
    tl_store store;
    tl_journal journal;
    tl_venue venue;
    tl_engine engine;
    bool have_host = false, have_store = false, have_journal = false, have_venue = false,
         have_engine = false, have_desk = false;

    int64_t t0 = 0;
    int frozen = 0;
    if (!r->interactive) {
        if (tl_config_freeze_from_env(&frozen, &t0, &err) != 0) {
            rc = cli_env_error(&cmd, TL_FREEZE_ENV, err.msg);
            goto out;
        }
        if (!frozen)
            tl_time_parse_iso("2025-01-02T10:00:00Z", &t0, NULL);
        r->script_ns = t0;
    }
    if (tl_host_init(&r->host, r->interactive ? TL_HOST_LIVE : TL_HOST_REPLAY, NULL, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    have_host = true;
    const tl_clock *clock = tl_host_clock(&r->host);
    if (!r->interactive)
        tl_clock_set((tl_clock *)clock, t0); /* the LPs' first answers are stamped from here */

    /* The LPs. */
    size_t n_urls = 0;
    const char *const *urls = NULL;
    if (lps_path) {
        if (tl_lps_file_read(&lf, lps_path, &err) != 0) {
            rc = cli_usage_error(&cmd, "--lps: %s", err.msg);
            goto out;
        }
        n_urls = lf.count;
    } else {
        urls = tl_lp_sim_default_urls(&n_urls);
    }
    lps = calloc(n_urls ? n_urls : 1, sizeof(*lps));
    if (!lps) {
        rc = cli_fail(&cmd, "out of memory");
        goto out;
    }
    for (; n_lps < n_urls; n_lps++) {
        const char *url = lps_path ? lf.lps[n_lps].url : urls[n_lps];
        if (tl_lp_open(&lps[n_lps], url, clock, NULL, &err) != 0) {
            rc = cli_usage_error(&cmd, "--lps: LP %u: %s", n_lps + 1, err.msg);
            goto out;
        }
    }

    /* The journal and the hedge's kernel. */
    if ((rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK ||
        (rc = cli_open_store(&cmd, "db", db, &so, &store)) != CLI_OK)
        goto out;
    have_store = true;
    if (tl_journal_init(&journal, &store, 0, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    have_journal = true;
    char url[160];
    if (!venue_url) {
        char f[TL_FIXED_STRLEN];
        tl_fixed_format(fee, f, sizeof(f));
        snprintf(url, sizeof(url),
                 "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0&fee_bps=%s", f);
    }
    if (tl_venue_open(&venue, venue_url ? venue_url : url, clock, NULL, &err) != 0) {
        rc = venue_url ? cli_value_error(&cmd, "hedge-venue", "%s", err.msg)
                       : cli_fail(&cmd, "hedge venue: %s", err.msg);
        goto out;
    }
    have_venue = true;
    tl_engine_config ec;
    memset(&ec, 0, sizeof(ec));
    snprintf(ec.workspace, sizeof(ec.workspace), "%s", workspace);
    memcpy(ec.mode, RFQ_MODE, sizeof(RFQ_MODE));
    ec.account = 1;
    ec.starting_cash = TL_FIXED_INT(1000000000);
    ec.any_symbol = true;
    if (tl_engine_init(&engine, &ec, NULL, &venue, clock, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    have_engine = true;
    tl_engine_subscriber js = tl_journal_subscriber(&journal);
    tl_engine_subscribe(&engine, &js);
    uint64_t expired = 0;
    if (tl_engine_recover(&engine, &store, &err) != 0 ||
        (!engine.has_reset && tl_engine_reset(&engine, ec.starting_cash, &err) != 0) ||
        tl_engine_reconcile_venue(&engine, &expired, &err) != 0 ||
        tl_engine_flush(&engine, true, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    if (tl_desk_init(&r->desk, &dc, lps, n_lps, &engine, &journal, clock, on_event, r, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    have_desk = true;
    /* Execution ids go on after the newest the journal holds. */
    tl_execution_row newest;
    size_t n_newest = 0;
    if (tl_store_executions_recent(&store, &newest, 1, &n_newest, &err) == 0 && n_newest == 1)
        tl_desk_ids_after(&r->desk, newest.execution_id, NULL);
    tl_host_line_ops ops = {line_peek, line_dispatch, line_bad, r->interactive ? line_end : NULL};
    if (tl_host_add_lines(&r->host, r->script, &ops, r, &err) != 0) {
        rc = cli_usage_error(&cmd, "--script: %s", err.msg);
        goto out;
    }
    if (tl_host_on_signal(&r->host, SIGINT, on_signal, r, &err) != 0 ||
        tl_host_on_signal(&r->host, SIGTERM, on_signal, r, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    r->n_lps = n_lps;
    rfq_screen_banner(&r->screen, n_lps);
    if ((rc = tl_host_run(&r->host, &err)) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg[0] ? err.msg : tl_strerror(rc));
        goto out;
    }
    rc = CLI_OK;
out:
    if (have_desk)
        tl_desk_close(&r->desk);
    if (have_engine)
        tl_engine_close(&engine);
    if (have_journal)
        tl_journal_close(&journal);
    if (have_venue)
        tl_venue_close(&venue);
    if (have_store)
        tl_store_close(&store);
    for (uint32_t i = 0; i < n_lps; i++)
        tl_lp_close(&lps[i]);
    free(lps);
    tl_lps_file_close(&lf);
    if (have_host)
        tl_host_close(&r->host);
    free(r);
    return rc;
}
