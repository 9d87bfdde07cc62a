/* book_bench.c -- see book_bench.h. */
#include "bench/book_bench.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/prng.h"
#include "exchange/book.h"

#define MID  100000 /* ticks: 1000.00 */
#define BAND 500    /* ticks either side */
#define TICK (TL_FIXED_INT(1) / 100)
#define LOT  (TL_FIXED_INT(1) / 1000)

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void count_fill(void *ctx, const tl_lob_fill *f)
{
    (void)f;
    (*(uint64_t *)ctx)++;
}

typedef struct run {
    tl_lob book;
    tl_prng rng;
    uint64_t *live; /* ids that may rest: some were filled since */
    size_t nlive, cap;
    uint64_t next_id, fills;
} run;

/* A GTC limit on a random side within the band; crossing one time in `cross_every`. */
static int add(run *r, uint64_t cross_every, tl_err *err)
{
    uint8_t side = (uint8_t)tl_prng_below(&r->rng, 2);
    int64_t off = 1 + (int64_t)tl_prng_below(&r->rng, BAND);
    if (cross_every && tl_prng_below(&r->rng, cross_every) == 0)
        off = -(int64_t)tl_prng_below(&r->rng, 3); /* at or through the other side's best */
    int64_t tick = side == TL_SIDE_BUY ? MID - off : MID + off;
    tl_lob_order o = {r->next_id++,
                      1,
                      side,
                      TL_ORDER_LIMIT,
                      TL_LOB_GTC,
                      tick * TICK,
                      LOT * (tl_fixed)(1 + tl_prng_below(&r->rng, 10))};
    tl_lob_result res;
    int rc = tl_lob_submit(&r->book, &o, count_fill, &r->fills, &res, err);
    if (rc == 0 && res.rested_qty > 0) {
        if (r->nlive == r->cap)
            return tl_err_set(err, TL_ENOMEM, "bench exchange: live id list full");
        r->live[r->nlive++] = o.order_id;
    }
    return rc;
}

/* Cancels a random resting order; ids drawn that were filled meanwhile leave the list. */
static void cancel(run *r)
{
    while (r->nlive > 0) {
        size_t i = (size_t)tl_prng_below(&r->rng, r->nlive);
        uint64_t id = r->live[i];
        r->live[i] = r->live[--r->nlive];
        if (tl_lob_cancel(&r->book, id, NULL) == 0)
            return;
    }
}

/* Drops the ids that were traded away (rare: the list has room for 4x the book). */
static void compact(run *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->nlive; i++)
        if (tl_lob_get(&r->book, r->live[i], NULL))
            r->live[k++] = r->live[i];
    r->nlive = k;
}

static int market(run *r, tl_err *err)
{
    tl_lob_order o = {r->next_id++,
                      2,
                      (uint8_t)tl_prng_below(&r->rng, 2),
                      TL_ORDER_MARKET,
                      TL_LOB_IOC,
                      0,
                      LOT * (tl_fixed)(1 + tl_prng_below(&r->rng, 10))};
    tl_lob_result res;
    return tl_lob_submit(&r->book, &o, count_fill, &r->fills, &res, err);
}

int tl_bench_book(uint64_t resting, uint64_t ops, uint64_t seed, tl_bench_book_result *out,
                  tl_err *err)
{
    if (resting == 0 || ops == 0 || resting > 50000000 || ops > 10000000000ull)
        return tl_err_set(err, TL_EINVAL, "bench exchange: resting and ops out of range");
    run r = {0};
    tl_prng_seed(&r.rng, seed);
    r.next_id = 1;
    r.cap = (size_t)resting * 4 + 64;
    r.live = malloc(r.cap * sizeof(*r.live));
    int rc = r.live ? tl_lob_init(&r.book, TICK, LOT, (size_t)resting * 2, err)
                    : tl_err_set(err, TL_ENOMEM, "bench exchange: out of memory");
    if (rc != 0) {
        free(r.live);
        return rc;
    }
    while (rc == 0 && tl_lob_count(&r.book) < resting)
        rc = add(&r, 0, err);
    memset(out, 0, sizeof(*out));
    uint64_t t0 = mono_ns();
    for (uint64_t i = 0; rc == 0 && i < ops; i++) {
        uint64_t pick = tl_prng_below(&r.rng, 100);
        if (pick < 10) {
            rc = market(&r, err);
            out->markets++;
        } else if (pick < 55 || tl_lob_count(&r.book) < resting) {
            rc = add(&r, 20, err);
            out->adds++;
        } else {
            cancel(&r);
            out->cancels++;
        }
        if (r.nlive + 1 >= r.cap)
            compact(&r);
    }
    uint64_t ns = mono_ns() - t0;
    if (rc == 0) {
        out->ops = ops;
        out->fills = r.fills;
        out->resting_end = tl_lob_count(&r.book);
        out->seconds = (double)ns / 1e9;
        out->ops_per_sec = (double)ops / out->seconds;
        out->ns_per_op = (double)ns / (double)ops;
    }
    tl_lob_close(&r.book);
    free(r.live);
    return rc;
}
