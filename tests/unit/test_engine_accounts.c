/*
 * test_engine_accounts.c -- the kernel with several accounts (issue 8): each account's events in
 * its own workspace, one digest over all of them, recovery of every workspace (orders, positions,
 * governor state, live quantities, busy accounts, the kill switch, an account's freeze), the kill
 * switch and an account's freeze. The rules at their limits are in test_governor_rules.c.
 */
#include "engine_rig.h"

static void test_events_carry_the_accounts_workspace(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(2)), TL_INTENT_FILLED);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    assert_int_equal(market(&r, 2, r.aaa, TL_SIDE_BUY, F(3)), TL_INTENT_FILLED);
    assert_int_equal(r.n_fills, 3);
    assert_string_equal(r.ws_of_fill[0], "va2");
    assert_string_equal(r.ws_of_fill[1], "va1");
    assert_string_equal(r.ws_of_fill[2], "va3");
    /* Each account's book is its own. */
    assert_int_equal(held(&r, 0, r.aaa), -F(1));
    assert_int_equal(held(&r, 1, r.aaa), F(2));
    assert_int_equal(held(&r, 2, r.aaa), F(3));
    assert_int_equal(tl_book_find_account(&r.e.book, r.ids[1])->cash, F(800));
    rig_close(&r);
}

static void test_duplicate_names_refused(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    tl_err err = {0};
    assert_int_equal(tl_engine_add_account(&r.e, "va2", F(5), NULL, NULL, &err), TL_EDUPLICATE);
    assert_non_null(strstr(err.msg, "va2"));
    assert_int_equal(tl_engine_add_account(&r.e, "va1", F(5), NULL, NULL, NULL), TL_EDUPLICATE);
    assert_int_equal(r.e.n_accts, 3);
    assert_int_equal(tl_engine_account_named(&r.e, "va2")->id, r.ids[1]);
    assert_int_equal(tl_engine_add_account(&r.e, "bad name", F(5), NULL, NULL, NULL), TL_EINVAL);
    rig_close(&r);
}

/* Equal state: orders, positions and cash, governor, live quantities, switches, digest. */
static void assert_same(const tl_engine *a, const tl_engine *b)
{
    assert_int_equal(a->orders.next_client_seq, b->orders.next_client_seq);
    for (uint64_t seq = 1; seq < a->orders.next_client_seq; seq++) {
        const tl_order *x = tl_order_store_by_client(&a->orders, seq);
        const tl_order *y = tl_order_store_by_client(&b->orders, seq);
        assert_non_null(x);
        assert_non_null(y);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->account, y->account);
        assert_int_equal(x->filled_qty, y->filled_qty);
        assert_int_equal(x->qty, y->qty);
    }
    assert_memory_equal(&a->counts, &b->counts, sizeof(a->counts));
    assert_int_equal(a->busy_accounts, b->busy_accounts);
    assert_int_equal(a->n_accts, b->n_accts);
    for (uint32_t i = 0; i < a->n_accts; i++) {
        const tl_engine_account *x = &a->accts[i], *y = &b->accts[i];
        assert_int_equal(x->live_buy_qty, y->live_buy_qty);
        assert_int_equal(x->live_sell_qty, y->live_sell_qty);
        assert_int_equal(x->last_price, y->last_price);
        assert_memory_equal(&x->gov, &y->gov, sizeof(x->gov));
        const tl_account *ca = tl_book_find_account(&a->book, x->id);
        const tl_account *cb = tl_book_find_account(&b->book, y->id);
        assert_int_equal(ca->cash, cb->cash);
        assert_int_equal(ca->realized_pnl, cb->realized_pnl);
        for (uint32_t k = 0; k < a->instruments.count; k++) {
            const tl_position *p = tl_book_find(&a->book, x->id, k);
            const tl_position *q = tl_book_find(&b->book, y->id, k);
            assert_int_equal(p ? p->qty : 0, q ? q->qty : 0);
            assert_int_equal(p ? p->avg_price : 0, q ? q->avg_price : 0);
        }
    }
    assert_int_equal(a->risk.killed, b->risk.killed);
    assert_string_equal(a->risk.kill_reason, b->risk.kill_reason);
    char da[65], db[65];
    assert_int_equal(tl_engine_digest(a, da, NULL), 0);
    assert_int_equal(tl_engine_digest(b, db, NULL), 0);
    assert_string_equal(da, db);
}

/* A session over three accounts on a venue with latency: round trips (va3 loses three in a row
 * and cools down), positions held, orders in flight at the end, a freeze and the kill switch. */
static void test_recovery_of_every_workspace(void **state)
{
    (void)state;
    tl_store store;
    tl_risk_config rules = plain_rules();
    rules.cooldown_losses = 3;
    rules.cooldown_ns = 300 * TL_NS_PER_SEC;
    rig a, b;
    assert_int_equal(tl_store_open(&store, "mem:", NULL, NULL, NULL), 0);
    rig_open(&a, SIM_LATE, &store, &rules, 3);
    quote(&a, a.aaa, F(99), F(100));
    quote(&a, a.bbb, F(9), F(10));
    for (int i = 0; i < 3; i++) {
        assert_int_equal(market(&a, 2, a.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_WORKING);
        step(&a, 2 * MS);
        assert_int_equal(exit_market(&a, 2, a.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_WORKING);
        step(&a, 2 * MS);
    }
    assert_int_equal(a.e.accts[2].gov.losses, 3);
    assert_true(a.e.accts[2].gov.cooldown_until_ns > tl_clock_now(&a.clock));
    assert_int_equal(market(&a, 0, a.aaa, TL_SIDE_BUY, F(4)), TL_INTENT_WORKING);
    assert_int_equal(market(&a, 1, a.bbb, TL_SIDE_SELL, F(7)), TL_INTENT_WORKING);
    step(&a, 2 * MS);
    quote(&a, a.aaa, F(101), F(102));
    assert_int_equal(market(&a, 0, a.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_WORKING); /* scale in */
    assert_int_equal(exit_market(&a, 1, a.bbb, TL_SIDE_BUY, F(2)), TL_INTENT_WORKING);
    assert_int_equal(tl_engine_flush(&a.e, true, NULL), 0);
    assert_int_equal(tl_engine_freeze_account(&a.e, a.ids[2], "test: looked wrong", NULL), 1);
    assert_int_equal(tl_engine_kill(&a.e, "test: stop all", NULL), 1);
    assert_int_equal(tl_engine_flush(&a.e, true, NULL), 0);
    assert_int_equal(tl_engine_open_count(&a.e), 2); /* cancels in flight */
    assert_int_equal(a.e.busy_accounts, 2);
    assert_true(a.e.accts[0].live_buy_qty == F(1) && a.e.accts[1].live_buy_qty == F(2));

    rig_open(&b, SIM_LATE, &store, &rules, 3);
    assert_same(&a.e, &b.e);
    assert_true(b.e.accts[2].gov.frozen);
    assert_string_equal(b.e.accts[2].gov.frozen_reason, "test: looked wrong");
    assert_true(b.e.risk.killed);

    /* The digest covers every workspace: the journal's replay of all of them gives it. */
    tl_ledger l;
    tl_replay_result rr;
    char live[65];
    assert_int_equal(tl_ledger_init(&l, 0), 0);
    assert_int_equal(tl_replay(&store, "", &l, &rr, NULL), 0);
    assert_int_equal(tl_engine_digest(&a.e, live, NULL), 0);
    assert_string_equal(rr.digest, live);
    tl_ledger_close(&l);
    /* ... and moves with any account's position. */
    assert_int_equal(tl_engine_kill_release(&a.e), 1);
    step(&a, 2 * MS);
    assert_int_equal(market(&a, 1, a.bbb, TL_SIDE_SELL, F(1)), TL_INTENT_WORKING);
    step(&a, 2 * MS);
    char after[65];
    assert_int_equal(tl_engine_digest(&a.e, after, NULL), 0);
    assert_string_not_equal(after, live);
    rig_close(&b);
    rig_open(&b, SIM_LATE, &store, &rules, 3);
    assert_same(&a.e, &b.e);
    assert_false(b.e.risk.killed);
    rig_close(&b);
    rig_close(&a);
    tl_store_close(&store);
}

static tl_fixed live_of(rig *r, int va)
{
    return r->e.accts[va].live_buy_qty + r->e.accts[va].live_sell_qty;
}

static void test_kill_switch_and_account_freeze(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    tl_engine_result res;
    rig_open(&r, SIM_RESTING, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    /* va1 holds 10 (its resting buy filled by a report), then every account has an order resting.
     */
    assert_int_equal(order(&r, 0, r.aaa, TL_SIDE_BUY, TL_ORDER_LIMIT, F(99), F(10), false, 0, &res),
                     TL_INTENT_WORKING);
    step(&r, 2 * MS);
    tl_venue_fill f = {.client_seq = res.rec.client_seq, .qty = F(10), .price = F(99)};
    f.ts_ns = tl_clock_now(&r.clock);
    strcpy(f.trade_id, "X1");
    assert_int_equal(tl_engine_apply_missed_fill(&r.e, &f), 1);
    for (int va = 0; va < 3; va++)
        assert_int_equal(
            order(&r, va, r.aaa, TL_SIDE_BUY, TL_ORDER_LIMIT, F(98), F(1), false, 0, NULL),
            TL_INTENT_WORKING);
    step(&r, 2 * MS);
    assert_int_equal(tl_engine_open_count(&r.e), 3);

    /* An account's freeze: only its orders go, and it trades nothing, in or out. */
    assert_int_equal(tl_engine_freeze_account(&r.e, r.ids[1], "test", NULL), 1);
    step(&r, 2 * MS);
    assert_int_equal(tl_engine_open_count(&r.e), 2);
    assert_int_equal(live_of(&r, 1), 0);
    assert_int_equal(live_of(&r, 0), F(1));
    assert_int_equal(live_of(&r, 2), F(1));
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_RECONCILE_MISMATCH);
    assert_int_equal(market(&r, 2, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_WORKING);
    assert_int_equal(tl_engine_unfreeze_account(&r.e, r.ids[1]), 1);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_WORKING);
    step(&r, 2 * MS);

    /* The kill switch: every live order canceled, entries refused, exits still go. */
    uint64_t open = tl_engine_open_count(&r.e);
    assert_int_equal(open, 4);
    uint64_t cancels = r.e.counts.cancel_requests;
    assert_int_equal(tl_engine_kill(&r.e, "test", NULL), 1);
    assert_int_equal(r.e.counts.cancel_requests - cancels, open);
    step(&r, 2 * MS);
    assert_int_equal(tl_engine_open_count(&r.e), 0);
    assert_int_equal(r.e.busy_accounts, 1); /* va1's position */
    for (int va = 0; va < 3; va++) {
        assert_int_equal(live_of(&r, va), 0);
        assert_int_equal(market(&r, va, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
        assert_int_equal(r.last_rule, TL_RR_KILL_SWITCH);
    }
    assert_int_equal(order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_LIMIT, F(99), F(4), true, 0, NULL),
                     TL_INTENT_WORKING);
    assert_int_equal(tl_engine_kill(&r.e, "again", NULL), 0);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_carry_the_accounts_workspace),
        cmocka_unit_test(test_duplicate_names_refused),
        cmocka_unit_test(test_recovery_of_every_workspace),
        cmocka_unit_test(test_kill_switch_and_account_freeze),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
