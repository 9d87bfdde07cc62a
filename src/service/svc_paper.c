/* svc_paper.c -- the paper broker with group commit (see svc_paper.h). */
#include "service/svc_paper.h"

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

int tl_svc_paper_init(tl_svc_paper *p, tl_store *store, tl_fixed default_equity)
{
    memset(p, 0, sizeof(*p));
    return tl_paper_broker_init(&p->broker, store, default_equity);
}

void tl_svc_paper_close(tl_svc_paper *p)
{
    tl_paper_broker_close(&p->broker);
    free(p->wait);
    free(p->res);
    free(p->rcs);
    memset(p, 0, sizeof(*p));
}

static void count(tl_svc_paper *p, size_t i)
{
    tl_svc_paper_stats *s = &p->stats;
    const tl_paper_result *r = &p->res[i];
    if (p->rcs[i] == TL_EBUSY) {
        s->busy++;
    } else if (p->rcs[i] != 0) {
        s->failed++;
    } else {
        s->duplicates += r->duplicate;
        s->filled += !r->duplicate && r->status == TL_PAPER_FILLED;
        s->denied += !r->duplicate && r->status == TL_PAPER_DENIED;
        s->refused += r->status == TL_PAPER_REFUSED;
    }
}

/* Writes the broker's open batch, entries batch_from..n_wait; each gets its outcome. */
static int commit_batch(tl_svc_paper *p, tl_err *err)
{
    size_t from = p->batch_from, n = p->n_wait - from;
    if (n == 0)
        return 0;
    tl_err e2 = {0};
    int rc = tl_paper_broker_commit(&p->broker, p->res + from, p->rcs + from, n, &e2);
    for (size_t i = from; i < p->n_wait; i++) {
        if (rc != 0) {
            p->rcs[i] = rc;
            p->wait[i].err = e2;
        } else if (p->rcs[i] == TL_EBUSY) {
            tl_err_set(&p->wait[i].err, TL_EBUSY,
                       "paper: another writer got in first: nothing written, retry");
        }
        count(p, i);
    }
    p->stats.commits += rc == 0;
    p->batch_from = p->n_wait;
    if (rc != 0 && err)
        *err = e2;
    return rc;
}

int tl_svc_paper_submit(tl_svc_paper *p, const tl_paper_intent *in, tl_svc_paper_fn fn, void *ctx,
                        tl_err *err)
{
    tl_paper_action act;
    int rc;
    if ((rc = tl_paper_intent_validate(in, &act, err)) != 0)
        return rc;
    /* One transaction holds one workspace's intents: another workspace's start a new batch. */
    const char *open_ws = tl_paper_broker_batch_workspace(&p->broker);
    if (open_ws && strcmp(open_ws, in->workspace) != 0)
        commit_batch(p, NULL); /* a failure is each intent's answer */
    size_t i = p->n_wait;
    if (TL_VEC_RESERVE(&p->wait, &p->cap_wait, i + 1) != 0 ||
        TL_VEC_RESERVE(&p->res, &p->cap_res, i + 1) != 0 ||
        TL_VEC_RESERVE(&p->rcs, &p->cap_rcs, i + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "paper: out of memory");
    memset(&p->wait[i], 0, sizeof(p->wait[i]));
    p->wait[i].fn = fn;
    p->wait[i].ctx = ctx;
    p->rcs[i] = 0;
    p->stats.intents++;
    rc = tl_paper_broker_submit(&p->broker, in, &p->res[i], &p->wait[i].err);
    if (rc == TL_EINVAL || rc == TL_ENOTSUP) {
        if (err)
            *err = p->wait[i].err;
        return rc;
    }
    p->n_wait++;
    if (rc != 0) {
        /* The session was dropped with the batch it held: those intents failed with this one. */
        for (size_t k = p->batch_from; k < p->n_wait; k++) {
            p->rcs[k] = rc;
            p->wait[k].err = p->wait[i].err;
            count(p, k);
        }
        p->batch_from = p->n_wait;
    }
    return 0;
}

int tl_svc_paper_flush(tl_svc_paper *p, tl_err *err)
{
    return commit_batch(p, err);
}

int tl_svc_paper_commit(tl_svc_paper *p, tl_err *err)
{
    int rc = commit_batch(p, err);
    size_t n = p->n_wait;
    p->n_wait = 0;
    p->batch_from = 0;
    for (size_t i = 0; i < n; i++)
        if (p->wait[i].fn)
            p->wait[i].fn(p->wait[i].ctx, p->rcs[i], &p->res[i], &p->wait[i].err);
    return rc;
}
