/*
 * pg_desk.c -- the PostgreSQL backend's RFQ desk rows: quotes, lp_quotes, executions (schema
 * version 5).
 *
 * Each table is one INSERT .. SELECT FROM unnest(arrays) per batch, queued in the batch's
 * pipeline behind the snapshot rows (pg_upsert.c): the desk's rows cost no round trip of their
 * own. unnest yields the arrays' elements in order, so the identity column numbers rows in the
 * order the desk gave them. A repeated execution_id is SQLSTATE 23505: TL_EDUPLICATE. Reads
 * come back as text and are checked as a whole before the caller's output is touched; the
 * ORDER BYs match the indexes of schema v5 (the session runs with enable_sort = off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/desk_rows.h"
#include "store/pg/pg.h"
#include "tradeloop/order.h"

#define QUOTE_COLS                                                                                 \
    "workspace, quote_id, ts_ns, symbol, side, amount, amount_asset, lp, lp_quote_id, lp_price, "  \
    "client_price, valid_until_ns, event"
#define LPQ_COLS                                                                                   \
    "workspace, request_id, ts_ns, lp, lp_quote_id, symbol, side, amount, status, bid, ask, "      \
    "price, response_ns, won, reason"
#define EXEC_COLS                                                                                  \
    "execution_id, ts_ns, workspace, quote_id, status, lp, hedge_side, hedge_base_qty, "           \
    "hedge_quote_qty, executed_qty, avg_price, commission, pnl, pnl_asset, pnl_after_fees, "       \
    "pnl_bps, error"

static const struct {
    const char *name, *sql;
} desk_statements[] = {
    {"tl_quotes_insert",
     "INSERT INTO quotes (" QUOTE_COLS ") SELECT * FROM unnest($1::text[], $2::text[],"
     " $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[],"
     " $10::bigint[], $11::bigint[], $12::bigint[], $13::text[])"},
    {"tl_lp_quotes_insert",
     "INSERT INTO lp_quotes (" LPQ_COLS ") SELECT * FROM unnest($1::text[], $2::text[],"
     " $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[],"
     " $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::smallint[],"
     " $15::text[])"},
    {"tl_executions_insert",
     "INSERT INTO executions (" EXEC_COLS ") SELECT * FROM unnest($1::text[], $2::bigint[],"
     " $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[],"
     " $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[], $15::bigint[],"
     " $16::bigint[], $17::text[])"},
    {"tl_quotes_recent",
     "SELECT " QUOTE_COLS " FROM quotes ORDER BY ts_ns DESC, id DESC LIMIT $1::bigint"},
    {"tl_executions_recent", "SELECT " EXEC_COLS " FROM executions ORDER BY ts_ns DESC,"
                             " execution_id COLLATE \"C\" DESC LIMIT $1::bigint"},
    {"tl_executions_scan",
     "SELECT " EXEC_COLS " FROM executions ORDER BY ts_ns, execution_id COLLATE \"C\""},
    {"tl_lp_quotes_scan",
     "SELECT " LPQ_COLS " FROM lp_quotes ORDER BY request_id COLLATE \"C\", id"},
};

int tl__pg_prepare_desk(tl__pg *pg, tl_err *err)
{
    for (size_t i = 0; i < sizeof desk_statements / sizeof desk_statements[0]; i++) {
        PGresult *res =
            PQprepare(pg->conn, desk_statements[i].name, desk_statements[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return tl__pg_fail(pg, res, desk_statements[i].name, err);
        PQclear(res);
    }
    return 0;
}

/* ---- writing: one array element of a row's column ---- */

#define LIT(p, field) tl__pg_lit_text((p), (field), sizeof(field))

static char *quote_elem(char *p, const void *row, int c)
{
    const tl_quote_row *r = row;
    switch (c) {
    case 0:
        return LIT(p, r->workspace);
    case 1:
        return LIT(p, r->quote_id);
    case 2:
        return tl__pg_put_i64(p, r->ts_ns);
    case 3:
        return LIT(p, r->symbol);
    case 4:
        return tl__pg_put_str(p, tl_side_name(r->side));
    case 5:
        return tl__pg_put_i64(p, r->amount);
    case 6:
        return LIT(p, r->amount_asset);
    case 7:
        return LIT(p, r->lp);
    case 8:
        return LIT(p, r->lp_quote_id);
    case 9:
        return tl__pg_put_i64(p, r->lp_price);
    case 10:
        return tl__pg_put_i64(p, r->client_price);
    case 11:
        return tl__pg_put_i64(p, r->valid_until_ns);
    default:
        return tl__pg_put_str(p, tl_quote_event_name(r->event));
    }
}

static char *lp_quote_elem(char *p, const void *row, int c)
{
    const tl_lp_quote_row *r = row;
    switch (c) {
    case 0:
        return LIT(p, r->workspace);
    case 1:
        return LIT(p, r->request_id);
    case 2:
        return tl__pg_put_i64(p, r->ts_ns);
    case 3:
        return LIT(p, r->lp);
    case 4:
        return LIT(p, r->lp_quote_id);
    case 5:
        return LIT(p, r->symbol);
    case 6:
        return tl__pg_put_str(p, tl_side_name(r->side));
    case 7:
        return tl__pg_put_i64(p, r->amount);
    case 8:
        return tl__pg_put_str(p, tl_lpq_status_name(r->status));
    case 9:
        return tl__pg_put_i64(p, r->bid);
    case 10:
        return tl__pg_put_i64(p, r->ask);
    case 11:
        return tl__pg_put_i64(p, r->price);
    case 12:
        return tl__pg_put_i64(p, r->response_ns);
    case 13:
        return tl__pg_put_i64(p, r->won);
    default:
        return LIT(p, r->reason);
    }
}

static char *execution_elem(char *p, const void *row, int c)
{
    const tl_execution_row *r = row;
    switch (c) {
    case 0:
        return LIT(p, r->execution_id);
    case 1:
        return tl__pg_put_i64(p, r->ts_ns);
    case 2:
        return LIT(p, r->workspace);
    case 3:
        return LIT(p, r->quote_id);
    case 4:
        return tl__pg_put_str(p, tl_exec_status_name(r->status));
    case 5:
        return LIT(p, r->lp);
    case 6:
        return tl__pg_put_str(p, tl_side_name(r->hedge_side));
    case 7:
        return tl__pg_put_i64(p, r->hedge_base_qty);
    case 8:
        return tl__pg_put_i64(p, r->hedge_quote_qty);
    case 9:
        return tl__pg_put_i64(p, r->executed_qty);
    case 10:
        return tl__pg_put_i64(p, r->avg_price);
    case 11:
        return tl__pg_put_i64(p, r->commission);
    case 12:
        return tl__pg_put_i64(p, r->pnl);
    case 13:
        return LIT(p, r->pnl_asset);
    case 14:
        return tl__pg_put_i64(p, r->pnl_after_fees);
    case 15:
        return tl__pg_put_i64(p, r->pnl_bps);
    default:
        return LIT(p, r->error);
    }
}

int tl__pg_send_quotes(tl__pg *pg, const tl_quote_row *r, size_t n, tl_err *err)
{
    return tl__pg_send_columns(pg, "tl_quotes_insert", 13, r, sizeof *r, n, quote_elem, err);
}

int tl__pg_send_lp_quotes(tl__pg *pg, const tl_lp_quote_row *r, size_t n, tl_err *err)
{
    return tl__pg_send_columns(pg, "tl_lp_quotes_insert", 15, r, sizeof *r, n, lp_quote_elem, err);
}

int tl__pg_send_executions(tl__pg *pg, const tl_execution_row *r, size_t n, tl_err *err)
{
    return tl__pg_send_columns(pg, "tl_executions_insert", 17, r, sizeof *r, n, execution_elem,
                               err);
}

/* ---- reading ---- */

PGresult *tl__pg_run(tl__pg *pg, const char *name, int nparams, const char *const *params,
                     tl_err *err, int *rc)
{
    *rc = tl__pg_ensure_conn(pg, err);
    if (*rc)
        return NULL;
    PGresult *res = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *rc = tl__pg_fail(pg, res, name, err);
        return NULL;
    }
    return res;
}

/* A text column into dst[size]: 0, or -1 when it does not fit. */
static int get_text(const PGresult *res, int i, int c, char *dst, size_t size)
{
    const char *v = PQgetvalue(res, i, c);
    size_t n = strlen(v);
    if (n >= size)
        return -1;
    memcpy(dst, v, n + 1);
    return 0;
}

static int64_t get_i64(const PGresult *res, int i, int c)
{
    return strtoll(PQgetvalue(res, i, c), NULL, 10);
}

#define TEXT_OK(res, i, c, field) (get_text((res), (i), (c), (field), sizeof(field)) == 0)

static int decode_quote(const PGresult *res, int i, void *row)
{
    tl_quote_row *r = row;
    memset(r, 0, sizeof *r);
    int side = tl_desk_side_parse(PQgetvalue(res, i, 4));
    int ev = tl_quote_event_parse(PQgetvalue(res, i, 12));
    if (!TEXT_OK(res, i, 0, r->workspace) || !TEXT_OK(res, i, 1, r->quote_id) ||
        !TEXT_OK(res, i, 3, r->symbol) || !TEXT_OK(res, i, 6, r->amount_asset) ||
        !TEXT_OK(res, i, 7, r->lp) || !TEXT_OK(res, i, 8, r->lp_quote_id) || side < 0 || ev == 0)
        return -1;
    r->ts_ns = get_i64(res, i, 2);
    r->side = (uint8_t)side;
    r->amount = get_i64(res, i, 5);
    r->lp_price = get_i64(res, i, 9);
    r->client_price = get_i64(res, i, 10);
    r->valid_until_ns = get_i64(res, i, 11);
    r->event = (uint8_t)ev;
    return 0;
}

static int decode_lp_quote(const PGresult *res, int i, void *row)
{
    tl_lp_quote_row *r = row;
    memset(r, 0, sizeof *r);
    int side = tl_desk_side_parse(PQgetvalue(res, i, 6));
    int status = tl_lpq_status_parse(PQgetvalue(res, i, 8));
    int64_t won = get_i64(res, i, 13);
    if (!TEXT_OK(res, i, 0, r->workspace) || !TEXT_OK(res, i, 1, r->request_id) ||
        !TEXT_OK(res, i, 3, r->lp) || !TEXT_OK(res, i, 4, r->lp_quote_id) ||
        !TEXT_OK(res, i, 5, r->symbol) || !TEXT_OK(res, i, 14, r->reason) || side < 0 ||
        status == 0 || (won != 0 && won != 1))
        return -1;
    r->ts_ns = get_i64(res, i, 2);
    r->side = (uint8_t)side;
    r->amount = get_i64(res, i, 7);
    r->status = (uint8_t)status;
    r->bid = get_i64(res, i, 9);
    r->ask = get_i64(res, i, 10);
    r->price = get_i64(res, i, 11);
    r->response_ns = get_i64(res, i, 12);
    r->won = (uint8_t)won;
    return 0;
}

static int decode_execution(const PGresult *res, int i, void *row)
{
    tl_execution_row *r = row;
    memset(r, 0, sizeof *r);
    int status = tl_exec_status_parse(PQgetvalue(res, i, 4));
    int side = tl_desk_side_parse(PQgetvalue(res, i, 6));
    if (!TEXT_OK(res, i, 0, r->execution_id) || !TEXT_OK(res, i, 2, r->workspace) ||
        !TEXT_OK(res, i, 3, r->quote_id) || !TEXT_OK(res, i, 5, r->lp) ||
        !TEXT_OK(res, i, 13, r->pnl_asset) || !TEXT_OK(res, i, 16, r->error) || status == 0 ||
        side < 0)
        return -1;
    r->ts_ns = get_i64(res, i, 1);
    r->status = (uint8_t)status;
    r->hedge_side = (uint8_t)side;
    r->hedge_base_qty = get_i64(res, i, 7);
    r->hedge_quote_qty = get_i64(res, i, 8);
    r->executed_qty = get_i64(res, i, 9);
    r->avg_price = get_i64(res, i, 10);
    r->commission = get_i64(res, i, 11);
    r->pnl = get_i64(res, i, 12);
    r->pnl_after_fees = get_i64(res, i, 14);
    r->pnl_bps = get_i64(res, i, 15);
    return 0;
}

typedef int (*decode_fn)(const PGresult *res, int i, void *row);

/* The newest cap rows into out, every row checked before out is touched. */
static int read_recent(tl__pg *pg, const char *stmt, const char *table, decode_fn decode,
                       size_t size, void *out, size_t cap, size_t *n, tl_err *err)
{
    char limit[24];
    snprintf(limit, sizeof limit, "%llu",
             (unsigned long long)(cap > INT64_MAX ? (size_t)INT64_MAX : cap));
    const char *params[1] = {limit};
    int rc;
    PGresult *res = tl__pg_run(pg, stmt, 1, params, err, &rc);
    if (!res)
        return rc;
    int rows = PQntuples(res);
    char *tmp = malloc(size);
    if (tmp == NULL) {
        PQclear(res);
        return tl_err_set(err, TL_ENOMEM, "out of memory reading %s", table);
    }
    for (int i = 0; rc == 0 && i < rows; i++) {
        if (decode(res, i, tmp) != 0)
            rc = tl_err_set(err, TL_ECORRUPT, "corrupt %s row", table);
    }
    for (int i = 0; rc == 0 && i < rows; i++)
        decode(res, i, (char *)out + (size_t)i * size);
    if (rc == 0)
        *n = (size_t)rows;
    free(tmp);
    PQclear(res);
    return rc;
}

int tl__pg_quotes_recent(void *st, tl_quote_row *out, size_t cap, size_t *n, tl_err *err)
{
    return read_recent(st, "tl_quotes_recent", "quotes", decode_quote, sizeof *out, out, cap, n,
                       err);
}

int tl__pg_executions_recent(void *st, tl_execution_row *out, size_t cap, size_t *n, tl_err *err)
{
    return read_recent(st, "tl_executions_recent", "executions", decode_execution, sizeof *out, out,
                       cap, n, err);
}

/* The desk's tables are read whole: a viewer's figures over every row. */
int tl__pg_executions_scan(void *st, tl_execution_fn fn, void *ctx, tl_err *err)
{
    int rc;
    PGresult *res = tl__pg_run(st, "tl_executions_scan", 0, NULL, err, &rc);
    if (!res)
        return rc;
    tl_execution_row row;
    for (int i = 0, rows = PQntuples(res); rc == 0 && i < rows; i++) {
        if (decode_execution(res, i, &row) != 0)
            rc = tl_err_set(err, TL_ECORRUPT, "corrupt executions row");
        else
            rc = fn(ctx, &row);
    }
    PQclear(res);
    return rc;
}

int tl__pg_lp_quotes_scan(void *st, tl_lp_quote_fn fn, void *ctx, tl_err *err)
{
    int rc;
    PGresult *res = tl__pg_run(st, "tl_lp_quotes_scan", 0, NULL, err, &rc);
    if (!res)
        return rc;
    tl_lp_quote_row row;
    for (int i = 0, rows = PQntuples(res); rc == 0 && i < rows; i++) {
        if (decode_lp_quote(res, i, &row) != 0)
            rc = tl_err_set(err, TL_ECORRUPT, "corrupt lp_quotes row");
        else
            rc = fn(ctx, &row);
    }
    PQclear(res);
    return rc;
}
