/*
 * pg_runs.c -- the PostgreSQL backend's run plans and variants (schema version 8).
 *
 * Each write is one statement outside any transaction of the store's session (autocommit), so
 * it is as durable as the store's synchronous_commit says when it returns. A plan is inserted
 * unless its id is there (ON CONFLICT DO NOTHING, which waits for a concurrent insert of the
 * same id to end); then the server compares the stored spec with the new one, so a long spec is
 * never sent back. Plans never change once stored, so the two statements need no transaction.
 * A variant is inserted or updated in one statement that selects its values only when the plan
 * exists: no row means no plan (TL_ENOTFOUND). Values go as text parameters, NULL figures as
 * NULL parameters; rows come back as text and are all decoded before the caller's output is
 * touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"
#include "store/run_rows.h"
#include "store/store.h"

#define PLAN_COLS TL_RUN_PLAN_COLS
#define VAR_COLS  TL_RUN_VARIANT_COLS

static const struct {
    const char *name, *sql;
} run_statements[] = {
    {"tl_run_plan_ins", "INSERT INTO run_plans (" PLAN_COLS ") VALUES ($1::text, $2::bigint,"
                        " $3::text, $4::text, $5::text, $6::text, $7::bigint, $8::bigint)"
                        " ON CONFLICT (run_plan_id) DO NOTHING"},
    {"tl_run_plan_same", "SELECT spec = $2::text FROM run_plans WHERE run_plan_id = $1::text"},
    {"tl_run_var_put",
     "INSERT INTO run_variants (" VAR_COLS ") SELECT $1::text, $2::text, $3::bigint, $4::text,"
     " $5::text, $6::text, $7::text, $8::text, $9::bigint, $10::bigint, $11::bigint,"
     " $12::bigint, $13::bigint, $14::bigint, $15::bigint, $16::text, $17::bigint"
     " WHERE EXISTS (SELECT 1 FROM run_plans WHERE run_plan_id = $1::text)"
     " ON CONFLICT (run_plan_id, variant_id) DO UPDATE SET " TL_RUN_VARIANT_UPDATE},
    {"tl_run_plans_recent", "SELECT " PLAN_COLS " FROM run_plans ORDER BY created_ns DESC,"
                            " run_plan_id COLLATE \"C\" LIMIT $1::bigint"},
    {"tl_run_plan_get", "SELECT " PLAN_COLS " FROM run_plans WHERE run_plan_id = $1::text"},
    /* The window's count is taken before the LIMIT: how many the plan has. */
    {"tl_run_variants", "SELECT " VAR_COLS ", count(*) OVER () FROM run_variants"
                        " WHERE run_plan_id = $1::text ORDER BY ord, variant_id COLLATE \"C\""
                        " LIMIT $2::bigint"},
    {"tl_run_plan_exists", "SELECT 1 FROM run_plans WHERE run_plan_id = $1::text"},
};

int tl__pg_prepare_runs(tl__pg *pg, tl_err *err)
{
    for (size_t i = 0; i < sizeof run_statements / sizeof run_statements[0]; i++) {
        PGresult *res = PQprepare(pg->conn, run_statements[i].name, run_statements[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return tl__pg_fail(pg, res, run_statements[i].name, err);
        PQclear(res);
    }
    return 0;
}

/* Runs a prepared write: 0 and *rows (the rows it changed), or the mapped failure. */
static int run_write(tl__pg *pg, const char *name, int nparams, const char *const *params,
                     long *rows, tl_err *err)
{
    int rc = tl__pg_ensure_conn(pg, err);
    if (rc)
        return rc;
    if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE) /* left over by a failed call */
        PQclear(PQexec(pg->conn, "ROLLBACK"));
    PGresult *res = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return tl__pg_fail(pg, res, name, err);
    *rows = strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return 0;
}

#define I64(buf, v) (snprintf((buf), sizeof(buf), "%lld", (long long)(v)), (const char *)(buf))

int tl__pg_run_plan_put(void *st, const tl_run_plan_row *r, tl_err *err)
{
    tl__pg *pg = st;
    char created[24], bars[24], variants[24];
    const char *params[8] = {r->run_plan_id,
                             I64(created, r->created_ns),
                             r->strategy,
                             r->symbol,
                             r->spec,
                             r->data_name,
                             I64(bars, r->bars),
                             I64(variants, r->variants)};
    long rows = 0;
    int rc = run_write(pg, "tl_run_plan_ins", 8, params, &rows, err);
    if (rc || rows == 1)
        return rc;
    /* The id was there already: the same plan again, or another under its id. */
    const char *same[2] = {r->run_plan_id, r->spec};
    PGresult *res = tl__pg_run(pg, "tl_run_plan_same", 2, same, err, &rc);
    if (!res)
        return rc;
    if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        rc = tl_err_set(err, TL_EDUPLICATE, "run plan %s is stored with another spec",
                        r->run_plan_id);
    PQclear(res);
    return rc;
}

int tl__pg_run_variant_put(void *st, const tl_run_variant_row *r, tl_err *err)
{
    tl__pg *pg = st;
    char ord[24], trades[24], ret[24], dd[24], sharpe[24], win[24], pf[24], eq[24], fin[24];
    const char *params[17] = {
        r->run_plan_id,
        r->variant_id,
        I64(ord, r->ord),
        tl_run_kind_name(r->kind),
        r->workspace,
        r->overrides,
        tl_run_status_name(r->status),
        r->error,
        I64(trades, r->trade_count),
        I64(ret, r->return_pct),
        I64(dd, r->max_drawdown_pct),
        r->has_sharpe ? I64(sharpe, r->sharpe) : NULL, /* a NULL parameter is SQL NULL */
        r->has_win_rate ? I64(win, r->win_rate) : NULL,
        r->has_profit_factor ? I64(pf, r->profit_factor) : NULL,
        I64(eq, r->ending_equity),
        r->state_digest,
        I64(fin, r->finished_ns),
    };
    long rows = 0;
    int rc = run_write(pg, "tl_run_var_put", 17, params, &rows, err);
    if (rc == 0 && rows != 1)
        rc = tl_err_set(err, TL_ENOTFOUND, "no run plan %s", r->run_plan_id);
    return rc;
}

static int64_t get_i64(const PGresult *res, int i, int c)
{
    return strtoll(PQgetvalue(res, i, c), NULL, 10);
}

#define TEXT_OK(res, i, c, field) (tl__pg_get_text((res), (i), (c), (field), sizeof(field)) == 0)

/* Row i of PLAN_COLS into *r (zeroed here), its spec malloc'ed. */
static int decode_plan(const PGresult *res, int i, tl_run_plan_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    int n = PQgetlength(res, i, 4);
    if (!TEXT_OK(res, i, 0, r->run_plan_id) || !TEXT_OK(res, i, 2, r->strategy) ||
        !TEXT_OK(res, i, 3, r->symbol) || !TEXT_OK(res, i, 5, r->data_name) || n <= 0)
        return tl_err_set(err, TL_ECORRUPT, "corrupt run_plans row");
    char *spec = malloc((size_t)n + 1);
    if (spec == NULL)
        return tl_err_set(err, TL_ENOMEM, "out of memory reading a run plan");
    memcpy(spec, PQgetvalue(res, i, 4), (size_t)n + 1);
    r->spec = spec;
    r->created_ns = get_i64(res, i, 1);
    r->bars = get_i64(res, i, 6);
    r->variants = get_i64(res, i, 7);
    return 0;
}

int tl__pg_run_plans_recent(void *st, tl_run_plan_row *out, size_t cap, size_t *n, tl_err *err)
{
    char limit[24];
    const char *params[1] = {I64(limit, cap > INT64_MAX ? INT64_MAX : cap)};
    int rc;
    PGresult *res = tl__pg_run(st, "tl_run_plans_recent", 1, params, err, &rc);
    if (!res)
        return rc;
    int rows = PQntuples(res), got = 0;
    tl_run_plan_row *tmp = malloc((rows > 0 ? (size_t)rows : 1) * sizeof *tmp);
    if (tmp == NULL)
        rc = tl_err_set(err, TL_ENOMEM, "out of memory reading run plans");
    for (; rc == 0 && got < rows; got++) {
        if ((rc = decode_plan(res, got, &tmp[got], err)) != 0)
            break;
    }
    if (rc == 0) {
        memcpy(out, tmp, (size_t)rows * sizeof *tmp);
        *n = (size_t)rows;
    } else if (tmp != NULL) {
        tl_run_plan_rows_free(tmp, (size_t)got);
    }
    free(tmp);
    PQclear(res);
    return rc;
}

int tl__pg_run_plan_get(void *st, const char *id, tl_run_plan_row *out, tl_err *err)
{
    const char *params[1] = {id};
    int rc;
    PGresult *res = tl__pg_run(st, "tl_run_plan_get", 1, params, err, &rc);
    if (!res)
        return rc;
    if (PQntuples(res) == 0)
        rc = tl_err_set(err, TL_ENOTFOUND, "no run plan %s", id);
    else
        rc = decode_plan(res, 0, out, err);
    PQclear(res);
    return rc;
}

static int decode_variant(const PGresult *res, int i, tl_run_variant_row *r)
{
    memset(r, 0, sizeof *r);
    int k = tl_run_kind_parse(PQgetvalue(res, i, 3));
    int s = tl_run_status_parse(PQgetvalue(res, i, 6));
    if (!TEXT_OK(res, i, 0, r->run_plan_id) || !TEXT_OK(res, i, 1, r->variant_id) ||
        !TEXT_OK(res, i, 4, r->workspace) || !TEXT_OK(res, i, 5, r->overrides) ||
        !TEXT_OK(res, i, 7, r->error) || !TEXT_OK(res, i, 15, r->state_digest) || k == 0 || s == 0)
        return -1;
    r->ord = get_i64(res, i, 2);
    r->kind = (uint8_t)k;
    r->status = (uint8_t)s;
    r->trade_count = get_i64(res, i, 8);
    r->return_pct = get_i64(res, i, 9);
    r->max_drawdown_pct = get_i64(res, i, 10);
    r->has_sharpe = !PQgetisnull(res, i, 11);
    r->sharpe = r->has_sharpe ? get_i64(res, i, 11) : 0;
    r->has_win_rate = !PQgetisnull(res, i, 12);
    r->win_rate = r->has_win_rate ? get_i64(res, i, 12) : 0;
    r->has_profit_factor = !PQgetisnull(res, i, 13);
    r->profit_factor = r->has_profit_factor ? get_i64(res, i, 13) : 0;
    r->ending_equity = get_i64(res, i, 14);
    r->finished_ns = get_i64(res, i, 16);
    return 0;
}

int tl__pg_run_variants(void *st, const char *plan_id, tl_run_variant_row *out, size_t cap,
                        size_t *n, tl_err *err)
{
    char limit[24];
    /* At least one row is asked for, so the count comes back even when cap is 0. */
    const char *params[2] = {plan_id, I64(limit, cap < 1 ? 1 : cap > INT64_MAX ? INT64_MAX : cap)};
    int rc;
    PGresult *res = tl__pg_run(st, "tl_run_variants", 2, params, err, &rc);
    if (!res)
        return rc;
    int rows = PQntuples(res);
    tl_run_variant_row tmp;
    for (int i = 0; rc == 0 && i < rows; i++) { /* every row checked before out is touched */
        if (decode_variant(res, i, &tmp) != 0)
            rc = tl_err_set(err, TL_ECORRUPT, "corrupt run_variants row");
    }
    size_t total = rows > 0 ? (size_t)get_i64(res, 0, 17) : 0;
    if (rc == 0 && rows == 0) { /* no variants: a plan without any yet, or no plan */
        PGresult *e = tl__pg_run(st, "tl_run_plan_exists", 1, params, err, &rc);
        if (e != NULL && PQntuples(e) == 0)
            rc = tl_err_set(err, TL_ENOTFOUND, "no run plan %s", plan_id);
        PQclear(e);
    }
    for (int i = 0; rc == 0 && i < rows && (size_t)i < cap; i++)
        decode_variant(res, i, &out[i]);
    if (rc == 0)
        *n = total;
    PQclear(res);
    return rc;
}
