/*
 * pg_ctl.c -- the PostgreSQL backend's control inbox and status documents (schema version 4).
 *
 * Each write is its own transaction on the store's session, so it is as durable as the store's
 * synchronous_commit says when it returns. Ids come from an identity column, but a sequence
 * hands out numbers in call order, not commit order: two requesters could commit ids 6 then 5,
 * and an engine that had read 6 and asked for rows after it would never see 5. So a put takes
 * an EXCLUSIVE lock on the table for its short transaction (readers are not blocked; other
 * puts and takes wait for it), and ids become visible in ascending order as on SQLite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"

#define CTL_COLS "id, ts_ns, command, arg, taken_seq, taken_ns"

static const struct {
    const char *name, *sql;
} ctl_statements[] = {
    {"tl_ctl_put", "INSERT INTO control (ts_ns, command, arg) VALUES ($1::bigint, $2::text,"
                   " $3::text) RETURNING id"},
    /* The literal `taken_seq IS NULL` lets the partial index control_pending answer. */
    {"tl_ctl_pending", "SELECT " CTL_COLS " FROM control WHERE taken_seq IS NULL AND"
                       " id > $1::bigint ORDER BY id LIMIT $2::bigint"},
    {"tl_ctl_done", "UPDATE control SET taken_seq = $2::bigint, taken_ns = $3::bigint"
                    " WHERE id = $1::bigint AND taken_seq IS NULL"},
    {"tl_ctl_get", "SELECT " CTL_COLS " FROM control WHERE id = $1::bigint"},
    {"tl_status_put", "INSERT INTO loop_status (name, ts_ns, doc) VALUES ($1::text, $2::bigint,"
                      " $3::text) ON CONFLICT (name) DO UPDATE SET ts_ns = excluded.ts_ns,"
                      " doc = excluded.doc"},
    {"tl_status_get", "SELECT ts_ns, doc FROM loop_status WHERE name = $1::text"},
};

int tl__pg_prepare_ctl(tl__pg *pg, tl_err *err)
{
    for (size_t i = 0; i < sizeof ctl_statements / sizeof ctl_statements[0]; i++) {
        PGresult *res = PQprepare(pg->conn, ctl_statements[i].name, ctl_statements[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return tl__pg_fail(pg, res, ctl_statements[i].name, err);
        PQclear(res);
    }
    return 0;
}

/* Runs a prepared statement with text parameters and results; NULL (and *rc) on failure. */
static PGresult *run(tl__pg *pg, const char *name, int nparams, const char *const *params,
                     ExecStatusType want, tl_err *err, int *rc)
{
    *rc = tl__pg_ensure_conn(pg, err);
    if (*rc)
        return NULL;
    PGresult *res = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, 0);
    if (PQresultStatus(res) != want) {
        *rc = tl__pg_fail(pg, res, name, err);
        return NULL;
    }
    return res;
}

int tl__pg_control_put(void *st, const char *command, const char *arg, int64_t ts_ns, uint64_t *id,
                       tl_err *err)
{
    tl__pg *pg = st;
    int rc = tl__pg_ensure_conn(pg, err);
    if (rc)
        return rc;
    if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE) /* left over by a failed call */
        PQclear(PQexec(pg->conn, "ROLLBACK"));
    if ((rc = tl__pg_exec(pg, "BEGIN; LOCK TABLE control IN EXCLUSIVE MODE",
                          "locking the control inbox", err)) != 0)
        return rc;
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)ts_ns);
    const char *params[3] = {ts, command, arg};
    PGresult *res = run(pg, "tl_ctl_put", 3, params, PGRES_TUPLES_OK, err, &rc);
    uint64_t got = 0;
    if (res) {
        got = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        /* Outcome unknown when the connection dies during COMMIT: reported as a failure. A
         * retry may then add a second row, which an engine takes as a second request. */
        rc = tl__pg_exec(pg, "COMMIT", "committing a control row", err);
    }
    if (rc) {
        if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK &&
            PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
            PQclear(PQexec(pg->conn, "ROLLBACK"));
        return rc;
    }
    *id = got;
    return 0;
}

/* One text row of CTL_COLS into *r (zeroed here). */
static int decode_row(const PGresult *res, int i, tl_control_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    const char *cmd = PQgetvalue(res, i, 2), *arg = PQgetvalue(res, i, 3);
    long long id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
    long long seq = PQgetisnull(res, i, 4) ? 0 : strtoll(PQgetvalue(res, i, 4), NULL, 10);
    if (id < 1 || seq < 0 || strlen(cmd) >= sizeof r->command || strlen(arg) >= sizeof r->arg)
        return tl_err_set(err, TL_ECORRUPT, "corrupt control row (id %lld)", id);
    r->id = (uint64_t)id;
    r->ts_ns = strtoll(PQgetvalue(res, i, 1), NULL, 10);
    memcpy(r->command, cmd, strlen(cmd) + 1);
    memcpy(r->arg, arg, strlen(arg) + 1);
    r->taken_seq = (uint64_t)seq;
    r->taken_ns = PQgetisnull(res, i, 5) ? 0 : strtoll(PQgetvalue(res, i, 5), NULL, 10);
    return 0;
}

int tl__pg_control_pending(void *st, uint64_t after_id, tl_control_row *out, size_t cap, size_t *n,
                           tl_err *err)
{
    tl__pg *pg = st;
    char after[24], limit[24];
    snprintf(after, sizeof after, "%llu",
             (unsigned long long)(after_id > INT64_MAX ? INT64_MAX : after_id));
    snprintf(limit, sizeof limit, "%llu", (unsigned long long)(cap > INT64_MAX ? INT64_MAX : cap));
    const char *params[2] = {after, limit};
    int rc;
    PGresult *res = run(pg, "tl_ctl_pending", 2, params, PGRES_TUPLES_OK, err, &rc);
    if (!res)
        return rc;
    int rows = PQntuples(res);
    tl_control_row tmp;
    /* Every row checked first: on failure the output stays untouched. */
    for (int i = 0; rc == 0 && i < rows; i++)
        rc = decode_row(res, i, &tmp, err);
    for (int i = 0; rc == 0 && i < rows; i++)
        decode_row(res, i, &out[i], err);
    if (rc == 0)
        *n = (size_t)rows;
    PQclear(res);
    return rc;
}

int tl__pg_control_done(void *st, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err)
{
    tl__pg *pg = st;
    if (id > INT64_MAX || seq > INT64_MAX)
        return tl_err_set(err, TL_ENOTFOUND, "no untaken control #%llu", (unsigned long long)id);
    char a[24], b[24], c[24];
    snprintf(a, sizeof a, "%llu", (unsigned long long)id);
    snprintf(b, sizeof b, "%llu", (unsigned long long)seq);
    snprintf(c, sizeof c, "%lld", (long long)ts_ns);
    const char *params[3] = {a, b, c};
    int rc;
    PGresult *res = run(pg, "tl_ctl_done", 3, params, PGRES_COMMAND_OK, err, &rc);
    if (!res)
        return rc;
    if (strcmp(PQcmdTuples(res), "1") != 0)
        rc = tl_err_set(err, TL_ENOTFOUND, "no untaken control #%llu", (unsigned long long)id);
    PQclear(res);
    return rc;
}

int tl__pg_control_get(void *st, uint64_t id, tl_control_row *out, tl_err *err)
{
    tl__pg *pg = st;
    char a[24];
    snprintf(a, sizeof a, "%lld", id > INT64_MAX ? -1LL : (long long)id);
    const char *params[1] = {a};
    int rc;
    PGresult *res = run(pg, "tl_ctl_get", 1, params, PGRES_TUPLES_OK, err, &rc);
    if (!res)
        return rc;
    tl_control_row row;
    if (PQntuples(res) == 0)
        rc = tl_err_set(err, TL_ENOTFOUND, "no control #%llu", (unsigned long long)id);
    else if ((rc = decode_row(res, 0, &row, err)) == 0)
        *out = row;
    PQclear(res);
    return rc;
}

int tl__pg_status_put(void *st, const char *name, int64_t ts_ns, const char *doc, size_t len,
                      tl_err *err)
{
    (void)len; /* doc ends at len: text parameters are read up to their NUL */
    tl__pg *pg = st;
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)ts_ns);
    const char *params[3] = {name, ts, doc};
    int rc;
    PGresult *res = run(pg, "tl_status_put", 3, params, PGRES_COMMAND_OK, err, &rc);
    if (!res)
        return rc;
    PQclear(res);
    return 0;
}

int tl__pg_status_get(void *st, const char *name, char **doc, int64_t *ts_ns, tl_err *err)
{
    tl__pg *pg = st;
    const char *params[1] = {name};
    int rc;
    PGresult *res = run(pg, "tl_status_get", 1, params, PGRES_TUPLES_OK, err, &rc);
    if (!res)
        return rc;
    if (PQntuples(res) == 0) {
        rc = tl_err_set(err, TL_ENOTFOUND, "no status '%s'", name);
    } else {
        char *copy = strdup(PQgetvalue(res, 0, 1));
        if (copy == NULL) {
            rc = tl_err_set(err, TL_ENOMEM, "out of memory reading status '%s'", name);
        } else {
            *doc = copy;
            *ts_ns = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        }
    }
    PQclear(res);
    return rc;
}
