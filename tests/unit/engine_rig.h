/*
 * engine_rig.h -- the test rig of the kernel with several accounts (three VAs on a simulated
 * venue, optionally journaled), shared by test_engine_accounts.c and test_governor_rules.c.
 */
#ifndef TL_TEST_ENGINE_RIG_H
#define TL_TEST_ENGINE_RIG_H

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

static inline void watch(void *ctx, const tl_engine_event *ev)
{
    rig *r = ctx;
    if (ev->rec->type == TL_EV_ORDER_FILLED && r->n_fills < 8)
        strcpy(r->ws_of_fill[r->n_fills++], ev->rec->workspace);
    if (ev->rec->type == TL_EV_INTENT_DENIED)
        r->last_rule = ev->rule;
}

static inline tl_risk_config plain_rules(void)
{
    tl_risk_config c;
    memset(&c, 0, sizeof(c));
    c.one_symbol = true;
    return c;
}

/* Three accounts with `rules` each (va1 is home), the engine-wide cap max_open. */
static inline void rig_open(rig *r, const char *url, tl_store *store, const tl_risk_config *rules,
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

static inline void rig_close(rig *r)
{
    if (r->journaled)
        tl_journal_close(&r->j);
    tl_engine_close(&r->e);
    tl_venue_close(&r->venue);
}

/* A quote now, to the engine's filters and the venue's prices. */
static inline void quote(rig *r, uint32_t inst, tl_fixed bid, tl_fixed ask)
{
    int64_t now = tl_clock_now(&r->clock);
    assert_int_equal(tl_engine_on_quote(&r->e, inst, bid, ask), 0);
    assert_int_equal(
        tl_venue_on_quote(&r->venue, r->e.instruments.items[inst].symbol, bid, ask, now, NULL), 0);
}

/* An intent of account va (0..2); returns its status, r->last_rule the rule that denied it. */
static inline int order(rig *r, int va, uint32_t inst, tl_side side, tl_order_type type,
                        tl_fixed px, tl_fixed qty, bool reduce_only, tl_fixed expected,
                        tl_engine_result *out)
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

static inline int market(rig *r, int va, uint32_t inst, tl_side side, tl_fixed qty)
{
    const tl_risk_quote *q = &r->e.risk.quotes[inst];
    return order(r, va, inst, side, TL_ORDER_MARKET, side == TL_SIDE_BUY ? q->ask : q->bid, qty,
                 false, 0, NULL);
}

static inline int exit_market(rig *r, int va, uint32_t inst, tl_side side, tl_fixed qty)
{
    const tl_risk_quote *q = &r->e.risk.quotes[inst];
    return order(r, va, inst, side, TL_ORDER_MARKET, side == TL_SIDE_BUY ? q->ask : q->bid, qty,
                 true, 0, NULL);
}

static inline tl_fixed held(rig *r, int va, uint32_t inst)
{
    const tl_position *p = tl_book_find(&r->e.book, r->ids[va], inst);
    return p ? p->qty : 0;
}

static inline void step(rig *r, int64_t dt)
{
    tl_clock_advance(&r->clock, dt);
    assert_true(tl_engine_poll(&r->e, NULL) >= 0);
    assert_int_equal(tl_engine_flush(&r->e, true, NULL), 0);
}

#endif /* TL_TEST_ENGINE_RIG_H */
