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
 * The cache is a monotonic queue of bar indices of the window [t-L, t-1] with decreasing highs:
 * its front is H, and each bar enters and leaves it once, so a bar costs O(1) amortised instead
 * of O(L). Everything is fixed-point; no double.
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

/* The window [t-L, t-1]'s candidates for its maximum: indices in a ring of L+1 slots, from the
 * front (oldest, highest) to the back (newest, lowest); valid for bar `next`. */
typedef struct breakout_cache {
    size_t next; /* the bar this queue is the window of */
    size_t lookback, cap, head, len;
    size_t idx[]; /* cap = lookback + 1 slots */
} breakout_cache;

static size_t breakout_cache_size(const tl_strategy_spec *spec)
{
    return sizeof(breakout_cache) + ((size_t)spec->params[P_LOOKBACK] + 1) * sizeof(size_t);
}

static void breakout_cache_init(const tl_strategy_spec *spec, void *p)
{
    breakout_cache *c = p;
    c->next = 0;
    c->lookback = (size_t)spec->params[P_LOOKBACK];
    c->cap = c->lookback + 1;
    c->head = c->len = 0;
}

static inline size_t slot(const breakout_cache *c, size_t k)
{
    size_t s = c->head + k;
    return s >= c->cap ? s - c->cap : s;
}

/* Bar i enters at the back: lower-or-equal highs before it can never be the max again. */
static inline void push(breakout_cache *c, const tl_bar *bars, size_t i)
{
    while (c->len > 0 && bars[c->idx[slot(c, c->len - 1)]].high <= bars[i].high)
        c->len--;
    c->idx[slot(c, c->len)] = i;
    c->len++;
}

/* Makes c the window of bar t: one step from t-1 when it was, else rebuilt from the bars. */
static void advance(breakout_cache *c, const tl_bar *bars, size_t t)
{
    size_t lo = t > c->lookback ? t - c->lookback : 0;
    if (c->next != t || t == 0) {
        c->head = c->len = 0;
        for (size_t i = lo; i < t; i++)
            push(c, bars, i);
    } else {
        push(c, bars, t - 1);
    }
    while (c->len > 0 && c->idx[c->head] < lo) {
        c->head = c->head + 1 == c->cap ? 0 : c->head + 1;
        c->len--;
    }
    c->next = t + 1;
}

/* H of bar t >= L, from the cache or from the bars. */
static tl_fixed window_high(const tl_bar *bars, size_t t, size_t L, breakout_cache *c)
{
    if (c != NULL) {
        advance(c, bars, t);
        return bars[c->idx[c->head]].high;
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

const tl_strategy_ops tl_strategy_breakout_ops = {
    .version = TL_STRATEGY_OPS_VERSION,
    .name = "breakout_52w_high",
    .params = breakout_params,
    .n_params = sizeof(breakout_params) / sizeof(breakout_params[0]),
    .cache_size = breakout_cache_size,
    .cache_init = breakout_cache_init,
    .evaluate = breakout_evaluate,
    .summary = "buy when the close beats the highest high of the last L bars; sell hold_bars later",
};
