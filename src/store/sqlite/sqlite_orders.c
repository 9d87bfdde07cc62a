/*
 * sqlite_orders.c -- the SQLite backend's reads of the orders table (schema version 6): the
 * newest orders and the counts by status.
 *
 * The newest rows come from the indexes of version 6 in reverse, (created_at, workspace,
 * order_id) for every workspace and (workspace, created_at, order_id) for one, so a read costs
 * its LIMIT, not the table (EXPLAIN QUERY PLAN shows no temporary b-tree; the unit test checks
 * it). The counts are one pass of count(*) FILTER per status, grouped by no sort: the whole
 * table, or a workspace's range of the primary key. A status the statement cannot name makes
 * the total differ from the sum: a row written by hand, TL_ECORRUPT. Rows are decoded into a
 * scratch array first, so a bad row leaves the caller's output untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "store/desk_rows.h"
#include "store/sqlite/sqlite_int.h"
#include "tradeloop/order.h"

#define ORDER_COLS                                                                                 \
    "workspace, order_id, symbol, side, quantity, price, status, filled_qty, created_at, "         \
    "filled_at, reject_reason"
#define COUNT_STATUS(name) "count(*) FILTER (WHERE status = '" #name "'), "
#define COUNTS             "SELECT " TL_ORDER_STATUS_MAP(COUNT_STATUS) "count(*) FROM orders"

const char *const tl__sqlite_orders_sql[TL__SQO_COUNT] = {
    /* TEXT without COLLATE compares bytes, the order every backend gives. */
    [TL__SQO_RECENT] = "SELECT " ORDER_COLS " FROM orders ORDER BY created_at DESC,"
                       " workspace DESC, order_id DESC LIMIT ?1",
    [TL__SQO_RECENT_WS] = "SELECT " ORDER_COLS " FROM orders WHERE workspace = ?2"
                          " ORDER BY created_at DESC, order_id DESC LIMIT ?1",
    [TL__SQO_COUNTS] = COUNTS,
    [TL__SQO_COUNTS_WS] = COUNTS " WHERE workspace = ?1",
};

int tl__sqlite_orders_prepare(tl__sqlite *st, tl_err *err)
{
    for (int i = 0; i < TL__SQO_COUNT; i++) {
        int rc = sqlite3_prepare_v3(st->db, tl__sqlite_orders_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                    &st->ord[i], NULL);
        if (rc != SQLITE_OK)
            return tl_err_set(err, TL_ECORRUPT, "%s: tables do not match schema version %d (%s)",
                              st->name, TL_STORE_SCHEMA_VERSION, sqlite3_errmsg(st->db));
    }
    return 0;
}

void tl__sqlite_orders_finalize(tl__sqlite *st)
{
    for (int i = 0; i < TL__SQO_COUNT; i++) {
        sqlite3_finalize(st->ord[i]);
        st->ord[i] = NULL;
    }
}

#define COL_TEXT(q, c, field) (tl__sq_column_text((q), (c), (field), sizeof(field)) == 0)

static int decode_order(tl__sqlite *st, sqlite3_stmt *q, tl_order_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    const char *side = (const char *)sqlite3_column_text(q, 3);
    const char *status = (const char *)sqlite3_column_text(q, 6);
    int sd = tl_desk_side_parse(side != NULL ? side : "");
    tl_order_status os;
    if (!COL_TEXT(q, 0, r->workspace) || !COL_TEXT(q, 1, r->order_id) ||
        !COL_TEXT(q, 2, r->symbol) || !COL_TEXT(q, 10, r->reject_reason) || sd < 0 ||
        status == NULL || tl_order_status_parse(status, &os) < 0)
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt orders row", st->name);
    r->side = (uint8_t)sd;
    r->status = (uint8_t)os;
    r->qty = sqlite3_column_int64(q, 4);
    r->price = sqlite3_column_int64(q, 5);
    r->filled_qty = sqlite3_column_int64(q, 7);
    r->created_ns = sqlite3_column_int64(q, 8);
    r->filled_ns = sqlite3_column_int64(q, 9); /* NULL before the first fill: 0 */
    return 0;
}

int tl__sqlite_orders_recent(void *state, const char *workspace, tl_order_row *out, size_t cap,
                             size_t *n, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->ord[workspace != NULL ? TL__SQO_RECENT_WS : TL__SQO_RECENT];
    size_t limit = cap < 100000 ? cap : 100000, got = 0; /* a page of /orders is far below */
    tl_order_row *rows = malloc(limit * sizeof *rows);
    if (rows == NULL)
        return tl_err_set(err, TL_ENOMEM, "%s: out of memory reading orders", st->name);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)limit);
    if (workspace != NULL)
        sqlite3_bind_text(q, 2, workspace, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((rc = decode_order(st, q, &rows[got], err)) != 0)
            break;
        got++;
    }
    if (rc == SQLITE_DONE) {
        memcpy(out, rows, got * sizeof *rows);
        *n = got;
        rc = 0;
    } else if (rc > 0) {
        rc = tl__sqlite_error(st, rc, "reading orders", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q); /* the workspace was borrowed */
    free(rows);
    return rc;
}

int tl__sqlite_order_counts(void *state, const char *workspace, tl_order_counts *out, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->ord[workspace != NULL ? TL__SQO_COUNTS_WS : TL__SQO_COUNTS];
    if (workspace != NULL)
        sqlite3_bind_text(q, 1, workspace, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        uint64_t by[TL_OS__COUNT], sum = 0;
        for (int i = 0; i < TL_OS__COUNT; i++)
            sum += by[i] = (uint64_t)sqlite3_column_int64(q, i);
        if (sum != (uint64_t)sqlite3_column_int64(q, TL_OS__COUNT)) {
            rc = tl_err_set(err, TL_ECORRUPT, "%s: orders holds a status tradeloop cannot name",
                            st->name);
        } else {
            memcpy(out->by_status, by, sizeof by);
            rc = 0;
        }
    } else {
        rc = tl__sqlite_error(st, rc, "counting orders", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}
