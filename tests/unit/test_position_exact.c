/*
 * Property test of positions' exact money (src/model/position.c) against a model of its own.
 *
 * Seeded random sequences of fills (scale-ins, partial reductions, closes, flips; long and short;
 * 8-decimal quantities and prices over many magnitudes; with and without fees) go through a book
 * of several accounts and instruments. The test prices every fill itself, from the exact product
 * qty * price in 128 bits rounded by its own half-away-from-zero division (no code from
 * position.c or fixed.c), and after every fill checks:
 *   - cash moved by exactly -N - fee (buy) or +N - fee (sell);
 *   - per position: the signed notionals of all its fills == realized - basis (long) or
 *     realized + basis (short); so, flat, realized P&L == the cash it made, to the last unit;
 *   - per account: cash - starting_cash + fees == realized - sum(long basis) + sum(short basis);
 *   - avg_price == round(basis / |qty|); a reduction's cost is within half a unit of the exact
 *     share basis * r / Q; a flip's two parts add up to the fill's notional.
 * Every sequence ends by closing every position, so every sequence checks realized == cash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "model/position.h"

#define S           ((__int128)TL_FIXED_SCALE)
#define ACCOUNTS    2
#define INSTRUMENTS 2
#define SEQUENCES   4000
#define MAX_FILLS   30
#define START_CASH  TL_FIXED_INT(1000000)

/* splitmix64: the test's own generator, so a seed means the same sequences everywhere. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t between(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1));
}

/* An 8-decimal amount of a random magnitude: 0.00000001 up to 10^(max_digits - 8). */
static int64_t amount(uint64_t *s, int max_digits)
{
    int64_t top = 1;
    for (int d = (int)between(s, 1, max_digits); d > 0; d--)
        top *= 10;
    return between(s, 1, top);
}

/* n / d, d > 0, rounded half away from zero: the model's only rounding. */
static __int128 round_div(__int128 n, __int128 d)
{
    __int128 a = n < 0 ? -n : n, q = a / d;
    if (2 * (a % d) >= d)
        q++;
    return n < 0 ? -q : q;
}

/* The model's state of one position and one account, all exact. */
typedef struct model_pos {
    __int128 qty;
    __int128 flow;      /* sum of signed notionals: +N per sell, -N per buy */
    __int128 flow_flat; /* flow when the position was last flat */
    __int128 real_flat; /* the position's realized P&L when it was last flat */
} model_pos;

typedef struct model_acct {
    __int128 flow, fees;
} model_acct;

typedef struct world {
    tl_book book;
    model_pos pos[ACCOUNTS][INSTRUMENTS];
    model_acct acct[ACCOUNTS];
    uint64_t closes, flips, reductions, scales;
} world;

static void check_account(world *w, uint32_t a)
{
    const tl_account *acct = tl_book_find_account(&w->book, a);
    __int128 realized = 0, basis = 0;

    assert_non_null(acct);
    for (uint32_t i = 0; i < INSTRUMENTS; i++) {
        const tl_position *p = tl_book_find(&w->book, a, i);
        if (!p)
            continue;
        realized += p->realized_pnl;
        basis += p->qty > 0 ? -(__int128)p->cost_basis : (__int128)p->cost_basis;
    }
    assert_true(acct->cash == START_CASH + w->acct[a].flow - w->acct[a].fees);
    assert_true(acct->fees == w->acct[a].fees);
    assert_true(acct->realized_pnl == realized);
    /* The invariant: cash - starting_cash + fees == realized - long basis + short basis. */
    assert_true((__int128)acct->cash - acct->starting_cash + acct->fees ==
                (__int128)acct->realized_pnl + basis);
}

/* Applies one fill through the book and checks everything the model knows about it. */
static void fill(world *w, uint32_t a, uint32_t i, tl_side side, int64_t qty, int64_t px,
                 int64_t fee)
{
    const tl_position *p = tl_book_find(&w->book, a, i);
    model_pos *m = &w->pos[a][i];
    __int128 q0 = m->qty, abs0 = q0 < 0 ? -q0 : q0;
    __int128 basis0 = p ? p->cost_basis : 0, real0 = p ? p->realized_pnl : 0;
    __int128 n = round_div((__int128)qty * px, S);
    __int128 signed_n = side == TL_SIDE_BUY ? -n : n;
    tl_fill_effect e;

    assert_int_equal(tl_book_apply_fill(&w->book, a, i, side, qty, px, fee, &e), 0);
    p = tl_book_find(&w->book, a, i);
    m->qty += side == TL_SIDE_BUY ? qty : -qty;
    m->flow += signed_n;
    w->acct[a].flow += signed_n;
    w->acct[a].fees += fee;

    assert_true(e.cash_delta == signed_n - fee);
    assert_true(p->qty == m->qty);
    assert_true(p->cost_basis >= 0);
    /* Per position: money in and out == realized P&L and what is still held at cost. */
    __int128 held = p->qty > 0 ? -(__int128)p->cost_basis : (__int128)p->cost_basis;
    assert_true(m->flow == (__int128)p->realized_pnl + held);
    if (p->qty == 0) {
        assert_int_equal(p->cost_basis, 0);
        assert_int_equal(p->avg_price, 0);
    } else {
        __int128 abs1 = p->qty < 0 ? -(__int128)p->qty : p->qty;
        assert_true(p->avg_price == round_div(p->cost_basis * S, abs1));
    }

    if (q0 != 0 && (q0 > 0) != (side == TL_SIDE_BUY)) {
        /* Against the position: the cost taken out of the basis is the exact share of the basis,
         * within half a unit (all of it when the whole position went). */
        __int128 closed = qty < abs0 ? qty : abs0;
        __int128 left = e.change == TL_POS_REDUCED ? p->cost_basis : 0;
        __int128 cost = basis0 - left, closing = n;
        __int128 err = cost * abs0 - basis0 * closed;
        assert_true(2 * (err < 0 ? -err : err) <= abs0);
        if (closed == abs0)
            assert_true(cost == basis0);
        if (e.change == TL_POS_FLIPPED) {
            closing = round_div(abs0 * px, S);
            assert_true(p->cost_basis + closing == n); /* nothing lost in the split */
            w->flips++;
        }
        assert_true(e.realized == (q0 > 0 ? closing - cost : cost - closing));
        assert_true(p->realized_pnl == real0 + e.realized);
        w->reductions++;
    } else if (q0 != 0) {
        assert_int_equal(e.change, TL_POS_SCALED);
        assert_true(p->cost_basis == basis0 + n);
        w->scales++;
    }

    if (p->qty == 0) {
        /* Back to flat: realised exactly the cash made since it was last flat. */
        assert_true(p->realized_pnl - m->real_flat == m->flow - m->flow_flat);
        m->real_flat = p->realized_pnl;
        m->flow_flat = m->flow;
        w->closes++;
    }
    check_account(w, a);
}

/* One random step on position (a, i). scale_only keeps adding to it (the drift case). */
static void step(world *w, uint64_t *s, uint32_t a, uint32_t i, int fees, int scale_only)
{
    __int128 q = w->pos[a][i].qty, abs_q = q < 0 ? -q : q;
    int64_t qty = amount(s, 11), px = amount(s, 13), fee = fees ? between(s, 0, TL_FIXED_SCALE) : 0;
    tl_side with = q > 0 ? TL_SIDE_BUY : TL_SIDE_SELL;
    tl_side against = q > 0 ? TL_SIDE_SELL : TL_SIDE_BUY;
    uint64_t r = rnd(s) % 100;

    if (q == 0)
        fill(w, a, i, rnd(s) & 1 ? TL_SIDE_BUY : TL_SIDE_SELL, qty, px, fee);
    else if (scale_only || r < 45)
        fill(w, a, i, with, qty, px, fee);
    else if (r < 70 && abs_q > 1)
        fill(w, a, i, against, between(s, 1, (int64_t)abs_q - 1), px, fee); /* reduce */
    else if (r < 85)
        fill(w, a, i, against, (int64_t)abs_q, px, fee); /* close */
    else
        fill(w, a, i, against, (int64_t)abs_q + qty, px, fee); /* flip */
}

static void test_random_sequences_are_exact(void **state)
{
    (void)state;
    world w = {.closes = 0};
    uint64_t seed = 20261204;

    assert_int_equal(tl_book_init(&w.book, START_CASH), 0);
    for (int n = 0; n < SEQUENCES; n++) {
        int fees = n & 1, scale_only = n % 4 >= 2;
        int fills = (int)between(&seed, 1, MAX_FILLS);

        tl_book_clear(&w.book);
        memset(w.pos, 0, sizeof(w.pos));
        memset(w.acct, 0, sizeof(w.acct));
        for (uint32_t a = 0; a < ACCOUNTS; a++)
            assert_int_equal(tl_book_open_account(&w.book, a, START_CASH), 0);
        for (int f = 0; f < fills; f++) {
            uint32_t a = (uint32_t)(rnd(&seed) % ACCOUNTS);
            uint32_t i = scale_only ? 0 : (uint32_t)(rnd(&seed) % INSTRUMENTS);
            step(&w, &seed, a, i, fees, scale_only);
        }
        /* Close everything, each in one fill: then cash - start + fees == realized exactly. */
        for (uint32_t a = 0; a < ACCOUNTS; a++) {
            for (uint32_t i = 0; i < INSTRUMENTS; i++) {
                __int128 q = w.pos[a][i].qty;
                if (q != 0)
                    fill(&w, a, i, q > 0 ? TL_SIDE_SELL : TL_SIDE_BUY, (int64_t)(q < 0 ? -q : q),
                         amount(&seed, 13), 0);
            }
            const tl_account *acct = tl_book_find_account(&w.book, a);
            assert_true(acct->cash - acct->starting_cash + acct->fees == acct->realized_pnl);
        }
    }
    /* The sequences did exercise every path, many times. */
    assert_true(w.scales > 10000);
    assert_true(w.reductions > 10000);
    assert_true(w.flips > 1000);
    assert_true(w.closes > 5000);
    tl_book_close(&w.book);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sequences_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
