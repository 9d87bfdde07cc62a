/* test_loop_view.c -- the dashboard's view of a governed loop (tl_loop_view): accounts marked at
 * the exit side of the latest quote, realized P&L after fees, cooldown left in engine time,
 * positions with their stops, refusals newest first with names and text made safe, the footer
 * (kill switch, reconciliation, thresholds of the first account, open positions), and the view
 * through its JSON document and back unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash/view_json.h"
#include "loop/loop.h"

#define FX(s) fx(s)
#define SEC   TL_NS_PER_SEC

static tl_fixed fx(const char *s)
{
    tl_fixed v;
    assert_int_equal(tl_fixed_parse(s, strlen(s), &v, NULL), 0);
    return v;
}

typedef struct fixture {
    tl_clock clock;
    tl_tz utc; /* the window's zone (the run always loads one) */
    tl_venue venue;
    tl_loop loop;
    int64_t t0;
} fixture;

static void at(fixture *f, int64_t secs)
{
    assert_int_equal(tl_clock_set(&f->clock, f->t0 + secs * SEC), 0);
}

static void quote(fixture *f, int64_t secs, const char *bid, const char *ask)
{
    tl_quote q = {.ts_ns = f->t0 + secs * SEC, .symbol = "AAA", .bid = FX(bid), .ask = FX(ask)};
    tl_err err = {0};
    at(f, secs);
    if (tl_loop_on_quote(&f->loop, &q, &err) != 0)
        fail_msg("quote: %s", err.msg);
}

static void signal_(fixture *f, int64_t secs, const char *id, const char *account,
                    const char *symbol, tl_signal_action action, const char *qty)
{
    tl_signal s = {.ts_ns = f->t0 + secs * SEC, .action = action, .qty = FX(qty)};
    snprintf(s.id, sizeof s.id, "%s", id);
    snprintf(s.account, sizeof s.account, "%s", account);
    snprintf(s.symbol, sizeof s.symbol, "%s", symbol);
    tl_err err = {0};
    at(f, secs);
    if (tl_loop_on_signal(&f->loop, &s, &err) != 0)
        fail_msg("signal %s: %s", id, err.msg);
}

/* va1 (10000, a trading window, the first account) and va2 (5000, no window); one losing round
 * trip starts a 5-minute cooldown; a sim venue filling at once with a 10 bps fee. */
static fixture *setup(void)
{
    fixture *f = calloc(1, sizeof *f);
    tl_err err = {0};
    assert_int_equal(tl_time_parse_iso("2025-01-02T10:00:00Z", &f->t0, NULL), 0);
    tl_clock_init_sim(&f->clock, 0);
    assert_int_equal(tl_venue_open(&f->venue,
                                   "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0"
                                   "&fee_bps=10",
                                   &f->clock, NULL, &err),
                     0);
    tl_loop_va vas[2] = {{.name = "va1"}, {.name = "va2"}};
    for (int i = 0; i < 2; i++) {
        vas[i].starting_balance = i == 0 ? FX("10000") : FX("5000");
        vas[i].stop_loss_pct = FX("2");
        vas[i].risk.one_symbol = true;
        vas[i].risk.cooldown_losses = 1;
        vas[i].risk.cooldown_ns = 300 * SEC;
        vas[i].risk.max_spread_bps = FX("75");
        vas[i].risk.max_slippage_bps = FX("2.5");
    }
    /* The footer shows the first account's quote age; va2's entries come long after a quote. */
    vas[0].risk.max_quote_age_ns = 60 * SEC;
    tl_tz_init_utc(&f->utc);
    vas[0].risk.tz = &f->utc;
    vas[0].risk.window_on = true;
    assert_int_equal(tl_window_parse("09:30-16:00", (size_t)-1, &vas[0].risk.window, NULL), 0);
    tl_loop_config cfg = {vas, 2, {.max_open_positions = 3}, 0};
    if (tl_loop_init(&f->loop, &cfg, &f->venue, &f->clock, NULL, NULL, &err) != 0)
        fail_msg("init: %s", err.msg);
    return f;
}

static void teardown(fixture *f)
{
    tl_loop_close(&f->loop);
    tl_venue_close(&f->venue);
    tl_tz_close(&f->utc);
    free(f);
}

static tl_dash_view *view(fixture *f)
{
    tl_dash_view *v = calloc(1, sizeof *v);
    tl_err err = {0};
    if (tl_loop_view(&f->loop, TL_DASH_REPLAY, "sqlite:desk.db", v, &err) != 0)
        fail_msg("view: %s", err.msg);
    return v;
}

static void test_accounts_and_positions(void **state)
{
    (void)state;
    fixture *f = setup();
    quote(f, 0, "99.9", "100");
    signal_(f, 10, "e1", "va1", "AAA", TL_SIGNAL_ENTER_LONG, "10"); /* 10 @ 100, fee 1 */
    signal_(f, 20, "e2", "va2", "AAA", TL_SIGNAL_ENTER_SHORT, "5"); /* 5 @ 99.9, fee 0.4995 */
    quote(f, 60, "101", "101.5");
    tl_dash_view *v = view(f);

    assert_int_equal(v->now_ns, f->t0 + 60 * SEC);
    assert_int_equal(v->mode, TL_DASH_REPLAY);
    assert_string_equal(v->db, "sqlite:desk.db");
    assert_int_equal(v->signals.received, 2);
    assert_int_equal(v->signals.accepted, 2);
    assert_int_equal(v->n_accounts, 2);
    assert_int_equal(v->accounts_total, 2);
    const tl_dash_account *a = &v->accounts[0], *b = &v->accounts[1];
    assert_string_equal(a->name, "va1");
    assert_int_equal(a->balance, FX("8999"));
    /* The long at the bid (101): 10 * 101 - 1000. */
    assert_int_equal(a->unrealized_pnl, FX("10"));
    assert_int_equal(a->equity, FX("10009"));
    assert_int_equal(a->realized_pnl, FX("-1")); /* the entry's fee */
    assert_string_equal(b->name, "va2");
    assert_int_equal(b->balance, FX("5499.0005"));
    /* The short at the ask (101.5): 499.5 - 5 * 101.5. */
    assert_int_equal(b->unrealized_pnl, FX("-8"));
    assert_int_equal(b->equity, FX("4991.5005"));
    assert_false(b->in_cooldown);

    assert_int_equal(v->n_positions, 2);
    assert_int_equal(v->positions_total, 2);
    const tl_dash_position *p = &v->positions[0], *q = &v->positions[1];
    assert_string_equal(p->account, "va1");
    assert_string_equal(p->symbol, "AAA");
    assert_int_equal(p->qty, FX("10"));
    assert_int_equal(p->entry, FX("100"));
    assert_int_equal(p->last, FX("101"));
    assert_int_equal(p->stop, FX("98"));
    assert_string_equal(q->account, "va2");
    assert_int_equal(q->qty, FX("-5"));
    assert_int_equal(q->entry, FX("99.9"));
    assert_int_equal(q->last, FX("101.5"));
    assert_int_equal(q->unrealized_pnl, FX("-8"));
    assert_int_equal(q->stop, FX("101.898"));

    assert_int_equal(v->open_positions, 2);
    assert_int_equal(v->max_open_positions, 3);
    assert_false(v->kill.engaged);
    assert_int_equal(v->recon.runs, 0);
    assert_string_equal(v->recon.result, "");
    /* The first account's thresholds. */
    assert_int_equal(v->filters.max_spread_bps, FX("75"));
    assert_int_equal(v->filters.max_slippage_bps, FX("2.5"));
    assert_int_equal(v->filters.max_quote_age_ms, 60000);
    assert_string_equal(v->filters.trading_window, "09:30-16:00");
    assert_string_equal(v->filters.timezone, "UTC");
    free(v);
    teardown(f);
}

static void test_cooldown_refusals_footer(void **state)
{
    (void)state;
    fixture *f = setup();
    quote(f, 0, "99.9", "100");
    signal_(f, 10, "e1", "va1", "AAA", TL_SIGNAL_ENTER_LONG, "10");
    signal_(f, 20, "e2", "va2", "AAA", TL_SIGNAL_ENTER_SHORT, "5");
    quote(f, 60, "101", "101.5");
    signal_(f, 120, "x2", "va2", "AAA", TL_SIGNAL_EXIT, "0");       /* closes at 101.5: a loss */
    signal_(f, 130, "e3", "va2", "AAA", TL_SIGNAL_ENTER_LONG, "1"); /* COOLDOWN */
    signal_(f, 140, "u1", "bad name!", "AAA", TL_SIGNAL_ENTER_LONG, "1");
    at(f, 150);
    char why[200];
    memset(why, 'a', 126);
    snprintf(why + 126, sizeof why - 126, "\xe2\x82\xac"); /* cut inside the euro sign */
    tl_loop_on_malformed(&f->loop, why);
    tl_loop_on_malformed(&f->loop, "bad \x1b[2J line \xff!");
    tl_err err = {0};
    at(f, 170);
    assert_int_equal(tl_loop_reconcile(&f->loop, &err), 0);
    assert_int_equal(tl_loop_kill(&f->loop, "desk halt", &err), 1);
    at(f, 180);
    tl_dash_view *v = view(f);

    const tl_dash_account *b = &v->accounts[1];
    /* -8 realized, fees 0.4995 + 0.50750 */
    assert_int_equal(b->realized_pnl, FX("-9.007"));
    assert_int_equal(b->balance, FX("4990.993"));
    assert_int_equal(b->equity, b->balance);
    assert_int_equal(b->unrealized_pnl, 0);
    assert_int_equal(b->wins, 0);
    assert_int_equal(b->losses, 1);
    assert_int_equal(b->trades, 1);
    assert_true(b->in_cooldown);
    assert_int_equal(b->cooldown_left_ns, 240 * SEC); /* 5 minutes from 10:02:00, at 10:03:00 */
    assert_int_equal(b->drawdown_pct, FX("0.18014"));
    assert_int_equal(b->max_drawdown_pct, FX("0.18014"));
    assert_false(v->accounts[0].in_cooldown);
    assert_int_equal(v->accounts[0].cooldown_left_ns, 0);

    assert_int_equal(v->n_positions, 1);
    assert_string_equal(v->positions[0].account, "va1");
    assert_int_equal(v->open_positions, 1);

    /* Newest first: two malformed lines, the unknown account, the cooldown. */
    assert_int_equal(v->n_refusals, 4);
    assert_string_equal(v->refusals[0].reason, "MALFORMED");
    assert_string_equal(v->refusals[0].text, "bad ?[2J line ?!");
    assert_string_equal(v->refusals[0].account, "");
    assert_int_equal(v->refusals[0].ts_ns, f->t0 + 150 * SEC);
    char want[200];
    memset(want, 'a', 126);
    snprintf(want + 126, sizeof want - 126, "?");
    assert_string_equal(v->refusals[1].text, want);
    assert_string_equal(v->refusals[2].reason, "UNKNOWN_ACCOUNT");
    assert_string_equal(v->refusals[2].account, ""); /* not a name; the text says it */
    assert_string_equal(v->refusals[2].symbol, "AAA");
    assert_non_null(strstr(v->refusals[2].text, "bad name!"));
    assert_string_equal(v->refusals[3].reason, "COOLDOWN");
    assert_string_equal(v->refusals[3].account, "va2");
    assert_int_equal(v->refusals[3].ts_ns, f->t0 + 130 * SEC);
    assert_int_equal(v->signals.received, 7);
    assert_int_equal(v->signals.refused, 4);

    assert_true(v->kill.engaged);
    assert_string_equal(v->kill.reason, "desk halt");
    assert_int_equal(v->recon.runs, 1);
    assert_int_equal(v->recon.ts_ns, f->t0 + 170 * SEC);
    assert_string_equal(v->recon.result, "ok");

    /* Through the status document and back: the same view. */
    tl_jw w;
    tl_jw_init(&w);
    assert_int_equal(tl_dash_view_encode(v, &w, &err), 0);
    assert_int_equal(tl_jw_finish(&w), 0);
    tl_dash_view *back = calloc(1, sizeof *back);
    if (tl_dash_view_decode(w.buf, w.len, back, &err) != 0)
        fail_msg("decode: %s", err.msg);
    assert_memory_equal(v, back, sizeof *v);
    tl_jw_free(&w);
    free(back);
    free(v);
    teardown(f);
}

/* The first account without a trading window: the footer says the window is the whole day. */
static void test_window_off(void **state)
{
    (void)state;
    fixture *f = setup();
    f->loop.engine.accts[0].risk.window_on = false;
    tl_dash_view *v = view(f);
    assert_string_equal(v->filters.trading_window, "00:00-24:00");
    assert_int_equal(v->n_positions, 0);
    assert_int_equal(v->n_refusals, 0);
    assert_int_equal(v->now_ns, 0);
    free(v);
    teardown(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accounts_and_positions),
        cmocka_unit_test(test_cooldown_refusals_footer),
        cmocka_unit_test(test_window_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
