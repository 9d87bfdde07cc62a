/*
 * test_venue.c -- the venue dispatcher: scheme lookup, table checks, argument checks, counters
 * and fault injection, driven through a tiny test backend ("echo") defined here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "venue/venue.h"

/* ---- the echo backend: acknowledges every order at once ------------------------------------ */

typedef struct echo {
    const tl_clock *clock;
    int places, cancels, polls;
    int overreport; /* poll claims one report more than the room it was given */
    tl_venue_report q[8];
    size_t nq;
} echo;

static int echo_open(void *state, const char *url, const tl_clock *clock, tl_err *err)
{
    echo *e = state;
    if (strstr(url, "fail") != NULL)
        return tl_err_set(err, TL_EIO, "echo: asked to fail");
    e->clock = clock;
    return 0;
}

static void echo_close(void *state)
{
    (void)state;
}

static int echo_place(void *state, const tl_venue_order *o, tl_err *err)
{
    echo *e = state;
    (void)err;
    e->places++;
    if (e->nq < 8) {
        tl_venue_report *r = &e->q[e->nq++];
        memset(r, 0, sizeof *r);
        r->type = TL_REPORT_ACCEPTED;
        r->client_seq = o->client_seq;
        r->venue_seq = (uint64_t)e->places;
        r->ts_ns = tl_clock_now(e->clock);
    }
    return 0;
}

static int echo_cancel(void *state, uint64_t client_seq, tl_err *err)
{
    echo *e = state;
    (void)client_seq;
    (void)err;
    e->cancels++;
    return 0;
}

static int echo_poll(void *state, tl_venue_report *out, size_t cap, size_t *n, tl_err *err)
{
    echo *e = state;
    (void)err;
    e->polls++;
    size_t k = e->nq < cap ? e->nq : cap;
    if (k > 0)
        memcpy(out, e->q, k * sizeof *out);
    memmove(e->q, e->q + k, (e->nq - k) * sizeof *out);
    e->nq -= k;
    *n = e->overreport ? cap + 1 : k;
    return 0;
}

static int echo_get_orders(void *state, tl_venue_order_info *out, size_t cap, size_t *n,
                           tl_err *err)
{
    echo *e = state;
    (void)err;
    if (cap > 0)
        out[0].client_seq = 99;
    *n = (size_t)e->places;
    return 0;
}

static int adopt_calls;
static int echo_adopt(void *state, const tl_venue_order *o, uint64_t venue_seq, tl_err *err)
{
    (void)state, (void)err;
    adopt_calls++;
    return o->client_seq == 7 && venue_seq == 70 ? 0 : TL_ENOTFOUND;
}

static const tl_venue_ops echo_ops = {
    .version = TL_VENUE_OPS_VERSION,
    .scheme = "echo",
    .state_size = sizeof(echo),
    .caps = TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_CANCEL,
    .open = echo_open,
    .close = echo_close,
    .place = echo_place,
    .cancel = echo_cancel,
    .poll = echo_poll,
    .get_orders = echo_get_orders,
};

static const tl_venue_ops *const extras[] = {&echo_ops, NULL};

static tl_venue_order order(uint64_t seq)
{
    tl_venue_order o;
    memset(&o, 0, sizeof o);
    o.client_seq = seq;
    strcpy(o.symbol, "BTCUSDT");
    o.side = TL_SIDE_BUY;
    o.type = TL_ORDER_LIMIT;
    o.price = TL_FIXED_INT(100);
    o.qty = TL_FIXED_INT(1);
    o.lot_size = 1000;
    return o;
}

static void open_echo(tl_venue *v, tl_clock *c)
{
    tl_err err;
    tl_clock_init_sim(c, 1000);
    assert_int_equal(tl_venue_open(v, "echo://x", c, extras, &err), 0);
    assert_ptr_equal(v->ops, &echo_ops);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_open_builtin_sim(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    tl_clock_init_sim(&c, 0);
    assert_int_equal(tl_venue_open(&v, "sim://?seed=1", &c, NULL, &err), 0);
    assert_ptr_equal(v.ops, &tl_venue_sim_ops);
    assert_non_null(v.state);
    assert_true(v.ops->caps & TL_VENUE_CAP_SIMULATED);
    tl_venue_close(&v);
    assert_null(v.ops);
    assert_null(v.state);
    tl_venue_close(&v); /* closing twice is harmless */
    /* Schemes are case-insensitive (RFC 3986). */
    assert_int_equal(tl_venue_open(&v, "SIM://", &c, NULL, &err), 0);
    assert_ptr_equal(v.ops, &tl_venue_sim_ops);
    tl_venue_close(&v);
}

static void test_unknown_scheme(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v, before;
    tl_err err;
    tl_clock_init_sim(&c, 0);
    memset(&v, 0xAB, sizeof v);
    before = v;
    assert_int_equal(tl_venue_open(&v, "binance://api", &c, NULL, &err), TL_ENOTSUP);
    assert_int_equal(err.code, TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "'binance'"));
    assert_memory_equal(&v, &before, sizeof v);
    /* echo is only known when passed in. */
    assert_int_equal(tl_venue_open(&v, "echo://x", &c, NULL, &err), TL_ENOTSUP);
    assert_memory_equal(&v, &before, sizeof v);
}

static void test_malformed_url(void **unused)
{
    (void)unused;
    static const char *const bad[] = {"",        "sim",  "sim:/x",   "://x",   "1sim://",
                                      "s im://", "sim:", "_sim://x", "sim ://"};
    tl_clock c;
    tl_venue v, before;
    tl_err err;
    tl_clock_init_sim(&c, 0);
    memset(&v, 0x5A, sizeof v);
    before = v;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(tl_venue_open(&v, bad[i], &c, NULL, &err), TL_EINVAL);
        assert_non_null(strstr(err.msg, "malformed venue URL"));
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        assert_non_null(strstr(err.msg, quoted));
        assert_memory_equal(&v, &before, sizeof v);
    }
    assert_int_equal(tl_venue_open(&v, NULL, &c, NULL, &err), TL_EINVAL);
    assert_int_equal(tl_venue_open(&v, "sim://", NULL, NULL, &err), TL_EINVAL);
    assert_int_equal(tl_venue_open(NULL, "sim://", &c, NULL, NULL), TL_EINVAL);
}

static void test_custom_backend(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_echo(&v, &c);
    tl_venue_order o = order(7);
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    tl_venue_report r[4];
    size_t n = 99;
    assert_int_equal(tl_venue_poll(&v, r, 4, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].type, TL_REPORT_ACCEPTED);
    assert_int_equal(r[0].client_seq, 7);
    assert_int_equal(r[0].ts_ns, 1000);
    assert_int_equal(tl_venue_cancel(&v, 7, &err), 0);
    assert_int_equal(((echo *)v.state)->cancels, 1);

    tl_venue_order_info info[2];
    assert_int_equal(tl_venue_get_orders(&v, info, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(info[0].client_seq, 99);
    /* Optional slot left NULL. */
    tl_venue_position pos[2];
    n = 42;
    assert_int_equal(tl_venue_get_positions(&v, pos, 2, &n, &err), TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "get_positions"));
    assert_int_equal(n, 42);
    tl_venue_close(&v);
}

static void test_builtin_wins_over_extra(void **unused)
{
    (void)unused;
    tl_venue_ops fake = echo_ops;
    fake.scheme = "sim";
    const tl_venue_ops *const list[] = {&fake, NULL};
    tl_clock c;
    tl_venue v;
    tl_clock_init_sim(&c, 0);
    assert_int_equal(tl_venue_open(&v, "sim://", &c, list, NULL), 0);
    assert_ptr_equal(v.ops, &tl_venue_sim_ops);
    tl_venue_close(&v);
}

static void test_ops_check(void **unused)
{
    (void)unused;
    tl_err err;
    assert_int_equal(tl_venue_ops_check(&echo_ops, &err), 0);
    assert_int_equal(tl_venue_ops_check(&tl_venue_sim_ops, &err), 0);
    assert_int_equal(tl_venue_ops_check(NULL, &err), TL_EINVAL);

    static const char *const slots[] = {"open", "close", "place", "cancel", "poll"};
    for (int i = 0; i < 5; i++) {
        tl_venue_ops ops = echo_ops;
        switch (i) {
        case 0:
            ops.open = NULL;
            break;
        case 1:
            ops.close = NULL;
            break;
        case 2:
            ops.place = NULL;
            break;
        case 3:
            ops.cancel = NULL;
            break;
        case 4:
            ops.poll = NULL;
            break;
        }
        assert_int_equal(tl_venue_ops_check(&ops, &err), TL_EINVAL);
        char want[32];
        snprintf(want, sizeof want, "'%s'", slots[i]);
        assert_non_null(strstr(err.msg, want));
    }
    tl_venue_ops ops = echo_ops;
    ops.version = TL_VENUE_OPS_VERSION + 1;
    assert_int_equal(tl_venue_ops_check(&ops, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "version"));
    ops = echo_ops;
    ops.state_size = 0;
    assert_int_equal(tl_venue_ops_check(&ops, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "state_size"));
    ops = echo_ops;
    ops.scheme = "";
    assert_int_equal(tl_venue_ops_check(&ops, &err), TL_EINVAL);
    ops.scheme = NULL;
    assert_int_equal(tl_venue_ops_check(&ops, &err), TL_EINVAL);
    /* Optional slots may be NULL. */
    ops = echo_ops;
    ops.get_orders = NULL;
    assert_int_equal(tl_venue_ops_check(&ops, &err), 0);
}

static void test_open_refuses_bad_tables(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v, before;
    tl_err err;
    tl_clock_init_sim(&c, 0);
    memset(&v, 0x11, sizeof v);
    before = v;

    tl_venue_ops no_poll = echo_ops;
    no_poll.poll = NULL;
    const tl_venue_ops *const l1[] = {&no_poll, NULL};
    assert_int_equal(tl_venue_open(&v, "echo://", &c, l1, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "'poll'"));
    assert_memory_equal(&v, &before, sizeof v);

    tl_venue_ops v3 = echo_ops;
    v3.version = TL_VENUE_OPS_VERSION + 1;
    const tl_venue_ops *const l2[] = {&v3, NULL};
    assert_int_equal(tl_venue_open(&v, "echo://", &c, l2, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "version 4"));
    assert_memory_equal(&v, &before, sizeof v);
    v3.version = 0;
    assert_int_equal(tl_venue_open(&v, "echo://", &c, l2, &err), TL_EINVAL);
    assert_memory_equal(&v, &before, sizeof v);
}

static void test_open_failure_leaves_venue(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v, before;
    tl_err err;
    tl_clock_init_sim(&c, 0);
    memset(&v, 0x22, sizeof v);
    before = v;
    /* The backend fails: its state is freed (ASan checks the leak) and v is untouched. */
    assert_int_equal(tl_venue_open(&v, "echo://fail", &c, extras, &err), TL_EIO);
    assert_string_equal(err.msg, "echo: asked to fail");
    assert_memory_equal(&v, &before, sizeof v);
    /* A bad sim URL fails the same way. */
    assert_int_equal(tl_venue_open(&v, "sim://?bogus=1", &c, NULL, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "bogus"));
    assert_memory_equal(&v, &before, sizeof v);
}

static void test_place_argument_checks(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_echo(&v, &c);
    echo *e = v.state;

    assert_int_equal(tl_venue_place(&v, NULL, &err), TL_EINVAL);
    tl_venue_order o = order(1);
    o.qty = 0;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "qty"));
    o.qty = -1;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    o = order(1);
    o.price = 0;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "price"));
    o = order(0);
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    o = order(1);
    o.side = 2;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    o = order(1);
    o.type = 9;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    o = order(1);
    memset(o.symbol, 'A', sizeof o.symbol); /* no NUL */
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    o.symbol[0] = '\0';
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    o = order(1);
    o.lot_size = -1;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    /* echo lacks the MARKET capability. */
    o = order(1);
    o.type = TL_ORDER_MARKET;
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_ENOTSUP);
    assert_int_equal(tl_venue_cancel(&v, 0, &err), TL_EINVAL);
    assert_int_equal(e->places, 0); /* none reached the backend */
    assert_int_equal(e->cancels, 0);
    assert_int_equal(v.stats.place_errors, 11);
    assert_int_equal(v.stats.cancel_errors, 1);

    size_t n = 5;
    tl_venue_report r[1];
    assert_int_equal(tl_venue_poll(&v, r, 1, NULL, &err), TL_EINVAL);
    assert_int_equal(tl_venue_poll(&v, NULL, 1, &n, &err), TL_EINVAL);
    assert_int_equal(tl_venue_poll(&v, NULL, 0, &n, &err), 0); /* room for none is fine */
    assert_int_equal(n, 0);
    assert_int_equal(tl_venue_get_orders(&v, NULL, 3, &n, &err), TL_EINVAL);

    /* The symbol check reads the array a word at a time: a NUL in any position ends it, and
     * bytes after it do not matter. */
    o = order(1);
    memset(o.symbol, 'A', sizeof o.symbol);
    o.symbol[sizeof o.symbol - 1] = '\0'; /* 15 characters: the longest */
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    o = order(2);
    memset(o.symbol, 'B', sizeof o.symbol);
    o.symbol[8] = '\0'; /* NUL in the second word, junk after it */
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    o = order(3);
    memset(o.symbol, 'C', sizeof o.symbol);
    o.symbol[1] = '\0';
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    assert_int_equal(e->places, 3);

    tl_venue_close(&v);
    o = order(1);
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_ECLOSED);
    assert_int_equal(tl_venue_cancel(&v, 1, &err), TL_ECLOSED);
    assert_int_equal(tl_venue_poll(&v, r, 1, &n, &err), TL_ECLOSED);
    assert_int_equal(tl_venue_place(NULL, &o, &err), TL_EINVAL);
}

static void test_cancel_needs_capability(void **unused)
{
    (void)unused;
    tl_venue_ops nocancel = echo_ops;
    nocancel.caps = TL_VENUE_CAP_LIMIT;
    const tl_venue_ops *const list[] = {&nocancel, NULL};
    tl_clock c;
    tl_venue v;
    tl_err err;
    tl_clock_init_sim(&c, 0);
    assert_int_equal(tl_venue_open(&v, "echo://", &c, list, &err), 0);
    assert_int_equal(tl_venue_cancel(&v, 1, &err), TL_ENOTSUP);
    assert_int_equal(((echo *)v.state)->cancels, 0);
    tl_venue_close(&v);
}

/* caps_of: what this instance can do, asked once at open, never more than the table says. */
static int caps_closes;

static uint32_t caps_from_url(const void *state)
{
    const echo *e = state;
    return (uint32_t)e->overreport; /* the open below keeps the URL's answer there */
}

static int caps_open(void *state, const char *url, const tl_clock *clock, tl_err *err)
{
    echo *e = state;
    e->clock = clock;
    (void)err;
    e->overreport = strstr(url, "more") != NULL ? (int)(TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_MARKET)
                                                : (int)TL_VENUE_CAP_LIMIT;
    return 0;
}

static void caps_close(void *state)
{
    (void)state;
    caps_closes++;
}

static void test_caps_of_instance(void **unused)
{
    (void)unused;
    tl_venue_ops t = echo_ops;
    t.open = caps_open;
    t.close = caps_close;
    t.caps_of = caps_from_url;
    const tl_venue_ops *const list[] = {&t, NULL};
    tl_clock c;
    tl_venue v, before;
    tl_err err = {0};
    tl_clock_init_sim(&c, 0);
    assert_int_equal(tl_venue_open(&v, "echo://", &c, list, &err), 0);
    assert_int_equal(tl_venue_caps(&v), TL_VENUE_CAP_LIMIT);
    ((echo *)v.state)->overreport = 0; /* asked once: later answers do not matter */
    /* The table can cancel, this instance cannot. */
    assert_int_equal(tl_venue_cancel(&v, 1, &err), TL_ENOTSUP);
    tl_venue_order o = order(1);
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    tl_venue_close(&v);
    assert_int_equal(tl_venue_caps(&v), 0);
    /* More than the table: refused, the backend closed, the venue untouched. */
    caps_closes = 0;
    memset(&v, 0x3C, sizeof v);
    before = v;
    assert_int_equal(tl_venue_open(&v, "echo://more", &c, list, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "caps_of"));
    assert_int_equal(caps_closes, 1);
    assert_memory_equal(&v, &before, sizeof v);
}

static void test_client_id_checked(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err = {0};
    open_echo(&v, &c);
    tl_venue_order o = order(1);
    memset(o.client_id, 'A', sizeof o.client_id);
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "client_id unterminated"));
    o.client_id[sizeof o.client_id - 1] = '\0'; /* the longest id that fits */
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    o = order(2); /* empty: the default name */
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    assert_int_equal(((echo *)v.state)->places, 2);
    tl_venue_close(&v);
}

static void test_fault_injection_place(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_echo(&v, &c);
    echo *e = v.state;
    v.faults.fail_place_at = 3;
    for (uint64_t i = 1; i <= 5; i++) {
        tl_venue_order o = order(i);
        int rc = tl_venue_place(&v, &o, &err);
        if (i == 3) {
            assert_int_equal(rc, TL_EIO);
            assert_string_equal(err.msg, "injected fault: place #3");
            assert_int_equal(e->places, 2); /* the backend never saw it */
        } else {
            assert_int_equal(rc, 0);
        }
    }
    assert_int_equal(e->places, 4);
    assert_int_equal(v.stats.placed, 4);
    assert_int_equal(v.stats.place_errors, 1);
    /* A refused call still counts as a call: with the fault at #7, an invalid #6 shifts nothing. */
    v.faults.fail_place_at = 7;
    assert_int_equal(tl_venue_place(&v, NULL, &err), TL_EINVAL); /* call #6 */
    tl_venue_order o = order(6);
    assert_int_equal(tl_venue_place(&v, &o, &err), TL_EIO); /* call #7 */
    assert_string_equal(err.msg, "injected fault: place #7");
    assert_int_equal(tl_venue_place(&v, &o, &err), 0); /* call #8 */
    tl_venue_close(&v);
}

static void test_fault_injection_cancel(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_echo(&v, &c);
    echo *e = v.state;
    v.faults.fail_cancel_at = 1;
    assert_int_equal(tl_venue_cancel(&v, 5, &err), TL_EIO);
    assert_string_equal(err.msg, "injected fault: cancel #1");
    assert_int_equal(e->cancels, 0);
    assert_int_equal(tl_venue_cancel(&v, 5, &err), 0);
    assert_int_equal(tl_venue_cancel(&v, 5, &err), 0);
    assert_int_equal(e->cancels, 2);
    assert_int_equal(v.stats.cancels, 2);
    assert_int_equal(v.stats.cancel_errors, 1);
    /* Place is not affected by the cancel fault. */
    tl_venue_order o = order(1);
    assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    tl_venue_close(&v);
}

static void test_stats(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_echo(&v, &c);
    for (uint64_t i = 1; i <= 3; i++) {
        tl_venue_order o = order(i);
        assert_int_equal(tl_venue_place(&v, &o, &err), 0);
    }
    tl_venue_report r[2];
    size_t n;
    assert_int_equal(tl_venue_poll(&v, r, 2, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(tl_venue_poll(&v, r, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(tl_venue_poll(&v, r, 2, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tl_venue_cancel(&v, 1, &err), 0);
    assert_int_equal(v.stats.placed, 3);
    assert_int_equal(v.stats.reports, 3);
    assert_int_equal(v.stats.cancels, 1);
    assert_int_equal(v.stats.place_errors, 0);
    assert_int_equal(v.stats.cancel_errors, 0);
    tl_venue_close(&v);
}

static void test_poll_overreport_is_corrupt(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_echo(&v, &c);
    ((echo *)v.state)->overreport = 1;
    tl_venue_report r[2];
    size_t n = 77;
    assert_int_equal(tl_venue_poll(&v, r, 2, &n, &err), TL_ECORRUPT);
    assert_int_equal(n, 77);
    assert_int_equal(v.stats.reports, 0);
    tl_venue_close(&v);
}

/* The version 3 slot: called for a version 3 table with an order that passes place's checks,
 * never read from an older table, TL_ENOTSUP without it (sim://). */
static void test_adopt_dispatch(void **state)
{
    (void)state;
    tl_clock c;
    tl_clock_init_sim(&c, 0);
    tl_err err;
    tl_venue v;
    tl_venue_ops with = echo_ops;
    with.adopt = echo_adopt;
    const tl_venue_ops *const l[] = {&with, NULL};
    assert_int_equal(tl_venue_open(&v, "echo://", &c, l, &err), 0);
    tl_venue_order o = order(7);
    adopt_calls = 0;
    assert_int_equal(tl_venue_adopt(&v, &o, 70, &err), 0);
    assert_int_equal(tl_venue_adopt(&v, &o, 71, &err), TL_ENOTFOUND);
    o.qty = 0;
    assert_int_equal(tl_venue_adopt(&v, &o, 70, &err), TL_EINVAL);
    assert_int_equal(adopt_calls, 2);
    tl_venue_close(&v);
    with.version = 2; /* a table from before the slot: whatever lies there is not read */
    assert_int_equal(tl_venue_open(&v, "echo://", &c, l, &err), 0);
    o = order(7);
    assert_int_equal(tl_venue_adopt(&v, &o, 70, &err), TL_ENOTSUP);
    assert_int_equal(adopt_calls, 2);
    tl_venue_close(&v);
    assert_int_equal(tl_venue_open(&v, "sim://", &c, NULL, &err), 0);
    assert_int_equal(tl_venue_adopt(&v, &o, 70, &err), TL_ENOTSUP);
    tl_venue_close(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_builtin_sim),
        cmocka_unit_test(test_unknown_scheme),
        cmocka_unit_test(test_malformed_url),
        cmocka_unit_test(test_custom_backend),
        cmocka_unit_test(test_builtin_wins_over_extra),
        cmocka_unit_test(test_ops_check),
        cmocka_unit_test(test_open_refuses_bad_tables),
        cmocka_unit_test(test_adopt_dispatch),
        cmocka_unit_test(test_open_failure_leaves_venue),
        cmocka_unit_test(test_place_argument_checks),
        cmocka_unit_test(test_cancel_needs_capability),
        cmocka_unit_test(test_caps_of_instance),
        cmocka_unit_test(test_client_id_checked),
        cmocka_unit_test(test_fault_injection_place),
        cmocka_unit_test(test_fault_injection_cancel),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_poll_overreport_is_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
