/*
 * test_loop.c -- the governed loop (src/loop/loop.h) driven directly on a simulated venue with a
 * mem: store and a journal: the stop follows partial fills of the entry, a scale-in and a partial
 * exit; a stop fires at the exact crossing quote and is never sent twice while its exit is in
 * flight; a refused or rejected exit leaves the stop armed again; reconciliation repairs a fill
 * report the venue dropped (exactly once, journaled, with the venue's trade id), freezes an account
 * whose position it cannot explain, and expires an order the venue does not know only at the
 * second look.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "engine/recover.h"
#include "loop/loop.h"
#include "store/store.h"

#define T0   1735812000LL * TL_NS_PER_SEC /* 2025-01-02T10:00:00Z */
#define MS   TL_NS_PER_MS
#define F(x) TL_FIXED_INT(x)
/* Fills in two parts, the first one latency after the order, the second two. */
#define SIM_PARTS "sim://?fill_rate=1&reject_rate=0&partial_rate=1&latency_us=1000&fee_bps=0"
#define SIM_LATE  "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=1000&fee_bps=0"
#define SIM_NOW   "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0&fee_bps=0"

typedef struct rig {
    tl_clock clock;
    tl_venue venue;
    tl_store store;
    tl_journal journal;
    tl_loop l;
    const char *url;
    int n_sig;
} rig;

static void rig_open(rig *r, const char *url)
{
    memset(r, 0, sizeof(*r));
    r->url = url;
    tl_clock_init_sim(&r->clock, T0);
    assert_int_equal(tl_venue_open(&r->venue, url, &r->clock, NULL, NULL), 0);
    assert_int_equal(tl_store_open(&r->store, "mem:", NULL, NULL, NULL), 0);
    assert_int_equal(tl_journal_init(&r->journal, &r->store, 0, NULL), 0);
    tl_loop_va vas[2];
    memset(vas, 0, sizeof(vas));
    for (int i = 0; i < 2; i++) {
        snprintf(vas[i].name, sizeof(vas[i].name), "va%d", i + 1);
        vas[i].starting_balance = F(100000);
        vas[i].risk.one_symbol = true;
        vas[i].stop_loss_pct = F(2);
    }
    tl_loop_config cfg = {vas, 2, {0}, 0};
    tl_err err = {0};
    assert_int_equal(tl_loop_init(&r->l, &cfg, &r->venue, &r->clock, &r->store, &r->journal, &err),
                     0);
}

static void rig_close(rig *r)
{
    tl_loop_close(&r->l);
    tl_journal_close(&r->journal);
    tl_store_close(&r->store);
    tl_venue_close(&r->venue);
}

/* A quote at t (the clock moves there first, as the host does). */
static void quote_at(rig *r, int64_t t, const char *sym, tl_fixed bid, tl_fixed ask)
{
    tl_quote q = {.ts_ns = t, .bid = bid, .ask = ask};
    snprintf(q.symbol, sizeof(q.symbol), "%s", sym);
    tl_clock_set(&r->clock, t);
    tl_err err = {0};
    assert_int_equal(tl_loop_on_quote(&r->l, &q, &err), 0);
    assert_int_equal(tl_loop_flush(&r->l, true, NULL), 0);
}

static void signal(rig *r, const char *va, const char *sym, tl_signal_action act, tl_fixed qty)
{
    tl_signal s = {.ts_ns = tl_clock_now(&r->clock), .action = act, .qty = qty};
    snprintf(s.id, sizeof(s.id), "s%d", ++r->n_sig);
    snprintf(s.account, sizeof(s.account), "%s", va);
    snprintf(s.symbol, sizeof(s.symbol), "%s", sym);
    assert_int_equal(tl_loop_on_signal(&r->l, &s, NULL), 0);
    assert_int_equal(tl_loop_flush(&r->l, true, NULL), 0);
}

static uint32_t inst_of(rig *r, const char *sym)
{
    uint32_t id;
    assert_int_equal(tl_instruments_find(&r->l.engine.instruments, sym, &id), 0);
    return id;
}

static uint32_t acct_of(rig *r, const char *va)
{
    return tl_engine_account_named(&r->l.engine, va)->id;
}

static tl_fixed held(rig *r, const char *va, const char *sym)
{
    const tl_position *p = tl_book_find(&r->l.engine.book, acct_of(r, va), inst_of(r, sym));
    return p ? p->qty : 0;
}

/* The stop of va in sym, which must exist. */
static tl_stop stop_of(rig *r, const char *va, const char *sym)
{
    tl_stop s;
    assert_int_equal(tl_stop_book_get(&r->l.stops, acct_of(r, va), inst_of(r, sym), &s), 0);
    return s;
}

static bool has_stop(rig *r, const char *va, const char *sym)
{
    tl_stop s;
    return tl_stop_book_get(&r->l.stops, acct_of(r, va), inst_of(r, sym), &s) == 0;
}

/* The stop covers the whole position at 2% from its average entry price. */
static void assert_stop_follows(rig *r, const char *va, const char *sym)
{
    const tl_position *p = tl_book_find(&r->l.engine.book, acct_of(r, va), inst_of(r, sym));
    assert_non_null(p);
    tl_stop s = stop_of(r, va, sym);
    tl_fixed px;
    assert_int_equal(tl_stop_price(p->qty > 0, p->avg_price, F(2), &px), 0);
    assert_int_equal(s.qty, tl_fixed_abs(p->qty));
    assert_int_equal(s.price, px);
    assert_int_equal(s.is_long, p->qty > 0);
}

typedef struct counter {
    int type;
    const char *trade_id; /* NULL: any */
    int n;
    char text[TL_EVENT_TEXT_MAX];
} counter;

static int count_event(void *ctx, const tl_event *ev)
{
    counter *c = ctx;
    if (ev->type == c->type && (!c->trade_id || strcmp(ev->trade_id, c->trade_id) == 0)) {
        c->n++;
        snprintf(c->text, sizeof(c->text), "%s", ev->text);
    }
    return 0;
}

static counter journaled(rig *r, int type, const char *trade_id)
{
    counter c = {type, trade_id, 0, ""};
    tl_scan_filter f = {0, 0, ""};
    assert_true(tl_store_scan(&r->store, &f, count_event, &c, NULL) >= 0);
    return c;
}

static void test_stop_follows_partial_fills_scale_in_and_partial_exit(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_PARTS);
    quote_at(&r, T0, "AAA", F(99) + 90000000, F(100));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(10));
    assert_false(has_stop(&r, "va1", "AAA")); /* nothing filled yet */
    quote_at(&r, T0 + 1 * MS, "AAA", F(99) + 90000000, F(100));
    tl_fixed part = held(&r, "va1", "AAA");
    assert_true(part > 0 && part < F(10)); /* the first part only */
    assert_stop_follows(&r, "va1", "AAA");
    assert_int_equal(stop_of(&r, "va1", "AAA").price, F(98));
    quote_at(&r, T0 + 2 * MS, "AAA", F(99) + 90000000, F(100));
    assert_int_equal(held(&r, "va1", "AAA"), F(10));
    assert_stop_follows(&r, "va1", "AAA");

    /* Scaling in at 110: 20 at an average of 105, the stop at 102.9 for all 20. */
    quote_at(&r, T0 + 10 * MS, "AAA", F(109) + 90000000, F(110));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(10));
    quote_at(&r, T0 + 11 * MS, "AAA", F(109) + 90000000, F(110));
    assert_stop_follows(&r, "va1", "AAA");
    quote_at(&r, T0 + 12 * MS, "AAA", F(109) + 90000000, F(110));
    assert_int_equal(held(&r, "va1", "AAA"), F(20));
    assert_stop_follows(&r, "va1", "AAA");
    assert_int_equal(stop_of(&r, "va1", "AAA").price, F(102) + 90000000);

    /* A partial exit: the stop shrinks with each part to what is left, at the same price. */
    signal(&r, "va1", "AAA", TL_SIGNAL_EXIT, F(8));
    quote_at(&r, T0 + 13 * MS, "AAA", F(109) + 90000000, F(110));
    assert_true(held(&r, "va1", "AAA") < F(20) && held(&r, "va1", "AAA") > F(12));
    assert_stop_follows(&r, "va1", "AAA");
    quote_at(&r, T0 + 14 * MS, "AAA", F(109) + 90000000, F(110));
    assert_int_equal(held(&r, "va1", "AAA"), F(12));
    assert_stop_follows(&r, "va1", "AAA");
    assert_int_equal(stop_of(&r, "va1", "AAA").price, F(102) + 90000000);
    assert_true(stop_of(&r, "va1", "AAA").armed);
    assert_int_equal(r.l.stats.exits_signal, 1);

    /* A short's stop is above: 2% over 50 is 51. */
    quote_at(&r, T0 + 20 * MS, "BBB", F(50), F(50) + 10000000);
    signal(&r, "va2", "BBB", TL_SIGNAL_ENTER_SHORT, F(4));
    quote_at(&r, T0 + 22 * MS, "BBB", F(50), F(50) + 10000000);
    assert_int_equal(held(&r, "va2", "BBB"), -F(4));
    assert_stop_follows(&r, "va2", "BBB");
    assert_int_equal(stop_of(&r, "va2", "BBB").price, F(51));
    rig_close(&r);
}

static void test_stop_fires_at_the_exact_quote_once(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_PARTS);
    quote_at(&r, T0, "AAA", F(99) + 90000000, F(100));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(10));
    quote_at(&r, T0 + 2 * MS, "AAA", F(99) + 90000000, F(100));
    assert_int_equal(stop_of(&r, "va1", "AAA").price, F(98));
    uint64_t placed = r.l.engine.counts.placed;
    /* One unit above the stop: nothing. */
    quote_at(&r, T0 + 3 * MS, "AAA", F(98) + 1, F(98) + 10000000);
    assert_int_equal(r.l.engine.counts.placed, placed);
    assert_int_equal(r.l.stats.exits_stop_loss, 0);
    /* At the stop: one reduce-only exit of the whole position. */
    quote_at(&r, T0 + 4 * MS, "AAA", F(98), F(98) + 10000000);
    assert_int_equal(r.l.engine.counts.placed, placed + 1);
    assert_int_equal(r.l.stats.exits_stop_loss, 1);
    assert_false(stop_of(&r, "va1", "AAA").armed);
    /* In flight, partly filled, crossed again and again: never a second exit. */
    quote_at(&r, T0 + 5 * MS, "AAA", F(97), F(97) + 10000000);
    assert_true(held(&r, "va1", "AAA") > 0 && held(&r, "va1", "AAA") < F(10));
    assert_stop_follows(&r, "va1", "AAA");
    assert_false(stop_of(&r, "va1", "AAA").armed);
    quote_at(&r, T0 + 5 * MS + 1, "AAA", F(96), F(96) + 10000000);
    assert_int_equal(r.l.engine.counts.placed, placed + 1);
    quote_at(&r, T0 + 6 * MS, "AAA", F(96), F(96) + 10000000);
    assert_int_equal(held(&r, "va1", "AAA"), 0);
    assert_false(has_stop(&r, "va1", "AAA"));
    assert_int_equal(r.l.engine.counts.placed, placed + 1);
    assert_int_equal(r.l.stats.exits_stop_loss, 1);
    assert_int_equal(tl_stop_book_count(&r.l.stops), 0);
    rig_close(&r);
}

/* A stop exit that the venue rejects, or that a rule refuses, leaves the stop armed: the next
 * crossing quote sends the exit again. */
static void test_refused_or_rejected_exit_rearms_the_stop(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_LATE);
    quote_at(&r, T0, "AAA", F(99) + 90000000, F(100));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(10));
    quote_at(&r, T0 + 1 * MS, "AAA", F(99) + 90000000, F(100));
    assert_int_equal(held(&r, "va1", "AAA"), F(10));

    /* The venue refuses the place: REJECTED at once. */
    r.venue.faults.fail_place_at = r.venue.stats.placed + r.venue.stats.place_errors + 1;
    quote_at(&r, T0 + 2 * MS, "AAA", F(98), F(98) + 10000000);
    assert_int_equal(r.l.engine.counts.rejected, 1);
    assert_true(stop_of(&r, "va1", "AAA").armed);
    assert_int_equal(r.l.stats.exits_stop_loss, 0); /* nothing went out */
    r.venue.faults.fail_place_at = 0;

    /* A rule refuses it (the account is frozen): armed again once it is unfrozen. */
    assert_int_equal(tl_engine_freeze_account(&r.l.engine, acct_of(&r, "va1"), "test", NULL), 1);
    quote_at(&r, T0 + 3 * MS, "AAA", F(98), F(98) + 10000000);
    assert_int_equal(r.l.stats.refusals[TL_RR_RECONCILE_MISMATCH], 1);
    assert_int_equal(tl_engine_unfreeze_account(&r.l.engine, acct_of(&r, "va1")), 1);
    assert_true(stop_of(&r, "va1", "AAA").armed);
    uint64_t placed = r.l.engine.counts.placed;
    quote_at(&r, T0 + 4 * MS, "AAA", F(98), F(98) + 10000000);
    assert_int_equal(r.l.engine.counts.placed, placed + 1);
    assert_int_equal(r.l.stats.exits_stop_loss, 1);
    quote_at(&r, T0 + 5 * MS, "AAA", F(98), F(98) + 10000000);
    assert_int_equal(held(&r, "va1", "AAA"), 0);
    assert_false(has_stop(&r, "va1", "AAA"));

    /* A signal's exit of the whole position in flight when the stop is crossed: the stop's exit
     * has nothing left to reduce (refused once, not on every quote after), and the position
     * closes by the signal's exit. */
    quote_at(&r, T0 + 10 * MS, "AAA", F(99) + 90000000, F(100));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(10));
    quote_at(&r, T0 + 11 * MS, "AAA", F(99) + 90000000, F(100));
    signal(&r, "va1", "AAA", TL_SIGNAL_EXIT, 0);
    quote_at(&r, T0 + 11 * MS, "AAA", F(98), F(98) + 10000000);
    quote_at(&r, T0 + 11 * MS + 1, "AAA", F(97), F(97) + 10000000);
    assert_int_equal(r.l.stats.refusals[TL_RR_REDUCE_ONLY], 1);
    quote_at(&r, T0 + 12 * MS, "AAA", F(97), F(97) + 10000000);
    assert_int_equal(held(&r, "va1", "AAA"), 0);
    assert_int_equal(r.l.stats.refusals[TL_RR_REDUCE_ONLY], 1);
    assert_int_equal(r.l.stats.exits_stop_loss, 1);
    assert_false(r.l.accts[0].stop_held);
    rig_close(&r);
}

static void test_reconcile_repairs_a_dropped_fill_once(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_NOW);
    r.venue.faults.drop_report_at = 1;
    quote_at(&r, T0, "AAA", F(99) + 90000000, F(100));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(10));
    assert_int_equal(r.venue.stats.dropped_reports, 1);
    assert_int_equal(held(&r, "va1", "AAA"), 0);
    assert_int_equal(tl_engine_open_count(&r.l.engine), 1);

    tl_venue_fill vf[2];
    size_t n = 0;
    uint64_t next = 0;
    assert_int_equal(tl_venue_get_fills(&r.venue, 0, vf, 2, &n, &next, NULL), 0);
    assert_int_equal(n, 1);
    tl_clock_advance(&r.clock, TL_NS_PER_SEC);
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(tl_loop_flush(&r.l, true, NULL), 0);
    assert_int_equal(held(&r, "va1", "AAA"), F(10));
    assert_int_equal(tl_engine_open_count(&r.l.engine), 0);
    assert_true(tl_order_store_has_trade(&r.l.engine.orders, vf[0].trade_id));
    assert_stop_follows(&r, "va1", "AAA");
    assert_int_equal(r.l.stats.reconcile_repaired, 1);
    assert_int_equal(r.l.stats.reconcile_mismatches, 0);
    assert_false(r.l.engine.accts[0].gov.frozen);
    /* Again, and again with the venue's whole history: nothing applied twice. */
    tl_clock_advance(&r.clock, TL_NS_PER_SEC);
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    r.l.fill_cursor = 0;
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(tl_loop_flush(&r.l, true, NULL), 0);
    assert_int_equal(held(&r, "va1", "AAA"), F(10));
    assert_int_equal(r.l.stats.reconcile_repaired, 1);
    assert_int_equal(journaled(&r, TL_EV_ORDER_FILLED, vf[0].trade_id).n, 1);
    assert_int_equal(journaled(&r, TL_EV_FILL_REFUSED, NULL).n, 0);
    assert_true(journaled(&r, TL_EV_RECONCILED, NULL).n >= 1);
    /* The journal holds it: a restart on the same database has the position and its stop. */
    tl_loop l2;
    tl_loop_va vas[2];
    memset(vas, 0, sizeof(vas));
    for (int i = 0; i < 2; i++) {
        snprintf(vas[i].name, sizeof(vas[i].name), "va%d", i + 1);
        vas[i].starting_balance = F(100000);
        vas[i].stop_loss_pct = F(2);
    }
    tl_loop_config cfg = {vas, 2, {0}, 0};
    assert_int_equal(tl_loop_init(&l2, &cfg, &r.venue, &r.clock, &r.store, NULL, NULL), 0);
    const tl_position *p = tl_book_find(&l2.engine.book, acct_of(&r, "va1"), inst_of(&r, "AAA"));
    assert_non_null(p);
    assert_int_equal(p->qty, F(10));
    assert_int_equal(tl_stop_book_count(&l2.stops), 1);
    tl_loop_close(&l2);
    rig_close(&r);
}

/* A position the venue does not hold (an account's position edited behind the loop's back):
 * frozen, and every order of that account refused after; the other account trades on. */
static void test_reconcile_freezes_what_it_cannot_explain(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_NOW);
    quote_at(&r, T0, "AAA", F(99) + 90000000, F(100));
    quote_at(&r, T0, "BBB", F(49) + 90000000, F(50));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(10));
    signal(&r, "va2", "BBB", TL_SIGNAL_ENTER_LONG, F(10));
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(r.l.stats.reconcile_mismatches, 0);

    tl_fill_effect eff;
    assert_int_equal(tl_book_apply_fill(&r.l.engine.book, acct_of(&r, "va1"), inst_of(&r, "AAA"),
                                        TL_SIDE_BUY, F(1), F(100), 0, &eff),
                     0);
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(tl_loop_flush(&r.l, true, NULL), 0);
    assert_int_equal(r.l.stats.reconcile_mismatches, 1);
    assert_true(tl_engine_account_named(&r.l.engine, "va1")->gov.frozen);
    assert_false(tl_engine_account_named(&r.l.engine, "va2")->gov.frozen);
    assert_int_equal(journaled(&r, TL_EV_ACCOUNT_FROZEN, NULL).n, 1);
    assert_non_null(strstr(journaled(&r, TL_EV_ACCOUNT_FROZEN, NULL).text, "AAA"));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(1));
    signal(&r, "va1", "AAA", TL_SIGNAL_EXIT, 0);
    assert_int_equal(r.l.stats.refusals[TL_RR_RECONCILE_MISMATCH], 2);
    assert_int_equal(held(&r, "va1", "AAA"), F(11));
    signal(&r, "va2", "BBB", TL_SIGNAL_EXIT, 0);
    assert_int_equal(held(&r, "va2", "BBB"), 0);
    /* Still frozen at the next look, and not frozen twice. */
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(tl_loop_flush(&r.l, true, NULL), 0);
    assert_int_equal(journaled(&r, TL_EV_ACCOUNT_FROZEN, NULL).n, 1);
    rig_close(&r);
}

typedef struct texts {
    char all[2048];
} texts;

static int collect_reconciled(void *ctx, const tl_event *ev)
{
    texts *t = ctx;
    if (ev->type == TL_EV_RECONCILED) {
        size_t n = strlen(t->all);
        snprintf(t->all + n, sizeof(t->all) - n, "%s|%s\n", ev->workspace, ev->text);
    }
    return 0;
}

/* A position at the venue that no account holds (someone else traded there): nobody to freeze,
 * but both the foreign fill and the position are journaled findings. */
static void test_reconcile_notes_a_position_nobody_holds(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_NOW);
    quote_at(&r, T0, "CCC", F(9) + 90000000, F(10));
    tl_venue_order vo = {.client_seq = 999999, .side = TL_SIDE_BUY, .type = TL_ORDER_MARKET};
    strcpy(vo.symbol, "CCC");
    vo.qty = F(3);
    vo.lot_size = 1;
    assert_int_equal(tl_venue_place(&r.venue, &vo, NULL), 0);
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(tl_loop_flush(&r.l, true, NULL), 0);
    assert_int_equal(r.l.stats.reconcile_mismatches, 1);
    texts t = {""};
    tl_scan_filter f = {0, 0, ""};
    assert_true(tl_store_scan(&r.store, &f, collect_reconciled, &t, NULL) >= 0);
    assert_non_null(strstr(t.all, "va1|venue fill T"));
    assert_non_null(strstr(t.all, "not an order of this engine"));
    assert_non_null(strstr(t.all, "va1|CCC: the venue holds 3"));
    assert_false(r.l.engine.accts[0].gov.frozen);
    rig_close(&r);
}

/* A fill the engine applied that the venue never had: the venue's own fill of that order no
 * longer fits (overfill), so the positions differ and the account is frozen. */
static void test_reconcile_freezes_on_a_fill_the_venue_never_had(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_PARTS);
    quote_at(&r, T0, "AAA", F(99) + 90000000, F(100));
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(10));
    quote_at(&r, T0 + 1 * MS, "AAA", F(99) + 90000000, F(100));
    tl_fixed part = held(&r, "va1", "AAA");
    assert_true(part > 0 && part < F(10));
    tl_venue_fill fake = {.client_seq = r.l.engine.orders.next_client_seq - 1, .qty = F(1)};
    fake.price = F(100);
    fake.ts_ns = tl_clock_now(&r.clock);
    strcpy(fake.trade_id, "FAKE1");
    assert_int_equal(tl_engine_apply_missed_fill(&r.l.engine, &fake), 1);
    quote_at(&r, T0 + 2 * MS, "AAA", F(99) + 90000000, F(100));
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(tl_loop_flush(&r.l, true, NULL), 0);
    assert_int_equal(held(&r, "va1", "AAA"), part + F(1));
    assert_true(r.l.stats.reconcile_mismatches >= 1);
    assert_true(tl_engine_account_named(&r.l.engine, "va1")->gov.frozen);
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(1));
    assert_int_equal(r.l.stats.refusals[TL_RR_RECONCILE_MISMATCH], 1);
    rig_close(&r);
}

static void test_unknown_order_expires_at_the_second_look(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_LATE);
    quote_at(&r, T0, "AAA", F(99) + 90000000, F(100));
    /* Sent just before the look: not listed yet, suspect, and then it fills: never expired. */
    signal(&r, "va1", "AAA", TL_SIGNAL_ENTER_LONG, F(1));
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(r.l.n_suspects, 1);
    quote_at(&r, T0 + 1 * MS, "AAA", F(99) + 90000000, F(100));
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(r.l.stats.reconcile_expired, 0);
    assert_int_equal(held(&r, "va1", "AAA"), F(1));
    signal(&r, "va1", "AAA", TL_SIGNAL_EXIT, 0);
    quote_at(&r, T0 + 2 * MS, "AAA", F(99) + 90000000, F(100));
    assert_int_equal(held(&r, "va1", "AAA"), 0);

    /* The venue loses an order in flight (it is replaced by one that starts empty, as flat as
     * the engine): suspect at one look, expired at the next. */
    signal(&r, "va2", "AAA", TL_SIGNAL_ENTER_LONG, F(1));
    uint64_t seq = r.l.engine.orders.next_client_seq - 1;
    tl_venue lost = r.venue;
    assert_int_equal(tl_venue_open(&r.venue, SIM_LATE, &r.clock, NULL, NULL), 0);
    r.l.fill_cursor = 0; /* the new venue numbers its fills from 1 */
    tl_clock_advance(&r.clock, 10 * MS);
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(r.l.stats.reconcile_expired, 0);
    assert_true(tl_order_status_is_live(tl_order_store_by_client(&r.l.engine.orders, seq)->status));
    tl_clock_advance(&r.clock, 10 * MS);
    assert_int_equal(tl_loop_reconcile(&r.l, NULL), 0);
    assert_int_equal(tl_loop_flush(&r.l, true, NULL), 0);
    assert_int_equal(r.l.stats.reconcile_expired, 1);
    assert_int_equal(tl_order_store_by_client(&r.l.engine.orders, seq)->status, TL_OS_EXPIRED);
    counter c = journaled(&r, TL_EV_ORDER_EXPIRED, NULL);
    assert_int_equal(c.n, 1);
    assert_non_null(strstr(c.text, "two reconciliations"));
    tl_venue_close(&lost);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_follows_partial_fills_scale_in_and_partial_exit),
        cmocka_unit_test(test_stop_fires_at_the_exact_quote_once),
        cmocka_unit_test(test_refused_or_rejected_exit_rearms_the_stop),
        cmocka_unit_test(test_reconcile_repairs_a_dropped_fill_once),
        cmocka_unit_test(test_reconcile_freezes_what_it_cannot_explain),
        cmocka_unit_test(test_reconcile_freezes_on_a_fill_the_venue_never_had),
        cmocka_unit_test(test_reconcile_notes_a_position_nobody_holds),
        cmocka_unit_test(test_unknown_order_expires_at_the_second_look),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
