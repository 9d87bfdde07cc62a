/*
 * test_engine.c -- the kernel against a scripted venue: the test decides exactly which
 * reports arrive and in what order, so races (fills after cancels, acks after cancel requests,
 * duplicate and over-fills) are played out deterministically.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "engine/engine.h"
#include "tradeloop/event.h"

/* ---- scripted venue ---------------------------------------------------------------------- */

#define MAXQ 64

typedef struct script_state {
    tl_venue_order placed[MAXQ];
    int nplaced;
    uint64_t canceled[MAXQ];
    int ncanceled;
    tl_venue_report queue[MAXQ];
    int head, tail;
} script_state;

static int s_open(void *st, const char *url, const tl_clock *clock, tl_err *err)
{
    (void)st, (void)url, (void)clock, (void)err;
    return 0;
}
static void s_close(void *st)
{
    (void)st;
}
static int s_place(void *st, const tl_venue_order *o, tl_err *err)
{
    script_state *s = st;
    (void)err;
    s->placed[s->nplaced++] = *o;
    return 0;
}
static int s_cancel(void *st, uint64_t seq, tl_err *err)
{
    script_state *s = st;
    (void)err;
    s->canceled[s->ncanceled++] = seq;
    return 0;
}
static int s_poll(void *st, tl_venue_report *out, size_t cap, size_t *n, tl_err *err)
{
    script_state *s = st;
    (void)err;
    size_t k = 0;
    while (s->head < s->tail && k < cap)
        out[k++] = s->queue[s->head++];
    *n = k;
    return 0;
}

static const tl_venue_ops script_ops = {
    .version = TL_VENUE_OPS_VERSION,
    .scheme = "script",
    .state_size = sizeof(script_state),
    .caps = TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_CANCEL,
    .open = s_open,
    .close = s_close,
    .place = s_place,
    .cancel = s_cancel,
    .poll = s_poll,
};
static const tl_venue_ops *const extra[] = {&script_ops, NULL};

/* ---- fixture ----------------------------------------------------------------------------- */

typedef struct fx {
    int events[64];
    int nevents;
    tl_instruments inst;
    uint32_t btc;
    tl_clock clock;
    tl_venue venue;
    tl_engine x;
    int fills_seen;
} fx;

static script_state *S(fx *f)
{
    return f->venue.state;
}

static void push(fx *f, tl_report_type type, uint64_t seq, const char *trade_id, const char *qty,
                 const char *px)
{
    tl_venue_report r;
    memset(&r, 0, sizeof(r));
    r.type = (uint8_t)type;
    r.client_seq = seq;
    r.venue_seq = type == TL_REPORT_ACCEPTED ? seq + 1000 : 0;
    r.ts_ns = tl_clock_now(&f->clock);
    if (trade_id)
        strcpy(r.trade_id, trade_id);
    if (qty)
        assert_int_equal(tl_fixed_parse(qty, (size_t)-1, &r.qty, NULL), 0);
    if (px)
        assert_int_equal(tl_fixed_parse(px, (size_t)-1, &r.price, NULL), 0);
    S(f)->queue[S(f)->tail++] = r;
}

/* Two subscribers, as the engine fans out to any number: one counts fills, one keeps the
 * sequence of event types. */
static void count_fill(void *ctx, const tl_engine_event *ev)
{
    if (ev->rec->type == TL_EV_ORDER_FILLED)
        ((fx *)ctx)->fills_seen++;
}

static void record_event(void *ctx, const tl_engine_event *ev)
{
    fx *f = ctx;
    int type = ev->rec->type;
    /* POSITION_* breadcrumbs follow every fill; this test follows orders. */
    if (type >= TL_EV_POSITION_OPENED && type <= TL_EV_POSITION_CLOSED)
        return;
    if (f->nevents < 64)
        f->events[f->nevents++] = type;
}

static tl_fixed F(const char *s)
{
    tl_fixed v;
    assert_int_equal(tl_fixed_parse(s, (size_t)-1, &v, NULL), 0);
    return v;
}

static int setup_with(void **state, const tl_risk_config *risk)
{
    fx *f = test_calloc(1, sizeof(*f));
    tl_instrument btc;
    tl_instruments_init(&f->inst);
    assert_int_equal(tl_instrument_default("BTCUSDT", &btc, NULL), 0);
    assert_int_equal(tl_instruments_add(&f->inst, &btc, &f->btc, NULL), 0);
    tl_clock_init_sim(&f->clock, 1735689600LL * TL_NS_PER_SEC);
    assert_int_equal(tl_venue_open(&f->venue, "script://", &f->clock, extra, NULL), 0);
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.account = 7;
    cfg.starting_cash = TL_FIXED_INT(100000);
    cfg.order_capacity = 16;
    if (risk)
        cfg.risk = *risk;
    assert_int_equal(tl_engine_init(&f->x, &cfg, &f->inst, &f->venue, &f->clock, NULL), 0);
    tl_engine_subscriber a = {count_fill, NULL, f}, b = {record_event, NULL, f};
    assert_int_equal(tl_engine_subscribe(&f->x, &a), 0);
    assert_int_equal(tl_engine_subscribe(&f->x, &b), 0);
    assert_int_equal(tl_engine_on_quote(&f->x, f->btc, F("49999"), F("50001")), 0);
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, NULL);
}

static int teardown(void **state)
{
    fx *f = *state;
    tl_engine_close(&f->x);
    tl_venue_close(&f->venue);
    tl_instruments_close(&f->inst);
    test_free(f);
    return 0;
}

static uint64_t submit(fx *f, tl_side side, const char *px, const char *qty)
{
    uint64_t seq = 0;
    assert_int_equal(
        tl_engine_submit(&f->x, f->btc, side, TL_ORDER_LIMIT, F(px), F(qty), &seq, NULL, NULL), 0);
    return seq;
}

static const tl_order *order(fx *f, uint64_t seq)
{
    const tl_order *o = tl_order_store_by_client(&f->x.orders, seq);
    assert_non_null(o);
    return o;
}

static tl_fixed position(fx *f)
{
    const tl_position *p = tl_book_find(&f->x.book, 7, f->btc);
    return p ? p->qty : 0;
}

static void assert_reconciles(fx *f)
{
    const tl_engine_counts *c = &f->x.counts;
    assert_int_equal(c->placed, c->filled + c->canceled + c->rejected + c->expired +
                                    tl_engine_open_count(&f->x));
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_submit_ack_fill_books_position_and_cash(void **state)
{
    fx *f = *state;
    uint64_t seq = submit(f, TL_SIDE_BUY, "50000", "0.01");
    assert_int_equal(S(f)->nplaced, 1);
    assert_int_equal(S(f)->placed[0].client_seq, seq);
    assert_int_equal(S(f)->placed[0].lot_size, f->inst.items[f->btc].lot_size);
    assert_int_equal(order(f, seq)->status, TL_OS_PENDING_NEW);

    push(f, TL_REPORT_ACCEPTED, seq, NULL, NULL, NULL);
    push(f, TL_REPORT_FILL, seq, "T1", "0.004", "50000");
    push(f, TL_REPORT_FILL, seq, "T2", "0.006", "49990");
    assert_int_equal(tl_engine_poll(&f->x, NULL), 3);
    assert_int_equal(order(f, seq)->status, TL_OS_FILLED);
    assert_int_equal(order(f, seq)->venue_seq, seq + 1000);
    assert_int_equal(position(f), F("0.01"));
    /* cash = 100000 - 0.004*50000 - 0.006*49990 = 100000 - 200 - 299.94 */
    const tl_account *a = tl_book_account(&f->x.book, 7, 0);
    assert_int_equal(a->cash, F("99500.06"));
    assert_int_equal(f->x.counts.filled, 1);
    assert_int_equal(f->x.counts.fills, 2);
    assert_int_equal(f->fills_seen, 2);
    assert_int_equal(tl_engine_open_count(&f->x), 0);
    /* open exposure is released as the order fills */
    assert_int_equal(f->x.accts[0].live_buy_qty, 0);
    assert_reconciles(f);
}

static void test_duplicate_overfill_unknown_fills_change_nothing(void **state)
{
    fx *f = *state;
    uint64_t seq = submit(f, TL_SIDE_SELL, "50000", "0.01");
    push(f, TL_REPORT_ACCEPTED, seq, NULL, NULL, NULL);
    push(f, TL_REPORT_FILL, seq, "T9", "0.004", "50000");
    push(f, TL_REPORT_FILL, seq, "T9", "0.004", "50000");  /* duplicate trade id */
    push(f, TL_REPORT_FILL, seq, "T10", "0.007", "50000"); /* more than the 0.006 left */
    push(f, TL_REPORT_FILL, 999, "T11", "0.001", "50000"); /* no such order */
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(position(f), -F("0.004"));
    assert_int_equal(order(f, seq)->filled_qty, F("0.004"));
    assert_int_equal(order(f, seq)->status, TL_OS_PARTIALLY_FILLED);
    assert_int_equal(f->x.counts.fills, 1);
    assert_int_equal(f->x.counts.refused_fills, 3);
    assert_int_equal(f->x.orders.stats.dup_fills, 1);
    assert_int_equal(f->x.orders.stats.overfills, 1);
    assert_int_equal(f->x.orders.stats.unknown_fills, 1);
    assert_int_equal(f->fills_seen, 1);
}

static void test_cancel_then_late_fill_is_applied(void **state)
{
    fx *f = *state;
    uint64_t seq = submit(f, TL_SIDE_BUY, "50000", "0.01");
    push(f, TL_REPORT_ACCEPTED, seq, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(tl_engine_cancel(&f->x, seq, NULL), 0);
    assert_int_equal(S(f)->ncanceled, 1);
    assert_int_equal(order(f, seq)->status, TL_OS_PENDING_CANCEL);
    push(f, TL_REPORT_CANCELED, seq, NULL, NULL, NULL);
    push(f, TL_REPORT_FILL, seq, "T1", "0.002", "50000"); /* traded before the cancel landed */
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(order(f, seq)->status, TL_OS_CANCELED);
    assert_int_equal(order(f, seq)->filled_qty, F("0.002"));
    assert_int_equal(position(f), F("0.002"));
    assert_int_equal(f->x.counts.canceled, 1);
    assert_int_equal(f->x.orders.stats.late_fills, 1);
    /* released once at the cancel, not again by the late fill */
    assert_int_equal(f->x.accts[0].live_buy_qty, 0);
    assert_reconciles(f);
}

static void test_fill_while_pending_cancel_then_cancel_rejected(void **state)
{
    fx *f = *state;
    uint64_t seq = submit(f, TL_SIDE_BUY, "50000", "0.01");
    push(f, TL_REPORT_ACCEPTED, seq, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(tl_engine_cancel(&f->x, seq, NULL), 0);
    push(f, TL_REPORT_FILL, seq, "T1", "0.01", "50000");
    push(f, TL_REPORT_CANCEL_REJECTED, seq, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(order(f, seq)->status, TL_OS_FILLED);
    assert_int_equal(f->x.counts.filled, 1);
    assert_int_equal(f->x.counts.canceled, 0);
    assert_int_equal(f->x.counts.cancel_rejects, 1);
    assert_reconciles(f);
}

static void test_ack_after_cancel_request_keeps_cancel_pending(void **state)
{
    fx *f = *state;
    uint64_t seq = submit(f, TL_SIDE_BUY, "50000", "0.01");
    assert_int_equal(tl_engine_cancel(&f->x, seq, NULL), 0); /* before the venue acknowledged */
    push(f, TL_REPORT_ACCEPTED, seq, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(order(f, seq)->status, TL_OS_PENDING_CANCEL);
    assert_int_equal(order(f, seq)->prev_status, TL_OS_OPEN);
    assert_int_equal(order(f, seq)->venue_seq, seq + 1000);
    push(f, TL_REPORT_CANCEL_REJECTED, seq, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(order(f, seq)->status, TL_OS_OPEN); /* not PENDING_NEW: it was acked */
}

static void test_reject_after_cancel_request(void **state)
{
    fx *f = *state;
    uint64_t seq = submit(f, TL_SIDE_SELL, "50000", "0.01");
    assert_int_equal(tl_engine_cancel(&f->x, seq, NULL), 0);
    push(f, TL_REPORT_REJECTED, seq, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(order(f, seq)->status, TL_OS_REJECTED);
    assert_int_equal(f->x.counts.rejected, 1);
    assert_int_equal(f->x.accts[0].live_sell_qty, 0);
    assert_reconciles(f);
}

static void test_cancel_of_terminal_order_refused(void **state)
{
    fx *f = *state;
    uint64_t seq = submit(f, TL_SIDE_BUY, "50000", "0.01");
    push(f, TL_REPORT_REJECTED, seq, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(tl_engine_cancel(&f->x, seq, NULL), TL_ESTATE);
    assert_int_equal(tl_engine_cancel(&f->x, 12345, NULL), TL_ENOTFOUND);
    assert_int_equal(S(f)->ncanceled, 0);
}

static void test_risk_block_denies_and_sends_nothing(void **state)
{
    fx *f = *state;
    uint64_t seq = 0;
    tl_risk_reason why = TL_RR_OK;
    /* off the 0.01 tick */
    assert_int_equal(tl_engine_submit(&f->x, f->btc, TL_SIDE_BUY, TL_ORDER_LIMIT, F("50000.001"),
                                    F("0.01"), &seq, &why, NULL),
                     TL_ERISK);
    assert_int_equal(why, TL_RR_BAD_PRICE);
    assert_int_equal(S(f)->nplaced, 0);
    assert_int_equal(f->x.counts.risk_blocks, 1);
    assert_int_equal(f->x.counts.placed, 0);
    assert_int_equal(order(f, seq)->status, TL_OS_DENIED);
    /* unknown instrument */
    assert_int_equal(
        tl_engine_submit(&f->x, 42, TL_SIDE_BUY, TL_ORDER_LIMIT, F("1"), F("1"), NULL, &why, NULL),
        TL_ERISK);
    assert_int_equal(why, TL_RR_UNKNOWN_INSTRUMENT);
    assert_int_equal(f->x.counts.risk_blocks, 2);
}

static int setup_inventory(void **state)
{
    tl_risk_config r;
    memset(&r, 0, sizeof(r));
    r.max_inventory_usd = TL_FIXED_INT(1000); /* at mid 50000: 0.02 BTC */
    r.edge_threshold_bps = TL_FIXED_INT(3);
    return setup_with(state, &r);
}

static void test_open_orders_count_toward_inventory(void **state)
{
    fx *f = *state;
    tl_risk_reason why;
    submit(f, TL_SIDE_BUY, "50000", "0.01");
    submit(f, TL_SIDE_BUY, "50000", "0.01"); /* 0.02 live: exactly at the limit */
    /* one more lot's worth above the minimum notional: 0.021 x 50000 = 1050 > 1000 */
    assert_int_equal(tl_engine_submit(&f->x, f->btc, TL_SIDE_BUY, TL_ORDER_LIMIT, F("50000"),
                                    F("0.001"), NULL, &why, NULL),
                     TL_ERISK);
    assert_int_equal(why, TL_RR_INVENTORY);
    /* the other side reduces worst-case exposure: allowed */
    submit(f, TL_SIDE_SELL, "50000", "0.01");
}

static void test_edge_freeze_cancels_everything_and_blocks(void **state)
{
    fx *f = *state;
    uint64_t a = submit(f, TL_SIDE_BUY, "50000", "0.005");
    uint64_t b = submit(f, TL_SIDE_SELL, "50001", "0.005");
    push(f, TL_REPORT_ACCEPTED, a, NULL, NULL, NULL);
    push(f, TL_REPORT_ACCEPTED, b, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(tl_engine_on_edge(&f->x, F("3.5"), NULL), 0); /* above: nothing */
    assert_int_equal(S(f)->ncanceled, 0);
    assert_int_equal(tl_engine_on_edge(&f->x, F("2.4"), NULL), 1);
    assert_int_equal(S(f)->ncanceled, 2);
    assert_true(f->x.risk.frozen);
    assert_string_equal(f->x.risk.freeze_reason, "Edge degradation: 2.40 BPS < 3.00 BPS");
    assert_int_equal(tl_engine_on_edge(&f->x, F("1"), NULL), 0); /* already frozen: once */
    assert_int_equal(f->x.risk.stats.freeze_events, 1);
    tl_risk_reason why;
    assert_int_equal(tl_engine_submit(&f->x, f->btc, TL_SIDE_BUY, TL_ORDER_LIMIT, F("50000"),
                                    F("0.001"), NULL, &why, NULL),
                     TL_ERISK);
    assert_int_equal(why, TL_RR_FROZEN);
    push(f, TL_REPORT_CANCELED, a, NULL, NULL, NULL);
    push(f, TL_REPORT_CANCELED, b, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(f->x.counts.canceled, 2);
    assert_int_equal(tl_engine_open_count(&f->x), 0);
    assert_reconciles(f);
}

static void test_place_failure_ends_rejected(void **state)
{
    fx *f = *state;
    f->venue.faults.fail_place_at = 1;
    uint64_t seq = 0;
    assert_int_equal(tl_engine_submit(&f->x, f->btc, TL_SIDE_BUY, TL_ORDER_LIMIT, F("50000"),
                                    F("0.01"), &seq, NULL, NULL),
                     TL_EIO);
    assert_int_equal(order(f, seq)->status, TL_OS_REJECTED);
    assert_int_equal(f->x.counts.rejected, 1);
    assert_int_equal(f->x.accts[0].live_buy_qty, 0);
    assert_reconciles(f);
}

static void test_flip_through_zero_and_notional(void **state)
{
    fx *f = *state;
    uint64_t a = submit(f, TL_SIDE_BUY, "50000", "0.01");
    push(f, TL_REPORT_FILL, a, "T1", "0.01", "50000"); /* fill before the ack */
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(order(f, a)->status, TL_OS_FILLED);
    uint64_t b = submit(f, TL_SIDE_SELL, "50100", "0.03");
    push(f, TL_REPORT_ACCEPTED, b, NULL, NULL, NULL);
    push(f, TL_REPORT_FILL, b, "T2", "0.03", "50100");
    tl_engine_poll(&f->x, NULL);
    assert_int_equal(position(f), -F("0.02"));
    const tl_position *p = tl_book_find(&f->x.book, 7, f->btc);
    assert_int_equal(p->realized_pnl, F("1"));        /* 0.01 * (50100 - 50000) */
    assert_int_equal(p->avg_price, F("50100"));       /* the short opened at the flip price */
    assert_int_equal(f->x.total_notional, F("1000")); /* 0.02 * mid 50000 */
}

static void test_every_state_change_is_an_event(void **state)
{
    fx *f = *state;
    uint64_t a = submit(f, TL_SIDE_BUY, "50000", "0.01");
    push(f, TL_REPORT_ACCEPTED, a, NULL, NULL, NULL);
    push(f, TL_REPORT_FILL, a, "T1", "0.004", "50000");
    push(f, TL_REPORT_FILL, a, "T1", "0.004", "50000");
    tl_engine_poll(&f->x, NULL);
    tl_engine_cancel(&f->x, a, NULL);
    push(f, TL_REPORT_CANCELED, a, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    uint64_t b = submit(f, TL_SIDE_SELL, "50000", "0.01");
    push(f, TL_REPORT_REJECTED, b, NULL, NULL, NULL);
    tl_engine_poll(&f->x, NULL);
    tl_engine_submit(&f->x, f->btc, TL_SIDE_BUY, TL_ORDER_LIMIT, F("1"), F("0.01"), NULL, NULL, NULL);
    const int want[] = {TL_EV_ORDER_SUBMITTED, TL_EV_ORDER_ACCEPTED,   TL_EV_ORDER_FILLED,
                        TL_EV_FILL_REFUSED,    TL_EV_CANCEL_REQUESTED, TL_EV_ORDER_CANCELED,
                        TL_EV_ORDER_SUBMITTED, TL_EV_ORDER_REJECTED,   TL_EV_INTENT_DENIED};
    assert_int_equal(f->nevents, (int)(sizeof(want) / sizeof(want[0])));
    assert_memory_equal(f->events, want, sizeof(want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_submit_ack_fill_books_position_and_cash, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_overfill_unknown_fills_change_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cancel_then_late_fill_is_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fill_while_pending_cancel_then_cancel_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ack_after_cancel_request_keeps_cancel_pending, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reject_after_cancel_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_of_terminal_order_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_risk_block_denies_and_sends_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_orders_count_toward_inventory, setup_inventory,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_edge_freeze_cancels_everything_and_blocks,
                                        setup_inventory, teardown),
        cmocka_unit_test_setup_teardown(test_place_failure_ends_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flip_through_zero_and_notional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_state_change_is_an_event, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
