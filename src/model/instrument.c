/*
 * instrument.c -- instruments, their increments and the set the engine indexes them by.
 *
 * The set is looked up by symbol only when an order or a file names one (the hot paths carry the
 * index), and it holds at most a few hundred entries, so a linear find is simpler and as fast as a
 * hash in practice.
 */
#include <stdlib.h>
#include <string.h>

#include "tradeloop/instrument.h"

#include "core/hashmap.h"
#include "core/vec.h"

/* v as text in buf (TL_FIXED_STRLEN bytes), for messages: only formatted on failure paths. */
static const char *fmt(tl_fixed v, char *buf)
{
    tl_fixed_format(v, buf, TL_FIXED_STRLEN);
    return buf;
}

/* 1..max-1 characters of [A-Z0-9], NUL-terminated within max bytes. Returns the length or -1. */
static int code_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != '\0') {
        if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9')))
            return -1;
        n++;
    }
    return n == 0 || n >= max ? -1 : (int)n;
}

int tl_symbol_validate(const char *symbol, tl_err *err)
{
    if (symbol == NULL)
        return tl_err_set(err, TL_EINVAL, "symbol is missing");
    if (code_len(symbol, TL_SYMBOL_MAX) < 0) {
        return tl_err_set(err, TL_EINVAL, "symbol '%.*s' must be 1..%d of [A-Z0-9]",
                          TL_SYMBOL_MAX + 8, symbol, TL_SYMBOL_MAX - 1);
    }
    return 0;
}

int tl_instrument_validate(const tl_instrument *inst, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN];
    int rc = tl_symbol_validate(inst->symbol, err);

    if (rc != 0)
        return rc;
    if (code_len(inst->base, TL_ASSET_MAX) < 0 || code_len(inst->quote, TL_ASSET_MAX) < 0) {
        return tl_err_set(err, TL_EINVAL, "%s: base and quote assets must be 1..%d of [A-Z0-9]",
                          inst->symbol, TL_ASSET_MAX - 1);
    }
    if (inst->tick_size <= 0 || inst->lot_size <= 0) {
        tl_fixed_format(inst->tick_size, a, sizeof(a));
        tl_fixed_format(inst->lot_size, b, sizeof(b));
        return tl_err_set(err, TL_EINVAL, "%s: tick %s and lot %s must be positive", inst->symbol,
                          a, b);
    }
    if (inst->min_qty < inst->lot_size) {
        tl_fixed_format(inst->min_qty, a, sizeof(a));
        tl_fixed_format(inst->lot_size, b, sizeof(b));
        return tl_err_set(err, TL_EINVAL, "%s: min quantity %s is below lot %s", inst->symbol, a,
                          b);
    }
    if (inst->max_qty < inst->min_qty) {
        tl_fixed_format(inst->max_qty, a, sizeof(a));
        tl_fixed_format(inst->min_qty, b, sizeof(b));
        return tl_err_set(err, TL_EINVAL, "%s: max quantity %s is below min %s", inst->symbol, a,
                          b);
    }
    if (inst->min_notional < 0) {
        tl_fixed_format(inst->min_notional, a, sizeof(a));
        return tl_err_set(err, TL_EINVAL, "%s: min notional %s is negative", inst->symbol, a);
    }
    return 0;
}

int tl_instrument_check_price(const tl_instrument *inst, tl_fixed price, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN];

    if (price <= 0) {
        return tl_err_set(err, TL_EINVAL, "%s: price %s must be positive", inst->symbol,
                          fmt(price, a));
    }
    if (!tl_fixed_is_multiple(price, inst->tick_size)) {
        return tl_err_set(err, TL_EINVAL, "%s: price %s is not a multiple of tick %s", inst->symbol,
                          fmt(price, a), fmt(inst->tick_size, b));
    }
    return 0;
}

int tl_instrument_check_qty(const tl_instrument *inst, tl_fixed qty, tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN];

    if (qty <= 0) {
        return tl_err_set(err, TL_EINVAL, "%s: quantity %s must be positive", inst->symbol,
                          fmt(qty, a));
    }
    if (!tl_fixed_is_multiple(qty, inst->lot_size)) {
        return tl_err_set(err, TL_EINVAL, "%s: quantity %s is not a multiple of lot %s",
                          inst->symbol, fmt(qty, a), fmt(inst->lot_size, b));
    }
    if (qty < inst->min_qty) {
        return tl_err_set(err, TL_EINVAL, "%s: quantity %s is below min %s", inst->symbol,
                          fmt(qty, a), fmt(inst->min_qty, b));
    }
    if (qty > inst->max_qty) {
        return tl_err_set(err, TL_EINVAL, "%s: quantity %s is above max %s", inst->symbol,
                          fmt(qty, a), fmt(inst->max_qty, b));
    }
    return 0;
}

void tl_instruments_init(tl_instruments *set)
{
    set->items = NULL;
    set->count = 0;
    set->cap = 0;
    set->by_symbol = NULL;
}

void tl_instruments_close(tl_instruments *set)
{
    if (set->by_symbol) {
        tl_hashmap_close(set->by_symbol);
        free(set->by_symbol);
    }
    free(set->items);
    tl_instruments_init(set);
}

static uint64_t symbol_hash(const char *symbol)
{
    return tl_hash_bytes(symbol, strlen(symbol));
}

int tl_instruments_add(tl_instruments *set, const tl_instrument *inst, uint32_t *id, tl_err *err)
{
    uint32_t found;
    int rc = tl_instrument_validate(inst, err);

    if (rc != 0)
        return rc;
    if (tl_instruments_find(set, inst->symbol, &found) == 0)
        return tl_err_set(err, TL_EDUPLICATE, "%s: instrument already defined", inst->symbol);
    /* Ids are uint32_t indexes: the 32-bit reserve keeps UINT32_MAX free as "none". */
    if (!set->by_symbol) {
        tl_hashmap *m = malloc(sizeof(*m));
        if (!m || tl_hashmap_init(m, 16) != 0) {
            free(m);
            return tl_err_set(err, TL_ENOMEM, "cannot add %s: out of memory", inst->symbol);
        }
        set->by_symbol = m;
    }
    /* The index first: once the item is appended nothing can fail. */
    if (TL_VEC_RESERVE32(&set->items, &set->cap, (size_t)set->count + 1) != 0 ||
        tl_hashmap_insert_multi(set->by_symbol, symbol_hash(inst->symbol), set->count) != 0)
        return tl_err_set(err, TL_ENOMEM, "cannot add %s: out of memory or of instrument ids",
                          inst->symbol);
    /* Copy field by field through a zeroed struct: the caller's arrays may hold bytes after the
     * NUL that would otherwise leak into comparisons and dumps. */
    tl_instrument *dst = &set->items[set->count];
    memset(dst, 0, sizeof(*dst));
    strcpy(dst->symbol, inst->symbol);
    strcpy(dst->base, inst->base);
    strcpy(dst->quote, inst->quote);
    dst->tick_size = inst->tick_size;
    dst->lot_size = inst->lot_size;
    dst->min_qty = inst->min_qty;
    dst->max_qty = inst->max_qty;
    dst->min_notional = inst->min_notional;
    if (id != NULL)
        *id = set->count;
    set->count++;
    return 0;
}

int tl_instruments_find(const tl_instruments *set, const char *symbol, uint32_t *id)
{
    if (symbol == NULL || set->by_symbol == NULL)
        return TL_ENOTFOUND;
    uint64_t cursor = 0;
    uint32_t i;
    uint64_t h = symbol_hash(symbol);
    while (tl_hashmap_next_match(set->by_symbol, h, &cursor, &i)) {
        if (strcmp(set->items[i].symbol, symbol) == 0) {
            if (id != NULL)
                *id = i;
            return 0;
        }
    }
    return TL_ENOTFOUND;
}

/* Increments of the symbols the demos and the shadow run trade, after Binance's spot filters. */
typedef struct known_instrument {
    const char *symbol, *base, *quote;
    tl_fixed tick, lot, min_qty, max_qty, min_notional;
} known_instrument;

/* n/d as a fixed, for the power-of-ten increments below: FX(1, 100) is 0.01. */
#define FX(n, d) ((tl_fixed)(n) * (TL_FIXED_SCALE / (d)))

static const known_instrument KNOWN[] = {
    {"BTCUSDT", "BTC", "USDT", FX(1, 100), FX(1, 100000), FX(1, 100000), TL_FIXED_INT(1000),
     TL_FIXED_INT(5)},
    {"ETHUSDT", "ETH", "USDT", FX(1, 100), FX(1, 10000), FX(1, 10000), TL_FIXED_INT(10000),
     TL_FIXED_INT(5)},
    {"SOLUSDT", "SOL", "USDT", FX(1, 1000), FX(1, 1000), FX(1, 1000), TL_FIXED_INT(100000),
     TL_FIXED_INT(5)},
    {"BNBUSDT", "BNB", "USDT", FX(1, 100), FX(1, 1000), FX(1, 1000), TL_FIXED_INT(100000),
     TL_FIXED_INT(5)},
    {"XRPUSDT", "XRP", "USDT", FX(1, 10000), FX(1, 10), FX(1, 10), TL_FIXED_INT(10000000),
     TL_FIXED_INT(5)},
};

/* Quote assets of the generic rule, longest first so "USDT" wins over "USD". Fiat and stable
 * coins only: the generic increments (tick 0.01) suit a price in them, not one in BTC. */
static const char *const QUOTES[] = {"USDT", "USDC", "USD", "EUR", "CHF"};
#define N_QUOTES (sizeof(QUOTES) / sizeof(QUOTES[0]))

/* Quote assets a pair may end in (tl_pair_parse), longest first so the longest suffix wins
 * ("FDUSD" before "USD", "USDT" before "USD"). TUSD and BUSD are left out on purpose: "DOTUSD"
 * and "BNBUSD" would split as DO/TUSD and BN/BUSD. */
static const char *const PAIR_QUOTES[] = {"FDUSD", "USDT", "USDC", "USD", "EUR", "GBP",
                                          "CHF",   "JPY",  "TRY",  "BTC", "ETH", "BNB"};
#define N_PAIR_QUOTES (sizeof(PAIR_QUOTES) / sizeof(PAIR_QUOTES[0]))

/* The first of list[0..n) that symbol (valid, len bytes) ends in after a non-empty base: its
 * index, or -1. */
static int quote_suffix(const char *symbol, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t qlen = strlen(list[i]);
        if (len > qlen && strcmp(symbol + len - qlen, list[i]) == 0)
            return (int)i;
    }
    return -1;
}

static void fill_instrument(tl_instrument *out, const char *symbol, const char *base, size_t blen,
                            const char *quote)
{
    memset(out, 0, sizeof(*out));
    strcpy(out->symbol, symbol);
    memcpy(out->base, base, blen);
    strcpy(out->quote, quote);
}

int tl_instrument_default(const char *symbol, tl_instrument *out, tl_err *err)
{
    int rc = tl_symbol_validate(symbol, err);

    if (rc != 0)
        return rc;
    for (size_t i = 0; i < sizeof(KNOWN) / sizeof(KNOWN[0]); i++) {
        const known_instrument *k = &KNOWN[i];
        if (strcmp(symbol, k->symbol) != 0)
            continue;
        fill_instrument(out, k->symbol, k->base, strlen(k->base), k->quote);
        out->tick_size = k->tick;
        out->lot_size = k->lot;
        out->min_qty = k->min_qty;
        out->max_qty = k->max_qty;
        out->min_notional = k->min_notional;
        return 0;
    }
    size_t len = strlen(symbol);
    int q = quote_suffix(symbol, len, QUOTES, N_QUOTES);
    if (q < 0) {
        return tl_err_set(err, TL_EINVAL,
                          "%s: unknown quote asset (expected a symbol ending in "
                          "USDT, USDC, USD, EUR or CHF)",
                          symbol);
    }
    size_t blen = len - strlen(QUOTES[q]);
    if (blen >= TL_ASSET_MAX) {
        return tl_err_set(err, TL_EINVAL, "%s: base asset longer than %d characters", symbol,
                          TL_ASSET_MAX - 1);
    }
    fill_instrument(out, symbol, symbol, blen, QUOTES[q]);
    out->tick_size = FX(1, 100);
    out->lot_size = FX(1, 1000);
    out->min_qty = FX(1, 1000);
    out->max_qty = TL_FIXED_INT(1000000);
    out->min_notional = TL_FIXED_INT(5);
    return 0;
}

int tl_pair_parse(const char *symbol, char base[TL_ASSET_MAX], char quote[TL_ASSET_MAX],
                  tl_err *err)
{
    int rc = tl_symbol_validate(symbol, err);
    if (rc != 0)
        return rc;
    size_t len = strlen(symbol);
    int q = quote_suffix(symbol, len, PAIR_QUOTES, N_PAIR_QUOTES);
    if (q < 0)
        return tl_err_set(err, TL_EINVAL,
                          "%s: unknown quote asset (expected a symbol ending in one of FDUSD, "
                          "USDT, USDC, USD, EUR, GBP, CHF, JPY, TRY, BTC, ETH, BNB)",
                          symbol);
    size_t qlen = strlen(PAIR_QUOTES[q]), blen = len - qlen;
    if (blen >= TL_ASSET_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: base asset longer than %d characters", symbol,
                          TL_ASSET_MAX - 1);
    memcpy(base, symbol, blen);
    base[blen] = '\0';
    memcpy(quote, PAIR_QUOTES[q], qlen + 1);
    return 0;
}

int tl_instrument_any(const char *symbol, tl_instrument *out, tl_err *err)
{
    int rc = tl_symbol_validate(symbol, err);
    if (rc != 0)
        return rc;
    size_t len = strlen(symbol);
    /* The base asset is the symbol itself, cut to fit: nothing here reads it but people. */
    fill_instrument(out, symbol, symbol, len < TL_ASSET_MAX ? len : TL_ASSET_MAX - 1, "USD");
    out->tick_size = 1;
    out->lot_size = 1;
    out->min_qty = 1;
    out->max_qty = TL_FIXED_MAX;
    out->min_notional = 0;
    return 0;
}
