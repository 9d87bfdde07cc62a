/*
 * round.h -- one round of a desk's stream: every LP asked, then, at the next poll, their answers
 * judged (the aggregation of issue 9).
 *
 * Asking sends the same request to every LP and keeps each answer with the time it was asked.
 * Judging at `now`: an answer that arrived by now is a candidate, one still on its way is late, a
 * refusal is a refusal; every asked LP gives one lp_quotes row, written in place into the
 * journal's buffer; the best candidate (rfq/lock.h) is offered to the lock, and the row of the
 * quote that became or replaced the lock is marked won. The desk (desk.h) does everything else:
 * quote rows, events, commits.
 *
 * Its own module so that `tradeloop bench rfq` can time the aggregation alone, with the code the
 * desk runs. No I/O, no clock of its own; after init a round allocates nothing but the journal's
 * buffer growth.
 */
#ifndef TL_RFQ_ROUND_H
#define TL_RFQ_ROUND_H

#include <stdbool.h>
#include <stdint.h>

#include "journal/journal.h"
#include "lp/lp.h"
#include "rfq/lock.h"
#include "rfq/request.h"

/* One LP's answer of the round under way. */
typedef struct tl_rfq_answer {
    bool asked;
    tl_lp_quote q;
    int64_t asked_ns;
} tl_rfq_answer;

typedef struct tl_rfq_round {
    uint32_t n_lps;
    uint64_t id;            /* the request id of the round asked last ("R000042") */
    tl_rfq_answer *answers; /* owned, n_lps */
    tl_rfq_candidate *cand; /* owned scratch of the judging, n_lps */
    uint32_t *row_of;       /* owned scratch: cand[i]'s row among the round's rows */
} tl_rfq_round;

/* What the judging did to the lock, and whose quote it is. */
typedef struct tl_rfq_verdict {
    tl_rfq_lock_change change;
    int32_t winner; /* LOCKED / IMPROVED: the LP index of the new lock; -1 otherwise */
} tl_rfq_verdict;

int tl_rfq_round_init(tl_rfq_round *r, uint32_t n_lps, tl_err *err);
void tl_rfq_round_close(tl_rfq_round *r);

/* Asks every LP (lps: r->n_lps of them) for req at now, as round `id`. An LP that cannot be asked
 * at all counts as a refusal of this round. */
void tl_rfq_round_ask(tl_rfq_round *r, tl_lp *lps, uint64_t id, const tl_rfq_request *req,
                      int64_t now);

/* Judges the round's answers at now (see above): rows into j under workspace, the best offered to
 * lock. A row the journal cannot buffer marks it (its next flush fails): nothing is lost quietly. */
tl_rfq_verdict tl_rfq_round_judge(tl_rfq_round *r, const tl_lp *lps, const char *workspace,
                                  const tl_rfq_request *req, int64_t now, tl_rfq_lock *lock,
                                  tl_journal *j);

#endif /* TL_RFQ_ROUND_H */
