/* test_book.c -- the exchange's order book: price-time priority, partial fills, the times in
 * force at their edges, cancels anywhere in a level, preview against submit, refused input,
 * a randomized run against a reference book, and a deep book. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/prng.h"
#include "exchange/book.h"
#include "tradeloop.h"

#define P(x) TL_FIXED_INT(x)
#define TICK (TL_FIXED_INT(1) / 100)  /* 0.01 */
#define LOT  (TL_FIXED_INT(1) / 1000) /* 0.001 */
#define BUY  TL_SIDE_BUY
#define SELL TL_SIDE_SELL
#define LIM  TL_ORDER_LIMIT
#define MKT  TL_ORDER_MARKET

#define MAX_FILLS     4096
#define REF_MAX_FILLS MAX_FILLS

typedef struct fills {
    tl_lob_fill f[MAX_FILLS];
    size_t n;
} fills;

static void on_fill(void *ctx, const tl_lob_fill *f)
{
    fills *fs = ctx;
    assert_true(fs->n < MAX_FILLS);
    fs->f[fs->n++] = *f;
}

static void check(const tl_lob *b)
{
    tl_err err = {0};
    if (tl__lob_check(b, &err) != 0)
        fail_msg("%s", err.msg);
}

/* Submits and expects success; the fills land in fs (emptied first). */
static tl_lob_result submit(tl_lob *b, fills *fs, uint64_t id, uint32_t acct, uint8_t side,
                            uint8_t type, uint8_t tif, tl_fixed px, tl_fixed qty)
{
    tl_lob_order o = {id, acct, side, type, tif, px, qty};
    tl_lob_result r;
    tl_err err = {0};
    fs->n = 0;
    int rc = tl_lob_submit(b, &o, on_fill, fs, &r, &err);
    if (rc != 0)
        fail_msg("submit %llu: %s", (unsigned long long)id, err.msg);
    check(b);
    return r;
}

static void gtc(tl_lob *b, uint64_t id, uint8_t side, tl_fixed px, tl_fixed qty)
{
    fills fs;
    tl_lob_result r = submit(b, &fs, id, (uint32_t)id, side, LIM, TL_LOB_GTC, px, qty);
    assert_int_equal(r.status, TL_LOB_NEW);
    assert_int_equal(fs.n, 0);
}

static void init(tl_lob *b)
{
    assert_int_equal(tl_lob_init(b, TICK, LOT, 16, NULL), 0);
}

static void expect_fill(const tl_lob_fill *f, uint64_t maker, uint64_t taker, tl_fixed px,
                        tl_fixed qty, bool done)
{
    assert_int_equal(f->maker_order_id, maker);
    assert_int_equal(f->taker_order_id, taker);
    assert_int_equal(f->price, px);
    assert_int_equal(f->qty, qty);
    assert_int_equal(f->maker_done, done);
}

static void test_price_time_priority(void **state)
{
    (void)state;
    tl_lob b;
    fills fs;
    init(&b);
    gtc(&b, 1, SELL, P(101), P(1));
    gtc(&b, 2, SELL, P(100), P(1));
    gtc(&b, 3, SELL, P(100), P(2));
    gtc(&b, 4, SELL, P(102), P(1));
    /* Across levels best first, within a level oldest first, at the makers' prices. */
    tl_lob_result r = submit(&b, &fs, 10, 99, BUY, LIM, TL_LOB_GTC, P(101), P(4) + P(1) / 2);
    assert_int_equal(fs.n, 3);
    expect_fill(&fs.f[0], 2, 10, P(100), P(1), true);
    expect_fill(&fs.f[1], 3, 10, P(100), P(2), true);
    expect_fill(&fs.f[2], 1, 10, P(101), P(1), true);
    assert_int_equal(fs.f[0].maker_account, 2);
    assert_int_equal(fs.f[0].taker_account, 99);
    assert_int_equal(fs.f[0].taker_side, BUY);
    assert_int_equal(r.filled_qty, P(4));
    assert_int_equal(r.notional, P(401));
    assert_int_equal(r.rested_qty, P(1) / 2);
    assert_int_equal(r.fills, 3);
    assert_int_equal(r.status, TL_LOB_PARTIALLY_FILLED);
    tl_fixed bid, bq, ask, aq;
    tl_lob_best(&b, &bid, &bq, &ask, &aq);
    assert_int_equal(bid, P(101));
    assert_int_equal(bq, P(1) / 2);
    assert_int_equal(ask, P(102));
    assert_int_equal(aq, P(1));
    assert_int_equal(tl_lob_count(&b), 2);
    tl_lob_close(&b);
}

static void test_partial_fills(void **state)
{
    (void)state;
    tl_lob b;
    fills fs;
    init(&b);
    gtc(&b, 1, BUY, P(50), P(3));
    gtc(&b, 2, BUY, P(50), P(1));
    /* A taker smaller than the head maker: the maker stays, first in line, with the rest. */
    tl_lob_result r = submit(&b, &fs, 3, 3, SELL, LIM, TL_LOB_IOC, P(50), P(1));
    assert_int_equal(r.status, TL_LOB_FILLED);
    expect_fill(&fs.f[0], 1, 3, P(50), P(1), false);
    tl_lob_resting got;
    assert_true(tl_lob_get(&b, 1, &got));
    assert_int_equal(got.remaining, P(2));
    assert_int_equal(got.orig_qty, P(3));
    assert_int_equal(got.price, P(50));
    assert_int_equal(got.side, BUY);
    /* The next taker finishes maker 1, then partly fills maker 2. */
    r = submit(&b, &fs, 4, 4, SELL, MKT, TL_LOB_IOC, 0, P(2) + P(1) / 2);
    assert_int_equal(fs.n, 2);
    expect_fill(&fs.f[0], 1, 4, P(50), P(2), true);
    expect_fill(&fs.f[1], 2, 4, P(50), P(1) / 2, false);
    assert_false(tl_lob_get(&b, 1, NULL));
    assert_true(tl_lob_get(&b, 2, &got));
    assert_int_equal(got.remaining, P(1) / 2);
    tl_lob_close(&b);
}

static void test_tif_edges(void **state)
{
    (void)state;
    tl_lob b;
    fills fs;
    init(&b);
    gtc(&b, 1, SELL, P(10), P(1));
    gtc(&b, 2, SELL, P(11), P(1));
    /* FOK one lot short: no callback, nothing changes, EXPIRED. */
    tl_lob_result r = submit(&b, &fs, 3, 3, BUY, LIM, TL_LOB_FOK, P(11), P(2) + LOT);
    assert_int_equal(r.status, TL_LOB_EXPIRED);
    assert_int_equal(fs.n, 0);
    assert_int_equal(r.filled_qty, 0);
    assert_int_equal(tl_lob_count(&b), 2);
    /* FOK whose limit stops one level short: the same. */
    r = submit(&b, &fs, 4, 4, BUY, LIM, TL_LOB_FOK, P(10), P(2));
    assert_int_equal(r.status, TL_LOB_EXPIRED);
    assert_int_equal(fs.n, 0);
    /* FOK exactly fillable: fills whole. */
    r = submit(&b, &fs, 5, 5, BUY, LIM, TL_LOB_FOK, P(11), P(2));
    assert_int_equal(r.status, TL_LOB_FILLED);
    assert_int_equal(fs.n, 2);
    assert_int_equal(r.notional, P(21));
    assert_int_equal(tl_lob_count(&b), 0);
    /* IOC: takes what crosses, drops the rest, never rests. */
    gtc(&b, 6, SELL, P(10), P(1));
    r = submit(&b, &fs, 7, 7, BUY, LIM, TL_LOB_IOC, P(10), P(3));
    assert_int_equal(r.status, TL_LOB_EXPIRED);
    assert_int_equal(r.filled_qty, P(1));
    assert_int_equal(r.rested_qty, 0);
    assert_false(tl_lob_get(&b, 7, NULL));
    r = submit(&b, &fs, 8, 8, BUY, LIM, TL_LOB_IOC, P(10), P(1));
    assert_int_equal(r.status, TL_LOB_EXPIRED); /* nothing to take */
    assert_int_equal(r.filled_qty, 0);
    /* MARKET: any price, the rest dropped; on an empty side it expires with nothing. */
    gtc(&b, 9, BUY, P(5), P(1));
    gtc(&b, 10, BUY, P(1), P(1));
    r = submit(&b, &fs, 11, 11, SELL, MKT, TL_LOB_GTC, 0, P(5));
    assert_int_equal(r.status, TL_LOB_EXPIRED);
    assert_int_equal(r.filled_qty, P(2));
    assert_int_equal(r.notional, P(6));
    assert_int_equal(tl_lob_count(&b), 0);
    r = submit(&b, &fs, 12, 12, SELL, MKT, TL_LOB_IOC, 0, P(1));
    assert_int_equal(r.status, TL_LOB_EXPIRED);
    /* MARKET FOK: all or nothing too. */
    gtc(&b, 13, SELL, P(20), P(1));
    r = submit(&b, &fs, 14, 14, BUY, MKT, TL_LOB_FOK, 0, P(1) + LOT);
    assert_int_equal(r.status, TL_LOB_EXPIRED);
    assert_int_equal(fs.n, 0);
    r = submit(&b, &fs, 15, 15, BUY, MKT, TL_LOB_FOK, 0, P(1));
    assert_int_equal(r.status, TL_LOB_FILLED);
    /* GTC that crosses fully rests nothing; one that does not cross rests all (NEW). */
    gtc(&b, 16, SELL, P(30), P(1));
    r = submit(&b, &fs, 17, 17, BUY, LIM, TL_LOB_GTC, P(31), P(1));
    assert_int_equal(r.status, TL_LOB_FILLED);
    assert_false(tl_lob_get(&b, 17, NULL));
    tl_lob_close(&b);
}

static void test_cancel_positions(void **state)
{
    (void)state;
    tl_lob b;
    fills fs;
    init(&b);
    for (uint64_t id = 1; id <= 5; id++)
        gtc(&b, id, BUY, P(100), P(1));
    gtc(&b, 6, BUY, P(99), P(2));
    tl_lob_resting r;
    assert_int_equal(tl_lob_cancel(&b, 3, &r), 0); /* middle */
    assert_int_equal(r.order_id, 3);
    assert_int_equal(r.remaining, P(1));
    check(&b);
    assert_int_equal(tl_lob_cancel(&b, 1, NULL), 0); /* head */
    check(&b);
    assert_int_equal(tl_lob_cancel(&b, 5, NULL), 0); /* tail */
    check(&b);
    assert_int_equal(tl_lob_cancel(&b, 5, NULL), TL_ENOTFOUND);
    /* The survivors keep their order: 2 then 4. */
    submit(&b, &fs, 7, 7, SELL, LIM, TL_LOB_IOC, P(100), P(2));
    assert_int_equal(fs.n, 2);
    assert_int_equal(fs.f[0].maker_order_id, 2);
    assert_int_equal(fs.f[1].maker_order_id, 4);
    /* The last order of the best level gone, the best moves to the next level. */
    gtc(&b, 8, BUY, P(100), P(1));
    tl_fixed bid, bq;
    tl_lob_best(&b, &bid, &bq, NULL, NULL);
    assert_int_equal(bid, P(100));
    assert_int_equal(tl_lob_cancel(&b, 8, NULL), 0);
    tl_lob_best(&b, &bid, &bq, NULL, NULL);
    assert_int_equal(bid, P(99));
    assert_int_equal(bq, P(2));
    assert_int_equal(tl_lob_cancel(&b, 6, NULL), 0);
    tl_lob_best(&b, &bid, &bq, NULL, NULL);
    assert_int_equal(bid, 0);
    assert_int_equal(bq, 0);
    check(&b);
    tl_lob_close(&b);
}

/* Best moves across empty ticks and blocks far apart, both ways. */
static void test_far_levels(void **state)
{
    (void)state;
    tl_lob b;
    init(&b);
    gtc(&b, 1, SELL, P(1000), P(1));
    gtc(&b, 2, SELL, P(5000000), P(1)); /* far beyond one block of ticks */
    gtc(&b, 3, BUY, TICK, P(1));
    gtc(&b, 4, BUY, P(999), P(1));
    tl_lob_level_info lv[4];
    size_t n;
    tl_lob_depth(&b, SELL, 4, lv, &n);
    assert_int_equal(n, 2);
    assert_int_equal(lv[0].price, P(1000));
    assert_int_equal(lv[1].price, P(5000000));
    assert_int_equal(tl_lob_cancel(&b, 1, NULL), 0);
    assert_int_equal(tl_lob_cancel(&b, 4, NULL), 0);
    tl_fixed bid, ask;
    tl_lob_best(&b, &bid, NULL, &ask, NULL);
    assert_int_equal(bid, TICK);
    assert_int_equal(ask, P(5000000));
    check(&b);
    tl_lob_close(&b);
}

static void test_preview_matches_submit(void **state)
{
    (void)state;
    tl_lob b;
    fills fs;
    init(&b);
    gtc(&b, 1, SELL, P(100) + TICK, P(1) / 3 / LOT * LOT);
    gtc(&b, 2, SELL, P(100) + 7 * TICK, P(2));
    gtc(&b, 3, SELL, P(100) + 7 * TICK, LOT * 7);
    gtc(&b, 4, SELL, P(104), P(5));
    tl_fixed q, notional;
    assert_int_equal(tl_lob_preview(&b, BUY, LIM, P(101), P(3), &q, &notional), 0);
    tl_fixed q_all, n_all;
    assert_int_equal(tl_lob_preview(&b, BUY, MKT, 0, P(100), &q_all, &n_all), 0);
    assert_int_equal(q_all, tl_lob_count(&b) ? P(7) + P(1) / 3 / LOT * LOT + LOT * 7 : 0);
    tl_lob_result r = submit(&b, &fs, 5, 5, BUY, LIM, TL_LOB_IOC, P(101), P(3));
    assert_int_equal(r.filled_qty, q);
    assert_int_equal(r.notional, notional);
    /* Preview refuses what submit refuses. */
    assert_int_equal(tl_lob_preview(&b, BUY, LIM, P(1) + 1, P(1), &q, &notional), TL_EINVAL);
    assert_int_equal(tl_lob_preview(&b, 7, LIM, P(1), P(1), &q, &notional), TL_EINVAL);
    tl_lob_close(&b);
}

static void refuse(tl_lob *b, uint64_t id, uint8_t side, uint8_t type, uint8_t tif, tl_fixed px,
                   tl_fixed qty, int code)
{
    tl_lob_order o = {id, 1, side, type, tif, px, qty};
    tl_lob_result r;
    tl_err err = {0};
    fills fs = {.n = 0};
    tl_fixed bid, bq, ask, aq;
    tl_lob_best(b, &bid, &bq, &ask, &aq);
    size_t count = tl_lob_count(b);
    uint64_t seq = b->seq;
    assert_int_equal(tl_lob_submit(b, &o, on_fill, &fs, &r, &err), code);
    assert_true(err.msg[0] != '\0');
    assert_int_equal(fs.n, 0);
    tl_fixed bid2, bq2, ask2, aq2;
    tl_lob_best(b, &bid2, &bq2, &ask2, &aq2);
    assert_int_equal(bid, bid2);
    assert_int_equal(bq, bq2);
    assert_int_equal(ask, ask2);
    assert_int_equal(aq, aq2);
    assert_int_equal(tl_lob_count(b), count);
    assert_int_equal(b->seq, seq);
    check(b);
}

static void test_invalid_refused(void **state)
{
    (void)state;
    tl_lob b;
    init(&b);
    gtc(&b, 1, SELL, P(10), P(1));
    gtc(&b, 2, BUY, P(9), P(1));
    refuse(&b, 3, BUY, LIM, TL_LOB_GTC, P(10) + 1, P(1), TL_EINVAL); /* off tick */
    refuse(&b, 3, BUY, LIM, TL_LOB_GTC, P(10), P(1) + 1, TL_EINVAL); /* off lot */
    refuse(&b, 3, BUY, LIM, TL_LOB_GTC, P(10), 0, TL_EINVAL);        /* zero qty */
    refuse(&b, 3, BUY, LIM, TL_LOB_GTC, 0, P(1), TL_EINVAL);         /* zero price */
    refuse(&b, 3, BUY, LIM, TL_LOB_GTC, -P(10), P(1), TL_EINVAL);    /* negative price */
    refuse(&b, 3, BUY, MKT, TL_LOB_IOC, P(10), P(1), TL_EINVAL);     /* market with a price */
    refuse(&b, 0, BUY, LIM, TL_LOB_GTC, P(10), P(1), TL_EINVAL);     /* id 0 */
    refuse(&b, 2, SELL, LIM, TL_LOB_GTC, P(9), P(1), TL_EINVAL);     /* resting id, crossing */
    refuse(&b, 1, BUY, LIM, TL_LOB_IOC, P(10), P(1), TL_EINVAL);     /* resting id, IOC */
    refuse(&b, 3, 2, LIM, TL_LOB_GTC, P(10), P(1), TL_EINVAL);       /* side */
    refuse(&b, 3, BUY, 2, TL_LOB_GTC, P(10), P(1), TL_EINVAL);       /* type */
    refuse(&b, 3, BUY, LIM, 3, P(10), P(1), TL_EINVAL);              /* tif */
    /* A notional that could leave the fixed-point range (1e6 * 1e8 > 9.2e10). */
    assert_int_equal(tl_lob_cancel(&b, 1, NULL), 0);
    gtc(&b, 4, BUY, P(1000000), P(1));
    refuse(&b, 3, SELL, MKT, TL_LOB_IOC, 0, P(100000000), TL_ERANGE);
    refuse(&b, 3, SELL, LIM, TL_LOB_GTC, P(1), P(100000000), TL_ERANGE);
    tl_lob_close(&b);
    assert_int_equal(tl_lob_init(&b, 0, LOT, 1, NULL), TL_EINVAL);
    assert_int_equal(tl_lob_init(&b, TICK, -1, 1, NULL), TL_EINVAL);
}

static bool count_resting(void *ctx, const tl_lob_resting *r)
{
    (void)r;
    (*(size_t *)ctx)++;
    return true;
}

static void test_deep_book(void **state)
{
    (void)state;
    enum { N = 100000 };
    tl_lob b;
    tl_prng rng;
    tl_prng_seed(&rng, 7);
    assert_int_equal(tl_lob_init(&b, TICK, LOT, 1024, NULL), 0); /* grows past its hint */
    fills fs;
    for (uint64_t id = 1; id <= N; id++) {
        uint8_t side = id & 1 ? BUY : SELL;
        tl_fixed off = (tl_fixed)(tl_prng_below(&rng, 20000) + 1) * TICK;
        tl_lob_order o = {id,
                          1,
                          side,
                          LIM,
                          TL_LOB_GTC,
                          side == BUY ? P(1000) - off : P(1000) + off,
                          LOT * (tl_fixed)(1 + tl_prng_below(&rng, 100))};
        tl_lob_result r;
        assert_int_equal(tl_lob_submit(&b, &o, on_fill, &fs, &r, NULL), 0);
        assert_int_equal(r.status, TL_LOB_NEW);
    }
    assert_int_equal(tl_lob_count(&b), N);
    check(&b);
    size_t seen = 0;
    tl_lob_iter(&b, BUY, count_resting, &seen);
    tl_lob_iter(&b, SELL, count_resting, &seen);
    assert_int_equal(seen, N);
    /* Emptied in a shuffled order. */
    uint64_t *ids = malloc(N * sizeof(*ids));
    assert_non_null(ids);
    for (uint64_t i = 0; i < N; i++)
        ids[i] = i + 1;
    for (uint64_t i = N - 1; i > 0; i--) {
        uint64_t j = tl_prng_below(&rng, i + 1), t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    for (uint64_t i = 0; i < N; i++) {
        assert_int_equal(tl_lob_cancel(&b, ids[i], NULL), 0);
        if (i % 10000 == 0)
            check(&b);
    }
    free(ids);
    assert_int_equal(tl_lob_count(&b), 0);
    tl_fixed bid, ask;
    tl_lob_best(&b, &bid, NULL, &ask, NULL);
    assert_int_equal(bid, 0);
    assert_int_equal(ask, 0);
    assert_int_equal(b.block_map.count, 0); /* every block given back */
    check(&b);
    tl_lob_close(&b);
}

/* The reference book and the randomized run (a header, so it is not a test binary of its own). */
#include "book_ref.h"

static void test_randomized_against_reference(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++)
        book_ref_run(seed, 4000, seed % 2 ? 40 : 30000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_price_time_priority),
        cmocka_unit_test(test_partial_fills),
        cmocka_unit_test(test_tif_edges),
        cmocka_unit_test(test_cancel_positions),
        cmocka_unit_test(test_far_levels),
        cmocka_unit_test(test_preview_matches_submit),
        cmocka_unit_test(test_invalid_refused),
        cmocka_unit_test(test_deep_book),
        cmocka_unit_test(test_randomized_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
