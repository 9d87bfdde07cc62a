/*
 * append.c -- a batch into the journal: the checks, the numbering, one transaction.
 *
 * The batch is validated whole before anything is written. On a store one writer appends to
 * (SQLite, mem:) its events are numbered from the connection's high-water mark, and a second
 * writer collides on the seq key: optimistic concurrency over the whole journal. On a shared
 * store (the backend has ops->reserve: PostgreSQL) several engines append at once, each with
 * its own workspaces: the backend takes a lock the transaction holds until it ends and reads
 * the journal's mark under it, and the batch is numbered from there, so seqs stay gap-free and
 * become visible in order whoever appends. The optimistic check then narrows to the batch's
 * workspaces (tl_store_marks): each is listed with the last seq this connection knows of it,
 * and the backend refuses the batch when the workspace has a later event. Two writers of one
 * workspace are still refused; writers of different workspaces never refuse each other.
 */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/desk_rows.h"
#include "store/store.h"

/* A fixed-size string field must hold its NUL: backends read it as a C string. */
static int terminated(const char *field, size_t size)
{
    return memchr(field, '\0', size) != NULL;
}

static int check_event(const tl_event *ev, size_t i, tl_err *err)
{
    if (ev->type < 1 || ev->type > TL_EV__MAX)
        return tl_err_set(err, TL_EINVAL, "event %zu: unknown type %u", i, ev->type);
    tl_err werr;
    if (tl_workspace_validate(ev->workspace, &werr) < 0) {
        if (!terminated(ev->workspace, sizeof ev->workspace))
            return tl_err_set(err, TL_EINVAL, "event %zu: workspace unterminated", i);
        return tl_err_set(err, TL_EINVAL, "event %zu (%s): %s", i, tl_event_type_name(ev->type),
                          werr.msg);
    }
    const char *bad = !terminated(ev->order_id, sizeof ev->order_id)   ? "order_id"
                      : !terminated(ev->idem_key, sizeof ev->idem_key) ? "idem_key"
                      : !terminated(ev->symbol, sizeof ev->symbol)     ? "symbol"
                      : !terminated(ev->trade_id, sizeof ev->trade_id) ? "trade_id"
                      : !terminated(ev->text, sizeof ev->text)         ? "text"
                                                                       : NULL;
    if (bad != NULL)
        return tl_err_set(err, TL_EINVAL, "event %zu (%s): %s unterminated", i,
                          tl_event_type_name(ev->type), bad);
    /* Replay deduplicates fills by trade id, and the trades table is unique on it: a fill
     * without one could neither be told apart nor stored twice. */
    if (ev->type == TL_EV_ORDER_FILLED && ev->trade_id[0] == '\0')
        return tl_err_set(err, TL_EINVAL, "event %zu (ORDER_FILLED): trade_id is empty", i);
    return 0;
}

static int check_batch(const tl_event *events, size_t n, const tl_store_batch *b, tl_err *err)
{
    const tl_position_row *positions = b->positions;
    const tl_account_row *accounts = b->accounts;
    size_t n_positions = b->n_positions, n_accounts = b->n_accounts;
    if (n == 0 && n_positions == 0 && n_accounts == 0 && b->n_quotes == 0 && b->n_lp_quotes == 0 &&
        b->n_executions == 0)
        return tl_err_set(err, TL_EINVAL, "tl_store_append: empty batch");
    if ((n > 0 && events == NULL) || (n_positions > 0 && positions == NULL) ||
        (n_accounts > 0 && accounts == NULL) || (b->n_quotes > 0 && b->quotes == NULL) ||
        (b->n_lp_quotes > 0 && b->lp_quotes == NULL) ||
        (b->n_executions > 0 && b->executions == NULL))
        return tl_err_set(err, TL_EINVAL, "tl_store_append: NULL array with a non-zero count");
    for (size_t i = 0; i < n; i++) {
        int rc = check_event(&events[i], i, err);
        if (rc < 0)
            return rc;
    }
    tl_err werr;
    for (size_t i = 0; i < n_positions; i++) {
        const tl_position_row *p = &positions[i];
        if (tl_workspace_validate(p->workspace, &werr) < 0)
            return tl_err_set(err, TL_EINVAL, "position row %zu: %s", i,
                              terminated(p->workspace, sizeof p->workspace)
                                  ? werr.msg
                                  : "workspace unterminated");
        if (!terminated(p->symbol, sizeof p->symbol) || p->symbol[0] == '\0')
            return tl_err_set(err, TL_EINVAL, "position row %zu: symbol empty or unterminated", i);
    }
    for (size_t i = 0; i < n_accounts; i++) {
        const tl_account_row *a = &accounts[i];
        if (tl_workspace_validate(a->workspace, &werr) < 0)
            return tl_err_set(err, TL_EINVAL, "account row %zu: %s", i,
                              terminated(a->workspace, sizeof a->workspace)
                                  ? werr.msg
                                  : "workspace unterminated");
    }
    return tl_desk_rows_check(b, err);
}

/* ---- what this connection knows of its workspaces (shared stores) ---- */

int tl__store_marks_init(tl_store_marks *m, uint64_t base)
{
    memset(m, 0, sizeof *m);
    m->base = base;
    return tl_hashmap_init(&m->index, 16) == 0 ? 0 : TL_ENOMEM;
}

void tl__store_marks_close(tl_store_marks *m)
{
    free(m->ws);
    free(m->list);
    free(m->items);
    tl_hashmap_close(&m->index);
    memset(m, 0, sizeof *m);
}

/* The ws[] index of workspace name (validated by check_batch), added when new. TL_ENOMEM. */
static int ws_index(tl_store_marks *m, const char *name, uint32_t *out)
{
    uint64_t h = tl_hash_bytes(name, strlen(name)), cur = 0;
    uint32_t i;
    while (tl_hashmap_next_match(&m->index, h, &cur, &i)) {
        if (strcmp(m->ws[i].workspace, name) == 0) {
            *out = i;
            return 0;
        }
    }
    if (m->n_ws >= UINT32_MAX - 1 || TL_VEC_RESERVE(&m->ws, &m->cap_ws, m->n_ws + 1) != 0 ||
        tl_hashmap_insert_multi(&m->index, h, (uint32_t)m->n_ws) != 0)
        return TL_ENOMEM;
    tl_store_ws *w = &m->ws[m->n_ws];
    memset(w, 0, sizeof *w);
    memcpy(w->workspace, name, strlen(name) + 1);
    *out = (uint32_t)m->n_ws++;
    return 0;
}

/* Lists each workspace of events[0..n) once, with the last seq this connection knows of it and
 * the index of its last event in the batch. TL_ENOMEM, nothing else. */
static int list_marks(tl_store_marks *m, const tl_event *events, size_t n)
{
    uint64_t batch = ++m->batch;
    uint32_t w = 0;
    m->n_list = 0;
    for (size_t i = 0; i < n; i++) {
        /* A batch is mostly runs of one workspace: only a change costs a lookup. */
        if (i == 0 || strcmp(events[i].workspace, events[i - 1].workspace) != 0) {
            if (ws_index(m, events[i].workspace, &w) != 0)
                return TL_ENOMEM;
            if (m->ws[w].batch != batch) {
                if (TL_VEC_RESERVE(&m->items, &m->cap_items, m->n_list + 1) != 0)
                    return TL_ENOMEM;
                m->ws[w].batch = batch;
                m->ws[w].list_pos = (uint32_t)m->n_list;
                m->items[m->n_list++].ws = w;
            }
        }
        m->items[m->ws[w].list_pos].last = (uint32_t)i;
    }
    if (TL_VEC_RESERVE(&m->list, &m->cap_list, m->n_list) != 0)
        return TL_ENOMEM;
    /* ws[] is stable now: the marks may point into it. */
    for (size_t k = 0; k < m->n_list; k++) {
        const tl_store_ws *sw = &m->ws[m->items[k].ws];
        m->list[k].workspace = sw->workspace;
        m->list[k].last_seq = sw->last_seq > m->base ? sw->last_seq : m->base;
    }
    return 0;
}

/* After the commit: the batch's workspaces are known up to their last event in it. */
static void keep_marks(tl_store_marks *m, const tl_event *events)
{
    for (size_t k = 0; k < m->n_list; k++)
        m->ws[m->items[k].ws].last_seq = events[m->items[k].last].seq;
}

/* ---- the batch ---- */

int tl_store_append(tl_store *s, tl_event *events, size_t n, const tl_position_row *positions,
                    size_t n_positions, const tl_account_row *accounts, size_t n_accounts,
                    tl_err *err)
{
    const tl_store_batch rows = {
        .positions = positions,
        .n_positions = n_positions,
        .accounts = accounts,
        .n_accounts = n_accounts,
    };
    return tl_store_append_batch(s, events, n, &rows, err);
}

/* A shared store's backend numbers the batch: ops->reserve, inside the transaction. */
static int shared(const tl_store *s)
{
    return s->ops->version >= TL_STORE_OPS_VERSION_V4 && s->ops->reserve != NULL;
}

int tl_store_append_batch(tl_store *s, tl_event *events, size_t n, const tl_store_batch *rows,
                          tl_err *err)
{
    int rc = tl__store_check_open(s, "tl_store_append", err);
    if (rc < 0)
        return rc;
    if (s->read_only)
        return tl_err_set(err, TL_ESTATE, "tl_store_append: the store is open for reading only");
    if (rows == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_append: NULL rows");
    rc = check_batch(events, n, rows, err);
    if (rc < 0)
        return rc;
    /* An older table's write knows nothing of these arrays: it would drop them silently. */
    if (s->ops->version < TL_STORE_OPS_VERSION_V3 &&
        (rows->n_quotes > 0 || rows->n_lp_quotes > 0 || rows->n_executions > 0))
        return tl_err_set(err, TL_ENOTSUP, "tl_store_append: store '%s' has no desk tables",
                          s->ops->scheme);
    int reserve = n > 0 && shared(s);
    if (!reserve && n > UINT64_MAX - s->high_water)
        return tl_err_set(err, TL_ERANGE, "tl_store_append: sequence numbers exhausted");
    if (reserve && list_marks(&s->marks, events, n) != 0)
        return tl_err_set(err, TL_ENOMEM, "tl_store_append: out of memory listing workspaces");
    tl_store_batch batch = *rows;
    batch.events = events;
    batch.n_events = n;

    rc = s->ops->begin(s->state, err);
    if (rc < 0) {
        s->stats.failures++; /* nothing was started, so there is nothing to roll back */
        return rc;
    }
    uint64_t last = s->high_water;
    if (reserve)
        rc = s->ops->reserve(s->state, s->marks.list, s->marks.n_list, &last, err);
    if (rc == 0 && n > UINT64_MAX - last)
        rc = tl_err_set(err, TL_ERANGE, "tl_store_append: sequence numbers exhausted");
    for (size_t i = 0; rc == 0 && i < n; i++)
        events[i].seq = last + 1 + i;
    uint64_t call = rc == 0 ? ++s->faults.writes : 0;
    if (rc == 0 && s->faults.fail_write_at != 0 && call == s->faults.fail_write_at)
        rc = tl_err_set(err, TL_EIO, "injected fault: write #%llu", (unsigned long long)call);
    else if (rc == 0)
        rc = s->ops->write(s->state, &batch, err);
    if (rc == 0) {
        call = ++s->faults.commits;
        /* An injected commit fault must not reach the backend: a real failed commit has not
         * made the batch durable, and calling commit first would. */
        if (s->faults.fail_commit_at != 0 && call == s->faults.fail_commit_at)
            rc = tl_err_set(err, TL_EIO, "injected fault: commit #%llu", (unsigned long long)call);
        else
            rc = s->ops->commit(s->state, err);
    }
    if (rc < 0) {
        s->ops->rollback(s->state);
        s->stats.rollbacks++;
        s->stats.failures++;
        /* Never assume where the journal ends after a failure: a commit whose answer was lost
         * may have gone through, and on a shared store another engine may have appended. Ask
         * the store; if it cannot answer now, the next append's sequence numbers collide with
         * the primary key and fail rather than leave a gap or a duplicate. The caller reads its
         * state again before its next batch, so that is what it knows from now on. */
        uint64_t hw;
        if (s->ops->high_water(s->state, &hw, NULL) == 0 && hw > s->high_water)
            s->high_water = hw;
        if (s->marks.base < s->high_water)
            s->marks.base = s->high_water;
        return rc;
    }
    if (reserve)
        keep_marks(&s->marks, events);
    if (n > 0 && last + n > s->high_water)
        s->high_water = last + n;
    if (n > 0)
        s->last_first_seq = last + 1;
    s->stats.batches++;
    s->stats.events += n;
    return 0;
}
