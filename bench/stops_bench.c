/* stops_bench.c -- see stops_bench.h. */
#include "bench/stops_bench.h"

#include <stdlib.h>
#include <time.h>

#include "core/prng.h"
#include "loop/stop_book.h"

#define STOP_PCT TL_FIXED_INT(2)
#define HITS_CAP 256

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The stop of (account, inst), 2% from an entry within 1% of px (so stops spread over a range of
 * prices, as entries made at different times do); even accounts hold longs, odd ones shorts. Stop
 * i of the setup is account i / instruments on instrument i % instruments. */
static int set_stop(tl_stop_book *book, tl_prng *rng, uint32_t account, uint32_t inst, tl_fixed px,
                    tl_err *err)
{
    bool is_long = account % 2 == 0;
    tl_fixed entry = px + px / 10000 * ((tl_fixed)tl_prng_below(rng, 201) - 100), stop;
    if (tl_stop_price(is_long, entry, STOP_PCT, &stop) != 0)
        return tl_err_set(err, TL_ERANGE, "bench: price walked out of range");
    return tl_stop_book_set(book, account, inst, is_long, stop, TL_FIXED_INT(1), err);
}

int tl_bench_stops(const tl_bench_stops_config *cfg, tl_bench_stops_result *out, tl_err *err)
{
    if (cfg->stops == 0 || cfg->instruments == 0 || cfg->instruments > cfg->stops ||
        cfg->instruments > TL_STOP_MAX_INSTRUMENTS || cfg->quotes == 0)
        return tl_err_set(err, TL_EINVAL, "want 0 < instruments <= stops and quotes > 0");
    tl_fixed *px = malloc((size_t)cfg->instruments * sizeof(*px));
    tl_stop *hits = malloc(HITS_CAP * sizeof(*hits));
    tl_stop_book book;
    int rc = tl_stop_book_init(&book, cfg->stops);
    if (px == NULL || hits == NULL || rc != 0) {
        rc = tl_err_set(err, TL_ENOMEM, "bench: out of memory");
        goto done;
    }
    tl_prng rng;
    tl_prng_seed(&rng, cfg->seed);
    for (uint32_t i = 0; i < cfg->instruments; i++)
        px[i] = TL_FIXED_INT(100);
    for (uint32_t i = 0; i < cfg->stops; i++)
        if ((rc = set_stop(&book, &rng, i / cfg->instruments, i % cfg->instruments, px[0], err)) !=
            0)
            goto done;

    uint64_t triggered = 0;
    double start = mono_s();
    for (uint64_t q = 0; q < cfg->quotes; q++) {
        uint32_t inst = (uint32_t)(q % cfg->instruments);
        /* One step of -1..+1 bp, in tenths of a bp; a 1 bp spread around the price. */
        tl_fixed p = px[inst];
        p += p / 100000 * ((tl_fixed)tl_prng_below(&rng, 21) - 10);
        px[inst] = p;
        tl_fixed half = p / 20000;
        size_t n;
        int more;
        do {
            more = tl_stop_book_crossed(&book, inst, p - half, p + half, hits, HITS_CAP, &n);
            for (size_t k = 0; k < n; k++) {
                tl_stop_book_disarm(&book, hits[k].account, inst);
                if ((rc = set_stop(&book, &rng, hits[k].account, inst, p, err)) != 0 ||
                    (rc = tl_stop_book_arm(&book, hits[k].account, inst)) != 0)
                    goto done;
            }
            triggered += n;
        } while (more);
    }
    double secs = mono_s() - start;
    out->quotes = cfg->quotes;
    out->triggered = triggered;
    out->seconds = secs;
    out->quotes_per_sec = secs > 0 ? (double)cfg->quotes / secs : 0;
done:
    tl_stop_book_close(&book);
    free(px);
    free(hits);
    return rc;
}
