/*
 * instrument.h -- what can be traded and in which increments.
 *
 * A venue refuses an order whose price is off the tick or whose quantity is off the lot; the
 * engine refuses it first, so such an order never leaves. Symbols are 1..15 characters of
 * [A-Z0-9], base and quote assets 1..7 of the same.
 */
#ifndef TRADELOOP_INSTRUMENT_H
#define TRADELOOP_INSTRUMENT_H

#include <stdint.h>

#include "fixed.h"

#define TL_SYMBOL_MAX 16 /* with NUL */
#define TL_ASSET_MAX  8  /* with NUL */

typedef struct tl_instrument {
    char symbol[TL_SYMBOL_MAX]; /* "BTCUSDT" */
    char base[TL_ASSET_MAX];    /* "BTC": what the quantity counts */
    char quote[TL_ASSET_MAX];   /* "USDT": what the price is in */
    tl_fixed tick_size;         /* price increment, > 0 */
    tl_fixed lot_size;          /* quantity increment, > 0 */
    tl_fixed min_qty;           /* smallest order quantity, >= lot_size */
    tl_fixed max_qty;           /* largest order quantity, >= min_qty */
    tl_fixed min_notional;      /* smallest price*qty, >= 0 */
} tl_instrument;

struct tl_hashmap;

/* A set of instruments, indexed 0..count-1; the index is the instrument id used everywhere in the
 * engine (orders, positions, risk) so that no hot path compares strings. A symbol is found through
 * a hash index, so finding it compares one string whatever the number of instruments: the loop
 * looks up every quote's symbol (a linear scan was half the time of a quote over 100 symbols). */
typedef struct tl_instruments {
    tl_instrument *items; /* owned */
    uint32_t count;
    uint32_t cap;
    struct tl_hashmap *by_symbol; /* owned: hash of the symbol -> index, NULL while empty */
} tl_instruments;

/* Checks symbol syntax: 1..15 of [A-Z0-9]. */
int tl_symbol_validate(const char *symbol, tl_err *err);
/* Checks an instrument's own fields (syntax, increments positive and coherent). */
int tl_instrument_validate(const tl_instrument *inst, tl_err *err);

/* Price must be > 0 and a multiple of tick_size: else TL_EINVAL naming the instrument. */
int tl_instrument_check_price(const tl_instrument *inst, tl_fixed price, tl_err *err);
/* Quantity must be > 0, a multiple of lot_size and within [min_qty, max_qty]. */
int tl_instrument_check_qty(const tl_instrument *inst, tl_fixed qty, tl_err *err);

void tl_instruments_init(tl_instruments *set);
void tl_instruments_close(tl_instruments *set);
/* Validates and appends a copy; TL_EDUPLICATE when the symbol is already there. *id gets the
 * index (may be NULL). */
int tl_instruments_add(tl_instruments *set, const tl_instrument *inst, uint32_t *id, tl_err *err);
/* Index of symbol, or TL_ENOTFOUND. */
int tl_instruments_find(const tl_instruments *set, const char *symbol, uint32_t *id);

/* Defaults for symbols the shadow run and the demos know: BTCUSDT, ETHUSDT, SOLUSDT, BNBUSDT,
 * XRPUSDT, and any other well-formed symbol ending in USDT/USDC/USD/EUR/CHF gets generic
 * increments (tick 0.01, lot 0.001). TL_EINVAL when the quote asset cannot be recognised. */
int tl_instrument_default(const char *symbol, tl_instrument *out, tl_err *err);

/* Splits a pair symbol into its base and quote assets by its quote suffix, the longest known one
 * winning: "BTCUSDT" -> BTC, USDT; "ETHBTC" -> ETH, BTC; "BTCFDUSD" -> BTC, FDUSD. Known quotes:
 * FDUSD USDT USDC USD EUR GBP CHF JPY TRY BTC ETH BNB. The symbol must be valid
 * (uppercase: a desk uppercases what a person types first) with a base of 1..7 characters.
 * TL_EINVAL otherwise, naming the symbol; base and quote untouched on error. */
int tl_pair_parse(const char *symbol, char base[TL_ASSET_MAX], char quote[TL_ASSET_MAX],
                  tl_err *err);

/* An instrument that takes any positive 8-decimal price and quantity (tick and lot 0.00000001,
 * no minimum notional): the paper broker trades whatever symbol its caller names at whatever
 * price the caller gives. TL_EINVAL for a malformed symbol. */
int tl_instrument_any(const char *symbol, tl_instrument *out, tl_err *err);

#endif /* TRADELOOP_INSTRUMENT_H */
