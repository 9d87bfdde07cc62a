/*
 * sqlite_runs.c -- the SQLite backend's run plans and variants (schema version 8).
 *
 * Each write is one statement in autocommit mode, like the control inbox (sqlite_ctl.c): it
 * takes the write lock itself and is durable as the connection's synchronous setting says when
 * it returns. A plan is inserted unless its id is there (ON CONFLICT DO NOTHING); then a second
 * statement compares the stored spec with the new one inside SQLite, so a long spec is never
 * copied out to be compared. Plans never change once stored, so the two statements need no
 * transaction around them. A variant is inserted or updated in one statement that selects its
 * values only when the plan exists: no row changed means no plan (TL_ENOTFOUND). Reads decode
 * into scratch rows first, so a bad row leaves the caller's output untouched, and every
 * statement is reset after use (a statement left stepping would hold a read snapshot).
 */
#include <stdlib.h>
#include <string.h>

#include "store/run_rows.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

#define PLAN_COLS TL_RUN_PLAN_COLS
#define VAR_COLS  TL_RUN_VARIANT_COLS

static const char *const runs_sql[TL__SQR_COUNT] = {
    [TL__SQR_PLAN_INS] = "INSERT INTO run_plans (" PLAN_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                         " ?7, ?8) ON CONFLICT (run_plan_id) DO NOTHING",
    [TL__SQR_PLAN_SAME] = "SELECT spec = ?2 FROM run_plans WHERE run_plan_id = ?1",
    /* WHERE EXISTS also settles SQLite's INSERT ... SELECT ... ON CONFLICT parsing question. */
    [TL__SQR_VAR_PUT] =
        "INSERT INTO run_variants (" VAR_COLS ") SELECT ?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17 WHERE EXISTS"
        " (SELECT 1 FROM run_plans WHERE run_plan_id = ?1)"
        " ON CONFLICT (run_plan_id, variant_id) DO UPDATE SET " TL_RUN_VARIANT_UPDATE,
    /* TEXT without COLLATE compares bytes: the same order as every backend. */
    [TL__SQR_PLANS_RECENT] = "SELECT " PLAN_COLS " FROM run_plans ORDER BY created_ns DESC,"
                             " run_plan_id LIMIT ?1",
    [TL__SQR_PLAN_GET] = "SELECT " PLAN_COLS " FROM run_plans WHERE run_plan_id = ?1",
    /* The window's count is taken before the LIMIT: how many the plan has. */
    [TL__SQR_VARIANTS] = "SELECT " VAR_COLS ", count(*) OVER () FROM run_variants"
                         " WHERE run_plan_id = ?1 ORDER BY ord, variant_id LIMIT ?2",
    [TL__SQR_PLAN_EXISTS] = "SELECT 1 FROM run_plans WHERE run_plan_id = ?1",
};

int tl__sqlite_runs_prepare(tl__sqlite *st, tl_err *err)
{
    for (int i = 0; i < TL__SQR_COUNT; i++) {
        int rc = sqlite3_prepare_v3(st->db, runs_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                    &st->runs[i], NULL);
        if (rc != SQLITE_OK)
            return tl_err_set(err, TL_ECORRUPT, "%s: tables do not match schema version %d (%s)",
                              st->name, TL_STORE_SCHEMA_VERSION, sqlite3_errmsg(st->db));
    }
    return 0;
}

void tl__sqlite_runs_finalize(tl__sqlite *st)
{
    for (int i = 0; i < TL__SQR_COUNT; i++) {
        sqlite3_finalize(st->runs[i]);
        st->runs[i] = NULL;
    }
}

#define TXT(q, i, s) sqlite3_bind_text((q), (i), (s), -1, SQLITE_STATIC)
#define I64(q, i, v) sqlite3_bind_int64((q), (i), (v))

/* Steps q once: SQLITE_ROW or SQLITE_DONE, else the mapped error (q reset by the caller). */
static int step_once(tl__sqlite *st, sqlite3_stmt *q, const char *what, int *got, tl_err *err)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        *got = rc;
        return 0;
    }
    return tl__sqlite_error(st, rc, what, err);
}

static void done_with(sqlite3_stmt *q)
{
    sqlite3_reset(q);
    sqlite3_clear_bindings(q); /* the binds borrow the caller's row */
}

int tl__sqlite_run_plan_put(void *state, const tl_run_plan_row *r, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->runs[TL__SQR_PLAN_INS];
    size_t len = strlen(r->spec); /* <= TL_RUN_SPEC_MAX, checked by the dispatcher */
    TXT(q, 1, r->run_plan_id);
    I64(q, 2, r->created_ns);
    TXT(q, 3, r->strategy);
    TXT(q, 4, r->symbol);
    sqlite3_bind_text(q, 5, r->spec, (int)len, SQLITE_STATIC);
    TXT(q, 6, r->data_name);
    I64(q, 7, r->bars);
    I64(q, 8, r->variants);
    int got = 0, rc = step_once(st, q, "writing a run plan", &got, err);
    done_with(q);
    if (rc != 0 || sqlite3_changes(st->db) == 1)
        return rc;
    /* The id was there already: the same plan again, or another under its id. */
    q = st->runs[TL__SQR_PLAN_SAME];
    TXT(q, 1, r->run_plan_id);
    sqlite3_bind_text(q, 2, r->spec, (int)len, SQLITE_STATIC);
    rc = step_once(st, q, "reading a run plan", &got, err);
    int same = rc == 0 && got == SQLITE_ROW && sqlite3_column_int(q, 0) == 1;
    done_with(q);
    if (rc == 0 && !same)
        rc = tl_err_set(err, TL_EDUPLICATE, "%s: run plan %s is stored with another spec", st->name,
                        r->run_plan_id);
    return rc;
}

int tl__sqlite_run_variant_put(void *state, const tl_run_variant_row *r, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->runs[TL__SQR_VAR_PUT];
    TXT(q, 1, r->run_plan_id);
    TXT(q, 2, r->variant_id);
    I64(q, 3, r->ord);
    TXT(q, 4, tl_run_kind_name(r->kind));
    TXT(q, 5, r->workspace);
    TXT(q, 6, r->overrides);
    TXT(q, 7, tl_run_status_name(r->status));
    TXT(q, 8, r->error);
    I64(q, 9, r->trade_count);
    I64(q, 10, r->return_pct);
    I64(q, 11, r->max_drawdown_pct);
    if (r->has_sharpe) /* unbound parameters are NULL */
        I64(q, 12, r->sharpe);
    if (r->has_win_rate)
        I64(q, 13, r->win_rate);
    if (r->has_profit_factor)
        I64(q, 14, r->profit_factor);
    I64(q, 15, r->ending_equity);
    TXT(q, 16, r->state_digest);
    I64(q, 17, r->finished_ns);
    int got = 0, rc = step_once(st, q, "writing a run variant", &got, err);
    done_with(q);
    if (rc == 0 && sqlite3_changes(st->db) != 1)
        rc = tl_err_set(err, TL_ENOTFOUND, "%s: no run plan %s", st->name, r->run_plan_id);
    return rc;
}

#define COL_TEXT(q, c, field) (tl__sq_column_text((q), (c), (field), sizeof(field)) == 0)

/* One row of PLAN_COLS into *r (zeroed here), its spec malloc'ed. */
static int decode_plan(tl__sqlite *st, sqlite3_stmt *q, tl_run_plan_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    int n = sqlite3_column_bytes(q, 4);
    const void *spec = sqlite3_column_blob(q, 4);
    if (!COL_TEXT(q, 0, r->run_plan_id) || !COL_TEXT(q, 2, r->strategy) ||
        !COL_TEXT(q, 3, r->symbol) || !COL_TEXT(q, 5, r->data_name) || n <= 0 || spec == NULL)
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt run_plans row", st->name);
    char *copy = malloc((size_t)n + 1);
    if (copy == NULL)
        return tl_err_set(err, TL_ENOMEM, "%s: out of memory reading a run plan", st->name);
    memcpy(copy, spec, (size_t)n);
    copy[n] = '\0';
    r->spec = copy;
    r->created_ns = sqlite3_column_int64(q, 1);
    r->bars = sqlite3_column_int64(q, 6);
    r->variants = sqlite3_column_int64(q, 7);
    return 0;
}

int tl__sqlite_run_plans_recent(void *state, tl_run_plan_row *out, size_t cap, size_t *n,
                                tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->runs[TL__SQR_PLANS_RECENT];
    size_t limit = cap < 100000 ? cap : 100000, got = 0; /* a page's N is far below */
    tl_run_plan_row *rows = malloc(limit * sizeof *rows);
    if (rows == NULL)
        return tl_err_set(err, TL_ENOMEM, "%s: out of memory reading run plans", st->name);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((rc = decode_plan(st, q, &rows[got], err)) != 0)
            break;
        got++;
    }
    if (rc == SQLITE_DONE) {
        memcpy(out, rows, got * sizeof *rows);
        *n = got;
        rc = 0;
    } else {
        if (rc > 0)
            rc = tl__sqlite_error(st, rc, "reading run plans", err);
        tl_run_plan_rows_free(rows, got);
    }
    sqlite3_reset(q);
    free(rows);
    return rc;
}

int tl__sqlite_run_plan_get(void *state, const char *id, tl_run_plan_row *out, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->runs[TL__SQR_PLAN_GET];
    TXT(q, 1, id);
    int got = 0, rc = step_once(st, q, "reading a run plan", &got, err);
    if (rc == 0 && got == SQLITE_ROW)
        rc = decode_plan(st, q, out, err);
    else if (rc == 0)
        rc = tl_err_set(err, TL_ENOTFOUND, "%s: no run plan %s", st->name, id);
    done_with(q);
    return rc;
}

static int decode_variant(tl__sqlite *st, sqlite3_stmt *q, tl_run_variant_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    const char *kind = (const char *)sqlite3_column_text(q, 3);
    const char *status = (const char *)sqlite3_column_text(q, 6);
    int k = tl_run_kind_parse(kind), s = tl_run_status_parse(status);
    if (!COL_TEXT(q, 0, r->run_plan_id) || !COL_TEXT(q, 1, r->variant_id) ||
        !COL_TEXT(q, 4, r->workspace) || !COL_TEXT(q, 5, r->overrides) ||
        !COL_TEXT(q, 7, r->error) || !COL_TEXT(q, 15, r->state_digest) || k == 0 || s == 0)
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt run_variants row", st->name);
    r->ord = sqlite3_column_int64(q, 2);
    r->kind = (uint8_t)k;
    r->status = (uint8_t)s;
    r->trade_count = sqlite3_column_int64(q, 8);
    r->return_pct = sqlite3_column_int64(q, 9);
    r->max_drawdown_pct = sqlite3_column_int64(q, 10);
    r->has_sharpe = sqlite3_column_type(q, 11) != SQLITE_NULL;
    r->sharpe = sqlite3_column_int64(q, 11); /* NULL reads as 0 */
    r->has_win_rate = sqlite3_column_type(q, 12) != SQLITE_NULL;
    r->win_rate = sqlite3_column_int64(q, 12);
    r->has_profit_factor = sqlite3_column_type(q, 13) != SQLITE_NULL;
    r->profit_factor = sqlite3_column_int64(q, 13);
    r->ending_equity = sqlite3_column_int64(q, 14);
    r->finished_ns = sqlite3_column_int64(q, 16);
    return 0;
}

int tl__sqlite_run_variants(void *state, const char *plan_id, tl_run_variant_row *out, size_t cap,
                            size_t *n, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->runs[TL__SQR_VARIANTS];
    /* At least one row is asked for, so the count comes back even when cap is 0. */
    size_t limit = cap < 1 ? 1 : cap < 200000 ? cap : 200000, got = 0;
    tl_run_variant_row *rows = malloc(limit * sizeof *rows);
    if (rows == NULL)
        return tl_err_set(err, TL_ENOMEM, "%s: out of memory reading run variants", st->name);
    TXT(q, 1, plan_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)limit);
    sqlite3_int64 total = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((rc = decode_variant(st, q, &rows[got], err)) != 0)
            break;
        total = sqlite3_column_int64(q, 17);
        got++;
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = tl__sqlite_error(st, rc, "reading run variants", err);
    done_with(q);
    if (rc == 0 && got == 0) { /* no variants: a plan without any yet, or no plan */
        q = st->runs[TL__SQR_PLAN_EXISTS];
        TXT(q, 1, plan_id);
        int row = 0;
        rc = step_once(st, q, "reading a run plan", &row, err);
        done_with(q);
        if (rc == 0 && row != SQLITE_ROW)
            rc = tl_err_set(err, TL_ENOTFOUND, "%s: no run plan %s", st->name, plan_id);
    }
    if (rc == 0) {
        size_t copy = got < cap ? got : cap;
        if (copy > 0)
            memcpy(out, rows, copy * sizeof *rows);
        *n = (size_t)total;
    }
    free(rows);
    return rc;
}
