/*
 * journal_bench.h -- the journal benchmark: durable appends with group commit, replay, and the
 * latency of one order's durable acknowledgement.
 *
 * append: `events` events (order submitted / accepted / filled, with position and account rows
 *   per batch) in transactions of `batch` events, each committed with the store's full
 *   durability; events/s over the whole run.
 * replay: tl_replay of the workspace just written: reads through its journal, applies every fill
 *   and rebuilds state. Two rates: journal events replayed through per second (every event of
 *   the workspace is read past; a third of them are fills), and fills applied per second.
 * ack: `acks` single orders, each appended and committed on its own (its fill acknowledged only
 *   when the commit returns); p99 of that latency in microseconds.
 */
#ifndef TL_BENCH_JOURNAL_H
#define TL_BENCH_JOURNAL_H

#include <stdint.h>

#include "tradeloop.h"

typedef struct tl_bench_journal_config {
    const char *db_url; /* borrowed */
    uint64_t events;    /* appended in the throughput part */
    uint32_t batch;     /* events per transaction */
    uint32_t acks;      /* single-order commits timed */
} tl_bench_journal_config;

typedef struct tl_bench_journal_result {
    char backend[16];
    double events_per_sec;
    double replay_events_per_sec; /* journal events of the workspace / replay time */
    double replay_fills_per_sec;  /* ORDER_FILLED events applied / replay time */
    uint64_t events_replayed;     /* events of the workspace */
    uint64_t fills_replayed;
    double ack_p50_us, ack_p99_us;
} tl_bench_journal_result;

int tl_bench_journal(const tl_bench_journal_config *cfg, tl_bench_journal_result *out, tl_err *err);

#endif /* TL_BENCH_JOURNAL_H */
