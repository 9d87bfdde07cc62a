/*
 * breakout.c -- breakout_52w_high (seed 003, issue 11).
 *
 * On bar t >= L: H = max(high[t-L .. t-1]), the current bar excluded (its own high would be a
 * look-ahead: at the close we could not have bought below it). Exits first: a position opened on
 * bar e closes whole at close[e + hold_bars]. Then, when flat in the symbol (flat again after
 * that exit counts) and close[t] > H, buy floor(dollars_per_trade / close[t]) whole units at
 * close[t] if that is >= 1 and cash covers it. risk.max_positions blocks the entry when that
 * many positions are open (after this bar's exit); it never blocks an exit.
 *
 * The cache finds H in O(1) per bar without a branch that depends on prices (van Herk /
 * Gil-Werman): the bars are cut into blocks of L aligned at bar 0, so the window [t-L, t-1] is
 * either one whole block or the tail of one block and the head of the next. H is then the max of
 * two numbers: the suffix max of the older block from the window's start (computed once per block,
 * in one backward pass, when the block is complete) and the running prefix max of the newer one.
 * A monotonic queue did the same in amortised O(1), but its pops depend on the prices, and the
 * mispredicted branches cost more than the rest of a fill-free bar. Everything is fixed-point;
 * no double.
 */
#include "strategy/strategy.h"

#include <string.h>

enum { P_LOOKBACK, P_HOLD, P_DOLLARS, P_MAX_POSITIONS };

static const tl_strategy_param_def breakout_params[] = {
    [P_LOOKBACK] = {"entry.lookback_days", TL_PARAM_INTEGER, 252, 1, 100000},
    [P_HOLD] = {"exit.hold_bars", TL_PARAM_INTEGER, 1, 1, 100000},
    [P_DOLLARS] = {"risk.dollars_per_trade", TL_PARAM_DECIMAL, TL_FIXED_INT(1000), 1,
                   TL_FIXED_INT(1000000000)},
    [P_MAX_POSITIONS] = {"risk.max_positions", TL_PARAM_INTEGER, 1, 1, 1000},
};

/* The window's two halves once bars [0, seen) have been seen: the newest block is [blk, seen)
 * (blk a multiple of L), its prefix max is pmax; suf[k] is the max of high over [blk-L+k, blk)
 * (the block before, k in 0..L-1), valid when blk >= L. */
typedef struct breakout_cache {
    size_t seen; /* bars [0, seen) are in: the cache is the window of bar `seen` */
    size_t lookback;
    size_t blk;     /* first bar of the newest block */
    tl_fixed pmax;  /* max of high over [blk, seen) */
    tl_fixed suf[]; /* lookback slots */
} breakout_cache;

static size_t breakout_cache_size(const tl_strategy_spec *spec)
{
    return sizeof(breakout_cache) + (size_t)spec->params[P_LOOKBACK] * sizeof(tl_fixed);
}

static void breakout_cache_init(const tl_strategy_spec *spec, void *p)
{
    breakout_cache *c = p;
    c->seen = 0;
    c->lookback = (size_t)spec->params[P_LOOKBACK];
    c->blk = 0;
    c->pmax = 0;
}

static inline tl_fixed fmax_fixed(tl_fixed a, tl_fixed b)
{
    return a > b ? a : b; /* a conditional move, not a branch */
}

/* Bar i (a multiple of L) starts a block: the block before it, complete now, gets its suffix
 * maxima in one backward pass. */
static void start_block(breakout_cache *c, const tl_bar *bars, size_t i)
{
    size_t L = c->lookback;
    if (i >= L) {
        tl_fixed m = bars[i - 1].high;
        c->suf[L - 1] = m;
        for (size_t k = L - 1; k-- > 0;)
            c->suf[k] = m = fmax_fixed(m, bars[i - L + k].high);
    }
    c->blk = i;
    c->pmax = bars[i].high;
    c->seen = i + 1;
}

/* Bar i == c->seen joins the window. */
static inline void push(breakout_cache *c, const tl_bar *bars, size_t i)
{
    if (i == 0 || i - c->blk == c->lookback) {
        start_block(c, bars, i);
        return;
    }
    c->pmax = fmax_fixed(c->pmax, bars[i].high);
    c->seen = i + 1;
}

/* Makes c the window of bar t: one step from t-1 when it was, else rebuilt from the bars (the
 * block bar t-1 lies in, and the one before it). */
static void advance(breakout_cache *c, const tl_bar *bars, size_t t)
{
    if (c->seen == t)
        return;
    if (c->seen + 1 == t) {
        push(c, bars, t - 1);
        return;
    }
    c->seen = 0;
    if (t == 0)
        return;
    size_t b = (t - 1) / c->lookback * c->lookback;
    start_block(c, bars, b);
    for (size_t i = b + 1; i < t; i++)
        push(c, bars, i);
}

/* H of the window [t-L, t-1] of a cache that is its window (t >= L): the newest block whole,
 * or its head and the older block's tail from t-L. */
static inline tl_fixed cache_high(const breakout_cache *c, size_t t)
{
    size_t k = t - c->blk;
    return k == c->lookback ? c->pmax : fmax_fixed(c->pmax, c->suf[k]);
}

/* H of bar t >= L, from the cache or from the bars. */
static tl_fixed window_high(const tl_bar *bars, size_t t, size_t L, breakout_cache *c)
{
    if (c != NULL) {
        advance(c, bars, t);
        return cache_high(c, t);
    }
    tl_fixed h = bars[t - L].high;
    for (size_t i = t - L + 1; i < t; i++)
        if (bars[i].high > h)
            h = bars[i].high;
    return h;
}

static int breakout_evaluate(const tl_strategy_spec *spec, const tl_strategy_snapshot *snap,
                             const tl_strategy_state *st, void *cache, tl_strategy_evaluation *ev,
                             tl_err *err)
{
    const tl_bar *bars = snap->bars;
    size_t t = snap->t;
    size_t L = (size_t)spec->params[P_LOOKBACK];
    size_t hold = (size_t)spec->params[P_HOLD];
    tl_fixed close = bars[t].close;
    tl_fixed cash = st->cash;
    uint32_t open = st->open_positions;
    bool flat = st->position_qty <= 0;
    breakout_cache *c = cache;

    /* Exits first, and whatever max_positions says. */
    if (!flat && t >= st->entry_bar + hold) {
        tl_fixed proceeds;
        if (tl_strategy_add_intent(ev, TL_STRATEGY_CLOSE_LONG, st->position_qty, close) != 0 ||
            tl_fixed_mul(st->position_qty, close, &proceeds) != 0 ||
            tl_fixed_add(cash, proceeds, &cash) != 0)
            return tl_err_set(err, TL_ERANGE, "breakout_52w_high: exit proceeds out of range");
        flat = true;
        open = open > 0 ? open - 1 : 0;
    }
    if (t < L) {
        /* No window yet; the cache still follows the bars so that bar L finds it in step. */
        if (c != NULL)
            advance(c, bars, t);
        return 0;
    }
    tl_fixed high = window_high(bars, t, L, c);
    tl_strategy_add_signal(ev, "high_lookback", high);
    if (!flat || close <= high || open >= (uint64_t)spec->params[P_MAX_POSITIONS])
        return 0;
    /* floor(dollars / close) whole units: both are in 1e-8 units, so the raw quotient is the
     * count of units; their cost is exact in 128 bits. */
    int64_t units = spec->params[P_DOLLARS] / close;
    if (units < 1)
        return 0;
    __int128 cost = (__int128)units * close; /* 1e-8 units */
    if (cost > cash || units > TL_FIXED_MAX / TL_FIXED_SCALE)
        return 0; /* not affordable: no intent (the broker would deny it) */
    if (tl_strategy_add_intent(ev, TL_STRATEGY_OPEN_LONG, TL_FIXED_INT(units), close) != 0)
        return tl_err_set(err, TL_ESTATE, "breakout_52w_high: too many intents");
    return 0;
}

/* The first bar from t on that may have an intent with the state as it is. Holding: the exit
 * bar (no entry while holding). Flat: the first bar >= L whose close beats H (it may still be
 * unaffordable: evaluate() decides), the cache pushed along in locals; none when max_positions
 * are open already. */
static size_t breakout_scan(const tl_strategy_spec *spec, const tl_bar *bars, size_t n, size_t t,
                            const tl_strategy_state *st, void *cache)
{
    breakout_cache *c = cache;
    size_t L = (size_t)spec->params[P_LOOKBACK];
    if (st->position_qty > 0) {
        size_t e = st->entry_bar + (size_t)spec->params[P_HOLD];
        return e < t ? t : e < n ? e : n;
    }
    if (st->open_positions >= (uint64_t)spec->params[P_MAX_POSITIONS])
        return n;
    if (c == NULL)
        return t;
    advance(c, bars, t);
    size_t u = t, blk = c->blk;
    tl_fixed pmax = c->pmax;
    for (; u < n; u++) {
        if (u >= L) {
            size_t k = u - blk;
            tl_fixed h = k == L ? pmax : fmax_fixed(pmax, c->suf[k]);
            if (bars[u].close > h)
                break;
        }
        if (u == 0 || u - blk == L) {
            start_block(c, bars, u);
            blk = c->blk;
            pmax = c->pmax;
        } else {
            pmax = fmax_fixed(pmax, bars[u].high);
        }
    }
    c->blk = blk;
    c->pmax = pmax;
    c->seen = u;
    return u;
}

const tl_strategy_ops tl_strategy_breakout_ops = {
    .version = TL_STRATEGY_OPS_VERSION,
    .name = "breakout_52w_high",
    .params = breakout_params,
    .n_params = sizeof(breakout_params) / sizeof(breakout_params[0]),
    .cache_size = breakout_cache_size,
    .cache_init = breakout_cache_init,
    .evaluate = breakout_evaluate,
    .scan = breakout_scan,
    .summary = "buy when the close beats the highest high of the last L bars; sell hold_bars later",
};
