/*
 * svc_paper.h -- the paper broker of seed 003 behind the service's HTTP API, with group commit.
 *
 * Intents arrive one by one (POST /execute/intents); each is decided at once on its workspace's
 * engine (paper/broker.h) and its answer waits for the step's commit: tl_svc_paper_commit writes
 * every intent of the step in one transaction per run of consecutive intents of one workspace
 * (a step's intents for one workspace -- the usual case -- are one commit), and only then calls
 * each answer. An answer carries 0 and the result, or the code of an intent that could not be
 * decided or written: TL_EBUSY when another writer got in first (nothing written: the client
 * retries), a store failure's code when the commit failed (nothing written, nothing said before:
 * the client may retry, the key makes it safe).
 *
 * A malformed intent is refused by tl_svc_paper_submit itself (TL_EINVAL / TL_ENOTSUP, err names
 * the field) and never waits. Single-threaded; the store is borrowed.
 */
#ifndef TL_SERVICE_SVC_PAPER_H
#define TL_SERVICE_SVC_PAPER_H

#include "paper/broker.h"

typedef void (*tl_svc_paper_fn)(void *ctx, int rc, const tl_paper_result *r, const tl_err *err);

typedef struct tl_svc_paper_wait {
    tl_err err;
    tl_svc_paper_fn fn;
    void *ctx;
} tl_svc_paper_wait;

typedef struct tl_svc_paper_stats {
    uint64_t intents, filled, denied, duplicates, refused, busy, failed, commits;
} tl_svc_paper_stats;

typedef struct tl_svc_paper {
    tl_paper_broker broker;
    /* Owned, in arrival order, n_wait each: the step's answers, their results and codes (apart,
     * so that a batch's are the arrays tl_paper_broker_commit takes). */
    tl_svc_paper_wait *wait;
    tl_paper_result *res;
    int *rcs;
    size_t n_wait, cap_wait, cap_res, cap_rcs;
    size_t batch_from; /* wait[batch_from..n_wait) are the broker's uncommitted intents */
    tl_svc_paper_stats stats;
} tl_svc_paper;

int tl_svc_paper_init(tl_svc_paper *p, tl_store *store, tl_fixed default_equity);
void tl_svc_paper_close(tl_svc_paper *p);

/* Decides in; its answer waits for tl_svc_paper_commit. A negative return: the intent is refused
 * now (malformed, or out of memory) and fn is never called for it. */
int tl_svc_paper_submit(tl_svc_paper *p, const tl_paper_intent *in, tl_svc_paper_fn fn, void *ctx,
                        tl_err *err);

/* The step's end: what waits is written, then every answer is called. 0, or the store failure
 * of the last commit (its intents were answered with it). */
int tl_svc_paper_commit(tl_svc_paper *p, tl_err *err);

/* Writes the intents waiting (without answering them) so that a direct write to the store (a
 * reset) comes after them. */
int tl_svc_paper_flush(tl_svc_paper *p, tl_err *err);

#endif /* TL_SERVICE_SVC_PAPER_H */
