/* account.c -- the kernel's accounts (see engine.h): adding them, finding them by id and name, and
 * the governor's bookkeeping kept from the kernel's own transitions (live orders, positions, round
 * trips, equity at fills), plus the switches that act on accounts: the kill switch and an
 * account's freeze. Recovery replays the same transitions, so all of it comes back after a
 * restart. */
#include <stdio.h>
#include <string.h>

#include "core/vec.h"
#include "engine/engine.h"

/* FNV-1a of a name: the key of the name index (the name itself is compared on lookup). */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

tl_engine_account *tl_engine_account_of(tl_engine *e, uint32_t id)
{
    if (id == 0)
        return &e->accts[0];
    uint32_t i = id - e->cfg.account;
    return i < e->n_accts ? &e->accts[i] : NULL;
}

tl_engine_account *tl_engine_account_named(tl_engine *e, const char *name)
{
    uint32_t i;
    if (!tl_hashmap_get(&e->acct_by_name, name_hash(name), &i))
        return NULL;
    return strcmp(e->accts[i].name, name) == 0 ? &e->accts[i] : NULL;
}

/* Used by init for the home account and by tl_engine_add_account. */
int tl__engine_account_push(tl_engine *e, const char *name, tl_fixed starting_cash,
                            const tl_risk_config *risk, uint32_t *id, tl_err *err)
{
    int rc;
    if ((rc = tl_workspace_validate(name, err)) != 0)
        return rc;
    if (starting_cash < 0)
        return tl_err_set(err, TL_EINVAL, "account %s: starting cash must not be negative", name);
    uint64_t h = name_hash(name);
    uint32_t other;
    if (tl_hashmap_get(&e->acct_by_name, h, &other))
        return tl_err_set(err, TL_EDUPLICATE,
                          strcmp(e->accts[other].name, name) == 0
                              ? "account %s: name already used"
                              : "account %s: name collides with another in the index",
                          name);
    if ((rc = tl_risk_config_validate(risk, err)) != 0)
        return rc;
    uint32_t new_id = e->cfg.account + e->n_accts;
    if (new_id < e->cfg.account)
        return tl_err_set(err, TL_ERANGE, "account %s: no account id left", name);
    if (TL_VEC_RESERVE32(&e->accts, &e->cap_accts, (size_t)e->n_accts + 1) != 0 ||
        tl_hashmap_put(&e->acct_by_name, h, e->n_accts) != 0)
        return tl_err_set(err, TL_ENOMEM, "account %s: out of memory", name);
    if ((rc = tl_book_open_account(&e->book, new_id, starting_cash)) != 0) {
        tl_hashmap_del(&e->acct_by_name, h);
        return tl_err_set(err, rc, "account %s: %s", name, tl_strerror(rc));
    }
    tl_engine_account *a = &e->accts[e->n_accts++];
    memset(a, 0, sizeof(*a));
    a->id = new_id;
    memcpy(a->name, name, strlen(name) + 1);
    a->risk = *risk;
    a->gov.equity = a->gov.equity_peak = starting_cash;
    if (id)
        *id = new_id;
    return 0;
}

int tl_engine_add_account(tl_engine *e, const char *name, tl_fixed starting_cash,
                          const tl_risk_config *risk, uint32_t *id, tl_err *err)
{
    return tl__engine_account_push(e, name, starting_cash, risk ? risk : &e->cfg.risk, id, err);
}

int tl_engine_reset_account(tl_engine *e, uint32_t id, tl_fixed starting_cash, tl_err *err)
{
    tl_engine_account *a = tl_engine_account_of(e, id);
    char text[TL_EVENT_TEXT_MAX];
    if (!a)
        return tl_err_set(err, TL_ENOTFOUND, "no account %u", id);
    if (starting_cash <= 0)
        return tl_err_set(err, TL_EINVAL, "starting cash must be > 0");
    int rc = tl_book_reset_account(&e->book, a->id, starting_cash);
    if (rc != 0)
        return tl_err_set(err, rc, "engine: %s", tl_strerror(rc));
    /* Notionals are the home account's (the portfolio limits are its). */
    if (a == &e->accts[0]) {
        for (uint32_t i = 0; i < e->instruments.count; i++)
            e->expo[i].notional = 0;
        e->total_notional = 0;
    }
    /* A reset flattens every position: the governor starts over with it, live orders stay. */
    tl_governor g = a->gov;
    bool was_busy = tl_governor_busy(&g);
    memset(&a->gov, 0, sizeof(a->gov));
    a->gov.live_orders = g.live_orders;
    a->gov.busy_instrument = g.busy_instrument;
    a->gov.frozen = g.frozen;
    memcpy(a->gov.frozen_reason, g.frozen_reason, sizeof(g.frozen_reason));
    a->gov.equity = a->gov.equity_peak = starting_cash;
    if (was_busy && !tl_governor_busy(&a->gov))
        e->busy_accounts--;
    a->has_reset = true;
    if (a == &e->accts[0])
        e->has_reset = true;
    /* The mode leads the text: recovery reads it to refuse a workspace of another mode. */
    tl__engine_reset_text(e->cfg.mode, text);
    tl__engine_emit_for(e, a, TL_EV_WORKSPACE_RESET, 0, starting_cash, text);
    return 0;
}

int tl_engine_reset(tl_engine *e, tl_fixed starting_cash, tl_err *err)
{
    return tl_engine_reset_account(e, e->cfg.account, starting_cash, err);
}

static void set_busy(tl_engine *e, bool was, bool now)
{
    if (was && !now)
        e->busy_accounts--;
    else if (!was && now)
        e->busy_accounts++;
}

void tl__engine_gov_live(tl_engine *e, const tl_order *o, tl_fixed leaves, int delta)
{
    tl_engine_account *a = tl__engine_acct(e, o->account);
    tl_governor *g = &a->gov;
    bool was = tl_governor_busy(g);
    tl_fixed *q = o->side == TL_SIDE_BUY ? &a->live_buy_qty : &a->live_sell_qty;
    if (delta > 0) {
        if (!was)
            g->busy_instrument = o->instrument;
        g->live_orders++;
        *q += leaves;
    } else {
        g->live_orders--;
        *q -= leaves;
    }
    set_busy(e, was, tl_governor_busy(g));
}

/* Equity marked at this fill: cash plus every position at its last fill price, kept as a running
 * sum so a fill costs O(1) whatever the account holds. */
static void mark_equity(tl_engine_account *a, const tl_account *acct, tl_fixed qty_before,
                        const tl_position *pos, tl_fixed last_before, tl_fixed price)
{
    tl_governor *g = &a->gov;
    tl_fixed before, after, mv, eq;
    if (tl_fixed_mul(qty_before, last_before, &before) != 0 ||
        tl_fixed_mul(pos->qty, price, &after) != 0 ||
        tl_fixed_add(g->mark_value - before, after, &mv) != 0 ||
        tl_fixed_add(acct->cash, mv, &eq) != 0)
        return; /* beyond the fixed range: the last representable marks stand */
    g->mark_value = mv;
    g->equity = eq;
    if (eq > g->equity_peak)
        g->equity_peak = eq;
    if (g->equity_peak > 0 && eq < g->equity_peak) {
        /* (peak - equity) / peak * 100, rounded down: the largest seen is a report figure;
         * the DRAWDOWN rule compares exactly without it. */
        __int128 dd = ((__int128)g->equity_peak - eq) * 100 * TL_FIXED_SCALE / g->equity_peak;
        if (dd > g->max_drawdown_pct)
            g->max_drawdown_pct = (tl_fixed)dd;
    }
}

void tl__engine_gov_fill(tl_engine *e, const tl_order *o, tl_fixed qty_before,
                         const tl_position *pos, const tl_fill *f, const tl_fill_effect *eff)
{
    tl_engine_account *a = tl__engine_acct(e, o->account);
    tl_governor *g = &a->gov;
    const tl_account *acct = tl_book_find_account(&e->book, a->id);
    bool was = tl_governor_busy(g);

    /* The last fill price of this position, for the equity mark, is the price of its previous
     * fill: kept per account for the instrument it is busy in (one symbol per account). */
    mark_equity(a, acct, qty_before, pos, g->busy_instrument == o->instrument ? a->last_price : 0,
                f->price);
    a->last_price = f->price;
    if (qty_before == 0 && pos->qty != 0) {
        g->open_positions++;
        if (!was)
            g->busy_instrument = o->instrument;
    } else if (qty_before != 0 && pos->qty == 0) {
        g->open_positions--;
    }
    /* The round trip under way: realized P&L and fees of every fill since the position opened. */
    g->trade_pnl += eff->realized - f->fee;
    if (eff->change == TL_POS_CLOSED || eff->change == TL_POS_FLIPPED) {
        g->trades++;
        if (g->trade_pnl < 0) {
            g->losses++;
            g->consecutive_losses++;
            uint32_t n = a->risk.cooldown_losses;
            if (n && g->consecutive_losses >= n && a->risk.cooldown_ns > 0) {
                g->cooldown_until_ns = f->ts_ns + a->risk.cooldown_ns;
                g->consecutive_losses = 0;
            }
        } else {
            g->wins++;
            g->consecutive_losses = 0;
        }
        g->trade_pnl = 0;
    }
    set_busy(e, was, tl_governor_busy(g));
}

int tl_engine_kill(tl_engine *e, const char *reason, tl_err *err)
{
    if (tl_risk_kill(&e->risk, reason) != 1)
        return 0;
    tl__engine_emit_for(e, &e->accts[0], TL_EV_KILL_SWITCH, 1, 0, e->risk.kill_reason);
    if (e->recovering)
        return 1;
    int rc = tl_engine_cancel_all(e, err);
    return rc < 0 ? rc : 1;
}

int tl_engine_kill_release(tl_engine *e)
{
    if (tl_risk_kill_release(&e->risk) != 1)
        return 0;
    tl__engine_emit_for(e, &e->accts[0], TL_EV_KILL_SWITCH, 0, 0, "released");
    return 1;
}

int tl_engine_freeze_account(tl_engine *e, uint32_t id, const char *reason, tl_err *err)
{
    tl_engine_account *a = tl_engine_account_of(e, id);
    if (!a)
        return tl_err_set(err, TL_ENOTFOUND, "no account %u", id);
    if (a->gov.frozen)
        return 0;
    a->gov.frozen = true;
    snprintf(a->gov.frozen_reason, sizeof(a->gov.frozen_reason), "%s", reason ? reason : "");
    tl__engine_emit_for(e, a, TL_EV_ACCOUNT_FROZEN, 0, 0, a->gov.frozen_reason);
    if (e->recovering)
        return 1;
    int rc = tl_engine_cancel_account(e, a->id, err);
    return rc < 0 ? rc : 1;
}

int tl_engine_unfreeze_account(tl_engine *e, uint32_t id)
{
    tl_engine_account *a = tl_engine_account_of(e, id);
    if (!a || !a->gov.frozen)
        return 0;
    a->gov.frozen = false;
    a->gov.frozen_reason[0] = '\0';
    tl__engine_emit_for(e, a, TL_EV_ACCOUNT_UNFROZEN, 0, 0, "unfrozen");
    return 1;
}
