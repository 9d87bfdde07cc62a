/*
 * pg_orders.c -- the PostgreSQL backend's reads of the orders table (schema version 6): the
 * newest orders and the counts by status.
 *
 * The newest rows come from the indexes of version 6 read backwards, (created_at, workspace,
 * order_id) for every workspace and (workspace, created_at, order_id) for one: a read costs its
 * LIMIT, not the table (the session runs with enable_sort = off and generic plans; the PG unit
 * test checks the plan with EXPLAIN). Order ids and workspaces compare as bytes (COLLATE "C"),
 * as on every backend. The counts are one pass of count(*) FILTER per status; a status the
 * statement cannot name makes the total differ from their sum: TL_ECORRUPT. Rows come back as
 * text and are all checked before the caller's output is touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/desk_rows.h"
#include "store/pg/pg.h"
#include "tradeloop/order.h"

#define ORDER_COLS                                                                                 \
    "workspace, order_id, symbol, side, quantity, price, status, filled_qty, created_at, "         \
    "filled_at, reject_reason"
#define COUNT_STATUS(name) "count(*) FILTER (WHERE status = '" #name "'), "
#define COUNTS             "SELECT " TL_ORDER_STATUS_MAP(COUNT_STATUS) "count(*) FROM orders"

static const struct {
    const char *name, *sql;
} order_statements[] = {
    {"tl_orders_recent", "SELECT " ORDER_COLS " FROM orders ORDER BY created_at DESC,"
                         " workspace COLLATE \"C\" DESC, order_id COLLATE \"C\" DESC"
                         " LIMIT $1::bigint"},
    {"tl_orders_recent_ws", "SELECT " ORDER_COLS " FROM orders WHERE workspace = $2::text"
                            " ORDER BY created_at DESC, order_id COLLATE \"C\" DESC"
                            " LIMIT $1::bigint"},
    {"tl_order_counts", COUNTS},
    {"tl_order_counts_ws", COUNTS " WHERE workspace = $1::text"},
};

int tl__pg_prepare_orders(tl__pg *pg, tl_err *err)
{
    for (size_t i = 0; i < sizeof order_statements / sizeof order_statements[0]; i++) {
        PGresult *res =
            PQprepare(pg->conn, order_statements[i].name, order_statements[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return tl__pg_fail(pg, res, order_statements[i].name, err);
        PQclear(res);
    }
    return 0;
}

static int64_t get_i64(const PGresult *res, int i, int c)
{
    return PQgetisnull(res, i, c) ? 0 : strtoll(PQgetvalue(res, i, c), NULL, 10);
}

#define TEXT_OK(res, i, c, field) (tl__pg_get_text((res), (i), (c), (field), sizeof(field)) == 0)

static int decode_order(const PGresult *res, int i, tl_order_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    int side = tl_desk_side_parse(PQgetvalue(res, i, 3));
    tl_order_status status;
    if (!TEXT_OK(res, i, 0, r->workspace) || !TEXT_OK(res, i, 1, r->order_id) ||
        !TEXT_OK(res, i, 2, r->symbol) || !TEXT_OK(res, i, 10, r->reject_reason) || side < 0 ||
        tl_order_status_parse(PQgetvalue(res, i, 6), &status) < 0)
        return tl_err_set(err, TL_ECORRUPT, "corrupt orders row (order '%.23s')",
                          PQgetvalue(res, i, 1));
    r->side = (uint8_t)side;
    r->status = (uint8_t)status;
    int rc = tl__pg_get_fixed(res, i, 4, &r->qty, err);
    if (rc == 0 && !PQgetisnull(res, i, 5)) /* NULL: no price, as the seed's schema allows */
        rc = tl__pg_get_fixed(res, i, 5, &r->price, err);
    if (rc == 0)
        rc = tl__pg_get_fixed(res, i, 7, &r->filled_qty, err);
    r->created_ns = get_i64(res, i, 8);
    r->filled_ns = get_i64(res, i, 9);
    return rc;
}

int tl__pg_orders_recent(void *st, const char *workspace, tl_order_row *out, size_t cap, size_t *n,
                         tl_err *err)
{
    char limit[24];
    snprintf(limit, sizeof limit, "%llu",
             (unsigned long long)(cap > INT64_MAX ? (size_t)INT64_MAX : cap));
    const char *params[2] = {limit, workspace};
    int rc;
    PGresult *res = tl__pg_run(st, workspace != NULL ? "tl_orders_recent_ws" : "tl_orders_recent",
                               workspace != NULL ? 2 : 1, params, err, &rc);
    if (!res)
        return rc;
    int rows = PQntuples(res);
    tl_order_row tmp;
    for (int i = 0; rc == 0 && i < rows; i++)
        rc = decode_order(res, i, &tmp, err);
    for (int i = 0; rc == 0 && i < rows; i++)
        decode_order(res, i, &out[i], err);
    if (rc == 0)
        *n = (size_t)rows;
    PQclear(res);
    return rc;
}

int tl__pg_order_counts(void *st, const char *workspace, tl_order_counts *out, tl_err *err)
{
    const char *params[1] = {workspace};
    int rc;
    PGresult *res = tl__pg_run(st, workspace != NULL ? "tl_order_counts_ws" : "tl_order_counts",
                               workspace != NULL ? 1 : 0, params, err, &rc);
    if (!res)
        return rc;
    uint64_t by[TL_OS__COUNT], sum = 0;
    if (PQntuples(res) != 1 || PQnfields(res) != TL_OS__COUNT + 1) {
        rc = tl_err_set(err, TL_ECORRUPT, "counting orders: unexpected result");
    } else {
        for (int i = 0; i < TL_OS__COUNT; i++)
            sum += by[i] = (uint64_t)get_i64(res, 0, i);
        if (sum != (uint64_t)get_i64(res, 0, TL_OS__COUNT))
            rc = tl_err_set(err, TL_ECORRUPT, "orders holds a status tradeloop cannot name");
        else
            memcpy(out->by_status, by, sizeof by);
    }
    PQclear(res);
    return rc;
}
