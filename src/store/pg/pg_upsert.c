/*
 * pg_upsert.c -- the write steps that change existing rows: one statement each, whatever the
 * number of rows, with every value in array parameters (unnest), never in SQL text.
 *
 * Orders created by an earlier batch get their new status, filled quantity and time and reject
 * reason from the batch's projection (src/store/projection.c); the statement also says how many of
 * those with a fill exist, which is how a fill of an unknown order is refused. Position and account
 * rows are upserted, keeping the last row of a key that a batch repeats. Each workspace the batch
 * appends to gets its workspaces row: last_seq advanced, first_seq set when new.
 *
 * The statements a batch needs go out together in libpq's pipeline mode, behind its COPYs: one
 * round trip for all of them (COPY itself cannot be pipelined). BEGIN leads them when the batch
 * had no COPY to carry it.
 */
#include <stdlib.h>
#include <string.h>

#include "tradeloop/order.h"
#include "store/pg/pg.h"

/* The changes to orders created by earlier batches, one array element per order, and the count
 * of those with a fill that were found, with the first one with a fill that was not. */
static const char sql_orders_update[] =
    "WITH u AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[],"
    " $5::bigint[], $6::text[], $7::bool[]) AS u (ws, oid, st, fq, fa, rr, hf)),"
    " upd AS (UPDATE orders o SET status = u.st, filled_qty = o.filled_qty + u.fq,"
    " filled_at = coalesce(u.fa, o.filled_at), reject_reason = coalesce(u.rr, o.reject_reason)"
    " FROM u WHERE o.workspace = u.ws AND o.order_id = u.oid RETURNING u.ws, u.oid, u.hf)"
    " SELECT (SELECT count(*) FROM upd WHERE hf),"
    " (SELECT u.oid FROM u WHERE u.hf AND NOT EXISTS"
    " (SELECT 1 FROM upd WHERE upd.ws = u.ws AND upd.oid = u.oid) LIMIT 1)";

/* Upserts keep the last row of a key that a batch repeats. */
static const char sql_positions_upsert[] =
    "INSERT INTO positions (workspace, symbol, qty, avg_price, realized_pnl, fees, updated_at)"
    " SELECT DISTINCT ON (w, s) w, s, q, a, r, f, u"
    " FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[],"
    " $6::numeric[], $7::bigint[]) WITH ORDINALITY AS t (w, s, q, a, r, f, u, i)"
    " ORDER BY w, s, i DESC"
    " ON CONFLICT (workspace, symbol) DO UPDATE SET qty = excluded.qty,"
    " avg_price = excluded.avg_price, realized_pnl = excluded.realized_pnl,"
    " fees = excluded.fees, updated_at = excluded.updated_at";

static const char sql_accounts_upsert[] =
    "INSERT INTO accounts (workspace, starting_cash, cash, realized_pnl, fees, updated_at)"
    " SELECT DISTINCT ON (w) w, sc, c, r, f, u"
    " FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[],"
    " $6::bigint[]) WITH ORDINALITY AS t (w, sc, c, r, f, u, i)"
    " ORDER BY w, i DESC"
    " ON CONFLICT (workspace) DO UPDATE SET starting_cash = excluded.starting_cash,"
    " cash = excluded.cash, realized_pnl = excluded.realized_pnl, fees = excluded.fees,"
    " updated_at = excluded.updated_at";

/* greatest(): another engine may have appended to the workspace after this batch's seqs. */
static const char sql_workspaces_upsert[] =
    "INSERT INTO workspaces (workspace, first_seq, last_seq)"
    " SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])"
    " ON CONFLICT (workspace) DO UPDATE SET"
    " last_seq = greatest(workspaces.last_seq, excluded.last_seq)";

static const struct {
    const char *name, *sql;
} statements[] = {
    {"tl_orders_update", sql_orders_update},
    {"tl_workspaces_upsert", sql_workspaces_upsert},
    {"tl_positions_upsert", sql_positions_upsert},
    {"tl_accounts_upsert", sql_accounts_upsert},
};

int tl__pg_prepare_write(tl__pg *pg, tl_err *err)
{
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        PGresult *res = PQprepare(pg->conn, statements[i].name, statements[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return tl__pg_fail(pg, res, statements[i].name, err);
        PQclear(res);
    }
    return 0;
}

/* Array literals are built in pg->tmp, grown when a batch needs more, never per row. */
static int reserve_tmp(tl__pg *pg, size_t need, tl_err *err)
{
    if (need <= pg->tmp_cap)
        return 0;
    size_t cap = pg->tmp_cap * 2 > need ? pg->tmp_cap * 2 : need;
    char *p = realloc(pg->tmp, cap);
    if (!p)
        return tl_err_set(err, TL_ENOMEM, "no memory for %zu bytes of statement parameters", cap);
    pg->tmp = p;
    pg->tmp_cap = cap;
    return 0;
}

#define ELEM_MAX TL__PG_ELEM_MAX
_Static_assert(TL_WORKSPACE_MAX <= TL_EVENT_TEXT_MAX && TL_FIXED_STRLEN < ELEM_MAX,
               "ELEM_MAX bounds every element");

/* Array element text: quoted, with '"' and '\' escaped. */
char *tl__pg_lit_text(char *p, const char *s, size_t max)
{
    *p++ = '"';
    for (size_t i = 0; i < max && s[i]; i++) {
        if (s[i] == '"' || s[i] == '\\')
            *p++ = '\\';
        *p++ = s[i];
    }
    *p++ = '"';
    return p;
}

#define lit_text           tl__pg_lit_text
#define LIT_TEXT(p, field) lit_text((p), (field), sizeof(field))

/* The columns of the orders update, one array per column: element i of column c. */
static char *order_elem(char *p, const tl_proj_order *o, int c)
{
    switch (c) {
    case 0:
        return LIT_TEXT(p, o->ev->workspace);
    case 1:
        return LIT_TEXT(p, o->ev->order_id);
    case 2:
        return tl__pg_put_str(p, tl_order_status_name(o->status));
    case 3:
        return tl__pg_put_fixed(p, o->filled);
    case 4:
        return o->first_fill ? tl__pg_put_i64(p, o->filled_at) : tl__pg_put_str(p, "NULL");
    case 5:
        return o->reason && o->reason->text[0] ? LIT_TEXT(p, o->reason->text)
                                               : tl__pg_put_str(p, "NULL");
    default:
        return tl__pg_put_str(p, o->first_fill ? "t" : "f");
    }
}

/* Queues a prepared statement in the pipeline; libpq copies the parameters at once. */
static int send_prepared(tl__pg *pg, const char *name, int nparams, const char *const *params,
                         tl_err *err)
{
    return PQsendQueryPrepared(pg->conn, name, nparams, params, NULL, NULL, 0) == 1
               ? 0
               : tl__pg_fail(pg, NULL, name, err);
}

/* Queues the orders update of pg->proj. */
static int send_update_orders(tl__pg *pg, tl_err *err)
{
    const tl_projection *f = &pg->proj;
    int rc = reserve_tmp(pg, 7 * (f->n_updated * ELEM_MAX + 3), err);
    if (rc)
        return rc;
    const char *params[7];
    char *p = pg->tmp;
    for (int c = 0; c < 7; c++) {
        params[c] = p;
        *p++ = '{';
        size_t k = 0;
        for (size_t i = 0; i < f->n_orders; i++) {
            if (f->orders[i].created)
                continue;
            if (k++)
                *p++ = ',';
            p = order_elem(p, &f->orders[i], c);
        }
        *p++ = '}';
        *p++ = '\0';
    }
    return send_prepared(pg, "tl_orders_update", 7, params, err);
}

static char *workspace_elem(char *p, const void *row, int c)
{
    const tl_proj_ws *w = row;
    if (c == 0)
        return lit_text(p, w->workspace, TL_WORKSPACE_MAX);
    return tl__pg_put_i64(p, (int64_t)(c == 1 ? w->first_seq : w->last_seq));
}

static char *position_elem(char *p, const tl_position_row *r, int c)
{
    switch (c) {
    case 0:
        return LIT_TEXT(p, r->workspace);
    case 1:
        return LIT_TEXT(p, r->symbol);
    case 2:
        return tl__pg_put_fixed(p, r->qty);
    case 3:
        return tl__pg_put_fixed(p, r->avg_price);
    case 4:
        return tl__pg_put_fixed(p, r->realized_pnl);
    case 5:
        return tl__pg_put_fixed(p, r->fees);
    default:
        return tl__pg_put_i64(p, r->updated_ns);
    }
}

static char *account_elem(char *p, const tl_account_row *r, int c)
{
    switch (c) {
    case 0:
        return LIT_TEXT(p, r->workspace);
    case 1:
        return tl__pg_put_fixed(p, r->starting_cash);
    case 2:
        return tl__pg_put_fixed(p, r->cash);
    case 3:
        return tl__pg_put_fixed(p, r->realized_pnl);
    case 4:
        return tl__pg_put_fixed(p, r->fees);
    default:
        return tl__pg_put_i64(p, r->updated_ns);
    }
}

/* One statement upserts every row, whatever the batch's size (pg.h). */
int tl__pg_send_columns(tl__pg *pg, const char *stmt, int ncols, const void *rows, size_t stride,
                        size_t n, tl__pg_elem_fn elem, tl_err *err)
{
    const char *params[TL__PG_COLUMNS_MAX];
    if (ncols > TL__PG_COLUMNS_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: %d columns, at most %d", stmt, ncols,
                          TL__PG_COLUMNS_MAX);
    int rc = reserve_tmp(pg, (size_t)ncols * (n * ELEM_MAX + 3), err);
    if (rc)
        return rc;
    char *p = pg->tmp;
    for (int c = 0; c < ncols; c++) {
        params[c] = p;
        *p++ = '{';
        for (size_t i = 0; i < n; i++) {
            if (i)
                *p++ = ',';
            p = elem(p, (const char *)rows + i * stride, c);
        }
        *p++ = '}';
        *p++ = '\0';
    }
    return send_prepared(pg, stmt, ncols, params, err);
}

static char *position_elem_any(char *p, const void *row, int c)
{
    return position_elem(p, row, c);
}

static char *account_elem_any(char *p, const void *row, int c)
{
    return account_elem(p, row, c);
}

static int send_workspaces(tl__pg *pg, tl_err *err)
{
    return tl__pg_send_columns(pg, "tl_workspaces_upsert", 3, pg->proj.ws, sizeof(*pg->proj.ws),
                               pg->proj.n_ws, workspace_elem, err);
}

static int send_positions(tl__pg *pg, const tl_position_row *r, size_t n, tl_err *err)
{
    return tl__pg_send_columns(pg, "tl_positions_upsert", 7, r, sizeof(*r), n, position_elem_any,
                               err);
}

static int send_accounts(tl__pg *pg, const tl_account_row *r, size_t n, tl_err *err)
{
    return tl__pg_send_columns(pg, "tl_accounts_upsert", 6, r, sizeof(*r), n, account_elem_any,
                               err);
}

/* ---- the pipeline ---- */

enum {
    ST_BEGIN,
    ST_ORDERS,
    ST_WORKSPACES,
    ST_POSITIONS,
    ST_ACCOUNTS,
    ST_QUOTES,
    ST_LP_QUOTES,
    ST_EXECUTIONS
};
static const char *const st_what[] = {"BEGIN",
                                      "tl_orders_update",
                                      "tl_workspaces_upsert",
                                      "tl_positions_upsert",
                                      "tl_accounts_upsert",
                                      "tl_quotes_insert",
                                      "tl_lp_quotes_insert",
                                      "tl_executions_insert"};

/* The orders update's answer: how many orders with a fill it found, and the first it did not. */
static int check_orders(tl__pg *pg, PGresult *res, tl_err *err)
{
    int rc = 0;
    if (PQntuples(res) != 1 || PQnfields(res) != 2)
        rc = tl_err_set(err, TL_EIO, "tl_orders_update: unexpected result shape");
    else if (strtoull(PQgetvalue(res, 0, 0), NULL, 10) != pg->proj.n_updated_fills)
        rc = tl_err_set(err, TL_ENOTFOUND, "fill of an unknown order '%s'", PQgetvalue(res, 0, 1));
    PQclear(res);
    return rc;
}

/* Reads the results of the n statements sent, then the sync point. The first failure wins;
 * the statements after a failed one come back aborted, and the transaction is failed. */
static int read_pipeline(tl__pg *pg, const int *sent, int n, tl_err *err)
{
    int rc = 0, i = 0, synced = 0;
    for (int nulls = 0; nulls < 2;) {
        PGresult *res = PQgetResult(pg->conn);
        if (!res) {
            /* Each statement's results end with NULL; so does a dead connection, for good. */
            if (PQstatus(pg->conn) != CONNECTION_OK)
                break;
            i++;
            nulls++;
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(res);
        const char *what = i < n ? st_what[sent[i]] : "pipeline";
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            synced = 1;
            break;
        } else if (st == PGRES_PIPELINE_ABORTED) {
            PQclear(res);
        } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            if (rc == 0)
                rc = tl__pg_fail(pg, res, what, err);
            else
                tl__pg_fail(pg, res, what, NULL);
        } else if (i < n && sent[i] == ST_ORDERS && rc == 0) {
            rc = check_orders(pg, res, err);
        } else {
            PQclear(res);
        }
    }
    if (!synced && rc == 0)
        rc = tl__pg_fail(pg, NULL, "pipeline", err);
    if (PQexitPipelineMode(pg->conn) != 1 && rc == 0)
        rc = tl__pg_fail(pg, NULL, "pipeline", err);
    return rc;
}

int tl__pg_write_rows(tl__pg *pg, const tl_store_batch *b, tl_err *err)
{
    int want[8], n = 0;
    if (pg->begin_pending)
        want[n++] = ST_BEGIN;
    if (b->n_events > 0 && pg->proj.n_updated > 0)
        want[n++] = ST_ORDERS;
    if (b->n_events > 0)
        want[n++] = ST_WORKSPACES;
    if (b->n_positions > 0)
        want[n++] = ST_POSITIONS;
    if (b->n_accounts > 0)
        want[n++] = ST_ACCOUNTS;
    if (b->n_quotes > 0)
        want[n++] = ST_QUOTES;
    if (b->n_lp_quotes > 0)
        want[n++] = ST_LP_QUOTES;
    if (b->n_executions > 0)
        want[n++] = ST_EXECUTIONS;
    if (n == 0)
        return 0;
    if (PQenterPipelineMode(pg->conn) != 1)
        return tl__pg_fail(pg, NULL, "entering pipeline mode", err);
    pg->begin_pending = 0;

    int sent = 0, rc = 0;
    for (; sent < n && rc == 0; sent++) {
        switch (want[sent]) {
        case ST_BEGIN:
            rc = PQsendQueryParams(pg->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1
                     ? 0
                     : tl__pg_fail(pg, NULL, "BEGIN", err);
            break;
        case ST_ORDERS:
            rc = send_update_orders(pg, err);
            break;
        case ST_WORKSPACES:
            rc = send_workspaces(pg, err);
            break;
        case ST_POSITIONS:
            rc = send_positions(pg, b->positions, b->n_positions, err);
            break;
        case ST_ACCOUNTS:
            rc = send_accounts(pg, b->accounts, b->n_accounts, err);
            break;
        case ST_QUOTES:
            rc = tl__pg_send_quotes(pg, b->quotes, b->n_quotes, err);
            break;
        case ST_LP_QUOTES:
            rc = tl__pg_send_lp_quotes(pg, b->lp_quotes, b->n_lp_quotes, err);
            break;
        default:
            rc = tl__pg_send_executions(pg, b->executions, b->n_executions, err);
        }
    }
    if (rc != 0)
        sent--; /* the one that failed was not sent */
    if (PQpipelineSync(pg->conn) != 1) {
        if (rc == 0)
            rc = tl__pg_fail(pg, NULL, "pipeline", err);
        PQexitPipelineMode(pg->conn); /* refused while busy: the connection is reset later */
        pg->broken = 1;
        return rc;
    }
    int rrc = read_pipeline(pg, want, sent, rc ? NULL : err);
    return rc ? rc : rrc;
}
