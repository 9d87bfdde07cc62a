/*
 * test_rfq_lock.c -- the desk's choice and lock: the best price per side, ties to the faster LP
 * then the lower index, a lock replaced only by a strictly better price, its expiry at the first
 * nanosecond past its validity, nothing locked after it, stale candidates never locked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rfq/lock.h"

#define S    1000000000LL
#define F(x) TL_FIXED_INT(x)

static tl_rfq_candidate cand(uint32_t lp, tl_fixed price, int64_t latency, int64_t until)
{
    return (tl_rfq_candidate){lp, lp, price, latency, until};
}

static void test_best(void **state)
{
    (void)state;
    tl_rfq_candidate c[4] = {cand(0, F(101), 300, S), cand(1, F(100), 400, S),
                             cand(2, F(100), 200, S), cand(3, F(99), 100, S)};
    assert_int_equal(tl_rfq_best(c, 4, false), 0); /* a sell: the highest bid */
    assert_int_equal(tl_rfq_best(c, 3, true), 2);  /* a buy: 100, the faster of two */
    assert_int_equal(tl_rfq_best(c, 4, true), 3);
    c[2].latency_ns = 400; /* same price, same latency: the lower index */
    assert_int_equal(tl_rfq_best(c, 3, true), 1);
    assert_int_equal(tl_rfq_best(c, 0, true), -1);
}

static void test_lock_only_strictly_better(void **state)
{
    (void)state;
    tl_rfq_lock l;
    tl_rfq_lock_init(&l, true);
    assert_int_equal(tl_rfq_lock_offer(&l, NULL, 0), TL_RFQ_NONE);
    tl_rfq_candidate a = cand(0, F(100), 10, 8 * S), b = cand(1, F(100), 5, 9 * S);
    tl_rfq_candidate c = cand(2, F(100) - 1, 50, 10 * S), w = cand(1, F(101), 1, 20 * S);
    assert_int_equal(tl_rfq_lock_offer(&l, &a, 0), TL_RFQ_LOCKED);
    assert_int_equal(tl_rfq_lock_offer(&l, &b, S), TL_RFQ_KEPT); /* equal price: kept */
    assert_int_equal(l.quote.lp, 0);
    assert_int_equal(tl_rfq_lock_offer(&l, &w, S), TL_RFQ_KEPT); /* worse: kept */
    assert_int_equal(tl_rfq_lock_offer(&l, &c, 2 * S), TL_RFQ_IMPROVED);
    assert_int_equal(l.quote.lp, 2);
    assert_int_equal(l.quote.valid_until_ns, 10 * S); /* with its own validity */
    assert_int_equal(l.locked_ns, 2 * S);
}

static void test_expiry(void **state)
{
    (void)state;
    tl_rfq_lock l;
    tl_rfq_lock_init(&l, false);
    tl_rfq_candidate a = cand(0, F(100), 10, 8 * S), better = cand(1, F(101), 10, 30 * S);
    assert_int_equal(tl_rfq_lock_offer(&l, &a, 0), TL_RFQ_LOCKED);
    assert_true(tl_rfq_lock_valid(&l, 8 * S)); /* its last nanosecond */
    assert_false(tl_rfq_lock_valid(&l, 8 * S + 1));
    assert_int_equal(tl_rfq_lock_offer(&l, NULL, 8 * S), TL_RFQ_KEPT);
    /* Past it, even a better quote does not revive the stream. */
    assert_int_equal(tl_rfq_lock_offer(&l, &better, 8 * S + 1), TL_RFQ_EXPIRED);
    assert_true(l.expired);
    assert_false(tl_rfq_lock_valid(&l, 8 * S + 1));
    assert_int_equal(tl_rfq_lock_offer(&l, &better, 9 * S), TL_RFQ_EXPIRED);
}

static void test_stale_candidate_never_locked(void **state)
{
    (void)state;
    tl_rfq_lock l;
    tl_rfq_lock_init(&l, true);
    tl_rfq_candidate old = cand(0, F(90), 10, S);
    assert_int_equal(tl_rfq_lock_offer(&l, &old, S + 1), TL_RFQ_NONE);
    assert_false(l.held);
    assert_string_equal(tl_rfq_lock_change_name(TL_RFQ_IMPROVED), "improved");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best),
        cmocka_unit_test(test_lock_only_strictly_better),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_stale_candidate_never_locked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
