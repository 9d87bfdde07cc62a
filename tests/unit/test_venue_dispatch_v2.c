/*
 * test_venue_dispatch_v2.c -- the dispatcher's side of the version 2 slots and of the dropped
 * report fault, through a scripted test backend ("tape"): quote checks and the no-op for a venue
 * that takes no quotes, get_fills' checks, version 1 tables, and drop_report_at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "venue/venue.h"

/* ---- the tape backend: poll hands out what the test queued --------------------------------- */

typedef struct tape {
    tl_venue_report q[16];
    size_t nq;
    int polls, quotes, fills_calls;
    char symbol[16];
    tl_fixed bid, ask;
    int64_t ts;
    size_t fills_claim; /* what get_fills says it copied */
} tape;

static int tape_open(void *state, const char *url, const tl_clock *clock, tl_err *err)
{
    (void)state, (void)url, (void)clock, (void)err;
    return 0;
}

static void tape_close(void *state)
{
    (void)state;
}

static int tape_place(void *state, const tl_venue_order *o, tl_err *err)
{
    (void)state, (void)o, (void)err;
    return 0;
}

static int tape_cancel(void *state, uint64_t client_seq, tl_err *err)
{
    (void)state, (void)client_seq, (void)err;
    return 0;
}

static int tape_poll(void *state, tl_venue_report *out, size_t cap, size_t *n, tl_err *err)
{
    tape *t = state;
    (void)err;
    t->polls++;
    size_t k = t->nq < cap ? t->nq : cap;
    memcpy(out, t->q, k * sizeof *out);
    memmove(t->q, t->q + k, (t->nq - k) * sizeof *out);
    t->nq -= k;
    *n = k;
    return 0;
}

static int tape_on_quote(void *state, const char *symbol, tl_fixed bid, tl_fixed ask, int64_t ts,
                         tl_err *err)
{
    tape *t = state;
    (void)err;
    t->quotes++;
    snprintf(t->symbol, sizeof t->symbol, "%s", symbol);
    t->bid = bid;
    t->ask = ask;
    t->ts = ts;
    return 0;
}

static int tape_get_fills(void *state, uint64_t after, tl_venue_fill *out, size_t cap, size_t *n,
                          uint64_t *next, tl_err *err)
{
    tape *t = state;
    (void)out, (void)cap, (void)err;
    t->fills_calls++;
    *n = t->fills_claim;
    *next = after + t->fills_claim;
    return 0;
}

static const tl_venue_ops tape_ops = {
    .version = TL_VENUE_OPS_VERSION,
    .scheme = "tape",
    .state_size = sizeof(tape),
    .caps = TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_QUOTES,
    .open = tape_open,
    .close = tape_close,
    .place = tape_place,
    .cancel = tape_cancel,
    .poll = tape_poll,
    .on_quote = tape_on_quote,
    .get_fills = tape_get_fills,
};

static void open_tape(tl_venue *v, tl_clock *c, const tl_venue_ops *ops)
{
    const tl_venue_ops *const extra[] = {ops, NULL};
    tl_err err;
    tl_clock_init_sim(c, 1000);
    if (tl_venue_open(v, "tape://", c, extra, &err) != 0)
        fail_msg("open: %s", err.msg);
}

static void queue(tape *t, int type, uint64_t client_seq)
{
    tl_venue_report *r = &t->q[t->nq++];
    memset(r, 0, sizeof *r);
    r->type = (uint8_t)type;
    r->client_seq = client_seq;
}

/* ---- quotes -------------------------------------------------------------------------------- */

static void test_quote_checks(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    open_tape(&v, &c, &tape_ops);
    tape *t = v.state;
    static const struct {
        const char *sym;
        tl_fixed bid, ask;
        const char *want;
    } bad[] = {
        {NULL, 1, 2, "symbol"},
        {"", 1, 2, "symbol"},
        {"ABCDEFGHIJKLMNOP", 1, 2, "symbol"}, /* 16 bytes: no room for the NUL */
        {"BTCUSDT", 0, 2, "bid"},
        {"BTCUSDT", -1, 2, "bid"},
        {"BTCUSDT", 3, 2, "bid <= ask"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(tl_venue_on_quote(&v, bad[i].sym, bad[i].bid, bad[i].ask, 5, &err),
                         TL_EINVAL);
        assert_non_null(strstr(err.msg, bad[i].want));
    }
    assert_int_equal(t->quotes, 0);
    assert_int_equal(v.stats.quotes, 0);
    assert_int_equal(tl_venue_on_quote(&v, "ABCDEFGHIJKLMNO", 2, 2, 7, &err), 0); /* 15: fits */
    assert_int_equal(t->quotes, 1);
    assert_string_equal(t->symbol, "ABCDEFGHIJKLMNO");
    assert_true(t->bid == 2 && t->ask == 2 && t->ts == 7);
    assert_int_equal(v.stats.quotes, 1);
    tl_venue_close(&v);
    assert_int_equal(tl_venue_on_quote(&v, "X", 1, 2, 0, &err), TL_ECLOSED);
}

/* A venue that takes no quotes: the quote is checked, then ignored with 0. paper:// is one. */
static void test_quote_ignored_without_slot(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    tl_venue_ops plain = tape_ops;
    plain.caps = TL_VENUE_CAP_LIMIT;
    open_tape(&v, &c, &plain);
    assert_int_equal(tl_venue_on_quote(&v, "BTCUSDT", 1, 2, 0, &err), 0);
    assert_int_equal(((tape *)v.state)->quotes, 0); /* the slot is there, the capability not */
    assert_int_equal(tl_venue_on_quote(&v, "BTCUSDT", 2, 1, 0, &err), TL_EINVAL);
    tl_venue_close(&v);
    tl_clock_init_sim(&c, 0);
    assert_int_equal(tl_venue_open(&v, "paper://", &c, NULL, &err), 0);
    assert_false(tl_venue_caps(&v) & TL_VENUE_CAP_QUOTES);
    assert_int_equal(tl_venue_on_quote(&v, "BTCUSDT", 1, 2, 0, &err), 0);
    assert_int_equal(v.stats.quotes, 0);
    tl_venue_close(&v);
}

/* The QUOTES capability needs the slot; a version 1 table's later slots are never read. */
static void test_tables(void **unused)
{
    (void)unused;
    tl_err err;
    tl_venue_ops t = tape_ops;
    t.on_quote = NULL;
    assert_int_equal(tl_venue_ops_check(&t, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "on_quote"));

    tl_clock c;
    tl_venue v;
    tl_venue_ops v1 = tape_ops;
    v1.version = 1;
    v1.caps = TL_VENUE_CAP_LIMIT;
    open_tape(&v, &c, &v1);
    tape *tp = v.state;
    assert_int_equal(tl_venue_on_quote(&v, "BTCUSDT", 1, 2, 0, &err), 0);
    assert_int_equal(tp->quotes, 0);
    tl_venue_fill f[2];
    size_t n;
    uint64_t next;
    assert_int_equal(tl_venue_get_fills(&v, 0, f, 2, &n, &next, &err), TL_ENOTSUP);
    assert_int_equal(tp->fills_calls, 0);
    tl_venue_close(&v);
    v1.caps |= TL_VENUE_CAP_QUOTES; /* a version 1 table cannot have the slot */
    assert_int_equal(tl_venue_ops_check(&v1, &err), TL_EINVAL);
}

/* ---- get_fills ----------------------------------------------------------------------------- */

static void test_get_fills_checks(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    tl_venue_fill f[2];
    size_t n = 77;
    uint64_t next = 88;
    open_tape(&v, &c, &tape_ops);
    tape *t = v.state;
    assert_int_equal(tl_venue_get_fills(&v, 0, f, 2, NULL, &next, &err), TL_EINVAL);
    assert_int_equal(tl_venue_get_fills(&v, 0, f, 2, &n, NULL, &err), TL_EINVAL);
    assert_int_equal(tl_venue_get_fills(&v, 0, NULL, 2, &n, &next, &err), TL_EINVAL);
    assert_int_equal(t->fills_calls, 0);
    t->fills_claim = 2;
    assert_int_equal(tl_venue_get_fills(&v, 5, f, 2, &n, &next, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(next, 7);
    t->fills_claim = 3; /* more than the room: the backend wrote past the buffer */
    n = 77;
    next = 88;
    assert_int_equal(tl_venue_get_fills(&v, 0, f, 2, &n, &next, &err), TL_ECORRUPT);
    assert_int_equal(n, 77);
    assert_int_equal(next, 88);
    tl_venue_close(&v);

    tl_venue_ops none = tape_ops;
    none.get_fills = NULL;
    open_tape(&v, &c, &none);
    assert_int_equal(tl_venue_get_fills(&v, 0, f, 2, &n, &next, &err), TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "get_fills"));
    tl_venue_close(&v);
}

/* ---- the dropped report -------------------------------------------------------------------- */

static void test_drop_report_at(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    tl_venue_report r[16];
    size_t n;
    open_tape(&v, &c, &tape_ops);
    tape *t = v.state;
    v.faults.drop_report_at = 2;
    queue(t, TL_REPORT_ACCEPTED, 1);
    queue(t, TL_REPORT_FILL, 1);
    queue(t, TL_REPORT_ACCEPTED, 2);
    queue(t, TL_REPORT_FILL, 2); /* the 2nd FILL: swallowed */
    queue(t, TL_REPORT_FILL, 3);
    assert_int_equal(tl_venue_poll(&v, r, 16, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_true(r[0].type == TL_REPORT_ACCEPTED && r[1].type == TL_REPORT_FILL &&
                r[1].client_seq == 1 && r[2].type == TL_REPORT_ACCEPTED &&
                r[3].type == TL_REPORT_FILL && r[3].client_seq == 3);
    assert_int_equal(v.stats.fill_reports, 3);
    assert_int_equal(v.stats.dropped_reports, 1);
    assert_int_equal(v.stats.reports, 4);
    tl_venue_close(&v);
}

/* A poll whose only report was swallowed asks the backend again: returning fewer than the room
 * must still mean that nothing more is due. */
static void test_drop_refills(void **unused)
{
    (void)unused;
    tl_clock c;
    tl_venue v;
    tl_err err;
    tl_venue_report r[1];
    size_t n;
    open_tape(&v, &c, &tape_ops);
    tape *t = v.state;
    v.faults.drop_report_at = 1;
    queue(t, TL_REPORT_FILL, 1);
    queue(t, TL_REPORT_FILL, 2);
    assert_int_equal(tl_venue_poll(&v, r, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].client_seq, 2);
    assert_int_equal(t->polls, 2);
    assert_int_equal(tl_venue_poll(&v, r, 1, &n, &err), 0);
    assert_int_equal(n, 0);
    /* Only one report is dropped, and nothing when the fault is off. */
    queue(t, TL_REPORT_FILL, 3);
    assert_int_equal(tl_venue_poll(&v, r, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v.stats.dropped_reports, 1);
    assert_int_equal(v.stats.fill_reports, 3);
    tl_venue_close(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_checks),   cmocka_unit_test(test_quote_ignored_without_slot),
        cmocka_unit_test(test_tables),         cmocka_unit_test(test_get_fills_checks),
        cmocka_unit_test(test_drop_report_at), cmocka_unit_test(test_drop_refills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
