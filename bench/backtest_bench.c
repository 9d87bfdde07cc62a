/* backtest_bench.c -- see backtest_bench.h. */
#include "bench/backtest_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/backtest.h"
#include "bench/latency.h"
#include "core/prng.h"
#include "store/store.h"
#include "tradeloop/clock.h"

#define START_NS  (1735776000LL * TL_NS_PER_SEC) /* 2025-01-02T00:00:00Z */
#define BAR_NS    (60 * TL_NS_PER_SEC)
#define BASE      TL_FIXED_INT(100)
#define STEP      (BASE / 1000) /* noise of a close: uniform in +-0.1% of the base */
#define WICK      (BASE / 200)  /* a high above / a low below the body: uniform in 0..0.5% */
#define REVERT    32            /* the close moves 1/32 of its distance to the level each bar */
#define DECAY     4096          /* the level moves 1/4096 of its distance to the base each bar */
#define JUMP      (BASE / 10)   /* a regime shift lifts the level by 10% of the base... */
#define JUMP_ODDS 50000         /* ...on one bar in 50,000 on average */
#define EQUITY    TL_FIXED_INT(100000)

/* Uniform in [-m, m]. */
static tl_fixed noise(tl_prng *rng, tl_fixed m)
{
    return (tl_fixed)tl_prng_below(rng, (uint64_t)(2 * m + 1)) - m;
}

int tl_bench_bt_series(uint64_t n, uint64_t seed, tl_bars *out, tl_err *err)
{
    tl_bars_free(out);
    if (n == 0)
        return tl_err_set(err, TL_EINVAL, "bench backtest: at least one bar");
    if (n > SIZE_MAX / sizeof(tl_bar) || !(out->v = malloc((size_t)n * sizeof(tl_bar))))
        return tl_err_set(err, TL_ENOMEM, "bench backtest: out of memory for %llu bars",
                          (unsigned long long)n);
    tl_prng rng;
    tl_prng_seed(&rng, seed);
    tl_fixed close = BASE, level = BASE;
    for (uint64_t i = 0; i < n; i++) {
        tl_bar *b = &out->v[i];
        level += (BASE - level) / DECAY;
        if (tl_prng_below(&rng, JUMP_ODDS) == 0)
            level += JUMP;
        b->open = close;
        close += noise(&rng, STEP) + (level - close) / REVERT;
        if (close < BASE / 10) /* never reached with these constants; a floor all the same */
            close = BASE / 10;
        b->close = close;
        b->high = (b->open > close ? b->open : close) + (tl_fixed)tl_prng_below(&rng, WICK + 1);
        b->low = (b->open < close ? b->open : close) - (tl_fixed)tl_prng_below(&rng, WICK + 1);
        b->volume = TL_FIXED_INT(1000);
        b->ts_ns = START_NS + (int64_t)i * BAR_NS;
    }
    out->n = out->cap = (size_t)n;
    return 0;
}

void tl_bench_bt_read(const tl_bars *bars, tl_bench_bt_result *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->backend, sizeof(out->backend), "read");
    uint64_t t0 = tl_bench_mono_ns(), sum = 0;
    for (size_t i = 0; i < bars->n; i++)
        sum += (uint64_t)bars->v[i].close; /* unsigned: it may wrap */
    out->close_sum = sum;                  /* what the loop made is kept, so the loop must run */
    out->seconds = (double)(tl_bench_mono_ns() - t0) / 1e9;
    out->bars = bars->n;
    out->bars_per_sec = out->seconds > 0 ? (double)bars->n / out->seconds : 0;
    out->ns_per_bar = out->seconds * 1e9 / (double)bars->n;
}

int tl_bench_bt_run(const tl_bars *bars, const char *db_url, tl_durability dur,
                    tl_bench_bt_result *out, tl_err *err)
{
    tl_strategy_spec spec;
    char ws[TL_WORKSPACE_MAX];
    int rc;
    if (bars->n == 0)
        return tl_err_set(err, TL_EINVAL, "bench backtest: at least one bar");
    /* A workspace of its own: a --db store's other workspaces are never touched, and a store
     * benchmarked twice gets a fresh run each time rather than a repeat of the first. */
    snprintf(ws, sizeof(ws), "bench-bt-%ld-%llu", (long)getpid(),
             (unsigned long long)tl_bench_mono_ns());
    if ((rc = tl_strategy_spec_init(&spec, "breakout_52w_high", TL_BENCH_BT_SYMBOL, ws, err)) != 0)
        return rc;
    tl_store s;
    tl_store_options so = {dur};
    if ((rc = tl_store_open(&s, db_url, &so, NULL, err)) != 0)
        return rc;
    tl_backtest bt;
    uint64_t t0 = tl_bench_mono_ns();
    rc = tl_backtest_run(&spec, bars, EQUITY, &s, &bt, err);
    double secs = (double)(tl_bench_mono_ns() - t0) / 1e9;
    if (rc == 0) {
        memset(out, 0, sizeof(*out));
        snprintf(out->backend, sizeof(out->backend), "%s", s.ops->scheme);
        out->bars = bt.stats.bars;
        out->intents = bt.stats.intents;
        out->filled = bt.stats.filled;
        out->trades = bt.n_trades;
        out->seconds = secs;
        out->bars_per_sec = secs > 0 ? (double)bars->n / secs : 0;
        out->ns_per_bar = secs * 1e9 / (double)bars->n;
        memcpy(out->state_digest, bt.state_digest, sizeof(out->state_digest));
        tl_backtest_free(&bt);
    }
    tl_store_close(&s);
    return rc;
}
