/* cmd_bench_exchange.c -- `tradeloop bench exchange`: the exchange's order book alone
 * (bench/book_bench.c), a deep book (--resting, 100,000) and a shallow one (1,000) side by side
 * on the same seeded mix, so the two per-operation costs can be compared; then signed REST order
 * round trips over loopback (bench/xrest_bench.c) with the journal in a temporary SQLite file,
 * durability normal and full. One JSON line. */
#include <stdio.h>

#include "app/bench_tmpdb.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "bench/book_bench.h"
#include "bench/xrest_bench.h"
#include "core/jsonw.h"

#define SHALLOW 1000

int tl_cmd_bench_exchange(int argc, char **argv)
{
    uint64_t resting = 100000, ops = 5000000, seed = 1, rest = 20000;
    bool json = false, as_json;
    const char *format = NULL;
    cli_flag flags[] = {
        {"resting", CLI_U64_POS, &resting, NULL, "N", "orders the deep book holds (100000)",
         .max = 10000000},
        {"ops", CLI_U64_POS, &ops, NULL, "N", "operations timed on each book (5000000)",
         .max = 1000000000},
        {"seed", CLI_U64, &seed, NULL, "N", "the mix's seed (1)", .max = UINT64_MAX},
        {"rest-orders", CLI_U64, &rest, NULL, "N",
         "signed REST order round trips timed per durability; 0: none (20000)", .max = 10000000},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "bench exchange",
        "[--resting N] [--ops N] [--seed N] [--rest-orders N] [--json | --format F]",
        "The exchange's order book alone on one core: a seeded mix of 45% adds (GTC limits\n"
        "within 500 ticks of the mid, one in twenty crossing), 45% cancels of a random resting\n"
        "order and 10% market orders, the book held near N resting orders; ops/s and ns/op for\n"
        "N and for a shallow book of 1000, side by side. Then signed POST /api/v3/order round\n"
        "trips against `tradeloop exchange` in this process over loopback, one keep-alive\n"
        "connection, each answered after its commit to a temporary SQLite journal: round\n"
        "trips/s, p50 and p99, at durability normal and full.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    if ((rc = cli_output_json(&cmd, json, format, &as_json)) != CLI_OK)
        return rc;
    tl_bench_book_result deep, shallow;
    tl_err err = {0};
    if ((rc = tl_bench_book(resting, ops, seed, &deep, &err)) != 0 ||
        (rc = tl_bench_book(SHALLOW, ops, seed, &shallow, &err)) != 0)
        return rc == TL_EINVAL ? cli_usage_error(&cmd, "%s", err.msg)
                               : cli_fail(&cmd, "%s", err.msg);
    if (!as_json) {
        const tl_bench_book_result *r[2] = {&deep, &shallow};
        uint64_t n[2] = {resting, SHALLOW};
        for (int i = 0; i < 2; i++)
            printf("book (%llu resting): %llu ops in %.3f s = %.0f ops/s, %.1f ns an op; "
                   "%llu adds, %llu cancels, %llu markets, %llu fills, %llu resting at the end\n",
                   (unsigned long long)n[i], (unsigned long long)r[i]->ops, r[i]->seconds,
                   r[i]->ops_per_sec, r[i]->ns_per_op, (unsigned long long)r[i]->adds,
                   (unsigned long long)r[i]->cancels, (unsigned long long)r[i]->markets,
                   (unsigned long long)r[i]->fills, (unsigned long long)r[i]->resting_end);
    }
    tl_bench_xrest_result xr[2] = {{0}, {0}};
    for (int d = 0; d < 2 && rest > 0; d++) {
        bench_tmpdb tmp;
        if (bench_tmpdb_make(&tmp) != 0)
            return cli_fail(&cmd, "cannot make a temporary directory");
        rc = tl_bench_xrest(tmp.path, d == 0 ? TL_DURABILITY_NORMAL : TL_DURABILITY_FULL, rest,
                            &xr[d], &err);
        bench_tmpdb_remove(&tmp);
        if (rc != 0)
            return cli_fail(&cmd, "%s", err.msg);
    }
    if (!as_json) {
        for (int d = 0; d < 2 && rest > 0; d++)
            printf("REST (durability %s): %llu signed order round trips in %.3f s = %.0f/s, "
                   "p50 %.1f us, p99 %.1f us, %llu trades\n",
                   d == 0 ? "normal" : "full", (unsigned long long)xr[d].round_trips,
                   xr[d].seconds, xr[d].per_sec, xr[d].p50_us, xr[d].p99_us,
                   (unsigned long long)xr[d].trades);
        return CLI_OK;
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_str(&w, "bench", "exchange");
    tl_jw_kv_uint(&w, "book_fills", deep.fills);
    tl_jw_key(&w, "book_ns_per_op");
    tl_jw_double(&w, deep.ns_per_op);
    tl_jw_kv_uint(&w, "book_ops", deep.ops);
    tl_jw_kv_uint(&w, "book_ops_per_s", (uint64_t)deep.ops_per_sec);
    tl_jw_kv_uint(&w, "book_resting", resting);
    tl_jw_kv_uint(&w, "book_resting_end", deep.resting_end);
    tl_jw_key(&w, "book_shallow_ns_per_op");
    tl_jw_double(&w, shallow.ns_per_op);
    tl_jw_kv_uint(&w, "book_shallow_ops_per_s", (uint64_t)shallow.ops_per_sec);
    tl_jw_kv_uint(&w, "book_shallow_resting", SHALLOW);
    if (rest > 0) {
        tl_jw_key(&w, "rest_full_p50_us");
        tl_jw_double(&w, xr[1].p50_us);
        tl_jw_key(&w, "rest_full_p99_us");
        tl_jw_double(&w, xr[1].p99_us);
        tl_jw_kv_uint(&w, "rest_full_round_trips_per_s", (uint64_t)xr[1].per_sec);
        tl_jw_key(&w, "rest_p50_us");
        tl_jw_double(&w, xr[0].p50_us);
        tl_jw_key(&w, "rest_p99_us");
        tl_jw_double(&w, xr[0].p99_us);
        tl_jw_kv_uint(&w, "rest_round_trips", rest);
        tl_jw_kv_uint(&w, "rest_round_trips_per_s", (uint64_t)xr[0].per_sec);
    }
    tl_jw_kv_uint(&w, "seed", seed);
    tl_jw_obj_end(&w);
    return cli_print_json(&cmd, &w);
}
