/*
 * test_lp.c -- the LP dispatcher: scheme lookup, table checks, request checks, the checks of
 * every answer (a bad one becomes a refusal), counters and fault injection, driven through a
 * scripted test backend ("fake") defined here whose next answer the test writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lp/lp.h"
#include "tradeloop/order.h"

/* ---- the fake backend: answers what the test put in `next_*` ------------------------------ */

typedef struct fake {
    const tl_clock *clock;
    int quotes, execs;
    int fail; /* the next call returns TL_EIO */
    tl_lp_quote next_quote;
    tl_lp_exec next_exec;
    char name[64];
} fake;

static fake *last_fake; /* the state of the LP the test opened last, to script it */

static int fake_open(void *state, const char *url, const tl_clock *clock, tl_err *err)
{
    fake *f = state;
    if (strstr(url, "fail") != NULL)
        return tl_err_set(err, TL_EIO, "fake: asked to fail");
    f->clock = clock;
    const char *n = strstr(url, "name=");
    strcpy(f->name, n != NULL ? n + 5 : "FAKE-1");
    last_fake = f;
    return 0;
}

static void fake_close(void *state)
{
    (void)state;
}

static int fake_quote(void *state, const tl_lp_request *r, tl_lp_quote *q, tl_err *err)
{
    fake *f = state;
    (void)r;
    f->quotes++;
    if (f->fail)
        return tl_err_set(err, TL_EIO, "fake: down");
    *q = f->next_quote;
    return 0;
}

static int fake_exec(void *state, const tl_lp_exec_request *r, tl_lp_exec *x, tl_err *err)
{
    fake *f = state;
    (void)r;
    f->execs++;
    if (f->fail)
        return tl_err_set(err, TL_EIO, "fake: down");
    *x = f->next_exec;
    return 0;
}

static const char *fake_name(const void *state)
{
    return ((const fake *)state)->name;
}

static const tl_lp_ops fake_ops = {
    .version = TL_LP_OPS_VERSION,
    .scheme = "fake",
    .state_size = sizeof(fake),
    .open = fake_open,
    .close = fake_close,
    .request_quote = fake_quote,
    .execute_trade = fake_exec,
    .name_of = fake_name,
};
static const tl_lp_ops *const extra[] = {&fake_ops, NULL};

#define NOW (1735689600LL * TL_NS_PER_SEC)

static tl_clock clock_;

static void open_fake(tl_lp *lp)
{
    tl_err err = {0};
    tl_clock_init_sim(&clock_, NOW);
    assert_int_equal(tl_lp_open(lp, "fake://?name=LP-9", &clock_, extra, &err), 0);
    assert_string_equal(lp->name, "LP-9");
    /* A good answer, which each test spoils as it needs. */
    tl_lp_quote *q = &last_fake->next_quote;
    memset(q, 0, sizeof *q);
    q->status = TL_LP_QUOTED;
    q->bid = TL_FIXED_INT(99);
    q->ask = TL_FIXED_INT(101);
    q->price = TL_FIXED_INT(101);
    q->respond_ns = NOW + 250 * TL_NS_PER_MS;
    q->valid_until_ns = q->respond_ns + 8 * TL_NS_PER_SEC;
    strcpy(q->quote_id, "Q1");
    tl_lp_exec *x = &last_fake->next_exec;
    memset(x, 0, sizeof *x);
    x->status = TL_LP_FILLED;
    x->qty = TL_FIXED_INT(2);
    x->avg_price = TL_FIXED_INT(101);
    x->respond_ns = NOW + 300 * TL_NS_PER_MS;
}

static tl_lp_request good_req(void)
{
    tl_lp_request r;
    memset(&r, 0, sizeof r);
    r.request_id = 7;
    strcpy(r.symbol, "ETHBTC");
    r.side = TL_SIDE_BUY;
    r.amount_asset = TL_LP_ASSET_BASE;
    r.amount = TL_FIXED_INT(2);
    return r;
}

static tl_lp_exec_request good_exec(void)
{
    tl_lp_exec_request x;
    memset(&x, 0, sizeof x);
    strcpy(x.quote_id, "Q1");
    x.side = TL_SIDE_BUY;
    x.amount_asset = TL_LP_ASSET_BASE;
    x.amount = TL_FIXED_INT(2);
    x.price = TL_FIXED_INT(101);
    return x;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_open(void **state)
{
    (void)state;
    tl_lp lp;
    tl_err err = {0};
    tl_clock_init_sim(&clock_, NOW);
    assert_int_equal(tl_lp_open(&lp, "nope://x", &clock_, extra, &err), TL_ENOTSUP);
    assert_string_equal(err.msg, "unknown LP scheme in URL 'nope://x'");
    assert_int_equal(tl_lp_open(&lp, "lpsim", &clock_, extra, &err), TL_EINVAL);
    assert_int_equal(tl_lp_open(&lp, "fake://fail", &clock_, extra, &err), TL_EIO);
    assert_int_equal(tl_lp_open(&lp, "fake://?name=bad name", &clock_, extra, &err), TL_EINVAL);
    assert_string_equal(err.msg, "LP backend 'fake': name is not 1..23 of [A-Za-z0-9._-]");
    assert_int_equal(tl_lp_open(&lp, "FAKE://", &clock_, extra, &err), 0); /* any case */
    assert_string_equal(lp.name, "FAKE-1");
    tl_lp_close(&lp);
    tl_lp_close(&lp); /* closing twice is harmless */
    tl_lp_request r = good_req();
    tl_lp_quote q;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), TL_ECLOSED);
    assert_int_equal(tl_lp_open(&lp, "lpsim://?name=S", &clock_, NULL, &err), 0);
    assert_string_equal(lp.name, "S");
    tl_lp_close(&lp);
}

static void test_ops_check(void **state)
{
    (void)state;
    tl_err err = {0};
    tl_lp_ops o = fake_ops;
    assert_int_equal(tl_lp_ops_check(&o, &err), 0);
    o.execute_trade = NULL;
    assert_int_equal(tl_lp_ops_check(&o, &err), TL_EINVAL);
    assert_string_equal(err.msg, "LP backend 'fake': mandatory slot 'execute_trade' is NULL");
    o = fake_ops;
    o.version = 2;
    assert_int_equal(tl_lp_ops_check(&o, &err), TL_EINVAL);
    o = fake_ops;
    o.state_size = 0;
    assert_int_equal(tl_lp_ops_check(&o, &err), TL_EINVAL);
    o = fake_ops;
    o.scheme = "";
    assert_int_equal(tl_lp_ops_check(&o, &err), TL_EINVAL);
    assert_int_equal(tl_lp_ops_check(NULL, &err), TL_EINVAL);
    /* The name falls back to the scheme. */
    o = fake_ops;
    o.name_of = NULL;
    const tl_lp_ops *const mine[] = {&o, NULL};
    tl_lp lp;
    tl_clock_init_sim(&clock_, NOW);
    assert_int_equal(tl_lp_open(&lp, "fake://", &clock_, mine, &err), 0);
    assert_string_equal(lp.name, "fake");
    tl_lp_close(&lp);
}

static void test_request_checks(void **state)
{
    (void)state;
    tl_lp lp;
    tl_err err = {0};
    open_fake(&lp);
    tl_lp_quote q, untouched;
    memset(&q, 0x5a, sizeof q);
    untouched = q;
    tl_lp_request r = good_req();
    r.request_id = 0;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), TL_EINVAL);
    assert_string_equal(err.msg, "LP LP-9: quote: request_id 0");
    r = good_req();
    strcpy(r.symbol, "BTCXYZ");
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "BTCXYZ: unknown quote asset"));
    r = good_req();
    memset(r.symbol, 'A', sizeof r.symbol);
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), TL_EINVAL);
    r = good_req();
    r.side = 2;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), TL_EINVAL);
    r = good_req();
    r.amount_asset = 2;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), TL_EINVAL);
    r = good_req();
    r.amount = 0;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), TL_EINVAL);
    assert_int_equal(tl_lp_request_quote(&lp, NULL, &q, &err), TL_EINVAL);
    r = good_req();
    assert_int_equal(tl_lp_request_quote(&lp, &r, NULL, &err), TL_EINVAL);
    assert_memory_equal(&q, &untouched, sizeof q);
    assert_int_equal(last_fake->quotes, 0); /* the backend never saw one */
    assert_int_equal(lp.stats.quote_requests, 0);

    tl_lp_exec x;
    tl_lp_exec_request e = good_exec();
    e.quote_id[0] = '\0';
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), TL_EINVAL);
    e = good_exec();
    memset(e.quote_id, 'Q', sizeof e.quote_id);
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), TL_EINVAL);
    e = good_exec();
    e.quote_id[0] = '\n';
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), TL_EINVAL);
    e = good_exec();
    e.price = 0;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), TL_EINVAL);
    e = good_exec();
    e.side = 9;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), TL_EINVAL);
    assert_int_equal(last_fake->execs, 0);
    tl_lp_close(&lp);
}

/* The answer after spoiling the good one with `spoil`; checks it became a refusal saying why. */
static void expect_bad_quote(void (*spoil)(tl_lp_quote *), const char *reason)
{
    tl_lp lp;
    tl_err err = {0};
    open_fake(&lp);
    spoil(&last_fake->next_quote);
    tl_lp_request r = good_req();
    tl_lp_quote q;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), 0);
    assert_int_equal(q.status, TL_LP_QUOTE_REFUSED);
    assert_string_equal(q.reason, reason);
    assert_int_equal(q.bid, 0);
    assert_int_equal(q.quote_id[0], '\0');
    assert_true(q.respond_ns >= NOW);
    assert_int_equal(lp.stats.bad_answers, 1);
    assert_int_equal(lp.stats.quote_refusals, 1);
    assert_int_equal(lp.stats.quotes, 0);
    tl_lp_close(&lp);
}

static void ask_below_bid(tl_lp_quote *q)
{
    q->ask = q->bid - 1;
}
static void zero_bid(tl_lp_quote *q)
{
    q->bid = 0;
}
static void zero_price(tl_lp_quote *q)
{
    q->price = 0;
}
static void early(tl_lp_quote *q)
{
    q->respond_ns = NOW - 1;
}
static void dead(tl_lp_quote *q)
{
    q->valid_until_ns = q->respond_ns - 1;
}
static void no_id(tl_lp_quote *q)
{
    q->quote_id[0] = '\0';
}
static void long_id(tl_lp_quote *q)
{
    memset(q->quote_id, 'x', sizeof q->quote_id);
}
static void ctl_id(tl_lp_quote *q)
{
    strcpy(q->quote_id, "Q\x1b[2J");
}
static void bad_status(tl_lp_quote *q)
{
    q->status = 7;
}
static void mute_refusal(tl_lp_quote *q)
{
    q->status = TL_LP_QUOTE_REFUSED;
    q->reason[0] = '\0';
}

static void test_bad_quotes(void **state)
{
    (void)state;
    expect_bad_quote(ask_below_bid, "bad answer: need 0 < bid <= ask");
    expect_bad_quote(zero_bid, "bad answer: need 0 < bid <= ask");
    expect_bad_quote(zero_price, "bad answer: price must be > 0");
    expect_bad_quote(early, "bad answer: answered before it was asked");
    expect_bad_quote(dead, "bad answer: expired on arrival");
    expect_bad_quote(no_id, "bad answer: quote id is not printable text");
    expect_bad_quote(long_id, "bad answer: quote id is not printable text");
    expect_bad_quote(ctl_id, "bad answer: quote id is not printable text");
    expect_bad_quote(bad_status, "bad answer: unknown status");
    expect_bad_quote(mute_refusal, "bad answer: refusal without a readable reason");
}

static void test_good_answers_and_counters(void **state)
{
    (void)state;
    tl_lp lp;
    tl_err err = {0};
    open_fake(&lp);
    tl_lp_request r = good_req();
    tl_lp_quote q;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), 0);
    assert_int_equal(q.status, TL_LP_QUOTED);
    assert_string_equal(q.quote_id, "Q1");
    assert_int_equal(q.respond_ns, NOW + 250 * TL_NS_PER_MS);
    /* A refusal passes through with its reason. */
    last_fake->next_quote.status = TL_LP_QUOTE_REFUSED;
    strcpy(last_fake->next_quote.reason, "no appetite");
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), 0);
    assert_int_equal(q.status, TL_LP_QUOTE_REFUSED);
    assert_string_equal(q.reason, "no appetite");
    /* A backend that fails: the code, counted, the output untouched. */
    last_fake->fail = 1;
    memset(&q, 0x5a, sizeof q);
    tl_lp_quote untouched = q;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), TL_EIO);
    assert_memory_equal(&q, &untouched, sizeof q);
    tl_lp_exec_request e = good_exec();
    tl_lp_exec x;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), TL_EIO);
    last_fake->fail = 0;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_int_equal(x.status, TL_LP_FILLED);
    assert_int_equal(x.qty, TL_FIXED_INT(2));

    assert_int_equal(lp.stats.quote_requests, 3);
    assert_int_equal(lp.stats.quotes, 1);
    assert_int_equal(lp.stats.quote_refusals, 1);
    assert_int_equal(lp.stats.exec_requests, 2);
    assert_int_equal(lp.stats.fills, 1);
    assert_int_equal(lp.stats.errors, 2);
    assert_int_equal(lp.stats.bad_answers, 0);
    tl_lp_close(&lp);
}

static void test_bad_execs(void **state)
{
    (void)state;
    tl_lp lp;
    tl_err err = {0};
    open_fake(&lp);
    tl_lp_exec_request e = good_exec();
    tl_lp_exec x;
    last_fake->next_exec.qty = TL_FIXED_INT(3); /* not the 2 asked for */
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_int_equal(x.status, TL_LP_EXEC_REFUSED);
    assert_string_equal(x.reason, "bad answer: filled another quantity");
    assert_int_equal(x.qty, 0);
    /* In the quote asset the quantity is the LP's division: any positive one passes. */
    e.amount_asset = TL_LP_ASSET_QUOTE;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_int_equal(x.status, TL_LP_FILLED);
    last_fake->next_exec.avg_price = 0;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_string_equal(x.reason, "bad answer: quantity and price must be > 0");
    last_fake->next_exec.avg_price = 1;
    last_fake->next_exec.respond_ns = NOW - 1;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_string_equal(x.reason, "bad answer: answered before it was asked");
    assert_int_equal(x.respond_ns, NOW);
    last_fake->next_exec.respond_ns = NOW;
    last_fake->next_exec.status = TL_LP_EXEC_REFUSED;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_string_equal(x.reason, "bad answer: refusal without a readable reason");
    strcpy(last_fake->next_exec.reason, "quote expired");
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_string_equal(x.reason, "quote expired");
    assert_int_equal(lp.stats.bad_answers, 4);
    assert_int_equal(lp.stats.exec_refusals, 5);
    assert_int_equal(lp.stats.fills, 1);
    tl_lp_close(&lp);
}

static void test_faults(void **state)
{
    (void)state;
    tl_lp lp;
    tl_err err = {0};
    open_fake(&lp);
    lp.faults.refuse_quote_at = 2;
    lp.faults.never_answer_from = 4;
    lp.faults.refuse_exec_at = 1;
    tl_lp_request r = good_req();
    tl_lp_quote q;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), 0);
    assert_int_equal(q.status, TL_LP_QUOTED);
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), 0);
    assert_int_equal(q.status, TL_LP_QUOTE_REFUSED);
    assert_string_equal(q.reason, "refused (injected)");
    assert_int_equal(q.respond_ns, NOW);
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), 0);
    assert_int_equal(q.status, TL_LP_QUOTED);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), 0);
        assert_int_equal(q.status, TL_LP_QUOTE_REFUSED);
        assert_string_equal(q.reason, "no answer");
        assert_int_equal(q.respond_ns, TL_LP_NEVER);
    }
    assert_int_equal(last_fake->quotes, 2); /* faulted calls never reach the backend */
    assert_int_equal(lp.stats.silent, 3);
    assert_int_equal(lp.stats.quotes, 2);
    assert_int_equal(lp.stats.quote_refusals, 4);

    tl_lp_exec_request e = good_exec();
    tl_lp_exec x;
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_int_equal(x.status, TL_LP_EXEC_REFUSED);
    assert_string_equal(x.reason, "refused (injected)");
    assert_int_equal(tl_lp_execute_trade(&lp, &e, &x, &err), 0);
    assert_int_equal(x.status, TL_LP_FILLED);
    assert_int_equal(last_fake->execs, 1);
    tl_lp_close(&lp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_ops_check),
        cmocka_unit_test(test_request_checks),
        cmocka_unit_test(test_bad_quotes),
        cmocka_unit_test(test_good_answers_and_counters),
        cmocka_unit_test(test_bad_execs),
        cmocka_unit_test(test_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
