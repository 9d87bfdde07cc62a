/*
 * journal.h -- the journal: a subscriber of the engine that makes every state change durable.
 *
 * It copies each event's record into a buffer, and keeps the snapshot rows of the positions and
 * the account the events carry (the state after each change: the journal never looks into the
 * engine). At a step boundary the engine calls its flush: with `force` (a result waits to be
 * released, or the run ends) or when batch_max events wait, the buffer and the rows are written
 * with tl_store_append as one transaction (group commit: one fdatasync for many events).
 *
 * The RFQ desk's rows (quotes, lp_quotes, executions) are buffered the same way with
 * tl_journal_add_quote / _lp_quote / _execution and committed by the next flush, forced or
 * group, in the transaction of the events buffered with them: the desk releases its
 * acknowledgement after that commit, as the engine does for a result.
 *
 * The journal does no I/O from inside an event and never retries on its own: a failed append is
 * returned to the engine, which freezes, halts and stops the run. The buffer is then kept (it
 * is what was not made durable), and nothing of it was acknowledged.
 */
#ifndef TL_JOURNAL_JOURNAL_H
#define TL_JOURNAL_JOURNAL_H

#include <stdbool.h>

#include "core/hashmap.h"
#include "engine/engine.h"
#include "store/store.h"

typedef struct tl_journal {
    tl_store *store;   /* borrowed */
    tl_event *pending; /* owned buffer of events not yet durable */
    size_t n, cap;
    size_t batch_max;      /* commit without force once this many wait */
    tl_position_row *rows; /* owned: the latest row of each position touched since the last
                              commit */
    size_t n_rows, cap_rows;
    tl_hashmap row_index;  /* account << 32 | instrument -> rows[] index */
    tl_account_row *accts; /* owned: the latest row of each account touched since then */
    size_t n_accts, cap_accts;
    tl_hashmap acct_index; /* account id -> accts[] index */
    tl_quote_row *quotes;  /* owned: the desk's rows not yet durable, in the order added */
    size_t n_quotes, cap_quotes;
    tl_lp_quote_row *lp_quotes;
    size_t n_lp_quotes, cap_lp_quotes;
    tl_execution_row *executions;
    size_t n_executions, cap_executions;
    bool oom; /* an event could not be buffered: the next flush fails */
    uint64_t flushes, events_written, failures;
} tl_journal;

/* batch_max 0 means 4096. The store is borrowed and must outlive the journal. */
int tl_journal_init(tl_journal *j, tl_store *store, size_t batch_max, tl_err *err);
void tl_journal_close(tl_journal *j);

/* The subscriber to hand to tl_engine_subscribe. */
tl_engine_subscriber tl_journal_subscriber(tl_journal *j);

/* Writes every buffered event and row durably (what the engine's forced flush does). On
 * failure nothing of them is stored and they stay buffered; a duplicate execution id is
 * TL_EDUPLICATE. */
int tl_journal_flush(tl_journal *j, tl_err *err);

/* Buffer one desk row (copied) for the next flush. Only the allocation can fail (TL_ENOMEM,
 * nothing buffered, and the journal is marked so that the next flush fails: a batch is never
 * committed without a row that was added to it); the row's contents are checked when the flush
 * writes it. A row is in the store once a later tl_journal_flush (or the engine's flush) has
 * returned 0. */
int tl_journal_add_quote(tl_journal *j, const tl_quote_row *row, tl_err *err);
int tl_journal_add_lp_quote(tl_journal *j, const tl_lp_quote_row *row, tl_err *err);
int tl_journal_add_execution(tl_journal *j, const tl_execution_row *row, tl_err *err);

/* The same for a round of LP quotes written in place (the desk's hot path: one copy of each row
 * instead of two). _room returns room for n rows at the end of the buffer, or NULL when it cannot
 * grow (the journal is marked as above); the caller writes every byte of the rows it keeps, then
 * _added(k <= n) makes the first k part of the next flush. Valid until the next call on j. */
tl_lp_quote_row *tl_journal_lp_quote_room(tl_journal *j, size_t n);
void tl_journal_lp_quotes_added(tl_journal *j, size_t n);

#endif /* TL_JOURNAL_JOURNAL_H */
