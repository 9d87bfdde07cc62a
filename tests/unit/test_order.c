/* Unit tests of the order state machine (src/model/order.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tradeloop/order.h"

#define QTY   TL_FIXED_INT(10)
#define PRICE TL_FIXED_INT(100)

/* The legal set, written out independently of the table in order.c: (from, event, to). FILL is
 * listed with the status a partial fill leaves; CANCEL_REJECT's target is "the previous status". */
typedef struct legal {
    int from, event, to;
} legal;

#define PREV (-2)

static const legal LEGAL[] = {
    {TL_OS_PENDING_NEW, TL_OEV_ACCEPT, TL_OS_OPEN},
    {TL_OS_PENDING_NEW, TL_OEV_REJECT, TL_OS_REJECTED},
    {TL_OS_PENDING_NEW, TL_OEV_FILL, TL_OS_PARTIALLY_FILLED},
    {TL_OS_PENDING_NEW, TL_OEV_CANCEL_REQUEST, TL_OS_PENDING_CANCEL},
    {TL_OS_PENDING_NEW, TL_OEV_DENY, TL_OS_DENIED},
    {TL_OS_OPEN, TL_OEV_FILL, TL_OS_PARTIALLY_FILLED},
    {TL_OS_OPEN, TL_OEV_CANCEL_REQUEST, TL_OS_PENDING_CANCEL},
    {TL_OS_OPEN, TL_OEV_EXPIRE, TL_OS_EXPIRED},
    {TL_OS_PARTIALLY_FILLED, TL_OEV_FILL, TL_OS_PARTIALLY_FILLED},
    {TL_OS_PARTIALLY_FILLED, TL_OEV_CANCEL_REQUEST, TL_OS_PENDING_CANCEL},
    {TL_OS_PARTIALLY_FILLED, TL_OEV_EXPIRE, TL_OS_EXPIRED},
    {TL_OS_PENDING_CANCEL, TL_OEV_FILL, TL_OS_PENDING_CANCEL},
    {TL_OS_PENDING_CANCEL, TL_OEV_CANCEL_ACK, TL_OS_CANCELED},
    {TL_OS_PENDING_CANCEL, TL_OEV_CANCEL_REJECT, PREV},
    {TL_OS_CANCELED, TL_OEV_FILL, TL_OS_CANCELED},
    {TL_OS_EXPIRED, TL_OEV_FILL, TL_OS_EXPIRED},
};

/* -1 when (from, event) is illegal, else the expected target. */
static int expected(int from, int event)
{
    for (size_t i = 0; i < sizeof(LEGAL) / sizeof(LEGAL[0]); i++) {
        if (LEGAL[i].from == from && LEGAL[i].event == event)
            return LEGAL[i].to;
    }
    return -1;
}

/* An order sitting in `status` with consistent quantities: PARTIALLY_FILLED and a PENDING_CANCEL
 * reached from it have 4 of 10 filled, FILLED has all 10. */
static tl_order make(int status)
{
    tl_order o;
    tl_order_init(&o, 3, 7, TL_SIDE_BUY, TL_ORDER_LIMIT, PRICE, QTY, 1000);
    o.client_seq = 42;
    o.status = (uint8_t)status;
    if (status == TL_OS_PARTIALLY_FILLED) {
        o.filled_qty = TL_FIXED_INT(4);
        o.fill_count = 1;
        o.fill_value = (__int128)o.filled_qty * PRICE;
    } else if (status == TL_OS_FILLED) {
        o.filled_qty = QTY;
        o.fill_count = 1;
        o.fill_value = (__int128)QTY * PRICE;
    } else if (status == TL_OS_PENDING_CANCEL) {
        o.prev_status = TL_OS_OPEN;
    }
    return o;
}

static void test_init(void **state)
{
    (void)state;
    tl_order o;
    memset(&o, 0xAB, sizeof(o));
    tl_order_init(&o, 3, 7, TL_SIDE_SELL, TL_ORDER_MARKET, PRICE, QTY, 555);
    assert_int_equal(o.client_seq, 0);
    assert_int_equal(o.venue_seq, 0);
    assert_int_equal(o.instrument, 3);
    assert_int_equal(o.account, 7);
    assert_int_equal(o.side, TL_SIDE_SELL);
    assert_int_equal(o.type, TL_ORDER_MARKET);
    assert_int_equal(o.status, TL_OS_PENDING_NEW);
    assert_int_equal(o.price, PRICE);
    assert_int_equal(o.qty, QTY);
    assert_int_equal(o.filled_qty, 0);
    assert_int_equal(o.fees, 0);
    assert_true(o.fill_value == 0);
    assert_int_equal(o.fill_count, 0);
    assert_int_equal(o.created_ns, 555);
    assert_int_equal(o.updated_ns, 555);
    assert_int_equal(o.fill_head, UINT32_MAX);
    assert_int_equal(o.next, UINT32_MAX);
    assert_int_equal(tl_order_leaves(&o), QTY);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tl_order_status_name(TL_OS_PENDING_NEW), "PENDING_NEW");
    assert_string_equal(tl_order_status_name(TL_OS_PARTIALLY_FILLED), "PARTIALLY_FILLED");
    assert_string_equal(tl_order_status_name(TL_OS_DENIED), "DENIED");
    assert_string_equal(tl_order_status_name(-1), "?");
    assert_string_equal(tl_order_status_name(TL_OS__COUNT), "?");
    assert_string_equal(tl_order_event_name(TL_OEV_ACCEPT), "ACCEPT");
    assert_string_equal(tl_order_event_name(TL_OEV_CANCEL_REJECT), "CANCEL_REJECT");
    assert_string_equal(tl_order_event_name(TL_OEV_DENY), "DENY");
    assert_string_equal(tl_order_event_name(TL_OEV__COUNT), "?");
    assert_string_equal(tl_order_event_name(-1), "?");
    assert_string_equal(tl_side_name(TL_SIDE_BUY), "BUY");
    assert_string_equal(tl_side_name(TL_SIDE_SELL), "SELL");
    assert_string_equal(tl_side_name(2), "?");

    for (int s = 0; s < TL_OS__COUNT; s++) {
        tl_order_status out = TL_OS__COUNT;
        assert_int_equal(tl_order_status_parse(tl_order_status_name(s), &out), 0);
        assert_int_equal(out, s);
    }
    tl_order_status out = TL_OS_OPEN;
    assert_int_equal(tl_order_status_parse("filled", &out), TL_EINVAL);
    assert_int_equal(tl_order_status_parse("FILLED ", &out), TL_EINVAL);
    assert_int_equal(tl_order_status_parse("", &out), TL_EINVAL);
    assert_int_equal(tl_order_status_parse("?", &out), TL_EINVAL);
    assert_int_equal(tl_order_status_parse(NULL, &out), TL_EINVAL);
    assert_int_equal(out, TL_OS_OPEN);
}

static void test_terminal_and_live(void **state)
{
    (void)state;
    for (int s = 0; s < TL_OS__COUNT; s++) {
        bool terminal = s == TL_OS_FILLED || s == TL_OS_CANCELED || s == TL_OS_REJECTED ||
                        s == TL_OS_EXPIRED || s == TL_OS_DENIED;
        assert_int_equal(tl_order_status_is_terminal(s), terminal);
        assert_int_equal(tl_order_status_is_live(s), !terminal);
    }
    assert_false(tl_order_status_is_terminal(TL_OS__COUNT));
    assert_false(tl_order_status_is_live(TL_OS__COUNT));
    assert_false(tl_order_status_is_live(-1));
}

/* tl_order_transition agrees with the legal set on every pair, and refuses out-of-range input. */
static void test_transition_table(void **state)
{
    (void)state;
    for (int s = 0; s < TL_OS__COUNT; s++) {
        for (int e = 0; e < TL_OEV__COUNT; e++) {
            int want = expected(s, e);
            int got = tl_order_transition((tl_order_status)s, (tl_order_event)e);
            if (want == PREV)
                assert_int_equal(got, TL_ORDER_PREV_STATUS);
            else
                assert_int_equal(got, want);
        }
    }
    assert_int_equal(tl_order_transition(TL_OS__COUNT, TL_OEV_ACCEPT), -1);
    assert_int_equal(tl_order_transition(TL_OS_OPEN, TL_OEV__COUNT), -1);
    assert_int_equal(tl_order_transition((tl_order_status)-1, TL_OEV_ACCEPT), -1);
}

/* Every non-fill (status, event) pair through tl_order_apply: legal ones land where the legal set
 * says, illegal ones return TL_ESTATE and leave every byte of the order as it was. */
static void test_apply_every_pair(void **state)
{
    (void)state;
    for (int s = 0; s < TL_OS__COUNT; s++) {
        for (int e = 0; e < TL_OEV__COUNT; e++) {
            if (e == TL_OEV_FILL)
                continue;
            tl_order o = make(s), before = o;
            tl_err err = {0};
            int want = expected(s, e);
            int rc = tl_order_apply(&o, (tl_order_event)e, 2000, &err);
            if (want == -1) {
                assert_int_equal(rc, TL_ESTATE);
                assert_int_equal(err.code, TL_ESTATE);
                assert_memory_equal(&o, &before, sizeof(o));
                continue;
            }
            assert_int_equal(rc, 0);
            assert_int_equal(o.status, want == PREV ? before.prev_status : want);
            assert_int_equal(o.updated_ns, 2000);
            assert_int_equal(o.created_ns, before.created_ns);
            assert_int_equal(o.filled_qty, before.filled_qty);
            if (e == TL_OEV_CANCEL_REQUEST)
                assert_int_equal(o.prev_status, s);
        }
    }
}

static void test_apply_refusal_message(void **state)
{
    (void)state;
    tl_order o = make(TL_OS_OPEN);
    tl_err err = {0};
    assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_ACK, 1, &err), TL_ESTATE);
    assert_string_equal(err.msg, "CLI00000042: CANCEL_ACK refused in status OPEN");
    /* FILL has its own entry point; through apply it is a misuse, not a transition. */
    tl_order before = o;
    assert_int_equal(tl_order_apply(&o, TL_OEV_FILL, 1, NULL), TL_EINVAL);
    assert_memory_equal(&o, &before, sizeof(o));
}

/* A fill of 1 (never all that is left) on every status. */
static void test_partial_fill_every_status(void **state)
{
    (void)state;
    for (int s = 0; s < TL_OS__COUNT; s++) {
        tl_order o = make(s), before = o;
        int rc = tl_order_apply_fill(&o, TL_FIXED_INT(1), PRICE, 5, 3000, NULL);
        int want = expected(s, TL_OEV_FILL);
        if (s == TL_OS_FILLED) {
            assert_int_equal(rc, TL_EOVERFILL);
            assert_memory_equal(&o, &before, sizeof(o));
        } else if (want == -1) {
            assert_int_equal(rc, TL_ESTATE);
            assert_memory_equal(&o, &before, sizeof(o));
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(o.status, want);
            assert_int_equal(o.filled_qty, before.filled_qty + TL_FIXED_INT(1));
            assert_int_equal(o.fill_count, before.fill_count + 1);
            assert_int_equal(o.fees, 5);
            assert_true(o.fill_value == before.fill_value + (__int128)TL_FIXED_INT(1) * PRICE);
            assert_int_equal(o.updated_ns, 3000);
        }
    }
}

/* A fill of exactly what is left: FILLED, except on CANCELED/EXPIRED which keep their status. */
static void test_full_fill_every_status(void **state)
{
    (void)state;
    for (int s = 0; s < TL_OS__COUNT; s++) {
        tl_order o = make(s), before = o;
        tl_fixed leaves = tl_order_leaves(&o);
        int rc = tl_order_apply_fill(&o, leaves > 0 ? leaves : 1, PRICE, 0, 3000, NULL);
        if (expected(s, TL_OEV_FILL) == -1) {
            assert_int_equal(rc, s == TL_OS_FILLED ? TL_EOVERFILL : TL_ESTATE);
            assert_memory_equal(&o, &before, sizeof(o));
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(o.filled_qty, QTY);
        assert_int_equal(tl_order_leaves(&o), 0);
        if (s == TL_OS_CANCELED || s == TL_OS_EXPIRED)
            assert_int_equal(o.status, s);
        else
            assert_int_equal(o.status, TL_OS_FILLED);
    }
}

static void test_overfill(void **state)
{
    (void)state;
    tl_err err = {0};
    for (int s = 0; s < TL_OS__COUNT; s++) {
        if (expected(s, TL_OEV_FILL) == -1 && s != TL_OS_FILLED)
            continue;
        tl_order o = make(s), before = o;
        tl_fixed too_much = tl_order_leaves(&o) + 1; /* one unit of 1e-8 past the leaves */
        assert_int_equal(tl_order_apply_fill(&o, too_much, PRICE, 0, 1, &err), TL_EOVERFILL);
        assert_memory_equal(&o, &before, sizeof(o));
    }
    tl_order o = make(TL_OS_PARTIALLY_FILLED);
    assert_int_equal(tl_order_apply_fill(&o, TL_FIXED_INT(7), PRICE, 0, 1, &err), TL_EOVERFILL);
    assert_string_equal(err.msg, "CLI00000042: fill 7 exceeds leaves 6");
    /* REJECTED takes no fills at all: the state is the error, whatever the quantity. */
    o = make(TL_OS_REJECTED);
    assert_int_equal(tl_order_apply_fill(&o, TL_FIXED_INT(11), PRICE, 0, 1, &err), TL_ESTATE);
}

static void test_fill_validation(void **state)
{
    (void)state;
    tl_order o = make(TL_OS_OPEN), before = o;
    tl_err err = {0};
    assert_int_equal(tl_order_apply_fill(&o, 0, PRICE, 0, 1, &err), TL_EINVAL);
    assert_int_equal(tl_order_apply_fill(&o, -1, PRICE, 0, 1, &err), TL_EINVAL);
    assert_int_equal(tl_order_apply_fill(&o, 1, 0, 0, 1, &err), TL_EINVAL);
    assert_int_equal(tl_order_apply_fill(&o, 1, -5, 0, 1, &err), TL_EINVAL);
    assert_int_equal(tl_order_apply_fill(&o, 1, PRICE, -1, 1, &err), TL_EINVAL);
    assert_string_equal(err.msg, "CLI00000042: fill fee -0.00000001 is out of range");
    assert_memory_equal(&o, &before, sizeof(o));

    /* Fees that would overflow: refused, nothing applied. */
    o.fees = TL_FIXED_MAX - 1;
    before = o;
    assert_int_equal(tl_order_apply_fill(&o, 1, PRICE, 2, 1, &err), TL_ERANGE);
    assert_memory_equal(&o, &before, sizeof(o));
    /* Exactly reaching the maximum is fine. */
    assert_int_equal(tl_order_apply_fill(&o, 1, PRICE, 1, 1, &err), 0);
    assert_int_equal(o.fees, TL_FIXED_MAX);
}

static void test_fill_value_exact(void **state)
{
    (void)state;
    tl_order o = make(TL_OS_OPEN);
    /* The biggest price and quantity a fixed can hold: the 128-bit sum must not wrap. */
    o.qty = TL_FIXED_MAX;
    assert_int_equal(tl_order_apply_fill(&o, TL_FIXED_MAX - 1, TL_FIXED_MAX, 0, 1, NULL), 0);
    assert_int_equal(tl_order_apply_fill(&o, 1, TL_FIXED_MAX, 0, 1, NULL), 0);
    assert_int_equal(o.status, TL_OS_FILLED);
    assert_true(o.fill_value == (__int128)TL_FIXED_MAX * TL_FIXED_MAX);

    o = make(TL_OS_OPEN);
    assert_int_equal(tl_order_apply_fill(&o, TL_FIXED_INT(1), TL_FIXED_INT(100), 3, 1, NULL), 0);
    assert_int_equal(tl_order_apply_fill(&o, TL_FIXED_INT(2), TL_FIXED_INT(101), 4, 2, NULL), 0);
    assert_true(o.fill_value == (__int128)TL_FIXED_INT(1) * TL_FIXED_INT(100) +
                                    (__int128)TL_FIXED_INT(2) * TL_FIXED_INT(101));
    assert_int_equal(o.fees, 7);
    assert_int_equal(o.fill_count, 2);
    assert_int_equal(o.status, TL_OS_PARTIALLY_FILLED);
}

/* Cancel request then reject, from each status a cancel can be requested in. */
static void test_cancel_reject_restores(void **state)
{
    (void)state;
    const int from[] = {TL_OS_PENDING_NEW, TL_OS_OPEN, TL_OS_PARTIALLY_FILLED};
    for (size_t i = 0; i < 3; i++) {
        tl_order o = make(from[i]);
        assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_REQUEST, 1, NULL), 0);
        assert_int_equal(o.status, TL_OS_PENDING_CANCEL);
        assert_int_equal(o.prev_status, from[i]);
        assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_REJECT, 2, NULL), 0);
        assert_int_equal(o.status, from[i]);
    }
}

/* A partial fill while the cancel is pending: a later reject must restore PARTIALLY_FILLED, not
 * the status from before the fill. */
static void test_partial_fill_while_pending_cancel(void **state)
{
    (void)state;
    const int from[] = {TL_OS_PENDING_NEW, TL_OS_OPEN, TL_OS_PARTIALLY_FILLED};
    for (size_t i = 0; i < 3; i++) {
        tl_order o = make(from[i]);
        assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_REQUEST, 1, NULL), 0);
        assert_int_equal(tl_order_apply_fill(&o, TL_FIXED_INT(1), PRICE, 0, 2, NULL), 0);
        assert_int_equal(o.status, TL_OS_PENDING_CANCEL);
        assert_int_equal(o.prev_status, TL_OS_PARTIALLY_FILLED);
        assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_REJECT, 3, NULL), 0);
        assert_int_equal(o.status, TL_OS_PARTIALLY_FILLED);
    }
    /* Filled completely while pending: FILLED, and the cancel's answer comes too late. */
    tl_order o = make(TL_OS_OPEN);
    assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_REQUEST, 1, NULL), 0);
    assert_int_equal(tl_order_apply_fill(&o, QTY, PRICE, 0, 2, NULL), 0);
    assert_int_equal(o.status, TL_OS_FILLED);
    tl_order before = o;
    assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_ACK, 3, NULL), TL_ESTATE);
    assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_REJECT, 3, NULL), TL_ESTATE);
    assert_memory_equal(&o, &before, sizeof(o));
}

static void test_corrupt_prev_status(void **state)
{
    (void)state;
    tl_order o = make(TL_OS_PENDING_CANCEL);
    o.prev_status = TL_OS_FILLED; /* cannot happen through the API */
    tl_order before = o;
    assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_REJECT, 1, NULL), TL_ECORRUPT);
    assert_memory_equal(&o, &before, sizeof(o));
}

static void test_late_fill_after_cancel(void **state)
{
    (void)state;
    const int ends[] = {TL_OS_CANCELED, TL_OS_EXPIRED};
    for (size_t i = 0; i < 2; i++) {
        tl_order o = make(TL_OS_OPEN);
        if (ends[i] == TL_OS_CANCELED) {
            assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_REQUEST, 1, NULL), 0);
            assert_int_equal(tl_order_apply(&o, TL_OEV_CANCEL_ACK, 2, NULL), 0);
        } else {
            assert_int_equal(tl_order_apply(&o, TL_OEV_EXPIRE, 2, NULL), 0);
        }
        assert_int_equal(o.status, ends[i]);
        assert_int_equal(tl_order_apply_fill(&o, TL_FIXED_INT(3), PRICE, 1, 5, NULL), 0);
        assert_int_equal(o.status, ends[i]);
        assert_int_equal(o.filled_qty, TL_FIXED_INT(3));
        /* Even a late fill of everything left does not make it FILLED. */
        assert_int_equal(tl_order_apply_fill(&o, TL_FIXED_INT(7), PRICE, 1, 6, NULL), 0);
        assert_int_equal(o.status, ends[i]);
        assert_int_equal(o.filled_qty, QTY);
        assert_int_equal(o.fill_count, 2);
        assert_int_equal(o.updated_ns, 6);
        tl_order before = o;
        assert_int_equal(tl_order_apply_fill(&o, 1, PRICE, 0, 7, NULL), TL_EOVERFILL);
        assert_memory_equal(&o, &before, sizeof(o));
    }
}

static void test_ids_format(void **state)
{
    (void)state;
    char buf[TL_ORDER_ID_MAX];
    assert_int_equal(tl_order_format_client_id(1, buf), 11);
    assert_string_equal(buf, "CLI00000001");
    assert_int_equal(tl_order_format_client_id(99999999, buf), 11);
    assert_string_equal(buf, "CLI99999999");
    assert_int_equal(tl_order_format_client_id(100000000, buf), 12);
    assert_string_equal(buf, "CLI100000000");
    assert_int_equal(tl_order_format_client_id(UINT64_MAX, buf), 23);
    assert_string_equal(buf, "CLI18446744073709551615");
    assert_int_equal(tl_order_format_venue_id(1, buf), 9);
    assert_string_equal(buf, "ORD000001");
    assert_int_equal(tl_order_format_venue_id(1234567, buf), 10);
    assert_string_equal(buf, "ORD1234567");
    assert_int_equal(tl_order_format_venue_id(UINT64_MAX, buf), 23);
    assert_string_equal(buf, "ORD18446744073709551615");
}

static void test_ids_parse(void **state)
{
    (void)state;
    char buf[TL_ORDER_ID_MAX];
    uint64_t seq = 0;
    const uint64_t round[] = {1, 42, 99999999, 100000000, 123456789012ULL, UINT64_MAX};
    for (size_t i = 0; i < sizeof(round) / sizeof(round[0]); i++) {
        tl_order_format_client_id(round[i], buf);
        assert_int_equal(tl_order_parse_client_id(buf, &seq), 0);
        assert_int_equal(seq, round[i]);
        tl_order_format_venue_id(round[i], buf);
        assert_int_equal(tl_order_parse_venue_id(buf, &seq), 0);
        assert_int_equal(seq, round[i]);
    }
    assert_int_equal(tl_order_parse_client_id("CLI7", &seq), 0);
    assert_int_equal(seq, 7);

    const char *bad_client[] = {
        "",
        "CLI",
        "ORD00000001",
        "cli00000001",
        "CLI0000000a",
        "CLI-1",
        "CLI 1",
        "CLI00000001 ",
        "CLI00000000",
        "CLI0",
        "XCLI00000001",
        "CLI+1",
        "CLI18446744073709551616",
        "CLI99999999999999999999",
    };
    seq = 77;
    for (size_t i = 0; i < sizeof(bad_client) / sizeof(bad_client[0]); i++)
        assert_int_equal(tl_order_parse_client_id(bad_client[i], &seq), TL_EINVAL);
    assert_int_equal(tl_order_parse_client_id(NULL, &seq), TL_EINVAL);
    assert_int_equal(tl_order_parse_venue_id("CLI000001", &seq), TL_EINVAL);
    assert_int_equal(tl_order_parse_venue_id("ORD", &seq), TL_EINVAL);
    assert_int_equal(tl_order_parse_venue_id("ORD000000", &seq), TL_EINVAL);
    assert_int_equal(tl_order_parse_venue_id("ORD18446744073709551616", &seq), TL_EINVAL);
    assert_int_equal(seq, 77); /* untouched by every failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_terminal_and_live),
        cmocka_unit_test(test_transition_table),
        cmocka_unit_test(test_apply_every_pair),
        cmocka_unit_test(test_apply_refusal_message),
        cmocka_unit_test(test_partial_fill_every_status),
        cmocka_unit_test(test_full_fill_every_status),
        cmocka_unit_test(test_overfill),
        cmocka_unit_test(test_fill_validation),
        cmocka_unit_test(test_fill_value_exact),
        cmocka_unit_test(test_cancel_reject_restores),
        cmocka_unit_test(test_partial_fill_while_pending_cancel),
        cmocka_unit_test(test_corrupt_prev_status),
        cmocka_unit_test(test_late_fill_after_cancel),
        cmocka_unit_test(test_ids_format),
        cmocka_unit_test(test_ids_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
