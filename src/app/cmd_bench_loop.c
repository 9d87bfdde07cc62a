/* cmd_bench_loop.c -- `tradeloop bench loop`: the governed loop's figures (issue 8). Quotes/s
 * through filters and stop monitoring (bench/loop_bench.c), and a replay through `tradeloop run`
 * end to end (bench_replay.c), journaled to a SQLite file and to mem:. One JSON line per figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/bench_replay.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "app/run_config.h"
#include "bench/loop_bench.h"
#include "core/jsonw.h"

typedef struct loop_opts {
    uint64_t accounts, symbols, quotes, cross_every, seed, signals;
    const char *journal, *only, *replay;
    bool as_json;
} loop_opts;

static int quotes_figure(cli_command *cmd, const loop_opts *o)
{
    run_rules rules;
    run_zones zones = {0};
    tl_loop_va *va = NULL;
    size_t n = 0;
    tl_err err = {0};
    /* The rules of every account: `tradeloop run`'s defaults, trading window off (the bench's
     * clock is not a market's day). */
    run_rules_default(&rules);
    rules.trading_window = "off";
    int rc = run_build_accounts(cmd, &rules, NULL, "va", TL_FIXED_INT(100000), &zones, &va, &n);
    if (rc != CLI_OK) {
        run_zones_close(&zones);
        return rc;
    }
    tl_bench_loop_config cfg = {va,        (uint32_t)o->accounts, (uint32_t)o->symbols,
                                o->quotes, o->cross_every,        o->journal,
                                o->seed};
    tl_bench_loop_result r;
    rc = tl_bench_loop(&cfg, &r, &err);
    free(va);
    run_zones_close(&zones);
    if (rc != 0)
        return rc == TL_EINVAL ? cli_usage_error(cmd, "%s", err.msg) : cli_fail(cmd, "%s", err.msg);
    const char *journal = o->journal ? o->journal : "none";
    if (!o->as_json) {
        printf("loop (journal %s): %u accounts over %u symbols, %u live stops; %llu quotes in "
               "%.3f s = %.0f quotes/s; %llu stops crossed and entered again (%llu accepted), "
               "%u stops at the end\n",
               journal, cfg.accounts, cfg.symbols, r.stops_start, (unsigned long long)r.quotes,
               r.seconds, r.quotes_per_sec, (unsigned long long)r.crossings,
               (unsigned long long)r.reentries, r.stops_end);
        printf("latency per step: p50 %llu ns, p99 %llu ns, p99.9 %llu ns, max %llu ns\n",
               (unsigned long long)r.p50_ns, (unsigned long long)r.p99_ns,
               (unsigned long long)r.p999_ns, (unsigned long long)r.max_ns);
        return CLI_OK;
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_uint(&w, "accounts", cfg.accounts);
    tl_jw_kv_str(&w, "bench", "loop");
    tl_jw_kv_uint(&w, "cross_every", o->cross_every);
    tl_jw_kv_uint(&w, "crossings", r.crossings);
    tl_jw_kv_str(&w, "journal", journal);
    tl_jw_kv_uint(&w, "journal_events", r.journal_events);
    tl_jw_kv_str(&w, "mode", "quotes");
    tl_jw_kv_uint(&w, "p50_ns", r.p50_ns);
    tl_jw_kv_uint(&w, "p999_ns", r.p999_ns);
    tl_jw_kv_uint(&w, "p99_ns", r.p99_ns);
    tl_jw_kv_uint(&w, "quotes", r.quotes);
    tl_jw_kv_uint(&w, "quotes_per_sec", (uint64_t)r.quotes_per_sec);
    tl_jw_kv_uint(&w, "reentries", r.reentries);
    tl_jw_kv_uint(&w, "steps", r.steps);
    tl_jw_kv_uint(&w, "stops", r.stops_start);
    tl_jw_kv_uint(&w, "stops_end", r.stops_end);
    tl_jw_kv_uint(&w, "symbols", cfg.symbols);
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

static int replay_figure(cli_command *cmd, const loop_opts *o, bool sqlite)
{
    bench_replay_result r;
    tl_err err = {0};
    int rc = bench_replay(o->replay, o->signals, sqlite, &r, &err);
    if (rc != 0)
        return rc == TL_EINVAL ? cli_usage_error(cmd, "%s", err.msg) : cli_fail(cmd, "%s", err.msg);
    const char *db = sqlite ? "sqlite" : "mem";
    if (!o->as_json) {
        printf("loop replay (journal %s): %llu quotes, %llu signals (%llu accepted, %llu "
               "refused, %llu stop-loss exits) through tradeloop run in %.3f s = %.0f quotes/s; "
               "%llu journal events\n",
               db, (unsigned long long)r.quotes, (unsigned long long)r.signals,
               (unsigned long long)r.accepted, (unsigned long long)r.refused,
               (unsigned long long)r.stop_loss_exits, r.seconds, r.quotes_per_sec,
               (unsigned long long)r.journal_events);
        return CLI_OK;
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_uint(&w, "accepted", r.accepted);
    tl_jw_kv_str(&w, "bench", "loop");
    tl_jw_kv_str(&w, "journal", db);
    tl_jw_kv_uint(&w, "journal_events", r.journal_events);
    tl_jw_kv_str(&w, "mode", "replay");
    tl_jw_kv_uint(&w, "quotes", r.quotes);
    tl_jw_kv_uint(&w, "quotes_per_sec", (uint64_t)r.quotes_per_sec);
    tl_jw_kv_uint(&w, "refused", r.refused);
    tl_jw_key(&w, "seconds");
    tl_jw_double(&w, r.seconds);
    tl_jw_kv_uint(&w, "signals", r.signals);
    tl_jw_kv_uint(&w, "stop_loss_exits", r.stop_loss_exits);
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

int tl_cmd_bench_loop(int argc, char **argv)
{
    loop_opts o = {10000, 100, 10000000, 0, 1, 1000, NULL, "all", "data/usdchf_30m.csv", false};
    bool json = false;
    const char *format = NULL;
    cli_flag flags[] = {
        {"accounts", CLI_U64_POS, &o.accounts, NULL, "N",
         "virtual accounts, each holding one position and its stop (10000)", .max = 1000000},
        {"symbols", CLI_U64_POS, &o.symbols, NULL, "N", "symbols they spread over (100)",
         .max = 100000},
        {"quotes", CLI_U64_POS, &o.quotes, NULL, "N", "timed quotes (10000000)",
         .max = 10000000000ull},
        {"cross-every", CLI_U64, &o.cross_every, NULL, "N",
         "every N-th quote crosses one stop, whose account enters again; 0 = none (0)",
         .max = 10000000000ull},
        {"journal", CLI_STRING, &o.journal, NULL, "URL",
         "journal the quotes figure into this store (mem: for no I/O); default none"},
        {"seed", CLI_U64, &o.seed, NULL, "N", "seed of the quotes' steps (1)", .max = UINT64_MAX},
        {"replay", CLI_STRING, &o.replay, NULL, "FILE",
         "the timestamp,price file of USDCHF replayed (data/usdchf_30m.csv)"},
        {"signals", CLI_U64_POS, &o.signals, NULL, "N", "signals in the replay (1000)",
         .max = 10000000},
        {"only", CLI_STRING, &o.only, NULL, "quotes|replay",
         "one of the figures (both: the quotes figure, then the replay on SQLite and on mem:)"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "bench loop",
        "[--accounts N] [--symbols N] [--quotes N] [--cross-every N] [--journal URL]\n"
        "    [--replay FILE] [--signals N] [--only quotes|replay] [--json | --format F]",
        "The governed loop (tl_loop) on a simulated venue. quotes: every account enters once\n"
        "(a position and a stop each), then quotes through the filters, the venue and the stop\n"
        "book; prints quotes/s and latency per quote. replay: `tradeloop run` on the replay file\n"
        "with generated signals, journaled to a temporary SQLite file, then to mem:; prints\n"
        "quotes/s and seconds end to end. One JSON line per figure.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    if ((rc = cli_output_json(&cmd, json, format, &o.as_json)) != CLI_OK)
        return rc;
    bool all = strcmp(o.only, "all") == 0, quotes = strcmp(o.only, "quotes") == 0;
    if (!all && !quotes && strcmp(o.only, "replay") != 0)
        return cli_value_error(&cmd, "only", "must be quotes or replay");
    if (o.journal && (rc = cli_check_store_url(&cmd, "journal", o.journal)) != CLI_OK)
        return rc;
    if ((all || quotes) && (rc = quotes_figure(&cmd, &o)) != CLI_OK)
        return rc;
    if (!quotes && ((rc = replay_figure(&cmd, &o, true)) != CLI_OK ||
                    (rc = replay_figure(&cmd, &o, false)) != CLI_OK))
        return rc;
    return CLI_OK;
}
