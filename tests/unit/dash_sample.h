/* dash_sample.h -- a dashboard view with known numbers in every panel, for the unit tests of the
 * view's JSON and of the renderer (the e2e test of `top` writes the same figures as JSON). */
#ifndef TL_TEST_DASH_SAMPLE_H
#define TL_TEST_DASH_SAMPLE_H

#include <stdlib.h>
#include <string.h>

#include "dash/view.h"

#define SEC 1000000000LL

static inline tl_dash_view *dash_sample(void)
{
    tl_dash_view *v = calloc(1, sizeof *v);
    if (!v)
        abort();
    v->now_ns = 1704189605 * SEC; /* 2024-01-02 10:00:05 UTC */
    v->mode = TL_DASH_LIVE;
    strcpy(v->db, "sqlite:desk.db");
    v->signals.received = 12;
    v->signals.accepted = 9;
    v->signals.refused = 3;
    tl_dash_account *a = &v->accounts[0];
    strcpy(a->name, "va1");
    a->balance = TL_FIXED_INT(100012) + 50000000;  /* 100012.5 */
    a->equity = TL_FIXED_INT(100030) + 25000000;   /* 100030.25 */
    a->realized_pnl = TL_FIXED_INT(12) + 50000000; /* 12.5 */
    a->unrealized_pnl = TL_FIXED_INT(17) + 75000000;
    a->wins = 4;
    a->losses = 3;
    a->trades = 7;
    a->drawdown_pct = 125000000;     /* 1.25 */
    a->max_drawdown_pct = 340000000; /* 3.4 */
    a->in_cooldown = true;
    a->cooldown_left_ns = 130 * SEC;
    a = &v->accounts[1];
    strcpy(a->name, "va2");
    a->balance = a->equity = TL_FIXED_INT(50000);
    a->realized_pnl = -TL_FIXED_INT(8) - 25000000; /* -8.25 */
    a->frozen = true;
    v->n_accounts = 2;
    v->accounts_total = 2;
    tl_dash_position *p = &v->positions[0];
    strcpy(p->account, "va1");
    strcpy(p->symbol, "USDCHF");
    p->qty = -TL_FIXED_INT(1000);
    p->entry = 91234000;           /* 0.91234 */
    p->last = 91100000;            /* 0.911 */
    p->unrealized_pnl = 134000000; /* 1.34 */
    p->stop = 93058680;
    v->n_positions = 1;
    v->positions_total = 1;
    v->open_positions = 1;
    v->max_open_positions = 3;
    tl_dash_refusal *r = &v->refusals[0];
    r->ts_ns = v->now_ns - SEC;
    strcpy(r->account, "va1");
    strcpy(r->symbol, "EURUSD");
    strcpy(r->reason, "COOLDOWN");
    strcpy(r->text, "3 losses in a row; entries refused for 2m10s");
    r = &v->refusals[1];
    strcpy(r->reason, "MALFORMED"); /* a line with no account or symbol */
    strcpy(r->text, "line 7: \xc3\xa9 is not JSON");
    v->n_refusals = 2;
    v->kill.engaged = true;
    strcpy(v->kill.reason, "desk closed");
    v->recon.ts_ns = v->now_ns - 2 * SEC;
    v->recon.runs = 42;
    strcpy(v->recon.result, "1 finding: order o-7 unknown to the venue");
    v->filters.max_spread_bps = TL_FIXED_INT(50);
    v->filters.max_quote_age_ms = 500;
    v->filters.max_slippage_bps = 250000000; /* 2.5 */
    strcpy(v->filters.trading_window, "09:30-16:00");
    strcpy(v->filters.timezone, "America/New_York");
    return v;
}

#endif /* TL_TEST_DASH_SAMPLE_H */
