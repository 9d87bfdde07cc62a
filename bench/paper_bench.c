/* paper_bench.c -- see paper_bench.h. */
#include "bench/paper_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paper/broker.h"
#include "store/store.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Submits and commits one group of n intents, numbered from first. */
static int run_group(tl_paper_broker *b, uint64_t first, uint32_t n, tl_paper_result *res,
                     int *rcs, tl_err *err)
{
    char id[32];
    for (uint32_t i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "i%llu", (unsigned long long)(first + i));
        tl_paper_intent in = {"bench", id, "OPEN_LONG", "AAPL", TL_FIXED_INT(1) / 1000,
                              TL_FIXED_INT(100), NULL, (int64_t)(first + i) * 1000};
        int rc = tl_paper_broker_submit(b, &in, &res[i], err);
        if (rc != 0)
            return rc;
    }
    int rc = tl_paper_broker_commit(b, res, rcs, n, err);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        if (rcs[i] != 0 || res[i].status != TL_PAPER_FILLED)
            rc = tl_err_set(err, TL_EIO, "bench paper: intent %llu not filled (%d)",
                            (unsigned long long)(first + i), rcs[i]);
    return rc;
}

int tl_bench_paper(const tl_bench_paper_config *cfg, tl_bench_paper_result *out, tl_err *err)
{
    tl_store s;
    tl_store_options so = {TL_DURABILITY_FULL};
    tl_paper_broker b;
    int rc;

    if (cfg->intents == 0 || cfg->batch == 0)
        return tl_err_set(err, TL_EINVAL, "bench paper: intents and batch must be positive");
    memset(out, 0, sizeof(*out));
    if ((rc = tl_store_open(&s, cfg->db_url, &so, NULL, err)) != 0)
        return rc;
    if (s.high_water > 0) {
        tl_store_close(&s);
        return tl_err_set(err, TL_EINVAL,
                          "--db: the store holds a journal; the benchmark writes only into an "
                          "empty store");
    }
    snprintf(out->backend, sizeof(out->backend), "%s", s.ops->scheme);
    tl_paper_result *res = calloc(cfg->batch, sizeof(*res));
    int *rcs = calloc(cfg->batch, sizeof(*rcs));
    uint64_t groups = (cfg->intents + cfg->batch - 1) / cfg->batch;
    uint64_t *lat = calloc(groups, sizeof(*lat)); /* each group's submit and commit, ns */
    if (!res || !rcs || !lat) {
        free(res);
        free(rcs);
        free(lat);
        tl_store_close(&s);
        return tl_err_set(err, TL_ENOMEM, "bench paper: out of memory");
    }
    /* Equity for every intent: 1e6 intents of 0.001 at 100 cost 100,000. */
    tl_paper_broker_init(&b, &s, TL_FIXED_INT(1000000000));
    uint64_t t0 = mono_ns(), done = 0, g = 0;
    for (; rc == 0 && done < cfg->intents; done += cfg->batch) {
        uint32_t n = (uint32_t)(cfg->intents - done < cfg->batch ? cfg->intents - done
                                                                  : cfg->batch);
        uint64_t g0 = mono_ns();
        rc = run_group(&b, done + 1, n, res, rcs, err);
        lat[g++] = mono_ns() - g0;
    }
    double secs = (double)(mono_ns() - t0) / 1e9;
    if (rc == 0) {
        out->intents_per_sec = (double)cfg->intents / secs;
        out->us_per_intent = secs * 1e6 / (double)cfg->intents;
        qsort(lat, g, sizeof(*lat), cmp_u64);
        out->group_p50_us = (double)lat[g / 2] / 1e3;
        out->group_p99_us = (double)lat[g * 99 / 100] / 1e3;
    }
    tl_paper_broker_close(&b);
    free(lat);
    free(res);
    free(rcs);
    tl_store_close(&s);
    return rc;
}
