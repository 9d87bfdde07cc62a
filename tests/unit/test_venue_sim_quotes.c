/*
 * test_venue_sim_quotes.c -- what the governed loop asks of sim://: MARKET orders priced by the
 * quotes it is fed (at the quote current when the order reaches the venue), the fill history
 * (get_fills: cursor, paging, bound), a fill report dropped by the dispatcher's fault injection
 * yet kept by the venue's books, and determinism with quotes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venue/venue.h"

#define T0       (1735689600LL * TL_NS_PER_SEC)
#define US       TL_NS_PER_US
#define LOOP_URL "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0"

static void open_sim(tl_venue *v, tl_clock *c, const char *url)
{
    tl_err err;
    tl_clock_init_sim(c, T0);
    if (tl_venue_open(v, url, c, NULL, &err) != 0)
        fail_msg("open %s: %s", url, err.msg);
}

static void send(tl_venue *v, uint64_t seq, const char *sym, int side, int type, tl_fixed qty,
                 tl_fixed price)
{
    tl_venue_order o;
    memset(&o, 0, sizeof o);
    o.client_seq = seq;
    strcpy(o.symbol, sym);
    o.side = (uint8_t)side;
    o.type = (uint8_t)type;
    o.qty = qty;
    o.price = price;
    tl_err err;
    if (tl_venue_place(v, &o, &err) != 0)
        fail_msg("place %llu: %s", (unsigned long long)seq, err.msg);
}

static void quote(tl_venue *v, const char *sym, tl_fixed bid, tl_fixed ask, int64_t ts)
{
    tl_err err;
    if (tl_venue_on_quote(v, sym, bid, ask, ts, &err) != 0)
        fail_msg("quote %s: %s", sym, err.msg);
}

static size_t drain(tl_venue *v, tl_venue_report *out, size_t cap)
{
    size_t total = 0, n;
    tl_err err;
    do {
        assert_int_equal(tl_venue_poll(v, out + total, cap - total, &n, &err), 0);
        total += n;
    } while (n > 0 && total < cap);
    return total;
}

/* The FILL reports among r[0..n), in order, into f; returns their count. */
static size_t fills_of(const tl_venue_report *r, size_t n, tl_venue_report *f)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (r[i].type == TL_REPORT_FILL)
            f[k++] = r[i];
    return k;
}

static tl_fixed fee_1bps(tl_fixed qty, tl_fixed price)
{
    /* qty * price * 1e-4, exact here (the test's numbers divide evenly) */
    return (tl_fixed)((__int128)qty * price / TL_FIXED_SCALE / 10000);
}

/* ---- prices -------------------------------------------------------------------------------- */

static void test_loop_url(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    open_sim(&v, &c, LOOP_URL);
    uint32_t caps = tl_venue_caps(&v);
    assert_true(caps & TL_VENUE_CAP_IMMEDIATE);
    assert_true(caps & TL_VENUE_CAP_QUOTES);
    tl_venue_close(&v);
}

/* Latency 0: a MARKET BUY at the ask, a SELL at the bid, whatever reference price they carry;
 * the fee on the quote's price; a LIMIT order still at its own price. */
static void test_market_at_quote(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[16], f[16];
    open_sim(&v, &c, LOOP_URL);
    quote(&v, "BTCUSDT", TL_FIXED_INT(100), TL_FIXED_INT(101), T0);
    send(&v, 1, "BTCUSDT", TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(2), TL_FIXED_INT(50));
    send(&v, 2, "BTCUSDT", TL_SIDE_SELL, TL_ORDER_MARKET, TL_FIXED_INT(1), TL_FIXED_INT(500));
    send(&v, 3, "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(1), TL_FIXED_INT(99));
    size_t n = fills_of(r, drain(&v, r, 16), f);
    assert_int_equal(n, 3);
    assert_int_equal(f[0].price, TL_FIXED_INT(101));
    assert_int_equal(f[0].fee, fee_1bps(TL_FIXED_INT(2), TL_FIXED_INT(101)));
    assert_int_equal(f[1].price, TL_FIXED_INT(100));
    assert_int_equal(f[1].fee, fee_1bps(TL_FIXED_INT(1), TL_FIXED_INT(100)));
    assert_int_equal(f[2].price, TL_FIXED_INT(99));
    /* A new quote moves the next order's price. */
    quote(&v, "BTCUSDT", TL_FIXED_INT(102), TL_FIXED_INT(103), T0);
    send(&v, 4, "BTCUSDT", TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(1), TL_FIXED_INT(101));
    assert_int_equal(fills_of(r, drain(&v, r, 16), f), 1);
    assert_int_equal(f[0].price, TL_FIXED_INT(103));
    tl_venue_close(&v);
}

/* latency_us=1000: the order reaches the venue 1 ms after it was sent, and takes the quote
 * current then, not the one when it was sent. A quote stamped at the very instant it arrives
 * comes after it; a poll that is late changes nothing. */
static void test_quote_during_latency(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[16], f[16];
    open_sim(&v, &c, "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=1000");
    quote(&v, "EURUSD", TL_FIXED_INT(1), TL_FIXED_INT(2), T0);
    send(&v, 1, "EURUSD", TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(1), TL_FIXED_INT(2));
    assert_int_equal(tl_clock_advance(&c, 500 * US), 0);
    quote(&v, "EURUSD", TL_FIXED_INT(3), TL_FIXED_INT(4), T0 + 500 * US);
    assert_int_equal(drain(&v, r, 16), 0); /* not arrived yet */
    assert_int_equal(tl_clock_advance(&c, 500 * US), 0);
    quote(&v, "EURUSD", TL_FIXED_INT(5), TL_FIXED_INT(6), T0 + 1000 * US); /* arrival instant */
    send(&v, 2, "EURUSD", TL_SIDE_SELL, TL_ORDER_MARKET, TL_FIXED_INT(1), TL_FIXED_INT(2));
    assert_int_equal(tl_clock_advance(&c, 700 * US), 0);
    quote(&v, "EURUSD", TL_FIXED_INT(7), TL_FIXED_INT(8), T0 + 1700 * US);
    assert_int_equal(tl_clock_advance(&c, 5000 * US), 0); /* polled long after both arrived */
    size_t n = fills_of(r, drain(&v, r, 16), f);
    assert_int_equal(n, 2);
    assert_int_equal(f[0].client_seq, 1);
    assert_int_equal(f[0].price, TL_FIXED_INT(4)); /* the ask at 0.5 ms, not 2 nor 6 */
    assert_int_equal(f[0].ts_ns, T0 + 1000 * US);
    assert_int_equal(f[1].client_seq, 2);
    assert_int_equal(f[1].price, TL_FIXED_INT(7)); /* the bid at 1.7 ms, its arrival at 2 ms */
    tl_venue_close(&v);
}

/* Both parts of a partially filled MARKET order at the price it arrived at, each with its fee. */
static void test_partial_market_one_price(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[16], f[16];
    open_sim(&v, &c, "sim://?fill_rate=1&reject_rate=0&partial_rate=1&latency_us=1000");
    quote(&v, "BTCUSDT", TL_FIXED_INT(10), TL_FIXED_INT(20), T0);
    send(&v, 1, "BTCUSDT", TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(4), 0);
    assert_int_equal(tl_clock_advance(&c, 1000 * US), 0);
    quote(&v, "BTCUSDT", TL_FIXED_INT(30), TL_FIXED_INT(40), T0 + 1000 * US);
    assert_int_equal(tl_clock_advance(&c, 1000 * US), 0);
    size_t n = fills_of(r, drain(&v, r, 16), f);
    assert_int_equal(n, 2);
    assert_int_equal(f[0].qty + f[1].qty, TL_FIXED_INT(4));
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(f[i].price, TL_FIXED_INT(20));
        assert_int_equal(f[i].fee, fee_1bps(f[i].qty, TL_FIXED_INT(20)));
    }
    tl_venue_close(&v);
}

/* Without any quote of its symbol a MARKET order keeps the old rule: its reference price, or a
 * reject without one. With a quote, no reference price is needed. */
static void test_no_quote_fallback(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[16], f[16];
    open_sim(&v, &c, LOOP_URL);
    quote(&v, "BTCUSDT", TL_FIXED_INT(100), TL_FIXED_INT(101), T0); /* another symbol */
    send(&v, 1, "ETHUSDT", TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(1), TL_FIXED_INT(3000));
    size_t n = drain(&v, r, 16);
    assert_int_equal(fills_of(r, n, f), 1);
    assert_int_equal(f[0].price, TL_FIXED_INT(3000));
    send(&v, 2, "ETHUSDT", TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(1), 0);
    assert_int_equal(drain(&v, r, 16), 1);
    assert_int_equal(r[0].type, TL_REPORT_REJECTED);
    assert_string_equal(r[0].text, "market order without a reference price");
    send(&v, 3, "BTCUSDT", TL_SIDE_SELL, TL_ORDER_MARKET, TL_FIXED_INT(1), 0);
    assert_int_equal(fills_of(r, drain(&v, r, 16), f), 1);
    assert_int_equal(f[0].price, TL_FIXED_INT(100));
    tl_venue_close(&v);
}

/* ---- the fill history ---------------------------------------------------------------------- */

static void check_fill(const tl_venue_fill *h, const tl_venue_report *r, const char *sym, int side)
{
    assert_int_equal(h->client_seq, r->client_seq);
    assert_int_equal(h->venue_seq, r->venue_seq);
    assert_int_equal(h->ts_ns, r->ts_ns);
    assert_string_equal(h->trade_id, r->trade_id);
    assert_string_equal(h->symbol, sym);
    assert_int_equal(h->side, side);
    assert_int_equal(h->qty, r->qty);
    assert_int_equal(h->price, r->price);
    assert_int_equal(h->fee, r->fee);
}

static void test_get_fills_paging(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[32], f[32];
    tl_venue_fill h[4];
    tl_err err;
    size_t n;
    uint64_t next = 99;
    open_sim(&v, &c, LOOP_URL);
    assert_int_equal(tl_venue_get_fills(&v, 0, h, 4, &n, &next, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(next, 0);
    for (uint64_t i = 1; i <= 10; i++)
        send(&v, i, "BTCUSDT", i % 2 ? TL_SIDE_BUY : TL_SIDE_SELL, TL_ORDER_LIMIT,
             TL_FIXED_INT((int64_t)i), TL_FIXED_INT(100 + (int64_t)i));
    assert_int_equal(fills_of(r, drain(&v, r, 32), f), 10);
    uint64_t cursor = 0;
    size_t seen = 0;
    do {
        assert_int_equal(tl_venue_get_fills(&v, cursor, h, 4, &n, &next, &err), 0);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(h[i].seq, seen + 1);
            check_fill(&h[i], &f[seen], "BTCUSDT", seen % 2 ? TL_SIDE_SELL : TL_SIDE_BUY);
            seen++;
        }
        cursor = next;
    } while (n == 4);
    assert_int_equal(seen, 10);
    assert_int_equal(cursor, 10);
    assert_int_equal(tl_venue_get_fills(&v, 10, h, 4, &n, &next, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(next, 10);
    n = 7;
    assert_int_equal(tl_venue_get_fills(&v, 11, h, 4, &n, &next, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "past the newest"));
    assert_int_equal(n, 7);
    tl_venue_close(&v);
}

/* capacity=2 keeps the last 8 fills: older ones are gone, a cursor before them lists from the
 * oldest kept, and its seq shows the gap. */
static void test_get_fills_bound(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[64];
    tl_venue_fill h[16];
    tl_err err;
    size_t n;
    uint64_t next;
    open_sim(&v, &c, LOOP_URL "&capacity=2");
    for (uint64_t i = 1; i <= 20; i++) {
        send(&v, i, "BTCUSDT", TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(1), TL_FIXED_INT(5));
        drain(&v, r, 64);
    }
    assert_int_equal(tl_venue_get_fills(&v, 0, h, 16, &n, &next, &err), 0);
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(h[i].seq, 13 + i);
        assert_int_equal(h[i].client_seq, 13 + i); /* one fill per order, in order */
    }
    assert_int_equal(next, 20);
    assert_int_equal(tl_venue_get_fills(&v, 5, h, 16, &n, &next, &err), 0);
    assert_int_equal(n, 8);
    assert_int_equal(h[0].seq, 13);
    assert_int_equal(tl_venue_get_fills(&v, 15, h, 3, &n, &next, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(h[0].seq, 16);
    assert_int_equal(next, 18);
    tl_venue_close(&v);
}

/* ---- a fill report the venue dropped -------------------------------------------------------- */

/* The dispatcher swallows the 2nd FILL report: poll never gives it, while the venue's positions,
 * get_fills and (for a partly filled order) get_orders all have it. */
static void test_dropped_fill_report(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[32], f[32];
    tl_venue_fill h[8];
    tl_venue_position p[4];
    tl_venue_order_info oi[4];
    tl_err err;
    size_t n;
    uint64_t next;
    open_sim(&v, &c, "sim://?fill_rate=1&reject_rate=0&partial_rate=1&latency_us=1000");
    v.faults.drop_report_at = 2;
    quote(&v, "BTCUSDT", TL_FIXED_INT(10), TL_FIXED_INT(11), T0);
    send(&v, 1, "BTCUSDT", TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(4), TL_FIXED_INT(11));
    send(&v, 2, "ETHUSDT", TL_SIDE_SELL, TL_ORDER_LIMIT, TL_FIXED_INT(8), TL_FIXED_INT(20));
    assert_int_equal(tl_clock_advance(&c, 1000 * US), 0);
    /* Due now: both ACCEPTED and both first parts; the second first part (order 2's) is lost. */
    size_t nr = drain(&v, r, 32);
    assert_int_equal(fills_of(r, nr, f), 1);
    assert_int_equal(f[0].client_seq, 1);
    assert_int_equal(v.stats.fill_reports, 2);
    assert_int_equal(v.stats.dropped_reports, 1);
    assert_int_equal(v.stats.reports, nr);

    assert_int_equal(tl_venue_get_fills(&v, 0, h, 8, &n, &next, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(h[1].client_seq, 2);
    assert_string_equal(h[1].symbol, "ETHUSDT");
    assert_int_equal(h[1].side, TL_SIDE_SELL);
    assert_int_equal(h[1].price, TL_FIXED_INT(20));
    assert_true(h[1].qty > 0 && h[1].qty < TL_FIXED_INT(8));
    assert_int_equal(tl_venue_get_orders(&v, oi, 4, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(oi[1].client_seq, 2);
    assert_int_equal(oi[1].filled_qty, h[1].qty);
    assert_int_equal(tl_venue_get_positions(&v, p, 4, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[1].symbol, "ETHUSDT");
    assert_int_equal(p[1].qty, -h[1].qty);

    /* The rest comes through; positions are the signed net of every fill, the dropped one too. */
    assert_int_equal(tl_clock_advance(&c, 1000 * US), 0);
    nr = drain(&v, r, 32);
    assert_int_equal(fills_of(r, nr, f), 2);
    assert_int_equal(v.stats.dropped_reports, 1);
    assert_int_equal(tl_venue_get_positions(&v, p, 4, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].symbol, "BTCUSDT");
    assert_int_equal(p[0].qty, TL_FIXED_INT(4));
    assert_int_equal(p[1].qty, TL_FIXED_INT(-8));
    assert_int_equal(tl_venue_get_fills(&v, 0, h, 8, &n, &next, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(tl_venue_get_orders(&v, oi, 4, &n, &err), 0);
    assert_int_equal(n, 0);
    tl_venue_close(&v);
}

/* ---- determinism --------------------------------------------------------------------------- */

#define SCRIPT_MAX 4096

/* A seeded run of quotes, MARKET and LIMIT orders, cancels and clock steps on url; the reports
 * into out (returned count) and the fill history into *hist (count in *nh). */
static size_t script(const char *url, tl_venue_report *out, tl_venue_fill *hist, size_t *nh)
{
    static const char *const syms[] = {"BTCUSDT", "ETHUSDT", "EURUSD"};
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_sim(&v, &c, url);
    uint64_t x = 12345;
    size_t total = 0;
    for (uint64_t i = 1; i <= 400; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = x >> 11;
        const char *sym = syms[r % 3];
        if ((r >> 4) % 2 == 0) {
            tl_fixed bid = TL_FIXED_INT(100) + (tl_fixed)((r >> 8) % 5000) * 1000000;
            quote(&v, sym, bid, bid + (tl_fixed)((r >> 24) % 50 + 1) * 1000000, tl_clock_now(&c));
        }
        int market = (r >> 5) % 3 != 0;
        send(&v, i, sym, (int)((r >> 6) & 1), market ? TL_ORDER_MARKET : TL_ORDER_LIMIT,
             TL_FIXED_INT(1 + (int64_t)((r >> 30) % 9)), market ? 0 : TL_FIXED_INT(120));
        if ((r >> 40) % 7 == 0)
            assert_int_equal(tl_venue_cancel(&v, 1 + (r >> 44) % i, &err), 0);
        assert_int_equal(tl_clock_advance(&c, (int64_t)((r >> 12) % 1500) * US), 0);
        total += drain(&v, out + total, SCRIPT_MAX - total);
    }
    assert_int_equal(tl_clock_advance(&c, 10 * TL_NS_PER_SEC), 0);
    total += drain(&v, out + total, SCRIPT_MAX - total);
    uint64_t next;
    assert_int_equal(tl_venue_get_fills(&v, 0, hist, SCRIPT_MAX, nh, &next, &err), 0);
    tl_venue_close(&v);
    return total;
}

static void test_determinism_with_quotes(void **unused)
{
    (void)unused;
    tl_venue_report *a = calloc(SCRIPT_MAX, sizeof *a), *b = calloc(SCRIPT_MAX, sizeof *b);
    tl_venue_fill *ha = calloc(SCRIPT_MAX, sizeof *ha), *hb = calloc(SCRIPT_MAX, sizeof *hb);
    assert_true(a && b && ha && hb);
    size_t nha, nhb;
    const char *url = "sim://?seed=5&partial_rate=0.5&latency_us=700";
    size_t na = script(url, a, ha, &nha), nb = script(url, b, hb, &nhb);
    assert_true(na > 800);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof *a);
    assert_int_equal(nha, nhb);
    assert_true(nha > 100);
    assert_memory_equal(ha, hb, nha * sizeof *ha);
    /* Every FILL report is in the history, in order, byte for byte where they share fields. */
    size_t k = 0;
    for (size_t i = 0; i < na; i++) {
        if (a[i].type != TL_REPORT_FILL)
            continue;
        assert_true(k < nha);
        assert_string_equal(ha[k].trade_id, a[i].trade_id);
        assert_int_equal(ha[k].price, a[i].price);
        k++;
    }
    assert_int_equal(k, nha);
    /* Another seed, another run. */
    nb = script("sim://?seed=6&partial_rate=0.5&latency_us=700", b, hb, &nhb);
    assert_true(na != nb || memcmp(a, b, na * sizeof *a) != 0);
    free(a);
    free(b);
    free(ha);
    free(hb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loop_url),
        cmocka_unit_test(test_market_at_quote),
        cmocka_unit_test(test_quote_during_latency),
        cmocka_unit_test(test_partial_market_one_price),
        cmocka_unit_test(test_no_quote_fallback),
        cmocka_unit_test(test_get_fills_paging),
        cmocka_unit_test(test_get_fills_bound),
        cmocka_unit_test(test_dropped_fill_report),
        cmocka_unit_test(test_determinism_with_quotes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
