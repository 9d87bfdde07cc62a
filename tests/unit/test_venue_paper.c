/*
 * test_venue_paper.c -- the paper venue ("paper://"), driven through the venue dispatcher with a
 * simulated clock: immediate whole fills at the order's price, trade ids from client ids, exact
 * fees, refusals, cancels, snapshots and URL options. The contract it shares with every venue is
 * checked by the conformance suite (test_venue_conformance.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "venue/venue.h"

#define T0 (1735689600LL * TL_NS_PER_SEC)

static void open_paper(tl_venue *v, tl_clock *c, const char *url)
{
    tl_err err = {0};
    tl_clock_init_sim(c, T0);
    int rc = tl_venue_open(v, url, c, NULL, &err);
    if (rc != 0)
        fail_msg("open %s: %s", url, err.msg);
}

static tl_venue_order mkorder(uint64_t seq, const char *id, const char *sym, int side, int type,
                              tl_fixed qty, tl_fixed price)
{
    tl_venue_order o;
    memset(&o, 0, sizeof o);
    o.client_seq = seq;
    snprintf(o.client_id, sizeof o.client_id, "%s", id);
    strcpy(o.symbol, sym);
    o.side = (uint8_t)side;
    o.type = (uint8_t)type;
    o.qty = qty;
    o.price = price;
    o.lot_size = 100000;
    return o;
}

static void place_ok(tl_venue *v, const tl_venue_order *o)
{
    tl_err err = {0};
    int rc = tl_venue_place(v, o, &err);
    if (rc != 0)
        fail_msg("place %llu: %s", (unsigned long long)o->client_seq, err.msg);
}

static size_t poll_all(tl_venue *v, tl_venue_report *r, size_t cap)
{
    size_t n = 0;
    assert_int_equal(tl_venue_poll(v, r, cap, &n, NULL), 0);
    return n;
}

static void test_fills_at_once_whole_at_price(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    open_paper(&v, &c, "paper://");
    assert_int_equal(tl_venue_caps(&v), TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_MARKET |
                                            TL_VENUE_CAP_CANCEL | TL_VENUE_CAP_SIMULATED |
                                            TL_VENUE_CAP_IMMEDIATE);
    tl_venue_order o = mkorder(5, "PO0123456789abcdef0123", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_MARKET,
                               12345678, TL_FIXED_INT(50000));
    place_ok(&v, &o);
    assert_int_equal(poll_all(&v, r, 8), 2);
    assert_int_equal(r[0].type, TL_REPORT_ACCEPTED);
    assert_int_equal(r[0].client_seq, 5);
    assert_int_equal(r[0].venue_seq, 1);
    assert_int_equal(r[0].ts_ns, T0);
    assert_int_equal(r[1].type, TL_REPORT_FILL);
    assert_int_equal(r[1].client_seq, 5);
    assert_int_equal(r[1].venue_seq, 1);
    assert_int_equal(r[1].ts_ns, T0);
    assert_string_equal(r[1].trade_id, "PT-PO0123456789abcdef0123");
    assert_int_equal(r[1].qty, 12345678);
    assert_int_equal(r[1].price, TL_FIXED_INT(50000));
    assert_int_equal(r[1].fee, 0);
    assert_int_equal(poll_all(&v, r, 8), 0);

    /* No client id: the formatted client_seq names the trade. The clock's now stamps it. */
    assert_int_equal(tl_clock_advance(&c, 7 * TL_NS_PER_SEC), 0);
    o = mkorder(6, "", "ETHUSDT", TL_SIDE_SELL, TL_ORDER_LIMIT, TL_FIXED_INT(2), 300012345678);
    place_ok(&v, &o);
    /* Room for one at a time: the rest waits, in order. */
    assert_int_equal(poll_all(&v, r, 1), 1);
    assert_int_equal(r[0].type, TL_REPORT_ACCEPTED);
    assert_int_equal(r[0].venue_seq, 2);
    assert_int_equal(poll_all(&v, r, 1), 1);
    assert_int_equal(r[0].type, TL_REPORT_FILL);
    assert_string_equal(r[0].trade_id, "PT-CLI00000006");
    assert_int_equal(r[0].price, 300012345678);
    assert_int_equal(r[0].qty, TL_FIXED_INT(2));
    assert_int_equal(r[0].ts_ns, T0 + 7 * TL_NS_PER_SEC);
    tl_venue_close(&v);
}

/* round(qty * price * bps / 10000), half away from zero, computed here from the raw integers. */
static tl_fixed expected_fee(tl_fixed qty, tl_fixed price, tl_fixed bps)
{
    unsigned __int128 num = (unsigned __int128)qty * (unsigned __int128)price * bps;
    unsigned __int128 den = (unsigned __int128)TL_FIXED_SCALE * TL_FIXED_SCALE * 10000;
    return (tl_fixed)((num + den / 2) / den);
}

static void test_fee_exact(void **unused)
{
    (void)unused;
    static const struct {
        const char *url;
        tl_fixed bps, qty, price, want; /* want < 0: from expected_fee */
    } cases[] = {
        {"paper://?fee_bps=1", TL_FIXED_INT(1), 500000, 1000000, 1}, /* exactly half: rounds up */
        {"paper://?fee_bps=1", TL_FIXED_INT(1), 400000, 1000000, 0},
        {"paper://?fee_bps=2.5", 250000000, 12300000, 4567890000000, -1},
        {"paper://?fee_bps=10", TL_FIXED_INT(10), TL_FIXED_INT(3), TL_FIXED_INT(20000),
         TL_FIXED_INT(60)},
        {"paper://?fee_bps=10000", TL_FIXED_INT(10000), 99999999, 99999999, -1},
        {"paper://?fee_bps=0.00000001", 1, TL_FIXED_INT(1000000), TL_FIXED_INT(1000000), -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tl_clock c;
        tl_venue v;
        tl_venue_report r[2];
        open_paper(&v, &c, cases[i].url);
        tl_venue_order o =
            mkorder(1, "", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT, cases[i].qty, cases[i].price);
        place_ok(&v, &o);
        assert_int_equal(poll_all(&v, r, 2), 2);
        tl_fixed want = cases[i].want >= 0
                            ? cases[i].want
                            : expected_fee(cases[i].qty, cases[i].price, cases[i].bps);
        if (r[1].fee != want)
            fail_msg("%s: fee %lld, want %lld", cases[i].url, (long long)r[1].fee, (long long)want);
        tl_venue_close(&v);
    }
}

static void test_no_price_rejected(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[4];
    tl_venue_position p[2];
    size_t n;
    open_paper(&v, &c, "paper://");
    tl_venue_order o = mkorder(1, "", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(1), 0);
    place_ok(&v, &o);
    assert_int_equal(poll_all(&v, r, 4), 1);
    assert_int_equal(r[0].type, TL_REPORT_REJECTED);
    assert_int_equal(r[0].venue_seq, 0);
    assert_non_null(strstr(r[0].text, "no price"));
    assert_int_equal(tl_venue_get_positions(&v, p, 2, &n, NULL), 0);
    assert_int_equal(n, 0);
    /* Not remembered: its cancel is of an unknown order, and the next accepted order is the
     * venue's first. */
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0);
    assert_int_equal(poll_all(&v, r, 4), 1);
    assert_string_equal(r[0].text, "unknown order");
    o.price = TL_FIXED_INT(3);
    place_ok(&v, &o);
    assert_int_equal(poll_all(&v, r, 4), 2);
    assert_int_equal(r[0].venue_seq, 1);
    tl_venue_close(&v);
}

static void test_cancel_always_refused(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[4];
    open_paper(&v, &c, "paper://");
    tl_venue_order o =
        mkorder(9, "", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(1), TL_FIXED_INT(3));
    place_ok(&v, &o);
    assert_int_equal(tl_venue_cancel(&v, 9, NULL), 0); /* before the fill is even polled */
    assert_int_equal(tl_venue_cancel(&v, 10, NULL), 0);
    assert_int_equal(poll_all(&v, r, 4), 4);
    assert_int_equal(r[1].type, TL_REPORT_FILL);
    assert_int_equal(r[2].type, TL_REPORT_CANCEL_REJECTED);
    assert_int_equal(r[2].client_seq, 9);
    assert_int_equal(r[2].venue_seq, 1);
    assert_string_equal(r[2].text, "already filled");
    assert_int_equal(r[3].type, TL_REPORT_CANCEL_REJECTED);
    assert_int_equal(r[3].client_seq, 10);
    assert_int_equal(r[3].venue_seq, 0);
    assert_string_equal(r[3].text, "unknown order");
    tl_venue_close(&v);
}

static void test_duplicates_refused(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[4];
    tl_err err = {0};
    open_paper(&v, &c, "paper://");
    tl_venue_order o =
        mkorder(7, "", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(1), TL_FIXED_INT(3));
    place_ok(&v, &o);
    assert_int_equal(poll_all(&v, r, 4), 2);
    /* The same client_seq, whatever its id. */
    o.client_seq = 7;
    strcpy(o.client_id, "X1");
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EDUPLICATE);
    /* Another order named like the first one's default name: it would repeat PT-CLI00000007. */
    o = mkorder(8, "CLI00000007", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(1),
                TL_FIXED_INT(3));
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EDUPLICATE);
    assert_non_null(strstr(err.msg, "CLI00000007"));
    o = mkorder(8, "PO-A", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(1),
                TL_FIXED_INT(3));
    place_ok(&v, &o);
    o.client_seq = 9;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EDUPLICATE);
    /* Refusals queued nothing and consumed no venue id. */
    assert_int_equal(poll_all(&v, r, 4), 2);
    assert_int_equal(r[0].venue_seq, 2);
    assert_string_equal(r[1].trade_id, "PT-PO-A");
    assert_int_equal(poll_all(&v, r, 4), 0);
    tl_venue_close(&v);
}

static void test_out_of_range_refused(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[4];
    tl_venue_position p[2];
    size_t n;
    tl_err err = {0};
    open_paper(&v, &c, "paper://?fee_bps=10000");
    /* A fee of the whole notional, 1e11, does not fit. */
    tl_venue_order o = mkorder(1, "", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT,
                               TL_FIXED_INT(1000000000), TL_FIXED_INT(100));
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_ERANGE);
    assert_non_null(strstr(err.msg, "fee"));
    tl_venue_close(&v);

    open_paper(&v, &c, "paper://");
    o = mkorder(1, "", "BTCUSDT", TL_SIDE_SELL, TL_ORDER_LIMIT, TL_FIXED_MAX, 1);
    place_ok(&v, &o);
    o = mkorder(2, "", "BTCUSDT", TL_SIDE_SELL, TL_ORDER_LIMIT, 2, 1);
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_ERANGE);
    assert_non_null(strstr(err.msg, "position"));
    assert_int_equal(poll_all(&v, r, 4), 2);
    assert_int_equal(tl_venue_get_positions(&v, p, 2, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].qty, -TL_FIXED_MAX);
    tl_venue_close(&v);
}

static void test_snapshots(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_position p[4];
    tl_venue_order_info info[2];
    size_t n = 99;
    open_paper(&v, &c, "paper://");
    static const struct {
        const char *sym;
        int side;
        tl_fixed qty;
    } fills[] = {
        {"BTCUSDT", TL_SIDE_BUY, 300000000},  {"ETHUSDT", TL_SIDE_SELL, 100000000},
        {"BTCUSDT", TL_SIDE_SELL, 100000000}, {"SOLUSDT", TL_SIDE_BUY, 500000},
        {"SOLUSDT", TL_SIDE_SELL, 500000},
    };
    for (size_t i = 0; i < 5; i++) {
        tl_venue_order o = mkorder(i + 1, "", fills[i].sym, fills[i].side, TL_ORDER_LIMIT,
                                   fills[i].qty, TL_FIXED_INT(10));
        place_ok(&v, &o);
    }
    /* The books describe now, before the reports are polled. */
    assert_int_equal(tl_venue_get_orders(&v, info, 2, &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tl_venue_get_positions(&v, p, 0, &n, NULL), 0);
    assert_int_equal(n, 2); /* SOLUSDT is flat: not listed */
    assert_int_equal(tl_venue_get_positions(&v, p, 4, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].symbol, "BTCUSDT");
    assert_int_equal(p[0].qty, 200000000);
    assert_string_equal(p[1].symbol, "ETHUSDT");
    assert_int_equal(p[1].qty, -100000000);
    tl_venue_close(&v);
}

static void test_url_options(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err = {0};
    tl_clock_init_sim(&c, T0);
    assert_int_equal(tl_venue_open(&v, "PAPER://?fee_bps=0", &c, NULL, &err), 0);
    assert_ptr_equal(v.ops, &tl_venue_paper_ops);
    tl_venue_close(&v);
    assert_int_equal(tl_venue_open(&v, "paper://?", &c, NULL, &err), 0);
    tl_venue_close(&v);
    assert_int_equal(tl_venue_open(&v, "paper://?slippage=1", &c, NULL, &err), TL_EINVAL);
    assert_string_equal(err.msg, "paper: unknown parameter 'slippage'");
    assert_int_equal(tl_venue_open(&v, "paper://?fee_bps=1.5x", &c, NULL, &err), TL_EINVAL);
    assert_string_equal(err.msg, "paper: fee_bps=1.5x: not a decimal number");
}

/* get_fills: every fill, in order, as its report said it, paged by cursor; the history keeps the
 * last 4096 and lists from the oldest kept. A refused order leaves no fill. */
static void test_get_fills(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    tl_venue_fill f[8];
    tl_err err;
    size_t n;
    uint64_t next;
    open_paper(&v, &c, "paper://?fee_bps=2");
    tl_venue_order o =
        mkorder(1, "", "ETHUSDT", TL_SIDE_SELL, TL_ORDER_LIMIT, 300000, TL_FIXED_INT(3000));
    place_ok(&v, &o);
    assert_int_equal(poll_all(&v, r, 8), 2);
    o = mkorder(2, "", "ETHUSDT", TL_SIDE_BUY, TL_ORDER_MARKET, 300000, 0);
    place_ok(&v, &o); /* rejected: no price */
    assert_int_equal(tl_venue_get_fills(&v, 0, f, 8, &n, &next, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(next, 1);
    assert_int_equal(f[0].seq, 1);
    assert_int_equal(f[0].client_seq, 1);
    assert_int_equal(f[0].venue_seq, r[1].venue_seq);
    assert_string_equal(f[0].trade_id, "PT-CLI00000001");
    assert_string_equal(f[0].symbol, "ETHUSDT");
    assert_int_equal(f[0].side, TL_SIDE_SELL);
    assert_int_equal(f[0].qty, 300000);
    assert_int_equal(f[0].price, TL_FIXED_INT(3000));
    assert_int_equal(f[0].fee, r[1].fee);
    assert_int_equal(f[0].ts_ns, T0);
    for (uint64_t i = 3; i <= 4100; i++) {
        o = mkorder(i, "", "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT, 100000, TL_FIXED_INT(10));
        place_ok(&v, &o);
        poll_all(&v, r, 8);
    }
    assert_int_equal(tl_venue_get_fills(&v, 0, f, 8, &n, &next, &err), 0);
    assert_int_equal(n, 8);
    assert_int_equal(f[0].seq, 4099 - 4096 + 1); /* 4099 fills, the last 4096 kept */
    assert_int_equal(f[0].client_seq, 5);        /* fill k is order k + 1 from the 2nd on */
    assert_int_equal(tl_venue_get_fills(&v, 4095, f, 8, &n, &next, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(next, 4099);
    assert_int_equal(f[3].client_seq, 4100);
    assert_int_equal(tl_venue_get_fills(&v, 4100, f, 8, &n, &next, &err), TL_EINVAL);
    tl_venue_close(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fills_at_once_whole_at_price),
        cmocka_unit_test(test_fee_exact),
        cmocka_unit_test(test_no_price_rejected),
        cmocka_unit_test(test_cancel_always_refused),
        cmocka_unit_test(test_duplicates_refused),
        cmocka_unit_test(test_out_of_range_refused),
        cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_url_options),
        cmocka_unit_test(test_get_fills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
