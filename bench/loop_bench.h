/*
 * loop_bench.h -- the governed loop (src/loop/loop.h) under a quote stream: `accounts` virtual
 * accounts over `symbols` symbols (account i trades symbol i % symbols), each entered once through
 * tl_loop_on_signal so it holds a position and a stop, then `quotes` timed quotes through
 * tl_loop_on_quote: the engine's reference and filters, the simulated venue's price, and the stop
 * book. This is the figure of issue 8: quotes/s through filters and stop monitoring with 10,000
 * live stops over 100 symbols, on one core.
 *
 * The setup (untimed). Symbol s trades at P = 100; the j-th of the J accounts of a symbol
 * (j = i / symbols) enters when its symbol's mid is P * (1 + (2j - J + 1) / 200J), within 0.5 %
 * of P, long when j is even, short when odd, so a symbol's stops spread over steps of 1% / J (1 bp
 * for 100 accounts a symbol). Every quote has a 1 bp spread. Longs enter at the ask and shorts at
 * the bid (the venue fills market orders there), each with the signal's expected price = that
 * price, so every filter of the account's rules runs.
 *
 * The timed stream. Quotes go round the symbols; each one's mid is P moved by a random step of at
 * most ±0.5 %, which crosses no stop (longs' stops are below 0.986 P, shorts' above 1.014 P). With
 * cross_every N, every N-th quote instead crosses exactly one stop, on the symbols in turn: the
 * top of one side of the symbol (the long with the highest stop, or the short with the lowest,
 * alternating), at exactly the stop's price, which sends its reduce-only exit through the kernel
 * and the venue; then, in the same timed step, a quote at a new entry price and an entry signal
 * take the position again, so the number of live stops stays the same. The new entry is one step
 * below every entry of its side for a long (above, for a short), so the stops of a side rotate (the
 * next crossing takes the next account) and a side's entries always span 1 %, less than the 2 % to
 * its stops: the quote of a new entry crosses no other stop. Entries walk away from P by one step a
 * crossing; a run that would take them more than 20 % away is refused.
 *
 * Simulated time moves 1 us per quote (the clock is set to each quote's time, as the host does in
 * a replay), so the quote-age filter sees fresh quotes. Every step ends at the loop's step
 * boundary (tl_loop_flush, as the host's step does): with a journal, its group commit.
 * Reconciliation (a timer of the host every few seconds) is not part of this figure.
 */
#ifndef TL_BENCH_LOOP_H
#define TL_BENCH_LOOP_H

#include <stdint.h>

#include "loop/loop.h"

typedef struct tl_bench_loop_config {
    const tl_loop_va *rules; /* borrowed: the rules and stop of every account (name, balance
                                are the bench's) */
    uint32_t accounts;       /* virtual accounts, one position each */
    uint32_t symbols;        /* they spread over this many symbols, 1 <= symbols <= accounts */
    uint64_t quotes;         /* timed quotes */
    uint64_t cross_every;    /* 0: no quote crosses a stop; N: every N-th crosses one */
    const char *journal_url; /* NULL: no journal; else journaled into this store (mem:) */
    uint64_t seed;
} tl_bench_loop_config;

typedef struct tl_bench_loop_result {
    uint64_t quotes;      /* tl_loop_on_quote calls timed (crossing steps count two) */
    uint64_t steps;       /* timed steps: one per quote, a crossing step is one */
    uint64_t crossings;   /* stop-loss exits sent */
    uint64_t reentries;   /* entries accepted after them */
    uint32_t stops_start; /* live stops when the clock started */
    uint32_t stops_end;   /* and when it stopped */
    uint64_t journal_events;
    double seconds;
    double quotes_per_sec;
    uint64_t p50_ns, p99_ns, p999_ns, max_ns; /* per step */
} tl_bench_loop_result;

int tl_bench_loop(const tl_bench_loop_config *cfg, tl_bench_loop_result *out, tl_err *err);

#endif /* TL_BENCH_LOOP_H */
