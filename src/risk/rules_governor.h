/*
 * rules_governor.h -- the rows of the rule table that govern accounts (seed 001): the kill switch,
 * an account frozen by reconciliation, reduce-only exits, one symbol per account, the cap on open
 * positions, the cooldown after losses, the drawdown limit and the trading window.
 *
 * Part of risk_rules.c (included there once, so its rules inline into tl_risk_check). The state
 * they read is the account's tl_governor, which the kernel keeps from its own transitions; the
 * monitor stays pure. Every one but RECONCILE_MISMATCH and REDUCE_ONLY refuses entries only: an
 * exit (an order that only reduces a position) always passes, so a position can always be closed.
 */
#ifndef TL_RISK_RULES_GOVERNOR_H
#define TL_RISK_RULES_GOVERNOR_H

#include <stdio.h>

#include "risk/rule_util.h"
#include "tradeloop/clock.h"

#define SEC_PER_DAY 86400LL

static inline const char *acct_name(const tl_risk_order *o)
{
    return o->exposure->account ? o->exposure->account : "account";
}

/* A position that reconciliation cannot explain: the account trades nothing, in or out, until an
 * operator looked (tradeloop va --unfreeze). */
RULE rule_account_frozen(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    const tl_governor *g = o->exposure->gov;
    if (!g || !g->frozen)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "RECONCILE_MISMATCH: %s frozen: %s", acct_name(o), g->frozen_reason);
    return TL_RR_RECONCILE_MISMATCH;
}

/* A reduce-only order is cut to what the position leaves to reduce; with nothing left it is
 * refused. */
RULE rule_reduce_only(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    if (!o->exposure->reduce_only || o->exposure->is_exit)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "REDUCE_ONLY: %s has no %s position left to reduce in %s",
               acct_name(o), o->side == TL_SIDE_SELL ? "long" : "short",
               o->inst ? o->inst->symbol : "?");
    return TL_RR_REDUCE_ONLY;
}

RULE rule_kill(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    if (!r->killed || o->exposure->is_exit)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "KILL_SWITCH: engaged (%s): entries refused", r->kill_reason);
    return TL_RR_KILL_SWITCH;
}

RULE rule_one_symbol(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    const tl_governor *g = o->exposure->gov;
    if (!o->cfg->one_symbol || !g || o->exposure->is_exit || !tl_governor_busy(g) ||
        g->busy_instrument == o->instrument)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "ONE_SYMBOL_PER_VA: %s holds %s: no entry in %s until it is flat",
               acct_name(o), o->exposure->busy_symbol ? o->exposure->busy_symbol : "?",
               o->inst ? o->inst->symbol : "?");
    return TL_RR_ONE_SYMBOL_PER_VA;
}

/* Engine-wide: an entry that would make one more account busy, when max_open_positions already
 * are. Scaling into the position an account holds does not open another. */
RULE rule_max_open(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    uint32_t lim = r->cfg.max_open_positions;
    const tl_governor *g = o->exposure->gov;
    if (!lim || !g || o->exposure->is_exit || tl_governor_busy(g) ||
        o->exposure->busy_accounts < lim)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "MAX_OPEN_POSITIONS: %u accounts hold positions or orders, limit %u",
               o->exposure->busy_accounts, lim);
    return TL_RR_MAX_OPEN_POSITIONS;
}

RULE rule_cooldown(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    const tl_governor *g = o->exposure->gov;
    if (!g || o->exposure->is_exit || o->now_ns >= g->cooldown_until_ns)
        return TL_RR_OK;
    if (err) {
        char t[40];
        tl_time_format_iso(g->cooldown_until_ns, t, sizeof(t));
        tl_err_set(err, TL_ERISK, "COOLDOWN: %s lost %u round trips in a row: entries resume at %s",
                   acct_name(o), o->cfg->cooldown_losses, t);
    }
    return TL_RR_COOLDOWN;
}

/* (peak - equity) / peak * 100 > limit, multiplied out exactly. */
RULE rule_drawdown(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    const tl_governor *g = o->exposure->gov;
    tl_fixed lim = o->cfg->max_drawdown_pct;
    if (!g || lim <= 0 || o->exposure->is_exit || g->equity_peak <= 0)
        return TL_RR_OK;
    __int128 lhs = ((__int128)g->equity_peak - g->equity) * 100 * TL_FIXED_SCALE;
    if (lhs <= (__int128)lim * g->equity_peak)
        return TL_RR_OK;
    if (err) {
        char a[TL_FIXED_STRLEN], w[WIDE_STRLEN];
        tl_err_set(err, TL_ERISK, "DRAWDOWN: %s is %s%% below its peak > %s%%", acct_name(o),
                   fmt_wide(lhs / g->equity_peak, 8, w), fmt(lim, a));
    }
    return TL_RR_DRAWDOWN;
}

/* UTC as a zone without transitions (what tl_tz_init_utc builds): the zone of a configuration
 * whose tz is NULL, which risk.h documents as UTC. */
static const tl_tz utc_zone = {.name = "UTC", .n_types = 1, .rule = {.valid = true}};

/* The window's own test (core/window.h: ends inclusive to the nanosecond, across midnight, in the
 * zone's local time); the text gives the local time it saw. */
RULE rule_window(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    const tl_risk_config *c = o->cfg;
    const tl_tz *tz = c->tz ? c->tz : &utc_zone;
    if (!c->window_on || o->exposure->is_exit || tl_window_contains(&c->window, tz, o->now_ns))
        return TL_RR_OK;
    if (err) {
        int64_t off = tl_tz_offset(tz, o->now_ns);
        int64_t day = SEC_PER_DAY * NS_PER_SEC;
        int64_t t = (o->now_ns + off * NS_PER_SEC) % day;
        if (t < 0)
            t += day;
        char w[16];
        tl_window_format(&c->window, w, sizeof(w));
        tl_err_set(err, TL_ERISK, "TRADING_WINDOW: %02d:%02d:%02d.%09lld local is outside %s",
                   (int)(t / NS_PER_SEC / 3600), (int)(t / NS_PER_SEC / 60 % 60),
                   (int)(t / NS_PER_SEC % 60), (long long)(t % NS_PER_SEC), w);
    }
    return TL_RR_TRADING_WINDOW;
}

#endif /* TL_RISK_RULES_GOVERNOR_H */
