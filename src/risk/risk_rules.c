/*
 * risk_rules.c -- the rule table of the risk monitor (see risk.h) and tl_risk_check, which runs
 * it.
 *
 * Every limit is compared exactly: products of two fixed values stay in 128 bits (1e-16 units)
 * and are compared against the limit scaled to the same units, so "exactly at the limit" and
 * "1e-8 past it" never round to the same answer. Texts are built only when the caller asked for
 * them (err != NULL), keeping the accepted path free of formatting. Every text starts with the
 * name of the reason, so a refusal names its rule.
 */
#include <stdio.h>
#include <string.h>

#include "risk/risk.h"
#include "risk/rule_util.h"
#include "risk/rules_governor.h"

RULE rule_frozen(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)o;
    if (!r->frozen)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "FROZEN: %s",
               r->freeze_reason[0] ? r->freeze_reason : tl_risk_reason_text(TL_RR_FROZEN));
    return TL_RR_FROZEN;
}

RULE rule_known(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    if (o->inst)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "UNKNOWN_INSTRUMENT: instrument id %u", o->instrument);
    return TL_RR_UNKNOWN_INSTRUMENT;
}

/* The instrument's own rules, through the instrument module so there is one definition of a
 * valid price and quantity; only the classification into reasons is done here. */
RULE rule_instrument(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    const tl_instrument *inst = o->inst;
    tl_err e;
    (void)r;

    if (tl_instrument_check_price(inst, o->price, &e) != 0) {
        tl_err_set(err, TL_ERISK, "BAD_PRICE: %s", e.msg);
        return TL_RR_BAD_PRICE;
    }
    if (tl_instrument_check_qty(inst, o->qty, &e) != 0) {
        tl_risk_reason why = TL_RR_BAD_QTY;
        if (o->qty > 0 && tl_fixed_is_multiple(o->qty, inst->lot_size))
            why = o->qty < inst->min_qty ? TL_RR_QTY_BELOW_MIN : TL_RR_QTY_ABOVE_MAX;
        tl_err_set(err, TL_ERISK, "%s: %s", tl_risk_reason_name(why), e.msg);
        return why;
    }
    return TL_RR_OK;
}

RULE rule_min_notional(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], d[TL_FIXED_STRLEN], w[WIDE_STRLEN];
    __int128 notional = (__int128)o->price * o->qty;
    (void)r;
    if (notional >= (__int128)o->inst->min_notional * TL_FIXED_SCALE)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK, "NOTIONAL_BELOW_MIN: %s x %s = %s < %s", fmt(o->qty, a),
                   fmt(o->price, b), fmt_wide(notional, 16, w), fmt(o->inst->min_notional, d));
    return TL_RR_NOTIONAL_BELOW_MIN;
}

RULE rule_order_notional(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], d[TL_FIXED_STRLEN], w[WIDE_STRLEN];
    tl_fixed lim = o->cfg->max_order_notional;
    __int128 notional = (__int128)o->price * o->qty;
    if (lim <= 0 || notional <= (__int128)lim * TL_FIXED_SCALE)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK, "ORDER_NOTIONAL: %s x %s = %s > %s", fmt(o->qty, a),
                   fmt(o->price, b), fmt_wide(notional, 16, w), fmt(lim, d));
    return TL_RR_ORDER_NOTIONAL;
}

RULE rule_collar(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], d[TL_FIXED_STRLEN], w[WIDE_STRLEN];
    tl_fixed collar = o->cfg->collar_bps;
    if (collar <= 0)
        return TL_RR_OK;
    tl_fixed ref = tl_risk_reference(r, o->instrument);
    if (ref <= 0) {
        if (err)
            tl_err_set(err, TL_ERISK, "NO_REFERENCE: no reference price for %s, collar %s bps",
                       o->inst->symbol, fmt(collar, a));
        return TL_RR_NO_REFERENCE;
    }
    /* |price - ref| / ref * 1e4 > collar, both sides multiplied out: no division. */
    __int128 diff = (__int128)o->price - ref;
    if (diff < 0)
        diff = -diff;
    __int128 lhs = diff * 10000 * TL_FIXED_SCALE;
    if (lhs <= (__int128)collar * ref)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK, "PRICE_COLLAR: %s is %s bps from reference %s > %s bps",
                   fmt(o->price, a), fmt_wide(lhs / ref, 8, w), fmt(ref, b), fmt(collar, d));
    return TL_RR_PRICE_COLLAR;
}

/* The position after the order fills whole, and what it is worth at the reference price (the
 * order's own price when there is none). A fill that shrinks the position is never refused by
 * the portfolio limits: risk must not block reducing risk. */
typedef struct after_fill {
    __int128 pos_after;
    unsigned __int128 inv; /* |pos_after| * mark, 1e-16 units */
    tl_fixed mark;
    bool reducing;
} after_fill;

static inline __attribute__((always_inline)) after_fill position_after(const tl_risk *r,
                                                                       const tl_risk_order *o)
{
    after_fill f;
    __int128 now = o->exposure->position_qty;
    f.pos_after = now + (o->side == TL_SIDE_BUY ? o->qty : -o->qty);
    __int128 abs_after = f.pos_after < 0 ? -f.pos_after : f.pos_after;
    __int128 abs_now = now < 0 ? -now : now;
    tl_fixed ref = tl_risk_reference(r, o->instrument);
    f.mark = ref > 0 ? ref : o->price;
    /* |pos_after| < 2^64 and mark < 2^63: the product stays below 2^127. */
    f.inv = (unsigned __int128)abs_after * (unsigned __int128)f.mark;
    f.reducing = abs_after < abs_now;
    return f;
}

RULE rule_inventory(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], w[WIDE_STRLEN], w2[WIDE_STRLEN];
    tl_fixed lim = o->cfg->max_inventory_usd;
    if (lim <= 0)
        return TL_RR_OK;
    after_fill f = position_after(r, o);
    if (f.reducing || f.inv <= (unsigned __int128)lim * TL_FIXED_SCALE)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK, "INVENTORY: |%s| x %s = %s > %s", fmt_wide(f.pos_after, 8, w),
                   fmt(f.mark, a), fmt_wide_u(f.inv, false, 16, w2), fmt(lim, b));
    return TL_RR_INVENTORY;
}

RULE rule_total_notional(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], w[WIDE_STRLEN], w2[WIDE_STRLEN], w3[WIDE_STRLEN];
    tl_fixed lim = o->cfg->max_total_notional;
    if (lim <= 0)
        return TL_RR_OK;
    after_fill f = position_after(r, o);
    if (f.reducing)
        return TL_RR_OK;
    /* The other symbols' notional, as the caller measured it, plus this one after the fill. */
    __int128 others = (__int128)o->exposure->total_notional - o->exposure->symbol_notional;
    if (others < 0)
        others = 0;
    unsigned __int128 total = (unsigned __int128)others * TL_FIXED_SCALE + f.inv;
    if (total <= (unsigned __int128)lim * TL_FIXED_SCALE)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK, "TOTAL_NOTIONAL: %s + |%s| x %s = %s > %s",
                   fmt_wide(others, 8, w3), fmt_wide(f.pos_after, 8, w), fmt(f.mark, a),
                   fmt_wide_u(total, false, 16, w2), fmt(lim, b));
    return TL_RR_TOTAL_NOTIONAL;
}

/* Seed 003's paper policy, as rules: long-only, full close only, enough cash. They look at the
 * position held now (not counting live orders) and the account's cash. */
RULE rule_long_only(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    if (!o->cfg->long_only || o->side != TL_SIDE_SELL || o->exposure->held_qty > 0)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "LONG_ONLY: no open position in %s to close (long-only)",
               o->inst->symbol);
    return TL_RR_LONG_ONLY;
}

RULE rule_full_close(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN];
    tl_fixed have = o->exposure->held_qty;
    if (!o->cfg->full_close_only || o->side != TL_SIDE_SELL || o->qty == have)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK,
                   "FULL_CLOSE_ONLY: full close only: sell qty %s differs from the %s position %s",
                   fmt(o->qty, a), o->inst->symbol, fmt(have, b));
    return TL_RR_FULL_CLOSE_ONLY;
}

RULE rule_cash(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    (void)r;
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN];
    tl_fixed cost;
    if (!o->cfg->require_cash || o->side != TL_SIDE_BUY)
        return TL_RR_OK;
    /* The cost exactly as the position book will charge it: one rounding of qty x price. */
    if (tl_fixed_mul(o->qty, o->price, &cost) != 0) {
        tl_err_set(err, TL_ERISK, "INSUFFICIENT_CASH: notional qty x price is out of range");
        return TL_RR_INSUFFICIENT_CASH;
    }
    if (o->exposure->cash >= cost)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK, "INSUFFICIENT_CASH: insufficient cash: need %s, have %s",
                   fmt(cost, a), fmt(o->exposure->cash, b));
    return TL_RR_INSUFFICIENT_CASH;
}

/* Seed 001's market filters: entries only (an exit is never blocked by a filter), each exact in
 * 128 bits, each off at 0. */
static const tl_risk_quote *quote_of(const tl_risk *r, const tl_risk_order *o)
{
    return o->instrument < r->ref_count ? &r->quotes[o->instrument] : NULL;
}

static tl_risk_reason rule_spread(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], w[WIDE_STRLEN];
    tl_fixed lim = o->cfg->max_spread_bps;
    if (lim <= 0 || o->exposure->is_exit)
        return TL_RR_OK;
    const tl_risk_quote *q = quote_of(r, o);
    if (!q || q->ts_ns == 0 || q->bid <= 0) {
        tl_err_set(err, TL_ERISK, "SPREAD: no quote for %s", o->inst->symbol);
        return TL_RR_SPREAD;
    }
    /* (ask - bid) / mid * 1e4 > lim, with mid = (bid + ask) / 2, multiplied out. */
    __int128 lhs = ((__int128)q->ask - q->bid) * 2 * 10000 * TL_FIXED_SCALE;
    __int128 rhs = (__int128)lim * ((__int128)q->bid + q->ask);
    if (lhs <= rhs)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK, "SPREAD: %s %s/%s is %s bps > %s bps", o->inst->symbol,
                   fmt(q->bid, a), fmt(q->ask, b),
                   fmt_wide(lhs / ((__int128)q->bid + q->ask), 8, w), fmt(lim, a));
    return TL_RR_SPREAD;
}

static tl_risk_reason rule_stale(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    int64_t lim = o->cfg->max_quote_age_ns;
    if (lim <= 0 || o->exposure->is_exit)
        return TL_RR_OK;
    const tl_risk_quote *q = quote_of(r, o);
    if (!q || q->ts_ns == 0) {
        tl_err_set(err, TL_ERISK, "STALE_QUOTE: no quote for %s", o->inst->symbol);
        return TL_RR_STALE_QUOTE;
    }
    __int128 age = (__int128)o->now_ns - q->ts_ns;
    if (age <= lim)
        return TL_RR_OK;
    tl_err_set(err, TL_ERISK, "STALE_QUOTE: %s quote is %lld ms old > %lld ms", o->inst->symbol,
               (long long)(age / 1000000), (long long)(lim / 1000000));
    return TL_RR_STALE_QUOTE;
}

static tl_risk_reason rule_slippage(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], c[TL_FIXED_STRLEN], w[WIDE_STRLEN];
    tl_fixed lim = o->cfg->max_slippage_bps, expected = o->exposure->expected_price;
    if (lim <= 0 || o->exposure->is_exit || expected <= 0)
        return TL_RR_OK;
    const tl_risk_quote *q = quote_of(r, o);
    if (!q || q->ts_ns == 0) {
        tl_err_set(err, TL_ERISK, "SLIPPAGE: no quote for %s", o->inst->symbol);
        return TL_RR_SLIPPAGE;
    }
    /* A market order fills at the far side: the ask for a buy, the bid for a sell. A limit
     * order fills there or at its limit, whichever is better for it: a bid below the ask rests
     * and fills at its price. */
    tl_fixed now = o->side == TL_SIDE_BUY ? q->ask : q->bid;
    if (o->exposure->is_limit && o->price > 0)
        now = o->side == TL_SIDE_BUY ? (o->price < now ? o->price : now)
                                     : (o->price > now ? o->price : now);
    __int128 diff = (__int128)now - expected;
    if (diff < 0)
        diff = -diff;
    __int128 lhs = diff * 10000 * TL_FIXED_SCALE;
    if (lhs <= (__int128)lim * expected)
        return TL_RR_OK;
    if (err)
        tl_err_set(err, TL_ERISK,
                   "SLIPPAGE: %s would fill at %s, %s bps from the expected %s > %s bps",
                   o->inst->symbol, fmt(now, a), fmt_wide(lhs / expected, 8, w), fmt(expected, b),
                   fmt(lim, c));
    return TL_RR_SLIPPAGE;
}

/* Throttle: the ring holds the send times of the last N accepted orders; when it is full, the
 * oldest of them decides whether N orders already went out within the last second. It is the
 * last row: it records the order, which only an accepted order may be. */
RULE rule_rate(tl_risk *r, const tl_risk_order *o, tl_err *err)
{
    uint32_t n = r->cfg.max_orders_per_sec;
    if (!n)
        return TL_RR_OK;
    if (r->rate_len == n && (__int128)o->now_ns - r->rate_ring[r->rate_pos] < NS_PER_SEC) {
        tl_err_set(err, TL_ERISK, "RATE: %u orders within the last second, limit %u/s", n, n);
        return TL_RR_RATE;
    }
    r->rate_ring[r->rate_pos] = o->now_ns;
    /* The ring is walked in order and can be megabytes: fetch the line the walk reaches 64
     * orders from now, so the oldest send time is in cache when the check reads it. */
    __builtin_prefetch(&r->rate_ring[r->rate_pos + 64 < n ? r->rate_pos + 64 : 0], 1);
    r->rate_pos = r->rate_pos + 1 == n ? 0 : r->rate_pos + 1;
    if (r->rate_len < n)
        r->rate_len++;
    return TL_RR_OK;
}

/* The rule table, in the order the rules run. Written once, as a list that builds both the table
 * (names, reasons, configuration, for tl_risk_rules) and tl_risk_check's straight-line run of
 * direct calls, which the compiler inlines: a loop of indirect calls through the table cost
 * twelve calls per order. */
#define RISK_RULES(X)                                                                              \
    X("FROZEN", TL_RR_FROZEN, rule_frozen, "freeze (edge, journal failure, operator)")             \
    X("RECONCILE_MISMATCH", TL_RR_RECONCILE_MISMATCH, rule_account_frozen,                         \
      "an account frozen by reconciliation")                                                       \
    X("UNKNOWN_INSTRUMENT", TL_RR_UNKNOWN_INSTRUMENT, rule_known, "instruments")                   \
    X("REDUCE_ONLY", TL_RR_REDUCE_ONLY, rule_reduce_only,                                          \
      "reduce-only exits (cut to the position)")                                                   \
    X("KILL_SWITCH", TL_RR_KILL_SWITCH, rule_kill, "kill switch (entries only)")                   \
    X("INSTRUMENT", TL_RR_BAD_PRICE, rule_instrument,                                              \
      "tick, lot, min/max qty (BAD_PRICE, BAD_QTY, QTY_BELOW_MIN, QTY_ABOVE_MAX)")                 \
    X("NOTIONAL_BELOW_MIN", TL_RR_NOTIONAL_BELOW_MIN, rule_min_notional, "min_notional")           \
    X("ORDER_NOTIONAL", TL_RR_ORDER_NOTIONAL, rule_order_notional, "max_order_notional")           \
    X("PRICE_COLLAR", TL_RR_PRICE_COLLAR, rule_collar, "collar_bps (NO_REFERENCE, PRICE_COLLAR)")  \
    X("LONG_ONLY", TL_RR_LONG_ONLY, rule_long_only, "long_only")                                   \
    X("FULL_CLOSE_ONLY", TL_RR_FULL_CLOSE_ONLY, rule_full_close, "full_close_only")                \
    X("INSUFFICIENT_CASH", TL_RR_INSUFFICIENT_CASH, rule_cash, "require_cash")                     \
    X("ONE_SYMBOL_PER_VA", TL_RR_ONE_SYMBOL_PER_VA, rule_one_symbol, "one_symbol")                 \
    X("MAX_OPEN_POSITIONS", TL_RR_MAX_OPEN_POSITIONS, rule_max_open, "max_open_positions")         \
    X("COOLDOWN", TL_RR_COOLDOWN, rule_cooldown, "cooldown_losses, cooldown_ns")                   \
    X("DRAWDOWN", TL_RR_DRAWDOWN, rule_drawdown, "max_drawdown_pct")                               \
    X("TRADING_WINDOW", TL_RR_TRADING_WINDOW, rule_window, "window_*, tz")                         \
    X("SPREAD", TL_RR_SPREAD, rule_spread, "max_spread_bps")                                       \
    X("STALE_QUOTE", TL_RR_STALE_QUOTE, rule_stale, "max_quote_age_ns")                            \
    X("SLIPPAGE", TL_RR_SLIPPAGE, rule_slippage, "max_slippage_bps")                               \
    X("INVENTORY", TL_RR_INVENTORY, rule_inventory, "max_inventory_usd")                           \
    X("TOTAL_NOTIONAL", TL_RR_TOTAL_NOTIONAL, rule_total_notional, "max_total_notional")           \
    X("RATE", TL_RR_RATE, rule_rate, "max_orders_per_sec")

#define RULE_ROW(name, reason, check, config) {name, reason, check, config},
static const tl_risk_rule rules[] = {RISK_RULES(RULE_ROW)};

const tl_risk_rule *tl_risk_rules(size_t *n)
{
    *n = sizeof(rules) / sizeof(rules[0]);
    return rules;
}

int tl_risk_check(tl_risk *r, const tl_instrument *inst, uint32_t instrument, tl_side side,
                  tl_fixed price, tl_fixed qty, const tl_risk_exposure *exposure, int64_t now_ns,
                  tl_risk_reason *reason, tl_err *err)
{
    static const tl_risk_exposure none = {0};
    const tl_risk_exposure *x = exposure ? exposure : &none;
    tl_risk_order o = {inst, instrument, side, price, qty, x, now_ns, x->cfg ? x->cfg : &r->cfg};

    tl_risk_reason why;
    r->stats.checks++;
#define RULE_RUN(name, reason, check, config)                                                      \
    if ((why = check(r, &o, err)) != TL_RR_OK)                                                     \
        goto blocked;
    RISK_RULES(RULE_RUN)
#undef RULE_RUN
    if (reason)
        *reason = TL_RR_OK;
    return 0;
blocked:
    r->stats.blocks++;
    r->stats.blocks_by_reason[why]++;
    if (reason)
        *reason = why;
    return TL_ERISK;
}
