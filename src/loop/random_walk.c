/* random_walk.c -- the synthetic quote feed (see random_walk.h). */
#include "loop/random_walk.h"

#include <stdint.h>
#include <string.h>

#include "tradeloop/instrument.h"

#define STEP_BPS 5 /* the mid moves by -5..5 bps a step */

int tl_random_walk_init(tl_random_walk *w, uint64_t seed, const char *symbol, tl_fixed mid,
                        tl_fixed spread_bps, int64_t start_ns, int64_t step_ns, uint64_t count,
                        tl_err *err)
{
    tl_instrument probe;
    int rc;
    if ((rc = tl_instrument_any(symbol, &probe, err)) != 0)
        return rc;
    if (mid <= 0 || step_ns <= 0 || spread_bps < 0 || spread_bps >= TL_QUOTE_CSV_SPREAD_MAX)
        return tl_err_set(err, TL_EINVAL,
                          "random walk: price > 0, step > 0 and spread in [0, 20000) bps");
    memset(w, 0, sizeof(*w));
    tl_prng_seed(&w->rng, seed);
    memcpy(w->symbol, probe.symbol, sizeof(w->symbol));
    w->mid = mid;
    w->spread_bps = spread_bps;
    w->next_ns = start_ns;
    w->step_ns = step_ns;
    w->left = count ? count : UINT64_MAX;
    return 0;
}

/* x * bps / 10000 exactly, rounded half away from zero (tl_fixed's rule). */
static tl_fixed bps_of(tl_fixed x, tl_fixed bps)
{
    __int128 p = (__int128)x * bps, den = (__int128)TL_FIXED_SCALE * 10000;
    __int128 q = (p + (p >= 0 ? den / 2 : -den / 2)) / den;
    return (tl_fixed)q;
}

int tl_random_walk_next(tl_random_walk *w, tl_quote *q)
{
    if (w->left == 0)
        return 0;
    if (w->left != UINT64_MAX)
        w->left--;
    int64_t k = (int64_t)tl_prng_below(&w->rng, 2 * STEP_BPS + 1) - STEP_BPS;
    tl_fixed moved = w->mid + bps_of(w->mid, TL_FIXED_INT(k));
    if (moved > 0)
        w->mid = moved;
    tl_fixed half = bps_of(w->mid, w->spread_bps) / 2;
    memset(q, 0, sizeof(*q));
    q->ts_ns = w->next_ns;
    memcpy(q->symbol, w->symbol, sizeof(q->symbol));
    q->bid = w->mid - half > 0 ? w->mid - half : w->mid;
    q->ask = w->mid + half;
    w->next_ns += w->step_ns;
    return 1;
}
