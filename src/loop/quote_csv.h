/*
 * quote_csv.h -- the lines of a quotes file (`tradeloop run --quotes FILE.csv`).
 *
 * Two formats, chosen by the header line, which must be the first line that is not blank:
 *
 *   timestamp,symbol,bid,ask     one quote per line, for any symbol
 *   timestamp,price              one price per line, for the symbol and spread the caller gives
 *                                (--symbol S --spread-bps X):
 *                                bid = price * (1 - X/20000), ask = price * (1 + X/20000)
 *
 * Rounding of the one-price format: each side is one exact 128-bit product and quotient,
 * price * (20000 - X) / 20000 and price * (20000 + X) / 20000 with X in 1e-8 bps, rounded once
 * to 8 decimals half away from zero (fixed.h's one rule). So ask - bid may differ from the
 * spread by one unit in the last place, never more, and a zero spread gives bid = ask = price.
 *
 * Rules: timestamps are ISO-8601 UTC (tl_time_parse_iso: "1996-04-01T00:00:00Z", fraction
 * optional) and never go backwards over the file (equal is allowed; a later one is refused with
 * both times); the symbol is 1..15 of [A-Z0-9]; prices are exact decimals with at most 8 places;
 * bid > 0 and ask >= bid; exactly as many columns as the header, no quoting, no spaces. Lines
 * may end in "\n" or "\r\n"; blank lines (nothing but spaces and tabs) are skipped; a UTF-8 byte
 * order mark before the header is skipped.
 *
 * Errors name the column and why; the caller adds the source ("quotes.csv line 12: ") and may
 * go on with the next line: a refused line changes nothing in the reader.
 */
#ifndef TL_LOOP_QUOTE_CSV_H
#define TL_LOOP_QUOTE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/fixed.h"
#include "tradeloop/instrument.h"

#define TL_QUOTE_CSV_HEADER_BIDASK "timestamp,symbol,bid,ask"
#define TL_QUOTE_CSV_HEADER_PRICE  "timestamp,price"
/* The spread of the one-price format is below 20000 bps, so bid stays positive. */
#define TL_QUOTE_CSV_SPREAD_MAX TL_FIXED_INT(20000)

typedef struct tl_quote {
    int64_t ts_ns;              /* UTC nanoseconds */
    char symbol[TL_SYMBOL_MAX]; /* NUL-terminated */
    tl_fixed bid;               /* > 0 */
    tl_fixed ask;               /* >= bid */
} tl_quote;

typedef enum tl_quote_csv_format {
    TL_QUOTE_CSV_NONE = 0, /* no header seen yet */
    TL_QUOTE_CSV_BIDASK,
    TL_QUOTE_CSV_PRICE,
} tl_quote_csv_format;

/* The reader's state between lines. Caller-allocated, nothing owned: no close. */
typedef struct tl_quote_csv {
    tl_quote_csv_format format;
    char symbol[TL_SYMBOL_MAX]; /* the caller's symbol, "" when none was given */
    tl_fixed spread_bps;        /* the caller's spread, 0 <= X < 20000 */
    int64_t last_ts;            /* timestamp of the last quote, when quotes > 0 */
    uint64_t quotes;            /* quotes produced so far */
} tl_quote_csv;

/* symbol (borrowed, may be NULL) and spread_bps are for a `timestamp,price` file: a file of that
 * format without a symbol is refused at its header, and a `timestamp,symbol,bid,ask` file with
 * one too (the file names its symbols; a symbol given for it is a mistake worth saying). TL_EINVAL
 * for a malformed symbol or a spread outside [0, 20000). */
int tl_quote_csv_init(tl_quote_csv *r, const char *symbol, tl_fixed spread_bps, tl_err *err);

/* Feeds one line (len bytes, a trailing "\n" or "\r\n" allowed, no NUL needed). Returns 1 with
 * *out filled for a quote, 0 for the header or a blank line, a negative TL_E* code for a refused
 * line (*out untouched). */
int tl_quote_csv_line(tl_quote_csv *r, const char *line, size_t len, tl_quote *out, tl_err *err);

#endif /* TL_LOOP_QUOTE_CSV_H */
