/*
 * book_bench.h -- the exchange's order book alone (issue 12's figure): a seeded mix of
 * operations on a book held near `resting` orders, timed on one core.
 *
 * The book is first filled with `resting` GTC orders, bids below and asks above 1000.00 (tick
 * 0.01) within 500 ticks, 1 to 10 lots each. Then `ops` operations, drawn from a tl_prng:
 * 45% adds (GTC limits on either side within the same band; one in twenty priced through the
 * spread, so it trades), 45% cancels of a random resting order, 10% market orders of 1 to 10
 * lots. While the book is below `resting`, a cancel draw adds instead, so the count stays near
 * it. The timed loop includes the draws and the bench's own list of live ids (an array; an id
 * drawn for a cancel that was filled meanwhile is dropped and another drawn): the figure is the
 * book's cost plus that little, never less.
 */
#ifndef TL_BENCH_BOOK_H
#define TL_BENCH_BOOK_H

#include <stdint.h>

#include "tradeloop.h"

typedef struct tl_bench_book_result {
    uint64_t ops, adds, cancels, markets, fills;
    uint64_t resting_end; /* orders resting after the run */
    double seconds, ops_per_sec, ns_per_op;
} tl_bench_book_result;

/* resting >= 1, ops >= 1. 0, TL_EINVAL or TL_ENOMEM. */
int tl_bench_book(uint64_t resting, uint64_t ops, uint64_t seed, tl_bench_book_result *out,
                  tl_err *err);

#endif /* TL_BENCH_BOOK_H */
