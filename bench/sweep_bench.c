/* sweep_bench.c -- see sweep_bench.h. */
#include "bench/sweep_bench.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "data/ohlcv.h"
#include "sweep/pool.h"

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int tl_bench_sweep(const char *data, unsigned jobs, const char *db, double min_seconds,
                   tl_bench_sweep_result *out, tl_err *err)
{
    char sym[16], text[512];
    tl_ohlcv_symbol_of_path(data, sym, sizeof(sym));
    /* 50 lookbacks x 4 holds = the 200 variants of the grid; the cut keeps the baseline and the
     * first 199 of them. */
    snprintf(text, sizeof(text),
             "{\"base\":{\"strategy\":\"breakout_52w_high\",\"symbol\":\"%s\"},"
             "\"sweep\":{\"entry.lookback_days\":[%s],\"exit.hold_bars\":[1,2,3,5]},"
             "\"max_variants\":200}",
             sym,
             "5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,"
             "34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54");
    tl_sweep_spec spec;
    tl_sweep_plan plan;
    tl_bars bars = {0};
    tl_sweep_result *res = NULL;
    tl_sweep_spec_init(&spec);
    tl_sweep_plan_init(&plan);
    int rc = tl_sweep_spec_parse(&spec, text, strlen(text), err);
    if (rc == 0)
        rc = tl_sweep_plan_build(&plan, &spec, err);
    if (rc == 0)
        rc = tl_ohlcv_load(data, &bars, err);
    if (rc == 0 && !(res = calloc(plan.count, sizeof(*res))))
        rc = tl_err_set(err, TL_ENOMEM, "bench sweep: out of memory");
    tl_clock wall;
    tl_clock_init_real(&wall);
    tl_sweep_run_config cfg = {&plan, &spec, &bars, TL_FIXED_INT(10000), db,
                               {TL_DURABILITY_NORMAL}, jobs, data, &wall, NULL, NULL};
    memset(out, 0, sizeof(*out));
    /* The workers are forked once and kept from one sweep to the next (pool.h), as a process
     * running sweeps one after another would: a sweep then costs its variants, not a fork, a
     * fresh heap and an exit. */
    tl_sweep_pool pool;
    bool pooled = false;
    if (rc == 0 && jobs >= 2) {
        rc = tl_sweep_pool_open(&pool, jobs, err);
        pooled = rc == 0;
    }
    double t0 = mono_s(), t = t0;
    while (rc == 0 && (out->sweeps == 0 || t - t0 < min_seconds)) {
        rc = tl_sweep_pool_run(pooled ? &pool : NULL, &cfg, res, err);
        for (uint32_t i = 0; rc == 0 && i < plan.count; i++)
            if (res[i].rc != 0)
                rc = tl_err_set(err, res[i].rc, "bench sweep: variant %s: %s",
                                plan.variants[i].id, res[i].error);
        out->sweeps++;
        t = mono_s();
    }
    if (rc == 0) {
        out->variants = plan.count;
        out->seconds = t - t0;
        out->variants_per_sec = (double)plan.count * (double)out->sweeps / out->seconds;
    }
    if (pooled)
        tl_sweep_pool_close(&pool);
    free(res);
    tl_bars_free(&bars);
    tl_sweep_plan_close(&plan);
    tl_sweep_spec_close(&spec);
    return rc;
}
