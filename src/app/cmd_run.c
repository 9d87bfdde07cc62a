/* cmd_run.c -- `tradeloop run`: the governed loop on its host. Flags and accounts (run_config.c)
 * into a loop (src/loop/), quotes and signals as line sources of the host, reconciliation on a
 * timer, the kill switch from a signal, a file, the environment or another process (the store's
 * control inbox), and the final report. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "app/run_config.h"
#include "app/run_dash.h"
#include "core/jsonw.h"
#include "host/host.h"
#include "journal/journal.h"
#include "loop/loop.h"
#include "loop/random_walk.h"
#include "store/store.h"

#define KILL_POLL_MS 20 /* the control inbox and the kill file: the switch acts within 100 ms */

typedef struct run_ctx {
    cli_command *cmd;
    tl_loop loop;
    tl_store *store; /* NULL without --db */
    tl_host host;
    tl_quote_csv qcsv;
    tl_quote quote; /* the line peek parsed, dispatched next */
    tl_signal sig;
    const char *quotes_path, *signals_path, *kill_file;
    bool kill_file_seen;
    uint64_t control_after;
    uint64_t malformed;
    tl_host_timer reconcile;
    int64_t reconcile_ns;
    tl_random_walk walk; /* --random-walk */
    tl_host_timer walk_timer;
    run_dash dash; /* the status document, and the screen with --dashboard */
} run_ctx;

/* --- quotes ------------------------------------------------------------------------------- */

static int quote_peek(void *ctx, const tl_line *line, int64_t *ts, tl_err *why)
{
    run_ctx *r = ctx;
    int rc = tl_quote_csv_line(&r->qcsv, line->text, line->len, &r->quote, why);
    if (rc == 0)
        return TL_HOST_SKIP;
    if (rc < 0)
        return rc;
    *ts = r->quote.ts_ns;
    return 0;
}

static int quote_line(void *ctx, const tl_line *line, tl_err *err)
{
    (void)line;
    run_ctx *r = ctx;
    return tl_loop_on_quote(&r->loop, &r->quote, err);
}

/* A bad quote line stops the run: quotes are the market, and a market with a hole is not one to
 * trade on. */
static int quote_bad(void *ctx, uint64_t no, const tl_err *why, tl_err *err)
{
    run_ctx *r = ctx;
    return tl_err_set(err, TL_EINVAL, "%s line %llu: %s", r->quotes_path, (unsigned long long)no,
                      why->msg);
}

/* --- the synthetic feed: a host source in replay, a one-second timer live ---------------- */

static int walk_peek(void *ctx, int64_t *ts, tl_err *err)
{
    (void)err;
    run_ctx *r = ctx;
    if (r->walk.left == 0)
        return TL_HOST_END;
    *ts = r->walk.next_ns;
    return 0;
}

static int walk_dispatch(void *ctx, tl_err *err)
{
    run_ctx *r = ctx;
    if (tl_random_walk_next(&r->walk, &r->quote) != 1)
        return 0;
    return tl_loop_on_quote(&r->loop, &r->quote, err);
}

static int walk_tick(void *ctx, tl_host_timer *t, tl_err *err)
{
    run_ctx *r = ctx;
    r->walk.next_ns = tl_clock_now(r->loop.clock); /* live: stamped when it is made */
    if (tl_random_walk_next(&r->walk, &r->quote) != 1) {
        tl_host_timer_stop(&r->host, t);
        return 0;
    }
    return tl_loop_on_quote(&r->loop, &r->quote, err);
}

/* --- signals ------------------------------------------------------------------------------ */

static int signal_peek(void *ctx, const tl_line *line, int64_t *ts, tl_err *why)
{
    run_ctx *r = ctx;
    int rc = tl_signal_parse(line->text, line->len, &r->sig, why);
    if (rc == 0)
        return TL_HOST_SKIP;
    if (rc < 0)
        return rc;
    *ts = r->sig.ts_ns;
    return 0;
}

static int signal_line(void *ctx, const tl_line *line, tl_err *err)
{
    (void)line;
    run_ctx *r = ctx;
    return tl_loop_on_signal(&r->loop, &r->sig, err);
}

/* A malformed signal is refused with its line number and the loop goes on. */
static int signal_bad(void *ctx, uint64_t no, const tl_err *why, tl_err *err)
{
    (void)err;
    run_ctx *r = ctx;
    char text[TL_EVENT_TEXT_MAX];
    fprintf(stderr, "tradeloop run: %s line %llu: %s (refused)\n", r->signals_path,
            (unsigned long long)no, why->msg);
    snprintf(text, sizeof(text), "MALFORMED: line %llu: %.90s", (unsigned long long)no, why->msg);
    tl_loop_on_malformed(&r->loop, text);
    r->malformed++;
    return 0;
}

/* --- timers, switches, steps -------------------------------------------------------------- */

static int on_reconcile(void *ctx, tl_host_timer *t, tl_err *err)
{
    (void)t;
    run_ctx *r = ctx;
    return tl_loop_reconcile(&r->loop, err);
}

/* The step boundary. A replay commits in groups (results waiting for a commit force one); live,
 * every step commits, so what the engine did is in the journal as soon as it is done. */
static int on_step(void *ctx, tl_err *err)
{
    run_ctx *r = ctx;
    return tl_loop_flush(&r->loop, r->host.mode == TL_HOST_LIVE, err);
}

static int engage(run_ctx *r, const char *reason, tl_err *err)
{
    int rc = tl_loop_kill(&r->loop, reason, err);
    if (rc == 1)
        fprintf(stderr, "tradeloop run: kill switch engaged (%s)\n", reason);
    return rc < 0 ? rc : 0;
}

static int on_usr1(void *ctx, int signum, tl_err *err)
{
    (void)signum;
    return engage(ctx, "SIGUSR1", err);
}

static int on_term(void *ctx, int signum, tl_err *err)
{
    (void)err;
    run_ctx *r = ctx;
    fprintf(stderr, "tradeloop run: %s: stopping\n", signum == SIGINT ? "SIGINT" : "SIGTERM");
    tl_host_stop(&r->host);
    return 0;
}

/* One request of the control inbox, journaled by what it does. */
static int apply_control(run_ctx *r, const tl_control_row *row, tl_err *err)
{
    int rc;
    if (strcmp(row->command, "kill") == 0)
        return engage(r, row->arg[0] ? row->arg : "tradeloop kill", err);
    if (strcmp(row->command, "release") == 0) {
        if ((rc = tl_loop_kill_release(&r->loop, err)) < 0)
            return rc;
        if (rc == 1)
            fprintf(stderr, "tradeloop run: kill switch released\n");
        return 0;
    }
    if (strcmp(row->command, "unfreeze") == 0) {
        tl_engine_account *a = tl_engine_account_named(&r->loop.engine, row->arg);
        if (!a) {
            fprintf(stderr, "tradeloop run: unfreeze: no account '%s' (control #%llu ignored)\n",
                    row->arg, (unsigned long long)row->id);
            return 0;
        }
        if (tl_engine_unfreeze_account(&r->loop.engine, a->id) == 1)
            fprintf(stderr, "tradeloop run: account %s unfrozen\n", a->name);
        return tl_loop_flush(&r->loop, true, err);
    }
    fprintf(stderr, "tradeloop run: control #%llu: unknown command '%s' ignored\n",
            (unsigned long long)row->id, row->command);
    return 0;
}

/* Every KILL_POLL_MS of wall time: the kill file and the control inbox. */
static int on_poll(void *ctx, tl_err *err)
{
    run_ctx *r = ctx;
    int rc;
    struct stat st;
    if (r->kill_file && !r->kill_file_seen && stat(r->kill_file, &st) == 0) {
        r->kill_file_seen = true;
        if ((rc = engage(r, "kill file", err)) != 0)
            return rc;
    }
    if (!r->store || !(r->store->ops->caps & TL_STORE_CAP_DURABLE))
        return 0;
    tl_control_row rows[8];
    size_t n = 0;
    if ((rc = tl_store_control_pending(r->store, r->control_after, rows, 8, &n, err)) != 0)
        return rc == TL_ENOTSUP ? 0 : rc;
    for (size_t i = 0; i < n; i++) {
        /* What came before is committed first, so the command's event (the kill switch's, an
         * account's unfreezing) opens the batch apply_control commits: its seq is that batch's
         * first, as the store numbered it (another engine may have appended in between). */
        if ((rc = tl_loop_flush(&r->loop, true, err)) != 0)
            return rc;
        uint64_t batches = r->store->stats.batches, events = r->store->stats.events;
        if ((rc = apply_control(r, &rows[i], err)) != 0)
            return rc;
        uint64_t seq = r->store->stats.batches != batches && r->store->stats.events != events
                           ? r->store->last_first_seq
                           : r->store->high_water; /* it already was so: nothing journaled */
        /* Taken at the wall clock's time, whatever the engine's: the requester measures by it. */
        tl_clock wall;
        tl_clock_init_real(&wall);
        if ((rc = tl_store_control_done(r->store, rows[i].id, seq, tl_clock_now(&wall), err)) != 0)
            return rc;
        r->control_after = rows[i].id;
    }
    return 0;
}

/* --- the report --------------------------------------------------------------------------- */

static void print_table(run_ctx *r)
{
    tl_loop *l = &r->loop;
    const tl_loop_stats *st = &l->stats;
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], c[TL_FIXED_STRLEN];
    printf("%-16s %18s %18s %6s %5s %6s %9s %s\n", "account", "balance", "realized P&L", "trades",
           "wins", "losses", "max DD %", "cooldown");
    for (uint32_t i = 0; i < l->engine.n_accts; i++) {
        const tl_engine_account *acct = &l->engine.accts[i];
        const tl_account *ba = tl_book_find_account(&l->engine.book, acct->id);
        tl_fixed_format(ba ? ba->cash : 0, a, sizeof(a));
        tl_fixed_format(ba ? ba->realized_pnl : 0, b, sizeof(b));
        tl_fixed_format(acct->gov.max_drawdown_pct, c, sizeof(c));
        printf("%-16s %18s %18s %6llu %5llu %6llu %9s %s\n", acct->name, a, b,
               (unsigned long long)acct->gov.trades, (unsigned long long)acct->gov.wins,
               (unsigned long long)acct->gov.losses, c,
               tl_clock_now(l->clock) < acct->gov.cooldown_until_ns ? "yes" : "no");
    }
    printf("\n%-16s %-10s %16s %16s %16s\n", "position", "symbol", "qty", "avg price", "stop");
    for (uint32_t i = 0; i < l->engine.n_accts; i++) {
        const tl_engine_account *acct = &l->engine.accts[i];
        const tl_position *p = acct->gov.open_positions ? tl_book_find(&l->engine.book, acct->id,
                                                                       acct->gov.busy_instrument)
                                                        : NULL;
        tl_stop stop;
        if (!p || p->qty == 0)
            continue;
        tl_fixed_format(p->qty, a, sizeof(a));
        tl_fixed_format(p->avg_price, b, sizeof(b));
        if (tl_stop_book_get(&l->stops, acct->id, p->instrument, &stop) == 0)
            tl_fixed_format(stop.price, c, sizeof(c));
        else
            snprintf(c, sizeof(c), "-");
        printf("%-16s %-10s %16s %16s %16s\n", acct->name,
               l->engine.instruments.items[p->instrument].symbol, a, b, c);
    }
    printf("\nsignals     received %llu, accepted %llu, refused %llu\n",
           (unsigned long long)st->signals_received, (unsigned long long)st->signals_accepted,
           (unsigned long long)st->signals_refused);
    printf("refusals   ");
    for (int code = 1; code < TL_LR__COUNT; code++)
        if (st->refusals[code])
            printf(" %s %llu", tl_loop_refusal_name(code), (unsigned long long)st->refusals[code]);
    printf("\nexits       stop-loss %llu, signal %llu, kill switch %llu\n",
           (unsigned long long)st->exits_stop_loss, (unsigned long long)st->exits_signal,
           (unsigned long long)st->exits_kill_switch);
    printf("reconcile   %llu runs, %llu mismatches\n", (unsigned long long)st->reconcile_runs,
           (unsigned long long)st->reconcile_mismatches);
    printf("kill switch %s%s%s\n", l->engine.risk.killed ? "ENGAGED" : "off",
           l->engine.risk.killed ? ": " : "", l->engine.risk.kill_reason);
}

static int report(run_ctx *r, bool as_json, uint64_t events)
{
    tl_err err = {0};
    if (!as_json) {
        print_table(r);
        char digest[65];
        if (tl_engine_digest(&r->loop.engine, digest, &err) == 0)
            printf("journal     %llu events, state digest %s\n", (unsigned long long)events,
                   digest);
        return CLI_OK;
    }
    tl_jw w;
    tl_jw_init(&w);
    if (tl_loop_report_json(&r->loop, &w, events, &err) != 0) {
        tl_jw_free(&w);
        return cli_fail(r->cmd, "report: %s", err.msg);
    }
    return cli_print_json(r->cmd, &w);
}

/* --- the command -------------------------------------------------------------------------- */

int tl_cmd_run(int argc, char **argv)
{
    run_rules rules;
    const char *accounts = NULL, *account = "va1", *quotes = NULL, *symbol = NULL;
    const char *signals = NULL, *db = NULL, *durability = "full", *format = NULL;
    const char *kill_file = NULL, *kill_env = NULL;
    tl_fixed balance = TL_FIXED_INT(100000), spread = 0, fill_rate = TL_FIXED_SCALE,
             reject_rate = 0;
    uint64_t latency_ms = 0, reconcile_s = 5, walk_seed = 0, walk_quotes = 0, drop_fill = 0;
    const char *venue_url = NULL;
    tl_fixed partial_rate = 0, start_price = TL_FIXED_INT(100);
    bool until_end = false, json = false, live = false, dashboard = false;
    run_rules_default(&rules);
    cli_flag flags[] = {
        {"accounts", CLI_STRING, &accounts, "TRADELOOP_ACCOUNTS", "FILE",
         "virtual accounts: a JSON array of {name, starting_balance, <rule overrides>}"},
        {"account", CLI_STRING, &account, NULL, "NAME", "the one account without --accounts (va1)"},
        {"starting-balance", CLI_FIXED_POS, &balance, "TRADELOOP_STARTING_BALANCE", "USD",
         "its balance (100000)", .fmin = 1, .fmax = TL_FIXED_INT(10000000000)},
        {"quotes", CLI_STRING, &quotes, "TRADELOOP_QUOTES", "FILE",
         "quotes CSV (timestamp,symbol,bid,ask or timestamp,price), - for stdin"},
        {"symbol", CLI_STRING, &symbol, NULL, "SYMBOL", "the symbol of a timestamp,price file"},
        {"spread-bps", CLI_FIXED, &spread, NULL, "BPS",
         "bid/ask around a timestamp,price file's price (0)", .fmin = 0,
         .fmax = TL_FIXED_INT(19999)},
        {"random-walk", CLI_U64, &walk_seed, NULL, "SEED",
         "a synthetic feed instead of --quotes: one quote a second of --symbol (SIM)",
         .max = UINT64_MAX},
        {"walk-quotes", CLI_U64, &walk_quotes, NULL, "N",
         "quotes of the synthetic feed, 0 = no end (replay: 86400, a day)", .max = 1000000000},
        {"start-price", CLI_FIXED_POS, &start_price, NULL, "PRICE",
         "the synthetic feed's first mid (100)", .fmin = 1, .fmax = TL_FIXED_INT(1000000000)},
        {"live", CLI_BOOL, &live, NULL, NULL,
         "real time: inputs as they arrive (stdin, a FIFO), the wall clock; runs until SIGINT or "
         "SIGTERM, or until the inputs end with --until-end"},
        {"signals", CLI_STRING, &signals, "TRADELOOP_SIGNALS", "FILE",
         "signals, one JSON object per line, - for stdin; an entry with \"limit_price\" is a "
         "LIMIT GTC order at that price"},
        RUN_RULE_FLAGS(rules),
        {"reconcile-interval", CLI_U64_POS, &reconcile_s, "TRADELOOP_RECONCILE_INTERVAL", "S",
         "seconds between reconciliations with the venue, 1..60 (5)", .max = 60},
        {"latency-ms", CLI_U64, &latency_ms, NULL, "MS", "simulated venue latency (0)",
         .max = 60000},
        {"fill-rate", CLI_RATE, &fill_rate, NULL, "P", "simulated fill probability (1)"},
        {"reject-rate", CLI_RATE, &reject_rate, NULL, "P", "simulated reject probability (0)"},
        {"partial-rate", CLI_RATE, &partial_rate, NULL, "P",
         "probability that a fill comes in two parts (0)"},
        {"venue", CLI_STRING, &venue_url, "TRADELOOP_VENUE", "URL",
         "the venue, instead of the four flags above: sim://?fill_rate=..&capacity=.., or a live "
         "exchange binance+http(s)://HOST?key_env=..&secret_env=.. (never a default: the "
         "default is the simulator)"},
        {"drop-fill-report", CLI_U64, &drop_fill, NULL, "N",
         "drill: the venue dispatch swallows its Nth fill report (reconciliation repairs it)",
         .max = UINT64_MAX},
        {"kill-file", CLI_STRING, &kill_file, "TRADELOOP_KILL_FILE", "PATH",
         "engage the kill switch when this file appears"},
        {"kill-switch", CLI_STRING, &kill_env, "KILL_SWITCH", "true|false",
         "engage the kill switch at start (false)"},
        {"until-end", CLI_BOOL, &until_end, NULL, NULL,
         "stop when the inputs end and print the final report"},
        {"dashboard", CLI_BOOL, &dashboard, NULL, NULL,
         "draw the live dashboard on the terminal; q stops the run (the report follows)"},
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "the journal: FILE.db, sqlite:FILE, postgresql://..., mem: (tradeloop.db)"},
        {"durability", CLI_STRING, &durability, "TRADELOOP_DURABILITY", "full|normal",
         "what a commit waits for (full)"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "run",
        "--quotes FILE | --random-walk SEED [--signals FILE] [--accounts FILE] [--db URL] [--live]"
        " [rule flags] [--until-end]",
        "The governed execution loop: virtual accounts trade the signals, every one governed by\n"
        "the rule table (one symbol per account, open positions cap, cooldown after losses,\n"
        "drawdown, spread, quote age, slippage, trading window, kill switch); every position\n"
        "carries a stop-loss; the venue is reconciled every --reconcile-interval. Inputs are\n"
        "replayed in their own time (the clock follows their timestamps) and the run ends with\n"
        "them; with --live they are taken as they arrive, on the wall clock. Rules may be set per\n"
        "account in the --accounts file by their names in snake case (\"max_spread_bps\": \"5\").\n"
        "The kill switch: SIGUSR1, --kill-file, KILL_SWITCH=true, or `tradeloop kill --db D`.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    bool as_json;
    if ((rc = cli_output_json(&cmd, json, format, &as_json)) != CLI_OK)
        return rc;
    bool walk = cli_flag_seen(&cmd, "random-walk");
    if (!quotes && !walk)
        return cli_usage_error(&cmd,
                               "--quotes: required (a CSV file, or - for stdin), or --random-walk");
    if (quotes && walk)
        return cli_usage_error(&cmd, "--random-walk: a second feed besides --quotes");
    if (signals && quotes && strcmp(signals, "-") == 0 && strcmp(quotes, "-") == 0)
        return cli_usage_error(&cmd, "--signals: stdin is already --quotes");
    bool kill_at_start = false;
    if (kill_env) {
        if (strcmp(kill_env, "true") == 0)
            kill_at_start = true;
        else if (strcmp(kill_env, "false") != 0)
            return cli_value_error(&cmd, "kill-switch", "must be true or false");
    }
    if (venue_url && (cli_flag_seen(&cmd, "latency-ms") || cli_flag_seen(&cmd, "fill-rate") ||
                      cli_flag_seen(&cmd, "reject-rate") || cli_flag_seen(&cmd, "partial-rate")))
        return cli_usage_error(&cmd, "--venue: give the venue's parameters in its URL, not as "
                                     "--latency-ms/--fill-rate/--reject-rate/--partial-rate too");
    tl_store_options so = {0};
    if ((rc = cli_durability(&cmd, durability, &so.durability)) != CLI_OK)
        return rc;
    if (!db)
        db = "tradeloop.db";
    if ((rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK)
        return rc;

    run_zones zones = {0};
    tl_loop_va *vas = NULL;
    size_t n_vas = 0;
    if ((rc = run_build_accounts(&cmd, &rules, accounts, account, balance, &zones, &vas, &n_vas)) !=
        CLI_OK) {
        run_zones_close(&zones);
        return rc;
    }

    run_ctx *r = calloc(1, sizeof(*r));
    tl_store store;
    tl_journal journal;
    tl_venue venue;
    tl_err err = {0};
    bool have_store = false, have_journal = false, have_venue = false, have_host = false,
         have_loop = false;
    if (!r) {
        rc = cli_fail(&cmd, "out of memory");
        goto out;
    }
    r->cmd = &cmd;
    if (run_dash_init(&r->dash, dashboard, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    r->quotes_path = quotes;
    r->signals_path = signals;
    r->kill_file = kill_file;
    r->reconcile_ns = (int64_t)reconcile_s * TL_NS_PER_SEC;
    if (!walk && tl_quote_csv_init(&r->qcsv, symbol, spread, &err) != 0) {
        rc = cli_usage_error(&cmd, "--symbol/--spread-bps: %s", err.msg);
        goto out;
    }
    if (walk) {
        int frozen = 0;
        int64_t t0 = 0;
        if (tl_config_freeze_from_env(&frozen, &t0, &err) != 0) {
            rc = cli_env_error(&cmd, TL_FREEZE_ENV, err.msg);
            goto out;
        }
        /* A replayed walk starts at the opening of the default window, a trading day. */
        if (!frozen)
            tl_time_parse_iso("2025-01-02T09:30:00Z", &t0, NULL);
        uint64_t count = walk_quotes ? walk_quotes : (live ? 0 : 86400);
        if (tl_random_walk_init(&r->walk, walk_seed, symbol ? symbol : "SIM", start_price, spread,
                                t0, TL_NS_PER_SEC, count, &err) != 0) {
            rc = cli_usage_error(&cmd, "--random-walk: %s", err.msg);
            goto out;
        }
    }
    tl_host_options ho = {.until_end = until_end};
    if ((rc = tl_host_init(&r->host, live ? TL_HOST_LIVE : TL_HOST_REPLAY, &ho, &err)) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    have_host = true;
    if ((rc = cli_open_store(&cmd, "db", db, &so, &store)) != CLI_OK)
        goto out;
    have_store = true;
    r->store = &store;
    if (tl_journal_init(&journal, &store, 0, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    have_journal = true;
    char url[256];
    {
        char fr[TL_FIXED_STRLEN], rr[TL_FIXED_STRLEN], pr[TL_FIXED_STRLEN];
        tl_fixed_format(partial_rate, pr, sizeof(pr));
        tl_fixed_format(fill_rate, fr, sizeof(fr));
        tl_fixed_format(reject_rate, rr, sizeof(rr));
        snprintf(url, sizeof(url),
                 "sim://?fill_rate=%s&reject_rate=%s&partial_rate=%s&latency_us=%llu", fr, rr, pr,
                 (unsigned long long)latency_ms * 1000);
    }
    if (tl_venue_open(&venue, venue_url ? venue_url : url, tl_host_clock(&r->host), NULL, &err) !=
        0) {
        rc = venue_url ? cli_value_error(&cmd, "venue", "%s", err.msg)
                       : cli_fail(&cmd, "venue: %s", err.msg);
        goto out;
    }
    have_venue = true;
    venue.faults.drop_report_at = drop_fill;
    tl_loop_config lc = {vas, n_vas, {0}, 0};
    lc.engine_risk.max_open_positions = (uint32_t)rules.max_open_positions;
    if (tl_loop_init(&r->loop, &lc, &venue, tl_host_clock(&r->host), &store, &journal, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    have_loop = true;
    /* Before it trades: the venue reconciled, and switches set while no engine ran (the inbox,
     * the file) engaged. */
    if (tl_loop_reconcile(&r->loop, &err) != 0 || tl_loop_flush(&r->loop, true, &err) != 0) {
        rc = cli_fail(&cmd, "reconciliation at start: %s", err.msg);
        goto out;
    }
    if ((kill_at_start && engage(r, "KILL_SWITCH=true at start", &err) != 0) ||
        on_poll(r, &err) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }

    tl_host_line_ops qops = {quote_peek, quote_line, quote_bad, NULL};
    tl_host_line_ops sops = {signal_peek, signal_line, signal_bad, NULL};
    tl_host_source_ops wops = {walk_peek, walk_dispatch};
    if ((quotes && tl_host_add_lines(&r->host, quotes, &qops, r, &err) != 0) ||
        (walk && !live && tl_host_add_source(&r->host, &wops, r, &err) != 0) ||
        (walk && live &&
         tl_host_timer_start(&r->host, &r->walk_timer, TL_NS_PER_SEC, TL_NS_PER_SEC, walk_tick,
                             r) != 0) ||
        (signals && tl_host_add_lines(&r->host, signals, &sops, r, &err) != 0) ||
        tl_host_timer_start(&r->host, &r->reconcile, r->reconcile_ns, r->reconcile_ns, on_reconcile,
                            r) != 0 ||
        tl_host_on_signal(&r->host, SIGUSR1, on_usr1, r, &err) != 0 ||
        tl_host_on_signal(&r->host, SIGINT, on_term, r, &err) != 0 ||
        tl_host_on_signal(&r->host, SIGTERM, on_term, r, &err) != 0 ||
        tl_host_wall_poll(&r->host, KILL_POLL_MS, on_poll, r, &err) != 0) {
        rc = cli_usage_error(&cmd, "%s", err.msg[0] ? err.msg : "cannot start the host");
        goto out;
    }
    tl_host_on_step(&r->host, on_step, r);
    if (run_dash_start(&r->dash, &r->loop, &r->host, &store, db, &err) != 0) {
        run_dash_close(&r->dash);
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    if ((rc = tl_host_run(&r->host, &err)) != 0) {
        tl_loop_flush(&r->loop, true, NULL);
        run_dash_close(&r->dash);
        rc = cli_fail(&cmd, "%s", err.msg[0] ? err.msg : tl_strerror(rc));
        goto out;
    }
    /* The last status (and, with the screen, kept up until q unless q or a signal ended it). */
    if ((rc = tl_loop_flush(&r->loop, true, &err)) != 0 ||
        (rc = run_dash_end(&r->dash, !r->host.stopping, &err)) != 0) {
        run_dash_close(&r->dash);
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    rc = report(r, as_json, r->loop.engine.recovered_events + journal.events_written);
out:
    if (r)
        run_dash_close(&r->dash);
    if (have_loop)
        tl_loop_close(&r->loop);
    if (have_journal)
        tl_journal_close(&journal);
    if (have_venue)
        tl_venue_close(&venue);
    if (have_store)
        tl_store_close(&store);
    if (have_host)
        tl_host_close(&r->host);
    free(r);
    free(vas);
    run_zones_close(&zones);
    return rc;
}
