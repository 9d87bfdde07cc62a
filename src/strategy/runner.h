/*
 * runner.h -- the strategy runner: bars in, a strategy's intents through the paper broker.
 *
 * A backtest is not a second simulator: the runner feeds a series bar by bar to
 * tl_strategy_evaluate, with the paper state as the broker left it, and submits the evaluation's
 * intents to the paper broker (src/paper/broker.h) that also trades on paper, so the journal of a
 * backtest is the journal a dry run would have written. Per bar:
 *
 *   1. evaluate(spec, bars[0..t], state): exits come first in the evaluation, then entries;
 *   2. no intent: nothing else (no store I/O, no allocation, no digest); tl_runner_run lets a
 *      strategy with a scan (strategy.h) pass over such bars in its own loop;
 *   3. else each intent is submitted in that order (fill price = the bar's close, time = the
 *      bar's time, intent id = "<evaluation_id>:<n>", n from 0) and the bar's intents are
 *      committed in one store transaction (tl_runner_run: in groups of bars, below); the
 *      runner's state follows the broker's results.
 *
 * Tracing. The intent id is part of the idempotency key ("<workspace>|<evaluation_id>:<n>|paper")
 * that every event of the intent carries, ORDER_FILLED included: a fill names the evaluation that
 * caused it. evaluation_id is deterministic (tl_strategy_evaluation_id: a hash of workspace,
 * strategy, symbol and bar time), so the same series run twice in fresh stores writes the same
 * journal byte for byte.
 *
 * Where a run starts. A fresh workspace starts with the broker's default equity. A workspace
 * that has events is taken to hold this same run, interrupted or done (a sweep worker's variant
 * reclaimed after it died): the run starts again at the workspace's starting equity, flat, and
 * meets its earlier intents as duplicates, which the broker answers with their original outcome
 * and writes nothing for, until it passes the point where the earlier run stopped. The runner
 * keeps its own account of its fills (a duplicate's result carries the workspace's state now,
 * not at its bar) and checks it against each fresh result: a workspace holding someone else's
 * trades is refused at the first intent it would break (TL_ESTATE). Positions in other symbols
 * count against max_positions.
 *
 * The end of a run: the closed trades (entry and exit bar, price, qty) in order, and the open
 * position if any (marked by whoever reads it: a position open at the end is not a trade).
 */
#ifndef TL_STRATEGY_RUNNER_H
#define TL_STRATEGY_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/bar.h"
#include "paper/broker.h"
#include "strategy/strategy.h"

/* One closed round trip. */
typedef struct tl_runner_trade {
    size_t entry_bar, exit_bar;       /* indexes into the series */
    int64_t entry_ts_ns, exit_ts_ns;  /* their times */
    tl_fixed entry_price, exit_price; /* fill prices (the bars' closes) */
    tl_fixed qty;
} tl_runner_trade;

/* The position in the spec's symbol. */
typedef struct tl_runner_position {
    bool open;
    size_t entry_bar;
    int64_t entry_ts_ns;
    tl_fixed qty, entry_price;
} tl_runner_position;

typedef struct tl_runner_stats {
    uint64_t bars;        /* gone through (evaluated, or passed over by the strategy's scan) */
    uint64_t evaluations; /* of them, with intents */
    uint64_t intents, filled, denied;
    uint64_t duplicates; /* intents the journal already held (a run repeated on a workspace) */
} tl_runner_stats;

typedef struct tl_runner {
    tl_strategy_spec spec;   /* a copy */
    tl_paper_broker *broker; /* borrowed: its store holds the journal */
    void *cache;             /* owned: tl_strategy_cache_size(spec) bytes, NULL when 0 */
    tl_strategy_state state; /* what the next evaluation is given */
    tl_fixed starting_cash;  /* the workspace's cash when the run started */
    tl_runner_position pos;  /* the open position, if any */
    tl_runner_trade *trades; /* owned: closed trades, in order */
    size_t n_trades, cap_trades;
    size_t next_bar; /* the bar tl_runner_step expects */
    tl_runner_stats stats;
    uint64_t high_water;   /* store's last seq after the last commit (0 before any) */
    char state_digest[65]; /* the workspace's digest after the last commit ("" before any) */
    /* tl_runner_run's intents decided but not committed yet (owned): their results, which the
     * broker's commit completes. */
    tl_paper_result *pend;
    int *pend_rcs;
    size_t n_pend, cap_pend, cap_pend_rcs;
} tl_runner;

/* Readies r for spec (copied) on broker b (borrowed). Checks the spec (tl_strategy_spec_check)
 * and reads the workspace's starting equity and other positions from b's store (above). On error
 * r holds nothing to free. */
int tl_runner_init(tl_runner *r, const tl_strategy_spec *spec, tl_paper_broker *b, tl_err *err);
void tl_runner_close(tl_runner *r);

/* Evaluates bar t of bars[0..n) (t must be r->next_bar: bars go in order) and executes what it
 * decided. 0, or a negative code: the strategy's, the broker's (nothing of the bar written), or
 * TL_EBUSY when another writer got in (retry on a fresh store handle), TL_EDUPLICATE when the
 * workspace already holds one of the bar's intent ids with another payload, TL_ESTATE when it
 * holds trades that are not this run's. */
int tl_runner_step(tl_runner *r, const tl_bar *bars, size_t n, size_t t, tl_err *err);
/* Every bar of the series from r->next_bar on: the same as tl_runner_step on each, the bars
 * the strategy's scan passes over (strategy.h) not evaluated one by one, and the intents
 * committed in groups (TL_RUNNER_GROUP of them, and the rest at the end) rather than bar by bar:
 * nobody waits on a backtest's bar, so one fsync serves many bars, and the journal is the same
 * event for event. Every intent is durable when it returns 0; after an error, nothing past the
 * last good commit is. */
int tl_runner_run(tl_runner *r, const tl_bars *bars, tl_err *err);
#define TL_RUNNER_GROUP 512

/* The intent id of intent n of an evaluation: "<evaluation_id>:<n>". */
int tl_runner_intent_id(const char *evaluation_id, size_t n, char id[TL_PAPER_INTENT_ID_MAX],
                        tl_err *err);

#endif /* TL_STRATEGY_RUNNER_H */
