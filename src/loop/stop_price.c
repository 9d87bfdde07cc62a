/* stop_price.c -- a stop's price from the average entry price and a percent (stop_book.h). */
#include "loop/stop_book.h"

/* num / den for num >= 0, den > 0, rounded up or down (not the half-away rule of fixed.h: a stop
 * rounds toward the entry price, see stop_book.h). */
static __int128 div_directed(__int128 num, __int128 den, bool up)
{
    __int128 q = num / den;
    return up && q * den != num ? q + 1 : q;
}

int tl_stop_price(bool is_long, tl_fixed avg_entry, tl_fixed pct, tl_fixed *out)
{
    const __int128 hundred = (__int128)100 * TL_FIXED_SCALE; /* 100% in fixed-point units */
    if (avg_entry <= 0 || pct <= 0 || pct >= hundred)
        return TL_EINVAL;
    /* avg * (100 -/+ pct) / 100 in raw units: the scales of pct and 100 cancel. |num| < 2^63 *
     * 2e10 < 2^98, far inside 128 bits. */
    __int128 factor = is_long ? hundred - pct : hundred + pct;
    __int128 r = div_directed((__int128)avg_entry * factor, hundred, is_long);
    if (r > TL_FIXED_MAX)
        return TL_ERANGE;
    *out = (tl_fixed)r;
    return 0;
}
