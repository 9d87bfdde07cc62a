/*
 * test_lp_sim.c -- the simulated LP (lpsim://): the integer sine at known points, exact bid and
 * ask, delays within their bounds and fixed by the seed, validity, execution and its refusals,
 * the URL's parameters and the three default LPs. Driven through the dispatcher, in simulated
 * time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lp/lp.h"
#include "lp/sim/lp_sim.h"
#include "tradeloop/order.h"

#define T0    1735689600LL * TL_NS_PER_SEC /* 2025-01-01T00:00:00Z, a whole number of minutes */
#define FX(s) fx(s)

static tl_fixed fx(const char *s)
{
    tl_fixed v = 0;
    assert_int_equal(tl_fixed_parse(s, (size_t)-1, &v, NULL), 0);
    return v;
}

static void open_lp(tl_lp *lp, tl_clock *clock, const char *url)
{
    tl_err err = {0};
    int rc = tl_lp_open(lp, url, clock, NULL, &err);
    if (rc != 0)
        fail_msg("open %s: %s", url, err.msg);
}

static tl_lp_request req(uint8_t side, const char *amount, uint8_t asset)
{
    tl_lp_request r;
    memset(&r, 0, sizeof r);
    r.request_id = 1;
    strcpy(r.symbol, "BTCUSDT");
    r.side = side;
    r.amount = fx(amount);
    r.amount_asset = asset;
    return r;
}

static tl_lp_quote quote(tl_lp *lp, tl_lp_request r)
{
    tl_lp_quote q;
    tl_err err = {0};
    assert_int_equal(tl_lp_request_quote(lp, &r, &q, &err), 0);
    return q;
}

static tl_lp_exec execute(tl_lp *lp, const tl_lp_request *r, const tl_lp_quote *q)
{
    tl_lp_exec_request x;
    tl_lp_exec out;
    tl_err err = {0};
    memset(&x, 0, sizeof x);
    strcpy(x.quote_id, q->quote_id);
    x.side = r->side;
    x.amount_asset = r->amount_asset;
    x.amount = r->amount;
    x.price = q->price;
    assert_int_equal(tl_lp_execute_trade(lp, &x, &out, &err), 0);
    return out;
}

static void test_sine_points(void **state)
{
    (void)state;
    const uint64_t turn12 = UINT64_MAX / 12 + 1; /* 2^64 / 12, rounded up */
    assert_int_equal(tl__lp_sin_turn(0), 0);
    assert_int_equal(tl__lp_sin_turn(1ULL << 62), TL_FIXED_SCALE);
    assert_int_equal(tl__lp_sin_turn(1ULL << 63), 0);
    assert_int_equal(tl__lp_sin_turn(3ULL << 62), -TL_FIXED_SCALE);
    assert_int_equal(tl__lp_sin_turn(turn12), 50000000);      /* 30 degrees */
    assert_int_equal(tl__lp_sin_turn(5 * turn12), 50000000);  /* 150 */
    assert_int_equal(tl__lp_sin_turn(7 * turn12), -50000000); /* 210 */
    assert_int_equal(tl__lp_sin_turn(11 * turn12), -50000000);
    assert_int_equal(tl__lp_sin_turn(1ULL << 61), 70710678); /* 45: 0.7071067811... */
    assert_int_equal(tl__lp_sin_turn(2 * turn12), 86602540); /* 60: 0.8660254037... */
    /* sin(1 radian) = 0.8414709848...: turn = 2^64 / (2 pi). */
    assert_int_equal(tl__lp_sin_turn(2935890503282001226ULL), 84147098);
}

static void test_bid_ask_exact(void **state)
{
    (void)state;
    tl_clock clock;
    tl_lp lp;
    tl_clock_init_sim(&clock, T0);
    open_lp(&lp, &clock,
            "lpsim://?name=LP-1&base=100000&amp=500&period_s=60&phase=0&spread_bps=10"
            "&delay_min_ms=200&delay_max_ms=500&validity_s=8&seed=1&refuse_rate=0");
    assert_string_equal(lp.name, "LP-1");
    tl_lp_quote q = quote(&lp, req(TL_SIDE_BUY, "1.5", TL_LP_ASSET_BASE));
    assert_int_equal(q.status, TL_LP_QUOTED);
    assert_int_equal(q.bid, FX("99950"));
    assert_int_equal(q.ask, FX("100050"));
    assert_int_equal(q.price, FX("100050"));
    assert_string_equal(q.quote_id, "LP-1-000001");
    q = quote(&lp, req(TL_SIDE_SELL, "1.5", TL_LP_ASSET_BASE));
    assert_int_equal(q.price, FX("99950"));
    assert_string_equal(q.quote_id, "LP-1-000002");

    tl_clock_set(&clock, T0 + 15 * TL_NS_PER_SEC); /* a quarter period: mid 100500 */
    q = quote(&lp, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
    assert_int_equal(q.bid, FX("100449.75"));
    assert_int_equal(q.ask, FX("100550.25"));
    tl_clock_set(&clock, T0 + 20 * TL_NS_PER_SEC); /* a third: mid 100000 + 500 * 0.8660254 */
    q = quote(&lp, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
    assert_int_equal(q.bid, FX("100382.79619365")); /* 100433.0127 - 50.21650635 */
    tl_clock_set(&clock, T0 + 25 * TL_NS_PER_SEC);  /* 150 degrees: mid 100250 */
    q = quote(&lp, req(TL_SIDE_SELL, "1", TL_LP_ASSET_BASE));
    assert_int_equal(q.bid, FX("100199.875"));
    assert_int_equal(q.ask, FX("100300.125"));
    tl_clock_set(&clock, T0 + 45 * TL_NS_PER_SEC); /* three quarters: mid 99500 */
    q = quote(&lp, req(TL_SIDE_SELL, "1", TL_LP_ASSET_BASE));
    assert_int_equal(q.bid, FX("99450.25"));
    assert_int_equal(q.ask, FX("99549.75"));
    tl_lp_close(&lp);

    /* The phase shifts the wave: a quarter period ahead at T0. */
    tl_clock_set(&clock, T0 + 60 * TL_NS_PER_SEC);
    open_lp(&lp, &clock, "lpsim://?phase=0.25&spread_bps=0");
    q = quote(&lp, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
    assert_int_equal(q.bid, FX("100500"));
    assert_int_equal(q.ask, FX("100500"));
    tl_lp_close(&lp);
}

static void test_per_symbol(void **state)
{
    (void)state;
    tl_clock clock;
    tl_lp lp;
    tl_clock_init_sim(&clock, T0 + 15 * TL_NS_PER_SEC);
    open_lp(&lp, &clock, "lpsim://?amp=ETHUSDT:10&base=BTCUSDT:100000,ETHUSDT:3500&spread_bps=0");
    tl_lp_request r = req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE);
    assert_int_equal(quote(&lp, r).ask, FX("100500")); /* amp base/200 = 500 */
    strcpy(r.symbol, "ETHUSDT");
    assert_int_equal(quote(&lp, r).ask, FX("3510"));
    strcpy(r.symbol, "SOLUSDT");
    tl_lp_quote q = quote(&lp, r);
    assert_int_equal(q.status, TL_LP_QUOTE_REFUSED);
    assert_string_equal(q.reason, "unknown symbol");
    tl_lp_close(&lp);
}

static void test_delays(void **state)
{
    (void)state;
    tl_clock clock;
    tl_lp a, b, c;
    tl_clock_init_sim(&clock, T0);
    open_lp(&a, &clock, "lpsim://?name=A&delay_min_ms=200&delay_max_ms=500&seed=7");
    open_lp(&b, &clock, "lpsim://?name=B&delay_min_ms=200&delay_max_ms=500&seed=7");
    open_lp(&c, &clock, "lpsim://?name=C&delay_min_ms=200&delay_max_ms=500&seed=8");
    int64_t lo = INT64_MAX, hi = 0;
    int differ = 0;
    for (int i = 0; i < 400; i++) {
        tl_lp_quote qa = quote(&a, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
        tl_lp_quote qb = quote(&b, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
        tl_lp_quote qc = quote(&c, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
        int64_t d = qa.respond_ns - tl_clock_now(&clock);
        assert_true(d >= 200 * TL_NS_PER_MS && d <= 500 * TL_NS_PER_MS);
        assert_int_equal(d % TL_NS_PER_MS, 0);
        assert_int_equal(qa.respond_ns, qb.respond_ns); /* same seed, same delays */
        differ += qa.respond_ns != qc.respond_ns;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        /* Valid for validity_s from its arrival. */
        assert_int_equal(qa.valid_until_ns, qa.respond_ns + 8 * TL_NS_PER_SEC);
        tl_clock_advance(&clock, 500 * TL_NS_PER_MS);
    }
    assert_true(differ > 300);
    assert_true(lo < 210 * TL_NS_PER_MS && hi > 490 * TL_NS_PER_MS); /* the whole range */
    tl_lp_close(&a);
    tl_lp_close(&b);
    tl_lp_close(&c);

    /* Equal bounds: a fixed delay. */
    open_lp(&a, &clock, "lpsim://?delay_min_ms=0&delay_max_ms=0");
    tl_lp_quote q = quote(&a, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
    assert_int_equal(q.respond_ns, tl_clock_now(&clock));
    tl_lp_close(&a);
}

static void test_execute(void **state)
{
    (void)state;
    tl_clock clock;
    tl_lp lp;
    tl_clock_init_sim(&clock, T0);
    /* A flat wave (amp 0): the price stays 100050 while time runs. */
    open_lp(&lp, &clock, "lpsim://?name=LP-1&amp=0&validity_s=8&delay_min_ms=300&delay_max_ms=300");
    tl_lp_request r = req(TL_SIDE_BUY, "1.5", TL_LP_ASSET_BASE);
    tl_lp_quote q = quote(&lp, r);
    tl_clock_advance(&clock, 2 * TL_NS_PER_SEC);
    tl_lp_exec x = execute(&lp, &r, &q);
    assert_int_equal(x.status, TL_LP_FILLED);
    assert_int_equal(x.qty, FX("1.5"));
    assert_int_equal(x.avg_price, FX("100050"));
    assert_int_equal(x.respond_ns, tl_clock_now(&clock) + 300 * TL_NS_PER_MS);
    x = execute(&lp, &r, &q);
    assert_int_equal(x.status, TL_LP_EXEC_REFUSED);
    assert_string_equal(x.reason, "quote already executed");

    /* An amount in the quote asset: the base quantity is amount / price. */
    r = req(TL_SIDE_BUY, "150075", TL_LP_ASSET_QUOTE);
    q = quote(&lp, r);
    x = execute(&lp, &r, &q);
    assert_int_equal(x.status, TL_LP_FILLED);
    assert_int_equal(x.qty, FX("1.5"));

    /* Executable through valid_until_ns, expired one nanosecond later. */
    r = req(TL_SIDE_SELL, "2", TL_LP_ASSET_BASE);
    tl_lp_quote q1 = quote(&lp, r), q2 = quote(&lp, r);
    tl_clock_set(&clock, q1.valid_until_ns);
    assert_int_equal(execute(&lp, &r, &q1).status, TL_LP_FILLED);
    tl_clock_set(&clock, q2.valid_until_ns + 1);
    x = execute(&lp, &r, &q2);
    assert_int_equal(x.status, TL_LP_EXEC_REFUSED);
    assert_string_equal(x.reason, "quote expired");
    assert_int_equal(x.qty, 0);

    /* Unknown ids: another LP's, never given, malformed. */
    q = quote(&lp, r);
    const char *unknown[] = {"LP-2-000001", "LP-1-999999", "LP-1-",
                             "LP-1-00000x", "LP-1000001",  "LP-1-000000"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        tl_lp_quote fake = q;
        strcpy(fake.quote_id, unknown[i]);
        x = execute(&lp, &r, &fake);
        assert_int_equal(x.status, TL_LP_EXEC_REFUSED);
        assert_string_equal(x.reason, "unknown quote");
    }
    /* What is executed must be what was quoted. */
    tl_lp_request other = r;
    other.amount = FX("3");
    assert_string_equal(execute(&lp, &other, &q).reason, "quote mismatch");
    other = r;
    other.side = TL_SIDE_BUY;
    assert_string_equal(execute(&lp, &other, &q).reason, "quote mismatch");
    tl_lp_quote cheaper = q;
    cheaper.price += 1;
    assert_string_equal(execute(&lp, &r, &cheaper).reason, "quote mismatch");
    assert_int_equal(execute(&lp, &r, &q).status, TL_LP_FILLED);
    tl_lp_close(&lp);
}

static void test_kept_window(void **state)
{
    (void)state;
    tl_clock clock;
    tl_lp lp;
    tl_clock_init_sim(&clock, T0);
    open_lp(&lp, &clock, "lpsim://?name=K&validity_s=86400");
    tl_lp_request r = req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE);
    tl_lp_quote first = quote(&lp, r), second = quote(&lp, r);
    for (int i = 2; i < TL_LP_SIM_KEPT; i++)
        quote(&lp, r);
    tl_clock_advance(&clock, TL_NS_PER_SEC);
    /* 4096 kept: the first is the oldest still known; one more quote forgets it. */
    tl_lp_quote last = quote(&lp, r);
    assert_string_equal(last.quote_id, "K-004097");
    assert_string_equal(execute(&lp, &r, &first).reason, "unknown quote");
    assert_int_equal(execute(&lp, &r, &second).status, TL_LP_FILLED);
    assert_int_equal(execute(&lp, &r, &last).status, TL_LP_FILLED);
    tl_lp_close(&lp);
}

static void test_refuse_rates(void **state)
{
    (void)state;
    tl_clock clock;
    tl_lp lp;
    tl_clock_init_sim(&clock, T0);
    open_lp(&lp, &clock, "lpsim://?refuse_rate=1");
    tl_lp_quote q = quote(&lp, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
    assert_int_equal(q.status, TL_LP_QUOTE_REFUSED);
    assert_string_equal(q.reason, "refused");
    assert_true(q.respond_ns >= T0 + 200 * TL_NS_PER_MS); /* a refusal takes its time too */
    assert_int_equal(lp.stats.quote_refusals, 1);
    tl_lp_close(&lp);

    open_lp(&lp, &clock, "lpsim://?exec_refuse_rate=1");
    tl_lp_request r = req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE);
    q = quote(&lp, r);
    assert_int_equal(q.status, TL_LP_QUOTED);
    tl_lp_exec x = execute(&lp, &r, &q);
    assert_int_equal(x.status, TL_LP_EXEC_REFUSED);
    assert_string_equal(x.reason, "refused");
    tl_lp_close(&lp);

    /* Half the requests, give or take, and the same ones for the same seed. */
    char seen[2][200];
    for (int run = 0; run < 2; run++) {
        open_lp(&lp, &clock, "lpsim://?refuse_rate=0.5&seed=3");
        for (int i = 0; i < 200; i++)
            seen[run][i] = (char)quote(&lp, req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE)).status;
        assert_true(lp.stats.quote_refusals > 60 && lp.stats.quote_refusals < 140);
        tl_lp_close(&lp);
    }
    assert_memory_equal(seen[0], seen[1], sizeof seen[0]);
}

static void test_amounts(void **state)
{
    (void)state;
    tl_clock clock;
    tl_lp lp;
    tl_clock_init_sim(&clock, T0);
    open_lp(&lp, &clock, "lpsim://");
    tl_lp_quote q = quote(&lp, req(TL_SIDE_BUY, "0.00000001", TL_LP_ASSET_QUOTE));
    assert_string_equal(q.reason, "amount too small");
    q = quote(&lp, req(TL_SIDE_BUY, "90000000000", TL_LP_ASSET_BASE));
    assert_string_equal(q.reason, "amount too large");
    tl_lp_close(&lp);
}

static void test_params(void **state)
{
    (void)state;
    tl_lp_sim_params p;
    tl_err err = {0};
    assert_int_equal(tl_lp_sim_params_parse("lpsim://", &p, &err), 0);
    assert_string_equal(p.name, "lpsim");
    assert_int_equal(p.n_markets, 1);
    assert_int_equal(p.markets[0].base, TL_FIXED_INT(100000));
    assert_int_equal(p.markets[0].amp, TL_FIXED_INT(500));
    assert_int_equal(p.period_ns, 60 * TL_NS_PER_SEC);
    assert_int_equal(p.validity_ns, 8 * TL_NS_PER_SEC);
    assert_int_equal(
        tl_lp_sim_params_parse("lpsim://?base=3500&validity_s=0.5&period_s=1.25", &p, &err), 0);
    assert_int_equal(p.markets[0].amp, FX("17.5"));
    assert_int_equal(p.validity_ns, 500 * TL_NS_PER_MS);
    assert_int_equal(p.period_ns, 1250 * TL_NS_PER_MS);

    struct {
        const char *url, *msg;
    } bad[] = {
        {"lpsim://?spread_bps=x", "lpsim: spread_bps=x: want basis points in [0, 5000]"},
        {"lpsim://?spread_bps=5001", "lpsim: spread_bps=5001: want basis points in [0, 5000]"},
        {"lpsim://?phase=1", "lpsim: phase=1: want a fraction of a period in [0, 1)"},
        {"lpsim://?base=0", "lpsim: base=0: want a decimal > 0, or SYMBOL:decimal,..."},
        {"lpsim://?base=BTCUSDT:1,", "lpsim: base=BTCUSDT:1,: want a decimal > 0, or "
                                     "SYMBOL:decimal,..."},
        {"lpsim://?base=btc:1", "lpsim: base=btc:1: symbol must be 1..15 of [A-Z0-9]"},
        {"lpsim://?base=A:1,A:2", "lpsim: base=A:1,A:2: a symbol is given twice"},
        {"lpsim://?amp=100000", "lpsim: amp of every symbol must be less than its base"},
        {"lpsim://?amp=X:1", "lpsim: amp per symbol needs base per symbol"},
        {"lpsim://?base=A:10&amp=B:1", "lpsim: amp: B has no base"},
        {"lpsim://?delay_min_ms=600", "lpsim: delay_min_ms must be <= delay_max_ms"},
        {"lpsim://?delay_max_ms=-1", "lpsim: delay_max_ms=-1: want whole milliseconds in [0, "
                                     "3600000]"},
        {"lpsim://?validity_s=0", "lpsim: validity_s=0: want seconds, a decimal in (0, 86400]"},
        {"lpsim://?period_s=0", "lpsim: period_s=0: want seconds, a decimal in (0, 1000000000]"},
        {"lpsim://?refuse_rate=1.5", "lpsim: refuse_rate=1.5: want a decimal in [0, 1]"},
        {"lpsim://?name=LP 1", "lpsim: name=LP 1: want 1..23 of [A-Za-z0-9._-]"},
        {"lpsim://?name=", "lpsim: name=: want 1..23 of [A-Za-z0-9._-]"},
        {"lpsim://?seed=1&seed=2", "lpsim: parameter 'seed' given twice"},
        {"lpsim://?colour=red", "lpsim: unknown parameter 'colour'"},
    };
    tl_lp_sim_params_default(&p);
    tl_lp_sim_params before = p;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(tl_lp_sim_params_parse(bad[i].url, &p, &err), TL_EINVAL);
        assert_string_equal(err.msg, bad[i].msg);
        assert_memory_equal(&p, &before, sizeof p);
    }
}

static void test_defaults(void **state)
{
    (void)state;
    tl_clock clock;
    tl_clock_init_sim(&clock, T0 + 7 * TL_NS_PER_SEC);
    size_t n = 0;
    const char *const *urls = tl_lp_sim_default_urls(&n);
    assert_int_equal(n, 3);
    tl_lp lps[3];
    tl_fixed prices[3];
    for (size_t i = 0; i < n; i++) {
        char name[32];
        open_lp(&lps[i], &clock, urls[i]);
        snprintf(name, sizeof name, "LP-%zu", i + 1);
        assert_string_equal(lps[i].name, name);
        tl_lp_quote q = quote(&lps[i], req(TL_SIDE_BUY, "1", TL_LP_ASSET_BASE));
        assert_int_equal(q.status, TL_LP_QUOTED);
        prices[i] = q.price;
        assert_true(q.ask > q.bid);
    }
    assert_true(prices[0] != prices[1] && prices[1] != prices[2] && prices[0] != prices[2]);
    for (size_t i = 0; i < n; i++)
        tl_lp_close(&lps[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sine_points),  cmocka_unit_test(test_bid_ask_exact),
        cmocka_unit_test(test_per_symbol),   cmocka_unit_test(test_delays),
        cmocka_unit_test(test_execute),      cmocka_unit_test(test_kept_window),
        cmocka_unit_test(test_refuse_rates), cmocka_unit_test(test_amounts),
        cmocka_unit_test(test_params),       cmocka_unit_test(test_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
