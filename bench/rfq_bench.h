/*
 * rfq_bench.h -- the RFQ desk's figures (issue 9, "Tests and figures").
 *
 * rounds: best-quote aggregation. `lps` simulated LPs (lpsim://, LP-01.., phases spread over a
 *   period, spreads 5..14 bps, the default 200-500 ms answer delays and 8 s validity), one desk
 *   (src/rfq/desk.h) streaming `b 1.5 btc btcusdt` with a 500 ms poll, the engine's journal on
 *   the in-memory store (mem:; the desk needs a journal). The simulated clock moves by the poll
 *   interval before each round, so every answer of the previous round has arrived. One round is
 *   one tl_desk_tick: the lps answers of the previous round judged (an lp_quotes row built and
 *   buffered for each, the best chosen, the lock offered: a quotes row and an event when it locks
 *   or improves), the lps LPs asked again (each request checked by lp.c and priced by the sine
 *   wave of the simulated LP), and the commit (the engine's forced flush: the journal writes the
 *   rows into mem:, then the events are handed to the callback). The time of each round is
 *   measured on its own; when a lock runs out the stream ends and a new request (which asks the
 *   lps LPs once) starts the next stream outside the timed rounds: `requests` counts them.
 *
 * aggregation: the desk's own work on a round, alone (rfq/round.h): the lps answers judged at the
 *   next poll -- an lp_quotes row written in place into the journal's buffer for each, the best
 *   chosen, the lock offered -- with the same LPs, request and poll as rounds. Not timed: the LPs
 *   answering (the simulated LP stands for a remote one, whose time is its own), the journal's
 *   commit (the rows figure measures it) and the quote row and event of a lock (built by the desk
 *   after the judging). Each judging is timed on its own.
 *
 * rows: quote rows logged durably. Rows shaped like the desk's (per round `lps` lp_quotes rows and
 *   one quotes row) through tl_journal_add_lp_quote / _add_quote and tl_journal_flush into the
 *   store at db_url, one commit per `rounds_per_commit` rounds (1 is how the desk commits); rows/s
 *   over the whole run, building the rows included.
 */
#ifndef TL_BENCH_RFQ_H
#define TL_BENCH_RFQ_H

#include <stdint.h>

#include "tradeloop.h"
#include "lp/lp.h"
#include "tradeloop/clock.h"
#include "tradeloop/store.h"

typedef struct tl_bench_rfq_rounds_config {
    uint32_t lps;    /* LPs polled each round, 1..TL_DESK_MAX_LPS */
    uint64_t rounds; /* timed rounds */
} tl_bench_rfq_rounds_config;

typedef struct tl_bench_rfq_rounds_result {
    uint64_t rounds;
    uint64_t requests;            /* streams started between timed rounds (after an expiry) */
    uint64_t locks, improvements; /* lock events of the timed rounds */
    uint64_t expiries;            /* streams ended by the lock running out */
    uint64_t lp_rows, quote_rows; /* rows the timed rounds committed */
    double seconds;               /* the timed rounds only */
    double rounds_per_sec;        /* rounds / seconds */
    uint64_t p50_ns, p99_ns, p999_ns, max_ns; /* per round */
} tl_bench_rfq_rounds_result;

int tl_bench_rfq_rounds(const tl_bench_rfq_rounds_config *cfg, tl_bench_rfq_rounds_result *out,
                        tl_err *err);

/* The aggregation figure in the rounds' result: requests and quote_rows stay 0 (no desk). */
int tl_bench_rfq_aggregate(const tl_bench_rfq_rounds_config *cfg, tl_bench_rfq_rounds_result *out,
                           tl_err *err);

/* n simulated LPs as both figures use them (see above), on clock; *out owned by the caller (close
 * each, then free). */
int tl_bench_rfq_open_lps(tl_clock *clock, uint32_t n, tl_lp **out, tl_err *err);

typedef struct tl_bench_rfq_rows_config {
    const char *db_url; /* borrowed */
    tl_durability durability;
    uint32_t lps;               /* lp_quotes rows per round */
    uint64_t rounds;            /* rounds written */
    uint32_t rounds_per_commit; /* 1: the desk's shape */
} tl_bench_rfq_rows_config;

typedef struct tl_bench_rfq_rows_result {
    char backend[16];
    uint64_t rows, commits;
    double seconds;
    double rows_per_sec;
    double commit_mean_us; /* seconds / commits */
} tl_bench_rfq_rows_result;

int tl_bench_rfq_rows(const tl_bench_rfq_rows_config *cfg, tl_bench_rfq_rows_result *out,
                      tl_err *err);

#endif /* TL_BENCH_RFQ_H */
