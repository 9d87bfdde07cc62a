/*
 * prng.c -- xoshiro256** (Blackman and Vigna), seeded through splitmix64.
 *
 * splitmix64 turns any 64-bit seed, even 0 or 1, into four well-mixed state words, so nearby
 * seeds give unrelated streams and the all-zero state (a fixed point of xoshiro) is not reached.
 */
#include <assert.h>

#include "core/prng.h"

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void tl_prng_seed(tl_prng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

uint64_t tl_prng_next(tl_prng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Lemire's multiply-shift: the high word of x*n is uniform in [0, n) once the low word rejects
 * the 2^64 mod n values that would bias it. One multiply, and a division only on the rare path. */
uint64_t tl_prng_below(tl_prng *rng, uint64_t n)
{
    assert(n > 0);
    if (n == 0)
        return 0;
    unsigned __int128 m = (unsigned __int128)tl_prng_next(rng) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t t = (0 - n) % n; /* 2^64 mod n */
        while (lo < t) {
            m = (unsigned __int128)tl_prng_next(rng) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* floor(rate * 2^64) exactly: rate is rate_raw / 10^8, so the threshold is
 * floor(rate_raw * 2^64 / 10^8), which fits in 64 bits for rate_raw < 10^8. */
uint64_t tl_prng_threshold(tl_fixed rate)
{
    if (rate <= 0)
        return 0;
    if (rate >= TL_FIXED_SCALE)
        return UINT64_MAX;
    return (uint64_t)(((unsigned __int128)rate << 64) / (unsigned __int128)TL_FIXED_SCALE);
}
