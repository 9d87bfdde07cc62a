/* journal.c -- see journal.h. */
#include "journal/journal.h"

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/rows.h"

int tl_journal_init(tl_journal *j, tl_store *store, size_t batch_max, tl_err *err)
{
    memset(j, 0, sizeof(*j));
    if (tl_hashmap_init(&j->row_index, 64) != 0)
        return tl_err_set(err, TL_ENOMEM, "journal: out of memory");
    if (tl_hashmap_init(&j->acct_index, 16) != 0) {
        tl_hashmap_close(&j->row_index);
        return tl_err_set(err, TL_ENOMEM, "journal: out of memory");
    }
    j->store = store;
    j->batch_max = batch_max ? batch_max : 4096;
    return 0;
}

void tl_journal_close(tl_journal *j)
{
    free(j->pending);
    free(j->rows);
    free(j->accts);
    free(j->quotes);
    free(j->lp_quotes);
    free(j->executions);
    tl_hashmap_close(&j->row_index);
    tl_hashmap_close(&j->acct_index);
    memset(j, 0, sizeof(*j));
}

/* The row of the position an event carries, replaced by its newer state. */
static void keep_row(tl_journal *j, const tl_engine_event *ev)
{
    uint32_t i;
    /* Every account's positions are rows of their own (its workspace, the symbol). */
    uint64_t key = (uint64_t)ev->position->account << 32 | ev->position->instrument;
    if (!tl_hashmap_get(&j->row_index, key, &i)) {
        if (TL_VEC_RESERVE(&j->rows, &j->cap_rows, j->n_rows + 1) != 0 ||
            tl_hashmap_put(&j->row_index, key, (uint32_t)j->n_rows) != 0) {
            j->oom = true;
            return;
        }
        i = (uint32_t)j->n_rows++;
    }
    tl_position_row_set(&j->rows[i], ev->rec->workspace, ev->symbol, ev->position, ev->rec->ts_ns);
}

/* The row of the account an event carries, replaced by its newer state. */
static void keep_account(tl_journal *j, const tl_engine_event *ev)
{
    uint32_t i;
    if (!tl_hashmap_get(&j->acct_index, ev->account->id, &i)) {
        if (TL_VEC_RESERVE(&j->accts, &j->cap_accts, j->n_accts + 1) != 0 ||
            tl_hashmap_put(&j->acct_index, ev->account->id, (uint32_t)j->n_accts) != 0) {
            j->oom = true;
            return;
        }
        i = (uint32_t)j->n_accts++;
    }
    tl_account_row_set(&j->accts[i], ev->rec->workspace, ev->account, ev->rec->ts_ns);
}

static void on_event(void *ctx, const tl_engine_event *ev)
{
    tl_journal *j = ctx;
    if (TL_VEC_RESERVE(&j->pending, &j->cap, j->n + 1) != 0) {
        j->oom = true;
        return;
    }
    j->pending[j->n++] = *ev->rec;
    if (ev->position)
        keep_row(j, ev);
    if (ev->account)
        keep_account(j, ev);
}

int tl_journal_flush(tl_journal *j, tl_err *err)
{
    if (j->oom)
        return tl_err_set(err, TL_ENOMEM, "journal: an event could not be buffered");
    if (j->n == 0 && j->n_quotes == 0 && j->n_lp_quotes == 0 && j->n_executions == 0)
        return 0;
    const tl_store_batch rows = {
        .positions = j->rows,
        .n_positions = j->n_rows,
        .accounts = j->accts,
        .n_accounts = j->n_accts,
        .quotes = j->quotes,
        .n_quotes = j->n_quotes,
        .lp_quotes = j->lp_quotes,
        .n_lp_quotes = j->n_lp_quotes,
        .executions = j->executions,
        .n_executions = j->n_executions,
    };
    int rc = tl_store_append_batch(j->store, j->pending, j->n, &rows, err);
    if (rc != 0) {
        j->failures++;
        return rc;
    }
    j->flushes++;
    j->events_written += j->n;
    j->n = 0;
    j->n_rows = 0;
    j->n_accts = 0;
    j->n_quotes = 0;
    j->n_lp_quotes = 0;
    j->n_executions = 0;
    tl_hashmap_clear(&j->row_index);
    tl_hashmap_clear(&j->acct_index);
    return 0;
}

/* A row that cannot be buffered is a row lost: the journal is marked, and the next flush fails
 * (the engine halts) rather than commit a batch without it. */
int tl_journal_add_quote(tl_journal *j, const tl_quote_row *row, tl_err *err)
{
    if (TL_VEC_RESERVE(&j->quotes, &j->cap_quotes, j->n_quotes + 1) != 0) {
        j->oom = true;
        return tl_err_set(err, TL_ENOMEM, "journal: out of memory buffering a quote");
    }
    j->quotes[j->n_quotes++] = *row;
    return 0;
}

tl_lp_quote_row *tl_journal_lp_quote_room(tl_journal *j, size_t n)
{
    if (TL_VEC_RESERVE(&j->lp_quotes, &j->cap_lp_quotes, j->n_lp_quotes + n) != 0) {
        j->oom = true;
        return NULL;
    }
    return j->lp_quotes + j->n_lp_quotes;
}

void tl_journal_lp_quotes_added(tl_journal *j, size_t n)
{
    j->n_lp_quotes += n;
}

int tl_journal_add_lp_quote(tl_journal *j, const tl_lp_quote_row *row, tl_err *err)
{
    tl_lp_quote_row *slot = tl_journal_lp_quote_room(j, 1);
    if (!slot)
        return tl_err_set(err, TL_ENOMEM, "journal: out of memory buffering an LP quote");
    *slot = *row;
    tl_journal_lp_quotes_added(j, 1);
    return 0;
}

int tl_journal_add_execution(tl_journal *j, const tl_execution_row *row, tl_err *err)
{
    if (TL_VEC_RESERVE(&j->executions, &j->cap_executions, j->n_executions + 1) != 0) {
        j->oom = true;
        return tl_err_set(err, TL_ENOMEM, "journal: out of memory buffering an execution");
    }
    j->executions[j->n_executions++] = *row;
    return 0;
}

static int flush_cb(void *ctx, bool force, tl_err *err)
{
    tl_journal *j = ctx;
    if (!force && j->n + j->n_quotes + j->n_lp_quotes + j->n_executions < j->batch_max && !j->oom)
        return 0;
    return tl_journal_flush(j, err);
}

tl_engine_subscriber tl_journal_subscriber(tl_journal *j)
{
    tl_engine_subscriber s = {on_event, flush_cb, j};
    return s;
}
