/* test_strategy_scan.c -- the fast paths of breakout_52w_high: its block window cache against the
 * bars, entered at every offset of a block, and its scan, which must reach exactly the bars and
 * intents that evaluating every bar does (strategy.h: scan). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "strategy/strategy.h"

#define FX(n) TL_FIXED_INT(n)
#define N     1500
#define T0    1700000000000000000LL

static tl_bar bars[N];
static unsigned char cache[1 << 16];

/* A walk (xorshift) that makes new highs now and then, with highs above the closes. */
static void walk(uint64_t x)
{
    tl_fixed px = FX(100);
    for (size_t i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        px += (tl_fixed)(x % 300000001) - 150000000;
        if (px < FX(5))
            px = FX(5);
        memset(&bars[i], 0, sizeof(bars[i]));
        bars[i].ts_ns = T0 + (int64_t)i * 60000000000LL;
        bars[i].close = bars[i].open = bars[i].low = px;
        bars[i].high = px + (tl_fixed)((x >> 20) % 100000000);
    }
}

static tl_strategy_spec spec_of(long lookback, long hold, const char *dollars, long max_pos)
{
    tl_strategy_spec s;
    char kv[64];
    assert_int_equal(tl_strategy_spec_init(&s, "breakout_52w_high", "SYN", "ws", NULL), 0);
    snprintf(kv, sizeof(kv), "entry.lookback_days=%ld", lookback);
    assert_int_equal(tl_strategy_spec_set_kv(&s, kv, NULL), 0);
    snprintf(kv, sizeof(kv), "exit.hold_bars=%ld", hold);
    assert_int_equal(tl_strategy_spec_set_kv(&s, kv, NULL), 0);
    snprintf(kv, sizeof(kv), "risk.dollars_per_trade=%s", dollars);
    assert_int_equal(tl_strategy_spec_set_kv(&s, kv, NULL), 0);
    snprintf(kv, sizeof(kv), "risk.max_positions=%ld", max_pos);
    assert_int_equal(tl_strategy_spec_set_kv(&s, kv, NULL), 0);
    assert_true(tl_strategy_cache_size(&s) <= sizeof(cache));
    return s;
}

/* H (the high_lookback signal) from a cache entered at bar `from` equals H from the bars. */
static void test_window_cache_every_offset(void **state)
{
    (void)state;
    static const long lookbacks[] = {1, 2, 3, 7, 20, 252};
    walk(88172645463325252ULL);
    for (size_t l = 0; l < sizeof(lookbacks) / sizeof(lookbacks[0]); l++) {
        long L = lookbacks[l];
        tl_strategy_spec s = spec_of(L, 1, "1000", 1);
        tl_strategy_state st = {FX(1000000), 0, 0, 0};
        for (size_t from = 0; from <= (size_t)(3 * L + 2); from++) {
            tl_strategy_cache_init(&s, cache);
            for (size_t t = from; t < from + 2 * (size_t)L + 3 && t < N; t++) {
                tl_strategy_evaluation a, b;
                assert_int_equal(tl_strategy_evaluate(&s, bars, N, t, &st, cache, &a, NULL), 0);
                assert_int_equal(tl_strategy_evaluate(&s, bars, N, t, &st, NULL, &b, NULL), 0);
                assert_int_equal(a.n_signals, b.n_signals);
                if (a.n_signals > 0)
                    assert_int_equal(a.signals[0].value, b.signals[0].value);
                assert_int_equal(a.n_intents, b.n_intents);
            }
        }
    }
}

typedef struct act {
    size_t bar;
    tl_strategy_action action;
    tl_fixed qty;
} act;

/* The state after an evaluation's intents (a paper fill at the close, as the runner's). */
static void fill(tl_strategy_state *st, const tl_strategy_evaluation *ev, size_t t, act *acts,
                 size_t *n_acts)
{
    for (size_t i = 0; i < ev->n_intents; i++) {
        const tl_strategy_intent *in = &ev->intents[i];
        tl_fixed cost = in->qty / TL_FIXED_SCALE * in->price;
        if (in->action == TL_STRATEGY_CLOSE_LONG) {
            st->cash += cost, st->position_qty = 0, st->open_positions--;
        } else {
            st->cash -= cost, st->position_qty = in->qty, st->entry_bar = t;
            st->open_positions++;
        }
        assert_true(*n_acts < N);
        acts[(*n_acts)++] = (act){t, in->action, in->qty};
    }
}

/* Every bar evaluated, no cache: the reference. Returns the number of actions. */
static size_t every_bar(const tl_strategy_spec *s, tl_strategy_state st, act *acts)
{
    size_t n = 0;
    for (size_t t = 0; t < N; t++) {
        tl_strategy_evaluation ev;
        assert_int_equal(tl_strategy_evaluate(s, bars, N, t, &st, NULL, &ev, NULL), 0);
        fill(&st, &ev, t, acts, &n);
    }
    return n;
}

/* As tl_runner_run: scan, evaluate the bar it stops at, go on after it. */
static size_t scanned(const tl_strategy_spec *s, tl_strategy_state st, act *acts, size_t *evals)
{
    size_t n = 0;
    *evals = 0;
    tl_strategy_cache_init(s, cache);
    for (size_t t = 0; t < N;) {
        size_t u = tl_strategy_scan(s, bars, N, t, &st, cache);
        assert_true(u >= t && u <= N);
        if (u == N)
            break;
        tl_strategy_evaluation ev;
        assert_int_equal(tl_strategy_evaluate(s, bars, N, u, &st, cache, &ev, NULL), 0);
        (*evals)++;
        fill(&st, &ev, u, acts, &n);
        t = u + 1;
    }
    return n;
}

static void same_run(const tl_strategy_spec *s, tl_strategy_state st, bool expect_trades)
{
    static act a[N], b[N];
    size_t evals;
    size_t na = every_bar(s, st, a), nb = scanned(s, st, b, &evals);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(a[i].bar, b[i].bar);
        assert_int_equal(a[i].action, b[i].action);
        assert_int_equal(a[i].qty, b[i].qty);
    }
    if (expect_trades)
        assert_true(na >= 6);
    assert_true(evals < N); /* the scan did pass over bars */
}

static void test_scan_reaches_the_same_intents(void **state)
{
    (void)state;
    static const long lookbacks[] = {1, 3, 20, 60};
    static const long holds[] = {1, 4};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        walk(88172645463325252ULL * seed);
        for (size_t l = 0; l < 4; l++)
            for (size_t h = 0; h < 2; h++) {
                tl_strategy_spec s = spec_of(lookbacks[l], holds[h], "1000", 1);
                same_run(&s, (tl_strategy_state){FX(100000), 0, 0, 0}, true);
                /* Cash for a few entries only: the later breakouts are not affordable. */
                same_run(&s, (tl_strategy_state){FX(1200), 0, 0, 0}, false);
            }
    }
    /* A unit costs more than dollars_per_trade: breakouts, but never an entry. */
    tl_strategy_spec s = spec_of(20, 1, "1", 1);
    same_run(&s, (tl_strategy_state){FX(100000), 0, 0, 0}, false);
    /* max_positions taken by another symbol's position: the scan goes to the end. */
    s = spec_of(20, 1, "1000", 1);
    tl_strategy_state full = {FX(100000), 0, 0, 1};
    assert_int_equal(tl_strategy_scan(&s, bars, N, 0, &full, cache), N);
    same_run(&s, full, false);
    /* Holding: the scan stops at the exit bar. */
    s = spec_of(20, 5, "1000", 1);
    tl_strategy_state held = {FX(100000), FX(3), 100, 1};
    assert_int_equal(tl_strategy_scan(&s, bars, N, 101, &held, cache), 105);
    assert_int_equal(tl_strategy_scan(&s, bars, N, 107, &held, cache), 107);
}

/* A strategy without a scan is evaluated on every bar. */
static void test_no_scan_every_bar(void **state)
{
    (void)state;
    tl_strategy_spec s;
    assert_int_equal(tl_strategy_spec_init(&s, "sma_cross", "SYN", "ws", NULL), 0);
    tl_strategy_state st = {FX(100000), 0, 0, 0};
    assert_null(s.ops->scan);
    assert_int_equal(tl_strategy_scan(&s, bars, N, 7, &st, NULL), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_cache_every_offset),
        cmocka_unit_test(test_scan_reaches_the_same_intents),
        cmocka_unit_test(test_no_scan_every_bar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
