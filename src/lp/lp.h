/*
 * lp.h (internal) -- the one dispatch point for liquidity-provider backends.
 *
 * tl_lp_open picks a backend by the URL's scheme from the built-in table (and an optional table
 * the caller adds), checks its mandatory slots and version, allocates its private state and opens
 * it. Every call to a backend goes through a function here: the request is checked before the
 * backend sees it, and the answer after: a backend's answer that breaks the contract of
 * tradeloop/lp.h (ask < bid, a quote id that is not text, an answer before the question) is
 * turned into a refusal whose reason starts "bad answer: ", never passed on. Counters and fault
 * injection live here too.
 */
#ifndef TL_LP_LP_H
#define TL_LP_LP_H

#include <stdbool.h>

#include "tradeloop/lp.h"

/* Per-LP counters, the raw material of the scorecards. */
typedef struct tl_lp_stats {
    uint64_t quote_requests; /* request_quote calls that passed the argument checks */
    uint64_t quotes;         /* answered QUOTED */
    uint64_t quote_refusals; /* answered REFUSED (bad answers and injected faults included) */
    uint64_t silent;         /* never answered (the never_answer_from fault) */
    uint64_t exec_requests;  /* execute_trade calls that passed the argument checks */
    uint64_t fills;          /* answered FILLED */
    uint64_t exec_refusals;  /* answered REFUSED (bad answers and injected faults included) */
    uint64_t bad_answers;    /* answers of the backend refused by the checks, both calls */
    uint64_t errors;         /* calls the backend failed with a negative code, both calls */
} tl_lp_stats;

/* Fault injection for tests (0 = off). Counts are 1-based over the calls that passed the
 * argument checks (stats.quote_requests / stats.exec_requests after the call).
 * never_answer_from: from the Nth quote request on, the LP is silent: the answer is REFUSED
 *   "no answer" with respond_ns TL_LP_NEVER, so it is late for every deadline.
 * refuse_quote_at: the Nth quote request is answered REFUSED "refused (injected)".
 * refuse_exec_at: the Nth execution is answered REFUSED "refused (injected)".
 * A faulted call does not reach the backend (as a venue's injected faults), and its answer
 * arrives at once (respond_ns = now) unless it never arrives. */
typedef struct tl_lp_faults {
    uint64_t never_answer_from;
    uint64_t refuse_quote_at;
    uint64_t refuse_exec_at;
} tl_lp_faults;

typedef struct tl_lp {
    const tl_lp_ops *ops;      /* borrowed: static const table */
    void *state;               /* owned, ops->state_size bytes */
    const tl_clock *clock;     /* borrowed: the now of every call */
    char name[TL_LP_NAME_MAX]; /* name_of at open, else the scheme */
    tl_lp_stats stats;
    tl_lp_faults faults;
} tl_lp;

/* extra: optional NULL-terminated array of additional backends (borrowed; must outlive the LP).
 * url and clock are borrowed (clock must outlive the LP). TL_ENOTSUP for an unknown scheme,
 * TL_EINVAL for a malformed URL or backend table, or what the backend's open says. */
int tl_lp_open(tl_lp *lp, const char *url, const tl_clock *clock, const tl_lp_ops *const *extra,
               tl_err *err);
void tl_lp_close(tl_lp *lp);
/* Validates a backend table: version, scheme, state size, mandatory slots. */
int tl_lp_ops_check(const tl_lp_ops *ops, tl_err *err);

/* Asks for a quote. TL_EINVAL (nothing counted, *out untouched) for a bad request: request_id 0,
 * a symbol tl_pair_parse refuses, a bad side or asset, amount <= 0. Otherwise 0 and *out holds
 * a checked answer (QUOTED, or REFUSED with a reason), or the backend's negative code (counted
 * in stats.errors, *out untouched). */
int tl_lp_request_quote(tl_lp *lp, const tl_lp_request *req, tl_lp_quote *out, tl_err *err);
/* Executes a quote. TL_EINVAL for a bad request (empty or unterminated quote id, bad side or
 * asset, amount or price <= 0); then as tl_lp_request_quote. */
int tl_lp_execute_trade(tl_lp *lp, const tl_lp_exec_request *req, tl_lp_exec *out, tl_err *err);

/* The built-in backends. */
extern const tl_lp_ops tl_lp_sim_ops; /* lpsim:// (lp/sim/lp_sim.c) */

#endif /* TL_LP_LP_H */
