/*
 * hedge.c -- the hedge calculator (hedge.h): eight cases, exact to 1e-8, one rounding per output.
 *
 * All arithmetic is on raw tl_fixed values (units of 1e-8, S = 1e8) through
 * tl_fixed_from_ratio128, the engine's one rounding, so each output is its exact rational value
 * rounded once. The raw formulas are written beside each step; the bounds of the inputs keep
 * every 128-bit numerator far from overflow except the bps of a profit in base, which is checked.
 */
#include "rfq/hedge.h"

#define S       TL_FIXED_SCALE
#define BPS_ONE ((__int128)10000 * S) /* 10000 bps as a raw tl_fixed: the whole */

/* num / den rounded once; a result past tl_fixed is TL_ERANGE naming the value. */
static int ratio(__int128 num, __int128 den, tl_fixed *out, const char *what, tl_err *err)
{
    if (tl_fixed_from_ratio128(num, den, out) != 0)
        return tl_err_set(err, TL_ERANGE, "hedge: %s out of range", what);
    return 0;
}

static int diff(tl_fixed a, tl_fixed b, tl_fixed *out, const char *what, tl_err *err)
{
    if (tl_fixed_sub(a, b, out) != 0)
        return tl_err_set(err, TL_ERANGE, "hedge: %s out of range", what);
    return 0;
}

/* A value that rounded to zero cannot be traded: the amount (or for the price, the LP's price)
 * is too small; why says which. */
static int positive(tl_fixed v, const char *what, const char *why, tl_err *err)
{
    if (v <= 0)
        return tl_err_set(err, TL_EINVAL, "hedge: the %s rounds to 0 (%s too small)", what, why);
    return 0;
}

static int check_input(const tl_hedge_input *in, tl_err *err)
{
    if (in->side != TL_SIDE_BUY && in->side != TL_SIDE_SELL)
        return tl_err_set(err, TL_EINVAL, "hedge: side must be BUY or SELL");
    if ((in->amount_in != TL_PAIR_BASE && in->amount_in != TL_PAIR_QUOTE) ||
        (in->profit_in != TL_PAIR_BASE && in->profit_in != TL_PAIR_QUOTE))
        return tl_err_set(err, TL_EINVAL, "hedge: an asset must be base or quote");
    if (in->amount <= 0)
        return tl_err_set(err, TL_EINVAL, "hedge: the amount must be positive");
    if (in->lp_price <= 0)
        return tl_err_set(err, TL_EINVAL, "hedge: the LP price must be positive");
    if (in->markup_bps < 0 || in->markup_bps > TL_HEDGE_MARKUP_BPS_MAX)
        return tl_err_set(err, TL_EINVAL, "hedge: markup must be within [0, 10000) bps");
    if (in->fee_bps < 0 || in->fee_bps > TL_HEDGE_FEE_BPS_MAX)
        return tl_err_set(err, TL_EINVAL, "hedge: fee must be within [0, 10000] bps");
    return 0;
}

/* The client's trade: price, then the quantity the amount did not give. */
static int client_trade(const tl_hedge_input *in, tl_hedge *h, tl_err *err)
{
    bool buy = in->side == TL_SIDE_BUY;
    /* price = lp * (1 +/- bps/10000): raw lp * (10000*S +/- bps) / (10000*S) */
    __int128 factor = buy ? BPS_ONE + in->markup_bps : BPS_ONE - in->markup_bps;
    int rc = ratio((__int128)in->lp_price * factor, BPS_ONE, &h->client_price, "client price", err);
    if (rc == 0)
        rc = positive(h->client_price, "client price", "LP price", err);
    if (rc != 0)
        return rc;
    if (in->amount_in == TL_PAIR_BASE) {
        /* quote = base * price: raw base * price / S */
        h->client_base = in->amount;
        rc = ratio((__int128)in->amount * h->client_price, S, &h->client_quote,
                   "client quote quantity", err);
        if (rc == 0)
            rc = positive(h->client_quote, "client quote quantity", "amount", err);
    } else {
        /* base = quote / price: raw quote * S / price */
        h->client_quote = in->amount;
        rc = ratio((__int128)in->amount * S, h->client_price, &h->client_base,
                   "client base quantity", err);
        if (rc == 0)
            rc = positive(h->client_base, "client base quantity", "amount", err);
    }
    if (rc != 0)
        return rc;
    h->client_pays_in = buy ? TL_PAIR_QUOTE : TL_PAIR_BASE;
    h->client_pays = buy ? h->client_quote : h->client_base;
    h->client_gets_in = buy ? TL_PAIR_BASE : TL_PAIR_QUOTE;
    h->client_gets = buy ? h->client_base : h->client_quote;
    return 0;
}

/* The hedge at the LP price and what it leaves the desk, before fees. */
static int hedge_trade(const tl_hedge_input *in, tl_hedge *h, tl_err *err)
{
    bool buy = in->side == TL_SIDE_BUY;
    int rc;
    h->hedge_side = in->side;
    h->profit_in = in->profit_in;
    if (in->profit_in == TL_PAIR_QUOTE) {
        /* exactly the client's base; hedge quote = raw base * lp / S */
        h->hedge_base = h->client_base;
        rc = ratio((__int128)h->client_base * in->lp_price, S, &h->hedge_quote,
                   "hedge quote quantity", err);
        if (rc == 0)
            rc = positive(h->hedge_quote, "hedge quote quantity", "amount", err);
        if (rc == 0)
            rc = buy ? diff(h->client_quote, h->hedge_quote, &h->profit, "profit", err)
                     : diff(h->hedge_quote, h->client_quote, &h->profit, "profit", err);
    } else {
        /* exactly the client's quote; hedge base = raw quote * S / lp */
        h->hedge_quote = h->client_quote;
        rc = ratio((__int128)h->client_quote * S, in->lp_price, &h->hedge_base,
                   "hedge base quantity", err);
        if (rc == 0)
            rc = positive(h->hedge_base, "hedge base quantity", "amount", err);
        if (rc == 0)
            rc = buy ? diff(h->hedge_base, h->client_base, &h->profit, "profit", err)
                     : diff(h->client_base, h->hedge_base, &h->profit, "profit", err);
    }
    return rc;
}

/* Fee, P&L after it, and its bps of the client's notional. */
static int fees_and_pnl(const tl_hedge_input *in, tl_hedge *h, tl_err *err)
{
    /* fee = hedge quote * bps / 10000: raw hq * fee / (10000*S) */
    __int128 fee_num = (__int128)h->hedge_quote * in->fee_bps;
    int rc = ratio(fee_num, BPS_ONE, &h->fee_quote, "fee", err);
    if (rc != 0)
        return rc;
    if (in->profit_in == TL_PAIR_QUOTE) {
        h->fee = h->fee_quote;
    } else {
        /* converted at lp, from the exact fee: raw hq * fee / (10000 * lp) */
        rc = ratio(fee_num, (__int128)10000 * in->lp_price, &h->fee, "fee", err);
        if (rc != 0)
            return rc;
    }
    if ((rc = diff(h->profit, h->fee, &h->pnl, "P&L", err)) != 0)
        return rc;
    /* bps = pnl in quote / client quote * 10000, raw: quote: pnl * 10000*S / cq;
     * base (valued at lp): pnl * lp * 10000 / cq, whose numerator is checked. */
    __int128 num;
    if (in->profit_in == TL_PAIR_QUOTE)
        num = (__int128)h->pnl * BPS_ONE;
    else if (__builtin_mul_overflow((__int128)h->pnl * in->lp_price, (__int128)10000, &num))
        return tl_err_set(err, TL_ERANGE, "hedge: P&L bps out of range");
    return ratio(num, h->client_quote, &h->pnl_bps, "P&L bps", err);
}

int tl_hedge_compute(const tl_hedge_input *in, tl_hedge *out, tl_err *err)
{
    tl_hedge h = {0};
    int rc = check_input(in, err);
    if (rc == 0)
        rc = client_trade(in, &h, err);
    if (rc == 0)
        rc = hedge_trade(in, &h, err);
    if (rc == 0)
        rc = fees_and_pnl(in, &h, err);
    if (rc == 0)
        *out = h; /* only a complete result is written */
    return rc;
}
