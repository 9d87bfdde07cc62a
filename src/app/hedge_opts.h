/*
 * hedge_opts.h -- the pricing flags `tradeloop hedge` and `tradeloop rfq` share (issue 9):
 * --markup-bps, --fee-bps, --profit-asset, with one set of ranges, environment variables and
 * checks, so the desk prices exactly as the calculator does.
 */
#ifndef TL_APP_HEDGE_OPTS_H
#define TL_APP_HEDGE_OPTS_H

#include "app/cli.h"
#include "rfq/hedge.h"

/* The three flags for a command's table: markup and fee are tl_fixed bps (fractions allowed),
 * profit a string read by cli_pair_leg. Defaults are the caller's initial values. */
#define HEDGE_PRICING_FLAGS(markup, fee, profit)                                                   \
    {"markup-bps",                                                                                 \
     CLI_FIXED,                                                                                    \
     &(markup),                                                                                    \
     "TRADELOOP_MARKUP_BPS",                                                                       \
     "M",                                                                                          \
     "the client's price: the LP's ask * (1 + M/10000) for a buy, its bid * (1 - M/10000) for a "  \
     "sell",                                                                                       \
     .fmin = 0,                                                                                    \
     .fmax = TL_HEDGE_MARKUP_BPS_MAX},                                                             \
        {"fee-bps", CLI_FIXED,                                                                     \
         &(fee),    "TRADELOOP_FEE_BPS",                                                           \
         "F",       "the hedge venue's fee, bps of the hedge's quote notional (0)",                \
         .fmin = 0, .fmax = TL_HEDGE_FEE_BPS_MAX},                                                 \
    {                                                                                              \
        "profit-asset", CLI_STRING, &(profit), "TRADELOOP_PROFIT_ASSET", "base|quote",             \
            "the asset the desk keeps its profit in (quote)"                                       \
    }

/* "base" or "quote" (as given, lower case) from flag `flag` into *out; else a usage error naming
 * the flag's source. */
int cli_pair_leg(const cli_command *cmd, const char *flag, const char *value, tl_pair_leg *out);

#endif /* TL_APP_HEDGE_OPTS_H */
