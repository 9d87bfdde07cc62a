/*
 * sqlite_ctl.c -- the SQLite backend's control inbox and status documents (schema version 4).
 *
 * Another process writes here while the engine holds the same file open and commits often: in
 * WAL mode readers never wait, and a writer waits for the write lock up to the connection's busy
 * timeout (sqlite_schema.c), which an engine's batch holds for milliseconds. Each write is one
 * statement in autocommit mode: it takes the write lock itself (no read transaction to upgrade,
 * so no SQLITE_BUSY_SNAPSHOT) and is durable as the connection's synchronous setting says when
 * it returns. Rows get their ids from AUTOINCREMENT under that lock, so ids ascend in commit
 * order and are never reused. Every statement is reset after use: a statement left stepping
 * would hold a read snapshot, hiding later rows and blocking checkpoints.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_int.h"

#define CTL_COLS "id, ts_ns, command, arg, taken_seq, taken_ns"

static const char *const ctl_sql[TL__SQC_COUNT] = {
    [TL__SQC_PUT] = "INSERT INTO control (ts_ns, command, arg) VALUES (?1, ?2, ?3)",
    /* The literal `taken_seq IS NULL` lets the partial index control_pending answer. */
    [TL__SQC_PENDING] = "SELECT " CTL_COLS " FROM control WHERE taken_seq IS NULL AND id > ?1"
                        " ORDER BY id LIMIT ?2",
    [TL__SQC_DONE] = "UPDATE control SET taken_seq = ?2, taken_ns = ?3 WHERE id = ?1 AND"
                     " taken_seq IS NULL",
    [TL__SQC_GET] = "SELECT " CTL_COLS " FROM control WHERE id = ?1",
    [TL__SQC_STATUS_PUT] = "INSERT INTO loop_status (name, ts_ns, doc) VALUES (?1, ?2, ?3) ON"
                           " CONFLICT (name) DO UPDATE SET ts_ns = excluded.ts_ns, doc ="
                           " excluded.doc",
    [TL__SQC_STATUS_GET] = "SELECT ts_ns, doc FROM loop_status WHERE name = ?1",
};

int tl__sqlite_ctl_prepare(tl__sqlite *st, tl_err *err)
{
    for (int i = 0; i < TL__SQC_COUNT; i++) {
        int rc = sqlite3_prepare_v3(st->db, ctl_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->ctl[i],
                                    NULL);
        if (rc != SQLITE_OK)
            return tl_err_set(err, TL_ECORRUPT, "%s: tables do not match schema version %d (%s)",
                              st->name, TL_STORE_SCHEMA_VERSION, sqlite3_errmsg(st->db));
    }
    return 0;
}

void tl__sqlite_ctl_finalize(tl__sqlite *st)
{
    for (int i = 0; i < TL__SQC_COUNT; i++) {
        sqlite3_finalize(st->ctl[i]);
        st->ctl[i] = NULL;
    }
}

/* Steps a statement that returns no rows, then resets it. */
static int run(tl__sqlite *st, sqlite3_stmt *q, const char *what, tl_err *err)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? 0 : tl__sqlite_error(st, rc, what, err);
}

int tl__sqlite_control_put(void *state, const char *command, const char *arg, int64_t ts_ns,
                           uint64_t *id, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->ctl[TL__SQC_PUT];
    sqlite3_bind_int64(q, 1, ts_ns);
    sqlite3_bind_text(q, 2, command, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, arg, -1, SQLITE_STATIC);
    int rc = run(st, q, "writing a control row", err);
    if (rc == 0)
        *id = (uint64_t)sqlite3_last_insert_rowid(st->db);
    return rc;
}

/* One row of CTL_COLS into *r (zeroed here). */
static int decode_row(tl__sqlite *st, sqlite3_stmt *q, tl_control_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    sqlite3_int64 id = sqlite3_column_int64(q, 0);
    sqlite3_int64 seq = sqlite3_column_int64(q, 4); /* NULL reads as 0: not taken */
    if (id < 1 || seq < 0 || tl__sq_column_text(q, 2, r->command, sizeof r->command) != 0 ||
        tl__sq_column_text(q, 3, r->arg, sizeof r->arg) != 0)
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt control row (id %lld)", st->name,
                          (long long)id);
    r->id = (uint64_t)id;
    r->ts_ns = sqlite3_column_int64(q, 1);
    r->taken_seq = (uint64_t)seq;
    r->taken_ns = sqlite3_column_int64(q, 5);
    return 0;
}

int tl__sqlite_control_pending(void *state, uint64_t after_id, tl_control_row *out, size_t cap,
                               size_t *n, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->ctl[TL__SQC_PENDING];
    /* Rows go to a scratch array first, so a failure half-way leaves out untouched. */
    size_t limit = cap < 4096 ? cap : 4096, got = 0;
    tl_control_row *rows = malloc(limit * sizeof *rows);
    if (rows == NULL)
        return tl_err_set(err, TL_ENOMEM, "%s: out of memory reading the control inbox", st->name);
    sqlite3_bind_int64(q, 1, after_id > INT64_MAX ? INT64_MAX : (sqlite3_int64)after_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((rc = decode_row(st, q, &rows[got], err)) != 0)
            break;
        got++;
    }
    if (rc == SQLITE_DONE) {
        memcpy(out, rows, got * sizeof *rows);
        *n = got;
        rc = 0;
    } else if (rc > 0) {
        rc = tl__sqlite_error(st, rc, "reading the control inbox", err);
    }
    sqlite3_reset(q);
    free(rows);
    return rc;
}

int tl__sqlite_control_done(void *state, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->ctl[TL__SQC_DONE];
    if (id > INT64_MAX || seq > INT64_MAX)
        return tl_err_set(err, TL_ENOTFOUND, "%s: no untaken control #%llu", st->name,
                          (unsigned long long)id);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)seq);
    sqlite3_bind_int64(q, 3, ts_ns);
    int rc = run(st, q, "marking a control row taken", err);
    if (rc == 0 && sqlite3_changes(st->db) != 1)
        rc = tl_err_set(err, TL_ENOTFOUND, "%s: no untaken control #%llu", st->name,
                        (unsigned long long)id);
    return rc;
}

int tl__sqlite_control_get(void *state, uint64_t id, tl_control_row *out, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->ctl[TL__SQC_GET];
    sqlite3_bind_int64(q, 1, id > INT64_MAX ? -1 : (sqlite3_int64)id);
    tl_control_row row;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        rc = decode_row(st, q, &row, err);
    else if (rc == SQLITE_DONE)
        rc =
            tl_err_set(err, TL_ENOTFOUND, "%s: no control #%llu", st->name, (unsigned long long)id);
    else
        rc = tl__sqlite_error(st, rc, "reading a control row", err);
    sqlite3_reset(q);
    if (rc == 0)
        *out = row;
    return rc;
}

int tl__sqlite_status_put(void *state, const char *name, int64_t ts_ns, const char *doc, size_t len,
                          tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->ctl[TL__SQC_STATUS_PUT];
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, ts_ns);
    sqlite3_bind_text(q, 3, doc, (int)len, SQLITE_STATIC); /* len <= TL_STATUS_DOC_MAX */
    return run(st, q, "writing a status document", err);
}

int tl__sqlite_status_get(void *state, const char *name, char **doc, int64_t *ts_ns, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->ctl[TL__SQC_STATUS_GET];
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        int n = sqlite3_column_bytes(q, 1);
        const void *p = sqlite3_column_blob(q, 1);
        char *copy = malloc((size_t)n + 1);
        if (copy == NULL) {
            rc =
                tl_err_set(err, TL_ENOMEM, "%s: out of memory reading status '%s'", st->name, name);
        } else {
            if (n > 0)
                memcpy(copy, p, (size_t)n);
            copy[n] = '\0';
            *doc = copy;
            *ts_ns = sqlite3_column_int64(q, 0);
            rc = 0;
        }
    } else if (rc == SQLITE_DONE) {
        rc = tl_err_set(err, TL_ENOTFOUND, "%s: no status '%s'", st->name, name);
    } else {
        rc = tl__sqlite_error(st, rc, "reading a status document", err);
    }
    sqlite3_reset(q);
    return rc;
}
