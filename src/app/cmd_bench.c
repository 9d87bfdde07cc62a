/* cmd_bench.c -- `tradeloop bench NAME`: runs one benchmark and prints its figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/bench_tmpdb.h"
#include "app/cli.h"
#include "app/opts.h"
#include "app/commands.h"
#include "bench/journal_bench.h"
#include "bench/paper_bench.h"
#include "bench/pipeline.h"
#include "bench/stops_bench.h"
#include "core/jsonw.h"

static int bench_pipeline(int argc, char **argv)
{
    uint64_t orders = 1000000;
    bool json = false, ceiling = false;
    const char *journal = NULL, *format = NULL;
    tl_err err = {0};
    cli_flag flags[] = {
        {"orders", CLI_U64_POS, &orders, NULL, "N",
         "orders to send through the pipeline (1000000)", .max = 1000000000},
        {"journal", CLI_STRING, &journal, NULL, "URL",
         "journal every event into this store (mem: for no I/O); default none"},
        {"ceiling", CLI_BOOL, &ceiling, NULL, NULL,
         "run the C ceiling sketch instead of the kernel (the figure to compare with)"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "bench pipeline",
        "[--orders N] [--journal URL | --ceiling] [--json | --format F]",
        "N orders through risk -> order store -> simulated exchange -> fill -> position on one\n"
        "core; prints throughput and per-order latency percentiles.",
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
    if (journal && (rc = cli_check_store_url(&cmd, "journal", journal)) != CLI_OK)
        return rc;
    tl_bench_pipeline_result r;
    if (ceiling && journal)
        return cli_usage_error(&cmd, "--ceiling and --journal exclude each other");
    rc = ceiling ? tl_bench_ceiling(orders, &r, &err)
                 : tl_bench_pipeline(orders, journal, &r, &err);
    if (rc != 0)
        return rc == TL_EINVAL ? cli_usage_error(&cmd, "%s", err.msg)
                               : cli_fail(&cmd, "%s", err.msg);
    if (as_json) {
        tl_jw w;
        tl_jw_init(&w);
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "bench");
        tl_jw_str(&w, "pipeline");
        tl_jw_key(&w, "mode");
        tl_jw_str(&w, ceiling ? "ceiling" : journal ? "journal" : "kernel");
        tl_jw_key(&w, "orders");
        tl_jw_uint(&w, r.orders);
        tl_jw_key(&w, "orders_per_sec");
        tl_jw_uint(&w, (uint64_t)r.orders_per_sec);
        tl_jw_key(&w, "p50_ns");
        tl_jw_uint(&w, r.p50_ns);
        tl_jw_key(&w, "p999_ns");
        tl_jw_uint(&w, r.p999_ns);
        tl_jw_key(&w, "p99_ns");
        tl_jw_uint(&w, r.p99_ns);
        tl_jw_obj_end(&w);
        return cli_print_json(&cmd, &w);
    }
    printf("pipeline (%s): %llu orders in %.3f s = %.0f orders/s\n", ceiling ? "ceiling" : journal ? "journal" : "kernel",
           (unsigned long long)r.orders, r.seconds, r.orders_per_sec);
    printf("latency per order: p50 %llu ns, p99 %llu ns, p99.9 %llu ns, max %llu ns\n",
           (unsigned long long)r.p50_ns, (unsigned long long)r.p99_ns,
           (unsigned long long)r.p999_ns, (unsigned long long)r.max_ns);
    return 0;
}

static int bench_journal(int argc, char **argv)
{
    const char *db = NULL;
    uint64_t events = 1000000, batch = 10000, acks = 1000;
    bool json = false;
    const char *format = NULL;
    tl_err err = {0};
    bench_tmpdb tmp;
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, NULL, "URL",
         "an empty store to measure (a temporary SQLite file); one that holds events is refused"},
        {"events", CLI_U64_POS, &events, NULL, "N", "events appended (1000000)",
         .max = 10000000},
        {"batch", CLI_U64_POS, &batch, NULL, "N", "events per transaction (10000)",
         .max = 1000000},
        {"acks", CLI_U64_POS, &acks, NULL, "N", "single-order commits timed (1000)",
         .max = 100000},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "bench journal",
        "[--db URL] [--events N] [--batch N] [--acks N] [--json | --format F]",
        "Durable appends with group commit, replay of the fills (rebuilding state), and the\n"
        "latency of one order's durable acknowledgement. Never touches a user's data: --db must\n"
        "name a store without events (a new file, a fresh database); the default is a temporary\n"
        "SQLite file, removed afterwards.",
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
    if (db && (rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK)
        return rc;
    bool is_tmp = !db;
    if (is_tmp) {
        if (bench_tmpdb_make(&tmp) != 0)
            return cli_fail(&cmd, "cannot create a temporary directory");
        db = tmp.path;
    }
    tl_bench_journal_config cfg = {db, events, (uint32_t)batch, (uint32_t)acks};
    tl_bench_journal_result r;
    rc = tl_bench_journal(&cfg, &r, &err);
    if (is_tmp)
        bench_tmpdb_remove(&tmp);
    if (rc == TL_EINVAL)
        return cli_usage_error(&cmd, "%s", err.msg);
    if (rc != 0)
        return cli_fail(&cmd, "%s", err.msg);
    if (as_json) {
        tl_jw w;
        tl_jw_init(&w);
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "ack_p99_us");
        tl_jw_double(&w, r.ack_p99_us);
        tl_jw_key(&w, "backend");
        tl_jw_str(&w, r.backend);
        tl_jw_key(&w, "bench");
        tl_jw_str(&w, "journal");
        tl_jw_key(&w, "events_per_sec");
        tl_jw_uint(&w, (uint64_t)r.events_per_sec);
        tl_jw_key(&w, "replay_events_per_sec");
        tl_jw_uint(&w, (uint64_t)r.replay_events_per_sec);
        tl_jw_key(&w, "replay_fills_per_sec");
        tl_jw_uint(&w, (uint64_t)r.replay_fills_per_sec);
        tl_jw_obj_end(&w);
        return cli_print_json(&cmd, &w);
    }
    printf("journal (%s): %.0f events/s durable (batches of %llu); replay %.0f events/s through "
           "the journal = %.0f fills/s applied (%llu events, %llu fills); ack p50 %.1f us, "
           "p99 %.1f us\n",
           r.backend, r.events_per_sec, (unsigned long long)batch, r.replay_events_per_sec,
           r.replay_fills_per_sec, (unsigned long long)r.events_replayed,
           (unsigned long long)r.fills_replayed, r.ack_p50_us, r.ack_p99_us);
    return 0;
}

static int bench_paper(int argc, char **argv)
{
    const char *db = NULL;
    uint64_t intents = 200000, batch = 64;
    bool json = false;
    const char *format = NULL;
    tl_err err = {0};
    bench_tmpdb tmp;
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, NULL, "URL",
         "an empty store to measure (a temporary SQLite file); one that holds events is refused"},
        {"intents", CLI_U64_POS, &intents, NULL, "N", "intents executed (200000)",
         .max = 10000000},
        {"batch", CLI_U64_POS, &batch, NULL, "N", "intents per commit (64)", .max = 100000},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "bench paper",
        "[--db URL] [--intents N] [--batch N] [--json | --format F]",
        "Durable paper intents through the broker alone (no HTTP): submitted in groups and\n"
        "committed once per group, as `tradeloop serve` does. Never touches a user's data: --db\n"
        "must name a store without events; the default is a temporary SQLite file.",
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
    if (db && (rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK)
        return rc;
    bool is_tmp = !db;
    if (is_tmp) {
        if (bench_tmpdb_make(&tmp) != 0)
            return cli_fail(&cmd, "cannot create a temporary directory");
        db = tmp.path;
    }
    tl_bench_paper_config cfg = {db, intents, (uint32_t)batch};
    tl_bench_paper_result r;
    rc = tl_bench_paper(&cfg, &r, &err);
    if (is_tmp)
        bench_tmpdb_remove(&tmp);
    if (rc == TL_EINVAL)
        return cli_usage_error(&cmd, "%s", err.msg);
    if (rc != 0)
        return cli_fail(&cmd, "%s", err.msg);
    if (as_json) {
        tl_jw w;
        tl_jw_init(&w);
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "backend");
        tl_jw_str(&w, r.backend);
        tl_jw_key(&w, "batch");
        tl_jw_uint(&w, batch);
        tl_jw_key(&w, "bench");
        tl_jw_str(&w, "paper");
        tl_jw_key(&w, "group_p50_us");
        tl_jw_double(&w, r.group_p50_us);
        tl_jw_key(&w, "group_p99_us");
        tl_jw_double(&w, r.group_p99_us);
        tl_jw_key(&w, "intents_per_sec");
        tl_jw_uint(&w, (uint64_t)r.intents_per_sec);
        tl_jw_key(&w, "us_per_intent");
        tl_jw_double(&w, r.us_per_intent);
        tl_jw_obj_end(&w);
        return cli_print_json(&cmd, &w);
    }
    printf("paper (%s): %.0f durable intents/s, %.1f us each (groups of %llu); a group p50 %.0f "
           "us, p99 %.0f us\n",
           r.backend, r.intents_per_sec, r.us_per_intent, (unsigned long long)batch,
           r.group_p50_us, r.group_p99_us);
    return 0;
}

static int bench_stops(int argc, char **argv)
{
    uint64_t stops = 10000, instruments = 100, quotes = 10000000, seed = 1;
    bool json = false;
    const char *format = NULL;
    tl_err err = {0};
    cli_flag flags[] = {
        {"stops", CLI_U64_POS, &stops, NULL, "N", "live stops (10000)", .max = 10000000},
        {"instruments", CLI_U64_POS, &instruments, NULL, "N", "instruments they spread over (100)",
         .max = 1000000},
        {"quotes", CLI_U64_POS, &quotes, NULL, "N", "quotes through the book (10000000)",
         .max = 10000000000ull},
        {"seed", CLI_U64, &seed, NULL, "N", "random walk seed (1)", .max = UINT64_MAX},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "bench stops",
        "[--stops N] [--instruments N] [--quotes N] [--seed N] [--json | --format F]",
        "Quotes through the governed loop's stop book alone: each quote finds the stops it\n"
        "crosses; a crossed stop is disarmed and set again 2% from the price. Prints quotes/s.",
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
    tl_bench_stops_config cfg = {(uint32_t)stops, (uint32_t)instruments, quotes, seed};
    tl_bench_stops_result r;
    if ((rc = tl_bench_stops(&cfg, &r, &err)) != 0)
        return rc == TL_EINVAL ? cli_usage_error(&cmd, "%s", err.msg)
                               : cli_fail(&cmd, "%s", err.msg);
    if (as_json) {
        tl_jw w;
        tl_jw_init(&w);
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "bench");
        tl_jw_str(&w, "stops");
        tl_jw_key(&w, "instruments");
        tl_jw_uint(&w, instruments);
        tl_jw_key(&w, "quotes");
        tl_jw_uint(&w, r.quotes);
        tl_jw_key(&w, "quotes_per_sec");
        tl_jw_uint(&w, (uint64_t)r.quotes_per_sec);
        tl_jw_key(&w, "stops");
        tl_jw_uint(&w, stops);
        tl_jw_key(&w, "triggered");
        tl_jw_uint(&w, r.triggered);
        tl_jw_obj_end(&w);
        return cli_print_json(&cmd, &w);
    }
    printf("stops: %llu stops over %llu instruments, %llu quotes in %.3f s = %.0f quotes/s, "
           "%llu stops triggered\n",
           (unsigned long long)stops, (unsigned long long)instruments, (unsigned long long)r.quotes,
           r.seconds, r.quotes_per_sec, (unsigned long long)r.triggered);
    return 0;
}

int tl_cmd_bench(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        fprintf(out,
                "usage: tradeloop bench NAME [flags]\n\nbenchmarks:\n"
                "  pipeline   orders through risk, store, simulated exchange, fills, positions\n"
                "  journal    durable appends, replay, acknowledgement latency\n"
                "  paper      durable paper intents through the broker, without HTTP\n"
                "  stops      quotes through the governed loop's stop book\n"
                "  loop       quotes through the governed loop; a replay through tradeloop run\n"
                "  rfq        the RFQ desk: rounds over 50 LPs, quote rows logged durably\n"
                "  backtest   bars/s of a strategy through the runner and the paper broker\n"
                "  exchange   the exchange's order book: adds, cancels, market orders\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "pipeline") == 0)
        return bench_pipeline(argc - 1, argv + 1);
    if (strcmp(argv[1], "journal") == 0)
        return bench_journal(argc - 1, argv + 1);
    if (strcmp(argv[1], "paper") == 0)
        return bench_paper(argc - 1, argv + 1);
    if (strcmp(argv[1], "stops") == 0)
        return bench_stops(argc - 1, argv + 1);
    if (strcmp(argv[1], "loop") == 0)
        return tl_cmd_bench_loop(argc - 1, argv + 1);
    if (strcmp(argv[1], "rfq") == 0)
        return tl_cmd_bench_rfq(argc - 1, argv + 1);
    if (strcmp(argv[1], "backtest") == 0)
        return tl_cmd_bench_backtest(argc - 1, argv + 1);
    if (strcmp(argv[1], "exchange") == 0)
        return tl_cmd_bench_exchange(argc - 1, argv + 1);
    fprintf(stderr, "tradeloop bench: unknown benchmark '%s' (see tradeloop bench --help)\n",
            argv[1]);
    return 2;
}
