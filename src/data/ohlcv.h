/*
 * ohlcv.h -- the OHLCV CSV loader: a `timestamp,open,high,low,close,volume` file into a tl_bars
 * (bar.h), for the strategy runner and backtests (issue 11).
 *
 * The format, as the files in data/ have it:
 *
 *   timestamp,open,high,low,close,volume        the header, exactly, on line 1 (a UTF-8 byte
 *   2000-09-27T00:00:00Z,63.4375,63.5625,...    order mark before it is skipped)
 *
 * Timestamps are ISO-8601 UTC instants (tl_time_parse_iso: "Z" or "+00:00", fraction optional)
 * and strictly increase from line to line. Values are exact decimals with at most 8 places
 * (tl_fixed_parse; no exponent, no spaces, no quoting). Each bar must have low > 0,
 * high >= max(open, close), low <= min(open, close) and volume >= 0. Lines end in "\n" or
 * "\r\n"; the last line may have no end. Empty lines (nothing, or only spaces and tabs) at the
 * end of the file are ignored; one followed by another bar is refused. A file without a bar
 * (empty, or a header alone) is refused: "no bars".
 *
 * A refusal names the place and the reason, "msft.csv:12: high 10 is below open 11 (want high
 * >= max(open, close))", in one printable line, and stops there: the first bad line fails the
 * whole file, and the caller's tl_bars is not touched, so a zeroed one stays empty.
 *
 * Speed: the file is mapped (mmap) and parsed in place, one pass, with no allocation but the
 * bar array's growth (core/vec.h); a field is never copied except a timestamp, into a stack
 * buffer, because tl_time_parse_iso reads a NUL-terminated string.
 */
#ifndef TL_DATA_OHLCV_H
#define TL_DATA_OHLCV_H

#include <stddef.h>

#include "data/bar.h"
#include "tradeloop.h"

#define TL_OHLCV_HEADER "timestamp,open,high,low,close,volume"

/* Parses buf[0..len) (borrowed; no NUL needed, none may sit inside a field). name (borrowed,
 * NULL for "(buffer)") starts every message. On success *out is overwritten with a series the
 * caller owns (free it with tl_bars_free; a series already in *out is not freed here) and n > 0.
 * On failure returns TL_EINVAL (a malformed line or a broken rule), TL_EPRECISION (more than 8
 * decimals), TL_ERANGE (a value or time out of range) or TL_ENOMEM, with *out untouched. */
int tl_ohlcv_parse(const char *buf, size_t len, const char *name, tl_bars *out, tl_err *err);

/* Maps the file at path (borrowed) and parses it as tl_ohlcv_parse does, with path as the name.
 * TL_EIO when the file cannot be opened, read or mapped, or is not a regular file. */
int tl_ohlcv_load(const char *path, tl_bars *out, tl_err *err);

/* The symbol a data file's name suggests: "data/msft_daily.csv" -> "MSFT" (its name up to the
 * first '_' or '.', upper-cased) into sym[cap]; "" when that is not a valid symbol. */
void tl_ohlcv_symbol_of_path(const char *path, char *sym, size_t cap);

#endif /* TL_DATA_OHLCV_H */
