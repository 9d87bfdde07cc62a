/* xmm_path.c -- see xmm.h: the price path of the market makers (a seeded walk or a csv's mids). */
#include "exchange/xmm.h"

/* v clamped to [lo, hi]. */
static tl_fixed clamp(tl_fixed v, tl_fixed lo, tl_fixed hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The row of refresh r when the path goes 0, 1, .., n-1, n-2, .., 1, 0, 1, ..: turning back at
 * either end rather than jumping from the last row to the first. */
static size_t ping_pong(uint64_t r, size_t n)
{
    if (n == 1)
        return 0;
    uint64_t period = 2 * (uint64_t)(n - 1);
    uint64_t p = r % period;
    return (size_t)(p < n ? p : period - p);
}

tl_fixed tl__xmm_path_price(tl_xmm_book *b, const tl_xsymbol_cfg *sym, uint64_t r)
{
    if (b->mids)
        return clamp(b->mids[ping_pong(r, b->cfg.n_mids)], b->lo, b->hi);
    /* The walk only goes forward: r behind it (never asked by tl_xmm_step, whose refresh numbers
     * only grow) gets where it is. */
    uint64_t span = 2 * (uint64_t)b->cfg.walk_step_ticks + 1;
    while (b->walk_moves < r) {
        int64_t k = (int64_t)tl_prng_below(&b->rng, span) - (int64_t)b->cfg.walk_step_ticks;
        /* In 128 bits: a large step of a large tick may leave int64 before the clamp. */
        __int128 m = (__int128)b->walk_mid + (__int128)k * sym->tick;
        b->walk_mid = m < b->lo ? b->lo : m > b->hi ? b->hi : (tl_fixed)m;
        b->walk_moves++;
    }
    return b->walk_mid;
}
