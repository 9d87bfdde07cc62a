/*
 * pg_reserve.c -- several engines appending to one journal: the reserve slot.
 *
 * Every batch with events takes one transaction-level advisory lock before anything else, then
 * reads the journal's last seq and checks the batch's workspaces, as statements of their own
 * (under READ COMMITTED each statement sees what committed before it began, so the read after
 * the lock sees every batch committed before this one got it). The lock is held until COMMIT or
 * ROLLBACK: appends are serialised, so seqs stay gap-free and become visible in seq order (a
 * poller that keeps the last seq it read never misses one), and the batch the dispatcher
 * numbers from the answer cannot collide with another writer's. BEGIN, the lock and the read go
 * out in one pipeline: one round trip a batch, before its COPYs (pg_copy.c).
 *
 * Why not a sequence: nextval is not rolled back, so a failed batch would leave a gap, and two
 * writers' batches would commit out of seq order. Why not SERIALIZABLE: conflicts would be
 * found at COMMIT, after the whole batch was sent, and retried blindly. The cost of the lock is
 * that the commits of several engines do not overlap: each waits for the one before to flush
 * (docs/PERFORMANCE.md measures it).
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"

/* Not the schema's lock (pg_schema.c): opening a store must not wait for appends. */
#define APPEND_LOCK_SQL "SELECT pg_advisory_xact_lock(7308604897068083713)"

/* The journal's last seq, and the first workspace of the batch that holds a later event than
 * the writer knows (no row in c when none). */
static const char sql_reserve[] =
    "SELECT m.hw, c.workspace, c.last_seq, c.known"
    " FROM (SELECT coalesce(max(seq), 0) AS hw FROM trade_events) m"
    " LEFT JOIN LATERAL (SELECT w.workspace, w.last_seq, x.known FROM workspaces w"
    " JOIN unnest($1::text[], $2::bigint[]) AS x (ws, known) ON w.workspace = x.ws"
    " WHERE w.last_seq > x.known LIMIT 1) c ON true";

int tl__pg_prepare_reserve(tl__pg *pg, tl_err *err)
{
    PGresult *res = PQprepare(pg->conn, "tl_reserve", sql_reserve, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return tl__pg_fail(pg, res, "tl_reserve", err);
    PQclear(res);
    return 0;
}

static char *mark_elem(char *p, const void *row, int c)
{
    const tl_ws_mark *m = row;
    return c == 0 ? tl__pg_lit_text(p, m->workspace, TL_WORKSPACE_MAX)
                  : tl__pg_put_i64(p, (int64_t)m->last_seq);
}

/* The reserve statement's row: *last, or TL_EBUSY naming the workspace another writer moved. */
static int read_answer(PGresult *res, uint64_t *last, tl_err *err)
{
    if (PQntuples(res) != 1 || PQnfields(res) != 4)
        return tl_err_set(err, TL_EIO, "tl_reserve: unexpected result shape");
    if (!PQgetisnull(res, 0, 1))
        return tl_err_set(err, TL_EBUSY,
                          "workspace '%s' moved under this writer: it holds seq %s, this writer "
                          "decided on its state up to seq %s (another writer of the workspace "
                          "appended first; read its state again)",
                          PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
    *last = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    return 0;
}

/* Reads the statements' results and the sync point; the first failure wins. The statements are
 * what[first..2]: BEGIN is left out (first = 1) when it went with an earlier call. */
static int read_results(tl__pg *pg, int first, uint64_t *last, tl_err *err)
{
    static const char *const what[] = {"BEGIN", "the journal's append lock", "tl_reserve"};
    int rc = 0, i = first, synced = 0;
    for (int nulls = 0; nulls < 2;) {
        PGresult *res = PQgetResult(pg->conn);
        if (!res) {
            if (PQstatus(pg->conn) != CONNECTION_OK)
                break;
            i++;
            nulls++;
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(res);
        const char *w = i < 3 ? what[i] : "pipeline";
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            synced = 1;
            break;
        } else if (st == PGRES_PIPELINE_ABORTED) {
            PQclear(res);
        } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            if (rc == 0)
                rc = tl__pg_fail(pg, res, w, err);
            else
                tl__pg_fail(pg, res, w, NULL);
        } else {
            if (i == 2 && rc == 0)
                rc = read_answer(res, last, err);
            PQclear(res);
        }
    }
    if (!synced && rc == 0)
        rc = tl__pg_fail(pg, NULL, "pipeline", err);
    if (PQexitPipelineMode(pg->conn) != 1 && rc == 0)
        rc = tl__pg_fail(pg, NULL, "pipeline", err);
    return rc;
}

int tl__pg_reserve(void *st, const tl_ws_mark *marks, size_t n, uint64_t *last, tl_err *err)
{
    tl__pg *pg = st;
    tl__pg_drain(pg);
    if (!pg->conn || pg->broken)
        return tl_err_set(err, TL_EIO, "connection to PostgreSQL lost");
    if (PQenterPipelineMode(pg->conn) != 1)
        return tl__pg_fail(pg, NULL, "entering pipeline mode", err);
    int first = pg->begin_pending ? 0 : 1, rc = 0;
    if (pg->begin_pending)
        rc = PQsendQueryParams(pg->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1
                 ? 0
                 : tl__pg_fail(pg, NULL, "BEGIN", err);
    pg->begin_pending = 0;
    if (rc == 0)
        rc = PQsendQueryParams(pg->conn, APPEND_LOCK_SQL, 0, NULL, NULL, NULL, NULL, 0) == 1
                 ? 0
                 : tl__pg_fail(pg, NULL, "the journal's append lock", err);
    if (rc == 0)
        rc = tl__pg_send_columns(pg, "tl_reserve", 2, marks, sizeof *marks, n, mark_elem, err);
    if (PQpipelineSync(pg->conn) != 1) {
        if (rc == 0)
            rc = tl__pg_fail(pg, NULL, "pipeline", err);
        PQexitPipelineMode(pg->conn); /* refused while busy: the connection is reset later */
        pg->broken = 1;
        return rc;
    }
    int rrc = read_results(pg, first, last, rc ? NULL : err);
    return rc ? rc : rrc;
}
