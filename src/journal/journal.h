/*
 * journal.h -- the execution loop's journal: every state change becomes an event, events are
 * committed in groups, and nothing is acknowledged before its group is durable.
 *
 * The journal subscribes to the loop's event hook. Events wait in a buffer; tl_journal_flush
 * writes the buffer, with snapshot rows of the positions and account it touched, as one
 * transaction (group commit: one fdatasync for many events). A caller acknowledges fills to the
 * outside world only after a flush returned 0.
 *
 * When a flush fails (disk full, read-only file, lost PostgreSQL connection) the events stay in
 * the buffer, nothing is acknowledged, and the journal freezes the loop's risk monitor so that no
 * new order is accepted while the engine cannot persist. The next successful flush writes the
 * buffer, gap-free, and lifts the freeze it set.
 */
#ifndef TL_JOURNAL_JOURNAL_H
#define TL_JOURNAL_JOURNAL_H

#include "exec/exec.h"
#include "store/store.h"

#define TL_JOURNAL_FREEZE_PREFIX "journal: "

typedef struct tl_journal {
    tl_store *store;                  /* borrowed */
    tl_exec *exec;                    /* borrowed; its event hook points here */
    char workspace[TL_WORKSPACE_MAX]; /* every event's workspace */
    tl_event *pending;                /* owned buffer of events not yet durable */
    size_t n, cap;
    size_t batch_max; /* flush by itself when this many wait */
    uint8_t *touched; /* owned, per instrument: position changed since flush */
    int failing;      /* the last flush failed */
    tl_err last_err;  /* its error */
    int oom;          /* an event could not be buffered: stop */
    uint64_t flushes, events_written, failures;
} tl_journal;

/* Attaches to exec (sets its on_event hook). batch_max 0 means 4096. */
int tl_journal_init(tl_journal *j, tl_store *store, tl_exec *exec, const char *workspace,
                    size_t batch_max, tl_err *err);
void tl_journal_close(tl_journal *j);

/* Buffers a WORKSPACE_RESET carrying the account's starting cash: the replay starts there. */
int tl_journal_reset_workspace(tl_journal *j, tl_fixed starting_cash, tl_err *err);

/* Writes every buffered event durably. 0 when the buffer is empty afterwards. */
int tl_journal_flush(tl_journal *j, tl_err *err);

/* Digest of the loop's live state (its account and positions), comparable with tl_replay's. */
int tl_journal_live_digest(const tl_journal *j, char hex[65], tl_err *err);

#endif /* TL_JOURNAL_JOURNAL_H */
