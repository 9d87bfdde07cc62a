/*
 * test_venue_sim.c -- the simulated exchange, driven through the venue dispatcher with a
 * simulated clock: parameters, determinism, the rates, latency, FIFO order, cancels racing
 * fills, fees, trade ids and the reconciliation snapshots.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venue/sim/sim.h"
#include "venue/venue.h"

#define T0  (1735689600LL * TL_NS_PER_SEC)
#define LAT (1000 * TL_NS_PER_US) /* latency_us=1000 */

/* ---- helpers ------------------------------------------------------------------------------- */

static void open_sim(tl_venue *v, tl_clock *c, const char *url)
{
    tl_err err;
    tl_clock_init_sim(c, T0);
    int rc = tl_venue_open(v, url, c, NULL, &err);
    if (rc != 0)
        fail_msg("open %s: %s", url, err.msg);
}

static tl_venue_order mkorder(uint64_t seq, const char *sym, int side, tl_fixed qty, tl_fixed price,
                              tl_fixed lot)
{
    tl_venue_order o;
    memset(&o, 0, sizeof o);
    o.client_seq = seq;
    strcpy(o.symbol, sym);
    o.side = (uint8_t)side;
    o.type = TL_ORDER_LIMIT;
    o.qty = qty;
    o.price = price;
    o.lot_size = lot;
    return o;
}

static void place(tl_venue *v, uint64_t seq, tl_fixed qty, tl_fixed price)
{
    tl_venue_order o = mkorder(seq, "BTCUSDT", TL_SIDE_BUY, qty, price, 100000 /* 0.001 */);
    tl_err err;
    int rc = tl_venue_place(v, &o, &err);
    if (rc != 0)
        fail_msg("place %llu: %s", (unsigned long long)seq, err.msg);
}

/* Everything due now, in order. */
static size_t drain(tl_venue *v, tl_venue_report *out, size_t cap)
{
    size_t total = 0, n;
    tl_err err;
    do {
        size_t room = cap - total < 3 ? cap - total : 3; /* small batches: exercise the cursor */
        assert_int_equal(tl_venue_poll(v, out + total, room, &n, &err), 0);
        total += n;
    } while (n > 0 && total < cap);
    return total;
}

static size_t count_type(const tl_venue_report *r, size_t n, int type)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += r[i].type == type;
    return k;
}

/* ---- parameters ---------------------------------------------------------------------------- */

static void test_params_defaults_and_values(void **unused)
{
    (void)unused;
    tl_sim_params d, p;
    tl_err err;
    tl_sim_params_default(&d);
    assert_int_equal(d.seed, 42);
    assert_int_equal(d.fill_rate, 70000000);
    assert_int_equal(d.reject_rate, 5000000);
    assert_int_equal(d.partial_rate, 30000000);
    assert_int_equal(d.latency_ns, TL_NS_PER_MS);
    assert_int_equal(d.fee_bps, TL_FIXED_INT(1));
    assert_int_equal(d.capacity, 1024);

    for (int i = 0; i < 2; i++) {
        memset(&p, 0xCD, sizeof p);
        assert_int_equal(tl_sim_params_parse(i ? "sim://?" : "sim://", &p, &err), 0);
        assert_int_equal(p.seed, d.seed);
        assert_int_equal(p.fill_rate, d.fill_rate);
        assert_int_equal(p.reject_rate, d.reject_rate);
        assert_int_equal(p.partial_rate, d.partial_rate);
        assert_int_equal(p.latency_ns, d.latency_ns);
        assert_int_equal(p.fee_bps, d.fee_bps);
        assert_int_equal(p.capacity, d.capacity);
    }

    assert_int_equal(tl_sim_params_parse("sim://?seed=18446744073709551615&fill_rate=1&"
                                         "reject_rate=0&partial_rate=0.25&latency_us=0&"
                                         "fee_bps=2.5&capacity=8",
                                         &p, &err),
                     0);
    assert_true(p.seed == UINT64_MAX);
    assert_int_equal(p.fill_rate, TL_FIXED_SCALE);
    assert_int_equal(p.reject_rate, 0);
    assert_int_equal(p.partial_rate, 25000000);
    assert_int_equal(p.latency_ns, 0);
    assert_int_equal(p.fee_bps, 250000000);
    assert_int_equal(p.capacity, 8);
    assert_int_equal(tl_sim_params_parse("sim://?latency_us=250", &p, &err), 0);
    assert_int_equal(p.latency_ns, 250000);
    assert_int_equal(p.seed, 42); /* the rest stays at the defaults */
}

static void test_params_errors_named(void **unused)
{
    (void)unused;
    static const struct {
        const char *url, *want;
    } cases[] = {
        {"sim://?bogus=1", "bogus"},
        {"sim://?seed=abc", "seed"},
        {"sim://?seed=-1", "seed"},
        {"sim://?seed=", "seed"},
        {"sim://?seed= 1", "seed"},
        {"sim://?seed=18446744073709551616", "seed"},
        {"sim://?fill_rate=1.5", "fill_rate"},
        {"sim://?fill_rate=1.00000001", "fill_rate"},
        {"sim://?fill_rate=0.123456789", "fill_rate"},
        {"sim://?reject_rate=-0.1", "reject_rate"},
        {"sim://?partial_rate=x", "partial_rate"},
        {"sim://?partial_rate=.5", "partial_rate"},
        {"sim://?latency_us=-5", "latency_us=-5: must be >= 0"},
        {"sim://?latency_us=1.5", "latency_us"},
        {"sim://?latency_us=99999999999999999", "latency_us"},
        {"sim://?fee_bps=-1", "fee_bps=-1: must be >= 0"},
        {"sim://?fee_bps=10000.00000001", "fee_bps"},
        {"sim://?fee_bps=1e2", "fee_bps"},
        {"sim://?capacity=0", "capacity"},
        {"sim://?capacity=16777217", "capacity"},
        {"sim://?capacity=1048577", "capacity"}, /* a plan of gigabytes: found by fuzzing */
        {"sim://?capacity=1e3", "capacity"},
        {"sim://?seed=1&seed=2", "'seed' given twice"},
        {"sim://?seed", "'seed' has no value"},
        {"sim://?seed=1&", "empty parameter"},
        {"sim://?&seed=1", "empty parameter"},
        {"sim://?=1", "unknown parameter ''"},
        {"sim://host?seed=1", "host"},
        {"xim://?seed=1", "not a sim:// URL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tl_sim_params p, before;
        tl_err err;
        memset(&p, 0xCD, sizeof p);
        before = p;
        int rc = tl_sim_params_parse(cases[i].url, &p, &err);
        if (rc != TL_EINVAL || strstr(err.msg, cases[i].want) == NULL)
            fail_msg("%s: rc %d, msg '%s', wanted '%s'", cases[i].url, rc, err.msg, cases[i].want);
        assert_memory_equal(&p, &before, sizeof p);
    }
    /* The exchange refuses them on open, too. */
    tl_clock c;
    tl_venue v;
    tl_err err;
    tl_clock_init_sim(&c, T0);
    assert_int_equal(tl_venue_open(&v, "sim://?reject_rate=2", &c, NULL, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "reject_rate"));
}

/* ---- determinism --------------------------------------------------------------------------- */

#define SCEN_MAX 4096

/* A fixed script of places, cancels and clock moves; the quantities come from a local LCG so
 * the sim's own PRNG is the only randomness under test. */
static size_t run_script(const char *url, tl_venue_report *out)
{
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_sim(&v, &c, url);
    uint64_t lcg = 12345;
    size_t total = 0;
    for (uint64_t i = 1; i <= 400; i++) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        tl_fixed qty = (tl_fixed)(1 + (lcg >> 40) % 5000) * 100000; /* 0.001 .. 5 */
        tl_venue_order o = mkorder(i, i % 3 ? "BTCUSDT" : "ETHUSDT", (int)(i % 2), qty,
                                   TL_FIXED_INT(100) + (tl_fixed)(lcg >> 50), 100000);
        assert_int_equal(tl_venue_place(&v, &o, &err), 0);
        if (i % 7 == 0)
            assert_int_equal(tl_venue_cancel(&v, i - 3, &err), 0);
        assert_int_equal(tl_clock_advance(&c, (int64_t)((lcg >> 20) % (3 * LAT))), 0);
        total += drain(&v, out + total, SCEN_MAX - total);
    }
    assert_int_equal(tl_clock_advance(&c, 10 * LAT), 0);
    total += drain(&v, out + total, SCEN_MAX - total);
    assert_true(total < SCEN_MAX);
    tl_venue_close(&v);
    return total;
}

static void test_determinism(void **unused)
{
    (void)unused;
    tl_venue_report *a = calloc(SCEN_MAX, sizeof *a);
    tl_venue_report *b = calloc(SCEN_MAX, sizeof *b);
    tl_venue_report *d = calloc(SCEN_MAX, sizeof *d);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(d);
    size_t na = run_script("sim://?seed=7", a);
    size_t nb = run_script("sim://?seed=7", b);
    size_t nd = run_script("sim://?seed=8", d);
    assert_true(na > 400); /* acks, rejects, fills and cancels all happened */
    assert_true(count_type(a, na, TL_REPORT_FILL) > 100);
    assert_true(count_type(a, na, TL_REPORT_REJECTED) > 0);
    assert_true(count_type(a, na, TL_REPORT_CANCELED) > 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof *a);
    assert_true(na != nd || memcmp(a, d, na * sizeof *a) != 0);
    free(a);
    free(b);
    free(d);
}

/* ---- the rates ----------------------------------------------------------------------------- */

static void test_reject_rate_one(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[64];
    open_sim(&v, &c, "sim://?reject_rate=1&fill_rate=1&latency_us=1000");
    for (uint64_t i = 1; i <= 20; i++)
        place(&v, i, TL_FIXED_INT(1), TL_FIXED_INT(100));
    tl_clock_advance(&c, 5 * LAT);
    size_t n = drain(&v, r, 64);
    assert_int_equal(n, 20);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].type, TL_REPORT_REJECTED);
        assert_int_equal(r[i].client_seq, i + 1);
        assert_int_equal(r[i].venue_seq, 0);
        assert_int_equal(r[i].ts_ns, T0 + LAT);
        assert_string_equal(r[i].text, "simulated reject");
    }
    size_t k = 99;
    tl_venue_order_info info[4];
    tl_venue_position pos[4];
    assert_int_equal(tl_venue_get_orders(&v, info, 4, &k, NULL), 0);
    assert_int_equal(k, 0);
    assert_int_equal(tl_venue_get_positions(&v, pos, 4, &k, NULL), 0);
    assert_int_equal(k, 0);
    tl_venue_close(&v);
}

static void test_fill_rate_zero_rests(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[64];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=0&latency_us=1000");
    for (uint64_t i = 1; i <= 10; i++)
        place(&v, i, TL_FIXED_INT(2), TL_FIXED_INT(50));
    tl_clock_advance(&c, 1000 * LAT);
    size_t n = drain(&v, r, 64);
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].type, TL_REPORT_ACCEPTED);
        assert_int_equal(r[i].client_seq, i + 1);
        assert_int_equal(r[i].venue_seq, i + 1); /* venue ids are 1, 2, ... */
    }
    tl_venue_order_info info[16];
    size_t k;
    assert_int_equal(tl_venue_get_orders(&v, info, 16, &k, NULL), 0);
    assert_int_equal(k, 10);
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(info[i].status, TL_OS_OPEN);
        assert_int_equal(info[i].filled_qty, 0);
        assert_int_equal(info[i].qty, TL_FIXED_INT(2));
        assert_int_equal(info[i].price, TL_FIXED_INT(50));
        assert_string_equal(info[i].symbol, "BTCUSDT");
    }
    /* cap smaller than the count: *n still says how many exist. */
    assert_int_equal(tl_venue_get_orders(&v, info, 3, &k, NULL), 0);
    assert_int_equal(k, 10);
    tl_venue_close(&v);
}

static void test_fill_all_in_one(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[64];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=0&latency_us=1000&fee_bps=0");
    for (uint64_t i = 1; i <= 10; i++)
        place(&v, i, TL_FIXED_INT(3), TL_FIXED_INT(20) + (tl_fixed)i);
    tl_clock_advance(&c, LAT);
    size_t n = drain(&v, r, 64);
    assert_int_equal(n, 20);
    for (size_t i = 0; i < 10; i++) {
        const tl_venue_report *f = &r[2 * i + 1];
        assert_int_equal(r[2 * i].type, TL_REPORT_ACCEPTED);
        assert_int_equal(f->type, TL_REPORT_FILL);
        assert_int_equal(f->client_seq, i + 1);
        assert_int_equal(f->venue_seq, i + 1);
        assert_int_equal(f->qty, TL_FIXED_INT(3));
        assert_int_equal(f->price, TL_FIXED_INT(20) + (tl_fixed)(i + 1)); /* the limit price */
        assert_int_equal(f->fee, 0);
        assert_int_equal(f->ts_ns, T0 + LAT);
    }
    tl_clock_advance(&c, 100 * LAT);
    assert_int_equal(drain(&v, r, 64), 0); /* nothing else ever comes */
    tl_venue_close(&v);
}

static void test_partial_fills_sum_and_lot(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    static tl_venue_report r[1024];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=1&latency_us=1000");
    const tl_fixed lot = 1000000; /* 0.01 */
    const tl_fixed qty = 137 * lot;
    int seen_k[4] = {0};
    for (uint64_t i = 1; i <= 200; i++) {
        tl_venue_order o = mkorder(i, "ETHUSDT", TL_SIDE_SELL, qty, TL_FIXED_INT(3000), lot);
        assert_int_equal(tl_venue_place(&v, &o, NULL), 0);
    }
    tl_clock_advance(&c, LAT);
    size_t n1 = drain(&v, r, 1024);
    assert_int_equal(n1, 400); /* an ack and the first part of each */
    tl_fixed first[201] = {0};
    for (size_t i = 0; i < n1; i++) {
        if (r[i].type != TL_REPORT_FILL)
            continue;
        assert_int_equal(r[i].ts_ns, T0 + LAT);
        assert_true(r[i].qty > 0 && r[i].qty < qty);
        assert_int_equal(r[i].qty % lot, 0);
        first[r[i].client_seq] = r[i].qty;
        /* qty*k/4 rounded down to the lot: 34, 68 or 102 lots of 137. */
        int k = r[i].qty == 34 * lot ? 1 : r[i].qty == 68 * lot ? 2 : r[i].qty == 102 * lot ? 3 : 0;
        assert_true(k != 0);
        seen_k[k]++;
    }
    assert_true(seen_k[1] > 30 && seen_k[2] > 30 && seen_k[3] > 30);
    tl_clock_advance(&c, LAT - 1);
    assert_int_equal(drain(&v, r, 1024), 0);
    tl_clock_advance(&c, 1);
    size_t n2 = drain(&v, r, 1024);
    assert_int_equal(n2, 200);
    for (size_t i = 0; i < n2; i++) {
        assert_int_equal(r[i].type, TL_REPORT_FILL);
        assert_int_equal(r[i].ts_ns, T0 + 2 * LAT);
        assert_int_equal(r[i].qty % lot, 0);
        assert_int_equal(first[r[i].client_seq] + r[i].qty, qty);
    }
    tl_venue_position pos[2];
    size_t k;
    assert_int_equal(tl_venue_get_positions(&v, pos, 2, &k, NULL), 0);
    assert_int_equal(k, 1);
    assert_string_equal(pos[0].symbol, "ETHUSDT");
    assert_int_equal(pos[0].qty, -200 * qty);
    tl_venue_close(&v);
}

static void test_partial_too_small_fills_whole(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[64];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=1&latency_us=1000");
    /* One lot: any fraction rounds down to 0. Three lots with k=3 would give 2.25 -> 2, so use
     * exactly one lot, where every k gives 0. */
    for (uint64_t i = 1; i <= 20; i++) {
        tl_venue_order o = mkorder(i, "BTCUSDT", TL_SIDE_BUY, 100000, TL_FIXED_INT(1), 100000);
        assert_int_equal(tl_venue_place(&v, &o, NULL), 0);
    }
    tl_clock_advance(&c, 10 * LAT);
    size_t n = drain(&v, r, 64);
    assert_int_equal(n, 40);
    for (size_t i = 0; i < n; i += 2) {
        assert_int_equal(r[i + 1].type, TL_REPORT_FILL);
        assert_int_equal(r[i + 1].qty, 100000);
        assert_int_equal(r[i + 1].ts_ns, T0 + LAT);
    }
    tl_venue_close(&v);
}

static void test_rates_match_over_100k(void **unused)
{
    (void)unused;
    enum { N = 100000 };
    tl_clock c;
    tl_venue v;
    tl_venue_report r[16];
    uint8_t *fills = calloc(N + 1, 1);
    assert_non_null(fills);
    open_sim(&v, &c,
             "sim://?seed=2024&reject_rate=0.05&fill_rate=0.7&partial_rate=0.3&latency_us=0");
    size_t rejected = 0, accepted = 0;
    for (uint64_t i = 1; i <= N; i++) {
        tl_venue_order o =
            mkorder(i, "BTCUSDT", (int)(i % 2), TL_FIXED_INT(1), TL_FIXED_INT(10), 1000000);
        assert_int_equal(tl_venue_place(&v, &o, NULL), 0);
        size_t n;
        do {
            assert_int_equal(tl_venue_poll(&v, r, 16, &n, NULL), 0);
            for (size_t k = 0; k < n; k++) {
                rejected += r[k].type == TL_REPORT_REJECTED;
                accepted += r[k].type == TL_REPORT_ACCEPTED;
                if (r[k].type == TL_REPORT_FILL)
                    fills[r[k].client_seq]++;
            }
        } while (n > 0);
    }
    size_t filled = 0, partial = 0;
    for (size_t i = 1; i <= N; i++) {
        filled += fills[i] > 0;
        partial += fills[i] == 2;
        assert_true(fills[i] <= 2);
    }
    assert_int_equal(rejected + accepted, N);
    /* Binomial: sigma is about 69 rejects, 141 fills, 118 partials; allow ~5 sigma. */
    assert_in_range(rejected, 5000 - 350, 5000 + 350);
    assert_in_range(filled * 10000 / accepted, 7000 - 75, 7000 + 75);
    assert_in_range(partial * 10000 / filled, 3000 - 90, 3000 + 90);
    size_t live;
    tl_venue_order_info info[1];
    assert_int_equal(tl_venue_get_orders(&v, info, 1, &live, NULL), 0);
    assert_int_equal(live, accepted - filled);
    tl_venue_close(&v);
    free(fills);
}

/* ---- time and order ------------------------------------------------------------------------ */

static void test_latency_respected(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=0&latency_us=250");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    assert_int_equal(drain(&v, r, 8), 0);
    tl_clock_advance(&c, 250 * TL_NS_PER_US - 1);
    assert_int_equal(drain(&v, r, 8), 0);
    tl_clock_advance(&c, 1);
    assert_int_equal(drain(&v, r, 8), 2);
    assert_int_equal(r[0].type, TL_REPORT_ACCEPTED);
    assert_int_equal(r[0].ts_ns, T0 + 250 * TL_NS_PER_US);
    assert_int_equal(r[1].type, TL_REPORT_FILL);
    assert_int_equal(r[1].ts_ns, T0 + 250 * TL_NS_PER_US);
    /* A later order is stamped from its own send time. */
    tl_clock_advance(&c, 17);
    place(&v, 2, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, TL_NS_PER_SEC);
    assert_int_equal(drain(&v, r, 8), 2);
    assert_int_equal(r[0].ts_ns, T0 + 500 * TL_NS_PER_US + 17);
    tl_venue_close(&v);
}

static void test_fifo_at_equal_times(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[32];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=0&latency_us=1000");
    for (uint64_t i = 1; i <= 5; i++)
        place(&v, i, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 32), 10);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(r[2 * i].type, TL_REPORT_ACCEPTED);
        assert_int_equal(r[2 * i].client_seq, i + 1);
        assert_int_equal(r[2 * i + 1].type, TL_REPORT_FILL);
        assert_int_equal(r[2 * i + 1].client_seq, i + 1);
    }
    tl_venue_close(&v);

    /* Across send times: order 1's second part and order 2's ack both fall due at T0+2L; the
     * one scheduled first comes out first. */
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=1&latency_us=1000");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, LAT);
    place(&v, 2, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 32), 5);
    static const int want_type[] = {TL_REPORT_ACCEPTED, TL_REPORT_FILL, TL_REPORT_FILL,
                                    TL_REPORT_ACCEPTED, TL_REPORT_FILL};
    static const uint64_t want_seq[] = {1, 1, 1, 2, 2};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(r[i].type, want_type[i]);
        assert_int_equal(r[i].client_seq, want_seq[i]);
    }
    assert_int_equal(r[2].ts_ns, r[3].ts_ns);
    tl_venue_close(&v);
}

/* Events scheduled earlier than ones already queued (a partial fill's second part is due two
 * latencies out, a later order's ack one) still come out in (due time, scheduling) order. */
static void test_out_of_order_scheduling(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[32];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=1&latency_us=1000");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10)); /* ack, part 1 at T0+L; part 2 at T0+2L */
    place(&v, 2, TL_FIXED_INT(1), TL_FIXED_INT(10)); /* the same times, scheduled later */
    tl_clock_advance(&c, LAT / 2);
    place(&v, 3, TL_FIXED_INT(1), TL_FIXED_INT(10)); /* at T0+1.5L and T0+2.5L */
    tl_clock_advance(&c, 2 * LAT);
    assert_int_equal(drain(&v, r, 32), 9);
    static const int A = TL_REPORT_ACCEPTED, F = TL_REPORT_FILL;
    static const int want_type[] = {A, F, A, F, A, F, F, F, F};
    static const uint64_t want_seq[] = {1, 1, 2, 2, 3, 3, 1, 2, 3};
    static const int64_t want_ts[] = {2, 2, 2, 2, 3, 3, 4, 4, 5}; /* in half latencies */
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(r[i].type, want_type[i]);
        assert_int_equal(r[i].client_seq, want_seq[i]);
        assert_int_equal(r[i].ts_ns, T0 + want_ts[i] * (LAT / 2));
    }
    tl_venue_close(&v);
}

static void test_poll_cap_and_snapshot_keep_order(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[32], ref[32];
    /* Reference: everything drained in one go. */
    open_sim(&v, &c, "sim://?seed=3&reject_rate=0.2&fill_rate=1&partial_rate=0.5&latency_us=10");
    for (uint64_t i = 1; i <= 6; i++)
        place(&v, i, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, TL_NS_PER_SEC);
    size_t nref = drain(&v, ref, 32);
    tl_venue_close(&v);
    assert_true(nref >= 12);

    /* Same run, but a snapshot takes everything due off the heap first, then polls of one. */
    open_sim(&v, &c, "sim://?seed=3&reject_rate=0.2&fill_rate=1&partial_rate=0.5&latency_us=10");
    for (uint64_t i = 1; i <= 6; i++)
        place(&v, i, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, TL_NS_PER_SEC);
    tl_venue_position pos[2];
    size_t k, n, total = 0;
    assert_int_equal(tl_venue_get_positions(&v, pos, 2, &k, NULL), 0);
    assert_int_equal(k, 1);
    tl_fixed want = 0;
    for (size_t i = 0; i < nref; i++)
        if (ref[i].type == TL_REPORT_FILL)
            want += ref[i].qty;
    assert_int_equal(pos[0].qty, want); /* the books describe now, before any poll */
    do {
        assert_int_equal(tl_venue_poll(&v, r + total, 1, &n, NULL), 0);
        total += n;
    } while (n > 0);
    assert_int_equal(total, nref);
    assert_memory_equal(r, ref, nref * sizeof *r);
    tl_venue_close(&v);
}

/* ---- cancels ------------------------------------------------------------------------------- */

static void test_cancel_resting_order(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    tl_err err;
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=0&latency_us=1000");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, 5 * LAT);
    assert_int_equal(drain(&v, r, 8), 1);
    assert_int_equal(tl_venue_cancel(&v, 1, &err), 0);
    assert_int_equal(tl_venue_cancel(&v, 1, &err), 0); /* twice */
    assert_int_equal(drain(&v, r, 8), 0);              /* latency applies to cancels too */
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 8), 2);
    assert_int_equal(r[0].type, TL_REPORT_CANCELED);
    assert_int_equal(r[0].client_seq, 1);
    assert_int_equal(r[0].venue_seq, 1);
    assert_int_equal(r[0].ts_ns, T0 + 6 * LAT);
    assert_int_equal(r[1].type, TL_REPORT_CANCEL_REJECTED);
    assert_string_equal(r[1].text, "already canceled");
    size_t k;
    tl_venue_order_info info[2];
    assert_int_equal(tl_venue_get_orders(&v, info, 2, &k, NULL), 0);
    assert_int_equal(k, 0);
    tl_venue_close(&v);
}

static void test_cancel_unknown_and_rejected(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    open_sim(&v, &c, "sim://?reject_rate=1&latency_us=1000");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0);
    assert_int_equal(tl_venue_cancel(&v, 999, NULL), 0);
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 8), 3);
    assert_int_equal(r[0].type, TL_REPORT_REJECTED);
    assert_int_equal(r[1].type, TL_REPORT_CANCEL_REJECTED);
    assert_int_equal(r[1].client_seq, 1);
    assert_string_equal(r[1].text, "unknown order");
    assert_int_equal(r[2].type, TL_REPORT_CANCEL_REJECTED);
    assert_int_equal(r[2].client_seq, 999);
    assert_int_equal(r[2].venue_seq, 0);
    assert_string_equal(r[2].text, "unknown order");
    tl_venue_close(&v);
}

/* Second part not yet due when the cancel lands: dropped, and the cancel succeeds. */
static void test_cancel_drops_fill_not_yet_due(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=1&latency_us=1000");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, LAT - 1); /* the ack and first part are not due yet */
    assert_int_equal(drain(&v, r, 8), 0);
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0); /* lands at T0+2L-1 */
    tl_clock_advance(&c, 100 * LAT);
    assert_int_equal(drain(&v, r, 8), 3);
    assert_int_equal(r[0].type, TL_REPORT_ACCEPTED);
    assert_int_equal(r[1].type, TL_REPORT_FILL);
    assert_true(r[1].qty < TL_FIXED_INT(1));
    assert_int_equal(r[2].type, TL_REPORT_CANCELED);
    assert_int_equal(r[2].ts_ns, T0 + 2 * LAT - 1);
    tl_venue_position pos[2];
    tl_venue_order_info info[2];
    size_t k;
    assert_int_equal(tl_venue_get_positions(&v, pos, 2, &k, NULL), 0);
    assert_int_equal(k, 1);
    assert_int_equal(pos[0].qty, r[1].qty); /* only the part that traded */
    assert_int_equal(tl_venue_get_orders(&v, info, 2, &k, NULL), 0);
    assert_int_equal(k, 0);
    tl_venue_close(&v);
}

/* A cancel sent at the same instant as the order: the first part is due when the cancel lands
 * (delivered first, FIFO), the second is dropped. */
static void test_cancel_same_instant_partial(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=1&latency_us=1000");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0);
    tl_clock_advance(&c, 100 * LAT);
    assert_int_equal(drain(&v, r, 8), 3);
    assert_int_equal(r[0].type, TL_REPORT_ACCEPTED);
    assert_int_equal(r[1].type, TL_REPORT_FILL);
    assert_int_equal(r[2].type, TL_REPORT_CANCELED);
    assert_int_equal(r[1].ts_ns, r[2].ts_ns);
    tl_venue_close(&v);
}

/* Every fill is due by the time the cancel lands: the late fill happens, the cancel is refused. */
static void test_late_fill_beats_cancel(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=0&latency_us=1000");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0);
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 8), 3);
    assert_int_equal(r[1].type, TL_REPORT_FILL);
    assert_int_equal(r[1].qty, TL_FIXED_INT(1));
    assert_int_equal(r[2].type, TL_REPORT_CANCEL_REJECTED);
    assert_string_equal(r[2].text, "already filled");
    assert_int_equal(r[2].venue_seq, 1);
    tl_venue_close(&v);

    /* Partial: cancel sent when the first part is due; the second lands with the cancel. */
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=1&latency_us=1000");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, LAT);
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0);
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 8), 4);
    assert_int_equal(r[2].type, TL_REPORT_FILL);
    assert_int_equal(r[1].qty + r[2].qty, TL_FIXED_INT(1));
    assert_int_equal(r[3].type, TL_REPORT_CANCEL_REJECTED);
    assert_string_equal(r[3].text, "already filled");
    /* And once everything is delivered, a cancel of the filled order is refused too. */
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0);
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 8), 1);
    assert_int_equal(r[0].type, TL_REPORT_CANCEL_REJECTED);
    assert_string_equal(r[0].text, "already filled");
    tl_venue_close(&v);
}

/* A dropped fill stays in the heap until due; by then its order may be forgotten and its slot
 * given to a new order. The fill must not land on the newcomer. */
static void test_dropped_fill_survives_slot_reuse(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[16];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=1&latency_us=1000&capacity=1");
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    place(&v, 2, TL_FIXED_INT(1), TL_FIXED_INT(10));
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0);
    assert_int_equal(tl_venue_cancel(&v, 2, NULL), 0);
    tl_clock_advance(&c, LAT);
    size_t n = drain(&v, r, 16); /* both canceled; 1 is forgotten (capacity 1) */
    assert_int_equal(n, 6);
    assert_int_equal(count_type(r, n, TL_REPORT_CANCELED), 2);
    tl_fixed traded = 0;
    for (size_t i = 0; i < n; i++)
        traded += r[i].type == TL_REPORT_FILL ? r[i].qty : 0;
    assert_int_equal(count_type(r, n, TL_REPORT_FILL), 2); /* the first part of each */
    place(&v, 3, TL_FIXED_INT(1), TL_FIXED_INT(10));       /* takes order 1's slot */
    tl_clock_advance(&c, 10 * LAT);
    n = drain(&v, r, 16);
    assert_int_equal(n, 3); /* order 3: ack and two parts; no stray fill */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].client_seq, 3);
        if (r[i].type == TL_REPORT_FILL)
            traded += r[i].qty;
    }
    tl_venue_position pos[1];
    size_t k;
    assert_int_equal(tl_venue_get_positions(&v, pos, 1, &k, NULL), 0);
    assert_int_equal(pos[0].qty, traded);
    /* With room to remember one finished order: 3 is remembered, 1 and 2 are forgotten. */
    assert_int_equal(tl_venue_cancel(&v, 1, NULL), 0);
    assert_int_equal(tl_venue_cancel(&v, 2, NULL), 0);
    assert_int_equal(tl_venue_cancel(&v, 3, NULL), 0);
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 16), 3);
    assert_string_equal(r[0].text, "unknown order");
    assert_string_equal(r[1].text, "unknown order");
    assert_string_equal(r[2].text, "already filled");
    tl_venue_close(&v);
}

/* ---- fees, ids, other checks --------------------------------------------------------------- */

static tl_fixed fee_of(const char *url, tl_fixed qty, tl_fixed price, tl_fixed lot)
{
    tl_clock c;
    tl_venue v;
    tl_venue_report r[4];
    open_sim(&v, &c, url);
    tl_venue_order o = mkorder(1, "BTCUSDT", TL_SIDE_BUY, qty, price, lot);
    assert_int_equal(tl_venue_place(&v, &o, NULL), 0);
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 4), 2);
    assert_int_equal(r[1].type, TL_REPORT_FILL);
    tl_venue_close(&v);
    return r[1].fee;
}

#define FILLS "sim://?reject_rate=0&fill_rate=1&partial_rate=0&latency_us=1000"

static void test_fees_exact(void **unused)
{
    (void)unused;
    /* 0.123 * 45678.9 * 2.5 / 10000 = 1.404626175 -> 1.40462618 (half away from zero). */
    assert_int_equal(fee_of(FILLS "&fee_bps=2.5", 12300000, 4567890000000, 100000), 140462618);
    /* One rounding, not two: 1e-8 * 1.4 = 1.4e-8 would round to 1e-8 first and give a fee of
     * 0.4e-8 -> 0; done at once, 0.56e-8 -> 1e-8. */
    assert_int_equal(fee_of(FILLS "&fee_bps=4000", 1, 140000000, 0), 1);
    /* Large but exact: 1000 * 90000 * 100% = 90,000,000. */
    assert_int_equal(
        fee_of(FILLS "&fee_bps=10000", TL_FIXED_INT(1000), TL_FIXED_INT(90000), 100000),
        TL_FIXED_INT(90000000));
    assert_int_equal(fee_of(FILLS "&fee_bps=0", TL_FIXED_INT(5), TL_FIXED_INT(7), 100000), 0);
    /* Small notionals take the 64-bit path (fee_bps reduced against the denominator), large ones
     * the 128-bit split; the rounding is the same. 0.001 * 45678.9 * 2.5 bps = 0.011419725:
     * exactly half a unit -> 0.01141973; a unit of price less is just under half. */
    assert_int_equal(fee_of(FILLS "&fee_bps=2.5", 100000, 4567890000000, 1000), 1141973);
    assert_int_equal(fee_of(FILLS "&fee_bps=2.5", 100000, 4567889999999, 1000), 1141972);
    /* 0.37 bps reduces to 37 / 1e14: 0.001 * 45678.9 * 0.37 / 10000 = 0.0016901193. */
    assert_int_equal(fee_of(FILLS "&fee_bps=0.37", 100000, 4567890000000, 1000), 169012);
    /* 1.2345 * 45678.9 * 0.37 / 10000 = 2.086452276...: past 64 bits, the same rule. */
    assert_int_equal(fee_of(FILLS "&fee_bps=0.37", 123450000, 4567890000000, 1000), 208645228);
    /* Default 1 bps: 2 * 50000 = 100000 notional -> 10. */
    assert_int_equal(fee_of(FILLS, TL_FIXED_INT(2), TL_FIXED_INT(50000), 100000), TL_FIXED_INT(10));
}

static void test_fee_overflow_refused_without_draw(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report a[8], b[8];
    tl_err err;
    const char *url = "sim://?seed=99&latency_us=1000";
    open_sim(&v, &c, url);
    tl_venue_order big =
        mkorder(1, "BTCUSDT", TL_SIDE_BUY, 9000000000000000000LL, 9000000000000000000LL, 0);
    assert_int_equal(tl_venue_place(&v, &big, &err), TL_ERANGE);
    assert_non_null(strstr(err.msg, "fee"));
    for (uint64_t i = 2; i <= 4; i++)
        place(&v, i, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, 10 * LAT);
    memset(a, 0, sizeof a);
    size_t na = drain(&v, a, 8);
    tl_venue_close(&v);

    open_sim(&v, &c, url); /* the same without the refused order */
    for (uint64_t i = 2; i <= 4; i++)
        place(&v, i, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_clock_advance(&c, 10 * LAT);
    memset(b, 0, sizeof b);
    size_t nb = drain(&v, b, 8);
    tl_venue_close(&v);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof *a);
}

static void test_trade_ids_unique_and_formatted(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    static tl_venue_report r[2048];
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=0.5&latency_us=0");
    for (uint64_t i = 1; i <= 600; i++)
        place(&v, i, TL_FIXED_INT(1), TL_FIXED_INT(10));
    size_t n = drain(&v, r, 2048);
    size_t fills = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].type != TL_REPORT_FILL) {
            assert_string_equal(r[i].trade_id, "");
            continue;
        }
        char want[32];
        snprintf(want, sizeof want, "T%010zu", ++fills);
        assert_string_equal(r[i].trade_id, want); /* consecutive, hence unique */
    }
    assert_true(fills > 800);
    assert_string_equal(r[1].trade_id, "T0000000001");
    tl_venue_close(&v);
}

static void test_duplicate_off_lot_market(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    tl_err err;
    open_sim(&v, &c, FILLS);
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    tl_venue_order o = mkorder(1, "BTCUSDT", TL_SIDE_BUY, TL_FIXED_INT(1), TL_FIXED_INT(10), 0);
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EDUPLICATE);
    o = mkorder(2, "BTCUSDT", TL_SIDE_BUY, 100050000, TL_FIXED_INT(10), 100000); /* 1.0005 */
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    o = mkorder(3, "BTCUSDT", TL_SIDE_SELL, TL_FIXED_INT(2), TL_FIXED_INT(55), 100000);
    o.type = TL_ORDER_MARKET; /* fills at its reference price */
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    tl_clock_advance(&c, LAT);
    assert_int_equal(drain(&v, r, 8), 5);
    assert_int_equal(r[2].type, TL_REPORT_REJECTED);
    assert_int_equal(r[2].client_seq, 2);
    assert_string_equal(r[2].text, "quantity off the lot");
    assert_int_equal(r[4].type, TL_REPORT_FILL);
    assert_int_equal(r[4].price, TL_FIXED_INT(55));
    tl_venue_position pos[1];
    size_t k;
    assert_int_equal(tl_venue_get_positions(&v, pos, 1, &k, NULL), 0);
    assert_int_equal(pos[0].qty, TL_FIXED_INT(-1)); /* bought 1, sold 2 */
    tl_venue_close(&v);
}

/* A MARKET order may come without a reference price through the dispatch; the sim, which fills
 * at that price, rejects it without a draw. A negative price never reaches it. */
static void test_market_without_price(void **unused)
{
    (void)unused;
    tl_clock c, c2;
    tl_venue v, v2;
    tl_venue_report r[8], r2[8];
    tl_err err;
    open_sim(&v, &c, "sim://?seed=4&latency_us=0");
    open_sim(&v2, &c2, "sim://?seed=4&latency_us=0");
    tl_venue_order o = mkorder(1, "BTCUSDT", TL_SIDE_BUY, TL_FIXED_INT(1), -1, 0);
    o.type = TL_ORDER_MARKET;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    o.price = 0;
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    assert_int_equal(drain(&v, r, 8), 1);
    assert_int_equal(r[0].type, TL_REPORT_REJECTED);
    assert_string_equal(r[0].text, "market order without a reference price");
    /* No draw was spent: the next order fares as on a venue that never saw the first. */
    for (uint64_t i = 2; i < 40; i++) {
        place(&v, i, TL_FIXED_INT(1), TL_FIXED_INT(10));
        place(&v2, i, TL_FIXED_INT(1), TL_FIXED_INT(10));
        size_t n = drain(&v, r, 8);
        assert_int_equal(drain(&v2, r2, 8), n);
        assert_memory_equal(r, r2, n * sizeof *r);
    }
    tl_venue_close(&v);
    tl_venue_close(&v2);
}

/* Reports due at once only when the latency is 0: then the venue says IMMEDIATE. */
static void test_immediate_only_at_latency_zero(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    open_sim(&v, &c, "sim://?latency_us=0&fill_rate=1&partial_rate=1&reject_rate=0");
    assert_true(tl_venue_caps(&v) & TL_VENUE_CAP_IMMEDIATE);
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    assert_int_equal(drain(&v, r, 8), 3); /* ACCEPTED and both parts, at once */
    tl_venue_close(&v);
    open_sim(&v, &c, "sim://?latency_us=1");
    assert_false(tl_venue_caps(&v) & TL_VENUE_CAP_IMMEDIATE);
    assert_int_equal(tl_venue_caps(&v), TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_MARKET |
                                            TL_VENUE_CAP_CANCEL | TL_VENUE_CAP_SIMULATED |
                                            TL_VENUE_CAP_QUOTES);
    place(&v, 1, TL_FIXED_INT(1), TL_FIXED_INT(10));
    assert_int_equal(drain(&v, r, 8), 0);
    tl_venue_close(&v);
}

/* The books rebuilt from the report stream alone match the venue's snapshots. */
typedef struct model_order {
    int acked, done, side, sym;
    tl_fixed qty, filled;
} model_order;

static void check_snapshots(tl_venue *v, const model_order *m, size_t count, const tl_fixed *pos,
                            const char *const *syms)
{
    static tl_venue_order_info info[512];
    tl_venue_position vp[4];
    size_t k, live = 0;
    for (size_t i = 1; i <= count; i++)
        live += m[i].acked && !m[i].done;
    assert_int_equal(tl_venue_get_orders(v, info, 512, &k, NULL), 0);
    assert_int_equal(k, live);
    for (size_t i = 0; i < k; i++) {
        const model_order *o = &m[info[i].client_seq];
        assert_true(o->acked && !o->done);
        assert_int_equal(info[i].qty, o->qty);
        assert_int_equal(info[i].filled_qty, o->filled);
        assert_int_equal(info[i].side, o->side);
        assert_string_equal(info[i].symbol, syms[o->sym]);
        assert_int_equal(info[i].status, o->filled > 0 ? TL_OS_PARTIALLY_FILLED : TL_OS_OPEN);
    }
    size_t flat = 0;
    for (int s = 0; s < 3; s++)
        flat += pos[s] == 0;
    assert_int_equal(tl_venue_get_positions(v, vp, 4, &k, NULL), 0);
    assert_int_equal(k, 3 - flat);
    for (size_t i = 0; i < k; i++) {
        int s = 0;
        while (s < 3 && strcmp(vp[i].symbol, syms[s]) != 0)
            s++;
        assert_true(s < 3);
        assert_int_equal(vp[i].qty, pos[s]);
    }
}

static void test_snapshots_match_reports(void **unused)
{
    (void)unused;
    enum { N = 400 };
    static const char *const syms[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
    static model_order m[N + 1];
    tl_clock c;
    tl_venue v;
    tl_venue_report r[64];
    tl_fixed pos[3] = {0};
    size_t cancels_ok = 0, partials = 0;
    memset(m, 0, sizeof m);
    open_sim(&v, &c, "sim://?seed=11&latency_us=1000&reject_rate=0.1&fill_rate=0.6");
    uint64_t lcg = 77;
    for (uint64_t i = 1; i <= N; i++) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        m[i].qty = (tl_fixed)(1 + (lcg >> 33) % 400) * 100000;
        m[i].side = (int)((lcg >> 7) & 1);
        m[i].sym = (int)(i % 3);
        tl_venue_order vo =
            mkorder(i, syms[m[i].sym], m[i].side, m[i].qty, TL_FIXED_INT(10), 100000);
        assert_int_equal(tl_venue_place(&v, &vo, NULL), 0);
        if (i > 5 && (lcg >> 13) % 4 == 0)
            assert_int_equal(tl_venue_cancel(&v, i - 1 - (lcg >> 17) % 5, NULL), 0);
        assert_int_equal(tl_clock_advance(&c, (int64_t)((lcg >> 23) % (2 * LAT))), 0);
        size_t n = drain(&v, r, 64);
        for (size_t k = 0; k < n; k++) {
            model_order *o = &m[r[k].client_seq];
            switch (r[k].type) {
            case TL_REPORT_ACCEPTED:
                o->acked = 1;
                break;
            case TL_REPORT_REJECTED:
                o->done = 1;
                break;
            case TL_REPORT_CANCELED:
                assert_false(o->done);
                o->done = 1;
                cancels_ok++;
                break;
            case TL_REPORT_FILL:
                assert_false(o->done); /* nothing trades after its cancel landed */
                o->filled += r[k].qty;
                partials += o->filled < o->qty;
                o->done = o->filled == o->qty;
                pos[o->sym] += o->side == TL_SIDE_BUY ? r[k].qty : -r[k].qty;
                break;
            default:
                break;
            }
        }
        if (i % 50 == 0)
            check_snapshots(&v, m, i, pos, syms);
    }
    assert_true(cancels_ok > 10);
    assert_true(partials > 10);
    tl_clock_advance(&c, 10 * LAT);
    drain(&v, r, 64); /* only cancels of live orders remained; the books already hold them */
    tl_venue_close(&v);
}

/* NEVER in practice: a position past the fixed-point range. The report is not lost: poll hands
 * over what came before it, then fails on it, and keeps failing rather than skip it. */
static void test_position_overflow_stops(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_venue_report r[8];
    tl_err err;
    size_t n;
    open_sim(&v, &c, "sim://?reject_rate=0&fill_rate=1&partial_rate=0&latency_us=0&fee_bps=0");
    for (uint64_t i = 1; i <= 2; i++) {
        tl_venue_order o = mkorder(i, "BTCUSDT", TL_SIDE_BUY, 5000000000000000000LL, 1, 0);
        assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    }
    assert_int_equal(tl_venue_poll(&v, r, 8, &n, &err), 0);
    assert_int_equal(n, 3); /* ack, fill, ack */
    assert_int_equal(tl_venue_poll(&v, r, 8, &n, &err), TL_ERANGE);
    assert_non_null(strstr(err.msg, "position overflow"));
    assert_int_equal(tl_venue_poll(&v, r, 8, &n, &err), TL_ERANGE);
    tl_venue_position pos[1];
    assert_int_equal(tl_venue_get_positions(&v, pos, 1, &n, &err), TL_ERANGE);
    tl_venue_close(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_defaults_and_values),
        cmocka_unit_test(test_params_errors_named),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_reject_rate_one),
        cmocka_unit_test(test_fill_rate_zero_rests),
        cmocka_unit_test(test_fill_all_in_one),
        cmocka_unit_test(test_partial_fills_sum_and_lot),
        cmocka_unit_test(test_partial_too_small_fills_whole),
        cmocka_unit_test(test_rates_match_over_100k),
        cmocka_unit_test(test_latency_respected),
        cmocka_unit_test(test_fifo_at_equal_times),
        cmocka_unit_test(test_out_of_order_scheduling),
        cmocka_unit_test(test_poll_cap_and_snapshot_keep_order),
        cmocka_unit_test(test_cancel_resting_order),
        cmocka_unit_test(test_cancel_unknown_and_rejected),
        cmocka_unit_test(test_cancel_drops_fill_not_yet_due),
        cmocka_unit_test(test_cancel_same_instant_partial),
        cmocka_unit_test(test_late_fill_beats_cancel),
        cmocka_unit_test(test_dropped_fill_survives_slot_reuse),
        cmocka_unit_test(test_fees_exact),
        cmocka_unit_test(test_fee_overflow_refused_without_draw),
        cmocka_unit_test(test_trade_ids_unique_and_formatted),
        cmocka_unit_test(test_duplicate_off_lot_market),
        cmocka_unit_test(test_market_without_price),
        cmocka_unit_test(test_immediate_only_at_latency_zero),
        cmocka_unit_test(test_snapshots_match_reports),
        cmocka_unit_test(test_position_overflow_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
