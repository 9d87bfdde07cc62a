/*
 * sqlite_desk.c -- the SQLite backend's RFQ desk rows: quotes, lp_quotes, executions (schema
 * version 5).
 *
 * Rows are inserted one statement step each, inside the batch's transaction, after its events
 * (sqlite_write.c): the desk writes a few rows per poll, nothing like the journal's rate, so
 * the plain prepared INSERT is enough. A repeated execution_id is a unique violation, which
 * tl__sqlite_error makes TL_EDUPLICATE; the dispatcher then rolls the batch back. Reads decode
 * straight into the caller's rows; a recent-N read fills a scratch array first so a corrupt
 * row leaves the output untouched, and every statement is reset after use (a statement left
 * stepping would hold a read snapshot).
 */
#include <stdlib.h>
#include <string.h>

#include "store/desk_rows.h"
#include "store/sqlite/sqlite_int.h"
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

static const char *const desk_sql[TL__SQD_COUNT] = {
    [TL__SQD_INS_QUOTE] = "INSERT INTO quotes (" QUOTE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                          " ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [TL__SQD_INS_LP_QUOTE] = "INSERT INTO lp_quotes (" LPQ_COLS ") VALUES (?1, ?2, ?3, ?4, ?5,"
                             " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [TL__SQD_INS_EXECUTION] = "INSERT INTO executions (" EXEC_COLS ") VALUES (?1, ?2, ?3, ?4,"
                              " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    [TL__SQD_QUOTES_RECENT] = "SELECT " QUOTE_COLS " FROM quotes ORDER BY ts_ns DESC, id DESC"
                              " LIMIT ?1",
    /* COLLATE-free TEXT compares bytes: the same order as every backend. */
    [TL__SQD_EXECUTIONS_RECENT] = "SELECT " EXEC_COLS " FROM executions ORDER BY ts_ns DESC,"
                                  " execution_id DESC LIMIT ?1",
    [TL__SQD_EXECUTIONS_SCAN] = "SELECT " EXEC_COLS " FROM executions ORDER BY ts_ns,"
                                " execution_id",
    [TL__SQD_LP_QUOTES_SCAN] = "SELECT " LPQ_COLS " FROM lp_quotes ORDER BY request_id, id",
};

int tl__sqlite_desk_prepare(tl__sqlite *st, tl_err *err)
{
    for (int i = 0; i < TL__SQD_COUNT; i++) {
        int rc = sqlite3_prepare_v3(st->db, desk_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                    &st->desk[i], NULL);
        if (rc != SQLITE_OK)
            return tl_err_set(err, TL_ECORRUPT, "%s: tables do not match schema version %d (%s)",
                              st->name, TL_STORE_SCHEMA_VERSION, sqlite3_errmsg(st->db));
    }
    return 0;
}

void tl__sqlite_desk_finalize(tl__sqlite *st)
{
    for (int i = 0; i < TL__SQD_COUNT; i++) {
        sqlite3_finalize(st->desk[i]);
        st->desk[i] = NULL;
    }
}

/* ---- writing ---- */

#define TXT(q, i, s) sqlite3_bind_text((q), (i), (s), -1, SQLITE_STATIC)
#define I64(q, i, v) sqlite3_bind_int64((q), (i), (v))

static int step(tl__sqlite *st, sqlite3_stmt *q, const char *what, tl_err *err)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q); /* the binds borrow the caller's batch */
    return rc == SQLITE_DONE ? 0 : tl__sqlite_error(st, rc, what, err);
}

static int insert_quote(tl__sqlite *st, const tl_quote_row *r, tl_err *err)
{
    sqlite3_stmt *q = st->desk[TL__SQD_INS_QUOTE];
    TXT(q, 1, r->workspace);
    TXT(q, 2, r->quote_id);
    I64(q, 3, r->ts_ns);
    TXT(q, 4, r->symbol);
    TXT(q, 5, tl_side_name(r->side));
    I64(q, 6, r->amount);
    TXT(q, 7, r->amount_asset);
    TXT(q, 8, r->lp);
    TXT(q, 9, r->lp_quote_id);
    I64(q, 10, r->lp_price);
    I64(q, 11, r->client_price);
    I64(q, 12, r->valid_until_ns);
    TXT(q, 13, tl_quote_event_name(r->event));
    return step(st, q, "writing a quote", err);
}

static int insert_lp_quote(tl__sqlite *st, const tl_lp_quote_row *r, tl_err *err)
{
    sqlite3_stmt *q = st->desk[TL__SQD_INS_LP_QUOTE];
    TXT(q, 1, r->workspace);
    TXT(q, 2, r->request_id);
    I64(q, 3, r->ts_ns);
    TXT(q, 4, r->lp);
    TXT(q, 5, r->lp_quote_id);
    TXT(q, 6, r->symbol);
    TXT(q, 7, tl_side_name(r->side));
    I64(q, 8, r->amount);
    TXT(q, 9, tl_lpq_status_name(r->status));
    I64(q, 10, r->bid);
    I64(q, 11, r->ask);
    I64(q, 12, r->price);
    I64(q, 13, r->response_ns);
    I64(q, 14, r->won);
    TXT(q, 15, r->reason);
    return step(st, q, "writing an LP quote", err);
}

static int insert_execution(tl__sqlite *st, const tl_execution_row *r, tl_err *err)
{
    sqlite3_stmt *q = st->desk[TL__SQD_INS_EXECUTION];
    TXT(q, 1, r->execution_id);
    I64(q, 2, r->ts_ns);
    TXT(q, 3, r->workspace);
    TXT(q, 4, r->quote_id);
    TXT(q, 5, tl_exec_status_name(r->status));
    TXT(q, 6, r->lp);
    TXT(q, 7, tl_side_name(r->hedge_side));
    I64(q, 8, r->hedge_base_qty);
    I64(q, 9, r->hedge_quote_qty);
    I64(q, 10, r->executed_qty);
    I64(q, 11, r->avg_price);
    I64(q, 12, r->commission);
    I64(q, 13, r->pnl);
    TXT(q, 14, r->pnl_asset);
    I64(q, 15, r->pnl_after_fees);
    I64(q, 16, r->pnl_bps);
    TXT(q, 17, r->error);
    return step(st, q, "writing an execution", err);
}

int tl__sqlite_desk_write(tl__sqlite *st, const tl_store_batch *b, tl_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->n_quotes; i++)
        rc = insert_quote(st, &b->quotes[i], err);
    for (size_t i = 0; rc == 0 && i < b->n_lp_quotes; i++)
        rc = insert_lp_quote(st, &b->lp_quotes[i], err);
    for (size_t i = 0; rc == 0 && i < b->n_executions; i++)
        rc = insert_execution(st, &b->executions[i], err);
    return rc;
}

/* ---- reading ---- */

#define COL_TEXT(q, c, field) (tl__sq_column_text((q), (c), (field), sizeof(field)) == 0)

static const char *col_str(sqlite3_stmt *q, int c)
{
    const char *s = (const char *)sqlite3_column_text(q, c);
    return s != NULL ? s : "";
}

static int decode_quote(tl__sqlite *st, sqlite3_stmt *q, tl_quote_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    int side = tl_desk_side_parse(col_str(q, 4));
    int ev = tl_quote_event_parse(col_str(q, 12));
    if (!COL_TEXT(q, 0, r->workspace) || !COL_TEXT(q, 1, r->quote_id) ||
        !COL_TEXT(q, 3, r->symbol) || !COL_TEXT(q, 6, r->amount_asset) || !COL_TEXT(q, 7, r->lp) ||
        !COL_TEXT(q, 8, r->lp_quote_id) || side < 0 || ev == 0)
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt quotes row", st->name);
    r->ts_ns = sqlite3_column_int64(q, 2);
    r->side = (uint8_t)side;
    r->amount = sqlite3_column_int64(q, 5);
    r->lp_price = sqlite3_column_int64(q, 9);
    r->client_price = sqlite3_column_int64(q, 10);
    r->valid_until_ns = sqlite3_column_int64(q, 11);
    r->event = (uint8_t)ev;
    return 0;
}

static int decode_lp_quote(tl__sqlite *st, sqlite3_stmt *q, tl_lp_quote_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    int side = tl_desk_side_parse(col_str(q, 6));
    int status = tl_lpq_status_parse(col_str(q, 8));
    int64_t won = sqlite3_column_int64(q, 13);
    if (!COL_TEXT(q, 0, r->workspace) || !COL_TEXT(q, 1, r->request_id) || !COL_TEXT(q, 3, r->lp) ||
        !COL_TEXT(q, 4, r->lp_quote_id) || !COL_TEXT(q, 5, r->symbol) ||
        !COL_TEXT(q, 14, r->reason) || side < 0 || status == 0 || (won != 0 && won != 1))
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt lp_quotes row", st->name);
    r->ts_ns = sqlite3_column_int64(q, 2);
    r->side = (uint8_t)side;
    r->amount = sqlite3_column_int64(q, 7);
    r->status = (uint8_t)status;
    r->bid = sqlite3_column_int64(q, 9);
    r->ask = sqlite3_column_int64(q, 10);
    r->price = sqlite3_column_int64(q, 11);
    r->response_ns = sqlite3_column_int64(q, 12);
    r->won = (uint8_t)won;
    return 0;
}

static int decode_execution(tl__sqlite *st, sqlite3_stmt *q, tl_execution_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    int status = tl_exec_status_parse(col_str(q, 4));
    int side = tl_desk_side_parse(col_str(q, 6));
    if (!COL_TEXT(q, 0, r->execution_id) || !COL_TEXT(q, 2, r->workspace) ||
        !COL_TEXT(q, 3, r->quote_id) || !COL_TEXT(q, 5, r->lp) || !COL_TEXT(q, 13, r->pnl_asset) ||
        !COL_TEXT(q, 16, r->error) || status == 0 || side < 0)
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt executions row", st->name);
    r->ts_ns = sqlite3_column_int64(q, 1);
    r->status = (uint8_t)status;
    r->hedge_side = (uint8_t)side;
    r->hedge_base_qty = sqlite3_column_int64(q, 7);
    r->hedge_quote_qty = sqlite3_column_int64(q, 8);
    r->executed_qty = sqlite3_column_int64(q, 9);
    r->avg_price = sqlite3_column_int64(q, 10);
    r->commission = sqlite3_column_int64(q, 11);
    r->pnl = sqlite3_column_int64(q, 12);
    r->pnl_after_fees = sqlite3_column_int64(q, 14);
    r->pnl_bps = sqlite3_column_int64(q, 15);
    return 0;
}

/* Rows of a LIMIT ?1 statement into a scratch array, then into out: out stays untouched when a
 * row is bad. decode is one of the decoders above, with rows `size` bytes. */
typedef int (*decode_fn)(tl__sqlite *st, sqlite3_stmt *q, void *row, tl_err *err);

static int read_recent(tl__sqlite *st, int which, decode_fn decode, size_t size, void *out,
                       size_t cap, size_t *n, tl_err *err)
{
    sqlite3_stmt *q = st->desk[which];
    size_t limit = cap < 100000 ? cap : 100000, got = 0; /* the viewer's N is far below */
    char *rows = malloc(limit * size);
    if (rows == NULL)
        return tl_err_set(err, TL_ENOMEM, "%s: out of memory reading the desk's rows", st->name);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((rc = decode(st, q, rows + got * size, err)) != 0)
            break;
        got++;
    }
    if (rc == SQLITE_DONE) {
        memcpy(out, rows, got * size);
        *n = got;
        rc = 0;
    } else if (rc > 0) {
        rc = tl__sqlite_error(st, rc, "reading the desk's rows", err);
    }
    sqlite3_reset(q);
    free(rows);
    return rc;
}

static int dec_quote(tl__sqlite *st, sqlite3_stmt *q, void *row, tl_err *err)
{
    return decode_quote(st, q, row, err);
}

static int dec_execution(tl__sqlite *st, sqlite3_stmt *q, void *row, tl_err *err)
{
    return decode_execution(st, q, row, err);
}

int tl__sqlite_quotes_recent(void *state, tl_quote_row *out, size_t cap, size_t *n, tl_err *err)
{
    return read_recent(state, TL__SQD_QUOTES_RECENT, dec_quote, sizeof *out, out, cap, n, err);
}

int tl__sqlite_executions_recent(void *state, tl_execution_row *out, size_t cap, size_t *n,
                                 tl_err *err)
{
    return read_recent(state, TL__SQD_EXECUTIONS_RECENT, dec_execution, sizeof *out, out, cap, n,
                       err);
}

int tl__sqlite_executions_scan(void *state, tl_execution_fn fn, void *ctx, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->desk[TL__SQD_EXECUTIONS_SCAN];
    tl_execution_row row;
    int rc = SQLITE_DONE,
        stop = 0; /* stop: a decode failure or the callback's value, returned as is */
    while (stop == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((stop = decode_execution(st, q, &row, err)) == 0)
            stop = fn(ctx, &row);
    }
    if (stop == 0)
        stop = rc == SQLITE_DONE ? 0 : tl__sqlite_error(st, rc, "reading executions", err);
    sqlite3_reset(q);
    return stop;
}

int tl__sqlite_lp_quotes_scan(void *state, tl_lp_quote_fn fn, void *ctx, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->desk[TL__SQD_LP_QUOTES_SCAN];
    tl_lp_quote_row row;
    int rc = SQLITE_DONE,
        stop = 0; /* stop: a decode failure or the callback's value, returned as is */
    while (stop == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((stop = decode_lp_quote(st, q, &row, err)) == 0)
            stop = fn(ctx, &row);
    }
    if (stop == 0)
        stop = rc == SQLITE_DONE ? 0 : tl__sqlite_error(st, rc, "reading lp_quotes", err);
    sqlite3_reset(q);
    return stop;
}
