/* cmd_bench_rfq.c -- `tradeloop bench rfq`: the RFQ desk's figures (issue 9). Rounds of
 * best-quote aggregation over the LPs (bench/rfq_bench.c), and quote rows logged durably per
 * second (bench/rfq_rows_bench.c) with durability full and normal, one commit per round and in
 * larger batches. One JSON line per figure. */
#include <stdio.h>
#include <string.h>

#include "app/bench_tmpdb.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "bench/rfq_bench.h"
#include "core/jsonw.h"

typedef struct rfq_opts {
    uint64_t lps, rounds, row_rounds, batch;
    const char *db, *only;
    bool as_json;
} rfq_opts;

/* The rounds figure (the whole desk) or the aggregation figure (its judging alone): one result
 * shape; the desk's own counts (its journal, new streams, quote rows) only for the rounds. */
static int rounds_figure(cli_command *cmd, const rfq_opts *o, bool aggregation)
{
    tl_bench_rfq_rounds_config cfg = {(uint32_t)o->lps, o->rounds};
    tl_bench_rfq_rounds_result r;
    tl_err err = {0};
    int rc =
        aggregation ? tl_bench_rfq_aggregate(&cfg, &r, &err) : tl_bench_rfq_rounds(&cfg, &r, &err);
    if (rc != 0)
        return rc == TL_EINVAL ? cli_usage_error(cmd, "%s", err.msg) : cli_fail(cmd, "%s", err.msg);
    const char *mode = aggregation ? "aggregation" : "rounds";
    if (!o->as_json) {
        printf("rfq %s%s: %u LPs, %llu rounds in %.3f s = %.0f rounds/s; %llu lp_quotes rows; "
               "%llu locked, %llu improved, %llu expired\n",
               mode, aggregation ? " (the judging alone)" : " (journal mem:)", cfg.lps,
               (unsigned long long)r.rounds, r.seconds, r.rounds_per_sec,
               (unsigned long long)r.lp_rows, (unsigned long long)r.locks,
               (unsigned long long)r.improvements, (unsigned long long)r.expiries);
        if (!aggregation)
            printf("%llu quotes rows, %llu new streams\n", (unsigned long long)r.quote_rows,
                   (unsigned long long)r.requests);
        printf("latency per round: p50 %llu ns, p99 %llu ns, p99.9 %llu ns, max %llu ns\n",
               (unsigned long long)r.p50_ns, (unsigned long long)r.p99_ns,
               (unsigned long long)r.p999_ns, (unsigned long long)r.max_ns);
        return CLI_OK;
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_str(&w, "bench", "rfq");
    tl_jw_kv_uint(&w, "expired", r.expiries);
    tl_jw_kv_uint(&w, "improved", r.improvements);
    if (!aggregation)
        tl_jw_kv_str(&w, "journal", "mem");
    tl_jw_kv_uint(&w, "locked", r.locks);
    tl_jw_kv_uint(&w, "lp_rows", r.lp_rows);
    tl_jw_kv_uint(&w, "lps", cfg.lps);
    tl_jw_kv_uint(&w, "max_ns", r.max_ns);
    tl_jw_kv_str(&w, "mode", mode);
    if (!aggregation)
        tl_jw_kv_uint(&w, "new_streams", r.requests);
    tl_jw_kv_uint(&w, "p50_ns", r.p50_ns);
    tl_jw_kv_uint(&w, "p999_ns", r.p999_ns);
    tl_jw_kv_uint(&w, "p99_ns", r.p99_ns);
    if (!aggregation)
        tl_jw_kv_uint(&w, "quote_rows", r.quote_rows);
    tl_jw_kv_uint(&w, "rounds", r.rounds);
    tl_jw_kv_uint(&w, "rounds_per_sec", (uint64_t)r.rounds_per_sec);
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

static int rows_figure(cli_command *cmd, const rfq_opts *o, const char *db, tl_durability dur,
                       uint32_t per_commit)
{
    tl_bench_rfq_rows_config cfg = {db, dur, (uint32_t)o->lps, o->row_rounds, per_commit};
    tl_bench_rfq_rows_result r;
    tl_err err = {0};
    int rc = tl_bench_rfq_rows(&cfg, &r, &err);
    if (rc != 0)
        return rc == TL_EINVAL ? cli_usage_error(cmd, "%s", err.msg) : cli_fail(cmd, "%s", err.msg);
    const char *durability = dur == TL_DURABILITY_FULL ? "full" : "normal";
    uint64_t per = (uint64_t)per_commit * (o->lps + 1);
    if (!o->as_json) {
        printf("rfq rows (%s, durability %s): %llu rows in %llu commits of %llu rows in %.3f s = "
               "%.0f rows/s (%.1f us a commit)\n",
               r.backend, durability, (unsigned long long)r.rows, (unsigned long long)r.commits,
               (unsigned long long)per, r.seconds, r.rows_per_sec, r.commit_mean_us);
        return CLI_OK;
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_str(&w, "backend", r.backend);
    tl_jw_kv_str(&w, "bench", "rfq");
    tl_jw_key(&w, "commit_mean_us");
    tl_jw_double(&w, r.commit_mean_us);
    tl_jw_kv_uint(&w, "commits", r.commits);
    tl_jw_kv_str(&w, "durability", durability);
    tl_jw_kv_str(&w, "mode", "rows");
    tl_jw_kv_uint(&w, "rows", r.rows);
    tl_jw_kv_uint(&w, "rows_per_commit", per);
    tl_jw_kv_uint(&w, "rows_per_sec", (uint64_t)r.rows_per_sec);
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

/* Durability full, then normal; each one commit per round, then o->batch rounds a commit. */
static int rows_figures(cli_command *cmd, const rfq_opts *o, const char *db)
{
    static const tl_durability durs[2] = {TL_DURABILITY_FULL, TL_DURABILITY_NORMAL};
    int rc = CLI_OK;
    for (int d = 0; d < 2 && rc == CLI_OK; d++) {
        rc = rows_figure(cmd, o, db, durs[d], 1);
        if (rc == CLI_OK && o->batch > 1)
            rc = rows_figure(cmd, o, db, durs[d], (uint32_t)o->batch);
    }
    return rc;
}

int tl_cmd_bench_rfq(int argc, char **argv)
{
    rfq_opts o = {50, 50000, 20000, 100, NULL, "all", false};
    bool json = false;
    const char *format = NULL;
    cli_flag flags[] = {
        {"lps", CLI_U64_POS, &o.lps, NULL, "N", "simulated LPs the desk polls (50)", .max = 1000},
        {"rounds", CLI_U64_POS, &o.rounds, NULL, "N", "timed desk rounds (50000)",
         .max = 100000000},
        {"row-rounds", CLI_U64_POS, &o.row_rounds, NULL, "N",
         "rounds of rows written per rows figure, each LPs + 1 rows (20000)", .max = 10000000},
        {"batch", CLI_U64_POS, &o.batch, NULL, "N",
         "rounds per commit of the larger batch; 1 = only the desk's shape (100)", .max = 100000},
        {"db", CLI_STRING, &o.db, NULL, "URL",
         "the store of the rows figures (a temporary SQLite file); its rows go into a workspace "
         "of their own"},
        {"only", CLI_STRING, &o.only, NULL, "aggregation|rounds|rows",
         "one of the figures (all: the aggregation, the rounds, then the rows)"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "bench rfq",
        "[--lps N] [--rounds N] [--row-rounds N] [--batch N] [--db URL]\n"
        "    [--only aggregation|rounds|rows]"
        "    [--json | --format F]",
        "The RFQ desk over simulated LPs. aggregation: the desk's judging of a round alone (the\n"
        "LPs' answers -> an lp_quotes row each in the journal's buffer, the best, the lock);\n"
        "the LPs answering and the commit are not timed. rounds: `b 1.5 btc btcusdt` streamed\n"
        "to the LPs, the\n"
        "clock moved by the 500 ms poll before each round; a round is the previous answers\n"
        "judged (rows, best, lock), the LPs asked again and the commit into mem:; prints\n"
        "rounds/s and the latency per round. rows: the desk's rows (an lp_quotes row per LP and\n"
        "a quotes row per round) through the journal into the store, durability full then\n"
        "normal, one commit per round and per --batch rounds; prints rows/s. One JSON line per\n"
        "figure.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    if ((rc = cli_output_json(&cmd, json, format, &o.as_json)) != CLI_OK)
        return rc;
    bool all = strcmp(o.only, "all") == 0, rounds = strcmp(o.only, "rounds") == 0,
         agg = strcmp(o.only, "aggregation") == 0;
    if (!all && !rounds && !agg && strcmp(o.only, "rows") != 0)
        return cli_value_error(&cmd, "only", "must be aggregation, rounds or rows");
    if (o.db && (rc = cli_check_store_url(&cmd, "db", o.db)) != CLI_OK)
        return rc;
    if ((all || agg) && (rc = rounds_figure(&cmd, &o, true)) != CLI_OK)
        return rc;
    if ((all || rounds) && (rc = rounds_figure(&cmd, &o, false)) != CLI_OK)
        return rc;
    if (rounds || agg)
        return CLI_OK;
    if (o.db)
        return rows_figures(&cmd, &o, o.db);
    bench_tmpdb tmp;
    if (bench_tmpdb_make(&tmp) != 0)
        return cli_fail(&cmd, "cannot create a temporary directory");
    rc = rows_figures(&cmd, &o, tmp.path);
    bench_tmpdb_remove(&tmp);
    return rc;
}
