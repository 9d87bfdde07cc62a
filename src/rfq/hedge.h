/*
 * hedge.h -- the hedge calculator of the RFQ desk (issue 9, "Hedge calculator").
 *
 * The client trades with the desk at the LP's price marked up; the desk hedges the client's trade
 * at the LP's price on the hedge venue and keeps the difference, in the base or the quote asset.
 * Eight cases: client BUY or SELL x amount in base or quote x profit kept in base or quote.
 *
 *   m             = markup_bps / 10000
 *   client price  = lp_price * (1 + m) for a client buy, lp_price * (1 - m) for a client sell
 *   amount in base:  client base = amount,  client quote = client base * client price
 *   amount in quote: client quote = amount, client base = client quote / client price
 *   profit in quote: the hedge trades exactly the client's base at lp_price
 *                    (hedge quote = client base * lp_price); profit = the quote difference
 *                    (buy: client quote - hedge quote; sell: hedge quote - client quote)
 *   profit in base:  the hedge trades exactly the client's quote at lp_price: a client buy's
 *                    quote all spent, a client sell's quote just raised (hedge base =
 *                    client quote / lp_price); profit = the base difference
 *                    (buy: hedge base - client base; sell: client base - hedge base)
 *   hedge side    = the client's side (the desk buys back what it sold the client, and the reverse)
 *   fee (quote)   = hedge quote * fee_bps / 10000
 *   fee           = in the profit asset: the quote fee, or for profit in base the quote fee
 *                   converted at lp_price (hedge quote * fee_bps / 10000 / lp_price)
 *   P&L           = profit - fee, in the profit asset
 *   bps           = P&L (valued in quote at lp_price when in base) / client quote * 10000
 *
 * Rounding rule. Every output is the exact rational value of its formula above, computed in 128
 * bits from the inputs and from the outputs listed before it, rounded once to 8 decimals half
 * away from zero (the engine's one rule, fixed.h): first the client price, then the client's
 * quantity that was not given, then the hedge's, then the fees (each from the exact formula, so
 * the converted fee is not a rounding of the rounded quote fee) and the bps. Profit and P&L are
 * differences of rounded values, so they are exact: what the desk keeps is exactly what the
 * quantities printed on both trades leave, to the last 1e-8. No output is rounded in the desk's
 * favour: the bias is at most 0.5e-8 of an asset per quantity, against one rule for every amount
 * in the engine and in the executions table. bps keeps 8 decimals like every other column;
 * screens show 2.
 *
 * The seed's example: buy 1.5 BTC at 100,000 with 5 bps markup: client price 100,050, client
 * pays 150,075 USDT; profit 75 USDT (hedge buys 1.5 BTC for 150,000) or 0.00075 BTC (hedge spends
 * 150,075 USDT on 1.50075 BTC).
 *
 * Pure: no I/O, no allocation, no state.
 */
#ifndef TL_RFQ_HEDGE_H
#define TL_RFQ_HEDGE_H

#include "rfq/pair.h"
#include "tradeloop/fixed.h"
#include "tradeloop/order.h"

/* Bounds of the rates, in bps (tl_fixed, so fractions of a bps are allowed): a markup of 10000
 * bps or more would make a client sell's price zero or negative. */
#define TL_HEDGE_MARKUP_BPS_MAX (TL_FIXED_INT(10000) - 1) /* 9999.99999999 */
#define TL_HEDGE_FEE_BPS_MAX    TL_FIXED_INT(10000)       /* 100% */

typedef struct tl_hedge_input {
    tl_side side;          /* the client's side */
    tl_fixed amount;       /* > 0, in amount_in */
    tl_pair_leg amount_in; /* the asset the amount is in */
    tl_fixed lp_price;     /* > 0: the LP's ask for a client buy, its bid for a client sell */
    tl_fixed markup_bps;   /* 0 .. TL_HEDGE_MARKUP_BPS_MAX */
    tl_fixed fee_bps;      /* 0 .. TL_HEDGE_FEE_BPS_MAX: the hedge venue's fee */
    tl_pair_leg profit_in; /* the asset the desk keeps its profit in */
} tl_hedge_input;

typedef struct tl_hedge {
    tl_fixed client_price; /* quote per base, marked up */
    tl_fixed client_base;  /* the client trade's base quantity */
    tl_fixed client_quote; /* its quote quantity (notional) */
    /* What the client pays and gets: the quote and the base for a buy, the reverse for a sell. */
    tl_fixed client_pays;
    tl_pair_leg client_pays_in;
    tl_fixed client_gets;
    tl_pair_leg client_gets_in;
    tl_side hedge_side;   /* the desk's trade on the hedge venue, at lp_price */
    tl_fixed hedge_base;  /* its base quantity */
    tl_fixed hedge_quote; /* its quote quantity (notional) */
    tl_pair_leg profit_in;
    tl_fixed profit;    /* before fees, in profit_in */
    tl_fixed fee_quote; /* the hedge's fee in the quote asset */
    tl_fixed fee;       /* the same in profit_in (converted at lp_price when base) */
    tl_fixed pnl;       /* profit - fee, in profit_in; may be negative */
    tl_fixed pnl_bps;   /* pnl in bps of client_quote (8 decimals) */
} tl_hedge;

/* Computes one hedge. TL_EINVAL when an input is out of its bounds or a quantity rounds to zero
 * (an amount too small for the price), TL_ERANGE when a value does not fit tl_fixed; *out is
 * untouched on error and err says which. */
int tl_hedge_compute(const tl_hedge_input *in, tl_hedge *out, tl_err *err);

#endif /* TL_RFQ_HEDGE_H */
