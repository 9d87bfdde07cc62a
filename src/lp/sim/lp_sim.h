/*
 * lp_sim.h (internal) -- the simulated liquidity provider of the seed (scheme "lpsim").
 *
 *   lpsim://?name=LP-1&base=100000&amp=500&period_s=60&phase=0&spread_bps=10
 *            &delay_min_ms=200&delay_max_ms=500&validity_s=8&seed=1&refuse_rate=0
 *
 * Its mid price for a symbol is a sine wave around a base,
 *     mid = base + amp * sin(2 * pi * (t / period + phase)),   t = engine time since the epoch,
 * computed in integers (lp_sim_sine.c: no libm, so every machine gives the same digits); bid and
 * ask are mid -/+ half the spread; the price for an amount is the ask for a client buy, the bid
 * for a sell. Each answer arrives after a delay drawn uniformly in whole milliseconds between the
 * bounds from a PRNG seeded by seed; a quote is valid from its arrival for validity_s.
 *
 * Parameters (each at most once; all optional, defaults in brackets):
 *   name         [lpsim] the LP's name, [A-Za-z0-9._-]{1,23}; quote ids are "<name>-000001"
 *   base         [100000] a decimal > 0 for every symbol, or per symbol "BTCUSDT:100000,
 *                ETHUSDT:3500" (1..32 of them; a symbol not listed is refused "unknown symbol")
 *   amp          [base / 200] the wave's amplitude, 0 <= amp < base: one decimal for every
 *                symbol, or per symbol like base (only with base per symbol; a symbol without
 *                one gets base / 200)
 *   period_s     [60] the wave's period in seconds, a decimal > 0, at most 1e9
 *   phase        [0] where the wave starts, a fraction of a period in [0, 1)
 *   spread_bps   [10] bid-ask spread in basis points of mid, in [0, 5000]
 *   delay_min_ms, delay_max_ms [200, 500] response delay bounds, 0 <= min <= max <= 3600000
 *   validity_s   [8] how long a quote stays executable after it arrives, decimal in (0, 86400]
 *   seed         [1] PRNG seed (delays and refusals)
 *   refuse_rate  [0] probability in [0, 1] that a quote request is refused ("refused")
 *   exec_refuse_rate [0] probability in [0, 1] that an execution is refused ("refused")
 *
 * Execution (execute_trade) refuses with the reason: "unknown quote" (an id this LP never gave,
 * or one older than the last TL_LP_SIM_KEPT quotes), "quote already executed", "quote mismatch"
 * (side, asset, amount or price differ from the quote), "quote expired" (now > valid_until_ns),
 * "refused" (exec_refuse_rate). A fill executes the quote's amount at its price: the base
 * quantity is the amount, or amount / price rounded half away from zero when the amount is in
 * the quote asset.
 */
#ifndef TL_LP_SIM_LP_SIM_H
#define TL_LP_SIM_LP_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "tradeloop/lp.h"

#define TL_LP_SIM_MARKETS_MAX 32
#define TL_LP_SIM_KEPT        4096 /* quotes remembered for execution */

typedef struct tl_lp_sim_market {
    char symbol[TL_SYMBOL_MAX]; /* "" = every symbol (base given as one decimal) */
    tl_fixed base;              /* > 0 */
    tl_fixed amp;               /* 0 <= amp < base */
} tl_lp_sim_market;

typedef struct tl_lp_sim_params {
    char name[TL_LP_NAME_MAX];
    tl_lp_sim_market markets[TL_LP_SIM_MARKETS_MAX];
    uint32_t n_markets;
    int64_t period_ns;   /* > 0 */
    tl_fixed phase;      /* [0, 1) */
    tl_fixed spread_bps; /* [0, 5000] */
    int64_t delay_min_ns, delay_max_ns;
    int64_t validity_ns; /* > 0 */
    uint64_t seed;
    tl_fixed refuse_rate, exec_refuse_rate; /* [0, 1] */
} tl_lp_sim_params;

void tl_lp_sim_params_default(tl_lp_sim_params *p);
/* Parses an lpsim:// URL. TL_EINVAL naming the parameter ("lpsim: spread_bps=x: ..."); *out
 * untouched on error. */
int tl_lp_sim_params_parse(const char *url, tl_lp_sim_params *out, tl_err *err);

/* sin(2 * pi * turn / 2^64) in tl_fixed units (1e-8), rounded half away from zero, from integers
 * only: exact at the quarter turns (0, 1, 0, -1) and at the twelfths (+-0.5). */
tl_fixed tl__lp_sin_turn(uint64_t turn);
/* The mid of market m at t_ns (p gives period and phase). TL_ERANGE if it does not fit. */
int tl__lp_sim_mid(const tl_lp_sim_params *p, const tl_lp_sim_market *m, int64_t t_ns,
                   tl_fixed *out);

/* The three default LPs, LP-1..LP-3 (different phases and spreads): *n gets 3; the URLs are
 * static strings. */
const char *const *tl_lp_sim_default_urls(size_t *n);

#endif /* TL_LP_SIM_LP_SIM_H */
