/*
 * test_xmm.c -- the exchange's market makers: the ladder's shape around the path price, a
 * refresh canceling the old quotes, the same orders for the same seed (byte for byte in the
 * pending events), a lone client's MARKET BUY and SELL filled by them, post-only quotes that
 * never take a client's order, adoption of their open orders after a recovery (the restart is
 * invisible in what they do next), and the price path from a quotes file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exchange/xmm.h"

#define T0    (1735689600LL * 1000000000LL)
#define SEC   1000000000LL
#define FX(n) TL_FIXED_INT(n)
#define CENT  1000000 /* 0.01, both default symbols' tick */

static void core(tl_xcore *x)
{
    tl_err err;
    if (tl_xcore_init(x, tl_xsymbols_default, tl_xsymbols_default_n, 10, &err) != 0)
        fail_msg("init: %s", err.msg);
    uint32_t m, a;
    assert_int_equal(tl_xcore_account(x, "maker", &m, &err), 0);
    assert_int_equal(tl_xcore_fund(x, m, "USDT", FX(10000000), T0, &err), 0);
    assert_int_equal(tl_xcore_fund(x, m, "BTC", FX(200), T0, &err), 0);
    assert_int_equal(tl_xcore_fund(x, m, "ETH", FX(3000), T0, &err), 0);
    assert_int_equal(tl_xcore_account(x, "alice", &a, &err), 0);
    assert_int_equal(tl_xcore_fund(x, a, "USDT", FX(100000), T0, &err), 0);
    assert_int_equal(tl_xcore_fund(x, a, "BTC", FX(2), T0, &err), 0);
}

/* Makers on both default symbols, walking. */
static void makers(tl_xmm *mm, const tl_xcore *x, uint64_t seed)
{
    tl_xmm_symbol_cfg c[2];
    tl_xmm_defaults(&c[0], "BTCUSDT");
    tl_xmm_defaults(&c[1], "ETHUSDT");
    tl_err err;
    if (tl_xmm_init(mm, x, "maker", seed, c, 2, &err) != 0)
        fail_msg("xmm init: %s", err.msg);
}

static void step(tl_xmm *mm, tl_xcore *x, int64_t now)
{
    tl_err err;
    if (tl_xmm_step(mm, x, now, &err) != 0)
        fail_msg("step: %s", err.msg);
}

/* One and a half quotes of symbol 0, on its lot: takes a level whole and the next in part. */
static tl_fixed one_and_half(const tl_xmm *mm, const tl_xcore *x)
{
    tl_fixed q = mm->books[0].size * 3 / 2;
    return q - q % x->symbols[0].cfg.step;
}

static bool is_open(const tl_xorder *o)
{
    return o->status == TL_XS_NEW || o->status == TL_XS_PARTIALLY_FILLED;
}

static uint32_t open_orders(const tl_xcore *x, uint32_t acct, int symbol)
{
    uint32_t n = 0;
    for (uint64_t i = 0; i < x->n_orders; i++)
        n +=
            x->orders[i].account == acct && x->orders[i].symbol == symbol && is_open(&x->orders[i]);
    return n;
}

static void test_ladder_shape(void **state)
{
    (void)state;
    tl_xcore x;
    tl_xmm mm;
    core(&x);
    makers(&mm, &x, 7);
    step(&mm, &x, T0);
    for (int s = 0; s < 2; s++) {
        const tl_xsymbol_cfg *c = &x.symbols[s].cfg;
        tl_fixed p = c->start_price; /* refresh 0 is the path's start */
        int bids = 0, asks = 0;
        for (uint64_t i = 0; i < x.n_orders; i++) {
            const tl_xorder *o = &x.orders[i];
            if (o->symbol != s)
                continue;
            assert_int_equal(o->account, 0);
            assert_int_equal(o->status, TL_XS_NEW);
            assert_int_equal(o->type, TL_ORDER_LIMIT);
            assert_true(tl_fixed_is_multiple(o->price, c->tick));
            assert_true(tl_fixed_is_multiple(o->qty, c->step));
            assert_int_equal(o->qty, mm.books[s].size);
            tl_fixed notional;
            assert_int_equal(tl_fixed_mul(o->price, o->qty, &notional), 0);
            assert_true(notional >= c->min_notional);
            /* Level k sits 1 + 2k ticks from P. */
            int k = o->side == TL_SIDE_BUY ? bids++ : asks++;
            tl_fixed off = (1 + 2 * k) * c->tick;
            assert_int_equal(o->price, o->side == TL_SIDE_BUY ? p - off : p + off);
        }
        tl_fixed start_notional;
        assert_int_equal(tl_fixed_mul(p, mm.books[s].size, &start_notional), 0);
        assert_true(start_notional >= 100 * c->min_notional);
        assert_int_equal(bids, 5);
        assert_int_equal(asks, 5);
        tl_fixed bid, ask;
        tl_lob_best(&x.symbols[s].book, &bid, NULL, &ask, NULL);
        assert_int_equal(bid, p - CENT);
        assert_int_equal(ask, p + CENT);
    }
    assert_int_equal(mm.stats.placed, 20);
    assert_int_equal(tl_xmm_next_due(&mm), T0 + SEC);
    tl_xmm_close(&mm);
    tl_xcore_close(&x);
}

static void test_refresh_cancels_the_old_quotes(void **state)
{
    (void)state;
    tl_xcore x;
    tl_xmm mm;
    core(&x);
    makers(&mm, &x, 7);
    step(&mm, &x, T0);
    uint64_t first = x.n_orders;
    tl_xcore_committed(&x);
    step(&mm, &x, T0 + SEC / 2); /* not due */
    tl_event *ev;
    assert_int_equal(tl_xcore_pending(&x, &ev), 0);
    step(&mm, &x, T0 + SEC);
    size_t n = tl_xcore_pending(&x, &ev), cancels = 0;
    for (size_t i = 0; i < n; i++)
        cancels += ev[i].type == TL_EV_ORDER_CANCELED;
    assert_int_equal(cancels, 20);
    for (uint64_t i = 0; i < first; i++)
        assert_int_equal(x.orders[i].status, TL_XS_CANCELED);
    assert_int_equal(x.n_orders, 40);
    assert_int_equal(open_orders(&x, 0, 0), 10);
    assert_int_equal(tl_lob_count(&x.symbols[0].book), 10);
    /* Nothing stays locked by a canceled quote: the BTC locked is the 5 new asks'. */
    tl_xbalance btc = tl_xcore_balance(&x, 0, tl_xcore_asset(&x, "BTC"));
    assert_int_equal(btc.locked, 5 * mm.books[0].size);
    assert_int_equal(mm.stats.canceled, 20);
    tl_xmm_close(&mm);
    tl_xcore_close(&x);
}

/* 30 refreshes of a maker from seed, with alice trading in between; the events it all made. */
static size_t run_seed(uint64_t seed, tl_xcore *x, tl_event **ev)
{
    tl_xmm mm;
    core(x);
    makers(&mm, x, seed);
    for (int i = 0; i < 30; i++) {
        step(&mm, x, T0 + i * SEC);
        tl_xplace o = {
            0,   i % 2 ? TL_SIDE_SELL : TL_SIDE_BUY, TL_ORDER_MARKET, TL_LOB_GTC, 0, FX(1) / 100,
            NULL};
        uint64_t id;
        uint32_t first;
        tl_xrefusal r;
        tl_err err;
        assert_int_equal(tl_xcore_place(x, 1, &o, T0 + i * SEC + 1, &id, &first, &r, &err), 0);
    }
    tl_xmm_close(&mm);
    return tl_xcore_pending(x, ev);
}

static void test_same_seed_same_orders(void **state)
{
    (void)state;
    tl_xcore a, b, c;
    tl_event *ea, *eb, *ec;
    size_t na = run_seed(42, &a, &ea), nb = run_seed(42, &b, &eb), nc = run_seed(43, &c, &ec);
    assert_true(na > 600);
    assert_int_equal(na, nb);
    assert_memory_equal(ea, eb, na * sizeof(tl_event));
    /* Another seed walks elsewhere. */
    assert_true(na != nc || memcmp(ea, ec, na * sizeof(tl_event)) != 0);
    /* And the walk moved: the last ladder is not around the start. */
    tl_fixed bid;
    tl_lob_best(&a.symbols[0].book, &bid, NULL, NULL, NULL);
    assert_int_not_equal(bid, FX(30000) - CENT);
    tl_xcore_close(&a);
    tl_xcore_close(&b);
    tl_xcore_close(&c);
}

static void test_lone_client_market_orders_fill(void **state)
{
    (void)state;
    tl_xcore x;
    tl_xmm mm;
    core(&x);
    makers(&mm, &x, 1);
    step(&mm, &x, T0);
    for (int side = 0; side < 2; side++) {
        /* More than one level's size, so it walks the ladder. */
        tl_xplace o = {0,
                       side ? TL_SIDE_SELL : TL_SIDE_BUY,
                       TL_ORDER_MARKET,
                       TL_LOB_GTC,
                       0,
                       one_and_half(&mm, &x),
                       NULL};
        uint64_t id;
        uint32_t first;
        tl_xrefusal r;
        tl_err err;
        assert_int_equal(tl_xcore_place(&x, 1, &o, T0 + 1, &id, &first, &r, &err), 0);
        const tl_xorder *ord = &x.orders[id - 1];
        assert_int_equal(ord->status, TL_XS_FILLED);
        assert_int_equal(ord->executed, o.qty);
        assert_int_equal(x.n_fills - first, 4); /* two trades, two sides each */
        for (uint32_t f = first; f < x.n_fills; f++) {
            const tl_xfill *fl = &x.fills[f];
            assert_int_equal(fl->account, fl->is_maker ? 0 : 1);
            if (side == 0)
                assert_true(fl->price > FX(30000));
            else
                assert_true(fl->price < FX(30000));
        }
    }
    tl_xmm_close(&mm);
    tl_xcore_close(&x);
}

static void test_quotes_never_take_a_client_order(void **state)
{
    (void)state;
    tl_xcore x;
    tl_xmm mm;
    core(&x);
    tl_xplace o = {0, TL_SIDE_SELL, TL_ORDER_LIMIT, TL_LOB_GTC, FX(29999), FX(1) / 10, NULL};
    uint64_t id;
    uint32_t first;
    tl_xrefusal r;
    tl_err err;
    assert_int_equal(tl_xcore_place(&x, 1, &o, T0, &id, &first, &r, &err), 0);
    makers(&mm, &x, 1);
    step(&mm, &x, T0);
    /* Every bid (29999.99 .. 29999.91) would have bought alice's 29999 ask. */
    assert_int_equal(x.n_fills, 0);
    assert_int_equal(x.orders[id - 1].status, TL_XS_NEW);
    assert_int_equal(mm.stats.skipped_cross, 5);
    assert_int_equal(open_orders(&x, 0, 0), 5);
    tl_xmm_close(&mm);
    tl_xcore_close(&x);
}

static void commit(tl_xcore *x, tl_store *st)
{
    tl_event *ev;
    tl_err err;
    size_t n = tl_xcore_pending(x, &ev);
    if (tl_store_append(st, ev, n, NULL, 0, NULL, 0, &err) != 0)
        fail_msg("append: %s", err.msg);
    tl_xcore_committed(x);
}

/* A core and its makers run on; a second core recovers the journal halfway, with new makers:
 * they adopt the open quotes and do next exactly what the first makers do. */
static void test_adoption_after_recovery(void **state)
{
    (void)state;
    tl_store st;
    tl_err err;
    assert_int_equal(tl_store_open(&st, "mem:", NULL, NULL, &err), 0);
    tl_xcore a, b;
    tl_xmm ma, mb;
    core(&a);
    makers(&ma, &a, 9);
    for (int i = 0; i < 3; i++)
        step(&ma, &a, T0 + i * SEC);
    /* alice takes one ask whole and part of the next: a filled and a partly filled quote. */
    tl_xplace o = {0, TL_SIDE_BUY, TL_ORDER_MARKET, TL_LOB_GTC, 0, one_and_half(&ma, &a), NULL};
    uint64_t id;
    uint32_t first;
    tl_xrefusal r;
    assert_int_equal(tl_xcore_place(&a, 1, &o, T0 + 2 * SEC + 1, &id, &first, &r, &err), 0);
    commit(&a, &st);

    assert_int_equal(tl_xcore_init(&b, tl_xsymbols_default, tl_xsymbols_default_n, 10, &err), 0);
    if (tl_xcore_recover(&b, &st, NULL, &err) != 0)
        fail_msg("recover: %s", err.msg);
    makers(&mb, &b, 9);
    assert_int_equal(mb.stats.adopted, 19); /* 20 placed, one filled */
    assert_int_equal(mb.books[0].refresh, 3);
    assert_int_equal(mb.books[1].refresh, 3);

    step(&ma, &a, T0 + 3 * SEC);
    step(&mb, &b, T0 + 3 * SEC);
    assert_int_equal(mb.stats.canceled, 19);
    assert_int_equal(mb.stats.skipped_refused, 0); /* no client id reused */
    tl_event *ea, *eb;
    size_t na = tl_xcore_pending(&a, &ea), nb = tl_xcore_pending(&b, &eb);
    assert_int_equal(na, 19 + 20);
    assert_int_equal(na, nb);
    assert_memory_equal(ea, eb, na * sizeof(tl_event));
    assert_int_equal(open_orders(&b, 0, 0), 10);
    tl_xmm_close(&ma);
    tl_xmm_close(&mb);
    tl_xcore_close(&a);
    tl_xcore_close(&b);
    tl_store_close(&st);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_csv_path(void **state)
{
    (void)state;
    char path[] = "/tmp/test_xmm_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* Rows of two symbols: only BTCUSDT's count; mids on the 0.01 tick, half away from 0. */
    write_file(path, "timestamp,symbol,bid,ask\n"
                     "2025-01-01T00:00:00Z,BTCUSDT,29999.99,30000.01\n"
                     "2025-01-01T00:00:01Z,ETHUSDT,1999,2001\n"
                     "2025-01-01T00:00:02Z,BTCUSDT,30100,30100.01\n"
                     "2025-01-01T00:00:03Z,BTCUSDT,29950.5,29950.5\n");
    tl_fixed *mids;
    size_t n;
    tl_err err;
    if (tl_xmm_csv_load(path, "BTCUSDT", CENT, &mids, &n, &err) != 0)
        fail_msg("load: %s", err.msg);
    assert_int_equal(n, 3);
    assert_int_equal(mids[0], FX(30000));
    assert_int_equal(mids[1], FX(30100) + CENT); /* 30100.005 */
    assert_int_equal(mids[2], FX(29950) + 50 * CENT);

    tl_xcore x;
    tl_xmm mm;
    core(&x);
    tl_xmm_symbol_cfg c;
    tl_xmm_defaults(&c, "BTCUSDT");
    c.mids = mids;
    c.n_mids = n;
    c.size = FX(1) / 10;
    assert_int_equal(tl_xmm_init(&mm, &x, "maker", 5, &c, 1, &err), 0);
    free(mids); /* copied */
    /* One row per refresh, turning back at the end: rows 0 1 2 1 0 1. */
    const int rows[] = {0, 1, 2, 1, 0, 1};
    const tl_fixed want[] = {FX(30000), FX(30100) + CENT, FX(29950) + 50 * CENT};
    for (int i = 0; i < 6; i++) {
        step(&mm, &x, T0 + i * SEC);
        tl_fixed bid, ask;
        tl_lob_best(&x.symbols[0].book, &bid, NULL, &ask, NULL);
        assert_int_equal(bid, want[rows[i]] - CENT);
        assert_int_equal(ask, want[rows[i]] + CENT);
        assert_int_equal(tl_lob_count(&x.symbols[0].book), 10);
    }
    tl_xmm_close(&mm);
    tl_xcore_close(&x);

    /* A bad line is named; a file without the symbol is refused. */
    write_file(path, "timestamp,price\n2025-01-01T00:00:00Z,1.5\n2025-01-01T00:00:01Z,x\n");
    assert_int_equal(tl_xmm_csv_load(path, "BTCUSDT", CENT, &mids, &n, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "line 3"));
    write_file(path, "timestamp,symbol,bid,ask\n2025-01-01T00:00:00Z,ETHUSDT,1,2\n");
    assert_int_equal(tl_xmm_csv_load(path, "BTCUSDT", CENT, &mids, &n, &err), TL_ENOTFOUND);
    unlink(path);
}

/* The shipped quotes (one price a row) as the path of a symbol priced like them. */
static void test_csv_path_from_shipped_quotes(void **state)
{
    (void)state;
    tl_fixed *mids;
    size_t n;
    tl_err err;
    if (tl_xmm_csv_load(TL_SOURCE_DIR "/data/usdchf_30m.csv", "USDCHF", 10000, &mids, &n, &err))
        fail_msg("load: %s", err.msg);
    assert_int_equal(n, 62496);
    assert_int_equal(mids[0], 119300000); /* 1.193 */
    assert_int_equal(mids[1], 119410000); /* 1.1941 */
    tl_xsymbol_cfg sym = {"USDCHF", "USD",  "CHF",       10000, 10000, FX(100),
                          100000,   100000, FX(1000000), FX(5), FX(1)};
    tl_xcore x;
    assert_int_equal(tl_xcore_init(&x, &sym, 1, 0, &err), 0);
    uint32_t m;
    assert_int_equal(tl_xcore_account(&x, "maker", &m, &err), 0);
    assert_int_equal(tl_xcore_fund(&x, m, "USD", FX(1000000), T0, &err), 0);
    assert_int_equal(tl_xcore_fund(&x, m, "CHF", FX(1000000), T0, &err), 0);
    tl_xmm mm;
    tl_xmm_symbol_cfg c;
    tl_xmm_defaults(&c, "USDCHF");
    c.mids = mids;
    c.n_mids = n;
    assert_int_equal(tl_xmm_init(&mm, &x, "maker", 5, &c, 1, &err), 0);
    free(mids);
    step(&mm, &x, T0);
    step(&mm, &x, T0 + SEC);
    tl_fixed bid, ask;
    tl_lob_best(&x.symbols[0].book, &bid, NULL, &ask, NULL);
    assert_int_equal(bid, 119400000); /* 1.1941 - 0.0001 */
    assert_int_equal(ask, 119420000);
    assert_int_equal(mm.stats.placed, 20);
    tl_xmm_close(&mm);
    tl_xcore_close(&x);
}

static void test_bad_config_refused(void **state)
{
    (void)state;
    tl_xcore x;
    tl_xmm mm;
    tl_err err;
    core(&x);
    tl_xmm_symbol_cfg c;
    tl_xmm_defaults(&c, "BTCUSDT");
    assert_int_equal(tl_xmm_init(&mm, &x, "nobody", 1, &c, 1, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "nobody"));
    c.half_spread_ticks = 0; /* bid and ask would meet: a self-trade */
    assert_int_equal(tl_xmm_init(&mm, &x, "maker", 1, &c, 1, &err), TL_EINVAL);
    tl_xmm_defaults(&c, "BTCUSDT");
    c.size = 1500; /* off the 0.00001 lot */
    assert_int_equal(tl_xmm_init(&mm, &x, "maker", 1, &c, 1, &err), TL_EINVAL);
    tl_xmm_defaults(&c, "NOPE");
    assert_int_equal(tl_xmm_init(&mm, &x, "maker", 1, &c, 1, &err), TL_EINVAL);
    tl_xcore_close(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ladder_shape),
        cmocka_unit_test(test_refresh_cancels_the_old_quotes),
        cmocka_unit_test(test_same_seed_same_orders),
        cmocka_unit_test(test_lone_client_market_orders_fill),
        cmocka_unit_test(test_quotes_never_take_a_client_order),
        cmocka_unit_test(test_adoption_after_recovery),
        cmocka_unit_test(test_csv_path),
        cmocka_unit_test(test_csv_path_from_shipped_quotes),
        cmocka_unit_test(test_bad_config_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
