/*
 * sma_cross.c -- sma_cross: long while a fast simple moving average is above a slow one.
 *
 * SMA_n(t) = mean(close[t-n+1 .. t]): known at bar t's close, where the runner fills, so no
 * look-ahead. On bar t >= slow (both averages defined at t-1 and t): exits first, a position is
 * closed whole when SMA_fast(t) < SMA_slow(t); then, when flat and the fast average crosses above
 * the slow one (SMA_fast(t-1) <= SMA_slow(t-1) and SMA_fast(t) > SMA_slow(t)), buy
 * floor(dollars_per_trade / close[t]) whole units at close[t] if >= 1 and affordable. Averages
 * are compared exactly, sum_fast * slow against sum_slow * fast in 128 bits: no division, no
 * rounding in the decision.
 *
 * The cache holds the two running sums of the windows ending at t-1: a bar adds its close and
 * drops the ones that left, O(1) whatever the windows.
 */
#include "strategy/strategy.h"

enum { P_FAST, P_SLOW, P_DOLLARS };

static const tl_strategy_param_def sma_params[] = {
    [P_FAST] = {"sma.fast", TL_PARAM_INTEGER, 10, 1, 100000},
    [P_SLOW] = {"sma.slow", TL_PARAM_INTEGER, 30, 2, 100000},
    [P_DOLLARS] = {"risk.dollars_per_trade", TL_PARAM_DECIMAL, TL_FIXED_INT(1000), 1,
                   TL_FIXED_INT(1000000000)},
};

typedef struct sma_cache {
    size_t next;                 /* the bar whose previous windows the sums are */
    __int128 sum_fast, sum_slow; /* of close[max(0, next-n) .. next-1] */
} sma_cache;

static size_t sma_cache_size(const tl_strategy_spec *spec)
{
    (void)spec;
    return sizeof(sma_cache);
}

static void sma_cache_init(const tl_strategy_spec *spec, void *p)
{
    (void)spec;
    sma_cache *c = p;
    c->next = 0;
    c->sum_fast = c->sum_slow = 0;
}

static int sma_check(const tl_strategy_spec *spec, tl_err *err)
{
    if (spec->params[P_FAST] >= spec->params[P_SLOW])
        return tl_err_set(err, TL_EINVAL, "sma.fast (%lld) must be less than sma.slow (%lld)",
                          (long long)spec->params[P_FAST], (long long)spec->params[P_SLOW]);
    return 0;
}

/* Sum of close over the n bars ending at `end` (exclusive), clipped at bar 0. */
static __int128 window_sum(const tl_bar *bars, size_t end, size_t n)
{
    __int128 s = 0;
    for (size_t i = end > n ? end - n : 0; i < end; i++)
        s += bars[i].close;
    return s;
}

/* Moves the sums of the windows ending at t-1 to those ending at t. */
static void step(__int128 *sf, __int128 *ss, const tl_bar *bars, size_t t, size_t f, size_t s)
{
    *sf += bars[t].close;
    *ss += bars[t].close;
    if (t >= f)
        *sf -= bars[t - f].close;
    if (t >= s)
        *ss -= bars[t - s].close;
}

/* sign(SMA_fast - SMA_slow) from the sums, exactly. */
static int cmp_avg(__int128 sf, __int128 ss, size_t f, size_t s)
{
    __int128 a = sf * (__int128)s, b = ss * (__int128)f;
    return (a > b) - (a < b);
}

static int sma_evaluate(const tl_strategy_spec *spec, const tl_strategy_snapshot *snap,
                        const tl_strategy_state *st, void *cache, tl_strategy_evaluation *ev,
                        tl_err *err)
{
    const tl_bar *bars = snap->bars;
    size_t t = snap->t;
    size_t f = (size_t)spec->params[P_FAST], s = (size_t)spec->params[P_SLOW];
    tl_fixed close = bars[t].close;
    sma_cache *c = cache;
    __int128 sf, ss;

    if (c != NULL && c->next == t) {
        sf = c->sum_fast;
        ss = c->sum_slow;
    } else {
        sf = window_sum(bars, t, f);
        ss = window_sum(bars, t, s);
    }
    int prev = cmp_avg(sf, ss, f, s);
    step(&sf, &ss, bars, t, f, s);
    if (c != NULL) {
        c->next = t + 1;
        c->sum_fast = sf;
        c->sum_slow = ss;
    }
    if (t < s)
        return 0; /* the slow average is not defined at t-1 yet */
    int cur = cmp_avg(sf, ss, f, s);
    tl_fixed avg_f, avg_s;
    if (tl_fixed_from_ratio128(sf, (__int128)f, &avg_f) == 0 &&
        tl_fixed_from_ratio128(ss, (__int128)s, &avg_s) == 0) {
        tl_strategy_add_signal(ev, "sma_fast", avg_f);
        tl_strategy_add_signal(ev, "sma_slow", avg_s);
    }

    tl_fixed cash = st->cash;
    bool flat = st->position_qty <= 0;
    if (!flat && cur < 0) {
        tl_fixed proceeds;
        if (tl_strategy_add_intent(ev, TL_STRATEGY_CLOSE_LONG, st->position_qty, close) != 0 ||
            tl_fixed_mul(st->position_qty, close, &proceeds) != 0 ||
            tl_fixed_add(cash, proceeds, &cash) != 0)
            return tl_err_set(err, TL_ERANGE, "sma_cross: exit proceeds out of range");
        flat = true;
    }
    if (!flat || !(prev <= 0 && cur > 0))
        return 0;
    int64_t units = spec->params[P_DOLLARS] / close; /* floor: both in 1e-8 units */
    if (units < 1 || units > TL_FIXED_MAX / TL_FIXED_SCALE || (__int128)units * close > cash)
        return 0;
    if (tl_strategy_add_intent(ev, TL_STRATEGY_OPEN_LONG, TL_FIXED_INT(units), close) != 0)
        return tl_err_set(err, TL_ESTATE, "sma_cross: too many intents");
    return 0;
}

const tl_strategy_ops tl_strategy_sma_cross_ops = {
    .version = TL_STRATEGY_OPS_VERSION,
    .name = "sma_cross",
    .params = sma_params,
    .n_params = sizeof(sma_params) / sizeof(sma_params[0]),
    .cache_size = sma_cache_size,
    .cache_init = sma_cache_init,
    .evaluate = sma_evaluate,
    .check = sma_check,
    .summary = "long while the fast simple moving average is above the slow one",
};
