/*
 * mem_desk.c -- the memory store's RFQ desk rows (see mem_desk.h).
 *
 * The orders the reads promise (include/tradeloop/store.h) are made here by sorting indexes of
 * the committed rows: the desk writes a few rows a second, and these reads serve a viewer, so a
 * sort per read costs less than keeping sorted arrays on every write.
 */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/mem/mem_desk.h"

static uint64_t id_hash(const char *s)
{
    return tl_hash_bytes(s, strlen(s));
}

int tl__mem_desk_init(tl__mem_desk *d, tl_err *err)
{
    memset(d, 0, sizeof *d);
    if (tl_hashmap_init(&d->exec_ix, 16) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory");
    return 0;
}

void tl__mem_desk_free(tl__mem_desk *d)
{
    free(d->quotes);
    free(d->lp_quotes);
    free(d->executions);
    tl_hashmap_close(&d->exec_ix);
    memset(d, 0, sizeof *d);
}

tl__mem_desk_mark tl__mem_desk_mark_now(const tl__mem_desk *d)
{
    return (tl__mem_desk_mark){d->len_quotes, d->len_lp_quotes, d->len_executions};
}

void tl__mem_desk_cut(tl__mem_desk *d, tl__mem_desk_mark mk)
{
    for (size_t i = mk.executions; i < d->len_executions; i++)
        tl_hashmap_del_pair(&d->exec_ix, id_hash(d->executions[i].execution_id), (uint32_t)i);
    d->len_quotes = mk.quotes;
    d->len_lp_quotes = mk.lp_quotes;
    d->len_executions = mk.executions;
}

void tl__mem_desk_commit(tl__mem_desk *d)
{
    d->committed = tl__mem_desk_mark_now(d);
}

static int exec_find(const tl__mem_desk *d, const char *id)
{
    uint64_t cur = 0;
    uint32_t ix;
    while (tl_hashmap_next_match(&d->exec_ix, id_hash(id), &cur, &ix)) {
        if (strcmp(d->executions[ix].execution_id, id) == 0)
            return 1;
    }
    return 0;
}

static int write_rows(tl__mem_desk *d, const tl_store_batch *b, tl_err *err)
{
    if (TL_VEC_RESERVE(&d->quotes, &d->cap_quotes, d->len_quotes + b->n_quotes) != 0 ||
        TL_VEC_RESERVE(&d->lp_quotes, &d->cap_lp_quotes, d->len_lp_quotes + b->n_lp_quotes) != 0 ||
        TL_VEC_RESERVE(&d->executions, &d->cap_executions, d->len_executions + b->n_executions) !=
            0 ||
        d->len_executions + b->n_executions > UINT32_MAX)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory growing the desk's rows");
    if (b->n_quotes > 0)
        memcpy(d->quotes + d->len_quotes, b->quotes, b->n_quotes * sizeof *b->quotes);
    d->len_quotes += b->n_quotes;
    if (b->n_lp_quotes > 0)
        memcpy(d->lp_quotes + d->len_lp_quotes, b->lp_quotes,
               b->n_lp_quotes * sizeof *b->lp_quotes);
    d->len_lp_quotes += b->n_lp_quotes;
    for (size_t i = 0; i < b->n_executions; i++) {
        const tl_execution_row *r = &b->executions[i];
        if (exec_find(d, r->execution_id))
            return tl_err_set(err, TL_EDUPLICATE, "mem store: duplicate execution id '%s'",
                              r->execution_id);
        if (tl_hashmap_insert_multi(&d->exec_ix, id_hash(r->execution_id),
                                    (uint32_t)d->len_executions) != 0)
            return tl_err_set(err, TL_ENOMEM, "mem store: out of memory");
        d->executions[d->len_executions++] = *r;
    }
    return 0;
}

int tl__mem_desk_write(tl__mem_desk *d, const tl_store_batch *b, tl_err *err)
{
    tl__mem_desk_mark mk = tl__mem_desk_mark_now(d);
    int rc = write_rows(d, b, err);
    if (rc < 0)
        tl__mem_desk_cut(d, mk);
    return rc;
}

/* ---- reads ---- */

/* qsort has no context argument: the arrays are passed through the index records. */
typedef struct ix_rec {
    const void *row;
    size_t i; /* insertion index: the last key */
} ix_rec;

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_size(size_t a, size_t b)
{
    return (a > b) - (a < b);
}

/* Ascending (ts_ns, insertion). */
static int cmp_quote(const void *a, const void *b)
{
    const ix_rec *x = a, *y = b;
    const tl_quote_row *p = x->row, *q = y->row;
    int c = cmp_i64(p->ts_ns, q->ts_ns);
    return c ? c : cmp_size(x->i, y->i);
}

/* Ascending (ts_ns, execution_id). */
static int cmp_exec(const void *a, const void *b)
{
    const tl_execution_row *p = ((const ix_rec *)a)->row, *q = ((const ix_rec *)b)->row;
    int c = cmp_i64(p->ts_ns, q->ts_ns);
    return c ? c : strcmp(p->execution_id, q->execution_id);
}

/* Ascending (request_id, insertion). */
static int cmp_lpq(const void *a, const void *b)
{
    const ix_rec *x = a, *y = b;
    int c = strcmp(((const tl_lp_quote_row *)x->row)->request_id,
                   ((const tl_lp_quote_row *)y->row)->request_id);
    return c ? c : cmp_size(x->i, y->i);
}

/* The committed rows of an array, sorted ascending by cmp: malloc'ed (NULL when n is 0). */
static int sorted(const void *rows, size_t n, size_t size, int (*cmp)(const void *, const void *),
                  ix_rec **out, tl_err *err)
{
    *out = NULL;
    if (n == 0)
        return 0;
    ix_rec *ix = malloc(n * sizeof *ix);
    if (ix == NULL)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory sorting the desk's rows");
    for (size_t i = 0; i < n; i++)
        ix[i] = (ix_rec){(const char *)rows + i * size, i};
    qsort(ix, n, sizeof *ix, cmp);
    *out = ix;
    return 0;
}

int tl__mem_quotes_recent(const tl__mem_desk *d, tl_quote_row *out, size_t cap, size_t *n,
                          tl_err *err)
{
    ix_rec *ix;
    size_t total = d->committed.quotes;
    int rc = sorted(d->quotes, total, sizeof *d->quotes, cmp_quote, &ix, err);
    if (rc < 0)
        return rc;
    size_t k = 0;
    for (; k < cap && k < total; k++)
        out[k] = *(const tl_quote_row *)ix[total - 1 - k].row;
    *n = k;
    free(ix);
    return 0;
}

int tl__mem_executions_recent(const tl__mem_desk *d, tl_execution_row *out, size_t cap, size_t *n,
                              tl_err *err)
{
    ix_rec *ix;
    size_t total = d->committed.executions;
    int rc = sorted(d->executions, total, sizeof *d->executions, cmp_exec, &ix, err);
    if (rc < 0)
        return rc;
    size_t k = 0;
    for (; k < cap && k < total; k++)
        out[k] = *(const tl_execution_row *)ix[total - 1 - k].row;
    *n = k;
    free(ix);
    return 0;
}

int tl__mem_executions_scan(const tl__mem_desk *d, tl_execution_fn fn, void *ctx, tl_err *err)
{
    ix_rec *ix;
    size_t total = d->committed.executions;
    int rc = sorted(d->executions, total, sizeof *d->executions, cmp_exec, &ix, err);
    for (size_t i = 0; rc == 0 && i < total; i++)
        rc = fn(ctx, ix[i].row);
    free(ix);
    return rc;
}

int tl__mem_lp_quotes_scan(const tl__mem_desk *d, tl_lp_quote_fn fn, void *ctx, tl_err *err)
{
    ix_rec *ix;
    size_t total = d->committed.lp_quotes;
    int rc = sorted(d->lp_quotes, total, sizeof *d->lp_quotes, cmp_lpq, &ix, err);
    for (size_t i = 0; rc == 0 && i < total; i++)
        rc = fn(ctx, ix[i].row);
    free(ix);
    return rc;
}
