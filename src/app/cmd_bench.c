/* cmd_bench.c -- `tradeloop bench NAME`: runs one benchmark and prints its figures. */
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "bench/pipeline.h"
#include "core/jsonw.h"

static int bench_pipeline(int argc, char **argv)
{
    uint64_t orders = 1000000;
    bool json = false;
    tl_err err = {0};
    cli_flag flags[] = {
        {"orders", CLI_U64_POS, &orders, NULL, "N", "orders to send through the pipeline (1000000)"},
        {"json", CLI_BOOL, &json, NULL, NULL, "one JSON line: orders_per_sec, p50_ns, p99_ns, p999_ns"},
        {NULL},
    };
    cli_command cmd = {
        "bench pipeline", "[--orders N] [--json]",
        "N orders through risk -> order store -> simulated exchange -> fill -> position on one\n"
        "core; prints throughput and per-order latency percentiles.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    tl_bench_pipeline_result r;
    if ((rc = tl_bench_pipeline(orders, &r, &err)) != 0)
        return rc == TL_EINVAL ? cli_usage_error(&cmd, "%s", err.msg)
                               : cli_fail(&cmd, "%s", err.msg);
    if (json) {
        tl_jw w;
        tl_jw_init(&w);
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "bench");
        tl_jw_str(&w, "pipeline");
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
        rc = tl_jw_finish(&w);
        if (rc == 0)
            fwrite(w.buf, 1, w.len, stdout);
        tl_jw_free(&w);
        return rc == 0 ? 0 : cli_fail(&cmd, "%s", tl_strerror(rc));
    }
    printf("pipeline: %llu orders in %.3f s = %.0f orders/s\n", (unsigned long long)r.orders,
           r.seconds, r.orders_per_sec);
    printf("latency per order: p50 %llu ns, p99 %llu ns, p99.9 %llu ns, max %llu ns\n",
           (unsigned long long)r.p50_ns, (unsigned long long)r.p99_ns,
           (unsigned long long)r.p999_ns, (unsigned long long)r.max_ns);
    return 0;
}

int tl_cmd_bench(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        fprintf(out, "usage: tradeloop bench NAME [flags]\n\nbenchmarks:\n"
                     "  pipeline   orders through risk, store, simulated exchange, fills, positions\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "pipeline") == 0)
        return bench_pipeline(argc - 1, argv + 1);
    fprintf(stderr, "tradeloop bench: unknown benchmark '%s' (see tradeloop bench --help)\n", argv[1]);
    return 2;
}
