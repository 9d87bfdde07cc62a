/* test_stop_book.c -- the stop book: exact triggers, update and removal, deterministic ties,
 * arming, and random operations against a brute-force model; tl_stop_price's rounding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/prng.h"
#include "loop/stop_book.h"
#include "tradeloop.h"

#define P(x) TL_FIXED_INT(x)
#define UNIT ((tl_fixed)1) /* 0.00000001 */

static void set_ok(tl_stop_book *b, uint32_t acct, uint32_t inst, bool is_long, tl_fixed px,
                   tl_fixed qty)
{
    tl_err err = {0};
    assert_int_equal(tl_stop_book_set(b, acct, inst, is_long, px, qty, &err), 0);
    assert_int_equal(tl__stop_book_check(b), 0);
}

/* The crossed stops' accounts, in the order reported; returns their number. */
static size_t crossed_accounts(tl_stop_book *b, uint32_t inst, tl_fixed bid, tl_fixed ask,
                               uint32_t *accts, size_t cap, int *rc)
{
    tl_stop out[64];
    size_t n = 99;
    assert_true(cap <= 64);
    *rc = tl_stop_book_crossed(b, inst, bid, ask, out, cap, &n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(out[i].instrument, inst);
        accts[i] = out[i].account;
    }
    return n;
}

static size_t hits(tl_stop_book *b, uint32_t inst, tl_fixed bid, tl_fixed ask)
{
    uint32_t a[64];
    int rc;
    size_t n = crossed_accounts(b, inst, bid, ask, a, 64, &rc);
    assert_int_equal(rc, 0);
    return n;
}

static void test_long_triggers_exactly_at_bid(void **state)
{
    (void)state;
    tl_stop_book b;
    assert_int_equal(tl_stop_book_init(&b, 4), 0);
    set_ok(&b, 7, 0, true, P(98), P(5));
    assert_int_equal(hits(&b, 0, P(98) + UNIT, P(99)), 0); /* one unit above: nothing */
    tl_stop out[2];
    size_t n = 0;
    assert_int_equal(tl_stop_book_crossed(&b, 0, P(98), P(200), out, 2, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].account, 7);
    assert_true(out[0].is_long);
    assert_true(out[0].armed);
    assert_int_equal(out[0].price, P(98));
    assert_int_equal(out[0].qty, P(5));
    assert_int_equal(hits(&b, 0, P(1), P(1000)), 1); /* further through: still crossed */
    assert_int_equal(hits(&b, 0, P(98), P(98)), 1);  /* a long's stop reads the bid only */
    assert_int_equal(hits(&b, 0, P(99), P(1)), 0);
    assert_int_equal(hits(&b, 1, P(1), P(1000)), 0); /* other instrument, and one never seen */
    assert_int_equal(hits(&b, 5000, P(1), P(1000)), 0);
    tl_stop_book_close(&b);
}

static void test_short_triggers_exactly_at_ask(void **state)
{
    (void)state;
    tl_stop_book b;
    assert_int_equal(tl_stop_book_init(&b, 0), 0); /* grows from nothing */
    set_ok(&b, 3, 2, false, P(102), P(1));
    assert_int_equal(hits(&b, 2, P(1), P(102) - UNIT), 0); /* one unit below: nothing */
    assert_int_equal(hits(&b, 2, P(1), P(102)), 1);
    assert_int_equal(hits(&b, 2, P(500), P(102) - UNIT), 0); /* a short's reads the ask only */
    assert_int_equal(hits(&b, 0, P(1), P(1000)), 0);
    tl_stop_book_close(&b);
}

static void test_update_and_remove(void **state)
{
    (void)state;
    tl_stop_book b;
    tl_stop s;
    assert_int_equal(tl_stop_book_init(&b, 2), 0);
    set_ok(&b, 1, 0, true, P(90), P(2));
    set_ok(&b, 2, 0, true, P(95), P(3));
    assert_int_equal(hits(&b, 0, P(94), P(200)), 1);
    set_ok(&b, 1, 0, true, P(94), P(4)); /* the stop follows a scale-in: new price and qty */
    assert_int_equal(tl_stop_book_count(&b), 2);
    assert_int_equal(tl_stop_book_get(&b, 1, 0, &s), 0);
    assert_int_equal(s.price, P(94));
    assert_int_equal(s.qty, P(4));
    assert_int_equal(hits(&b, 0, P(94), P(200)), 2);
    set_ok(&b, 2, 0, true, P(80), P(3)); /* moved down: no longer crossed */
    assert_int_equal(hits(&b, 0, P(94), P(200)), 1);
    set_ok(&b, 2, 0, false, P(120), P(3)); /* flipped short: the other heap */
    assert_int_equal(hits(&b, 0, P(95), P(119)), 0);
    assert_int_equal(hits(&b, 0, P(95), P(120)), 1);

    assert_int_equal(tl_stop_book_remove(&b, 1, 0), 0);
    assert_int_equal(tl__stop_book_check(&b), 0);
    assert_int_equal(tl_stop_book_remove(&b, 1, 0), TL_ENOTFOUND);
    s.price = 12345;
    assert_int_equal(tl_stop_book_get(&b, 1, 0, &s), TL_ENOTFOUND);
    assert_int_equal(s.price, 12345); /* untouched */
    assert_int_equal(hits(&b, 0, P(1), P(1)), 0);
    assert_int_equal(tl_stop_book_count(&b), 1);
    set_ok(&b, 1, 0, true, P(50), P(1)); /* the freed slot is used again */
    assert_int_equal(hits(&b, 0, P(50), P(1)), 1);
    assert_int_equal(tl_stop_book_disarm(&b, 9, 0), TL_ENOTFOUND);
    assert_int_equal(tl_stop_book_arm(&b, 9, 0), TL_ENOTFOUND);
    tl_stop_book_close(&b);
}

static void test_refuses_bad_input(void **state)
{
    (void)state;
    tl_stop_book b;
    tl_err err = {0};
    assert_int_equal(tl_stop_book_init(&b, 2), 0);
    assert_int_equal(tl_stop_book_set(&b, 1, 0, true, 0, P(1), &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "positive"));
    assert_int_equal(tl_stop_book_set(&b, 1, 0, true, P(1), -UNIT, &err), TL_EINVAL);
    assert_int_equal(tl_stop_book_set(&b, 1, TL_STOP_MAX_INSTRUMENTS, true, P(1), P(1), &err),
                     TL_ERANGE);
    assert_int_equal(tl_stop_book_count(&b), 0);
    assert_int_equal(tl__stop_book_check(&b), 0);
    set_ok(&b, 1, 0, true, P(5), P(1));
    assert_int_equal(tl_stop_book_set(&b, 1, 0, true, -P(5), P(1), &err), TL_EINVAL);
    tl_stop s;
    assert_int_equal(tl_stop_book_get(&b, 1, 0, &s), 0);
    assert_int_equal(s.price, P(5)); /* unchanged by the refused update */
    tl_stop_book_close(&b);
}

/* Equal prices go by account; different prices by trigger priority; longs before shorts. */
static void test_ties_are_deterministic(void **state)
{
    (void)state;
    tl_stop_book b;
    assert_int_equal(tl_stop_book_init(&b, 4), 0);
    const uint32_t order_in[] = {5, 2, 9, 1, 7, 3};
    for (size_t i = 0; i < 6; i++)
        set_ok(&b, order_in[i], 0, true, P(100), P(1));
    set_ok(&b, 4, 0, true, P(101), P(1)); /* the highest long stop is crossed first */
    set_ok(&b, 0, 0, true, P(99), P(1));  /* the lowest last */
    set_ok(&b, 8, 0, false, P(103), P(1));
    set_ok(&b, 6, 0, false, P(102), P(1));
    set_ok(&b, 10, 0, false, P(102), P(1));
    uint32_t a[64];
    int rc;
    size_t n = crossed_accounts(&b, 0, P(99), P(104), a, 64, &rc);
    const uint32_t want[] = {4, 1, 2, 3, 5, 7, 9, 0, 6, 10, 8};
    assert_int_equal(rc, 0);
    assert_int_equal(n, 11);
    assert_memory_equal(a, want, sizeof(want));

    /* Out of room: the first cap in the same order, and 1 says there are more. */
    n = crossed_accounts(&b, 0, P(99), P(104), a, 3, &rc);
    assert_int_equal(rc, 1);
    assert_int_equal(n, 3);
    assert_memory_equal(a, want, 3 * sizeof(uint32_t));
    n = crossed_accounts(&b, 0, P(99), P(104), a, 8, &rc); /* every long, shorts left */
    assert_int_equal(rc, 1);
    assert_int_equal(n, 8);
    n = crossed_accounts(&b, 0, P(99), P(102) - UNIT, a, 8, &rc); /* every long, no short */
    assert_int_equal(rc, 0);
    assert_int_equal(n, 8);
    n = crossed_accounts(&b, 0, P(99), P(104), a, 0, &rc);
    assert_int_equal(rc, 1);
    assert_int_equal(n, 0);
    /* Disarming the ones handled and asking again gives the next ones. */
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(tl_stop_book_disarm(&b, want[i], 0), 0);
    n = crossed_accounts(&b, 0, P(99), P(104), a, 3, &rc);
    assert_int_equal(rc, 1);
    assert_memory_equal(a, want + 3, 3 * sizeof(uint32_t));
    tl_stop_book_close(&b);
}

static void test_disarm_and_rearm(void **state)
{
    (void)state;
    tl_stop_book b;
    tl_stop s;
    assert_int_equal(tl_stop_book_init(&b, 4), 0);
    set_ok(&b, 1, 0, true, P(98), P(10));
    set_ok(&b, 2, 0, true, P(97), P(10));
    assert_int_equal(hits(&b, 0, P(97), P(99)), 2);
    assert_int_equal(tl_stop_book_disarm(&b, 1, 0), 0); /* its exit is in flight */
    assert_int_equal(tl__stop_book_check(&b), 0);
    assert_int_equal(tl_stop_book_disarm(&b, 1, 0), 0); /* idempotent */
    assert_int_equal(hits(&b, 0, P(97), P(99)), 1);
    assert_int_equal(hits(&b, 0, P(98), P(99)), 0);
    assert_int_equal(tl_stop_book_get(&b, 1, 0, &s), 0);
    assert_false(s.armed);
    /* A partial fill of the exit shrinks the position: the stop follows, still disarmed. */
    set_ok(&b, 1, 0, true, P(98), P(4));
    assert_int_equal(hits(&b, 0, P(98), P(99)), 0);
    set_ok(&b, 1, 0, false, P(110), P(4)); /* even through a flip */
    assert_int_equal(hits(&b, 0, P(98), P(200)), 0);
    set_ok(&b, 1, 0, true, P(98), P(4));
    /* The exit was canceled with 4 left: armed again, reported again. */
    assert_int_equal(tl_stop_book_arm(&b, 1, 0), 0);
    assert_int_equal(tl__stop_book_check(&b), 0);
    assert_int_equal(tl_stop_book_arm(&b, 1, 0), 0);
    assert_int_equal(tl__stop_book_check(&b), 0);
    uint32_t a[4];
    int rc;
    assert_int_equal(crossed_accounts(&b, 0, P(98), P(99), a, 4, &rc), 1);
    assert_int_equal(a[0], 1);
    /* A disarmed stop is removed like any other; a new position's stop starts armed. */
    assert_int_equal(tl_stop_book_disarm(&b, 2, 0), 0);
    assert_int_equal(tl_stop_book_remove(&b, 2, 0), 0);
    assert_int_equal(tl__stop_book_check(&b), 0);
    set_ok(&b, 2, 0, true, P(97), P(1));
    assert_int_equal(hits(&b, 0, P(97), P(99)), 2);
    tl_stop_book_close(&b);
}

static void test_stop_price(void **state)
{
    (void)state;
    tl_fixed r = 0;
    assert_int_equal(tl_stop_price(true, P(100), P(2), &r), 0);
    assert_int_equal(r, P(98));
    assert_int_equal(tl_stop_price(false, P(100), P(2), &r), 0);
    assert_int_equal(r, P(102));
    /* 1.0000003 * 0.98 = 0.980000294: a long's stop rounds up, toward the entry (half away
     * from zero would give 0.98000029). */
    assert_int_equal(tl_stop_price(true, P(1) + 30, P(2), &r), 0);
    assert_int_equal(r, 98000030);
    /* 1.0000003 * 1.02 = 1.020000306: a short's rounds down, toward the entry (half away would
     * give 1.02000031). */
    assert_int_equal(tl_stop_price(false, P(1) + 30, P(2), &r), 0);
    assert_int_equal(r, 102000030);
    /* A 0.12345678% stop under 12345.67890123: * 0.9987654322 = 12330.4373235894..., up. */
    assert_int_equal(tl_stop_price(true, 1234567890123, 12345678, &r), 0);
    assert_int_equal(r, 1233043732359);
    /* The smallest stop: a long entered at one unit with 99.99999999% stops at one unit. */
    assert_int_equal(tl_stop_price(true, 1, P(100) - 1, &r), 0);
    assert_int_equal(r, 1);

    r = 42;
    assert_int_equal(tl_stop_price(true, P(100), 0, &r), TL_EINVAL);
    assert_int_equal(tl_stop_price(true, P(100), -P(1), &r), TL_EINVAL);
    assert_int_equal(tl_stop_price(false, P(100), P(100), &r), TL_EINVAL);
    assert_int_equal(tl_stop_price(true, 0, P(2), &r), TL_EINVAL);
    assert_int_equal(tl_stop_price(false, -P(1), P(2), &r), TL_EINVAL);
    assert_int_equal(tl_stop_price(false, TL_FIXED_MAX, P(2), &r), TL_ERANGE);
    assert_int_equal(r, 42); /* untouched on error */
    assert_int_equal(tl_stop_price(true, TL_FIXED_MAX, P(2), &r), 0);
    assert_true(r > 0 && r < TL_FIXED_MAX);
}

/* ---- random operations against a brute-force model ----------------------------------------- */

typedef struct model {
    uint32_t naccts, ninst;
    tl_stop *s; /* naccts * ninst */
    bool *present;
} model;

/* Field by field: the structs have padding. */
static void assert_same_stop(const tl_stop *a, const tl_stop *b)
{
    assert_int_equal(a->account, b->account);
    assert_int_equal(a->instrument, b->instrument);
    assert_int_equal(a->price, b->price);
    assert_int_equal(a->qty, b->qty);
    assert_int_equal(a->is_long, b->is_long);
    assert_int_equal(a->armed, b->armed);
}

static int cmp_hits(const void *pa, const void *pb)
{
    const tl_stop *a = pa, *b = pb;
    if (a->is_long != b->is_long)
        return a->is_long ? -1 : 1;
    if (a->price != b->price)
        return (a->is_long ? a->price > b->price : a->price < b->price) ? -1 : 1;
    return a->account < b->account ? -1 : 1;
}

static size_t model_crossed(const model *m, uint32_t inst, tl_fixed bid, tl_fixed ask, tl_stop *out)
{
    size_t n = 0;
    for (uint32_t a = 0; a < m->naccts; a++) {
        size_t i = (size_t)a * m->ninst + inst;
        const tl_stop *s = &m->s[i];
        if (m->present[i] && s->armed && (s->is_long ? bid <= s->price : ask >= s->price))
            out[n++] = *s;
    }
    qsort(out, n, sizeof(*out), cmp_hits);
    return n;
}

static void run_random(uint64_t seed, uint32_t naccts, uint32_t ninst, uint32_t ops,
                       uint32_t check_every)
{
    tl_prng rng;
    tl_prng_seed(&rng, seed);
    model m = {naccts, ninst, calloc((size_t)naccts * ninst, sizeof(tl_stop)),
               calloc((size_t)naccts * ninst, sizeof(bool))};
    tl_stop *want = calloc((size_t)naccts + 1, sizeof(tl_stop));
    tl_stop *got = calloc((size_t)naccts + 1, sizeof(tl_stop));
    assert_non_null(m.s);
    assert_non_null(want);
    assert_non_null(got);
    tl_stop_book b;
    assert_int_equal(tl_stop_book_init(&b, 8), 0); /* small: growth is exercised too */
    uint64_t reported = 0;
    for (uint32_t op = 0; op < ops; op++) {
        uint32_t acct = (uint32_t)tl_prng_below(&rng, naccts) * 3 + 1; /* sparse ids */
        uint32_t inst = (uint32_t)tl_prng_below(&rng, ninst);
        size_t mi = (size_t)(acct / 3) * ninst + inst;
        /* Prices from a narrow grid so ties are common. */
        tl_fixed px = P(90) + (tl_fixed)tl_prng_below(&rng, 41) * (P(1) / 2);
        uint64_t kind = tl_prng_below(&rng, 100);
        tl_stop s;
        if (kind < 40) {
            bool is_long = tl_prng_below(&rng, 2) == 0;
            tl_fixed qty = (tl_fixed)tl_prng_below(&rng, 1000) + 1;
            tl_err err;
            assert_int_equal(tl_stop_book_set(&b, acct, inst, is_long, px, qty, &err), 0);
            bool armed = m.present[mi] ? m.s[mi].armed : true;
            m.s[mi] = (tl_stop){acct, inst, px, qty, is_long, armed};
            m.present[mi] = true;
        } else if (kind < 50) {
            assert_int_equal(tl_stop_book_remove(&b, acct, inst), m.present[mi] ? 0 : TL_ENOTFOUND);
            m.present[mi] = false;
        } else if (kind < 58) {
            assert_int_equal(tl_stop_book_disarm(&b, acct, inst), m.present[mi] ? 0 : TL_ENOTFOUND);
            m.s[mi].armed = false;
        } else if (kind < 64) {
            assert_int_equal(tl_stop_book_arm(&b, acct, inst), m.present[mi] ? 0 : TL_ENOTFOUND);
            m.s[mi].armed = true;
        } else if (kind < 70) {
            int rc = tl_stop_book_get(&b, acct, inst, &s);
            assert_int_equal(rc, m.present[mi] ? 0 : TL_ENOTFOUND);
            if (rc == 0)
                assert_same_stop(&s, &m.s[mi]);
        } else {
            /* A quote around the grid; sometimes with a small buffer. */
            tl_fixed bid = px - (tl_fixed)tl_prng_below(&rng, 3) * (P(1) / 2);
            tl_fixed ask = bid + (tl_fixed)tl_prng_below(&rng, 4) * (P(1) / 2);
            size_t cap = tl_prng_below(&rng, 4) == 0 ? tl_prng_below(&rng, 4) : naccts + 1;
            size_t k = model_crossed(&m, inst, bid, ask, want), n = 0;
            int rc = tl_stop_book_crossed(&b, inst, bid, ask, got, cap, &n);
            assert_int_equal(rc, k > cap ? 1 : 0);
            assert_int_equal(n, k > cap ? cap : k);
            for (size_t i = 0; i < n; i++)
                assert_same_stop(&got[i], &want[i]);
            reported += n;
        }
        if (op % check_every == 0)
            assert_int_equal(tl__stop_book_check(&b), 0);
    }
    assert_int_equal(tl__stop_book_check(&b), 0);
    uint32_t live = 0;
    for (size_t i = 0; i < (size_t)naccts * ninst; i++)
        live += m.present[i];
    assert_int_equal(tl_stop_book_count(&b), live);
    assert_true(reported > ops / 10); /* the quotes did cross stops, often */
    tl_stop_book_close(&b);
    free(m.s);
    free(m.present);
    free(want);
    free(got);
}

static void test_random_small(void **state)
{
    (void)state;
    run_random(1, 12, 5, 20000, 1);
}

/* Deep heaps (hundreds of stops per instrument side), checked less often to stay fast. */
static void test_random_deep(void **state)
{
    (void)state;
    run_random(2, 600, 3, 30000, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_triggers_exactly_at_bid),
        cmocka_unit_test(test_short_triggers_exactly_at_ask),
        cmocka_unit_test(test_update_and_remove),
        cmocka_unit_test(test_refuses_bad_input),
        cmocka_unit_test(test_ties_are_deterministic),
        cmocka_unit_test(test_disarm_and_rearm),
        cmocka_unit_test(test_stop_price),
        cmocka_unit_test(test_random_small),
        cmocka_unit_test(test_random_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
