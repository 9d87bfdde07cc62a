/*
 * test_engine_recover.c -- the kernel rebuilt from its journal: everything it needs to go on
 * (orders and their states, id counters, trade ids, idempotency keys and their outcomes, a
 * freeze and its reason, positions and cash) equals the state that wrote the journal; results
 * are released only after the commit that holds them; a failed commit halts with a RISK_FROZEN
 * event; a workspace of another mode is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "engine/recover.h"
#include "journal/journal.h"
#include "journal/replay.h"
#include "store/store.h"

typedef struct rig {
    tl_instruments inst;
    uint32_t btc, eth;
    tl_clock clock;
    tl_venue venue;
    tl_engine e;
    tl_journal j;
    int frozen_events; /* RISK_FROZEN seen by a second subscriber */
} rig;

static void count_frozen(void *ctx, const tl_engine_event *ev)
{
    if (ev->rec->type == TL_EV_RISK_FROZEN)
        ((rig *)ctx)->frozen_events++;
}

static void rig_open(rig *r, tl_store *store, const char *venue_url, const char *mode, bool recover)
{
    tl_instrument a, b;
    memset(r, 0, sizeof(*r));
    tl_instruments_init(&r->inst);
    assert_int_equal(tl_instrument_default("BTCUSDT", &a, NULL), 0);
    assert_int_equal(tl_instrument_default("ETHUSDT", &b, NULL), 0);
    assert_int_equal(tl_instruments_add(&r->inst, &a, &r->btc, NULL), 0);
    assert_int_equal(tl_instruments_add(&r->inst, &b, &r->eth, NULL), 0);
    tl_clock_init_sim(&r->clock, 1735689600LL * TL_NS_PER_SEC);
    assert_int_equal(tl_venue_open(&r->venue, venue_url, &r->clock, NULL, NULL), 0);
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    strcpy(cfg.workspace, "rec");
    strcpy(cfg.mode, mode);
    cfg.account = 1;
    cfg.starting_cash = TL_FIXED_INT(1000000);
    cfg.retain_terminal = 0; /* keep every order: the comparison walks them all */
    assert_int_equal(tl_engine_init(&r->e, &cfg, &r->inst, &r->venue, &r->clock, NULL), 0);
    if (recover)
        assert_int_equal(tl_engine_recover(&r->e, store, NULL), 0);
    assert_int_equal(tl_journal_init(&r->j, store, 0, NULL), 0);
    tl_engine_subscriber js = tl_journal_subscriber(&r->j), fs = {count_frozen, NULL, r};
    assert_int_equal(tl_engine_subscribe(&r->e, &js), 0);
    assert_int_equal(tl_engine_subscribe(&r->e, &fs), 0);
    if (!r->e.has_reset)
        assert_int_equal(tl_engine_reset(&r->e, cfg.starting_cash, NULL), 0);
    tl_engine_on_quote(&r->e, r->btc, TL_FIXED_INT(49999), TL_FIXED_INT(50001));
    tl_engine_on_quote(&r->e, r->eth, TL_FIXED_INT(2999), TL_FIXED_INT(3001));
}

static void rig_close(rig *r)
{
    tl_journal_close(&r->j);
    tl_engine_close(&r->e);
    tl_venue_close(&r->venue);
    tl_instruments_close(&r->inst);
}

/* A mixed session on a venue with latency: fills, partials, rejects, cancels, orders still
 * working at the end, a keyed intent, a refusal, and a freeze. */
static void session(rig *r)
{
    char key[32];
    for (int i = 0; i < 60; i++) {
        uint32_t inst = i % 3 ? r->btc : r->eth;
        tl_side side = i % 2 ? TL_SIDE_SELL : TL_SIDE_BUY;
        tl_fixed px = inst == r->btc ? TL_FIXED_INT(50000) : TL_FIXED_INT(3000);
        tl_fixed qty = inst == r->btc ? 100000 : 1000000; /* 0.001 BTC, 0.01 ETH */
        uint64_t seq = 0;
        if (i % 7 == 0) {
            snprintf(key, sizeof(key), "key-%d", i);
            tl_intent it = {key, NULL, "OPEN", inst, side, TL_ORDER_LIMIT, px, qty};
            assert_int_equal(tl_engine_intent(&r->e, &it, NULL, NULL), 0);
        } else {
            int rc = tl_engine_submit(&r->e, inst, side, TL_ORDER_LIMIT, px, qty, &seq, NULL, NULL);
            assert_true(rc == 0 || rc == TL_ERISK);
        }
        if (seq && i % 5 == 0)
            tl_engine_cancel(&r->e, seq, NULL);
        tl_clock_advance(&r->clock, (i % 4) * TL_NS_PER_MS);
        assert_true(tl_engine_poll(&r->e, NULL) >= 0);
        assert_int_equal(tl_engine_flush(&r->e, false, NULL), 0);
    }
    /* An order the rules refuse: a price far outside any sane collar is off tick. */
    assert_int_equal(
        tl_engine_submit(&r->e, r->btc, TL_SIDE_BUY, TL_ORDER_LIMIT, 1, 100000, NULL, NULL, NULL),
        TL_ERISK);
    assert_int_equal(tl_engine_freeze(&r->e, "kill switch: operator", NULL), 1);
    assert_int_equal(tl_engine_flush(&r->e, true, NULL), 0);
}

static void assert_same_state(const tl_engine *a, const tl_engine *b)
{
    assert_memory_equal(&a->counts, &b->counts, sizeof(a->counts));
    assert_int_equal(a->orders.next_client_seq, b->orders.next_client_seq);
    for (uint64_t seq = 1; seq < a->orders.next_client_seq; seq++) {
        const tl_order *x = tl_order_store_by_client(&a->orders, seq);
        const tl_order *y = tl_order_store_by_client(&b->orders, seq);
        assert_non_null(x);
        assert_non_null(y);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->prev_status, y->prev_status);
        assert_int_equal(x->filled_qty, y->filled_qty);
        assert_int_equal(x->qty, y->qty);
        assert_int_equal(x->price, y->price);
        assert_int_equal(x->side, y->side);
        assert_int_equal(x->instrument, y->instrument);
        assert_int_equal(x->venue_seq, y->venue_seq);
        assert_int_equal(x->fill_count, y->fill_count);
        tl_fill fa[8], fb[8];
        uint32_t na = tl_order_store_fills(&a->orders, x, fa, 8);
        assert_int_equal(na, tl_order_store_fills(&b->orders, y, fb, 8));
        for (uint32_t k = 0; k < na; k++) {
            assert_string_equal(fa[k].trade_id, fb[k].trade_id);
            assert_true(tl_order_store_has_trade(&b->orders, fa[k].trade_id));
        }
    }
    for (uint32_t i = 0; i < a->instruments.count; i++)
        assert_int_equal(a->expo[i].notional, b->expo[i].notional);
    assert_int_equal(a->n_accts, b->n_accts);
    assert_int_equal(a->busy_accounts, b->busy_accounts);
    for (uint32_t i = 0; i < a->n_accts; i++) {
        const tl_engine_account *x = &a->accts[i], *y = &b->accts[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->live_buy_qty, y->live_buy_qty);
        assert_int_equal(x->live_sell_qty, y->live_sell_qty);
        assert_int_equal(x->last_price, y->last_price);
        assert_memory_equal(&x->gov, &y->gov, sizeof(x->gov));
    }
    assert_int_equal(a->risk.killed, b->risk.killed);
    assert_string_equal(a->risk.kill_reason, b->risk.kill_reason);
    assert_int_equal(a->risk.frozen, b->risk.frozen);
    assert_string_equal(a->risk.freeze_reason, b->risk.freeze_reason);
    assert_int_equal(a->intake.n, b->intake.n);
    for (size_t i = 0; i < a->intake.n; i++) {
        const tl_intent_record *x = &a->intake.recs[i];
        const tl_intent_record *y = tl_intake_find(&b->intake, x->key);
        assert_non_null(y);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->client_seq, y->client_seq);
        assert_string_equal(x->order_id, y->order_id);
        assert_string_equal(x->trade_id, y->trade_id);
        assert_int_equal(x->cash, y->cash);
        assert_int_equal(x->position_qty, y->position_qty);
    }
    char da[65], db[65];
    assert_int_equal(tl_engine_digest(a, da, NULL), 0);
    assert_int_equal(tl_engine_digest(b, db, NULL), 0);
    assert_string_equal(da, db);
}

static void test_recovers_everything(void **state)
{
    (void)state;
    const char *url =
        "sim://?seed=11&fill_rate=0.6&reject_rate=0.1&partial_rate=0.5&latency_us=2000";
    tl_store store;
    rig a, b;
    assert_int_equal(tl_store_open(&store, "mem:", NULL, NULL, NULL), 0);
    rig_open(&a, &store, url, "shadow", true);
    session(&a);
    assert_true(tl_engine_open_count(&a.e) > 0); /* some orders are still working */
    assert_true(a.e.counts.fills > 0 && a.e.counts.canceled > 0 && a.e.counts.rejected > 0);
    rig_open(&b, &store, url, "shadow", true);
    assert_same_state(&a.e, &b.e);
    /* The keys are known: a repeat is a duplicate with the original order, nothing new. */
    uint64_t hw = store.high_water;
    tl_intent again = {
        "key-0", NULL, "OPEN", b.eth, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(3000), 1000000};
    tl_engine_result res;
    assert_int_equal(tl_engine_intent(&b.e, &again, &res, NULL), 0);
    assert_true(res.duplicate);
    assert_string_equal(res.rec.order_id, "CLI00000001");
    assert_int_equal(tl_engine_flush(&b.e, true, NULL), 0);
    assert_int_equal(store.high_water, hw);
    /* Ids go on: the next order is numbered after every recovered one. */
    tl_engine_unfreeze(&b.e);
    uint64_t seq = 0;
    assert_int_equal(tl_engine_submit(&b.e, b.btc, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(50000),
                                      100000, &seq, NULL, NULL),
                     0);
    assert_int_equal(seq, a.e.orders.next_client_seq);
    assert_int_equal(tl_engine_flush(&b.e, true, NULL), 0);
    /* The unfreeze was journaled: a third engine is not frozen. */
    rig c;
    rig_open(&c, &store, url, "shadow", true);
    assert_false(c.e.risk.frozen);
    assert_same_state(&b.e, &c.e);
    rig_close(&c);
    rig_close(&b);
    rig_close(&a);
    tl_store_close(&store);
}

static void test_live_orders_unknown_to_a_fresh_venue_expire(void **state)
{
    (void)state;
    const char *url = "sim://?seed=5&fill_rate=0&reject_rate=0&latency_us=1000";
    tl_store store;
    rig a, b;
    assert_int_equal(tl_store_open(&store, "mem:", NULL, NULL, NULL), 0);
    rig_open(&a, &store, url, "shadow", true);
    for (int i = 0; i < 4; i++)
        assert_int_equal(tl_engine_submit(&a.e, a.btc, TL_SIDE_BUY, TL_ORDER_LIMIT,
                                          TL_FIXED_INT(50000), 100000, NULL, NULL, NULL),
                         0);
    tl_clock_advance(&a.clock, 5 * TL_NS_PER_MS);
    assert_true(tl_engine_poll(&a.e, NULL) >= 0);
    assert_int_equal(tl_engine_flush(&a.e, true, NULL), 0);
    assert_int_equal(tl_engine_open_count(&a.e), 4);
    rig_open(&b, &store, url, "shadow", true);
    assert_int_equal(tl_engine_open_count(&b.e), 4);
    uint64_t expired = 0;
    assert_int_equal(tl_engine_reconcile_venue(&b.e, &expired, NULL), 0);
    assert_int_equal(expired, 4);
    assert_int_equal(tl_engine_open_count(&b.e), 0);
    assert_int_equal(b.e.accts[0].live_buy_qty, 0);
    assert_int_equal(tl_engine_flush(&b.e, true, NULL), 0);
    rig c;
    rig_open(&c, &store, url, "shadow", true);
    assert_int_equal(tl_engine_open_count(&c.e), 0); /* the expiries were journaled */
    rig_close(&c);
    rig_close(&b);
    rig_close(&a);
    tl_store_close(&store);
}

static void test_results_wait_for_the_commit(void **state)
{
    (void)state;
    tl_store store;
    rig r;
    assert_int_equal(tl_store_open(&store, "mem:", NULL, NULL, NULL), 0);
    rig_open(&r, &store, "paper://", "paper", true);
    assert_int_equal(tl_engine_flush(&r.e, true, NULL), 0);
    tl_intent it = {"k1",        "EXT-1",         "OPEN_LONG",         r.btc,
                    TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(50000), 100000};
    tl_engine_result res;
    size_t n = 99;
    assert_int_equal(tl_engine_intent(&r.e, &it, &res, NULL), 0);
    assert_int_equal(res.rec.status, TL_INTENT_FILLED); /* decided at once on paper */
    tl_engine_released(&r.e, &n);
    assert_int_equal(n, 0); /* but not released before the commit */
    uint64_t hw = store.high_water;
    assert_int_equal(tl_engine_flush(&r.e, false, NULL), 0); /* a waiting result forces it */
    assert_true(store.high_water > hw);
    const tl_engine_result *rel = tl_engine_released(&r.e, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rel[0].rec.order_id, "EXT-1");
    assert_string_equal(rel[0].rec.trade_id, "PT-EXT-1");

    /* A commit that fails: nothing released, RISK_FROZEN fanned out, the engine halted. */
    store.faults.fail_commit_at = store.faults.commits + 1;
    tl_intent it2 = {"k2",        "EXT-2",         "OPEN_LONG",         r.btc,
                     TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(50000), 100000};
    assert_int_equal(tl_engine_intent(&r.e, &it2, NULL, NULL), 0);
    tl_err err = {0};
    assert_int_equal(tl_engine_flush(&r.e, false, &err), TL_EIO);
    assert_int_equal(r.frozen_events, 1);
    assert_true(r.e.halted);
    tl_engine_released(&r.e, &n);
    assert_int_equal(n, 1); /* still the last good step's, nothing of the failed one */
    assert_int_equal(tl_engine_intent(&r.e, &it2, NULL, NULL), TL_ESTATE);
    rig_close(&r);

    /* The restart knows k1 but not k2: k2 was never acknowledged, so it runs again. */
    store.faults.fail_commit_at = 0;
    rig_open(&r, &store, "paper://", "paper", true);
    assert_non_null(tl_intake_find(&r.e.intake, "k1"));
    assert_null(tl_intake_find(&r.e.intake, "k2"));
    assert_int_equal(tl_engine_intent(&r.e, &it2, &res, NULL), 0);
    assert_false(res.duplicate);
    assert_int_equal(res.rec.status, TL_INTENT_FILLED);
    assert_int_equal(tl_engine_flush(&r.e, false, NULL), 0);
    rig_close(&r);
    tl_store_close(&store);
}

/* An intent refused before anything about it was emitted (its external order id is taken) leaves
 * no trace: its key is not remembered, so the same key with a free id runs. */
static void test_refused_intent_forgets_its_key(void **state)
{
    (void)state;
    tl_store store;
    rig r;
    assert_int_equal(tl_store_open(&store, "mem:", NULL, NULL, NULL), 0);
    rig_open(&r, &store, "paper://", "paper", true);
    tl_intent a = {"ka",        "EXT-1",         "OPEN_LONG",         r.btc,
                   TL_SIDE_BUY, TL_ORDER_MARKET, TL_FIXED_INT(50000), 100000};
    assert_int_equal(tl_engine_intent(&r.e, &a, NULL, NULL), 0);
    tl_intent b = a;
    b.idem_key = "kb"; /* a new key, but the order id of ka */
    tl_err err = {0};
    assert_int_equal(tl_engine_intent(&r.e, &b, NULL, &err), TL_EDUPLICATE);
    assert_non_null(strstr(err.msg, "order id already used"));
    assert_null(tl_intake_find(&r.e.intake, "kb"));
    assert_non_null(tl_intake_find(&r.e.intake, "ka"));
    b.order_id = "EXT-2";
    tl_engine_result res;
    assert_int_equal(tl_engine_intent(&r.e, &b, &res, NULL), 0);
    assert_false(res.duplicate);
    assert_int_equal(res.rec.status, TL_INTENT_FILLED);
    assert_int_equal(tl_engine_flush(&r.e, true, NULL), 0);
    rig_close(&r);
    tl_store_close(&store);
}

static void test_other_mode_refused(void **state)
{
    (void)state;
    tl_store store;
    rig a;
    assert_int_equal(tl_store_open(&store, "mem:", NULL, NULL, NULL), 0);
    rig_open(&a, &store, "paper://", "shadow", true);
    assert_int_equal(tl_engine_flush(&a.e, true, NULL), 0);
    rig_close(&a);
    tl_instruments inst;
    tl_instruments_init(&inst);
    tl_clock clock;
    tl_clock_init_sim(&clock, 0);
    tl_venue venue;
    assert_int_equal(tl_venue_open(&venue, "paper://", &clock, NULL, NULL), 0);
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    strcpy(cfg.workspace, "rec");
    strcpy(cfg.mode, "paper");
    cfg.starting_cash = TL_FIXED_INT(1);
    tl_engine e;
    assert_int_equal(tl_engine_init(&e, &cfg, &inst, &venue, &clock, NULL), 0);
    tl_err err = {0};
    assert_int_equal(tl_engine_recover(&e, &store, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "holds a shadow journal, not a paper one"));
    tl_engine_close(&e);
    tl_venue_close(&venue);
    tl_instruments_close(&inst);
    tl_store_close(&store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_everything),
        cmocka_unit_test(test_live_orders_unknown_to_a_fresh_venue_expire),
        cmocka_unit_test(test_results_wait_for_the_commit),
        cmocka_unit_test(test_refused_intent_forgets_its_key),
        cmocka_unit_test(test_other_mode_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
