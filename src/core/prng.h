/*
 * prng.h -- deterministic pseudo-random numbers (xoshiro256**, seeded through splitmix64).
 *
 * Every simulated thing (exchange fills, quote generators, sweeps) draws from a tl_prng that it
 * owns, seeded explicitly, so the same seed gives the same run on every machine. Probabilities are
 * compared as integers (tl_prng_chance with a fixed-point rate), not as doubles, so no rounding
 * mode or compiler flag can change a decision.
 */
#ifndef TL_CORE_PRNG_H
#define TL_CORE_PRNG_H

#include <stdbool.h>
#include <stdint.h>

#include "tradeloop/fixed.h"

typedef struct tl_prng {
    uint64_t s[4];
} tl_prng;

void tl_prng_seed(tl_prng *rng, uint64_t seed);
uint64_t tl_prng_next(tl_prng *rng);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t tl_prng_below(tl_prng *rng, uint64_t n);
/* Threshold for tl_prng_chance: rate is fixed-point in [0, 1]. */
uint64_t tl_prng_threshold(tl_fixed rate);
/* True with probability threshold / 2^64; a threshold from rate 1.0 is always true. */
static inline bool tl_prng_chance(tl_prng *rng, uint64_t threshold)
{
    return threshold == UINT64_MAX || tl_prng_next(rng) < threshold;
}

#endif /* TL_CORE_PRNG_H */
