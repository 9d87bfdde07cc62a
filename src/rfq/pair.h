/*
 * pair.h -- a symbol's two assets: "BTCUSDT" is base BTC, quote USDT.
 *
 * The desk's requests name the asset an amount is in ("b 1.5 btc btcusdt") and its reports name
 * the asset of every amount, so both need the split; no instrument table is required for it. The
 * quote asset is the longest known quote asset that ends the symbol (USDT before USD, so
 * "BTCUSDT" is BTC/USDT and "EURUSD" is EUR/USD), and the base is what is left, which must not be
 * empty. The known quote assets are listed in src/model/instrument.c. Pure.
 */
#ifndef TL_RFQ_PAIR_H
#define TL_RFQ_PAIR_H

#include "tradeloop.h"
#include "tradeloop/instrument.h"

#define TL_PAIR_ASSET_MAX 16 /* an asset name's buffer, with NUL */

/* Which of the two assets of a pair. */
typedef enum tl_pair_leg { TL_PAIR_BASE = 0, TL_PAIR_QUOTE = 1 } tl_pair_leg;

/* "base" / "quote" */
const char *tl_pair_leg_name(tl_pair_leg leg);

/* The split itself is tl_pair_parse (tradeloop/instrument.h), beside the instrument rules that
 * read the same suffixes. */

#endif /* TL_RFQ_PAIR_H */
