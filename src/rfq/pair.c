/*
 * pair.c -- a symbol's base and quote assets (pair.h).
 */
#include <string.h>

#include "core/text.h"
#include "rfq/pair.h"
#include "tradeloop/instrument.h"

/* The quote assets a symbol may end in. Longest match wins, so order does not matter; the list
 * is the quote assets of the major spot venues (stablecoins, fiat, the crypto majors). */
static const char *const quote_assets[] = {
    "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "DAI", "USD", "EUR", "GBP", "CHF",
    "JPY",   "AUD",  "CAD",  "TRY",  "BRL",  "BTC", "ETH", "BNB", "SOL",
};

const char *tl_pair_leg_name(tl_pair_leg leg)
{
    return leg == TL_PAIR_QUOTE ? "quote" : "base";
}

int tl_pair_parse(const char *symbol, char base[TL_PAIR_ASSET_MAX], char quote[TL_PAIR_ASSET_MAX],
                  tl_err *err)
{
    int rc = tl_symbol_validate(symbol, err);
    if (rc != 0) {
        tl__err_printable(err); /* the message quotes the symbol */
        return rc;
    }
    size_t n = strlen(symbol), best = 0;
    for (size_t i = 0; i < sizeof quote_assets / sizeof quote_assets[0]; i++) {
        size_t q = strlen(quote_assets[i]);
        if (q > best && q < n && memcmp(symbol + n - q, quote_assets[i], q) == 0)
            best = q;
    }
    if (best == 0)
        return tl_err_set(err, TL_EINVAL,
                          "symbol '%s': no base and known quote asset (USDT, USDC, USD, EUR, "
                          "BTC, ETH, ...)",
                          symbol);
    /* n <= 15, so both parts fit their buffers. */
    memcpy(base, symbol, n - best);
    base[n - best] = '\0';
    memcpy(quote, symbol + n - best, best + 1);
    return 0;
}
