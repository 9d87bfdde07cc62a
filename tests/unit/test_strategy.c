/* test_strategy.c -- the strategy interface, breakout_52w_high and sma_cross at their edges. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "strategy/strategy.h"

#define FX(n)   TL_FIXED_INT(n)
#define MAXBARS 64
#define T0      1700000000000000000LL
#define DAY_NS  86400000000000LL

/* A series from highs and closes (open = low = close): the rules read only these two. */
static size_t series(tl_bar *b, const int64_t *high, const int64_t *close, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        memset(&b[i], 0, sizeof(b[i]));
        b[i].ts_ns = T0 + (int64_t)i * DAY_NS;
        b[i].high = FX(high[i]);
        b[i].open = b[i].low = b[i].close = FX(close[i]);
        b[i].volume = FX(1);
    }
    return n;
}

static tl_strategy_spec spec_of(const char *name, const char *const *kv)
{
    tl_strategy_spec s;
    tl_err err = {0};
    if (tl_strategy_spec_init(&s, name, "AAPL", "ws1", &err) != 0)
        fail_msg("spec: %s", err.msg);
    for (; kv && *kv; kv++)
        if (tl_strategy_spec_set_kv(&s, *kv, &err) != 0)
            fail_msg("param %s: %s", *kv, err.msg);
    return s;
}

static tl_strategy_evaluation eval(const tl_strategy_spec *s, const tl_bar *b, size_t n, size_t t,
                                   const tl_strategy_state *st)
{
    tl_strategy_evaluation ev;
    tl_err err = {0};
    if (tl_strategy_evaluate(s, b, n, t, st, NULL, &ev, &err) != 0)
        fail_msg("evaluate: %s", err.msg);
    return ev;
}

static const char *const L3[] = {"entry.lookback_days=3", NULL};

/* ---------------------------------------------------------------------------------------- */
/* breakout_52w_high */

static void test_breakout_current_bar_excluded(void **state)
{
    (void)state;
    tl_bar b[MAXBARS];
    /* Bar 3's own high (12) is the highest of all; H is max(high[0..2]) = 10 and close 11 > 10:
     * an entry. Counting bar 3 would make H = 12 and no entry. */
    const int64_t hi[] = {10, 9, 10, 12}, cl[] = {9, 9, 9, 11};
    size_t n = series(b, hi, cl, 4);
    tl_strategy_spec s = spec_of("breakout_52w_high", L3);
    tl_strategy_state st = {FX(10000), 0, 0, 0};
    tl_strategy_evaluation ev = eval(&s, b, n, 3, &st);
    assert_int_equal(ev.n_intents, 1);
    assert_int_equal(ev.intents[0].action, TL_STRATEGY_OPEN_LONG);
    assert_int_equal(ev.intents[0].qty, FX(90)); /* floor(1000 / 11) */
    assert_int_equal(ev.intents[0].price, FX(11));
    assert_string_equal(ev.signals[0].name, "high_lookback");
    assert_int_equal(ev.signals[0].value, FX(10));
    assert_int_equal(ev.ts_ns, b[3].ts_ns);

    /* A close equal to H is no breakout; nor is a bar before L (no window yet). */
    const int64_t hi2[] = {10, 9, 10, 12}, cl2[] = {9, 9, 9, 10};
    n = series(b, hi2, cl2, 4);
    assert_int_equal(eval(&s, b, n, 3, &st).n_intents, 0);
    const int64_t hi3[] = {1, 1, 1}, cl3[] = {1, 5, 9};
    n = series(b, hi3, cl3, 3);
    assert_int_equal(eval(&s, b, n, 2, &st).n_intents, 0);
    assert_int_equal(eval(&s, b, n, 2, &st).n_signals, 0);
}

static void test_breakout_window_slides(void **state)
{
    (void)state;
    tl_bar b[MAXBARS];
    /* The 20 at bar 0 has left the window of bar 4 (bars 1..3): H = 10, close 11 enters. */
    const int64_t hi[] = {20, 10, 10, 10, 11}, cl[] = {9, 9, 9, 9, 11};
    size_t n = series(b, hi, cl, 5);
    tl_strategy_spec s = spec_of("breakout_52w_high", L3);
    tl_strategy_state st = {FX(10000), 0, 0, 0};
    assert_int_equal(eval(&s, b, n, 3, &st).n_intents, 0); /* window 0..2: H = 20 */
    assert_int_equal(eval(&s, b, n, 4, &st).n_intents, 1);
}

static void test_breakout_exit_after_hold(void **state)
{
    (void)state;
    tl_bar b[MAXBARS];
    const int64_t hi[] = {10, 10, 10, 10, 10, 10}, cl[] = {9, 9, 9, 9, 8, 7};
    size_t n = series(b, hi, cl, 6);
    const char *const kv[] = {"entry.lookback_days=3", "exit.hold_bars=2", NULL};
    tl_strategy_spec s = spec_of("breakout_52w_high", kv);
    tl_strategy_state st = {FX(1000), FX(5), 3, 1}; /* opened on bar 3 */
    assert_int_equal(eval(&s, b, n, 4, &st).n_intents, 0);
    tl_strategy_evaluation ev = eval(&s, b, n, 5, &st); /* e + hold = 5 */
    assert_int_equal(ev.n_intents, 1);
    assert_int_equal(ev.intents[0].action, TL_STRATEGY_CLOSE_LONG);
    assert_int_equal(ev.intents[0].qty, FX(5)); /* whole */
    assert_int_equal(ev.intents[0].price, FX(7));
}

static void test_breakout_exit_before_entry_same_bar(void **state)
{
    (void)state;
    tl_bar b[MAXBARS];
    const int64_t hi[] = {10, 10, 10, 10, 30}, cl[] = {9, 9, 9, 11, 20};
    size_t n = series(b, hi, cl, 5);
    tl_strategy_spec s = spec_of("breakout_52w_high", L3);
    /* Held since bar 3 (hold 1: exits at bar 4); bar 4 also breaks out (20 > 10). The cash alone
     * (10) buys nothing: the exit's proceeds (90 * 20) pay for the entry, so the exit is counted
     * first. */
    tl_strategy_state st = {FX(10), FX(90), 3, 1};
    tl_strategy_evaluation ev = eval(&s, b, n, 4, &st);
    assert_int_equal(ev.n_intents, 2);
    assert_int_equal(ev.intents[0].action, TL_STRATEGY_CLOSE_LONG);
    assert_int_equal(ev.intents[0].qty, FX(90));
    assert_int_equal(ev.intents[1].action, TL_STRATEGY_OPEN_LONG);
    assert_int_equal(ev.intents[1].qty, FX(50)); /* floor(1000 / 20) */
    assert_true(ev.evaluation_id[0] != '\0');
}

static void test_breakout_affordability(void **state)
{
    (void)state;
    tl_bar b[MAXBARS];
    const int64_t hi[] = {10, 10, 10, 11}, cl[] = {9, 9, 9, 11};
    size_t n = series(b, hi, cl, 4);
    tl_strategy_spec s = spec_of("breakout_52w_high", L3);
    /* 90 units at 11 cost 990: 989.99999999 of cash is not enough, 990 is. */
    tl_strategy_state poor = {FX(990) - 1, 0, 0, 0}, exact = {FX(990), 0, 0, 0};
    tl_strategy_evaluation ev = eval(&s, b, n, 3, &poor);
    assert_int_equal(ev.n_intents, 0);
    assert_string_equal(ev.evaluation_id, ""); /* no intent, no id */
    assert_int_equal(eval(&s, b, n, 3, &exact).n_intents, 1);

    /* dollars_per_trade below one unit's price: floor is 0, no intent. */
    const char *const kv[] = {"entry.lookback_days=3", "risk.dollars_per_trade=10.99999999", NULL};
    tl_strategy_spec s2 = spec_of("breakout_52w_high", kv);
    assert_int_equal(eval(&s2, b, n, 3, &exact).n_intents, 0);
    const char *const kv2[] = {"entry.lookback_days=3", "risk.dollars_per_trade=11", NULL};
    tl_strategy_spec s3 = spec_of("breakout_52w_high", kv2);
    ev = eval(&s3, b, n, 3, &exact);
    assert_int_equal(ev.n_intents, 1);
    assert_int_equal(ev.intents[0].qty, FX(1));
}

static void test_breakout_max_positions_blocks_only_entries(void **state)
{
    (void)state;
    tl_bar b[MAXBARS];
    const int64_t hi[] = {10, 10, 10, 10, 30}, cl[] = {9, 9, 9, 11, 20};
    size_t n = series(b, hi, cl, 5);
    tl_strategy_spec s = spec_of("breakout_52w_high", L3);
    /* Flat in AAPL, one position elsewhere, max 1: the breakout is blocked. */
    tl_strategy_state other = {FX(10000), 0, 0, 1};
    assert_int_equal(eval(&s, b, n, 4, &other).n_intents, 0);
    /* Two open (AAPL and another), max 1: AAPL's exit still goes; the entry stays blocked, as one
     * position is still open after it. */
    tl_strategy_state two = {FX(10000), FX(90), 3, 2};
    tl_strategy_evaluation ev = eval(&s, b, n, 4, &two);
    assert_int_equal(ev.n_intents, 1);
    assert_int_equal(ev.intents[0].action, TL_STRATEGY_CLOSE_LONG);
    /* max 2 lets it in. */
    const char *const kv[] = {"entry.lookback_days=3", "risk.max_positions=2", NULL};
    tl_strategy_spec s2 = spec_of("breakout_52w_high", kv);
    assert_int_equal(eval(&s2, b, n, 4, &two).n_intents, 2);
    assert_int_equal(eval(&s2, b, n, 4, &other).n_intents, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Parameters and tables */

static void expect_set_error(const char *name, const char *kv, int code, const char *needle)
{
    tl_strategy_spec s = spec_of(name, NULL), before = s;
    tl_err err = {0};
    assert_int_equal(tl_strategy_spec_set_kv(&s, kv, &err), code);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", kv, err.msg, needle);
    assert_memory_equal(&s, &before, sizeof(s)); /* untouched */
}

static void test_params(void **state)
{
    (void)state;
    tl_strategy_spec s = spec_of("breakout_52w_high", NULL);
    int64_t v;
    assert_int_equal(tl_strategy_spec_get(&s, "entry.lookback_days", &v, NULL), 0);
    assert_int_equal(v, 252);
    assert_int_equal(tl_strategy_spec_get(&s, "exit.hold_bars", &v, NULL), 0);
    assert_int_equal(v, 1);
    assert_int_equal(tl_strategy_spec_get(&s, "risk.dollars_per_trade", &v, NULL), 0);
    assert_int_equal(v, FX(1000));
    assert_int_equal(tl_strategy_spec_get(&s, "risk.max_positions", &v, NULL), 0);
    assert_int_equal(v, 1);
    assert_int_equal(tl_strategy_spec_set(&s, "risk.dollars_per_trade", "2500.5", NULL), 0);
    assert_int_equal(tl_strategy_spec_get(&s, "risk.dollars_per_trade", &v, NULL), 0);
    assert_int_equal(v, FX(2500) + FX(1) / 2);
    assert_int_equal(tl_strategy_spec_set(&s, "entry.lookback_days", "200.0", NULL), 0);
    assert_int_equal(tl_strategy_spec_get(&s, "entry.lookback_days", &v, NULL), 0);
    assert_int_equal(v, 200);

    expect_set_error("breakout_52w_high", "entry.lookback=5", TL_EINVAL, "entry.lookback:");
    expect_set_error("breakout_52w_high", "entry.lookback=5", TL_EINVAL, "entry.lookback_days");
    expect_set_error("breakout_52w_high", "entry.lookback_days=1.5", TL_EINVAL,
                     "entry.lookback_days: '1.5' is not an integer");
    expect_set_error("breakout_52w_high", "entry.lookback_days=abc", TL_EINVAL,
                     "entry.lookback_days: 'abc'");
    expect_set_error("breakout_52w_high", "risk.dollars_per_trade=1e3", TL_EINVAL,
                     "risk.dollars_per_trade: '1e3' is not a decimal");
    expect_set_error("breakout_52w_high", "entry.lookback_days=0", TL_ERANGE,
                     "entry.lookback_days: 0 is out of bounds [1, 100000]");
    expect_set_error("breakout_52w_high", "risk.dollars_per_trade=-5", TL_ERANGE,
                     "risk.dollars_per_trade: -5 is out of bounds [0.00000001, 1000000000]");
    expect_set_error("breakout_52w_high", "risk.max_positions=", TL_EINVAL, "risk.max_positions");
    expect_set_error("breakout_52w_high", "novalue", TL_EINVAL, "not key=value");
    expect_set_error("sma_cross", "entry.lookback_days=5", TL_EINVAL, "sma.fast");

    /* Between parameters: sma.fast < sma.slow, checked once all are set. */
    const char *const kv[] = {"sma.fast=30", NULL};
    tl_strategy_spec sm = spec_of("sma_cross", kv);
    tl_err err = {0};
    assert_int_equal(tl_strategy_spec_check(&sm, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "sma.fast (30) must be less than sma.slow (30)"));

    assert_int_equal(tl_strategy_spec_init(&s, "nope<script>", "AAPL", "ws1", &err), TL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "breakout_52w_high, sma_cross"));
    assert_int_equal(tl_strategy_spec_init(&s, "sma_cross", "aapl", "ws1", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "symbol"));
    assert_int_equal(tl_strategy_spec_init(&s, "sma_cross", "AAPL", "w s", &err), TL_EINVAL);
}

static int dummy_eval(const tl_strategy_spec *a, const tl_strategy_snapshot *b,
                      const tl_strategy_state *c, void *d, tl_strategy_evaluation *e, tl_err *f)
{
    (void)a, (void)b, (void)c, (void)d, (void)f;
    /* Breaks the contract: an entry before an exit. */
    tl_strategy_add_intent(e, TL_STRATEGY_OPEN_LONG, FX(1), FX(1));
    tl_strategy_add_intent(e, TL_STRATEGY_CLOSE_LONG, FX(1), FX(1));
    return 0;
}

static void test_ops_check(void **state)
{
    (void)state;
    for (const tl_strategy_ops *const *o = tl_strategy_builtins(); *o; o++)
        assert_int_equal(tl_strategy_ops_check(*o, NULL), 0);
    tl_err err = {0};
    static const tl_strategy_param_def bad_def[] = {{"a.b", TL_PARAM_INTEGER, 5, 6, 9}};
    tl_strategy_ops ops = {.version = TL_STRATEGY_OPS_VERSION, .name = "x", .evaluate = NULL};
    assert_int_equal(tl_strategy_ops_check(&ops, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "'evaluate'"));
    ops.evaluate = dummy_eval;
    ops.params = bad_def;
    ops.n_params = 1;
    assert_int_equal(tl_strategy_ops_check(&ops, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "a.b: default out of its bounds"));
    ops.n_params = 0;
    ops.version = 99;
    assert_int_equal(tl_strategy_ops_check(&ops, &err), TL_EINVAL);
    ops.version = TL_STRATEGY_OPS_VERSION;
    assert_int_equal(tl_strategy_ops_check(&ops, NULL), 0);

    /* The dispatch refuses an evaluation that breaks the contract. */
    tl_strategy_spec s = spec_of("sma_cross", NULL);
    s.ops = &ops;
    tl_bar b[1];
    const int64_t one[] = {1};
    series(b, one, one, 1);
    tl_strategy_state st = {FX(10), 0, 0, 0};
    tl_strategy_evaluation ev;
    assert_int_equal(tl_strategy_evaluate(&s, b, 1, 0, &st, NULL, &ev, &err), TL_ESTATE);
    assert_non_null(strstr(err.msg, "exits first"));
    assert_int_equal(tl_strategy_evaluate(&s, b, 1, 1, &st, NULL, &ev, &err), TL_EINVAL);
}

static void test_evaluation_id(void **state)
{
    (void)state;
    tl_strategy_spec s = spec_of("breakout_52w_high", NULL), s2 = s;
    char a[TL_STRATEGY_EVAL_ID_MAX], b[TL_STRATEGY_EVAL_ID_MAX], c[TL_STRATEGY_EVAL_ID_MAX];
    assert_int_equal(tl_strategy_evaluation_id(&s, T0, a, NULL), 0);
    assert_int_equal(tl_strategy_evaluation_id(&s, T0, b, NULL), 0);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), 18);
    assert_memory_equal(a, "ev", 2);
    assert_int_equal(strspn(a + 2, "0123456789abcdef"), 16);
    /* SHA-256("ws1|breakout_52w_high|AAPL|1700000000000000000"), first 8 bytes: computed with
     * `printf %s 'ws1|breakout_52w_high|AAPL|1700000000000000000' | sha256sum`. */
    assert_string_equal(a, "ev1722b4253903f4e8");
    strcpy(s2.workspace, "ws2");
    assert_int_equal(tl_strategy_evaluation_id(&s2, T0, c, NULL), 0);
    assert_string_not_equal(a, c);
    assert_int_equal(tl_strategy_evaluation_id(&s, T0 + 1, c, NULL), 0);
    assert_string_not_equal(a, c);
}

/* ---------------------------------------------------------------------------------------- */
/* sma_cross */

static void test_sma_cross_hand_made(void **state)
{
    (void)state;
    tl_bar b[MAXBARS];
    /* fast 2, slow 3 over closes 10 10 10 10 13 13 7 7:
     *   t=3: SMA2 10,   SMA3 10          equal, no cross
     *   t=4: SMA2 11.5, SMA3 11          crosses above (t=3 was equal): buy floor(1000/13) = 76
     *   t=5: SMA2 13,   SMA3 12          above: hold
     *   t=6: SMA2 10,   SMA3 11          below: sell 76 at 7
     *   t=7: SMA2 7,    SMA3 9           below, flat: nothing */
    const int64_t cl[] = {10, 10, 10, 10, 13, 13, 7, 7};
    size_t n = series(b, cl, cl, 8);
    const char *const kv[] = {"sma.fast=2", "sma.slow=3", NULL};
    tl_strategy_spec s = spec_of("sma_cross", kv);
    tl_strategy_state st = {FX(10000), 0, 0, 0};
    size_t acts[8] = {0};
    tl_strategy_action what[8] = {0};
    for (size_t t = 0; t < n; t++) {
        tl_strategy_evaluation ev = eval(&s, b, n, t, &st);
        acts[t] = ev.n_intents;
        if (ev.n_intents)
            what[t] = ev.intents[0].action;
        if (t == 4) {
            assert_int_equal(ev.n_signals, 2);
            assert_string_equal(ev.signals[0].name, "sma_fast");
            assert_int_equal(ev.signals[0].value, FX(23) / 2);
            assert_int_equal(ev.signals[1].value, FX(11));
            assert_int_equal(ev.intents[0].qty, FX(76));
            st.position_qty = FX(76);
            st.entry_bar = 4;
            st.cash -= FX(76 * 13);
        }
        if (t == 6) {
            assert_int_equal(ev.intents[0].qty, FX(76));
            assert_int_equal(ev.intents[0].price, FX(7));
            st.position_qty = 0;
        }
    }
    const size_t want[8] = {0, 0, 0, 0, 1, 0, 1, 0};
    assert_memory_equal(acts, want, sizeof(want));
    assert_int_equal(what[4], TL_STRATEGY_OPEN_LONG);
    assert_int_equal(what[6], TL_STRATEGY_CLOSE_LONG);
}

/* ---------------------------------------------------------------------------------------- */
/* The cache is a memo: the same evaluations with it, without it, and out of step. */

static void same_eval(const tl_strategy_evaluation *a, const tl_strategy_evaluation *b)
{
    assert_int_equal(a->n_intents, b->n_intents);
    assert_int_equal(a->n_signals, b->n_signals);
    for (size_t i = 0; i < a->n_intents; i++) {
        assert_int_equal(a->intents[i].action, b->intents[i].action);
        assert_int_equal(a->intents[i].qty, b->intents[i].qty);
        assert_int_equal(a->intents[i].price, b->intents[i].price);
    }
    for (size_t i = 0; i < a->n_signals; i++) {
        assert_string_equal(a->signals[i].name, b->signals[i].name);
        assert_int_equal(a->signals[i].value, b->signals[i].value);
    }
    assert_string_equal(a->evaluation_id, b->evaluation_id);
}

static void check_cache(const char *name, const char *const *kv)
{
    enum { N = 600 };
    static tl_bar b[N];
    static unsigned char cache[1 << 16];
    uint64_t x = 88172645463325252ULL;
    tl_fixed px = FX(100);
    for (size_t i = 0; i < N; i++) { /* a deterministic walk (xorshift) */
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        px += (tl_fixed)(x % 400000001) - 200000000;
        if (px < FX(5))
            px = FX(5);
        b[i].ts_ns = T0 + (int64_t)i * DAY_NS;
        b[i].close = b[i].open = b[i].low = px;
        b[i].high = px + (tl_fixed)(x % 300000000);
    }
    tl_strategy_spec s = spec_of(name, kv);
    assert_true(tl_strategy_cache_size(&s) <= sizeof(cache));
    tl_strategy_cache_init(&s, cache);
    tl_strategy_state st = {FX(10000), 0, 0, 0};
    size_t trades = 0;
    for (size_t t = 0; t < N; t++) {
        tl_strategy_evaluation with, without;
        assert_int_equal(tl_strategy_evaluate(&s, b, N, t, &st, cache, &with, NULL), 0);
        assert_int_equal(tl_strategy_evaluate(&s, b, N, t, &st, NULL, &without, NULL), 0);
        same_eval(&with, &without);
        for (size_t i = 0; i < with.n_intents; i++) {
            const tl_strategy_intent *in = &with.intents[i];
            if (in->action == TL_STRATEGY_CLOSE_LONG) {
                st.position_qty = 0, st.open_positions = 0, trades++;
                st.cash += in->qty / TL_FIXED_SCALE * in->price;
            } else {
                st.position_qty = in->qty, st.entry_bar = t, st.open_positions = 1;
                st.cash -= in->qty / TL_FIXED_SCALE * in->price;
            }
        }
    }
    assert_true(trades >= 3); /* the walk did exercise both rules */
    /* Out of step: a cache that expects another bar recomputes, and is in step after. */
    tl_strategy_evaluation with, without;
    tl_strategy_cache_init(&s, cache);
    tl_strategy_state flat = {FX(10000), 0, 0, 0};
    for (size_t t = 400; t < 420; t++) {
        assert_int_equal(tl_strategy_evaluate(&s, b, N, t, &flat, cache, &with, NULL), 0);
        assert_int_equal(tl_strategy_evaluate(&s, b, N, t, &flat, NULL, &without, NULL), 0);
        same_eval(&with, &without);
    }
}

static void test_cache_is_a_memo(void **state)
{
    (void)state;
    const char *const bk[] = {"entry.lookback_days=20", "exit.hold_bars=3", NULL};
    const char *const sm[] = {"sma.fast=5", "sma.slow=17", NULL};
    check_cache("breakout_52w_high", bk);
    check_cache("sma_cross", sm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breakout_current_bar_excluded),
        cmocka_unit_test(test_breakout_window_slides),
        cmocka_unit_test(test_breakout_exit_after_hold),
        cmocka_unit_test(test_breakout_exit_before_entry_same_bar),
        cmocka_unit_test(test_breakout_affordability),
        cmocka_unit_test(test_breakout_max_positions_blocks_only_entries),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_ops_check),
        cmocka_unit_test(test_evaluation_id),
        cmocka_unit_test(test_sma_cross_hand_made),
        cmocka_unit_test(test_cache_is_a_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
