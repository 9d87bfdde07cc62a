/*
 * lock.h -- the desk's choice among the LPs' answers and its lock (issue 9, "Streaming").
 *
 * Every poll the desk gathers the LPs' answers that arrived in time; the best is the lowest price
 * for a client buy and the highest for a client sell, ties to the LP that answered faster, then to
 * the lower LP index (so a replay chooses the same every time). The best is locked for its
 * validity. While the lock holds, only a strictly better price replaces it (with its own
 * validity); an equal price never does, so the screen changes only when the client is better off.
 * When the lock runs out before the operator proceeds, the stream is over: the lock is expired
 * and nothing replaces it. Pure: no I/O, no clock of its own, no allocation.
 */
#ifndef TL_RFQ_LOCK_H
#define TL_RFQ_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tradeloop/fixed.h"

/* One LP's answer, as the choice sees it. */
typedef struct tl_rfq_candidate {
    uint32_t lp;            /* the LP's index in the desk */
    uint32_t answer;        /* the caller's index of the full answer (its quote id, bid, ask) */
    tl_fixed price;         /* its price for the amount, on the client's side; > 0 */
    int64_t latency_ns;     /* how long it took to answer */
    int64_t valid_until_ns; /* the LP's validity */
} tl_rfq_candidate;

typedef enum tl_rfq_lock_change {
    TL_RFQ_NONE = 0, /* nothing locked, nothing to lock */
    TL_RFQ_LOCKED,   /* a first quote was locked */
    TL_RFQ_IMPROVED, /* a strictly better quote replaced the lock */
    TL_RFQ_KEPT,     /* the lock holds; nothing better came */
    TL_RFQ_EXPIRED   /* the lock ran out: the stream is over */
} tl_rfq_lock_change;

typedef struct tl_rfq_lock {
    bool client_buys;
    bool held;    /* a quote is locked and valid */
    bool expired; /* it ran out: a proceed is refused, nothing is locked again */
    tl_rfq_candidate quote;
    int64_t locked_ns; /* when it was locked (or last replaced) */
} tl_rfq_lock;

/* "lock", "improved", ...: for events and rows. */
const char *tl_rfq_lock_change_name(tl_rfq_lock_change c);

/* Starts a stream for a client buy or sell: nothing locked. */
void tl_rfq_lock_init(tl_rfq_lock *l, bool client_buys);

/* The index of the best of n candidates (see above), or -1 when n is 0. */
int tl_rfq_best(const tl_rfq_candidate *c, size_t n, bool client_buys);

/* Whether a is strictly better for the client than b. */
static inline bool tl_rfq_better(bool client_buys, tl_fixed a, tl_fixed b)
{
    return client_buys ? a < b : a > b;
}

/* A poll's outcome at engine time now: best is the poll's best candidate (NULL when no LP answered
 * in time). Expiry is checked first: a lock whose validity is past now has expired, whatever came.
 * A candidate already past its own validity is never locked. */
tl_rfq_lock_change tl_rfq_lock_offer(tl_rfq_lock *l, const tl_rfq_candidate *best, int64_t now_ns);

/* Whether a proceed at now may execute: a lock is held and still valid (its last nanosecond
 * included). */
static inline bool tl_rfq_lock_valid(const tl_rfq_lock *l, int64_t now_ns)
{
    return l->held && !l->expired && now_ns <= l->quote.valid_until_ns;
}

#endif /* TL_RFQ_LOCK_H */
