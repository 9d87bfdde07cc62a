/* Unit tests of positions and the cash ledger (src/model/position.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "model/position.h"

#define F(n) TL_FIXED_INT(n)
#define E8   1 /* one unit in the last place: 0.00000001 */

static tl_position flat(void)
{
    tl_position p;
    memset(&p, 0, sizeof(p));
    return p;
}

static void apply_ok(tl_position *p, tl_side side, tl_fixed qty, tl_fixed px, tl_fixed fee,
                     tl_fill_effect *eff)
{
    assert_int_equal(tl_position_apply(p, side, qty, px, fee, eff), 0);
}

static void test_scaling_exact(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    apply_ok(&p, TL_SIDE_BUY, F(1), F(100), 0, &e);
    assert_int_equal(e.change, TL_POS_OPENED);
    assert_int_equal(e.cash_delta, -F(100));
    assert_int_equal(e.realized, 0);
    apply_ok(&p, TL_SIDE_BUY, F(3), F(200), 0, &e);
    assert_int_equal(e.change, TL_POS_SCALED);
    assert_int_equal(e.cash_delta, -F(600));
    assert_int_equal(p.qty, F(4));
    assert_int_equal(p.avg_price, F(175));
    assert_int_equal(p.bought, F(4));
    assert_int_equal(p.sold, 0);
    assert_int_equal(p.realized_pnl, 0);

    /* The same on the short side: the average is a price, positive. */
    p = flat();
    apply_ok(&p, TL_SIDE_SELL, F(1), F(100), 0, &e);
    assert_int_equal(e.change, TL_POS_OPENED);
    assert_int_equal(e.cash_delta, F(100));
    apply_ok(&p, TL_SIDE_SELL, F(3), F(200), 0, &e);
    assert_int_equal(e.change, TL_POS_SCALED);
    assert_int_equal(p.qty, -F(4));
    assert_int_equal(p.avg_price, F(175));
    assert_int_equal(p.sold, F(4));
}

static void test_scaling_rounds_once(void **state)
{
    (void)state;
    tl_position p = flat();

    /* (1 + 1.00000001) / 2 = 1.000000005: half rounds away from zero. */
    apply_ok(&p, TL_SIDE_BUY, F(1), F(1), 0, NULL);
    apply_ok(&p, TL_SIDE_BUY, F(1), F(1) + E8, 0, NULL);
    assert_int_equal(p.avg_price, F(1) + E8);

    /* (2 + 1.00000001) / 3 = 1.0000000033: rounds down. */
    p = flat();
    apply_ok(&p, TL_SIDE_BUY, F(2), F(1), 0, NULL);
    apply_ok(&p, TL_SIDE_BUY, F(1), F(1) + E8, 0, NULL);
    assert_int_equal(p.avg_price, F(1));

    /* (1 + 2*1.00000001) / 3 = 1.0000000067: rounds up. */
    p = flat();
    apply_ok(&p, TL_SIDE_SELL, F(1), F(1), 0, NULL);
    apply_ok(&p, TL_SIDE_SELL, F(2), F(1) + E8, 0, NULL);
    assert_int_equal(p.avg_price, F(1) + E8);

    /* Fractional lots: the average is of what cash paid, not of the exact products. 0.2 @
     * 10.00000001 costs 2.000000002 -> 2.00000000 (the cash ledger's one rounding), so the basis is
     * 1 + 2 = 3 and the average 3 / 0.3 = 10. (Averaging the exact products gave 10.00000001, a
     * price nobody paid, and the realized P&L drifted from cash by the difference.) */
    p = flat();
    apply_ok(&p, TL_SIDE_BUY, F(1) / 10, F(10), 0, NULL);
    apply_ok(&p, TL_SIDE_BUY, F(2) / 10, F(10) + E8, 0, NULL);
    assert_int_equal(p.cost_basis, F(3));
    assert_int_equal(p.avg_price, F(10));
    assert_int_equal(p.qty, F(3) / 10);
}

static void test_reduce_long(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    apply_ok(&p, TL_SIDE_BUY, F(1), F(100), 0, NULL);
    apply_ok(&p, TL_SIDE_BUY, F(3), F(200), 0, NULL);
    apply_ok(&p, TL_SIDE_SELL, F(1), F(200), 0, &e); /* profit: (200-175)*1 */
    assert_int_equal(e.change, TL_POS_REDUCED);
    assert_int_equal(e.realized, F(25));
    assert_int_equal(e.cash_delta, F(200));
    assert_int_equal(p.qty, F(3));
    assert_int_equal(p.avg_price, F(175));
    apply_ok(&p, TL_SIDE_SELL, F(2), F(150), 0, &e); /* loss: (150-175)*2 */
    assert_int_equal(e.change, TL_POS_REDUCED);
    assert_int_equal(e.realized, -F(50));
    assert_int_equal(p.qty, F(1));
    assert_int_equal(p.avg_price, F(175));
    assert_int_equal(p.realized_pnl, -F(25));
    assert_int_equal(p.bought, F(4));
    assert_int_equal(p.sold, F(3));
}

static void test_reduce_short(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    apply_ok(&p, TL_SIDE_SELL, F(3), F(100), 0, NULL);
    apply_ok(&p, TL_SIDE_BUY, F(1), F(90), 0, &e); /* short gains when the price falls */
    assert_int_equal(e.change, TL_POS_REDUCED);
    assert_int_equal(e.realized, F(10));
    assert_int_equal(e.cash_delta, -F(90));
    assert_int_equal(p.qty, -F(2));
    assert_int_equal(p.avg_price, F(100));
    apply_ok(&p, TL_SIDE_BUY, F(1), F(130), 0, &e);
    assert_int_equal(e.realized, -F(30));
    assert_int_equal(p.qty, -F(1));
    assert_int_equal(p.avg_price, F(100));
    assert_int_equal(p.realized_pnl, -F(20));
}

static void test_realized_rounding(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    /* Proceeds 0.5 * 100.00000001 = 50.000000005 -> 50.00000001 against half the basis, 50. */
    apply_ok(&p, TL_SIDE_BUY, F(1), F(100), 0, NULL);
    apply_ok(&p, TL_SIDE_SELL, F(1) / 2, F(100) + E8, 0, &e);
    assert_int_equal(e.cash_delta, F(50) + E8);
    assert_int_equal(e.realized, E8);
    assert_int_equal(p.cost_basis, F(50));
    /* Proceeds 0.5 * 99.99999999 = 49.999999995 -> 50.00000000 against the rest of the basis, 50:
     * nothing realised. The position made 0.00000001 in cash and realised exactly that (rounding
     * each leg's P&L on its own gave +1 - 1 = 0, a unit short of the cash). */
    apply_ok(&p, TL_SIDE_SELL, F(1) / 2, F(100) - E8, 0, &e);
    assert_int_equal(e.cash_delta, F(50));
    assert_int_equal(e.realized, 0);
    assert_int_equal(e.change, TL_POS_CLOSED);
    assert_int_equal(p.realized_pnl, E8);
    assert_int_equal(p.cost_basis, 0);

    /* Cash rounds the same way: 0.5 @ 0.00000001 is 0.000000005 -> 0.00000001 paid. */
    p = flat();
    apply_ok(&p, TL_SIDE_BUY, F(1) / 2, E8, 0, &e);
    assert_int_equal(e.cash_delta, -E8);
    assert_int_equal(p.cost_basis, E8);
    assert_int_equal(p.avg_price, 2 * E8); /* 0.00000001 paid for 0.5 */
}

/* Fills whose exact products pass 64 bits (1e-16 units) round by the same rule as small ones,
 * which take a 64-bit path: half a unit away from zero, once per notional and once per share of
 * a basis. */
static void test_wide_products_round_the_same(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    /* 1000 @ 90000.00000001: cash -90,000,000.00001 exactly (1e27 units: wide). */
    apply_ok(&p, TL_SIDE_BUY, F(1000), F(90000) + E8, 0, &e);
    assert_int_equal(e.cash_delta, -(F(90000000) + 1000 * E8));
    assert_int_equal(p.cost_basis, F(90000000) + 1000 * E8);
    /* Sell 999.5 @ 90000.00000002: proceeds 89,955,000.00001999, exact from a product far past 64
     * bits; the basis share 90,000,000.00001 * 999.5 / 1000 = 89,955,000.000009995 rounds (half
     * away) to 89,955,000.00001: P&L 0.00000999. */
    apply_ok(&p, TL_SIDE_SELL, F(1999) / 2, F(90000) + 2 * E8, 0, &e);
    assert_int_equal(e.cash_delta, F(89955000) + 1999 * E8);
    assert_int_equal(e.realized, 999 * E8);
    assert_int_equal(e.change, TL_POS_REDUCED);
    assert_int_equal(p.cost_basis, F(45000));
    /* The last 0.5: proceeds 45,000.00000001 against the basis left, 45,000. */
    apply_ok(&p, TL_SIDE_SELL, F(1) / 2, F(90000) + 2 * E8, 0, &e);
    assert_int_equal(e.realized, E8);
    assert_int_equal(e.change, TL_POS_CLOSED);
    /* Exactly the cash made: 89,955,000.00001999 + 45,000.00000001 - 90,000,000.00001. (Rounding
     * (px - avg) * qty per leg gave 0.00001001.) */
    assert_int_equal(p.realized_pnl, 1000 * E8);
    /* Short side: the basis is what the sale received; the cover costs 45,000.00000001 and the
     * share of the basis 45,000.000000005 rounds away from zero to the same. */
    p = flat();
    apply_ok(&p, TL_SIDE_SELL, F(1000), F(90000) + E8, 0, &e);
    assert_int_equal(e.cash_delta, F(90000000) + 1000 * E8);
    apply_ok(&p, TL_SIDE_BUY, F(1) / 2, F(90000) + 2 * E8, 0, &e);
    assert_int_equal(e.cash_delta, -(F(45000) + E8));
    assert_int_equal(e.realized, 0);
    assert_int_equal(p.cost_basis, F(89955000) + 999 * E8);
}

static void test_close_to_flat(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    apply_ok(&p, TL_SIDE_BUY, F(2), F(100), 0, NULL);
    apply_ok(&p, TL_SIDE_SELL, F(2), F(101), 0, &e);
    assert_int_equal(e.change, TL_POS_CLOSED);
    assert_int_equal(e.realized, F(2));
    assert_int_equal(p.qty, 0);
    assert_int_equal(p.avg_price, 0);

    /* Reopening from flat takes the new price, whatever came before. */
    apply_ok(&p, TL_SIDE_SELL, F(1), F(50), 0, &e);
    assert_int_equal(e.change, TL_POS_OPENED);
    assert_int_equal(p.avg_price, F(50));
    apply_ok(&p, TL_SIDE_BUY, F(1), F(40), 0, &e);
    assert_int_equal(e.change, TL_POS_CLOSED);
    assert_int_equal(e.realized, F(10));
    assert_int_equal(p.avg_price, 0);
    assert_int_equal(p.realized_pnl, F(12));
}

static void test_flip(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    /* long 2 @100, sell 5 @110: +20 on the 2 closed, short 3 @110 */
    apply_ok(&p, TL_SIDE_BUY, F(2), F(100), 0, NULL);
    apply_ok(&p, TL_SIDE_SELL, F(5), F(110), 0, &e);
    assert_int_equal(e.change, TL_POS_FLIPPED);
    assert_int_equal(e.realized, F(20));
    assert_int_equal(e.cash_delta, F(550));
    assert_int_equal(p.qty, -F(3));
    assert_int_equal(p.avg_price, F(110));

    /* short 3 @110, buy 4 @120: -30 on the 3 closed, long 1 @120 */
    apply_ok(&p, TL_SIDE_BUY, F(4), F(120), 0, &e);
    assert_int_equal(e.change, TL_POS_FLIPPED);
    assert_int_equal(e.realized, -F(30));
    assert_int_equal(e.cash_delta, -F(480));
    assert_int_equal(p.qty, F(1));
    assert_int_equal(p.avg_price, F(120));
    assert_int_equal(p.realized_pnl, -F(10));
    assert_int_equal(p.bought, F(6));
    assert_int_equal(p.sold, F(5));
}

static void test_fees(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;
    tl_fixed fee1 = F(1) / 10, fee2 = F(11) / 100; /* 0.1, 0.11 */

    apply_ok(&p, TL_SIDE_BUY, F(1), F(100), fee1, &e);
    assert_int_equal(e.cash_delta, -F(100) - fee1);
    apply_ok(&p, TL_SIDE_SELL, F(1), F(110), fee2, &e);
    assert_int_equal(e.cash_delta, F(110) - fee2);
    assert_int_equal(e.realized, F(10)); /* before fees */
    assert_int_equal(p.fees, fee1 + fee2);
    assert_int_equal(p.realized_pnl, F(10));
}

static void test_invalid_and_overflow(void **state)
{
    (void)state;
    tl_position p = flat(), before;
    tl_fill_effect e = {.realized = 12345};

    assert_int_equal(tl_position_apply(&p, TL_SIDE_BUY, 0, F(1), 0, &e), TL_EINVAL);
    assert_int_equal(tl_position_apply(&p, TL_SIDE_BUY, F(1), 0, 0, &e), TL_EINVAL);
    assert_int_equal(tl_position_apply(&p, TL_SIDE_BUY, F(1), F(1), -1, &e), TL_EINVAL);
    assert_int_equal(tl_position_apply(&p, (tl_side)7, F(1), F(1), 0, &e), TL_EINVAL);

    /* Cash overflow: 1e6 * 1e6 does not fit. */
    before = p;
    assert_int_equal(tl_position_apply(&p, TL_SIDE_BUY, F(1000000), F(1000000), 0, &e), TL_ERANGE);
    assert_memory_equal(&p, &before, sizeof(p));
    assert_int_equal(e.realized, 12345); /* effect untouched too */

    /* Quantity overflow. */
    p.qty = TL_FIXED_MAX - 1;
    p.avg_price = E8;
    before = p;
    assert_int_equal(tl_position_apply(&p, TL_SIDE_BUY, 2, E8, 0, &e), TL_ERANGE);
    assert_memory_equal(&p, &before, sizeof(p));

    /* Realized P&L accumulator overflow, after everything else would have succeeded. */
    p = flat();
    apply_ok(&p, TL_SIDE_BUY, F(1), F(100), 0, NULL);
    p.realized_pnl = TL_FIXED_MAX - F(5);
    before = p;
    assert_int_equal(tl_position_apply(&p, TL_SIDE_SELL, F(1), F(110), 0, &e), TL_ERANGE);
    assert_memory_equal(&p, &before, sizeof(p));

    /* Fee accumulator overflow. */
    p = flat();
    p.fees = TL_FIXED_MAX;
    before = p;
    assert_int_equal(tl_position_apply(&p, TL_SIDE_BUY, F(1), F(1), E8, &e), TL_ERANGE);
    assert_memory_equal(&p, &before, sizeof(p));
}

/* The drift this basis fixes: the average 50 / 30 = 1.66666667 was rounded and reused, so
 * closing at 2 realised (2 - 1.66666667) * 30 = 9.9999999 while cash made 10. */
static void test_scale_in_then_close_realizes_the_cash(void **state)
{
    (void)state;
    tl_book b;
    tl_fill_effect e;

    assert_int_equal(tl_book_init(&b, 0), 0);
    assert_int_equal(tl_book_open_account(&b, 1, F(100)), 0);
    assert_int_equal(tl_book_apply_fill(&b, 1, 1, TL_SIDE_BUY, F(10), F(1), 0, NULL), 0);
    assert_int_equal(tl_book_apply_fill(&b, 1, 1, TL_SIDE_BUY, F(20), F(2), 0, NULL), 0);
    const tl_position *p = tl_book_find(&b, 1, 1);
    assert_int_equal(p->cost_basis, F(50));
    assert_int_equal(p->avg_price, 166666667); /* derived, for display: 1.66666667 */
    assert_int_equal(tl_book_apply_fill(&b, 1, 1, TL_SIDE_SELL, F(30), F(2), 0, &e), 0);
    assert_int_equal(e.change, TL_POS_CLOSED);
    assert_int_equal(e.realized, 1000000000); /* 10.00000000, not 9.99999990 */
    const tl_account *a = tl_book_find_account(&b, 1);
    assert_int_equal(a->cash, F(110));
    assert_int_equal(a->realized_pnl, F(10));
    assert_int_equal(p->cost_basis, 0);
    assert_int_equal(p->avg_price, 0);

    /* The same on the short side: sell 10 @ 2, sell 20 @ 1, buy all 30 back @ 1. */
    assert_int_equal(tl_book_apply_fill(&b, 1, 2, TL_SIDE_SELL, F(10), F(2), 0, NULL), 0);
    assert_int_equal(tl_book_apply_fill(&b, 1, 2, TL_SIDE_SELL, F(20), F(1), 0, NULL), 0);
    assert_int_equal(tl_book_find(&b, 1, 2)->avg_price, 133333333);
    assert_int_equal(tl_book_apply_fill(&b, 1, 2, TL_SIDE_BUY, F(30), F(1), 0, &e), 0);
    assert_int_equal(e.realized, F(10));
    assert_int_equal(a->cash, F(120));
    tl_book_close(&b);
}

/* A reduction takes the rounded share of the basis; the average of the rest is re-derived from
 * what is left, so it may move by a unit, and the next close takes the remainder exactly. */
static void test_partial_reduction_shares_the_basis(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    apply_ok(&p, TL_SIDE_BUY, F(1), F(1), 0, NULL);
    apply_ok(&p, TL_SIDE_BUY, F(2), F(2), 0, NULL); /* basis 5, qty 3, avg 1.66666667 */
    apply_ok(&p, TL_SIDE_SELL, F(1), F(2), 0, &e);
    /* cost round(5 * 1/3) = 1.66666667, proceeds 2. */
    assert_int_equal(e.realized, F(2) - 166666667);
    assert_int_equal(p.cost_basis, F(5) - 166666667); /* 3.33333333 for 2 */
    assert_int_equal(p.avg_price, 166666667);         /* 1.666666665 rounds away from zero */
    apply_ok(&p, TL_SIDE_SELL, F(2), F(2), 0, &e);
    assert_int_equal(e.realized, F(4) - (F(5) - 166666667));
    assert_int_equal(p.realized_pnl, F(1)); /* 6 received - 5 paid */
}

/* A flip splits the fill's notional: the closing part at round(Q * px), the opening part's basis
 * the rest, so the two add up to the cash the fill moved. */
static void test_flip_splits_the_notional(void **state)
{
    (void)state;
    tl_position p = flat();
    tl_fill_effect e;

    apply_ok(&p, TL_SIDE_BUY, F(1) / 2, 3 * E8, 0, &e); /* 1.5 units -> 2 paid */
    assert_int_equal(e.cash_delta, -2 * E8);
    apply_ok(&p, TL_SIDE_SELL, F(3) / 2, 3 * E8, 0, &e); /* 4.5 units -> 5 received */
    assert_int_equal(e.change, TL_POS_FLIPPED);
    assert_int_equal(e.cash_delta, 5 * E8);
    assert_int_equal(e.realized, 0);        /* closing 0.5 * 3 = 1.5 -> 2, against 2 */
    assert_int_equal(p.cost_basis, 3 * E8); /* 5 - 2 */
    assert_int_equal(p.avg_price, 3 * E8);
    assert_int_equal(p.qty, -F(1));
    /* cash made -2 + 5 = 3 == realized 0 + short basis 3 */
}

static void test_basis_overflow_changes_nothing(void **state)
{
    (void)state;
    tl_position p = flat(), before;
    tl_fill_effect e = {.realized = 4242};

    /* The basis would pass TL_FIXED_MAX though the fill's own notional fits. */
    apply_ok(&p, TL_SIDE_BUY, F(1), F(1), 0, NULL);
    p.cost_basis = TL_FIXED_MAX - F(1) / 2;
    before = p;
    assert_int_equal(tl_position_apply(&p, TL_SIDE_BUY, F(1), F(1), 0, &e), TL_ERANGE);
    assert_memory_equal(&p, &before, sizeof(p));
    assert_int_equal(e.realized, 4242);

    /* The derived average would not fit: 0.00000001 @ the largest price costs
     * 92233720368.54775807 -> 92233720369 (rounded up), which is more than TL_FIXED_MAX per unit
     * of quantity. */
    p = flat();
    before = p;
    assert_int_equal(tl_position_apply(&p, TL_SIDE_SELL, E8, TL_FIXED_MAX, 0, &e), TL_ERANGE);
    assert_memory_equal(&p, &before, sizeof(p));
}

static void test_book_round_trip(void **state)
{
    (void)state;
    tl_book b;
    tl_fill_effect e;

    assert_int_equal(tl_book_init(&b, F(500)), 0);
    assert_int_equal(tl_book_open_account(&b, 1, F(1000)), 0);
    assert_int_equal(tl_book_apply_fill(&b, 1, 3, TL_SIDE_BUY, F(2), F(100), F(2) / 10, &e), 0);
    assert_int_equal(e.change, TL_POS_OPENED);
    assert_int_equal(tl_book_apply_fill(&b, 1, 3, TL_SIDE_SELL, F(2), F(105), F(21) / 100, &e), 0);
    assert_int_equal(e.change, TL_POS_CLOSED);
    assert_int_equal(e.realized, F(10));

    const tl_account *a = tl_book_account(&b, 1, 0);
    assert_non_null(a);
    /* 1000 - 200 - 0.2 + 210 - 0.21 */
    assert_int_equal(a->cash, F(1000) + F(10) - F(41) / 100);
    assert_int_equal(a->starting_cash, F(1000));
    assert_int_equal(a->realized_pnl, F(10));
    assert_int_equal(a->fees, F(41) / 100);
    /* The ledger identity: cash = start + realized - fees once flat. */
    assert_int_equal(a->cash, a->starting_cash + a->realized_pnl - a->fees);

    const tl_position *p = tl_book_find(&b, 1, 3);
    assert_non_null(p);
    assert_int_equal(p->qty, 0);
    assert_int_equal(p->account, 1);
    assert_int_equal(p->instrument, 3);

    /* An account first seen through a fill starts with the default cash. */
    assert_null(tl_book_account(&b, 2, 0));
    assert_int_equal(tl_book_apply_fill(&b, 2, 3, TL_SIDE_SELL, F(1), F(100), 0, NULL), 0);
    a = tl_book_account(&b, 2, 0);
    assert_non_null(a);
    assert_int_equal(a->starting_cash, F(500));
    assert_int_equal(a->cash, F(600));

    /* Reopening resets the account, not the positions. */
    assert_int_equal(tl_book_open_account(&b, 2, F(7)), 0);
    a = tl_book_account(&b, 2, 0);
    assert_int_equal(a->cash, F(7));
    assert_int_equal(a->realized_pnl, 0);
    assert_int_equal(tl_book_find(&b, 2, 3)->qty, -F(1));

    tl_book_clear(&b);
    assert_int_equal(b.pos_count, 0);
    assert_int_equal(b.acct_count, 0);
    assert_null(tl_book_find(&b, 1, 3));
    assert_null(tl_book_account(&b, 1, 0));
    tl_book_close(&b);
}

static void test_book_overflow_is_atomic(void **state)
{
    (void)state;
    tl_book b;
    tl_position pos_before;
    tl_account acct_before;
    tl_fill_effect e = {.realized = 777};

    assert_int_equal(tl_book_init(&b, 0), 0);
    assert_int_equal(tl_book_open_account(&b, 1, TL_FIXED_MAX - F(10)), 0);
    assert_int_equal(tl_book_apply_fill(&b, 1, 7, TL_SIDE_BUY, F(1), F(100), 0, NULL), 0);

    /* The position could take this sale; the account's cash could not. */
    pos_before = *tl_book_find(&b, 1, 7);
    acct_before = *tl_book_account(&b, 1, 0);
    assert_int_equal(tl_book_apply_fill(&b, 1, 7, TL_SIDE_SELL, F(1), F(200), 0, &e), TL_ERANGE);
    assert_memory_equal(tl_book_find(&b, 1, 7), &pos_before, sizeof(pos_before));
    assert_memory_equal(tl_book_account(&b, 1, 0), &acct_before, sizeof(acct_before));
    assert_int_equal(e.realized, 777);

    /* A pair the failed fill would have created is not left behind. */
    assert_int_equal(tl_book_apply_fill(&b, 1, 8, TL_SIDE_SELL, F(1), F(200), 0, NULL), TL_ERANGE);
    assert_null(tl_book_find(&b, 1, 8));
    assert_int_equal(b.pos_count, 1);

    /* Nor an account: a new account whose default cash overflows on its first fill. */
    b.default_starting_cash = TL_FIXED_MAX;
    assert_int_equal(tl_book_apply_fill(&b, 9, 7, TL_SIDE_SELL, F(1), F(1), 0, NULL), TL_ERANGE);
    assert_null(tl_book_account(&b, 9, 0));
    assert_null(tl_book_find(&b, 9, 7));
    assert_int_equal(b.acct_count, 1);
    assert_int_equal(b.pos_count, 1);

    /* A position-side failure (bad input) changes nothing either. */
    assert_int_equal(tl_book_apply_fill(&b, 1, 7, TL_SIDE_SELL, 0, F(1), 0, NULL), TL_EINVAL);
    assert_memory_equal(tl_book_find(&b, 1, 7), &pos_before, sizeof(pos_before));
    tl_book_close(&b);
}

static void test_book_many(void **state)
{
    (void)state;
    tl_book b;
    enum { ACCTS = 37, INSTS = 29 };

    assert_int_equal(tl_book_init(&b, F(1000)), 0);
    for (uint32_t a = 0; a < ACCTS; a++)
        for (uint32_t i = 0; i < INSTS; i++) {
            tl_side side = (a + i) % 2 ? TL_SIDE_SELL : TL_SIDE_BUY;
            assert_int_equal(
                tl_book_apply_fill(&b, a * 1000003u, i, side, F(i + 1), F(a + 1), 0, NULL), 0);
        }
    assert_int_equal(b.pos_count, ACCTS * INSTS);
    assert_int_equal(b.acct_count, ACCTS);

    for (uint32_t a = 0; a < ACCTS; a++) {
        tl_fixed cash = F(1000);
        for (uint32_t i = 0; i < INSTS; i++) {
            const tl_position *p = tl_book_find(&b, a * 1000003u, i);
            int sell = (a + i) % 2;
            assert_non_null(p);
            assert_int_equal(p->account, a * 1000003u);
            assert_int_equal(p->instrument, i);
            assert_int_equal(p->qty, sell ? -F(i + 1) : F(i + 1));
            assert_int_equal(p->avg_price, F(a + 1));
            cash += (sell ? 1 : -1) * (tl_fixed)(i + 1) * F(a + 1);
        }
        assert_int_equal(tl_book_account(&b, a * 1000003u, 0)->cash, cash);
    }
    assert_null(tl_book_find(&b, 1, 0)); /* keys mix account and instrument, never confuse them */
    assert_null(tl_book_position(&b, 5, 5, 0));
    tl_position *p = tl_book_position(&b, 5, 5, 1);
    assert_non_null(p);
    assert_int_equal(p->qty, 0);
    assert_ptr_equal(tl_book_position(&b, 5, 5, 1), p);
    assert_int_equal(b.pos_count, ACCTS * INSTS + 1);
    tl_book_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scaling_exact),
        cmocka_unit_test(test_scaling_rounds_once),
        cmocka_unit_test(test_reduce_long),
        cmocka_unit_test(test_reduce_short),
        cmocka_unit_test(test_realized_rounding),
        cmocka_unit_test(test_wide_products_round_the_same),
        cmocka_unit_test(test_close_to_flat),
        cmocka_unit_test(test_flip),
        cmocka_unit_test(test_fees),
        cmocka_unit_test(test_invalid_and_overflow),
        cmocka_unit_test(test_scale_in_then_close_realizes_the_cash),
        cmocka_unit_test(test_partial_reduction_shares_the_basis),
        cmocka_unit_test(test_flip_splits_the_notional),
        cmocka_unit_test(test_basis_overflow_changes_nothing),
        cmocka_unit_test(test_book_round_trip),
        cmocka_unit_test(test_book_overflow_is_atomic),
        cmocka_unit_test(test_book_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
