/*
 * bar.h -- one OHLCV bar and a series of them: what the CSV loader (ohlcv.c) fills and what the
 * strategy runner and backtests read (issue 11).
 *
 * Prices and volume are tl_fixed (1e-8 units), times are nanoseconds since the Unix epoch, UTC,
 * of the bar's timestamp as written in its source. A series is owned by whoever filled it and
 * freed with tl_bars_free; its bars are in strictly increasing time.
 */
#ifndef TL_DATA_BAR_H
#define TL_DATA_BAR_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/fixed.h"

typedef struct tl_bar {
    int64_t ts_ns;
    tl_fixed open, high, low, close;
    tl_fixed volume;
} tl_bar;

typedef struct tl_bars {
    tl_bar *v; /* owned */
    size_t n, cap;
} tl_bars;

/* Frees b's bars and empties it (n = cap = 0, v = NULL); a zeroed or emptied series is fine, so
 * is NULL. Defined in ohlcv.c, which fills series. */
void tl_bars_free(tl_bars *b);

#endif /* TL_DATA_BAR_H */
