/*
 * test_desk.c -- the RFQ desk driven directly: events are said only after their rows are durable,
 * execution ids stay unique within a millisecond, commands without a stream are refused, a
 * cancel ends the stream with its row, an LP that never answers never wins and is logged late.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "rfq/desk.h"

#define T0 1735812000LL * TL_NS_PER_SEC /* 2025-01-02T10:00:00Z */
#define LP_URL                                                                                     \
    "lpsim://?name=LP-A&base=100000&amp=0&spread_bps=0&delay_min_ms=100&delay_max_ms=100"          \
    "&validity_s=8&seed=1"

typedef struct rig {
    tl_clock clock;
    tl_lp lps[2];
    tl_store store;
    tl_journal j;
    tl_venue venue;
    tl_engine e;
    tl_desk d;
    tl_desk_event ev[16];
    int n_ev;
    size_t execs_at_event[16]; /* executions stored when each event was said */
} rig;

static void on_event(void *ctx, const tl_desk_event *ev)
{
    rig *r = ctx;
    tl_execution_row rows[8];
    size_t n = 0;
    tl_store_executions_recent(&r->store, rows, 8, &n, NULL);
    if (r->n_ev < 16) {
        r->execs_at_event[r->n_ev] = n;
        r->ev[r->n_ev++] = *ev;
    }
}

static void rig_open(rig *r, int n_lps)
{
    memset(r, 0, sizeof(*r));
    tl_clock_init_sim(&r->clock, T0);
    for (int i = 0; i < n_lps; i++)
        assert_int_equal(tl_lp_open(&r->lps[i], LP_URL, &r->clock, NULL, NULL), 0);
    assert_int_equal(tl_store_open(&r->store, "mem:", NULL, NULL, NULL), 0);
    assert_int_equal(tl_journal_init(&r->j, &r->store, 0, NULL), 0);
    assert_int_equal(tl_venue_open(&r->venue,
                                   "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0",
                                   &r->clock, NULL, NULL),
                     0);
    tl_engine_config ec;
    memset(&ec, 0, sizeof(ec));
    strcpy(ec.workspace, "rfq");
    strcpy(ec.mode, "rfq");
    ec.account = 1;
    ec.starting_cash = TL_FIXED_INT(1000000000);
    ec.any_symbol = true;
    assert_int_equal(tl_engine_init(&r->e, &ec, NULL, &r->venue, &r->clock, NULL), 0);
    tl_engine_subscriber js = tl_journal_subscriber(&r->j);
    assert_int_equal(tl_engine_subscribe(&r->e, &js), 0);
    assert_int_equal(tl_engine_reset(&r->e, ec.starting_cash, NULL), 0);
    tl_desk_config dc;
    memset(&dc, 0, sizeof(dc));
    strcpy(dc.workspace, "rfq");
    dc.markup_bps = TL_FIXED_INT(5);
    dc.poll_ns = 500 * TL_NS_PER_MS;
    assert_int_equal(tl_desk_init(&r->d, &dc, r->lps, (uint32_t)n_lps, &r->e, &r->j, &r->clock,
                                  on_event, r, NULL),
                     0);
}

static void rig_close(rig *r, int n_lps)
{
    tl_desk_close(&r->d);
    tl_engine_close(&r->e);
    tl_venue_close(&r->venue);
    tl_journal_close(&r->j);
    tl_store_close(&r->store);
    for (int i = 0; i < n_lps; i++)
        tl_lp_close(&r->lps[i]);
}

static tl_rfq_request buy_btc(void)
{
    tl_rfq_request q;
    tl_err err = {0};
    int rc = tl_rfq_request_parse("b 1.5 btc btcusdt", 17, &q, &err);
    assert_int_equal(rc, 0);
    return q;
}

static void tick(rig *r)
{
    tl_clock_advance(&r->clock, 500 * TL_NS_PER_MS);
    assert_int_equal(tl_desk_tick(&r->d, NULL), 0);
}

static void test_said_after_durable_and_unique_ids(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, 1);
    /* An earlier session on this journal named the millisecond of this one's first answer. */
    assert_int_equal(tl_desk_ids_after(&r.d, "E20250102-100000-600", NULL), 0);
    assert_int_equal(tl_desk_ids_after(&r.d, "not-an-id", NULL), TL_EINVAL);
    for (int k = 0; k < 2; k++) {
        tl_rfq_request q = buy_btc();
        assert_int_equal(tl_desk_request(&r.d, &q, NULL), 0);
        tick(&r);
        assert_int_equal(tl_desk_proceed(&r.d, NULL), 0);
    }
    /* locked, executed, locked, executed: each execution said once its row was stored. */
    assert_int_equal(r.n_ev, 4);
    assert_int_equal(r.ev[1].kind, TL_DESK_EXECUTED);
    assert_int_equal(r.execs_at_event[1], 1);
    assert_int_equal(r.ev[3].kind, TL_DESK_EXECUTED);
    assert_int_equal(r.execs_at_event[3], 2);
    assert_string_equal(r.ev[1].execution_id, "E20250102-100000-601");
    assert_string_equal(r.ev[3].execution_id, "E20250102-100001-100");
    assert_int_equal(r.ev[1].price.client_pays, TL_FIXED_INT(150075));
    rig_close(&r, 1);
}

static void test_commands_without_a_stream(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, 1);
    assert_int_equal(tl_desk_proceed(&r.d, NULL), 0);
    assert_int_equal(tl_desk_cancel(&r.d, NULL), 0);
    assert_int_equal(r.n_ev, 2);
    assert_int_equal(r.ev[0].kind, TL_DESK_ERROR);
    assert_string_equal(r.ev[0].error, "no quote to proceed with");
    assert_string_equal(r.ev[1].error, "nothing to cancel");

    tl_rfq_request q = buy_btc();
    assert_int_equal(tl_desk_request(&r.d, &q, NULL), 0);
    assert_int_equal(tl_desk_proceed(&r.d, NULL), 0); /* before the first poll */
    assert_string_equal(r.ev[2].error, "no quote locked yet");
    tick(&r);
    assert_int_equal(tl_desk_cancel(&r.d, NULL), 0);
    assert_int_equal(r.ev[3].kind, TL_DESK_LOCKED);
    assert_int_equal(r.ev[4].kind, TL_DESK_CANCELED);
    assert_false(r.d.streaming);
    tl_quote_row rows[4];
    size_t n = 0;
    assert_int_equal(tl_store_quotes_recent(&r.store, rows, 4, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].event, TL_QUOTE_CANCELED);
    rig_close(&r, 1);
}

static int count_late(void *ctx, const tl_lp_quote_row *row)
{
    int *n = ctx;
    if (row->status == TL_LPQ_LATE && strcmp(row->lp, "LP-A") == 0)
        (*n)++;
    return 0;
}

static void test_silent_lp(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, 2);
    r.lps[1].faults.never_answer_from = 1; /* the second LP-A never answers */
    tl_rfq_request q = buy_btc();
    assert_int_equal(tl_desk_request(&r.d, &q, NULL), 0);
    tick(&r);
    tick(&r);
    assert_int_equal(r.ev[0].kind, TL_DESK_LOCKED);
    assert_int_equal(r.d.lock.quote.lp, 0);
    int late = 0;
    assert_int_equal(tl_store_lp_quotes_scan(&r.store, count_late, &late, NULL), 0);
    assert_int_equal(late, 2); /* one per judged round */
    rig_close(&r, 2);
}

static int count_row(void *ctx, const tl_lp_quote_row *row)
{
    (void)row;
    ++*(size_t *)ctx;
    return 0;
}

/* A round whose rows the journal cannot buffer is not committed without them: the tick fails (the
 * engine halts) and nothing is said. The journal's buffer is made unable to grow by asking it for
 * more room than memory can hold, which marks it as a real allocation failure would. */
static void test_rows_not_buffered_fail_the_commit(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, 1);
    tl_rfq_request q = buy_btc();
    assert_int_equal(tl_desk_request(&r.d, &q, NULL), 0);
    int said = r.n_ev;
    assert_null(tl_journal_lp_quote_room(&r.j, SIZE_MAX / 2));
    tl_clock_advance(&r.clock, 500 * TL_NS_PER_MS);
    tl_err err = {0};
    assert_int_equal(tl_desk_tick(&r.d, &err), TL_ENOMEM);
    assert_int_equal(r.n_ev, said); /* the lock it made was not said */
    size_t stored = 0;
    assert_int_equal(tl_store_lp_quotes_scan(&r.store, count_row, &stored, NULL), 0);
    assert_int_equal(stored, 0);
    assert_int_equal(r.j.n_lp_quotes, 1); /* the round's row is still buffered, not stored */
    rig_close(&r, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_said_after_durable_and_unique_ids),
        cmocka_unit_test(test_commands_without_a_stream),
        cmocka_unit_test(test_silent_lp),
        cmocka_unit_test(test_rows_not_buffered_fail_the_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
