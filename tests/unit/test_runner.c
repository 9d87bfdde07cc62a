/* test_runner.c -- the strategy runner through the paper broker, on the memory store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paper/broker.h"
#include "strategy/runner.h"

#define FX(n)   TL_FIXED_INT(n)
#define T0      1700000000000000000LL
#define DAY_NS  86400000000000LL
#define MAXBARS 16

/* Closes 9 9 9 11 20 12 12 12 13, highs = closes. breakout L=3, hold=1:
 *   bar 3: H 9, close 11: buy floor(1000/11) = 90 at 11             (cash 10000 - 990 = 9010)
 *   bar 4: exit 90 at 20 (+1800); then H 11, 20 > 11: buy 50 at 20 (cash 10810 - 1000 = 9810)
 *   bar 5: exit 50 at 12 (+600, cash 10410); H 20: no entry
 *   bar 6, 7: H 20: nothing
 *   bar 8: H max(12,12,12) = 12, 13 > 12: buy 76 at 13 (cash 10410 - 988 = 9422), open at end */
static const int64_t CLOSES[] = {9, 9, 9, 11, 20, 12, 12, 12, 13};
#define NBARS (sizeof(CLOSES) / sizeof(CLOSES[0]))

static tl_bars make_bars(tl_bar *v)
{
    for (size_t i = 0; i < NBARS; i++) {
        memset(&v[i], 0, sizeof(v[i]));
        v[i].ts_ns = T0 + (int64_t)i * DAY_NS;
        v[i].open = v[i].high = v[i].low = v[i].close = FX(CLOSES[i]);
        v[i].volume = FX(1);
    }
    tl_bars b = {v, NBARS, NBARS};
    return b;
}

typedef struct rig {
    tl_store s;
    tl_paper_broker b;
    tl_strategy_spec spec;
    tl_runner r;
} rig;

static void rig_open(rig *g, const char *ws)
{
    tl_err err = {0};
    memset(g, 0, sizeof(*g));
    if (tl_store_open(&g->s, "mem:", NULL, NULL, &err) != 0)
        fail_msg("store: %s", err.msg);
    assert_int_equal(tl_paper_broker_init(&g->b, &g->s, FX(10000)), 0);
    assert_int_equal(tl_strategy_spec_init(&g->spec, "breakout_52w_high", "AAPL", ws, &err), 0);
    assert_int_equal(tl_strategy_spec_set(&g->spec, "entry.lookback_days", "3", &err), 0);
}

static void rig_close(rig *g)
{
    tl_runner_close(&g->r);
    tl_paper_broker_close(&g->b);
    tl_store_close(&g->s);
}

static void run_all(rig *g, const tl_bars *bars)
{
    tl_err err = {0};
    if (tl_runner_init(&g->r, &g->spec, &g->b, &err) != 0)
        fail_msg("runner init: %s", err.msg);
    if (tl_runner_run(&g->r, bars, &err) != 0)
        fail_msg("run: %s", err.msg);
}

/* The journal as text, one line per event, every field. */
typedef struct dump {
    char *buf;
    size_t len, cap;
} dump;

static int dump_event(void *ctx, const tl_event *e)
{
    dump *d = ctx;
    char line[1024];
    int n =
        snprintf(line, sizeof(line),
                 "%llu %lld %s %u %u ws=%s order=%s key=%s sym=%s trade=%s %lld %lld %lld "
                 "[%s]\n",
                 (unsigned long long)e->seq, (long long)e->ts_ns, tl_event_type_name(e->type),
                 e->side, e->status, e->workspace, e->order_id, e->idem_key, e->symbol, e->trade_id,
                 (long long)e->qty, (long long)e->price, (long long)e->fee, e->text);
    if (d->len + (size_t)n + 1 > d->cap) {
        d->cap = (d->cap + (size_t)n + 1) * 2;
        d->buf = realloc(d->buf, d->cap);
        assert_non_null(d->buf);
    }
    memcpy(d->buf + d->len, line, (size_t)n + 1);
    d->len += (size_t)n;
    return 0;
}

static dump journal_of(tl_store *s)
{
    dump d = {NULL, 0, 0};
    tl_scan_filter f = {0, 0, NULL};
    tl_err err = {0};
    if (tl_store_scan(s, &f, dump_event, &d, &err) != 0)
        fail_msg("scan: %s", err.msg);
    return d;
}

/* ---------------------------------------------------------------------------------------- */

static void test_trades_and_open_position(void **state)
{
    (void)state;
    tl_bar v[MAXBARS];
    tl_bars bars = make_bars(v);
    rig g;
    rig_open(&g, "ws1");
    run_all(&g, &bars);
    assert_int_equal(g.r.n_trades, 2);
    assert_int_equal(g.r.trades[0].entry_bar, 3);
    assert_int_equal(g.r.trades[0].entry_price, FX(11));
    assert_int_equal(g.r.trades[0].exit_bar, 4);
    assert_int_equal(g.r.trades[0].exit_price, FX(20));
    assert_int_equal(g.r.trades[0].qty, FX(90));
    assert_int_equal(g.r.trades[0].entry_ts_ns, v[3].ts_ns);
    assert_int_equal(g.r.trades[0].exit_ts_ns, v[4].ts_ns);
    assert_int_equal(g.r.trades[1].entry_bar, 4);
    assert_int_equal(g.r.trades[1].exit_bar, 5);
    assert_int_equal(g.r.trades[1].entry_price, FX(20));
    assert_int_equal(g.r.trades[1].exit_price, FX(12));
    assert_int_equal(g.r.trades[1].qty, FX(50));
    assert_true(g.r.pos.open);
    assert_int_equal(g.r.pos.entry_bar, 8);
    assert_int_equal(g.r.pos.qty, FX(76));
    assert_int_equal(g.r.pos.entry_price, FX(13));
    assert_int_equal(g.r.state.cash, FX(9422));
    assert_int_equal(g.r.starting_cash, FX(10000));
    assert_int_equal(g.r.stats.bars, NBARS);
    assert_int_equal(g.r.stats.evaluations, 4);
    assert_int_equal(g.r.stats.intents, 5);
    assert_int_equal(g.r.stats.filled, 5);

    /* The broker's journal agrees: cash and the open position, rebuilt by replay. */
    tl_paper_state st;
    tl_err err = {0};
    assert_int_equal(tl_paper_state_get(&g.s, "ws1", &st, &err), 0);
    assert_int_equal(st.cash, FX(9422));
    assert_int_equal(st.n_positions, 1);
    assert_int_equal(st.positions[0].qty, FX(76));
    assert_string_equal(st.state_digest, g.r.state_digest);
    assert_int_equal(st.high_water, g.r.high_water);
    tl_paper_state_free(&st);
    rig_close(&g);
}

/* Every event of a filled intent carries its evaluation's id; exits come before entries. */
typedef struct trace {
    char ev4[TL_STRATEGY_EVAL_ID_MAX];
    int fills, fills_of_bar4;
    uint64_t close_seq, open_seq; /* bar 4's ORDER_FILLED events */
} trace;

static int trace_event(void *ctx, const tl_event *e)
{
    trace *tr = ctx;
    if (e->type != TL_EV_ORDER_FILLED)
        return 0;
    tr->fills++;
    /* key = "ws1|<evaluation_id>:<n>|paper" */
    char want_close[64], want_open[64];
    snprintf(want_close, sizeof(want_close), "ws1|%s:0|paper", tr->ev4);
    snprintf(want_open, sizeof(want_open), "ws1|%s:1|paper", tr->ev4);
    if (strcmp(e->idem_key, want_close) == 0) {
        tr->fills_of_bar4++;
        tr->close_seq = e->seq;
        assert_int_equal(e->side, TL_SIDE_SELL);
        assert_int_equal(e->price, FX(20));
    } else if (strcmp(e->idem_key, want_open) == 0) {
        tr->fills_of_bar4++;
        tr->open_seq = e->seq;
        assert_int_equal(e->side, TL_SIDE_BUY);
        assert_int_equal(e->qty, FX(50));
    }
    assert_int_equal(strncmp(e->idem_key, "ws1|ev", 6), 0);
    return 0;
}

static void test_evaluation_ids_in_journal(void **state)
{
    (void)state;
    tl_bar v[MAXBARS];
    tl_bars bars = make_bars(v);
    rig g;
    rig_open(&g, "ws1");
    run_all(&g, &bars);
    trace tr;
    memset(&tr, 0, sizeof(tr));
    tl_err err = {0};
    assert_int_equal(tl_strategy_evaluation_id(&g.spec, v[4].ts_ns, tr.ev4, &err), 0);
    tl_scan_filter f = {0, 0, "ws1"};
    assert_int_equal(tl_store_scan(&g.s, &f, trace_event, &tr, &err), 0);
    assert_int_equal(tr.fills, 5);
    assert_int_equal(tr.fills_of_bar4, 2);
    assert_true(tr.close_seq < tr.open_seq);

    /* The key's first event leads back to the intent (the broker's idempotency index). */
    char key[TL_IDEM_KEY_MAX];
    snprintf(key, sizeof(key), "ws1|%s:1|paper", tr.ev4);
    tl_event first;
    assert_int_equal(tl_store_find_idem(&g.s, key, &first, &err), 0);
    assert_int_equal(first.type, TL_EV_INTENT_EMITTED);
    assert_string_equal(first.text, "OPEN_LONG");
    rig_close(&g);
}

static void test_fill_free_bars_write_nothing(void **state)
{
    (void)state;
    tl_bar v[MAXBARS];
    tl_bars bars = make_bars(v);
    rig g;
    rig_open(&g, "ws1");
    tl_err err = {0};
    assert_int_equal(tl_runner_init(&g.r, &g.spec, &g.b, &err), 0);
    for (size_t t = 0; t < 3; t++) /* no window yet: no intent */
        assert_int_equal(tl_runner_step(&g.r, bars.v, bars.n, t, &err), 0);
    assert_int_equal(g.s.high_water, 0);
    assert_int_equal(g.b.replays, 0); /* the broker was not even asked */
    assert_int_equal(tl_runner_step(&g.r, bars.v, bars.n, 3, &err), 0);
    uint64_t hw = g.s.high_water;
    assert_true(hw > 0);
    /* Bars go in order. */
    assert_int_equal(tl_runner_step(&g.r, bars.v, bars.n, 3, &err), TL_ESTATE);
    assert_int_equal(tl_runner_step(&g.r, bars.v, bars.n, 5, &err), TL_ESTATE);
    rig_close(&g);
}

static void test_same_series_same_journal(void **state)
{
    (void)state;
    tl_bar v[MAXBARS];
    tl_bars bars = make_bars(v);
    rig a, b;
    rig_open(&a, "wsdet");
    rig_open(&b, "wsdet");
    run_all(&a, &bars);
    run_all(&b, &bars);
    dump da = journal_of(&a.s), db = journal_of(&b.s);
    assert_true(da.len > 0);
    assert_int_equal(da.len, db.len);
    assert_memory_equal(da.buf, db.buf, da.len);
    assert_string_equal(a.r.state_digest, b.r.state_digest);
    assert_int_equal(strlen(a.r.state_digest), 64);
    free(da.buf);
    free(db.buf);

    /* The same series again on a's workspace: the journal already has every key, the broker
     * answers duplicates and writes nothing. */
    uint64_t hw = a.s.high_water;
    tl_runner_close(&a.r);
    run_all(&a, &bars);
    assert_int_equal(a.s.high_water, hw);
    rig_close(&a);
    rig_close(&b);
}

/* tl_runner_run commits its intents in groups, tl_runner_step bar by bar: the same journal, byte
 * for byte, in one store batch instead of one per bar with intents. */
static void test_run_commits_in_groups(void **state)
{
    (void)state;
    tl_bar v[MAXBARS];
    tl_bars bars = make_bars(v);
    rig a, b;
    tl_err err = {0};
    rig_open(&a, "wsgrp");
    rig_open(&b, "wsgrp");
    uint64_t a0 = a.s.stats.batches, b0 = b.s.stats.batches;
    run_all(&a, &bars);
    assert_int_equal(tl_runner_init(&b.r, &b.spec, &b.b, &err), 0);
    for (size_t t = 0; t < bars.n; t++)
        assert_int_equal(tl_runner_step(&b.r, bars.v, bars.n, t, &err), 0);
    assert_true(a.r.stats.evaluations >= 2);
    assert_int_equal(a.r.stats.evaluations, b.r.stats.evaluations);
    assert_int_equal(a.s.stats.batches - a0, 1);
    assert_int_equal(b.s.stats.batches - b0, b.r.stats.evaluations);
    dump da = journal_of(&a.s), db = journal_of(&b.s);
    assert_int_equal(da.len, db.len);
    assert_memory_equal(da.buf, db.buf, da.len);
    assert_string_equal(a.r.state_digest, b.r.state_digest);
    free(da.buf);
    free(db.buf);
    rig_close(&a);
    rig_close(&b);
}

static void test_refuses_foreign_trades(void **state)
{
    (void)state;
    rig g;
    rig_open(&g, "ws1");
    tl_paper_intent in = {"ws1", "manual-1", "OPEN_LONG", "AAPL", FX(1), FX(10), "paper", T0};
    tl_paper_result res;
    tl_err err = {0};
    tl_bar v[MAXBARS];
    tl_bars bars = make_bars(v);
    assert_int_equal(tl_paper_broker_execute(&g.b, &in, &res, &err), 0);
    /* Someone else's AAPL trade: the run's first entry finds a position of 91, not 90. */
    assert_int_equal(tl_runner_init(&g.r, &g.spec, &g.b, &err), 0);
    assert_int_equal(tl_runner_run(&g.r, &bars, &err), TL_ESTATE);
    assert_non_null(strstr(err.msg, "holds trades of another run"));
    tl_runner_close(&g.r);
    /* Another symbol's position counts against max_positions (1): no entry. */
    tl_strategy_spec other = g.spec;
    strcpy(other.symbol, "MSFT");
    strcpy(other.workspace, "ws2");
    in.workspace = "ws2";
    assert_int_equal(tl_paper_broker_execute(&g.b, &in, &res, &err), 0);
    assert_int_equal(tl_runner_init(&g.r, &other, &g.b, &err), 0);
    assert_int_equal(g.r.state.open_positions, 1);
    assert_int_equal(tl_runner_run(&g.r, &bars, &err), 0);
    assert_int_equal(g.r.stats.intents, 0);
    rig_close(&g);
}

/* A run interrupted after bar 4 and run again from the start on the same workspace: the first
 * bars meet their intents as duplicates, the rest is written, and the journal is the one of an
 * uninterrupted run. */
static void test_resume(void **state)
{
    (void)state;
    tl_bar v[MAXBARS];
    tl_bars bars = make_bars(v);
    rig a, b;
    rig_open(&a, "wsres");
    rig_open(&b, "wsres");
    run_all(&a, &bars);
    tl_err err = {0};
    tl_bars cut = {v, 5, 5};
    assert_int_equal(tl_runner_init(&b.r, &b.spec, &b.b, &err), 0);
    assert_int_equal(tl_runner_run(&b.r, &cut, &err), 0);
    tl_runner_close(&b.r);
    run_all(&b, &bars);
    assert_int_equal(b.r.stats.duplicates, 3); /* bar 3's entry, bar 4's exit and entry */
    assert_int_equal(b.r.n_trades, 2);
    assert_int_equal(b.r.state.cash, FX(9422));
    dump da = journal_of(&a.s), db = journal_of(&b.s);
    assert_int_equal(da.len, db.len);
    assert_memory_equal(da.buf, db.buf, da.len);
    free(da.buf);
    free(db.buf);
    rig_close(&a);
    rig_close(&b);
}

static void test_starting_equity(void **state)
{
    (void)state;
    tl_bar v[MAXBARS];
    tl_bars bars = make_bars(v);
    rig g;
    rig_open(&g, "ws1");
    tl_paper_broker_close(&g.b);
    /* 500 of equity: bar 3's 90 units at 11 (990) are not affordable, so no intent at all;
     * bar 8's floor(1000/13) = 76 at 13 (988) neither. */
    assert_int_equal(tl_paper_broker_init(&g.b, &g.s, FX(500)), 0);
    run_all(&g, &bars);
    assert_int_equal(g.r.starting_cash, FX(500));
    assert_int_equal(g.r.stats.intents, 0);
    assert_int_equal(g.r.n_trades, 0);
    assert_false(g.r.pos.open);
    rig_close(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trades_and_open_position),
        cmocka_unit_test(test_evaluation_ids_in_journal),
        cmocka_unit_test(test_fill_free_bars_write_nothing),
        cmocka_unit_test(test_same_series_same_journal),
        cmocka_unit_test(test_run_commits_in_groups),
        cmocka_unit_test(test_refuses_foreign_trades),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_starting_equity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
