/*
 * test_engine_accounts.c -- the kernel with several accounts (issue 8): each account's events in
 * its own workspace, one digest over all of them, recovery of every workspace (orders, positions,
 * governor state, live quantities, busy accounts, the kill switch, an account's freeze), and the
 * governor's and filters' rules at their exact limits through tl_engine_intent: reduce-only cut
 * to the position, MAX_OPEN_POSITIONS, COOLDOWN, DRAWDOWN, TRADING_WINDOW in a zone with daylight
 * saving time, SPREAD, STALE_QUOTE and SLIPPAGE; exits pass every entry rule; the kill switch and
 * an account's freeze.
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

/* Immediate fills at the quotes, no fees: every figure below is exact. */
#define SIM_NOW     "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0&fee_bps=0"
#define SIM_LATE    "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=1000&fee_bps=1"
#define SIM_RESTING "sim://?fill_rate=0&reject_rate=0&latency_us=1000"
#define T0          1735812000LL * TL_NS_PER_SEC /* 2025-01-02T10:00:00Z */
#define MS          TL_NS_PER_MS
#define F(x)        TL_FIXED_INT(x)

typedef struct rig {
    tl_clock clock;
    tl_venue venue;
    tl_engine e;
    tl_journal j;
    bool journaled;
    uint32_t ids[3]; /* va1 (home), va2, va3 */
    uint32_t aaa, bbb;
    char ws_of_fill[8][TL_WORKSPACE_MAX]; /* workspaces of the first ORDER_FILLED events */
    int n_fills;
    int last_rule;
} rig;

static void watch(void *ctx, const tl_engine_event *ev)
{
    rig *r = ctx;
    if (ev->rec->type == TL_EV_ORDER_FILLED && r->n_fills < 8)
        strcpy(r->ws_of_fill[r->n_fills++], ev->rec->workspace);
    if (ev->rec->type == TL_EV_INTENT_DENIED)
        r->last_rule = ev->rule;
}

static tl_risk_config plain_rules(void)
{
    tl_risk_config c;
    memset(&c, 0, sizeof(c));
    c.one_symbol = true;
    return c;
}

/* Three accounts with `rules` each (va1 is home), the engine-wide cap max_open. */
static void rig_open(rig *r, const char *url, tl_store *store, const tl_risk_config *rules,
                     uint32_t max_open)
{
    memset(r, 0, sizeof(*r));
    tl_clock_init_sim(&r->clock, T0);
    assert_int_equal(tl_venue_open(&r->venue, url, &r->clock, NULL, NULL), 0);
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    strcpy(cfg.workspace, "va1");
    strcpy(cfg.mode, "run");
    cfg.account = 1;
    cfg.starting_cash = F(1000);
    cfg.any_symbol = true;
    cfg.risk.max_open_positions = max_open;
    assert_int_equal(tl_engine_init(&r->e, &cfg, NULL, &r->venue, &r->clock, NULL), 0);
    r->e.accts[0].risk = *rules;
    r->ids[0] = 1;
    assert_int_equal(tl_engine_add_account(&r->e, "va2", F(1000), rules, &r->ids[1], NULL), 0);
    assert_int_equal(tl_engine_add_account(&r->e, "va3", F(1000), rules, &r->ids[2], NULL), 0);
    if (store) {
        assert_int_equal(tl_engine_recover(&r->e, store, NULL), 0);
        assert_int_equal(tl_journal_init(&r->j, store, 0, NULL), 0);
        tl_engine_subscriber js = tl_journal_subscriber(&r->j);
        assert_int_equal(tl_engine_subscribe(&r->e, &js), 0);
        r->journaled = true;
    }
    tl_engine_subscriber w = {watch, NULL, r};
    assert_int_equal(tl_engine_subscribe(&r->e, &w), 0);
    for (int i = 0; i < 3; i++)
        if (!r->e.accts[i].has_reset)
            assert_int_equal(tl_engine_reset_account(&r->e, r->ids[i], F(1000), NULL), 0);
    assert_int_equal(tl_engine_instrument(&r->e, "AAA", &r->aaa, NULL), 0);
    assert_int_equal(tl_engine_instrument(&r->e, "BBB", &r->bbb, NULL), 0);
}

static void rig_close(rig *r)
{
    if (r->journaled)
        tl_journal_close(&r->j);
    tl_engine_close(&r->e);
    tl_venue_close(&r->venue);
}

/* A quote now, to the engine's filters and the venue's prices. */
static void quote(rig *r, uint32_t inst, tl_fixed bid, tl_fixed ask)
{
    int64_t now = tl_clock_now(&r->clock);
    assert_int_equal(tl_engine_on_quote(&r->e, inst, bid, ask), 0);
    assert_int_equal(
        tl_venue_on_quote(&r->venue, r->e.instruments.items[inst].symbol, bid, ask, now, NULL), 0);
}

/* An intent of account va (0..2); returns its status, r->last_rule the rule that denied it. */
static int order(rig *r, int va, uint32_t inst, tl_side side, tl_order_type type, tl_fixed px,
                 tl_fixed qty, bool reduce_only, tl_fixed expected, tl_engine_result *out)
{
    tl_intent in = {0};
    in.account = r->ids[va];
    in.instrument = inst;
    in.side = side;
    in.type = type;
    in.price = px;
    in.qty = qty;
    in.reduce_only = reduce_only;
    in.expected_price = expected;
    tl_engine_result res;
    r->last_rule = 0;
    assert_int_equal(tl_engine_intent(&r->e, &in, &res, NULL), 0);
    if (out)
        *out = res;
    return res.rec.status;
}

static int market(rig *r, int va, uint32_t inst, tl_side side, tl_fixed qty)
{
    const tl_risk_quote *q = &r->e.risk.quotes[inst];
    return order(r, va, inst, side, TL_ORDER_MARKET, side == TL_SIDE_BUY ? q->ask : q->bid, qty,
                 false, 0, NULL);
}

static int exit_market(rig *r, int va, uint32_t inst, tl_side side, tl_fixed qty)
{
    const tl_risk_quote *q = &r->e.risk.quotes[inst];
    return order(r, va, inst, side, TL_ORDER_MARKET, side == TL_SIDE_BUY ? q->ask : q->bid, qty,
                 true, 0, NULL);
}

static tl_fixed held(rig *r, int va, uint32_t inst)
{
    const tl_position *p = tl_book_find(&r->e.book, r->ids[va], inst);
    return p ? p->qty : 0;
}

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

static void step(rig *r, int64_t dt)
{
    tl_clock_advance(&r->clock, dt);
    assert_true(tl_engine_poll(&r->e, NULL) >= 0);
    assert_int_equal(tl_engine_flush(&r->e, true, NULL), 0);
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

static void test_reduce_only_cut_to_the_position(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    tl_engine_result res;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(10)), TL_INTENT_FILLED);
    assert_int_equal(
        order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_MARKET, F(99), F(15), true, 0, &res),
        TL_INTENT_FILLED);
    assert_int_equal(tl_order_store_by_client(&r.e.orders, res.rec.client_seq)->qty, F(10));
    assert_int_equal(held(&r, 0, r.aaa), 0); /* flat, never flipped short */
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_REDUCE_ONLY);
    assert_int_equal(held(&r, 0, r.aaa), 0);
    rig_close(&r);

    /* With an exit already working, the next is cut to what that one leaves. */
    rig_open(&r, SIM_RESTING, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(
        order(&r, 0, r.aaa, TL_SIDE_BUY, TL_ORDER_LIMIT, F(100), F(10), false, 0, &res),
        TL_INTENT_WORKING);
    step(&r, 2 * MS);
    tl_venue_fill f = {.client_seq = res.rec.client_seq, .qty = F(10), .price = F(100)};
    f.ts_ns = tl_clock_now(&r.clock);
    strcpy(f.trade_id, "X1");
    assert_int_equal(tl_engine_apply_missed_fill(&r.e, &f), 1);
    assert_int_equal(order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_LIMIT, F(101), F(6), true, 0, NULL),
                     TL_INTENT_WORKING);
    assert_int_equal(order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_LIMIT, F(101), F(6), true, 0, &res),
                     TL_INTENT_WORKING);
    assert_int_equal(tl_order_store_by_client(&r.e.orders, res.rec.client_seq)->qty, F(4));
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_REDUCE_ONLY);
    rig_close(&r);
}

static void test_max_open_positions(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 2);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    assert_int_equal(r.e.busy_accounts, 2);
    assert_int_equal(market(&r, 2, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_MAX_OPEN_POSITIONS);
    /* A busy account scales in: no account more is busy. */
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    assert_int_equal(held(&r, 0, r.aaa), F(2));
    /* Flat again, va1 frees its place. */
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(2)), TL_INTENT_FILLED);
    assert_int_equal(r.e.busy_accounts, 1);
    assert_int_equal(market(&r, 2, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    rig_close(&r);
}

static void test_cooldown_ends_exactly_at_its_time(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rules.cooldown_losses = 1;
    rules.cooldown_ns = 60 * TL_NS_PER_SEC;
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    int64_t t_loss = tl_clock_now(&r.clock);
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    assert_int_equal(r.e.accts[0].gov.cooldown_until_ns, t_loss + rules.cooldown_ns);
    tl_clock_set(&r.clock, t_loss + rules.cooldown_ns - 1);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_COOLDOWN);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED); /* its own */
    tl_clock_set(&r.clock, t_loss + rules.cooldown_ns);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    rig_close(&r);
}

/* va1 loses exactly 1% of its peak, va2 1e-8 more; the limit is 1%. */
static void test_drawdown_at_the_limit(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rules.max_drawdown_pct = F(1);
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    quote(&r, r.aaa, F(90), F(91));
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    quote(&r, r.aaa, F(90) - 1, F(91));
    assert_int_equal(exit_market(&r, 1, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    assert_int_equal(r.e.accts[0].gov.equity, F(990));
    assert_int_equal(r.e.accts[1].gov.equity, F(990) - 1);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_DRAWDOWN);
    rig_close(&r);
}

/* 09:30-16:00 in New York, ends inclusive to the nanosecond, in winter (UTC-5) and summer (-4). */
static void test_trading_window_in_new_york(void **state)
{
    (void)state;
    tl_tz ny;
    assert_int_equal(tl_tz_load(&ny, "America/New_York", NULL), 0);
    tl_risk_config rules = plain_rules();
    rules.window_on = true;
    assert_int_equal(tl_window_parse("09:30-16:00", (size_t)-1, &rules.window, NULL), 0);
    rules.tz = &ny;
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    const int64_t days[2] = {1735776000LL, 1751328000LL}; /* 2025-01-02, 2025-07-01 00:00Z */
    const int64_t utc_off_h[2] = {5, 4};
    for (int d = 0; d < 2; d++) {
        int64_t open = (days[d] + (9 + utc_off_h[d]) * 3600 + 1800) * TL_NS_PER_SEC;
        int64_t close = (days[d] + (16 + utc_off_h[d]) * 3600) * TL_NS_PER_SEC;
        const struct {
            int64_t t;
            int want;
        } cases[] = {{open - 1, TL_INTENT_DENIED},
                     {open, TL_INTENT_FILLED},
                     {close, TL_INTENT_FILLED},
                     {close + 1, TL_INTENT_DENIED}};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            tl_clock_set(&r.clock, cases[i].t);
            quote(&r, r.aaa, F(99), F(100));
            assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), cases[i].want);
            if (cases[i].want == TL_INTENT_DENIED)
                assert_int_equal(r.last_rule, TL_RR_TRADING_WINDOW);
        }
    }
    /* Outside the window an exit still goes. */
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    rig_close(&r);
    tl_tz_close(&ny);
}

static void test_filters_at_their_limits(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rules.max_spread_bps = F(10);
    rules.max_quote_age_ns = 500 * MS;
    rules.max_slippage_bps = F(10);
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    /* SPREAD: 0.1 on a mid of 100 is 10 bps. */
    quote(&r, r.aaa, F(100) - 5000000, F(100) + 5000000);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    quote(&r, r.aaa, F(100) - 5000000, F(100) + 5000001);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_SPREAD);
    /* STALE_QUOTE: 500 ms old is fresh enough, 1 ns more is not. */
    quote(&r, r.aaa, F(99) + 99000000, F(100));
    tl_clock_advance(&r.clock, 500 * MS);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    tl_clock_advance(&r.clock, 1);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_STALE_QUOTE);
    /* SLIPPAGE: a buy fills at the ask, 100.1 from an expected 100 is 10 bps. */
    quote(&r, r.aaa, F(100), F(100) + 10000000);
    const tl_fixed ask = F(100) + 10000000;
    assert_int_equal(
        order(&r, 0, r.aaa, TL_SIDE_BUY, TL_ORDER_MARKET, ask, F(1), false, F(100), NULL),
        TL_INTENT_FILLED);
    assert_int_equal(
        order(&r, 0, r.aaa, TL_SIDE_BUY, TL_ORDER_MARKET, ask, F(1), false, F(100) - 1, NULL),
        TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_SLIPPAGE);
    /* ... and a sell at the bid: 100 from 100.1 is 9.99 bps, from 99.9 10.01. */
    assert_int_equal(order(&r, 1, r.aaa, TL_SIDE_SELL, TL_ORDER_MARKET, F(100), F(1), false,
                           F(100) + 10000000, NULL),
                     TL_INTENT_FILLED);
    assert_int_equal(order(&r, 1, r.aaa, TL_SIDE_SELL, TL_ORDER_MARKET, F(100), F(1), false,
                           F(100) - 10000000, NULL),
                     TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_SLIPPAGE);
    rig_close(&r);
}

/* Every entry rule refuses the scale-in and lets the exit through. */
static void test_exits_pass_every_entry_rule(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 1);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(20)), TL_INTENT_FILLED);
    tl_engine_account *a = &r.e.accts[0];
    int64_t now = tl_clock_now(&r.clock);
    for (int rule = 0; rule < 8; rule++) {
        tl_risk_config c = rules;
        tl_fixed expected = 0;
        int want = 0, entry_va = 0;
        uint32_t entry_inst = r.aaa;
        int64_t cooldown_was = a->gov.cooldown_until_ns;
        switch (rule) {
        case 0:
            assert_int_equal(tl_engine_kill(&r.e, "test", NULL), 1);
            want = TL_RR_KILL_SWITCH;
            break;
        case 1:
            entry_inst = r.bbb;
            quote(&r, r.bbb, F(9), F(10));
            want = TL_RR_ONE_SYMBOL_PER_VA;
            break;
        case 2:
            entry_va = 1;
            want = TL_RR_MAX_OPEN_POSITIONS;
            break;
        case 3:
            a->gov.cooldown_until_ns = now + TL_NS_PER_SEC;
            want = TL_RR_COOLDOWN;
            break;
        case 4:
            c.max_drawdown_pct = F(1);
            a->gov.equity = a->gov.equity_peak / 2;
            want = TL_RR_DRAWDOWN;
            break;
        case 5:
            c.window_on = true;
            assert_int_equal(tl_window_parse("00:00-00:01", (size_t)-1, &c.window, NULL), 0);
            want = TL_RR_TRADING_WINDOW;
            break;
        case 6:
            c.max_spread_bps = F(1);
            want = TL_RR_SPREAD;
            break;
        case 7:
            c.max_slippage_bps = F(1);
            expected = F(50);
            want = TL_RR_SLIPPAGE;
            break;
        }
        a->risk = c;
        r.e.accts[1].risk = c;
        const tl_risk_quote *q = &r.e.risk.quotes[entry_inst];
        assert_int_equal(order(&r, entry_va, entry_inst, TL_SIDE_BUY, TL_ORDER_MARKET, q->ask, F(1),
                               false, expected, NULL),
                         TL_INTENT_DENIED);
        assert_int_equal(r.last_rule, want);
        tl_fixed before = held(&r, 0, r.aaa);
        assert_int_equal(
            order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_MARKET, F(99), F(1), true, expected, NULL),
            TL_INTENT_FILLED);
        assert_int_equal(held(&r, 0, r.aaa), before - F(1));
        a->risk = r.e.accts[1].risk = rules;
        a->gov.cooldown_until_ns = cooldown_was;
        if (rule == 0)
            assert_int_equal(tl_engine_kill_release(&r.e), 1);
    }
    /* STALE_QUOTE last: the quote is old from here on. */
    a->risk.max_quote_age_ns = MS;
    tl_clock_advance(&r.clock, 2 * MS);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_STALE_QUOTE);
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    rig_close(&r);
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
        cmocka_unit_test(test_reduce_only_cut_to_the_position),
        cmocka_unit_test(test_max_open_positions),
        cmocka_unit_test(test_cooldown_ends_exactly_at_its_time),
        cmocka_unit_test(test_drawdown_at_the_limit),
        cmocka_unit_test(test_trading_window_in_new_york),
        cmocka_unit_test(test_filters_at_their_limits),
        cmocka_unit_test(test_exits_pass_every_entry_rule),
        cmocka_unit_test(test_kill_switch_and_account_freeze),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
