/*
 * test_journal_accounts.c -- the journal's snapshot rows with several accounts in one batch: every
 * account's position and cash get a row of their own (its workspace), equal to the engine's state,
 * however the changes of different accounts interleave before one commit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "journal/journal.h"

#define N_ACCTS 3

static void test_rows_per_account(void **state)
{
    (void)state;
    tl_store store;
    tl_instruments inst;
    tl_instrument btc;
    uint32_t btc_id, ids[N_ACCTS];
    tl_clock clock;
    tl_venue venue;
    tl_engine x;
    tl_journal j;
    const char *names[N_ACCTS] = {"va1", "va2", "va3"};

    assert_int_equal(tl_store_open(&store, "mem:", NULL, NULL, NULL), 0);
    tl_instruments_init(&inst);
    assert_int_equal(tl_instrument_default("BTCUSDT", &btc, NULL), 0);
    assert_int_equal(tl_instruments_add(&inst, &btc, &btc_id, NULL), 0);
    tl_clock_init_sim(&clock, TL_NS_PER_SEC);
    assert_int_equal(tl_venue_open(&venue,
                                   "sim://?fill_rate=1&reject_rate=0&partial_rate=0"
                                   "&latency_us=0&fee_bps=0",
                                   &clock, NULL, NULL),
                     0);
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    strcpy(cfg.workspace, names[0]);
    strcpy(cfg.mode, "run");
    cfg.account = 1;
    cfg.starting_cash = TL_FIXED_INT(100000);
    assert_int_equal(tl_engine_init(&x, &cfg, &inst, &venue, &clock, NULL), 0);
    ids[0] = 1;
    for (int i = 1; i < N_ACCTS; i++)
        assert_int_equal(
            tl_engine_add_account(&x, names[i], TL_FIXED_INT(100000), NULL, &ids[i], NULL), 0);
    assert_int_equal(tl_journal_init(&j, &store, 0, NULL), 0);
    tl_engine_subscriber js = tl_journal_subscriber(&j);
    assert_int_equal(tl_engine_subscribe(&x, &js), 0);
    for (int i = 0; i < N_ACCTS; i++)
        assert_int_equal(tl_engine_reset_account(&x, ids[i], TL_FIXED_INT(100000), NULL), 0);
    tl_engine_on_quote(&x, btc_id, TL_FIXED_INT(49999), TL_FIXED_INT(50001));

    /* One batch: each account buys a different quantity in the same instrument. */
    for (int i = 0; i < N_ACCTS; i++) {
        tl_intent in = {0};
        in.account = ids[i];
        in.instrument = btc_id;
        in.side = TL_SIDE_BUY;
        in.type = TL_ORDER_LIMIT;
        in.price = TL_FIXED_INT(50000);
        in.qty = TL_FIXED_INT(i + 1) / 100;
        tl_engine_result r;
        assert_int_equal(tl_engine_intent(&x, &in, &r, NULL), 0);
        assert_int_equal(r.rec.status, TL_INTENT_FILLED);
    }
    assert_int_equal(tl_engine_flush(&x, true, NULL), 0);

    tl_position_row pos[8];
    tl_account_row acc[8];
    size_t np = 0, na = 0;
    assert_int_equal(tl_store_get_positions(&store, "", pos, 8, &np, NULL), 0);
    assert_int_equal(tl_store_get_accounts(&store, "", acc, 8, &na, NULL), 0);
    assert_int_equal(np, N_ACCTS);
    assert_int_equal(na, N_ACCTS);
    for (int i = 0; i < N_ACCTS; i++) {
        /* Rows come sorted by workspace: va1, va2, va3. */
        assert_string_equal(pos[i].workspace, names[i]);
        assert_int_equal(pos[i].qty, TL_FIXED_INT(i + 1) / 100);
        assert_string_equal(acc[i].workspace, names[i]);
        const tl_account *a = tl_book_find_account(&x.book, ids[i]);
        assert_int_equal(acc[i].cash, a->cash);
        assert_int_equal(acc[i].cash, TL_FIXED_INT(100000) - (i + 1) * TL_FIXED_INT(500));
    }
    tl_journal_close(&j);
    tl_engine_close(&x);
    tl_venue_close(&venue);
    tl_instruments_close(&inst);
    tl_store_close(&store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_per_account),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
