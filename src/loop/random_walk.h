/*
 * random_walk.h -- a synthetic quote feed for `tradeloop run --random-walk SEED`: one quote per
 * step of one symbol, the mid moving by a whole number of basis points in [-5, 5] drawn from the
 * project's PRNG, bid and ask spread_bps apart around it. Deterministic: the same seed, start and
 * step give the same quotes, byte for byte, in replay; live, the host's timer paces it.
 */
#ifndef TL_LOOP_RANDOM_WALK_H
#define TL_LOOP_RANDOM_WALK_H

#include "core/prng.h"
#include "loop/quote_csv.h"

typedef struct tl_random_walk {
    tl_prng rng;
    char symbol[TL_SYMBOL_MAX];
    tl_fixed mid, spread_bps;
    int64_t next_ns, step_ns;
    uint64_t left; /* quotes still to give; UINT64_MAX = no end */
} tl_random_walk;

/* symbol (validated), the first mid (> 0), spread in [0, 20000) bps, the first quote's time, the
 * step between quotes (> 0) and how many (0 = no end). TL_EINVAL naming what is wrong. */
int tl_random_walk_init(tl_random_walk *w, uint64_t seed, const char *symbol, tl_fixed mid,
                        tl_fixed spread_bps, int64_t start_ns, int64_t step_ns, uint64_t count,
                        tl_err *err);
/* The next quote into *q: 1, or 0 when the walk has ended. */
int tl_random_walk_next(tl_random_walk *w, tl_quote *q);

#endif /* TL_LOOP_RANDOM_WALK_H */
