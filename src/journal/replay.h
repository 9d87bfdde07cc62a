/*
 * replay.h -- reconciliation: rebuild cash and positions from the journal alone.
 *
 * 1. Clear the state.  2. Read WORKSPACE_RESET events: each sets its workspace's starting cash
 * and discards what came before it.  3. Replay ORDER_FILLED events only, in sequence order,
 * skipping any whose (workspace, trade id) was already replayed.  POSITION_* events are
 * breadcrumbs and are never replayed.  The digest of the result must equal the digest of the live
 * state that wrote the journal.
 */
#ifndef TL_JOURNAL_REPLAY_H
#define TL_JOURNAL_REPLAY_H

#include "journal/ledger.h"
#include "store/store.h"

typedef struct tl_replay_result {
    uint64_t fills_replayed;     /* ORDER_FILLED events applied */
    uint64_t duplicates_skipped; /* ORDER_FILLED events whose trade id was already applied */
    uint64_t resets;             /* WORKSPACE_RESET events seen */
    uint64_t high_water;         /* last seq in the store */
    char digest[65];
} tl_replay_result;

/* Replays workspace ws ("" or NULL: every workspace) into l (cleared first). */
int tl_replay(tl_store *s, const char *ws, tl_ledger *l, tl_replay_result *out, tl_err *err);

#endif /* TL_JOURNAL_REPLAY_H */
