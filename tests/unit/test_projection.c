/* test_projection.c -- the one decision of what a batch does to orders, trades and workspaces. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "store/projection.h"
#include "tradeloop/order.h"

static tl_event ev(uint64_t seq, int type, const char *ws, const char *order, int status)
{
    tl_event e;
    memset(&e, 0, sizeof e);
    e.seq = seq;
    e.ts_ns = (int64_t)seq * 10;
    e.type = (uint16_t)type;
    e.status = (uint8_t)status;
    strcpy(e.workspace, ws);
    strcpy(e.order_id, order);
    strcpy(e.text, "why");
    return e;
}

static tl_event fill(uint64_t seq, const char *order, const char *trade, tl_fixed qty, int status)
{
    tl_event e = ev(seq, TL_EV_ORDER_FILLED, "w", order, status);
    strcpy(e.trade_id, trade);
    e.qty = qty;
    return e;
}

/* The per-event rules, including the new one: an acceptance carrying the venue's order id in
 * trade_id is no trade. */
static void test_event_ops(void **state)
{
    (void)state;
    tl_event e = ev(1, TL_EV_ORDER_SUBMITTED, "w", "O1", TL_OS_PENDING_NEW);
    assert_int_equal(tl_proj_event_ops(&e), TL_PROJ_CREATE_ORDER);
    e.type = TL_EV_INTENT_DENIED;
    assert_int_equal(tl_proj_event_ops(&e), TL_PROJ_CREATE_ORDER);
    e.type = TL_EV_ORDER_ACCEPTED;
    strcpy(e.trade_id, "VENUE-42");
    assert_int_equal(tl_proj_event_ops(&e), TL_PROJ_UPDATE_ORDER);
    e.type = TL_EV_ORDER_FILLED;
    assert_int_equal(tl_proj_event_ops(&e), TL_PROJ_UPDATE_ORDER | TL_PROJ_INSERT_TRADE);
    e.order_id[0] = '\0'; /* a fill of no order is still a trade */
    assert_int_equal(tl_proj_event_ops(&e), TL_PROJ_INSERT_TRADE);
    e.type = TL_EV_INTENT_DENIED; /* denied before an order id was given: no row */
    assert_int_equal(tl_proj_event_ops(&e), 0);
    const int none[] = {TL_EV_INTENT_EMITTED, TL_EV_POLICY_EVALUATED, TL_EV_POSITION_OPENED,
                        TL_EV_RISK_FROZEN,    TL_EV_WORKSPACE_RESET,  TL_EV_FILL_REFUSED};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        e = ev(1, none[i], "w", "O1", 0);
        strcpy(e.trade_id, "T1");
        assert_int_equal(tl_proj_event_ops(&e), 0);
    }
}

/* One batch: an order created, accepted (with a venue id), partly then fully filled; an older
 * order rejected; an event before its order's creation forgotten; workspaces and their ranges. */
static void test_fold(void **state)
{
    (void)state;
    tl_projection p;
    memset(&p, 0, sizeof p);
    tl_event b[8] = {
        ev(10, TL_EV_ORDER_ACCEPTED, "w", "O9", TL_OS_OPEN), /* before O9's creation */
        ev(11, TL_EV_ORDER_SUBMITTED, "w", "O1", TL_OS_PENDING_NEW),
        ev(12, TL_EV_ORDER_ACCEPTED, "w", "O1", TL_OS_OPEN),
        fill(13, "O1", "T1", 4, TL_OS_PARTIALLY_FILLED),
        ev(14, TL_EV_ORDER_REJECTED, "x", "O0", TL_OS_REJECTED),
        fill(15, "O1", "T2", 6, TL_OS_FILLED),
        ev(16, TL_EV_ORDER_SUBMITTED, "w", "O9", TL_OS_PENDING_NEW),
        ev(17, TL_EV_POSITION_OPENED, "w", "", 0),
    };
    strcpy(b[2].trade_id, "VENUE-1");
    assert_int_equal(tl_proj_fold(&p, b, 8, NULL), 0);
    assert_int_equal(p.n_orders, 3);
    assert_int_equal(p.n_created, 2);
    assert_int_equal(p.n_updated, 1);
    assert_int_equal(p.n_updated_fills, 0);

    const tl_proj_order *o9 = &p.orders[0], *o1 = &p.orders[1], *o0 = &p.orders[2];
    assert_ptr_equal(o9->ev, &b[6]); /* the accept before it matched nothing */
    assert_true(o9->created);
    assert_int_equal(o9->status, TL_OS_PENDING_NEW);
    assert_ptr_equal(o1->ev, &b[1]);
    assert_true(o1->created);
    assert_int_equal(o1->status, TL_OS_FILLED);
    assert_int_equal(o1->filled, 10);
    assert_ptr_equal(o1->first_fill, &b[3]);
    assert_int_equal(o1->filled_at, 150); /* the last fill's time */
    assert_null(o1->reason);
    assert_string_equal(tl_proj_reason(o1), "");
    assert_false(o0->created);
    assert_int_equal(o0->status, TL_OS_REJECTED);
    assert_ptr_equal(o0->reason, &b[4]);

    /* Only the fills are trades: the acceptance's trade_id is not. */
    assert_int_equal(p.n_trades, 2);
    assert_ptr_equal(p.trades[0], &b[3]);
    assert_ptr_equal(p.trades[1], &b[5]);

    assert_int_equal(p.n_ws, 2);
    assert_string_equal(p.ws[0].workspace, "w");
    assert_int_equal(p.ws[0].first_seq, 10);
    assert_int_equal(p.ws[0].last_seq, 17);
    assert_string_equal(p.ws[1].workspace, "x");
    assert_int_equal(p.ws[1].first_seq, 14);
    assert_int_equal(p.ws[1].last_seq, 14);

    /* The arrays are reused: a second fold replaces the first. */
    tl_event d[2] = {ev(20, TL_EV_INTENT_DENIED, "w", "D1", 0), fill(21, "O1", "T3", 1, 0)};
    assert_int_equal(tl_proj_fold(&p, d, 2, NULL), 0);
    assert_int_equal(p.n_orders, 2);
    assert_int_equal(p.orders[0].status, TL_OS_DENIED);
    assert_ptr_equal(p.orders[0].reason, &d[0]);
    assert_int_equal(p.n_updated_fills, 1); /* O1 must exist: the backend checks */
    int creates, trades;
    tl_proj_needs(d, 2, &creates, &trades);
    assert_true(creates && trades);
    tl_proj_needs(b, 1, &creates, &trades);
    assert_false(creates || trades);
    tl_proj_free(&p);
}

static void test_fold_refusals(void **state)
{
    (void)state;
    tl_projection p;
    memset(&p, 0, sizeof p);
    tl_err err = {0};
    tl_event twice[2] = {ev(1, TL_EV_ORDER_SUBMITTED, "w", "O1", 0),
                         ev(2, TL_EV_INTENT_DENIED, "w", "O1", 0)};
    assert_int_equal(tl_proj_fold(&p, twice, 2, &err), TL_EDUPLICATE);
    assert_non_null(strstr(err.msg, "O1"));
    /* The same id in two workspaces is two orders. */
    strcpy(twice[1].workspace, "v");
    assert_int_equal(tl_proj_fold(&p, twice, 2, NULL), 0);
    assert_int_equal(p.n_created, 2);
    tl_event big[2] = {fill(1, "O1", "T1", TL_FIXED_MAX, 0), fill(2, "O1", "T2", 1, 0)};
    assert_int_equal(tl_proj_fold(&p, big, 2, &err), TL_ERANGE);
    tl_proj_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_ops),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fold_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
